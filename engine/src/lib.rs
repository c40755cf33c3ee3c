//! SMTP Lab's mail server engine: a simulated mail host with Sendmail,
//! Postfix or Exim on its SMTP port and Dovecot's POP3 and IMAP, as a
//! library with no network, clock, randomness or other I/O of its own.
//!
//! A [`Host`] holds the world, the mail store and the services on its
//! ports. Connect to a port and feed the [`HostSession`] events (bytes
//! received, the greeting pause over, TLS started, a timeout, the client
//! gone), each with its time; it returns [`Event`]s (bytes to send,
//! pauses, TLS, close, and what it did to the mail). Personalities
//! ([`personality`]) and the simulated world ([`World`]) are data.

pub mod address;
pub mod ascii;
pub mod catalogue;
pub mod data_file;
pub mod delivery;
pub mod dovecot_texts;
pub mod event;
pub mod exim_address;
pub mod explain;
pub(crate) mod gate;
pub mod host;
pub mod imap;
pub mod mbox;
pub mod personality;
pub mod pop3;
pub mod queue_id;
pub mod reply;
pub mod rfc822;
pub mod sasl;
pub mod script;
pub mod session;
pub mod store;
pub mod time;
pub mod tls;
pub mod tokens;
pub mod world;

pub use catalogue::ReplyKey;
pub use event::Event;
pub use host::{Client, Host, HostSession, Protocol, Service};
pub use personality::Personality;
pub use reply::Reply;
pub use session::{Connection, Copy, Delivery, Session};
pub use time::Timestamp;
pub use world::World;
pub mod workload;
