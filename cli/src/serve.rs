//! `smtplab serve`: the engine behind a TCP listener on loopback.
//!
//! One thread per connection, each with its own [`Session`]. What arrives
//! in one `read` is handed to the engine as one chunk, so a client that
//! pipelines is seen pipelining. Pauses the engine asks for are slept, and
//! delivered messages are appended to `SPOOL/USER` (mbox) before the
//! server says 250. After STARTTLS the connection continues inside TLS
//! (rustls, with a self-signed certificate for the world's host name).

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use smtplab_engine::personality::Personality;
use smtplab_engine::queue_id::SEQUENCE_SPAN;
use smtplab_engine::{Action, Connection, ReplyKey, Session, Timestamp, World};

use crate::options::Options;

/// Bytes read from the socket at a time.
const READ_BUFFER: usize = 64 * 1024;

struct Shared {
    personality: &'static Personality,
    world: Arc<World>,
    spool: Option<PathBuf>,
    spool_lock: Mutex<()>,
    delays: bool,
    sessions: AtomicUsize,
    max_sessions: usize,
    next_process_id: AtomicU32,
    idle_timeout: Duration,
    tls: Option<Arc<ServerConfig>>,
    clock: Clock,
}

/// A self-signed certificate for `hostname`, made now (the snakeoil
/// certificate a Debian mail server starts with).
pub(crate) fn tls_config(hostname: &str) -> Result<Arc<ServerConfig>, String> {
    let cannot = |e: rcgen::Error| format!("cannot make a certificate: {e}");
    let mut params = rcgen::CertificateParams::new(vec![hostname.to_string()]).map_err(cannot)?;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, hostname);
    params.distinguished_name = name;
    let key_pair = rcgen::KeyPair::generate().map_err(cannot)?;
    let cert = params.self_signed(&key_pair).map_err(cannot)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
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
    if !options.listen.ip().is_loopback() && !options.allow_remote {
        return Err(format!(
            "refusing to listen on {} (not loopback); add --allow-remote to really do that",
            options.listen
        ));
    }
    if let Some(spool) = &options.spool {
        std::fs::create_dir_all(spool)
            .map_err(|e| format!("cannot create spool {}: {e}", spool.display()))?;
    }
    let listener = TcpListener::bind(options.listen)
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let tls = Some(tls_config(&options.world.hostname)?);
    if let Some(address) = options.pop3 {
        crate::mail::start(crate::mail::Protocol::Pop3, address, options, tls.clone())?;
    }
    if let Some(address) = options.imap {
        crate::mail::start(crate::mail::Protocol::Imap, address, options, tls.clone())?;
    }
    let shared = Arc::new(Shared {
        personality: options.personality,
        world: Arc::new(options.world.clone()),
        spool: options.spool.clone(),
        spool_lock: Mutex::new(()),
        delays: options.delays,
        sessions: AtomicUsize::new(0),
        max_sessions: options.max_sessions.max(1),
        next_process_id: AtomicU32::new(std::process::id() % 100_000 + 1000),
        idle_timeout: Duration::from_secs(
            options
                .idle_timeout_seconds
                .unwrap_or(options.personality.command_timeout_seconds)
                .max(1),
        ),
        tls,
        clock: Clock::new(options.time),
    });
    eprintln!(
        "smtplab: {} as {} listening on {}",
        options.personality.label, shared.world.hostname, options.listen
    );
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("smtplab: accept failed: {error}");
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        let active = shared.sessions.fetch_add(1, Ordering::SeqCst) + 1;
        std::thread::spawn(move || {
            if active > shared.max_sessions {
                refuse(stream, &shared);
            } else {
                serve_connection(stream, &shared);
            }
            shared.sessions.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

fn new_session(stream: &TcpStream, shared: &Shared) -> Session {
    let client_address = stream
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|_| "127.0.0.1".to_string());
    let process_id = shared.next_process_id.fetch_add(1, Ordering::SeqCst) % 1_000_000;
    let connection = Connection::new(
        &shared.world,
        &client_address,
        process_id,
        random_sequence(),
    );
    Session::new(shared.personality, Arc::clone(&shared.world), connection)
}

fn refuse(mut stream: TcpStream, shared: &Shared) {
    let session = new_session(&stream, shared);
    let reply = session.reply_for(ReplyKey::TooManySessions);
    let _ = stream.write_all(&reply.to_wire());
    let _ = stream.shutdown(Shutdown::Both);
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

/// Carries out actions; returns false once the connection is closed.
///
/// Replies are written together, as a server's buffered output flushes
/// them: before a pause, at the end of the batch, and with the close, so a
/// closing reply and the end of the connection arrive together.
fn perform(
    actions: Vec<Action>,
    link: &mut Option<Link>,
    session: &mut Session,
    shared: &Shared,
) -> bool {
    let mut output: Vec<u8> = Vec::new();
    for action in actions {
        match action {
            Action::Reply(reply) => output.extend_from_slice(&reply.to_wire()),
            Action::Pause { millis } | Action::GreetingPause { millis } => {
                if !flush_output(&mut output, link) {
                    return false;
                }
                if shared.delays {
                    std::thread::sleep(Duration::from_millis(millis));
                }
            }
            Action::Deliver(delivery) => deliver(&delivery, shared),
            Action::Notice(_) => {}
            Action::StartTls => {
                if !flush_output(&mut output, link) {
                    return false;
                }
                if !start_tls(link, shared) {
                    return false;
                }
                session.tls_started(shared.clock.now());
            }
            Action::Close => {
                let Some(mut current) = link.take() else {
                    return false;
                };
                if session.drains_input_at_close() {
                    drain_input(current.tcp());
                }
                if has_unread_input(current.tcp()) {
                    let _ = current.write_all(&output);
                    let _ = current.flush();
                    std::thread::sleep(EXIT_WORK);
                } else if !output.is_empty() {
                    // The last reply and the end of the connection leave in
                    // one segment, as when a server flushes and exits.
                    cork(current.tcp());
                    let _ = current.write_all(&output);
                    let _ = current.flush();
                    if let Link::Tls(tls) = &mut current {
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                    let _ = current.tcp().shutdown(Shutdown::Write);
                }
                // Dropping the socket with unread input resets the
                // connection, as a real server's exit does.
                return false;
            }
        }
    }
    flush_output(&mut output, link)
}

/// The TLS handshake after `220 Ready to start TLS`; false when it fails
/// (the client is then dropped, as a real server drops it).
fn start_tls(link: &mut Option<Link>, shared: &Shared) -> bool {
    start_tls_with(link, shared.tls.as_ref())
}

/// The TLS handshake with `config`; false when it fails.
pub(crate) fn start_tls_with(link: &mut Option<Link>, config: Option<&Arc<ServerConfig>>) -> bool {
    let (Some(Link::Plain(stream)), Some(config)) = (link.take(), config) else {
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
pub(crate) fn reset_on_close(stream: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    set_socket_option(stream, libc::SOL_SOCKET, libc::SO_LINGER, &linger);
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn reset_on_close(_stream: &TcpStream) {}

fn deliver(delivery: &smtplab_engine::Delivery, shared: &Shared) {
    let Some(spool) = &shared.spool else { return };
    // One writer at a time, so entries never interleave.
    let _guard = shared
        .spool_lock
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for copy in &delivery.copies {
        for mailbox in &copy.mailboxes {
            let path = spool.join(mailbox);
            let written = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut file| file.write_all(&copy.entry));
            if let Err(error) = written {
                eprintln!("smtplab: cannot append to {}: {error}", path.display());
            }
        }
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let mut session = new_session(&stream, shared);
    let mut link = Some(Link::Plain(stream));
    let mut buffer = vec![0u8; READ_BUFFER];
    for action in session.connect(shared.clock.now()) {
        if let Action::GreetingPause { millis } = action {
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
                    Ok(0) => {
                        session.disconnect(shared.clock.now());
                        return;
                    }
                    Ok(count) => {
                        session.receive(&buffer[..count], shared.clock.now());
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        break
                    }
                    Err(_) => return,
                }
            }
            let actions = session.greet(shared.clock.now());
            if !perform(actions, &mut link, &mut session, shared) {
                return;
            }
        } else if !perform(vec![action], &mut link, &mut session, shared) {
            return;
        }
    }
    loop {
        let Some(current) = link.as_mut() else { return };
        let _ = current.tcp().set_read_timeout(Some(shared.idle_timeout));
        match current.read(&mut buffer) {
            Ok(0) => {
                let actions = session.disconnect(shared.clock.now());
                perform(actions, &mut link, &mut session, shared);
                return;
            }
            Ok(count) => {
                let actions = session.receive(&buffer[..count], shared.clock.now());
                if !perform(actions, &mut link, &mut session, shared) {
                    return;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                let actions = session.timeout(shared.clock.now());
                perform(actions, &mut link, &mut session, shared);
                return;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
    }
}
