//! Fuzzes the engine's POP3 and IMAP sessions (Dovecot): mail-reading
//! bytes from three sessions of one user on one host, cut into random
//! chunks. The engine must never panic, and what it answers must not
//! depend on how the input is cut: the same bytes fed whole and in chunks
//! give the same replies and the same mailbox files.
//!
//! The input is a program: the first byte picks the protocol and the
//! chunking, the rest are tokens from an alphabet that reaches deep states
//! (commands, tags, literals `{N}` and `{N+}`, sequence sets, flags, CR,
//! LF) or raw bytes; the byte 0xFE hands what follows to the next
//! session.

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use smtplab_engine::host::{Client, Host};
use smtplab_engine::personality::SENDMAIL_8_17_DEBIAN;
use smtplab_engine::{Event, Timestamp, World};

const SEED: &[u8] = include_bytes!("../../tests/corpus/dovecot-2.3/seed/mom");

const TOKENS: &[&[u8]] = &[
    b"a1 ",
    b"a2 ",
    b"LOGIN mom mom-password",
    b"USER mom\r\nPASS mom-password",
    b"AUTHENTICATE PLAIN ",
    b"AG1vbQBtb20tcGFzc3dvcmQ=",
    b"SELECT INBOX",
    b"EXAMINE ",
    b"FETCH ",
    b"UID ",
    b"STORE ",
    b"SEARCH ",
    b"APPEND INBOX ",
    b"CREATE ",
    b"COPY ",
    b"MOVE ",
    b"EXPUNGE",
    b"CLOSE",
    b"LIST \"\" *",
    b"STATUS ",
    b"NOTIFY SET STATUS (selected (MessageNew (FLAGS) MessageExpunge)) (personal (MessageNew))",
    b"IDLE",
    b"DONE",
    b"RETR ",
    b"DELE ",
    b"TOP ",
    b"QUIT",
    b"LOGOUT",
    b"(FLAGS BODY[] ENVELOPE BODYSTRUCTURE)",
    b"BODY.PEEK[HEADER.FIELDS (SUBJECT)]",
    b"<0.5>",
    b"+FLAGS (\\Deleted \\Seen kw)",
    b"1:*",
    b"*",
    b"1",
    b"3",
    b"4294967296",
    b"{3}\r\n",
    b"{5+}\r\n",
    b"{99999999999}\r\n",
    b"\"",
    b"(",
    b")",
    b"[",
    b"]",
    b" ",
    b"\r\n",
    b"\n",
    b"\r",
    b"Drafts",
    b"NOT OR ALL ",
    b"\"28-Nov-2026 14:00:00 +0000\" ",
    b"SINCE 1-Jan-2026 SENTBEFORE 31-Dec-9999 ",
    b"(\\Seen \\Flagged) ",
    b"X-UID: 4294967295\r\n",
];

fn world() -> Arc<World> {
    static WORLD: OnceLock<Arc<World>> = OnceLock::new();
    Arc::clone(WORLD.get_or_init(|| Arc::new(World::corpus())))
}

/// The byte that hands the input that follows to the next session.
const NEXT_SESSION: u8 = 0xFE;

/// Replies of every session and the user's mail files at the end, for
/// `segments` fed in pieces of `chunk`: three sessions of one user on one
/// host (IMAP, IMAP, and IMAP or POP3), each segment to its session in
/// turn, so that they share one mailbox.
fn run(imap: bool, segments: &[(usize, Vec<u8>)], chunk: usize) -> Vec<u8> {
    let mut host = Host::new(world(), &SENDMAIL_8_17_DEBIAN);
    host.store_mut().restore("mom", SEED);
    let client = Client {
        address: "127.0.0.2".into(),
        process_id: 1,
        queue_sequence: 1,
    };
    let now = Timestamp::new(1_800_000_000, 0);
    let mut record = Vec::new();
    let mut sessions = Vec::new();
    for port in [143, 143, if imap { 143 } else { 110 }] {
        let Some((session, events)) = host.connect(port, &client, now) else {
            return record;
        };
        record.extend(events.iter().flat_map(Event::wire));
        sessions.push(session);
    }
    for (which, bytes) in segments {
        for piece in bytes.chunks(chunk.max(1)) {
            // No handshake: what follows STARTTLS is not TLS, and the
            // session closes on it however it is cut.
            let events = sessions[*which].receive(&mut host, piece, now);
            record.extend(events.iter().flat_map(Event::wire));
        }
    }
    for session in &mut sessions {
        session.close(&mut host, now);
    }
    record.extend(host.store().file("mom").unwrap_or_default());
    for (_, file) in host.store().other_files() {
        record.extend(file);
    }
    record
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, program)) = data.split_first() else {
        return;
    };
    let imap = first & 1 == 1;
    let chunk = 1 + usize::from(first >> 1) % 17;
    let mut segments = vec![(0, Vec::new())];
    for &byte in program.iter().take(4096) {
        if byte == NEXT_SESSION {
            let next = (segments.len()) % 3;
            segments.push((next, Vec::new()));
            continue;
        }
        let input = &mut segments.last_mut().expect("one segment at least").1;
        match TOKENS.get(usize::from(byte)) {
            Some(token) => input.extend_from_slice(token),
            None => input.push(byte),
        }
    }
    let whole = run(imap, &segments, usize::MAX);
    let cut = run(imap, &segments, chunk);
    assert!(whole == cut, "the replies depend on how the input is cut");
});
