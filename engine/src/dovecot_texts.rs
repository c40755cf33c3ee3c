//! Dovecot's replies, named by meaning: what its POP3 and IMAP servers
//! say, beside the SMTP servers' catalogue (`catalogue.rs`). The texts are
//! Dovecot 2.3.19's (`src/pop3/`, `src/imap/`, `src/imap-login/`,
//! `src/login-common/`), to the byte; `{}` stands for what the reply fills
//! in, in order.

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

/// An IMAP reply line, after its tag (`*` for an untagged one, `+` for a
/// continuation), by meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImapText {
    CapabilityCompleted,
    CapabilityPreLogin,
    NoopCompleted,
    CheckCompleted,
    ByeLoggingOut,
    LogoutCompleted,
    IdCompleted,
    EnableIgnored,
    Enabled,
    NamespaceCompleted,
    TlsActive,
    BeginTls,
    PlaintextAlert,
    PlaintextDisallowed,
    PlaintextDisabled,
    InvalidArguments,
    UnsupportedMechanism,
    AuthenticationAborted,
    InvalidBase64,
    AuthenticationFailed,
    LoggedIn,
    LoggedInWithCapabilities,
    Greeting,
    CommandNotUnderstood,
    CommandError,
    CommandBad,
    TagError,
    TooManyInvalidCommands,
    SelectedDeleted,
    InputBufferFull,
    NoMailboxSelected,
    IdleCompleted,
    ExpectedDone,
    CloseCompleted,
    UnselectCompleted,
    ExpungeCompleted,
    MailboxExists,
    NoInferiors,
    HasChildren,
    InvalidMailboxName,
    CreateCompleted,
    InboxNotDeletable,
    DeleteCompleted,
    NoSuchMailbox,
    TargetExists,
    InboxNotRenamable,
    RenameCompleted,
    SubscribeCompleted,
    UnsubscribeCompleted,
    ReadOnlyFlags,
    PermanentFlags,
    FirstUnseen,
    UidValidity,
    UidNext,
    ExamineCompleted,
    SelectCompleted,
    ListCompleted,
    LsubCompleted,
    StatusOnSelected,
    StatusCompleted,
    TryCreate,
    AppendCompleted,
    FetchCompleted,
    ReadOnlyMailbox,
    StoreCompleted,
    BadCharset,
    SearchCompleted,
    SortCompleted,
    ThreadCompleted,
    UpdatesCancelled,
    UnknownTag,
    BadUrl,
    HighestModseq,
    NotifyCompleted,
    BadEvent,
    NotificationOverflow,
    NoMessagesFound,
    MovedUids,
    MoveCompleted,
    CopyCompleted,
    Continue,
    Idling,
}

impl ImapText {
    pub const ALL: &'static [ImapText] = &[
        ImapText::CapabilityCompleted,
        ImapText::CapabilityPreLogin,
        ImapText::NoopCompleted,
        ImapText::CheckCompleted,
        ImapText::ByeLoggingOut,
        ImapText::LogoutCompleted,
        ImapText::IdCompleted,
        ImapText::EnableIgnored,
        ImapText::Enabled,
        ImapText::NamespaceCompleted,
        ImapText::TlsActive,
        ImapText::BeginTls,
        ImapText::PlaintextAlert,
        ImapText::PlaintextDisallowed,
        ImapText::PlaintextDisabled,
        ImapText::InvalidArguments,
        ImapText::UnsupportedMechanism,
        ImapText::AuthenticationAborted,
        ImapText::InvalidBase64,
        ImapText::AuthenticationFailed,
        ImapText::LoggedIn,
        ImapText::LoggedInWithCapabilities,
        ImapText::Greeting,
        ImapText::CommandNotUnderstood,
        ImapText::CommandError,
        ImapText::CommandBad,
        ImapText::TagError,
        ImapText::TooManyInvalidCommands,
        ImapText::SelectedDeleted,
        ImapText::InputBufferFull,
        ImapText::NoMailboxSelected,
        ImapText::IdleCompleted,
        ImapText::ExpectedDone,
        ImapText::CloseCompleted,
        ImapText::UnselectCompleted,
        ImapText::ExpungeCompleted,
        ImapText::MailboxExists,
        ImapText::NoInferiors,
        ImapText::HasChildren,
        ImapText::InvalidMailboxName,
        ImapText::CreateCompleted,
        ImapText::InboxNotDeletable,
        ImapText::DeleteCompleted,
        ImapText::NoSuchMailbox,
        ImapText::TargetExists,
        ImapText::InboxNotRenamable,
        ImapText::RenameCompleted,
        ImapText::SubscribeCompleted,
        ImapText::UnsubscribeCompleted,
        ImapText::ReadOnlyFlags,
        ImapText::PermanentFlags,
        ImapText::FirstUnseen,
        ImapText::UidValidity,
        ImapText::UidNext,
        ImapText::ExamineCompleted,
        ImapText::SelectCompleted,
        ImapText::ListCompleted,
        ImapText::LsubCompleted,
        ImapText::StatusOnSelected,
        ImapText::StatusCompleted,
        ImapText::TryCreate,
        ImapText::AppendCompleted,
        ImapText::FetchCompleted,
        ImapText::ReadOnlyMailbox,
        ImapText::StoreCompleted,
        ImapText::BadCharset,
        ImapText::SearchCompleted,
        ImapText::SortCompleted,
        ImapText::ThreadCompleted,
        ImapText::UpdatesCancelled,
        ImapText::UnknownTag,
        ImapText::BadUrl,
        ImapText::HighestModseq,
        ImapText::NotifyCompleted,
        ImapText::BadEvent,
        ImapText::NotificationOverflow,
        ImapText::NoMessagesFound,
        ImapText::MovedUids,
        ImapText::MoveCompleted,
        ImapText::CopyCompleted,
        ImapText::Continue,
        ImapText::Idling,
    ];

    /// The line after the tag as Dovecot writes it: the status word, then
    /// the text; `{}` where it fills something in.
    pub fn template(self) -> &'static str {
        match self {
            ImapText::CapabilityCompleted => "OK Capability completed.",
            ImapText::CapabilityPreLogin => "OK Pre-login capabilities listed, post-login capabilities have more.",
            ImapText::NoopCompleted => "OK NOOP completed.",
            ImapText::CheckCompleted => "OK Check completed.",
            ImapText::ByeLoggingOut => "BYE Logging out",
            ImapText::LogoutCompleted => "OK Logout completed.",
            ImapText::IdCompleted => "OK ID completed.",
            ImapText::EnableIgnored => "OK ENABLE ignored in non-authenticated state.",
            ImapText::Enabled => "OK Enabled.",
            ImapText::NamespaceCompleted => "OK Namespace completed.",
            ImapText::TlsActive => "BAD TLS is already active.",
            ImapText::BeginTls => "OK Begin TLS negotiation now.",
            ImapText::PlaintextAlert => "BAD [ALERT] Plaintext authentication not allowed without SSL/TLS, but your client did it anyway. If anyone was listening, the password was exposed.",
            ImapText::PlaintextDisallowed => "NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
            ImapText::PlaintextDisabled => "NO [PRIVACYREQUIRED] Plaintext authentication disabled.",
            ImapText::InvalidArguments => "BAD Invalid arguments.",
            ImapText::UnsupportedMechanism => "NO Unsupported authentication mechanism.",
            ImapText::AuthenticationAborted => "BAD Authentication aborted by client.",
            ImapText::InvalidBase64 => "BAD Invalid base64 data in continued response",
            ImapText::AuthenticationFailed => "NO [AUTHENTICATIONFAILED] Authentication failed.",
            ImapText::LoggedIn => "OK Logged in",
            ImapText::LoggedInWithCapabilities => "OK [CAPABILITY {}] Logged in",
            ImapText::Greeting => "OK [CAPABILITY {}] {}",
            ImapText::CommandNotUnderstood => "BAD Error in IMAP command received by server.",
            ImapText::CommandError => "BAD Error in IMAP command {}: {}",
            ImapText::CommandBad => "BAD {}",
            ImapText::TagError => "BAD Error in IMAP tag: {}",
            ImapText::TooManyInvalidCommands => "BYE Too many invalid IMAP commands.",
            ImapText::SelectedDeleted => "BYE Selected mailbox was deleted, have to disconnect.",
            ImapText::InputBufferFull => "BYE Input buffer full, aborting",
            ImapText::NoMailboxSelected => "BAD No mailbox selected.",
            ImapText::IdleCompleted => "OK Idle completed.",
            ImapText::ExpectedDone => "BAD Expected DONE.",
            ImapText::CloseCompleted => "OK Close completed.",
            ImapText::UnselectCompleted => "OK Unselect completed.",
            ImapText::ExpungeCompleted => "OK Expunge completed.",
            ImapText::MailboxExists => "NO Mailbox already exists",
            ImapText::NoInferiors => "NO [CANNOT] Mailbox doesn't allow inferior mailboxes",
            ImapText::HasChildren => "NO Mailbox has children, delete them first",
            ImapText::InvalidMailboxName => "NO Invalid mailbox name",
            ImapText::CreateCompleted => "OK Create completed.",
            ImapText::InboxNotDeletable => "NO INBOX can't be deleted.",
            ImapText::DeleteCompleted => "OK Delete completed.",
            ImapText::NoSuchMailbox => "NO Mailbox doesn't exist: {}",
            ImapText::TargetExists => "NO Target mailbox already exists",
            ImapText::InboxNotRenamable => "NO Renaming INBOX isn't supported.",
            ImapText::RenameCompleted => "OK Rename completed.",
            ImapText::SubscribeCompleted => "OK Subscribe completed.",
            ImapText::UnsubscribeCompleted => "OK Unsubscribe completed.",
            ImapText::ReadOnlyFlags => "OK [PERMANENTFLAGS ()] Read-only mailbox.",
            ImapText::PermanentFlags => "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{} \\*)] Flags permitted.",
            ImapText::FirstUnseen => "OK [UNSEEN {}] First unseen.",
            ImapText::UidValidity => "OK [UIDVALIDITY {}] UIDs valid",
            ImapText::UidNext => "OK [UIDNEXT {}] Predicted next UID",
            ImapText::ExamineCompleted => "OK [READ-ONLY] Examine completed.",
            ImapText::SelectCompleted => "OK [READ-WRITE] Select completed.",
            ImapText::ListCompleted => "OK List completed.",
            ImapText::LsubCompleted => "OK Lsub completed.",
            ImapText::StatusOnSelected => "OK [CLIENTBUG] Status on selected mailbox completed.",
            ImapText::StatusCompleted => "OK Status completed.",
            ImapText::TryCreate => "NO [TRYCREATE] Mailbox doesn't exist: {}",
            ImapText::AppendCompleted => "OK [APPENDUID {} {}] Append completed.",
            ImapText::FetchCompleted => "OK Fetch completed.",
            ImapText::ReadOnlyMailbox => "NO Mailbox is read-only.",
            ImapText::StoreCompleted => "OK Store completed.",
            ImapText::BadCharset => "NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset",
            ImapText::SearchCompleted => "OK Search completed.",
            ImapText::SortCompleted => "OK Sort completed.",
            ImapText::ThreadCompleted => "OK Thread completed.",
            ImapText::UpdatesCancelled => "OK Updates cancelled.",
            ImapText::UnknownTag => "NO Unknown tag.",
            ImapText::BadUrl => "NO [BADURL {}] {}.",
            ImapText::HighestModseq => "OK [HIGHESTMODSEQ {}] Highest",
            ImapText::NotifyCompleted => "OK NOTIFY completed.",
            ImapText::BadEvent => "NO [BADEVENT {}] Unsupported NOTIFY events.",
            ImapText::NotificationOverflow => "NO [NOTIFICATIONOVERFLOW] Too many mailbox names",
            ImapText::NoMessagesFound => "OK No messages found.",
            ImapText::MovedUids => "OK [{}] Moved UIDs.",
            ImapText::MoveCompleted => "OK Move completed.",
            ImapText::CopyCompleted => "OK [{}] Copy completed.",
            ImapText::Continue => "{}",
            ImapText::Idling => "idling",
        }
    }

    /// What the line starts with: `*` for an untagged reply, `+` for a
    /// continuation, else the command's tag (`None`).
    pub fn untagged_as(self) -> Option<&'static str> {
        match self {
            ImapText::Continue | ImapText::Idling => Some("+"),
            ImapText::Greeting
            | ImapText::ByeLoggingOut
            | ImapText::PlaintextAlert
            | ImapText::TooManyInvalidCommands
            | ImapText::SelectedDeleted
            | ImapText::InputBufferFull
            | ImapText::ReadOnlyFlags
            | ImapText::PermanentFlags
            | ImapText::FirstUnseen
            | ImapText::UidValidity
            | ImapText::UidNext
            | ImapText::HighestModseq
            | ImapText::MovedUids => Some("*"),
            _ => None,
        }
    }

    /// The line after the tag, with `values` filled in, in order.
    pub fn text(self, values: &[&dyn Display]) -> String {
        fill(self.template(), values)
    }

    /// The status word (`OK`, `NO`, `BAD`, `BYE`) and the text after it,
    /// values filled in.
    pub fn status_and_text(self, values: &[&dyn Display]) -> (String, String) {
        let line = self.text(values);
        match line.split_once(' ') {
            Some((status, text)) => (status.to_string(), text.to_string()),
            None => (line, String::new()),
        }
    }

    /// The whole line: `tag` (`*` untagged, `+` a continuation), then
    /// the text.
    pub fn line(self, tag: &str, values: &[&dyn Display]) -> String {
        format!("{tag} {}", self.text(values))
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

    /// Every IMAP text, sent as it is (tagged, untagged or a continuation),
    /// is a line explain mode explains by its own entries: its status or
    /// continuation, and its response code.
    #[test]
    fn every_imap_text_is_explained() {
        let all = crate::explain::Explanations::built_in();
        for text in ImapText::ALL {
            // A response code filled in whole is COPYUID's.
            let values: [&dyn Display; 2] = if text.template().contains("[{}]") {
                [&"COPYUID 1795980101 1 1", &""]
            } else {
                [&"X", &"1"]
            };
            let line = text.line(text.untagged_as().unwrap_or("a1"), &values);
            let keys = crate::explain::mail_keys("imap", &line);
            assert!(!keys.iter().any(|k| k == "imap data"), "{text:?} {line}");
            assert_eq!(
                all.mail_reply("imap", &line).len(),
                keys.len(),
                "{text:?} {line}"
            );
        }
        assert_eq!(
            ImapText::LoggedInWithCapabilities.line("a1", &[&"IMAP4rev1"]),
            "a1 OK [CAPABILITY IMAP4rev1] Logged in"
        );
        assert_eq!(ImapText::Continue.line("+", &[&""]), "+ ");
    }
}
