//! Dovecot's replies, named by meaning: what its POP3 server says, beside
//! the SMTP servers' catalogue (`catalogue.rs`). The texts are Dovecot
//! 2.3.19's (`src/pop3/`, `src/login-common/`), to the byte; `{}` stands
//! for what the reply fills in, in order.

use std::fmt::Display;

/// A POP3 reply (or a line of one), by meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pop3Text {
    /// `+OK`, alone: the command worked (USER, NOOP, RSET, a list's head).
    Ok,
    /// `+OK` and what the command answers: the greeting's text, a LIST or
    /// UIDL line.
    OkWith,
    LoggedIn,
    /// QUIT before logging in.
    LoggingOutBeforeLogin,
    LoggingOut,
    LoggingOutDeleted,
    BeginTls,
    /// STAT: the count and size of the messages.
    Stat,
    /// LIST's head: how many messages follow.
    ListHead,
    /// RETR and TOP: the message's size.
    Octets,
    MarkedDeleted,
    InputLineTooLong,
    InputBufferFull,
    PlaintextDisallowed,
    PlaintextDisabled,
    NoUsername,
    TlsActive,
    UnknownCommand,
    UnknownCommandNamed,
    TooManyBadCommands,
    TooManyBadCommandsBeforeLogin,
    UnsupportedMechanism,
    AuthenticationAborted,
    InvalidBase64,
    AuthenticationFailed,
    InvalidMessageNumber,
    MessageNumberTooLarge,
    NoiseAfterNumber,
    NoSuchMessage,
    MessageDeleted,
    InvalidSize,
}

impl Pop3Text {
    pub const ALL: &'static [Pop3Text] = &[
        Pop3Text::Ok,
        Pop3Text::OkWith,
        Pop3Text::LoggedIn,
        Pop3Text::LoggingOutBeforeLogin,
        Pop3Text::LoggingOut,
        Pop3Text::LoggingOutDeleted,
        Pop3Text::BeginTls,
        Pop3Text::Stat,
        Pop3Text::ListHead,
        Pop3Text::Octets,
        Pop3Text::MarkedDeleted,
        Pop3Text::InputLineTooLong,
        Pop3Text::InputBufferFull,
        Pop3Text::PlaintextDisallowed,
        Pop3Text::PlaintextDisabled,
        Pop3Text::NoUsername,
        Pop3Text::TlsActive,
        Pop3Text::UnknownCommand,
        Pop3Text::UnknownCommandNamed,
        Pop3Text::TooManyBadCommands,
        Pop3Text::TooManyBadCommandsBeforeLogin,
        Pop3Text::UnsupportedMechanism,
        Pop3Text::AuthenticationAborted,
        Pop3Text::InvalidBase64,
        Pop3Text::AuthenticationFailed,
        Pop3Text::InvalidMessageNumber,
        Pop3Text::MessageNumberTooLarge,
        Pop3Text::NoiseAfterNumber,
        Pop3Text::NoSuchMessage,
        Pop3Text::MessageDeleted,
        Pop3Text::InvalidSize,
    ];

    /// The reply as Dovecot writes it, `{}` where it fills something in.
    pub fn template(self) -> &'static str {
        match self {
            Pop3Text::Ok => "+OK",
            Pop3Text::OkWith => "+OK {}",
            Pop3Text::LoggedIn => "+OK Logged in.",
            Pop3Text::LoggingOutBeforeLogin => "+OK Logging out",
            Pop3Text::LoggingOut => "+OK Logging out.",
            Pop3Text::LoggingOutDeleted => "+OK Logging out, messages deleted.",
            Pop3Text::BeginTls => "+OK Begin TLS negotiation now.",
            Pop3Text::Stat => "+OK {} {}",
            Pop3Text::ListHead => "+OK {} messages:",
            Pop3Text::Octets => "+OK {} octets",
            Pop3Text::MarkedDeleted => "+OK Marked to be deleted.",
            Pop3Text::InputLineTooLong => "-ERR Input line too long.",
            Pop3Text::InputBufferFull => "-ERR Input buffer full, aborting",
            Pop3Text::PlaintextDisallowed => "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
            Pop3Text::PlaintextDisabled => "-ERR [AUTH] Plaintext authentication disabled.",
            Pop3Text::NoUsername => "-ERR No username given.",
            Pop3Text::TlsActive => "-ERR TLS is already active.",
            Pop3Text::UnknownCommand => "-ERR Unknown command.",
            Pop3Text::UnknownCommandNamed => "-ERR Unknown command: {}",
            Pop3Text::TooManyBadCommands => "-ERR Too many bad commands.",
            Pop3Text::TooManyBadCommandsBeforeLogin => "-ERR Too many invalid bad commands.",
            Pop3Text::UnsupportedMechanism => "-ERR [AUTH] Unsupported authentication mechanism.",
            Pop3Text::AuthenticationAborted => "-ERR Authentication aborted by client.",
            Pop3Text::InvalidBase64 => "-ERR [AUTH] Invalid base64 in response",
            Pop3Text::AuthenticationFailed => "-ERR [AUTH] Authentication failed.",
            Pop3Text::InvalidMessageNumber => "-ERR Invalid message number: {}",
            Pop3Text::MessageNumberTooLarge => "-ERR Message number too large: {}",
            Pop3Text::NoiseAfterNumber => "-ERR Noise after message number: {}",
            Pop3Text::NoSuchMessage => "-ERR There's no message {}.",
            Pop3Text::MessageDeleted => "-ERR Message is deleted.",
            Pop3Text::InvalidSize => "-ERR Invalid size: {}",
        }
    }

    /// The reply, for texts that fill nothing in.
    pub fn text(self) -> String {
        self.template().to_string()
    }

    /// The reply with `values` filled in, in order.
    pub fn with(self, values: &[&dyn Display]) -> String {
        fill(self.template(), values)
    }
}

/// A template with each `{}` replaced by the next value.
fn fill(template: &str, values: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        if let Some(value) = values.next() {
            out.push_str(&value.to_string());
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_order() {
        assert_eq!(Pop3Text::Stat.with(&[&3, &1501]), "+OK 3 1501");
        assert_eq!(
            Pop3Text::UnknownCommandNamed.with(&[&"XYZZY"]),
            "-ERR Unknown command: XYZZY"
        );
        assert_eq!(
            Pop3Text::NoSuchMessage.with(&[&9]),
            "-ERR There's no message 9."
        );
        assert_eq!(Pop3Text::Ok.text(), "+OK");
    }

    /// Every text is a status line with its own explanation (its status,
    /// and its response code when it has one), as explain mode reads it.
    #[test]
    fn every_pop3_text_is_explained() {
        let all = crate::explain::Explanations::built_in();
        for text in Pop3Text::ALL {
            let line = text.with(&[&"1", &"2"]);
            let keys = crate::explain::mail_keys("pop3", &line);
            assert!(
                keys[0] == "pop3 +OK" || keys[0] == "pop3 -ERR",
                "{text:?}: {keys:?}"
            );
            assert_eq!(all.mail_reply("pop3", &line).len(), keys.len(), "{text:?}");
        }
    }
}
