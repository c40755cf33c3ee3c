//! How a POP3 or IMAP session lets arriving bytes in: held while the
//! user's mail opens, dropped once closed, ending the session where a TLS
//! handshake was due.

use crate::event::Event;

/// Where a POP3 or IMAP session is, as far as arriving bytes go.
pub(crate) enum Gate {
    Closed,
    /// The session said go ahead with TLS: a handshake is due.
    TlsHandshake,
    /// The user's mail is being opened.
    Opening,
    Reading,
}

/// What became of bytes that arrived.
pub(crate) enum Admitted {
    /// The session is over: they are dropped.
    Dropped,
    /// Kept until the user's mail is open.
    Held,
    /// Added to the input: read on.
    Read,
    /// They came where a TLS handshake was due: the session ends.
    EndsSession,
}

/// Bytes from a POP3 or IMAP client, as the session's state lets them in.
pub(crate) fn admit(gate: Gate, bytes: &[u8], input: &mut Vec<u8>, held: &mut Vec<u8>) -> Admitted {
    match gate {
        Gate::Closed => Admitted::Dropped,
        Gate::TlsHandshake if bytes.is_empty() => Admitted::Dropped,
        Gate::TlsHandshake => Admitted::EndsSession,
        Gate::Opening => {
            held.extend_from_slice(bytes);
            Admitted::Held
        }
        Gate::Reading => {
            input.extend_from_slice(bytes);
            Admitted::Read
        }
    }
}

/// A POP3 or IMAP session closes: what the client sent and the session
/// never read is noted (the close then resets the connection) and dropped.
pub(crate) fn close_input(input: &mut Vec<u8>, unread_at_close: &mut bool, out: &mut Vec<Event>) {
    out.push(Event::Close);
    *unread_at_close |= !input.is_empty();
    input.clear();
}
