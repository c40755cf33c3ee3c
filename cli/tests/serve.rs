//! `smtplab serve` over a real socket: the tutorial session, and the
//! loopback-only rule.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_smtplab"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("{e}"),
        }
    };
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
    let _ = child.kill();
    let _ = child.wait();
}
