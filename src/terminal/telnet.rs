//! The telnet client (Debian's inetutils telnet 2.4): resolving the host
//! and port, its own messages, the `telnet> ` command prompt, and the
//! connection to a port of the simulated mail host, whose events
//! (replies, pauses, deliveries, closing) it carries out in order. Which
//! protocol answers on a port is the host's business, not telnet's.

use std::collections::VecDeque;

use smtplab_engine::{Client, Event, Host, HostSession, Protocol, Timestamp, World};

use super::log::{Log, LogEvent};
use super::scrollback::{Line, LineKind, ReplyTag, Scrollback};

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
    /// The mail host, reached at this address, on a port where a server
    /// listens.
    MailServer {
        address: String,
        shown_name: String,
        port: u16,
    },
    /// A host that exists but has nothing listening on that port.
    Refused { address: String },
    /// The name does not resolve (`port` as typed, for the message).
    Unknown,
    /// The port is not a number or a known service name.
    BadPort,
}

pub fn resolve(host: &Host, name: &str, port: &str) -> Target {
    let Some(port_number) = port_number(port) else {
        return Target::BadPort;
    };
    let world: &World = host.world();
    let lower = name.to_ascii_lowercase();
    let short = world.hostname.split('.').next().unwrap_or("");
    let server = lower == world.hostname.to_ascii_lowercase()
        || lower == short
        || lower == world.server_address
        || lower == "localhost"
        || lower == "127.0.0.1";
    let address = if server {
        world.server_address.clone()
    } else if let Some(known) = world
        .hosts
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name) || h.address == name)
    {
        known.address.clone()
    } else if name.parse::<std::net::Ipv4Addr>().is_ok() {
        name.to_string()
    } else {
        return Target::Unknown;
    };
    if address == world.server_address && host.service(port_number).is_some() {
        Target::MailServer {
            address,
            shown_name: name.to_string(),
            port: port_number,
        }
    } else {
        Target::Refused { address }
    }
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

/// Where the client's results go: the screen, the log, the host it
/// connects to (whose store the servers deliver into), and whether the
/// server's pauses are honoured.
pub struct Output<'a> {
    pub screen: &'a mut Scrollback,
    pub log: &'a mut Log,
    pub host: &'a mut Host,
    pub timing: bool,
}

/// A step still to carry out, in order.
#[derive(Debug)]
enum Pending {
    Event(Event),
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
    session: Option<HostSession>,
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
            connected_to: String::new(),
            pending: VecDeque::new(),
            process_id: 10_000 + seed % 80_000,
            chunks_sent: 0,
            unclaimed_wait: None,
        }
    }

    pub fn is_connected(&self) -> bool {
        self.session.is_some()
    }

    /// The protocol of the server behind the connection, if any.
    pub fn protocol(&self) -> Option<Protocol> {
        self.session.as_ref().map(HostSession::protocol)
    }

    /// Whether the server is still working (a pause is running).
    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Whether the server is reading a message body.
    pub fn in_data(&self) -> bool {
        self.session.as_ref().is_some_and(HostSession::in_data)
    }

    /// The last pause the server started and nobody has waited for yet
    /// (typing done by a replay does not look at each key's result).
    pub fn take_unclaimed_wait(&mut self) -> Option<u64> {
        self.unclaimed_wait.take()
    }

    /// `telnet HOST PORT`. Returns a pause to wait before [`Self::resume`].
    pub fn open(
        &mut self,
        name: &str,
        port: &str,
        now: Timestamp,
        out: &mut Output,
    ) -> Option<u64> {
        match resolve(out.host, name, port) {
            Target::BadPort => {
                out.screen
                    .push(LineKind::Error, format!("telnet: {port}: bad port number"));
                None
            }
            Target::Unknown => {
                out.screen.push(LineKind::Error, lookup_failure(name, port));
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
                port,
            } => {
                out.screen.push(LineKind::Output, trying(&address));
                out.screen.push(LineKind::Output, connected(&shown_name));
                out.screen.push(LineKind::Output, ESCAPE_HINT);
                self.process_id = self.process_id % 999_000 + 1 + (now.unix_seconds as u32 % 7);
                let client = Client {
                    address: out.host.world().client.address.clone(),
                    process_id: self.process_id,
                    queue_sequence: (now.unix_seconds as u32).wrapping_mul(2654435761) % 3600,
                };
                let (session, events) = out.host.connect(port, &client, now)?;
                out.log.record(LogEvent::Connected {
                    personality: session.server_id(),
                });
                self.session = Some(session);
                self.connected_to = shown_name;
                self.queue(events);
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
        let events = match &mut self.session {
            Some(session) => session.receive(out.host, data, now),
            None => return None,
        };
        self.queue(events);
        self.resume(now, out)
    }

    fn queue(&mut self, events: Vec<Event>) {
        for event in events {
            if let Event::GreetingPause { millis } = event {
                self.pending
                    .push_back(Pending::Event(Event::Pause { millis }));
                self.pending.push_back(Pending::Greet);
            } else {
                self.pending.push_back(Pending::Event(event));
            }
        }
    }

    /// A line from the server, shown (and, for a POP3 or IMAP server,
    /// marked with its protocol for explain mode).
    fn server_line(&self, text: String, out: &mut Output) {
        match self.protocol().and_then(Protocol::line_label) {
            Some(label) => out.screen.push_mail(LineKind::Server, text, label),
            None => out.screen.push(LineKind::Server, text),
        }
    }

    /// Carries out what is pending until a pause; returns the pause.
    pub fn resume(&mut self, now: Timestamp, out: &mut Output) -> Option<u64> {
        while let Some(step) = self.pending.pop_front() {
            let event = match step {
                Pending::Event(event) => event,
                Pending::Greet => {
                    let events = match &mut self.session {
                        Some(session) => session.greet(out.host, now),
                        None => Vec::new(),
                    };
                    for event in events.into_iter().rev() {
                        self.pending.push_front(Pending::Event(event));
                    }
                    continue;
                }
            };
            match event {
                Event::Pause { millis } => {
                    if out.timing && millis > 0 {
                        self.unclaimed_wait = Some(millis);
                        return Some(millis);
                    }
                }
                Event::GreetingPause { .. } => {}
                Event::Reply(reply) => {
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
                Event::Line(text) => self.server_line(text, out),
                Event::Bytes(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let text = text.strip_suffix("\r\n").unwrap_or(&text);
                    for line in text.split("\r\n") {
                        self.server_line(line.to_string(), out);
                    }
                }
                Event::Answered { verb, status } => {
                    out.log.record(LogEvent::Answered { verb, status })
                }
                Event::Delivered { mailboxes, entry } => {
                    out.log.record(LogEvent::Delivered { mailboxes, entry })
                }
                // The store has it (the panels read it from there), and the
                // host carried out the store's requests.
                Event::Stored { .. }
                | Event::Deliver(_)
                | Event::Open { .. }
                | Event::Save { .. }
                | Event::Write { .. } => {}
                // The terminal's telnet cannot do TLS: the session ends at
                // the client's next bytes, as after a failed handshake.
                Event::StartTls => {}
                Event::Notice(text) => out.screen.push(LineKind::Notice, text),
                Event::Close => {
                    out.log.record(LogEvent::Closed);
                    if let Some(mut session) = self.session.take() {
                        session.close(out.host, now);
                    }
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
            session.close(out.host, now);
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
                    let wait = self.open(host, port, now, out);
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

    use smtplab_engine::personality::SENDMAIL_8_13_8;

    #[test]
    fn resolves_hosts_and_ports() {
        let host = Host::new(std::sync::Arc::new(World::tutorial()), &SENDMAIL_8_13_8);
        let cases: &[(&str, &str, Target)] = &[
            (
                "mail.example.com",
                "smtp",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail.example.com".into(),
                    port: 25,
                },
            ),
            (
                "mail.example.com",
                "587",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail.example.com".into(),
                    port: 587,
                },
            ),
            (
                "localhost",
                "25",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "localhost".into(),
                    port: 25,
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
                    port: 110,
                },
            ),
            (
                "mail",
                "143",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail".into(),
                    port: 143,
                },
            ),
            ("nosuch.example", "smtp", Target::Unknown),
            ("mail.example.com", "bogus", Target::BadPort),
        ];
        for (name, port, target) in cases {
            assert_eq!(&resolve(&host, name, port), target, "{name} {port}");
        }
    }
}
