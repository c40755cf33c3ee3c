//! The one vocabulary of every session, whatever its protocol: what it
//! asks its shell to do (send, pause, start TLS, close), what it asks the
//! host's mail store to do, and what the host tells the shell about mail.
//!
//! A server session (SMTP, POP3, IMAP) returns events in order. The
//! [`Host`](crate::host::Host) carries out the store's requests
//! ([`Event::Deliver`], [`Event::Open`], [`Event::Save`],
//! [`Event::Write`], [`Event::Index`]) and passes on the rest, with [`Event::Delivered`],
//! [`Event::Stored`] and [`Event::Answered`] in their place; a shell sees
//! only those.

use crate::reply::Reply;
use crate::session::Delivery;
use crate::store::{Entry, Flags, StorePath};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An SMTP reply to send (`Reply::to_wire`), kept whole for explain
    /// mode and the logs.
    Reply(Reply),
    /// A POP3 or IMAP line to send (CRLF is added by [`Event::wire`]).
    Line(String),
    /// Raw bytes to send (a message, already dot-stuffed, with CRLFs).
    Bytes(Vec<u8>),
    /// Wait this long before what follows.
    Pause { millis: u64 },
    /// The greeting pause: wait this long, handing over anything the
    /// client sends meanwhile, then greet.
    GreetingPause { millis: u64 },
    /// Something a real server would do that the simulation cannot,
    /// explained for the person at the keyboard (never sent).
    Notice(String),
    /// Wait for a TLS handshake: a shell that can do one does it and says
    /// so (`tls_started`); any other bytes end the session.
    StartTls,
    /// Close the connection.
    Close,
    /// To the store: append this message to these mailboxes.
    Deliver(Delivery),
    /// To the store: hand this user's INBOX to the session (`opened`).
    Open { user: String },
    /// To the store: this is the user's INBOX file now.
    Save { user: String, file: Vec<u8> },
    /// To the store: write (or with `None` remove) a file of the user's
    /// other mail: an IMAP folder in `~/mail`, or the subscription list.
    Write {
        user: String,
        path: StorePath,
        file: Option<Vec<u8>>,
    },
    /// To the store: what Dovecot keeps in its index rather than in the
    /// mailbox files, which every session of the user sees at once: flags
    /// an IMAP session changed (or \Recent it took), and the last
    /// UIDVALIDITY given to a mailbox (0: unchanged).
    Index {
        user: String,
        flags: Vec<Flags>,
        uid_validity: u32,
    },
    /// From the host: a message was delivered into these mailboxes
    /// (already in the store).
    Delivered {
        mailboxes: Vec<String>,
        entry: Entry,
    },
    /// From the host: the message was accepted for these recipients of
    /// other domains too, and waits in the queue to be sent on.
    Relayed { recipients: Vec<String> },
    /// From the host: a POP3 or IMAP session rewrote a user's INBOX
    /// (`path` `None`) or wrote, or removed, another of the user's mail
    /// files (in the store).
    Stored {
        user: String,
        path: Option<StorePath>,
    },
    /// From the host: a POP3 or IMAP command got its status (`+OK`,
    /// `-ERR`, `OK`, `NO`, `BAD`); the verb in capitals (`UID FETCH` for
    /// IMAP's UID commands).
    Answered { verb: String, status: String },
}

impl Event {
    /// The bytes this event puts on the wire (empty for the others).
    pub fn wire(&self) -> Vec<u8> {
        match self {
            Event::Reply(reply) => reply.to_wire(),
            Event::Line(line) => format!("{line}\r\n").into_bytes(),
            Event::Bytes(bytes) => bytes.clone(),
            _ => Vec::new(),
        }
    }
}
