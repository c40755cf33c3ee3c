//! Answering command lines: the checks every line goes through, then one
//! method per command. Where servers differ, the personality's rules and
//! its catalogue decide, never the server's name.

pub(super) use crate::ascii::is_space;

use super::arguments::{self, Path};
use super::{Chunk, DataCollector, Event, Phase, Recipient, Session, Transaction};
use crate::address::{self, AddressError, Destination};
use crate::catalogue::{fill, ReplyKey};
use crate::personality::{LongCommandLine, Relay, StartTls, Syntax, Verb};
use crate::reply::{shorten, strip_high_bit, Reply};
use crate::rfc822;
use crate::time::Timestamp;
use crate::tokens::{self, Word};
use crate::world::LocalName;

use super::MAX_SHORT_STRING;

/// Sendmail's `MAXTIMEOUT`: the longest anti-attack pause.
const MAX_ATTACK_PAUSE_SECONDS: u64 = 240;
/// Postfix's `smtpd_junk_command_limit`: HELO, EHLO, NOOP, RSET, VRFY and
/// ETRN past this many count as errors.
const JUNK_COMMAND_LIMIT: u32 = 100;

pub(super) fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// A command line, read.
struct Command<'a> {
    verb: Verb,
    /// The verb as typed.
    word: &'a [u8],
    /// Everything after the verb, leading space removed.
    argument: &'a [u8],
    /// Postfix: the line in words (the verb first).
    words: Vec<Word>,
    more_pending: bool,
}

impl Session {
    /// Postfix's `smtpd_chat_reply` sleeps before every reply once the
    /// client has made `soft` errors.
    pub(super) fn error_pause(&self) -> Option<u64> {
        self.personality
            .error_limits
            .filter(|limits| self.counters.errors >= limits.soft)
            .map(|limits| limits.sleep_millis)
    }

    /// After a command: the soft-limit pauses before its replies, its
    /// error counted, and the goodbye at the hard limit.
    pub(super) fn after_command(
        &mut self,
        out: &mut Vec<Event>,
        before: usize,
        sleepy: Option<u64>,
        failed: bool,
    ) {
        let Some(limits) = self.personality.error_limits else {
            return;
        };
        if let Some(millis) = sleepy {
            let replies: Vec<Event> = out.drain(before..).collect();
            for action in replies {
                if let Event::Reply(reply) = &action {
                    let lines = reply.lines.len().max(1) as u64;
                    out.push(Event::Pause {
                        millis: millis * lines,
                    });
                }
                out.push(action);
            }
        }
        if failed {
            self.counters.errors += 1;
        }
        if self.counters.errors >= limits.hard && !self.is_closed() {
            if let Some(millis) = self.error_pause() {
                out.push(Event::Pause { millis });
            }
            out.push(self.reply(ReplyKey::TooManyBadCommands));
            self.transaction = None;
            self.close(out);
        }
    }

    /// Whether the replies pushed since `before` refuse the command.
    fn refused_since(out: &[Event], before: usize) -> bool {
        out[before..].iter().rev().find_map(|a| match a {
            Event::Reply(reply) => {
                Some(reply.code >= 400 && reply.key != ReplyKey::TooManyRecipients)
            }
            _ => None,
        }) == Some(true)
    }

    /// Sendmail's `checksmtpattack`: the pause before answering the
    /// `count`-th command of a kind limited to `limit`.
    fn attack_pause(count: u32, limit: u32) -> u64 {
        if limit == 0 || count < limit {
            return 0;
        }
        let shift = count - limit;
        let pause = if shift > 8 {
            MAX_ATTACK_PAUSE_SECONDS
        } else {
            (1u64 << shift).min(MAX_ATTACK_PAUSE_SECONDS)
        };
        pause.max(u64::from(count / limit)) * 1000
    }

    pub(super) fn pause(out: &mut Vec<Event>, millis: u64) {
        if millis > 0 {
            out.push(Event::Pause { millis });
        }
    }

    pub(super) fn command_line(
        &mut self,
        content: &[u8],
        raw_length: usize,
        more_pending: bool,
        now: Timestamp,
        out: &mut Vec<Event>,
    ) {
        if matches!(self.phase, Phase::AuthResponse) {
            self.auth_response(content, now, out);
            return;
        }
        if self.personality.syntax == Syntax::Exim {
            self.exim_command(content, false, more_pending, now, out);
            return;
        }
        let sleepy = self.error_pause();
        let before = out.len();
        let junk = self.read_command(content, raw_length, more_pending, now, out);
        if junk && self.personality.error_limits.is_some() {
            if self.counters.junk > JUNK_COMMAND_LIMIT {
                self.counters.errors += 1;
            }
            self.counters.junk += 1;
        }
        let failed = Self::refused_since(out, before);
        self.after_command(out, before, sleepy, failed);
    }

    /// Checks and answers one command line; returns whether it was one of
    /// the commands Postfix limits as junk.
    fn read_command(
        &mut self,
        content: &[u8],
        raw_length: usize,
        more_pending: bool,
        now: Timestamp,
        out: &mut Vec<Event>,
    ) -> bool {
        if self.personality.reject_bad_utf8 && std::str::from_utf8(content).is_err() {
            out.push(self.reply(ReplyKey::BadUtf8));
            return false;
        }
        // C strings end at the first NUL.
        let content = match content.iter().position(|&b| b == 0) {
            Some(nul) => &content[..nul],
            None => content,
        };
        if let LongCommandLine::Close { limit } = self.personality.long_command_line {
            let is_auth = content.len() >= 5 && content[..5].eq_ignore_ascii_case(b"AUTH ");
            if raw_length > limit && !is_auth {
                out.push(self.reply(ReplyKey::CommandTooLong));
                self.close(out);
                return false;
            }
        }
        let content = match self.personality.long_command_line {
            LongCommandLine::Truncate { limit } if content.len() >= limit => &content[..limit - 1],
            _ => content,
        };
        let (word, argument, words) = match self.personality.syntax {
            Syntax::Sendmail | Syntax::Exim => {
                let end = content
                    .iter()
                    .position(|&b| is_space(b))
                    .unwrap_or(content.len());
                (&content[..end], trim_start(&content[end..]), Vec::new())
            }
            Syntax::Postfix => {
                let words = tokens::split(content);
                if words.is_empty() {
                    out.push(self.reply(ReplyKey::BadSyntax));
                    return false;
                }
                let start = trim_start(content);
                let end = start
                    .iter()
                    .position(|&b| is_space(b))
                    .unwrap_or(start.len());
                (&start[..end], trim_start(&start[end..]), words)
            }
        };
        if std::mem::take(&mut self.first_command) {
            let is_proxy = self.personality.open_proxy_words.iter().any(|proxy| {
                content.len() > proxy.len()
                    && content[..proxy.len()].eq_ignore_ascii_case(proxy.as_bytes())
                    && is_space(content[proxy.len()])
            });
            if is_proxy {
                out.push(self.reply(ReplyKey::OpenProxy));
                self.close(out);
                return false;
            }
        }
        let verb_word = words.first().map_or(word, |w| w.text.as_slice());
        let mut verb = self.personality.verb(verb_word);
        if verb == Verb::StartTls && self.personality.starttls == StartTls::Absent {
            verb = Verb::Unknown;
        }
        if verb == Verb::Unknown && self.forbidden(verb_word) {
            out.push(self.reply(ReplyKey::BreakRules));
            self.transaction = None;
            self.close(out);
            return false;
        }
        let whole_line = shorten(&strip_high_bit(content), MAX_SHORT_STRING);

        if self.rejecting
            && !matches!(
                verb,
                Verb::Quit | Verb::Helo | Verb::Ehlo | Verb::Noop | Verb::Rset | Verb::Unknown
            )
        {
            self.counters.bad_commands += 1;
            if self.counters.bad_commands > self.personality.throttles.bad_commands {
                out.push(self.reply(ReplyKey::TooManyBadCommands));
                self.close(out);
            } else {
                out.push(self.reply(ReplyKey::CommandRejected));
            }
            return false;
        }
        // Postfix's `smtpd_tls_security_level = encrypt`: only these come
        // before STARTTLS (`SMTPD_CMD_FLAG_PRE_TLS`).
        if self.personality.tls_required
            && !self.tls_active
            && !matches!(
                verb,
                Verb::Helo | Verb::Ehlo | Verb::StartTls | Verb::Noop | Verb::Quit | Verb::Unknown
            )
        {
            out.push(self.reply(ReplyKey::TlsRequired));
            self.counters.errors += 1;
            return false;
        }
        let command = Command {
            verb,
            word,
            argument,
            words,
            more_pending,
        };
        match verb {
            Verb::Helo | Verb::Ehlo => self.helo(&command, out),
            Verb::Mail => self.mail(&command, now, out),
            Verb::Rcpt => self.rcpt(&command, now, out),
            Verb::Data => self.data(&command, out),
            Verb::Bdat => self.bdat(&command, now, out),
            Verb::Rset => {
                if self.personality.strict_arguments && command.words.len() > 1 {
                    out.push(self.reply(ReplyKey::RsetSyntax));
                } else {
                    self.transaction = None;
                    self.chunks = None;
                    self.chunks_failed = false;
                    out.push(self.reply(ReplyKey::ResetState));
                }
            }
            Verb::Noop => {
                self.counters.noop += 1;
                Self::pause(
                    out,
                    Self::attack_pause(self.counters.noop, self.personality.throttles.noop),
                );
                out.push(self.reply(ReplyKey::Ok));
            }
            Verb::Quit => {
                out.push(self.reply(ReplyKey::Closing));
                self.transaction = None;
                self.close(out);
            }
            Verb::Vrfy | Verb::Expn => match self.personality.syntax {
                Syntax::Sendmail | Syntax::Exim => self.verify(verb, argument, out),
                Syntax::Postfix => self.verify_resolved(&command, out),
            },
            Verb::Help => self.help(argument, out),
            Verb::Verbose => {
                if self.personality.privacy.no_verb {
                    out.push(self.reply(ReplyKey::VerbUnavailable));
                } else {
                    self.counters.noop += 1;
                    Self::pause(
                        out,
                        Self::attack_pause(self.counters.noop, self.personality.throttles.noop),
                    );
                    out.push(self.reply(ReplyKey::VerboseMode));
                }
            }
            Verb::Etrn => self.etrn(&command, out),
            Verb::Unimplemented => out.push(self.reply_arg(ReplyKey::NotImplemented, &whole_line)),
            Verb::Auth => self.auth(argument, now, out),
            Verb::StartTls => self.starttls(&command, out),
            Verb::Unknown => {
                self.counters.bad_commands += 1;
                let limit = self.personality.throttles.bad_commands;
                if limit > 0 && self.counters.bad_commands > limit {
                    out.push(self.reply(ReplyKey::TooManyBadCommands));
                    self.close(out);
                } else {
                    out.push(self.reply_arg(ReplyKey::UnknownCommand, &whole_line));
                }
            }
        }
        matches!(
            verb,
            Verb::Helo | Verb::Ehlo | Verb::Noop | Verb::Rset | Verb::Vrfy | Verb::Etrn
        )
    }

    /// Postfix's `smtpd_forbidden_commands` and its header test: an
    /// unknown verb that means the client is not speaking SMTP.
    fn forbidden(&self, verb: &[u8]) -> bool {
        let rules = self.personality.forbidden;
        rules
            .words
            .iter()
            .any(|w| w.as_bytes().eq_ignore_ascii_case(verb))
            || (rules.non_letter && verb.first().is_some_and(|b| !b.is_ascii_alphabetic()))
            || (rules.header && crate::delivery::is_header_line(verb))
    }

    fn helo(&mut self, command: &Command, out: &mut Vec<Event>) {
        let verb = command.verb;
        self.counters.helo += 1;
        Self::pause(
            out,
            Self::attack_pause(self.counters.helo, self.personality.throttles.helo),
        );
        let argument = command.argument;
        let upper = if verb == Verb::Ehlo { "EHLO" } else { "HELO" };
        if argument.is_empty() {
            out.push(Event::Reply(self.reply_with(
                ReplyKey::HelloNeedsDomain,
                None,
                &[("arg", &strip_high_bit(command.word)), ("VERB", upper)],
            )));
            return;
        }
        let name = match self.personality.syntax {
            Syntax::Sendmail | Syntax::Exim => {
                let mut valid = argument.len() <= address::MAX_ADDRESS_LENGTH;
                let mut name_end = argument.len();
                for (index, &b) in argument.iter().enumerate() {
                    if b.is_ascii_alphanumeric() || b"[].-_#:".contains(&b) {
                        continue;
                    }
                    if is_space(b) {
                        name_end = index;
                        valid = valid && argument[index..].iter().all(|&c| is_space(c));
                    } else {
                        valid = false;
                    }
                    break;
                }
                if !valid {
                    out.push(self.reply(ReplyKey::InvalidDomain));
                    return;
                }
                if self.personality.reject_pipelined_helo && command.more_pending {
                    self.rejecting = true;
                    out.push(self.reply(ReplyKey::ProtocolError));
                    return;
                }
                String::from_utf8_lossy(&argument[..name_end]).into_owned()
            }
            // Postfix takes any name here (its HELO checks wait for RCPT,
            // and Debian configures none), the words joined by one space.
            Syntax::Postfix => {
                let parts: Vec<String> = command.words[1..]
                    .iter()
                    .map(|w| String::from_utf8_lossy(&w.text).into_owned())
                    .collect();
                parts.join(" ")
            }
        };
        self.transaction = None;
        self.chunks = None;
        let extended = verb == Verb::Ehlo;
        self.helo = Some((name, extended));
        let hello = self.reply_with(ReplyKey::Hello, None, &[]);
        if !extended {
            out.push(Event::Reply(hello));
            return;
        }
        let mut lines = hello.lines;
        if self.rejecting {
            lines.push("ENHANCEDSTATUSCODES".to_string());
        } else {
            let size = match self.message_size_limit() {
                0 => String::new(),
                limit => format!(" {limit}"),
            };
            let auth = self.personality.auth_mechanisms.join(" ");
            for keyword in self.personality.ehlo_keywords {
                if keyword.starts_with("AUTH") && !self.auth_offered() {
                    continue;
                }
                if *keyword == "STARTTLS" && (!self.has_certificate() || self.tls_active) {
                    continue;
                }
                lines.push(fill(keyword, &[("size", &size), ("auth", &auth)]));
            }
        }
        out.push(Event::Reply(Reply { lines, ..hello }));
    }

    pub(super) fn address_error(&self, error: AddressError, typed: &[u8]) -> Event {
        let key = match error {
            AddressError::UnbalancedOpen => ReplyKey::UnbalancedOpen,
            AddressError::UnbalancedClose => ReplyKey::UnbalancedClose,
            AddressError::InvalidRoute => ReplyKey::InvalidRouteAddress,
            AddressError::HostnameRequired => ReplyKey::HostnameRequired,
            AddressError::UserAddressRequired => ReplyKey::UserAddressRequired,
            AddressError::TooLong => ReplyKey::AddressTooLong,
        };
        self.reply_echo(key, typed)
    }

    fn bdat_in_progress(&self, verb: &str, out: &mut Vec<Event>) -> bool {
        if self.chunks.is_some() || self.chunks_failed {
            out.push(Event::Reply(self.reply_with(
                ReplyKey::AfterBdat,
                None,
                &[("VERB", verb)],
            )));
            return true;
        }
        false
    }

    fn mail(&mut self, command: &Command, now: Timestamp, out: &mut Vec<Event>) {
        if self.helo.is_none() && self.personality.privacy.need_mail_helo {
            out.push(self.reply(ReplyKey::PoliteHelo));
            return;
        }
        if self.transaction.is_some() {
            out.push(self.reply(ReplyKey::SenderAlreadySpecified));
            return;
        }
        if self.personality.mail_needs_auth && self.auth_user.is_none() {
            out.push(self.reply(ReplyKey::AuthRequired));
            return;
        }
        if self.bdat_in_progress("MAIL", out) {
            return;
        }
        let path = match self.personality.syntax {
            Syntax::Sendmail | Syntax::Exim => {
                arguments::sendmail_path(self, command.argument, "from")
            }
            Syntax::Postfix => arguments::postfix_path(self, &command.words, "from:"),
        };
        let Path {
            address: sender,
            declared_size,
            utf8,
        } = match path {
            Ok(path) => path,
            Err(action) => {
                out.push(action);
                return;
            }
        };
        let limit = self.message_size_limit();
        if limit > 0 && declared_size > limit {
            let limit = limit.to_string();
            out.push(Event::Reply(self.reply_with(
                ReplyKey::SizeExceedsLimit,
                None,
                &[("limit", &limit)],
            )));
            return;
        }
        if self.personality.syntax == Syntax::Sendmail
            && declared_size > 0
            && declared_size > self.world.free_disk_bytes
        {
            out.push(self.reply(ReplyKey::InsufficientDiskSpace));
            return;
        }
        // Sendmail names the queue file at MAIL, Postfix at the first
        // accepted recipient.
        let queue_id = match self.personality.queue_ids {
            crate::personality::QueueIds::Sendmail => Some(self.new_queue_id(now)),
            crate::personality::QueueIds::Postfix | crate::personality::QueueIds::Exim => None,
        };
        out.push(self.reply_echo(ReplyKey::SenderOk, &sender.typed));
        self.transaction = Some(Transaction {
            queue_id,
            sender,
            started: now,
            recipients: Vec::new(),
            utf8,
        });
    }

    fn rcpt(&mut self, command: &Command, now: Timestamp, out: &mut Vec<Event>) {
        let throttle = self.personality.throttles.bad_recipients;
        if throttle > 0 && self.counters.bad_recipients >= throttle {
            Self::pause(out, 1000);
        }
        let Some(utf8) = self.transaction.as_ref().map(|t| t.utf8) else {
            out.push(self.reply(ReplyKey::NeedMailBeforeRcpt));
            return;
        };
        if self.bdat_in_progress("RCPT", out) {
            return;
        }
        let recipient = match self.personality.syntax {
            Syntax::Sendmail | Syntax::Exim => self.sendmail_recipient(command.argument),
            Syntax::Postfix => self.postfix_recipient(&command.words, utf8),
        };
        let recipient = match recipient {
            Ok(recipient) => recipient,
            Err(action) => {
                if let Event::Reply(reply) = &action {
                    if matches!(reply.key, ReplyKey::RelayingDenied | ReplyKey::UserUnknown) {
                        self.counters.bad_recipients += 1;
                    }
                }
                out.push(action);
                return;
            }
        };
        let Some(transaction) = &mut self.transaction else {
            return;
        };
        // Sendmail keeps one entry per local user: a recipient given again
        // is answered with the address as it stands in the list.
        if self.personality.syntax == Syntax::Sendmail {
            if let Some(existing) = transaction
                .recipients
                .iter()
                .find(|r| r.user == recipient.user)
            {
                let echo = existing.typed.clone();
                out.push(self.reply_echo(ReplyKey::RecipientOk, echo.as_bytes()));
                return;
            }
        }
        let max = self.personality.max_recipients;
        if max > 0 && transaction.recipients.len() >= max as usize {
            out.push(self.reply(ReplyKey::TooManyRecipients));
            return;
        }
        let needs_id = transaction.queue_id.is_none();
        let echo = match self.personality.syntax {
            Syntax::Sendmail | Syntax::Exim => recipient.typed.clone(),
            Syntax::Postfix => recipient.original.clone(),
        };
        transaction.recipients.push(recipient);
        if needs_id {
            let id = self.new_queue_id(now);
            if let Some(transaction) = &mut self.transaction {
                transaction.queue_id = Some(id);
            }
        }
        out.push(self.reply_echo(ReplyKey::RecipientOk, echo.as_bytes()));
    }

    /// RCPT's argument read Sendmail's way: the recipient, or the reply
    /// that refuses it.
    fn sendmail_recipient(&self, argument: &[u8]) -> Result<Recipient, Event> {
        let path = arguments::sendmail_path(self, argument, "to")?;
        let recipient = path.address;
        if recipient.is_null() {
            return Err(self.reply_echo(ReplyKey::NullRecipient, &recipient.typed));
        }
        let local_part = match recipient.destination(&self.world) {
            Destination::Remote(_) if self.may_relay() => {
                return Ok(Recipient {
                    original: recipient.mailbox.clone(),
                    delivered_to: Vec::new(),
                    user: String::new(),
                    typed: String::from_utf8_lossy(&recipient.typed).into_owned(),
                    mailboxes: Vec::new(),
                });
            }
            Destination::Remote(_) => {
                return Err(self.reply_echo(ReplyKey::RelayingDenied, &recipient.typed))
            }
            Destination::Local(local_part) => local_part,
        };
        let mailboxes = self.world.mailboxes_for(&local_part);
        if mailboxes.is_empty() {
            return Err(self.reply_echo(ReplyKey::UserUnknown, &recipient.typed));
        }
        let typed = String::from_utf8_lossy(&recipient.typed).into_owned();
        Ok(Recipient {
            original: recipient.mailbox.clone(),
            delivered_to: Vec::new(),
            user: local_part.to_ascii_lowercase(),
            typed,
            mailboxes,
        })
    }

    /// RCPT's argument read Postfix's way: syntax, parameters, then the
    /// relay check and the local recipient table.
    fn postfix_recipient(&self, words: &[Word], utf8: bool) -> Result<Recipient, Event> {
        if words.len() < 3 || !words[1].text.eq_ignore_ascii_case(b"to:") {
            return Err(self.reply(ReplyKey::RcptSyntax));
        }
        let address = match rfc822::extract(&words[2].text) {
            Some(address) if !words[2].unterminated && !address.is_empty() => address,
            _ => return Err(self.reply(ReplyKey::BadRecipientSyntax)),
        };
        let resolved = rfc822::resolve(&address, &self.world, utf8);
        if resolved.malformed {
            return Err(self.reply(ReplyKey::BadRecipientSyntax));
        }
        arguments::postfix_rcpt_parameters(self, &words[3..])?;
        let (mailboxes, delivered_to) = self.local_recipient(&address, &resolved)?;
        Ok(Recipient {
            typed: String::from_utf8_lossy(&words[2].text).into_owned(),
            original: String::from_utf8_lossy(&address).into_owned(),
            delivered_to,
            user: String::new(),
            mailboxes,
        })
    }

    /// Postfix's relay restrictions, then its local recipient table: the
    /// mailboxes and the `Delivered-To:` address of each, or the refusal.
    fn local_recipient(
        &self,
        address: &[u8],
        resolved: &rfc822::Resolved,
    ) -> Result<(Vec<String>, Vec<String>), Event> {
        if self.personality.relay == Relay::AuthenticatedOnly && self.auth_user.is_none() {
            return Err(self.reply_echo(ReplyKey::RecipientAccessDenied, address));
        }
        let local_part = match &resolved.local_part {
            Some(local) if !resolved.routed => local.clone(),
            // Relayed: it leaves this machine, no local mailbox gets it.
            _ if self.may_relay() => return Ok((Vec::new(), Vec::new())),
            _ => return Err(self.reply_echo(ReplyKey::RelayingDenied, address)),
        };
        let mailboxes = self.world.mailboxes_for(&local_part);
        if mailboxes.is_empty() {
            return Err(self.reply_echo(ReplyKey::UserUnknown, address));
        }
        let direct = matches!(self.world.lookup(&local_part), Some(LocalName::User(_)))
            || local_part.contains('+');
        let delivered_to = mailboxes
            .iter()
            .map(|mailbox| {
                if direct {
                    resolved.address.clone()
                } else {
                    format!("{mailbox}@{}", self.world.hostname)
                }
            })
            .collect();
        Ok((mailboxes, delivered_to))
    }

    fn data(&mut self, command: &Command, out: &mut Vec<Event>) {
        if self.bdat_in_progress("DATA", out) {
            return;
        }
        match &self.transaction {
            None => out.push(self.reply(ReplyKey::NeedMailCommand)),
            Some(t) if t.recipients.is_empty() => out.push(self.reply(ReplyKey::NeedRcpt)),
            Some(_) if self.personality.strict_arguments && command.words.len() > 1 => {
                out.push(self.reply(ReplyKey::DataSyntax))
            }
            Some(_) => {
                out.push(self.reply(ReplyKey::StartData));
                self.phase = Phase::Data(DataCollector::default());
            }
        }
    }

    /// RFC 3030 BDAT, as Postfix reads it: the chunk is read whole (even
    /// when it is refused), then answered.
    fn bdat(&mut self, command: &Command, now: Timestamp, out: &mut Vec<Event>) {
        let words = &command.words;
        let size = words
            .get(1)
            .filter(|w| !w.text.is_empty() && w.text.iter().all(u8::is_ascii_digit))
            .and_then(|w| std::str::from_utf8(&w.text).ok()?.parse::<u64>().ok());
        let last = words.len() == 3;
        let syntax_ok = (2..=3).contains(&words.len())
            && size.is_some()
            && (!last || words[2].text.eq_ignore_ascii_case(b"LAST"));
        let Some(size) = size.filter(|_| syntax_ok) else {
            out.push(self.reply(ReplyKey::BdatSyntax));
            return;
        };
        let started = self.chunks.is_some();
        let refusal = if size == 0 && !last {
            Some(ReplyKey::BdatNull)
        } else if self.chunks_failed {
            Some(ReplyKey::BdatDiscarded)
        } else if !started && self.transaction.is_none() {
            Some(ReplyKey::NeedMailCommand)
        } else if !started
            && self
                .transaction
                .as_ref()
                .is_some_and(|t| t.recipients.is_empty())
        {
            Some(ReplyKey::NeedRcpt)
        } else {
            let so_far = self.chunks.as_ref().map_or(0, |c| c.size);
            let limit = self.message_size_limit();
            (limit > 0 && so_far.saturating_add(size) > limit).then_some(ReplyKey::ChunkTooBig)
        };
        if refusal.is_none() && !started {
            self.chunks = Some(DataCollector::default());
        }
        let chunk = Chunk {
            remaining: size,
            size,
            last,
            refusal,
        };
        if size == 0 {
            // Nothing to read: answered now, and counted with this command.
            self.finish_chunk(chunk, now, out);
        } else {
            self.phase = Phase::Bdat(chunk);
        }
    }

    fn verify(&mut self, verb: Verb, argument: &[u8], out: &mut Vec<Event>) {
        let privacy = self.personality.privacy;
        let needs_helo = match verb {
            Verb::Vrfy => privacy.need_vrfy_helo,
            _ => privacy.need_expn_helo,
        };
        if needs_helo && self.helo.is_none() {
            out.push(self.reply(ReplyKey::IntroduceYourself));
            return;
        }
        if verb == Verb::Expn && privacy.no_expn {
            out.push(self.reply(ReplyKey::ExpnUnavailable));
            return;
        }
        self.counters.vrfy += 1;
        Self::pause(
            out,
            Self::attack_pause(self.counters.vrfy, self.personality.throttles.vrfy),
        );
        if argument.is_empty() {
            out.push(self.reply(ReplyKey::ArgumentRequired));
            return;
        }
        let (token, _, error) = address::scan(argument);
        if let Some(error) = error {
            out.push(self.address_error(error, &token));
            return;
        }
        let parsed = match address::parse(&token) {
            Ok(parsed) if !parsed.is_null() => parsed,
            Ok(parsed) => {
                out.push(self.reply_echo(ReplyKey::NullRecipient, &parsed.typed));
                return;
            }
            Err(error) => {
                out.push(self.address_error(error, &token));
                return;
            }
        };
        let host = self.world.hostname.clone();
        let local_part = match parsed.destination(&self.world) {
            Destination::Remote(_) => {
                let (local, domain) = parsed.parts();
                let shown = match domain {
                    Some(domain) => format!("<{local}@{domain}>"),
                    None => format!("<{local}>"),
                };
                let key = if verb == Verb::Vrfy {
                    ReplyKey::CannotVerify
                } else {
                    ReplyKey::VerifiedLocal
                };
                out.push(self.reply_arg(key, &shown));
                return;
            }
            Destination::Local(local_part) => local_part,
        };
        let describe = |name: &str, full_name: &str| {
            if full_name.is_empty() {
                format!("<{name}@{host}>")
            } else {
                format!("{full_name} <{name}@{host}>")
            }
        };
        let lines: Vec<String> = match self.world.lookup(&local_part) {
            None => {
                out.push(self.reply_echo(ReplyKey::UserUnknown, &parsed.typed));
                return;
            }
            Some(LocalName::User(user)) => vec![describe(&user.name, &user.full_name)],
            Some(LocalName::Alias(alias)) if verb == Verb::Vrfy => {
                vec![describe(&alias.name, "")]
            }
            Some(LocalName::Alias(_)) => self
                .world
                .mailboxes_for(&local_part)
                .iter()
                .map(|name| {
                    let full = self
                        .world
                        .user(name)
                        .map(|u| u.full_name.as_str())
                        .unwrap_or("");
                    describe(name, full)
                })
                .collect(),
        };
        let template = self.reply_with(ReplyKey::VerifiedLocal, None, &[("arg", "")]);
        out.push(Event::Reply(Reply { lines, ..template }));
    }

    /// Postfix's VRFY: the address goes through the same checks as a
    /// recipient, and an address that passes is only said to be worth a
    /// try (252), never shown.
    fn verify_resolved(&mut self, command: &Command, out: &mut Vec<Event>) {
        let mut words = &command.words[1..];
        let mut utf8 = false;
        if words.len() > 1
            && words[words.len() - 1]
                .text
                .eq_ignore_ascii_case(b"SMTPUTF8")
        {
            words = &words[..words.len() - 1];
            utf8 = true;
        }
        if words.is_empty() {
            out.push(self.reply(ReplyKey::VrfySyntax));
            return;
        }
        let joined: Vec<u8> = words
            .iter()
            .map(|w| w.text.as_slice())
            .collect::<Vec<_>>()
            .join(&b' ');
        let address = match rfc822::extract(&joined) {
            Some(address) if !address.is_empty() => address,
            _ => {
                out.push(self.reply(ReplyKey::BadRecipientSyntax));
                return;
            }
        };
        let resolved = rfc822::resolve(&address, &self.world, utf8);
        if resolved.malformed {
            out.push(self.reply(ReplyKey::BadRecipientSyntax));
            return;
        }
        if let Err(refusal) = self.local_recipient(&address, &resolved) {
            out.push(refusal);
            return;
        }
        out.push(self.reply_arg(ReplyKey::CannotVerify, &String::from_utf8_lossy(&joined)));
    }

    fn etrn(&mut self, command: &Command, out: &mut Vec<Event>) {
        match self.personality.syntax {
            Syntax::Sendmail | Syntax::Exim => {
                if command.argument.is_empty() {
                    out.push(self.reply(ReplyKey::EtrnParameterRequired));
                } else {
                    self.counters.etrn += 1;
                    Self::pause(
                        out,
                        Self::attack_pause(self.counters.etrn, self.personality.throttles.etrn),
                    );
                    let node = strip_high_bit(command.argument);
                    out.push(self.reply_arg(ReplyKey::EtrnStarted, &node));
                }
            }
            // Postfix's fast flush service serves only `relay_domains`,
            // which Debian leaves empty: every valid ETRN is refused.
            Syntax::Postfix => {
                if self.transaction.is_some() {
                    out.push(self.reply(ReplyKey::EtrnInTransaction));
                    return;
                }
                if command.words.len() != 2 {
                    out.push(self.reply(ReplyKey::EtrnParameterRequired));
                    return;
                }
                let text = String::from_utf8_lossy(&command.words[1].text).into_owned();
                let site = text
                    .strip_prefix('@')
                    .or_else(|| text.strip_prefix('#'))
                    .unwrap_or(&text);
                let literal = site.starts_with('[') && site.ends_with(']');
                if !rfc822::valid_hostname(site, false) && !literal {
                    out.push(self.reply(ReplyKey::EtrnInvalid));
                    return;
                }
                out.push(self.reply_arg(ReplyKey::EtrnRefused, site));
            }
        }
    }

    fn help(&mut self, argument: &[u8], out: &mut Vec<Event>) {
        let typed = strip_high_bit(argument);
        let typed = typed.trim_end();
        let topic = if typed.is_empty() {
            "smtp".to_string()
        } else {
            typed.to_ascii_lowercase()
        };
        let version = self.personality.version;
        let mut lines: Vec<String> = self
            .personality
            .help
            .iter()
            .filter(|(key, _)| key.starts_with(topic.as_str()))
            .map(|(_, text)| fill(text, &[("version", version)]))
            .collect();
        if lines.is_empty() {
            let shown: String = typed.chars().take(10).collect();
            out.push(self.reply_arg(ReplyKey::HelpUnknown, &shown));
            return;
        }
        lines.push("End of HELP info".to_string());
        let template = self.reply_with(ReplyKey::Help, None, &[("arg", "")]);
        out.push(Event::Reply(Reply { lines, ..template }));
    }

    fn starttls(&mut self, command: &Command, out: &mut Vec<Event>) {
        if !command.argument.is_empty() {
            out.push(self.reply(ReplyKey::TlsNoParameters));
            return;
        }
        if self.tls_active {
            out.push(self.reply(ReplyKey::TlsAlreadyActive));
            return;
        }
        if !self.has_certificate() {
            if let StartTls::WithoutCertificate(key) = self.personality.starttls {
                out.push(self.reply(key));
            }
            return;
        }
        // Sendmail refuses STARTTLS inside a transaction; Postfix starts
        // over without it.
        if self.transaction.is_some() && self.personality.syntax == Syntax::Sendmail {
            out.push(self.reply(ReplyKey::TlsInTransaction));
            return;
        }
        out.push(self.reply(ReplyKey::TlsReady));
        out.push(Event::Notice(
            "Here the client starts a TLS handshake, and everything after it is encrypted. telnet cannot do one, so the server will hang up at the next line: openssl s_client -starttls smtp -crlf -connect mail.example.com:587 does the handshake for you.".to_string(),
        ));
        out.push(Event::StartTls);
        self.phase = Phase::TlsHandshake;
    }
}
