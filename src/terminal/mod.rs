//! The terminal: keys in, scrollback out. It ties together the line
//! editor, the history, the shell, the telnet client (with the simulated
//! mail server behind it) and the mail reader, and switches between them.
//!
//! Time and waiting belong to the caller: methods take the current time,
//! and return how long to wait (for a server pause) before calling
//! [`Terminal::resume`]. With timing off, pauses are skipped.

pub mod editor;
pub mod history;
pub mod log;
pub mod mail_reader;
pub mod mailbox;
pub mod s_client;
pub mod scrollback;
pub mod shell;
pub mod swaks;
pub mod telnet;
pub mod text_tools;
#[cfg(test)]
mod tool_tests;
pub mod tools;

use std::sync::Arc;

use smtplab_engine::store::MailStore;
use smtplab_engine::{Host, Personality, Protocol, Timestamp, World};

use editor::LineEditor;
use history::History;
use log::{Log, LogEvent};
use mail_reader::{MailReader, Reading, MAIL_PROMPT};
use scrollback::{LineKind, Scrollback};
use shell::{Outcome, COMMANDS};
use telnet::{Escape, Output, TelnetClient};

/// What a saved session puts back into a terminal.
pub struct Loaded {
    pub lines: Vec<(LineKind, String)>,
    pub history: Vec<String>,
    /// Each user's INBOX file.
    pub inboxes: Vec<(String, String)>,
    /// The users' other mail files, by `USER/NAME`.
    pub others: Vec<(String, String)>,
    pub world: World,
    pub personality: &'static Personality,
    pub timing: bool,
}

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
    /// Leaves a prompt (`telnet> `, the mail reader, a question), or
    /// clears the line being typed.
    Escape,
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
    /// Reading a mailbox with `mail`.
    Mail(MailReader),
    /// `reset` asked for confirmation.
    ConfirmReset,
}

pub struct Terminal {
    pub scrollback: Scrollback,
    editor: LineEditor,
    history: History,
    mode: Mode,
    telnet: TelnetClient,
    /// The mail host the terminal's machine reaches: its world, its
    /// servers, and the mail they deliver.
    host: Host,
    /// What happened, for exercises.
    pub log: Log,
    /// Every line entered (a paste of several lines is one entry), for
    /// share links and replays.
    pub typed: Vec<String>,
    /// Whether server pauses are honoured (off only for tests).
    pub timing: bool,
    /// The person confirmed `reset`: the app starts over.
    pub reset_requested: bool,
    /// Changes with everything the view shows: output, the line being
    /// typed, the prompt.
    version: u64,
}

const SHELL_PROMPT: &str = "$ ";
const TELNET_PROMPT: &str = "telnet> ";
const RESET_PROMPT: &str =
    "Start over? This clears the screen, history, mailboxes and settings. [y/N] ";
const TELNET_COMMANDS: &[&str] = &["close", "open", "quit", "status", "help"];

impl Terminal {
    /// `seed` varies what a real server would vary (process ids).
    pub fn new(world: World, personality: &'static Personality, seed: u32) -> Terminal {
        Terminal {
            scrollback: Scrollback::default(),
            editor: LineEditor::default(),
            history: History::default(),
            mode: Mode::Shell,
            telnet: TelnetClient::new(seed),
            host: Host::new(Arc::new(world), personality),
            log: Log::default(),
            typed: Vec::new(),
            timing: true,
            reset_requested: false,
            version: 0,
        }
    }

    pub fn world(&self) -> &World {
        self.host.world()
    }

    pub fn personality(&self) -> &'static Personality {
        self.host.personality()
    }

    /// Every user's mail.
    pub fn mailboxes(&self) -> &MailStore {
        self.host.store()
    }

    /// Changes whenever the view may look different.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Changes whenever something worth saving does: output (which every
    /// line entered, and every change of settings, makes) and mail.
    pub fn generation(&self) -> (u64, u64) {
        (self.scrollback.changes(), self.mailboxes().version())
    }

    /// Applies to the next connection; the current one keeps its server.
    pub fn configure(&mut self, world: World, personality: &'static Personality) {
        self.host.configure(Arc::new(world), personality);
        self.version += 1;
    }

    #[cfg(test)]
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Every line entered, oldest first (for saving).
    pub fn history_entries(&self) -> &[String] {
        self.history.entries()
    }

    /// Puts back what a saved session held: the screen's lines, the
    /// history, the mail, the world and server, and whether pauses are
    /// honoured. The connection itself is not restored: a reload is a new
    /// terminal, as closing a real one would be.
    pub fn load(&mut self, saved: Loaded) {
        self.scrollback.clear();
        for (kind, text) in saved.lines {
            self.scrollback.push(kind, text);
        }
        self.history = History::from_entries(saved.history);
        let store = self.host.store_mut();
        store.clear();
        for (user, file) in saved.inboxes {
            store.restore(&user, file.as_bytes());
        }
        for (key, file) in saved.others {
            store.restore_other(&key, file.as_bytes());
        }
        self.host
            .configure(Arc::new(saved.world), saved.personality);
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
        let events: Vec<&LogEvent> = self.log.events().collect();
        let start = events
            .iter()
            .rposition(|e| matches!(e, LogEvent::Connected { .. }))
            .map(|i| i + 1)
            .unwrap_or(0);
        let sent: Vec<(&str, u32)> = events[start..]
            .iter()
            .filter_map(|e| match e {
                LogEvent::Sent { line, chunk } => Some((line.as_str(), *chunk)),
                _ => None,
            })
            .collect();
        let mut out = String::new();
        for run in sent.chunk_by(|a, b| a.1 == b.1) {
            if run.len() > 1 {
                out.push_str("%%pipeline\n");
            }
            for (line, _) in run {
                out.push_str(line);
                out.push('\n');
            }
            if run.len() > 1 {
                out.push_str("%%end\n");
            }
        }
        out
    }

    /// Adds a line from outside the terminal (the app's own messages).
    pub fn notice(&mut self, text: &str) {
        self.scrollback.push(LineKind::Notice, text.to_string());
        self.version += 1;
    }

    pub fn prompt(&self) -> &'static str {
        match self.mode {
            Mode::Shell => SHELL_PROMPT,
            Mode::Connected => "",
            Mode::TelnetCommand => TELNET_PROMPT,
            Mode::Mail(_) => MAIL_PROMPT,
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
        self.telnet.is_connected()
    }

    /// Whether the server is still working (a pause is running).
    pub fn is_waiting(&self) -> bool {
        self.telnet.is_waiting()
    }

    /// The last pause the server started that nobody has waited for yet.
    pub fn take_pending_wait(&mut self) -> Option<u64> {
        self.telnet.take_unclaimed_wait()
    }

    /// A line sent to the server, marked with a POP3 or IMAP server's
    /// protocol (for explain mode).
    fn push_client(&mut self, line: String) {
        match self.telnet.protocol().and_then(Protocol::line_label) {
            Some(label) => self.scrollback.push_mail(LineKind::Client, line, label),
            None => self.scrollback.push(LineKind::Client, line),
        }
    }

    /// The telnet client with where its results go.
    fn telnet_parts(&mut self) -> (&mut TelnetClient, Output<'_>) {
        (
            &mut self.telnet,
            Output {
                screen: &mut self.scrollback,
                log: &mut self.log,
                host: &mut self.host,
                timing: self.timing,
            },
        )
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
            Key::Escape => self.escape(),
            Key::Ctrl('c') => {
                let line = format!("{}{}^C", self.prompt(), self.editor.take());
                self.scrollback.push(LineKind::Input, line);
                if matches!(self.mode, Mode::Connected) {
                    let (telnet, mut out) = self.telnet_parts();
                    if telnet.interrupt(now, &mut out) {
                        self.mode = Mode::Shell;
                    }
                }
                if matches!(self.mode, Mode::TelnetCommand) && self.telnet.is_connected() {
                    self.mode = Mode::Connected;
                }
            }
            Key::Ctrl('d') => self.end_of_input(now),
            Key::Ctrl(']') => {
                if !matches!(self.mode, Mode::TelnetCommand)
                    && self.telnet.is_connected()
                    && self.telnet.is_telnet()
                {
                    let typed = self.editor.take();
                    self.scrollback.push(LineKind::Input, format!("{typed}^]"));
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

    /// Esc: leaves a prompt that is not the shell's or the session's, as
    /// its own quit command would; otherwise clears the line being typed.
    fn escape(&mut self) {
        match self.mode {
            Mode::TelnetCommand if self.telnet.is_connected() => {
                self.scrollback.push(
                    LineKind::Input,
                    format!("{TELNET_PROMPT}{}", self.editor.take()),
                );
                self.mode = Mode::Connected;
            }
            Mode::TelnetCommand | Mode::Mail(_) | Mode::ConfirmReset => {
                let line = format!("{}{}", self.prompt(), self.editor.take());
                self.scrollback.push(LineKind::Input, line);
                if matches!(self.mode, Mode::ConfirmReset) {
                    self.scrollback
                        .push(LineKind::Output, "Nothing was cleared.");
                }
                self.mode = Mode::Shell;
            }
            Mode::Shell | Mode::Connected => self.editor.kill_line(),
        }
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
        if matches!(self.mode, Mode::Connected)
            && self.telnet.is_connected()
            && self.telnet.reads_typing()
        {
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
                chunk.extend_from_slice(line.as_bytes());
                chunk.extend_from_slice(b"\r\n");
                self.push_client(line);
            }
            self.editor.insert(unfinished);
            let (telnet, mut out) = self.telnet_parts();
            let wait = telnet.send(&chunk, now, &mut out);
            self.follow_connection();
            return wait;
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
            Mode::Connected => self.telnet.protocol().and_then(|protocol| {
                if protocol.tagged() {
                    shell::complete_tagged(&line, protocol.verbs())
                } else {
                    shell::complete(&line, protocol.verbs(), true)
                }
            }),
            Mode::TelnetCommand => shell::complete(&line, TELNET_COMMANDS, false),
            Mode::Mail(_) | Mode::ConfirmReset => None,
        };
        if let Some(completed) = completed {
            self.editor.set(&completed);
        }
    }

    fn end_of_input(&mut self, now: Timestamp) {
        match self.mode {
            Mode::Shell => {
                // A login shell would log out; this one stays, and says so.
                self.scrollback
                    .push(LineKind::Input, SHELL_PROMPT.to_string());
                self.scrollback.push(
                    LineKind::Notice,
                    "(Ctrl+D would log out of this shell; the simulator keeps it open.)",
                );
            }
            // Telnet in line mode sends end-of-file as nothing: the line
            // is still being typed. An empty Ctrl+D does nothing visible;
            // s_client ends.
            Mode::Connected => {
                let (telnet, mut out) = self.telnet_parts();
                telnet.end_of_input(now, &mut out);
                self.follow_connection();
            }
            Mode::TelnetCommand => {
                self.scrollback
                    .push(LineKind::Input, TELNET_PROMPT.to_string());
                let (telnet, mut out) = self.telnet_parts();
                telnet.quit(now, &mut out);
                self.mode = Mode::Shell;
            }
            Mode::Mail(_) | Mode::ConfirmReset => {
                self.scrollback
                    .push(LineKind::Input, self.prompt().to_string());
                self.mode = Mode::Shell;
            }
        }
    }

    /// After the connection may have closed: back to the shell if it did.
    fn follow_connection(&mut self) {
        if !self.telnet.is_connected() && matches!(self.mode, Mode::Connected) {
            self.mode = Mode::Shell;
        }
    }

    fn enter(&mut self, line: &str, now: Timestamp) -> Option<u64> {
        self.typed.push(line.to_string());
        match &mut self.mode {
            Mode::Shell => {
                self.scrollback
                    .push(LineKind::Input, format!("{SHELL_PROMPT}{line}"));
                self.history.push(line);
                if !line.trim().is_empty() {
                    self.log.record(LogEvent::Shell {
                        line: line.trim().to_string(),
                    });
                }
                self.run_shell(line, now)
            }
            Mode::Connected => {
                if !self.telnet.reads_typing() {
                    // swaks is running by itself; what is typed waits in
                    // the terminal, unread.
                    self.scrollback.push(LineKind::Input, line.to_string());
                    return None;
                }
                self.push_client(line.to_string());
                if !self.telnet.in_data() {
                    self.history.push(line);
                }
                let (telnet, mut out) = self.telnet_parts();
                let wait = telnet.type_line(line, now, &mut out);
                self.follow_connection();
                wait
            }
            Mode::TelnetCommand => {
                self.scrollback
                    .push(LineKind::Input, format!("{TELNET_PROMPT}{line}"));
                let (telnet, mut out) = self.telnet_parts();
                let (next, wait) = telnet.command(line, now, &mut out);
                self.mode = match next {
                    Escape::Session => Mode::Connected,
                    Escape::Prompt => Mode::TelnetCommand,
                    Escape::Shell => Mode::Shell,
                };
                self.follow_connection();
                wait
            }
            Mode::Mail(reader) => {
                self.scrollback
                    .push(LineKind::Input, format!("{MAIL_PROMPT}{line}"));
                if reader.command(line, self.host.store(), &mut self.scrollback) == Reading::Quit {
                    self.mode = Mode::Shell;
                }
                None
            }
            Mode::ConfirmReset => {
                self.scrollback
                    .push(LineKind::Input, format!("{RESET_PROMPT}{line}"));
                let answer = line.trim();
                if answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes") {
                    self.reset_requested = true;
                } else {
                    self.scrollback
                        .push(LineKind::Output, "Nothing was cleared.");
                }
                self.mode = Mode::Shell;
                None
            }
        }
    }

    fn run_shell(&mut self, line: &str, now: Timestamp) -> Option<u64> {
        let machine = shell::Machine {
            world: self.host.world(),
            mailboxes: self.host.store(),
            history: self.history.entries(),
        };
        match shell::run(line, &machine, &mut self.scrollback) {
            Outcome::Done => None,
            Outcome::Clear => {
                self.scrollback.clear();
                None
            }
            Outcome::Telnet { host, port } => {
                let (telnet, mut out) = self.telnet_parts();
                let wait = telnet.open(&host, &port, now, &mut out);
                if self.telnet.is_connected() {
                    self.mode = Mode::Connected;
                }
                wait
            }
            Outcome::TelnetPrompt => {
                self.mode = Mode::TelnetCommand;
                None
            }
            Outcome::SClient(options) => {
                let (telnet, mut out) = self.telnet_parts();
                let wait = telnet.open_s_client(*options, now, &mut out);
                if self.telnet.is_connected() {
                    self.mode = Mode::Connected;
                }
                wait
            }
            Outcome::Swaks(options) => {
                let (telnet, mut out) = self.telnet_parts();
                let wait = telnet.open_swaks(*options, shell::USER, now, &mut out);
                if self.telnet.is_connected() {
                    self.mode = Mode::Connected;
                }
                wait
            }
            Outcome::Mail { user } => {
                if let Some(reader) =
                    MailReader::open(&user, self.host.store(), &mut self.scrollback)
                {
                    self.mode = Mode::Mail(reader);
                }
                None
            }
            Outcome::ConfirmReset => {
                self.mode = Mode::ConfirmReset;
                None
            }
        }
    }

    /// Carries out what the server has pending until a pause; returns it.
    pub fn resume(&mut self, now: Timestamp) -> Option<u64> {
        self.version += 1;
        let (telnet, mut out) = self.telnet_parts();
        let wait = telnet.resume(now, &mut out);
        self.follow_connection();
        wait
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use smtplab_engine::personality::{SENDMAIL_8_13_8, SENDMAIL_8_17_DEBIAN};

    pub(crate) fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2013-10-22T05:05:59-04:00").unwrap()
    }

    pub(crate) fn terminal() -> Terminal {
        let mut terminal = Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, 1);
        terminal.timing = false;
        terminal
    }

    pub(crate) fn type_line(terminal: &mut Terminal, line: &str) {
        for c in line.chars() {
            terminal.press(Key::Char(c), now());
        }
        terminal.press(Key::Enter, now());
    }

    pub(crate) fn screen(terminal: &Terminal) -> Vec<String> {
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
        assert!(terminal
            .mailboxes()
            .file("mom")
            .unwrap()
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

    /// Sends mom a message over SMTP in the tutorial world.
    pub(crate) fn deliver_to_mom(terminal: &mut Terminal, subject: &str) {
        type_line(terminal, "telnet mail.example.com smtp");
        for line in [
            "HELO client.example.no",
            "MAIL FROM:<me@client.example.no>",
            "RCPT TO:<mom@example.com>",
            "DATA",
            &format!("Subject: {subject}"),
            "",
            "Hello Mom",
            ".",
            "QUIT",
        ] {
            type_line(terminal, line);
        }
    }

    #[test]
    fn pop3_reads_and_deletes_what_smtp_delivered() {
        let mut terminal = terminal();
        deliver_to_mom(&mut terminal, "first");
        deliver_to_mom(&mut terminal, "second");
        assert_eq!(terminal.mailboxes().count("mom"), 2);
        type_line(&mut terminal, "telnet mail.example.com 110");
        for line in ["USER mom", "PASS mom", "STAT", "RETR 1", "DELE 1"] {
            type_line(&mut terminal, line);
        }
        let shown = screen(&terminal);
        assert!(
            shown.contains(&"+OK Dovecot (Debian) ready.".to_string()),
            "{shown:?}"
        );
        assert!(shown.contains(&"+OK Logged in.".to_string()), "{shown:?}");
        assert!(shown.contains(&"Subject: first".to_string()), "{shown:?}");
        assert!(
            shown.contains(&"+OK Marked to be deleted.".to_string()),
            "{shown:?}"
        );
        // Dovecot indexed the file at login; the message goes at QUIT.
        assert_eq!(terminal.mailboxes().count("mom"), 2);
        type_line(&mut terminal, "QUIT");
        assert_eq!(terminal.mailboxes().count("mom"), 1);
        let file = String::from_utf8(terminal.mailboxes().file("mom").unwrap()).unwrap();
        assert!(file.contains("Subject: second") && !file.contains("Subject: first"));
        assert!(
            file.contains("X-IMAPbase: ") && file.contains("Status: O"),
            "{file}"
        );
        assert!(!terminal.is_connected());
        let answered = terminal
            .log
            .events()
            .filter(|e| matches!(e, LogEvent::Answered { verb, status } if verb == "DELE" && status == "+OK"))
            .count();
        assert_eq!(answered, 1);
    }

    #[test]
    fn imap_flags_and_expunges_with_tab_completion() {
        let mut terminal = terminal();
        deliver_to_mom(&mut terminal, "flag me");
        type_line(&mut terminal, "telnet mail.example.com imap");
        type_line(&mut terminal, "a1 LOGIN mom mom");
        for c in "a2 sel".chars() {
            terminal.press(Key::Char(c), now());
        }
        terminal.press(Key::Tab, now());
        assert_eq!(terminal.input(), "a2 SELECT ");
        for c in "INBOX".chars() {
            terminal.press(Key::Char(c), now());
        }
        terminal.press(Key::Enter, now());
        type_line(&mut terminal, "a3 STORE 1 +FLAGS (\\Flagged)");
        let file = String::from_utf8(terminal.mailboxes().file("mom").unwrap()).unwrap();
        assert!(file.contains("X-UID: 1"), "SELECT indexed the file: {file}");
        type_line(&mut terminal, "a4 STORE 1 +FLAGS (\\Deleted)");
        type_line(&mut terminal, "a5 EXPUNGE");
        let shown = screen(&terminal);
        assert!(
            shown.contains(&"* 1 FETCH (FLAGS (\\Flagged \\Recent))".to_string()),
            "{shown:?}"
        );
        assert!(shown.contains(&"* 1 EXPUNGE".to_string()), "{shown:?}");
        assert_eq!(terminal.mailboxes().count("mom"), 0);
        type_line(&mut terminal, "a6 LOGOUT");
        assert!(!terminal.is_connected());
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
        type_line(&mut terminal, "QUIT");
        // What the server received, write by write: each paste was one.
        assert_eq!(
            terminal.script(),
            "EHLO client.example.no\n\
             %%pipeline\nMAIL FROM:<a@b.example>\nRCPT TO:<mom@example.com>\nDATA\n%%end\n\
             %%pipeline\nSubject: pasted\n\nbody\n.\n%%end\n\
             QUIT\n"
        );
        let shown = screen(&terminal);
        assert!(
            shown.iter().any(
                |l| l.starts_with("250 2.0.0 ") && l.ends_with("Message accepted for delivery")
            ),
            "{shown:?}"
        );
        assert!(terminal.mailboxes().contains_key("mom"));
    }

    /// Debian's Sendmail refuses an EHLO that comes with more commands
    /// behind it, which the same lines typed one at a time do not meet.
    #[test]
    fn a_pasted_ehlo_is_refused_where_a_typed_one_is_not() {
        let lines = "EHLO client.example.no\nMAIL FROM:<a@b.example>\n";
        let mut pasted = Terminal::new(World::corpus(), &SENDMAIL_8_17_DEBIAN, 1);
        pasted.timing = false;
        type_line(&mut pasted, "telnet mail.example.com smtp");
        pasted.paste(lines, now());
        let mut typed = Terminal::new(World::corpus(), &SENDMAIL_8_17_DEBIAN, 1);
        typed.timing = false;
        type_line(&mut typed, "telnet mail.example.com smtp");
        for line in lines.lines() {
            type_line(&mut typed, line);
        }
        let replies = |terminal: &Terminal| -> Vec<String> {
            screen(terminal)
                .into_iter()
                .filter(|l| l.starts_with("250 ") || l.starts_with("554 ") || l.starts_with("550 "))
                .collect()
        };
        assert_eq!(
            replies(&pasted),
            [
                "554 5.5.0 SMTP protocol error",
                "550 5.0.0 Command rejected"
            ]
        );
        assert_eq!(
            replies(&typed),
            ["250 HELP", "250 2.1.0 <a@b.example>... Sender ok"]
        );
        assert!(pasted.script().starts_with("%%pipeline\nEHLO"));
        assert!(!typed.script().contains("%%pipeline"));
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
pub(crate) mod mail_world_tests {
    use super::tests::{now, screen as lines, terminal};
    use super::*;
    use smtplab_engine::personality::SENDMAIL_8_13_8;

    fn run(terminal: &mut Terminal, lines: &[&str]) {
        for line in lines {
            terminal.paste(line, now());
            terminal.press(Key::Enter, now());
        }
    }

    pub(crate) fn deliver_one() -> Terminal {
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
    fn a_delivered_message_is_held_once() {
        let terminal = deliver_one();
        let logged = terminal.log.events().find_map(|e| match e {
            LogEvent::Delivered { entry, .. } => Some(entry.clone()),
            _ => None,
        });
        let delivered = &terminal.mailboxes().get("mom").unwrap()[0];
        // The log's entry and the mailbox's are the same memory.
        assert!(std::sync::Arc::ptr_eq(&logged.unwrap(), delivered));
    }

    #[test]
    fn escape_leaves_prompts_and_clears_lines() {
        // (lines typed before, prompt after Esc, input after Esc)
        let cases: &[(&[&str], &str)] = &[
            (&["reset"], "$ "),
            (&["telnet"], "$ "),
            (&["telnet mail.example.com smtp", "HELO a"], ""),
        ];
        for (before, prompt) in cases {
            let mut terminal = terminal();
            run(&mut terminal, before);
            terminal.paste("half typed", now());
            terminal.press(Key::Escape, now());
            assert_eq!(
                (terminal.prompt(), terminal.input().as_str()),
                (*prompt, ""),
                "{before:?}"
            );
        }
        let mut terminal = deliver_one();
        run(&mut terminal, &["mail mom"]);
        terminal.press(Key::Escape, now());
        assert_eq!(terminal.prompt(), "$ ");
        assert!(!terminal.reset_requested);
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
    fn seq_fills_the_scrollback_up_to_its_limit() {
        let mut terminal = Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, 1);
        run(&mut terminal, &["seq 150000"]);
        use crate::terminal::scrollback::{BLOCK_SIZE, SCROLLBACK_LIMIT};
        // Whole blocks are dropped, so the ring holds a block less at most.
        let kept = terminal.scrollback.len();
        assert!(
            kept <= SCROLLBACK_LIMIT && kept > SCROLLBACK_LIMIT - BLOCK_SIZE,
            "{kept}"
        );
        assert_eq!(lines(&terminal).last().unwrap(), "150000");
    }
}
