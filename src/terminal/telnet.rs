//! The telnet client (Debian's inetutils telnet 2.4): resolving the host
//! and port, its own messages, the `telnet> ` command prompt, and the
//! connection to a port of the simulated mail host, whose events
//! (replies, pauses, deliveries, closing) it carries out in order. Which
//! protocol answers on a port is the host's business, not telnet's.

use std::collections::VecDeque;

use smtplab_engine::{Client, Event, Host, HostSession, Protocol, Timestamp, World};

use super::log::{Log, LogEvent};
use super::s_client::SClient;
use super::scrollback::{Line, LineKind, ReplyTag, Scrollback};
use super::swaks::Swaks;
use super::tools::Step;

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

/// Where a client tool's TCP connection goes: the port and the name to
/// show, or whether it was refused (else the name did not resolve).
fn reach(host: &Host, name: &str, port: &str) -> Result<(u16, String), bool> {
    match resolve(host, name, port) {
        Target::MailServer {
            port, shown_name, ..
        } => Ok((port, shown_name)),
        Target::Refused { .. } => Err(true),
        Target::Unknown | Target::BadPort => Err(false),
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

/// The client program behind the connection: telnet shows everything
/// and sends what is typed; the others do more by themselves.
pub enum Tool {
    Telnet,
    SClient(Box<SClient>),
    Swaks(Box<Swaks>),
}

/// What a server sent, for a tool to look at and maybe show.
enum Received {
    Reply(smtplab_engine::Reply),
    Line(String),
}

impl Received {
    fn lines(&self) -> Vec<String> {
        match self {
            Received::Reply(reply) => reply.render(),
            Received::Line(line) => vec![line.clone()],
        }
    }
}

/// The telnet client and its connection, if any.
pub struct TelnetClient {
    session: Option<HostSession>,
    tool: Tool,
    /// Telnet reached a port that speaks TLS from the first byte: the
    /// server says nothing in the clear and ends at the first bytes.
    awaiting_handshake: bool,
    /// The exit status of the last tool that ended.
    pub status: i32,
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
            tool: Tool::Telnet,
            awaiting_handshake: false,
            status: 0,
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
                self.tool = Tool::Telnet;
                if !self.connect(port, shown_name, now, out) {
                    return None;
                }
                if self
                    .session
                    .as_ref()
                    .is_some_and(HostSession::tls_on_connect)
                {
                    // The server waits for a TLS handshake and says nothing
                    // in the clear.
                    self.pending.clear();
                    self.awaiting_handshake = true;
                }
                self.resume(now, out)
            }
        }
    }

    /// Connects to `port` of the mail host; the server's first events are
    /// queued.
    fn connect(&mut self, port: u16, shown_name: String, now: Timestamp, out: &mut Output) -> bool {
        self.process_id = self.process_id % 999_000 + 1 + (now.unix_seconds as u32 % 7);
        let client = Client {
            address: out.host.world().client.address.clone(),
            process_id: self.process_id,
            queue_sequence: (now.unix_seconds as u32).wrapping_mul(2654435761) % 3600,
        };
        let Some((session, events)) = out.host.connect(port, &client, now) else {
            return false;
        };
        out.log.record(LogEvent::Connected {
            personality: session.server_id(),
        });
        self.session = Some(session);
        self.connected_to = shown_name;
        self.awaiting_handshake = false;
        self.queue(events);
        true
    }

    /// `openssl s_client ...`. Returns a pause to wait before [`Self::resume`].
    pub fn open_s_client(
        &mut self,
        options: super::s_client::Options,
        now: Timestamp,
        out: &mut Output,
    ) -> Option<u64> {
        let (port, shown) = match reach(out.host, &options.host, &options.port) {
            Ok(reached) => reached,
            Err(refused) => {
                for line in super::s_client::connect_error(refused) {
                    out.screen.push(LineKind::Error, line);
                }
                self.status = 1;
                return None;
            }
        };
        if !self.connect(port, shown, now, out) {
            return None;
        }
        let Some(session) = &self.session else {
            return None;
        };
        let at_once = session.tls_on_connect();
        let mut client = SClient::new(
            options,
            &out.host.world().hostname,
            session.tls_profile(),
            now.unix_seconds,
        );
        let steps = client.connected(at_once);
        self.tool = Tool::SClient(Box::new(client));
        if self.carry(steps, None, now, out) {
            self.resume(now, out)
        } else {
            None
        }
    }

    /// `swaks ...`: the whole transaction by itself. Returns a pause to
    /// wait before [`Self::resume`].
    pub fn open_swaks(
        &mut self,
        options: super::swaks::Options,
        user: &str,
        now: Timestamp,
        out: &mut Output,
    ) -> Option<u64> {
        let world = out.host.world();
        let mut swaks = Swaks::new(
            options,
            &world.client.name,
            user,
            &world.hostname,
            out.host.personality().tls.swaks_cipher,
            now,
            self.process_id,
        );
        let (host, port) = swaks.target();
        let trying = swaks.trying();
        let (port, shown) = match reach(out.host, &host, &port) {
            Ok(reached) => reached,
            Err(refused) => {
                let mut steps = vec![trying];
                steps.extend(swaks.cannot_connect(refused));
                self.tool = Tool::Swaks(Box::new(swaks));
                self.carry(steps, None, now, out);
                return None;
            }
        };
        if !self.connect(port, shown, now, out) {
            return None;
        }
        let at_once = self
            .session
            .as_ref()
            .is_some_and(HostSession::tls_on_connect);
        let mut steps = vec![trying];
        steps.extend(swaks.connected(at_once));
        if at_once && !swaks.options().tls_on_connect {
            // A plain SMTP client on a TLS port: the server waits for a
            // handshake, swaks for a banner, until swaks gives up.
            self.pending.clear();
            swaks.status = 21;
            steps.push(Step::Show(
                LineKind::Error,
                "*** Timeout (30 secs) waiting for server response".to_string(),
            ));
            steps.push(Step::Exit);
        }
        self.tool = Tool::Swaks(Box::new(swaks));
        if self.carry(steps, None, now, out) {
            self.resume(now, out)
        } else {
            None
        }
    }

    /// Carries out a tool's steps; false when the tool ended.
    fn carry(
        &mut self,
        steps: Vec<Step>,
        received: Option<&Received>,
        now: Timestamp,
        out: &mut Output,
    ) -> bool {
        for step in steps {
            match step {
                Step::Server(prefix) => {
                    if let Some(received) = received {
                        self.show_received(received, prefix, out);
                    }
                }
                Step::Show(kind, text) => out.screen.push(kind, text),
                Step::Send { bytes, shown } => {
                    if let Some(text) = shown {
                        out.screen.push(LineKind::Client, text);
                    }
                    self.send_quietly(&bytes, now, out);
                }
                Step::Handshake => {
                    let events = match &mut self.session {
                        Some(session) => session.tls_started(out.host, now),
                        None => Vec::new(),
                    };
                    self.queue(events);
                }
                Step::Exit => {
                    self.status = match &self.tool {
                        Tool::Swaks(swaks) => swaks.status,
                        _ => self.status,
                    };
                    self.hang_up(now, out);
                    self.tool = Tool::Telnet;
                    return false;
                }
            }
        }
        true
    }

    /// A server's reply or line as the screen shows it (with `prefix`).
    fn show_received(&self, received: &Received, prefix: &str, out: &mut Output) {
        match received {
            Received::Reply(reply) => {
                for text in reply.render() {
                    out.screen.push_line(Line {
                        kind: LineKind::Server,
                        text: format!("{prefix}{text}"),
                        reply: Some(Box::new(ReplyTag {
                            key: reply.key,
                            echo: reply.echo.clone(),
                        })),
                        mail: None,
                    });
                }
            }
            Received::Line(text) => self.server_line(format!("{prefix}{text}"), out),
        }
    }

    /// Whether the program behind the connection reads typed lines.
    pub fn reads_typing(&self) -> bool {
        !matches!(self.tool, Tool::Swaks(_))
    }

    /// Whether the program behind the connection is telnet.
    pub fn is_telnet(&self) -> bool {
        matches!(self.tool, Tool::Telnet)
    }

    /// A line typed while connected (already shown): telnet sends it with
    /// CRLF; s_client reads its one-letter commands first and ends lines
    /// as `-crlf` says.
    pub fn type_line(&mut self, line: &str, now: Timestamp, out: &mut Output) -> Option<u64> {
        let steps = match &mut self.tool {
            Tool::SClient(client) => client.typed(line),
            Tool::Swaks(_) => return None,
            Tool::Telnet => {
                let mut data = line.as_bytes().to_vec();
                data.extend_from_slice(b"\r\n");
                return self.send(&data, now, out);
            }
        };
        if self.carry(steps, None, now, out) {
            self.resume(now, out)
        } else {
            None
        }
    }

    /// Ctrl+D while connected: s_client ends (unless `-ign_eof`).
    pub fn end_of_input(&mut self, now: Timestamp, out: &mut Output) {
        let steps = match &self.tool {
            Tool::SClient(client) => client.end_of_input(),
            _ => return,
        };
        self.carry(steps, None, now, out);
    }

    /// Ctrl+C: a tool other than telnet ends at once.
    pub fn interrupt(&mut self, now: Timestamp, out: &mut Output) -> bool {
        if self.is_telnet() {
            return false;
        }
        self.status = 130;
        self.hang_up(now, out);
        self.tool = Tool::Telnet;
        true
    }

    /// Sends bytes to the server (lines ending in CRLF; a paste is one chunk).
    pub fn send(&mut self, data: &[u8], now: Timestamp, out: &mut Output) -> Option<u64> {
        if self.awaiting_handshake {
            // Plain text where a TLS handshake was due: the server's TLS
            // layer gives up and closes.
            out.screen.push(
                LineKind::Notice,
                "This port speaks TLS from the first byte (RFC 8314), so the server waited for a TLS handshake and hangs up on plain text. Try: openssl s_client -connect mail.example.com:465",
            );
            out.screen.push(LineKind::Output, CLOSED_BY_FOREIGN_HOST);
            self.hang_up(now, out);
            return None;
        }
        if let Tool::SClient(client) = &mut self.tool {
            // A paste reaches s_client as one read: only its first
            // character can be a command, and its line ends follow -crlf.
            let text = String::from_utf8_lossy(data);
            let text = text
                .strip_suffix("\r\n")
                .unwrap_or(&text)
                .replace("\r\n", "\n");
            let mut steps = client.typed(&text);
            if let Some(Step::Send { bytes, .. }) = steps.first_mut() {
                if client.options().crlf {
                    *bytes = format!("{}\r\n", text.replace('\n', "\r\n")).into_bytes();
                }
            }
            return if self.carry(steps, None, now, out) {
                self.resume(now, out)
            } else {
                None
            };
        }
        self.send_quietly(data, now, out);
        self.resume(now, out)
    }

    /// Sends bytes and queues what the server does about them.
    fn send_quietly(&mut self, data: &[u8], now: Timestamp, out: &mut Output) {
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
            None => return,
        };
        self.queue(events);
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
                    let code = reply.code;
                    if !self.received(Received::Reply(reply), code, now, out) {
                        return None;
                    }
                }
                Event::Line(text) => {
                    if !self.received(Received::Line(text), 0, now, out) {
                        return None;
                    }
                }
                Event::Bytes(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let text = text.strip_suffix("\r\n").unwrap_or(&text);
                    for line in text.split("\r\n") {
                        if !self.received(Received::Line(line.to_string()), 0, now, out) {
                            return None;
                        }
                    }
                }
                Event::Answered { verb, status } => {
                    out.log.record(LogEvent::Answered { verb, status })
                }
                Event::Delivered { mailboxes, entry } => {
                    out.log.record(LogEvent::Delivered { mailboxes, entry })
                }
                Event::Relayed { recipients } => {
                    out.screen.push(
                        LineKind::Notice,
                        format!(
                            "The server queued the message for {} to send on; this simulated host has no network, so it goes no further.",
                            recipients.join(", ")
                        ),
                    );
                    out.log.record(LogEvent::Relayed)
                }
                // The store has it (the panels read it from there), and the
                // host carried out the store's requests.
                Event::Stored { .. }
                | Event::Deliver(_)
                | Event::Open { .. }
                | Event::Save { .. }
                | Event::Index { .. }
                | Event::Write { .. } => {}
                // The terminal's telnet cannot do TLS: the session ends at
                // the client's next bytes, as after a failed handshake.
                Event::StartTls => {
                    let steps = match &mut self.tool {
                        Tool::Telnet => continue,
                        Tool::SClient(client) => client.start_tls(),
                        Tool::Swaks(swaks) => swaks.start_tls(),
                    };
                    if !self.carry(steps, None, now, out) {
                        return None;
                    }
                }
                Event::Notice(text) => {
                    // The engine's notices speak of telnet.
                    if self.is_telnet() {
                        out.screen.push(LineKind::Notice, text)
                    }
                }
                Event::Close => {
                    out.log.record(LogEvent::Closed);
                    if let Some(mut session) = self.session.take() {
                        session.close(out.host, now);
                    }
                    self.pending.clear();
                    let steps = match &mut self.tool {
                        Tool::Telnet => {
                            out.screen.push(LineKind::Output, CLOSED_BY_FOREIGN_HOST);
                            continue;
                        }
                        Tool::SClient(client) => client.closed(),
                        Tool::Swaks(swaks) => swaks.closed(),
                    };
                    self.carry(steps, None, now, out);
                    return None;
                }
            }
        }
        None
    }

    /// A reply or line from the server: telnet shows it; a tool decides.
    /// False when the tool ended.
    fn received(
        &mut self,
        received: Received,
        code: u16,
        now: Timestamp,
        out: &mut Output,
    ) -> bool {
        let steps = match &mut self.tool {
            Tool::Telnet => {
                if !self.awaiting_handshake {
                    self.show_received(&received, "", out);
                }
                return true;
            }
            Tool::SClient(client) => client.server_line(&received.lines()),
            Tool::Swaks(swaks) => match &received {
                Received::Reply(_) => swaks.reply(code, &received.lines()),
                Received::Line(_) => vec![Step::Server("<-  ")],
            },
        };
        self.carry(steps, Some(&received), now, out)
    }

    /// The client closes: the server notices, nothing more is shown (an
    /// IMAP server still writes what the session changed).
    pub fn hang_up(&mut self, now: Timestamp, out: &mut Output) {
        self.awaiting_handshake = false;
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
