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
            if let Action::Reply(reply) = action {
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
