//! `smtplab serve --pop3 ADDRESS --imap ADDRESS`: the engine's POP3 and
//! IMAP sessions (Dovecot) behind TCP listeners, over the same spool SMTP
//! delivers to.
//!
//! One thread per connection. A session asks for the user's mail when
//! the user logs in and hands back the files to write; a failed login is
//! answered after the server's pause. STLS and STARTTLS negotiate real
//! TLS. The spool holds INBOX as `DIR/USER` and the IMAP folders (and the
//! subscription list) in `DIR/USER-mail/`, as Dovecot's `~/mail`.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ServerConfig;
use smtplab_engine::imap::{ImapSession, UserStore, DOVECOT_IMAP_2_3_19_DEBIAN};
use smtplab_engine::mail_actions::{MailAction, StorePath};
use smtplab_engine::pop3::{Pop3Session, DOVECOT_2_3_19_DEBIAN};
use smtplab_engine::World;

use crate::options::Options;
use crate::serve::{
    flush_output, has_unread_input, reset_on_close, start_tls_with, Link, EXIT_WORK,
};

struct Shared {
    world: Arc<World>,
    spool: Option<PathBuf>,
    /// Mailbox files are read and written one at a time.
    spool_lock: Mutex<()>,
    delays: bool,
    idle_timeout: Duration,
    tls: Option<Arc<ServerConfig>>,
    clock: crate::serve::Clock,
}

/// Which protocol a listener serves.
#[derive(Clone, Copy)]
pub enum Protocol {
    Pop3,
    Imap,
}

/// One connection's session.
enum MailSession {
    Pop3(Pop3Session),
    Imap(Box<ImapSession>),
}

impl MailSession {
    fn connect(&mut self, now: i64) -> Vec<MailAction> {
        match self {
            MailSession::Pop3(s) => s.connect(now),
            MailSession::Imap(s) => s.connect(now),
        }
    }

    fn receive(&mut self, bytes: &[u8], now: i64) -> Vec<MailAction> {
        match self {
            MailSession::Pop3(s) => s.receive(bytes, now),
            MailSession::Imap(s) => s.receive(bytes, now),
        }
    }

    fn tls_started(&mut self) {
        match self {
            MailSession::Pop3(s) => s.tls_started(),
            MailSession::Imap(s) => s.tls_started(),
        }
    }

    fn closed_with_unread_input(&self) -> bool {
        match self {
            MailSession::Pop3(s) => s.closed_with_unread_input(),
            MailSession::Imap(s) => s.closed_with_unread_input(),
        }
    }
}

/// Starts a POP3 or IMAP listener in its own thread.
pub fn start(
    protocol: Protocol,
    address: SocketAddr,
    options: &Options,
    tls: Option<Arc<ServerConfig>>,
) -> Result<(), String> {
    if !address.ip().is_loopback() && !options.allow_remote {
        return Err(format!(
            "refusing to listen on {address} (not loopback); add --allow-remote to really do that"
        ));
    }
    let listener =
        TcpListener::bind(address).map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let shared = Arc::new(Shared {
        world: Arc::new(options.world.clone()),
        spool: options.spool.clone(),
        spool_lock: Mutex::new(()),
        delays: options.delays,
        idle_timeout: Duration::from_secs(options.idle_timeout_seconds.unwrap_or(600).max(1)),
        tls,
        clock: crate::serve::Clock::new(options.time),
    });
    let (name, label) = match protocol {
        Protocol::Pop3 => ("POP3", DOVECOT_2_3_19_DEBIAN.label),
        Protocol::Imap => ("IMAP", DOVECOT_IMAP_2_3_19_DEBIAN.label),
    };
    eprintln!("smtplab: {name} as {label} listening on {address}");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || serve_connection(protocol, stream, &shared));
        }
    });
    Ok(())
}

fn read_mailbox(shared: &Shared, user: &str) -> Vec<u8> {
    let Some(spool) = &shared.spool else {
        return Vec::new();
    };
    let _guard = shared
        .spool_lock
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    std::fs::read(spool.join(user)).unwrap_or_default()
}

/// A user's whole store: INBOX, the folders and the subscriptions.
fn read_store(shared: &Shared, user: &str) -> UserStore {
    let mut store = UserStore {
        inbox: read_mailbox(shared, user),
        ..UserStore::default()
    };
    let Some(spool) = &shared.spool else {
        return store;
    };
    let _guard = shared
        .spool_lock
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = spool.join(format!("{user}-mail"));
    let mut pending = vec![(root.clone(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with('.') {
                if name == ".subscriptions" && prefix.is_empty() {
                    store.subscriptions = std::fs::read(&path).unwrap_or_default();
                }
                continue;
            }
            if path.is_dir() {
                pending.push((path, format!("{prefix}{name}/")));
            } else {
                let file = std::fs::read(&path).unwrap_or_default();
                store.folders.insert(format!("{prefix}{name}"), file);
            }
        }
    }
    store
}

fn write_store_file(shared: &Shared, user: &str, path: &StorePath, file: Option<&[u8]>) {
    let Some(spool) = &shared.spool else { return };
    let _guard = shared
        .spool_lock
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = spool.join(format!("{user}-mail"));
    let target = match path {
        // Folder names come from the client: no way out of the folder.
        StorePath::Folder(name) => {
            if name
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
            {
                return;
            }
            root.join(name)
        }
        StorePath::Subscriptions => root.join(".subscriptions"),
    };
    let result = match file {
        Some(bytes) => target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&target, bytes)),
        None => std::fs::remove_file(&target),
    };
    if let Err(error) = result {
        eprintln!("smtplab: cannot write the mail of {user}: {error}");
    }
}

fn write_mailbox(shared: &Shared, user: &str, file: &[u8]) {
    let Some(spool) = &shared.spool else { return };
    let _guard = shared
        .spool_lock
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Err(error) = std::fs::write(spool.join(user), file) {
        eprintln!("smtplab: cannot write the mailbox of {user}: {error}");
    }
}

/// Carries out actions; returns false once the connection is closed.
fn perform(
    mut actions: Vec<MailAction>,
    link: &mut Option<Link>,
    session: &mut MailSession,
    shared: &Shared,
) -> bool {
    let mut output: Vec<u8> = Vec::new();
    let mut index = 0;
    while index < actions.len() {
        let action = actions[index].clone();
        index += 1;
        match action {
            MailAction::Send(_) | MailAction::SendBytes(_) => {
                output.extend_from_slice(&action.wire())
            }
            MailAction::Pause { millis } => {
                if !flush_output(&mut output, link) {
                    return false;
                }
                if shared.delays {
                    std::thread::sleep(Duration::from_millis(millis));
                }
            }
            MailAction::Open { user } => {
                let more = match session {
                    MailSession::Pop3(s) => s.opened(&read_mailbox(shared, &user)),
                    MailSession::Imap(s) => s.opened(read_store(shared, &user)),
                };
                actions.splice(index..index, more);
            }
            MailAction::Save { user, file } => write_mailbox(shared, &user, &file),
            MailAction::Write { user, path, file } => {
                write_store_file(shared, &user, &path, file.as_deref())
            }
            MailAction::StartTls => {
                if !flush_output(&mut output, link) || !start_tls_with(link, shared.tls.as_ref()) {
                    return false;
                }
                session.tls_started();
            }
            MailAction::Close => {
                let Some(mut current) = link.take() else {
                    return false;
                };
                let _ = current.write_all(&output);
                let _ = current.flush();
                if has_unread_input(current.tcp()) || session.closed_with_unread_input() {
                    // What the client sent after the last line read resets
                    // the connection when it closes.
                    std::thread::sleep(EXIT_WORK);
                    reset_on_close(current.tcp());
                } else {
                    let _ = current.tcp().shutdown(Shutdown::Write);
                }
                return false;
            }
        }
    }
    flush_output(&mut output, link)
}

fn serve_connection(protocol: Protocol, stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let address = stream
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let world = Arc::clone(&shared.world);
    let mut session = match protocol {
        Protocol::Pop3 => {
            MailSession::Pop3(Pop3Session::new(&DOVECOT_2_3_19_DEBIAN, world, &address))
        }
        Protocol::Imap => MailSession::Imap(Box::new(ImapSession::new(
            &DOVECOT_IMAP_2_3_19_DEBIAN,
            world,
            &address,
        ))),
    };
    let mut link = Some(Link::Plain(stream));
    let greeting = session.connect(shared.clock.now().unix_seconds);
    if !perform(greeting, &mut link, &mut session, shared) {
        return;
    }
    let mut buffer = vec![0u8; 64 * 1024];
    // A logged-in IMAP session looks at INBOX every second, so a client
    // in IDLE hears of new mail as Dovecot's would tell it.
    let poll = Duration::from_secs(1);
    let mut quiet = Duration::ZERO;
    loop {
        let polling = matches!(&session, MailSession::Imap(imap) if imap.is_logged_in());
        let Some(current) = link.as_mut() else {
            return finish(&mut session, shared);
        };
        let wait = if polling {
            poll.min(shared.idle_timeout)
        } else {
            shared.idle_timeout
        };
        let _ = current.tcp().set_read_timeout(Some(wait));
        match current.read(&mut buffer) {
            Ok(0) => return finish(&mut session, shared),
            Ok(count) => {
                quiet = Duration::ZERO;
                let mut actions = Vec::new();
                if let MailSession::Imap(imap) = &mut session {
                    // A message delivered meanwhile shows up in INBOX.
                    if imap.is_logged_in() {
                        actions = imap.inbox_changed(&read_mailbox(shared, imap.user()));
                    }
                }
                actions.extend(session.receive(&buffer[..count], shared.clock.now().unix_seconds));
                if !perform(actions, &mut link, &mut session, shared) {
                    return finish(&mut session, shared);
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e)
                if polling && matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                quiet += wait;
                if quiet >= shared.idle_timeout {
                    return finish(&mut session, shared);
                }
                if let MailSession::Imap(imap) = &mut session {
                    let actions = imap.inbox_changed(&read_mailbox(shared, imap.user()));
                    if !perform(actions, &mut link, &mut session, shared) {
                        return finish(&mut session, shared);
                    }
                }
            }
            Err(_) => return finish(&mut session, shared),
        }
    }
}

/// The connection is gone: what the session still writes.
fn finish(session: &mut MailSession, shared: &Shared) {
    if let MailSession::Imap(imap) = session {
        let user = imap.user().to_string();
        for action in imap.disconnected() {
            match action {
                MailAction::Save { user, file } => write_mailbox(shared, &user, &file),
                MailAction::Write { path, file, .. } => {
                    write_store_file(shared, &user, &path, file.as_deref())
                }
                _ => {}
            }
        }
    }
}
