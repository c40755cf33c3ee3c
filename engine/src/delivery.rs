//! What lands in a recipient's mailbox: the message as the server's local
//! delivery appends it to an mbox file.
//!
//! Sendmail ([`mbox_entry`]): the mbox `From ` line, `Return-Path:`,
//! `Received:`, then `Date:`, `From:` and `Message-Id:` where the message
//! lacks them (in that order, before the message's own headers, as the `H`
//! lines of `sendmail.cf`), address headers refolded at 78 columns
//! (`commaize`), the body with `From ` lines escaped, and a blank line to
//! end the entry.
//!
//! Postfix ([`postfix_entry`]): `local(8)` writes the `From ` line,
//! `Return-Path:`, `X-Original-To:` and `Delivered-To:`, then the message as
//! smtpd and cleanup stored it: smtpd's `Received:` first, the headers with
//! `Bcc:`, `Content-Length:` and `Return-Path:` removed, `Message-Id:`,
//! `Date:`, `From:` and `To:` added only for a client on the server's own
//! addresses, a blank line inserted where the headers end without one,
//! no refolding; the body with `From ` lines escaped, and a blank line.

use crate::time::Timestamp;

/// The blank line after the headers, the body with `From ` lines escaped
/// (`>From `, as mbox readers expect), and the blank line that ends an
/// mbox entry.
fn append_body(out: &mut Vec<u8>, body: &[u8]) {
    out.push(b'\n');
    append_escaped(out, body.split_inclusive(|&b| b == b'\n'));
}

/// Body lines with `From ` escaped, then the blank line that ends the entry.
fn append_escaped<'a>(out: &mut Vec<u8>, lines: impl Iterator<Item = &'a [u8]>) {
    for line in lines {
        if line.starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line);
    }
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.push(b'\n');
}

/// Everything about an Exim transaction that shows in one mailbox's copy.
pub struct EximEnvelope<'a> {
    /// The sender; empty for `<>`.
    pub sender: &'a str,
    /// The recipients this copy is for, as given (`Envelope-to:`).
    pub envelope_to: &'a str,
    /// The recipient, when the message has only one (`for ...`).
    pub only_recipient: Option<&'a str>,
    /// `$sender_rcvhost`: `client.example.no ([127.0.0.2])`.
    pub rcvhost: &'a str,
    /// `smtp`, `esmtp`, `esmtps`.
    pub protocol: &'a str,
    /// The TLS version and cipher, when the message came over TLS.
    pub tls: Option<(&'a str, &'a str)>,
    pub hostname: &'a str,
    /// `Exim 4.96`.
    pub version: &'a str,
    pub message_id: &'a str,
    /// When the message arrived (`Received:`).
    pub received: Timestamp,
    /// When `appendfile` wrote it (`From ` line, `Delivery-date:`).
    pub delivered: Timestamp,
    /// Submission mode (`control = submission`): a missing `Message-Id:`,
    /// `From:` and `Date:` are added.
    pub submission: bool,
}

/// Whether a line starts a header field as Exim's `receive_msg` reads
/// them: no leading white space, printable characters up to a colon
/// (white space allowed just before it).
fn is_exim_header(line: &[u8]) -> bool {
    if line
        .first()
        .is_none_or(|&b| crate::exim_address::is_space(b))
    {
        return false;
    }
    let name_end = line
        .iter()
        .position(|&b| !(b > 32 && b != 127) || b == b':')
        .unwrap_or(line.len());
    let mut rest = &line[name_end..];
    while rest
        .first()
        .is_some_and(|&b| crate::exim_address::is_space(b))
    {
        rest = &rest[1..];
    }
    rest.first() == Some(&b':')
}

/// Splits a received message (lines ending in `\n`) into its header
/// fields and its body. The blank line between them is dropped; a body
/// that starts without one starts at the first line that is not a header.
pub fn split_exim_message(message: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let mut fields: Vec<&[u8]> = Vec::new();
    let mut offset = 0;
    let mut current: Option<usize> = None;
    while offset < message.len() {
        let end = message[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(message.len(), |p| offset + p + 1);
        let line = &message[offset..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        if content.is_empty() {
            return (fields, &message[end..]);
        }
        if let Some(start) = current {
            if content.first().is_some_and(|&b| b == b' ' || b == b'\t') {
                if let Some(last) = fields.last_mut() {
                    *last = &message[start..end];
                }
                offset = end;
                continue;
            }
        }
        if !is_exim_header(content) {
            return (fields, &message[offset..]);
        }
        fields.push(line);
        current = Some(offset);
        offset = end;
    }
    (fields, &message[message.len()..])
}

/// A header field's name (white space before the colon dropped) and its
/// value (everything after the colon, continuation lines included).
pub fn exim_field_parts(field: &[u8]) -> (&[u8], &[u8]) {
    let colon = field.iter().position(|&b| b == b':').unwrap_or(field.len());
    let mut name = &field[..colon];
    while name
        .last()
        .is_some_and(|&b| crate::exim_address::is_space(b))
    {
        name = &name[..name.len() - 1];
    }
    (name, field.get(colon + 1..).unwrap_or(b""))
}

/// Exim removes these from received messages (`return_path_remove`,
/// `envelope_to_remove`, `delivery_date_remove`), as it adds its own.
const EXIM_REMOVED: &[&str] = &["return-path", "envelope-to", "delivery-date"];

/// One mailbox's mbox entry as Exim's `appendfile` transport writes
/// `message` (lines ending in `\n`, dots unstuffed) with Debian's
/// `mail_spool` options: the `From ` line, `Return-path:`, `Envelope-to:`,
/// `Delivery-date:`, Exim's `Received:`, the message's own headers (Exim
/// adds none to mail from another host), a blank line, the body with
/// `From ` escaped, and the blank line that ends the entry.
pub fn exim_entry(envelope: &EximEnvelope, message: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(message.len() + 512);
    let mut line = |text: &str| {
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    };
    let from = if envelope.sender.is_empty() {
        "MAILER-DAEMON"
    } else {
        envelope.sender
    };
    line(&format!("From {from} {}", envelope.delivered.bsd_inbox()));
    line(&format!("Return-path: <{}>", envelope.sender));
    line(&format!("Envelope-to: {}", envelope.envelope_to));
    line(&format!(
        "Delivery-date: {}",
        envelope.delivered.full_date()
    ));
    line(&format!("Received: from {}", envelope.rcvhost));
    let tls = match envelope.tls {
        Some((version, cipher)) => format!(" ({version}) tls {cipher}\n\t"),
        None => String::new(),
    };
    line(&format!(
        "\tby {} with {} {tls}({})",
        envelope.hostname, envelope.protocol, envelope.version
    ));
    if !envelope.sender.is_empty() {
        line(&format!("\t(envelope-from <{}>)", envelope.sender));
    }
    match envelope.only_recipient {
        Some(recipient) => {
            line(&format!("\tid {}", envelope.message_id));
            line(&format!("\tfor {recipient};"));
        }
        None => line(&format!("\tid {};", envelope.message_id)),
    }
    line(&format!("\t{}", envelope.received.full_date()));
    let (fields, body) = split_exim_message(message);
    let mut present: Vec<&[u8]> = Vec::new();
    for field in fields {
        let (name, _) = exim_field_parts(field);
        present.push(name);
        if EXIM_REMOVED
            .iter()
            .any(|removed| name.eq_ignore_ascii_case(removed.as_bytes()))
        {
            continue;
        }
        out.extend_from_slice(field);
    }
    if envelope.submission {
        // receive.c's fix-ups in submission mode (Debian's ACL sets it for
        // an authenticated client), after the message's own fields.
        let has = |name: &str| {
            present
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name.as_bytes()))
        };
        let mut line = |text: String| {
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        };
        if !has("message-id") {
            line(format!(
                "Message-Id: <E{}@{}>",
                envelope.message_id, envelope.hostname
            ));
        }
        if !has("from") && !envelope.sender.is_empty() {
            line(format!("From: {}", envelope.sender));
        }
        if !has("date") {
            line(format!("Date: {}", envelope.received.full_date()));
        }
    }
    append_body(&mut out, body);
    out
}

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
    /// The client logged in with AUTH (`$\{auth_type\}` is set).
    pub authenticated: bool,
    /// The message came over TLS: `(version=... cipher=... bits=...
    /// verify=...)`, as Sendmail's `Received:` shows it.
    pub tls: Option<&'a str>,
    /// The sender's full name when it is a local user (`$x`, from the
    /// password file's GECOS field), for a `From:` Sendmail adds.
    pub sender_full_name: Option<&'a str>,
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

/// Whether `line` starts a header field (Postfix's `is_header`).
pub fn is_header_line(line: &[u8]) -> bool {
    header_name(line).is_some()
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
    // HReceived of Debian's sendmail.cf: `(authenticated bits=...)` when
    // ${auth_type} is set, the TLS line when ${tls_version} is.
    if envelope.authenticated {
        line(&mut out, "\t(authenticated bits=0)");
    }
    let mut by = format!(
        "\tby {} ({}) with {} id {}",
        envelope.hostname, envelope.version, envelope.protocol, envelope.queue_id
    );
    if let Some(tls) = envelope.tls {
        line(&mut out, &by);
        by = format!("\t{tls}");
    }
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
        match envelope.sender_full_name {
            Some(name) => line(&mut out, &format!("From: {name} <{}>", envelope.sender)),
            None => line(&mut out, &format!("From: {}", envelope.sender)),
        }
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
    append_body(&mut out, body);
    out
}

/// Everything about a Postfix transaction that shows in one recipient's copy.
pub struct PostfixEnvelope<'a> {
    /// The sender, qualified; empty for `<>`.
    pub sender: &'a str,
    /// The recipient as the client gave it (`X-Original-To:`).
    pub original_recipient: &'a str,
    /// The address delivered to (`Delivered-To:`).
    pub delivered_to: &'a str,
    /// The recipient, when the message has only one (`for <...>`).
    pub only_recipient: Option<&'a str>,
    pub helo_name: &'a str,
    pub client_name: &'a str,
    pub client_address: &'a str,
    /// `SMTP`, `ESMTP`, `ESMTPS`, `UTF8SMTP`.
    pub protocol: &'a str,
    pub hostname: &'a str,
    /// `$mail_name`.
    pub mail_name: &'a str,
    pub queue_id: &'a str,
    /// When MAIL was accepted: the `Received:` date.
    pub arrived: Timestamp,
    /// When `local(8)` delivers: the `From ` line's date.
    pub delivered: Timestamp,
    /// The client is on one of the server's own addresses
    /// (`local_header_rewrite_clients = permit_inet_interfaces`), so
    /// cleanup adds the headers a message lacks.
    pub add_missing_headers: bool,
}

/// Postfix drops these headers from received mail (`message_drop_headers`).
const POSTFIX_DROPPED: &[&str] = &["bcc", "content-length", "resent-bcc", "return-path"];

/// Postfix's `quote_822_local`: a local part with specials or spaces is
/// written in quotes.
fn quote_local(address: &str) -> String {
    let (local, domain) = match address.rfind('@') {
        Some(at) => (&address[..at], &address[at..]),
        None => (address, ""),
    };
    let needs_quotes = local.is_empty() && !domain.is_empty()
        || local
            .bytes()
            .any(|b| b"()<>@,;:\\\"[] ".contains(&b) || b.is_ascii_control())
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..");
    if needs_quotes {
        let escaped = local.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"{domain}")
    } else {
        address.to_string()
    }
}

/// One recipient's mbox entry, as Postfix delivers `message` (the text as
/// received: lines ending in `\n`, dots unstuffed, final CRs dropped).
pub fn postfix_entry(envelope: &PostfixEnvelope, message: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(message.len() + 512);
    let line = |out: &mut Vec<u8>, text: &str| {
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    };
    let from = if envelope.sender.is_empty() {
        "MAILER-DAEMON".to_string()
    } else {
        quote_local(envelope.sender)
    };
    line(
        &mut out,
        &format!("From {from}  {}", envelope.delivered.ctime()),
    );
    line(
        &mut out,
        &format!("Return-Path: <{}>", quote_local(envelope.sender)),
    );
    line(
        &mut out,
        &format!(
            "X-Original-To: {}",
            quote_local(envelope.original_recipient)
        ),
    );
    line(
        &mut out,
        &format!("Delivered-To: {}", quote_local(envelope.delivered_to)),
    );
    line(
        &mut out,
        &format!(
            "Received: from {} ({} [{}])",
            envelope.helo_name, envelope.client_name, envelope.client_address
        ),
    );
    let by = format!(
        "\tby {} ({}) with {} id {}",
        envelope.hostname, envelope.mail_name, envelope.protocol, envelope.queue_id
    );
    match envelope.only_recipient {
        Some(recipient) => {
            line(&mut out, &by);
            line(
                &mut out,
                &format!(
                    "\tfor <{}>; {}",
                    quote_local(recipient),
                    envelope.arrived.mail_date()
                ),
            );
        }
        None => {
            line(&mut out, &format!("{by};"));
            line(&mut out, &format!("\t{}", envelope.arrived.mail_date()));
        }
    }
    let mut lines = message.split_inclusive(|&b| b == b'\n').peekable();
    // A first line that is an mbox `From ` line is kept as a header.
    if let Some(first) = lines.peek() {
        let unquoted = first.iter().position(|&b| b != b'>').unwrap_or(first.len());
        if first[unquoted..].starts_with(b"From ") {
            out.extend_from_slice(b"X-Mailbox-Line: ");
            out.extend_from_slice(first);
            lines.next();
        }
    }
    // Headers, as cleanup's MIME parser sees them: a first line that starts
    // with white space, or any line that is not a header, ends them (a
    // blank line is written when the message has none there).
    let mut names: Vec<String> = Vec::new();
    let mut dropping = false;
    let mut in_headers = true;
    let mut saw_separator = false;
    let mut body: Vec<&[u8]> = Vec::new();
    let mut first = true;
    for text in lines {
        let content = text.strip_suffix(b"\n").unwrap_or(text);
        if in_headers {
            let continuation = content.first().is_some_and(|&b| b == b' ' || b == b'\t');
            if continuation && !first {
                if !dropping {
                    out.extend_from_slice(text);
                }
                continue;
            }
            first = false;
            if let Some(name) = header_name(content) {
                let name = String::from_utf8_lossy(name).to_ascii_lowercase();
                dropping = POSTFIX_DROPPED.contains(&name.as_str());
                if !dropping {
                    out.extend_from_slice(text);
                }
                names.push(name);
                continue;
            }
            in_headers = false;
            saw_separator = content.is_empty();
            if !saw_separator {
                body.push(text);
            }
            continue;
        }
        body.push(text);
    }
    if envelope.add_missing_headers {
        let has = |name: &str| names.iter().any(|n| n == name);
        if !has("message-id") {
            line(
                &mut out,
                &format!(
                    "Message-Id: <{}.{}@{}>",
                    envelope.arrived.compact_seconds_utc(),
                    envelope.queue_id,
                    envelope.hostname
                ),
            );
        }
        if !has("date") {
            line(&mut out, &format!("Date: {}", envelope.arrived.mail_date()));
        }
        if !has("from") {
            line(&mut out, &format!("From: {from}"));
        }
        // No `To:` for a message without one: Postfix's
        // `undisclosed_recipients_header` is empty by default.
    }
    if saw_separator || !body.is_empty() {
        out.push(b'\n');
    }
    append_escaped(&mut out, body.iter().copied());
    out
}

/// Which fields of a delivered entry the server added, given the entry's
/// field names in order (after the `From ` line): the delivery fields
/// (`Return-Path`, `Received`, Postfix's `X-Original-To` and
/// `Delivered-To`, Exim's `Envelope-to` and `Delivery-date`, in any case)
/// always; Sendmail's `Date`, `From`, `Message-Id` where they come before
/// the message's own first field and in the order [`mbox_entry`] writes
/// them (a `From` after `Message-Id` is the message's own), except in an
/// entry Exim wrote (its second field is `Envelope-to`), as Exim adds none
/// of them; and the fields Dovecot keeps in the file for itself (`X-UID:`,
/// `Status:` ...).
pub fn added_by_server(field_names: &[&str]) -> Vec<bool> {
    const ADDED_ORDER: [&str; 3] = ["Date", "From", "Message-Id"];
    const DELIVERY_FIELDS: [&str; 6] = [
        "Return-Path",
        "Received",
        "X-Original-To",
        "Delivered-To",
        "Envelope-to",
        "Delivery-date",
    ];
    let by_exim = field_names
        .get(1)
        .is_some_and(|name| name.eq_ignore_ascii_case("Envelope-to"));
    let mut in_added_prefix = !by_exim;
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
            let added = DELIVERY_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
                || (in_added_prefix && in_order)
                // What Dovecot keeps in the file for itself.
                || crate::mbox::INTERNAL_HEADERS.contains(&name.to_ascii_lowercase().as_str());
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

    /// The names of the header fields of an mbox entry that the server
    /// added, in order.
    fn added_fields(entry: &str) -> Vec<&str> {
        let names: Vec<&str> = entry
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| !l.starts_with([' ', '\t']))
            .map(|l| l.split(':').next().unwrap_or(""))
            .collect();
        names
            .iter()
            .zip(added_by_server(&names))
            .filter(|(_, added)| *added)
            .map(|(name, _)| *name)
            .collect()
    }

    #[test]
    fn messages_split_as_exim_reads_them() {
        let (fields, body) = split_exim_message(b"Subject: a\n\tb\nTo: c\n\nbody\n");
        assert_eq!(fields, vec![&b"Subject: a\n\tb\n"[..], &b"To: c\n"[..]]);
        assert_eq!(body, b"body\n");
        let (fields, body) = split_exim_message(b"Subject: a\nnot a header\nmore\n");
        assert_eq!(fields.len(), 1);
        assert_eq!(body, b"not a header\nmore\n");
        let (fields, body) = split_exim_message(b" starts with a space\n");
        assert!(fields.is_empty());
        assert_eq!(body, b" starts with a space\n");
    }

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
            authenticated: false,
            tls: None,
            sender_full_name: None,
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

    /// Exim adds four fields, never `From:`: a message's own `From:` after
    /// them is not highlighted as Sendmail's would be.
    #[test]
    fn what_exim_added_is_told_from_the_message() {
        let at = Timestamp::parse_rfc3339("2026-11-29T20:16:48Z").unwrap();
        let entry = exim_entry(
            &EximEnvelope {
                sender: "sender@client.example.no",
                envelope_to: "mom@example.com",
                only_recipient: Some("mom@example.com"),
                rcvhost: "client.example.no ([127.0.0.2])",
                protocol: "esmtp",
                tls: None,
                hostname: "mail.example.com",
                version: "Exim 4.96",
                message_id: "1xXlKK-0003jC-0Q",
                received: at,
                delivered: at,
                submission: false,
            },
            b"From: Sender <sender@client.example.no>\nSubject: hi\n\nbody\n",
        );
        let text = String::from_utf8(entry).unwrap();
        let added = added_fields(&text);
        assert_eq!(
            added,
            ["Return-path", "Envelope-to", "Delivery-date", "Received"]
        );
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
        let added = added_fields(&text);
        assert_eq!(
            added,
            ["Return-Path", "Received", "Date", "From", "Message-Id"]
        );
    }
}
