//! Engine throughput, printed as figures (not a timed test):
//! commands per second in a long session, and the time to take a DATA
//! body of 1, 10 and 100 MB. Run with `make bench`.

use std::sync::Arc;
use std::time::Instant;

use smtplab_engine::personality::SENDMAIL_8_17_DEBIAN;
use smtplab_engine::{Action, Connection, Session, Timestamp, World};

fn session() -> Session {
    let mut session = Session::new(
        &SENDMAIL_8_17_DEBIAN,
        Arc::new(World::corpus()),
        Connection {
            client_address: "127.0.0.2".into(),
            client_name: "client.example.no".into(),
            process_id: 1,
            queue_sequence: 0,
        },
    );
    let now = Timestamp::new(1_800_000_000, 0);
    session.connect(now);
    session.greet(now);
    session
}

fn commands_per_second() -> f64 {
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
    let rounds = 20_000;
    let started = Instant::now();
    let mut commands = 0u64;
    let mut replies = 0u64;
    for _ in 0..rounds {
        // A fresh session now and then keeps the anti-abuse counters low.
        let mut s = session();
        for line in transaction {
            for action in s.receive(line, now) {
                if matches!(action, Action::Reply(_)) {
                    replies += 1;
                }
            }
            commands += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(replies, commands);
    commands as f64 / seconds
}

fn data_body(megabytes: usize) -> f64 {
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
    let started = Instant::now();
    for _ in 0..chunks {
        s.receive(&chunk, now);
    }
    let actions = s.receive(b".\r\n", now);
    let seconds = started.elapsed().as_secs_f64();
    assert!(actions.iter().any(|a| matches!(a, Action::Deliver(_))));
    seconds
}

fn main() {
    println!("engine (native, release build)");
    println!("  commands per second: {:.0}", commands_per_second());
    for megabytes in [1, 10, 100] {
        let seconds = data_body(megabytes);
        println!(
            "  DATA body of {megabytes:>3} MB: {:>8.1} ms ({:.0} MB/s)",
            seconds * 1000.0,
            megabytes as f64 / seconds
        );
    }
}
