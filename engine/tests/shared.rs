//! Several IMAP sessions of one user on one host: they share what
//! Dovecot's index shares (flags, \Recent given once, new and expunged
//! messages, keywords, UIDVALIDITY), each told at the points Dovecot's
//! `cmd_sync` tells it, while the mbox file is still written only when a
//! mailbox closes. The expected lines follow Dovecot 2.3's `imap-sync.c`.

use std::sync::Arc;

use smtplab_engine::host::{Client, Host, HostSession};
use smtplab_engine::personality::SENDMAIL_8_17_DEBIAN;
use smtplab_engine::{Event, Timestamp, World};

const SEED: &[u8] = include_bytes!("../../tests/corpus/dovecot-2.3/seed/mom");

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2027-04-30T23:59:58Z").unwrap()
}

fn host() -> Host {
    let mut host = Host::new(Arc::new(World::corpus()), &SENDMAIL_8_17_DEBIAN);
    host.store_mut().restore("mom", SEED);
    host
}

fn client() -> Client {
    Client {
        address: "127.0.0.2".into(),
        process_id: 1,
        queue_sequence: 1,
    }
}

fn connect(host: &mut Host) -> HostSession {
    host.connect(143, &client(), now()).unwrap().0
}

/// What the session sends for `input`, without the timing Dovecot adds.
fn say(session: &mut HostSession, host: &mut Host, input: &str) -> String {
    let events = session.receive(host, input.as_bytes(), now());
    let wire: Vec<u8> = events.iter().flat_map(Event::wire).collect();
    String::from_utf8_lossy(&wire).replace(" (0.001 + 0.000 secs)", "")
}

/// Two sessions' changes to one message both stand; each is told of the
/// other's at its next NOOP (or UID command, with the UID); \Recent goes
/// to the first session that opens the mailbox; the file is written when
/// the mailbox closes.
#[test]
fn flags_and_recent_are_shared() {
    let mut host = host();
    let mut one = connect(&mut host);
    let mut two = connect(&mut host);
    let selected = say(
        &mut one,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );
    assert!(
        selected.contains("* 3 EXISTS\r\n* 3 RECENT\r\n"),
        "{selected}"
    );
    let selected = say(
        &mut two,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );
    assert!(
        selected.contains("* 3 EXISTS\r\n* 0 RECENT\r\n"),
        "{selected}"
    );

    assert_eq!(
        say(&mut one, &mut host, "c STORE 1 +FLAGS (\\Answered)\r\n"),
        "* 1 FETCH (FLAGS (\\Answered \\Recent))\r\nc OK Store completed.\r\n"
    );
    assert_eq!(
        say(&mut two, &mut host, "c STORE 1 +FLAGS (\\Flagged)\r\n"),
        "* 1 FETCH (FLAGS (\\Answered \\Flagged))\r\nc OK Store completed.\r\n"
    );
    assert_eq!(
        say(&mut one, &mut host, "d NOOP\r\n"),
        "* 1 FETCH (FLAGS (\\Answered \\Flagged \\Recent))\r\nd OK NOOP completed.\r\n"
    );
    let file = String::from_utf8(host.store().file("mom").unwrap()).unwrap();
    assert!(!file.contains("X-Status"), "written lazily:\n{file}");

    assert_eq!(
        say(&mut one, &mut host, "e STORE 3 +FLAGS (\\Seen)\r\n"),
        "* 3 FETCH (FLAGS (\\Seen \\Recent))\r\ne OK Store completed.\r\n"
    );
    assert_eq!(
        say(&mut two, &mut host, "d UID STORE 2 +FLAGS (\\Draft)\r\n"),
        "* 2 FETCH (UID 2 FLAGS (\\Draft))\r\n* 3 FETCH (UID 3 FLAGS (\\Seen))\r\n\
         d OK Store completed.\r\n"
    );
    assert_eq!(
        say(&mut one, &mut host, "f CHECK\r\n"),
        "* 2 FETCH (FLAGS (\\Draft \\Recent))\r\nf OK Check completed.\r\n"
    );

    say(&mut one, &mut host, "g LOGOUT\r\n");
    let file = String::from_utf8(host.store().file("mom").unwrap()).unwrap();
    assert!(file.contains("X-Status: AF"), "{file}");
    assert!(file.contains("X-Status: T"), "{file}");
}

/// A message one session appends is \Recent to the session that has the
/// mailbox selected; an expunge is told at once to a NOOP but not to a
/// FETCH by sequence number, which still sees the message; a new keyword
/// comes with FLAGS and PERMANENTFLAGS.
#[test]
fn new_and_expunged_messages_and_keywords_are_shared() {
    let mut host = host();
    let mut one = connect(&mut host);
    let mut two = connect(&mut host);
    say(
        &mut one,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );
    say(
        &mut two,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );

    let appended = say(&mut two, &mut host, "c APPEND INBOX {5+}\r\nnew\r\n\r\n");
    assert!(
        appended.starts_with("* 4 EXISTS\r\n* 1 RECENT\r\nc OK [APPENDUID "),
        "{appended}"
    );
    assert_eq!(
        say(&mut one, &mut host, "c NOOP\r\n"),
        "* 4 EXISTS\r\nc OK NOOP completed.\r\n"
    );

    assert_eq!(
        say(
            &mut one,
            &mut host,
            "d STORE 2 +FLAGS.SILENT (\\Deleted)\r\ne EXPUNGE\r\n"
        ),
        // The \Recent count fell too (`imap_sync_finish`).
        "d OK Store completed.\r\n* 2 EXPUNGE\r\n* 2 RECENT\r\ne OK Expunge completed.\r\n"
    );
    assert_eq!(
        say(&mut two, &mut host, "d FETCH 1:* (UID)\r\n"),
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\n\
         * 4 FETCH (UID 4)\r\nd OK Fetch completed.\r\n"
    );
    assert_eq!(
        say(&mut two, &mut host, "e NOOP\r\n"),
        "* 2 EXPUNGE\r\ne OK NOOP completed.\r\n"
    );

    say(&mut one, &mut host, "f STORE 1 +FLAGS ($Work)\r\n");
    assert_eq!(
        say(&mut two, &mut host, "f NOOP\r\n"),
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)\r\n\
         * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted.\r\n\
         * 1 FETCH (FLAGS ($Work))\r\nf OK NOOP completed.\r\n"
    );
}

/// A mailbox deleted and created again in the same second gets another
/// UIDVALIDITY, whichever session creates it (Dovecot's
/// `dovecot-uidvalidity`).
#[test]
fn a_mailbox_created_again_gets_another_uidvalidity() {
    let mut host = host();
    let mut one = connect(&mut host);
    let mut two = connect(&mut host);
    say(&mut one, &mut host, "a LOGIN mom mom-password\r\n");
    say(&mut two, &mut host, "a LOGIN mom mom-password\r\n");
    let first = say(
        &mut one,
        &mut host,
        "b CREATE Box\r\nc STATUS Box (UIDVALIDITY)\r\nd DELETE Box\r\n",
    );
    let second = say(
        &mut two,
        &mut host,
        "b CREATE Box\r\nc STATUS Box (UIDVALIDITY)\r\n",
    );
    let validity = |text: &str| -> u32 {
        let at = text.find("UIDVALIDITY ").unwrap() + 12;
        text[at..].split(')').next().unwrap().parse().unwrap()
    };
    assert_eq!(validity(&second), validity(&first) + 1, "{first}{second}");
}

/// Deleting the selected mailbox closes it and then the session
/// (Dovecot's `cmd_delete`); a UID once given is not given again, though
/// every message and with them the file's record of the last UID are gone.
#[test]
fn deleting_the_selected_mailbox_and_uids_not_given_twice() {
    let mut host = host();
    let mut one = connect(&mut host);
    say(
        &mut one,
        &mut host,
        "a LOGIN mom mom-password\r\nb CREATE Box\r\nc SELECT Box\r\n",
    );
    let appended = say(
        &mut one,
        &mut host,
        "d APPEND Box {1+}\r\nx\r\ne STORE 1 +FLAGS.SILENT (\\Deleted)\r\nf EXPUNGE\r\n",
    );
    assert!(appended.contains(" 1] Append completed."), "{appended}");
    // Another session, without the mailbox selected, appends to the
    // empty file.
    let mut two = connect(&mut host);
    let appended = say(
        &mut two,
        &mut host,
        "a LOGIN mom mom-password\r\nb APPEND Box {1+}\r\ny\r\n",
    );
    assert!(appended.contains(" 2] Append completed."), "{appended}");
    assert_eq!(
        say(&mut one, &mut host, "h DELETE Box\r\n"),
        "h OK Delete completed.\r\n* BYE Selected mailbox was deleted, have to disconnect.\r\n"
    );
    assert!(one.is_closed());
}

/// One random command for a session with INBOX selected.
fn random_command(random: &mut smtplab_corpus::Generator) -> String {
    let sets = ["1", "2", "1:*", "2:3", "*", "1,3"];
    let set = sets[random.below(sets.len())];
    let flags = [
        "\\Seen",
        "\\Deleted",
        "\\Flagged $Work",
        "\\Answered \\Draft",
    ];
    let flag = flags[random.below(flags.len())];
    match random.below(15) {
        // Everything told as without NOTIFY, other mailboxes too.
        13 => "NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) \
               (personal (MessageNew MessageExpunge FlagChange))"
            .to_string(),
        0 => format!("STORE {set} +FLAGS ({flag})"),
        1 => format!("STORE {set} -FLAGS.SILENT ({flag})"),
        2 => format!("UID STORE {set} FLAGS ({flag})"),
        3 => "EXPUNGE".to_string(),
        4 => format!("UID EXPUNGE {set}"),
        5 => "APPEND INBOX (\\Seen) {14+}\r\nSubject: x\r\n\r\n".to_string(),
        6 => format!("COPY {set} INBOX"),
        7 => format!("MOVE {set} Drafts"),
        8 => format!("FETCH {set} (UID FLAGS BODY[TEXT])"),
        9 => "SEARCH SEEN".to_string(),
        10 => "STATUS INBOX (MESSAGES RECENT UNSEEN UIDNEXT)".to_string(),
        11 => "CLOSE\r\nr SELECT INBOX".to_string(),
        12 => "APPEND Drafts {3+}\r\nabc".to_string(),
        _ => "NOOP".to_string(),
    }
}

/// What a session sees after a NOOP: each message's UID and flags
/// (without \Recent), and the UIDs it holds as \Recent.
fn view(session: &mut HostSession, host: &mut Host) -> (Vec<String>, Vec<String>) {
    let replies = say(session, host, "v NOOP\r\nw FETCH 1:* (UID FLAGS)\r\n");
    let mut messages = Vec::new();
    let mut recent = Vec::new();
    for line in replies.lines().filter(|l| l.contains(" FETCH (UID ")) {
        let rest = &line[line.find("(UID ").unwrap() + 5..];
        let (uid, flags) = rest.split_once(" FLAGS (").unwrap();
        let flags = flags.trim_end_matches("))");
        if flags.contains("\\Recent") {
            recent.push(uid.to_string());
        }
        let mut kept: Vec<&str> = flags.split(' ').filter(|f| *f != "\\Recent").collect();
        kept.sort_unstable();
        messages.push(format!("{uid} {}", kept.join(" ")));
    }
    (messages, recent)
}

/// Three sessions on one INBOX, random commands in turn (and now and then
/// a POP3 session that removes a message): every command is completed once, and afterwards every session sees the same messages
/// with the same flags, each \Recent in one session at most.
#[test]
fn random_sessions_on_one_mailbox_agree() {
    for seed in 1..120u64 {
        let mut random = smtplab_corpus::Generator(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut host = host();
        say(
            &mut connect(&mut host),
            &mut host,
            "a LOGIN mom mom-password\r\nb CREATE Drafts\r\nc LOGOUT\r\n",
        );
        let mut sessions: Vec<HostSession> = (0..3).map(|_| connect(&mut host)).collect();
        for session in &mut sessions {
            say(
                session,
                &mut host,
                "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
            );
        }
        for step in 0..40 {
            if random.below(12) == 0 {
                // POP3 meanwhile: it removes the first message.
                let mut pop3 = host.connect(110, &client(), now()).unwrap().0;
                let said = say(
                    &mut pop3,
                    &mut host,
                    "USER mom\r\nPASS mom-password\r\nDELE 1\r\nQUIT\r\n",
                );
                assert!(said.contains("+OK Logging out"), "seed {seed}\n{said}");
                continue;
            }
            let who = random.below(sessions.len());
            let tag = format!("t{step}");
            let command = random_command(&mut random);
            let replies = say(
                &mut sessions[who],
                &mut host,
                &format!("{tag} {command}\r\n"),
            );
            let completed = replies
                .lines()
                .filter(|l| l.starts_with(&format!("{tag} ")))
                .count();
            assert_eq!(completed, 1, "seed {seed}: {tag} {command}\n{replies}");
        }
        let views: Vec<(Vec<String>, Vec<String>)> =
            sessions.iter_mut().map(|s| view(s, &mut host)).collect();
        for (messages, _) in &views[1..] {
            assert_eq!(messages, &views[0].0, "seed {seed}");
        }
        let mut recent: Vec<&String> = views.iter().flat_map(|(_, r)| r).collect();
        let all = recent.len();
        recent.sort_unstable();
        recent.dedup();
        assert_eq!(recent.len(), all, "seed {seed}: \\Recent twice");
        for session in &mut sessions {
            say(session, &mut host, "z LOGOUT\r\n");
        }
        // What the file says once all have closed it: the same messages.
        let mut last = connect(&mut host);
        say(
            &mut last,
            &mut host,
            "a LOGIN mom mom-password\r\nb EXAMINE INBOX\r\n",
        );
        assert_eq!(
            view(&mut last, &mut host).0,
            views[0].0,
            "seed {seed}: the file"
        );
    }
}

/// A keyword another session set reaches a STORE's reply only after
/// FLAGS has listed it.
#[test]
fn a_keyword_from_another_session_is_listed_first() {
    let mut host = host();
    let mut one = connect(&mut host);
    let mut two = connect(&mut host);
    say(
        &mut one,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );
    say(
        &mut two,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );
    say(&mut one, &mut host, "c STORE 1 +FLAGS.SILENT ($Work)\r\n");
    assert_eq!(
        say(&mut two, &mut host, "c STORE 1 +FLAGS (\\Seen)\r\n"),
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)\r\n\
         * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted.\r\n\
         * 1 FETCH (FLAGS (\\Seen $Work))\r\nc OK Store completed.\r\n"
    );
    // A session opening the mailbox now, its file not yet written, lists
    // the keyword too.
    let mut three = connect(&mut host);
    let selected = say(
        &mut three,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );
    assert!(
        selected.contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)\r\n"),
        "{selected}"
    );
}

/// CONDSTORE's mod-sequences are the index's, so every session counts
/// the same: a change in one raises HIGHESTMODSEQ for the other, which is
/// told the change with its MODSEQ.
#[test]
fn mod_sequences_are_shared() {
    let mut host = host();
    let mut one = connect(&mut host);
    let mut two = connect(&mut host);
    say(
        &mut one,
        &mut host,
        "a LOGIN mom mom-password\r\nb SELECT INBOX\r\n",
    );
    let selected = say(
        &mut two,
        &mut host,
        "a LOGIN mom mom-password\r\nb ENABLE CONDSTORE\r\nc SELECT INBOX\r\n",
    );
    assert!(
        selected.contains("* OK [HIGHESTMODSEQ 1] Highest\r\n"),
        "{selected}"
    );
    assert_eq!(
        say(&mut one, &mut host, "c STORE 2 +FLAGS.SILENT (\\Seen)\r\n"),
        "c OK Store completed.\r\n"
    );
    assert_eq!(
        say(&mut two, &mut host, "d NOOP\r\n"),
        "* 2 FETCH (FLAGS (\\Seen) MODSEQ (2))\r\nd OK NOOP completed.\r\n"
    );
    assert_eq!(
        say(&mut two, &mut host, "e STORE 3 +FLAGS (\\Flagged)\r\n"),
        "* 3 FETCH (FLAGS (\\Flagged) MODSEQ (3))\r\ne OK Store completed.\r\n"
    );
    assert_eq!(
        say(&mut one, &mut host, "f STATUS INBOX (HIGHESTMODSEQ)\r\n"),
        // Asking for HIGHESTMODSEQ turns CONDSTORE on, which a session
        // with a mailbox selected is told of first.
        "* OK [HIGHESTMODSEQ 3] Highest\r\n\
         * STATUS INBOX (HIGHESTMODSEQ 3)\r\n\
         f OK [CLIENTBUG] Status on selected mailbox completed.\r\n"
    );
}

/// NOTIFY between two sessions: another session's new mail in a mailbox
/// not selected arrives as STATUS without being asked for (Dovecot's
/// `imap-notify.c`); in the selected mailbox, MessageNew's FETCH items
/// follow EXISTS, and without a selected filter neither EXISTS nor other
/// sessions' flag changes are told.
#[test]
fn notify_tells_other_sessions_changes() {
    let mut host = host();
    let mut one = connect(&mut host);
    let mut two = connect(&mut host);
    say(
        &mut one,
        &mut host,
        "a LOGIN mom mom-password\r\nb CREATE Sent\r\nc SELECT INBOX\r\n",
    );
    say(&mut two, &mut host, "a LOGIN mom mom-password\r\n");
    assert_eq!(
        say(
            &mut one,
            &mut host,
            "d NOTIFY SET (selected (MessageNew (UID FLAGS) MessageExpunge)) \
             (personal (MessageNew MessageExpunge))\r\n"
        ),
        "d OK NOTIFY completed.\r\n"
    );
    say(
        &mut two,
        &mut host,
        "b APPEND Sent {5+}\r\nsent!\r\nc APPEND INBOX {4+}\r\nnew!\r\n",
    );
    assert_eq!(
        say(&mut one, &mut host, ""),
        "* STATUS Sent (MESSAGES 1 UIDNEXT 2 UNSEEN 1)\r\n"
    );
    assert_eq!(
        say(&mut one, &mut host, "e NOOP\r\n"),
        "* 4 EXISTS\r\n* 4 RECENT\r\n* 4 FETCH (UID 4 FLAGS (\\Recent))\r\n\
         e OK NOOP completed.\r\n"
    );
    // The selected mailbox is left out: nothing of it is told.
    assert_eq!(
        say(
            &mut one,
            &mut host,
            "f NOTIFY SET (personal (MessageNew))\r\n"
        ),
        "f OK NOTIFY completed.\r\n"
    );
    say(
        &mut two,
        &mut host,
        "d SELECT INBOX\r\ne STORE 1 +FLAGS (\\Flagged)\r\nf APPEND INBOX {4+}\r\nmore\r\n",
    );
    assert_eq!(
        say(&mut one, &mut host, "g NOOP\r\n"),
        "g OK NOOP completed.\r\n"
    );
    assert_eq!(
        say(
            &mut one,
            &mut host,
            "h NOTIFY NONE\r\ni FETCH 5 (FLAGS)\r\n"
        ),
        "h OK NOTIFY completed.\r\n* 5 FETCH (FLAGS ())\r\ni OK Fetch completed.\r\n"
    );
}

/// A mailbox's UIDVALIDITY is the index's, not a session's: a mailbox
/// created (or renamed) empty in one session has the same one in another.
#[test]
fn new_mailboxes_have_one_uidvalidity() {
    let mut host = host();
    let mut one = connect(&mut host);
    let mut two = connect(&mut host);
    let status = |s: &str| s.lines().next().unwrap_or("").to_string();
    say(&mut two, &mut host, "a LOGIN mom mom-password\r\n");
    let created = say(
        &mut one,
        &mut host,
        "a LOGIN mom mom-password\r\nb CREATE Box\r\n",
    );
    assert!(created.ends_with("b OK Create completed.\r\n"), "{created}");
    let mine = say(&mut one, &mut host, "c STATUS Box (UIDVALIDITY)\r\n");
    let theirs = say(&mut two, &mut host, "b STATUS Box (UIDVALIDITY)\r\n");
    assert!(mine.starts_with("* STATUS Box (UIDVALIDITY "), "{mine}");
    assert_eq!(status(&mine), status(&theirs));
    say(&mut one, &mut host, "d RENAME Box Moved\r\n");
    let theirs = say(&mut two, &mut host, "c STATUS Moved (UIDVALIDITY)\r\n");
    assert_eq!(status(&mine).replace("Box", "Moved"), status(&theirs));
}
