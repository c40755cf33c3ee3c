//! SMTP Lab's mail server engine: simulated Sendmail and Postfix servers,
//! as a library with no network, clock, randomness or other I/O of its own.
//!
//! Feed a [`Session`] events (connect, bytes received, time passing) and it
//! returns [`Action`]s (replies, pauses, deliveries, close). Personalities
//! ([`personality`]) and the simulated world ([`World`]) are data.

pub mod address;
pub mod catalogue;
pub mod data_file;
pub mod delivery;
pub mod exim_address;
pub mod explain;
pub mod imap;
pub mod mail_actions;
pub mod mbox;
pub mod personality;
pub mod pop3;
pub mod queue_id;
pub mod reply;
pub mod rfc822;
pub mod script;
pub mod session;
pub mod time;
pub mod tokens;
pub mod world;

pub use catalogue::ReplyKey;
pub use personality::Personality;
pub use reply::Reply;
pub use session::{Action, Connection, Copy, Delivery, Session};
pub use time::Timestamp;
pub use world::World;
pub mod workload;
