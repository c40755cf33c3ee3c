//! The Rust copy of `normalize.py` masks exactly as the script does, over
//! every recorded SMTP transcript and mailbox, and over lines that carry
//! each date and id on the days a mask is easiest to get wrong.

use std::path::{Path, PathBuf};

use smtplab_corpus::{corpus_dir, normalize_line, run_normalize};

/// Every transcript and mailbox of the SMTP corpora (the Dovecot corpus
/// has its own normalizer; the terminal captures of `openssl s_client` and
/// `swaks` under `submission/clients` are compared by their own test).
fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![corpus_dir()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("dovecot-2.3") && !path.ends_with("submission/clients") {
                    pending.push(path);
                }
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("txt" | "mbox")
            ) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn script() -> PathBuf {
    corpus_dir().join("tools/normalize.py")
}

/// What the Rust copy makes of `text`, line by line, ends kept.
fn rust_normalize(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(body) => format!("{}\n", normalize_line(body)),
            None => normalize_line(line),
        })
        .collect()
}

fn compare(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let want = run_normalize(&script(), &[path]);
    let got = rust_normalize(&text);
    (want != got).then(|| {
        let line = want
            .lines()
            .zip(got.lines())
            .find(|(w, g)| w != g)
            .map(|(w, g)| format!("\n  normalize.py {w:?}\n  Rust copy    {g:?}"))
            .unwrap_or_default();
        format!("{}{line}", path.display())
    })
}

#[test]
fn the_rust_copy_masks_every_corpus_file_as_normalize_py_does() {
    let files = corpus_files();
    // 90 transcripts, 31 scripts, the mailboxes and the extra recording.
    assert!(files.len() >= 130, "{} files", files.len());
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let by_script = run_normalize(&script(), &paths);
    let by_rust: String = files
        .iter()
        .map(|f| rust_normalize(&std::fs::read_to_string(f).unwrap()))
        .collect();
    if by_script != by_rust {
        // Which files differ, one normalize.py run each.
        let failures: Vec<String> = files.iter().filter_map(|f| compare(f)).collect();
        panic!("{}", failures.join("\n"));
    }
}

/// Lines written for this test, each with what both must make of it:
/// every date form on one- and two-digit days, the ids, and text that
/// must stay as it is.
#[test]
fn the_rust_copy_masks_dates_and_ids_as_normalize_py_does() {
    let table: &[(&str, &str)] = &[
        (
            "S: 220 mail.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Tue, 1 Dec 2026 00:00:00 GMT",
            "S: 220 mail.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; <DATE>",
        ),
        (
            "\tfor <mom@example.com>; Sun,  6 Dec 2026 04:13:26 +0000 (UTC)",
            "\tfor <mom@example.com>; <DATE>",
        ),
        (
            "\tfor <mom@example.com>; Wed, 30 Dec 2026 23:59:59 +0000 (UTC)",
            "\tfor <mom@example.com>; <DATE>",
        ),
        (
            "S: 220 mail.example.com ESMTP Exim 4.96 Wed, 09 Dec 2026 09:09:09 +0000",
            "S: 220 mail.example.com ESMTP Exim 4.96 <DATE>",
        ),
        ("Date: Tue, 9 Feb 2027 11:00:00 -0400", "Date: <DATE>"),
        (
            "From sender@client.example.no  Sun Dec  6 04:13:26 2026",
            "From sender@client.example.no  <DATE>",
        ),
        (
            "From sender@client.example.no Wed Dec 09 04:13:26 2026",
            "From sender@client.example.no <DATE>",
        ),
        (
            "From MAILER-DAEMON  Tue Feb 29 23:59:59 2028",
            "From MAILER-DAEMON  <DATE>",
        ),
        (
            "Message-Id: <20261206041326.DF7DBDA956@mail.example.com>",
            "Message-Id: <<TIME>.<QID>@mail.example.com>",
        ),
        (
            "Message-Id: <202612060413.6B64DQ1x012345@mail.example.com>",
            "Message-Id: <202612060413.<QID>@mail.example.com>",
        ),
        ("X-Postfix-Queue-ID: CC670DA952", "X-Postfix-Queue-ID: <QID>"),
        (
            "\tby mail.example.com (Postfix) with ESMTP id CC670DA952",
            "\tby mail.example.com (Postfix) with ESMTP id <QID>",
        ),
        (
            "S: 250 2.0.0 Ok: queued as DF7DBDA956",
            "S: 250 2.0.0 Ok: queued as <QID>",
        ),
        ("S: 250 OK id=1xXlI4-0003NF-23", "S: 250 OK id=<QID>"),
        (
            "--CC670DA952.1796530406/mail.example.com",
            "--<QID>.<TIME>/mail.example.com",
        ),
        (
            "S: 334 PDEyMzQ1QG1haWwuZXhhbXBsZS5jb20+",
            "S: 334 <CHALLENGE>",
        ),
        (
            "-- connected from 127.0.0.2:54321 to 127.0.0.1:25",
            "-- connected from 127.0.0.2:PORT to 127.0.0.1:25",
        ),
        (
            "Subject: 12 monkeys in May 2026, Sun 6 Dec",
            "Subject: 12 monkeys in May 2026, Sun 6 Dec",
        ),
    ];
    let text: String = table.iter().map(|(line, _)| format!("{line}\n")).collect();
    let file = std::env::temp_dir().join(format!("smtplab-normalize-{}.txt", std::process::id()));
    std::fs::write(&file, &text).unwrap();
    let by_script = run_normalize(&script(), &[&file]);
    let _ = std::fs::remove_file(&file);
    let by_rust = rust_normalize(&text);
    for (((line, want), script), rust) in table.iter().zip(by_script.lines()).zip(by_rust.lines()) {
        assert_eq!(script, *want, "normalize.py on {line:?}");
        assert_eq!(rust, *want, "the Rust copy on {line:?}");
    }
    assert_eq!(by_script.lines().count(), table.len());
}
