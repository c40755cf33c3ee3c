//! Client scripts and transcripts in the corpus format, and a replay that
//! plays a script against a [`Session`] on a simulated clock.
//!
//! Script lines are sent with CRLF, one reply awaited after each (after a
//! 354, lines go out without waiting until a lone `.`). Directives:
//! `%%nogreeting`, `%%pipeline` ... `%%end` (one write), `%%raw LITERAL`,
//! `%%rawnowait LITERAL`, `%%sleep S`, `%%expect-close`, `%%tls`, `%%# ...`.
//! Transcripts are `C: ` / `S: ` lines and `-- ` notes.

use crate::event::Event;
use crate::session::{Delivery, Session};
use crate::time::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A line, sent with CRLF.
    Line(Vec<u8>),
    /// Lines sent in one write.
    Pipeline(Vec<Vec<u8>>),
    /// Exact bytes; `wait` for a reply afterwards.
    Raw {
        bytes: Vec<u8>,
        wait: bool,
    },
    Sleep {
        millis: u64,
    },
    ExpectClose,
    Tls,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Script {
    /// Send before the greeting arrives.
    pub no_greeting: bool,
    pub steps: Vec<Step>,
}

/// Parses a Python string or bytes literal as `%%raw` takes it:
/// `b'...'`, `b"..."`, `'...'`, `"..."`, with `\n \r \t \\ \' \" \0 \xNN`.
pub fn parse_literal(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let body = text
        .strip_prefix('b')
        .or_else(|| text.strip_prefix('B'))
        .unwrap_or(text);
    let quote = body.chars().next().ok_or("empty literal")?;
    if !(quote == '\'' || quote == '"') || body.len() < 2 || !body.ends_with(quote) {
        return Err(format!("not a quoted literal: {text}"));
    }
    let inner = &body[1..body.len() - 1];
    let mut out = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buffer = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('\'') => out.push(b'\''),
            Some('"') => out.push(b'"'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let value = u8::from_str_radix(&hex, 16)
                    .map_err(|_| format!("bad \\x escape in {text}"))?;
                out.push(value);
            }
            Some(other) => {
                out.push(b'\\');
                let mut buffer = [0u8; 4];
                out.extend_from_slice(other.encode_utf8(&mut buffer).as_bytes());
            }
            None => out.push(b'\\'),
        }
    }
    Ok(out)
}

impl Script {
    /// Parses a script. Errors name the line.
    pub fn parse(text: &[u8]) -> Result<Script, String> {
        let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        if lines.last() == Some(&&b""[..]) {
            lines.pop();
        }
        let lines: Vec<&[u8]> = lines
            .into_iter()
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        let mut script = Script::default();
        let mut index = 0;
        if lines.first().map(|l| l.trim_ascii()) == Some(&b"%%nogreeting"[..]) {
            script.no_greeting = true;
            index = 1;
        }
        while index < lines.len() {
            let line = lines[index];
            index += 1;
            let directive = match line.strip_prefix(b"%%") {
                Some(rest) => String::from_utf8_lossy(rest).trim().to_string(),
                None => {
                    script.steps.push(Step::Line(line.to_vec()));
                    continue;
                }
            };
            let (word, rest) = directive
                .split_once(' ')
                .unwrap_or((directive.as_str(), ""));
            let step = match word {
                _ if word.starts_with('#') => continue,
                "nogreeting" => continue,
                "sleep" => Step::Sleep {
                    millis: milliseconds(rest.trim())
                        .ok_or_else(|| format!("line {index}: %%sleep needs seconds"))?,
                },
                "tls" => Step::Tls,
                "expect-close" => Step::ExpectClose,
                "raw" | "rawnowait" => Step::Raw {
                    bytes: parse_literal(rest).map_err(|e| format!("line {index}: {e}"))?,
                    wait: word == "raw",
                },
                "pipeline" => {
                    let mut block = Vec::new();
                    while index < lines.len() && lines[index].trim_ascii() != b"%%end" {
                        block.push(lines[index].to_vec());
                        index += 1;
                    }
                    index += 1;
                    Step::Pipeline(block)
                }
                _ => return Err(format!("line {index}: unknown directive %%{word}")),
            };
            script.steps.push(step);
        }
        Ok(script)
    }
}

/// Bytes as the transcript shows them: UTF-8 kept, invalid bytes and
/// control characters (not TAB) escaped as `\xNN`, `\r`, `\n`.
pub fn show(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push('\t'),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Python's `repr` of a bytes value, as the driver's notes print it.
pub fn python_bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ if b == quote as u8 => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}

/// The result of a replay.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    pub transcript: Vec<String>,
    pub deliveries: Vec<Delivery>,
    /// Simulated time spent in pauses, in milliseconds.
    pub paused_millis: u64,
}

struct Player {
    session: Session,
    now: Timestamp,
    replay: Replay,
    closed: bool,
    last_code: Option<u16>,
    data_mode: bool,
    /// The server answered STARTTLS and waits for a handshake.
    tls_requested: bool,
    /// What the server does after a pause that follows a reply: a client
    /// that has its reply sends its next line meanwhile, so these come
    /// after that line.
    late: Vec<Event>,
    /// The server has closed its end.
    server_closed: bool,
    /// The server closed with input it never read, so the connection is
    /// reset; the client learns it on its next read.
    reset_pending: bool,
}

impl Player {
    fn apply(&mut self, actions: Vec<Event>) {
        for action in actions {
            match action {
                Event::Reply(reply) => {
                    for line in reply.render() {
                        self.replay
                            .transcript
                            .push(format!("S: {}", show(line.as_bytes())));
                    }
                    self.last_code = Some(reply.code);
                }
                Event::Pause { millis } | Event::GreetingPause { millis } => {
                    self.replay.paused_millis += millis;
                    self.now = self.now.plus_millis(millis);
                }
                Event::Deliver(delivery) => self.replay.deliveries.push(delivery),
                Event::Notice(text) => self.replay.transcript.push(format!("-- {text}")),
                Event::StartTls => self.tls_requested = true,
                Event::Close => self.server_closed = true,
                // An SMTP session sends no POP3 or IMAP lines and asks the store
                // only to deliver.
                _ => {}
            }
        }
    }

    /// The client reads and finds the connection closed: an orderly end,
    /// or a reset when the server left input unread.
    fn notice_close(&mut self, reset: bool) {
        if self.closed {
            return;
        }
        self.closed = true;
        // Inside TLS the server's close_notify arrives before any reset:
        // the client reads an orderly end.
        if reset && !self.session.in_tls() {
            self.replay
                .transcript
                .push("-- recv error: [Errno 104] Connection reset by peer".to_string());
        }
        self.replay
            .transcript
            .push("-- connection closed by server".to_string());
    }

    fn send(&mut self, data: &[u8]) -> bool {
        self.send_timed(data, true)
    }

    /// Sends `data`, as the corpus driver does, and notes what it reads.
    ///
    /// The server's actions run on its own clock: a reply followed by a
    /// pause is what the client reads, and the client sends its next line
    /// during the pause, so what comes after the pause comes after that
    /// line (`timed`; a pipelined write instead drains everything). A
    /// server that closes with input it never read resets the connection,
    /// which the client notices on its next read.
    fn send_timed(&mut self, data: &[u8], timed: bool) -> bool {
        if self.closed {
            self.replay.transcript.push(format!(
                "-- not sent (connection closed): {}",
                python_bytes_repr(data)
            ));
            return false;
        }
        if self.server_closed && self.late.is_empty() && !self.reset_pending {
            // An orderly close: the client sees the end before it writes.
            self.notice_close(false);
            return self.send_timed(data, timed);
        }
        let mut pieces: Vec<&[u8]> = split_crlf(data);
        if pieces.last() == Some(&&b""[..]) {
            pieces.pop();
        }
        for piece in pieces {
            self.replay.transcript.push(format!("C: {}", show(piece)));
        }
        if !data.ends_with(b"\r\n") {
            let tail = &data[data.len().saturating_sub(40)..];
            self.replay.transcript.push(format!(
                "-- previous client data sent WITHOUT trailing CRLF: {}",
                python_bytes_repr(tail)
            ));
        }
        self.last_code = None;
        if self.reset_pending {
            // Reset after the last reply was read: this read finds it.
            self.reset_pending = false;
            self.notice_close(true);
            return true;
        }
        if !self.late.is_empty() {
            // The server was pausing: this line reaches it unread, and
            // whatever it does after the pause answers the line.
            let late = std::mem::take(&mut self.late);
            let answered = late.iter().any(|a| matches!(a, Event::Reply(_)));
            self.apply(late);
            if self.server_closed {
                if answered {
                    self.reset_pending = true;
                } else {
                    // A server that read the line before it went away
                    // ends the connection in order.
                    self.notice_close(!self.session.drains_input_at_close());
                }
                return true;
            }
        }
        let mut actions = self.session.receive(data, self.now);
        if timed {
            let replied = actions.iter().position(|a| matches!(a, Event::Reply(_)));
            let paused = replied.and_then(|r| {
                actions[r..]
                    .iter()
                    .position(|a| matches!(a, Event::Pause { .. }))
                    .map(|p| p + r)
            });
            if let Some(split) = paused {
                self.late = actions.split_off(split);
            }
        }
        self.apply(actions);
        if self.server_closed && self.late.is_empty() && self.session.closed_with_unread_input() {
            self.reset_pending = true;
        }
        true
    }

    /// At the end of the script: what the driver reads before it hangs up.
    fn finish(&mut self) {
        let late = std::mem::take(&mut self.late);
        self.apply(late);
        if self.server_closed {
            let reset = std::mem::take(&mut self.reset_pending);
            self.notice_close(reset);
        }
    }
}

fn split_crlf(data: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index + 1 < data.len() {
        if data[index] == b'\r' && data[index + 1] == b'\n' {
            pieces.push(&data[start..index]);
            start = index + 2;
            index += 2;
        } else {
            index += 1;
        }
    }
    pieces.push(&data[start..]);
    pieces
}

/// Plays `script` against `session`, starting at `start`. Pauses the
/// server asks for advance the simulated clock instead of sleeping.
pub fn replay(session: Session, script: &Script, start: Timestamp) -> Replay {
    let mut player = Player {
        session,
        now: start,
        replay: Replay::default(),
        closed: false,
        last_code: None,
        data_mode: false,
        tls_requested: false,
        late: Vec::new(),
        server_closed: false,
        reset_pending: false,
    };
    let greeting = player.session.connect(player.now);
    let pause = greeting.iter().find_map(|a| match a {
        Event::GreetingPause { millis } => Some(*millis),
        _ => None,
    });
    let mut pending_greeting = pause;
    if pause.is_none() {
        if script.no_greeting {
            // The client writes before it reads: its first line comes
            // first in the transcript, then the greeting it finds.
            player.late = greeting;
        } else {
            player.apply(greeting);
        }
    }
    let greet_if_due = |player: &mut Player, pending: &mut Option<u64>| {
        if let Some(millis) = pending.take() {
            player.now = player.now.plus_millis(millis);
            player.replay.paused_millis += millis;
            let actions = player.session.greet(player.now);
            player.apply(actions);
        }
    };
    if !script.no_greeting {
        greet_if_due(&mut player, &mut pending_greeting);
    }
    for step in &script.steps {
        if player.closed && !matches!(step, Step::Line(_) | Step::Pipeline(_) | Step::Raw { .. }) {
            continue;
        }
        match step {
            Step::Line(line) => {
                let mut data = line.clone();
                data.extend_from_slice(b"\r\n");
                if !player.send(&data) {
                    break;
                }
                greet_if_due(&mut player, &mut pending_greeting);
                if player.data_mode {
                    if line.as_slice() == b"." {
                        player.data_mode = false;
                    }
                    continue;
                }
                if player.last_code == Some(354) {
                    player.data_mode = true;
                }
                // The driver stops once a read found the connection closed.
                if player.closed {
                    break;
                }
            }
            Step::Pipeline(block) => {
                let mut data = Vec::new();
                for line in block {
                    data.extend_from_slice(line);
                    data.extend_from_slice(b"\r\n");
                }
                if !player.send_timed(&data, false) {
                    break;
                }
                let late = std::mem::take(&mut player.late);
                player.apply(late);
                greet_if_due(&mut player, &mut pending_greeting);
                if player.last_code == Some(354) {
                    player.data_mode = true;
                }
            }
            Step::Raw { bytes, wait } => {
                if !player.send(bytes) {
                    break;
                }
                greet_if_due(&mut player, &mut pending_greeting);
                if *wait && !player.data_mode && player.last_code == Some(354) {
                    player.data_mode = true;
                }
            }
            Step::Sleep { millis } => {
                player.now = player.now.plus_millis(*millis);
                let late = std::mem::take(&mut player.late);
                player.apply(late);
            }
            Step::ExpectClose => player.finish(),
            Step::Tls => {
                if player.last_code != Some(220) || player.closed {
                    player.replay.transcript.push(
                        "-- TLS handshake skipped (STARTTLS was not answered 220)".to_string(),
                    );
                } else if std::mem::take(&mut player.tls_requested) {
                    // The replay stands for a client whose handshake works.
                    player
                        .replay
                        .transcript
                        .push("-- TLS established (simulated handshake)".to_string());
                    let actions = player.session.tls_started(player.now);
                    player.apply(actions);
                } else {
                    let actions = player.session.receive(b"\x16\x03\x01", player.now);
                    player.apply(actions);
                }
            }
        }
    }
    player.finish();
    if !player.closed {
        player
            .replay
            .transcript
            .push("-- client closes the connection".to_string());
    }
    player.replay
}

/// `1`, `0.5` or `2.25` seconds, in milliseconds (digits past the third
/// decimal are dropped).
fn milliseconds(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || whole.len() > 12 {
        return None;
    }
    let mut millis = whole.parse::<u64>().ok()? * 1000;
    let mut scale = 100;
    for digit in fraction.bytes().take(3) {
        millis += u64::from(digit - b'0') * scale;
        scale /= 10;
    }
    Some(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_takes_decimal_seconds() {
        let cases: &[(&str, Option<u64>)] = &[
            ("1", Some(1000)),
            ("0.5", Some(500)),
            ("2.25", Some(2250)),
            ("0.0015", Some(1)),
            ("10.", Some(10_000)),
            ("", None),
            (".5", None),
            ("-1", None),
            ("1e3", None),
            ("9999999999999", None),
        ];
        for (text, millis) in cases {
            assert_eq!(milliseconds(text), *millis, "{text:?}");
        }
    }

    #[test]
    fn parses_literals() {
        assert_eq!(
            parse_literal("b'NOOP bare-lf\\n'").unwrap(),
            b"NOOP bare-lf\n"
        );
        assert_eq!(parse_literal("b'\\xe9\\x00'").unwrap(), vec![0xe9, 0]);
        assert_eq!(parse_literal("\"é\"").unwrap(), "é".as_bytes());
        assert!(parse_literal("nope").is_err());
    }

    #[test]
    fn parses_directives() {
        let script =
            Script::parse(b"%%nogreeting\n%%pipeline\nEHLO x\n%%end\n%%# note\nQUIT\n").unwrap();
        assert!(script.no_greeting);
        assert_eq!(
            script.steps,
            vec![
                Step::Pipeline(vec![b"EHLO x".to_vec()]),
                Step::Line(b"QUIT".to_vec())
            ]
        );
        assert!(Script::parse(b"%%bogus\n").is_err());
    }

    #[test]
    fn shows_bytes_like_the_driver() {
        assert_eq!(show(b"a\nb\xe9\x00\t"), "a\\nb\\xe9\\x00\t");
        assert_eq!(python_bytes_repr(b"NOOP\r\n"), "b'NOOP\\r\\n'");
        assert_eq!(python_bytes_repr(b"it's"), "b\"it's\"");
    }
}
