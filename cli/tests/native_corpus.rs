//! The native server against the recorded corpora, through a real socket:
//! the corpus's own driver plays every public Sendmail 8.17, Postfix 3.7 and Exim 4.96
//! script against `smtplab serve` from 127.0.0.2, and each transcript must
//! equal the recorded one byte for byte after the corpus's `normalize.py`
//! (every driver note included: timeouts, resets, the TLS handshake). The
//! delivered mail in the spool must equal recorded entries one for one.

use std::path::Path;
use std::process::Command;

use smtplab_corpus::{
    line_diff, mask_entry, project_dir, run_normalize, split_entries, start_time, transcript_names,
    Server,
};

fn start_server(personality: &str, spool: &Path, time: &str) -> Server {
    Server::start(1, |ports| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_smtplab"));
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{}", ports[0])])
            .args(["--personality", personality])
            .arg("--world")
            .arg(project_dir().join("worlds/corpus.json"))
            .arg("--spool")
            .arg(spool)
            .args(["--time", &start_time(time)]);
        command
    })
}

fn normalize(path: &Path) -> String {
    run_normalize(
        &project_dir().join("tests/corpus/tools/normalize.py"),
        &[path],
    )
}

/// Plays every public script of `folder` against `smtplab serve` with
/// `personality` with its clock started at `time`, compares each
/// transcript after `normalize.py`, and matches every delivered entry to a
/// distinct recorded one. Returns how many copies were delivered.
fn check_native(folder: &str, personality: &str, time: &str) -> usize {
    let work = std::env::temp_dir().join(format!("smtplab-native-{folder}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("out")).unwrap();
    let spool = work.join("spool");
    let server = start_server(personality, &spool, time);
    let corpus = project_dir().join("tests/corpus");
    let names = transcript_names(&corpus.join(folder));
    assert_eq!(names.len(), 30);
    let handles: Vec<_> = names
        .iter()
        .map(|name| {
            let script = corpus.join("scripts").join(name);
            let out = work.join("out").join(name);
            let port = server.port(0);
            let driver = corpus.join("tools/driver.py");
            std::thread::spawn(move || {
                let status = Command::new("python3")
                    .arg(driver)
                    .arg(&script)
                    .args([
                        "--host",
                        "127.0.0.1",
                        "--port",
                        &port.to_string(),
                        "--source",
                        "127.0.0.2",
                    ])
                    .arg("--out")
                    .arg(&out)
                    .status()
                    .expect("python3 runs driver.py");
                assert!(status.success());
                out
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut recorded_port = String::new();
    for (name, handle) in names.iter().zip(handles) {
        let out = handle.join().unwrap();
        let want = normalize(&corpus.join(folder).join(name));
        // The corpus was recorded on its own port; this server has another.
        if let Some(port) = want
            .lines()
            .next()
            .and_then(|l| l.rsplit_once(':'))
            .map(|(_, p)| p.to_string())
        {
            recorded_port = port;
        }
        let got = normalize(&out).replace(
            &format!("to 127.0.0.1:{}\n", server.port(0)),
            &format!("to 127.0.0.1:{recorded_port}\n"),
        );
        if got != want {
            failures.push(format!("--- {name}\n{}", line_diff(&want, &got)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 30 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Every delivered entry equals one recorded entry, dates and ids
    // masked, and no recorded entry is used twice.
    let mut delivered = 0;
    for entry in std::fs::read_dir(&spool).unwrap() {
        let path = entry.unwrap().path();
        let user = path.file_name().unwrap().to_string_lossy().to_string();
        let ours = std::fs::read_to_string(&path).unwrap();
        let theirs =
            std::fs::read_to_string(corpus.join(format!("{folder}/_mailboxes/{user}.mbox")))
                .unwrap();
        let mut theirs: Vec<Option<String>> = split_entries(&theirs)
            .iter()
            .map(|e| Some(mask_entry(e)))
            .collect();
        for entry in split_entries(&ours) {
            let masked = mask_entry(&entry);
            let found = theirs
                .iter()
                .position(|t| t.as_deref() == Some(masked.as_str()));
            match found {
                Some(index) => theirs[index] = None,
                None => panic!("{user}: no unused entry of the recorded mailbox equals:\n{masked}"),
            }
            delivered += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    delivered
}

#[test]
fn public_sendmail_corpus_through_the_native_server() {
    // 01, 05, 23, and 35 (to mom and nobody); a leap day becomes the 1st.
    let time = "2028-02-29T23:59:58Z";
    assert_eq!(
        check_native("sendmail-8.17", "sendmail-8.17.1.9-debian", time),
        5
    );
}

#[test]
fn public_postfix_corpus_through_the_native_server() {
    // 01, 05, 23, 35 (to mom and nobody), 36 and 42; the year ends.
    let time = "2026-12-31T23:59:58Z";
    assert_eq!(
        check_native("postfix-3.7", "postfix-3.7.11-debian", time),
        7
    );
}

#[test]
fn public_exim_corpus_through_the_native_server() {
    // 01, 05, 23, 35 (mom, and nobody into /var/mail/mail), 36 and 42;
    // the 9th becomes the 10th.
    let time = "2027-03-09T23:59:58Z";
    assert_eq!(check_native("exim-4.96", "exim-4.96-debian", time), 7);
}
