//! The console: a terminal model in plain Rust, with no browser in it.
//!
//! Keys go in, lines come out. The model holds the line editor, the
//! history, the bounded scrollback, the shell with its few commands, and
//! the telnet client that talks to the simulated mail server.

pub mod editor;
pub mod history;
// The lessons run in the tools module (`tools/`), which shares this file.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub mod lessons;
pub mod log;
pub mod mailbox;
pub mod player;
pub mod saved;
pub mod scrollback;
pub mod share;
pub mod shell;
pub mod telnet;
pub mod terminal;

pub use terminal::{Key, Terminal};
