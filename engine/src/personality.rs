//! Personalities: what makes one server release different from another,
//! as data. The state machine in `session.rs` reads these switches and
//! texts; it has no per-personality branches of its own.

use crate::catalogue::{ReplyKey, Template, SENDMAIL_HELP, SENDMAIL_REPLIES};

/// What the server does with a bare LF (no CR) inside DATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareLinefeedInData {
    /// Accept it as a line end (older Sendmail).
    AcceptAsLineEnd,
    /// `421 4.5.0 Bare linefeed (LF) not allowed` and drop the connection
    /// (Debian's 8.17 build).
    RejectAndClose,
}

/// What the server does with a command line longer than its buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongCommandLine {
    /// Keep the first `limit - 1` bytes and discard the rest of the line.
    Truncate { limit: usize },
    /// `421 ... Command too long, possible attack` when the line with its
    /// terminator is longer than `limit` bytes (8.14+ with SASL).
    Close { limit: usize },
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

/// `PrivacyOptions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Privacy {
    pub need_mail_helo: bool,
    pub need_vrfy_helo: bool,
    pub need_expn_helo: bool,
    pub no_expn: bool,
    pub no_verb: bool,
}

#[derive(Debug)]
pub struct Personality {
    /// Short name used on the command line and in settings.
    pub id: &'static str,
    /// What a person reads.
    pub label: &'static str,
    /// `$v/$Z` as shown in `Received:` headers.
    pub received_version: &'static str,
    /// `$v`, shown by HELP.
    pub version: &'static str,
    /// The greeting text after `220 `.
    pub banner: &'static str,
    /// EHLO keywords in order; `{size}` becomes ` N` when the world sets a
    /// size limit, `{auth}` the SASL mechanisms. `STARTTLS` is offered only
    /// when the world has a certificate.
    pub ehlo_keywords: &'static [&'static str],
    pub privacy: Privacy,
    /// `greet_pause`: the server waits this long before the banner, and
    /// rejects a client that talks first.
    pub greet_pause_millis: u64,
    pub throttles: Throttles,
    /// 8.17: a client that sends more after HELO/EHLO without waiting
    /// gets `554 5.5.0 SMTP protocol error` and every later command is
    /// rejected.
    pub reject_pipelined_helo: bool,
    pub bare_linefeed_in_data: BareLinefeedInData,
    pub long_command_line: LongCommandLine,
    /// SASL mechanisms; empty means AUTH is not compiled in.
    pub auth_mechanisms: &'static [&'static str],
    pub starttls: StartTls,
    /// Replies that differ from [`SENDMAIL_REPLIES`].
    pub reply_overrides: &'static [(ReplyKey, Template)],
    pub help: &'static [(&'static str, &'static str)],
    /// Idle time before the server gives up on a client (`Timeout.command`).
    pub command_timeout_seconds: u64,
}

impl Personality {
    pub fn template(&self, key: ReplyKey) -> Template {
        self.reply_overrides
            .iter()
            .chain(SENDMAIL_REPLIES.iter())
            .find(|(k, _)| *k == key)
            .map(|(_, template)| *template)
            // Every key has a shared entry (checked by a catalogue test);
            // this fallback only keeps a missing one from panicking.
            .unwrap_or(Template {
                code: 451,
                enhanced: Some("4.3.0"),
                text: "Temporary system failure",
            })
    }

    pub fn by_id(id: &str) -> Option<&'static Personality> {
        ALL.iter().copied().find(|p| p.id.eq_ignore_ascii_case(id))
    }
}

/// Sendmail 8.13.8 with the generic configuration: the tutorial's server.
pub static SENDMAIL_8_13_8: Personality = Personality {
    id: "sendmail-8.13.8",
    label: "Sendmail 8.13.8 (generic configuration)",
    received_version: "8.13.8/8.13.8",
    version: "8.13.8",
    banner: "{host} ESMTP Sendmail 8.13.8/8.13.8; {date}",
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
    throttles: Throttles {
        bad_commands: 25,
        helo: 3,
        vrfy: 6,
        etrn: 8,
        noop: 20,
        bad_recipients: 0,
    },
    reject_pipelined_helo: false,
    bare_linefeed_in_data: BareLinefeedInData::AcceptAsLineEnd,
    long_command_line: LongCommandLine::Truncate { limit: 2048 },
    auth_mechanisms: &[],
    starttls: StartTls::WithoutCertificate(ReplyKey::TlsNotAvailable),
    reply_overrides: &[],
    help: SENDMAIL_HELP,
    command_timeout_seconds: 3600,
};

/// Debian 12's `sendmail-bin 8.17.1.9-2+deb12u2` with Debian's stock
/// `sendmail.mc`: the recorded corpus.
pub static SENDMAIL_8_17_DEBIAN: Personality = Personality {
    id: "sendmail-8.17.1.9-debian",
    label: "Sendmail 8.17.1.9 (Debian 12 defaults)",
    received_version: "8.17.1.9/8.17.1.9/Debian-2+deb12u2",
    version: "8.17.1.9",
    banner: "{host} ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; {date}; (No UCE/UBE) logging access from: {client_name}(OK)-{client}",
    ehlo_keywords: &[
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
    ],
    privacy: Privacy {
        need_mail_helo: true,
        need_vrfy_helo: true,
        need_expn_helo: true,
        no_expn: false,
        no_verb: false,
    },
    greet_pause_millis: 1000,
    throttles: Throttles {
        bad_commands: 25,
        helo: 3,
        vrfy: 6,
        etrn: 8,
        noop: 20,
        bad_recipients: 3,
    },
    reject_pipelined_helo: true,
    bare_linefeed_in_data: BareLinefeedInData::RejectAndClose,
    long_command_line: LongCommandLine::Close { limit: 2048 },
    auth_mechanisms: &["DIGEST-MD5", "CRAM-MD5"],
    starttls: StartTls::WithoutCertificate(ReplyKey::TlsNotAvailableAfterStart),
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
};

/// Every personality, the default first.
pub static ALL: &[&Personality] = &[&SENDMAIL_8_13_8, &SENDMAIL_8_17_DEBIAN];
