//! What a POP3 or IMAP session asks the shell around it to do: send
//! lines, pause, hand over or write the user's mail files, start TLS,
//! close. The sessions have no I/O of their own; these are their outputs.

/// What a POP3 or IMAP session asks its shell to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailAction {
    /// Send this line (CRLF is added by [`MailAction::wire`]).
    Send(String),
    /// Send these raw bytes (a message, already dot-stuffed, with CRLFs).
    SendBytes(Vec<u8>),
    /// Wait this long before what follows.
    Pause {
        millis: u64,
    },
    /// Give this user's mailbox file to the session's `opened`.
    Open {
        user: String,
    },
    /// Write this user's mailbox file.
    Save {
        user: String,
        file: Vec<u8>,
    },
    /// Write (or with `None` remove) a file of the user's other mail:
    /// an IMAP folder in `~/mail`, or the subscription list.
    Write {
        user: String,
        path: StorePath,
        file: Option<Vec<u8>>,
    },
    /// Start TLS, then call the session's `tls_started`.
    StartTls,
    Close,
}

/// A file of a user's mail besides INBOX.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StorePath {
    /// `~/mail/NAME` (a name may hold `/` for a folder in a folder).
    Folder(String),
    /// `~/mail/.subscriptions`.
    Subscriptions,
}

impl StorePath {
    /// Its name under `~/mail`.
    pub fn file_name(&self) -> &str {
        match self {
            StorePath::Folder(name) => name,
            StorePath::Subscriptions => ".subscriptions",
        }
    }

    /// The path a name under `~/mail` stands for.
    pub fn from_file_name(name: &str) -> StorePath {
        if name == ".subscriptions" {
            StorePath::Subscriptions
        } else {
            StorePath::Folder(name.to_string())
        }
    }
}

impl MailAction {
    /// The bytes this action puts on the wire (empty for the others).
    pub fn wire(&self) -> Vec<u8> {
        match self {
            MailAction::Send(line) => format!("{line}\r\n").into_bytes(),
            MailAction::SendBytes(bytes) => bytes.clone(),
            _ => Vec::new(),
        }
    }
}

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
pub(crate) fn close_input(
    input: &mut Vec<u8>,
    unread_at_close: &mut bool,
    out: &mut Vec<MailAction>,
) {
    out.push(MailAction::Close);
    *unread_at_close |= !input.is_empty();
    input.clear();
}
