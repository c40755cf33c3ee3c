//! `smtplab serve`: the engine's simulated host behind TCP listeners on
//! loopback: SMTP on `--listen`, submission on `--submission` and
//! `--submissions`, and Dovecot's POP3 and IMAP on `--pop3` and `--imap`
//! (and `--pop3s`, `--imaps`), over one mail store.
//!
//! One thread per connection, each with the session the host gives for
//! its port; this shell does not know which protocol is behind it. What
//! arrives in one `read` is handed to the session as one chunk, so a
//! client that pipelines is seen pipelining. Pauses the session asks for
//! are slept. The store is mirrored into `--spool`: delivered messages are
//! appended to `SPOOL/USER` (mbox) before the server says 250, INBOX files
//! that POP3 or IMAP rewrote are written again, and IMAP's folders and
//! subscriptions go to `SPOOL/USER-mail/`, as Dovecot's `~/mail`; what the
//! spool holds when the server starts is the store's first content. After
//! STARTTLS (or STLS) the connection continues inside TLS (rustls, with a
//! self-signed certificate for the world's host name); on `--submissions`,
//! `--pop3s` and `--imaps` (465, 995, 993) it starts inside TLS.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use smtplab_engine::queue_id::SEQUENCE_SPAN;
use smtplab_engine::store::StorePath;
use smtplab_engine::{Client, Event, Host, HostSession, Timestamp};

use crate::options::Options;

/// Bytes read from the socket at a time.
const READ_BUFFER: usize = 64 * 1024;

struct Shared {
    host: Mutex<Host>,
    spool: Option<PathBuf>,
    delays: bool,
    sessions: AtomicUsize,
    max_sessions: usize,
    next_process_id: AtomicU32,
    /// `--idle-timeout`, instead of each server's own.
    idle_timeout: Option<Duration>,
    tls: Option<Arc<ServerConfig>>,
    clock: Clock,
}

impl Shared {
    /// The host, for one engine call or one file write at a time.
    fn host(&self) -> MutexGuard<'_, Host> {
        self.host
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The world's certificate for `mail.example.com` and its key: what the
/// page's `openssl s_client` shows, and what the recorded servers
/// presented (a throwaway self-signed test certificate).
const WORLD_CERTIFICATE: &str = include_str!("../../worlds/tls/mail.example.com.crt");
const WORLD_KEY: &str = include_str!("../../worlds/tls/mail.example.com.key");

/// The certificate the host presents: the world's for `mail.example.com`,
/// or else a self-signed one for `hostname`, made now (the snakeoil
/// certificate a Debian mail server starts with).
/// `tickets`: how many session tickets follow a handshake, as the
/// server's own TLS library sends them.
pub(crate) fn tls_config(hostname: &str, tickets: usize) -> Result<Arc<ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    if hostname.eq_ignore_ascii_case("mail.example.com") {
        let cert = CertificateDer::from_pem_slice(WORLD_CERTIFICATE.as_bytes())
            .map_err(|e| format!("the world's certificate: {e}"))?;
        let key = PrivateKeyDer::from_pem_slice(WORLD_KEY.as_bytes())
            .map_err(|e| format!("the world's key: {e}"))?;
        return server_config(cert, key, tickets);
    }
    let cannot = |e: rcgen::Error| format!("cannot make a certificate: {e}");
    let mut params = rcgen::CertificateParams::new(vec![hostname.to_string()]).map_err(cannot)?;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, hostname);
    params.distinguished_name = name;
    let key_pair = rcgen::KeyPair::generate().map_err(cannot)?;
    let cert = params.self_signed(&key_pair).map_err(cannot)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    server_config(cert.der().clone(), key, tickets)
}

fn server_config(
    cert: rustls::pki_types::CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    tickets: usize,
) -> Result<Arc<ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    config.send_tls13_tickets = tickets;
    Ok(Arc::new(config))
}

/// The connection: plain TCP, or TLS over it after STARTTLS.
pub(crate) enum Link {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Link {
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Link::Plain(stream) => stream,
            Link::Tls(tls) => tls.get_ref(),
        }
    }
}

impl Read for Link {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Link::Plain(stream) => stream.read(buffer),
            Link::Tls(tls) => tls.read(buffer),
        }
    }
}

impl Write for Link {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        match self {
            Link::Plain(stream) => stream.write(buffer),
            Link::Tls(tls) => tls.write(buffer),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Link::Plain(stream) => stream.flush(),
            Link::Tls(tls) => tls.flush(),
        }
    }
}

/// The server's clock: the system's, or one that starts at `--time` and
/// then runs at real speed (so tests, and anyone who wants to see the 1st
/// of a month, choose the date).
#[derive(Clone, Copy)]
pub struct Clock {
    start: Option<(Timestamp, Instant)>,
}

impl Clock {
    pub fn new(start: Option<Timestamp>) -> Clock {
        Clock {
            start: start.map(|at| (at, Instant::now())),
        }
    }

    pub fn now(&self) -> Timestamp {
        match self.start {
            Some((at, origin)) => {
                let elapsed = origin.elapsed().as_millis();
                at.plus_millis(u64::try_from(elapsed).unwrap_or(u64::MAX))
            }
            None => system_now(),
        }
    }
}

/// The system's time, on UTC (as the recorded servers ran).
pub fn system_now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp::new(seconds, 0)
}

/// A queue id sequence start that differs from run to run, as Sendmail's
/// does; the engine itself takes it as an input.
pub fn random_sequence() -> u32 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    (nanos / 1000) % SEQUENCE_SPAN
}

pub fn run(options: &Options) -> Result<(), String> {
    // Each address and the port of the simulated host it stands for.
    let mut listeners = vec![(options.listen, 25)];
    listeners.extend(options.pop3.map(|address| (address, 110)));
    listeners.extend(options.imap.map(|address| (address, 143)));
    listeners.extend(options.more.iter().copied());
    for (address, _) in &listeners {
        if !address.ip().is_loopback() && !options.allow_remote {
            return Err(format!(
                "refusing to listen on {address} (not loopback); add --allow-remote to really do that"
            ));
        }
    }
    let mut host = Host::new(Arc::new(options.world.clone()), options.personality);
    if let Some(spool) = &options.spool {
        std::fs::create_dir_all(spool)
            .map_err(|e| format!("cannot create spool {}: {e}", spool.display()))?;
        load_spool(spool, &mut host)?;
    }
    let bound = listeners
        .iter()
        .map(|(address, port)| {
            TcpListener::bind(address)
                .map(|listener| (listener, *port))
                .map_err(|e| format!("cannot listen on {address}: {e}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let shared = Arc::new(Shared {
        host: Mutex::new(host),
        spool: options.spool.clone(),
        delays: options.delays,
        sessions: AtomicUsize::new(0),
        max_sessions: options.max_sessions.max(1),
        next_process_id: AtomicU32::new(std::process::id() % 100_000 + 1000),
        idle_timeout: options
            .idle_timeout_seconds
            .map(|s| Duration::from_secs(s.max(1))),
        tls: Some(tls_config(
            &options.world.hostname,
            options.personality.tls.tickets as usize,
        )?),
        clock: Clock::new(options.time),
    });
    let mut threads = Vec::new();
    for ((listener, port), (address, _)) in bound.into_iter().zip(&listeners) {
        eprintln!(
            "smtplab: {} listening on {address}",
            describe(port, &shared)
        );
        let shared = Arc::clone(&shared);
        threads.push(std::thread::spawn(move || accept(listener, port, &shared)));
    }
    for thread in threads {
        let _ = thread.join();
    }
    Ok(())
}

/// What answers on a port of the host, for the start-up message.
fn describe(port: u16, shared: &Shared) -> String {
    let host = shared.host();
    let server = host.server_label(port).unwrap_or("nothing");
    format!("{server} as {}", host.world().hostname)
}

fn accept(listener: TcpListener, port: u16, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("smtplab: accept failed: {error}");
                continue;
            }
        };
        let shared = Arc::clone(shared);
        let active = shared.sessions.fetch_add(1, Ordering::SeqCst) + 1;
        std::thread::spawn(move || {
            serve_connection(stream, port, active > shared.max_sessions, &shared);
            shared.sessions.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Reads what the spool holds into the store: `SPOOL/USER` as INBOX,
/// `SPOOL/USER-mail/...` as the user's other mail files.
fn load_spool(spool: &Path, host: &mut Host) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot read spool {}: {e}", spool.display());
    for entry in std::fs::read_dir(spool).map_err(cannot)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        match name.strip_suffix("-mail") {
            Some(user) if path.is_dir() => {
                let mut pending = vec![(path, String::new())];
                while let Some((dir, prefix)) = pending.pop() {
                    for entry in std::fs::read_dir(&dir).map_err(cannot)?.flatten() {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        let path = entry.path();
                        if path.is_dir() && !name.starts_with('.') {
                            // A directory of the layout (IMAP's `CREATE name/`).
                            let directory = StorePath::Folder(format!("{prefix}{name}/"));
                            host.store_mut().write(user, &directory, Some(Vec::new()));
                            pending.push((path, format!("{prefix}{name}/")));
                        } else if !name.starts_with('.')
                            || (name == ".subscriptions" && prefix.is_empty())
                        {
                            let file = std::fs::read(&path).map_err(cannot)?;
                            let target = StorePath::from_file_name(&format!("{prefix}{name}"));
                            host.store_mut().write(user, &target, Some(file));
                        }
                    }
                }
            }
            _ if path.is_file() => {
                let file = std::fs::read(&path).map_err(cannot)?;
                host.store_mut().restore(&name, &file);
            }
            _ => {}
        }
    }
    Ok(())
}

/// How long a server takes to finish after its last reply when the client
/// has sent more it will never read: a client that writes meanwhile is
/// reset when the socket closes, as with a real server's exit.
pub(crate) const EXIT_WORK: Duration = Duration::from_millis(100);

/// Whether the client sent bytes that nobody read yet.
pub(crate) fn has_unread_input(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    let _ = stream.set_nonblocking(true);
    let unread = matches!(stream.peek(&mut probe), Ok(count) if count > 0);
    let _ = stream.set_nonblocking(false);
    unread
}

/// Reads and drops what the client has sent so far (a server that read
/// it before going away ends the connection without a reset).
fn drain_input(stream: &TcpStream) {
    let mut buffer = [0u8; 4096];
    let _ = stream.set_nonblocking(true);
    while matches!((&*stream).read(&mut buffer), Ok(count) if count > 0) {}
    let _ = stream.set_nonblocking(false);
}

/// Writes the replies gathered so far; false when the client is gone.
pub(crate) fn flush_output(output: &mut Vec<u8>, link: &mut Option<Link>) -> bool {
    let written = output.is_empty()
        || link
            .as_mut()
            .is_some_and(|l| l.write_all(output).and_then(|_| l.flush()).is_ok());
    output.clear();
    written
}

/// Carries out events; returns false once the connection is closed.
///
/// What is sent is written together, as a server's buffered output
/// flushes it: before a pause, at the end of the batch, and with the
/// close, so a closing reply and the end of the connection arrive
/// together.
fn perform(
    events: Vec<Event>,
    link: &mut Option<Link>,
    session: &mut HostSession,
    shared: &Shared,
) -> bool {
    let mut output: Vec<u8> = Vec::new();
    let mut pending: std::collections::VecDeque<Event> = events.into();
    while let Some(event) = pending.pop_front() {
        match event {
            Event::Reply(_) | Event::Line(_) | Event::Bytes(_) => {
                output.extend_from_slice(&event.wire())
            }
            Event::Pause { millis } | Event::GreetingPause { millis } => {
                if !flush_output(&mut output, link) {
                    return false;
                }
                if shared.delays {
                    std::thread::sleep(Duration::from_millis(millis));
                }
            }
            Event::Delivered { mailboxes, entry } => append(&mailboxes, &entry, shared),
            Event::Stored { user, path } => write_stored(&user, path.as_ref(), shared),
            // Notices and statuses are for a screen; the store's requests
            // were carried out by the host.
            // Nothing leaves this host; the relayed copy waits nowhere.
            Event::Notice(_)
            | Event::Answered { .. }
            | Event::Relayed { .. }
            | Event::Deliver(_)
            | Event::Open { .. }
            | Event::Save { .. }
            | Event::Index { .. }
            | Event::Write { .. } => {}
            Event::StartTls => {
                if !flush_output(&mut output, link) || !start_tls(link, shared) {
                    return false;
                }
                let more = session.tls_started(&mut shared.host(), shared.clock.now());
                pending.extend(more);
            }
            Event::Close => {
                close(link, &output, session);
                return false;
            }
        }
    }
    flush_output(&mut output, link)
}

/// The server closes, with its last output.
fn close(link: &mut Option<Link>, output: &[u8], session: &HostSession) {
    let Some(mut current) = link.take() else {
        return;
    };
    if session.drains_input_at_close() {
        drain_input(current.tcp());
    }
    if has_unread_input(current.tcp()) || session.resets_at_close() {
        // What the client sent after the last byte read resets the
        // connection when the server goes away.
        let _ = current.write_all(output);
        let _ = current.flush();
        std::thread::sleep(EXIT_WORK);
        reset_on_close(current.tcp());
        return;
    }
    // The last reply and the end of the connection leave in one segment,
    // as when a server flushes and exits.
    cork(current.tcp());
    let _ = current.write_all(output);
    let _ = current.flush();
    if let Link::Tls(tls) = &mut current {
        tls.conn.send_close_notify();
        let _ = tls.flush();
    }
    let _ = current.tcp().shutdown(Shutdown::Write);
}

/// The TLS handshake after the server's go-ahead; false when it fails
/// (the client is then dropped, as a real server drops it).
fn start_tls(link: &mut Option<Link>, shared: &Shared) -> bool {
    let (Some(Link::Plain(stream)), Some(config)) = (link.take(), shared.tls.as_ref()) else {
        return false;
    };
    let Ok(connection) = ServerConnection::new(Arc::clone(config)) else {
        return false;
    };
    let mut tls = StreamOwned::new(connection, stream);
    while tls.conn.is_handshaking() {
        while tls.conn.wants_write() {
            if tls.conn.write_tls(&mut tls.sock).is_err() {
                return false;
            }
        }
        if !tls.conn.is_handshaking() {
            break;
        }
        // A client that does not speak TLS (plain text after the go-ahead)
        // is dropped without an alert, as OpenSSL-based servers drop it.
        match tls.conn.read_tls(&mut tls.sock) {
            Ok(0) | Err(_) => return false,
            Ok(_) => {
                if tls.conn.process_new_packets().is_err() {
                    return false;
                }
            }
        }
    }
    while tls.conn.wants_write() {
        if tls.conn.write_tls(&mut tls.sock).is_err() {
            return false;
        }
    }
    *link = Some(Link::Tls(Box::new(tls)));
    true
}

/// Sets a socket option to `value` (Linux only; the callers say why).
#[cfg(target_os = "linux")]
fn set_socket_option<T>(stream: &TcpStream, level: libc::c_int, name: libc::c_int, value: &T) {
    use std::os::unix::io::AsRawFd;
    // SAFETY: a valid socket descriptor and a pointer to a value that
    // lives for the call, with its size.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        );
    }
}

/// Holds back partial segments until the socket is shut down (Linux
/// `TCP_CORK`); elsewhere a no-op.
#[cfg(target_os = "linux")]
fn cork(stream: &TcpStream) {
    let on: libc::c_int = 1;
    set_socket_option(stream, libc::IPPROTO_TCP, libc::TCP_CORK, &on);
}

#[cfg(not(target_os = "linux"))]
fn cork(_stream: &TcpStream) {}

/// Makes the close send a reset (`SO_LINGER` of zero), as a server that
/// closes with unread input does.
#[cfg(target_os = "linux")]
fn reset_on_close(stream: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    set_socket_option(stream, libc::SOL_SOCKET, libc::SO_LINGER, &linger);
}

#[cfg(not(target_os = "linux"))]
fn reset_on_close(_stream: &TcpStream) {}

/// Reports a file the spool could not take.
fn report(result: std::io::Result<()>, what: &str) {
    if let Err(error) = result {
        eprintln!("smtplab: cannot write {what}: {error}");
    }
}

/// A delivery: the entry appended to each mailbox's file.
fn append(mailboxes: &[String], entry: &[u8], shared: &Shared) {
    let Some(spool) = &shared.spool else { return };
    // One writer at a time, so entries never interleave.
    let _host = shared.host();
    for mailbox in mailboxes {
        let path = spool.join(mailbox);
        let written = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(entry));
        report(written, &path.display().to_string());
    }
}

/// A user's INBOX (`path` None) or other mail file as the store now has
/// it, written to the spool (or removed, when the store has none).
fn write_stored(user: &str, path: Option<&StorePath>, shared: &Shared) {
    let Some(spool) = &shared.spool else { return };
    let host = shared.host();
    let Some(path) = path else {
        let file = host.store().file(user).unwrap_or_default();
        report(
            std::fs::write(spool.join(user), file),
            "the mailbox of {user}",
        );
        return;
    };
    // Folder names come from the client: no way out of the folder. A
    // name ending in `/` is a directory that holds mailboxes.
    let name = path.file_name();
    let (name, directory) = match name.strip_suffix('/') {
        Some(name) => (name, true),
        None => (name, false),
    };
    if name
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return;
    }
    let target = spool.join(format!("{user}-mail")).join(name);
    let result = match (host.store().other(user, path), directory) {
        (Some(_), true) => std::fs::create_dir_all(&target),
        (None, true) => std::fs::remove_dir(&target),
        (Some(bytes), false) => target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&target, bytes)),
        (None, false) => std::fs::remove_file(&target),
    };
    report(result, &format!("the mail of {user}"));
}

fn serve_connection(stream: TcpStream, port: u16, busy: bool, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let client = Client {
        address: stream
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|_| "127.0.0.1".to_string()),
        process_id: shared.next_process_id.fetch_add(1, Ordering::SeqCst) % 1_000_000,
        queue_sequence: random_sequence(),
    };
    let connected = shared.host().connect(port, &client, shared.clock.now());
    let Some((mut session, events)) = connected else {
        return;
    };
    if busy {
        let mut stream = stream;
        if let Some(reply) = session.busy_reply() {
            let _ = stream.write_all(&reply);
        }
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    let mut link = Some(Link::Plain(stream));
    // Submissions, POP3S, IMAPS: the handshake comes before the server
    // says anything; a client that does not do one is dropped.
    if session.tls_on_connect() && !start_tls(&mut link, shared) {
        let _ = session.close(&mut shared.host(), shared.clock.now());
        return;
    }
    let mut buffer = vec![0u8; READ_BUFFER];
    for event in events {
        let Event::GreetingPause { millis } = event else {
            if !perform(vec![event], &mut link, &mut session, shared) {
                return;
            }
            continue;
        };
        let wait = if shared.delays { millis } else { 0 };
        let deadline = Instant::now() + Duration::from_millis(wait);
        // Anything the client sends during the pause is noted: a client
        // that talks first is refused.
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(current) = link.as_mut() else { return };
            if left.is_zero() {
                break;
            }
            let _ = current.tcp().set_read_timeout(Some(left));
            match current.read(&mut buffer) {
                Ok(0) => return finish(&mut link, &mut session, shared),
                Ok(count) => {
                    session.receive(&mut shared.host(), &buffer[..count], shared.clock.now());
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
                Err(_) => return,
            }
        }
        let events = session.greet(&mut shared.host(), shared.clock.now());
        if !perform(events, &mut link, &mut session, shared) {
            return;
        }
    }
    let idle_timeout = shared
        .idle_timeout
        .unwrap_or(Duration::from_secs(session.idle_timeout_seconds().max(1)));
    // A server that watches INBOX looks at it every second, so a client in
    // IDLE hears of new mail as Dovecot's would tell it.
    let poll = Duration::from_secs(1);
    let mut quiet = Duration::ZERO;
    while let Some(current) = link.as_mut() {
        let watching = session.watches_inbox();
        let wait = if watching {
            poll.min(idle_timeout)
        } else {
            idle_timeout
        };
        let _ = current.tcp().set_read_timeout(Some(wait));
        let events = match current.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => {
                quiet = Duration::ZERO;
                session.receive(&mut shared.host(), &buffer[..count], shared.clock.now())
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                quiet += wait;
                if watching && quiet < idle_timeout {
                    session.look_at_inbox(&mut shared.host())
                } else {
                    session.timeout(&mut shared.host(), shared.clock.now())
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        if !perform(events, &mut link, &mut session, shared) {
            break;
        }
    }
    finish(&mut link, &mut session, shared);
}

/// The connection is over, or the client went away: what the session
/// still does (an IMAP server writes what the session changed), with
/// what is left of the connection.
fn finish(link: &mut Option<Link>, session: &mut HostSession, shared: &Shared) {
    let events = session.close(&mut shared.host(), shared.clock.now());
    perform(events, link, session, shared);
}
