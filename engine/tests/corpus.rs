//! The recorded corpora (Sendmail 8.17, Postfix 3.7 and Exim 4.96), replayed through
//! the engine on a simulated clock.
//!
//! Transcripts: every line the server sent, every line the client sent,
//! and how the connection ended (closed, reset, or a line the client could
//! not send) must match once dates, queue ids and challenges are masked.
//! Only the driver's notes about timing (late output, reply timeouts) and
//! the TLS handshake are left out: the engine has a simulated clock and no
//! socket. (The byte-for-byte comparison through a real socket, every note
//! included, is `cli/tests/native_corpus.rs`.)
//!
//! Delivered mail: every entry the engine delivers for a public script
//! equals one recorded entry byte for byte, with only dates, queue ids and
//! message-id stamps masked, and no recorded entry is used twice.

use std::sync::Arc;

use smtplab_corpus::{corpus_dir, mask_entry, normalize_line, split_entries};
use smtplab_engine::personality::{
    Personality, EXIM_4_96_DEBIAN, POSTFIX_3_7_DEBIAN, SENDMAIL_8_17_DEBIAN,
};
use smtplab_engine::script::{replay, Script};
use smtplab_engine::{Connection, Delivery, Session, Timestamp, World};

fn corpus_session(personality: &'static Personality) -> Session {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 28168, 1234);
    Session::new(personality, Arc::new(world), connection)
}

/// The driver's notes that say how the connection went, as opposed to
/// when things happened.
const COMPARED_NOTES: &[&str] = &[
    "-- connection closed by server",
    "-- not sent (connection closed): ",
    "-- recv error: ",
    "-- previous client data sent WITHOUT trailing CRLF: ",
    "-- client closes the connection",
];

fn comparable(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| {
            line.starts_with("S: ")
                || line.starts_with("C: ")
                || COMPARED_NOTES.iter().any(|note| line.starts_with(note))
        })
        .map(|line| normalize_line(line))
        .collect()
}

fn transcript_names(folder: &str) -> Vec<String> {
    smtplab_corpus::transcript_names(&corpus_dir().join(folder))
}

fn play(personality: &'static Personality, name: &str) -> smtplab_engine::script::Replay {
    play_script(
        corpus_session(personality),
        &corpus_dir().join("scripts").join(name),
    )
}

fn play_script(session: Session, path: &std::path::Path) -> smtplab_engine::script::Replay {
    let start = Timestamp::parse_rfc3339("2026-11-28T13:08:25Z").unwrap();
    let script_text = std::fs::read(path).unwrap();
    let script = Script::parse(&script_text).unwrap();
    replay(session, &script, start)
}

fn check_transcripts(folder: &str, personality: &'static Personality) {
    let names = transcript_names(folder);
    assert_eq!(
        names.len(),
        30,
        "the public corpus has 30 {folder} transcripts"
    );
    let failures = compare_transcripts(folder, &names, |name| play(personality, name));
    assert!(
        failures.is_empty(),
        "{} transcripts differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Plays each of `names` and compares it with the recording in `folder`;
/// returns what differs.
fn compare_transcripts(
    folder: &str,
    names: &[String],
    play: impl Fn(&str) -> smtplab_engine::script::Replay,
) -> Vec<String> {
    let mut failures = Vec::new();
    for name in names {
        let result = play(name);
        let expected: Vec<String> = std::fs::read_to_string(corpus_dir().join(folder).join(name))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let want = comparable(&expected);
        let got = comparable(&result.transcript);
        if want != got {
            let first = (0..want.len().max(got.len()))
                .find(|&i| want.get(i) != got.get(i))
                .unwrap_or(0);
            failures.push(format!(
                "{name} from line {first}:\n  want {:#?}\n  got  {:#?}",
                &want[first.min(want.len())..(first + 4).min(want.len())],
                &got[first.min(got.len())..(first + 4).min(got.len())]
            ));
        }
    }
    failures
}

/// A session of the submission service on `port` (587: STARTTLS; 465: TLS
/// from the first byte), as the host starts it.
fn submission_session(personality: &'static Personality, port: u16) -> Session {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 28168, 1234);
    let submission = if port == 465 {
        personality.submissions.or(personality.submission)
    } else {
        personality.submission
    }
    .expect("a submission service");
    let mut session = Session::new(submission, Arc::new(world), connection);
    if port == 465 {
        session.start_in_tls();
    }
    session
}

fn check_submission(server: &str, personality: &'static Personality) {
    let mut failures = Vec::new();
    let mut played = 0;
    for port in [587u16, 465] {
        let folder = format!("submission/{server}/{port}");
        let names = transcript_names(&folder);
        played += names.len();
        failures.extend(compare_transcripts(&folder, &names, |name| {
            let script = corpus_dir().join(format!("submission/scripts/{port}/{name}"));
            play_script(submission_session(personality, port), &script)
        }));
    }
    assert!(played >= 24, "{server}: {played} submission transcripts");
    assert!(
        failures.is_empty(),
        "{} of {played} {server} submission transcripts differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_public_postfix_submission_transcript_matches() {
    check_submission("postfix", &POSTFIX_3_7_DEBIAN);
}

#[test]
fn every_public_exim_submission_transcript_matches() {
    check_submission("exim", &EXIM_4_96_DEBIAN);
}

#[test]
fn every_public_sendmail_submission_transcript_matches() {
    check_submission("sendmail", &SENDMAIL_8_17_DEBIAN);
}

#[test]
fn every_public_sendmail_transcript_matches() {
    check_transcripts("sendmail-8.17", &SENDMAIL_8_17_DEBIAN);
}

#[test]
fn every_public_postfix_transcript_matches() {
    check_transcripts("postfix-3.7", &POSTFIX_3_7_DEBIAN);
}

#[test]
fn every_public_exim_transcript_matches() {
    check_transcripts("exim-4.96", &EXIM_4_96_DEBIAN);
}

/// Matches every delivered copy to a distinct recorded entry of the same
/// mailbox; returns how many were matched.
fn match_deliveries(
    folder: &str,
    deliveries: &[(String, Delivery)],
    recorded_file: impl Fn(&str, &str) -> std::path::PathBuf,
) -> usize {
    let mut used: Vec<(std::path::PathBuf, usize)> = Vec::new();
    let mut matched = 0;
    for (script, delivery) in deliveries {
        for copy in &delivery.copies {
            let ours = mask_entry(&String::from_utf8_lossy(&copy.entry));
            for mailbox in &copy.mailboxes {
                let path = recorded_file(script, mailbox);
                let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                    panic!("{script}: {folder} delivered nothing to {mailbox}")
                });
                let found = split_entries(&text)
                    .iter()
                    .enumerate()
                    .position(|(i, entry)| {
                        !used.contains(&(path.clone(), i)) && mask_entry(entry) == ours
                    });
                match found {
                    Some(index) => used.push((path.clone(), index)),
                    None => panic!(
                        "{script}: no unused entry of {} equals\n{ours}",
                        path.display()
                    ),
                }
                matched += 1;
            }
        }
    }
    matched
}

#[test]
fn sendmail_deliveries_equal_recorded_entries() {
    let mut deliveries = Vec::new();
    let mut names = transcript_names("sendmail-8.17");
    names.push("extra-helo-name-in-received.txt".to_string());
    for name in &names {
        for delivery in play(&SENDMAIL_8_17_DEBIAN, name).deliveries {
            deliveries.push((name.clone(), delivery));
        }
    }
    // 01, 05, 23, 35 (mom and nobody) and the extra script.
    const EXPECTED: usize = 6;
    let matched = match_deliveries("sendmail-8.17", &deliveries, |script, mailbox| {
        if script.starts_with("extra") {
            corpus_dir().join("sendmail-8.17/_extra/helo-name-in-received.mbox")
        } else {
            corpus_dir().join(format!("sendmail-8.17/_mailboxes/{mailbox}.mbox"))
        }
    });
    assert_eq!(matched, EXPECTED, "copies delivered");
}

#[test]
fn postfix_deliveries_equal_recorded_entries() {
    let mut deliveries = Vec::new();
    for name in transcript_names("postfix-3.7") {
        for delivery in play(&POSTFIX_3_7_DEBIAN, &name).deliveries {
            deliveries.push((name.clone(), delivery));
        }
    }
    // 01, 05, 23, 35 (mom and nobody), 36 and 42.
    const EXPECTED: usize = 7;
    let matched = match_deliveries("postfix-3.7", &deliveries, |_, mailbox| {
        corpus_dir().join(format!("postfix-3.7/_mailboxes/{mailbox}.mbox"))
    });
    assert_eq!(matched, EXPECTED, "copies delivered");
}

#[test]
fn exim_deliveries_equal_recorded_entries() {
    let mut deliveries = Vec::new();
    for name in transcript_names("exim-4.96") {
        for delivery in play(&EXIM_4_96_DEBIAN, &name).deliveries {
            deliveries.push((name.clone(), delivery));
        }
    }
    // 01, 05, 23, 35 (mom, and nobody into /var/mail/mail), 36 and 42.
    const EXPECTED: usize = 7;
    let matched = match_deliveries("exim-4.96", &deliveries, |_, mailbox| {
        corpus_dir().join(format!("exim-4.96/_mailboxes/{mailbox}.mbox"))
    });
    assert_eq!(matched, EXPECTED, "copies delivered");
}

/// Exim's mailboxes also hold what scripts that are not published
/// delivered. These scripts are written here after those messages (the
/// sessions themselves are unknown), and what the engine delivers for
/// them must equal the recorded entries: several recipients with one
/// refused, two messages in one session (the second without headers),
/// 8-bit text, and an empty message.
#[test]
fn exim_deliveries_of_unpublished_scripts_equal_recorded_entries() {
    let scripts: &[(&str, &str)] = &[
        (
            "multi-rcpt",
            "EHLO client.example.no\nMAIL FROM:<sender@client.example.no>\n\
             RCPT TO:<mom@example.com>\nRCPT TO:<alice@example.com>\n\
             RCPT TO:<nosuchuser@example.com>\nRCPT TO:<bob@example.com>\nDATA\n\
             From: sender@client.example.no\n\
             To: mom@example.com, alice@example.com, nosuchuser@example.com, bob@example.com\n\
             Subject: multi rcpt\n\none bad recipient\n.\nQUIT\n",
        ),
        (
            "two-messages",
            "EHLO client.example.no\nMAIL FROM:<sender@client.example.no>\n\
             RCPT TO:<mom@example.com>\nDATA\nSubject: quoted text\n\nMom wrote:\n\
             > Do you remember the poem?\n> .\n> It ended with a dot on its own line:\n.\n\
             MAIL FROM:<sender@client.example.no>\nRCPT TO:<alice@example.com>\nDATA\n\
             second message\n.\nQUIT\n",
        ),
        (
            "8bit",
            "EHLO client.example.no\nMAIL FROM:<sender@client.example.no> BODY=8BITMIME\n\
             RCPT TO:<mom@example.com>\nDATA\nSubject: 8bit\nMIME-Version: 1.0\n\
             Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
             Bl\u{e5}b\u{e6}rsyltet\u{f8}y \u{2013} \u{c6}\u{d8}\u{c5} \u{e6}\u{f8}\u{e5}\n.\nQUIT\n",
        ),
        (
            "empty",
            "EHLO client.example.no\nMAIL FROM:<sender@client.example.no>\n\
             RCPT TO:<alice@example.com>\nDATA\n.\nQUIT\n",
        ),
    ];
    let start = Timestamp::parse_rfc3339("2026-11-29T20:17:01Z").unwrap();
    let mut deliveries = Vec::new();
    for (name, text) in scripts {
        let script = Script::parse(text.as_bytes()).unwrap();
        let result = replay(corpus_session(&EXIM_4_96_DEBIAN), &script, start);
        for delivery in result.deliveries {
            deliveries.push((name.to_string(), delivery));
        }
    }
    // mom, alice and bob; mom and alice; mom; alice.
    let matched = match_deliveries("exim-4.96", &deliveries, |_, mailbox| {
        corpus_dir().join(format!("exim-4.96/_mailboxes/{mailbox}.mbox"))
    });
    assert_eq!(matched, 7, "copies delivered");
}

/// The masking keeps everything but what varies from run to run.
#[test]
fn masking_hides_only_dates_ids_and_stamps() {
    let entry = "From sender@client.example.no  Sat Nov 28 13:10:24 2026\n\
Received: from x (x [127.0.0.2])\n\
\tby mail.example.com (Postfix) with ESMTP id A88EC99A001\n\
\tfor <mom@example.com>; Sat, 28 Nov 2026 13:10:24 +0000 (UTC)\n\
Message-Id: <202611281309.6ASD91WO028238@mail.example.com>\n\
Subject: 12 monkeys in May 2026\n";
    assert_eq!(
        mask_entry(entry),
        "From sender@client.example.no  <DATE>\n\
Received: from x (x [127.0.0.2])\n\
\tby mail.example.com (Postfix) with ESMTP id <QID>\n\
\tfor <mom@example.com>; <DATE>\n\
Message-Id: <<STAMP>.<QID>@mail.example.com>\n\
Subject: 12 monkeys in May 2026\n"
    );
}

/// The mail that submission sessions deliver locally equals what the
/// servers wrote: `ESMTPSA`/`esmtpsa`, Sendmail's `(authenticated bits=0)`
/// and TLS line, the sender's full name in the `From:` Sendmail adds, and
/// the fields Exim's submission mode adds.
fn check_submission_deliveries(server: &str, personality: &'static Personality, expected: usize) {
    let mut deliveries = Vec::new();
    for port in [587u16, 465] {
        let folder = format!("submission/{server}/{port}");
        for name in transcript_names(&folder) {
            let script = corpus_dir().join(format!("submission/scripts/{port}/{name}"));
            let played = play_script(submission_session(personality, port), &script);
            let stem = format!("{port}-{}", name.trim_end_matches(".txt"));
            for delivery in played.deliveries {
                deliveries.push((stem.clone(), delivery));
            }
        }
    }
    let matched = match_deliveries(server, &deliveries, |stem, mailbox| {
        let folder = corpus_dir().join(format!("submission/{server}/_mailboxes"));
        let nested = folder.join(stem).join(format!("{mailbox}.mbox"));
        if nested.exists() {
            nested
        } else {
            folder.join(format!("{stem}.{mailbox}.mbox"))
        }
    });
    assert_eq!(matched, expected, "{server}: copies delivered");
}

#[test]
fn postfix_submission_deliveries_equal_recorded_entries() {
    // 587: 05 (alice), 08 (bob), 21 (alice), 28 (mom); 465: 02 (alice).
    check_submission_deliveries("postfix", &POSTFIX_3_7_DEBIAN, 5);
}

#[test]
fn exim_submission_deliveries_equal_recorded_entries() {
    check_submission_deliveries("exim", &EXIM_4_96_DEBIAN, 5);
}

#[test]
fn sendmail_submission_deliveries_equal_recorded_entries() {
    // 21 was refused (pipelined EHLO), so 05, 08, 28 and 465's 02.
    check_submission_deliveries("sendmail", &SENDMAIL_8_17_DEBIAN, 4);
}
