//! Helpers shared by the engine's and the native program's tests: the
//! project's copy of the recorded corpus, the same masking as the corpus's
//! `normalize.py`, and mbox entries masked for comparison.

use regex::Regex;
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn corpus_dir() -> PathBuf {
    project_dir().join("tests/corpus")
}

/// The transcripts (`*.txt`) of a corpus folder, sorted by name.
pub fn transcript_names(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
}

/// `normalize.py`'s rules, in its order.
fn rules() -> &'static [(Regex, &'static str)] {
    static RULES: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    RULES.get_or_init(|| {
        [
            (r"connected from 127\.0\.0\.2:\d+", "connected from 127.0.0.2:PORT"),
            (
                r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d( [+-]\d{4}| GMT| UTC)?( \(\w+\))?",
                "<DATE>",
            ),
            (r"\b[0-9A-Za-z]{8}\d{6}\b", "<QID>"),
            (r"queued as [0-9A-F]{6,}", "queued as <QID>"),
            (r"\b[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\b", "<QID>"),
            (r"^(S: 334 )\S+$", "${1}<CHALLENGE>"),
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

/// Masks what differs between two deliveries of the same message: the
/// `From ` line's date, RFC 822 dates, queue ids (Sendmail's and
/// Postfix's `id ...`) and the date stamp of a `Message-Id`. Every other
/// byte stays.
pub fn mask_entry(entry: &str) -> String {
    static PATTERNS: OnceLock<[Regex; 3]> = OnceLock::new();
    let [from_line, postfix_id, stamp] = PATTERNS.get_or_init(|| {
        [
            Regex::new(r"(?m)^(From \S+  ?)\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$")
                .expect("valid"),
            Regex::new(r"\bid [0-9A-F]{10,12}\b").expect("valid"),
            Regex::new(r"<(\d{12}|\d{14})\.[0-9A-Za-z]+@").expect("valid"),
        ]
    });
    let masked = from_line.replace_all(entry, "${1}<CTIME>");
    let masked = stamp.replace_all(&masked, "<<STAMP>.<QID>@");
    let masked = postfix_id.replace_all(&masked, "id <QID>");
    masked
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
