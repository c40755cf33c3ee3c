//! Fuzzes the engine's POP3 and IMAP sessions (Dovecot): mail-reading
//! bytes, cut into random chunks. The engine must never panic, and what it
//! answers must not depend on how the input is cut: the same bytes fed
//! whole and in chunks give the same replies and the same mailbox files.
//!
//! The input is a program: the first byte picks the protocol and the
//! chunking, the rest are tokens from an alphabet that reaches deep states
//! (commands, tags, literals `{N}` and `{N+}`, sequence sets, flags, CR,
//! LF) or raw bytes.

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use smtplab_engine::imap::{ImapSession, UserStore, DOVECOT_IMAP_2_3_19_DEBIAN};
use smtplab_engine::Event;
use smtplab_engine::pop3::{Pop3Session, DOVECOT_2_3_19_DEBIAN};
use smtplab_engine::World;

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

enum Mail {
    Pop3(Pop3Session),
    Imap(Box<ImapSession>),
}

/// Replies and written files for `bytes` fed in pieces of `chunk`.
fn run(imap: bool, bytes: &[u8], chunk: usize) -> Vec<u8> {
    let mut session = if imap {
        Mail::Imap(Box::new(ImapSession::new(&DOVECOT_IMAP_2_3_19_DEBIAN, world(), "127.0.0.2")))
    } else {
        Mail::Pop3(Pop3Session::new(&DOVECOT_2_3_19_DEBIAN, world(), "127.0.0.2"))
    };
    let mut record = Vec::new();
    let mut pending = match &mut session {
        Mail::Pop3(s) => s.connect(1_800_000_000),
        Mail::Imap(s) => s.connect(1_800_000_000),
    };
    let mut pieces = bytes.chunks(chunk.max(1));
    loop {
        while !pending.is_empty() {
            let action = pending.remove(0);
            match action {
                Event::Open { .. } => pending.extend(match &mut session {
                    Mail::Pop3(s) => s.opened(SEED),
                    Mail::Imap(s) => s.opened(UserStore {
                        inbox: SEED.to_vec(),
                        ..UserStore::default()
                    }),
                }),
                Event::Save { file, .. } => record.extend(file),
                Event::Write { file, .. } => record.extend(file.unwrap_or_default()),
                // No handshake: what follows STARTTLS is not TLS, and the
                // session closes on it however it is cut.
                other => record.extend(other.wire()),
            }
        }
        let Some(piece) = pieces.next() else { break };
        pending = match &mut session {
            Mail::Pop3(s) => s.receive(piece, 1_800_000_000),
            Mail::Imap(s) => s.receive(piece, 1_800_000_000),
        };
    }
    record
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, program)) = data.split_first() else {
        return;
    };
    let imap = first & 1 == 1;
    let chunk = 1 + usize::from(first >> 1) % 17;
    let mut input = Vec::new();
    for &byte in program.iter().take(4096) {
        match TOKENS.get(usize::from(byte)) {
            Some(token) => input.extend_from_slice(token),
            None => input.push(byte),
        }
    }
    let whole = run(imap, &input, input.len());
    let cut = run(imap, &input, chunk);
    assert!(whole == cut, "the replies depend on how the input is cut");
});
