//! Submission through the native server with real TLS: the corpus's driver
//! plays every public submission script against `smtplab serve
//! --submission ... --submissions ...` from 127.0.0.2 (STARTTLS on the 587
//! port, `--tls-on-connect` on the 465 one), and each transcript must equal
//! the recorded one after the corpus's `normalize.py`, every driver note
//! included (the TLS handshake, closes, resets). Every copy delivered into
//! the spool must equal a distinct recorded entry of that user.

use std::path::{Path, PathBuf};
use std::process::Command;

use smtplab_corpus::{
    line_diff, mask_entry, project_dir, run_normalize, split_entries, submission_command,
    transcript_names, Server,
};

fn corpus() -> PathBuf {
    project_dir().join("tests/corpus/submission")
}

fn normalize(path: &Path) -> String {
    run_normalize(
        &project_dir().join("tests/corpus/tools/normalize.py"),
        &[path],
    )
}

/// Every recorded entry delivered to `user` by any script of `server`.
fn recorded_entries(server: &str, user: &str) -> Vec<String> {
    let mut entries = Vec::new();
    let mut pending = vec![corpus().join(server).join("_mailboxes")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                pending.push(path);
            } else if name == format!("{user}.mbox") || name.ends_with(&format!(".{user}.mbox")) {
                let text = std::fs::read_to_string(&path).unwrap();
                entries.extend(split_entries(&text).iter().map(|e| mask_entry(e)));
            }
        }
    }
    entries
}

/// Plays the 587 and 465 scripts against `personality`'s submission
/// services; returns how many copies the spool got.
fn check(server: &str, personality: &str, time: &str) -> usize {
    let work = std::env::temp_dir().join(format!(
        "smtplab-submission-{server}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("out")).unwrap();
    let spool = work.join("spool");
    let running = Server::start(2, |ports| {
        submission_command(
            env!("CARGO_BIN_EXE_smtplab"),
            ports,
            personality,
            &spool,
            time,
        )
    });
    let mut plays = Vec::new();
    for (index, port) in [587u16, 465].into_iter().enumerate() {
        for name in transcript_names(&corpus().join(format!("{server}/{port}"))) {
            let script = corpus().join(format!("scripts/{port}/{name}"));
            let out = work.join("out").join(format!("{port}-{name}"));
            let listening = running.port(index);
            let driver = project_dir().join("tests/corpus/tools/driver.py");
            let handle = {
                let out = out.clone();
                std::thread::spawn(move || {
                    let mut command = Command::new("python3");
                    command
                        .arg(driver)
                        .arg(&script)
                        .args(["--host", "127.0.0.1", "--port", &listening.to_string()])
                        .args(["--source", "127.0.0.2"])
                        .arg("--out")
                        .arg(&out);
                    if port == 465 {
                        command.arg("--tls-on-connect");
                    }
                    assert!(command.status().expect("python3 runs driver.py").success());
                })
            };
            plays.push((port, index, name, out, handle));
        }
    }
    let mut failures = Vec::new();
    let count = plays.len();
    for (port, index, name, out, handle) in plays {
        handle.join().unwrap();
        let want = normalize(&corpus().join(format!("{server}/{port}/{name}")));
        // The recording had its own ports; this server has others.
        let recorded = want
            .lines()
            .next()
            .and_then(|l| l.rsplit_once(':'))
            .map(|(_, p)| p.to_string())
            .unwrap_or_default();
        let got = normalize(&out).replace(
            &format!("to 127.0.0.1:{}\n", running.port(index)),
            &format!("to 127.0.0.1:{recorded}\n"),
        );
        if got != want {
            failures.push(format!("--- {port}/{name}\n{}", line_diff(&want, &got)));
        }
    }
    assert!(count >= 24, "{server}: {count} scripts");
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let mut delivered = 0;
    for entry in std::fs::read_dir(&spool).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let user = path.file_name().unwrap().to_string_lossy().to_string();
        let mut theirs: Vec<Option<String>> = recorded_entries(server, &user)
            .into_iter()
            .map(Some)
            .collect();
        for ours in split_entries(&std::fs::read_to_string(&path).unwrap()) {
            let masked = mask_entry(&ours);
            match theirs.iter().position(|t| t.as_deref() == Some(&masked)) {
                Some(index) => theirs[index] = None,
                None => panic!("{user}: no unused recorded entry equals:\n{masked}"),
            }
            delivered += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    delivered
}

#[test]
fn public_postfix_submission_corpus_through_the_native_server() {
    // 587: 05, 08, 21, 28 (mom); 465: 02. The year ends meanwhile.
    assert_eq!(
        check("postfix", "postfix-3.7.11-debian", "2026-12-31T23:59:58Z"),
        5
    );
}

#[test]
fn public_exim_submission_corpus_through_the_native_server() {
    assert_eq!(check("exim", "exim-4.96-debian", "2027-03-09T23:59:58Z"), 5);
}

#[test]
fn public_sendmail_submission_corpus_through_the_native_server() {
    // 587: 05, 08, 28; 465: 02 (21 was refused: EHLO pipelined).
    assert_eq!(
        check(
            "sendmail",
            "sendmail-8.17.1.9-debian",
            "2028-02-29T23:59:58Z"
        ),
        4
    );
}
