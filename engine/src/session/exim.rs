//! Commands read and answered Exim's way (`smtp_in.c`, 4.96), with the
//! ACLs Debian's configuration installs (`acl_check_rcpt`,
//! `acl_check_data`) and its routers (`/etc/aliases`, local users, mail
//! for root into `/var/mail/mail`).
//!
//! What sets Exim apart: a command is recognised by its leading text
//! (`mail from:` is one command, so `MAIL FROM x` is unknown); errors are
//! counted against three limits (syntax or protocol errors, unknown
//! commands, commands outside a mail transaction), each ending the session
//! when passed; replies to a rejected RCPT are remembered, so DATA can say
//! that all of them failed the same way; and addresses are read by Exim's
//! RFC 822 parser, whose own words end up in the replies.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Chunk, Copy, DataCollector, Event, Phase, Recipient, Session, Transaction};
use crate::address::Address;
use crate::catalogue::ReplyKey;
use crate::delivery::{exim_entry, exim_field_parts, split_exim_message, EximEnvelope};
use crate::exim_address::{self, is_space};
use crate::personality::{CommandLimits, Verb, EXIM_COMMANDS};
use crate::reply::Reply;
use crate::time::Timestamp;

/// How long Exim takes to go away after a reply that ends the session:
/// long enough that a client that read the reply has sent its next line.
const HANG_UP_MILLIS: u64 = 200;
/// `check_spool_space` (10 MB) plus the 5000 bytes Exim adds for headers.
const SPOOL_RESERVE: u64 = 10 * 1024 * 1024 + 5000;
/// `INT_MAX`: the largest SIZE Exim keeps.
const SIZE_MAX: u64 = i32::MAX as u64;
/// The TLS version and cipher the simulated handshake stands for (what an
/// OpenSSL client gets from Debian's Exim), as the `Received:` line shows.
const TLS_VERSION: &str = "TLS1.3";
/// `$tls_in_cipher_std` as Debian's GnuTLS build names the TLS 1.3 suite.
const TLS_CIPHER: &str = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
/// Debian's `acl_check_data`: longer lines are refused (RFC 5322's 998).
const MAX_LINE_LENGTH: usize = 998;
/// The MAIL options Exim knows (`env_mail_type_list`) and whether each
/// needs a value.
const MAIL_OPTIONS: &[(&str, bool)] = &[
    ("SIZE", true),
    ("BODY", true),
    ("AUTH", true),
    ("PRDR", false),
    ("RET", true),
    ("ENVID", true),
    ("SMTPUTF8", false),
];
/// Alias chains deeper than this are not followed.
const MAX_ALIAS_DEPTH: usize = 10;

/// What BDAT has left the session waiting for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum AfterChunk {
    /// Not inside a chunked message.
    #[default]
    None,
    /// A chunk that was not the last was acknowledged: only BDAT, NOOP,
    /// RSET and QUIT may come next.
    NextChunk,
    /// Something else came: only RSET and QUIT are answered now.
    OnlyRset,
}

/// Exim's per-connection and per-message state.
#[derive(Clone, Debug, Default)]
pub(super) struct EximState {
    synprot_errors: u32,
    unknown_commands: u32,
    nonmail_commands: u32,
    /// One RSET, one HELO/EHLO and one STARTTLS per message are not
    /// counted as non-mail commands; these note that it was used.
    rset_used: bool,
    helo_used: bool,
    starttls_used: bool,
    /// The first AUTH is not counted either.
    auth_used: bool,
    /// The last HELO/EHLO was EHLO (`fl.esmtp`): MAIL and RCPT options
    /// are read.
    esmtp: bool,
    pipelining_advertised: bool,
    chunking_offered: bool,
    tls_advertised: bool,
    /// The last EHLO offered AUTH.
    auth_advertised: bool,
    /// The previous command was a rejected MAIL, or an RCPT.
    last_was_rejected_mail: bool,
    last_was_rcpt: bool,
    /// The first reply to an RCPT of this transaction, and whether every
    /// later one was the same.
    rcpt_response: Option<String>,
    rcpt_responses_differ: bool,
    /// RCPT commands in this transaction (`rcpt_count`).
    rcpt_count: u32,
    /// `PRDR` on MAIL.
    prdr: bool,
    after_chunk: AfterChunk,
    /// A DATA or BDAT was read: PIPECONNECT's leniency is over, and
    /// commands that must end a pipelined group are checked again.
    sync_enforced: bool,
    /// The session ended while a transaction was open: Exim read what the
    /// client sent meanwhile, so the connection ends without a reset.
    drains_at_close: bool,
}

impl EximState {
    /// A new connection's state.
    const NEW: EximState = EximState {
        synprot_errors: 0,
        unknown_commands: 0,
        nonmail_commands: 0,
        rset_used: false,
        helo_used: false,
        starttls_used: false,
        auth_used: false,
        esmtp: false,
        pipelining_advertised: false,
        chunking_offered: false,
        tls_advertised: false,
        auth_advertised: false,
        last_was_rejected_mail: false,
        last_was_rcpt: false,
        rcpt_response: None,
        rcpt_responses_differ: false,
        rcpt_count: 0,
        prdr: false,
        after_chunk: AfterChunk::None,
        sync_enforced: false,
        drains_at_close: false,
    };

    /// `smtp_reset`: what a new transaction forgets.
    fn reset_transaction(&mut self) {
        self.rcpt_response = None;
        self.rcpt_responses_differ = false;
        self.rcpt_count = 0;
        self.prdr = false;
    }

    /// `smtp_setup_msg`: a new message may start.
    fn new_message(&mut self) {
        self.reset_transaction();
        self.rset_used = false;
        self.helo_used = false;
        self.starttls_used = false;
        self.last_was_rejected_mail = false;
        self.last_was_rcpt = false;
        self.after_chunk = AfterChunk::None;
    }

    /// Remembers how an RCPT was answered (for DATA's "All RCPT commands
    /// were rejected with this error").
    fn note_rcpt_response(&mut self, text: String) {
        match &self.rcpt_response {
            None => self.rcpt_response = Some(text),
            Some(first) if *first != text => self.rcpt_responses_differ = true,
            Some(_) => {}
        }
    }
}

/// A command line as read.
struct Line<'a> {
    content: &'a [u8],
    /// The line did not fit Exim's buffer.
    overlong: bool,
    /// More input had already arrived after it.
    more_pending: bool,
}

/// `check_helo`: a domain name of letters, digits, dots and hyphens, or an
/// IP address in brackets.
fn valid_helo(name: &[u8]) -> bool {
    if name.is_empty() {
        return false;
    }
    if name[0] == b'[' {
        let Some(inner) = name.strip_prefix(b"[").and_then(|n| n.strip_suffix(b"]")) else {
            return false;
        };
        let inner = String::from_utf8_lossy(inner);
        let tag = inner.get(..5).unwrap_or("");
        return if tag.eq_ignore_ascii_case("IPv6:") {
            inner[5..].parse::<Ipv6Addr>().is_ok()
        } else if tag.eq_ignore_ascii_case("IPv4:") {
            inner[5..].parse::<Ipv4Addr>().is_ok()
        } else {
            inner.parse::<Ipv4Addr>().is_ok() || inner.parse::<Ipv6Addr>().is_ok()
        };
    }
    name.iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Debian's `CHECK_RCPT_LOCAL_LOCALPARTS`: `^[.] : ^.*[@%!/|`#&?]`.
fn restricted_local(local_part: &[u8]) -> bool {
    local_part.first() == Some(&b'.') || local_part.iter().any(|b| b"@%!/|`#&?".contains(b))
}

/// Debian's `CHECK_RCPT_REMOTE_LOCALPARTS`:
/// `^[./|] : ^.*[@%!`#&?] : ^.*/\.\./`.
fn restricted_remote(local_part: &[u8]) -> bool {
    local_part.first().is_some_and(|b| b"./|".contains(b))
        || local_part.iter().any(|b| b"@%!`#&?".contains(b))
        || local_part.windows(4).any(|w| w == b"/../")
}

/// A quoted local part as Exim's `$local_part` holds it: without quotes
/// and backslashes.
fn unquoted(local_part: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(local_part.len());
    let mut escaped = false;
    for &b in local_part {
        if escaped {
            out.push(b);
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b != b'"' {
            out.push(b);
        }
    }
    out
}

/// Exim's xtext (RFC 3461) as `auth_xtextdecode` checks it: `+` must be
/// followed by two hex digits.
fn valid_xtext(value: &[u8]) -> bool {
    let mut index = 0;
    while index < value.len() {
        if value[index] == b'+' {
            let hex = value.get(index + 1..index + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            index += 3;
        } else {
            index += 1;
        }
    }
    true
}

impl Session {
    /// Exim's state; a session of another server has none (and reads
    /// Exim's state of a new connection).
    fn exim(&self) -> &EximState {
        self.exim.as_deref().unwrap_or(&EximState::NEW)
    }

    fn exim_mut(&mut self) -> &mut EximState {
        self.exim.get_or_insert_with(Default::default)
    }

    /// The personality's limits (every Exim personality has them; without
    /// any, nothing is limited).
    fn exim_limits(&self) -> CommandLimits {
        self.personality.command_limits.unwrap_or(CommandLimits {
            syntax_errors: u32::MAX,
            unknown_commands: u32::MAX,
            nonmail_commands: u32::MAX,
        })
    }

    /// Whether the connection ends without a reset although the client
    /// sent more: Exim read it before going away.
    pub fn drains_input_at_close(&self) -> bool {
        self.exim().drains_at_close
    }

    /// Exim's `check_helo` name, the client's DNS name when it has one.
    fn exim_hello_name(&self, helo: &str) -> String {
        if self.connection.client_name.starts_with('[') {
            helo.to_string()
        } else {
            self.connection.client_name.clone()
        }
    }

    /// A reply from the catalogue with placeholders filled.
    fn exim_reply(&self, key: ReplyKey, echo: Option<&[u8]>, extra: &[(&str, &str)]) -> Reply {
        let echo = echo.map(|e| String::from_utf8_lossy(e).into_owned());
        self.reply_with(key, echo, extra)
    }

    /// The session ends after the reply just sent: Exim tidies up and
    /// exits, and a client that read the reply has sent its next line by
    /// then (unread, so the connection is reset), unless a transaction was
    /// open, in which case the recordings show the line read.
    fn exim_hang_up(&mut self, out: &mut Vec<Event>) {
        self.exim_mut().drains_at_close = self.transaction.is_some();
        self.transaction = None;
        out.push(Event::Pause {
            millis: HANG_UP_MILLIS,
        });
        self.close(out);
    }

    /// `synprot_error`: counts a syntax or protocol error and sends
    /// `reply`; past the limit, the reply gains the line that says so and
    /// the session ends. Returns whether it ended.
    fn exim_synprot(&mut self, reply: Option<Reply>, out: &mut Vec<Event>) -> bool {
        self.exim_mut().synprot_errors += 1;
        let over = self.exim().synprot_errors > self.exim_limits().syntax_errors;
        if let Some(mut reply) = reply {
            if over {
                let extra = self.personality.template(ReplyKey::TooManySyntaxErrors);
                reply.lines.push(extra.text.to_string());
                reply.key = ReplyKey::TooManySyntaxErrors;
            }
            out.push(Event::Reply(reply));
        }
        if over {
            self.exim_hang_up(out);
        }
        over
    }

    /// A syntax or protocol error answered with the catalogue's text for
    /// `key`; returns whether the session ended.
    fn exim_error(&mut self, key: ReplyKey, out: &mut Vec<Event>) -> bool {
        let reply = self.exim_reply(key, None, &[]);
        self.exim_synprot(Some(reply), out)
    }

    /// The address of MAIL or RCPT, or the syntax error that refuses it
    /// (`501 <text>: <what the parser says>`).
    fn exim_address(
        &mut self,
        text: &[u8],
        allow_null: bool,
        out: &mut Vec<Event>,
    ) -> Option<exim_address::Extracted> {
        match exim_address::extract(text, allow_null) {
            Ok(address) => Some(address),
            Err(error) => {
                let reply =
                    self.exim_reply(ReplyKey::AddressSyntax, Some(text), &[("arg", &error)]);
                self.exim_synprot(Some(reply), out);
                None
            }
        }
    }

    /// A command line (trailing white space already removed). `overlong`:
    /// the line did not fit Exim's buffer.
    pub(super) fn exim_command(
        &mut self,
        content: &[u8],
        overlong: bool,
        more_pending: bool,
        now: Timestamp,
        out: &mut Vec<Event>,
    ) {
        let mut was_rejected_mail = false;
        let mut was_rcpt = false;
        let line = Line {
            content,
            overlong,
            more_pending,
        };
        self.exim_dispatch(line, now, out, &mut was_rejected_mail, &mut was_rcpt);
        self.exim_mut().last_was_rejected_mail = was_rejected_mail;
        self.exim_mut().last_was_rcpt = was_rcpt;
    }

    /// "554 SMTP synchronization error": the client sent more before a
    /// reply it had to wait for, and Exim drops the connection.
    fn exim_sync_failure(&mut self, out: &mut Vec<Event>) {
        out.push(self.reply(ReplyKey::ProtocolError));
        self.exim_hang_up(out);
    }

    /// Whether `verb` must be the last of a pipelined group (`sync_cmd_limit`).
    fn exim_must_sync(&self, verb: Verb) -> bool {
        match verb {
            Verb::Helo
            | Verb::Ehlo
            | Verb::Data
            | Verb::Vrfy
            | Verb::Expn
            | Verb::Noop
            | Verb::Etrn
            | Verb::StartTls => true,
            Verb::Mail | Verb::Rcpt | Verb::Rset => !self.exim().pipelining_advertised,
            _ => false,
        }
    }

    fn exim_dispatch(
        &mut self,
        line: Line,
        now: Timestamp,
        out: &mut Vec<Event>,
        was_rejected_mail: &mut bool,
        was_rcpt: &mut bool,
    ) {
        let Line {
            content,
            overlong,
            more_pending,
        } = line;
        if !overlong && content.contains(&0) {
            // Counted, but the reply is its own, without the extra line.
            out.push(self.reply(ReplyKey::NulCharacter));
            self.exim_synprot(None, out);
            return;
        }
        let found = if overlong {
            None
        } else {
            EXIM_COMMANDS.iter().find(|(name, ..)| {
                let name = name.as_bytes();
                content.len() >= name.len()
                    && content[..name.len()].eq_ignore_ascii_case(name)
                    && (name.ends_with(b":")
                        || content.len() == name.len()
                        || content[name.len()] == b' ')
            })
        };
        let sync_enforced = self.exim().sync_enforced && more_pending;
        let Some(&(name, verb, takes_argument, mail_command)) = found else {
            if self.exim().after_chunk != AfterChunk::None {
                self.exim_between_chunks(Verb::Unknown, b"", now, out);
            } else if sync_enforced {
                self.exim_sync_failure(out);
            } else {
                self.exim_unknown(out);
            }
            return;
        };
        if sync_enforced && self.exim_must_sync(verb) {
            self.exim_sync_failure(out);
            return;
        }
        let mut argument = &content[name.len()..];
        while argument.first().is_some_and(|&b| is_space(b)) {
            argument = &argument[1..];
        }
        if self.exim().after_chunk != AfterChunk::None {
            self.exim_between_chunks(verb, argument, now, out);
            return;
        }
        let counted = match verb {
            Verb::Rset => self.exim().rset_used,
            Verb::Helo | Verb::Ehlo => self.exim().helo_used,
            Verb::StartTls => self.exim().starttls_used,
            Verb::Auth => self.exim().auth_used,
            _ => !mail_command,
        };
        if counted {
            self.exim_mut().nonmail_commands += 1;
            if self.exim().nonmail_commands > self.exim_limits().nonmail_commands {
                out.push(self.reply(ReplyKey::TooManyNonmail));
                self.exim_hang_up(out);
                return;
            }
        }
        if !takes_argument && !argument.is_empty() {
            self.exim_error(ReplyKey::UnexpectedArgument, out);
            return;
        }
        match verb {
            Verb::Helo | Verb::Ehlo => self.exim_hello(verb, argument, out),
            Verb::Mail => {
                *was_rejected_mail = !self.exim_mail(argument, more_pending, now, out);
            }
            Verb::Rcpt => {
                *was_rcpt = self.exim_rcpt(argument, more_pending, out, was_rejected_mail);
            }
            Verb::Data | Verb::Bdat => self.exim_data(verb, argument, now, out),
            Verb::Rset => self.exim_rset(out),
            Verb::Noop => out.push(self.reply(ReplyKey::Ok)),
            Verb::Quit => self.exim_quit(out),
            Verb::Help => {
                let mut commands = String::from("AUTH");
                if !self.tls_active && self.has_certificate() {
                    commands.push_str(" STARTTLS");
                }
                commands.push_str(" HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP");
                let template = self.exim_reply(ReplyKey::Help, None, &[("arg", "")]);
                out.push(Event::Reply(Reply {
                    lines: vec!["Commands supported:".to_string(), commands],
                    ..template
                }));
            }
            Verb::Vrfy => self.exim_verify(argument, out),
            Verb::Expn => out.push(self.reply(ReplyKey::ExpnUnavailable)),
            Verb::Etrn => {
                if self.transaction.is_some() {
                    self.exim_error(ReplyKey::EtrnInTransaction, out);
                } else {
                    out.push(self.reply(ReplyKey::EtrnRefused));
                }
            }
            Verb::Auth => {
                self.exim_mut().auth_used = true;
                self.exim_auth(argument, now, out);
            }
            Verb::StartTls => self.exim_starttls(out),
            _ => self.exim_unknown(out),
        }
    }

    /// AUTH as smtp_in.c checks it before the authenticator runs: each
    /// refusal a protocol error.
    fn exim_auth(&mut self, argument: &[u8], now: Timestamp, out: &mut Vec<Event>) {
        if !self.exim().auth_advertised {
            self.exim_error(ReplyKey::AuthNotEnabled, out);
            return;
        }
        if self.auth_user.is_some() {
            self.exim_error(ReplyKey::AuthAlreadyDone, out);
            return;
        }
        if self.transaction.is_some() {
            self.exim_error(ReplyKey::AuthInTransaction, out);
            return;
        }
        let (mechanism, offered, _) = self.mechanism(argument);
        if !offered {
            let reply = self.exim_reply(
                ReplyKey::AuthMechanismUnavailable,
                None,
                &[("arg", &mechanism)],
            );
            self.exim_synprot(Some(reply), out);
            return;
        }
        self.auth(argument, now, out);
    }

    fn exim_quit(&mut self, out: &mut Vec<Event>) {
        out.push(self.reply(ReplyKey::Closing));
        self.transaction = None;
        self.close(out);
    }

    fn exim_rset(&mut self, out: &mut Vec<Event>) {
        self.exim_mut().rset_used = true;
        self.exim_reset();
        out.push(self.reply(ReplyKey::ResetState));
    }

    fn exim_unknown(&mut self, out: &mut Vec<Event>) {
        let count = self.exim().unknown_commands;
        self.exim_mut().unknown_commands += 1;
        if count >= self.exim_limits().unknown_commands {
            out.push(self.reply(ReplyKey::TooManyBadCommands));
            self.exim_hang_up(out);
            return;
        }
        self.exim_error(ReplyKey::UnknownCommand, out);
    }

    /// `smtp_reset`: the transaction and what RCPT remembered go.
    fn exim_reset(&mut self) {
        self.transaction = None;
        self.chunks = None;
        self.chunks_failed = false;
        self.exim_mut().reset_transaction();
        self.exim_mut().after_chunk = AfterChunk::None;
    }

    fn exim_hello(&mut self, verb: Verb, argument: &[u8], out: &mut Vec<Event>) {
        self.exim_mut().helo_used = true;
        self.exim_mut().esmtp = verb == Verb::Ehlo;
        let upper = if verb == Verb::Ehlo { "EHLO" } else { "HELO" };
        if !valid_helo(argument) {
            // The old name is forgotten even so.
            self.helo = None;
            // Counted, but without the extra line.
            out.push(Event::Reply(self.exim_reply(
                ReplyKey::InvalidDomain,
                None,
                &[("VERB", upper)],
            )));
            self.exim_synprot(None, out);
            return;
        }
        let name = String::from_utf8_lossy(argument).to_ascii_lowercase();
        let hello_name = self.exim_hello_name(&name);
        self.exim_mut().pipelining_advertised = false;
        self.exim_mut().tls_advertised = false;
        self.exim_mut().auth_advertised = false;
        let mut hello = self.exim_reply(ReplyKey::Hello, None, &[("hello_name", &hello_name)]);
        if verb == Verb::Ehlo {
            let size = match self.message_size_limit() {
                0 => String::new(),
                limit => format!(" {limit}"),
            };
            for keyword in self.personality.ehlo_keywords {
                match *keyword {
                    "STARTTLS" if self.tls_active || !self.has_certificate() => continue,
                    "STARTTLS" => self.exim_mut().tls_advertised = true,
                    _ if keyword.starts_with("AUTH") && !self.auth_offered() => continue,
                    _ if keyword.starts_with("AUTH") => self.exim_mut().auth_advertised = true,
                    "PIPELINING" => self.exim_mut().pipelining_advertised = true,
                    "CHUNKING" => self.exim_mut().chunking_offered = true,
                    _ => {}
                }
                let auth = self.personality.auth_mechanisms.join(" ");
                hello
                    .lines
                    .push(keyword.replace("{size}", &size).replace("{auth}", &auth));
            }
        }
        self.helo = Some((name, verb == Verb::Ehlo));
        self.exim_reset();
        out.push(Event::Reply(hello));
    }

    /// MAIL; returns whether a sender was accepted.
    fn exim_mail(
        &mut self,
        argument: &[u8],
        more_pending: bool,
        now: Timestamp,
        out: &mut Vec<Event>,
    ) -> bool {
        if self.helo.is_none() && self.personality.privacy.need_mail_helo {
            out.push(self.reply(ReplyKey::PoliteHelo));
            return false;
        }
        if self.transaction.is_some() {
            self.exim_error(ReplyKey::SenderAlreadySpecified, out);
            return false;
        }
        if argument.is_empty() {
            self.exim_error(ReplyKey::MailSyntax, out);
            return false;
        }
        self.exim_reset();
        let mut data = argument;
        let mut size: u64 = 0;
        while self.exim().esmtp {
            let Some(option) = exim_address::take_option(data) else {
                break;
            };
            let name = option.name.to_ascii_uppercase();
            let value = option.value.as_slice();
            let Some(&(_, needs_value)) = MAIL_OPTIONS
                .iter()
                .find(|(known, _)| known.as_bytes() == name.as_slice())
            else {
                // Not an option: it stays, and the address will not parse.
                break;
            };
            data = &data[..option.rest];
            if needs_value && value.is_empty() {
                break;
            }
            match name.as_slice() {
                b"SIZE" => {
                    let digits = !value.is_empty() && value.iter().all(u8::is_ascii_digit);
                    if !digits {
                        break;
                    }
                    size = std::str::from_utf8(value)
                        .ok()
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(SIZE_MAX)
                        .min(SIZE_MAX);
                }
                b"BODY"
                    if !value.eq_ignore_ascii_case(b"8BITMIME")
                        && !value.eq_ignore_ascii_case(b"7BIT") =>
                {
                    self.exim_error(ReplyKey::UnknownBodyType, out);
                    return false;
                }
                b"AUTH" if value != b"<>" && !valid_xtext(value) => {
                    self.exim_error(ReplyKey::ParameterSyntax, out);
                    return false;
                }
                b"PRDR" => self.exim_mut().prdr = true,
                b"SMTPUTF8" => {
                    self.exim_error(ReplyKey::Utf8NotAdvertised, out);
                    return false;
                }
                // RET and ENVID: DSN is not offered, so they are ignored.
                _ => {}
            }
        }
        let Some(sender) = self.exim_address(data, true, out) else {
            return false;
        };
        let limit = self.message_size_limit();
        if limit > 0 && size > limit {
            out.push(self.reply(ReplyKey::SizeExceedsLimit));
            return false;
        }
        if size.saturating_add(SPOOL_RESERVE) > self.world.free_disk_bytes {
            out.push(self.reply(ReplyKey::InsufficientDiskSpace));
            return false;
        }
        if sender.domain == 0 && !sender.address.is_empty() {
            out.push(Event::Reply(self.exim_reply(
                ReplyKey::SenderNeedsDomain,
                Some(data),
                &[],
            )));
            return false;
        }
        self.transaction = Some(Transaction {
            sender: Address {
                typed: data.to_vec(),
                mailbox: String::from_utf8_lossy(&sender.address).into_owned(),
            },
            queue_id: None,
            started: now,
            recipients: Vec::new(),
            utf8: false,
        });
        if !self.exim().pipelining_advertised && more_pending {
            // Accepted, but the client did not wait to hear it.
            self.exim_sync_failure(out);
            return false;
        }
        let prdr = if self.exim().prdr {
            ", PRDR Requested"
        } else {
            ""
        };
        out.push(self.reply_arg(ReplyKey::SenderOk, prdr));
        true
    }

    /// RCPT; returns whether it counts as an RCPT for DATA's wording (all
    /// but an RCPT refused for want of a sender).
    fn exim_rcpt(
        &mut self,
        argument: &[u8],
        more_pending: bool,
        out: &mut Vec<Event>,
        was_rejected_mail: &mut bool,
    ) -> bool {
        self.exim_mut().rcpt_count += 1;
        let before = out.len();
        let counts = self.exim_rcpt_reply(argument, more_pending, out, was_rejected_mail);
        // What this RCPT was answered, as DATA may repeat it.
        let answered = out[before..].iter().find_map(|a| match a {
            Event::Reply(reply) => Some(reply),
            _ => None,
        });
        if let Some(reply) = answered {
            let text = reply.lines.first().cloned().unwrap_or_default();
            let acl = matches!(
                reply.key,
                ReplyKey::RestrictedCharacters
                    | ReplyKey::TooManyBadRecipients
                    | ReplyKey::RelayingDenied
                    | ReplyKey::UserUnknown
            );
            // ACL refusals are remembered as their text, the rest as sent.
            let noted = if acl {
                text
            } else {
                let separator = if reply.lines.len() > 1 { '-' } else { ' ' };
                format!("{}{separator}{text}", reply.code)
            };
            self.exim_mut().note_rcpt_response(noted);
        }
        counts
    }

    fn exim_rcpt_reply(
        &mut self,
        argument: &[u8],
        more_pending: bool,
        out: &mut Vec<Event>,
        was_rejected_mail: &mut bool,
    ) -> bool {
        let Some(recipients) = self.transaction.as_ref().map(|t| t.recipients.len()) else {
            if self.exim().pipelining_advertised && self.exim().last_was_rejected_mail {
                out.push(self.reply(ReplyKey::NeedMailBeforeRcpt));
                // Further RCPTs of the same pipelined batch get the same.
                *was_rejected_mail = true;
                return true;
            }
            self.exim_error(ReplyKey::NeedMailBeforeRcpt, out);
            return false;
        };
        if argument.is_empty() {
            self.exim_error(ReplyKey::RcptSyntax, out);
            return true;
        }
        // Every RCPT option needs DSN, which is not offered: any option
        // stays part of the address, which then does not parse.
        let Some(mut address) = self.exim_address(argument, false, out) else {
            return true;
        };
        if address.domain == 0 {
            if !address.address.eq_ignore_ascii_case(b"postmaster") {
                out.push(Event::Reply(self.exim_reply(
                    ReplyKey::RecipientNeedsDomain,
                    Some(argument),
                    &[],
                )));
                return true;
            }
            address.address.push(b'@');
            address.domain = address.address.len();
            address
                .address
                .extend_from_slice(self.world.hostname.as_bytes());
        }
        let max = self.personality.max_recipients;
        if max > 0 && self.exim().rcpt_count > max {
            out.push(self.reply(ReplyKey::TooManyRecipients));
            return true;
        }
        let local_part = unquoted(address.local_part());
        let domain = String::from_utf8_lossy(address.domain()).into_owned();
        let local = self.world.is_local_domain(&domain);
        let restricted = if local {
            restricted_local(&local_part)
        } else {
            restricted_remote(&local_part)
        };
        if restricted {
            out.push(self.reply(ReplyKey::RestrictedCharacters));
            return true;
        }
        let local_name = String::from_utf8_lossy(&local_part).to_ascii_lowercase();
        let postmaster = local && local_name == "postmaster";
        if !postmaster {
            if self.exim().rcpt_count > 10 && (recipients as u32) < self.exim().rcpt_count / 2 {
                out.push(self.reply(ReplyKey::TooManyBadRecipients));
                return true;
            }
            if !local && !self.may_relay() {
                out.push(self.reply(ReplyKey::RelayingDenied));
                return true;
            }
        }
        // Relayed mail leaves this machine: no local mailbox gets it.
        let mailboxes = if local {
            self.exim_route(&local_name)
        } else {
            Vec::new()
        };
        if local && mailboxes.is_empty() && !postmaster {
            out.push(self.reply(ReplyKey::UserUnknown));
            return true;
        }
        if !self.exim().pipelining_advertised && more_pending {
            self.exim_sync_failure(out);
            return true;
        }
        let typed = String::from_utf8_lossy(&address.address).into_owned();
        if let Some(transaction) = &mut self.transaction {
            transaction.recipients.push(Recipient {
                typed: typed.clone(),
                original: typed,
                delivered_to: Vec::new(),
                mailboxes,
                user: local_name,
            });
        }
        out.push(self.reply(ReplyKey::RecipientOk));
        true
    }

    /// Debian's routers for a local part of a local domain: `/etc/aliases`
    /// (the world's, then the package's), local users except root, and
    /// root's mail into `root_mailbox`. Returns the mailboxes.
    pub(super) fn exim_route(&self, local_part: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.exim_route_into(&local_part.to_ascii_lowercase(), 0, &mut out);
        out
    }

    fn exim_route_into(&self, local_part: &str, depth: usize, out: &mut Vec<String>) {
        if depth > MAX_ALIAS_DEPTH {
            return;
        }
        let add = |mailbox: String, out: &mut Vec<String>| {
            if !out.contains(&mailbox) {
                out.push(mailbox);
            }
        };
        if let Some(alias) = self
            .world
            .aliases
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(local_part))
        {
            for member in &alias.members {
                let (name, domain) = member.split_once('@').unwrap_or((member, ""));
                if domain.is_empty() || self.world.is_local_domain(domain) {
                    self.exim_route_into(&name.to_ascii_lowercase(), depth + 1, out);
                }
            }
            return;
        }
        if let Some((_, target)) = self
            .personality
            .package_aliases
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(local_part))
        {
            self.exim_route_into(target, depth + 1, out);
            return;
        }
        if local_part == "root" {
            if let Some(mailbox) = self.personality.root_mailbox {
                add(mailbox.to_string(), out);
                return;
            }
        }
        if let Some(user) = self.world.user(local_part) {
            add(user.name.clone(), out);
        }
    }

    fn exim_verify(&mut self, argument: &[u8], out: &mut Vec<Event>) {
        let address = match exim_address::extract(argument, false) {
            Ok(address) => address,
            Err(error) => {
                out.push(self.reply_arg(ReplyKey::VrfySyntax, &error));
                return;
            }
        };
        if address.domain == 0 && !address.address.eq_ignore_ascii_case(b"postmaster") {
            out.push(Event::Reply(self.exim_reply(
                ReplyKey::RecipientNeedsDomain,
                Some(argument),
                &[],
            )));
            return;
        }
        // Debian defines no VRFY ACL, and without one VRFY is refused.
        out.push(self.reply(ReplyKey::VrfyProhibited));
    }

    fn exim_starttls(&mut self, out: &mut Vec<Event>) {
        if !self.exim().tls_advertised {
            self.exim_error(ReplyKey::TlsNotAvailable, out);
            return;
        }
        self.exim_reset();
        self.exim_mut().starttls_used = true;
        out.push(self.reply(ReplyKey::TlsReady));
        out.push(Event::Notice(
            "Here the client starts a TLS handshake, and everything after it is encrypted. telnet cannot do one, so the server will hang up at the next line: openssl s_client -starttls smtp -crlf -connect mail.example.com:587 does the handshake for you.".to_string(),
        ));
        out.push(Event::StartTls);
        self.phase = Phase::TlsHandshake;
    }

    /// TLS is up: Exim forgets HELO/EHLO and what it advertised.
    pub(super) fn exim_tls_started(&mut self) {
        // One more EHLO and AUTH are free after the handshake.
        self.exim_mut().helo_used = false;
        self.exim_mut().auth_used = false;
        self.exim_mut().esmtp = false;
        self.exim_mut().pipelining_advertised = false;
        self.exim_mut().tls_advertised = false;
        self.exim_mut().auth_advertised = false;
        self.exim_mut().reset_transaction();
    }

    /// DATA, or BDAT outside a chunked message.
    fn exim_data(&mut self, verb: Verb, argument: &[u8], now: Timestamp, out: &mut Vec<Event>) {
        let mut size = 0u64;
        let mut last = false;
        if verb == Verb::Bdat {
            if !self.exim().chunking_offered {
                self.exim_error(ReplyKey::ChunkingNotAdvertised, out);
                return;
            }
            let Some((parsed, rest)) = bdat_arguments(argument) else {
                self.exim_error(ReplyKey::BdatSyntax, out);
                return;
            };
            size = parsed;
            last = rest;
        }
        let word = if verb == Verb::Bdat { "BDAT" } else { "DATA" };
        self.exim_mut().sync_enforced = true;
        let has_recipients = self
            .transaction
            .as_ref()
            .is_some_and(|t| !t.recipients.is_empty());
        if !has_recipients {
            let mut lines = Vec::new();
            if let (Some(response), false) = (
                &self.exim().rcpt_response,
                self.exim().rcpt_responses_differ,
            ) {
                lines.push("All RCPT commands were rejected with this error:".to_string());
                lines.push(response.clone());
            }
            let pipelined = self.exim().pipelining_advertised && self.exim().last_was_rcpt;
            let key = if pipelined {
                ReplyKey::NeedRcptPipelined
            } else {
                ReplyKey::NeedRcpt
            };
            let mut reply = self.exim_reply(key, None, &[("VERB", word)]);
            lines.append(&mut reply.lines);
            reply.lines = lines;
            if verb == Verb::Bdat && size > 0 {
                // The chunk is read and thrown away.
                self.phase = Phase::Bdat(Chunk {
                    remaining: size,
                    size,
                    last,
                    refusal: Some(key),
                });
            }
            if pipelined {
                out.push(Event::Reply(reply));
            } else {
                self.exim_synprot(Some(reply), out);
            }
            return;
        }
        if verb == Verb::Data {
            out.push(self.reply(ReplyKey::StartData));
            self.phase = Phase::Data(DataCollector::default());
            return;
        }
        self.chunks = Some(DataCollector::default());
        self.exim_chunk(size, last, now, out);
    }

    /// Starts reading a BDAT chunk of a message under way.
    fn exim_chunk(&mut self, size: u64, last: bool, now: Timestamp, out: &mut Vec<Event>) {
        self.exim_mut().after_chunk = AfterChunk::None;
        let chunk = Chunk {
            remaining: size,
            size,
            last,
            refusal: None,
        };
        if size == 0 {
            self.exim_finish_chunk(chunk, now, out);
        } else {
            self.phase = Phase::Bdat(chunk);
        }
    }

    /// A chunk was read whole.
    pub(super) fn exim_finish_chunk(&mut self, chunk: Chunk, now: Timestamp, out: &mut Vec<Event>) {
        if chunk.refusal.is_some() {
            return;
        }
        if !chunk.last {
            out.push(self.reply_arg(ReplyKey::ChunkAccepted, &chunk.size.to_string()));
            self.exim_mut().after_chunk = AfterChunk::NextChunk;
            return;
        }
        let collector = self.chunks.take().unwrap_or_default();
        let lines = super::chunk_lines(&collector.message);
        let longest = lines
            .text
            .split(|&b| b == b'\n')
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        let message = DataCollector {
            message: lines.text,
            too_big: collector.too_big,
            longest_line: longest,
            ..DataCollector::default()
        };
        let before = out.len();
        self.exim_accept(message, now, out);
        // The last chunk's reply says how big it and the message were.
        if let Some(Event::Reply(reply)) = out[before..]
            .iter_mut()
            .find(|a| matches!(a, Event::Reply(r) if r.key == ReplyKey::MessageAccepted))
        {
            reply.key = ReplyKey::ChunkedMessageAccepted;
            reply.lines.insert(
                0,
                format!(" {} byte chunk, total {}", chunk.size, lines.size),
            );
        }
    }

    /// A command after a chunk that was not the last (`bdat_getc`).
    fn exim_between_chunks(
        &mut self,
        verb: Verb,
        argument: &[u8],
        now: Timestamp,
        out: &mut Vec<Event>,
    ) {
        match verb {
            Verb::Quit => self.exim_quit(out),
            Verb::Rset => {
                // The message is given up, and a new one may start.
                self.exim_rset(out);
                self.exim_mut().new_message();
            }
            Verb::Noop if self.exim().after_chunk == AfterChunk::NextChunk => {
                out.push(self.reply(ReplyKey::Ok));
            }
            Verb::Bdat if self.exim().after_chunk == AfterChunk::NextChunk => {
                match bdat_arguments(argument) {
                    None => {
                        self.exim_error(ReplyKey::BdatSyntax, out);
                        // Exim gives up on the message.
                        self.exim_reset();
                        self.exim_mut().new_message();
                    }
                    Some((0, false)) => {
                        let reply = self.exim_reply(ReplyKey::BdatNull, None, &[]);
                        self.exim_mut().after_chunk = AfterChunk::OnlyRset;
                        self.exim_synprot(Some(reply), out);
                    }
                    Some((size, last)) => self.exim_chunk(size, last, now, out),
                }
            }
            _ => {
                let key = if self.exim().after_chunk == AfterChunk::NextChunk {
                    ReplyKey::AfterBdat
                } else {
                    ReplyKey::OnlyRsetNow
                };
                self.exim_mut().after_chunk = AfterChunk::OnlyRset;
                let reply = self.exim_reply(key, None, &[]);
                self.exim_synprot(Some(reply), out);
            }
        }
    }

    /// The end of a message: Debian's data ACL, then delivery. Returns
    /// whether the message was accepted.
    /// The end of a message: PRDR's lines and Debian's data ACL, then the
    /// delivery and reply every server shares (a message too big is
    /// refused there, before any of this).
    pub(super) fn exim_accept(
        &mut self,
        collector: DataCollector,
        now: Timestamp,
        out: &mut Vec<Event>,
    ) {
        let prdr = self.exim().prdr;
        self.exim_mut().new_message();
        let Some(transaction) = &self.transaction else {
            return;
        };
        // PRDR (offered, and asked for on MAIL) with several recipients:
        // the default `acl_smtp_data_prdr` accepts each, one line apiece,
        // before the data ACL.
        let prdr = prdr && transaction.recipients.len() > 1 && !collector.too_big;
        if prdr {
            out.push(self.reply(ReplyKey::PrdrStart));
            for recipient in &transaction.recipients {
                out.push(self.reply_arg(ReplyKey::PrdrRecipient, &recipient.original));
            }
        }
        if !collector.too_big {
            let refusal = if collector.longest_line > MAX_LINE_LENGTH {
                Some(self.reply_arg(ReplyKey::LineTooLong, &collector.longest_line.to_string()))
            } else if has_bad_address_header(&collector.message) {
                Some(self.reply(ReplyKey::HeaderSyntax))
            } else {
                None
            };
            if let Some(refusal) = refusal {
                out.push(refusal);
                self.transaction = None;
                self.chunks = None;
                return;
            }
        }
        let before = out.len();
        self.accept_message(collector, None, now, out);
        if prdr {
            // PRDR's final reply names the message differently.
            let id = out[before..].iter().find_map(|a| match a {
                Event::Deliver(delivery) => Some(delivery.queue_id.clone()),
                _ => None,
            });
            if let (Some(id), Some(last)) = (id, out.last_mut()) {
                *last = self.reply_arg(ReplyKey::PrdrMessageAccepted, &id);
            }
        }
    }

    pub(super) fn exim_copies(
        &self,
        transaction: &Transaction,
        message_id: &str,
        message: &[u8],
        now: Timestamp,
    ) -> Vec<Copy> {
        let sender = transaction.sender.mailbox.as_str();
        let (helo, extended) = self.helo.clone().unwrap_or_default();
        let rcvhost = self.exim_rcvhost(&helo);
        let mut protocol = if extended { "esmtp" } else { "smtp" }.to_string();
        if self.tls_active {
            protocol.push('s');
        }
        if self.auth_user.is_some() {
            protocol.push('a');
        }
        let only_recipient = match transaction.recipients.as_slice() {
            [only] => Some(only.original.as_str()),
            _ => None,
        };
        let mut copies: Vec<(String, Vec<String>)> = Vec::new();
        for recipient in &transaction.recipients {
            for mailbox in &recipient.mailboxes {
                match copies.iter_mut().find(|(m, _)| m == mailbox) {
                    Some((_, originals)) => {
                        if !originals.contains(&recipient.original) {
                            originals.push(recipient.original.clone());
                        }
                    }
                    None => copies.push((mailbox.clone(), vec![recipient.original.clone()])),
                }
            }
        }
        copies
            .into_iter()
            .map(|(mailbox, originals)| {
                let envelope_to = originals.join(",\n ");
                let entry = exim_entry(
                    &EximEnvelope {
                        sender,
                        envelope_to: &envelope_to,
                        only_recipient,
                        rcvhost: &rcvhost,
                        protocol: &protocol,
                        tls: self.tls_active.then_some((TLS_VERSION, TLS_CIPHER)),
                        hostname: &self.world.hostname,
                        version: self.personality.received_version,
                        message_id,
                        received: now,
                        delivered: now,
                        submission: self.auth_user.is_some(),
                    },
                    message,
                );
                Copy {
                    mailboxes: vec![mailbox],
                    entry,
                }
            })
            .collect()
    }

    /// `$sender_rcvhost`: `name ([address])`, with `helo=` when the HELO
    /// name differs from the looked-up name; `[address] (helo=...)` for a
    /// client without a name.
    fn exim_rcvhost(&self, helo: &str) -> String {
        let address = format!("[{}]", self.connection.client_address);
        let helo_is_address = helo
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .is_some_and(|inner| {
                let inner = inner
                    .strip_prefix("IPv6:")
                    .or_else(|| inner.strip_prefix("IPv4:"))
                    .unwrap_or(inner);
                inner.eq_ignore_ascii_case(&self.connection.client_address)
            });
        let show_helo = !helo.is_empty() && !helo_is_address;
        if self.connection.client_name.starts_with('[') {
            if show_helo {
                format!("{address} (helo={helo})")
            } else {
                address
            }
        } else if show_helo && !self.connection.client_name.eq_ignore_ascii_case(helo) {
            format!("{} ({address} helo={helo})", self.connection.client_name)
        } else {
            format!("{} ({address})", self.connection.client_name)
        }
    }
}

/// Debian's `verify = header_syntax`: an address header (From, Reply-To,
/// Sender, To, Cc, Bcc) with an address Exim cannot read, or without a
/// domain.
fn has_bad_address_header(message: &[u8]) -> bool {
    const ADDRESS_HEADERS: &[&[u8]] = &[b"from", b"reply-to", b"sender", b"to", b"cc", b"bcc"];
    let (fields, _) = split_exim_message(message);
    fields.iter().any(|field| {
        let (name, value) = exim_field_parts(field);
        ADDRESS_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
            && exim_address::check_address_list(value).is_err()
    })
}

/// `BDAT size [LAST]` as Exim's `sscanf("%u %n")` reads it: the size, and
/// whether exactly `LAST` follows.
fn bdat_arguments(argument: &[u8]) -> Option<(u64, bool)> {
    let text = std::str::from_utf8(argument).ok()?;
    let text = text.trim_start();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let size = text[..digits].parse::<u64>().ok()?.min(u64::from(u32::MAX));
    let rest = text[digits..].trim_start();
    Some((size, rest.eq_ignore_ascii_case("LAST")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helo_names() {
        for good in [
            "client.example.no",
            "a-b.c",
            "[127.0.0.2]",
            "[IPv6:::1]",
            "x",
        ] {
            assert!(valid_helo(good.as_bytes()), "{good}");
        }
        for bad in [
            "",
            "a b",
            "under_score",
            "[1.2.3]",
            "caf\u{e9}.example",
            "[x]",
        ] {
            assert!(!valid_helo(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn restricted_local_parts() {
        assert!(restricted_local(b"bob%elsewhere.test"));
        assert!(restricted_local(b".hidden"));
        assert!(!restricted_local(b"first.last"));
        assert!(restricted_remote(b"a/../b"));
        assert!(restricted_remote(b"|pipe"));
        assert!(!restricted_remote(b"a/b"));
    }

    #[test]
    fn bdat_sizes() {
        assert_eq!(bdat_arguments(b"10"), Some((10, false)));
        assert_eq!(bdat_arguments(b"10 last"), Some((10, true)));
        assert_eq!(bdat_arguments(b"10 LAST x"), Some((10, false)));
        assert_eq!(bdat_arguments(b"x"), None);
    }
}
