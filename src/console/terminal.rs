//! The terminal: keys in, scrollback out, with a shell and a telnet client
//! in between and the simulated mail server behind telnet.
//!
//! Time and waiting belong to the caller: methods take the current time,
//! and return how long to wait (for a server pause) before calling
//! [`Terminal::resume`]. With timing off, pauses are skipped.

use std::collections::VecDeque;
use std::sync::Arc;

use smtplab_engine::{Action, Connection, Personality, Session, Timestamp, World};

use super::editor::LineEditor;
use super::history::History;
pub use super::log::LogEvent;
use super::log::LOG_LIMIT;
use super::mailbox::{self, Mailboxes};
use super::saved::{Saved, SavedLine, FORMAT_VERSION, SAVED_LINES};
use super::scrollback::{Line, LineKind, ReplyTag, Scrollback};
use super::shell::{self, COMMANDS, SMTP_VERBS};
use super::telnet::{self, Target};

/// A key as the terminal understands it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    Up,
    Down,
    Tab,
    /// Ctrl with a letter, or `]` for the telnet escape.
    Ctrl(char),
}

/// What the terminal is doing.
#[derive(Debug)]
enum Mode {
    Shell,
    /// Connected: lines typed go to the server.
    Connected,
    /// The `telnet> ` command prompt (Ctrl+] or `telnet` alone).
    TelnetCommand,
    /// Reading a mailbox with `mail`: the user, and the current message.
    Mail {
        user: String,
        current: usize,
    },
    /// `reset` asked for confirmation.
    ConfirmReset,
}

/// A step still to carry out, in order.
#[derive(Debug)]
enum Pending {
    Engine(Action),
    /// The greeting pause is over: ask the server for its banner.
    Greet,
}

pub struct Terminal {
    pub scrollback: Scrollback,
    editor: LineEditor,
    history: History,
    mode: Mode,
    session: Option<Session>,
    /// The name telnet shows for the connected host.
    connected_to: String,
    world: Arc<World>,
    personality: &'static Personality,
    /// Delivered mail, by user: mbox text.
    pub mailboxes: Mailboxes,
    pending: VecDeque<Pending>,
    /// Whether server pauses are honoured (off only for tests).
    pub timing: bool,
    process_id: u32,
    /// Incremented on every change the view must show.
    pub version: u64,
    /// Counts deliveries, for the mailbox panel.
    pub deliveries: u64,
    /// Changes whenever something worth saving does.
    pub generation: u64,
    /// The person confirmed `reset`: the app starts over.
    pub reset_requested: bool,
    /// What happened, for exercises.
    pub log: VecDeque<LogEvent>,
    /// How many events were ever logged (the oldest are let go).
    pub logged: u64,
    /// Every line entered (a paste of several lines is one entry), for
    /// share links and replays.
    pub typed: Vec<String>,
    chunks_sent: u32,
    pending_wait: Option<u64>,
}

const SHELL_PROMPT: &str = "$ ";
const TELNET_PROMPT: &str = "telnet> ";
const MAIL_PROMPT: &str = "? ";
const RESET_PROMPT: &str =
    "Start over? This clears the screen, history, mailboxes and settings. [y/N] ";
const USER: &str = "learner";
/// The most lines `seq` prints.
const SEQ_LIMIT: u64 = 200_000;

impl Terminal {
    pub fn new(world: World, personality: &'static Personality, seed: u32) -> Terminal {
        Terminal {
            scrollback: Scrollback::default(),
            editor: LineEditor::default(),
            history: History::default(),
            mode: Mode::Shell,
            session: None,
            connected_to: String::new(),
            world: Arc::new(world),
            personality,
            mailboxes: Mailboxes::default(),
            pending: VecDeque::new(),
            timing: true,
            process_id: 10_000 + seed % 80_000,
            version: 0,
            deliveries: 0,
            generation: 0,
            reset_requested: false,
            log: VecDeque::new(),
            logged: 0,
            typed: Vec::new(),
            chunks_sent: 0,
            pending_wait: None,
        }
    }

    fn record(&mut self, event: LogEvent) {
        self.logged += 1;
        self.log.push_back(event);
        if self.log.len() > LOG_LIMIT {
            self.log.pop_front();
        }
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn personality(&self) -> &'static Personality {
        self.personality
    }

    /// Applies to the next connection; the current one keeps its server.
    pub fn configure(&mut self, world: World, personality: &'static Personality) {
        self.world = Arc::new(world);
        self.personality = personality;
    }

    #[cfg(test)]
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The state worth keeping across a reload.
    pub fn to_saved(&self) -> Saved {
        let skip = self.scrollback.len().saturating_sub(SAVED_LINES);
        Saved {
            version: FORMAT_VERSION,
            transcript: self
                .scrollback
                .lines()
                .skip(skip)
                .map(|line| SavedLine {
                    kind: kind_name(line.kind).to_string(),
                    text: line.text.clone(),
                })
                .collect(),
            history: self.history.entries().to_vec(),
            mailboxes: self
                .mailboxes
                .iter()
                .map(|(user, mbox)| (user.clone(), String::from_utf8_lossy(mbox).into_owned()))
                .collect(),
            world: (*self.world).clone(),
            personality: self.personality.id.to_string(),
            timing: self.timing,
        }
    }

    /// Puts a saved state back. The connection itself is not restored: a
    /// reload is a new terminal, as closing a real one would be.
    pub fn restore(&mut self, saved: Saved) {
        self.scrollback.clear();
        for line in saved.transcript {
            self.scrollback.push(kind_from_name(&line.kind), line.text);
        }
        self.history = History::from_entries(saved.history);
        self.mailboxes.clear();
        for (user, mbox) in saved.mailboxes {
            *self.mailboxes.open(&user) = mbox.into_bytes();
        }
        self.world = Arc::new(saved.world);
        if let Some(personality) = Personality::by_id(&saved.personality) {
            self.personality = personality;
        }
        self.timing = saved.timing;
        self.version += 1;
    }

    /// The session as a `C:`/`S:` transcript, with `-- ` notes for the
    /// shell and telnet lines around it.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for line in self.scrollback.lines() {
            let prefix = match line.kind {
                LineKind::Client => "C: ",
                LineKind::Server => "S: ",
                LineKind::Notice => continue,
                _ => "-- ",
            };
            out.push_str(prefix);
            out.push_str(&line.text);
            out.push('\n');
        }
        out
    }

    /// The lines sent to the server in the last connection, as a script
    /// `smtplab replay` plays (pasted chunks become `%%pipeline` blocks).
    pub fn script(&self) -> String {
        let start = self
            .log
            .iter()
            .rposition(|e| matches!(e, LogEvent::Connected { .. }))
            .map(|i| i + 1)
            .unwrap_or(0);
        let sent: Vec<(&str, u32)> = self
            .log
            .iter()
            .skip(start)
            .filter_map(|e| match e {
                LogEvent::Sent { line, chunk } => Some((line.as_str(), *chunk)),
                _ => None,
            })
            .collect();
        let mut out = String::new();
        let mut index = 0;
        while index < sent.len() {
            let chunk = sent[index].1;
            let end = sent[index..]
                .iter()
                .take_while(|(_, c)| *c == chunk)
                .count()
                + index;
            if end - index > 1 {
                out.push_str("%%pipeline\n");
                for (line, _) in &sent[index..end] {
                    out.push_str(line);
                    out.push('\n');
                }
                out.push_str("%%end\n");
            } else {
                out.push_str(sent[index].0);
                out.push('\n');
            }
            index = end;
        }
        out
    }

    /// Adds a line from outside the terminal (the app's own messages).
    pub fn notice(&mut self, text: &str) {
        self.print(LineKind::Notice, text.to_string());
        self.version += 1;
    }

    pub fn prompt(&self) -> &'static str {
        match self.mode {
            Mode::Shell => SHELL_PROMPT,
            Mode::Connected => "",
            Mode::TelnetCommand => TELNET_PROMPT,
            Mode::Mail { .. } => MAIL_PROMPT,
            Mode::ConfirmReset => RESET_PROMPT,
        }
    }

    pub fn input(&self) -> String {
        self.editor.text()
    }

    pub fn cursor(&self) -> usize {
        self.editor.cursor()
    }

    #[cfg(test)]
    pub fn is_connected(&self) -> bool {
        self.session.is_some()
    }

    /// Whether the server is still working (a pause is running).
    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    fn print(&mut self, kind: LineKind, text: impl Into<String>) {
        self.scrollback.push(kind, text);
        self.generation += 1;
    }

    /// A key press. Returns a pause to wait before [`Terminal::resume`].
    pub fn press(&mut self, key: Key, now: Timestamp) -> Option<u64> {
        self.version += 1;
        match key {
            Key::Char(c) => self.editor.insert(&c.to_string()),
            Key::Backspace => self.editor.backspace(),
            Key::Delete | Key::Ctrl('d') if !self.editor.is_empty() => self.editor.delete(),
            Key::Delete => {}
            Key::Left | Key::Ctrl('b') => self.editor.left(),
            Key::Right | Key::Ctrl('f') => self.editor.right(),
            Key::Home | Key::Ctrl('a') => self.editor.home(),
            Key::End | Key::Ctrl('e') => self.editor.end(),
            Key::Ctrl('u') => self.editor.kill_to_start(),
            Key::Ctrl('k') => self.editor.kill_to_end(),
            Key::Ctrl('w') => self.editor.kill_word(),
            Key::Ctrl('l') => self.scrollback.clear(),
            Key::Up => {
                let current = self.editor.text();
                if let Some(line) = self.history.previous(&current).map(str::to_string) {
                    self.editor.set(&line);
                }
            }
            Key::Down => {
                if let Some(line) = self.history.next().map(str::to_string) {
                    self.editor.set(&line);
                }
            }
            Key::Tab => self.complete(),
            Key::Ctrl('c') => {
                let line = format!("{}{}^C", self.prompt(), self.editor.take());
                self.print(LineKind::Input, line);
                if matches!(self.mode, Mode::TelnetCommand) && self.session.is_some() {
                    self.mode = Mode::Connected;
                }
            }
            Key::Ctrl('d') => return self.end_of_input(now),
            Key::Ctrl(']') => {
                if !matches!(self.mode, Mode::TelnetCommand) && self.session.is_some() {
                    let typed = self.editor.take();
                    self.print(LineKind::Input, format!("{typed}^]"));
                    self.mode = Mode::TelnetCommand;
                }
            }
            Key::Ctrl(_) => {}
            Key::Enter => {
                let line = self.editor.take();
                return self.enter(&line, now);
            }
        }
        None
    }

    /// Text pasted or typed in one go: several lines are sent to the
    /// server as one chunk (pipelined), as a terminal sends a paste.
    pub fn paste(&mut self, text: &str, now: Timestamp) -> Option<u64> {
        self.version += 1;
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        if !text.contains('\n') {
            self.editor.insert(&text);
            return None;
        }
        let mut lines: Vec<&str> = text.split('\n').collect();
        let unfinished = lines.pop().unwrap_or("");
        if matches!(self.mode, Mode::Connected) && self.session.is_some() {
            self.typed
                .push(format!("{}{}", self.editor.text(), lines.join("\n")) + "\n");
            let mut chunk = Vec::new();
            let first = self.editor.take();
            for (index, line) in lines.iter().enumerate() {
                let line = if index == 0 {
                    format!("{first}{line}")
                } else {
                    line.to_string()
                };
                self.print(LineKind::Client, line.clone());
                chunk.extend_from_slice(line.as_bytes());
                chunk.extend_from_slice(b"\r\n");
            }
            self.editor.insert(unfinished);
            return self.send(&chunk, now);
        }
        let mut wait = None;
        for line in lines {
            self.editor.insert(line);
            let typed = self.editor.take();
            wait = self.enter(&typed, now).or(wait);
        }
        self.editor.insert(unfinished);
        wait
    }

    fn complete(&mut self) {
        let line = self.editor.text();
        let completed = match self.mode {
            Mode::Shell => {
                let names: Vec<&str> = COMMANDS.iter().map(|(name, _)| *name).collect();
                shell::complete(&line, &names, false)
            }
            Mode::Connected => shell::complete(&line, SMTP_VERBS, true),
            Mode::TelnetCommand => {
                shell::complete(&line, &["close", "open", "quit", "status", "help"], false)
            }
            Mode::Mail { .. } | Mode::ConfirmReset => None,
        };
        if let Some(completed) = completed {
            self.editor.set(&completed);
        }
    }

    fn end_of_input(&mut self, now: Timestamp) -> Option<u64> {
        match self.mode {
            Mode::Shell => {
                // A login shell would log out; this one stays, and says so.
                self.print(LineKind::Input, SHELL_PROMPT.to_string());
                self.print(
                    LineKind::Notice,
                    "(Ctrl+D would log out of this shell; the simulator keeps it open.)",
                );
                None
            }
            // Telnet in line mode sends end-of-file as nothing: the line
            // is still being typed. An empty Ctrl+D does nothing visible.
            Mode::Connected => None,
            Mode::TelnetCommand => {
                self.print(LineKind::Input, TELNET_PROMPT.to_string());
                self.quit_telnet(now);
                None
            }
            Mode::Mail { .. } => {
                self.print(LineKind::Input, MAIL_PROMPT.to_string());
                self.mode = Mode::Shell;
                None
            }
            Mode::ConfirmReset => {
                self.print(LineKind::Input, RESET_PROMPT.to_string());
                self.mode = Mode::Shell;
                None
            }
        }
    }

    fn enter(&mut self, line: &str, now: Timestamp) -> Option<u64> {
        self.typed.push(line.to_string());
        match self.mode {
            Mode::Shell => {
                self.print(LineKind::Input, format!("{SHELL_PROMPT}{line}"));
                self.history.push(line);
                if !line.trim().is_empty() {
                    self.record(LogEvent::Shell {
                        line: line.trim().to_string(),
                    });
                }
                self.run_shell(line, now)
            }
            Mode::Connected => {
                self.print(LineKind::Client, line.to_string());
                if !self.session.as_ref().is_some_and(Session::in_data) {
                    self.history.push(line);
                }
                let mut data = line.as_bytes().to_vec();
                data.extend_from_slice(b"\r\n");
                self.send(&data, now)
            }
            Mode::TelnetCommand => {
                self.print(LineKind::Input, format!("{TELNET_PROMPT}{line}"));
                self.telnet_command(line, now)
            }
            Mode::Mail { .. } => {
                self.print(LineKind::Input, format!("{MAIL_PROMPT}{line}"));
                self.mail_command(line);
                None
            }
            Mode::ConfirmReset => {
                self.print(LineKind::Input, format!("{RESET_PROMPT}{line}"));
                if line.trim().eq_ignore_ascii_case("y") || line.trim().eq_ignore_ascii_case("yes")
                {
                    self.reset_requested = true;
                } else {
                    self.print(LineKind::Output, "Nothing was cleared.");
                }
                self.mode = Mode::Shell;
                None
            }
        }
    }

    fn run_shell(&mut self, line: &str, now: Timestamp) -> Option<u64> {
        let words = shell::words(line);
        let command = words.first()?;
        match command.as_str() {
            "telnet" => {
                if words.len() == 1 {
                    self.mode = Mode::TelnetCommand;
                    return None;
                }
                let port = words.get(2).map(String::as_str).unwrap_or("telnet");
                return self.open(&words[1], port, now);
            }
            "help" => {
                self.print(LineKind::Output, "Commands:");
                for (_, text) in COMMANDS {
                    self.print(LineKind::Output, format!("  {text}"));
                }
                self.print(
                    LineKind::Output,
                    "Inside telnet, type SMTP commands: HELO, MAIL FROM:, RCPT TO:, DATA, QUIT ...",
                );
            }
            "clear" => self.scrollback.clear(),
            "whoami" => self.print(LineKind::Output, USER),
            "hostname" => {
                let name = self.world.client.name.clone();
                self.print(LineKind::Output, name);
            }
            "history" => {
                let entries: Vec<String> = self.history.entries().to_vec();
                for (index, entry) in entries.iter().enumerate() {
                    self.print(LineKind::Output, format!("{:5}  {entry}", index + 1));
                }
            }
            "ls" => self.list_mail(&words[1..]),
            "mail" | "mailx" => self.open_mail(&words[1..]),
            "seq" => self.seq(&words[1..]),
            "reset" => self.mode = Mode::ConfirmReset,
            "echo" => {
                let text = words[1..].join(" ");
                self.print(LineKind::Output, text);
            }
            "cat" => self.cat(&words[1..]),
            _ => {
                self.print(
                    LineKind::Error,
                    format!("bash: {command}: command not found"),
                );
            }
        }
        None
    }

    fn list_mail(&mut self, arguments: &[String]) {
        match arguments.first().map(|a| a.trim_end_matches('/')) {
            Some("/var/mail") | Some("/var/spool/mail") => {
                let names: Vec<String> = self.mailboxes.keys().cloned().collect();
                if !names.is_empty() {
                    self.print(LineKind::Output, names.join("  "));
                }
            }
            None | Some(".") | Some("~") => {}
            Some(other) => self.print(
                LineKind::Error,
                format!("ls: cannot access '{other}': No such file or directory"),
            ),
        }
    }

    fn seq(&mut self, arguments: &[String]) {
        let numbers: Vec<u64> = arguments.iter().filter_map(|a| a.parse().ok()).collect();
        let (first, last) = match numbers.as_slice() {
            [last] => (1, *last),
            [first, last] => (*first, *last),
            _ => {
                self.print(LineKind::Error, "seq: usage: seq [FIRST] LAST");
                return;
            }
        };
        let last = last.min(first.saturating_add(SEQ_LIMIT - 1));
        for n in first..=last {
            self.scrollback.push(LineKind::Output, n.to_string());
        }
        self.generation += 1;
    }

    /// `mail USER`, `mail -u USER` or `mail -f /var/mail/USER`.
    fn open_mail(&mut self, arguments: &[String]) {
        let user = match arguments {
            [] => USER.to_string(),
            [flag, value] if flag == "-u" => value.clone(),
            [flag, path] if flag == "-f" => path.rsplit('/').next().unwrap_or("").to_string(),
            [name] => name.clone(),
            _ => {
                self.print(LineKind::Error, "usage: mail [-u USER | -f /var/mail/USER]");
                return;
            }
        };
        let count = self.messages_of(&user).len();
        if count == 0 {
            self.print(LineKind::Output, format!("No mail for {user}"));
            return;
        }
        self.mode = Mode::Mail {
            user: user.clone(),
            current: 1,
        };
        self.mail_headers(&user);
    }

    fn messages_of(&self, user: &str) -> Vec<mailbox::Message> {
        self.mailboxes
            .get(user)
            .map(|mbox| mailbox::messages(mbox))
            .unwrap_or_default()
    }

    fn mail_headers(&mut self, user: &str) {
        let messages = self.messages_of(user);
        let plural = if messages.len() == 1 { "" } else { "s" };
        self.print(
            LineKind::Output,
            format!("\"/var/mail/{user}\": {} message{plural}", messages.len()),
        );
        for (index, message) in messages.iter().enumerate() {
            let from = message.header("From").unwrap_or_default();
            let subject = message.header("Subject").unwrap_or_default();
            let date: String = message
                .envelope
                .split("  ")
                .nth(1)
                .unwrap_or("")
                .chars()
                .take(16)
                .collect();
            let from: String = from.chars().take(20).collect();
            self.print(
                LineKind::Output,
                format!(" {:>3} {from:<20} {date:<16}  {subject}", index + 1),
            );
        }
        self.print(
            LineKind::Notice,
            "Type a message number to read it, h for this list, q to quit.",
        );
    }

    fn mail_command(&mut self, line: &str) {
        let Mode::Mail { user, current } = &self.mode else {
            return;
        };
        let (user, current) = (user.clone(), *current);
        let messages = self.messages_of(&user);
        let command = line.trim();
        let show = match command {
            "q" | "quit" | "x" | "exit" => {
                self.mode = Mode::Shell;
                return;
            }
            "h" | "headers" => {
                self.mail_headers(&user);
                return;
            }
            "?" | "help" => {
                self.print(LineKind::Output, "NUMBER  read that message");
                self.print(LineKind::Output, "ENTER   read the next message");
                self.print(LineKind::Output, "h       list the messages");
                self.print(LineKind::Output, "q       quit");
                return;
            }
            "" | "n" | "next" => current,
            number => match number.parse::<usize>() {
                Ok(n) if (1..=messages.len()).contains(&n) => n,
                _ => {
                    self.print(
                        LineKind::Error,
                        format!("{command}: invalid message number"),
                    );
                    return;
                }
            },
        };
        let Some(message) = messages.get(show - 1) else {
            self.print(LineKind::Output, "At EOF");
            return;
        };
        self.print(LineKind::Output, format!("Message {show}:"));
        self.print(LineKind::Output, message.envelope.clone());
        for header in &message.headers {
            self.print(LineKind::Output, header.text.clone());
        }
        self.print(LineKind::Output, "");
        for line in message.body.lines() {
            self.print(LineKind::Output, line.to_string());
        }
        self.mode = Mode::Mail {
            user,
            current: show + 1,
        };
    }

    fn cat(&mut self, arguments: &[String]) {
        for path in arguments {
            let user = path
                .strip_prefix("/var/mail/")
                .or_else(|| path.strip_prefix("/var/spool/mail/"));
            match user.and_then(|u| self.mailboxes.get(u)) {
                Some(mbox) => {
                    let text = String::from_utf8_lossy(mbox).into_owned();
                    for line in text.lines() {
                        self.print(LineKind::Output, line.to_string());
                    }
                }
                None => self.print(
                    LineKind::Error,
                    format!("cat: {path}: No such file or directory"),
                ),
            }
        }
    }

    fn telnet_command(&mut self, line: &str, now: Timestamp) -> Option<u64> {
        let words = shell::words(line);
        let command = words
            .first()
            .map(|w| w.to_ascii_lowercase())
            .unwrap_or_default();
        match command.as_str() {
            "" => {
                if self.session.is_some() {
                    self.mode = Mode::Connected;
                }
            }
            "quit" | "q" => self.quit_telnet(now),
            "close" | "c" => {
                if self.session.is_some() {
                    self.hang_up(now);
                    self.print(LineKind::Output, telnet::CONNECTION_CLOSED);
                    self.mode = Mode::Shell;
                } else {
                    self.print(LineKind::Output, "?Need to be connected first.");
                }
            }
            "status" | "st" => {
                if self.session.is_some() {
                    let name = self.connected_to.clone();
                    self.print(LineKind::Output, telnet::connected(&name));
                    self.print(LineKind::Output, "Operating in obsolete linemode");
                    self.print(LineKind::Output, "Local character echo");
                    self.print(LineKind::Output, telnet::ESCAPE_HINT);
                    self.mode = Mode::Connected;
                } else {
                    self.print(LineKind::Output, "No connection.");
                    self.print(LineKind::Output, telnet::ESCAPE_HINT);
                }
            }
            "help" | "?" | "h" => {
                for text in telnet::COMMAND_HELP {
                    self.print(LineKind::Output, *text);
                }
            }
            "open" | "o" => {
                if self.session.is_some() {
                    let name = self.connected_to.clone();
                    self.print(LineKind::Output, format!("?Already connected to {name}"));
                } else if let Some(host) = words.get(1) {
                    let port = words
                        .get(2)
                        .cloned()
                        .unwrap_or_else(|| "telnet".to_string());
                    let host = host.clone();
                    return self.open(&host, &port, now);
                } else {
                    self.print(
                        LineKind::Output,
                        "usage: open [-l user] [-a] host-name [port]",
                    );
                }
            }
            _ => self.print(LineKind::Output, "?Invalid command"),
        }
        None
    }

    fn quit_telnet(&mut self, now: Timestamp) {
        if self.session.is_some() {
            self.hang_up(now);
            self.print(LineKind::Output, telnet::CONNECTION_CLOSED);
        }
        self.mode = Mode::Shell;
    }

    /// The client closes: the server notices, nothing more is shown.
    fn hang_up(&mut self, now: Timestamp) {
        if let Some(mut session) = self.session.take() {
            session.disconnect(now);
            self.record(LogEvent::Closed);
        }
        self.pending.clear();
    }

    fn open(&mut self, host: &str, port: &str, now: Timestamp) -> Option<u64> {
        match telnet::resolve(&self.world, host, port) {
            Target::BadPort => {
                self.print(LineKind::Error, format!("telnet: {port}: bad port number"));
                self.mode = Mode::Shell;
                None
            }
            Target::Unknown => {
                self.print(LineKind::Error, telnet::lookup_failure(host, port));
                self.mode = Mode::Shell;
                None
            }
            Target::Refused { address } => {
                self.print(LineKind::Output, telnet::trying(&address));
                for line in telnet::REFUSED {
                    self.print(LineKind::Error, line);
                }
                self.mode = Mode::Shell;
                None
            }
            Target::MailServer {
                address,
                shown_name,
            } => {
                self.print(LineKind::Output, telnet::trying(&address));
                self.print(LineKind::Output, telnet::connected(&shown_name));
                self.print(LineKind::Output, telnet::ESCAPE_HINT);
                self.process_id = self.process_id % 999_000 + 1 + (now.unix_seconds as u32 % 7);
                let client_address = self.world.client.address.clone();
                let sequence = (now.unix_seconds as u32).wrapping_mul(2654435761) % 3600;
                let connection =
                    Connection::new(&self.world, &client_address, self.process_id, sequence);
                self.record(LogEvent::Connected {
                    personality: self.personality.id,
                });
                let mut session =
                    Session::new(self.personality, Arc::clone(&self.world), connection);
                let actions = session.connect(now);
                self.session = Some(session);
                self.connected_to = shown_name;
                self.mode = Mode::Connected;
                self.queue(actions);
                self.resume(now)
            }
        }
    }

    fn send(&mut self, data: &[u8], now: Timestamp) -> Option<u64> {
        self.chunks_sent += 1;
        let chunk = self.chunks_sent;
        for line in String::from_utf8_lossy(data)
            .split("\r\n")
            .filter(|l| !l.is_empty())
        {
            self.record(LogEvent::Sent {
                line: line.to_string(),
                chunk,
            });
        }
        let actions = match &mut self.session {
            Some(session) => session.receive(data, now),
            None => return None,
        };
        self.queue(actions);
        self.resume(now)
    }

    fn queue(&mut self, actions: Vec<Action>) {
        for action in actions {
            if let Action::GreetingPause { millis } = action {
                self.pending
                    .push_back(Pending::Engine(Action::Pause { millis }));
                self.pending.push_back(Pending::Greet);
            } else {
                self.pending.push_back(Pending::Engine(action));
            }
        }
    }

    /// The last pause the server started and nobody has waited for yet
    /// (typing done by a replay does not look at each key's result).
    pub fn take_pending_wait(&mut self) -> Option<u64> {
        self.pending_wait.take()
    }

    /// Carries out what is pending until a pause; returns the pause.
    pub fn resume(&mut self, now: Timestamp) -> Option<u64> {
        self.version += 1;
        while let Some(step) = self.pending.pop_front() {
            match step {
                Pending::Greet => {
                    let actions = match &mut self.session {
                        Some(session) => session.greet(now),
                        None => Vec::new(),
                    };
                    for action in actions.into_iter().rev() {
                        self.pending.push_front(Pending::Engine(action));
                    }
                }
                Pending::Engine(Action::Pause { millis }) => {
                    if self.timing && millis > 0 {
                        self.pending_wait = Some(millis);
                        return Some(millis);
                    }
                }
                Pending::Engine(Action::GreetingPause { .. }) => {}
                Pending::Engine(Action::Reply(reply)) => {
                    self.record(LogEvent::Replied {
                        key: reply.key,
                        code: reply.code,
                        enhanced: reply.enhanced.clone(),
                    });
                    for text in reply.render() {
                        self.scrollback.push_line(Line {
                            kind: LineKind::Server,
                            text,
                            reply: Some(Box::new(ReplyTag {
                                key: reply.key,
                                echo: reply.echo.clone(),
                            })),
                        });
                    }
                    self.generation += 1;
                }
                Pending::Engine(Action::Deliver(delivery)) => {
                    self.record(LogEvent::Delivered {
                        mailboxes: delivery.mailboxes.clone(),
                        entry: delivery.entry.clone(),
                    });
                    for mailbox in &delivery.mailboxes {
                        self.mailboxes
                            .open(mailbox)
                            .extend_from_slice(&delivery.entry);
                    }
                    self.deliveries += 1;
                }
                Pending::Engine(Action::Notice(text)) => self.print(LineKind::Notice, text),
                Pending::Engine(Action::Close) => {
                    self.record(LogEvent::Closed);
                    self.session = None;
                    self.pending.clear();
                    self.print(LineKind::Output, telnet::CLOSED_BY_FOREIGN_HOST);
                    self.mode = Mode::Shell;
                }
            }
        }
        None
    }
}

fn kind_name(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Output => "output",
        LineKind::Input => "input",
        LineKind::Server => "server",
        LineKind::Client => "client",
        LineKind::Notice => "notice",
        LineKind::Error => "error",
    }
}

fn kind_from_name(name: &str) -> LineKind {
    match name {
        "input" => LineKind::Input,
        "server" => LineKind::Server,
        "client" => LineKind::Client,
        "notice" => LineKind::Notice,
        "error" => LineKind::Error,
        _ => LineKind::Output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtplab_engine::personality::{SENDMAIL_8_13_8, SENDMAIL_8_17_DEBIAN};

    pub(super) fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2013-10-22T05:05:59-04:00").unwrap()
    }

    pub(super) fn terminal() -> Terminal {
        let mut terminal = Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, 1);
        terminal.timing = false;
        terminal
    }

    fn type_line(terminal: &mut Terminal, line: &str) {
        for c in line.chars() {
            terminal.press(Key::Char(c), now());
        }
        terminal.press(Key::Enter, now());
    }

    pub(super) fn screen(terminal: &Terminal) -> Vec<String> {
        terminal
            .scrollback
            .lines()
            .map(|l| l.text.clone())
            .collect()
    }

    #[test]
    fn the_tutorial_session_in_the_terminal() {
        let mut terminal = terminal();
        for line in [
            "telnet mail.example.com smtp",
            "HELO myserver.no",
            "MAIL from: sender@myclient.hostname.example.no",
            "RCPT to: mom@example.com",
            "DATA",
            "Hey",
            "This is test email only",
            "",
            "Thanks",
            ".",
            "QUIT",
        ] {
            type_line(&mut terminal, line);
        }
        let shown = screen(&terminal);
        let expected_start = [
            "$ telnet mail.example.com smtp",
            "Trying 127.0.0.1...",
            "Connected to mail.example.com.",
            "Escape character is '^]'.",
            "220 mail.example.com ESMTP Sendmail 8.13.8/8.13.8; Tue, 22 Oct 2013 05:05:59 -0400",
            "HELO myserver.no",
            "250 mail.example.com Hello myclient.hostname.example.no [127.0.0.1], pleased to meet you",
        ];
        assert_eq!(&shown[..7], &expected_start);
        assert!(
            shown[shown.len() - 4].starts_with("250 2.0.0 r9M95x"),
            "{shown:?}"
        );
        assert_eq!(
            &shown[shown.len() - 3..],
            [
                "QUIT",
                "221 2.0.0 mail.example.com closing connection",
                "Connection closed by foreign host."
            ]
        );
        assert_eq!(terminal.prompt(), "$ ");
        assert!(terminal.mailboxes["mom"]
            .starts_with(b"From sender@myclient.hostname.example.no  Tue Oct 22"));
    }

    /// (before: lines typed, keys, after: input line and prompt)
    #[test]
    fn keys_before_and_after() {
        let cases: Vec<(&[&str], Vec<Key>, &str, &str)> = vec![
            (&[], vec![Key::Char('x'), Key::Ctrl('c')], "", "$ "),
            (
                &["telnet mail.example.com smtp"],
                vec![Key::Ctrl(']')],
                "",
                "telnet> ",
            ),
            (
                &["telnet mail.example.com smtp"],
                vec![Key::Ctrl(']'), Key::Enter],
                "",
                "",
            ),
            (&["whoami"], vec![Key::Up], "whoami", "$ "),
            (
                &[],
                vec![Key::Char('t'), Key::Char('e'), Key::Tab],
                "telnet ",
                "$ ",
            ),
            (
                &["telnet mail.example.com 25"],
                vec![Key::Char('e'), Key::Char('h'), Key::Tab],
                "EHLO ",
                "",
            ),
        ];
        for (before, keys, input, prompt) in cases {
            let mut terminal = terminal();
            for line in before {
                type_line(&mut terminal, line);
            }
            for key in keys {
                terminal.press(key, now());
            }
            assert_eq!(
                (terminal.input().as_str(), terminal.prompt()),
                (input, prompt),
                "{before:?}"
            );
        }
    }

    #[test]
    fn shell_messages() {
        let cases: &[(&str, &str)] = &[
            ("frobnicate now", "bash: frobnicate: command not found"),
            (
                "telnet nosuch.example smtp",
                "Server lookup failure:  nosuch.example:smtp, Name or service not known",
            ),
            (
                "telnet mail.example.com 80",
                "telnet: Unable to connect to remote host: Connection refused",
            ),
            (
                "cat /var/mail/mom",
                "cat: /var/mail/mom: No such file or directory",
            ),
        ];
        for (line, last) in cases {
            let mut terminal = terminal();
            type_line(&mut terminal, line);
            assert_eq!(
                screen(&terminal).last().map(String::as_str),
                Some(*last),
                "{line}"
            );
        }
    }

    #[test]
    fn telnet_escape_quit_and_status() {
        let mut terminal = terminal();
        type_line(&mut terminal, "telnet mail.example.com smtp");
        terminal.press(Key::Ctrl(']'), now());
        type_line(&mut terminal, "status");
        assert!(screen(&terminal).contains(&"Operating in obsolete linemode".to_string()));
        terminal.press(Key::Ctrl(']'), now());
        type_line(&mut terminal, "quit");
        assert_eq!(screen(&terminal).last().unwrap(), "Connection closed.");
        assert!(!terminal.is_connected());
    }

    #[test]
    fn a_pasted_message_is_one_pipelined_chunk() {
        let mut terminal = Terminal::new(World::corpus(), &SENDMAIL_8_17_DEBIAN, 1);
        terminal.timing = false;
        type_line(&mut terminal, "telnet mail.example.com smtp");
        type_line(&mut terminal, "EHLO client.example.no");
        terminal.paste(
            "MAIL FROM:<a@b.example>\nRCPT TO:<mom@example.com>\nDATA\n",
            now(),
        );
        terminal.paste("Subject: pasted\n\nbody\n.\n", now());
        let shown = screen(&terminal);
        assert!(
            shown.iter().any(
                |l| l.starts_with("250 2.0.0 ") && l.ends_with("Message accepted for delivery")
            ),
            "{shown:?}"
        );
        assert!(terminal.mailboxes.contains_key("mom"));
    }

    #[test]
    fn pauses_are_returned_when_timing_is_on() {
        let mut terminal = Terminal::new(World::corpus(), &SENDMAIL_8_17_DEBIAN, 1);
        let wait = {
            for c in "telnet mail.example.com smtp".chars() {
                terminal.press(Key::Char(c), now());
            }
            terminal.press(Key::Enter, now())
        };
        assert_eq!(wait, Some(1000));
        assert!(terminal.is_waiting());
        assert_eq!(terminal.resume(now()), None);
        assert!(screen(&terminal)
            .last()
            .unwrap()
            .starts_with("220 mail.example.com ESMTP Sendmail 8.17.1.9"));
    }
}

#[cfg(test)]
mod mail_world_tests {
    use super::tests::{now, screen as lines, terminal};
    use super::*;
    use smtplab_engine::personality::SENDMAIL_8_13_8;

    fn run(terminal: &mut Terminal, lines: &[&str]) {
        for line in lines {
            terminal.paste(line, now());
            terminal.press(Key::Enter, now());
        }
    }

    fn deliver_one() -> Terminal {
        let mut terminal = terminal();
        run(
            &mut terminal,
            &[
                "telnet mail.example.com smtp",
                "HELO a.example",
                "MAIL FROM:<me@a.example>",
                "RCPT TO:<mom@example.com>",
                "DATA",
                "Subject: hello mom",
                "",
                "hi",
                ".",
                "QUIT",
            ],
        );
        terminal
    }

    #[test]
    fn ls_cat_and_mail_read_the_delivered_message() {
        let mut terminal = deliver_one();
        run(&mut terminal, &["ls /var/mail", "cat /var/mail/mom"]);
        let shown = lines(&terminal);
        assert!(shown.contains(&"mom".to_string()));
        assert!(shown.contains(&"Subject: hello mom".to_string()));
        run(&mut terminal, &["mail mom"]);
        assert_eq!(terminal.prompt(), "? ");
        assert!(lines(&terminal)
            .iter()
            .any(|l| l.contains("hello mom") && l.trim_start().starts_with('1')));
        run(&mut terminal, &["1", "q"]);
        assert!(lines(&terminal).contains(&"Message 1:".to_string()));
        assert_eq!(terminal.prompt(), "$ ");
        run(&mut terminal, &["mail alice"]);
        assert_eq!(lines(&terminal).last().unwrap(), "No mail for alice");
    }

    #[test]
    fn reset_asks_first() {
        let mut terminal = deliver_one();
        run(&mut terminal, &["reset", "n"]);
        assert!(!terminal.reset_requested);
        run(&mut terminal, &["reset", "y"]);
        assert!(terminal.reset_requested);
    }

    #[test]
    fn a_saved_terminal_comes_back() {
        let terminal = deliver_one();
        let saved = terminal.to_saved();
        let mut restored = Terminal::new(World::corpus(), &SENDMAIL_8_13_8, 1);
        restored.restore(Saved::from_json(&saved.to_json()).unwrap());
        assert_eq!(lines(&restored), lines(&terminal));
        assert_eq!(restored.mailboxes, terminal.mailboxes);
        assert_eq!(restored.history().entries(), terminal.history().entries());
        assert_eq!(restored.world(), terminal.world());
    }

    #[test]
    fn seq_fills_the_scrollback_up_to_its_limit() {
        let mut terminal = Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, 1);
        run(&mut terminal, &["seq 150000"]);
        use crate::console::scrollback::{BLOCK_SIZE, SCROLLBACK_LIMIT};
        // Whole blocks are dropped, so the ring holds a block less at most.
        let kept = terminal.scrollback.len();
        assert!(
            kept <= SCROLLBACK_LIMIT && kept > SCROLLBACK_LIMIT - BLOCK_SIZE,
            "{kept}"
        );
        assert_eq!(lines(&terminal).last().unwrap(), "150000");
    }
}
