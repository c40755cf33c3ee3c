//! What lands in a recipient's mailbox: the message as Sendmail's local
//! delivery appends it to an mbox file.
//!
//! The mbox `From ` line, `Return-Path:`, `Received:`, then `Date:`,
//! `From:` and `Message-Id:` where the message lacks them (in that order,
//! before the message's own headers, as the `H` lines of `sendmail.cf`),
//! address headers refolded at 78 columns (`commaize`), the body with
//! `From ` lines escaped, and a blank line to end the entry.

use crate::time::Timestamp;

/// Everything about the transaction that shows in the delivered message.
pub struct Envelope<'a> {
    /// The sender as Sendmail writes it (`MAILER-DAEMON` for `<>`).
    pub sender: &'a str,
    /// Accepted recipients, as typed.
    pub recipients: &'a [String],
    pub helo_name: &'a str,
    /// `client.example.no [127.0.0.2]`
    pub client: &'a str,
    pub protocol: &'a str,
    pub hostname: &'a str,
    pub version: &'a str,
    pub queue_id: &'a str,
    /// When the transaction started (MAIL): the `Date:` a message without one gets.
    pub started: Timestamp,
    /// When the message was accepted.
    pub accepted: Timestamp,
}

/// Header fields that hold addresses (Sendmail's `H_FROM`/`H_RCPT`).
const ADDRESS_HEADERS: &[&str] = &[
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "resent-from",
    "resent-sender",
    "resent-reply-to",
    "resent-to",
    "resent-cc",
    "errors-to",
    "apparently-to",
    "return-receipt-to",
];

/// Sendmail leaves these out of delivered copies.
const HIDDEN_HEADERS: &[&str] = &["bcc", "resent-bcc"];

/// The widest line `commaize` writes.
const FOLD_WIDTH: usize = 78;

struct Header {
    name: String,
    /// The field as received, lines joined with `\n`, no final newline.
    raw: Vec<u8>,
}

/// Whether `line` starts a header field: a name of printable characters
/// without `:` or space, optional white space, then `:`.
fn header_name(line: &[u8]) -> Option<&[u8]> {
    let end = line
        .iter()
        .position(|&b| b <= b' ' || b == b':' || b >= 0x7f)
        .unwrap_or(line.len());
    if end == 0 {
        return None;
    }
    let rest = &line[end..];
    let spaces = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    if rest.get(spaces) == Some(&b':') {
        Some(&line[..end])
    } else {
        None
    }
}

/// Splits a message (lines ending in `\n`) into its header fields and body.
fn split_message(message: &[u8]) -> (Vec<Header>, &[u8]) {
    let mut headers: Vec<Header> = Vec::new();
    let mut position = 0;
    while position < message.len() {
        let end = message[position..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| position + i)
            .unwrap_or(message.len());
        let line = &message[position..end];
        let next = (end + 1).min(message.len());
        if line.is_empty() {
            return (headers, &message[next..]);
        }
        if line[0] == b' ' || line[0] == b'\t' {
            match headers.last_mut() {
                Some(header) => {
                    header.raw.push(b'\n');
                    header.raw.extend_from_slice(line);
                    position = next;
                    continue;
                }
                None => return (headers, &message[position..]),
            }
        }
        match header_name(line) {
            Some(name) => headers.push(Header {
                name: String::from_utf8_lossy(name).into_owned(),
                raw: line.to_vec(),
            }),
            None => return (headers, &message[position..]),
        }
        position = next;
    }
    (headers, &message[message.len()..])
}

/// Splits an address list at commas outside quotes, comments and `<>`.
fn split_addresses(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut comment, mut angle) = (false, 0usize, 0usize);
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            '<' if !quoted && comment == 0 => angle += 1,
            '>' if !quoted && comment == 0 && angle > 0 => angle -= 1,
            ',' if !quoted && comment == 0 && angle == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current.trim().to_string());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Rewrites an address header the way Sendmail's `commaize` does:
/// `Name: a, b, c`, wrapping before an address that would pass column 78
/// and indenting the continuation by eight spaces.
fn commaize(header: &Header) -> Vec<u8> {
    let text = String::from_utf8_lossy(&header.raw);
    let value = match text.find(':') {
        Some(colon) => text[colon + 1..].replace('\n', ""),
        None => return header.raw.clone(),
    };
    let addresses = split_addresses(&value);
    if addresses.is_empty() {
        return header.raw.clone();
    }
    let mut out = format!("{}: ", header.name);
    let mut column = header.name.len() + 2;
    for (index, address) in addresses.iter().enumerate() {
        let first = index == 0;
        column += address.chars().count();
        if !first {
            column += 2;
        }
        if column > FOLD_WIDTH && !first {
            out.push_str(",\n        ");
            column = 8 + address.chars().count();
        } else if !first {
            out.push_str(", ");
        }
        out.push_str(address);
    }
    out.into_bytes()
}

fn has_header(headers: &[Header], name: &str) -> bool {
    headers.iter().any(|h| h.name.eq_ignore_ascii_case(name))
}

/// The mbox entry for `message` (dot-unstuffed lines ending in `\n`).
pub fn mbox_entry(envelope: &Envelope, message: &[u8]) -> Vec<u8> {
    let (headers, body) = split_message(message);
    let mut out: Vec<u8> = Vec::with_capacity(message.len() + 512);
    let line = |out: &mut Vec<u8>, text: &str| {
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    };
    line(
        &mut out,
        &format!("From {}  {}", envelope.sender, envelope.accepted.ctime()),
    );
    line(&mut out, &format!("Return-Path: <{}>", envelope.sender));
    line(
        &mut out,
        &format!(
            "Received: from {} ({})",
            envelope.helo_name, envelope.client
        ),
    );
    let by = format!(
        "\tby {} ({}) with {} id {}",
        envelope.hostname, envelope.version, envelope.protocol, envelope.queue_id
    );
    match envelope.recipients {
        [only] => {
            line(&mut out, &by);
            line(
                &mut out,
                &format!("\tfor {}; {}", only, envelope.accepted.rfc822()),
            );
        }
        _ => {
            line(&mut out, &format!("{by};"));
            line(&mut out, &format!("\t{}", envelope.accepted.rfc822()));
        }
    }
    if !has_header(&headers, "date") {
        line(&mut out, &format!("Date: {}", envelope.started.rfc822()));
    }
    if !has_header(&headers, "from") {
        line(&mut out, &format!("From: {}", envelope.sender));
    }
    if !has_header(&headers, "message-id") {
        line(
            &mut out,
            &format!(
                "Message-Id: <{}.{}@{}>",
                envelope.accepted.compact_minutes(),
                envelope.queue_id,
                envelope.hostname
            ),
        );
    }
    for header in &headers {
        let lower = header.name.to_ascii_lowercase();
        if HIDDEN_HEADERS.contains(&lower.as_str()) {
            continue;
        }
        if ADDRESS_HEADERS.contains(&lower.as_str()) {
            out.extend_from_slice(&commaize(header));
        } else {
            out.extend_from_slice(&header.raw);
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    for body_line in body.split_inclusive(|&b| b == b'\n') {
        if body_line.starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(body_line);
    }
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.push(b'\n');
    out
}

/// Which fields of a delivered entry the server added, given the entry's
/// field names in order (after the `From ` line): `Return-Path` and
/// `Received` always, and `Date`, `From`, `Message-Id` where they come
/// before the message's own first field and in the order [`mbox_entry`]
/// writes them (a `From` after `Message-Id` is the message's own).
pub fn added_by_server(field_names: &[&str]) -> Vec<bool> {
    const ADDED_ORDER: [&str; 3] = ["Date", "From", "Message-Id"];
    let mut in_added_prefix = true;
    let mut last_rank: Option<usize> = None;
    field_names
        .iter()
        .map(|name| {
            let rank = ADDED_ORDER.iter().position(|n| n == name);
            let in_order = match (rank, last_rank) {
                (Some(rank), Some(last)) => rank > last,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let added =
                matches!(*name, "Return-Path" | "Received") || (in_added_prefix && in_order);
            if added && rank.is_some() {
                last_rank = rank;
            }
            in_added_prefix &= added;
            added
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope<'a>(recipients: &'a [String]) -> Envelope<'a> {
        Envelope {
            sender: "sender@client.example.no",
            recipients,
            helo_name: "client.example.no",
            client: "client.example.no [127.0.0.2]",
            protocol: "ESMTP",
            hostname: "mail.example.com",
            version: "8.17.1.9/8.17.1.9/Debian-2+deb12u2",
            queue_id: "6ASD91WO028238",
            started: Timestamp::parse_rfc3339("2026-11-28T13:09:01Z").unwrap(),
            accepted: Timestamp::parse_rfc3339("2026-11-28T13:09:02Z").unwrap(),
        }
    }

    #[test]
    fn adds_missing_headers_in_sendmail_order() {
        let recipients = vec!["<mom@example.com>".to_string()];
        let entry = mbox_entry(
            &envelope(&recipients),
            b"Subject: dot stuffing\n\n.x\nFrom here\n",
        );
        let expected = "From sender@client.example.no  Sat Nov 28 13:09:02 2026\n\
Return-Path: <sender@client.example.no>\n\
Received: from client.example.no (client.example.no [127.0.0.2])\n\
\tby mail.example.com (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6ASD91WO028238\n\
\tfor <mom@example.com>; Sat, 28 Nov 2026 13:09:02 GMT\n\
Date: Sat, 28 Nov 2026 13:09:01 GMT\n\
From: sender@client.example.no\n\
Message-Id: <202611281309.6ASD91WO028238@mail.example.com>\n\
Subject: dot stuffing\n\
\n\
.x\n\
>From here\n\
\n";
        assert_eq!(String::from_utf8(entry).unwrap(), expected);
    }

    #[test]
    fn refolds_long_address_lists_and_drops_for_with_many_recipients() {
        let recipients = vec![
            "<mom@example.com>".to_string(),
            "<alice@example.com>".to_string(),
        ];
        let entry = mbox_entry(
            &envelope(&recipients),
            b"From: sender@client.example.no\nTo: mom@example.com, alice@example.com, nosuchuser@example.com, bob@example.com\n\nx\n",
        );
        let text = String::from_utf8(entry).unwrap();
        assert!(text.contains("id 6ASD91WO028238;\n\tSat, 28 Nov 2026 13:09:02 GMT\n"));
        assert!(text.contains(
            "To: mom@example.com, alice@example.com, nosuchuser@example.com,\n        bob@example.com\n"
        ));
        assert!(text
            .contains("Message-Id: <202611281309.6ASD91WO028238@mail.example.com>\nFrom: sender@"));
    }

    #[test]
    fn a_body_without_headers_gets_a_separating_blank_line() {
        let recipients = vec!["mom@example.com".to_string()];
        let entry = mbox_entry(
            &envelope(&recipients),
            b"Hey\nThis is test email only\n\nThanks\n",
        );
        let text = String::from_utf8(entry).unwrap();
        assert!(text.ends_with("Message-Id: <202611281309.6ASD91WO028238@mail.example.com>\n\nHey\nThis is test email only\n\nThanks\n\n"));
        let names: Vec<&str> = text
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| !l.starts_with([' ', '\t']))
            .map(|l| l.split(':').next().unwrap_or(""))
            .collect();
        let added: Vec<&str> = names
            .iter()
            .zip(added_by_server(&names))
            .filter(|(_, added)| *added)
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(
            added,
            ["Return-Path", "Received", "Date", "From", "Message-Id"]
        );
    }
}
