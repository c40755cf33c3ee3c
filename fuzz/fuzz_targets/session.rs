//! Fuzzes the engine: SMTP-flavoured bytes into a session of every
//! personality, each client line cut into random chunks. The engine must
//! never panic, every complete command line outside a message must get
//! exactly one reply (a message line none, the final dot one; BDAT once its
//! chunk is read), unless the connection closes, which may add the
//! personality's closing reply.
//!
//! The input is a program: the first byte picks the personality and the
//! chunking, the rest are tokens from an alphabet that reaches deep states
//! (verbs, `:`, `<`, `>`, CR, LF, `.`, digits) or raw bytes.
//!
//! Each personality's submission services (587, 465) are fuzzed too, with
//! AUTH in the alphabet; a STARTTLS the server accepts is followed by a
//! completed handshake, so the session goes on inside TLS.
//!
//! `SMTPLAB_FUZZ_PERSONALITY=<id>` pins one personality (every execution
//! then exercises it).

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use smtplab_engine::catalogue::ReplyKey;
use smtplab_engine::personality::{Personality, Syntax, ALL};
use smtplab_engine::{Connection, Event, Session, Timestamp, World};

const TOKENS: &[&[u8]] = &[
    b"HELO ",
    b"EHLO ",
    b"MAIL FROM:",
    b"RCPT TO:",
    b"DATA",
    b"RSET",
    b"NOOP",
    b"QUIT",
    b"VRFY ",
    b"EXPN ",
    b"HELP ",
    b"AUTH ",
    b"CRAM-MD5",
    b"STARTTLS",
    b"VERB",
    b"ETRN ",
    b":",
    b"<",
    b">",
    b"@",
    b"\r\n",
    b"\n",
    b"\r",
    b".",
    b"..",
    b" ",
    b"0",
    b"9",
    b"SIZE=",
    b"BODY=",
    b"NOTIFY=",
    b"ORCPT=",
    b"mom",
    b"example.com",
    b"postmaster",
    b"\"",
    b"(",
    b")",
    b",",
    b"%",
    b"!",
    b"*",
    b"=",
    b"BDAT ",
    b" LAST",
    b"SMTPUTF8",
    b"\t",
    b"\xc3\xa9",
    b"\xff",
    b"GET ",
    b"PRDR",
    b"[",
    b"]",
    b"IPv6:",
    b";",
    b"\x00",
    b"PLAIN",
    b"LOGIN",
    b"AG1vbQBtb20tcGFzc3dvcmQ=",
    b"bW9t",
    b"bW9tLXBhc3N3b3Jk",
    b"bW9tCg==",
];

fn world() -> Arc<World> {
    static WORLD: OnceLock<Arc<World>> = OnceLock::new();
    WORLD
        .get_or_init(|| {
            let mut world = World::corpus();
            world.message_size_limit = Some(4096);
            Arc::new(world)
        })
        .clone()
}

/// The personality the environment pins, if any.
fn pinned() -> Option<&'static Personality> {
    static PINNED: OnceLock<Option<&'static Personality>> = OnceLock::new();
    *PINNED.get_or_init(|| {
        std::env::var("SMTPLAB_FUZZ_PERSONALITY")
            .ok()
            .and_then(|id| Personality::by_id(&id))
    })
}

fn without_final_crs(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
    &bytes[..end]
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, program)) = data.split_first() else {
        return;
    };
    let base = pinned().unwrap_or(ALL[usize::from(control) % ALL.len()]);
    // Bits 5 and 6: port 25, 587 or 465.
    let service = (control >> 5) % 3;
    let personality = match service {
        1 => base.submission.unwrap_or(base),
        2 => base.submissions.or(base.submission).unwrap_or(base),
        _ => base,
    };
    let chunk = 1 + usize::from(control >> 2);
    let mut bytes = Vec::with_capacity(program.len() * 4);
    let mut iter = program.iter();
    while let Some(&b) = iter.next() {
        if b < 0xc0 {
            bytes.extend_from_slice(TOKENS[usize::from(b) % TOKENS.len()]);
        } else if let Some(&raw) = iter.next() {
            bytes.push(raw);
        }
    }
    let mut session = Session::new(
        personality,
        world(),
        Connection {
            client_address: "127.0.0.2".into(),
            client_name: "client.example.no".into(),
            process_id: 1,
            queue_sequence: u32::from(control),
        },
    );
    let now = Timestamp::new(1_800_000_000, 0);
    if service == 2 {
        session.start_in_tls();
    }
    session.connect(now);
    session.greet(now);
    // Exim: the last message line ended with a bare LF, so this one goes on.
    let mut line_goes_on = false;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let command = session.reading_commands();
        let data = session.in_data();
        let continued = data && std::mem::take(&mut line_goes_on);
        let mut replies = 0;
        let mut handshake = false;
        for piece in line.chunks(chunk) {
            for action in session.receive(piece, now) {
                handshake |= action == Event::StartTls;
                if let Event::Reply(reply) = action {
                    assert!((200..600).contains(&reply.code));
                    assert!(!reply.render().is_empty());
                    // Exim's PRDR lines come before the message's one reply.
                    if !matches!(reply.key, ReplyKey::PrdrStart | ReplyKey::PrdrRecipient) {
                        replies += 1;
                    }
                }
            }
        }
        if handshake {
            session.tls_started(now);
        }
        let closed = session.is_closed();
        if line.ends_with(b"\n") {
            let content = &line[..line.len() - 1];
            // Sendmail drops the CR of CRLF, Postfix every CR at the end;
            // Exim ends a message line only at CR LF.
            let content = match personality.syntax {
                Syntax::Sendmail => content.strip_suffix(b"\r").unwrap_or(content),
                Syntax::Postfix => without_final_crs(content),
                Syntax::Exim => match content.strip_suffix(b"\r") {
                    Some(content) => content,
                    None => {
                        line_goes_on = data;
                        b"(line goes on)"
                    }
                },
            };
            let final_dot = content == b"." && !continued;
            // BDAT answers once its chunk has been read.
            let reading_chunk = !closed && !session.reading_commands() && !session.in_data();
            // Sendmail reads a line longer than its input buffer (12 KB;
            // an AUTH line may be that long) as several commands, Exim one
            // longer than its 16 KB buffer.
            let pieces = 1 + line.len() / 12_288;
            if command {
                assert!(
                    replies == 1
                        || (closed && replies <= 2)
                        || (reading_chunk && replies == 0)
                        || (pieces > 1 && (1..=pieces).contains(&replies)),
                    "{replies} replies"
                );
            } else if data && final_dot {
                assert!(
                    replies == 1 || (closed && replies <= 2),
                    "{replies} replies"
                );
            } else if data {
                assert!(
                    replies == 0 || closed,
                    "{replies} replies to a message line"
                );
            }
        }
        if closed {
            break;
        }
    }
    session.timeout(now);
});
