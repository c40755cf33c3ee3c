//! Real clients against `smtplab serve`'s submission services, with real
//! TLS: Python's smtplib (`starttls()` and `login()` on 587, `SMTP_SSL` on
//! 465), swaks against every personality, and `openssl s_client` on 587,
//! whose terminal output must equal the recorded capture line for line
//! once the fields its README names as varying are masked (and the lines
//! that describe the TLS library rather than the mail server are compared
//! for their form only).

use std::path::{Path, PathBuf};
use std::process::Command;

use smtplab_corpus::{
    line_diff, mask_entry, mask_tool_line, project_dir, split_entries, submission_command, Server,
};

fn start(personality: &str, spool: &Path) -> Server {
    Server::start(2, |ports| {
        submission_command(
            env!("CARGO_BIN_EXE_smtplab"),
            ports,
            personality,
            spool,
            "2027-01-08T23:59:58Z",
        )
    })
}

fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smtplab-clients-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn delivered(spool: &Path, user: &str) -> Vec<String> {
    std::fs::read_to_string(spool.join(user))
        .map(|text| split_entries(&text))
        .unwrap_or_default()
}

/// What Python's smtplib does with the submission ports: STARTTLS and
/// LOGIN on 587, TLS from the start on 465, and a wrong password.
const SMTPLIB: &str = r#"
import smtplib, ssl, sys
host, starttls_port, tls_port = "127.0.0.1", int(sys.argv[1]), int(sys.argv[2])
context = ssl._create_unverified_context()
message = "Subject: from smtplib\r\n\r\nhello\r\n"
with smtplib.SMTP(host, starttls_port, local_hostname="client.example.no", source_address=("127.0.0.2", 0)) as s:
    s.starttls(context=context)
    s.login("mom", "mom-password")
    s.sendmail("mom@example.com", ["alice@example.com"], message)
with smtplib.SMTP_SSL(host, tls_port, local_hostname="client.example.no", context=context, source_address=("127.0.0.2", 0)) as s:
    s.login("mom", "mom-password")
    s.sendmail("mom@example.com", ["alice@example.com"], message)
try:
    with smtplib.SMTP(host, starttls_port, local_hostname="client.example.no", source_address=("127.0.0.2", 0)) as s:
        s.starttls(context=context)
        s.login("mom", "wrong")
    print("wrong password accepted")
    sys.exit(1)
except smtplib.SMTPAuthenticationError as error:
    print("refused", error.smtp_code)
"#;

#[test]
fn python_smtplib_logs_in_and_sends_on_every_server() {
    for personality in [
        "postfix-3.7.11-debian",
        "exim-4.96-debian",
        "sendmail-8.17.1.9-debian",
        "sendmail-8.13.8",
    ] {
        let work = work_dir(&format!("smtplib-{personality}"));
        let spool = work.join("spool");
        let server = start(personality, &spool);
        let output = Command::new("python3")
            .args(["-c", SMTPLIB])
            .arg(server.port(0).to_string())
            .arg(server.port(1).to_string())
            .output()
            .expect("python3 runs");
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{personality}: {printed}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(printed.trim(), "refused 535", "{personality}");
        let entries = delivered(&spool, "alice");
        assert_eq!(entries.len(), 2, "{personality}: {entries:?}");
        assert!(entries.iter().all(|e| e.contains("Subject: from smtplib")));
        let _ = std::fs::remove_dir_all(&work);
    }
}

/// The swaks the setup script installs (Debian's 20201014).
fn swaks() -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("swaks"))
        .find(|path| path.exists());
    found.expect("swaks is installed (scripts/setup.sh --clients installs it)")
}

#[test]
fn swaks_against_every_server() {
    let swaks = swaks();
    for personality in [
        "postfix-3.7.11-debian",
        "exim-4.96-debian",
        "sendmail-8.17.1.9-debian",
        "sendmail-8.13.8",
    ] {
        let work = work_dir(&format!("swaks-{personality}"));
        let spool = work.join("spool");
        let server = start(personality, &spool);
        let run = |port: u16, extra: &[&str], password: &str| {
            let output = Command::new(&swaks)
                .args(["--to", "alice@example.com", "--from", "mom@example.com"])
                .args(["--server", &format!("127.0.0.1:{port}")])
                .args(["--local-interface", "127.0.0.2"])
                .args(["--auth", "LOGIN", "--auth-user", "mom"])
                .args(["--auth-password", password])
                .args(extra)
                .output()
                .expect("swaks runs");
            // swaks writes its *** lines to stderr.
            (
                output.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).into_owned(),
            )
        };
        let (status, printed) = run(server.port(0), &["--tls"], "mom-password");
        assert_eq!(status, 0, "{personality}:\n{printed}");
        assert!(
            printed.contains("=== TLS started with cipher TLSv1.3"),
            "{printed}"
        );
        let (status, printed) = run(server.port(1), &["--tls-on-connect"], "mom-password");
        assert_eq!(status, 0, "{personality}:\n{printed}");
        let (status, printed) = run(server.port(0), &["--tls"], "wrong-password");
        assert_eq!(status, 28, "{personality}:\n{printed}");
        assert!(printed.contains("*** No authentication type succeeded"));
        assert_eq!(delivered(&spool, "alice").len(), 2, "{personality}");
        let _ = std::fs::remove_dir_all(&work);
    }
}

#[test]
fn openssl_s_client_prints_what_the_recording_shows() {
    let work = work_dir("openssl");
    let spool = work.join("spool");
    let server = start("postfix-3.7.11-debian", &spool);
    let capture = project_dir().join("tests/corpus/submission/clients/capture.py");
    let recorded =
        project_dir().join("tests/corpus/submission/clients/openssl/a-starttls-crlf.txt");
    let out = work.join("a-starttls-crlf");
    let typed = [
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
    let mut command = Command::new("python3");
    command.arg(&capture).arg("--out").arg(&out);
    for line in typed {
        command.arg(format!("--type={line}"));
    }
    // The harness types a line once the output has been quiet a while;
    // its defaults (3 s, then 0.8 s), with room for a loaded machine.
    command.args([
        "--quiet",
        "1.2",
        "--",
        "openssl",
        "s_client",
        "-starttls",
        "smtp",
        "-crlf",
        // The recording named the host, so s_client sent it (SNI).
        "-servername",
        "mail.example.com",
        "-connect",
        &format!("127.0.0.1:{}", server.port(0)),
    ]);
    let status = command.status().expect("python3 runs capture.py");
    assert!(status.success());
    // A ticket's hex dump is as long as that library's ticket: one row
    // stands for it.
    let masked = |path: &Path| -> String {
        let mut lines: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| mask_tool_line(l, true))
            .collect();
        lines.dedup_by(|a, b| a == "<TICKET>" && b == "<TICKET>");
        lines.iter().map(|l| format!("{l}\n")).collect()
    };
    let mut got_path = out.clone();
    got_path.set_extension("txt");
    let (want, got) = (masked(&recorded), masked(&got_path));
    assert!(want == got, "s_client differs:\n{}", line_diff(&want, &got));
    // What landed equals what the recorded Postfix wrote for that client
    // (on 127.0.0.1, so with the headers Postfix adds for its own
    // addresses).
    let ours = delivered(&spool, "alice");
    let recorded = std::fs::read_to_string(
        project_dir()
            .join("tests/corpus/submission/clients/openssl/_mailboxes/a-starttls-crlf/alice.mbox"),
    )
    .unwrap();
    let theirs = split_entries(&recorded);
    assert_eq!(ours.len(), 1);
    assert_eq!(mask_entry(&ours[0]), mask_entry(&theirs[0]));
    let _ = std::fs::remove_dir_all(&work);
}

/// POP3S and IMAPS: Python's `POP3_SSL` and `IMAP4_SSL` read back, over
/// TLS from the first byte, what was delivered.
#[test]
fn pop3s_and_imaps_read_mail_back() {
    let work = work_dir("tls-mail");
    let spool = work.join("spool");
    // One server: its store is the spool it read at start, and what it
    // delivers since.
    let server = Server::start(4, |ports| {
        let mut command = submission_command(
            env!("CARGO_BIN_EXE_smtplab"),
            ports,
            "postfix-3.7.11-debian",
            &spool,
            "2027-01-08T23:59:58Z",
        );
        command.args(["--pop3s", &format!("127.0.0.1:{}", ports[2])]);
        command.args(["--imaps", &format!("127.0.0.1:{}", ports[3])]);
        command
    });
    let script = r#"
import poplib, imaplib, smtplib, ssl, sys
context = ssl._create_unverified_context()
with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=context) as s:
    s.login("mom", "mom-password")
    s.sendmail("mom@example.com", ["alice@example.com"], "Subject: over tls\r\n\r\nread me\r\n")
pop = poplib.POP3_SSL("127.0.0.1", int(sys.argv[2]), context=context)
pop.user("alice")
pop.pass_("alice-password")
print(pop.stat()[0])
pop.quit()
imap = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[3]), ssl_context=context)
imap.login("alice", "alice-password")
imap.select("INBOX")
print(imap.search(None, "SUBJECT", '"over tls"')[1][0].decode())
imap.logout()
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(server.port(1).to_string())
        .arg(server.port(2).to_string())
        .arg(server.port(3).to_string())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "1\n1\n");
    let _ = std::fs::remove_dir_all(&work);
}
