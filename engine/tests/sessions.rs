//! Golden transcripts, chunking and robustness of the engine.

use std::sync::Arc;

use smtplab_corpus::{corpus_dir, project_dir, Generator};
use smtplab_engine::catalogue::ReplyKey;
use smtplab_engine::personality::{Syntax, ALL, POSTFIX_3_7_DEBIAN, SENDMAIL_8_13_8};
use smtplab_engine::script::{replay, Script, Step};
use smtplab_engine::{Connection, Event, Personality, Reply, Session, Timestamp, World};

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

/// One write of the client, as a script gives it.
enum Write {
    /// Sent in pieces of any size (a line, or raw bytes).
    Divisible(Vec<u8>),
    /// Sent as it is: a `%%pipeline` block is one write by definition.
    Whole(Vec<u8>),
    /// `%%tls`: the handshake succeeds if the server asked for one.
    Tls,
}

fn script_writes(script: &Script) -> Vec<Write> {
    script
        .steps
        .iter()
        .filter_map(|step| match step {
            Step::Line(line) => {
                let mut data = line.clone();
                data.extend_from_slice(b"\r\n");
                Some(Write::Divisible(data))
            }
            Step::Raw { bytes, .. } => Some(Write::Divisible(bytes.clone())),
            Step::Pipeline(block) => {
                let mut data = Vec::new();
                for line in block {
                    data.extend_from_slice(line);
                    data.extend_from_slice(b"\r\n");
                }
                Some(Write::Whole(data))
            }
            Step::Tls => Some(Write::Tls),
            Step::Sleep { .. } | Step::ExpectClose => None,
        })
        .collect()
}

/// Plays a script's writes in order, cutting every divisible write into
/// `chunk`-byte pieces; `%%nogreeting` sends the first write before the
/// greeting. Returns what the server did, in order.
fn play_chunked(
    mut session: Session,
    script: &Script,
    chunk: usize,
    now: Timestamp,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut tls_requested = false;
    let record = |actions: Vec<Event>, out: &mut Vec<String>, tls_requested: &mut bool| {
        for action in actions {
            match action {
                Event::Reply(reply) => out.extend(reply.render()),
                Event::Deliver(d) => out.push(format!(
                    "deliver {:?} {}",
                    d.mailboxes(),
                    d.copies.iter().map(|c| c.entry.len()).sum::<usize>()
                )),
                Event::Pause { millis } => out.push(format!("pause {millis}")),
                Event::StartTls => *tls_requested = true,
                Event::Close => out.push("close".into()),
                _ => {}
            }
        }
    };
    let actions = session.connect(now);
    record(actions, &mut out, &mut tls_requested);
    let mut writes = script_writes(script).into_iter();
    if script.no_greeting {
        if let Some(Write::Divisible(data) | Write::Whole(data)) = writes.next() {
            session.receive(&data, now);
        }
    }
    let actions = session.greet(now);
    record(actions, &mut out, &mut tls_requested);
    for write in writes {
        match write {
            Write::Divisible(data) => {
                for piece in data.chunks(chunk.max(1)) {
                    let actions = session.receive(piece, now);
                    record(actions, &mut out, &mut tls_requested);
                }
            }
            Write::Whole(data) => {
                let actions = session.receive(&data, now);
                record(actions, &mut out, &mut tls_requested);
            }
            Write::Tls => {
                let actions = if std::mem::take(&mut tls_requested) {
                    session.tls_started(now)
                } else {
                    session.receive(b"\x16\x03\x01", now)
                };
                record(actions, &mut out, &mut tls_requested);
            }
        }
    }
    out
}

#[test]
fn the_same_input_in_any_chunk_size_gives_the_same_replies() {
    let mut scripts =
        vec![std::fs::read(project_dir().join("tests/scripts/tutorial.txt")).unwrap()];
    for entry in std::fs::read_dir(corpus_dir().join("scripts")).unwrap() {
        scripts.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let mut compared = 0;
    let mut with_directives = 0;
    for text in &scripts {
        let script = Script::parse(text).unwrap();
        let directives =
            script.no_greeting || script.steps.iter().any(|s| !matches!(s, Step::Line(_)));
        for &personality in ALL {
            let make = || corpus_session(personality, 1, 0);
            let whole = play_chunked(make(), &script, usize::MAX, tutorial_time());
            for chunk in [1, 2, 3, 7, 64] {
                assert_eq!(
                    play_chunked(make(), &script, chunk, tutorial_time()),
                    whole,
                    "{} chunk {chunk}",
                    personality.id
                );
            }
            compared += 1;
            with_directives += usize::from(directives);
        }
    }
    // 32 scripts (the tutorial, the corpus, the extra one) for every
    // server; the six with directives among them.
    assert_eq!(scripts.len(), 32);
    assert_eq!(compared, 32 * ALL.len());
    assert_eq!(with_directives, 6 * ALL.len());
}

/// Pieces of client input: the first `COMMANDS` are commands.
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
    b"\r\r",
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
const COMMANDS: usize = 13;

/// Feeds one client line (up to and including its LF, or the unfinished
/// rest) in pieces of `chunk` bytes, and checks what the line got: a
/// command line exactly one reply, a message line none (the final dot
/// one), unless the connection closed, which may come with one closing
/// reply more. Returns false once the session is closed.
fn check_line(
    session: &mut Session,
    line: &[u8],
    chunk: usize,
    now: Timestamp,
    context: &str,
    line_goes_on: &mut bool,
    codes: &mut Vec<u16>,
) -> bool {
    let command = session.reading_commands();
    let data = session.in_data();
    let continued = data && std::mem::take(line_goes_on);
    let mut replies: Vec<Reply> = Vec::new();
    let mut handshake = false;
    for piece in line.chunks(chunk.max(1)) {
        for action in session.receive(piece, now) {
            handshake |= action == Event::StartTls;
            if let Event::Reply(reply) = action {
                codes.push(reply.code);
                assert!(
                    (200..600).contains(&reply.code),
                    "{context}: code {}",
                    reply.code
                );
                assert!(!reply.render().is_empty(), "{context}");
                // Exim's PRDR lines come before the message's one reply.
                if !matches!(reply.key, ReplyKey::PrdrStart | ReplyKey::PrdrRecipient) {
                    replies.push(reply);
                }
            }
        }
    }
    // A client that does TLS: the handshake, then the session goes on.
    if handshake {
        session.tls_started(now);
    }
    let closed = session.is_closed();
    let complete = line.ends_with(b"\n");
    let shown = String::from_utf8_lossy(line);
    if !complete {
        assert!(
            replies.len() <= 1 || closed,
            "{context}: {shown:?} got {replies:?}"
        );
    } else if command {
        let answered = replies.len() == 1 || (closed && replies.len() <= 2);
        assert!(answered, "{context}: {shown:?} got {replies:?}");
    } else if data {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        // Sendmail drops the CR of CRLF, Postfix every CR at the end;
        // Exim ends a message line only at CR LF.
        let content = match session.personality().syntax {
            Syntax::Sendmail => content.strip_suffix(b"\r").unwrap_or(content),
            Syntax::Exim => match content.strip_suffix(b"\r") {
                Some(content) => content,
                None => {
                    // A bare LF: the message line goes on.
                    *line_goes_on = true;
                    b"(line goes on)"
                }
            },
            Syntax::Postfix => {
                let end = content
                    .iter()
                    .rposition(|&b| b != b'\r')
                    .map_or(0, |i| i + 1);
                &content[..end]
            }
        };
        let final_dot = content == b"." && !continued;
        let answered = if final_dot {
            replies.len() == 1 || (closed && replies.len() <= 2)
        } else {
            replies.is_empty() || closed
        };
        assert!(
            answered,
            "{context}: message line {shown:?} got {replies:?}"
        );
    }
    !closed
}

/// Splits bytes into lines that end after each LF (the last may not).
fn lines_of(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// Random sessions: any bytes, any chunking, every personality. The
/// engine must never panic, and every complete command line outside a
/// message gets exactly one reply (a message line none, its final dot
/// one), unless the connection closes, which may add the closing reply.
#[test]
fn random_sessions_answer_every_command_line_once() {
    let mut sessions = vec![0; ALL.len()];
    let mut lines = vec![0; ALL.len()];
    for seed in 1..600u64 {
        let mut random = Generator(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let index = seed as usize % ALL.len();
        sessions[index] += 1;
        let personality = ALL[index];
        let mut session = corpus_session(personality, seed as u32, seed as u32);
        let now = tutorial_time();
        let mut input = Vec::new();
        // Lines of a few pieces (or a random byte), most of them ended and
        // begun with a command, so that a session gets far before its
        // server's error limit closes it.
        for _ in 0..random.below(100) {
            if random.below(4) != 0 {
                input.extend_from_slice(PIECES[random.below(COMMANDS)]);
            }
            for _ in 0..random.below(4) {
                if random.below(10) == 0 {
                    input.push(random.next_u64() as u8);
                } else {
                    input.extend_from_slice(PIECES[random.below(PIECES.len())]);
                }
            }
            input.extend_from_slice([&b"\r\n"[..], b"\r\n", b"\n", b""][random.below(4)]);
        }
        session.connect(now);
        session.greet(now);
        let chunk = 1 + random.below(40);
        let mut goes_on = false;
        for line in lines_of(&input) {
            let context = format!("seed {seed} {}", personality.id);
            lines[index] += 1;
            if !check_line(
                &mut session,
                line,
                chunk,
                now,
                &context,
                &mut goes_on,
                &mut Vec::new(),
            ) {
                break;
            }
        }
        session.disconnect(now);
    }
    // Every personality had its share of the 599 sessions, and got far
    // enough in them to be tested (Exim, which closes after three unknown
    // commands, reads the fewest lines: about 800).
    for ((personality, count), lines) in ALL.iter().zip(&sessions).zip(&lines) {
        assert!(*count >= 599 / ALL.len(), "{}: {count}", personality.id);
        assert!(*lines >= 500, "{}: {lines} lines", personality.id);
    }
}

/// Client lines of an AUTH dialogue (commands first, then answers).
const SASL_PIECES: &[&[u8]] = &[
    b"AUTH PLAIN",
    b"AUTH LOGIN",
    b"AUTH PLAIN AG1vbQBtb20tcGFzc3dvcmQ=",
    b"AUTH LOGIN bW9t",
    b"AUTH XOAUTH2",
    b"AUTH",
    b"STARTTLS",
    b"MAIL FROM:<mom@example.com>",
    b"RCPT TO:<friend@example.org>",
    b"bW9t",
    b"bW9tLXBhc3N3b3Jk",
    b"bW9tCg==",
    b"AG5vYm9keQB4",
    b"*",
    b"=",
    b"!!",
];

/// Random sessions of every submission service (587 with STARTTLS, 465 in
/// TLS from the start), heavy with AUTH: the same promise, one reply a
/// command line (an AUTH answer is one), whatever the chunking; a client
/// that asks for TLS gets it.
#[test]
fn random_submission_sessions_answer_every_command_line_once() {
    let services: Vec<(&'static Personality, bool)> = ALL
        .iter()
        .flat_map(|p| {
            let submission = p.submission.expect("every server has a submission service");
            [
                (submission, false),
                (p.submissions.unwrap_or(submission), true),
            ]
        })
        .collect();
    let mut authenticated = vec![0; services.len()];
    for seed in 1..400u64 {
        let mut random = Generator(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let index = seed as usize % services.len();
        let (personality, tls_at_once) = services[index];
        let mut session = corpus_session(personality, seed as u32, seed as u32);
        if tls_at_once {
            session.start_in_tls();
        }
        let now = tutorial_time();
        // Most sessions begin as a mail program does: EHLO, on 587
        // STARTTLS and EHLO again.
        let mut input = b"EHLO client.example.no\r\n".to_vec();
        if !tls_at_once && random.below(4) != 0 {
            input.extend_from_slice(b"STARTTLS\r\nEHLO client.example.no\r\n");
        }
        for _ in 0..random.below(60) {
            let piece = if random.below(3) == 0 {
                PIECES[random.below(PIECES.len())]
            } else {
                SASL_PIECES[random.below(SASL_PIECES.len())]
            };
            input.extend_from_slice(piece);
            input.extend_from_slice([&b"\r\n"[..], b"\r\n", b"\n"][random.below(3)]);
        }
        session.connect(now);
        session.greet(now);
        let chunk = 1 + random.below(30);
        let mut goes_on = false;
        let mut codes = Vec::new();
        for line in lines_of(&input) {
            let context = format!("seed {seed} {} (465: {tls_at_once})", personality.id);
            if !check_line(
                &mut session,
                line,
                chunk,
                now,
                &context,
                &mut goes_on,
                &mut codes,
            ) {
                break;
            }
        }
        session.disconnect(now);
        if codes.contains(&235) {
            authenticated[index] += 1;
        }
    }
    // The dialogues got deep: on every service some sessions logged in.
    for ((personality, tls_at_once), count) in services.iter().zip(&authenticated) {
        assert!(
            *count >= 3,
            "{} (465: {tls_at_once}): {count} logins",
            personality.id
        );
    }
}

#[test]
fn every_command_line_gets_exactly_one_reply_outside_data() {
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
        b"MAIL FROM:<mom@example.com>",
        b"RCPT TO:<mom@example.com>",
        b"DATA",
        b"Subject: x",
        b"",
        b"..body",
        b".",
        b"QUIT",
    ];
    for personality in ALL {
        let mut session = corpus_session(personality, 1, 0);
        let now = tutorial_time();
        session.connect(now);
        session.greet(now);
        for line in lines {
            let mut data = line.to_vec();
            data.extend_from_slice(b"\r\n");
            check_line(
                &mut session,
                &data,
                3,
                now,
                personality.id,
                &mut false,
                &mut Vec::new(),
            );
        }
        assert!(session.is_closed(), "{}: QUIT closes", personality.id);
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

/// A session of `personality` in the corpus world (with `limit` as its
/// message size limit) that has reached DATA for mom@example.com.
fn session_in_data(personality: &'static Personality, limit: Option<u64>) -> Session {
    let mut world = World::corpus();
    world.message_size_limit = limit;
    let connection = Connection::new(&world, "127.0.0.2", 1, 0);
    let mut session = Session::new(personality, Arc::new(world), connection);
    let now = tutorial_time();
    session.connect(now);
    session.greet(now);
    session.receive(b"EHLO a.example\r\n", now);
    session.receive(b"MAIL FROM:<a@b.example>\r\n", now);
    session.receive(b"RCPT TO:<mom@example.com>\r\n", now);
    session.receive(b"DATA\r\n", now);
    assert!(session.in_data(), "{}", personality.id);
    session
}

/// Ten megabytes of message text, with dot-stuffed lines, as sent and as
/// the recipient must read it (dots unstuffed, CRLF as LF).
fn ten_megabytes() -> (Vec<u8>, Vec<u8>) {
    let mut sent = b"Subject: big\r\n\r\n".to_vec();
    let mut read = b"Subject: big\n\n".to_vec();
    let mut index = 0u64;
    while sent.len() < 10 * 1024 * 1024 {
        index += 1;
        let text =
            format!("{index:08} 0123456789012345678901234567890123456789012345678901234567890");
        if index.is_multiple_of(97) {
            sent.extend_from_slice(format!("..{text}\r\n").as_bytes());
            read.extend_from_slice(format!(".{text}\n").as_bytes());
        } else {
            sent.extend_from_slice(format!("{text}\r\n").as_bytes());
            read.extend_from_slice(format!("{text}\n").as_bytes());
        }
    }
    (sent, read)
}

/// Sends `message` then the final dot; returns the delivered entry or the
/// refusal.
fn send_message(session: &mut Session, message: &[u8]) -> Result<Vec<u8>, Reply> {
    let now = tutorial_time();
    for piece in message.chunks(65_536) {
        assert!(session.receive(piece, now).is_empty());
    }
    let mut entry = None;
    for action in session.receive(b".\r\n", now) {
        match action {
            Event::Deliver(d) => entry = Some(d.copies[0].entry.clone()),
            Event::Reply(reply) if reply.code >= 400 => return Err(reply),
            _ => {}
        }
    }
    Ok(entry.expect("a reply or a delivery"))
}

/// The message as the entry holds it: from the first header the client
/// sent to the blank line that ends the entry.
fn delivered_message(entry: &[u8]) -> &[u8] {
    let start = entry
        .windows(8)
        .position(|w| w == b"Subject:")
        .expect("the message's header");
    let end = entry.len() - 1;
    &entry[start..end]
}

#[test]
fn ten_megabyte_body_is_delivered_byte_for_byte() {
    let (sent, read) = ten_megabytes();
    for personality in ALL {
        // No size limit: the whole message must arrive.
        let mut session = session_in_data(personality, Some(0));
        let entry = send_message(&mut session, &sent).expect("accepted");
        assert!(
            delivered_message(&entry) == read.as_slice(),
            "{}: the delivered message differs from what was sent",
            personality.id
        );
    }
}

#[test]
fn postfix_refuses_a_message_over_its_default_limit() {
    let (sent, _) = ten_megabytes();
    let mut session = session_in_data(&POSTFIX_3_7_DEBIAN, None);
    let refusal = send_message(&mut session, &sent).expect_err("10 MB is over 10240000 bytes");
    assert_eq!(refusal.render(), ["552 5.3.4 Error: message file too big"]);
}

#[test]
fn a_ten_megabyte_line_without_end_is_answered() {
    for personality in ALL {
        let mut session = corpus_session(personality, 1, 0);
        let now = tutorial_time();
        session.connect(now);
        session.greet(now);
        let paste = vec![b'x'; 10 * 1024 * 1024];
        let mut actions = session.receive(&paste, now);
        // Postfix keeps the line's first 2048 bytes and answers at its end.
        actions.extend(session.receive(b"\r\n", now));
        assert!(
            actions.iter().any(|a| matches!(a, Event::Reply(_))),
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
            Event::Deliver(d) => Some(d.copies[0].entry.clone()),
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
