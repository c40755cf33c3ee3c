//! The POP3 session on its own: random sessions in which every complete
//! command line gets exactly one status reply (`+OK`, `-ERR` or a SASL
//! `+ `), unless the session closes, which may add one more; and no input
//! makes it panic.

use std::sync::Arc;

use smtplab_corpus::Generator;
use smtplab_engine::pop3::{Pop3Session, DOVECOT_2_3_19_DEBIAN};
use smtplab_engine::Event;
use smtplab_engine::World;

const SEED: &[u8] = include_bytes!("../../tests/corpus/dovecot-2.3/seed/mom");

const PIECES: &[&[u8]] = &[
    b"USER mom",
    b"USER bob",
    b"PASS mom-password",
    b"PASS nope",
    b"AUTH PLAIN",
    b"AUTH",
    b"AG1vbQBtb20tcGFzc3dvcmQ=",
    b"*",
    b"STAT",
    b"LIST",
    b"UIDL",
    b"RETR ",
    b"TOP ",
    b"DELE ",
    b"RSET",
    b"NOOP",
    b"CAPA",
    b"QUIT",
    b"1",
    b"2",
    b"3",
    b"0",
    b"99999999999",
    b" ",
    b"-1",
    b"\r\n",
    b"\n",
    b"\r",
    b"x",
    b"\xff",
    b"STLS",
];

/// Feeds `bytes` in pieces of `chunk`, opening the seed mailbox when asked;
/// returns the status replies and whether the session closed.
fn feed(session: &mut Pop3Session, bytes: &[u8], chunk: usize) -> (usize, bool) {
    let mut statuses = 0;
    let mut pending: Vec<Event> = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        pending.extend(session.receive(piece, 1_800_000_000));
        while let Some(action) = (!pending.is_empty()).then(|| pending.remove(0)) {
            match action {
                Event::Line(line)
                    if line.starts_with("+OK") || line.starts_with("-ERR") || line == "+ " =>
                {
                    statuses += 1;
                }
                Event::Open { .. } => pending.extend(session.opened(SEED)),
                _ => {}
            }
        }
    }
    (statuses, session.is_closed())
}

#[test]
fn random_pop3_sessions_answer_every_command_line_once() {
    let world = Arc::new(World::corpus());
    for seed in 1..500u64 {
        let mut random = Generator(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut session = Pop3Session::new(&DOVECOT_2_3_19_DEBIAN, Arc::clone(&world), "127.0.0.2");
        session.connect(1_800_000_000);
        let mut input = Vec::new();
        for _ in 0..random.below(200) {
            input.extend_from_slice(PIECES[random.below(PIECES.len())]);
        }
        let chunk = 1 + random.below(30);
        for line in input.split_inclusive(|&b| b == b'\n') {
            let (statuses, closed) = feed(&mut session, line, chunk);
            if line.ends_with(b"\n") {
                assert!(
                    statuses == 1 || (closed && statuses <= 2),
                    "seed {seed}: {:?} got {statuses} replies",
                    String::from_utf8_lossy(line)
                );
            }
            if closed {
                break;
            }
        }
    }
}

#[test]
fn a_deleted_message_leaves_the_file_at_quit() {
    let world = Arc::new(World::corpus());
    let mut session = Pop3Session::new(&DOVECOT_2_3_19_DEBIAN, world, "127.0.0.2");
    session.connect(1_800_000_000);
    let mut actions = session.receive(b"USER mom\r\nPASS mom-password\r\n", 1_800_000_000);
    assert!(actions.contains(&Event::Open { user: "mom".into() }));
    actions = session.opened(SEED);
    actions.extend(session.receive(b"DELE 2\r\nQUIT\r\n", 1_800_000_000));
    // Written twice: indexed as it opens, then without the message.
    let saved: Vec<(String, Vec<u8>)> = actions
        .iter()
        .filter_map(|a| match a {
            Event::Save { user, file } => Some((user.clone(), file.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(saved.len(), 2);
    let (user, file) = saved[1].clone();
    assert_eq!(user, "mom");
    let text = String::from_utf8(file).unwrap();
    assert_eq!(
        text.matches("\nFrom ").count() + usize::from(text.starts_with("From ")),
        2
    );
    assert!(!text.contains("Subject: dot stuffing"));
    // Every message left is no longer new, its status in its header.
    assert_eq!(text.matches("Status: O\n").count(), 2);
    assert!(actions.contains(&Event::Line("+OK Logging out, messages deleted.".into())));
}
