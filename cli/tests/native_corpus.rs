//! The native server against the recorded corpus, through a real socket:
//! the corpus's own driver plays every public Sendmail 8.17 script against
//! `smtplab serve` from 127.0.0.2, and each transcript must equal the
//! recorded one byte for byte after the corpus's `normalize.py`. The
//! delivered mail in the spool must equal entries of Sendmail's mailboxes.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn start_server(extra: &[&str], spool: &Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_smtplab"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--personality", "sendmail-8.17.1.9-debian"])
        .arg("--world")
        .arg(project_dir().join("worlds/corpus.json"))
        .arg("--spool")
        .arg(spool)
        .args(extra)
        .stderr(Stdio::null())
        .spawn()
        .expect("start smtplab serve");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The probe connection above counts as a client that went away; give
    // the server a moment, then go on.
    Server { child, port }
}

fn normalize(path: &Path) -> String {
    let output = Command::new("python3")
        .arg(project_dir().join("tests/corpus/tools/normalize.py"))
        .arg(path)
        .output()
        .expect("python3 runs normalize.py");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn public_sendmail_corpus_through_the_native_server() {
    let work = std::env::temp_dir().join(format!("smtplab-native-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("out")).unwrap();
    let spool = work.join("spool");
    let server = start_server(&[], &spool);
    let corpus = project_dir().join("tests/corpus");
    let mut names: Vec<String> = std::fs::read_dir(corpus.join("sendmail-8.17"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 30);
    let handles: Vec<_> = names
        .iter()
        .map(|name| {
            let script = corpus.join("scripts").join(name);
            let out = work.join("out").join(name);
            let port = server.port;
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
    for (name, handle) in names.iter().zip(handles) {
        let out = handle.join().unwrap();
        // The corpus was recorded on port 2525; this server has its own.
        let got = normalize(&out).replace(
            &format!("to 127.0.0.1:{}\n", server.port),
            "to 127.0.0.1:2525\n",
        );
        let want = normalize(&corpus.join("sendmail-8.17").join(name));
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

    // Every delivered entry equals one of Sendmail's, dates and ids masked.
    let mut delivered = 0;
    for entry in std::fs::read_dir(&spool).unwrap() {
        let path = entry.unwrap().path();
        let user = path.file_name().unwrap().to_string_lossy().to_string();
        let ours = std::fs::read_to_string(&path).unwrap();
        let theirs =
            std::fs::read_to_string(corpus.join(format!("sendmail-8.17/_mailboxes/{user}.mbox")))
                .unwrap();
        let theirs: Vec<String> = entries(&theirs).iter().map(|e| mask(e)).collect();
        for entry in entries(&ours) {
            assert!(
                theirs.contains(&mask(&entry)),
                "{user}: not in Sendmail's mailbox:\n{entry}"
            );
            delivered += 1;
        }
    }
    assert!(delivered >= 5, "only {delivered} messages delivered");
    let _ = std::fs::remove_dir_all(&work);
}

fn line_diff(want: &str, got: &str) -> String {
    let want: Vec<&str> = want.lines().collect();
    let got: Vec<&str> = got.lines().collect();
    let mut out = String::new();
    for i in 0..want.len().max(got.len()) {
        let (w, g) = (
            want.get(i).copied().unwrap_or("<none>"),
            got.get(i).copied().unwrap_or("<none>"),
        );
        if w != g {
            out.push_str(&format!("line {}:\n  want {w}\n  got  {g}\n", i + 1));
        }
    }
    out
}

fn entries(mbox: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in mbox.split_inclusive('\n') {
        if line.starts_with("From ") || out.is_empty() {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push_str(line);
        }
    }
    out
}

/// Masks dates, queue ids and Message-Id stamps of an mbox entry.
fn mask(entry: &str) -> String {
    let mut out = Vec::new();
    for line in entry.lines() {
        let mut words: Vec<String> = Vec::new();
        for word in line.split(' ') {
            let core = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let is_id = core.len() == 14 && core[8..].chars().all(|c| c.is_ascii_digit());
            let is_time =
                core.len() == 8 && core.as_bytes()[2] == b':' && core.as_bytes()[5] == b':';
            let masked = if is_id {
                word.replace(core, "<QID>")
            } else if is_time {
                word.replace(core, "<TIME>")
            } else if word.starts_with("<20") && word.contains('@') {
                format!("<STAMP.QID{}", &word[word.find('@').unwrap_or(0)..])
            } else {
                word.to_string()
            };
            words.push(masked);
        }
        let line = words.join(" ");
        // Days, months and years of the recording differ from today's.
        let line = line
            .split(' ')
            .map(|w| {
                if w.chars().all(|c| c.is_ascii_digit()) && (w.len() == 4 || w.len() <= 2) {
                    "<N>"
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let line = [
            "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May",
            "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .iter()
        .fold(line, |l, name| l.replace(name, "<W>"));
        out.push(line);
    }
    out.join("\n")
}
