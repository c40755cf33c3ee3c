//! Helpers shared by the engine's and the native program's tests: the
//! project's copy of the recorded corpus, the same masking as the corpus's
//! `normalize.py`, and mbox entries masked for comparison.

use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn corpus_dir() -> PathBuf {
    project_dir().join("tests/corpus")
}

/// The transcripts (`*.txt`) of a corpus folder, sorted by name.
pub fn transcript_names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
}

/// `normalize.py`'s rules, in its order (`tests/normalize.rs` checks that
/// both mask every corpus file and every date format the same way).
fn rules() -> &'static [(Regex, &'static str)] {
    static RULES: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    RULES.get_or_init(|| {
        [
            (r"connected from 127\.0\.0\.2:\d+", "connected from 127.0.0.2:PORT"),
            // RFC 5322 dates; Postfix pads a one-digit day with a space.
            (
                r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), {1,2}\d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d( [+-]\d{4}| GMT| UTC)?( \(\w+\))?",
                "<DATE>",
            ),
            // Postfix's Message-Id, before Sendmail's queue id eats its digits.
            (r"<\d{14}\.[0-9A-F]{6,}@", "<<TIME>.<QID>@"),
            (r"\b[0-9A-Za-z]{8}\d{6}\b", "<QID>"),
            (r"queued as [0-9A-F]{6,}", "queued as <QID>"),
            (r"\b[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\b", "<QID>"),
            (r"^(S: 334 )\S+$", "${1}<CHALLENGE>"),
            // Delivered mail: the mbox `From ` line's date, Postfix's queue
            // ids in headers, and the MIME boundary of its bounces.
            (
                r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\b",
                "<DATE>",
            ),
            (r"(\bid |X-Postfix-Queue-ID: )[0-9A-F]{6,}\b", "${1}<QID>"),
            (r"\b[0-9A-F]{6,}\.\d{9,10}/", "<QID>.<TIME>/"),
        ]
        .into_iter()
        .map(|(pattern, replacement)| (Regex::new(pattern).expect("valid pattern"), replacement))
        .collect()
    })
}

/// Masks dates, queue ids, client ports and AUTH challenges in one line,
/// exactly as the corpus's `normalize.py` does.
pub fn normalize_line(line: &str) -> String {
    let mut out = line.to_string();
    for (pattern, replacement) in rules() {
        out = pattern.replace_all(&out, *replacement).into_owned();
    }
    out
}

/// The entries of an mbox file, each from its `From ` line to the next.
pub fn split_entries(mbox: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in mbox.split_inclusive('\n') {
        if line.starts_with("From ") || entries.is_empty() {
            entries.push(String::new());
        }
        if let Some(last) = entries.last_mut() {
            last.push_str(line);
        }
    }
    entries
}

/// Masks what differs between two deliveries of the same message:
/// everything `normalize.py` masks, the date stamp of a Sendmail
/// `Message-Id` (`<202611281309.6ASD91WO028238@`), which it leaves, and an
/// Exim id glued to the `E` of Exim's `Message-Id` (`<E1xa3gh-00019f-0s@`,
/// as the submission corpus's `normalize_exim.py` masks it). Every other
/// byte stays.
pub fn mask_entry(entry: &str) -> String {
    static STAMP: OnceLock<Regex> = OnceLock::new();
    static EXIM_ID: OnceLock<Regex> = OnceLock::new();
    let stamp =
        STAMP.get_or_init(|| Regex::new(r"<(\d{12}|\d{14})\.[0-9A-Za-z]+@").expect("valid"));
    let exim_id = EXIM_ID.get_or_init(|| {
        Regex::new(r"\bE[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\b").expect("valid")
    });
    let entry = stamp.replace_all(entry, "<<STAMP>.<QID>@");
    exim_id
        .replace_all(&entry, "E<QID>")
        .split_inclusive('\n')
        .map(|line| {
            let (text, end) = match line.strip_suffix('\n') {
                Some(text) => (text, "\n"),
                None => (line, ""),
            };
            format!("{}{end}", normalize_line(text))
        })
        .collect()
}

/// The environment variable that sets every native test server's clock.
pub const TEST_TIME: &str = "SMTPLAB_TEST_TIME";

/// The moment (RFC 3339) a native test's server starts its clock at
/// (`smtplab serve --time`): `SMTPLAB_TEST_TIME` when set, so the whole
/// suite can be run on a chosen day, or else `default`, which each test
/// picks a second or two before a midnight (and a month's end), so that
/// its sessions straddle it and see one- and two-digit days.
///
/// The moment is given in UTC (`...Z`): the servers' clock keeps the zone
/// it is given, and the corpus was recorded on machines on UTC, whose
/// dates the comparisons expect (Postfix names the zone, `(UTC)`).
pub fn start_time(default: &str) -> String {
    let time = std::env::var(TEST_TIME).unwrap_or_else(|_| default.to_string());
    assert!(
        time.ends_with('Z'),
        "{TEST_TIME}={time:?}: give the moment in UTC, as 2027-02-01T00:00:00Z"
    );
    time
}

/// The output of a corpus's `normalize.py` (`script`) over `files`; a
/// normalizer that fails (a file it cannot read, a Python error) fails the
/// test rather than masking nothing.
pub fn run_normalize(script: &Path, files: &[&Path]) -> String {
    let output = std::process::Command::new("python3")
        .arg(script)
        .args(files)
        .output()
        .expect("python3 runs normalize.py");
    assert!(
        output.status.success(),
        "{} {files:?} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A server process a native test started, stopped however the test ends.
pub struct Server {
    child: std::process::Child,
    ports: Vec<u16>,
}

/// Tests run side by side: ports are picked and bound by one server at a
/// time, so no two servers get the same.
static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `count` distinct free loopback ports: all are held until every one is
/// picked (a port let go at once can be handed out again at the next ask).
fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..count)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port"))
        .collect();
    listeners
        .iter()
        .map(|listener| listener.local_addr().expect("a bound address").port())
        .collect()
}

impl Server {
    /// Picks `count` distinct free loopback ports, starts what `command`
    /// makes of them, and waits until every port accepts connections.
    /// Ports come from the range the kernel also hands to outgoing
    /// connections, so a port can be taken before the server binds it;
    /// then the server exits and is started again on other ports.
    pub fn start(count: usize, command: impl Fn(&[u16]) -> std::process::Command) -> Server {
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        for _attempt in 0..5 {
            let ports = free_ports(count);
            let child = command(&ports)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start the server");
            let mut server = Server { child, ports };
            if server.wait_until_listening() {
                return server;
            }
        }
        panic!("the server did not start");
    }

    /// Whether the server listens on every port within ten seconds
    /// (false when it exited, having found a port taken).
    fn wait_until_listening(&mut self) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut waiting: Vec<u16> = self.ports.clone();
        while std::time::Instant::now() < deadline {
            waiting.retain(
                |&port| match std::net::TcpStream::connect(("127.0.0.1", port)) {
                    // A connection to a port nobody listens on can meet itself
                    // (TCP's simultaneous open, when the kernel picks the same
                    // port for this end): that is not the server.
                    Ok(stream) => stream.local_addr().ok() == stream.peer_addr().ok(),
                    Err(_) => true,
                },
            );
            if waiting.is_empty() {
                // Still running once all its ports answered (a server that
                // failed on its last port may have answered on the others).
                return !matches!(self.child.try_wait(), Ok(Some(_)));
            }
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }

    /// The `index`-th port it was given.
    pub fn port(&self, index: usize) -> u16 {
        self.ports[index]
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tiny deterministic generator, so a failing random session can be
/// replayed from its seed.
pub struct Generator(pub u64);

impl Generator {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The lines where two texts differ, numbered, for a failure message.
pub fn line_diff(want: &str, got: &str) -> String {
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

/// A line a client tool printed in a terminal (`openssl s_client`,
/// `swaks`), with the fields that vary between two runs of the same
/// capture masked, as the captures' README names them: session ids,
/// resumption keys, ticket dumps, start times, queue ids, swaks's dates
/// and Message-Id, the thread id of an OpenSSL error line. With `library`,
/// the lines that describe the TLS library rather than the mail server
/// (byte counts, signature, key exchange, ticket lifetime, renegotiation)
/// keep only their label.
pub fn mask_tool_line(line: &str, library: bool) -> String {
    const LIBRARY: &[&str] = &[
        "SSL handshake has read ",
        "Peer signature type: ",
        "Peer signing digest: ",
        "Server Temp Key: ",
        "    TLS session ticket lifetime hint: ",
        "Secure Renegotiation ",
    ];
    const VARYING: &[&str] = &[
        "    Session-ID: ",
        "    Resumption PSK: ",
        "    Start Time: ",
        " ~> Date: ",
        " -> Date: ",
        " ~> Subject: test ",
        " -> Subject: test ",
        " ~> Message-Id: ",
        " -> Message-Id: ",
    ];
    if let Some(label) = LIBRARY.iter().find(|l| library && line.starts_with(*l)) {
        return format!("{label}<LIBRARY>");
    }
    if let Some(label) = VARYING.iter().find(|l| line.starts_with(*l)) {
        return format!("{label}<VARIES>");
    }
    let hex_row = line.len() > 11
        && line.starts_with("    ")
        && line[4..8].chars().all(|c| c.is_ascii_hexdigit())
        && &line[8..11] == " - ";
    if hex_row {
        return "<TICKET>".to_string();
    }
    if let Some(at) = line.find("queued as ") {
        return format!("{}<QID>", &line[..at + 10]);
    }
    if let Some(at) = line.find(" Message accepted for delivery") {
        return format!("<QID>{}", &line[at..]);
    }
    if let Some((_, rest)) = line.split_once(":error:") {
        return format!("<THREAD>:error:{rest}");
    }
    line.to_string()
}

/// `smtplab serve` (the program at `binary`) with `personality`'s
/// submission services on `ports` (587, then 465), the corpus world and
/// `spool`, its clock started at `time`.
pub fn submission_command(
    binary: &str,
    ports: &[u16],
    personality: &str,
    spool: &Path,
    time: &str,
) -> std::process::Command {
    let mut command = std::process::Command::new(binary);
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--submission", &format!("127.0.0.1:{}", ports[0])])
        .args(["--submissions", &format!("127.0.0.1:{}", ports[1])])
        .args(["--personality", personality])
        .arg("--world")
        .arg(project_dir().join("worlds/corpus.json"))
        .arg("--spool")
        .arg(spool)
        .args(["--time", &start_time(time)]);
    command
}
