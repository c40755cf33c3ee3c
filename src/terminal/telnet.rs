//! The telnet client (Debian's inetutils telnet 2.4): resolving the host
//! and port, its own messages, the `telnet> ` command prompt, and the
//! connection to the simulated servers (SMTP on 25 and 587, Dovecot's
//! POP3 on 110 and IMAP on 143), whose actions (replies, pauses,
//! deliveries, mailbox changes, closing) it carries out in order.

use std::collections::VecDeque;
use std::sync::Arc;

use smtplab_engine::imap::{ImapSession, UserStore, DOVECOT_IMAP_2_3_19_DEBIAN};
use smtplab_engine::mail_actions::MailAction;
use smtplab_engine::pop3::{Pop3Session, DOVECOT_2_3_19_DEBIAN};
use smtplab_engine::{Action, Connection, Personality, Session, Timestamp, World};

use super::log::{Log, LogEvent};
use super::mailbox::Mailboxes;
use super::scrollback::{Line, LineKind, ReplyTag, Scrollback};

/// Ports with the simulated mail server behind them.
pub const SMTP_PORTS: &[u16] = &[25, 587];
pub const POP3_PORT: u16 = 110;
pub const IMAP_PORT: u16 = 143;

/// Which server answers on a port of the mail host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Smtp,
    Pop3,
    Imap,
}

fn service(port: u16) -> Option<Service> {
    match port {
        POP3_PORT => Some(Service::Pop3),
        IMAP_PORT => Some(Service::Imap),
        _ if SMTP_PORTS.contains(&port) => Some(Service::Smtp),
        _ => None,
    }
}

/// Port names from `/etc/services` that learners use.
pub fn port_number(name: &str) -> Option<u16> {
    match name.to_ascii_lowercase().as_str() {
        "smtp" | "mail" => Some(25),
        "submission" => Some(587),
        "smtps" | "submissions" | "ssmtp" => Some(465),
        "telnet" => Some(23),
        "pop3" => Some(110),
        "imap" | "imap2" => Some(143),
        "http" | "www" => Some(80),
        other => other.parse().ok(),
    }
}

/// Where `telnet HOST PORT` goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The mail server, reached at this address.
    MailServer {
        address: String,
        shown_name: String,
        service: Service,
    },
    /// A host that exists but has nothing listening on that port.
    Refused { address: String },
    /// The name does not resolve (`port` as typed, for the message).
    Unknown,
    /// The port is not a number or a known service name.
    BadPort,
}

pub fn resolve(world: &World, host: &str, port: &str) -> Target {
    let Some(port_number) = port_number(port) else {
        return Target::BadPort;
    };
    let lower = host.to_ascii_lowercase();
    let short = world.hostname.split('.').next().unwrap_or("");
    let server = lower == world.hostname.to_ascii_lowercase()
        || lower == short
        || lower == world.server_address
        || lower == "localhost"
        || lower == "127.0.0.1";
    let address = if server {
        world.server_address.clone()
    } else if let Some(host) = world
        .hosts
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(host) || h.address == host)
    {
        host.address.clone()
    } else if host.parse::<std::net::Ipv4Addr>().is_ok() {
        host.to_string()
    } else {
        return Target::Unknown;
    };
    match service(port_number).filter(|_| address == world.server_address) {
        Some(service) => Target::MailServer {
            address,
            shown_name: host.to_string(),
            service,
        },
        None => Target::Refused { address },
    }
}

/// A POP3 or IMAP session (Dovecot), and the commands still waiting for
/// their answer (POP3: verbs in order; IMAP: by tag), for the log.
enum Reader {
    Pop3(Pop3Session),
    Imap(Box<ImapSession>),
}

/// A user's mail as the IMAP server reads it.
fn store_of(mailboxes: &Mailboxes, user: &str) -> UserStore {
    UserStore {
        inbox: mailboxes.file(user).unwrap_or_default(),
        folders: mailboxes.folders(user),
        subscriptions: mailboxes.subscriptions(user),
    }
}

/// The command a line sends: (tag, verb), the verb in capitals (`UID
/// FETCH` for IMAP's UID commands).
fn command_of(line: &str, imap: bool) -> (String, String) {
    let mut words = line.split_whitespace();
    let tag = if imap { words.next().unwrap_or("") } else { "" };
    let mut verb = words.next().unwrap_or("").to_ascii_uppercase();
    if imap && verb == "UID" {
        verb = format!("UID {}", words.next().unwrap_or("").to_ascii_uppercase());
    }
    (tag.to_string(), verb)
}

pub fn trying(address: &str) -> String {
    format!("Trying {address}...")
}

pub fn connected(name: &str) -> String {
    format!("Connected to {name}.")
}

pub const ESCAPE_HINT: &str = "Escape character is '^]'.";
pub const CLOSED_BY_FOREIGN_HOST: &str = "Connection closed by foreign host.";
pub const CONNECTION_CLOSED: &str = "Connection closed.";

pub fn lookup_failure(host: &str, port: &str) -> String {
    format!("Server lookup failure:  {host}:{port}, Name or service not known")
}

pub const REFUSED: [&str; 2] = [
    "Connection failed: Connection refused",
    "telnet: Unable to connect to remote host: Connection refused",
];

/// `telnet> help`.
pub const COMMAND_HELP: &[&str] = &[
    "Commands may be abbreviated.  Commands are:",
    "",
    "close\tclose current connection",
    "logout\tforcibly logout remote user and close the connection",
    "display\tdisplay operating parameters",
    "mode\ttry to enter line or character mode ('mode ?' for more)",
    "open\tconnect to a site",
    "quit\texit telnet",
    "send\ttransmit special characters ('send ?' for more)",
    "set\tset operating parameters ('set ?' for more)",
    "unset\tunset operating parameters ('unset ?' for more)",
    "status\tprint status information",
    "toggle\ttoggle operating parameters ('toggle ?' for more)",
    "slc\tset treatment of special characters",
    "z\tsuspend telnet",
    "environ\tchange environment variables ('environ ?' for more)",
    "?\tprint help information",
];

/// Where the client's results go: the screen, the log, the mailboxes the
/// server delivers into, and whether the server's pauses are honoured.
pub struct Output<'a> {
    pub screen: &'a mut Scrollback,
    pub log: &'a mut Log,
    pub mailboxes: &'a mut Mailboxes,
    pub timing: bool,
}

/// A step still to carry out, in order.
#[derive(Debug)]
enum Pending {
    Engine(Action),
    Mail(MailAction),
    /// The greeting pause is over: ask the server for its banner.
    Greet,
}

/// What the `telnet> ` prompt leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// Back to the session.
    Session,
    /// Stay at the `telnet> ` prompt.
    Prompt,
    /// Back to the shell (telnet ended, or was never connected).
    Shell,
}

/// The telnet client and its connection, if any.
pub struct TelnetClient {
    session: Option<Session>,
    reader: Option<Reader>,
    /// Commands sent to the POP3 or IMAP server and not yet answered.
    awaiting: VecDeque<(String, String)>,
    /// The name telnet shows for the connected host.
    connected_to: String,
    pending: VecDeque<Pending>,
    process_id: u32,
    /// Chunks sent so far; lines sent together share a number.
    chunks_sent: u32,
    /// The last pause the server started that nobody has waited for yet.
    unclaimed_wait: Option<u64>,
}

impl TelnetClient {
    /// `seed` varies the process ids Sendmail puts in queue ids.
    pub fn new(seed: u32) -> TelnetClient {
        TelnetClient {
            session: None,
            reader: None,
            awaiting: VecDeque::new(),
            connected_to: String::new(),
            pending: VecDeque::new(),
            process_id: 10_000 + seed % 80_000,
            chunks_sent: 0,
            unclaimed_wait: None,
        }
    }

    pub fn is_connected(&self) -> bool {
        self.session.is_some() || self.reader.is_some()
    }

    /// `"pop3"` or `"imap"` while connected to one of those.
    pub fn mail_protocol(&self) -> Option<&'static str> {
        match self.reader {
            Some(Reader::Pop3(_)) => Some("pop3"),
            Some(Reader::Imap(_)) => Some("imap"),
            None => None,
        }
    }

    /// The server behind the connection, if any.
    pub fn service(&self) -> Option<Service> {
        match (&self.session, &self.reader) {
            (Some(_), _) => Some(Service::Smtp),
            (_, Some(Reader::Pop3(_))) => Some(Service::Pop3),
            (_, Some(Reader::Imap(_))) => Some(Service::Imap),
            _ => None,
        }
    }

    /// Whether the server is still working (a pause is running).
    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Whether the server is reading a message body.
    pub fn in_data(&self) -> bool {
        self.session.as_ref().is_some_and(Session::in_data)
    }

    /// The last pause the server started and nobody has waited for yet
    /// (typing done by a replay does not look at each key's result).
    pub fn take_unclaimed_wait(&mut self) -> Option<u64> {
        self.unclaimed_wait.take()
    }

    /// `telnet HOST PORT`. Returns a pause to wait before [`Self::resume`].
    pub fn open(
        &mut self,
        host: &str,
        port: &str,
        world: &Arc<World>,
        personality: &'static Personality,
        now: Timestamp,
        out: &mut Output,
    ) -> Option<u64> {
        match resolve(world, host, port) {
            Target::BadPort => {
                out.screen
                    .push(LineKind::Error, format!("telnet: {port}: bad port number"));
                None
            }
            Target::Unknown => {
                out.screen.push(LineKind::Error, lookup_failure(host, port));
                None
            }
            Target::Refused { address } => {
                out.screen.push(LineKind::Output, trying(&address));
                for line in REFUSED {
                    out.screen.push(LineKind::Error, line);
                }
                None
            }
            Target::MailServer {
                address,
                shown_name,
                service,
            } if service != Service::Smtp => {
                out.screen.push(LineKind::Output, trying(&address));
                out.screen.push(LineKind::Output, connected(&shown_name));
                out.screen.push(LineKind::Output, ESCAPE_HINT);
                let client = &world.client.address;
                let (reader, actions, id) = if service == Service::Pop3 {
                    let mut session =
                        Pop3Session::new(&DOVECOT_2_3_19_DEBIAN, Arc::clone(world), client);
                    let actions = session.connect(now.unix_seconds);
                    (Reader::Pop3(session), actions, DOVECOT_2_3_19_DEBIAN.id)
                } else {
                    let mut session =
                        ImapSession::new(&DOVECOT_IMAP_2_3_19_DEBIAN, Arc::clone(world), client);
                    let actions = session.connect(now.unix_seconds);
                    (
                        Reader::Imap(Box::new(session)),
                        actions,
                        DOVECOT_IMAP_2_3_19_DEBIAN.id,
                    )
                };
                out.log.record(LogEvent::Connected { personality: id });
                self.reader = Some(reader);
                self.awaiting.clear();
                self.connected_to = shown_name;
                self.pending.extend(actions.into_iter().map(Pending::Mail));
                self.resume(now, out)
            }
            Target::MailServer {
                address,
                shown_name,
                ..
            } => {
                out.screen.push(LineKind::Output, trying(&address));
                out.screen.push(LineKind::Output, connected(&shown_name));
                out.screen.push(LineKind::Output, ESCAPE_HINT);
                self.process_id = self.process_id % 999_000 + 1 + (now.unix_seconds as u32 % 7);
                let sequence = (now.unix_seconds as u32).wrapping_mul(2654435761) % 3600;
                let connection =
                    Connection::new(world, &world.client.address, self.process_id, sequence);
                out.log.record(LogEvent::Connected {
                    personality: personality.id,
                });
                let mut session = Session::new(personality, Arc::clone(world), connection);
                let actions = session.connect(now);
                self.session = Some(session);
                self.connected_to = shown_name;
                self.queue(actions);
                self.resume(now, out)
            }
        }
    }

    /// Sends bytes to the server (lines ending in CRLF; a paste is one chunk).
    pub fn send(&mut self, data: &[u8], now: Timestamp, out: &mut Output) -> Option<u64> {
        self.chunks_sent += 1;
        let chunk = self.chunks_sent;
        // Every line, empty ones too (a message's blank line is part of
        // the script a replay sends again).
        let sent = String::from_utf8_lossy(data);
        let sent = sent.strip_suffix("\r\n").unwrap_or(&sent);
        for line in sent.split("\r\n").filter(|_| !data.is_empty()) {
            out.log.record(LogEvent::Sent {
                line: line.to_string(),
                chunk,
            });
        }
        if let Some(reader) = &mut self.reader {
            let imap = matches!(reader, Reader::Imap(_));
            for line in String::from_utf8_lossy(data)
                .split("\r\n")
                .filter(|l| !l.is_empty())
            {
                self.awaiting.push_back(command_of(line, imap));
            }
            let actions = match reader {
                Reader::Pop3(session) => session.receive(data, now.unix_seconds),
                Reader::Imap(session) => session.receive(data, now.unix_seconds),
            };
            self.pending.extend(actions.into_iter().map(Pending::Mail));
            return self.resume(now, out);
        }
        let actions = match &mut self.session {
            Some(session) => session.receive(data, now),
            None => return None,
        };
        self.queue(actions);
        self.resume(now, out)
    }

    /// A line from the POP3 or IMAP server: shown, and logged when it
    /// answers a command.
    fn mail_line(&mut self, text: String, out: &mut Output) {
        let imap = matches!(self.reader, Some(Reader::Imap(_)));
        let answered = if imap {
            let (tag, status) = command_of(&text, true);
            let known = matches!(status.as_str(), "OK" | "NO" | "BAD");
            self.awaiting
                .iter()
                .position(|(t, _)| known && *t == tag && tag != "*")
                .map(|at| (at, status))
        } else if text.starts_with("+OK") || text.starts_with("-ERR") {
            let status = text.split(' ').next().unwrap_or("").to_string();
            (!self.awaiting.is_empty()).then_some((0, status))
        } else {
            None
        };
        if let Some((at, status)) = answered {
            if let Some((_, verb)) = self.awaiting.remove(at) {
                out.log.record(LogEvent::Answered { verb, status });
            }
        }
        out.screen
            .push_mail(LineKind::Server, text, if imap { "imap" } else { "pop3" });
    }

    /// Carries out one POP3 or IMAP action; returns a pause to wait.
    fn mail_action(&mut self, action: MailAction, out: &mut Output) -> Option<u64> {
        match action {
            MailAction::Send(line) => self.mail_line(line, out),
            MailAction::SendBytes(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let text = text.strip_suffix("\r\n").unwrap_or(&text).to_string();
                for line in text.split("\r\n") {
                    self.mail_line(line.to_string(), out);
                }
            }
            MailAction::Pause { millis } => {
                if out.timing && millis > 0 {
                    self.unclaimed_wait = Some(millis);
                    return Some(millis);
                }
            }
            MailAction::Open { user } => {
                let actions = match &mut self.reader {
                    Some(Reader::Pop3(session)) => {
                        session.opened(&out.mailboxes.file(&user).unwrap_or_default())
                    }
                    Some(Reader::Imap(session)) => session.opened(store_of(out.mailboxes, &user)),
                    None => Vec::new(),
                };
                for action in actions.into_iter().rev() {
                    self.pending.push_front(Pending::Mail(action));
                }
            }
            MailAction::Save { user, file } => out.mailboxes.replace(&user, &file),
            MailAction::Write { user, path, file } => out.mailboxes.write(&user, &path, file),
            // As for SMTP: this telnet cannot do TLS.
            MailAction::StartTls => {}
            MailAction::Close => {
                out.log.record(LogEvent::Closed);
                self.reader = None;
                self.pending.clear();
                out.screen.push(LineKind::Output, CLOSED_BY_FOREIGN_HOST);
            }
        }
        None
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

    /// Carries out what is pending until a pause; returns the pause.
    pub fn resume(&mut self, now: Timestamp, out: &mut Output) -> Option<u64> {
        while let Some(step) = self.pending.pop_front() {
            match step {
                Pending::Mail(action) => {
                    if let Some(wait) = self.mail_action(action, out) {
                        return Some(wait);
                    }
                }
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
                    if out.timing && millis > 0 {
                        self.unclaimed_wait = Some(millis);
                        return Some(millis);
                    }
                }
                Pending::Engine(Action::GreetingPause { .. }) => {}
                Pending::Engine(Action::Reply(reply)) => {
                    out.log.record(LogEvent::Replied {
                        key: reply.key,
                        code: reply.code,
                        enhanced: reply.enhanced.clone(),
                    });
                    for text in reply.render() {
                        out.screen.push_line(Line {
                            kind: LineKind::Server,
                            text,
                            reply: Some(Box::new(ReplyTag {
                                key: reply.key,
                                echo: reply.echo.clone(),
                            })),
                            mail: None,
                        });
                    }
                }
                Pending::Engine(Action::Deliver(delivery)) => {
                    for copy in delivery.copies {
                        let entry: super::mailbox::Entry = copy.entry.into();
                        for mailbox in &copy.mailboxes {
                            out.mailboxes.deliver(mailbox, entry.clone());
                        }
                        out.log.record(LogEvent::Delivered {
                            mailboxes: copy.mailboxes,
                            entry,
                        });
                    }
                }
                // The terminal's telnet cannot do TLS: the session ends at
                // the client's next bytes, as after a failed handshake.
                Pending::Engine(Action::StartTls) => {}
                Pending::Engine(Action::Notice(text)) => out.screen.push(LineKind::Notice, text),
                Pending::Engine(Action::Close) => {
                    out.log.record(LogEvent::Closed);
                    self.session = None;
                    self.pending.clear();
                    out.screen.push(LineKind::Output, CLOSED_BY_FOREIGN_HOST);
                }
            }
        }
        None
    }

    /// The client closes: the server notices, nothing more is shown (an
    /// IMAP server still writes what the session changed).
    pub fn hang_up(&mut self, now: Timestamp, out: &mut Output) {
        if let Some(mut session) = self.session.take() {
            session.disconnect(now);
            out.log.record(LogEvent::Closed);
        }
        if let Some(reader) = self.reader.take() {
            if let Reader::Imap(mut session) = reader {
                for action in session.disconnected() {
                    match action {
                        MailAction::Save { user, file } => out.mailboxes.replace(&user, &file),
                        MailAction::Write { user, path, file } => {
                            out.mailboxes.write(&user, &path, file)
                        }
                        _ => {}
                    }
                }
            }
            out.log.record(LogEvent::Closed);
        }
        self.pending.clear();
    }

    /// `quit` (or Ctrl+D) at the `telnet> ` prompt.
    pub fn quit(&mut self, now: Timestamp, out: &mut Output) {
        if self.is_connected() {
            self.hang_up(now, out);
            out.screen.push(LineKind::Output, CONNECTION_CLOSED);
        }
    }

    /// A command typed at the `telnet> ` prompt.
    pub fn command(
        &mut self,
        line: &str,
        world: &Arc<World>,
        personality: &'static Personality,
        now: Timestamp,
        out: &mut Output,
    ) -> (Escape, Option<u64>) {
        let words: Vec<String> = super::shell::words(line);
        let command = words
            .first()
            .map(|w| w.to_ascii_lowercase())
            .unwrap_or_default();
        let connected = self.is_connected();
        match command.as_str() {
            "" if connected => (Escape::Session, None),
            "" => (Escape::Prompt, None),
            "quit" | "q" => {
                self.quit(now, out);
                (Escape::Shell, None)
            }
            "close" | "c" if connected => {
                self.hang_up(now, out);
                out.screen.push(LineKind::Output, CONNECTION_CLOSED);
                (Escape::Shell, None)
            }
            "close" | "c" => {
                out.screen
                    .push(LineKind::Output, "?Need to be connected first.");
                (Escape::Prompt, None)
            }
            "status" | "st" => {
                if connected {
                    out.screen
                        .push(LineKind::Output, self::connected(&self.connected_to));
                    out.screen
                        .push(LineKind::Output, "Operating in obsolete linemode");
                    out.screen.push(LineKind::Output, "Local character echo");
                } else {
                    out.screen.push(LineKind::Output, "No connection.");
                }
                out.screen.push(LineKind::Output, ESCAPE_HINT);
                (
                    if connected {
                        Escape::Session
                    } else {
                        Escape::Prompt
                    },
                    None,
                )
            }
            "help" | "?" | "h" => {
                for text in COMMAND_HELP {
                    out.screen.push(LineKind::Output, *text);
                }
                (Escape::Prompt, None)
            }
            "open" | "o" if connected => {
                out.screen.push(
                    LineKind::Output,
                    format!("?Already connected to {}", self.connected_to),
                );
                (Escape::Prompt, None)
            }
            "open" | "o" => match words.get(1) {
                Some(host) => {
                    let port = words.get(2).map(String::as_str).unwrap_or("telnet");
                    let wait = self.open(host, port, world, personality, now, out);
                    let next = if self.is_connected() {
                        Escape::Session
                    } else {
                        Escape::Shell
                    };
                    (next, wait)
                }
                None => {
                    out.screen.push(
                        LineKind::Output,
                        "usage: open [-l user] [-a] host-name [port]",
                    );
                    (Escape::Prompt, None)
                }
            },
            _ => {
                out.screen.push(LineKind::Output, "?Invalid command");
                (Escape::Prompt, None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_hosts_and_ports() {
        let world = World::tutorial();
        let cases: &[(&str, &str, Target)] = &[
            (
                "mail.example.com",
                "smtp",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail.example.com".into(),
                    service: Service::Smtp,
                },
            ),
            (
                "mail.example.com",
                "587",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail.example.com".into(),
                    service: Service::Smtp,
                },
            ),
            (
                "localhost",
                "25",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "localhost".into(),
                    service: Service::Smtp,
                },
            ),
            (
                "mail.example.com",
                "80",
                Target::Refused {
                    address: "127.0.0.1".into(),
                },
            ),
            (
                "mail.example.com",
                "pop3",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail.example.com".into(),
                    service: Service::Pop3,
                },
            ),
            (
                "mail",
                "143",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail".into(),
                    service: Service::Imap,
                },
            ),
            ("nosuch.example", "smtp", Target::Unknown),
            ("mail.example.com", "bogus", Target::BadPort),
        ];
        for (host, port, target) in cases {
            assert_eq!(&resolve(&world, host, port), target, "{host} {port}");
        }
    }
}
