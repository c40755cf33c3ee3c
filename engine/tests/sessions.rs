//! Golden transcripts, chunking and robustness of the engine.

use std::sync::Arc;

use smtplab_corpus::{corpus_dir, project_dir};
use smtplab_engine::personality::{SENDMAIL_8_13_8, SENDMAIL_8_17_DEBIAN};
use smtplab_engine::script::{replay, Script, Step};
use smtplab_engine::{Action, Connection, Personality, Session, Timestamp, World};

fn tutorial_session() -> Session {
    let world = World::tutorial();
    let sequence = smtplab_engine::queue_id::sequence_from_pair("gc").unwrap();
    let connection = Connection::new(&world, "127.0.0.1", 14513, sequence);
    Session::new(&SENDMAIL_8_13_8, Arc::new(world), connection)
}

/// A session with the corpus world's client, 127.0.0.2.
fn corpus_session(personality: &'static Personality, process_id: u32, sequence: u32) -> Session {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", process_id, sequence);
    Session::new(personality, Arc::new(world), connection)
}

fn tutorial_time() -> Timestamp {
    Timestamp::parse_rfc3339("2013-10-22T05:05:59-04:00").unwrap()
}

#[test]
fn tutorial_golden_transcript_byte_for_byte() {
    let script =
        Script::parse(&std::fs::read(project_dir().join("tests/scripts/tutorial.txt")).unwrap())
            .unwrap();
    let result = replay(tutorial_session(), &script, tutorial_time());
    let expected =
        std::fs::read_to_string(project_dir().join("tests/golden/tutorial-8.13.8.txt")).unwrap();
    let got = result.transcript.join("\n") + "\n";
    assert_eq!(got, expected);
}

/// Plays client lines one at a time (waiting for the server between
/// lines, as a person types), cutting every line into `chunk`-byte pieces.
fn play_chunked(
    mut session: Session,
    lines: &[Vec<u8>],
    chunk: usize,
    now: Timestamp,
) -> Vec<String> {
    let mut out = Vec::new();
    let record = |actions: Vec<Action>, out: &mut Vec<String>| {
        for action in actions {
            match action {
                Action::Reply(reply) => out.extend(reply.render()),
                Action::Deliver(d) => out.push(format!(
                    "deliver {:?} {}",
                    d.mailboxes(),
                    d.copies.iter().map(|c| c.entry.len()).sum::<usize>()
                )),
                Action::Close => out.push("close".into()),
                _ => {}
            }
        }
    };
    let actions = session.connect(now);
    record(actions, &mut out);
    let actions = session.greet(now);
    record(actions, &mut out);
    for line in lines {
        let mut data = line.clone();
        data.extend_from_slice(b"\r\n");
        for piece in data.chunks(chunk.max(1)) {
            let actions = session.receive(piece, now);
            record(actions, &mut out);
        }
    }
    out
}

fn script_lines(script: &Script) -> Option<Vec<Vec<u8>>> {
    if script.no_greeting {
        return None;
    }
    script
        .steps
        .iter()
        .map(|step| match step {
            Step::Line(line) => Some(line.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_same_input_in_any_chunk_size_gives_the_same_replies() {
    let mut scripts =
        vec![std::fs::read(project_dir().join("tests/scripts/tutorial.txt")).unwrap()];
    for entry in std::fs::read_dir(corpus_dir().join("scripts")).unwrap() {
        scripts.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let mut compared = 0;
    for text in scripts {
        let Some(lines) = script_lines(&Script::parse(&text).unwrap()) else {
            continue;
        };
        for personality in [&SENDMAIL_8_13_8, &SENDMAIL_8_17_DEBIAN] as [&'static Personality; 2] {
            let make = || corpus_session(personality, 1, 0);
            let whole = play_chunked(make(), &lines, usize::MAX, tutorial_time());
            for chunk in [1, 2, 3, 7, 64] {
                assert_eq!(
                    play_chunked(make(), &lines, chunk, tutorial_time()),
                    whole,
                    "chunk {chunk}"
                );
            }
            compared += 1;
        }
    }
    assert!(compared > 40);
}

/// A tiny deterministic generator, so failures can be replayed by seed.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&[u8]] = &[
    b"HELO x",
    b"EHLO client.example.no",
    b"MAIL FROM:",
    b"RCPT TO:",
    b"DATA",
    b"RSET",
    b"NOOP",
    b"QUIT",
    b"VRFY ",
    b"EXPN ",
    b"HELP ",
    b"AUTH CRAM-MD5",
    b"STARTTLS",
    b"<",
    b">",
    b"@",
    b":",
    b"mom@example.com",
    b"<>",
    b"\r\n",
    b"\n",
    b"\r",
    b".",
    b"..",
    b" ",
    b"SIZE=",
    b"999999999999",
    b"\x00",
    b"\xff\xe9",
    b"postmaster",
    b"\"q\"",
    b"(c)",
    b"BODY=8BITMIME",
    b"NOTIFY=NEVER",
    b"*",
];

/// Random sessions: any bytes, any chunking, both personalities. The engine
/// must never panic, and every complete command line must get a reply or
/// end the session.
#[test]
fn random_sessions_never_panic_and_always_answer() {
    for seed in 1..400u64 {
        let mut random = Generator(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let personality: &'static Personality = if seed % 2 == 0 {
            &SENDMAIL_8_13_8
        } else {
            &SENDMAIL_8_17_DEBIAN
        };
        let mut session = corpus_session(personality, seed as u32, seed as u32);
        let now = tutorial_time();
        let mut input = Vec::new();
        for _ in 0..random.below(200) {
            if random.below(10) == 0 {
                input.push(random.next() as u8);
            } else {
                input.extend_from_slice(PIECES[random.below(PIECES.len())]);
            }
        }
        session.connect(now);
        session.greet(now);
        let mut position = 0;
        while position < input.len() {
            let size = 1 + random.below(40);
            let end = (position + size).min(input.len());
            let actions = session.receive(&input[position..end], now);
            for action in actions {
                if let Action::Reply(reply) = action {
                    assert!(
                        (200..600).contains(&reply.code),
                        "seed {seed}: code {}",
                        reply.code
                    );
                    assert!(!reply.render().is_empty());
                }
            }
            position = end;
        }
        session.disconnect(now);
    }
}

#[test]
fn every_command_line_gets_exactly_one_reply_outside_data() {
    let mut session = tutorial_session();
    let now = tutorial_time();
    session.connect(now);
    session.greet(now);
    let lines: &[&[u8]] = &[
        b"NOOP",
        b"FOO",
        b"",
        b"HELO",
        b"HELO a.b",
        b"MAIL FROM:<a@b>",
        b"RCPT TO:<x@y>",
        b"RSET",
        b"VRFY mom",
        b"EXPN postmaster",
        b"HELP",
        b"\xff\xfe",
    ];
    for line in lines {
        let mut data = line.to_vec();
        data.extend_from_slice(b"\r\n");
        let replies = session
            .receive(&data, now)
            .into_iter()
            .filter(|a| matches!(a, Action::Reply(_)))
            .count();
        assert_eq!(replies, 1, "{}", String::from_utf8_lossy(line));
    }
}

/// A tutorial session that has reached DATA for mom@example.com.
fn tutorial_session_in_data() -> (Session, Timestamp) {
    let mut session = tutorial_session();
    let now = tutorial_time();
    session.connect(now);
    session.greet(now);
    session.receive(
        b"HELO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\n",
        now,
    );
    (session, now)
}

#[test]
fn ten_megabyte_body_is_delivered_whole() {
    let (mut session, now) = tutorial_session_in_data();
    let line =
        b"0123456789012345678901234567890123456789012345678901234567890123456789012345678\r\n";
    let mut body = Vec::new();
    while body.len() < 10 * 1024 * 1024 {
        body.extend_from_slice(line);
    }
    let mut delivered = None;
    for piece in body.chunks(65_536) {
        assert!(session.receive(piece, now).is_empty());
    }
    for action in session.receive(b".\r\n", now) {
        if let Action::Deliver(d) = action {
            delivered = Some(d);
        }
    }
    let delivered = delivered.expect("delivered");
    assert!(delivered.copies[0].entry.len() > body.len() - body.len() / 40);
}

#[test]
fn a_ten_megabyte_line_without_end_is_answered() {
    for personality in [&SENDMAIL_8_13_8, &SENDMAIL_8_17_DEBIAN] as [&'static Personality; 2] {
        let mut session = corpus_session(personality, 1, 0);
        let now = tutorial_time();
        session.connect(now);
        session.greet(now);
        let paste = vec![b'x'; 10 * 1024 * 1024];
        let actions = session.receive(&paste, now);
        assert!(
            actions.iter().any(|a| matches!(a, Action::Reply(_))),
            "{}",
            personality.id
        );
    }
}

#[test]
fn a_ten_megabyte_message_line_is_kept_whole_and_bounded_in_the_buffer() {
    let (mut session, now) = tutorial_session_in_data();
    let mut line = vec![b'.'];
    line.extend(std::iter::repeat_n(b'y', 10 * 1024 * 1024));
    for piece in line.chunks(65_536) {
        session.receive(piece, now);
    }
    let actions = session.receive(b"\r\n.\r\n", now);
    let entry = actions
        .iter()
        .find_map(|a| match a {
            Action::Deliver(d) => Some(d.copies[0].entry.clone()),
            _ => None,
        })
        .expect("delivered");
    let body_line = entry
        .split(|&b| b == b'\n')
        .find(|l| l.len() > 1000)
        .unwrap();
    // The leading dot was unstuffed; no byte was lost or added.
    assert_eq!(body_line.len(), 10 * 1024 * 1024);
    assert!(body_line.iter().all(|&b| b == b'y'));
}
