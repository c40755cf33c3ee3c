//! No test's verdict may depend on the day it runs. Every date and
//! date-bearing id the servers write is masked by the corpus's normalizers
//! on every day of a leap year, on both sides of each midnight (and so of
//! each month's and the year's end):
//!
//! - each format on its own, in the line it appears in, masked by the Rust
//!   copy of `normalize.py` and by the script itself (Dovecot's by its own
//!   `normalize.py`);
//! - whole sessions of every personality, which deliver a message: once
//!   masked, the transcript and the delivered entry are the same whatever
//!   the day, though unmasked they differ;
//! - an IMAP APPEND without a date, its INTERNALDATE and the mbox file
//!   Dovecot writes.

use std::path::Path;
use std::sync::Arc;

use smtplab_corpus::{corpus_dir, mask_entry, normalize_line, run_normalize};
use smtplab_engine::imap::{ImapSession, UserStore, DOVECOT_IMAP_2_3_19_DEBIAN};
use smtplab_engine::personality::ALL;
use smtplab_engine::queue_id::{exim_message_id, postfix_queue_id, queue_id};
use smtplab_engine::script::{replay, Script};
use smtplab_engine::Event;
use smtplab_engine::{Connection, Session, Timestamp, World};

/// The last second of 31 December 2027, then the first and last second of
/// every day of 2028, then the first of 2029.
fn moments(offset_minutes: i32) -> Vec<Timestamp> {
    let start = Timestamp::parse_rfc3339("2028-01-01T00:00:00Z")
        .unwrap()
        .unix_seconds;
    let mut out = vec![Timestamp::new(start - 1, offset_minutes)];
    for day in 0..366 {
        let midnight = start + day * 86_400;
        out.push(Timestamp::new(midnight, offset_minutes));
        out.push(Timestamp::new(midnight + 86_399, offset_minutes));
    }
    out.push(Timestamp::new(start + 366 * 86_400, offset_minutes));
    out
}

/// How a line is masked: as a transcript line (`normalize.py`) or as part
/// of a delivered entry (which also hides Sendmail's Message-Id stamp).
#[derive(Clone, Copy, PartialEq)]
enum Mask {
    Transcript,
    Mailbox,
}

struct Format {
    name: &'static str,
    line: fn(Timestamp) -> String,
    masked: &'static str,
    mask: Mask,
    /// Offsets it is checked in besides UTC.
    zones: &'static [i32],
}

/// UTC, New York in summer, India: local days that start at other times
/// than UTC's.
const NUMERIC_ZONES: &[i32] = &[-240, 330];

const FORMATS: &[Format] = &[
    Format {
        name: "Sendmail's arpadate, in the banner",
        line: |t| {
            format!(
                "S: 220 mail.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; {}",
                t.rfc822()
            )
        },
        masked: "S: 220 mail.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; <DATE>",
        mask: Mask::Transcript,
        zones: NUMERIC_ZONES,
    },
    Format {
        name: "Sendmail's ctime, in the mbox From line",
        line: |t| format!("From sender@client.example.no  {}", t.ctime()),
        masked: "From sender@client.example.no  <DATE>",
        mask: Mask::Mailbox,
        zones: NUMERIC_ZONES,
    },
    Format {
        name: "Sendmail's queue id",
        line: |t| {
            format!(
                "S: 250 2.0.0 {} Message accepted for delivery",
                queue_id(t, 3599, 28168)
            )
        },
        masked: "S: 250 2.0.0 <QID> Message accepted for delivery",
        mask: Mask::Transcript,
        zones: NUMERIC_ZONES,
    },
    Format {
        name: "Sendmail's Message-Id",
        line: |t| {
            format!(
                "Message-Id: <{}.{}@mail.example.com>",
                t.compact_minutes(),
                queue_id(t, 0, 7)
            )
        },
        masked: "Message-Id: <<STAMP>.<QID>@mail.example.com>",
        mask: Mask::Mailbox,
        zones: NUMERIC_ZONES,
    },
    // Postfix names the zone after the offset (`(UTC)`); the corpus's
    // servers ran on UTC, and the mask knows only names made of letters.
    Format {
        name: "Postfix's mail_date (%e), in Received",
        line: |t| format!("\tfor <mom@example.com>; {}", t.mail_date()),
        masked: "\tfor <mom@example.com>; <DATE>",
        mask: Mask::Mailbox,
        zones: &[],
    },
    Format {
        name: "Postfix's queue id",
        line: |t| {
            format!(
                "S: 250 2.0.0 Ok: queued as {}",
                postfix_queue_id(t, 5, 4242)
            )
        },
        masked: "S: 250 2.0.0 Ok: queued as <QID>",
        mask: Mask::Transcript,
        zones: &[],
    },
    Format {
        name: "Postfix's Message-Id",
        line: |t| {
            format!(
                "Message-Id: <{}.{}@mail.example.com>",
                t.compact_seconds_utc(),
                postfix_queue_id(t, 5, 4242)
            )
        },
        masked: "Message-Id: <<STAMP>.<QID>@mail.example.com>",
        mask: Mask::Mailbox,
        zones: &[],
    },
    Format {
        name: "Exim's tod_full, in the banner",
        line: |t| format!("S: 220 mail.example.com ESMTP Exim 4.96 {}", t.full_date()),
        masked: "S: 220 mail.example.com ESMTP Exim 4.96 <DATE>",
        mask: Mask::Transcript,
        zones: NUMERIC_ZONES,
    },
    Format {
        name: "Exim's tod_bsdin, in the mbox From line",
        line: |t| format!("From sender@client.example.no {}", t.bsd_inbox()),
        masked: "From sender@client.example.no <DATE>",
        mask: Mask::Mailbox,
        zones: NUMERIC_ZONES,
    },
    Format {
        name: "Exim's message id",
        line: |t| format!("S: 250 OK id={}", exim_message_id(t, 1999, 999_999)),
        masked: "S: 250 OK id=<QID>",
        mask: Mask::Transcript,
        zones: &[],
    },
];

fn mask(how: Mask, line: &str) -> String {
    match how {
        Mask::Transcript => normalize_line(line),
        Mask::Mailbox => mask_entry(&format!("{line}\n")).trim_end().to_string(),
    }
}

/// A temporary file holding `lines`, for a normalizer to read.
fn lines_file(name: &str, lines: &[String]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("smtplab-dates-{name}-{}", std::process::id()));
    std::fs::write(
        &path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    path
}

#[test]
fn every_date_format_is_masked_on_every_day() {
    let mut failures = Vec::new();
    // The lines that normalize.py itself must mask, and what to.
    let mut for_script: Vec<(String, &str)> = Vec::new();
    for format in FORMATS {
        for zone in std::iter::once(&0).chain(format.zones) {
            for moment in moments(*zone) {
                let line = (format.line)(moment);
                let masked = mask(format.mask, &line);
                if masked != format.masked {
                    failures.push(format!("{}: {line:?} became {masked:?}", format.name));
                }
                if format.mask == Mask::Transcript || format.masked.ends_with("<DATE>") {
                    for_script.push((line, format.masked));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} lines not masked, such as:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    let lines: Vec<String> = for_script.iter().map(|(line, _)| line.clone()).collect();
    let file = lines_file("formats", &lines);
    let by_script = run_normalize(&corpus_dir().join("tools/normalize.py"), &[&file]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(by_script.lines().count(), for_script.len());
    for ((line, want), got) in for_script.iter().zip(by_script.lines()) {
        assert_eq!(got, *want, "normalize.py on {line:?}");
    }
}

/// Dovecot's INTERNALDATE and the From line of a message it saved, masked
/// by the Dovecot corpus's `normalize.py` (as `<NOW>`: no seed or script
/// has these moments).
#[test]
fn dovecot_dates_are_masked_on_every_day() {
    let mut lines = Vec::new();
    for zone in [0, -240, 330] {
        for moment in moments(zone) {
            lines.push(format!(
                "S: * 1 FETCH (UID 1 INTERNALDATE \"{}\")",
                moment.imap_date()
            ));
        }
    }
    for moment in moments(0) {
        lines.push(format!("From mom@mail.example.com  {}", moment.ctime()));
    }
    let file = lines_file("dovecot", &lines);
    let masked = run_normalize(
        &corpus_dir().join("dovecot-2.3/tools/normalize.py"),
        &[&file],
    );
    let _ = std::fs::remove_file(&file);
    assert_eq!(masked.lines().count(), lines.len());
    for (line, got) in lines.iter().zip(masked.lines()) {
        let want = if line.starts_with("From ") {
            "From mom@mail.example.com  <NOW>"
        } else {
            "S: * 1 FETCH (UID 1 INTERNALDATE \"<NOW>\")"
        };
        assert_eq!(got, want, "from {line:?}");
    }
}

const MESSAGE: &str = "EHLO client.example.no\nMAIL FROM:<sender@client.example.no>\n\
    RCPT TO:<mom@example.com>\nDATA\nSubject: what day is it\n\nhi\n.\nQUIT\n";

/// A session of `personality` that starts at `start`: its transcript and
/// delivered entries, unmasked and masked.
fn session_at(
    personality: &'static smtplab_engine::Personality,
    start: Timestamp,
) -> (String, String) {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 28168, 1234);
    let session = Session::new(personality, Arc::new(world), connection);
    let script = Script::parse(MESSAGE.as_bytes()).unwrap();
    let result = replay(session, &script, start);
    let entries: Vec<String> = result
        .deliveries
        .iter()
        .flat_map(|d| &d.copies)
        .map(|copy| String::from_utf8_lossy(&copy.entry).into_owned())
        .collect();
    let raw = format!("{}\n{}", result.transcript.join("\n"), entries.concat());
    let masked = format!(
        "{}\n{}",
        result
            .transcript
            .iter()
            .map(|line| normalize_line(line))
            .collect::<Vec<_>>()
            .join("\n"),
        entries.iter().map(|e| mask_entry(e)).collect::<String>()
    );
    (raw, masked)
}

#[test]
fn every_personality_delivers_the_same_masked_mail_on_every_day() {
    // The sessions start a second before each midnight, so their replies
    // straddle it (every server pauses at least once).
    let starts: Vec<Timestamp> = moments(0)
        .into_iter()
        .filter(|t| t.unix_seconds % 86_400 == 86_399)
        .collect();
    assert_eq!(starts.len(), 367);
    for personality in ALL {
        let (first_raw, first) = session_at(personality, starts[0]);
        assert!(
            first.contains("250") && first.contains("Subject: what day is it"),
            "{}: no message delivered:\n{first}",
            personality.id
        );
        for start in &starts[1..] {
            let (raw, masked) = session_at(personality, *start);
            assert_ne!(raw, first_raw, "{}: no date at all?", personality.id);
            assert_eq!(
                masked,
                first,
                "{} starting at {}",
                personality.id,
                start.rfc822()
            );
        }
    }
}

/// An IMAP session at `now` that appends a message without a date and
/// fetches its INTERNALDATE; what it sends, then the mailbox it saves.
fn imap_append_at(now: i64) -> Vec<String> {
    let mut session = ImapSession::new(
        &DOVECOT_IMAP_2_3_19_DEBIAN,
        Arc::new(World::corpus()),
        "127.0.0.2",
    );
    let mut pending = session.connect(now);
    pending.extend(session.receive(
        b"a LOGIN mom mom-password\r\nb SELECT INBOX\r\n\
          c APPEND INBOX {20}\r\nSubject: now\r\n\r\nhi\r\n\r\n\
          d FETCH 1:* (UID INTERNALDATE)\r\ne LOGOUT\r\n",
        now,
    ));
    let mut out = Vec::new();
    let mut saved = String::new();
    while !pending.is_empty() {
        let action = pending.remove(0);
        match &action {
            Event::Open { .. } => pending.extend(session.opened(UserStore::default())),
            Event::Save { file, .. } => saved = String::from_utf8_lossy(file).into_owned(),
            Event::Write { .. } => {}
            _ => out.extend(
                String::from_utf8_lossy(&action.wire())
                    .lines()
                    .map(|l| format!("S: {l}")),
            ),
        }
    }
    out.extend(saved.lines().map(str::to_string));
    out
}

#[test]
fn an_imap_append_without_a_date_is_masked_on_every_day() {
    let moments = moments(0);
    let sessions: Vec<Vec<String>> = moments
        .iter()
        .map(|t| imap_append_at(t.unix_seconds))
        .collect();
    let all: Vec<String> = sessions.concat();
    assert!(
        all.iter()
            .any(|l| l.contains("INTERNALDATE \"01-Jan-2028 00:00:00 +0000\"")),
        "{:#?}",
        sessions[1]
    );
    let file = lines_file("imap", &all);
    let masked = run_normalize(
        &corpus_dir().join("dovecot-2.3/tools/normalize.py"),
        &[Path::new(&file)],
    );
    let _ = std::fs::remove_file(&file);
    let masked: Vec<&str> = masked.lines().collect();
    let mut at = 0;
    let mut first: Option<&[&str]> = None;
    for session in &sessions {
        let this = &masked[at..at + session.len()];
        at += session.len();
        match first {
            None => first = Some(this),
            Some(first) => assert_eq!(this, first),
        }
    }
    let first = first.unwrap();
    assert!(first.iter().any(|l| l.contains("<NOW>")), "{first:#?}");
}
