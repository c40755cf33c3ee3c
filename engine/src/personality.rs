//! Personalities: what makes one server release different from another,
//! as data. The state machine in `session/` reads these switches, tables
//! and texts, and branches on the named rules among them (`Syntax`,
//! `QueueIds`, the delivery program), never on a server's name. Exim's way
//! of reading commands differs throughout, so it is a module of its own
//! (`session/exim.rs`), chosen by `Syntax::Exim`, with state that only an
//! Exim session carries.

use crate::catalogue::{
    ReplyKey, Template, EXIM_REPLIES, POSTFIX_REPLIES, SENDMAIL_HELP, SENDMAIL_REPLIES,
};
use crate::tls::{TlsProfile, GNUTLS_EXIM, OPENSSL_POSTFIX, OPENSSL_SENDMAIL};

/// What the server does with a bare LF (no CR) inside DATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareLinefeedInData {
    /// Accept it as a line end (older Sendmail, Postfix 3.7's default).
    AcceptAsLineEnd,
    /// `421 4.5.0 Bare linefeed (LF) not allowed` and drop the connection
    /// (Debian's 8.17 build).
    RejectAndClose,
    /// The LF becomes a space and the line goes on until CR LF, so
    /// `LF . LF` does not end the message (Debian's Exim 4.96, patched
    /// against SMTP smuggling).
    Space,
}

/// What the server does with a command line longer than its buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongCommandLine {
    /// Keep the first `limit - 1` bytes, answer at once, and discard the
    /// rest of the line (Sendmail 8.13).
    Truncate { limit: usize },
    /// `421 ... Command too long, possible attack` when the line with its
    /// terminator is longer than `limit` bytes (8.14+ with SASL).
    Close { limit: usize },
    /// Keep the first `limit` bytes, skip the rest, and answer once the
    /// line ends (Postfix's `line_length_limit`).
    TruncateAtLineEnd { limit: usize },
    /// After `limit` bytes without a line end the command is answered as
    /// unknown, the next byte is lost, and what follows is read as a new
    /// command (Exim's `smtp_read_command` and its 16384-byte buffer).
    Split { limit: usize },
}

/// How STARTTLS is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartTls {
    /// Not compiled in: STARTTLS is an unknown command.
    Absent,
    /// Compiled in; without a certificate in the world, the personality
    /// answers with this reply.
    WithoutCertificate(ReplyKey),
}

/// Which SASL library answers AUTH behind the server: where the
/// mechanisms' failures, delays and odd cases differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sasl {
    /// Cyrus SASL (Sendmail): CRAM-MD5 and DIGEST-MD5 challenges too.
    Cyrus,
    /// Dovecot's auth service (Postfix's `smtpd_sasl_type = dovecot`): a
    /// failure waits `auth_failure_delay` and the client address's
    /// penalty; a LOGIN user name is checked before the password is asked.
    Dovecot,
    /// Exim's own `plaintext` authenticators.
    Exim,
}

/// Who may send mail to which recipients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relay {
    /// Local domains from anyone; other domains refused (port 25).
    LocalDomains,
    /// Every recipient needs an authenticated client (Postfix's submission
    /// `smtpd_relay_restrictions = permit_sasl_authenticated, reject`).
    AuthenticatedOnly,
    /// Local domains from anyone, other domains from an authenticated
    /// client (Exim's and Sendmail's submission).
    AuthenticatedOrLocal,
}

/// How a command line is read: where the verb ends, how the arguments of
/// MAIL, RCPT and VRFY are parsed and checked, and how replies echo them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// `srvrsmtp.c`: the verb is the first word, `FROM:` is matched with
    /// `skipword`, addresses go through `prescan`/`parseaddr`, and replies
    /// echo the address as typed (`<a@b>... Sender ok`).
    Sendmail,
    /// `smtpd.c`: the line is split into words (`smtpd_token`), the
    /// address is found with the RFC 822 parser and checked by the
    /// resolver, and rejections echo the address as resolved
    /// (`<a@b>: Relay access denied`).
    Postfix,
    /// `smtp_in.c`: commands are matched by prefix (`mail from:` is one
    /// command), addresses go through `parse_extract_address`, Debian's
    /// ACLs decide, and errors are counted against three limits.
    Exim,
}

/// What a command word means to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Vrfy,
    Expn,
    Help,
    Noop,
    Quit,
    Helo,
    Ehlo,
    Etrn,
    Verbose,
    /// RFC 821 commands the server knows but does not implement.
    Unimplemented,
    Auth,
    StartTls,
    Unknown,
}

/// Sendmail's `CmdTab`.
pub const SENDMAIL_COMMANDS: &[(&str, Verb)] = &[
    ("mail", Verb::Mail),
    ("rcpt", Verb::Rcpt),
    ("data", Verb::Data),
    ("rset", Verb::Rset),
    ("vrfy", Verb::Vrfy),
    ("expn", Verb::Expn),
    ("help", Verb::Help),
    ("noop", Verb::Noop),
    ("quit", Verb::Quit),
    ("helo", Verb::Helo),
    ("ehlo", Verb::Ehlo),
    ("etrn", Verb::Etrn),
    ("verb", Verb::Verbose),
    ("send", Verb::Unimplemented),
    ("saml", Verb::Unimplemented),
    ("soml", Verb::Unimplemented),
    ("turn", Verb::Unimplemented),
    ("starttls", Verb::StartTls),
    // Last, so that the table of a build without SASL is this one cut short.
    ("auth", Verb::Auth),
];

/// 8.13.8 of the tutorial was built without SASL: Sendmail's table
/// without its last entry, `auth`.
pub const SENDMAIL_8_13_COMMANDS: &[(&str, Verb)] =
    SENDMAIL_COMMANDS.split_at(SENDMAIL_COMMANDS.len() - 1).0;

/// Postfix's `smtpd_cmd_table` (XCLIENT and XFORWARD are only for
/// authorized clients, which the simulated client never is).
pub const POSTFIX_COMMANDS: &[(&str, Verb)] = &[
    ("helo", Verb::Helo),
    ("ehlo", Verb::Ehlo),
    ("starttls", Verb::StartTls),
    ("auth", Verb::Auth),
    ("mail", Verb::Mail),
    ("rcpt", Verb::Rcpt),
    ("data", Verb::Data),
    ("bdat", Verb::Bdat),
    ("rset", Verb::Rset),
    ("noop", Verb::Noop),
    ("vrfy", Verb::Vrfy),
    ("etrn", Verb::Etrn),
    ("quit", Verb::Quit),
];

/// Exim's command table: the name as matched (a name ending in `:` needs
/// nothing after it; any other must be followed by a space or the end),
/// whether the command takes an argument, and whether it is a mail command
/// (others count toward `smtp_accept_max_nonmail`).
pub const EXIM_COMMANDS: &[(&str, Verb, bool, bool)] = &[
    ("rset", Verb::Rset, false, false),
    ("helo", Verb::Helo, true, false),
    ("ehlo", Verb::Ehlo, true, false),
    ("auth", Verb::Auth, true, true),
    ("starttls", Verb::StartTls, false, false),
    ("mail from:", Verb::Mail, true, true),
    ("rcpt to:", Verb::Rcpt, true, true),
    ("data", Verb::Data, false, true),
    ("bdat", Verb::Bdat, true, true),
    ("quit", Verb::Quit, false, true),
    ("noop", Verb::Noop, true, false),
    ("etrn", Verb::Etrn, true, false),
    ("vrfy", Verb::Vrfy, true, false),
    ("expn", Verb::Expn, true, false),
    ("help", Verb::Help, true, false),
];

/// The words of Exim's commands, for completion and explanations.
pub const EXIM_COMMAND_WORDS: &[(&str, Verb)] = &[
    ("rset", Verb::Rset),
    ("helo", Verb::Helo),
    ("ehlo", Verb::Ehlo),
    ("auth", Verb::Auth),
    ("starttls", Verb::StartTls),
    ("mail", Verb::Mail),
    ("rcpt", Verb::Rcpt),
    ("data", Verb::Data),
    ("bdat", Verb::Bdat),
    ("quit", Verb::Quit),
    ("noop", Verb::Noop),
    ("etrn", Verb::Etrn),
    ("vrfy", Verb::Vrfy),
    ("expn", Verb::Expn),
    ("help", Verb::Help),
];

/// Exim's three limits on a misbehaving client: syntax or protocol errors
/// (`smtp_max_synprot_errors`), unknown commands
/// (`smtp_max_unknown_commands`) and commands that are not part of a mail
/// transaction (`smtp_accept_max_nonmail`). One more than each ends the
/// session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandLimits {
    pub syntax_errors: u32,
    pub unknown_commands: u32,
    pub nonmail_commands: u32,
}

/// How many commands of one kind a client may send before each further one
/// is slowed down (Sendmail's `checksmtpattack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttles {
    /// Unknown commands; one more than this closes the connection.
    pub bad_commands: u32,
    pub helo: u32,
    pub vrfy: u32,
    pub etrn: u32,
    pub noop: u32,
    /// `BadRcptThrottle`: after this many rejected recipients, every RCPT
    /// waits one second.
    pub bad_recipients: u32,
}

/// Postfix's error counting: every failed command counts one error; from
/// `soft` errors on, every reply waits `sleep_millis`; at `hard` errors
/// the server says goodbye. A delivered message starts the count again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorLimits {
    pub soft: u32,
    pub hard: u32,
    pub sleep_millis: u64,
}

/// Commands that end the session at once (Postfix's
/// `smtpd_forbidden_commands`): a web browser or proxy talking to the
/// mail port, or a message sent without DATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forbidden {
    /// Verbs, any case.
    pub words: &'static [&'static str],
    /// A verb that does not start with a letter.
    pub non_letter: bool,
    /// A verb that looks like a header (`Subject:`).
    pub header: bool,
}

/// `PrivacyOptions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Privacy {
    pub need_mail_helo: bool,
    pub need_vrfy_helo: bool,
    pub need_expn_helo: bool,
    pub no_expn: bool,
    pub no_verb: bool,
}

/// Which program writes a delivered message into `/var/mail/USER`, and so
/// which headers it adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryAgent {
    /// Sendmail's local mailer: `Return-Path:`, its `Received:`, and the
    /// `Date:`, `From:` and `Message-Id:` a message lacks.
    Sendmail,
    /// Postfix's cleanup and `local(8)`: `Return-Path:`, `X-Original-To:`,
    /// `Delivered-To:`, smtpd's `Received:`; missing headers only for
    /// clients on the server's own addresses.
    PostfixLocal,
    /// Exim's `appendfile` transport as Debian configures it
    /// (`mail_spool`): `Return-path:`, `Envelope-to:`, `Delivery-date:`
    /// and Exim's `Received:`; nothing else added.
    EximAppendfile,
}

/// How queue ids are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueIds {
    /// `r9M95xgc014513`: date, sequence, process id.
    Sendmail,
    /// `A88EC99A001`: five hex digits of microseconds, then the queue
    /// file's inode number in hex.
    Postfix,
    /// `1xXlKK-0003jC-0Q`: the time, the process id and a fraction of the
    /// second, in base 62.
    Exim,
}

#[derive(Debug)]
pub struct Personality {
    /// Short name used on the command line and in settings.
    pub id: &'static str,
    /// What a person reads.
    pub label: &'static str,
    /// `$v/$Z` as shown in `Received:` headers (Sendmail), or the mail
    /// system's name (Postfix's `$mail_name`).
    pub received_version: &'static str,
    /// `$v`, shown by HELP.
    pub version: &'static str,
    /// The greeting text after `220 `.
    pub banner: &'static str,
    /// The command table: which words the server knows.
    pub commands: &'static [(&'static str, Verb)],
    pub syntax: Syntax,
    /// EHLO keywords in order; `{size}` becomes ` N` when a size limit is
    /// set, `{auth}` the SASL mechanisms. `STARTTLS` is offered only when
    /// the server has a certificate and TLS is not on yet.
    pub ehlo_keywords: &'static [&'static str],
    pub privacy: Privacy,
    /// `greet_pause`: the server waits this long before the banner, and
    /// rejects a client that talks first.
    pub greet_pause_millis: u64,
    /// How long the server takes before its banner without caring whether
    /// the client talks first (Postfix looks up the client's name first).
    pub banner_delay_millis: u64,
    pub throttles: Throttles,
    /// Postfix's soft and hard error limits; `None` for Sendmail, which
    /// counts only unknown commands (`throttles.bad_commands`).
    pub error_limits: Option<ErrorLimits>,
    /// Commands that end the session whenever they come.
    pub forbidden: Forbidden,
    /// Sendmail: a first command that starts with one of these words is an
    /// open-proxy probe, and the connection is closed.
    pub open_proxy_words: &'static [&'static str],
    /// A command line that is not valid UTF-8 is refused (Postfix with
    /// `smtputf8_enable`).
    pub reject_bad_utf8: bool,
    /// 8.17: a client that sends more after HELO/EHLO without waiting
    /// gets `554 5.5.0 SMTP protocol error` and every later command is
    /// rejected.
    pub reject_pipelined_helo: bool,
    /// RSET, DATA and STARTTLS refuse arguments (Postfix); Sendmail
    /// ignores them.
    pub strict_arguments: bool,
    pub bare_linefeed_in_data: BareLinefeedInData,
    pub long_command_line: LongCommandLine,
    /// SASL mechanisms; empty means no AUTH is offered.
    pub auth_mechanisms: &'static [&'static str],
    pub starttls: StartTls,
    /// The message size limit when the world does not set one (0: none).
    pub default_message_size_limit: u64,
    /// Whether a certificate is installed when the world does not say.
    pub default_tls_certificate: bool,
    /// Most recipients in one transaction (0: no limit).
    pub max_recipients: u32,
    /// A client that goes away without QUIT is told `421 ... Lost input
    /// channel` (Sendmail); Postfix says nothing.
    pub lost_input_reply: bool,
    pub delivery: DeliveryAgent,
    pub queue_ids: QueueIds,
    /// This server's reply catalogue.
    pub replies: &'static [(ReplyKey, Template)],
    /// Replies of this release that differ from its catalogue.
    pub reply_overrides: &'static [(ReplyKey, Template)],
    pub help: &'static [(&'static str, &'static str)],
    /// Idle time before the server gives up on a client.
    pub command_timeout_seconds: u64,
    /// Exim's limits on errors, unknown and non-mail commands.
    pub command_limits: Option<CommandLimits>,
    /// Aliases the server's package installs (`/etc/aliases` as Debian's
    /// `exim4-config` writes it), used for names the world does not alias.
    pub package_aliases: &'static [(&'static str, &'static str)],
    /// Where mail for `root` goes when the server never delivers as root
    /// (Debian's `mail4root` router: `/var/mail/mail`).
    pub root_mailbox: Option<&'static str>,
    /// The library behind AUTH.
    pub sasl: Sasl,
    /// What its TLS library negotiates, as a client prints it.
    pub tls: &'static TlsProfile,
    /// Commands other than HELO, EHLO, STARTTLS, NOOP and QUIT need TLS
    /// first (Postfix's `smtpd_tls_security_level = encrypt`).
    pub tls_required: bool,
    /// AUTH is offered, and taken, only inside TLS.
    pub auth_needs_tls: bool,
    /// MAIL needs an authenticated client (Sendmail's `M=a`).
    pub mail_needs_auth: bool,
    pub relay: Relay,
    /// The same server as Debian configures it for submission (587 with
    /// STARTTLS), if it has one.
    pub submission: Option<&'static Personality>,
    /// The same for submissions (465, TLS from the first byte) where its
    /// daemon is set up otherwise than 587's.
    pub submissions: Option<&'static Personality>,
}

impl Personality {
    /// The reply this server sends for `key`, if it has one.
    pub fn find_template(&self, key: ReplyKey) -> Option<Template> {
        self.reply_overrides
            .iter()
            .chain(self.replies.iter())
            .find(|(k, _)| *k == key)
            .map(|(_, template)| *template)
    }

    pub fn template(&self, key: ReplyKey) -> Template {
        // Every key a server's session can reach has an entry (checked by
        // a catalogue test); this fallback only keeps a gap from panicking.
        self.find_template(key).unwrap_or(Template {
            code: 451,
            enhanced: Some("4.3.0"),
            text: "Temporary system failure",
        })
    }

    pub fn by_id(id: &str) -> Option<&'static Personality> {
        ALL.iter().copied().find(|p| p.id.eq_ignore_ascii_case(id))
    }

    /// What a command word means to this server.
    pub fn verb(&self, word: &[u8]) -> Verb {
        self.commands
            .iter()
            .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(word))
            .map(|(_, verb)| *verb)
            .unwrap_or(Verb::Unknown)
    }
}

const SENDMAIL_THROTTLES: Throttles = Throttles {
    bad_commands: 25,
    helo: 3,
    vrfy: 6,
    etrn: 8,
    noop: 20,
    bad_recipients: 0,
};

const NOTHING_FORBIDDEN: Forbidden = Forbidden {
    words: &[],
    non_letter: false,
    header: false,
};

/// The first commands that reveal an open proxy rather than a mail client.
const SENDMAIL_PROXY_WORDS: &[&str] = &["GET", "POST", "CONNECT", "USER"];

/// Sendmail 8.13.8 with the generic configuration: the tutorial's server.
const SENDMAIL_8_13_8_BASE: Personality = Personality {
    id: "sendmail-8.13.8",
    label: "Sendmail 8.13.8 (generic configuration)",
    received_version: "8.13.8/8.13.8",
    version: "8.13.8",
    banner: "{host} ESMTP Sendmail 8.13.8/8.13.8; {date}",
    commands: SENDMAIL_8_13_COMMANDS,
    syntax: Syntax::Sendmail,
    ehlo_keywords: &[
        "ENHANCEDSTATUSCODES",
        "PIPELINING",
        "EXPN",
        "VERB",
        "8BITMIME",
        "SIZE{size}",
        "DSN",
        "ETRN",
        "DELIVERBY",
        "HELP",
    ],
    privacy: Privacy {
        need_mail_helo: false,
        need_vrfy_helo: false,
        need_expn_helo: false,
        no_expn: false,
        no_verb: false,
    },
    greet_pause_millis: 0,
    banner_delay_millis: 0,
    throttles: SENDMAIL_THROTTLES,
    error_limits: None,
    forbidden: NOTHING_FORBIDDEN,
    open_proxy_words: SENDMAIL_PROXY_WORDS,
    reject_bad_utf8: false,
    reject_pipelined_helo: false,
    strict_arguments: false,
    bare_linefeed_in_data: BareLinefeedInData::AcceptAsLineEnd,
    long_command_line: LongCommandLine::Truncate { limit: 2048 },
    auth_mechanisms: &[],
    starttls: StartTls::WithoutCertificate(ReplyKey::TlsNotAvailable),
    default_message_size_limit: 0,
    default_tls_certificate: false,
    max_recipients: 0,
    lost_input_reply: true,
    delivery: DeliveryAgent::Sendmail,
    queue_ids: QueueIds::Sendmail,
    replies: SENDMAIL_REPLIES,
    reply_overrides: &[],
    help: SENDMAIL_HELP,
    command_timeout_seconds: 3600,
    command_limits: None,
    package_aliases: &[],
    root_mailbox: None,
    sasl: Sasl::Cyrus,
    tls: &OPENSSL_SENDMAIL,
    tls_required: false,
    auth_needs_tls: false,
    mail_needs_auth: false,
    relay: Relay::LocalDomains,
    submission: None,
    submissions: None,
};

pub static SENDMAIL_8_13_8: Personality = Personality {
    submission: Some(&SENDMAIL_8_13_8_SUBMISSION),
    submissions: Some(&SENDMAIL_8_13_8_SUBMISSIONS),
    ..SENDMAIL_8_13_8_BASE
};

/// Sendmail 8.13.8's submission as 8.17's (Debian's MSA with `M=Ea`,
/// `starttls.m4` and `sasl.m4`), as if the tutorial's 8.13.8 had been
/// built with SASL: the two releases read AUTH and STARTTLS alike; the
/// banner, the replies and the rest stay 8.13.8's.
pub static SENDMAIL_8_13_8_SUBMISSION: Personality = Personality {
    commands: SENDMAIL_COMMANDS,
    ehlo_keywords: SENDMAIL_MSA_KEYWORDS,
    auth_mechanisms: SENDMAIL_MSA_MECHANISMS,
    default_tls_certificate: true,
    mail_needs_auth: true,
    relay: Relay::AuthenticatedOrLocal,
    ..SENDMAIL_8_13_8_BASE
};

/// 8.13.8's SMTPS daemon as 8.17's.
pub static SENDMAIL_8_13_8_SUBMISSIONS: Personality = Personality {
    commands: SENDMAIL_COMMANDS,
    ehlo_keywords: SENDMAIL_SASL_KEYWORDS,
    auth_mechanisms: SENDMAIL_MSA_MECHANISMS,
    default_tls_certificate: true,
    relay: Relay::AuthenticatedOrLocal,
    ..SENDMAIL_8_13_8_BASE
};

/// Debian 12's `sendmail-bin 8.17.1.9-2+deb12u2` with Debian's stock
/// `sendmail.mc`: the recorded corpus.
const SENDMAIL_8_17_DEBIAN_BASE: Personality = Personality {
    id: "sendmail-8.17.1.9-debian",
    label: "Sendmail 8.17.1.9 (Debian 12 defaults)",
    received_version: "8.17.1.9/8.17.1.9/Debian-2+deb12u2",
    version: "8.17.1.9",
    banner: "{host} ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; {date}; (No UCE/UBE) logging access from: {client_name}(OK)-{client}",
    commands: SENDMAIL_COMMANDS,
    syntax: Syntax::Sendmail,
    ehlo_keywords: SENDMAIL_SASL_KEYWORDS,
    privacy: Privacy {
        need_mail_helo: true,
        need_vrfy_helo: true,
        need_expn_helo: true,
        no_expn: false,
        no_verb: false,
    },
    greet_pause_millis: 1000,
    banner_delay_millis: 0,
    throttles: Throttles {
        bad_recipients: 3,
        ..SENDMAIL_THROTTLES
    },
    error_limits: None,
    forbidden: NOTHING_FORBIDDEN,
    open_proxy_words: SENDMAIL_PROXY_WORDS,
    reject_bad_utf8: false,
    reject_pipelined_helo: true,
    strict_arguments: false,
    bare_linefeed_in_data: BareLinefeedInData::RejectAndClose,
    long_command_line: LongCommandLine::Close { limit: 2048 },
    auth_mechanisms: &["DIGEST-MD5", "CRAM-MD5"],
    starttls: StartTls::WithoutCertificate(ReplyKey::TlsNotAvailableAfterStart),
    default_message_size_limit: 0,
    default_tls_certificate: false,
    max_recipients: 0,
    lost_input_reply: true,
    delivery: DeliveryAgent::Sendmail,
    queue_ids: QueueIds::Sendmail,
    replies: SENDMAIL_REPLIES,
    reply_overrides: &[(
        ReplyKey::StartData,
        Template {
            code: 354,
            enhanced: None,
            text: "End data with <CR><LF>.<CR><LF>",
        },
    )],
    help: SENDMAIL_HELP,
    command_timeout_seconds: 3600,
    command_limits: None,
    package_aliases: &[],
    root_mailbox: None,
    sasl: Sasl::Cyrus,
    tls: &OPENSSL_SENDMAIL,
    tls_required: false,
    auth_needs_tls: false,
    mail_needs_auth: false,
    relay: Relay::LocalDomains,
    submission: None,
    submissions: None,
};

pub static SENDMAIL_8_17_DEBIAN: Personality = Personality {
    submission: Some(&SENDMAIL_8_17_DEBIAN_SUBMISSION),
    submissions: Some(&SENDMAIL_8_17_DEBIAN_SUBMISSIONS),
    ..SENDMAIL_8_17_DEBIAN_BASE
};

/// EHLO of a Sendmail built with SASL and STARTTLS.
const SENDMAIL_SASL_KEYWORDS: &[&str] = &[
    "ENHANCEDSTATUSCODES",
    "PIPELINING",
    "EXPN",
    "VERB",
    "8BITMIME",
    "SIZE{size}",
    "DSN",
    "ETRN",
    "AUTH {auth}",
    "STARTTLS",
    "DELIVERBY",
    "HELP",
];

/// EHLO of Debian's MSA: no ETRN (`M=E`).
const SENDMAIL_MSA_KEYWORDS: &[&str] = &[
    "ENHANCEDSTATUSCODES",
    "PIPELINING",
    "EXPN",
    "VERB",
    "8BITMIME",
    "SIZE{size}",
    "DSN",
    "AUTH {auth}",
    "STARTTLS",
    "DELIVERBY",
    "HELP",
];

/// `sasl.m4`'s `confAUTH_MECHANISMS`, as Cyrus offers them over sasldb.
const SENDMAIL_MSA_MECHANISMS: &[&str] = &["DIGEST-MD5", "CRAM-MD5", "LOGIN", "PLAIN"];

/// Debian's MSA daemon (`M=Ea`: no ETRN, AUTH required for MAIL) with
/// `starttls.m4` and `sasl.m4`.
pub static SENDMAIL_8_17_DEBIAN_SUBMISSION: Personality = Personality {
    ehlo_keywords: SENDMAIL_MSA_KEYWORDS,
    auth_mechanisms: SENDMAIL_MSA_MECHANISMS,
    default_tls_certificate: true,
    mail_needs_auth: true,
    relay: Relay::AuthenticatedOrLocal,
    ..SENDMAIL_8_17_DEBIAN_BASE
};

/// Debian's SMTPS daemon (`M=s`: TLS from the first byte, nothing else
/// changed): ETRN stays, and MAIL needs no AUTH; other domains only after
/// it.
pub static SENDMAIL_8_17_DEBIAN_SUBMISSIONS: Personality = Personality {
    auth_mechanisms: SENDMAIL_MSA_MECHANISMS,
    default_tls_certificate: true,
    relay: Relay::AuthenticatedOrLocal,
    ..SENDMAIL_8_17_DEBIAN_BASE
};

/// Debian 12's `postfix 3.7.11` with Debian's stock `main.cf`
/// (`smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)`, relay
/// restrictions `defer_unauth_destination`, TLS with the snakeoil
/// certificate, `recipient_delimiter = +`), and Postfix's defaults for the
/// rest: `message_size_limit = 10240000`, `line_length_limit = 2048`,
/// `smtpd_soft_error_limit = 10`, `smtpd_hard_error_limit = 20`,
/// `smtpd_forbidden_commands = CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}`,
/// `smtpd_timeout = 300s`, no SASL.
const POSTFIX_3_7_DEBIAN_BASE: Personality = Personality {
    id: "postfix-3.7.11-debian",
    label: "Postfix 3.7.11 (Debian 12 defaults)",
    received_version: "Postfix",
    version: "3.7.11",
    banner: "{host} ESMTP Postfix (Debian/GNU)",
    commands: POSTFIX_COMMANDS,
    syntax: Syntax::Postfix,
    ehlo_keywords: &[
        "PIPELINING",
        "SIZE{size}",
        "VRFY",
        "ETRN",
        "STARTTLS",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "DSN",
        "SMTPUTF8",
        "CHUNKING",
    ],
    privacy: Privacy {
        need_mail_helo: false,
        need_vrfy_helo: false,
        need_expn_helo: false,
        no_expn: false,
        no_verb: false,
    },
    greet_pause_millis: 0,
    // Long enough that a client which talks first, even on a busy
    // machine, does so before the banner, as the recordings show.
    banner_delay_millis: 250,
    throttles: Throttles {
        bad_commands: 0,
        helo: 0,
        vrfy: 0,
        etrn: 0,
        noop: 0,
        bad_recipients: 0,
    },
    error_limits: Some(ErrorLimits {
        soft: 10,
        hard: 20,
        sleep_millis: 1000,
    }),
    forbidden: Forbidden {
        words: &["CONNECT", "GET", "POST"],
        non_letter: true,
        header: true,
    },
    open_proxy_words: &[],
    reject_bad_utf8: true,
    reject_pipelined_helo: false,
    strict_arguments: true,
    bare_linefeed_in_data: BareLinefeedInData::AcceptAsLineEnd,
    long_command_line: LongCommandLine::TruncateAtLineEnd { limit: 2048 },
    auth_mechanisms: &[],
    starttls: StartTls::WithoutCertificate(ReplyKey::TlsNotAvailable),
    default_message_size_limit: 10_240_000,
    default_tls_certificate: true,
    max_recipients: 1000,
    lost_input_reply: false,
    delivery: DeliveryAgent::PostfixLocal,
    queue_ids: QueueIds::Postfix,
    replies: POSTFIX_REPLIES,
    reply_overrides: &[],
    help: &[],
    command_timeout_seconds: 300,
    command_limits: None,
    package_aliases: &[],
    root_mailbox: None,
    sasl: Sasl::Dovecot,
    tls: &OPENSSL_POSTFIX,
    tls_required: false,
    auth_needs_tls: false,
    mail_needs_auth: false,
    relay: Relay::LocalDomains,
    submission: None,
    submissions: None,
};

pub static POSTFIX_3_7_DEBIAN: Personality = Personality {
    submission: Some(&POSTFIX_3_7_DEBIAN_SUBMISSION),
    ..POSTFIX_3_7_DEBIAN_BASE
};

/// The `submission` service of Debian's `master.cf`: TLS required, AUTH
/// (through Dovecot) only inside it, and only authenticated clients may
/// send, to anyone.
pub static POSTFIX_3_7_DEBIAN_SUBMISSION: Personality = Personality {
    ehlo_keywords: &[
        "PIPELINING",
        "SIZE{size}",
        "VRFY",
        "ETRN",
        "STARTTLS",
        "AUTH {auth}",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "DSN",
        "SMTPUTF8",
        "CHUNKING",
    ],
    auth_mechanisms: &["PLAIN", "LOGIN"],
    tls_required: true,
    auth_needs_tls: true,
    relay: Relay::AuthenticatedOnly,
    ..POSTFIX_3_7_DEBIAN_BASE
};

/// Debian 12's `exim4-daemon-light 4.96` with the configuration Debian
/// generates for an internet site: `message_size_limit = 50M`,
/// `prdr_enable`, PIPECONNECT offered to every host (so early talkers and
/// pipelined EHLO are accepted), STARTTLS offered, no authenticators,
/// `hosts_require_helo = *`, Debian's `acl_check_rcpt` and
/// `acl_check_data`, and `/etc/aliases` as `exim4-config` writes it.
const EXIM_4_96_DEBIAN_BASE: Personality = Personality {
    id: "exim-4.96-debian",
    label: "Exim 4.96 (Debian 12 defaults)",
    received_version: "Exim 4.96",
    version: "4.96",
    banner: "{host} ESMTP Exim 4.96 {full_date}",
    commands: EXIM_COMMAND_WORDS,
    syntax: Syntax::Exim,
    ehlo_keywords: &[
        "SIZE{size}",
        "8BITMIME",
        "PIPELINING",
        "PIPECONNECT",
        "CHUNKING",
        "STARTTLS",
        "PRDR",
        "HELP",
    ],
    privacy: Privacy {
        need_mail_helo: true,
        need_vrfy_helo: false,
        need_expn_helo: false,
        no_expn: true,
        no_verb: true,
    },
    greet_pause_millis: 0,
    // Exim looks the client up in DNS before its banner (a few
    // milliseconds in the recordings); long enough here that a client
    // which talks at once, even on a busy machine, does so before it.
    banner_delay_millis: 100,
    throttles: Throttles {
        bad_commands: 0,
        helo: 0,
        vrfy: 0,
        etrn: 0,
        noop: 0,
        bad_recipients: 0,
    },
    error_limits: None,
    forbidden: NOTHING_FORBIDDEN,
    open_proxy_words: &[],
    reject_bad_utf8: false,
    reject_pipelined_helo: false,
    strict_arguments: true,
    bare_linefeed_in_data: BareLinefeedInData::Space,
    long_command_line: LongCommandLine::Split { limit: 16_384 },
    auth_mechanisms: &[],
    starttls: StartTls::WithoutCertificate(ReplyKey::TlsNotAvailable),
    default_message_size_limit: 52_428_800,
    default_tls_certificate: true,
    max_recipients: 50_000,
    lost_input_reply: false,
    delivery: DeliveryAgent::EximAppendfile,
    queue_ids: QueueIds::Exim,
    replies: EXIM_REPLIES,
    reply_overrides: &[],
    help: &[],
    command_timeout_seconds: 300,
    command_limits: Some(CommandLimits {
        syntax_errors: 3,
        unknown_commands: 3,
        nonmail_commands: 10,
    }),
    package_aliases: &[
        ("mailer-daemon", "postmaster"),
        ("postmaster", "root"),
        ("nobody", "root"),
        ("hostmaster", "root"),
        ("usenet", "root"),
        ("news", "root"),
        ("webmaster", "root"),
        ("www", "root"),
        ("ftp", "root"),
        ("abuse", "root"),
        ("noc", "root"),
        ("security", "root"),
    ],
    root_mailbox: Some("mail"),
    sasl: Sasl::Exim,
    tls: &GNUTLS_EXIM,
    tls_required: false,
    auth_needs_tls: false,
    mail_needs_auth: false,
    relay: Relay::LocalDomains,
    submission: None,
    submissions: None,
};

pub static EXIM_4_96_DEBIAN: Personality = Personality {
    submission: Some(&EXIM_4_96_DEBIAN_SUBMISSION),
    ..EXIM_4_96_DEBIAN_BASE
};

/// Debian's `exim4.conf.template` with `plain_server` and `login_server`
/// (offered inside TLS only) and `tls_on_connect_ports`.
pub static EXIM_4_96_DEBIAN_SUBMISSION: Personality = Personality {
    ehlo_keywords: &[
        "SIZE{size}",
        "8BITMIME",
        "PIPELINING",
        "PIPECONNECT",
        "AUTH {auth}",
        "CHUNKING",
        "STARTTLS",
        "PRDR",
        "HELP",
    ],
    auth_mechanisms: &["PLAIN", "LOGIN"],
    auth_needs_tls: true,
    relay: Relay::AuthenticatedOrLocal,
    ..EXIM_4_96_DEBIAN_BASE
};

/// Every personality, the default first.
pub static ALL: &[&Personality] = &[
    &SENDMAIL_8_13_8,
    &SENDMAIL_8_17_DEBIAN,
    &POSTFIX_3_7_DEBIAN,
    &EXIM_4_96_DEBIAN,
];
