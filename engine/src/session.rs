//! One SMTP session as a state machine, after Sendmail's `srvrsmtp.c`.
//!
//! The session owns no socket and no clock. Its inputs are events, each
//! carrying the time: [`Session::connect`], [`Session::greet`] (the greeting
//! pause is over), [`Session::receive`] (a chunk of bytes, exactly as it
//! arrived: bytes that arrive together are pipelined), [`Session::timeout`]
//! and [`Session::disconnect`]. Its outputs are [`Action`]s: replies to
//! send, pauses to honour before the next action, messages to deliver, and
//! the end of the connection.
//!
//! All replies come from the personality's catalogue; all limits and
//! switches come from the personality and the world.

use std::sync::Arc;

use crate::address::{self, AddressError, Destination};
use crate::catalogue::{fill, ReplyKey};
use crate::delivery::{mbox_entry, Envelope};
use crate::personality::{BareLinefeedInData, LongCommandLine, Personality, StartTls};
use crate::queue_id::{queue_id, SEQUENCE_SPAN};
use crate::reply::{shorten, strip_high_bit, Reply};
use crate::time::Timestamp;
use crate::world::{LocalName, World};
use base64::Engine as _;

/// Base64 as SASL carries it (RFC 4648 section 4, padded). Like Sendmail's
/// decoder, leftover bits in the last character are not an error.
const SASL_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

/// Sendmail's `MAXSHORTSTR`: echoed command text is shortened to this.
const MAX_SHORT_STRING: usize = 203;
/// Sendmail's input buffer (`MAXINPLINE`): a line without an end longer
/// than this is read in pieces.
const MAX_INPUT_LINE: usize = 12_288;
/// Sendmail's `MAXTIMEOUT`: the longest anti-attack pause.
const MAX_ATTACK_PAUSE_SECONDS: u64 = 240;
/// A message line still without its end is handed to the message in
/// pieces of this size, so a huge line never sits whole in the buffer.
const MAX_PENDING_DATA: usize = 64 * 1024;
/// The first commands that reveal an open proxy rather than a mail client.
const PROXY_COMMANDS: &[&[u8]] = &[b"GET", b"POST", b"CONNECT", b"USER"];

/// Who is connecting, and the values a real server would take from its
/// process and its random source.
#[derive(Clone, Debug)]
pub struct Connection {
    pub client_address: String,
    /// The client's name as the server's lookup gives it.
    pub client_name: String,
    /// The process id that ends every queue id of this session.
    pub process_id: u32,
    /// Where the two-character queue id sequence starts.
    pub queue_sequence: u32,
}

impl Connection {
    /// A client at `address`, named as the world's hosts table names it.
    pub fn new(world: &World, address: &str, process_id: u32, queue_sequence: u32) -> Connection {
        Connection {
            client_name: world.name_for_address(address),
            client_address: address.to_string(),
            process_id,
            queue_sequence,
        }
    }
}

/// A message accepted for delivery, ready to append to mailboxes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub queue_id: String,
    /// Local mailboxes (user names), aliases already expanded.
    pub mailboxes: Vec<String>,
    /// The mbox entry, from the `From ` line to the closing blank line.
    pub entry: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send this reply.
    Reply(Reply),
    /// Wait this long before carrying out the actions that follow.
    Pause { millis: u64 },
    /// The greeting pause: wait this long (noting any input that arrives
    /// meanwhile with [`Session::receive`]), then call [`Session::greet`].
    GreetingPause { millis: u64 },
    /// Append this message to these mailboxes.
    Deliver(Delivery),
    /// Something a real server would do that the simulation cannot,
    /// explained for the person at the keyboard (never sent on the wire).
    Notice(String),
    /// Close the connection.
    Close,
}

#[derive(Clone, Debug)]
struct Recipient {
    typed: String,
    mailboxes: Vec<String>,
}

#[derive(Clone, Debug)]
struct Transaction {
    sender: address::Address,
    queue_id: String,
    started: Timestamp,
    recipients: Vec<Recipient>,
}

#[derive(Clone, Debug)]
struct DataCollector {
    message: Vec<u8>,
    size: u64,
    too_big: bool,
    /// The last line was handed over before its end arrived.
    mid_line: bool,
}

#[derive(Clone, Debug)]
enum Phase {
    AwaitingGreeting,
    Commands,
    Data(DataCollector),
    AuthResponse,
    TlsHandshake,
    Closed,
}

#[derive(Clone, Debug, Default)]
struct Counters {
    bad_commands: u32,
    helo: u32,
    vrfy: u32,
    etrn: u32,
    noop: u32,
    bad_recipients: u32,
}

#[derive(Clone, Debug)]
pub struct Session {
    personality: &'static Personality,
    world: Arc<World>,
    connection: Connection,
    phase: Phase,
    input: Vec<u8>,
    /// How many leading bytes of `input` are known to hold no line end,
    /// so a long line arriving in many chunks is scanned once.
    scanned_without_newline: usize,
    /// Bytes of an over-long line still to be thrown away (8.13).
    discarding_line: bool,
    helo: Option<(String, bool)>,
    transaction: Option<Transaction>,
    /// Sendmail's `nullserver`: the session only answers QUIT, HELO,
    /// EHLO, NOOP and RSET, and rejects everything else.
    rejecting: bool,
    first_command: bool,
    counters: Counters,
    authenticated: bool,
    next_sequence: u32,
}

/// A command verb as Sendmail's `CmdTab` knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Mail,
    Rcpt,
    Data,
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
    Unimplemented,
    Auth,
    StartTls,
    Unknown,
}

fn verb_of(word: &[u8]) -> Verb {
    const TABLE: &[(&str, Verb)] = &[
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
        ("auth", Verb::Auth),
        ("starttls", Verb::StartTls),
    ];
    TABLE
        .iter()
        .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(word))
        .map(|(_, verb)| *verb)
        .unwrap_or(Verb::Unknown)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Sendmail's `skipword`: `FROM:` (any case, spaces allowed before the
/// colon) must start `text`, and something must follow it. On failure the
/// error echoes the text up to the first space or colon.
fn skip_word<'a>(text: &'a [u8], word: &str) -> Result<&'a [u8], String> {
    let text = trim_start(text);
    let end = text
        .iter()
        .position(|&b| b == b':' || is_space(b))
        .unwrap_or(text.len());
    let found = &text[..end];
    let after_spaces = trim_start(&text[end..]);
    let syntax_error = || shorten(&strip_high_bit(found), MAX_SHORT_STRING);
    if after_spaces.first() != Some(&b':') {
        // `MAIL sender@x` names the whole text: it has no colon at all.
        return Err(syntax_error());
    }
    let rest = trim_start(&after_spaces[1..]);
    if rest.is_empty() || !found.eq_ignore_ascii_case(word.as_bytes()) {
        return Err(syntax_error());
    }
    Ok(rest)
}

/// ESMTP parameters after an address: `KEYWORD[=VALUE]` separated by spaces.
fn parameters(text: &[u8]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = trim_start(rest);
        if rest.is_empty() {
            return out;
        }
        let key_end = rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
            .unwrap_or(rest.len());
        let keyword = strip_high_bit(&rest[..key_end]);
        rest = &rest[key_end..];
        let mut value = None;
        if rest.first() == Some(&b'=') {
            let value_end = rest[1..]
                .iter()
                .position(|&b| b == b' ' || b.is_ascii_control() || b == b'=')
                .map(|p| p + 1)
                .unwrap_or(rest.len());
            value = Some(strip_high_bit(&rest[1..value_end]));
            rest = &rest[value_end..];
        }
        if !rest.is_empty() {
            rest = &rest[1..];
        }
        out.push((keyword, value));
    }
}

/// RFC 3461 xtext: printable ASCII except `+` and `=`, with `+XX` escapes.
fn is_xtext(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => {
                let hex = bytes.get(index + 1..index + 3);
                if !hex.is_some_and(|h| {
                    h.iter()
                        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
                }) {
                    return false;
                }
                index += 3;
            }
            b'!'..=b'~' if bytes[index] != b'=' => index += 1,
            _ => return false,
        }
    }
    true
}

impl Session {
    pub fn new(
        personality: &'static Personality,
        world: Arc<World>,
        connection: Connection,
    ) -> Session {
        let next_sequence = connection.queue_sequence % SEQUENCE_SPAN;
        Session {
            personality,
            world,
            connection,
            phase: Phase::AwaitingGreeting,
            input: Vec::new(),
            scanned_without_newline: 0,
            discarding_line: false,
            helo: None,
            transaction: None,
            rejecting: false,
            first_command: true,
            counters: Counters::default(),
            authenticated: false,
            next_sequence,
        }
    }

    pub fn personality(&self) -> &'static Personality {
        self.personality
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Whether the server is reading message text (after 354).
    pub fn in_data(&self) -> bool {
        matches!(self.phase, Phase::Data(_))
    }

    /// The client as Sendmail names it: `name [address]`.
    fn client(&self) -> String {
        if self.connection.client_name.starts_with('[') {
            self.connection.client_name.clone()
        } else {
            format!(
                "{} [{}]",
                self.connection.client_name, self.connection.client_address
            )
        }
    }

    fn reply_with(&self, key: ReplyKey, echo: Option<String>, extra: &[(&str, &str)]) -> Reply {
        let template = self.personality.template(key);
        let client = self.client();
        let mut values: Vec<(&str, &str)> = vec![
            ("host", self.world.hostname.as_str()),
            ("client", client.as_str()),
            ("client_name", self.connection.client_name.as_str()),
            ("version", self.personality.version),
        ];
        values.extend_from_slice(extra);
        Reply {
            key,
            code: template.code,
            enhanced: template.enhanced.map(str::to_string),
            echo,
            lines: vec![fill(template.text, &values)],
        }
    }

    /// A catalogue reply with no arguments, for shells that answer
    /// before or outside a session (too many connections).
    pub fn reply_for(&self, key: ReplyKey) -> Reply {
        self.reply_with(key, None, &[])
    }

    fn reply(&self, key: ReplyKey) -> Action {
        Action::Reply(self.reply_with(key, None, &[]))
    }

    fn reply_arg(&self, key: ReplyKey, arg: &str) -> Action {
        Action::Reply(self.reply_with(key, None, &[("arg", arg)]))
    }

    fn reply_echo(&self, key: ReplyKey, typed: &[u8]) -> Action {
        let echo = shorten(&strip_high_bit(typed), MAX_SHORT_STRING);
        Action::Reply(self.reply_with(key, Some(echo), &[]))
    }

    fn close(&mut self, out: &mut Vec<Action>) {
        out.push(Action::Close);
        self.phase = Phase::Closed;
        self.input = Vec::new();
    }

    /// The connection is open. Returns the greeting, or the greeting pause.
    pub fn connect(&mut self, now: Timestamp) -> Vec<Action> {
        if self.personality.greet_pause_millis > 0 {
            return vec![Action::GreetingPause {
                millis: self.personality.greet_pause_millis,
            }];
        }
        self.greet(now)
    }

    /// The greeting pause is over: send the banner (or refuse a client that
    /// talked first), then handle whatever already arrived.
    pub fn greet(&mut self, now: Timestamp) -> Vec<Action> {
        if !matches!(self.phase, Phase::AwaitingGreeting) {
            return Vec::new();
        }
        let mut out = Vec::new();
        if !self.input.is_empty() && self.personality.greet_pause_millis > 0 {
            self.rejecting = true;
            out.push(self.reply(ReplyKey::GreetingRefused));
        } else {
            let date = now.rfc822();
            let client = self.client();
            let banner = fill(
                self.personality.banner,
                &[
                    ("host", self.world.hostname.as_str()),
                    ("date", date.as_str()),
                    ("client", client.as_str()),
                    ("client_name", self.connection.client_name.as_str()),
                ],
            );
            out.push(self.reply_arg(ReplyKey::Greeting, &banner));
        }
        self.phase = Phase::Commands;
        self.process_input(now, &mut out);
        out
    }

    /// Bytes from the client, exactly as they arrived together.
    pub fn receive(&mut self, bytes: &[u8], now: Timestamp) -> Vec<Action> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Closed => return out,
            Phase::TlsHandshake => {
                // A TLS ClientHello the simulation cannot answer: the
                // handshake fails and the server drops the connection.
                if !bytes.is_empty() {
                    out.push(Action::Notice(
                        "The TLS handshake cannot happen in this simulation, so the server drops the connection, as a real one does when a handshake fails.".to_string(),
                    ));
                    self.close(&mut out);
                }
                return out;
            }
            _ => {}
        }
        self.input.extend_from_slice(bytes);
        if matches!(self.phase, Phase::AwaitingGreeting) {
            return out;
        }
        self.process_input(now, &mut out);
        out
    }

    /// The client went away without QUIT.
    pub fn disconnect(&mut self, _now: Timestamp) -> Vec<Action> {
        if self.is_closed() {
            return Vec::new();
        }
        let mut out = vec![self.reply(ReplyKey::LostInput)];
        self.transaction = None;
        self.close(&mut out);
        out
    }

    /// The client said nothing for the personality's command timeout.
    pub fn timeout(&mut self, _now: Timestamp) -> Vec<Action> {
        if self.is_closed() {
            return Vec::new();
        }
        let during = if self.in_data() {
            "message collection"
        } else {
            "server cmd read"
        };
        let mut out = vec![
            self.reply_arg(ReplyKey::Timeout, during),
            self.reply(ReplyKey::LostInput),
        ];
        self.transaction = None;
        self.close(&mut out);
        out
    }

    fn process_input(&mut self, now: Timestamp, out: &mut Vec<Action>) {
        let mut input = std::mem::take(&mut self.input);
        let mut position = 0;
        // Bytes before this offset are known to hold no line end.
        let mut searched_to = self.scanned_without_newline;
        while position < input.len() {
            if matches!(self.phase, Phase::Closed | Phase::TlsHandshake) {
                break;
            }
            let search_from = searched_to.max(position);
            let newline = input[search_from..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|offset| search_from + offset - position);
            if newline.is_none() {
                searched_to = input.len();
            }
            let in_data = matches!(self.phase, Phase::Data(_));
            let (line_end, next) = match newline {
                Some(offset) => (position + offset, position + offset + 1),
                None if !in_data && input.len() - position > MAX_INPUT_LINE => {
                    (position + MAX_INPUT_LINE, position + MAX_INPUT_LINE)
                }
                None if in_data && input.len() - position > MAX_PENDING_DATA => {
                    // Keep a CR that may start the line end.
                    let end = input.len() - usize::from(input.last() == Some(&b'\r'));
                    self.data_piece(&input[position..end]);
                    position = end;
                    continue;
                }
                None => break,
            };
            let raw = &input[position..next];
            let more_pending = next < input.len();
            position = next;
            let terminated_by_lf = newline.is_some();
            let bare_lf = terminated_by_lf && (line_end == 0 || input[line_end - 1] != b'\r');
            let content_end = if terminated_by_lf && !bare_lf {
                line_end - 1
            } else {
                line_end
            };
            let content = &input[next - raw.len()..content_end.max(next - raw.len())];
            if in_data {
                self.data_line(content, bare_lf, now, out);
            } else {
                if self.discarding_line {
                    self.discarding_line = !terminated_by_lf;
                    continue;
                }
                if !terminated_by_lf {
                    if let LongCommandLine::Truncate { .. } = self.personality.long_command_line {
                        self.discarding_line = true;
                    }
                }
                self.command_line(content, raw.len(), more_pending, now, out);
            }
        }
        if !matches!(self.phase, Phase::Closed | Phase::TlsHandshake) {
            input.drain(..position);
            self.input = input;
            self.scanned_without_newline = searched_to.saturating_sub(position);
        } else {
            self.scanned_without_newline = 0;
        }
    }

    fn data_line(&mut self, content: &[u8], bare_lf: bool, now: Timestamp, out: &mut Vec<Action>) {
        if bare_lf && self.personality.bare_linefeed_in_data == BareLinefeedInData::RejectAndClose {
            out.push(self.reply(ReplyKey::BareLinefeed));
            // Sendmail removes the half-written queue file before it exits.
            out.push(Action::Pause { millis: 200 });
            self.transaction = None;
            self.close(out);
            return;
        }
        let mid_line = matches!(&self.phase, Phase::Data(c) if c.mid_line);
        if content == b"." && !mid_line {
            self.finish_data(now, out);
            return;
        }
        self.data_piece(content);
        if let Phase::Data(collector) = &mut self.phase {
            collector.mid_line = false;
            collector.size += 2;
            if !collector.too_big {
                collector.message.push(b'\n');
            }
        }
    }

    /// Adds a piece of a message line (the whole line, or the start of a
    /// long one), unstuffing a leading dot at the start of a line.
    fn data_piece(&mut self, piece: &[u8]) {
        let limit = self.world.message_size_limit;
        if let Phase::Data(collector) = &mut self.phase {
            let piece = if collector.mid_line {
                piece
            } else {
                piece.strip_prefix(b".").unwrap_or(piece)
            };
            collector.mid_line = true;
            collector.size += piece.len() as u64;
            if limit > 0 && collector.size > limit {
                collector.too_big = true;
                collector.message = Vec::new();
            }
            if !collector.too_big {
                collector.message.extend_from_slice(piece);
            }
        }
    }

    fn finish_data(&mut self, now: Timestamp, out: &mut Vec<Action>) {
        let collector = match std::mem::replace(&mut self.phase, Phase::Commands) {
            Phase::Data(collector) => collector,
            other => {
                self.phase = other;
                return;
            }
        };
        let transaction = match self.transaction.take() {
            Some(t) => t,
            None => return,
        };
        if collector.too_big {
            let limit = self.world.message_size_limit.to_string();
            out.push(Action::Reply(self.reply_with(
                ReplyKey::MessageTooBig,
                None,
                &[("limit", &limit)],
            )));
            return;
        }
        let sender = transaction.sender.qualified(&self.world.hostname);
        let recipients: Vec<String> = transaction
            .recipients
            .iter()
            .map(|r| r.typed.clone())
            .collect();
        let (helo_name, extended) = self
            .helo
            .clone()
            .unwrap_or_else(|| (self.connection.client_name.clone(), false));
        let client = self.client();
        let entry = mbox_entry(
            &Envelope {
                sender: &sender,
                recipients: &recipients,
                helo_name: &helo_name,
                client: &client,
                protocol: if extended { "ESMTP" } else { "SMTP" },
                hostname: &self.world.hostname,
                version: self.personality.received_version,
                queue_id: &transaction.queue_id,
                started: transaction.started,
                accepted: now,
            },
            &collector.message,
        );
        let mut mailboxes: Vec<String> = Vec::new();
        for recipient in &transaction.recipients {
            for mailbox in &recipient.mailboxes {
                if !mailboxes.contains(mailbox) {
                    mailboxes.push(mailbox.clone());
                }
            }
        }
        out.push(Action::Deliver(Delivery {
            queue_id: transaction.queue_id.clone(),
            mailboxes,
            entry,
        }));
        out.push(self.reply_arg(ReplyKey::MessageAccepted, &transaction.queue_id));
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

    fn pause(out: &mut Vec<Action>, millis: u64) {
        if millis > 0 {
            out.push(Action::Pause { millis });
        }
    }

    fn command_line(
        &mut self,
        content: &[u8],
        raw_length: usize,
        more_pending: bool,
        now: Timestamp,
        out: &mut Vec<Action>,
    ) {
        if matches!(self.phase, Phase::AuthResponse) {
            self.auth_response(content, out);
            return;
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
                return;
            }
        }
        let content = match self.personality.long_command_line {
            LongCommandLine::Truncate { limit } if content.len() >= limit => &content[..limit - 1],
            _ => content,
        };
        if self.first_command {
            self.first_command = false;
            let is_proxy = PROXY_COMMANDS.iter().any(|word| {
                content.len() > word.len()
                    && content[..word.len()].eq_ignore_ascii_case(word)
                    && is_space(content[word.len()])
            });
            if is_proxy {
                out.push(self.reply(ReplyKey::OpenProxy));
                self.close(out);
                return;
            }
        }
        let word_end = content
            .iter()
            .position(|&b| is_space(b))
            .unwrap_or(content.len());
        let word = &content[..word_end];
        let argument = trim_start(&content[word_end..]);
        let mut verb = verb_of(word);
        if verb == Verb::Auth && self.personality.auth_mechanisms.is_empty() {
            verb = Verb::Unknown;
        }
        if verb == Verb::StartTls && self.personality.starttls == StartTls::Absent {
            verb = Verb::Unknown;
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
            return;
        }

        match verb {
            Verb::Helo | Verb::Ehlo => self.helo(verb, word, argument, more_pending, out),
            Verb::Mail => self.mail(argument, now, out),
            Verb::Rcpt => self.rcpt(argument, out),
            Verb::Data => self.data(out),
            Verb::Rset => {
                self.transaction = None;
                out.push(self.reply(ReplyKey::ResetState));
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
            Verb::Vrfy | Verb::Expn => self.verify(verb, argument, out),
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
            Verb::Etrn => {
                if argument.is_empty() {
                    out.push(self.reply(ReplyKey::EtrnParameterRequired));
                } else {
                    self.counters.etrn += 1;
                    Self::pause(
                        out,
                        Self::attack_pause(self.counters.etrn, self.personality.throttles.etrn),
                    );
                    let node = strip_high_bit(argument);
                    out.push(self.reply_arg(ReplyKey::EtrnStarted, &node));
                }
            }
            Verb::Unimplemented => out.push(self.reply_arg(ReplyKey::NotImplemented, &whole_line)),
            Verb::Auth => self.auth(argument, out),
            Verb::StartTls => self.starttls(argument, out),
            Verb::Unknown => {
                self.counters.bad_commands += 1;
                if self.counters.bad_commands > self.personality.throttles.bad_commands {
                    out.push(self.reply(ReplyKey::TooManyBadCommands));
                    self.close(out);
                } else {
                    out.push(self.reply_arg(ReplyKey::UnknownCommand, &whole_line));
                }
            }
        }
    }

    fn helo(
        &mut self,
        verb: Verb,
        word: &[u8],
        argument: &[u8],
        more_pending: bool,
        out: &mut Vec<Action>,
    ) {
        self.counters.helo += 1;
        Self::pause(
            out,
            Self::attack_pause(self.counters.helo, self.personality.throttles.helo),
        );
        if argument.is_empty() {
            out.push(self.reply_arg(ReplyKey::HelloNeedsDomain, &strip_high_bit(word)));
            return;
        }
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
        if self.personality.reject_pipelined_helo && more_pending {
            self.rejecting = true;
            out.push(self.reply(ReplyKey::ProtocolError));
            return;
        }
        self.transaction = None;
        let extended = verb == Verb::Ehlo;
        self.helo = Some((
            String::from_utf8_lossy(&argument[..name_end]).into_owned(),
            extended,
        ));
        let hello = self.reply_with(ReplyKey::Hello, None, &[]);
        if !extended {
            out.push(Action::Reply(hello));
            return;
        }
        let mut lines = hello.lines;
        if self.rejecting {
            lines.push("ENHANCEDSTATUSCODES".to_string());
        } else {
            let size = match self.world.message_size_limit {
                0 => String::new(),
                limit => format!(" {limit}"),
            };
            let auth = self.personality.auth_mechanisms.join(" ");
            for keyword in self.personality.ehlo_keywords {
                if keyword.starts_with("AUTH") && self.personality.auth_mechanisms.is_empty() {
                    continue;
                }
                if *keyword == "STARTTLS" && !self.world.tls_certificate {
                    continue;
                }
                lines.push(fill(keyword, &[("size", &size), ("auth", &auth)]));
            }
        }
        out.push(Action::Reply(Reply { lines, ..hello }));
    }

    fn address_error(&self, error: AddressError, typed: &[u8]) -> Action {
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

    /// Reads the address of MAIL or RCPT; on error, pushes the reply.
    fn read_address<'a>(
        &self,
        text: &'a [u8],
        out: &mut Vec<Action>,
    ) -> Option<(address::Address, &'a [u8])> {
        let (token, rest, error) = address::scan(text);
        if let Some(error) = error {
            out.push(self.address_error(error, &token));
            return None;
        }
        match address::parse(&token) {
            Ok(parsed) => Some((parsed, rest)),
            Err(error) => {
                out.push(self.address_error(error, &token));
                None
            }
        }
    }

    fn mail(&mut self, argument: &[u8], now: Timestamp, out: &mut Vec<Action>) {
        if self.helo.is_none() && self.personality.privacy.need_mail_helo {
            out.push(self.reply(ReplyKey::PoliteHelo));
            return;
        }
        if self.transaction.is_some() {
            out.push(self.reply(ReplyKey::SenderAlreadySpecified));
            return;
        }
        let text = match skip_word(argument, "from") {
            Ok(text) => text,
            Err(scanned) => {
                out.push(self.reply_arg(ReplyKey::SyntaxErrorScanning, &scanned));
                return;
            }
        };
        let (sender, rest) = match self.read_address(text, out) {
            Some(found) => found,
            None => return,
        };
        let mut declared_size: i64 = 0;
        let mut seen: Vec<String> = Vec::new();
        for (keyword, value) in parameters(rest) {
            let upper = keyword.to_ascii_uppercase();
            if let Some(error) = self.mail_parameter(
                &upper,
                &keyword,
                value.as_deref(),
                &mut seen,
                &mut declared_size,
            ) {
                out.push(error);
                return;
            }
        }
        let limit = self.world.message_size_limit;
        if limit > 0 && (declared_size as u64 > limit || declared_size < 0) {
            let limit = limit.to_string();
            out.push(Action::Reply(self.reply_with(
                ReplyKey::SizeExceedsLimit,
                None,
                &[("limit", &limit)],
            )));
            return;
        }
        if declared_size > 0 && declared_size as u64 > self.world.free_disk_bytes {
            out.push(self.reply(ReplyKey::InsufficientDiskSpace));
            return;
        }
        let sequence = self.next_sequence;
        self.next_sequence = (self.next_sequence + 1) % SEQUENCE_SPAN;
        out.push(self.reply_echo(ReplyKey::SenderOk, &sender.typed));
        self.transaction = Some(Transaction {
            queue_id: queue_id(now, sequence, self.connection.process_id),
            sender,
            started: now,
            recipients: Vec::new(),
        });
    }

    /// One MAIL parameter (Sendmail's `mail_esmtp_args`); an error reply,
    /// or `None` when it is accepted.
    fn mail_parameter(
        &self,
        upper: &str,
        typed: &str,
        value: Option<&str>,
        seen: &mut Vec<String>,
        declared_size: &mut i64,
    ) -> Option<Action> {
        let needs_value = |name: &str| self.reply_arg(ReplyKey::ParameterNeedsValue, name);
        match upper {
            "SIZE" => {
                let value = value?;
                let digits: String = value.chars().take_while(|c| c.is_ascii_digit()).collect();
                *declared_size = if digits.is_empty() {
                    0
                } else {
                    digits.parse::<i64>().unwrap_or(i64::MAX)
                };
                None
            }
            "BODY" => match value {
                None => Some(needs_value("BODY")),
                Some(v) if v.eq_ignore_ascii_case("7BIT") || v.eq_ignore_ascii_case("8BITMIME") => {
                    None
                }
                Some(v) => Some(self.reply_arg(ReplyKey::UnknownBodyType, v)),
            },
            "ENVID" | "RET" if seen.iter().any(|s| s == upper) => {
                Some(self.reply_arg(ReplyKey::DuplicateParameter, upper))
            }
            "ENVID" => {
                seen.push(upper.to_string());
                match value {
                    None => Some(needs_value("ENVID")),
                    Some(v) if !is_xtext(v) => {
                        Some(self.reply_arg(ReplyKey::ParameterSyntax, "ENVID"))
                    }
                    Some(_) => None,
                }
            }
            "RET" => {
                seen.push(upper.to_string());
                match value {
                    None => Some(needs_value("RET")),
                    Some(v) if v.eq_ignore_ascii_case("FULL") || v.eq_ignore_ascii_case("HDRS") => {
                        None
                    }
                    Some(v) => Some(self.reply_arg(ReplyKey::BadRetArgument, v)),
                }
            }
            "AUTH" => match value {
                None => Some(needs_value("AUTH=")),
                Some(v) if !is_xtext(v) => Some(self.reply_arg(ReplyKey::ParameterSyntax, "AUTH")),
                Some(_) => None,
            },
            "BY" => None,
            _ => Some(self.reply_arg(ReplyKey::ParameterUnrecognized, typed)),
        }
    }

    /// One RCPT parameter (Sendmail's `rcpt_esmtp_args`).
    fn rcpt_parameter(
        &self,
        upper: &str,
        typed: &str,
        value: Option<&str>,
        seen: &mut Vec<String>,
    ) -> Option<Action> {
        match upper {
            "NOTIFY" => {
                let Some(value) = value else {
                    return Some(self.reply_arg(ReplyKey::ParameterNeedsValue, "NOTIFY"));
                };
                let items: Vec<String> = value.split(',').map(|s| s.to_ascii_uppercase()).collect();
                let valid = items
                    .iter()
                    .all(|item| matches!(item.as_str(), "SUCCESS" | "FAILURE" | "DELAY"))
                    || items == ["NEVER"];
                (!valid).then(|| self.reply_arg(ReplyKey::BadNotify, value))
            }
            "ORCPT" if seen.iter().any(|s| s == "ORCPT") => {
                Some(self.reply_arg(ReplyKey::DuplicateParameter, "ORCPT"))
            }
            "ORCPT" => {
                seen.push("ORCPT".to_string());
                match value {
                    None => Some(self.reply_arg(ReplyKey::ParameterNeedsValue, "ORCPT")),
                    Some(v) if !is_xtext(v) => {
                        Some(self.reply_arg(ReplyKey::ParameterSyntax, "ORCPT"))
                    }
                    Some(_) => None,
                }
            }
            _ => Some(self.reply_arg(ReplyKey::ParameterUnrecognized, typed)),
        }
    }

    fn rcpt(&mut self, argument: &[u8], out: &mut Vec<Action>) {
        let throttle = self.personality.throttles.bad_recipients;
        if throttle > 0 && self.counters.bad_recipients >= throttle {
            Self::pause(out, 1000);
        }
        if self.transaction.is_none() {
            out.push(self.reply(ReplyKey::NeedMailBeforeRcpt));
            return;
        }
        let text = match skip_word(argument, "to") {
            Ok(text) => text,
            Err(scanned) => {
                out.push(self.reply_arg(ReplyKey::SyntaxErrorScanning, &scanned));
                return;
            }
        };
        let (recipient, rest) = match self.read_address(text, out) {
            Some(found) => found,
            None => return,
        };
        if recipient.is_null() {
            out.push(self.reply_echo(ReplyKey::NullRecipient, &recipient.typed));
            return;
        }
        let mut seen: Vec<String> = Vec::new();
        for (keyword, value) in parameters(rest) {
            let upper = keyword.to_ascii_uppercase();
            if let Some(error) = self.rcpt_parameter(&upper, &keyword, value.as_deref(), &mut seen)
            {
                out.push(error);
                return;
            }
        }
        let local_part = match recipient.destination(&self.world) {
            Destination::Remote(_) => {
                self.counters.bad_recipients += 1;
                out.push(self.reply_echo(ReplyKey::RelayingDenied, &recipient.typed));
                return;
            }
            Destination::Local(local_part) => local_part,
        };
        let mailboxes = self.world.mailboxes_for(&local_part);
        if mailboxes.is_empty() {
            self.counters.bad_recipients += 1;
            out.push(self.reply_echo(ReplyKey::UserUnknown, &recipient.typed));
            return;
        }
        out.push(self.reply_echo(ReplyKey::RecipientOk, &recipient.typed));
        if let Some(transaction) = &mut self.transaction {
            transaction.recipients.push(Recipient {
                typed: String::from_utf8_lossy(&recipient.typed).into_owned(),
                mailboxes,
            });
        }
    }

    fn data(&mut self, out: &mut Vec<Action>) {
        match &self.transaction {
            None => out.push(self.reply(ReplyKey::NeedMailCommand)),
            Some(t) if t.recipients.is_empty() => out.push(self.reply(ReplyKey::NeedRcpt)),
            Some(_) => {
                out.push(self.reply(ReplyKey::StartData));
                self.phase = Phase::Data(DataCollector {
                    message: Vec::new(),
                    size: 0,
                    too_big: false,
                    mid_line: false,
                });
            }
        }
    }

    fn verify(&mut self, verb: Verb, argument: &[u8], out: &mut Vec<Action>) {
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
        out.push(Action::Reply(Reply { lines, ..template }));
    }

    fn help(&mut self, argument: &[u8], out: &mut Vec<Action>) {
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
        out.push(Action::Reply(Reply { lines, ..template }));
    }

    fn auth(&mut self, argument: &[u8], out: &mut Vec<Action>) {
        if self.authenticated {
            out.push(self.reply(ReplyKey::AuthAlreadyDone));
            return;
        }
        if self.transaction.is_some() {
            out.push(self.reply(ReplyKey::AuthInTransaction));
            return;
        }
        let mechanism_end = argument
            .iter()
            .position(|&b| is_space(b))
            .unwrap_or(argument.len());
        let mechanism = strip_high_bit(&argument[..mechanism_end]);
        if mechanism.is_empty() {
            out.push(self.reply(ReplyKey::AuthMechanismRequired));
            return;
        }
        let offered = self
            .personality
            .auth_mechanisms
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&mechanism));
        if !offered {
            let shown: String = mechanism.chars().take(32).collect();
            out.push(self.reply_arg(ReplyKey::AuthMechanismUnavailable, &shown));
            return;
        }
        let initial = trim_start(&argument[mechanism_end..]);
        if !initial.is_empty() {
            // CRAM-MD5 and DIGEST-MD5 take no initial response; the
            // simulated server has no SASL secrets, so it fails as a
            // real one does with a wrong answer.
            out.push(self.reply(ReplyKey::AuthFailed));
            return;
        }
        let challenge = if mechanism.eq_ignore_ascii_case("CRAM-MD5") {
            format!(
                "<{}.{}@{}>",
                u64::from(self.connection.process_id) * 7919 + u64::from(self.next_sequence),
                self.connection.process_id,
                self.world.hostname
            )
        } else {
            format!(
                "nonce=\"{:x}{:x}\",realm=\"{}\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
                self.connection.process_id, self.next_sequence, self.world.hostname
            )
        };
        out.push(self.reply_arg(
            ReplyKey::AuthChallenge,
            &SASL_BASE64.encode(challenge.as_bytes()),
        ));
        self.phase = Phase::AuthResponse;
    }

    fn auth_response(&mut self, content: &[u8], out: &mut Vec<Action>) {
        self.phase = Phase::Commands;
        if content == b"*" {
            out.push(self.reply(ReplyKey::AuthAborted));
            return;
        }
        if SASL_BASE64.decode(content).is_err() {
            out.push(self.reply_arg(ReplyKey::AuthCannotDecode, &strip_high_bit(content)));
            return;
        }
        out.push(self.reply(ReplyKey::AuthFailed));
    }

    fn starttls(&mut self, argument: &[u8], out: &mut Vec<Action>) {
        if !argument.is_empty() {
            out.push(self.reply(ReplyKey::TlsNoParameters));
            return;
        }
        if !self.world.tls_certificate {
            if let StartTls::WithoutCertificate(key) = self.personality.starttls {
                out.push(self.reply(key));
            }
            return;
        }
        if self.transaction.is_some() {
            out.push(self.reply(ReplyKey::TlsInTransaction));
            return;
        }
        out.push(self.reply(ReplyKey::TlsReady));
        out.push(Action::Notice(
            "Here a real client starts the TLS handshake, and everything after it is encrypted. This simulation cannot encrypt, so the conversation ends here.".to_string(),
        ));
        self.phase = Phase::TlsHandshake;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::{SENDMAIL_8_13_8, SENDMAIL_8_17_DEBIAN};

    fn replies_to(personality: &'static Personality, lines: &[&str]) -> Vec<String> {
        let world = World::corpus();
        let connection = Connection::new(&world, "127.0.0.2", 1, 0);
        let mut session = Session::new(personality, Arc::new(world), connection);
        let now = Timestamp::new(1_800_000_000, 0);
        session.connect(now);
        session.greet(now);
        let mut out = Vec::new();
        for line in lines {
            for action in session.receive(format!("{line}\r\n").as_bytes(), now) {
                if let Action::Reply(reply) = action {
                    out.extend(reply.render());
                }
            }
        }
        out
    }

    /// (commands after EHLO, the last reply line)
    #[test]
    fn command_replies() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["MAIL FROM:<a@b.example> SIZE"],
                "250 2.1.0 <a@b.example>... Sender ok",
            ),
            (
                &["MAIL FROM:<a@b.example> BODY"],
                "501 5.5.2 BODY requires a value",
            ),
            (
                &["MAIL FROM:<a@b.example> BODY=7BIT"],
                "250 2.1.0 <a@b.example>... Sender ok",
            ),
            (
                &["MAIL FROM:<a@b.example> BODY=BINARYMIME"],
                "501 5.5.4 Unknown BODY type BINARYMIME",
            ),
            (
                &["MAIL FROM:<a@b.example> RET=ALL"],
                "501 5.5.2 Bad argument \"ALL\" to RET",
            ),
            (
                &["MAIL FROM:<a@b.example> ENVID=x ENVID=y"],
                "501 5.5.0 Duplicate ENVID parameter",
            ),
            (
                &["MAIL FROM:<a@b.example> FOO=bar"],
                "555 5.5.4 FOO parameter unrecognized",
            ),
            (
                &[
                    "MAIL FROM:<a@b.example>",
                    "RCPT TO:<mom@example.com> NOTIFY=NEVER,SUCCESS",
                ],
                "501 5.5.4 Bad argument \"NEVER,SUCCESS\"  to NOTIFY",
            ),
            (
                &[
                    "MAIL FROM:<a@b.example>",
                    "RCPT TO:<mom@example.com> NOTIFY=SUCCESS,DELAY",
                ],
                "250 2.1.5 <mom@example.com>... Recipient ok",
            ),
            (
                &["MAIL FROM:<a@b.example>", "RCPT TO:<mom@example.com> ORCPT"],
                "501 5.5.2 ORCPT requires a value",
            ),
            (
                &["MAIL FROM:<a@b.example>", "RCPT TO:<>"],
                "553 5.0.0 <>... User address required",
            ),
            (
                &["MAIL FROM:<a@b.example>", "RCPT TO:<postmaster>"],
                "250 2.1.5 <postmaster>... Recipient ok",
            ),
            (&["HELO bad name here"], "501 5.0.0 Invalid domain name"),
            (&["ehlo"], "501 5.0.0 ehlo requires domain address"),
            (&["HELP rs"], "214 2.0.0 End of HELP info"),
            (
                &["HELP nonexistenttopic"],
                "504 5.3.0 HELP topic \"nonexisten\" unknown",
            ),
            (
                &["VRFY postmaster"],
                "250 2.1.5 <postmaster@mail.example.com>",
            ),
            (
                &["EXPN postmaster"],
                "250 2.1.5 root <root@mail.example.com>",
            ),
            (
                &["STARTTLS now"],
                "501 5.5.2 Syntax error (no parameters allowed)",
            ),
            (
                &["AUTH CRAM-MD5", "bm90IGJhc2U2NA=="],
                "535 5.7.0 authentication failed",
            ),
            (
                &["AUTH CRAM-MD5", "!!"],
                "501 5.5.4 cannot decode AUTH parameter !!",
            ),
            (
                &["MAIL FROM:<a@b.example>", "AUTH CRAM-MD5"],
                "503 5.5.0 AUTH not permitted during a mail transaction",
            ),
            (
                &["SEND FROM:<a@b>"],
                "502 5.5.1 Command not implemented: \"SEND FROM:<a@b>\"",
            ),
        ];
        for (lines, last) in cases {
            let mut all = vec!["EHLO client.example.no"];
            all.extend_from_slice(lines);
            let replies = replies_to(&SENDMAIL_8_17_DEBIAN, &all);
            assert_eq!(replies.last().map(String::as_str), Some(*last), "{lines:?}");
        }
    }

    #[test]
    fn personalities_differ_only_where_their_data_does() {
        let old = replies_to(
            &SENDMAIL_8_13_8,
            &["MAIL FROM:<a@b.example>", "AUTH LOGIN", "STARTTLS"],
        );
        assert_eq!(
            old,
            [
                "250 2.1.0 <a@b.example>... Sender ok",
                "500 5.5.1 Command unrecognized: \"AUTH LOGIN\"",
                "503 5.5.0 TLS not available",
            ]
        );
        let new = replies_to(
            &SENDMAIL_8_17_DEBIAN,
            &["MAIL FROM:<a@b.example>", "STARTTLS"],
        );
        assert_eq!(
            new,
            [
                "503 5.0.0 Polite people say HELO first",
                "454 4.3.3 TLS not available after start"
            ]
        );
    }
}
