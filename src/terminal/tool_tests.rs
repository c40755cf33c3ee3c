//! `openssl s_client` and `swaks` in the terminal against the recorded
//! terminal captures (`tests/corpus/submission/clients/`): what the
//! screen shows after the command equals what the real tool printed,
//! with only the fields the captures' README names as varying masked
//! (session ids, resumption keys, tickets, start times, queue ids, and
//! swaks's dates and Message-Id).

use smtplab_engine::personality::{
    Personality, EXIM_4_96_DEBIAN, POSTFIX_3_7_DEBIAN, SENDMAIL_8_17_DEBIAN,
};
use smtplab_engine::World;

use smtplab_engine::Timestamp;

use super::tests::screen;
use super::{Key, Terminal};

/// When the captures were made (a one-digit day, on UTC): Sendmail's
/// greeting, whose length s_client counts, has the date in it.
fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-12-06T04:22:34Z").unwrap()
}

fn type_line(terminal: &mut Terminal, line: &str) {
    for c in line.chars() {
        terminal.press(Key::Char(c), now());
    }
    terminal.press(Key::Enter, now());
}

fn capture(path: &str) -> Vec<String> {
    let file = format!(
        "{}/tests/corpus/submission/clients/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("[exit status"))
        .map(mask)
        .collect();
    // One harness wrote a blank line before the exit status.
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

fn mask(line: &str) -> String {
    smtplab_corpus::mask_tool_line(line, false)
}

fn terminal(personality: &'static Personality, client: (&str, &str)) -> Terminal {
    let mut world = World::corpus();
    world.client.address = client.0.to_string();
    world.client.name = client.1.to_string();
    let mut terminal = Terminal::new(world, personality, 1);
    terminal.timing = false;
    terminal
}

/// Runs `command` then types `lines`; returns the screen after the
/// command line, masked.
fn run(terminal: &mut Terminal, command: &str, lines: &[&str]) -> Vec<String> {
    let before = screen(terminal).len();
    type_line(terminal, command);
    for line in lines {
        type_line(terminal, line);
    }
    screen(terminal)[before + 1..]
        .iter()
        .map(|l| mask(l))
        .collect()
}

const LOGIN_AND_SEND: &[&str] = &[
    "EHLO client.example.no",
    "AUTH LOGIN",
    "bW9t",
    "bW9tLXBhc3N3b3Jk",
    "MAIL FROM:<mom@example.com>",
    "rcpt to:<alice@example.com>",
    "DATA",
    "Subject: via openssl",
    "",
    "hello",
    ".",
    "QUIT",
];

const LOCALHOST: (&str, &str) = ("127.0.0.1", "localhost");

fn assert_same(got: Vec<String>, want: Vec<String>, name: &str) {
    if got != want {
        let at = (0..got.len().max(want.len()))
            .find(|&i| got.get(i) != want.get(i))
            .unwrap_or(0);
        panic!(
            "{name} differs from line {}:\n  want {:?}\n  got  {:?}",
            at + 1,
            want.get(at..(at + 3).min(want.len())),
            got.get(at..(at + 3).min(got.len()))
        );
    }
}

#[test]
fn s_client_starttls_as_recorded() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "openssl/a-starttls-crlf.txt",
            "openssl s_client -starttls smtp -crlf -connect mail.example.com:587",
            LOGIN_AND_SEND,
        ),
        (
            "openssl/d-starttls-no-crlf.txt",
            "openssl s_client -starttls smtp -connect mail.example.com:587",
            LOGIN_AND_SEND,
        ),
        (
            "openssl/e1-brief.txt",
            "openssl s_client -brief -starttls smtp -crlf -connect mail.example.com:587",
            &["EHLO client.example.no", "QUIT"],
        ),
        (
            "openssl/e2-quiet.txt",
            "openssl s_client -quiet -starttls smtp -crlf -connect mail.example.com:587",
            &["EHLO client.example.no", "QUIT"],
        ),
        (
            "openssl/f-Q-after-ehlo.txt",
            "openssl s_client -starttls smtp -crlf -connect mail.example.com:587",
            &["EHLO client.example.no", "Q"],
        ),
        (
            "openssl/c-implicit-tls-465.txt",
            "openssl s_client -crlf -connect mail.example.com:465",
            &[
                "EHLO client.example.no",
                "AUTH PLAIN AG1vbQBtb20tcGFzc3dvcmQ=",
                "QUIT",
            ],
        ),
    ];
    for (file, command, lines) in cases {
        let mut terminal = terminal(&POSTFIX_3_7_DEBIAN, LOCALHOST);
        let got = run(&mut terminal, command, lines);
        assert_same(got, capture(file), file);
        assert_eq!(terminal.prompt(), "$ ", "{file}: back at the shell");
    }
}

/// A line that starts with R renegotiates instead of being sent: the
/// recipient never reaches the server, and nothing is delivered.
#[test]
fn the_r_trap() {
    let mut lines = LOGIN_AND_SEND.to_vec();
    lines[5] = "RCPT TO:<alice@example.com>";
    let mut terminal = terminal(&POSTFIX_3_7_DEBIAN, LOCALHOST);
    // s_client has ended at the R line; the rest goes to the shell.
    let got = run(
        &mut terminal,
        "openssl s_client -starttls smtp -crlf -connect mail.example.com:587",
        &lines[..6],
    );
    assert_same(
        got,
        capture("openssl/b-starttls-crlf-RCPT-uppercase.txt"),
        "the R trap",
    );
    assert!(terminal.mailboxes().file("alice").is_none());
}

#[test]
fn s_client_against_sendmail_as_recorded() {
    let mut terminal = terminal(&SENDMAIL_8_17_DEBIAN, LOCALHOST);
    let got = run(
        &mut terminal,
        "openssl s_client -starttls smtp -crlf -connect mail.example.com:587",
        &[
            "EHLO client.example.no",
            "AUTH LOGIN",
            "bW9t",
            "bW9tLXBhc3N3b3Jk",
            "QUIT",
        ],
    );
    // That installation made its own certificate (its PEM and dates
    // differ from the world's, which Postfix's recording presented).
    let certificate = |lines: Vec<String>| -> Vec<String> {
        let mut inside = false;
        lines
            .into_iter()
            .map(|line| {
                let masked = inside || line.starts_with("   v:NotBefore");
                inside =
                    (inside || line.starts_with("-----BEGIN")) && !line.starts_with("-----END");
                if masked || line.starts_with("-----BEGIN") {
                    "<CERTIFICATE>".to_string()
                } else {
                    line
                }
            })
            .collect()
    };
    assert_same(
        certificate(got),
        certificate(capture("openssl-sendmail/starttls-auth-login.run1.txt")),
        "Sendmail",
    );
}

const SWAKS_LOGIN: &str = "swaks --to alice@example.com --from mom@example.com --server mail.example.com:587 --tls --auth LOGIN --auth-user mom --auth-password mom-password";

#[test]
fn swaks_as_recorded() {
    let vm = ("127.0.0.2", "vm");
    let cases: &[(&str, String, &'static Personality, i32)] = &[
        (
            "swaks/g1-tls-auth-login.txt",
            SWAKS_LOGIN.to_string(),
            &POSTFIX_3_7_DEBIAN,
            0,
        ),
        (
            "swaks/g2-tls-auth-plain.txt",
            SWAKS_LOGIN.replace("LOGIN", "PLAIN"),
            &POSTFIX_3_7_DEBIAN,
            0,
        ),
        (
            "swaks/g3-wrong-password.txt",
            SWAKS_LOGIN.replace("mom-password", "wrong-password"),
            &POSTFIX_3_7_DEBIAN,
            28,
        ),
        (
            "swaks/g4-no-tls.txt",
            SWAKS_LOGIN.replace(" --tls", ""),
            &POSTFIX_3_7_DEBIAN,
            28,
        ),
        (
            "swaks/g4b-no-tls-no-auth.txt",
            "swaks --to alice@example.com --from mom@example.com --server mail.example.com:587"
                .to_string(),
            &POSTFIX_3_7_DEBIAN,
            23,
        ),
        (
            "swaks/g5-tls-on-connect-465.txt",
            SWAKS_LOGIN
                .replace("--tls", "--tls-on-connect")
                .replace(":587", ":465"),
            &POSTFIX_3_7_DEBIAN,
            0,
        ),
    ];
    for (file, command, personality, status) in cases {
        let mut terminal = terminal(personality, vm);
        let got: Vec<String> = run(&mut terminal, command, &[])
            .into_iter()
            .map(|l| {
                l.replace(":465...", ":2465...")
                    .replace(":587...", ":2587...")
            })
            .collect();
        assert_same(got, capture(file), file);
        assert_eq!(terminal.telnet.status, *status, "{file}: exit status");
        assert_eq!(terminal.prompt(), "$ ");
    }
    // Exim's recording: the same tool against Exim.
    let mut terminal = terminal(&EXIM_4_96_DEBIAN, vm);
    let got = run(&mut terminal, SWAKS_LOGIN, &[]);
    assert!(got.iter().any(|l| l == "<~  235 Authentication succeeded"));
    assert!(got.iter().any(|l| l.starts_with("<~  250 OK id=")));
}

/// telnet to the TLS port: the server says nothing in the clear and hangs
/// up at the first line.
#[test]
fn telnet_to_465_meets_silence() {
    let mut terminal = terminal(&POSTFIX_3_7_DEBIAN, LOCALHOST);
    let got = run(
        &mut terminal,
        "telnet mail.example.com 465",
        &["EHLO client.example.no"],
    );
    assert_eq!(
        got[..3],
        [
            "Trying 127.0.0.1...",
            "Connected to mail.example.com.",
            "Escape character is '^]'."
        ]
    );
    assert_eq!(got.last().unwrap(), "Connection closed by foreign host.");
    assert!(!got.iter().any(|l| l.starts_with("220")));
    // Ctrl+C and Ctrl+D leave a tool, not telnet's escape.
    type_line(
        &mut terminal,
        "openssl s_client -starttls smtp -connect mail.example.com:587",
    );
    terminal.press(Key::Ctrl('c'), now());
    assert_eq!(terminal.prompt(), "$ ");
}

/// s_client reaches Dovecot too: IMAPS on 993, STARTTLS on 110 (STLS).
#[test]
fn s_client_to_imaps_and_pop3_starttls() {
    let mut terminal = terminal(&POSTFIX_3_7_DEBIAN, LOCALHOST);
    let got = run(
        &mut terminal,
        "openssl s_client -quiet -connect mail.example.com:993",
        &["a1 LOGIN mom mom-password", "a2 LOGOUT"],
    );
    let greeting = got
        .iter()
        .position(|l| l.starts_with("* OK [CAPABILITY IMAP4rev1"));
    assert!(greeting.is_some(), "{got:?}");
    assert!(got.iter().any(|l| l.starts_with("a1 OK ")), "{got:?}");
    // STARTTLS is not offered inside TLS, and plain-text login is allowed.
    assert!(!got[greeting.unwrap()].contains("STARTTLS"), "{got:?}");
    let got = run(
        &mut terminal,
        "openssl s_client -quiet -starttls pop3 -connect mail.example.com:110",
        &["USER mom", "PASS mom-password", "QUIT"],
    );
    assert!(
        got.iter().any(|l| l.starts_with("+OK Logged in.")),
        "{got:?}"
    );
    assert_eq!(terminal.prompt(), "$ ");
}
