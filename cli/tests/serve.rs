//! `smtplab serve` over a real socket: the tutorial session, STARTTLS with
//! a real client, real POP3 and IMAP clients reading back what was sent,
//! and the loopback-only rule.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use smtplab_corpus::{start_time, Server};
use smtplab_engine::Timestamp;

/// When the servers' clocks start: a second before the 8th ends.
const START: &str = "2027-01-08T23:59:59Z";

/// `smtplab serve` on `ports`, its clock started at [`START`].
fn smtplab_serve(ports: &[u16]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_smtplab"));
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{}", ports[0])])
        .args(["--time", &start_time(START)]);
    command
}

/// Starts `smtplab serve` with `arguments` on a free port and waits until
/// it accepts connections.
fn serve(arguments: &[&str]) -> (Server, u16) {
    let server = Server::start(1, |ports| {
        let mut command = smtplab_serve(ports);
        command.args(arguments);
        command
    });
    let port = server.port(0);
    (server, port)
}

#[test]
fn refuses_a_non_loopback_address_without_allow_remote() {
    let output = Command::new(env!("CARGO_BIN_EXE_smtplab"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-remote"));
}

#[test]
fn tutorial_session_over_tcp() {
    let (_server, port) = serve(&[]);
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut read_line = || {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        line
    };
    let banner = read_line();
    assert!(
        banner.starts_with("220 mail.example.com ESMTP Sendmail 8.13.8/8.13.8; "),
        "{banner}"
    );
    assert!(banner.ends_with("\r\n"));
    // The clock started where --time said (and ran on for the moments the
    // test took to get here: two minutes allow for a slow machine).
    let start = Timestamp::parse_rfc3339(&start_time(START)).unwrap();
    assert!(
        (0..120).any(|s| banner.contains(&start.plus_millis(s * 1000).rfc822())),
        "{banner}"
    );
    let exchanges: &[(&str, &str)] = &[
        ("HELO myserver.no", "250 mail.example.com Hello myclient.hostname.example.no [127.0.0.1], pleased to meet you\r\n"),
        ("MAIL from: sender@myclient.hostname.example.no", "250 2.1.0 sender@myclient.hostname.example.no... Sender ok\r\n"),
        ("RCPT to: mom@example.com", "250 2.1.5 mom@example.com... Recipient ok\r\n"),
        ("DATA", "354 Enter mail, end with \".\" on a line by itself\r\n"),
    ];
    for (command, reply) in exchanges {
        writer
            .write_all(format!("{command}\r\n").as_bytes())
            .unwrap();
        assert_eq!(read_line(), *reply);
    }
    writer
        .write_all(b"Hey\r\nThis is test email only\r\n\r\nThanks\r\n.\r\n")
        .unwrap();
    let accepted = read_line();
    assert!(
        accepted.starts_with("250 2.0.0 ")
            && accepted.ends_with(" Message accepted for delivery\r\n"),
        "{accepted}"
    );
    writer.write_all(b"QUIT\r\n").unwrap();
    assert_eq!(
        read_line(),
        "221 2.0.0 mail.example.com closing connection\r\n"
    );
    assert_eq!(read_line(), "", "the server closes after QUIT");
}

/// Python's smtplib starts TLS with `personality` and sends a message
/// inside it; returns mom's mailbox.
fn send_over_starttls(personality: &str) -> String {
    let spool =
        std::env::temp_dir().join(format!("smtplab-tls-{personality}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&spool);
    let world = concat!(env!("CARGO_MANIFEST_DIR"), "/../worlds/corpus.json");
    let spool_arg = spool.to_string_lossy().to_string();
    let (_server, port) = serve(&[
        "--personality",
        personality,
        "--world",
        world,
        "--spool",
        &spool_arg,
    ]);
    let client = format!(
        r#"
import smtplib, ssl
s = smtplib.SMTP("127.0.0.1", {port}, source_address=("127.0.0.2", 0), timeout=10)
s.ehlo()
assert s.has_extn("starttls")
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
code, _ = s.starttls(context=context)
assert code == 220
s.ehlo()
assert not s.has_extn("starttls")
s.sendmail("sender@client.example.no", ["mom@example.com"], "Subject: tls\r\n\r\nsent inside TLS\r\n")
s.quit()
"#
    );
    let status = Command::new("python3")
        .args(["-c", &client])
        .status()
        .expect("python3 runs");
    assert!(status.success());
    let mailbox = std::fs::read_to_string(spool.join("mom")).unwrap();
    let _ = std::fs::remove_dir_all(&spool);
    mailbox
}

/// Postfix writes `with ESMTPS` in its `Received:`, Exim `with esmtps`
/// and the TLS version and cipher (as Debian's GnuTLS names the TLS 1.3
/// suite: the submission corpus's Exim mailboxes show it).
#[test]
fn a_real_client_sends_mail_over_starttls() {
    let mailbox = send_over_starttls("postfix-3.7.11-debian");
    assert!(mailbox.contains("(Postfix) with ESMTPS id "), "{mailbox}");
    assert!(mailbox.contains("\nsent inside TLS\n"), "{mailbox}");
    let mailbox = send_over_starttls("exim-4.96-debian");
    assert!(
        mailbox.contains(
            "\tby mail.example.com with esmtps  (TLS1.3) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n\t(Exim 4.96)\n"
        ),
        "{mailbox}"
    );
    assert!(mailbox.contains("\nsent inside TLS\n"), "{mailbox}");
}

/// Real clients read back over POP3 and IMAP what Python's smtplib just
/// sent over SMTP: poplib, imaplib and curl's `pop3://` and `imap://`.
#[test]
fn real_clients_read_back_what_smtplib_sent() {
    let spool = std::env::temp_dir().join(format!("smtplab-readback-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&spool);
    let world = concat!(env!("CARGO_MANIFEST_DIR"), "/../worlds/corpus.json");
    let spool_arg = spool.to_string_lossy().to_string();
    let server = Server::start(3, |ports| {
        let mut command = smtplab_serve(ports);
        command
            .args(["--pop3", &format!("127.0.0.1:{}", ports[1])])
            .args(["--imap", &format!("127.0.0.1:{}", ports[2])])
            .args(["--world", world, "--spool", &spool_arg, "--no-delays"]);
        command
    });
    let (smtp, pop3, imap) = (server.port(0), server.port(1), server.port(2));
    let client = format!(
        r#"
import smtplib, poplib, imaplib
s = smtplib.SMTP("127.0.0.1", {smtp}, timeout=10)
s.sendmail("sender@client.example.no", ["mom@example.com"],
           "From: Sender <sender@client.example.no>\r\nTo: Mom <mom@example.com>\r\n"
           "Subject: read me back\r\n\r\nHello Mom,\r\nsent with smtplib.\r\n")
s.quit()

p = poplib.POP3("127.0.0.1", {pop3}, timeout=10)
p.user("mom")
p.pass_("mom-password")
count, size = p.stat()
assert count == 1, count
lines = p.retr(1)[1]
assert b"Subject: read me back" in lines, lines
assert b"sent with smtplib." in lines, lines
p.quit()

m = imaplib.IMAP4("127.0.0.1", {imap}, timeout=10)
m.login("mom", "mom-password")
typ, data = m.select("INBOX")
assert typ == "OK" and data == [b"1"], data
typ, data = m.search(None, "SUBJECT", '"read me back"')
assert data == [b"1"], data
typ, data = m.fetch("1", "(FLAGS BODY.PEEK[TEXT])")
assert typ == "OK" and b"sent with smtplib." in data[0][1], data
typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
assert b"\\Flagged" in data[0], data
m.logout()
"#
    );
    let status = Command::new("python3")
        .args(["-c", &client])
        .status()
        .expect("python3 runs");
    assert!(status.success(), "smtplib, poplib and imaplib");
    let curl = |url: String| {
        let output = Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "10"])
            .args(["--user", "mom:mom-password", &url])
            .output()
            .expect("curl runs");
        assert!(
            output.status.success(),
            "{url}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let by_pop3 = curl(format!("pop3://127.0.0.1:{pop3}/1"));
    assert!(by_pop3.contains("Subject: read me back"), "{by_pop3}");
    let by_imap = curl(format!("imap://127.0.0.1:{imap}/INBOX;UID=1"));
    assert!(by_imap.contains("sent with smtplib."), "{by_imap}");
    let mailbox = std::fs::read_to_string(spool.join("mom")).unwrap();
    assert!(
        mailbox.contains("X-Status: F"),
        "IMAP's flag in the file: {mailbox}"
    );
    let _ = std::fs::remove_dir_all(&spool);
}

/// Two of Python's imaplib connections to one native server share the
/// mailbox as Dovecot's index lets them: a flag one sets and a message it
/// appends are told to the other at its NOOP, `\Recent` once; a folder
/// made to hold folders (`CREATE name/`) is a directory in the spool.
#[test]
fn two_imap_clients_share_a_mailbox() {
    let spool = std::env::temp_dir().join(format!("smtplab-shared-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&spool);
    std::fs::create_dir_all(&spool).unwrap();
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/corpus/dovecot-2.3/seed/mom"
    );
    std::fs::copy(seed, spool.join("mom")).unwrap();
    let world = concat!(env!("CARGO_MANIFEST_DIR"), "/../worlds/corpus.json");
    let spool_arg = spool.to_string_lossy().to_string();
    let server = Server::start(2, |ports| {
        let mut command = smtplab_serve(ports);
        command
            .args(["--imap", &format!("127.0.0.1:{}", ports[1])])
            .args(["--world", world, "--spool", &spool_arg, "--no-delays"]);
        command
    });
    let client = format!(
        r#"
import imaplib
def connect():
    m = imaplib.IMAP4("127.0.0.1", {imap}, timeout=10)
    m.login("mom", "mom-password")
    return m
a, b = connect(), connect()
assert a.select("INBOX") == ("OK", [b"3"])
assert b.select("INBOX") == ("OK", [b"3"])
assert a.response("RECENT") == ("RECENT", [b"3"]), a.response("RECENT")
assert b.response("RECENT") == ("RECENT", [b"0"]), b.response("RECENT")
typ, data = a.store("2", "+FLAGS", "(\\Flagged)")
assert typ == "OK", data
typ, data = b.noop()
assert typ == "OK"
fetched = b.response("FETCH")[1]
assert fetched == [b"2 (FLAGS (\\Flagged))"], fetched
typ, data = a.append("INBOX", None, None, b"Subject: shared\r\n\r\nhello\r\n")
assert typ == "OK", data
b.noop()
exists = b.response("EXISTS")[1]
assert exists[-1] == b"4", exists
typ, data = b.fetch("4", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
assert b"Subject: shared" in data[0][1] and b"\\Recent" not in data[0][0], data
assert a.create("Work/")[0] == "OK"
assert a.create("Work/2026")[0] == "OK"
assert a.create("Work/2026/June")[0] == "NO"
a.logout()
b.logout()
"#,
        imap = server.port(1)
    );
    let status = Command::new("python3")
        .args(["-c", &client])
        .status()
        .expect("python3 runs");
    assert!(status.success(), "two imaplib clients");
    assert!(spool.join("mom-mail/Work").is_dir());
    assert!(spool.join("mom-mail/Work/2026").is_file());
    let mailbox = std::fs::read_to_string(spool.join("mom")).unwrap();
    assert!(mailbox.contains("X-Status: F"), "{mailbox}");
    assert!(mailbox.contains("Subject: shared"), "{mailbox}");
    let _ = std::fs::remove_dir_all(&spool);
}

/// A client in IMAP IDLE hears of a message as soon as SMTP delivers it.
#[test]
fn idle_hears_of_new_mail() {
    let spool = std::env::temp_dir().join(format!("smtplab-idle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&spool);
    let world = concat!(env!("CARGO_MANIFEST_DIR"), "/../worlds/corpus.json");
    let spool_arg = spool.to_string_lossy().to_string();
    let server = Server::start(2, |ports| {
        let mut command = smtplab_serve(ports);
        command
            .args(["--imap", &format!("127.0.0.1:{}", ports[1])])
            .args(["--world", world, "--spool", &spool_arg, "--no-delays"]);
        command
    });
    let imap = TcpStream::connect(("127.0.0.1", server.port(1))).unwrap();
    imap.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(imap.try_clone().unwrap());
    let mut writer = imap;
    let read_until = |reader: &mut BufReader<TcpStream>, want: &str| -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                panic!("closed before {want:?}: {seen:?}");
            }
            let done = line.starts_with(want);
            seen.push(line.trim_end().to_string());
            if done {
                return seen;
            }
        }
    };
    read_until(&mut reader, "* OK");
    writer
        .write_all(b"a LOGIN mom mom-password\r\nb SELECT INBOX\r\nc IDLE\r\n")
        .unwrap();
    let selected = read_until(&mut reader, "+ idling");
    assert!(selected.contains(&"* 0 EXISTS".to_string()), "{selected:?}");
    let mut smtp = TcpStream::connect(("127.0.0.1", server.port(0))).unwrap();
    smtp.write_all(
        b"HELO a.example\r\nMAIL FROM:<me@a.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\n\
          Subject: while idle\r\n\r\nhi\r\n.\r\nQUIT\r\n",
    )
    .unwrap();
    let told = read_until(&mut reader, "* 1 RECENT");
    assert_eq!(told, ["* 1 EXISTS", "* 1 RECENT"]);
    writer.write_all(b"DONE\r\nd LOGOUT\r\n").unwrap();
    let done = read_until(&mut reader, "d OK");
    assert!(done[0].starts_with("c OK Idle completed"), "{done:?}");
    let _ = std::fs::remove_dir_all(&spool);
}
