//! `smtplab serve --pop3 ADDRESS`: the engine's POP3 session (Dovecot)
//! behind a TCP listener, over the same spool SMTP delivers to.
//!
//! One thread per connection. The session asks for a mailbox file when a
//! user logs in and hands back the file to write at QUIT; a failed login is
//! answered after the server's pause. STLS negotiates real TLS.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ServerConfig;
use smtplab_engine::pop3::{MailAction, Pop3Session, DOVECOT_2_3_19_DEBIAN};
use smtplab_engine::World;

use crate::options::Options;
use crate::serve::{has_unread_input, reset_on_close, start_tls_with, Link, EXIT_WORK};

struct Shared {
    world: Arc<World>,
    spool: Option<PathBuf>,
    /// Mailbox files are read and written one at a time.
    spool_lock: Mutex<()>,
    delays: bool,
    idle_timeout: Duration,
    tls: Option<Arc<ServerConfig>>,
}

/// Starts the POP3 listener in its own thread.
pub fn start(
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
    });
    eprintln!(
        "smtplab: POP3 as {} listening on {address}",
        DOVECOT_2_3_19_DEBIAN.label
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || serve_connection(stream, &shared));
        }
    });
    Ok(())
}

fn seconds_now() -> i64 {
    crate::serve::now().unix_seconds
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
    session: &mut Pop3Session,
    shared: &Shared,
) -> bool {
    let mut output: Vec<u8> = Vec::new();
    let flush = |output: &mut Vec<u8>, link: &mut Option<Link>| -> bool {
        let written = output.is_empty()
            || link
                .as_mut()
                .is_some_and(|l| l.write_all(output).and_then(|_| l.flush()).is_ok());
        output.clear();
        written
    };
    let mut index = 0;
    while index < actions.len() {
        let action = actions[index].clone();
        index += 1;
        match action {
            MailAction::Send(_) | MailAction::SendBytes(_) => {
                output.extend_from_slice(&action.wire())
            }
            MailAction::Pause { millis } => {
                if !flush(&mut output, link) {
                    return false;
                }
                if shared.delays {
                    std::thread::sleep(Duration::from_millis(millis));
                }
            }
            MailAction::Open { user } => {
                let file = read_mailbox(shared, &user);
                let more = session.opened(&file);
                actions.splice(index..index, more);
            }
            MailAction::Save { user, file } => write_mailbox(shared, &user, &file),
            MailAction::StartTls => {
                if !flush(&mut output, link) || !start_tls_with(link, shared.tls.as_ref()) {
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
    flush(&mut output, link)
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let address = stream
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let mut session = Pop3Session::new(&DOVECOT_2_3_19_DEBIAN, Arc::clone(&shared.world), &address);
    let mut link = Some(Link::Plain(stream));
    let greeting = session.connect(seconds_now());
    if !perform(greeting, &mut link, &mut session, shared) {
        return;
    }
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let Some(current) = link.as_mut() else { return };
        let _ = current.tcp().set_read_timeout(Some(shared.idle_timeout));
        match current.read(&mut buffer) {
            Ok(0) => return,
            Ok(count) => {
                let actions = session.receive(&buffer[..count], seconds_now());
                if !perform(actions, &mut link, &mut session, shared) {
                    return;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
    }
}
