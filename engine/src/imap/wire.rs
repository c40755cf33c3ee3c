//! Reading the wire: lines, literals and their limits, and the tagged
//! replies.

use super::*;

impl ImapSession {
    pub(super) fn line_limit(&self) -> usize {
        if self.logged_in() {
            self.server.line_limit
        } else {
            self.server.login_buffer
        }
    }

    /// Finds where the command at the start of the input ends. A line
    /// of it (between literals) longer than the server's buffer is
    /// [`Scan::TooLong`], however the input arrived.
    pub(super) fn scan(&mut self) -> Scan {
        self.unterminated = None;
        let limit = self.line_limit();
        let mut at = 0;
        let mut literal = 0;
        loop {
            // The login process parses as the bytes come and keeps only
            // the token it is reading: one token must fit its buffer, not
            // the whole line (imaptest's 31 KB `ID` of 1 KB strings).
            let streaming = !self.logged_in();
            let Some(newline) = self.input[at..].iter().position(|&b| b == b'\n') else {
                let pending = &self.input[at..];
                // Tokens already read are consumed; the one in progress
                // is held.
                let held = if streaming {
                    tokens(pending).1
                } else {
                    pending.len()
                };
                if held >= limit {
                    return Scan::TooLong(None);
                }
                self.unterminated = Some(at);
                return Scan::Incomplete;
            };
            let end = at + newline + 1;
            let held = if streaming {
                tokens(&self.input[at..end]).0
            } else {
                end - at
            };
            if held > limit {
                return Scan::TooLong(Some(end));
            }
            match literal_at_end(&self.input[at..end]) {
                None => return Scan::Complete(end),
                Some((size, plus)) => {
                    if !plus && literal >= self.acknowledged {
                        return Scan::NeedsContinuation(end);
                    }
                    let Some(after) = usize::try_from(size).ok().and_then(|s| end.checked_add(s))
                    else {
                        return Scan::Incomplete;
                    };
                    if after > self.input.len() {
                        return Scan::Incomplete;
                    }
                    at = after;
                    literal += 1;
                }
            }
        }
    }

    pub(super) fn process(&mut self, out: &mut Vec<Event>) {
        loop {
            match self.state {
                State::Closed | State::TlsHandshake | State::Opening { .. } => return,
                State::SaslResponse { .. } | State::Idle { .. } => {
                    let Some(newline) = self.input.iter().position(|&b| b == b'\n') else {
                        return;
                    };
                    let line: Vec<u8> = self.input.drain(..=newline).collect();
                    let line = String::from_utf8_lossy(line.trim_ascii_end()).into_owned();
                    match std::mem::replace(&mut self.state, State::NotAuthenticated) {
                        State::SaslResponse { tag } => self.sasl_response(&tag, &line, out),
                        State::Idle { tag } => {
                            self.state = State::Authenticated;
                            if line.eq_ignore_ascii_case("DONE") {
                                self.reply(&tag, ImapText::IdleCompleted, &[], out);
                            } else {
                                self.reply(&tag, ImapText::ExpectedDone, &[], out);
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                _ => {}
            }
            if self.skip_line {
                let Some(newline) = self.input.iter().position(|&b| b == b'\n') else {
                    self.input.clear();
                    return;
                };
                self.input.drain(..=newline);
                self.skip_line = false;
                continue;
            }
            match self.scan() {
                Scan::Incomplete => return,
                Scan::TooLong(end) => {
                    if !self.logged_in() {
                        out.push(Event::Line(ImapText::InputBufferFull.line("*", &[])));
                        self.close(out);
                        return;
                    }
                    // The command is dropped up to the end of that line.
                    match end {
                        Some(end) => {
                            self.input.drain(..end);
                        }
                        None => {
                            self.input.clear();
                            self.skip_line = true;
                        }
                    }
                    self.acknowledged = 0;
                    let text = ImapText::TagError
                        .status_and_text(&[&"Too long argument."])
                        .1;
                    self.tagged_error("*", &text, out);
                }
                Scan::NeedsContinuation(line_end) => {
                    match self.before_literal(line_end) {
                        Ok(()) => {
                            self.acknowledged += 1;
                            out.push(Event::Line(ImapText::Continue.line("+", &[&"OK"])));
                        }
                        Err((tag, reply, value)) => {
                            self.input.drain(..line_end);
                            if reply == ImapText::TryCreate {
                                // Dovecot looked the mailbox up in its list,
                                // which refreshes INBOX.
                                let _ = self.indexed("INBOX", true, out);
                            }
                            self.acknowledged = 0;
                            self.reply(&tag, reply, &[&value], out);
                        }
                    }
                }
                Scan::Complete(end) => {
                    let command: Vec<u8> = self.input.drain(..end).collect();
                    self.acknowledged = 0;
                    self.command(&command, out);
                }
            }
        }
    }

    /// Before `+ OK` for a literal: a command the server refuses before
    /// reading its literal gets its answer now: (tag, status, text).
    pub(super) fn before_literal(&self, line_end: usize) -> Result<(), (String, ImapText, String)> {
        let line = &self.input[..line_end];
        let (tag, rest) = split_word(line);
        let (name, rest) = split_word(rest);
        let tag = String::from_utf8_lossy(tag).into_owned();
        let name = String::from_utf8_lossy(name).to_ascii_uppercase();
        if !self.logged_in() || !valid_tag(tag.as_bytes()) {
            return Ok(());
        }
        if !is_command(&name) {
            let text = ImapText::CommandError.status_and_text(&[&name, &"Unknown command."]);
            return Err((tag, ImapText::CommandBad, text.1));
        }
        if name == "APPEND" {
            // The mailbox is checked before the message is read.
            let announced = rest.iter().rposition(|&b| b == b'{').unwrap_or(rest.len());
            let Ok(args) = arguments(&rest[..announced]) else {
                return Ok(());
            };
            if let Some(mailbox) = args.first().and_then(Arg::text) {
                if self.mailbox_name(&mailbox).is_none() {
                    return Err((tag, ImapText::TryCreate, mailbox));
                }
            }
        }
        Ok(())
    }

    /// A tagged reply from the catalogue, values filled in; after login
    /// with Dovecot's timing.
    pub(super) fn reply(
        &self,
        tag: &str,
        text: ImapText,
        values: &[&dyn std::fmt::Display],
        out: &mut Vec<Event>,
    ) {
        let (status, text) = text.status_and_text(values);
        self.tagged(tag, &status, &text, out);
    }

    /// A tagged reply; after login with Dovecot's timing.
    pub(super) fn tagged(&self, tag: &str, status: &str, text: &str, out: &mut Vec<Event>) {
        let text =
            if self.logged_in() || matches!(self.state, State::Closed) && !self.user.is_empty() {
                format!("{} {TIMING}.", text.strip_suffix('.').unwrap_or(text))
            } else {
                text.to_string()
            };
        out.push(Event::Line(format!("{tag} {status} {text}")));
    }

    /// Dovecot's `Error in IMAP command NAME: REASON`, a BAD that counts
    /// towards the limit.
    pub(super) fn command_error(
        &mut self,
        tag: &str,
        name: &str,
        reason: &str,
        out: &mut Vec<Event>,
    ) {
        let (_, text) = ImapText::CommandError.status_and_text(&[&name, &reason]);
        self.tagged_error(tag, &text, out);
    }

    /// A BAD for a command that could not be parsed; too many in a row end
    /// the session.
    pub(super) fn tagged_error(&mut self, tag: &str, text: &str, out: &mut Vec<Event>) {
        if self.logged_in() {
            self.tagged(tag, "BAD", text, out);
            self.bad_commands += 1;
            if self.bad_commands >= self.server.bad_commands {
                out.push(Event::Line(ImapText::TooManyInvalidCommands.line("*", &[])));
                self.finish(out);
                self.close(out);
            }
        } else {
            self.bad_commands += 1;
            if self.bad_commands >= self.server.login_bad_commands {
                out.push(Event::Line(ImapText::TooManyInvalidCommands.line("*", &[])));
                self.close(out);
                return;
            }
            out.push(Event::Line(ImapText::CommandNotUnderstood.line(tag, &[])));
        }
    }
}

pub(super) fn split_word(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes
        .iter()
        .position(|&b| b == b' ' || b == b'\r' || b == b'\n')
    {
        Some(at) if bytes[at] == b' ' => (&bytes[..at], &bytes[at + 1..]),
        Some(at) => (&bytes[..at], &bytes[at..]),
        None => (bytes, &[]),
    }
}

/// The longest token of a line as the login process's parser holds it (an
/// atom, or a quoted string with its quotes; the line's end counts with
/// the last token), and the length of the token still in progress.
fn tokens(line: &[u8]) -> (usize, usize) {
    let (mut longest, mut current, mut quoted, mut escaped) = (0, 0, false, false);
    for &b in line {
        let separator = !quoted && matches!(b, b' ' | b'(' | b')');
        if separator {
            longest = longest.max(current);
            current = 0;
            continue;
        }
        current += 1;
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => {
                quoted = !quoted;
                if !quoted {
                    longest = longest.max(current);
                    current = 0;
                }
            }
            _ => {}
        }
    }
    (longest.max(current), current)
}
