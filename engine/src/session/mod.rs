//! One SMTP session as a state machine, after Sendmail's `srvrsmtp.c` and
//! Postfix's `smtpd.c`; which one it follows is the personality's data.
//!
//! The session owns no socket and no clock. Its inputs are events, each
//! carrying the time: [`Session::connect`], [`Session::greet`] (the greeting
//! pause is over), [`Session::receive`] (a chunk of bytes, exactly as it
//! arrived: bytes that arrive together are pipelined), [`Session::tls_started`]
//! (the shell finished a TLS handshake after [`Event::StartTls`]),
//! [`Session::timeout`] and [`Session::disconnect`]. Its outputs are
//! [`Event`]s: replies to send, pauses to honour before the next action,
//! messages to deliver, and the end of the connection.
//!
//! All replies come from the personality's catalogue; all limits and
//! switches come from the personality and the world. The module is split by
//! concept: `commands` answers command lines, `arguments` reads the
//! arguments of MAIL, RCPT and VRFY, and this file frames the input into
//! lines and message text and turns an accepted message into deliveries.

mod arguments;
mod auth;
mod commands;
mod exim;

use std::sync::Arc;

use crate::address;
use crate::catalogue::{fill, ReplyKey};
use crate::delivery::{mbox_entry, postfix_entry, Envelope, PostfixEnvelope};
use crate::event::Event;
use crate::personality::{
    BareLinefeedInData, DeliveryAgent, LongCommandLine, Personality, QueueIds, Syntax,
};
use crate::queue_id::{exim_message_id, postfix_queue_id, queue_id, SEQUENCE_SPAN};
use crate::reply::{shorten, strip_high_bit, Reply};
use crate::time::Timestamp;
use crate::world::World;

/// Sendmail's `MAXSHORTSTR`: echoed command text is shortened to this.
const MAX_SHORT_STRING: usize = 203;
/// Sendmail's input buffer (`MAXINPLINE`): a line without an end longer
/// than this is read in pieces.
const MAX_INPUT_LINE: usize = 12_288;
/// A message line still without its end is handed to the message in
/// pieces of this size, so a huge line never sits whole in the buffer.
const MAX_PENDING_DATA: usize = 64 * 1024;

/// Who is connecting, and the values a real server would take from its
/// process and its random source.
#[derive(Clone, Debug)]
pub struct Connection {
    pub client_address: String,
    /// The client's name as the server's lookup gives it.
    pub client_name: String,
    /// The process id that ends every queue id of this session.
    pub process_id: u32,
    /// Where the queue id sequence starts.
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

/// One copy of a delivered message and the mailboxes that get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    /// Local mailboxes (user names), aliases already expanded.
    pub mailboxes: Vec<String>,
    /// The mbox entry, from the `From ` line to the closing blank line.
    pub entry: Vec<u8>,
}

/// A message accepted for delivery, ready to append to mailboxes. Sendmail
/// writes one copy for every mailbox; Postfix's `local(8)` writes each
/// recipient's own (its `Delivered-To:` differs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub queue_id: String,
    pub copies: Vec<Copy>,
    /// Recipients of other domains, which the server queues to send on
    /// (an authenticated client may relay).
    pub relayed: Vec<String>,
}

impl Delivery {
    /// Every mailbox that gets the message, in order.
    pub fn mailboxes(&self) -> Vec<String> {
        self.copies
            .iter()
            .flat_map(|c| c.mailboxes.iter().cloned())
            .collect()
    }
}

#[derive(Clone, Debug)]
struct Recipient {
    /// As the client wrote it (Sendmail's echo and `for` clause).
    typed: String,
    /// Postfix: the address as the server read it (`X-Original-To:`).
    original: String,
    /// Postfix: the address delivered to (`Delivered-To:`), per mailbox.
    delivered_to: Vec<String>,
    mailboxes: Vec<String>,
    /// Sendmail's duplicate test: the local user the address names.
    user: String,
}

#[derive(Clone, Debug)]
struct Transaction {
    sender: address::Address,
    queue_id: Option<String>,
    started: Timestamp,
    recipients: Vec<Recipient>,
    /// The client declared SMTPUTF8.
    utf8: bool,
}

#[derive(Clone, Debug, Default)]
struct DataCollector {
    message: Vec<u8>,
    size: u64,
    too_big: bool,
    /// The last line was handed over before its end arrived.
    mid_line: bool,
    /// The length of the line being read, and of the longest so far
    /// (Exim's `max_received_linelength`).
    line_length: usize,
    longest_line: usize,
}

/// A BDAT chunk being read.
#[derive(Clone, Debug)]
struct Chunk {
    remaining: u64,
    size: u64,
    last: bool,
    /// The chunk is read only to be thrown away; this is the answer.
    refusal: Option<ReplyKey>,
}

#[derive(Clone, Debug)]
enum Phase {
    AwaitingGreeting,
    Commands,
    Data(DataCollector),
    Bdat(Chunk),
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
    /// Postfix's `error_count`.
    errors: u32,
    /// Postfix's `junk_cmds`.
    junk: u32,
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
    /// The rest of an over-long command line is being thrown away.
    discarding_line: bool,
    /// Postfix: the start of an over-long command line, answered once the
    /// line ends.
    truncated_line: Option<Vec<u8>>,
    helo: Option<(String, bool)>,
    transaction: Option<Transaction>,
    /// Message text received with BDAT so far.
    chunks: Option<DataCollector>,
    /// A BDAT chunk failed; later chunks are thrown away until RSET.
    chunks_failed: bool,
    /// Sendmail's `nullserver`: the session only answers QUIT, HELO,
    /// EHLO, NOOP and RSET, and rejects everything else.
    rejecting: bool,
    first_command: bool,
    counters: Counters,
    /// The user an AUTH logged in as.
    auth_user: Option<String>,
    /// Where an AUTH dialogue is.
    auth_step: auth::AuthStep,
    /// Failed AUTHs so far (Dovecot's penalty grows with them).
    auth_failures: u32,
    tls_active: bool,
    next_sequence: u32,
    /// The session ended with client input it never read.
    unread_at_close: bool,
    /// Exim's counters and what it advertised: only an Exim session
    /// (`Syntax::Exim`, whose commands `session/exim.rs` reads) has them.
    exim: Option<Box<exim::EximState>>,
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
            truncated_line: None,
            helo: None,
            transaction: None,
            chunks: None,
            chunks_failed: false,
            rejecting: false,
            first_command: true,
            counters: Counters::default(),
            auth_user: None,
            auth_step: auth::AuthStep::None,
            auth_failures: 0,
            tls_active: false,
            next_sequence,
            unread_at_close: false,
            exim: (personality.syntax == Syntax::Exim).then(Box::default),
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

    /// Whether the session closed with client bytes it never read (a real
    /// server's close then resets the connection).
    pub fn closed_with_unread_input(&self) -> bool {
        // Inside TLS the server's close_notify reaches the client first,
        // which reads the end of the connection, not a reset.
        self.unread_at_close && !self.tls_active
    }

    /// Whether the server is reading command lines (or the answer to an
    /// AUTH challenge), as opposed to message text, a BDAT chunk or a TLS
    /// handshake.
    pub fn reading_commands(&self) -> bool {
        matches!(self.phase, Phase::Commands | Phase::AuthResponse) && !self.discarding_line
    }

    /// Whether the server is reading message text (after 354).
    pub fn in_data(&self) -> bool {
        matches!(self.phase, Phase::Data(_))
    }

    /// The message size limit in force (0: none).
    pub fn message_size_limit(&self) -> u64 {
        self.world
            .message_size_limit
            .unwrap_or(self.personality.default_message_size_limit)
    }

    /// Whether the server has a TLS certificate.
    pub fn has_certificate(&self) -> bool {
        self.world
            .tls_certificate
            .unwrap_or(self.personality.default_tls_certificate)
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
            ("client_address", self.connection.client_address.as_str()),
            ("version", self.personality.version),
        ];
        if let Some(echo) = &echo {
            values.push(("echo", echo.as_str()));
        }
        values.extend_from_slice(extra);
        let text = fill(template.text, &values);
        Reply {
            key,
            code: template.code,
            enhanced: template.enhanced.map(str::to_string),
            echo,
            lines: vec![text],
        }
    }

    /// A catalogue reply with no arguments, for shells that answer
    /// before or outside a session (too many connections).
    pub fn reply_for(&self, key: ReplyKey) -> Reply {
        self.reply_with(key, None, &[])
    }

    fn reply(&self, key: ReplyKey) -> Event {
        Event::Reply(self.reply_with(key, None, &[]))
    }

    fn reply_arg(&self, key: ReplyKey, arg: &str) -> Event {
        Event::Reply(self.reply_with(key, None, &[("arg", arg)]))
    }

    /// A reply that names an address: Sendmail echoes it as typed,
    /// shortened and with the top bit stripped; Postfix as it read it, in
    /// angle brackets.
    fn reply_echo(&self, key: ReplyKey, typed: &[u8]) -> Event {
        let echo = match self.personality.syntax {
            Syntax::Sendmail => shorten(&strip_high_bit(typed), MAX_SHORT_STRING),
            Syntax::Postfix => format!("<{}>", String::from_utf8_lossy(typed)),
            Syntax::Exim => String::from_utf8_lossy(typed).into_owned(),
        };
        Event::Reply(self.reply_with(key, Some(echo), &[]))
    }

    fn close(&mut self, out: &mut Vec<Event>) {
        out.push(Event::Close);
        self.phase = Phase::Closed;
        self.input = Vec::new();
    }

    /// The connection is open. Returns the greeting, or the greeting pause.
    pub fn connect(&mut self, now: Timestamp) -> Vec<Event> {
        if self.personality.greet_pause_millis > 0 {
            return vec![Event::GreetingPause {
                millis: self.personality.greet_pause_millis,
            }];
        }
        let mut out = Vec::new();
        if self.personality.banner_delay_millis > 0 {
            out.push(Event::Pause {
                millis: self.personality.banner_delay_millis,
            });
        }
        out.extend(self.greet(now));
        out
    }

    /// The greeting pause is over: send the banner (or refuse a client that
    /// talked first), then handle whatever already arrived.
    pub fn greet(&mut self, now: Timestamp) -> Vec<Event> {
        if !matches!(self.phase, Phase::AwaitingGreeting) {
            return Vec::new();
        }
        let mut out = Vec::new();
        if !self.input.is_empty() && self.personality.greet_pause_millis > 0 {
            self.rejecting = true;
            out.push(self.reply(ReplyKey::GreetingRefused));
        } else {
            let date = now.rfc822();
            let full_date = now.full_date();
            let client = self.client();
            let banner = fill(
                self.personality.banner,
                &[
                    ("host", self.world.hostname.as_str()),
                    ("date", date.as_str()),
                    ("full_date", full_date.as_str()),
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
    pub fn receive(&mut self, bytes: &[u8], now: Timestamp) -> Vec<Event> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Closed => return out,
            Phase::TlsHandshake => {
                // Bytes that are not a handshake the shell carried out:
                // the handshake fails and the server drops the connection.
                if !bytes.is_empty() {
                    out.push(Event::Notice(
                        "telnet sent plain text where the TLS handshake was due, so the server drops the connection, as a real one does when a handshake fails.".to_string(),
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

    /// The shell finished the TLS handshake that [`Event::StartTls`] asked
    /// for: the session starts over inside TLS, without its HELO.
    pub fn tls_started(&mut self, _now: Timestamp) -> Vec<Event> {
        if matches!(self.phase, Phase::TlsHandshake) {
            self.phase = Phase::Commands;
            self.tls_active = true;
            self.helo = None;
            self.transaction = None;
            self.chunks = None;
            self.input.clear();
            self.scanned_without_newline = 0;
            if self.exim.is_some() {
                self.exim_tls_started();
            }
        }
        Vec::new()
    }

    /// Whether the connection is inside TLS now.
    pub fn in_tls(&self) -> bool {
        self.tls_active
    }

    /// The service speaks TLS from the first byte (submissions on 465):
    /// the session begins inside it. Call before [`Session::connect`].
    pub fn start_in_tls(&mut self) {
        self.tls_active = true;
    }

    /// The client went away without QUIT.
    pub fn disconnect(&mut self, _now: Timestamp) -> Vec<Event> {
        if self.is_closed() {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.personality.lost_input_reply {
            out.push(self.reply(ReplyKey::LostInput));
        }
        self.transaction = None;
        self.close(&mut out);
        out
    }

    /// The client said nothing for the personality's command timeout.
    pub fn timeout(&mut self, _now: Timestamp) -> Vec<Event> {
        if self.is_closed() {
            return Vec::new();
        }
        let during = if self.in_data() {
            "message collection"
        } else {
            "server cmd read"
        };
        let key = if self.personality.syntax == Syntax::Exim && self.in_data() {
            ReplyKey::DataTimeout
        } else {
            ReplyKey::Timeout
        };
        let mut out = vec![self.reply_arg(key, during)];
        if self.personality.lost_input_reply {
            out.push(self.reply(ReplyKey::LostInput));
        }
        self.transaction = None;
        self.close(&mut out);
        out
    }

    fn process_input(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        let mut input = std::mem::take(&mut self.input);
        let mut position = 0;
        // Bytes before this offset are known to hold no line end.
        let mut searched_to = self.scanned_without_newline;
        while position < input.len() {
            if matches!(self.phase, Phase::Closed | Phase::TlsHandshake) {
                break;
            }
            if matches!(self.phase, Phase::Bdat(_)) {
                position += self.chunk_bytes(&input[position..], now, out);
                searched_to = position;
                continue;
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
            let pending = input.len() - position;
            if let (LongCommandLine::Split { limit }, false) =
                (self.personality.long_command_line, in_data)
            {
                if newline.unwrap_or(pending) > limit {
                    // Exim's buffer is full: the command is unknown, the
                    // byte that did not fit is lost, and the rest of the
                    // line is read as the next command.
                    position += limit + 1;
                    searched_to = position;
                    let more = position < input.len();
                    self.exim_command(&[], true, more, now, out);
                    continue;
                }
            }
            let (line_end, next) = match newline {
                Some(offset) => (position + offset, position + offset + 1),
                None if in_data && pending > MAX_PENDING_DATA => {
                    // Keep a CR that may start the line end.
                    let end = input.len() - usize::from(input.last() == Some(&b'\r'));
                    self.data_piece(&input[position..end]);
                    position = end;
                    continue;
                }
                None if in_data => break,
                None => match self.personality.long_command_line {
                    LongCommandLine::TruncateAtLineEnd { limit } if pending > limit => {
                        if !self.discarding_line {
                            self.truncated_line = Some(input[position..position + limit].to_vec());
                            self.discarding_line = true;
                        }
                        position = input.len();
                        continue;
                    }
                    LongCommandLine::TruncateAtLineEnd { .. } => break,
                    LongCommandLine::Split { .. } => break,
                    _ if pending > MAX_INPUT_LINE => {
                        (position + MAX_INPUT_LINE, position + MAX_INPUT_LINE)
                    }
                    _ => break,
                },
            };
            let raw = &input[position..line_end];
            let raw_length = next - position;
            let more_pending = next < input.len();
            position = next;
            let terminated_by_lf = newline.is_some();
            if in_data {
                let bare_lf = terminated_by_lf && raw.last() != Some(&b'\r');
                if bare_lf && self.personality.bare_linefeed_in_data == BareLinefeedInData::Space {
                    // The line goes on, the LF written as a space.
                    self.data_piece(raw);
                    self.data_piece(b" ");
                    continue;
                }
                let content = self.line_content(raw, terminated_by_lf);
                self.data_line(content, bare_lf, now, out);
                continue;
            }
            if self.discarding_line {
                self.discarding_line = !terminated_by_lf;
                if let Some(start) = self.truncated_line.take() {
                    self.command_line(&start, raw_length, more_pending, now, out);
                }
                continue;
            }
            if !terminated_by_lf {
                if let LongCommandLine::Truncate { .. } = self.personality.long_command_line {
                    self.discarding_line = true;
                }
            }
            let content = self.line_content(raw, terminated_by_lf);
            self.command_line(content, raw_length, more_pending, now, out);
        }
        if !matches!(self.phase, Phase::Closed | Phase::TlsHandshake) {
            input.drain(..position);
            self.input = input;
            self.scanned_without_newline = searched_to.saturating_sub(position);
        } else {
            // Exim has read what arrived with the line it answered last: only
            // what comes later is left unread.
            self.unread_at_close |= self.is_closed()
                && position < input.len()
                && self.personality.syntax != Syntax::Exim;
            self.scanned_without_newline = 0;
        }
    }

    /// A line without its LF as the server keeps it: Sendmail drops the CR
    /// of CRLF; Postfix drops every CR at the end, and keeps only the
    /// first `line_length_limit` bytes of a longer line.
    fn line_content<'a>(&self, raw: &'a [u8], terminated_by_lf: bool) -> &'a [u8] {
        if self.personality.syntax == Syntax::Exim && !self.in_data() {
            // Exim drops every white space character at the end.
            let end = raw
                .iter()
                .rposition(|&b| !commands::is_space(b))
                .map_or(0, |i| i + 1);
            return &raw[..end];
        }
        match self.personality.long_command_line {
            LongCommandLine::TruncateAtLineEnd { limit } => {
                let fits = raw.len() < limit || (raw.len() == limit && raw.last() == Some(&b'\r'));
                if !fits {
                    return &raw[..limit];
                }
                let end = raw.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
                &raw[..end]
            }
            _ if terminated_by_lf => raw.strip_suffix(b"\r").unwrap_or(raw),
            _ => raw,
        }
    }

    fn data_line(&mut self, content: &[u8], bare_lf: bool, now: Timestamp, out: &mut Vec<Event>) {
        if bare_lf && self.personality.bare_linefeed_in_data == BareLinefeedInData::RejectAndClose {
            out.push(self.reply(ReplyKey::BareLinefeed));
            // Sendmail removes the half-written queue file before it exits.
            out.push(Event::Pause { millis: 200 });
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
        // Exim counts a line end as the one byte it stores.
        let line_end = if self.personality.syntax == Syntax::Exim {
            1
        } else {
            2
        };
        if let Phase::Data(collector) = &mut self.phase {
            collector.mid_line = false;
            collector.size += line_end;
            collector.longest_line = collector.longest_line.max(collector.line_length);
            collector.line_length = 0;
            if !collector.too_big {
                collector.message.push(b'\n');
            }
        }
    }

    /// Adds a piece of a message line (the whole line, or the start of a
    /// long one), unstuffing a leading dot at the start of a line.
    fn data_piece(&mut self, piece: &[u8]) {
        let limit = self.message_size_limit();
        if let Phase::Data(collector) = &mut self.phase {
            let piece = if collector.mid_line {
                piece
            } else {
                piece.strip_prefix(b".").unwrap_or(piece)
            };
            collector.mid_line = true;
            collector.size += piece.len() as u64;
            collector.line_length += piece.len();
            // Postfix counts the line end of the line being added too.
            let line_end = match self.personality.syntax {
                Syntax::Sendmail | Syntax::Exim => 0,
                Syntax::Postfix => 2,
            };
            if limit > 0 && collector.size + line_end > limit {
                collector.too_big = true;
                collector.message = Vec::new();
            }
            if !collector.too_big {
                collector.message.extend_from_slice(piece);
            }
        }
    }

    fn finish_data(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        let collector = match std::mem::replace(&mut self.phase, Phase::Commands) {
            Phase::Data(collector) => collector,
            other => {
                self.phase = other;
                return;
            }
        };
        if self.personality.syntax == Syntax::Exim {
            self.exim_accept(collector, now, out);
            return;
        }
        let sleepy = self.error_pause();
        let before = out.len();
        let accepted = self.accept_message(collector, None, now, out);
        self.after_command(out, before, sleepy, !accepted);
    }

    /// Reads bytes of a BDAT chunk; returns how many it took.
    fn chunk_bytes(&mut self, bytes: &[u8], now: Timestamp, out: &mut Vec<Event>) -> usize {
        let limit = self.message_size_limit();
        let Phase::Bdat(chunk) = &mut self.phase else {
            return 0;
        };
        let take = (chunk.remaining.min(bytes.len() as u64)) as usize;
        chunk.remaining -= take as u64;
        if chunk.refusal.is_none() {
            if let Some(collector) = &mut self.chunks {
                collector.size += take as u64;
                if limit > 0 && collector.size > limit {
                    collector.too_big = true;
                    collector.message = Vec::new();
                }
                if !collector.too_big {
                    collector.message.extend_from_slice(&bytes[..take]);
                }
            }
        }
        if chunk.remaining == 0 {
            let chunk = chunk.clone();
            self.phase = Phase::Commands;
            if self.personality.syntax == Syntax::Exim {
                self.exim_finish_chunk(chunk, now, out);
                return take;
            }
            let sleepy = self.error_pause();
            let before = out.len();
            let failed = self.finish_chunk(chunk, now, out);
            self.after_command(out, before, sleepy, failed);
        }
        take
    }

    /// Answers a chunk read whole; returns whether it was refused.
    fn finish_chunk(&mut self, chunk: Chunk, now: Timestamp, out: &mut Vec<Event>) -> bool {
        match chunk.refusal {
            Some(key) => {
                let size = chunk.size.to_string();
                out.push(self.reply_arg(key, &size));
                if chunk.last {
                    self.transaction = None;
                    self.chunks = None;
                } else {
                    self.chunks_failed = true;
                }
                true
            }
            None if chunk.last => {
                let collector = self.chunks.take().unwrap_or_default();
                let lines = chunk_lines(&collector.message);
                let size = lines.size;
                let message = DataCollector {
                    message: lines.text,
                    too_big: collector.too_big,
                    ..DataCollector::default()
                };
                !self.accept_message(message, Some(size), now, out)
            }
            None => {
                let size = chunk.size.to_string();
                out.push(self.reply_arg(ReplyKey::ChunkAccepted, &size));
                false
            }
        }
    }

    /// Ends a transaction with its message: delivers it, or refuses it when
    /// too big. `chunked` is the byte count Postfix reports for BDAT.
    /// Returns whether the message was accepted.
    fn accept_message(
        &mut self,
        collector: DataCollector,
        chunked: Option<u64>,
        now: Timestamp,
        out: &mut Vec<Event>,
    ) -> bool {
        let Some(transaction) = self.transaction.take() else {
            return false;
        };
        self.chunks = None;
        if collector.too_big {
            let limit = self.message_size_limit().to_string();
            out.push(Event::Reply(self.reply_with(
                ReplyKey::MessageTooBig,
                None,
                &[("limit", &limit)],
            )));
            return false;
        }
        let queue_id = transaction
            .queue_id
            .clone()
            .unwrap_or_else(|| self.new_queue_id(now));
        let copies = match self.personality.delivery {
            DeliveryAgent::Sendmail => {
                self.sendmail_copies(&transaction, &queue_id, &collector.message, now)
            }
            DeliveryAgent::PostfixLocal => {
                self.postfix_copies(&transaction, &queue_id, &collector.message, now)
            }
            DeliveryAgent::EximAppendfile => {
                self.exim_copies(&transaction, &queue_id, &collector.message, now)
            }
        };
        let relayed = transaction
            .recipients
            .iter()
            .filter(|r| r.mailboxes.is_empty() && !r.original.is_empty())
            .map(|r| r.original.clone())
            .collect();
        out.push(Event::Deliver(Delivery {
            queue_id: queue_id.clone(),
            copies,
            relayed,
        }));
        if self.personality.error_limits.is_some() {
            self.counters.errors = 0;
            self.counters.junk = 0;
        }
        match chunked {
            Some(size) => out.push(Event::Reply(self.reply_with(
                ReplyKey::ChunkedMessageAccepted,
                None,
                &[("arg", &queue_id), ("size", &size.to_string())],
            ))),
            None => out.push(self.reply_arg(ReplyKey::MessageAccepted, &queue_id)),
        }
        true
    }

    fn new_queue_id(&mut self, now: Timestamp) -> String {
        let sequence = self.next_sequence;
        self.next_sequence = (self.next_sequence + 1) % SEQUENCE_SPAN;
        match self.personality.queue_ids {
            QueueIds::Sendmail => queue_id(now, sequence, self.connection.process_id),
            QueueIds::Postfix => postfix_queue_id(now, sequence, self.connection.process_id),
            QueueIds::Exim => exim_message_id(now, sequence, self.connection.process_id),
        }
    }

    fn sendmail_copies(
        &self,
        transaction: &Transaction,
        queue_id: &str,
        message: &[u8],
        now: Timestamp,
    ) -> Vec<Copy> {
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
        let protocol = with_tls_and_auth(
            if extended { "ESMTP" } else { "SMTP" },
            self.tls_active && extended,
            self.auth_user.is_some() && extended,
        );
        // `$x`: a local sender's full name from its password entry.
        let sender_full_name = match transaction.sender.destination(&self.world) {
            crate::address::Destination::Local(local) => match self.world.lookup(&local) {
                Some(crate::world::LocalName::User(user)) if !user.full_name.is_empty() => {
                    Some(user.full_name.clone())
                }
                _ => None,
            },
            _ => None,
        };
        let entry = mbox_entry(
            &Envelope {
                sender: &sender,
                recipients: &recipients,
                helo_name: &helo_name,
                client: &client,
                protocol: &protocol,
                hostname: &self.world.hostname,
                version: self.personality.received_version,
                queue_id,
                started: transaction.started,
                accepted: now,
                authenticated: self.auth_user.is_some(),
                tls: self.tls_active.then_some(SENDMAIL_TLS),
                sender_full_name: sender_full_name.as_deref(),
            },
            message,
        );
        let mut mailboxes: Vec<String> = Vec::new();
        for recipient in &transaction.recipients {
            for mailbox in &recipient.mailboxes {
                if !mailboxes.contains(mailbox) {
                    mailboxes.push(mailbox.clone());
                }
            }
        }
        vec![Copy { mailboxes, entry }]
    }

    fn postfix_copies(
        &self,
        transaction: &Transaction,
        queue_id: &str,
        message: &[u8],
        now: Timestamp,
    ) -> Vec<Copy> {
        let helo_name = self
            .helo
            .as_ref()
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| self.connection.client_name.clone());
        let extended = self.helo.as_ref().is_some_and(|(_, extended)| *extended);
        let base = if transaction.utf8 && extended {
            "UTF8SMTP"
        } else if extended {
            "ESMTP"
        } else {
            "SMTP"
        };
        let protocol = with_tls_and_auth(
            base,
            self.tls_active && extended,
            self.auth_user.is_some() && extended,
        );
        let sender = if transaction.sender.mailbox.is_empty() {
            String::new()
        } else if transaction.sender.mailbox.contains('@') {
            transaction.sender.mailbox.clone()
        } else {
            format!("{}@{}", transaction.sender.mailbox, self.world.hostname)
        };
        let only_recipient = match transaction.recipients.as_slice() {
            [only] => Some(only.original.as_str()),
            _ => None,
        };
        let client_is_local = self.connection.client_address == self.world.server_address
            || self.connection.client_address == "127.0.0.1"
            || self.connection.client_address == "::1";
        let mut copies: Vec<Copy> = Vec::new();
        for recipient in &transaction.recipients {
            for (mailbox, delivered_to) in recipient.mailboxes.iter().zip(&recipient.delivered_to) {
                if copies.iter().any(|c| c.mailboxes.contains(mailbox)) {
                    continue;
                }
                let entry = postfix_entry(
                    &PostfixEnvelope {
                        sender: &sender,
                        original_recipient: &recipient.original,
                        delivered_to,
                        only_recipient,
                        helo_name: &helo_name,
                        client_name: &self.connection.client_name,
                        client_address: &self.connection.client_address,
                        protocol: &protocol,
                        hostname: &self.world.hostname,
                        mail_name: self.personality.received_version,
                        queue_id,
                        arrived: transaction.started,
                        delivered: now,
                        add_missing_headers: client_is_local,
                    },
                    message,
                );
                copies.push(Copy {
                    mailboxes: vec![mailbox.clone()],
                    entry,
                });
            }
        }
        copies
    }
}

/// Message text sent with BDAT, as Postfix stores it: lines end at LF, the
/// CRs before it are dropped, a last line without an end is kept, and no
/// dot is unstuffed. `size` counts each line with two bytes for its end.
pub(super) struct ChunkLines {
    text: Vec<u8>,
    size: u64,
}

pub(super) fn chunk_lines(raw: &[u8]) -> ChunkLines {
    let mut text = Vec::with_capacity(raw.len());
    let mut size = 0u64;
    let mut lines = raw.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() && line.is_empty() {
            break;
        }
        let end = line.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
        text.extend_from_slice(&line[..end]);
        text.push(b'\n');
        size += end as u64 + 2;
    }
    ChunkLines { text, size }
}

/// The `Received:` protocol with RFC 3848's suffixes: `S` for TLS, `A`
/// for an authenticated client (`ESMTPSA`).
fn with_tls_and_auth(base: &str, tls: bool, auth: bool) -> String {
    let mut protocol = base.to_string();
    if tls {
        protocol.push('S');
    }
    if auth {
        protocol.push('A');
    }
    protocol
}

/// What Sendmail's `Received:` says of the TLS session (OpenSSL 3.0,
/// TLS 1.3, the client sends no certificate).
const SENDMAIL_TLS: &str = "(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)";

#[cfg(test)]
mod tests;
