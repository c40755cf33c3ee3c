//! Exim's rules where the public recordings do not show them: table-driven
//! sessions, each a list of client writes and the exact lines the engine
//! must answer, read from Exim 4.96's `smtp_in.c`, `receive.c` and
//! Debian's configuration.

use std::sync::Arc;

use smtplab_engine::personality::EXIM_4_96_DEBIAN;
use smtplab_engine::{Connection, Delivery, Event, Session, Timestamp, World};

struct Outcome {
    /// Every line the server sent, in order.
    lines: Vec<String>,
    closed: bool,
    deliveries: Vec<Delivery>,
}

/// Plays `writes` (each one arrival of bytes) after the banner.
fn play(writes: &[&[u8]]) -> Outcome {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 14334, 7);
    let mut session = Session::new(&EXIM_4_96_DEBIAN, Arc::new(world), connection);
    let now = Timestamp::parse_rfc3339("2026-11-29T20:16:48Z").unwrap();
    let mut actions = session.connect(now);
    actions.extend(session.greet(now));
    for write in writes {
        actions.extend(session.receive(write, now));
    }
    let mut lines = Vec::new();
    let mut deliveries = Vec::new();
    for action in actions {
        match action {
            Event::Reply(reply) => lines.extend(reply.render()),
            Event::Deliver(delivery) => deliveries.push(delivery),
            _ => {}
        }
    }
    // The banner.
    lines.remove(0);
    Outcome {
        lines,
        closed: session.is_closed(),
        deliveries,
    }
}

const EHLO_REPLY: &[&str] = &[
    "250-mail.example.com Hello client.example.no [127.0.0.2]",
    "250-SIZE 52428800",
    "250-8BITMIME",
    "250-PIPELINING",
    "250-PIPECONNECT",
    "250-CHUNKING",
    "250-STARTTLS",
    "250-PRDR",
    "250 HELP",
];

fn with_ehlo(rest: &[&str]) -> Vec<String> {
    EHLO_REPLY
        .iter()
        .chain(rest)
        .map(|s| s.to_string())
        .collect()
}

/// What a row is about, the client's writes, the lines the server
/// answers, and whether it then hangs up.
type Row<'a> = (&'a str, &'a [&'a [u8]], &'a [&'a str], bool);

#[test]
fn table_of_sessions() {
    let table: &[Row] = &[
        (
            "MAIL and RCPT pipelined after HELO: Exim accepts MAIL, sees the client did not wait, and hangs up",
            &[
                b"HELO client.example.no\r\n",
                b"MAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\n",
            ],
            &[
                "250 mail.example.com Hello client.example.no [127.0.0.2]",
                "554 SMTP synchronization error",
            ],
            true,
        ),
        (
            "after the first DATA, NOOP must end a pipelined group",
            &[
                b"EHLO client.example.no\r\n",
                b"DATA\r\n",
                b"NOOP\r\nNOOP\r\n",
            ],
            &[
                "503 valid RCPT command must precede DATA",
                "554 SMTP synchronization error",
            ],
            true,
        ),
        (
            "every RCPT refused the same way: DATA repeats the refusal",
            &[
                b"EHLO client.example.no\r\n",
                b"MAIL FROM:<a@b.example>\r\n",
                b"RCPT TO:<x@elsewhere.test>\r\n",
                b"RCPT TO:<y@elsewhere.test>\r\n",
                b"DATA\r\n",
            ],
            &[
                "250 OK",
                "550 relay not permitted",
                "550 relay not permitted",
                "503-All RCPT commands were rejected with this error:",
                "503-relay not permitted",
                "503 Valid RCPT command must precede DATA",
            ],
            false,
        ),
        (
            "a refusal Exim printed itself is repeated with its code",
            &[
                b"EHLO client.example.no\r\n",
                b"MAIL FROM:<a@b.example>\r\n",
                b"RCPT TO:<mom>\r\n",
                b"DATA\r\n",
            ],
            &[
                "250 OK",
                "501 <mom>: recipient address must contain a domain",
                "503-All RCPT commands were rejected with this error:",
                "503-501 <mom>: recipient address must contain a domain",
                "503 Valid RCPT command must precede DATA",
            ],
            false,
        ),
        (
            "the eleventh command outside a transaction ends the session",
            &[
                b"EHLO client.example.no\r\n",
                b"NOOP\r\n", b"NOOP\r\n", b"NOOP\r\n", b"NOOP\r\n", b"NOOP\r\n",
                b"VRFY a@b.example\r\n", b"HELP\r\n", b"EXPN x\r\n", b"NOOP\r\n",
                b"RSET\r\n", b"RSET\r\n", b"NOOP\r\n",
            ],
            &[
                "250 OK", "250 OK", "250 OK", "250 OK", "250 OK",
                "252 Administrative prohibition",
                "214-Commands supported:",
                "214 AUTH STARTTLS HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP",
                "550 Administrative prohibition",
                "250 OK",
                "250 Reset OK",
                "250 Reset OK",
                "554 Too many nonmail commands",
            ],
            true,
        ),
        (
            "arguments where none are taken, STARTTLS after HELO, AUTH",
            &[
                b"HELO client.example.no\r\n",
                b"QUIT now\r\n",
                b"STARTTLS\r\n",
                b"DATA please\r\n",
                b"AUTH PLAIN\r\n",
            ],
            &[
                "250 mail.example.com Hello client.example.no [127.0.0.2]",
                "501 unexpected argument data",
                "503 STARTTLS command used when not advertised",
                "501 unexpected argument data",
                "503-AUTH command used when not advertised",
                "503 Too many syntax or protocol errors",
            ],
            true,
        ),
        (
            "a HELO without a name, then one with an underscore",
            &[b"HELO\r\n", b"EHLO under_score.example\r\n", b"HELO [127.0.0.2]\r\n"],
            &[
                "501 Syntactically invalid HELO argument(s)",
                "501 Syntactically invalid EHLO argument(s)",
                "250 mail.example.com Hello client.example.no [127.0.0.2]",
            ],
            false,
        ),
        (
            "a line longer than Exim's 16384-byte buffer is two unknown commands",
            &[&[b'N'; 20_000], b"\r\n"],
            &["500 unrecognized command", "500 unrecognized command"],
            false,
        ),
        (
            "options: SIZE with digits only, BODY checked, unknown ones stay in the address",
            &[
                b"EHLO client.example.no\r\n",
                b"MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME\r\n",
                b"RSET\r\n",
                b"MAIL FROM:<a@b.example> FOO=bar\r\n",
                b"MAIL FROM:<a@b.example> BODY=9BIT\r\n",
                b"MAIL FROM:<a@b.example> PRDR\r\n",
                b"RCPT TO:<mom@example.com> NOTIFY=NEVER\r\n",
            ],
            &[
                "250 OK",
                "250 Reset OK",
                "501 <a@b.example> FOO=bar: malformed address: FOO=bar may not follow <a@b.example> ",
                "501 invalid data for BODY",
                "250 OK, PRDR Requested",
                "501 <mom@example.com> NOTIFY=NEVER: malformed address: NOTIFY=NEVER may not follow <mom@example.com> ",
            ],
            false,
        ),
        (
            "recipients: postmaster alone, restricted characters, unknown, relay",
            &[
                b"EHLO client.example.no\r\n",
                b"MAIL FROM:<>\r\n",
                b"RCPT TO:<postmaster>\r\n",
                b"RCPT TO:<.hidden@example.com>\r\n",
                b"RCPT TO:<|cmd@elsewhere.test>\r\n",
                b"RCPT TO:<MOM@Example.COM>\r\n",
                b"RCPT TO:<mom+tag@example.com>\r\n",
                b"RCPT TO:<>\r\n",
            ],
            &[
                "250 OK",
                "250 Accepted",
                "550 restricted characters in address",
                "550 restricted characters in address",
                "250 Accepted",
                "550 Unrouteable address",
                "501 <>: missing or malformed local part",
            ],
            false,
        ),
        (
            "a message with an unqualified To: is refused for its header syntax",
            &[
                b"EHLO client.example.no\r\n",
                b"MAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\n",
                b"To: mom\r\nSubject: hi\r\n\r\nbody\r\n.\r\n",
            ],
            &[
                "250 OK",
                "250 Accepted",
                "354 Enter message, ending with \".\" on a line by itself",
                "550 header syntax",
            ],
            false,
        ),
        (
            "BDAT: a chunk, then the last one",
            &[
                b"EHLO client.example.no\r\n",
                b"MAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\n",
                b"BDAT 12\r\nSubject: x\r\n",
                b"BDAT 6 LAST\r\nhello\n",
            ],
            &[
                "250 OK",
                "250 Accepted",
                "250 12 byte chunk received",
                "250- 6 byte chunk, total 19",
            ],
            false,
        ),
        (
            "after a chunk only BDAT may follow; then only RSET",
            &[
                b"EHLO client.example.no\r\n",
                b"MAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\n",
                b"BDAT 3\r\nabc",
                b"FROB\r\n",
                b"NOOP\r\n",
                b"RSET\r\n",
                b"MAIL FROM:<c@d.example>\r\n",
            ],
            &[
                "250 OK",
                "250 Accepted",
                "250 3 byte chunk received",
                "503 only BDAT permissible after non-LAST BDAT",
                "503 only RSET accepted now",
                "250 Reset OK",
                "250 OK",
            ],
            false,
        ),
    ];
    for (what, writes, expected, closed) in table {
        let outcome = play(writes);
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        if writes
            .first()
            .is_some_and(|w| w.starts_with(b"EHLO client.example.no"))
        {
            want = with_ehlo(expected);
        }
        let got = &outcome.lines;
        // The BDAT row's last reply carries a message id: compare its
        // first line only, then the id's form.
        if what.starts_with("BDAT: a chunk") {
            assert_eq!(&got[..want.len()], &want[..], "{what}");
            let last = got.last().unwrap();
            assert!(
                last.starts_with("250 OK id=1xXlKK-0003jC-"),
                "{what}: {last}"
            );
            assert_eq!(outcome.deliveries.len(), 1, "{what}");
            continue;
        }
        assert_eq!(got, &want, "{what}");
        assert_eq!(outcome.closed, *closed, "{what}: closed");
    }
}

#[test]
fn long_lines_and_bare_linefeeds_in_a_message() {
    let mut message = b"Subject: long\r\n\r\n".to_vec();
    message.extend_from_slice(&[b'x'; 999]);
    message.extend_from_slice(b"\r\n.\r\n");
    let outcome = play(&[
        b"EHLO client.example.no\r\n",
        b"MAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\n",
        &message,
    ]);
    assert_eq!(
        outcome.lines.last().unwrap(),
        "550 maximum allowed line length is 998 octets, got 999"
    );
    // 998 is allowed; bare LFs join lines (and count toward the length).
    let outcome = play(&[
        b"EHLO client.example.no\r\n",
        b"MAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\n",
        b"Subject: ok\r\n\r\none\ntwo\n.\nthree\r\n.\r\n",
    ]);
    assert!(outcome.lines.last().unwrap().starts_with("250 OK id="));
    let entry = String::from_utf8(outcome.deliveries[0].copies[0].entry.clone()).unwrap();
    assert!(
        entry.ends_with("Subject: ok\n\none two . three\n\n"),
        "{entry}"
    );
}

#[test]
fn mail_for_root_and_its_aliases_goes_to_var_mail_mail() {
    let outcome = play(&[
        b"EHLO client.example.no\r\n",
        b"MAIL FROM:<a@b.example>\r\nRCPT TO:<postmaster@example.com>\r\nRCPT TO:<nobody@example.com>\r\nRCPT TO:<root@example.com>\r\nDATA\r\n",
        b"Subject: to root\r\n\r\nhi\r\n.\r\n",
    ]);
    let copies = &outcome.deliveries[0].copies;
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].mailboxes, vec!["mail".to_string()]);
    let entry = String::from_utf8(copies[0].entry.clone()).unwrap();
    assert!(
        entry.contains(
            "Envelope-to: postmaster@example.com,\n nobody@example.com,\n root@example.com\n"
        ),
        "{entry}"
    );
}

#[test]
fn timeouts_in_commands_and_in_a_message() {
    let world = World::corpus();
    let connection = Connection::new(&world, "127.0.0.2", 14334, 7);
    let mut session = Session::new(&EXIM_4_96_DEBIAN, Arc::new(world.clone()), connection);
    let now = Timestamp::parse_rfc3339("2026-11-29T20:16:48Z").unwrap();
    session.connect(now);
    session.greet(now);
    let said = |actions: Vec<Event>| -> Vec<String> {
        actions
            .into_iter()
            .filter_map(|a| match a {
                Event::Reply(reply) => Some(reply.render().join("\n")),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        said(session.timeout(now)),
        ["421 mail.example.com: SMTP command timeout - closing connection"]
    );
    let connection = Connection::new(&world, "127.0.0.2", 14334, 7);
    let mut session = Session::new(&EXIM_4_96_DEBIAN, Arc::new(world), connection);
    session.connect(now);
    session.greet(now);
    session.receive(
        b"EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<mom@example.com>\r\nDATA\r\nSubject: x\r\n",
        now,
    );
    assert_eq!(
        said(session.timeout(now)),
        ["421 mail.example.com SMTP incoming data timeout - closing connection."]
    );
    assert!(session.is_closed());
}

#[test]
fn prdr_answers_for_each_recipient_before_the_message() {
    let outcome = play(&[
        b"EHLO client.example.no\r\n",
        b"MAIL FROM:<a@b.example> PRDR\r\nRCPT TO:<mom@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n",
        b"Subject: prdr\r\n\r\nhi\r\n.\r\n",
    ]);
    let tail: Vec<&str> = outcome.lines[outcome.lines.len() - 4..]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail[..3],
        [
            "353 PRDR content analysis beginning",
            "250 PRDR R=<mom@example.com> acceptance",
            "250 PRDR R=<alice@example.com> acceptance",
        ]
    );
    assert!(tail[3].starts_with("250 id=1xXlKK-0003jC-") && tail[3].ends_with(" message accepted"));
    // With one recipient PRDR changes nothing.
    let outcome = play(&[
        b"EHLO client.example.no\r\n",
        b"MAIL FROM:<a@b.example> PRDR\r\nRCPT TO:<mom@example.com>\r\nDATA\r\n",
        b"Subject: prdr\r\n\r\nhi\r\n.\r\n",
    ]);
    assert!(outcome.lines.last().unwrap().starts_with("250 OK id="));
}
