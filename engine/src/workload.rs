//! Timing workloads for the engine, shared by the native benchmark
//! (`engine/benches/engine.rs`) and the browser one (`bench-wasm`). Each
//! takes the clock as a function returning milliseconds.

use std::sync::Arc;

use crate::personality::SENDMAIL_8_17_DEBIAN;
use crate::{Connection, Event, Session, Timestamp, World};

fn session() -> Session {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 1, 0);
    let mut session = Session::new(&SENDMAIL_8_17_DEBIAN, Arc::new(world), connection);
    let now = Timestamp::new(1_800_000_000, 0);
    session.connect(now);
    session.greet(now);
    session
}

/// Commands per second over `rounds` short sessions of seven commands.
pub fn commands_per_second(rounds: u32, clock: &dyn Fn() -> f64) -> f64 {
    let now = Timestamp::new(1_800_000_000, 0);
    let transaction: &[&[u8]] = &[
        b"EHLO client.example.no\r\n",
        b"MAIL FROM:<sender@client.example.no> SIZE=1000\r\n",
        b"RCPT TO:<mom@example.com>\r\n",
        b"RCPT TO:<alice@example.com>\r\n",
        b"VRFY bob\r\n",
        b"RSET\r\n",
        b"HELP MAIL\r\n",
    ];
    let started = clock();
    let mut commands = 0u64;
    let mut replies = 0u64;
    for _ in 0..rounds {
        // A fresh session now and then keeps the anti-abuse counters low.
        let mut s = session();
        for line in transaction {
            for action in s.receive(line, now) {
                if matches!(action, Event::Reply(_)) {
                    replies += 1;
                }
            }
            commands += 1;
        }
    }
    let seconds = (clock() - started) / 1000.0;
    assert_eq!(replies, commands);
    commands as f64 / seconds.max(1e-9)
}

/// Milliseconds to take a DATA body of `megabytes` MB, in 64 KB reads.
pub fn data_body_millis(megabytes: usize, clock: &dyn Fn() -> f64) -> f64 {
    let now = Timestamp::new(1_800_000_000, 0);
    let mut s = session();
    // EHLO alone: Debian's Sendmail refuses a client that pipelines it.
    s.receive(b"EHLO client.example.no\r\n", now);
    s.receive(
        b"MAIL FROM:<a@client.example.no>\r\nRCPT TO:<mom@example.com>\r\n",
        now,
    );
    s.receive(b"DATA\r\n", now);
    let line = [b'x'; 78];
    let mut chunk = Vec::with_capacity(64 * 1024);
    while chunk.len() + 80 <= 64 * 1024 {
        chunk.extend_from_slice(&line);
        chunk.extend_from_slice(b"\r\n");
    }
    let chunks = megabytes * 1024 * 1024 / chunk.len();
    let started = clock();
    for _ in 0..chunks {
        s.receive(&chunk, now);
    }
    let actions = s.receive(b".\r\n", now);
    let millis = clock() - started;
    assert!(actions.iter().any(|a| matches!(a, Event::Deliver(_))));
    millis
}
