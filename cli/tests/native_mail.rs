//! POP3 and IMAP through the native server against the recorded Dovecot
//! corpus: each public script is played by the corpus's own
//! protocol-aware driver from 127.0.0.2 against `smtplab serve --pop3
//! --imap`, with the seed mailboxes
//! copied into a fresh spool first, and the transcript must equal the
//! recording after the corpus's `normalize.py`, every driver note
//! included. Both login policies: the lab's (plaintext allowed) and
//! Debian's default (plaintext only over TLS).
//!
//! The mailbox files after each script must equal the recorded ones (the
//! seeds where the corpus has none), after the same `normalize.py`, which
//! masks the UIDVALIDITY Dovecot writes into them and the time of an
//! APPEND; so must the folders and subscriptions in `~/mail`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use smtplab_corpus::{project_dir, run_normalize, start_time, transcript_names, Server};

fn corpus() -> PathBuf {
    project_dir().join("tests/corpus/dovecot-2.3")
}

/// A server with SMTP on its first port, POP3 on its second and IMAP on
/// its third; the port of `protocol`.
fn start(world: &Path, spool: &Path, protocol: &str) -> (Server, u16) {
    let server = Server::start(3, |ports| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_smtplab"));
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{}", ports[0])])
            .args(["--pop3", &format!("127.0.0.1:{}", ports[1])])
            .args(["--imap", &format!("127.0.0.1:{}", ports[2])])
            .arg("--world")
            .arg(world)
            .arg("--spool")
            .arg(spool)
            // APPEND without a date takes the server's time; a month ends.
            .args(["--time", &start_time("2027-04-30T23:59:58Z")]);
        command
    });
    let port = server.port(if protocol == "imap" { 2 } else { 1 });
    (server, port)
}

fn normalize(path: &Path) -> String {
    let text = run_normalize(&corpus().join("tools/normalize.py"), &[path]);
    // Each server listens on its own port.
    text.lines()
        .map(|line| match line.find(" to 127.0.0.1:") {
            Some(at) if line.starts_with("-- connected from") => {
                format!("{} to 127.0.0.1:PORT", &line[..at])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The files of a `~/mail` folder, by name (dot files included).
fn folder_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.path().is_dir() {
                pending.push((entry.path(), format!("{name}/")));
            } else {
                out.push((name, entry.path()));
            }
        }
    }
    out.sort();
    out
}

/// Plays every transcript of `protocol` in `mode` (`lab` or
/// `debian-default`) with `world`; returns the failures.
fn check(protocol: &'static str, mode: &str, world: &str) -> Vec<String> {
    let world = project_dir().join("worlds").join(world);
    let folder = corpus().join(mode).join(protocol);
    let names = transcript_names(&folder);
    assert!(!names.is_empty());
    let work =
        std::env::temp_dir().join(format!("smtplab-{protocol}-{mode}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let handles: Vec<_> = names
        .into_iter()
        .map(|name| {
            let world = world.clone();
            let folder = folder.clone();
            let work = work.join(&name);
            std::thread::spawn(move || {
                let spool = work.join("spool");
                std::fs::create_dir_all(&spool).unwrap();
                for seed in std::fs::read_dir(corpus().join("seed")).unwrap() {
                    let seed = seed.unwrap().path();
                    std::fs::copy(&seed, spool.join(seed.file_name().unwrap())).unwrap();
                }
                let (_server, port) = start(&world, &spool, protocol);
                let out = work.join("out.txt");
                let status = Command::new("python3")
                    .arg(corpus().join("tools/driver.py"))
                    .arg(corpus().join("scripts").join(protocol).join(&name))
                    .args([
                        "--proto",
                        protocol,
                        "--port",
                        &port.to_string(),
                        "--source",
                        "127.0.0.2",
                    ])
                    .arg("--out")
                    .arg(&out)
                    .stdout(Stdio::null())
                    .status()
                    .expect("python3 runs driver.py");
                assert!(status.success(), "{name}: the driver failed");
                let want = normalize(&folder.join(&name));
                let got = normalize(&out);
                if want != got {
                    return Some(format!("--- {name}\nwant:\n{want}\ngot:\n{got}"));
                }
                let recorded = folder
                    .join("../_mailboxes")
                    .join(format!("{protocol}-{}", name.trim_end_matches(".txt")));
                for seed in std::fs::read_dir(corpus().join("seed")).unwrap() {
                    let user = seed.unwrap().file_name().to_string_lossy().to_string();
                    let expected = recorded.join(format!("{user}.mbox"));
                    let expected = if expected.exists() {
                        expected
                    } else {
                        corpus().join("seed").join(&user)
                    };
                    let (want, got) = (normalize(&expected), normalize(&spool.join(&user)));
                    if want != got {
                        return Some(format!(
                            "--- {name}: mailbox {user}\nwant:\n{want}\ngot:\n{got}"
                        ));
                    }
                    let want = folder_files(&recorded.join(format!("{user}-mail")));
                    let got = folder_files(&spool.join(format!("{user}-mail")));
                    let names = |files: &[(String, PathBuf)]| -> Vec<String> {
                        files.iter().map(|(n, _)| n.clone()).collect()
                    };
                    if names(&want) != names(&got) {
                        return Some(format!(
                            "--- {name}: folders of {user}: want {:?}, got {:?}",
                            names(&want),
                            names(&got)
                        ));
                    }
                    for ((file, want), (_, got)) in want.iter().zip(&got) {
                        let (want, got) = (normalize(want), normalize(got));
                        if want != got {
                            return Some(format!(
                                "--- {name}: {user}'s {file}\nwant:\n{want}\ngot:\n{got}"
                            ));
                        }
                    }
                }
                None
            })
        })
        .collect();
    let failures = handles
        .into_iter()
        .filter_map(|h| h.join().unwrap())
        .collect();
    let _ = std::fs::remove_dir_all(&work);
    failures
}

#[test]
fn lab_pop3_transcripts_through_the_native_server() {
    let failures = check("pop3", "lab", "corpus.json");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn debian_default_pop3_transcripts_through_the_native_server() {
    let failures = check("pop3", "debian-default", "corpus-debian-default.json");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lab_imap_transcripts_through_the_native_server() {
    let failures = check("imap", "lab", "corpus.json");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn debian_default_imap_transcripts_through_the_native_server() {
    let failures = check("imap", "debian-default", "corpus-debian-default.json");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
