//! The IMAP session on its own: random sessions (tags, literals and
//! LITERAL+, partial lines, huge numbers) in which every complete command
//! gets exactly one tagged completion and the replies do not depend on how
//! the input is cut; and table tests of what the recordings do not show.

use std::sync::Arc;

use smtplab_corpus::Generator;
use smtplab_engine::imap::{ImapSession, UserStore, DOVECOT_IMAP_2_3_19_DEBIAN};
use smtplab_engine::store::StorePath;
use smtplab_engine::time::Timestamp;
use smtplab_engine::Event;
use smtplab_engine::World;

const SEED: &[u8] = include_bytes!("../../tests/corpus/dovecot-2.3/seed/mom");
const NOW: i64 = 1_800_000_000;

/// A session logged in as mom... or not: commands are played as given.
fn session() -> ImapSession {
    let mut session = ImapSession::new(
        &DOVECOT_IMAP_2_3_19_DEBIAN,
        Arc::new(World::corpus()),
        "127.0.0.2",
    );
    session.connect(NOW);
    session
}

/// What the session sends and writes for `bytes` fed in pieces of
/// `chunk`, the store handed over when asked.
fn feed(session: &mut ImapSession, bytes: &[u8], chunk: usize) -> (Vec<u8>, Vec<Event>) {
    let mut wire = Vec::new();
    let mut writes = Vec::new();
    let mut pending: Vec<Event> = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        pending.extend(session.receive(piece, NOW));
        while !pending.is_empty() {
            let action = pending.remove(0);
            match &action {
                Event::Open { .. } => pending.extend(session.opened(UserStore {
                    inbox: SEED.to_vec(),
                    ..UserStore::default()
                })),
                Event::Save { .. } | Event::Write { .. } => writes.push(action.clone()),
                _ => wire.extend(action.wire()),
            }
        }
    }
    (wire, writes)
}

fn text(wire: &[u8]) -> String {
    String::from_utf8_lossy(wire).into_owned()
}

/// One command with a unique tag, or a line of junk with one.
fn command(random: &mut Generator, tag: &str) -> Vec<u8> {
    let numbers = [
        "1",
        "2",
        "3",
        "*",
        "1:*",
        "2:3",
        "4294967295",
        "99999999999",
        "0",
        "1,3",
    ];
    let n = numbers[random.below(numbers.len())];
    let body = match random.below(45) {
        42 => "NOTIFY SET STATUS (selected (MessageNew (UID FLAGS) MessageExpunge)) \
               (personal (MessageNew MessageExpunge MailboxName SubscriptionChange))"
            .to_string(),
        43 => "NOTIFY NONE".to_string(),
        33 => "THREAD REFERENCES UTF-8 ALL".to_string(),
        34 => format!("UID THREAD REFS US-ASCII {n}"),
        35 => "SEARCH RETURN (UPDATE ALL) SEEN".to_string(),
        36 => "CANCELUPDATE \"a1\" \"x\"".to_string(),
        37 => "SEARCH RETURN (SAVE MIN) OLDER 60".to_string(),
        38 => "FETCH $ (FLAGS)".to_string(),
        39 => "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (% *) RETURN (CHILDREN STATUS (MESSAGES))"
            .to_string(),
        40 => {
            "APPEND Drafts CATENATE (URL \"/INBOX/;uid=1/;section=1\" TEXT {2+}\r\nx\n)".to_string()
        }
        41 => "APPEND INBOX ~{9+}\r\nx: \x00\r\n\r\nb".to_string(),
        30 => "LOGIN mom {12+}\r\nmom-password".to_string(),
        31 => "APPEND INBOX {14}\r\nSubject: y\r\n\r\n".to_string(),
        32 => "SEARCH SUBJECT {3}\r\ndot".to_string(),
        0 => "LOGIN mom mom-password".to_string(),
        1 => "LOGIN mom wrong".to_string(),
        2 => "LOGIN {3+}\r\nmom {12+}\r\nmom-password".to_string(),
        3 => "AUTHENTICATE PLAIN AG1vbQBtb20tcGFzc3dvcmQ=".to_string(),
        4 => "SELECT INBOX".to_string(),
        5 => "EXAMINE inbox".to_string(),
        6 => format!("FETCH {n} (FLAGS UID RFC822.SIZE)"),
        7 => format!("FETCH {n} (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[TEXT]<0.10>)"),
        8 => format!("UID FETCH {n} (ENVELOPE BODYSTRUCTURE)"),
        9 => format!("STORE {n} +FLAGS (\\Deleted Important)"),
        10 => format!("UID STORE {n} FLAGS.SILENT (\\Seen)"),
        11 => "SEARCH OR SUBJECT dot NOT SEEN".to_string(),
        12 => "EXPUNGE".to_string(),
        13 => "CLOSE".to_string(),
        14 => "APPEND INBOX (\\Seen) {14+}\r\nSubject: x\r\n\r\n".to_string(),
        15 => "APPEND Nosuch {5+}\r\nhello".to_string(),
        16 => "CREATE Drafts".to_string(),
        17 => format!("COPY {n} Drafts"),
        18 => format!("UID MOVE {n} Drafts"),
        19 => "LIST \"\" *".to_string(),
        20 => "STATUS Drafts (MESSAGES UIDNEXT UNSEEN)".to_string(),
        21 => "RENAME Drafts Old".to_string(),
        22 => "IDLE\r\nDONE".to_string(),
        23 => "NOOP".to_string(),
        24 => "XYZZY junk".to_string(),
        25 => "FETCH".to_string(),
        26 => "SEARCH (".to_string(),
        27 => "FETCH 1 BODY[".to_string(),
        28 => "SUBSCRIBE INBOX".to_string(),
        _ => "DELETE Old".to_string(),
    };
    format!("{tag} {body}\r\n").into_bytes()
}

#[test]
fn random_imap_sessions_complete_every_command_once_however_cut() {
    for seed in 1..300u64 {
        let mut random = Generator(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let count = 1 + random.below(40);
        let mut input = Vec::new();
        let mut tags = Vec::new();
        // The first command may log in with synchronizing literals (after
        // login LOGIN is an unknown command, and a client would not send
        // a literal the server refused).
        let logins = [
            "t0 LOGIN {3}\r\nmom {12}\r\nmom-password\r\n",
            "t0 LOGIN mom mom-password\r\n",
            "t0 AUTHENTICATE PLAIN\r\nAG1vbQBtb20tcGFzc3dvcmQ=\r\n",
            "t0 NOOP\r\n",
        ];
        input.extend_from_slice(logins[random.below(logins.len())].as_bytes());
        tags.push("t0".to_string());
        for index in 1..count {
            let tag = format!("t{index}");
            input.extend(command(&mut random, &tag));
            tags.push(tag);
        }
        let (whole, _) = feed(&mut session(), &input, input.len());
        let chunk = 1 + random.below(20);
        let (cut, _) = feed(&mut session(), &input, chunk);
        let (bytes, _) = feed(&mut session(), &input, 1);
        assert_eq!(text(&whole), text(&cut), "seed {seed}, chunk {chunk}");
        assert_eq!(text(&whole), text(&bytes), "seed {seed}, byte by byte");
        let replies = text(&whole);
        let closed = replies.contains("* BYE");
        // Every synchronizing literal is waited for with one `+ OK`.
        let literals =
            text(&input).matches("}\r\n").count() - text(&input).matches("+}\r\n").count();
        let continuations = replies.split("\r\n").filter(|l| *l == "+ OK").count();
        assert!(
            continuations == literals || (closed && continuations < literals),
            "seed {seed}: {literals} literals, {continuations} continuations\n{replies}"
        );
        for tag in &tags {
            let completions = replies
                .split("\r\n")
                .filter(|line| {
                    line.strip_prefix(tag.as_str()).is_some_and(|rest| {
                        rest.starts_with(" OK")
                            || rest.starts_with(" NO")
                            || rest.starts_with(" BAD")
                    })
                })
                .count();
            assert!(
                completions == 1 || (closed && completions == 0),
                "seed {seed}: {tag} completed {completions} times\n{replies}"
            );
        }
    }
}

/// Hostile commands (huge numbers and literals, deep sections, junk) are
/// answered, the same whatever the chunking, and end as given.
#[test]
fn hostile_commands_are_answered_whatever_the_chunking() {
    let table: &[(&[u8], &str)] = &[
        (
            b"a1 LOGIN mom mom-password\r\na2 SELECT INBOX\r\na3 FETCH 4294967295:4294967295 FLAGS\r\n",
            "a3 BAD Error in IMAP command FETCH: Invalid messageset",
        ),
        (
            b"a1 LOGIN {99999999999999999999}\r\n",
            "a1 BAD Error in IMAP command received by server.",
        ),
        (
            b"a1 LOGIN mom mom-password\r\na2 APPEND INBOX {18446744073709551615+}\r\nabc",
            "a2 BAD Error in IMAP command APPEND: Invalid literal size",
        ),
        (
            b"a1 LOGIN mom mom-password\r\na2 SELECT INBOX\r\na3 FETCH 1 (BODY[1.2.3.4.5.HEADER.FIELDS (((]<99999999999999.1>)\r\n",
            "a3 OK Fetch completed",
        ),
        (
            b"\xff\xfe\r\n* BAD\r\n+ x\r\n\r\n\n\n",
            "* BYE Too many invalid IMAP commands.",
        ),
        (
            b"a1 LOGIN mom mom-password\r\na2 SEARCH NOT NOT NOT NOT OR OR OR\r\na3 SEARCH ((((((((((((((((((((((((((ALL\r\n",
            "a3 BAD Error in IMAP command SEARCH: Too deep list",
        ),
    ];
    for (input, last) in table {
        let (whole, _) = feed(&mut session(), input, 1000);
        let whole = text(&whole);
        let end = whole.lines().last().unwrap_or("");
        assert!(end.starts_with(last), "{input:?} ended with {end:?}");
        for chunk in [1, 3] {
            let (wire, _) = feed(&mut session(), input, chunk);
            assert_eq!(text(&wire), whole, "{input:?} in pieces of {chunk}");
        }
    }
}

/// Nesting a client controls stays within the stack: thousands of NOTs
/// are refused, a section path thousands of parts deep and a LIST with
/// many wildcards are answered.
#[test]
fn deep_nesting_is_refused_or_answered() {
    let deep = format!(
        "a1 LOGIN mom mom-password\r\na2 SELECT INBOX\r\na3 SEARCH {}ALL\r\na4 FETCH 1 BODY[{}1]\r\na5 LIST \"\" {}x\r\n",
        "NOT ".repeat(10_000),
        "1.".repeat(20_000),
        "*%".repeat(2_000)
    );
    let (wire, _) = feed(&mut session(), deep.as_bytes(), 4096);
    let replies = text(&wire);
    assert!(
        replies.contains("a3 BAD Error in IMAP command SEARCH: Search keys nested too deep"),
        "{replies}"
    );
    assert!(replies.contains("a4 OK Fetch completed"), "{replies}");
    assert!(replies.contains("a5 OK List completed"), "{replies}");
}

#[test]
fn a_ten_megabyte_append_is_saved_whole() {
    let mut big = b"a1 LOGIN mom mom-password\r\na2 APPEND INBOX {10485760+}\r\n".to_vec();
    let body: Vec<u8> = (0..10_485_760u32)
        .map(|i| if i % 80 == 79 { b'\n' } else { b'x' })
        .collect();
    big.extend_from_slice(&body);
    big.extend_from_slice(b"\r\na3 LOGOUT\r\n");
    let (wire, writes) = feed(&mut session(), &big, 65_536);
    assert!(text(&wire).contains("a2 OK [APPENDUID "), "{}", text(&wire));
    let saved = writes.iter().rev().find_map(|w| match w {
        Event::Save { file, .. } => Some(file.clone()),
        _ => None,
    });
    assert!(saved.is_some_and(|f| f.len() > 10_485_760));
}

fn play(session: &mut ImapSession, lines: &str) -> (String, Vec<Event>) {
    let (wire, writes) = feed(session, lines.as_bytes(), 7);
    (text(&wire), writes)
}

#[test]
fn folders_copy_move_rename_and_delete() {
    let mut s = session();
    let (replies, writes) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb CREATE Archive\r\nc SELECT INBOX\r\n\
         d COPY 1:2 Archive\r\ne UID MOVE 3 Archive\r\nf STATUS Archive (MESSAGES UIDNEXT)\r\n\
         g LIST \"\" *\r\nh RENAME Archive Old/2026\r\ni LIST \"\" %\r\nj DELETE Old/2026\r\n\
         k DELETE INBOX\r\nl LOGOUT\r\n",
    );
    let table = [
        "b OK Create completed",
        "d OK [COPYUID ",
        " 1:2 1:2] Copy completed",
        " 3 3] Moved UIDs.",
        "* 3 EXPUNGE",
        "* STATUS Archive (MESSAGES 3 UIDNEXT 4)",
        "* LIST (\\HasNoChildren) \"/\" Archive",
        "h OK Rename completed",
        "j OK Delete completed",
        "k NO INBOX can't be deleted",
        "* LIST (\\Noselect \\HasChildren) \"/\" Old",
    ];
    for want in table {
        assert!(replies.contains(want), "{want:?} missing in\n{replies}");
    }
    let folder_writes = writes
        .iter()
        .filter(|w| {
            matches!(
                w,
                Event::Write {
                    path: StorePath::Folder(_),
                    ..
                }
            )
        })
        .count();
    assert!(folder_writes >= 4, "{writes:?}");
}

#[test]
fn fetch_items_the_recordings_do_not_show() {
    let multipart = "From: A <a@b.example>\r\nTo: b@c.example, \"C, D\" <c@d.example>\r\n\
Subject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n\
preamble\r\n--xx\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\none\r\n--xx\r\n\
Content-Type: text/html\r\nContent-Disposition: attachment; filename=\"a.html\"\r\n\r\n<p>two</p>\r\n--xx--\r\n";
    let mut s = session();
    let command = format!(
        "a LOGIN mom mom-password\r\nb APPEND INBOX {{{}+}}\r\n{multipart}\r\nc SELECT INBOX\r\n\
         d FETCH 4 (BODYSTRUCTURE ENVELOPE)\r\ne FETCH 4 (BODY.PEEK[2] BODY.PEEK[1.MIME] BODY[]<0.6>)\r\n\
         f FETCH 4 FLAGS\r\ng SEARCH TEXT two\r\nh SEARCH LARGER 500 SMALLER 520\r\n",
        multipart.len()
    );
    let (replies, _) = play(&mut s, &command);
    let table = [
        "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0 NIL NIL NIL NIL)(\"text\" \"html\" NIL NIL NIL \"7bit\" 10 0 NIL (\"attachment\" (\"filename\" \"a.html\")) NIL NIL) \"mixed\" (\"boundary\" \"xx\") NIL NIL NIL)",
        "((NIL NIL \"b\" \"c.example\")(\"C, D\" NIL \"c\" \"d.example\"))",
        "BODY[2] {10}\r\n<p>two</p>",
        "BODY[1.MIME] {46}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
        "BODY[]<0> {6}\r\nFrom: ",
        "* 4 FETCH (FLAGS (\\Seen \\Recent))",
        "* SEARCH 4\r\n",
        "* SEARCH 2\r\n",
    ];
    for want in table {
        assert!(replies.contains(want), "{want:?} missing in\n{replies}");
    }
}

#[test]
fn examine_is_read_only_and_idle_ends_with_done() {
    let mut s = session();
    let (replies, writes) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb EXAMINE INBOX\r\nc STORE 1 +FLAGS (\\Seen)\r\n\
         d FETCH 1 BODY[]\r\ne IDLE\r\nDONE\r\nf LOGOUT\r\n",
    );
    assert!(replies.contains("c NO Mailbox is read-only ("), "{replies}");
    assert!(!replies.contains("FLAGS (\\Seen"), "{replies}");
    assert!(
        replies.contains("+ idling\r\ne OK Idle completed"),
        "{replies}"
    );
    // EXAMINE indexes the file, and changes nothing else.
    let last = writes.iter().rev().find_map(|w| match w {
        Event::Save { file, .. } => Some(text(file)),
        _ => None,
    });
    assert!(last.is_some_and(|f| !f.contains("Status:")));
}

#[test]
fn a_message_delivered_meanwhile_shows_up() {
    let mut s = session();
    let (_, writes) = play(&mut s, "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n");
    let indexed = writes
        .iter()
        .find_map(|w| match w {
            Event::Save { file, .. } => Some(file.clone()),
            _ => None,
        })
        .unwrap();
    let mut delivered = indexed.clone();
    delivered.extend_from_slice(b"From x@y  Sat Nov 28 15:00:00 2026\nSubject: new\n\nhi\n\n");
    assert!(
        s.store_changed(UserStore {
            inbox: delivered,
            ..UserStore::default()
        })
        .is_empty(),
        "told at the next reply"
    );
    let (replies, _) = play(&mut s, "c NOOP\r\nd FETCH 4 (UID FLAGS)\r\n");
    assert!(
        replies.starts_with("* 4 EXISTS\r\n* 4 RECENT\r\nc OK NOOP completed"),
        "{replies}"
    );
    assert!(
        replies.contains("* 4 FETCH (UID 4 FLAGS (\\Recent))"),
        "{replies}"
    );
}

/// APPENDs each message (CRLF lines) to INBOX with a literal, an hour
/// apart (the INTERNALDATE that ARRIVAL sorts by).
fn appends(messages: &[&str]) -> String {
    let mut out = String::new();
    for (i, message) in messages.iter().enumerate() {
        let body = message.replace('\n', "\r\n");
        out.push_str(&format!(
            "p{i} APPEND INBOX \"22-Feb-2008 {i:02}:06:23 +0000\" {{{}+}}\r\n{body}\r\n",
            body.len()
        ));
    }
    out
}

/// SORT (RFC 5256) and SORT=DISPLAY (RFC 5957): the orders Dovecot gives
/// for imaptest's `sort-addresses` and `sort-display-to` messages (its
/// expected replies, which Dovecot passes): the first address's local
/// part, a group's name for a group, the display name else the address,
/// REVERSE per key, ties in mailbox order.
#[test]
fn sort_orders_as_dovecot() {
    let addresses = appends(&[
        "From: user2@domain2.org\nTo: foo bar <user2@domain2.org>\nCc: user2@domain2.org (foo bar)\nSubject: 1\n\nx\n",
        "From: user2@domain1.org\nTo: user2@domain1.org\nCc: user2: blah@domain1.org;\nSubject: 2\n\nx\n",
        "From: user1@domain1.org\nTo: user1@domain1.org\nCc: user1@domain1.org\nSubject: 3\n\nx\n",
    ]);
    let display = appends(&[
        "To: foo bar <a@b.c>\n\nx\n",
        "To: b@c.d\n\nx\n",
        "To: d\n\nx\n",
        "To: =?iso-8859-1?q?foo_aar?= <e@f.g>\n\nx\n",
        "To: =?iso-8859-1?q?foo_car?= <f@g.h>\n\nx\n",
        "To: a: xx@xx.org, yy@yy.org;\n\nx\n",
        "To: z: aa@aa.org, bb@bb.org;\n\nx\n",
        "To: empty:;\n\nx\n",
    ]);
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            &addresses,
            &[
                ("SORT (FROM) US-ASCII ALL", "* SORT 3 1 2"),
                ("SORT (REVERSE CC) US-ASCII ALL", "* SORT 1 2 3"),
                ("SORT (TO REVERSE ARRIVAL) US-ASCII ALL", "* SORT 3 2 1"),
                ("SORT (SUBJECT) UTF-8 NOT SUBJECT 2", "* SORT 1 3"),
                // The seed's three messages had UIDs 1 to 3.
                ("UID SORT (FROM) US-ASCII ALL", "* SORT 6 4 5"),
            ],
        ),
        (
            &display,
            &[
                ("SORT (DISPLAYTO) US-ASCII ALL", "* SORT 6 2 3 8 4 1 5 7"),
                (
                    "SORT (REVERSE DISPLAYTO) US-ASCII ALL",
                    "* SORT 7 5 1 4 8 3 2 6",
                ),
            ],
        ),
    ];
    for (messages, commands) in cases {
        let mut s = session();
        // A fresh INBOX: the seed's messages expunged first.
        let mut script = String::from(
            "a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc STORE 1:* +FLAGS.SILENT (\\Deleted)\r\nd EXPUNGE\r\n",
        );
        script.push_str(messages);
        for (i, (command, _)) in commands.iter().enumerate() {
            script.push_str(&format!("s{i} {command}\r\n"));
        }
        let (replies, _) = play(&mut s, &script);
        for (i, (command, want)) in commands.iter().enumerate() {
            assert!(
                replies.contains(&format!("{want}\r\ns{i} OK Sort completed")),
                "{command}: {want}\n{replies}"
            );
        }
    }
    // Errors: an unknown key and a lone REVERSE are BAD, a charset NO.
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc SORT (COLOUR) UTF-8 ALL\r\n\
         d SORT (REVERSE) UTF-8 ALL\r\ne SORT (DATE) KOI8-R ALL\r\n",
    );
    assert!(
        replies.contains("c BAD Error in IMAP command SORT: Unknown sort argument: COLOUR"),
        "{replies}"
    );
    assert!(
        replies.contains("d BAD Error in IMAP command SORT: Sort list ends with REVERSE"),
        "{replies}"
    );
    assert!(
        replies.contains("e NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"),
        "{replies}"
    );
}

/// THREAD ORDEREDSUBJECT with imaptest's `thread-orderedsubject2`
/// messages: a base subject is a thread, its earliest message (by Date:,
/// else INTERNALDATE) the parent of the others in date order; threads in
/// their parents' order. Dovecot's reply, which imaptest expects.
#[test]
fn thread_orderedsubject_as_dovecot() {
    let messages = [
        (
            "23:00:01",
            "Subject: a\nDate: Fri, 22 Feb 2008 22:00:10 +0200\n\n1\n",
        ),
        (
            "23:00:02",
            "Date: Fri, 22 Feb 2008 22:00:09 +0200\nSubject: b\n\n2\n",
        ),
        (
            "23:00:03",
            "Date: Fri, 22 Feb 2008 22:00:08 +0200\nSubject: a\n\n3\n",
        ),
        (
            "23:00:04",
            "Date: Fri, 22 Feb 2008 22:00:07 +0200\nSubject: b\n\n4\n",
        ),
        ("22:00:30", "Subject: a\n\n5\n"),
        ("22:00:29", "Subject: b\n\n6\n"),
        ("22:00:28", "Subject: a\n\n7\n"),
        ("22:00:27", "Subject: b\n\n8\n"),
    ];
    let mut script =
        String::from("a LOGIN mom mom-password\r\nb CREATE threads\r\nc SELECT threads\r\n");
    for (i, (time, message)) in messages.iter().enumerate() {
        let body = message.replace('\n', "\r\n");
        script.push_str(&format!(
            "p{i} APPEND threads \"22-Feb-2008 {time} +0200\" {{{}+}}\r\n{body}\r\n",
            body.len()
        ));
    }
    script.push_str("d NOOP\r\ne THREAD ORDEREDSUBJECT US-ASCII ALL\r\nf THREAD ORDEREDSUBJECT UTF-8 SUBJECT a\r\n");
    let mut s = session();
    let (replies, _) = play(&mut s, &script);
    assert!(
        replies.contains("* THREAD (4 (2)(8)(6))(3 (1)(7)(5))\r\ne OK Thread completed"),
        "{replies}"
    );
    assert!(
        replies.contains("* THREAD (3 (1)(7)(5))\r\nf OK Thread completed"),
        "{replies}"
    );
}

/// NIL where a string or a flag is wanted is the atom NIL (imaptest's
/// `nil`, which Dovecot passes): SEARCH SUBJECT NIL looks for "NIL", and
/// STORE +FLAGS NIL adds the keyword NIL. And ENVELOPE: an empty Sender:
/// counts as none (From stands in), and a source route is the address's
/// adl (`fetch-envelope`).
#[test]
fn nil_as_an_atom_and_envelope_details() {
    let message = "Date: Thu, 15 Feb 2007 01:02:03 +0200\r\nFrom: user@domain (Real Name)\r\nSender: \r\nReply-To: <@route:user@domain>\r\nSubject: NIL\r\n\r\nnil body\r\n";
    let script = format!(
        "a LOGIN mom mom-password\r\nb APPEND INBOX {{{}+}}\r\n{message}\r\nc SELECT INBOX\r\n\
         d SEARCH SUBJECT NIL\r\ne STORE 4 +FLAGS NIL\r\nf FETCH 4 (FLAGS ENVELOPE)\r\n",
        message.len()
    );
    let mut s = session();
    let (replies, _) = play(&mut s, &script);
    for want in [
        "* SEARCH 4\r\nd OK",
        "e OK Store completed",
        "(\"Real Name\" NIL \"user\" \"domain\")) ((\"Real Name\" NIL \"user\" \"domain\")) ((NIL \"@route\" \"user\" \"domain\"))",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
    assert!(
        replies.contains("* 4 FETCH (FLAGS (\\Recent NIL)"),
        "{replies}"
    );
}

/// Before login, Dovecot's login process parses as bytes come and holds
/// one token at a time: a 31 KB ID made of 1 KB strings is answered
/// (imaptest's `id`), while one token longer than its buffer still ends
/// the connection.
#[test]
fn the_login_buffer_holds_a_token_not_a_line() {
    let pairs: Vec<String> = (0..30)
        .map(|i| format!("\"k{i:02}{}\" \"{}\"", "x".repeat(27), "1".repeat(1024)))
        .collect();
    let mut s = session();
    let (replies, _) = play(&mut s, &format!("a ID ({})\r\n", pairs.join(" ")));
    assert!(replies.contains("\r\na OK ID completed"), "{replies}");
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        &format!("b ID (\"name\" \"{}\")\r\n", "2".repeat(1100)),
    );
    assert!(!replies.contains("b OK"), "{replies}");
    assert!(
        replies.contains("* BYE Input buffer full, aborting"),
        "{replies}"
    );
}

/// ESEARCH (RFC 4731) as Dovecot answers it (imaptest's `esearch`): the
/// tag, UID for UID SEARCH, MIN, MAX, ALL as a compressed set (left out
/// when nothing matched), COUNT; RETURN () means ALL.
#[test]
fn esearch_as_dovecot() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc SEARCH RETURN () ALL\r\n\
         d SEARCH RETURN (MIN MAX COUNT) ALL\r\ne SEARCH RETURN (COUNT ALL MIN) 1000\r\n\
         f UID SEARCH RETURN (ALL) 1,3\r\ng SEARCH RETURN (BOGUS) ALL\r\n\
         h SEARCH RETURN (PARTIAL 3:2) ALL\r\ni SEARCH RETURN (PARTIAL 5:9 COUNT) ALL\r\n\
         j SEARCH RETURN (ALL PARTIAL 1:2) ALL\r\nk SEARCH RETURN (PARTIAL 0:2) ALL\r\n",
    );
    for want in [
        "* ESEARCH (TAG \"c\") ALL 1:3\r\nc OK Search completed",
        "* ESEARCH (TAG \"d\") MIN 1 MAX 3 COUNT 3\r\nd OK",
        "* ESEARCH (TAG \"e\") COUNT 0\r\ne OK",
        "* ESEARCH (TAG \"f\") UID ALL 1,3\r\nf OK",
        "g BAD Error in IMAP command SEARCH: Unknown SEARCH return option",
        "* ESEARCH (TAG \"h\") PARTIAL (2:3 2:3)\r\nh OK",
        "* ESEARCH (TAG \"i\") PARTIAL (5:9 NIL) COUNT 3\r\ni OK",
        "j BAD Error in IMAP command SEARCH: PARTIAL conflicts with ALL",
        "k BAD Error in IMAP command SEARCH: PARTIAL range broken (",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
}

/// ESORT (RFC 5267, imaptest's `esort`): SORT RETURN answers with an
/// ESEARCH line in sort order: MIN the first sorted, MAX the last.
#[test]
fn esort_as_dovecot() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc SORT RETURN (MIN MAX COUNT ALL) (REVERSE ARRIVAL) US-ASCII 1:3\r\n\
         d SORT RETURN () (ARRIVAL) US-ASCII ALL\r\n",
    );
    for want in [
        "* ESEARCH (TAG \"c\") MIN 3 MAX 1 ALL 3,2,1 COUNT 3\r\nc OK Sort completed",
        "* ESEARCH (TAG \"d\") ALL 1:3\r\nd OK Sort completed",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
}

/// MULTIAPPEND (RFC 3502): several messages in one APPEND, each with its
/// own flags and date, answered once with the range of new UIDs; an error
/// in a later message saves none of them (Dovecot's transaction).
#[test]
fn multiappend_as_dovecot() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb APPEND INBOX (\\Seen) {4+}\r\none\n \
         (\\Flagged) \"22-Feb-2008 10:06:23 +0000\" {4+}\r\ntwo\n {6+}\r\nthree\n\r\n\
         c SELECT INBOX\r\nd FETCH 4:6 (FLAGS INTERNALDATE)\r\n\
         e APPEND INBOX {3+}\r\nsix (\\Bogus\r\nf STATUS INBOX (MESSAGES)\r\n",
    );
    for want in [
        " 4:6] Append completed (",
        "* 6 EXISTS\r\n",
        "* 4 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE ",
        "* 5 FETCH (FLAGS (\\Flagged \\Recent) INTERNALDATE \"22-Feb-2008 10:06:23 +0000\")",
        "* 6 FETCH (FLAGS (\\Recent) INTERNALDATE ",
        "e BAD ",
        "* STATUS INBOX (MESSAGES 6)",
    ] {
        assert!(replies.contains(want), "{want:?}\n{replies}");
    }
    assert!(replies.contains("b OK [APPENDUID "), "{replies}");
}

/// Sections of a message in a message (RFC 3501 6.4.5, imaptest's
/// `fetch-body-message-rfc822` and `fetch-body-mime`): a part's HEADER,
/// TEXT and HEADER.FIELDS are those of the message it holds, its MIME
/// header its own, and its parts the held message's parts.
#[test]
fn sections_of_a_message_in_a_message() {
    let message = "From: user@domain.org\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n\
--b\r\nContent-Type: message/rfc822\r\n\r\n\
From: sub@domain.org\r\nSubject: submsg\r\nContent-Type: multipart/alternative; boundary=\"s\"\r\n\r\n\
--s\r\nContent-Type: text/plain\r\n\r\nplain\r\n--s\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--s--\r\n\
\r\n--b--\r\n";
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        &format!(
            "a LOGIN mom mom-password\r\nb APPEND INBOX {{{}+}}\r\n{message}\r\nc SELECT INBOX\r\n",
            message.len()
        ),
    );
    assert!(replies.contains("b OK [APPENDUID"), "{replies}");
    let table = [
        ("2.MIME", "{32}\r\nContent-Type: message/rfc822\r\n\r\n"),
        ("2.HEADER", "{92}\r\nFrom: sub@domain.org\r\nSubject: submsg\r\nContent-Type: multipart/alternative; boundary=\"s\"\r\n\r\n"),
        ("2.HEADER.FIELDS (SUBJECT)", "{19}\r\nSubject: submsg\r\n\r\n"),
        ("2.1", "{5}\r\nplain"),
        ("2.2.MIME", "{27}\r\nContent-Type: text/html\r\n\r\n"),
        ("2.2", "{11}\r\n<p>html</p>"),
        ("1", "{5}\r\nfirst"),
        ("1.HEADER", "{0}\r\n"),
        ("3", "{0}\r\n"),
    ];
    // In a multipart/digest a part without a type is a message/rfc822.
    let digest = "Content-Type: multipart/digest; boundary=\"d\"\r\n\r\n\
--d\r\n\r\nFrom: m1@example.com\r\nSubject: m1\r\n\r\nm1 body\r\n--d--\r\n";
    play(
        &mut s,
        &format!("d APPEND INBOX {{{}+}}\r\n{digest}\r\n", digest.len()),
    );
    let (replies, _) = play(
        &mut s,
        "e FETCH 5 (BODY.PEEK[1.HEADER] BODY.PEEK[1.TEXT])\r\n",
    );
    assert!(
        replies.starts_with(
            "* 5 FETCH (BODY[1.HEADER] {37}\r\nFrom: m1@example.com\r\nSubject: m1\r\n\r\n \
             BODY[1.TEXT] {7}\r\nm1 body)\r\n"
        ),
        "{replies}"
    );
    for (section, want) in table {
        let (replies, _) = play(&mut s, &format!("f FETCH 4 (BODY.PEEK[{section}])\r\n"));
        let want = format!("* 4 FETCH (BODY[{section}] {want})\r\n");
        assert!(replies.starts_with(&want), "{section}: {want:?}\n{replies}");
    }
}

/// An address with comments inside (`<user (c)@ (c) host>`) is the
/// address without them, in ENVELOPE and for SEARCH FROM (imaptest's
/// `search-addresses`); LSUB with `%` shows the unsubscribed parent of a
/// subscribed mailbox below as \Noselect (imaptest's `subscribe`).
#[test]
fn address_comments_and_lsub_parents() {
    let message = "From: <user-from (comment)@ (comment) domain.org>\r\nSubject: x\r\n\r\nbody\r\n";
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        &format!(
            "a LOGIN mom mom-password\r\nb APPEND INBOX {{{}+}}\r\n{message}\r\nc SELECT INBOX\r\n\
             d SEARCH FROM user-from@domain.org\r\ne FETCH 4 (ENVELOPE)\r\n\
             f CREATE box/sub/leaf\r\ng SUBSCRIBE box/sub/leaf\r\nh LSUB \"\" box/%\r\n\
             i LSUB \"\" %\r\n",
            message.len()
        ),
    );
    for want in [
        "* SEARCH 4\r\nd OK",
        "((NIL NIL \"user-from\" \"domain.org\"))",
        "* LSUB (\\Noselect) \"/\" box/sub\r\nh OK",
        "* LSUB (\\Noselect) \"/\" box\r\ni OK",
    ] {
        assert!(replies.contains(want), "{want:?}\n{replies}");
    }
}

/// Dovecot's mbox layout: a mailbox is a file, so it holds no mailboxes;
/// `CREATE name/` makes a directory that does, listed as \Noselect, and
/// deleted once it holds none (imaptest's `list` and `subscribe`).
#[test]
fn directories_of_the_mbox_layout() {
    let mut s = session();
    let (replies, writes) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb CREATE box/\r\nc LIST \"\" box\r\nd CREATE box\r\n\
         e CREATE box/leaf\r\nf CREATE box/leaf/deeper\r\ng DELETE box\r\nh DELETE box/leaf\r\n\
         i DELETE box\r\nj LIST \"\" *\r\n",
    );
    for want in [
        "* LIST (\\Noselect \\HasNoChildren) \"/\" box\r\nc OK",
        "d NO Mailbox already exists",
        "e OK Create completed",
        "f NO [CANNOT] Mailbox doesn't allow inferior mailboxes",
        "g NO Mailbox has children, delete them first",
        "h OK Delete completed",
        "i OK Delete completed",
    ] {
        assert!(replies.contains(want), "{want:?}\n{replies}");
    }
    let listed = &replies[replies.find("i OK").unwrap()..];
    assert!(!listed.contains(" box"), "{listed}");
    assert!(writes.iter().any(|w| matches!(w,
        Event::Write { path: StorePath::Folder(name), file: Some(_), .. } if name == "box/")));
}

/// BINARY (RFC 3516, imaptest's `fetch-binary-mime` groups): a part's
/// content with base64 or quoted-printable undone, sent as a literal8,
/// BINARY.SIZE its decoded size; other parts as BODY gives them.
#[test]
fn binary_decodes_parts() {
    let message = "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Transfer-Encoding: base64\r\n\r\n  aGVs \r\n bG8g\td29y\r\nbGQ=\r\n\
--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nfoo  \r\nbar=\r\n\r\nb=3Dc =\r\nd_e\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nas is\r\n--b--\r\n";
    let mut s = session();
    play(
        &mut s,
        &format!(
            "a LOGIN mom mom-password\r\nb APPEND INBOX {{{}+}}\r\n{message}\r\nc SELECT INBOX\r\n",
            message.len()
        ),
    );
    let (replies, _) = play(
        &mut s,
        "d FETCH 4 (BINARY.SIZE[1] BINARY.PEEK[1] BINARY.PEEK[2] BINARY.PEEK[3] BINARY.PEEK[1]<6.5>)\r\n",
    );
    assert!(
        replies.starts_with(
            "* 4 FETCH (BINARY.SIZE[1] 11 BINARY[1] ~{11}\r\nhello world \
             BINARY[2] ~{17}\r\nfoo\r\nbar\r\nb=c d_e BINARY[3] {5}\r\nas is \
             BINARY[1]<6> ~{5}\r\nworld)\r\n"
        ),
        "{replies}"
    );
}

/// APPENDs each (INTERNALDATE time, message) to a new mailbox `name`
/// after logging in, then SELECTs it.
fn dated_mailbox(name: &str, messages: &[(&str, &str)]) -> String {
    let mut script = format!("a LOGIN mom mom-password\r\nb CREATE {name}\r\n");
    for (i, (time, message)) in messages.iter().enumerate() {
        let body = message.replace('\n', "\r\n");
        script.push_str(&format!(
            "p{i} APPEND {name} \"22-Feb-2008 {time} +0000\" {{{}+}}\r\n{body}\r\n",
            body.len()
        ));
    }
    script.push_str(&format!("c SELECT {name}\r\n"));
    script
}

/// THREAD REFERENCES and REFS, worked out from Dovecot's thread index
/// (`index-thread-links.c`, `index-thread-finish.c`) for imaptest's
/// `thread` messages and others: a message's own References outweigh the
/// links others made for it, a link that would make a loop is dropped, a
/// second message with an id is a message of its own until the first is
/// expunged, a dummy with one child gives way to it, and REFERENCES (not
/// REFS) joins threads by base subject: a reply under the original, two
/// originals under a new dummy.
#[test]
fn thread_references_as_dovecot() {
    type Pairs<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Pairs, Pairs)] = &[
        (
            &[
                ("17:06:23", "Message-ID: <a@b>\n\nbody\n"),
                (
                    "15:06:23",
                    "Message-Id: <b@b>\nReferences: <a@b> <c@b>\n\nbody\n",
                ),
                ("16:06:25", "Message-Id: <c@b>\nReferences: <b@b>\n\nbody\n"),
            ],
            &[
                ("THREAD REFERENCES US-ASCII ALL", "* THREAD (3 2)(1)"),
                ("THREAD REFS US-ASCII ALL", "* THREAD (3 2)(1)"),
                ("UID THREAD references UTF-8 ALL", "* THREAD (3 2)(1)"),
                ("THREAD REFERENCES US-ASCII 2:3", "* THREAD (3 2)"),
            ],
        ),
        (
            &[
                ("15:06:23", "Message-Id: <a@b>\n\nbody\n"),
                ("15:06:23", "Message-Id: <b@b>\nReferences: <a@b>\n\nbody\n"),
                ("15:06:23", "Message-Id: <c@b>\nReferences: <b@b>\n\nbody\n"),
                ("15:06:23", "Message-Id: <b@b>\nReferences: <a@b>\n\nbody\n"),
            ],
            &[
                ("THREAD REFERENCES US-ASCII ALL", "* THREAD (1 (2 3)(4))"),
                ("STORE 2 +FLAGS.SILENT (\\Deleted)", ""),
                ("EXPUNGE", ""),
                ("THREAD REFERENCES US-ASCII ALL", "* THREAD (1 3 2)"),
            ],
        ),
        (
            &[
                ("15:06:23", "Message-Id: <a@b>\nSubject: foo\n\nbody\n"),
                (
                    "15:06:24",
                    "Message-Id: <b@b>\nReferences: <c@b>\nSubject: Re: foo\n\nbody\n",
                ),
                ("15:06:25", "Message-Id: <d@b>\nSubject: bar\n\nbody\n"),
                (
                    "15:06:26",
                    "Message-Id: <e@b>\nSubject: [list] bar\n\nbody\n",
                ),
                ("15:06:27", "References: <x@y>\n\nbody\n"),
                ("15:06:28", "In-Reply-To: <x@y> <d@b>\n\nbody\n"),
            ],
            &[
                (
                    "THREAD REFERENCES US-ASCII ALL",
                    "* THREAD (1 2)((3)(4))((5)(6))",
                ),
                ("THREAD REFS US-ASCII ALL", "* THREAD (1)(2)(3)(4)((5)(6))"),
                ("THREAD REFERENCES US-ASCII SUBJECT zzz", "* THREAD "),
            ],
        ),
    ];
    for (messages, commands) in cases {
        let mut script = dated_mailbox("threads", messages);
        for (i, (command, _)) in commands.iter().enumerate() {
            script.push_str(&format!("t{i} {command}\r\n"));
        }
        let mut s = session();
        let (replies, _) = play(&mut s, &script);
        for (i, (command, want)) in commands.iter().enumerate() {
            if !want.is_empty() {
                assert!(
                    replies.contains(&format!("\r\n{want}\r\nt{i} OK Thread completed")),
                    "{command}: {want}\n{replies}"
                );
            }
        }
    }
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        &(dated_mailbox("threads", &[]) + "d THREAD WEAVE US-ASCII ALL\r\ne THREAD REFS\r\n"),
    );
    assert!(
        replies.contains("d BAD Error in IMAP command THREAD: Unknown thread algorithm"),
        "{replies}"
    );
    assert!(
        replies.contains("e BAD Error in IMAP command THREAD: Invalid arguments"),
        "{replies}"
    );
}

/// APPEND with a binary literal (`~{n}`, RFC 3516): Dovecot saves a part
/// that says `Content-Transfer-Encoding: binary` in base64 (its binary
/// converter), so BODY[] gives base64 and BINARY[] the bytes sent; a
/// multipart that says binary is left as it is.
#[test]
fn binary_append_is_saved_in_base64() {
    let message = "Content-Type: multipart/mixed; boundary=\"b\"\r\n\
Content-Transfer-Encoding: binary\r\n\r\n\
--b\r\nContent-Transfer-Encoding: BINARY\r\nContent-Type: application/octet-stream\r\n\r\n\0-\u{e4}\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nas is\r\n--b--\r\n";
    let mut s = session();
    play(
        &mut s,
        &format!(
            "a LOGIN mom mom-password\r\nb APPEND INBOX ~{{{}+}}\r\n{message}\r\nc SELECT INBOX\r\n",
            message.len()
        ),
    );
    let (replies, _) = play(
        &mut s,
        "d FETCH 4 (BODY.PEEK[1.MIME] BODY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[2] BODY.PEEK[HEADER])\r\n",
    );
    assert!(
        replies.starts_with(
            "* 4 FETCH (BODY[1.MIME] {77}\r\nContent-Transfer-Encoding: base64\r\n\
             Content-Type: application/octet-stream\r\n\r\n BODY[1] {8}\r\nAC3DpA0K \
             BINARY.SIZE[1] 6 BINARY[2] {5}\r\nas is BODY[HEADER] {82}\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\
             Content-Transfer-Encoding: binary\r\n\r\n)\r\n"
        ),
        "{replies}"
    );
}

/// CONTEXT=SEARCH's SEARCH RETURN (UPDATE) (RFC 5267) as Dovecot keeps it
/// (`imap-sync.c`): after each command that syncs, ADDTO and REMOVEFROM
/// with position 0; messages expunged that the search had found are told
/// before the EXPUNGE replies, by their numbers before; CANCELUPDATE ends
/// it (imaptest's `search-context-update`).
#[test]
fn search_updates_as_dovecot() {
    let mut script = dated_mailbox(
        "updates",
        &[
            ("10:00:00", "Subject: a\n\nbody 1\n"),
            ("10:00:01", "Subject: b\n\nbody 2\n"),
            ("10:00:02", "Subject: c\n\nbody 3\n"),
            ("10:00:03", "Subject: d\n\nbody 4\n"),
            ("10:00:04", "Subject: e\n\nbody 5\n"),
        ],
    );
    script.push_str(
        "s1 SEARCH RETURN (UPDATE) BODY body SEEN\r\n\
         s2 STORE 1,2,4 +FLAGS (\\Seen)\r\n\
         s3 STORE 1,2 -FLAGS.SILENT (\\Seen)\r\n\
         s4 UID SEARCH RETURN (UPDATE ALL) SUBJECT c\r\n\
         s5 STORE 3:5 +FLAGS.SILENT (\\Deleted)\r\n\
         s6 EXPUNGE\r\n\
         s7 SEARCH RETURN (UPDATE) ALL\r\n\
         s8 CANCELUPDATE \"s1\" \"s7\"\r\n\
         s9 STORE 1 +FLAGS.SILENT (\\Seen)\r\n\
         t1 CANCELUPDATE \"s1\"\r\n\
         t2 CANCELUPDATE s4\r\n\
         t3 SEARCH RETURN (UPDATE) ALL\r\n\
         t3 SEARCH RETURN (UPDATE) ALL\r\n",
    );
    let mut s = session();
    let (replies, _) = play(&mut s, &script);
    // Each command's replies: the lines after the previous tagged reply,
    // up to its own.
    let mut chunks: Vec<(String, String)> = Vec::new();
    let mut chunk = String::new();
    for line in replies.split_inclusive("\r\n") {
        chunk.push_str(line);
        if !line.starts_with(['*', '+']) {
            let tag = line.split(' ').next().unwrap_or("").to_string();
            chunks.push((tag, std::mem::take(&mut chunk)));
        }
    }
    let after = |tag: &str| {
        chunks
            .iter()
            .filter(|(t, _)| t == tag)
            .map(|(_, c)| c.as_str())
            .collect::<String>()
    };
    for (from, want) in [
        ("s1", "* ESEARCH (TAG \"s1\")\r\ns1 OK Search completed"),
        (
            "s2",
            "* 4 FETCH (FLAGS (\\Seen \\Recent))\r\n* ESEARCH (TAG \"s1\") ADDTO (0 1:2,4)\r\ns2 OK",
        ),
        ("s3", "* ESEARCH (TAG \"s1\") REMOVEFROM (0 1:2)\r\ns3 OK"),
        ("s4", "* ESEARCH (TAG \"s4\") UID ALL 3\r\ns4 OK"),
        (
            "s6",
            "* ESEARCH (TAG \"s1\") REMOVEFROM (0 4)\r\n* ESEARCH (TAG \"s4\") UID REMOVEFROM (0 3)\r\n\
             * 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 2 RECENT\r\ns6 OK",
        ),
        ("s8", "s8 OK Updates cancelled"),
        // s1 would have found message 1 now, but it was cancelled.
        ("s9", "ESEARCH"),
        ("t1", "t1 NO Unknown tag"),
        ("t2", "t2 BAD Error in IMAP command CANCELUPDATE: Invalid parameters"),
        ("t3", "t3 BAD Error in IMAP command SEARCH: Duplicate search update tag"),
    ] {
        let rest = after(from);
        if from == "s9" {
            assert!(!rest.contains(want), "{from}: {want}\n{replies}");
        } else {
            assert!(rest.contains(want), "{from}: {want}\n{replies}");
        }
    }
}

/// LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819) as Dovecot reads
/// them (`cmd-list.c`, imaptest's `listext`): selection by subscription
/// (a subscription to a deleted mailbox is \NonExistent), RECURSIVEMATCH's
/// CHILDINFO for a parent whose subscribed child the patterns do not
/// list, several patterns, RETURN's CHILDREN, SUBSCRIBED and STATUS, and
/// Dovecot's errors.
#[test]
fn list_extended_as_dovecot() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb CREATE t/\r\nc CREATE t/a\r\nd CREATE t/b/\r\n\
         e CREATE t/b/c\r\nf CREATE t/d\r\ng SUBSCRIBE t/a\r\nh SUBSCRIBE t/b/c\r\n\
         i SUBSCRIBE t/d\r\nj DELETE t/d\r\n\
         k LIST (SUBSCRIBED) \"\" t/*\r\n\
         l LIST (SUBSCRIBED RECURSIVEMATCH) \"\" t/% RETURN (CHILDREN)\r\n\
         m LIST \"\" (t/b t/a) RETURN (SUBSCRIBED STATUS (MESSAGES UIDNEXT))\r\n\
         n LIST (RECURSIVEMATCH) \"\" %\r\no LIST (COLOUR) \"\" %\r\n\
         p LIST \"\" % RETURN (COLOUR)\r\nq LIST \"\" % extra\r\n",
    );
    for want in [
        "* LIST (\\Subscribed) \"/\" t/a\r\n* LIST (\\Subscribed) \"/\" t/b/c\r\n\
         * LIST (\\Subscribed \\NonExistent) \"/\" t/d\r\nk OK List completed",
        "* LIST (\\Subscribed \\HasNoChildren) \"/\" t/a\r\n\
         * LIST (\\Noselect \\HasChildren) \"/\" t/b (CHILDINFO (\"SUBSCRIBED\"))\r\n\
         * LIST (\\Subscribed \\NonExistent \\HasNoChildren) \"/\" t/d\r\nl OK",
        "* LIST (\\Subscribed) \"/\" t/a\r\n* STATUS t/a (MESSAGES 0 UIDNEXT 1)\r\n\
         * LIST (\\Noselect) \"/\" t/b\r\nm OK",
        "n BAD Error in IMAP command LIST: RECURSIVEMATCH must not be the only selection",
        "o BAD Error in IMAP command LIST: Unknown select options",
        "p BAD Error in IMAP command LIST: Unknown return options",
        "q BAD Error in IMAP command LIST: Extra arguments",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
}

/// CATENATE (RFC 4469) as Dovecot saves it (`cmd-append.c`,
/// `imap-msgpart-url.c`): TEXT literals and the parts URLs name, joined;
/// a URL that cannot be read is NO [BADURL] and nothing is saved; a
/// missing mailbox is TRYCREATE first (imaptest's `catenate`).
#[test]
fn catenate_as_dovecot() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb CREATE c\r\n\
         c APPEND c CATENATE (TEXT {25+}\r\nFrom: a@b\r\n\r\nHello body\r\n)\r\n\
         d STATUS c (UIDVALIDITY)\r\n",
    );
    let validity = replies
        .split("UIDVALIDITY ")
        .nth(1)
        .and_then(|v| v.split(')').next())
        .unwrap_or("0")
        .to_string();
    let (replies, _) = play(
        &mut s,
        &format!(
            "e APPEND c (\\Seen) CATENATE (URL \"/c/;uid=1/;section=header\" TEXT {{6+}}\r\nbody2\n \
             URL \"/c;UIDVALIDITY={validity}/;UID=1/;SECTION=TEXT/;PARTIAL=6.4\")\r\n\
             f APPEND c CATENATE (URL \"/c;uidvalidity=1/;uid=1\")\r\n\
             g APPEND c CATENATE (URL \"/c/;uid=9\") CATENATE (TEXT {{2+}}\r\nx\n)\r\n\
             h APPEND nosuch CATENATE (URL \"/c;uidvalidity=1/;uid=1\")\r\n\
             i APPEND c CATENATE (FILE \"x\")\r\nj SELECT c\r\nk FETCH 2 BODY[]\r\n"
        ),
    );
    for want in [
        "e OK [APPENDUID",
        "f NO [BADURL /c;uidvalidity=1/;uid=1] Invalid UIDVALIDITY",
        "g NO [BADURL /c/;uid=9] Message not found",
        "h NO [TRYCREATE] Mailbox doesn't exist: nosuch",
        "i BAD Error in IMAP command APPEND: Invalid arguments",
        "* 2 EXISTS",
        // The header of message 1, the text, 4 octets of its body from the
        // 7th (the store writes line ends as CRLF).
        "* 2 FETCH (BODY[] {26}\r\nFrom: a@b\r\n\r\nbody2\r\nbody",
    ] {
        assert!(replies.contains(want), "{want}\n{replies:?}");
    }
}

/// WITHIN (RFC 5032) as Dovecot reads it (`arg_new_interval`): OLDER and
/// YOUNGER count seconds back from the command, by INTERNALDATE; OLDER
/// takes the second itself; an interval of 0 or not a number is refused.
#[test]
fn within_counts_back_from_the_command() {
    let at = |seconds_ago: i64| Timestamp::new(NOW - seconds_ago, 0).imap_date();
    let mut script = String::from("a LOGIN mom mom-password\r\nb CREATE w\r\n");
    for (i, ago) in [7200, 3600, 60].iter().enumerate() {
        script.push_str(&format!(
            "p{i} APPEND w \"{}\" {{3+}}\r\nx\r\n\r\n",
            at(*ago)
        ));
    }
    script.push_str(
        "c SELECT w\r\nd SEARCH OLDER 3600\r\ne SEARCH YOUNGER 3600\r\nf SEARCH YOUNGER 10\r\n\
         g SEARCH OLDER 0\r\nh SEARCH YOUNGER soon\r\n",
    );
    let mut s = session();
    let (replies, _) = play(&mut s, &script);
    for want in [
        "* SEARCH 1 2\r\nd OK",
        "* SEARCH 2 3\r\ne OK",
        "* SEARCH\r\nf OK",
        "g BAD Error in IMAP command SEARCH: Invalid search interval parameter",
        "h BAD Error in IMAP command SEARCH: Invalid search interval parameter",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
}

/// SEARCHRES (RFC 5182) as Dovecot keeps it: SEARCH RETURN (SAVE) keeps
/// the UIDs found (no ESEARCH reply when SAVE is all that was asked), `$`
/// names them as a set or a search key, with MIN or MAX only those are
/// kept, and before any SAVE `$` is nothing.
#[test]
fn searchres_saves_and_reuses_a_result() {
    let mut script = dated_mailbox(
        "res",
        &[
            ("10:00:00", "Subject: a\n\n1\n"),
            ("10:00:01", "Subject: b\n\n2\n"),
            ("10:00:02", "Subject: a\n\n3\n"),
            ("10:00:03", "Subject: a\n\n4\n"),
        ],
    );
    script.push_str(
        "d SEARCH $\r\ne SEARCH RETURN (SAVE) SUBJECT a\r\nf FETCH $ (FLAGS)\r\n\
         g SEARCH NOT $\r\nh SEARCH RETURN (SAVE MIN MAX) SUBJECT a\r\ni SEARCH $\r\n",
    );
    let mut s = session();
    let (replies, _) = play(&mut s, &script);
    for want in [
        "* SEARCH\r\nd OK",
        "c OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n* SEARCH\r\nd OK",
        "d OK Search completed (0.001 + 0.000 secs).\r\ne OK Search completed",
        "* 1 FETCH (FLAGS (\\Recent))\r\n* 3 FETCH (FLAGS (\\Recent))\r\n* 4 FETCH (FLAGS (\\Recent))\r\nf OK",
        "* SEARCH 2\r\ng OK",
        "* ESEARCH (TAG \"h\") MIN 1 MAX 4\r\nh OK",
        "* SEARCH 1 4\r\ni OK",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
}

/// CONDSTORE (RFC 7162): a command that uses it turns it on and tells
/// HIGHESTMODSEQ; each STORE gives the messages it changes the next
/// mod-sequence, told with their flags; SEARCH MODSEQ finds what changed
/// since and adds the highest mod-sequence it returns (imaptest's
/// `esearch-condstore`); FETCH CHANGEDSINCE, STATUS HIGHESTMODSEQ and
/// SELECT once it is on.
#[test]
fn condstore_counts_changes() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc FETCH 1 (MODSEQ)\r\n\
         d STORE 1 +FLAGS (\\Seen)\r\ne STORE 3 +FLAGS (\\Flagged)\r\n\
         f SEARCH MODSEQ 2\r\ng SEARCH RETURN (MIN) MODSEQ \"/flags/\\\\seen\" all 1\r\n\
         h FETCH 1:* (FLAGS) (CHANGEDSINCE 2)\r\ni STATUS INBOX (HIGHESTMODSEQ)\r\n\
         j SELECT INBOX\r\nk SEARCH MODSEQ 9\r\n",
    );
    for want in [
        "* OK [HIGHESTMODSEQ 1] Highest\r\n* 1 FETCH (MODSEQ (1))\r\nc OK",
        "* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (2))\r\nd OK",
        "* 3 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (3))\r\ne OK",
        "* SEARCH 1 3 (MODSEQ 3)\r\nf OK",
        "* ESEARCH (TAG \"g\") MIN 1 MODSEQ 2\r\ng OK",
        "* 3 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (3))\r\nh OK",
        "* STATUS INBOX (HIGHESTMODSEQ 3)\r\ni OK",
        "* OK [HIGHESTMODSEQ 3] Highest\r\nj OK",
        "* SEARCH\r\nk OK",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
}

/// NOTIFY (RFC 5465) as Dovecot's `cmd-notify.c` reads it: SET STATUS
/// tells each mailbox it covers as it is (HIGHESTMODSEQ too when
/// FlagChange is asked), the selected filter's rules and Dovecot's texts,
/// then the changes to other mailboxes as `imap-notify.c` tells them:
/// created, subscribed, renamed (`OLDNAME`), a STATUS for new mail, and
/// deleted.
#[test]
fn notify_as_dovecot() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb CREATE box2\r\nc APPEND box2 {3+}\r\none\r\n\
         d NOTIFY SET STATUS (mailboxes box2 (MessageExpunge))\r\n\
         e NOTIFY SET STATUS (mailboxes (box2 nobox) (FlagChange))\r\n\
         f NOTIFY SET (mailboxes box2 (MessageNew))\r\n\
         g NOTIFY SET (personal (AnnotationChange MailboxMetadataChange))\r\n\
         h NOTIFY SET (selected (MessageNew))\r\ni NOTIFY SET (selected (FlagChange))\r\n\
         j NOTIFY SET (selected NONE) (selected-delayed NONE)\r\nk NOTIFY BOGUS\r\n\
         l NOTIFY SET (personal (MessageFoo))\r\nm NOTIFY SET (subtree () (MessageNew))\r\n\
         n NOTIFY SET (personal (MailboxName SubscriptionChange MessageNew MessageExpunge))\r\n\
         o CREATE box3\r\np SUBSCRIBE box3\r\nq RENAME box3 box4\r\n\
         r APPEND box2 {3+}\r\ntwo\r\ns DELETE box4\r\nt NOTIFY NONE\r\nu CREATE box5\r\n",
    );
    let replies = replies.replace(" (0.001 + 0.000 secs)", "");
    let validity = NOW;
    for want in [
        format!("* STATUS box2 (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {validity} UNSEEN 1)\r\nd OK NOTIFY completed.\r\n"),
        format!("d OK NOTIFY completed.\r\n* STATUS box2 (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {validity} UNSEEN 1 HIGHESTMODSEQ 1)\r\ne OK"),
        "\r\nf OK NOTIFY completed.\r\ng NO [BADEVENT AnnotationChange MailboxMetadataChange] Unsupported NOTIFY events.\r\n".to_string(),
        "h BAD Error in IMAP command NOTIFY: MessageNew and MessageExpunge must be together.\r\n".to_string(),
        "i BAD Error in IMAP command NOTIFY: FlagChange requires MessageNew and MessageExpunge.\r\n".to_string(),
        "j BAD Error in IMAP command NOTIFY: Duplicate selected filter.\r\n".to_string(),
        "k BAD Error in IMAP command NOTIFY: Invalid arguments.\r\n".to_string(),
        "l BAD Error in IMAP command NOTIFY: Invalid arguments.\r\n".to_string(),
        "m BAD Error in IMAP command NOTIFY: Invalid arguments.\r\n".to_string(),
        "o OK Create completed.\r\n* LIST (\\NoInferiors \\UnMarked) \"/\" box3\r\n".to_string(),
        "p OK Subscribe completed.\r\n* LIST (\\Subscribed \\NoInferiors \\UnMarked) \"/\" box3\r\n".to_string(),
        "q OK Rename completed.\r\n* LIST (\\NoInferiors \\UnMarked) \"/\" box4 (\"OLDNAME\" (box3))\r\n".to_string(),
        // CONDSTORE is on since FlagChange's STATUS asked HIGHESTMODSEQ.
        "Append completed.\r\n* STATUS box2 (MESSAGES 2 UIDNEXT 3 UNSEEN 2 HIGHESTMODSEQ 1)\r\n".to_string(),
        "s OK Delete completed.\r\n* LIST (\\NonExistent) \"/\" box4\r\n".to_string(),
        "t OK NOTIFY completed.\r\nu OK Create completed.\r\n".to_string(),
    ] {
        assert!(replies.contains(&want), "{want}\n{replies}");
    }
    // STATUS names its items in Dovecot's order, whatever the order asked.
    let (replies, _) = play(
        &mut s,
        "v STATUS box2 (UNSEEN X-SIZE UIDNEXT MESSAGES)\r\nw STATUS box2 ()\r\n\
         x STATUS box2 (MESSAGES \"UNSEEN\")\r\ny STATUS box2 (MESSAGES X-GUIDE)\r\n\
         z EXAMINE box2\r\nz1 FETCH 1:* (RFC822.SIZE)\r\n\
         z2 NOTIFY SET STATUS (mailboxes (\"INBO\u{e9}\" inbox box2) (MessageNew MessageExpunge))\r\n",
    );
    for want in [
        // X-SIZE (and SIZE) is what RFC822.SIZE says of each, summed.
        "* STATUS box2 (MESSAGES 2 UIDNEXT 3 UNSEEN 2 X-SIZE 14)",
        "* 2 FETCH (RFC822.SIZE 7)",
        // Any case of INBOX is INBOX (indexed after box2, so its
        // UIDVALIDITY is the next); the selected mailbox is not told.
        "\r\n* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 1800000001 UNSEEN 3)\r\nz2 OK",
        "w BAD Error in IMAP command STATUS: Empty status list (",
        "x BAD Error in IMAP command STATUS: Status list contains non-atoms (",
        "y BAD Error in IMAP command STATUS: Invalid status item X-GUIDE",
    ] {
        assert!(replies.contains(want), "{want}\n{replies}");
    }
}

/// LIST-STATUS gets its STATUS as the STATUS command does (Dovecot's
/// `imap_status_get`): asking HIGHESTMODSEQ with a mailbox selected turns
/// CONDSTORE on, told after the mailbox's LIST line and before its STATUS.
#[test]
fn list_status_highestmodseq_turns_condstore_on() {
    let mut s = session();
    let (replies, _) = play(
        &mut s,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n\
         c LIST \"\" INBOX RETURN (STATUS (HIGHESTMODSEQ MESSAGES))\r\n\
         d STORE 1 +FLAGS (\\Flagged)\r\n",
    );
    let want = "* LIST () \"/\" INBOX\r\n* OK [HIGHESTMODSEQ 1] Highest\r\n\
                * STATUS INBOX (MESSAGES 3 HIGHESTMODSEQ 1)\r\nc OK";
    assert!(replies.contains(want), "{want}\n{replies}");
    // CONDSTORE is on: a flag change comes with its MODSEQ.
    let want = "* 1 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (2))\r\nd OK";
    assert!(replies.contains(want), "{want}\n{replies}");
}
