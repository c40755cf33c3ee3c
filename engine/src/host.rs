//! The simulated mail host: its world, its mail store, and the services
//! listening on its ports.
//!
//! A shell (the page's telnet, the native server) connects to a port and
//! gets a [`HostSession`]. Whatever protocol is behind the port, the
//! session is driven the same way (bytes received, the greeting pause
//! over, TLS started, a timeout, the client gone), always with a
//! [`Timestamp`], and answers with the same [`Event`]s: bytes to send,
//! pauses, TLS, closing. What a session does to mail (a delivery, a
//! mailbox a POP3 or IMAP session rewrote) happens here, in the host's
//! [`MailStore`]; the events only tell the shell about it, to show it or
//! to write the files.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::event::Event;
use crate::imap::{ImapSession, DOVECOT_IMAP_2_3_19_DEBIAN};
use crate::personality::Personality;
use crate::pop3::{Pop3Session, DOVECOT_2_3_19_DEBIAN};
use crate::session::{Connection, Session};
use crate::store::{Entry, MailStore};
use crate::time::Timestamp;
use crate::world::World;

/// The protocol a service speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Smtp,
    Pop3,
    Imap,
}

impl Protocol {
    /// `smtp`, `pop3`, `imap`: how explain mode and the logs name it.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Pop3 => "pop3",
            Protocol::Imap => "imap",
        }
    }

    /// How explain mode names a line of this protocol's sessions, for the
    /// protocols whose lines it explains by pattern (POP3, IMAP); SMTP's
    /// replies carry their catalogue key instead.
    pub fn line_label(self) -> Option<&'static str> {
        (self != Protocol::Smtp).then(|| self.name())
    }

    /// Its commands, as a client types them (for Tab completion).
    pub fn verbs(self) -> &'static [&'static str] {
        match self {
            Protocol::Smtp => SMTP_VERBS,
            Protocol::Pop3 => POP3_COMMANDS,
            Protocol::Imap => IMAP_COMMANDS,
        }
    }

    /// Whether a command line starts with a tag of the client's (IMAP).
    pub fn tagged(self) -> bool {
        self == Protocol::Imap
    }
}

/// SMTP verbs.
const SMTP_VERBS: &[&str] = &[
    "HELO",
    "EHLO",
    "MAIL FROM:",
    "RCPT TO:",
    "DATA",
    "RSET",
    "NOOP",
    "QUIT",
    "VRFY",
    "EXPN",
    "HELP",
    "VERB",
    "ETRN",
    "AUTH",
    "STARTTLS",
];

/// POP3 commands (Dovecot's).
const POP3_COMMANDS: &[&str] = &[
    "USER", "PASS", "AUTH", "CAPA", "STLS", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET",
    "NOOP", "QUIT",
];

/// IMAP commands (after the tag).
const IMAP_COMMANDS: &[&str] = &[
    "CAPABILITY",
    "LOGIN",
    "AUTHENTICATE",
    "STARTTLS",
    "LOGOUT",
    "NOOP",
    "ID",
    "ENABLE",
    "NAMESPACE",
    "SELECT",
    "EXAMINE",
    "CREATE",
    "DELETE",
    "RENAME",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "LIST",
    "LSUB",
    "STATUS",
    "APPEND",
    "CHECK",
    "CLOSE",
    "UNSELECT",
    "EXPUNGE",
    "SEARCH",
    "FETCH",
    "STORE",
    "COPY",
    "MOVE",
    "UID",
    "IDLE",
];

/// When TLS starts on a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    /// In the clear, with STARTTLS (or STLS) where the server offers it.
    StartTls,
    /// From the first byte (submissions on 465, IMAPS on 993, POP3S on
    /// 995).
    OnConnect,
}

/// A port of the host and what answers on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    pub port: u16,
    pub protocol: Protocol,
    pub tls: Tls,
    /// The SMTP server as configured for submission (RFC 6409: clients
    /// that log in to send), not for mail from other servers.
    pub submission: bool,
}

const fn service(port: u16, protocol: Protocol, tls: Tls, submission: bool) -> Service {
    Service {
        port,
        protocol,
        tls,
        submission,
    }
}

/// The services every simulated host runs: SMTP on 25; submission on 587
/// (STARTTLS) and 465 (TLS from the first byte, RFC 8314); Dovecot's POP3
/// on 110 and 995, IMAP on 143 and 993.
pub const SERVICES: &[Service] = &[
    service(25, Protocol::Smtp, Tls::StartTls, false),
    service(587, Protocol::Smtp, Tls::StartTls, true),
    service(465, Protocol::Smtp, Tls::OnConnect, true),
    service(110, Protocol::Pop3, Tls::StartTls, false),
    service(995, Protocol::Pop3, Tls::OnConnect, false),
    service(143, Protocol::Imap, Tls::StartTls, false),
    service(993, Protocol::Imap, Tls::OnConnect, false),
];

/// Who connects, and what a real server would take from its process and
/// its random source for this connection.
#[derive(Clone, Debug)]
pub struct Client {
    pub address: String,
    /// The receiving process's id (in Sendmail's queue ids, Exim's ids).
    pub process_id: u32,
    /// Where the queue id sequence starts.
    pub queue_sequence: u32,
}

/// The simulated machine.
#[derive(Clone, Debug)]
pub struct Host {
    world: Arc<World>,
    personality: &'static Personality,
    store: MailStore,
    services: &'static [Service],
}

impl Host {
    /// A host of `world`, its SMTP server `personality`, with no mail yet.
    pub fn new(world: Arc<World>, personality: &'static Personality) -> Host {
        Host {
            world,
            personality,
            store: MailStore::default(),
            services: SERVICES,
        }
    }

    pub fn world(&self) -> &Arc<World> {
        &self.world
    }

    /// The SMTP server's personality.
    pub fn personality(&self) -> &'static Personality {
        self.personality
    }

    /// A new world and SMTP server for the connections that follow; the
    /// mail stays.
    pub fn configure(&mut self, world: Arc<World>, personality: &'static Personality) {
        self.world = world;
        self.personality = personality;
    }

    pub fn store(&self) -> &MailStore {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut MailStore {
        &mut self.store
    }

    /// What answers on `port`, if anything.
    pub fn service(&self, port: u16) -> Option<Service> {
        self.services.iter().find(|s| s.port == port).copied()
    }

    /// The name of the server that answers on `port`, if any.
    pub fn server_label(&self, port: u16) -> Option<&'static str> {
        Some(match self.service(port)?.protocol {
            Protocol::Smtp => self.personality.label,
            Protocol::Pop3 => DOVECOT_2_3_19_DEBIAN.label,
            Protocol::Imap => DOVECOT_IMAP_2_3_19_DEBIAN.label,
        })
    }

    /// A connection to `port` (None: nothing listens there), and what the
    /// server does first.
    pub fn connect(
        &mut self,
        port: u16,
        client: &Client,
        now: Timestamp,
    ) -> Option<(HostSession, Vec<Event>)> {
        let service = self.service(port)?;
        let world = Arc::clone(&self.world);
        let (server, first) = match service.protocol {
            Protocol::Smtp => {
                let connection = Connection::new(
                    &world,
                    &client.address,
                    client.process_id,
                    client.queue_sequence,
                );
                let personality = match (service.submission, service.tls) {
                    (false, _) => self.personality,
                    (true, Tls::OnConnect) => self
                        .personality
                        .submissions
                        .or(self.personality.submission)
                        .unwrap_or(self.personality),
                    (true, Tls::StartTls) => {
                        self.personality.submission.unwrap_or(self.personality)
                    }
                };
                let mut session = Session::new(personality, world, connection);
                if service.tls == Tls::OnConnect {
                    session.start_in_tls();
                }
                let actions = session.connect(now);
                (Server::Smtp(Box::new(session)), actions)
            }
            Protocol::Pop3 => {
                let mut session = Pop3Session::new(&DOVECOT_2_3_19_DEBIAN, world, &client.address);
                if service.tls == Tls::OnConnect {
                    session.start_in_tls();
                }
                let actions = session.connect(now.unix_seconds);
                (Server::Pop3(Box::new(session)), actions)
            }
            Protocol::Imap => {
                let mut session =
                    ImapSession::new(&DOVECOT_IMAP_2_3_19_DEBIAN, world, &client.address);
                if service.tls == Tls::OnConnect {
                    session.start_in_tls();
                }
                let actions = session.connect(now.unix_seconds);
                (Server::Imap(Box::new(session)), actions)
            }
        };
        let mut session = HostSession {
            server,
            service,
            awaiting: VecDeque::new(),
            store_version: self.store.version(),
        };
        let events = session.carry_out(first, &mut self.store);
        Some((session, events))
    }
}

#[derive(Clone, Debug)]
enum Server {
    Smtp(Box<Session>),
    Pop3(Box<Pop3Session>),
    Imap(Box<ImapSession>),
}

/// One connection to a service of a [`Host`].
#[derive(Clone, Debug)]
pub struct HostSession {
    server: Server,
    service: Service,
    /// POP3 and IMAP commands sent and not yet answered: (tag, verb).
    awaiting: VecDeque<(String, String)>,
    /// The store's version when an IMAP session last looked at INBOX.
    store_version: u64,
}

impl HostSession {
    pub fn protocol(&self) -> Protocol {
        self.service.protocol
    }

    /// What the server's TLS library negotiates, as a client prints it.
    pub fn tls_profile(&self) -> &'static crate::tls::TlsProfile {
        match &self.server {
            Server::Smtp(s) => s.personality().tls,
            Server::Pop3(_) | Server::Imap(_) => &crate::tls::OPENSSL_DOVECOT,
        }
    }

    /// Whether the connection is in TLS from its first byte.
    pub fn tls_on_connect(&self) -> bool {
        self.service.tls == Tls::OnConnect
    }

    /// Whether the server is reading a message's text (SMTP after 354).
    pub fn in_data(&self) -> bool {
        matches!(&self.server, Server::Smtp(s) if s.in_data())
    }

    pub fn is_closed(&self) -> bool {
        match &self.server {
            Server::Smtp(s) => s.is_closed(),
            Server::Pop3(s) => s.is_closed(),
            Server::Imap(s) => s.is_closed(),
        }
    }

    /// Whether the server's close resets the connection: Dovecot's does
    /// when it ended with client input it never read. An SMTP server's
    /// buffered input goes with it quietly; a reset then comes only from
    /// bytes still unread in the socket, which the shell sees itself.
    pub fn resets_at_close(&self) -> bool {
        match &self.server {
            Server::Smtp(_) => false,
            Server::Pop3(s) => s.closed_with_unread_input(),
            Server::Imap(s) => s.closed_with_unread_input(),
        }
    }

    /// Whether the server reads what the client sent before it closes
    /// (so that the close is not a reset).
    pub fn drains_input_at_close(&self) -> bool {
        matches!(&self.server, Server::Smtp(s) if s.drains_input_at_close())
    }

    /// How long the server waits for a command before it gives up.
    pub fn idle_timeout_seconds(&self) -> u64 {
        match &self.server {
            Server::Smtp(s) => s.personality().command_timeout_seconds,
            // Dovecot's login and idle timeouts are longer than a shell
            // waits; the shell's own limit applies.
            Server::Pop3(_) | Server::Imap(_) => 600,
        }
    }

    /// Whether the server looks at INBOX now and then by itself (a
    /// logged-in IMAP session tells a client in IDLE of new mail).
    pub fn watches_inbox(&self) -> bool {
        matches!(&self.server, Server::Imap(s) if s.is_logged_in())
    }

    /// The reply a server sends when it has too many connections, if it
    /// has one.
    pub fn busy_reply(&self) -> Option<Vec<u8>> {
        match &self.server {
            Server::Smtp(s) => Some(
                s.reply_for(crate::catalogue::ReplyKey::TooManySessions)
                    .to_wire(),
            ),
            _ => None,
        }
    }

    /// The id of the server behind the connection (the SMTP
    /// personality's, or Dovecot's).
    pub fn server_id(&self) -> &'static str {
        match &self.server {
            Server::Smtp(s) => s.personality().id,
            Server::Pop3(_) => DOVECOT_2_3_19_DEBIAN.id,
            Server::Imap(_) => DOVECOT_IMAP_2_3_19_DEBIAN.id,
        }
    }

    /// Bytes from the client.
    pub fn receive(&mut self, host: &mut Host, bytes: &[u8], now: Timestamp) -> Vec<Event> {
        self.note_commands(bytes);
        // A delivery since an IMAP session last looked shows up now.
        let mut events = self.look_at_inbox(host);
        let output = match &mut self.server {
            Server::Smtp(s) => s.receive(bytes, now),
            Server::Pop3(s) => s.receive(bytes, now.unix_seconds),
            Server::Imap(s) => s.receive(bytes, now.unix_seconds),
        };
        events.extend(self.carry_out(output, &mut host.store));
        events
    }

    /// The greeting pause is over: the server's banner.
    pub fn greet(&mut self, host: &mut Host, now: Timestamp) -> Vec<Event> {
        match &mut self.server {
            Server::Smtp(s) => {
                let actions = s.greet(now);
                self.carry_out(actions, &mut host.store)
            }
            _ => Vec::new(),
        }
    }

    /// The shell finished the TLS handshake [`Event::StartTls`] asked for.
    pub fn tls_started(&mut self, host: &mut Host, now: Timestamp) -> Vec<Event> {
        match &mut self.server {
            Server::Smtp(s) => {
                let actions = s.tls_started(now);
                self.carry_out(actions, &mut host.store)
            }
            Server::Pop3(s) => {
                s.tls_started();
                Vec::new()
            }
            Server::Imap(s) => {
                s.tls_started();
                Vec::new()
            }
        }
    }

    /// The client said nothing for [`HostSession::idle_timeout_seconds`].
    pub fn timeout(&mut self, host: &mut Host, now: Timestamp) -> Vec<Event> {
        match &mut self.server {
            Server::Smtp(s) => {
                let actions = s.timeout(now);
                self.carry_out(actions, &mut host.store)
            }
            // Dovecot's sessions just end.
            _ => vec![Event::Close],
        }
    }

    /// The connection is over (the client went away, or the server closed
    /// it): what the server still does. An IMAP server writes what the
    /// session changed; an SMTP server whose client vanished may still
    /// reply, to nobody. A shell calls this once, at the end.
    pub fn close(&mut self, host: &mut Host, now: Timestamp) -> Vec<Event> {
        let output = match &mut self.server {
            Server::Smtp(s) => s.disconnect(now),
            Server::Pop3(_) => Vec::new(),
            Server::Imap(s) => s.disconnected(),
        };
        self.carry_out(output, &mut host.store)
    }

    /// A server that watches INBOX ([`HostSession::watches_inbox`]) looks
    /// at it: a delivery since it last looked is told to a client in IDLE.
    pub fn look_at_inbox(&mut self, host: &mut Host) -> Vec<Event> {
        let Server::Imap(s) = &mut self.server else {
            return Vec::new();
        };
        if !s.is_logged_in() || self.store_version == host.store.version() {
            return Vec::new();
        }
        self.store_version = host.store.version();
        let actions = s.store_changed(host.store.user_store(s.user()));
        self.carry_out(actions, &mut host.store)
    }

    /// The commands on the lines a POP3 or IMAP client sent, to say which
    /// status answers which.
    fn note_commands(&mut self, bytes: &[u8]) {
        let imap = match self.service.protocol {
            Protocol::Smtp => return,
            Protocol::Pop3 => false,
            Protocol::Imap => true,
        };
        let text = String::from_utf8_lossy(bytes);
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            self.awaiting.push_back(command_of(line, imap));
        }
    }

    /// A status line of a POP3 or IMAP server: the command it answers.
    fn answered(&mut self, line: &str) -> Option<Event> {
        let (at, status) = if self.service.protocol == Protocol::Imap {
            let (tag, status) = command_of(line, true);
            let known = matches!(status.as_str(), "OK" | "NO" | "BAD");
            let at = self
                .awaiting
                .iter()
                .position(|(t, _)| known && *t == tag && tag != "*")?;
            (at, status)
        } else if line.starts_with("+OK") || line.starts_with("-ERR") {
            let status = line.split(' ').next().unwrap_or("").to_string();
            (!self.awaiting.is_empty()).then_some((0, status))?
        } else {
            return None;
        };
        let (_, verb) = self.awaiting.remove(at)?;
        Some(Event::Answered { verb, status })
    }

    /// Carries out in the store what a session asked of it (handing an
    /// opened mailbox back to the session, whose answer is carried out in
    /// turn) and passes the rest on, with what the store did in place of
    /// the requests.
    fn carry_out(&mut self, events: Vec<Event>, store: &mut MailStore) -> Vec<Event> {
        let mut done = Vec::with_capacity(events.len());
        let mut pending: VecDeque<Event> = events.into();
        while let Some(event) = pending.pop_front() {
            match event {
                Event::Deliver(delivery) => {
                    if !delivery.relayed.is_empty() {
                        done.push(Event::Relayed {
                            recipients: delivery.relayed,
                        });
                    }
                    for copy in delivery.copies {
                        let entry: Entry = copy.entry.into();
                        for mailbox in &copy.mailboxes {
                            store.deliver(mailbox, Arc::clone(&entry));
                        }
                        done.push(Event::Delivered {
                            mailboxes: copy.mailboxes,
                            entry,
                        });
                    }
                }
                Event::Open { user } => {
                    let more = match &mut self.server {
                        Server::Pop3(s) => s.opened(&store.file(&user).unwrap_or_default()),
                        Server::Imap(s) => s.opened(store.user_store(&user)),
                        Server::Smtp(_) => Vec::new(),
                    };
                    for event in more.into_iter().rev() {
                        pending.push_front(event);
                    }
                }
                Event::Save { user, file } => {
                    if matches!(self.server, Server::Pop3(_)) {
                        store.forget_flags(&user, "INBOX", false);
                    }
                    store.replace(&user, &file);
                    done.push(Event::Stored { user, path: None });
                }
                Event::Write { user, path, file } => {
                    store.write(&user, &path, file);
                    done.push(Event::Stored {
                        user,
                        path: Some(path),
                    });
                }
                Event::Index {
                    user,
                    flags,
                    uid_validity,
                } => store.set_index(&user, flags, uid_validity),
                Event::Line(line) => {
                    let answered = self.answered(&line);
                    done.push(Event::Line(line));
                    done.extend(answered);
                }
                other => done.push(other),
            }
        }
        // What this session wrote is no news to it.
        self.store_version = store.version();
        done
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::SENDMAIL_8_17_DEBIAN;

    fn client() -> Client {
        Client {
            address: "127.0.0.2".into(),
            process_id: 4242,
            queue_sequence: 7,
        }
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-28T13:08:25Z").unwrap()
    }

    fn wire(events: &[Event]) -> String {
        String::from_utf8_lossy(&events.iter().flat_map(Event::wire).collect::<Vec<u8>>())
            .into_owned()
    }

    /// Drives a session as a shell would, without pauses: the greeting,
    /// then `input` a line at a time; returns what was sent.
    fn play(host: &mut Host, port: u16, input: &[u8]) -> (String, Vec<Event>) {
        let (mut session, mut events) = host.connect(port, &client(), now()).unwrap();
        if events
            .iter()
            .any(|e| matches!(e, Event::GreetingPause { .. }))
        {
            events.extend(session.greet(host, now()));
        }
        for line in input.split_inclusive(|&b| b == b'\n') {
            events.extend(session.receive(host, line, now()));
        }
        events.extend(session.close(host, now()));
        (wire(&events), events)
    }

    #[test]
    fn mail_sent_over_smtp_is_read_back_over_pop3_and_imap() {
        let mut host = Host::new(Arc::new(World::corpus()), &SENDMAIL_8_17_DEBIAN);
        assert!(host.connect(80, &client(), now()).is_none());
        let (sent, events) = play(
            &mut host,
            25,
            b"EHLO client.example.no\r\nMAIL FROM:<a@client.example.no>\r\n\
              RCPT TO:<mom@example.com>\r\nDATA\r\nSubject: hello\r\n\r\nhi\r\n.\r\nQUIT\r\n",
        );
        assert!(
            sent.contains(" Message accepted for delivery\r\n"),
            "{sent}"
        );
        assert!(events
            .iter()
            .any(|e| matches!(e, Event::Delivered { mailboxes, .. } if mailboxes == &["mom"])));
        assert_eq!(host.store().count("mom"), 1);

        let (sent, events) = play(
            &mut host,
            110,
            b"USER mom\r\nPASS mom-password\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n",
        );
        assert!(sent.contains("Subject: hello\r\n"), "{sent}");
        let answered: Vec<(String, String)> = events
            .iter()
            .filter_map(|e| match e {
                Event::Answered { verb, status } => Some((verb.clone(), status.clone())),
                _ => None,
            })
            .collect();
        let ok = |verb: &str| (verb.to_string(), "+OK".to_string());
        assert_eq!(
            answered,
            [ok("USER"), ok("PASS"), ok("RETR"), ok("DELE"), ok("QUIT")]
        );
        assert_eq!(host.store().count("mom"), 0, "POP3's QUIT removed it");

        play(
            &mut host,
            25,
            b"HELO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\n\
              Subject: again\r\n\r\n.\r\nQUIT\r\n",
        );
        let (sent, _) = play(
            &mut host,
            143,
            b"a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc STORE 1 +FLAGS (\\Flagged)\r\n\
              d CREATE Archive\r\ne LOGOUT\r\n",
        );
        assert!(sent.contains("* 1 EXISTS\r\n"), "{sent}");
        assert!(sent.contains("e OK Logout completed"), "{sent}");
        let inbox = String::from_utf8(host.store().file("mom").unwrap()).unwrap();
        assert!(inbox.contains("X-Status: F"), "{inbox}");
        assert!(host.store().folders("mom").contains_key("Archive"));
    }

    #[test]
    fn an_idle_imap_client_hears_of_a_delivery() {
        let mut host = Host::new(Arc::new(World::corpus()), &SENDMAIL_8_17_DEBIAN);
        let (mut imap, _) = host.connect(143, &client(), now()).unwrap();
        let events = imap.receive(
            &mut host,
            b"a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc IDLE\r\n",
            now(),
        );
        assert!(wire(&events).contains("+ idling"));
        assert!(imap.watches_inbox());
        assert!(imap.look_at_inbox(&mut host).is_empty());
        play(
            &mut host,
            25,
            b"HELO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n",
        );
        assert_eq!(
            wire(&imap.look_at_inbox(&mut host)),
            "* 1 EXISTS\r\n* 1 RECENT\r\n"
        );
        assert!(imap.look_at_inbox(&mut host).is_empty());
    }
}
