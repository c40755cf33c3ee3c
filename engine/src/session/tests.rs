//! Table-driven tests of single replies.

use super::*;
use crate::personality::Personality;
use crate::personality::{SENDMAIL_8_13_8, SENDMAIL_8_17_DEBIAN};

fn replies_to(personality: &'static Personality, lines: &[&str]) -> Vec<String> {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 1, 0);
    let mut session = Session::new(personality, Arc::new(world), connection);
    let now = Timestamp::new(1_800_000_000, 0);
    session.connect(now);
    session.greet(now);
    let mut out = Vec::new();
    for line in lines {
        for action in session.receive(format!("{line}\r\n").as_bytes(), now) {
            if let Event::Reply(reply) = action {
                out.extend(reply.render());
            }
        }
    }
    out
}

/// (commands after EHLO, the last reply line)
#[test]
fn command_replies() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["MAIL FROM:<a@b.example> SIZE"],
            "250 2.1.0 <a@b.example>... Sender ok",
        ),
        (
            &["MAIL FROM:<a@b.example> BODY"],
            "501 5.5.2 BODY requires a value",
        ),
        (
            &["MAIL FROM:<a@b.example> BODY=7BIT"],
            "250 2.1.0 <a@b.example>... Sender ok",
        ),
        (
            &["MAIL FROM:<a@b.example> BODY=BINARYMIME"],
            "501 5.5.4 Unknown BODY type BINARYMIME",
        ),
        (
            &["MAIL FROM:<a@b.example> RET=ALL"],
            "501 5.5.2 Bad argument \"ALL\" to RET",
        ),
        (
            &["MAIL FROM:<a@b.example> ENVID=x ENVID=y"],
            "501 5.5.0 Duplicate ENVID parameter",
        ),
        (
            &["MAIL FROM:<a@b.example> FOO=bar"],
            "555 5.5.4 FOO parameter unrecognized",
        ),
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:<mom@example.com> NOTIFY=NEVER,SUCCESS",
            ],
            "501 5.5.4 Bad argument \"NEVER,SUCCESS\"  to NOTIFY",
        ),
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:<mom@example.com> NOTIFY=SUCCESS,DELAY",
            ],
            "250 2.1.5 <mom@example.com>... Recipient ok",
        ),
        (
            &["MAIL FROM:<a@b.example>", "RCPT TO:<mom@example.com> ORCPT"],
            "501 5.5.2 ORCPT requires a value",
        ),
        (
            &["MAIL FROM:<a@b.example>", "RCPT TO:<>"],
            "553 5.0.0 <>... User address required",
        ),
        (
            &["MAIL FROM:<a@b.example>", "RCPT TO:<postmaster>"],
            "250 2.1.5 <postmaster>... Recipient ok",
        ),
        (&["HELO bad name here"], "501 5.0.0 Invalid domain name"),
        (&["ehlo"], "501 5.0.0 ehlo requires domain address"),
        (&["HELP rs"], "214 2.0.0 End of HELP info"),
        (
            &["HELP nonexistenttopic"],
            "504 5.3.0 HELP topic \"nonexisten\" unknown",
        ),
        (
            &["VRFY postmaster"],
            "250 2.1.5 <postmaster@mail.example.com>",
        ),
        (
            &["EXPN postmaster"],
            "250 2.1.5 root <root@mail.example.com>",
        ),
        (
            &["STARTTLS now"],
            "501 5.5.2 Syntax error (no parameters allowed)",
        ),
        (
            &["AUTH CRAM-MD5", "bm90IGJhc2U2NA=="],
            "535 5.7.0 authentication failed",
        ),
        (
            &["AUTH CRAM-MD5", "!!"],
            "501 5.5.4 cannot decode AUTH parameter !!",
        ),
        (
            &["MAIL FROM:<a@b.example>", "AUTH CRAM-MD5"],
            "503 5.5.0 AUTH not permitted during a mail transaction",
        ),
        (
            &["SEND FROM:<a@b>"],
            "502 5.5.1 Command not implemented: \"SEND FROM:<a@b>\"",
        ),
        // A recipient given again is answered as it stands in the list.
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:<mom@example.com>",
                "RCPT TO:<MOM@Mail.Example.COM>",
            ],
            "250 2.1.5 <mom@example.com>... Recipient ok",
        ),
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:mom",
                "RCPT TO:<mom@example.com>",
            ],
            "250 2.1.5 mom... Recipient ok",
        ),
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:<mom@example.com>",
                "RCPT TO:<alice@example.com>",
            ],
            "250 2.1.5 <alice@example.com>... Recipient ok",
        ),
    ];
    for (lines, last) in cases {
        let mut all = vec!["EHLO client.example.no"];
        all.extend_from_slice(lines);
        let replies = replies_to(&SENDMAIL_8_17_DEBIAN, &all);
        assert_eq!(replies.last().map(String::as_str), Some(*last), "{lines:?}");
    }
}

#[test]
fn personalities_differ_only_where_their_data_does() {
    let old = replies_to(
        &SENDMAIL_8_13_8,
        &["MAIL FROM:<a@b.example>", "AUTH LOGIN", "STARTTLS"],
    );
    assert_eq!(
        old,
        [
            "250 2.1.0 <a@b.example>... Sender ok",
            "500 5.5.1 Command unrecognized: \"AUTH LOGIN\"",
            "503 5.5.0 TLS not available",
        ]
    );
    let new = replies_to(
        &SENDMAIL_8_17_DEBIAN,
        &["MAIL FROM:<a@b.example>", "STARTTLS"],
    );
    assert_eq!(
        new,
        [
            "503 5.0.0 Polite people say HELO first",
            "454 4.3.3 TLS not available after start"
        ]
    );
}

/// (commands after EHLO, the last reply line) for Postfix: the rules the
/// recordings do not show, from `smtpd.c`.
#[test]
fn postfix_command_replies() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["MAIL FROM:<a@b.example> BODY=BINARYMIME"],
            "555 5.5.4 Unsupported option: BODY=BINARYMIME",
        ),
        (
            &["MAIL FROM:<a@b.example> RET=FULL RET=HDRS"],
            "501 5.5.4 Bad RET parameter syntax",
        ),
        (
            &["MAIL FROM:<a@b.example> ENVID=a=b"],
            "501 5.5.4 Bad ENVID parameter syntax",
        ),
        (
            &["MAIL FROM:<a@b.example>", "RCPT TO:<>"],
            "501 5.1.3 Bad recipient address syntax",
        ),
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:<mom@example.com> NOTIFY=NEVER,SUCCESS",
            ],
            "501 5.5.4 Error: Bad NOTIFY parameter syntax",
        ),
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:<mom@example.com> ORCPT=rfc822;mom@example.com",
            ],
            "250 2.1.5 Ok",
        ),
        (
            &["MAIL FROM:<a@b.example>", "RCPT TO:<mom+news@example.com>"],
            "250 2.1.5 Ok",
        ),
        (
            &[
                "MAIL FROM:<a@b.example>",
                "RCPT TO:<mom@example.com>",
                "DATA now",
            ],
            "501 5.5.4 Syntax: DATA",
        ),
        (&["ETRN"], "500 Syntax: ETRN domain"),
        (
            &["ETRN @example.com"],
            "459 <example.com>: service unavailable",
        ),
        (&["ETRN bad..name"], "501 Error: invalid parameter syntax"),
        (
            &["MAIL FROM:<a@b.example>", "ETRN example.com"],
            "503 Error: MAIL transaction in progress",
        ),
        (&["RSET x"], "501 5.5.4 Syntax: RSET"),
        (&["STARTTLS x"], "501 5.5.4 Syntax: STARTTLS"),
        (&["BDAT"], "521 5.5.4 Syntax: BDAT count [LAST]"),
        (&["BDAT 0"], "551 5.7.1 Null BDAT request"),
        (&["BDAT 0 LAST"], "503 5.5.1 Error: need RCPT command"),
        (&["HELO"], "501 Syntax: HELO hostname"),
        (&["ehlo"], "501 Syntax: EHLO hostname"),
        (&["VRFY postmaster"], "252 2.0.0 postmaster"),
        (
            &["VRFY <a b@example.com>"],
            "501 5.1.3 Bad recipient address syntax",
        ),
        (&["VRFY mom SMTPUTF8"], "252 2.0.0 mom"),
        (&["HELP"], "500 5.5.2 Error: command not recognized"),
        (
            &["Subject: hi"],
            "221 2.7.0 Error: I can break rules, too. Goodbye.",
        ),
        (
            &["CONNECT example.org:443"],
            "221 2.7.0 Error: I can break rules, too. Goodbye.",
        ),
    ];
    for (lines, last) in cases {
        let mut all = vec!["EHLO client.example.no"];
        all.extend_from_slice(lines);
        let replies = replies_to(&crate::personality::POSTFIX_3_7_DEBIAN, &all);
        assert_eq!(replies.last().map(String::as_str), Some(*last), "{lines:?}");
    }
}

/// BDAT: chunks are read whole, then answered; the last one delivers.
#[test]
fn postfix_takes_a_message_in_chunks() {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 1, 0);
    let mut session = Session::new(
        &crate::personality::POSTFIX_3_7_DEBIAN,
        Arc::new(world),
        connection,
    );
    let now = Timestamp::new(1_800_000_000, 0);
    session.connect(now);
    let mut replies = Vec::new();
    let mut delivered = Vec::new();
    let input: &[&[u8]] = &[
        b"EHLO client.example.no\r\n",
        b"MAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\n",
        b"BDAT 12\r\nSubject: x\r\n",
        b"BDAT 6 LAST\r\n",
        b"hi\r\n.",
        b"x",
        b"NOOP\r\n",
    ];
    for bytes in input {
        for action in session.receive(bytes, now) {
            match action {
                Event::Reply(reply) => replies.extend(reply.render()),
                Event::Deliver(d) => delivered.push(d),
                _ => {}
            }
        }
    }
    let entry = String::from_utf8(delivered.remove(0).copies.remove(0).entry).unwrap();
    // "hi" is not a header: cleanup puts the blank line before it.
    assert!(entry.ends_with("Subject: x\n\nhi\n.x\n\n"), "{entry}");
    assert_eq!(replies[replies.len() - 3], "250 2.0.0 Ok: 12 bytes");
    assert!(replies[replies.len() - 2].starts_with("250 2.0.0 Ok: 20 bytes queued as "));
    assert_eq!(replies[replies.len() - 1], "250 2.0.0 Ok");
}

/// Only an Exim session carries Exim's state, and it stays so whatever a
/// session of another server is sent.
#[test]
fn a_session_carries_only_its_own_servers_state() {
    for &personality in crate::personality::ALL {
        let world = Arc::new(World::corpus());
        let connection = Connection::new(&world, "127.0.0.2", 1, 0);
        let mut session = Session::new(personality, world, connection);
        let now = Timestamp::new(1_800_000_000, 0);
        session.connect(now);
        session.greet(now);
        session.receive(
            b"EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nBDAT 1 LAST\r\nx\
              RSET\r\nXYZZY\r\nQUIT\r\n",
            now,
        );
        let exim = personality.syntax == Syntax::Exim;
        assert_eq!(session.exim.is_some(), exim, "{}", personality.id);
    }
}
