//! The reply catalogue: every reply a personality can send, named for its
//! meaning, with its code, enhanced code and text.
//!
//! Texts are Sendmail's own (from `srvrsmtp.c` and the recorded Debian 12
//! corpus). Placeholders in braces are filled when the reply is made:
//! `{host}` the server name, `{client}` the client as Sendmail names it
//! (`name [address]`), `{arg}` a piece of the command, `{limit}` a number.

/// Declares [`ReplyKey`] and its list of every key from one list of names.
macro_rules! reply_keys {
    ($($name:ident),+ $(,)?) => {
        /// The name of a reply, independent of its text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ReplyKey {
            $($name),+
        }

        impl ReplyKey {
            /// Every key, for tests that check the catalogue is complete.
            pub const ALL: &'static [ReplyKey] = &[$(ReplyKey::$name),+];

            /// The key's name, as explanations are filed under it.
            pub fn name(self) -> &'static str {
                match self {
                    $(ReplyKey::$name => stringify!($name)),+
                }
            }
        }
    };
}

reply_keys! {
    Greeting,
    GreetingRefused,
    Hello,
    HelloNeedsDomain,
    InvalidDomain,
    ProtocolError,
    CommandRejected,
    SenderOk,
    RecipientOk,
    SenderAlreadySpecified,
    PoliteHelo,
    NeedMailBeforeRcpt,
    NeedMailCommand,
    NeedRcpt,
    StartData,
    MessageAccepted,
    ResetState,
    Ok,
    Closing,
    UserUnknown,
    RelayingDenied,
    NullRecipient,
    SyntaxErrorScanning,
    UnbalancedOpen,
    UnbalancedClose,
    InvalidRouteAddress,
    HostnameRequired,
    UserAddressRequired,
    AddressTooLong,
    MissingRecipient,
    UnknownCommand,
    NotImplemented,
    TooManyBadCommands,
    CommandTooLong,
    OpenProxy,
    LostInput,
    Timeout,
    VerifiedLocal,
    CannotVerify,
    ArgumentRequired,
    IntroduceYourself,
    ExpnUnavailable,
    VerbUnavailable,
    Help,
    HelpUnknown,
    VerboseMode,
    EtrnStarted,
    EtrnParameterRequired,
    AuthMechanismRequired,
    AuthMechanismUnavailable,
    AuthChallenge,
    AuthAborted,
    AuthCannotDecode,
    AuthFailed,
    AuthAlreadyDone,
    AuthInTransaction,
    AuthInitialCannotDecode,
    AuthSucceeded,
    AuthTemporaryFailure,
    AuthRequired,
    TlsRequired,
    RecipientAccessDenied,
    TlsNotAvailable,
    TlsNotAvailableAfterStart,
    TlsReady,
    TlsNoParameters,
    TlsInTransaction,
    SizeExceedsLimit,
    InsufficientDiskSpace,
    UnknownBodyType,
    ParameterUnrecognized,
    BadNotify,
    MessageTooBig,
    BareLinefeed,
    TooManyRecipients,
    TooManySessions,
    ParameterNeedsValue,
    BadRetArgument,
    DuplicateParameter,
    ParameterSyntax,
    AuthNotEnabled,
    BadSyntax,
    BadUtf8,
    BreakRules,
    MailSyntax,
    RcptSyntax,
    BadSenderSyntax,
    BadRecipientSyntax,
    VrfySyntax,
    BadSizeSyntax,
    SizeOverflow,
    BadEnvid,
    BadOrcpt,
    DataSyntax,
    RsetSyntax,
    EtrnInvalid,
    EtrnInTransaction,
    EtrnRefused,
    TlsAlreadyActive,
    BdatSyntax,
    BdatNull,
    BdatDiscarded,
    ChunkTooBig,
    ChunkAccepted,
    ChunkedMessageAccepted,
    AfterBdat,
    RestrictedCharacters,
    TooManyBadRecipients,
    TooManySyntaxErrors,
    TooManyNonmail,
    AddressSyntax,
    SenderNeedsDomain,
    RecipientNeedsDomain,
    VrfyProhibited,
    UnexpectedArgument,
    NulCharacter,
    Utf8NotAdvertised,
    LineTooLong,
    HeaderSyntax,
    NeedRcptPipelined,
    ChunkingNotAdvertised,
    OnlyRsetNow,
    DataTimeout,
    PrdrStart,
    PrdrRecipient,
    PrdrMessageAccepted,
}

/// One catalogue entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    pub code: u16,
    pub enhanced: Option<&'static str>,
    pub text: &'static str,
}

const fn t(code: u16, enhanced: &'static str, text: &'static str) -> Template {
    Template {
        code,
        enhanced: Some(enhanced),
        text,
    }
}

/// A reply with no enhanced status code (informational replies).
const fn plain(code: u16, text: &'static str) -> Template {
    Template {
        code,
        enhanced: None,
        text,
    }
}

/// The replies every Sendmail personality shares (srvrsmtp.c, 8.13 to 8.17).
pub const SENDMAIL_REPLIES: &[(ReplyKey, Template)] = &[
    // The banner text itself comes from the personality.
    (ReplyKey::Greeting, plain(220, "{arg}")),
    (
        ReplyKey::GreetingRefused,
        plain(554, "{host} ESMTP not accepting messages"),
    ),
    (
        ReplyKey::Hello,
        plain(250, "{host} Hello {client}, pleased to meet you"),
    ),
    (
        ReplyKey::HelloNeedsDomain,
        t(501, "5.0.0", "{arg} requires domain address"),
    ),
    (
        ReplyKey::InvalidDomain,
        t(501, "5.0.0", "Invalid domain name"),
    ),
    (
        ReplyKey::ProtocolError,
        t(554, "5.5.0", "SMTP protocol error"),
    ),
    (
        ReplyKey::CommandRejected,
        t(550, "5.0.0", "Command rejected"),
    ),
    (ReplyKey::SenderOk, t(250, "2.1.0", "{echo}... Sender ok")),
    (
        ReplyKey::RecipientOk,
        t(250, "2.1.5", "{echo}... Recipient ok"),
    ),
    (
        ReplyKey::SenderAlreadySpecified,
        t(503, "5.5.0", "Sender already specified"),
    ),
    (
        ReplyKey::PoliteHelo,
        t(503, "5.0.0", "Polite people say HELO first"),
    ),
    (
        ReplyKey::NeedMailBeforeRcpt,
        t(503, "5.0.0", "Need MAIL before RCPT"),
    ),
    (
        ReplyKey::NeedMailCommand,
        t(503, "5.0.0", "Need MAIL command"),
    ),
    (ReplyKey::NeedRcpt, t(503, "5.0.0", "Need RCPT (recipient)")),
    (
        ReplyKey::StartData,
        plain(354, "Enter mail, end with \".\" on a line by itself"),
    ),
    (
        ReplyKey::MessageAccepted,
        t(250, "2.0.0", "{arg} Message accepted for delivery"),
    ),
    (ReplyKey::ResetState, t(250, "2.0.0", "Reset state")),
    (ReplyKey::Ok, t(250, "2.0.0", "OK")),
    (
        ReplyKey::Closing,
        t(221, "2.0.0", "{host} closing connection"),
    ),
    (
        ReplyKey::UserUnknown,
        t(550, "5.1.1", "{echo}... User unknown"),
    ),
    (
        ReplyKey::RelayingDenied,
        t(550, "5.7.1", "{echo}... Relaying denied"),
    ),
    (
        ReplyKey::NullRecipient,
        t(553, "5.0.0", "{echo}... User address required"),
    ),
    (
        ReplyKey::SyntaxErrorScanning,
        t(
            501,
            "5.5.2",
            "Syntax error in parameters scanning \"{arg}\"",
        ),
    ),
    (
        ReplyKey::UnbalancedOpen,
        t(553, "5.0.0", "{echo}... Unbalanced '<'"),
    ),
    (
        ReplyKey::UnbalancedClose,
        t(553, "5.0.0", "{echo}... Unbalanced '>'"),
    ),
    (
        ReplyKey::InvalidRouteAddress,
        t(553, "5.1.3", "{echo}... Invalid route address"),
    ),
    (
        ReplyKey::HostnameRequired,
        t(553, "5.1.3", "{echo}... Hostname required"),
    ),
    (
        ReplyKey::UserAddressRequired,
        t(553, "5.1.3", "{echo}... User address required"),
    ),
    (
        ReplyKey::AddressTooLong,
        t(553, "5.1.1", "{echo}... Address too long"),
    ),
    (
        ReplyKey::MissingRecipient,
        t(501, "5.0.0", "Missing recipient"),
    ),
    (
        ReplyKey::UnknownCommand,
        t(500, "5.5.1", "Command unrecognized: \"{arg}\""),
    ),
    (
        ReplyKey::NotImplemented,
        t(502, "5.5.1", "Command not implemented: \"{arg}\""),
    ),
    (
        ReplyKey::TooManyBadCommands,
        t(
            421,
            "4.7.0",
            "{host} Too many bad commands; closing connection",
        ),
    ),
    (
        ReplyKey::CommandTooLong,
        t(
            421,
            "4.7.0",
            "{host} Command too long, possible attack {client}",
        ),
    ),
    (
        ReplyKey::OpenProxy,
        t(421, "4.7.0", "{host} Rejecting open proxy {client}"),
    ),
    (
        ReplyKey::LostInput,
        t(421, "4.4.1", "{host} Lost input channel from {client}"),
    ),
    (
        ReplyKey::Timeout,
        t(
            451,
            "4.4.1",
            "timeout waiting for input from {client_name} during {arg}",
        ),
    ),
    (ReplyKey::VerifiedLocal, t(250, "2.1.5", "{arg}")),
    (ReplyKey::CannotVerify, t(252, "2.1.5", "{arg}")),
    (
        ReplyKey::ArgumentRequired,
        t(501, "5.5.2", "Argument required"),
    ),
    (
        ReplyKey::IntroduceYourself,
        t(503, "5.0.0", "I demand that you introduce yourself first"),
    ),
    (
        ReplyKey::ExpnUnavailable,
        t(502, "5.7.0", "Sorry, we do not allow this operation"),
    ),
    (
        ReplyKey::VerbUnavailable,
        t(502, "5.7.0", "Verbose unavailable"),
    ),
    (ReplyKey::Help, t(214, "2.0.0", "{arg}")),
    (
        ReplyKey::HelpUnknown,
        t(504, "5.3.0", "HELP topic \"{arg}\" unknown"),
    ),
    (ReplyKey::VerboseMode, t(250, "2.0.0", "Verbose mode")),
    (
        ReplyKey::EtrnStarted,
        t(250, "2.0.0", "Queuing for node {arg} started"),
    ),
    (
        ReplyKey::EtrnParameterRequired,
        t(500, "5.5.2", "Parameter required"),
    ),
    (
        ReplyKey::AuthMechanismRequired,
        t(501, "5.5.2", "AUTH mechanism must be specified"),
    ),
    (
        ReplyKey::AuthMechanismUnavailable,
        t(504, "5.3.3", "AUTH mechanism {arg} not available"),
    ),
    (ReplyKey::AuthChallenge, plain(334, "{arg}")),
    (ReplyKey::AuthAborted, t(501, "5.0.0", "AUTH aborted")),
    (
        ReplyKey::AuthCannotDecode,
        t(501, "5.5.4", "cannot decode AUTH parameter {arg}"),
    ),
    (
        ReplyKey::AuthFailed,
        t(535, "5.7.0", "authentication failed"),
    ),
    (
        ReplyKey::AuthAlreadyDone,
        t(503, "5.5.0", "Already Authenticated"),
    ),
    (
        ReplyKey::AuthInTransaction,
        t(503, "5.5.0", "AUTH not permitted during a mail transaction"),
    ),
    // STARTTLS once TLS is on: `tls_ok_srv` is false then.
    (
        ReplyKey::TlsAlreadyActive,
        t(454, "4.3.3", "TLS not available after start"),
    ),
    (
        ReplyKey::AuthInitialCannotDecode,
        t(501, "5.5.4", "cannot BASE64 decode '{arg}'"),
    ),
    (ReplyKey::AuthSucceeded, t(235, "2.0.0", "OK Authenticated")),
    (
        ReplyKey::AuthRequired,
        t(530, "5.7.0", "Authentication required"),
    ),
    (
        ReplyKey::TlsNotAvailable,
        t(503, "5.5.0", "TLS not available"),
    ),
    (
        ReplyKey::TlsNotAvailableAfterStart,
        t(454, "4.3.3", "TLS not available after start"),
    ),
    (ReplyKey::TlsReady, t(220, "2.0.0", "Ready to start TLS")),
    (
        ReplyKey::TlsNoParameters,
        t(501, "5.5.2", "Syntax error (no parameters allowed)"),
    ),
    (
        ReplyKey::TlsInTransaction,
        t(503, "5.5.0", "TLS not permitted during a mail transaction"),
    ),
    (
        ReplyKey::SizeExceedsLimit,
        t(
            552,
            "5.2.3",
            "Message size exceeds fixed maximum message size ({limit})",
        ),
    ),
    (
        ReplyKey::InsufficientDiskSpace,
        t(452, "4.4.5", "Insufficient disk space; try again later"),
    ),
    (
        ReplyKey::UnknownBodyType,
        t(501, "5.5.4", "Unknown BODY type {arg}"),
    ),
    (
        ReplyKey::ParameterUnrecognized,
        t(555, "5.5.4", "{arg} parameter unrecognized"),
    ),
    (
        ReplyKey::BadNotify,
        t(501, "5.5.4", "Bad argument \"{arg}\"  to NOTIFY"),
    ),
    (
        ReplyKey::MessageTooBig,
        t(552, "5.2.3", "Message exceeds maximum fixed size ({limit})"),
    ),
    (
        ReplyKey::BareLinefeed,
        t(421, "4.5.0", "Bare linefeed (LF) not allowed"),
    ),
    (
        ReplyKey::TooManyRecipients,
        t(452, "4.5.3", "Too many recipients"),
    ),
    (
        ReplyKey::ParameterNeedsValue,
        t(501, "5.5.2", "{arg} requires a value"),
    ),
    (
        ReplyKey::BadRetArgument,
        t(501, "5.5.2", "Bad argument \"{arg}\" to RET"),
    ),
    (
        ReplyKey::DuplicateParameter,
        t(501, "5.5.0", "Duplicate {arg} parameter"),
    ),
    (
        ReplyKey::ParameterSyntax,
        t(501, "5.5.4", "Syntax error in {arg} parameter value"),
    ),
    (
        ReplyKey::TooManySessions,
        t(
            421,
            "4.3.2",
            "{host} Too many concurrent SMTP connections; please try again later",
        ),
    ),
];

/// Postfix's replies (`smtpd.c`, `smtpd_check.c`, 3.7). Greetings and the
/// HELO/EHLO replies have no enhanced status code (RFC 2034 exempts them);
/// rejections of an address start with the address as resolved.
pub const POSTFIX_REPLIES: &[(ReplyKey, Template)] = &[
    (ReplyKey::Greeting, plain(220, "{arg}")),
    (ReplyKey::Hello, plain(250, "{host}")),
    (
        ReplyKey::HelloNeedsDomain,
        plain(501, "Syntax: {VERB} hostname"),
    ),
    (ReplyKey::SenderOk, t(250, "2.1.0", "Ok")),
    (ReplyKey::RecipientOk, t(250, "2.1.5", "Ok")),
    (
        ReplyKey::SenderAlreadySpecified,
        t(503, "5.5.1", "Error: nested MAIL command"),
    ),
    (
        ReplyKey::PoliteHelo,
        t(503, "5.5.1", "Error: send HELO/EHLO first"),
    ),
    (
        ReplyKey::NeedMailBeforeRcpt,
        t(503, "5.5.1", "Error: need MAIL command"),
    ),
    (
        ReplyKey::NeedMailCommand,
        t(503, "5.5.1", "Error: need RCPT command"),
    ),
    (
        ReplyKey::NeedRcpt,
        t(554, "5.5.1", "Error: no valid recipients"),
    ),
    (
        ReplyKey::StartData,
        plain(354, "End data with <CR><LF>.<CR><LF>"),
    ),
    (
        ReplyKey::MessageAccepted,
        t(250, "2.0.0", "Ok: queued as {arg}"),
    ),
    (ReplyKey::ResetState, t(250, "2.0.0", "Ok")),
    (ReplyKey::Ok, t(250, "2.0.0", "Ok")),
    (ReplyKey::Closing, t(221, "2.0.0", "Bye")),
    (
        ReplyKey::UserUnknown,
        t(
            550,
            "5.1.1",
            "{echo}: Recipient address rejected: User unknown in local recipient table",
        ),
    ),
    (
        ReplyKey::RelayingDenied,
        t(454, "4.7.1", "{echo}: Relay access denied"),
    ),
    (
        ReplyKey::UnknownCommand,
        t(500, "5.5.2", "Error: command not recognized"),
    ),
    (
        ReplyKey::TooManyBadCommands,
        t(421, "4.7.0", "{host} Error: too many errors"),
    ),
    (
        ReplyKey::Timeout,
        t(421, "4.4.2", "{host} Error: timeout exceeded"),
    ),
    (ReplyKey::CannotVerify, t(252, "2.0.0", "{arg}")),
    (
        ReplyKey::AuthNotEnabled,
        t(503, "5.5.1", "Error: authentication not enabled"),
    ),
    // SMTP AUTH through Dovecot's auth service (smtpd_sasl_glue.c and
    // xsasl_dovecot_server.c; Dovecot's reasons after the colon).
    (
        ReplyKey::AuthMechanismRequired,
        t(501, "5.5.4", "Syntax: AUTH mechanism"),
    ),
    (
        ReplyKey::AuthMechanismUnavailable,
        t(
            535,
            "5.7.8",
            "Error: authentication failed: Invalid authentication mechanism",
        ),
    ),
    (ReplyKey::AuthChallenge, plain(334, "{arg}")),
    (
        ReplyKey::AuthAborted,
        t(501, "5.7.0", "Authentication aborted"),
    ),
    (
        ReplyKey::AuthCannotDecode,
        t(
            535,
            "5.7.8",
            "Error: authentication failed: Invalid base64 data in continued response",
        ),
    ),
    (
        ReplyKey::AuthInitialCannotDecode,
        t(
            535,
            "5.7.8",
            "Error: authentication failed: Invalid base64 data in initial response",
        ),
    ),
    (
        ReplyKey::AuthFailed,
        t(
            535,
            "5.7.8",
            "Error: authentication failed: (reason unavailable)",
        ),
    ),
    (
        ReplyKey::AuthTemporaryFailure,
        t(
            454,
            "4.7.0",
            "Temporary authentication failure: Connection lost to authentication server",
        ),
    ),
    (
        ReplyKey::AuthSucceeded,
        t(235, "2.7.0", "Authentication successful"),
    ),
    (
        ReplyKey::AuthAlreadyDone,
        t(503, "5.5.1", "Error: already authenticated"),
    ),
    (
        ReplyKey::AuthInTransaction,
        t(503, "5.5.1", "Error: MAIL transaction in progress"),
    ),
    (
        ReplyKey::TlsRequired,
        t(530, "5.7.0", "Must issue a STARTTLS command first"),
    ),
    (
        ReplyKey::RecipientAccessDenied,
        t(
            554,
            "5.7.1",
            "{echo}: Recipient address rejected: Access denied",
        ),
    ),
    (ReplyKey::TlsReady, t(220, "2.0.0", "Ready to start TLS")),
    (
        ReplyKey::TlsNoParameters,
        t(501, "5.5.4", "Syntax: STARTTLS"),
    ),
    (
        ReplyKey::TlsNotAvailable,
        t(502, "5.5.1", "Error: command not implemented"),
    ),
    (
        ReplyKey::TlsAlreadyActive,
        t(554, "5.5.1", "Error: TLS already active"),
    ),
    (
        ReplyKey::SizeExceedsLimit,
        t(552, "5.3.4", "Message size exceeds fixed limit"),
    ),
    (
        ReplyKey::SizeOverflow,
        t(
            552,
            "5.3.4",
            "Message size exceeds file system imposed limit",
        ),
    ),
    (
        ReplyKey::MessageTooBig,
        t(552, "5.3.4", "Error: message file too big"),
    ),
    (
        ReplyKey::TooManyRecipients,
        t(452, "4.5.3", "Error: too many recipients"),
    ),
    (
        ReplyKey::ParameterUnrecognized,
        t(555, "5.5.4", "Unsupported option: {arg}"),
    ),
    (ReplyKey::BadSyntax, t(500, "5.5.2", "Error: bad syntax")),
    (
        ReplyKey::BadUtf8,
        t(500, "5.5.2", "Error: bad UTF-8 syntax"),
    ),
    (
        ReplyKey::BreakRules,
        t(221, "2.7.0", "Error: I can break rules, too. Goodbye."),
    ),
    (
        ReplyKey::MailSyntax,
        t(501, "5.5.4", "Syntax: MAIL FROM:<address>"),
    ),
    (
        ReplyKey::RcptSyntax,
        t(501, "5.5.4", "Syntax: RCPT TO:<address>"),
    ),
    (
        ReplyKey::BadSenderSyntax,
        t(501, "5.1.7", "Bad sender address syntax"),
    ),
    (
        ReplyKey::BadRecipientSyntax,
        t(501, "5.1.3", "Bad recipient address syntax"),
    ),
    (
        ReplyKey::VrfySyntax,
        t(501, "5.5.4", "Syntax: VRFY address [SMTPUTF8]"),
    ),
    (
        ReplyKey::BadSizeSyntax,
        t(501, "5.5.4", "Bad message size syntax"),
    ),
    (
        ReplyKey::BadRetArgument,
        t(501, "5.5.4", "Bad RET parameter syntax"),
    ),
    (
        ReplyKey::BadEnvid,
        t(501, "5.5.4", "Bad ENVID parameter syntax"),
    ),
    (
        ReplyKey::BadNotify,
        t(501, "5.5.4", "Error: Bad NOTIFY parameter syntax"),
    ),
    (
        ReplyKey::BadOrcpt,
        t(501, "5.5.4", "Error: Bad ORCPT parameter syntax"),
    ),
    (ReplyKey::DataSyntax, t(501, "5.5.4", "Syntax: DATA")),
    (ReplyKey::RsetSyntax, t(501, "5.5.4", "Syntax: RSET")),
    (
        ReplyKey::EtrnParameterRequired,
        plain(500, "Syntax: ETRN domain"),
    ),
    (
        ReplyKey::EtrnInvalid,
        plain(501, "Error: invalid parameter syntax"),
    ),
    (
        ReplyKey::EtrnInTransaction,
        plain(503, "Error: MAIL transaction in progress"),
    ),
    (
        ReplyKey::EtrnRefused,
        plain(459, "<{arg}>: service unavailable"),
    ),
    (
        ReplyKey::BdatSyntax,
        t(521, "5.5.4", "Syntax: BDAT count [LAST]"),
    ),
    (ReplyKey::BdatNull, t(551, "5.7.1", "Null BDAT request")),
    (
        ReplyKey::BdatDiscarded,
        t(551, "5.0.0", "Discarded {arg} bytes after earlier error"),
    ),
    (
        ReplyKey::ChunkTooBig,
        t(552, "5.3.4", "Chunk exceeds message size limit"),
    ),
    (ReplyKey::ChunkAccepted, t(250, "2.0.0", "Ok: {arg} bytes")),
    (
        ReplyKey::ChunkedMessageAccepted,
        t(250, "2.0.0", "Ok: {size} bytes queued as {arg}"),
    ),
    (
        ReplyKey::AfterBdat,
        t(503, "5.5.1", "Error: {VERB} after BDAT"),
    ),
    (
        ReplyKey::TooManySessions,
        t(
            421,
            "4.7.0",
            "{host} Error: too many connections from {client_address}",
        ),
    ),
];

/// Exim 4.96's replies (`smtp_in.c`, `receive.c`, and the messages of
/// Debian's ACLs). Exim sends no enhanced status codes unless configured
/// to; address errors start with the argument as typed.
pub const EXIM_REPLIES: &[(ReplyKey, Template)] = &[
    (ReplyKey::Greeting, plain(220, "{arg}")),
    (
        ReplyKey::Hello,
        plain(250, "{host} Hello {hello_name} [{client_address}]"),
    ),
    (
        ReplyKey::ProtocolError,
        plain(554, "SMTP synchronization error"),
    ),
    (
        ReplyKey::InvalidDomain,
        plain(501, "Syntactically invalid {VERB} argument(s)"),
    ),
    (ReplyKey::SenderOk, plain(250, "OK{arg}")),
    (ReplyKey::RecipientOk, plain(250, "Accepted")),
    (
        ReplyKey::SenderAlreadySpecified,
        plain(503, "sender already given"),
    ),
    (ReplyKey::PoliteHelo, plain(503, "HELO or EHLO required")),
    (
        ReplyKey::NeedMailBeforeRcpt,
        plain(503, "sender not yet given"),
    ),
    (
        ReplyKey::NeedRcpt,
        plain(503, "valid RCPT command must precede {VERB}"),
    ),
    (
        ReplyKey::NeedRcptPipelined,
        plain(503, "Valid RCPT command must precede {VERB}"),
    ),
    (
        ReplyKey::StartData,
        plain(354, "Enter message, ending with \".\" on a line by itself"),
    ),
    (ReplyKey::MessageAccepted, plain(250, "OK id={arg}")),
    (ReplyKey::ResetState, plain(250, "Reset OK")),
    (ReplyKey::Ok, plain(250, "OK")),
    (ReplyKey::Closing, plain(221, "{host} closing connection")),
    (ReplyKey::UserUnknown, plain(550, "Unrouteable address")),
    (ReplyKey::RelayingDenied, plain(550, "relay not permitted")),
    (
        ReplyKey::RestrictedCharacters,
        plain(550, "restricted characters in address"),
    ),
    (
        ReplyKey::TooManyBadRecipients,
        plain(550, "Rejected for too many bad recipients"),
    ),
    (ReplyKey::UnknownCommand, plain(500, "unrecognized command")),
    (
        ReplyKey::TooManyBadCommands,
        plain(500, "Too many unrecognized commands"),
    ),
    // Its code is the code of the error it follows.
    (
        ReplyKey::TooManySyntaxErrors,
        plain(500, "Too many syntax or protocol errors"),
    ),
    (
        ReplyKey::TooManyNonmail,
        plain(554, "Too many nonmail commands"),
    ),
    (ReplyKey::AddressSyntax, plain(501, "{echo}: {arg}")),
    (
        ReplyKey::SenderNeedsDomain,
        plain(501, "{echo}: sender address must contain a domain"),
    ),
    (
        ReplyKey::RecipientNeedsDomain,
        plain(501, "{echo}: recipient address must contain a domain"),
    ),
    (
        ReplyKey::MailSyntax,
        plain(501, "MAIL must have an address operand"),
    ),
    (
        ReplyKey::RcptSyntax,
        plain(501, "RCPT must have an address operand"),
    ),
    (
        ReplyKey::VrfyProhibited,
        plain(252, "Administrative prohibition"),
    ),
    (ReplyKey::VrfySyntax, plain(501, "{arg}")),
    (
        ReplyKey::ExpnUnavailable,
        plain(550, "Administrative prohibition"),
    ),
    (
        ReplyKey::EtrnRefused,
        plain(458, "Administrative prohibition"),
    ),
    (
        ReplyKey::EtrnInTransaction,
        plain(503, "ETRN is not permitted inside a transaction"),
    ),
    (ReplyKey::Help, plain(214, "{arg}")),
    (
        ReplyKey::AuthNotEnabled,
        plain(503, "AUTH command used when not advertised"),
    ),
    // smtp_in.c's AUTH command and smtp_in_auth().
    (
        ReplyKey::AuthMechanismUnavailable,
        plain(504, "{arg} authentication mechanism not supported"),
    ),
    (ReplyKey::AuthChallenge, plain(334, "{arg}")),
    (
        ReplyKey::AuthAborted,
        plain(501, "Authentication cancelled"),
    ),
    (
        ReplyKey::AuthCannotDecode,
        plain(501, "Invalid base64 data"),
    ),
    (
        ReplyKey::AuthInitialCannotDecode,
        plain(501, "Invalid base64 data"),
    ),
    (
        ReplyKey::AuthFailed,
        plain(535, "Incorrect authentication data"),
    ),
    (
        ReplyKey::AuthSucceeded,
        plain(235, "Authentication succeeded"),
    ),
    (
        ReplyKey::AuthAlreadyDone,
        plain(503, "already authenticated"),
    ),
    (
        ReplyKey::AuthInTransaction,
        plain(503, "not permitted in mail transaction"),
    ),
    (ReplyKey::TlsReady, plain(220, "TLS go ahead")),
    (
        ReplyKey::TlsNotAvailable,
        plain(503, "STARTTLS command used when not advertised"),
    ),
    (
        ReplyKey::UnexpectedArgument,
        plain(501, "unexpected argument data"),
    ),
    (
        ReplyKey::NulCharacter,
        plain(501, "NUL characters are not allowed in SMTP commands"),
    ),
    (
        ReplyKey::SizeExceedsLimit,
        plain(552, "Message size exceeds maximum permitted"),
    ),
    (
        ReplyKey::MessageTooBig,
        plain(552, "Message size exceeds maximum permitted"),
    ),
    (
        ReplyKey::InsufficientDiskSpace,
        plain(452, "Space shortage, please try later"),
    ),
    (
        ReplyKey::TooManyRecipients,
        plain(452, "too many recipients"),
    ),
    (
        ReplyKey::Utf8NotAdvertised,
        plain(501, "SMTPUTF8 used when not advertised"),
    ),
    (
        ReplyKey::UnknownBodyType,
        plain(501, "invalid data for BODY"),
    ),
    (
        ReplyKey::ParameterSyntax,
        plain(501, "invalid data for AUTH"),
    ),
    (
        ReplyKey::LineTooLong,
        plain(550, "maximum allowed line length is 998 octets, got {arg}"),
    ),
    (ReplyKey::HeaderSyntax, plain(550, "header syntax")),
    (
        ReplyKey::Timeout,
        plain(421, "{host}: SMTP command timeout - closing connection"),
    ),
    (
        ReplyKey::DataTimeout,
        plain(
            421,
            "{host} SMTP incoming data timeout - closing connection.",
        ),
    ),
    (
        ReplyKey::BdatSyntax,
        plain(501, "missing size for BDAT command"),
    ),
    (
        ReplyKey::ChunkingNotAdvertised,
        plain(503, "BDAT command used when CHUNKING not advertised"),
    ),
    (ReplyKey::BdatNull, plain(504, "zero size for BDAT command")),
    (
        ReplyKey::ChunkAccepted,
        plain(250, "{arg} byte chunk received"),
    ),
    (ReplyKey::ChunkedMessageAccepted, plain(250, "OK id={arg}")),
    (
        ReplyKey::AfterBdat,
        plain(503, "only BDAT permissible after non-LAST BDAT"),
    ),
    (ReplyKey::OnlyRsetNow, plain(503, "only RSET accepted now")),
    (
        ReplyKey::PrdrStart,
        plain(353, "PRDR content analysis beginning"),
    ),
    (
        ReplyKey::PrdrRecipient,
        plain(250, "PRDR R=<{arg}> acceptance"),
    ),
    (
        ReplyKey::PrdrMessageAccepted,
        plain(250, "id={arg} message accepted"),
    ),
    (
        ReplyKey::TooManySessions,
        plain(
            421,
            "Too many concurrent SMTP connections; please try again later.",
        ),
    ),
];

/// Sendmail's help file (`/etc/mail/helpfile`): topic, then one line of text.
/// `HELP` alone shows topic `smtp`; any other topic matches by prefix.
pub const SENDMAIL_HELP: &[(&str, &str)] = &[
    ("smtp", "This is sendmail version {version}"),
    ("smtp", "Topics:"),
    ("smtp", "\tHELO\tEHLO\tMAIL\tRCPT\tDATA"),
    ("smtp", "\tRSET\tNOOP\tQUIT\tHELP\tVRFY"),
    ("smtp", "\tEXPN\tVERB\tETRN\tDSN\tAUTH"),
    ("smtp", "\tSTARTTLS"),
    ("smtp", "For more info use \"HELP <topic>\"."),
    ("smtp", "To report bugs in the implementation see"),
    ("smtp", "\thttp://www.sendmail.org/email-addresses.html"),
    (
        "smtp",
        "For local information send email to Postmaster at your site.",
    ),
    ("help", "HELP [ <topic> ]"),
    ("help", "\tThe HELP command gives help info."),
    ("helo", "HELO <hostname>"),
    ("helo", "\tIntroduce yourself."),
    ("ehlo", "EHLO <hostname>"),
    (
        "ehlo",
        "\tIntroduce yourself, and request extended SMTP mode.",
    ),
    ("ehlo", "Possible replies include:"),
    ("ehlo", "\tSEND\t\tSend as mail\t\t\t[RFC821]"),
    ("ehlo", "\tSOML\t\tSend as mail or terminal\t[RFC821]"),
    ("ehlo", "\tSAML\t\tSend as mail and terminal\t[RFC821]"),
    ("ehlo", "\tEXPN\t\tExpand the mailing list\t\t[RFC821]"),
    ("ehlo", "\tHELP\t\tSupply helpful information\t[RFC821]"),
    ("ehlo", "\tTURN\t\tTurn the operation around\t[RFC821]"),
    ("ehlo", "\t8BITMIME\tUse 8-bit data\t\t\t[RFC1652]"),
    ("ehlo", "\tSIZE\t\tMessage size declaration\t[RFC1870]"),
    ("ehlo", "\tVERB\t\tVerbose\t\t\t\t[Allman]"),
    ("ehlo", "\tONEX\t\tOne message transaction only\t[Allman]"),
    ("ehlo", "\tCHUNKING\tChunking\t\t\t[RFC1830]"),
    ("ehlo", "\tBINARYMIME\tBinary MIME\t\t\t[RFC1830]"),
    ("ehlo", "\tPIPELINING\tCommand Pipelining\t\t[RFC1854]"),
    ("ehlo", "\tDSN\t\tDelivery Status Notification\t[RFC1891]"),
    ("ehlo", "\tETRN\t\tRemote Message Queue Starting\t[RFC1985]"),
    ("ehlo", "\tSTARTTLS\tSecure SMTP\t\t\t[RFC2487]"),
    ("ehlo", "\tAUTH\t\tAuthentication\t\t\t[RFC2554]"),
    (
        "ehlo",
        "\tENHANCEDSTATUSCODES\tEnhanced status codes\t[RFC2034]",
    ),
    ("ehlo", "\tDELIVERBY\tDeliver By\t\t\t[RFC2852]"),
    ("mail", "MAIL From:<sender> [ <parameters> ]"),
    (
        "mail",
        "\tSpecifies the sender.  Parameters are ESMTP extensions.",
    ),
    ("mail", "\tSee \"HELP DSN\" for details."),
    ("rcpt", "RCPT To:<recipient> [ <parameters> ]"),
    (
        "rcpt",
        "\tSpecifies the recipient.  Can be used any number of times.",
    ),
    (
        "rcpt",
        "\tParameters are ESMTP extensions.  See \"HELP DSN\" for details.",
    ),
    ("data", "DATA"),
    ("data", "\tFollowing text is collected as the message."),
    ("data", "\tEnd with a single dot."),
    ("rset", "RSET"),
    ("rset", "\tResets the system."),
    ("quit", "QUIT"),
    ("quit", "\tExit sendmail (SMTP)."),
    ("auth", "AUTH mechanism [initial-response]"),
    ("auth", "\tStart authentication."),
    ("starttls", "STARTTLS"),
    ("starttls", "\tStart TLS negotiation."),
    ("verb", "VERB"),
    (
        "verb",
        "\tGo into verbose mode.  This sends 0xy responses that are",
    ),
    (
        "verb",
        "\tnot RFC821 standard (but should be)  They are recognized",
    ),
    ("verb", "\tby humans and other sendmail implementations."),
    ("vrfy", "VRFY <recipient>"),
    (
        "vrfy",
        "\tVerify an address.  If you want to see what it aliases",
    ),
    ("vrfy", "\tto, use EXPN instead."),
    ("expn", "EXPN <recipient>"),
    (
        "expn",
        "\tExpand an address.  If the address indicates a mailing",
    ),
    ("expn", "\tlist, return the contents of that list."),
    ("noop", "NOOP"),
    ("noop", "\tDo nothing."),
    ("send", "SEND FROM:<sender>"),
    (
        "send",
        "\treplaces the MAIL command, and can be used to send",
    ),
    (
        "send",
        "\tdirectly to a users terminal.  Not supported in this",
    ),
    ("send", "\timplementation."),
    ("soml", "SOML FROM:<sender>"),
    (
        "soml",
        "\tSend or mail.  If the user is logged in, send directly,",
    ),
    (
        "soml",
        "\totherwise mail.  Not supported in this implementation.",
    ),
    ("saml", "SAML FROM:<sender>"),
    (
        "saml",
        "\tSend and mail.  Send directly to the user's terminal,",
    ),
    ("saml", "\tand also mail a letter.  Not supported in this"),
    ("saml", "\timplementation."),
    ("turn", "TURN"),
    (
        "turn",
        "\tReverses the direction of the connection.  Not currently",
    ),
    ("turn", "\timplemented."),
    ("etrn", "ETRN [ <hostname> | @<domain> | #<queuename> ]"),
    ("etrn", "\tRun the queue for the specified <hostname>, or"),
    (
        "etrn",
        "\tall hosts within a given <domain>, or a specially-named",
    ),
    ("etrn", "\t<queuename> (implementation-specific)."),
    (
        "dsn",
        "MAIL From:<sender> [ RET={ FULL | HDRS} ] [ ENVID=<envid> ]",
    ),
    (
        "dsn",
        "RCPT To:<recipient> [ NOTIFY={NEVER,SUCCESS,FAILURE,DELAY} ]",
    ),
    ("dsn", "                    [ ORCPT=<recipient> ]"),
    ("dsn", "\tSMTP Delivery Status Notifications."),
    ("dsn", "Descriptions:"),
    (
        "dsn",
        "\tRET\tReturn either the full message or only headers.",
    ),
    (
        "dsn",
        "\tENVID\tSender's \"envelope identifier\" for tracking.",
    ),
    (
        "dsn",
        "\tNOTIFY\tWhen to send a DSN. Multiple options are OK, comma-",
    ),
    ("dsn", "\t\tdelimited. NEVER must appear by itself."),
    ("dsn", "\tORCPT\tOriginal recipient."),
];

/// Fills `{name}` placeholders from `values`; unknown names stay as typed.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(key, _)| *key == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_named_as_declared() {
        for key in ReplyKey::ALL {
            assert_eq!(format!("{key:?}"), key.name());
        }
    }

    /// Keys only Postfix's way of reading commands reaches; Sendmail's
    /// catalogue needs no text for them.
    const POSTFIX_ONLY: &[ReplyKey] = &[
        ReplyKey::AuthNotEnabled,
        ReplyKey::BadSyntax,
        ReplyKey::BadUtf8,
        ReplyKey::BreakRules,
        ReplyKey::MailSyntax,
        ReplyKey::RcptSyntax,
        ReplyKey::BadSenderSyntax,
        ReplyKey::BadRecipientSyntax,
        ReplyKey::VrfySyntax,
        ReplyKey::BadSizeSyntax,
        ReplyKey::SizeOverflow,
        ReplyKey::BadEnvid,
        ReplyKey::BadOrcpt,
        ReplyKey::DataSyntax,
        ReplyKey::RsetSyntax,
        ReplyKey::EtrnInvalid,
        ReplyKey::EtrnInTransaction,
        ReplyKey::EtrnRefused,
        ReplyKey::BdatSyntax,
        ReplyKey::BdatNull,
        ReplyKey::BdatDiscarded,
        ReplyKey::ChunkTooBig,
        ReplyKey::ChunkAccepted,
        ReplyKey::ChunkedMessageAccepted,
        ReplyKey::AfterBdat,
        ReplyKey::AuthTemporaryFailure,
        ReplyKey::TlsRequired,
        ReplyKey::RecipientAccessDenied,
    ];

    /// Keys only Sendmail's way of reading commands (and its commands
    /// that Postfix does not have) reaches.
    const SENDMAIL_ONLY: &[ReplyKey] = &[
        ReplyKey::GreetingRefused,
        ReplyKey::InvalidDomain,
        ReplyKey::ProtocolError,
        ReplyKey::CommandRejected,
        ReplyKey::NullRecipient,
        ReplyKey::SyntaxErrorScanning,
        ReplyKey::UnbalancedOpen,
        ReplyKey::UnbalancedClose,
        ReplyKey::InvalidRouteAddress,
        ReplyKey::HostnameRequired,
        ReplyKey::UserAddressRequired,
        ReplyKey::AddressTooLong,
        ReplyKey::MissingRecipient,
        ReplyKey::NotImplemented,
        ReplyKey::CommandTooLong,
        ReplyKey::OpenProxy,
        ReplyKey::LostInput,
        ReplyKey::VerifiedLocal,
        ReplyKey::ArgumentRequired,
        ReplyKey::IntroduceYourself,
        ReplyKey::ExpnUnavailable,
        ReplyKey::VerbUnavailable,
        ReplyKey::Help,
        ReplyKey::HelpUnknown,
        ReplyKey::VerboseMode,
        ReplyKey::EtrnStarted,
        ReplyKey::TlsNotAvailableAfterStart,
        ReplyKey::TlsInTransaction,
        ReplyKey::InsufficientDiskSpace,
        ReplyKey::UnknownBodyType,
        ReplyKey::BareLinefeed,
        ReplyKey::ParameterNeedsValue,
        ReplyKey::DuplicateParameter,
        ReplyKey::ParameterSyntax,
        ReplyKey::AuthRequired,
    ];

    /// Keys only Exim's session reaches.
    const EXIM_ONLY: &[ReplyKey] = &[
        ReplyKey::RestrictedCharacters,
        ReplyKey::TooManyBadRecipients,
        ReplyKey::TooManySyntaxErrors,
        ReplyKey::TooManyNonmail,
        ReplyKey::AddressSyntax,
        ReplyKey::SenderNeedsDomain,
        ReplyKey::RecipientNeedsDomain,
        ReplyKey::VrfyProhibited,
        ReplyKey::UnexpectedArgument,
        ReplyKey::NulCharacter,
        ReplyKey::Utf8NotAdvertised,
        ReplyKey::LineTooLong,
        ReplyKey::HeaderSyntax,
        ReplyKey::NeedRcptPipelined,
        ReplyKey::ChunkingNotAdvertised,
        ReplyKey::OnlyRsetNow,
        ReplyKey::DataTimeout,
        ReplyKey::PrdrStart,
        ReplyKey::PrdrRecipient,
        ReplyKey::PrdrMessageAccepted,
    ];

    /// Keys of Sendmail's and Postfix's sessions that Exim's never sends.
    const NOT_EXIM: &[ReplyKey] = &[
        ReplyKey::GreetingRefused,
        ReplyKey::HelloNeedsDomain,
        ReplyKey::CommandRejected,
        ReplyKey::NeedMailCommand,
        ReplyKey::NullRecipient,
        ReplyKey::SyntaxErrorScanning,
        ReplyKey::UnbalancedOpen,
        ReplyKey::UnbalancedClose,
        ReplyKey::InvalidRouteAddress,
        ReplyKey::HostnameRequired,
        ReplyKey::UserAddressRequired,
        ReplyKey::AddressTooLong,
        ReplyKey::MissingRecipient,
        ReplyKey::NotImplemented,
        ReplyKey::CommandTooLong,
        ReplyKey::OpenProxy,
        ReplyKey::LostInput,
        ReplyKey::VerifiedLocal,
        ReplyKey::CannotVerify,
        ReplyKey::ArgumentRequired,
        ReplyKey::IntroduceYourself,
        ReplyKey::VerbUnavailable,
        ReplyKey::HelpUnknown,
        ReplyKey::VerboseMode,
        ReplyKey::EtrnStarted,
        ReplyKey::EtrnParameterRequired,
        ReplyKey::AuthMechanismRequired,
        ReplyKey::TlsNotAvailableAfterStart,
        ReplyKey::TlsNoParameters,
        ReplyKey::TlsInTransaction,
        ReplyKey::ParameterUnrecognized,
        ReplyKey::BadNotify,
        ReplyKey::BareLinefeed,
        ReplyKey::ParameterNeedsValue,
        ReplyKey::BadRetArgument,
        ReplyKey::DuplicateParameter,
        ReplyKey::BadSyntax,
        ReplyKey::BadUtf8,
        ReplyKey::BreakRules,
        ReplyKey::BadSenderSyntax,
        ReplyKey::BadRecipientSyntax,
        ReplyKey::BadSizeSyntax,
        ReplyKey::SizeOverflow,
        ReplyKey::BadEnvid,
        ReplyKey::BadOrcpt,
        ReplyKey::DataSyntax,
        ReplyKey::RsetSyntax,
        ReplyKey::EtrnInvalid,
        ReplyKey::TlsAlreadyActive,
        ReplyKey::BdatDiscarded,
        ReplyKey::ChunkTooBig,
        ReplyKey::AuthTemporaryFailure,
        ReplyKey::TlsRequired,
        ReplyKey::RecipientAccessDenied,
        ReplyKey::AuthRequired,
    ];

    /// Every key has a text in each catalogue, except the keys that
    /// server's session cannot reach, listed above on purpose.
    #[test]
    fn every_reachable_key_has_a_text() {
        let not_sendmail: Vec<ReplyKey> = POSTFIX_ONLY.iter().chain(EXIM_ONLY).copied().collect();
        let not_postfix: Vec<ReplyKey> = SENDMAIL_ONLY.iter().chain(EXIM_ONLY).copied().collect();
        for (name, table, unreachable) in [
            ("Sendmail", SENDMAIL_REPLIES, not_sendmail.as_slice()),
            ("Postfix", POSTFIX_REPLIES, not_postfix.as_slice()),
            ("Exim", EXIM_REPLIES, NOT_EXIM),
        ] {
            for key in ReplyKey::ALL {
                let has_text = table.iter().any(|(k, _)| k == key);
                assert!(
                    has_text || unreachable.contains(key),
                    "{name} has no text for {key:?}"
                );
            }
        }
    }

    /// An unreachable key with a text is a text nobody can see.
    #[test]
    fn exim_has_no_text_it_cannot_send() {
        for key in NOT_EXIM {
            assert!(
                !EXIM_REPLIES.iter().any(|(k, _)| k == key),
                "Exim has a text for {key:?}, which its session never sends"
            );
        }
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(fill("{host} closing", &[("host", "h")]), "h closing");
        assert_eq!(fill("a {x} {y", &[("x", "1")]), "a 1 {y");
        assert_eq!(fill("{nope}", &[]), "{nope}");
    }
}
