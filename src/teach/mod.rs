//! Teaching and sharing: lessons and their checks, share links, saved
//! sessions, and the replay player. Plain Rust, tested natively.

pub mod lessons;
pub mod player;
pub mod saved;
pub mod share;
