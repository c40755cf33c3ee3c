//! What IMAP FETCH says of a message: header fields, ENVELOPE,
//! BODY/BODYSTRUCTURE and `BODY[section]` parts (RFC 3501 section 7.4.2),
//! written as Dovecot writes them.
//!
//! Hand-written: these are IMAP's own structures, built from the few MIME
//! rules they need (header fields, Content-Type parameters, boundaries);
//! a mail-parsing crate would bring decoding this does not want, since
//! IMAP shows the raw octets.

use base64::Engine as _;

use crate::ascii::find;

/// A string as IMAP sends it: `NIL`, a quoted string, or a literal when
/// it holds 8-bit bytes, quotes' specials that need more, or line ends.
pub fn nstring(value: Option<&[u8]>) -> Vec<u8> {
    match value {
        None => b"NIL".to_vec(),
        Some(bytes) => string(bytes),
    }
}

pub fn string(bytes: &[u8]) -> Vec<u8> {
    let literal = bytes
        .iter()
        .any(|&b| b >= 0x80 || b == b'\r' || b == b'\n' || b == 0);
    if literal {
        let mut out = format!("{{{}}}\r\n", bytes.len()).into_bytes();
        out.extend_from_slice(bytes);
        return out;
    }
    let mut out = vec![b'"'];
    for &b in bytes {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// A message or MIME part split at its blank line.
pub struct Part<'a> {
    /// Header lines with their CRLFs, and the blank line when there is one.
    pub header: &'a [u8],
    pub body: &'a [u8],
}

pub fn split(text: &[u8]) -> Part<'_> {
    if text.starts_with(b"\r\n") {
        return Part {
            header: &text[..2],
            body: &text[2..],
        };
    }
    match find(text, b"\r\n\r\n") {
        Some(at) => Part {
            header: &text[..at + 4],
            body: &text[at + 4..],
        },
        None => Part {
            header: text,
            body: &[],
        },
    }
}

/// The header's fields: (name, raw field with its CRLFs).
pub fn fields(header: &[u8]) -> Vec<(String, &[u8])> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    let mut at = 0;
    for line in header.split_inclusive(|&b| b == b'\n') {
        let start = at;
        at += line.len();
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            if let Some(last) = out.last_mut() {
                last.2 = at;
            }
            continue;
        }
        let name = match line.iter().position(|&b| b == b':') {
            Some(colon) => String::from_utf8_lossy(&line[..colon]).trim().to_string(),
            None => String::new(),
        };
        out.push((name, start, at));
    }
    out.into_iter()
        .map(|(name, start, end)| (name, &header[start..end]))
        .collect()
}

/// The unfolded value of the first field named `name`.
pub fn value(header: &[u8], name: &str) -> Option<Vec<u8>> {
    fields(header)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, raw)| {
            let colon = raw.iter().position(|&b| b == b':').unwrap_or(0);
            let mut value: Vec<u8> = raw[colon + 1..]
                .iter()
                .copied()
                .filter(|&b| b != b'\r' && b != b'\n')
                .collect();
            while value.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                value.remove(0);
            }
            while value.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
                value.pop();
            }
            value
        })
}

/// `HEADER.FIELDS (A B)` and `.NOT`: the chosen fields, then a blank line.
pub fn header_fields(header: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, raw) in fields(header) {
        let listed = names.iter().any(|n| n.eq_ignore_ascii_case(&name));
        if listed != not {
            out.extend_from_slice(raw);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Splits an address list at commas outside quotes, comments and `<>`.
fn address_items(value: &[u8]) -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let (mut quoted, mut angle, mut comment) = (false, false, 0usize);
    let mut escaped = false;
    for &b in value {
        if escaped {
            escaped = false;
            current.push(b);
            continue;
        }
        match b {
            b'\\' if quoted => escaped = true,
            b'"' if comment == 0 => quoted = !quoted,
            b'(' if !quoted => comment += 1,
            b')' if !quoted && comment > 0 => comment -= 1,
            b'<' if !quoted && comment == 0 => angle = true,
            b'>' if !quoted && comment == 0 => angle = false,
            b',' if !quoted && !angle && comment == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(b);
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim_ascii().to_vec())
        .filter(|item| !item.is_empty())
        .collect()
}

/// One address of a header value, as ENVELOPE lists them (RFC 3501
/// 7.4.2): a mailbox, or the start or end of a group (`name: ...;`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    Mailbox {
        name: Option<Vec<u8>>,
        /// A source route (`@route` of `<@route:user@host>`).
        route: Option<Vec<u8>>,
        mailbox: Vec<u8>,
        host: Option<Vec<u8>>,
    },
    GroupStart(Vec<u8>),
    GroupEnd,
}

/// Where a group's `:` is, if `item` starts a group.
fn group_colon(item: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in item.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'<' | b'@' if !quoted => return None,
            b':' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// A mailbox: `Name <user@host>`, `user@host (Name)`, or `user@host`.
fn mailbox(item: &[u8]) -> Address {
    let (name, address) = match (
        item.iter().position(|&b| b == b'<'),
        item.iter().rposition(|&b| b == b'>'),
    ) {
        (Some(open), Some(close)) if open < close => {
            let name = item[..open].trim_ascii();
            let name = name
                .strip_prefix(b"\"")
                .and_then(|n| n.strip_suffix(b"\""))
                .unwrap_or(name);
            (
                (!name.is_empty()).then(|| name.to_vec()),
                without_comments(&item[open + 1..close]),
            )
        }
        _ => {
            // `user@host (Name)`: the comment is the name.
            match (
                item.iter().position(|&b| b == b'('),
                item.iter().rposition(|&b| b == b')'),
            ) {
                (Some(open), Some(close)) if open < close => (
                    Some(item[open + 1..close].to_vec()),
                    item[..open].trim_ascii().to_vec(),
                ),
                _ => (None, item.to_vec()),
            }
        }
    };
    let (route, address) = match address.iter().rposition(|&b| b == b':') {
        Some(colon) => (
            Some(address[..colon].to_vec()).filter(|r| r.starts_with(b"@")),
            address[colon + 1..].to_vec(),
        ),
        None => (None, address),
    };
    let (mailbox, host) = match address.iter().rposition(|&b| b == b'@') {
        Some(at) => (address[..at].to_vec(), Some(address[at + 1..].to_vec())),
        None => (address.clone(), None),
    };
    Address::Mailbox {
        name,
        route,
        mailbox,
        host,
    }
}

/// An address without its comments and folding white space (RFC 5322
/// CFWS: `<user (c)@ (c) host>` is `user@host`); quoted text stays.
fn without_comments(address: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(address.len());
    let (mut depth, mut quoted) = (0usize, false);
    for &b in address {
        match b {
            b'"' if depth == 0 => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted && depth > 0 => {
                depth -= 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' if !quoted => continue,
            _ => {}
        }
        if depth == 0 {
            out.push(b);
        }
    }
    out
}

/// Reads each address of a header value, groups marked.
pub fn addresses(value: &[u8]) -> Vec<Address> {
    let mut out = Vec::new();
    for item in address_items(value) {
        let mut rest: &[u8] = &item;
        if let Some(colon) = group_colon(rest) {
            out.push(Address::GroupStart(rest[..colon].trim_ascii().to_vec()));
            rest = rest[colon + 1..].trim_ascii();
        }
        let ends_group = rest.ends_with(b";");
        if ends_group {
            rest = rest[..rest.len() - 1].trim_ascii();
        }
        // A comment alone (`group: (none);`) is no address.
        match mailbox(rest) {
            Address::Mailbox { mailbox, host, .. } if mailbox.is_empty() && host.is_none() => {}
            found => out.push(found),
        }
        if ends_group {
            out.push(Address::GroupEnd);
        }
    }
    out
}

/// `(("Name" NIL "user" "host") ...)`, or NIL when there is no address.
pub fn address_list(value: Option<&[u8]>) -> Vec<u8> {
    let Some(value) = value else {
        return b"NIL".to_vec();
    };
    let found = addresses(value);
    if found.is_empty() {
        return b"NIL".to_vec();
    }
    let mut out = b"(".to_vec();
    for address in found {
        let (name, route, mailbox, host) = match &address {
            Address::Mailbox {
                name,
                route,
                mailbox,
                host,
            } => (
                name.as_deref(),
                route.as_deref(),
                Some(mailbox.as_slice()),
                host.as_deref(),
            ),
            Address::GroupStart(group) => (None, None, Some(group.as_slice()), None),
            Address::GroupEnd => (None, None, None, None),
        };
        out.push(b'(');
        out.extend(nstring(name));
        out.push(b' ');
        out.extend(nstring(route));
        out.push(b' ');
        out.extend(nstring(mailbox));
        out.push(b' ');
        out.extend(nstring(host));
        out.push(b')');
    }
    out.push(b')');
    out
}

/// The ENVELOPE of a message (RFC 3501 section 7.4.2).
pub fn envelope(text: &[u8]) -> Vec<u8> {
    let header = split(text).header;
    // An empty field counts as none (Sender and Reply-To then default to
    // From).
    let get = |name: &str| value(header, name).filter(|v| !v.is_empty());
    let from = get("From");
    let sender = get("Sender").or_else(|| from.clone());
    let reply_to = get("Reply-To").or_else(|| from.clone());
    let mut out = b"(".to_vec();
    out.extend(nstring(get("Date").as_deref()));
    out.push(b' ');
    out.extend(nstring(get("Subject").as_deref()));
    for list in [
        from.clone(),
        sender,
        reply_to,
        get("To"),
        get("Cc"),
        get("Bcc"),
    ] {
        out.push(b' ');
        out.extend(address_list(list.as_deref()));
    }
    out.push(b' ');
    out.extend(nstring(get("In-Reply-To").as_deref()));
    out.push(b' ');
    out.extend(nstring(get("Message-ID").as_deref()));
    out.push(b')');
    out
}

/// `text/plain; charset=utf-8` as (type, subtype, parameters).
/// A MIME header value split at its semicolons: the value before them
/// (`text/plain`, `attachment`) and its `name=value` parameters.
fn value_and_parameters(value: &[u8]) -> (String, Vec<(String, Vec<u8>)>) {
    let text = String::from_utf8_lossy(value).into_owned();
    let mut pieces = text.split(';');
    let first = pieces.next().unwrap_or("").trim().to_string();
    let mut params = Vec::new();
    for piece in pieces {
        if let Some((name, val)) = piece.split_once('=') {
            let val = val.trim();
            let val = val
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(val);
            params.push((name.trim().to_string(), val.as_bytes().to_vec()));
        }
    }
    (first, params)
}

/// `text/plain; charset=utf-8` as (type, subtype, parameters).
fn content_type(value: Option<Vec<u8>>) -> (String, String, Vec<(String, Vec<u8>)>) {
    let Some(value) = value else {
        return (
            "text".into(),
            "plain".into(),
            vec![("charset".into(), b"us-ascii".to_vec())],
        );
    };
    let (kind, params) = value_and_parameters(&value);
    let (main, sub) = kind.split_once('/').unwrap_or(("text", "plain"));
    (main.trim().to_string(), sub.trim().to_string(), params)
}

/// The parts of a multipart message or part, when it is one.
fn children<'a>(header: &[u8], body: &'a [u8]) -> Option<Vec<&'a [u8]>> {
    let (main, _, params) = content_type(value(header, "Content-Type"));
    if !main.eq_ignore_ascii_case("multipart") {
        return None;
    }
    let boundary = params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Some(multipart_parts(body, &boundary))
}

fn parameters(params: &[(String, Vec<u8>)]) -> Vec<u8> {
    if params.is_empty() {
        return b"NIL".to_vec();
    }
    let mut out = b"(".to_vec();
    for (index, (name, value)) in params.iter().enumerate() {
        if index > 0 {
            out.push(b' ');
        }
        out.extend(string(name.as_bytes()));
        out.push(b' ');
        out.extend(string(value));
    }
    out.push(b')');
    out
}

/// The parts of a multipart body, between its boundaries.
pub fn multipart_parts<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut at: usize = 0;
    for line in body.split_inclusive(|&b| b == b'\n') {
        let content = line.trim_ascii_end();
        if content.starts_with(&delimiter) {
            if let Some(begin) = start {
                // The CRLF before the delimiter belongs to it.
                let end = at.saturating_sub(2).max(begin);
                parts.push(&body[begin..end]);
            }
            if content[delimiter.len()..].starts_with(b"--") {
                return parts;
            }
            start = Some(at + line.len());
        }
        at += line.len();
    }
    if let Some(begin) = start {
        parts.push(&body[begin.min(body.len())..]);
    }
    parts
}

/// BODY (`extended` false) or BODYSTRUCTURE of a message or part.
pub fn body_structure(text: &[u8], extended: bool) -> Vec<u8> {
    structure_at(text, extended, 0)
}

/// Multiparts nested deeper than this are described as single parts, so
/// that no message, however built, exhausts the stack.
const MAX_NESTING: usize = 50;

fn structure_at(text: &[u8], extended: bool, depth: usize) -> Vec<u8> {
    let part = split(text);
    let (main, sub, params) = content_type(value(part.header, "Content-Type"));
    let parts = if depth < MAX_NESTING {
        children(part.header, part.body).unwrap_or_default()
    } else {
        Vec::new()
    };
    if !parts.is_empty() {
        let mut out = b"(".to_vec();
        for child in parts {
            out.extend(structure_at(child, extended, depth + 1));
        }
        out.push(b' ');
        out.extend(string(sub.as_bytes()));
        if extended {
            out.push(b' ');
            out.extend(parameters(&params));
            out.extend_from_slice(b" NIL NIL NIL");
        }
        out.push(b')');
        return out;
    }
    let encoding = value(part.header, "Content-Transfer-Encoding")
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_else(|| "7bit".to_string());
    let mut out = b"(".to_vec();
    out.extend(string(main.as_bytes()));
    out.push(b' ');
    out.extend(string(sub.as_bytes()));
    out.push(b' ');
    out.extend(parameters(&params));
    out.push(b' ');
    out.extend(nstring(value(part.header, "Content-ID").as_deref()));
    out.push(b' ');
    out.extend(nstring(
        value(part.header, "Content-Description").as_deref(),
    ));
    out.push(b' ');
    out.extend(string(encoding.as_bytes()));
    out.extend_from_slice(format!(" {}", part.body.len()).as_bytes());
    if main.eq_ignore_ascii_case("text") {
        let lines = part.body.iter().filter(|&&b| b == b'\n').count();
        out.extend_from_slice(format!(" {lines}").as_bytes());
    }
    if extended {
        out.push(b' ');
        out.extend(nstring(value(part.header, "Content-MD5").as_deref()));
        out.push(b' ');
        match value(part.header, "Content-Disposition") {
            Some(disposition) => {
                let (name, params) = value_and_parameters(&disposition);
                out.push(b'(');
                out.extend(string(name.as_bytes()));
                out.push(b' ');
                out.extend(parameters(&params));
                out.push(b')');
            }
            None => out.extend_from_slice(b"NIL"),
        }
        out.push(b' ');
        out.extend(nstring(value(part.header, "Content-Language").as_deref()));
        out.push(b' ');
        out.extend(nstring(value(part.header, "Content-Location").as_deref()));
    }
    out.push(b')');
    out
}

/// A message APPENDed as a binary literal (RFC 3516), as Dovecot's binary
/// converter saves it (`istream-binary-converter.c`): a part that is not
/// a multipart and says `Content-Transfer-Encoding: binary` says base64
/// instead, and its body is in base64, lines of 76 characters.
pub fn binary_as_base64(text: &[u8], depth: usize) -> Vec<u8> {
    let Part { header, body } = split(text);
    let offset = |inner: &[u8], outer: &[u8]| inner.as_ptr() as usize - outer.as_ptr() as usize;
    let mut out = Vec::new();
    let kids = children(header, body);
    let message = holds_message(header, false);
    if depth < MAX_NESTING && (kids.is_some() || message) {
        out.extend_from_slice(header);
        let parts = kids.unwrap_or_else(|| vec![body]);
        let mut at = 0;
        for part in parts {
            let start = offset(part, body);
            out.extend_from_slice(&body[at..start]);
            out.extend(binary_as_base64(part, depth + 1));
            at = start + part.len();
        }
        out.extend_from_slice(&body[at..]);
        return out;
    }
    let binary = fields(header).into_iter().find(|(name, raw)| {
        name.eq_ignore_ascii_case("Content-Transfer-Encoding")
            && raw
                .split(|&b| b == b'\n')
                .nth(1)
                .is_some_and(<[u8]>::is_empty)
            && value(raw, name).is_some_and(|v| v.trim_ascii().eq_ignore_ascii_case(b"binary"))
    });
    let Some((_, raw)) = binary.filter(|_| !body.is_empty()) else {
        return text.to_vec();
    };
    let start = offset(raw, header);
    out.extend_from_slice(&header[..start]);
    out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
    out.extend_from_slice(&header[start + raw.len()..]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(body);
    for (index, line) in encoded.as_bytes().chunks(76).enumerate() {
        if index > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(line);
    }
    out
}

/// Whether a part with this MIME header is a `message/rfc822` (as a part
/// without a type is in a `multipart/digest`, RFC 2046 5.1.5).
fn holds_message(header: &[u8], in_digest: bool) -> bool {
    let Some(kind) = value(header, "Content-Type") else {
        return in_digest;
    };
    let (main, sub, _) = content_type(Some(kind));
    main.eq_ignore_ascii_case("message") && sub.eq_ignore_ascii_case("rfc822")
}

/// The part a section's numbers name (RFC 3501 6.4.5), as its MIME
/// header and body, and whether it holds a message: the message's part 1
/// is its body when it is not multipart, and the parts of a
/// `message/rfc822` part are those of the message it holds.
pub fn part_at<'a>(text: &'a [u8], path: &[usize]) -> Option<(Part<'a>, bool)> {
    if path.len() > MAX_NESTING {
        return None;
    }
    let mut current = split(text);
    let mut message = holds_message(current.header, false);
    for (step, &n) in path.iter().enumerate() {
        if step > 0 && message {
            current = split(current.body);
        }
        let digest = content_type(value(current.header, "Content-Type"))
            .1
            .eq_ignore_ascii_case("digest");
        if let Some(parts) = children(current.header, current.body) {
            current = split(parts.get(n.checked_sub(1)?)?);
            message = holds_message(current.header, digest);
        } else if n != 1 {
            return None;
        }
    }
    Some((current, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups as ENVELOPE lists them (imaptest's `fetch-envelope`, which
    /// Dovecot passes): a start with the group's name, the members, an
    /// end; an empty group or one with a comment only has no members.
    #[test]
    fn groups_in_envelope_address_lists() {
        let table: &[(&str, &str)] = &[
            (
                "group: g1@d1.org, g2@d2.org;, group2: g3@d3.org;",
                "((NIL NIL \"group\" NIL)(NIL NIL \"g1\" \"d1.org\")(NIL NIL \"g2\" \"d2.org\")(NIL NIL NIL NIL)(NIL NIL \"group2\" NIL)(NIL NIL \"g3\" \"d3.org\")(NIL NIL NIL NIL))",
            ),
            (
                "group:;, group2: (foo);",
                "((NIL NIL \"group\" NIL)(NIL NIL NIL NIL)(NIL NIL \"group2\" NIL)(NIL NIL NIL NIL))",
            ),
            ("Real Name <user@domain>", "((\"Real Name\" NIL \"user\" \"domain\"))"),
            ("<@route:user@domain>", "((NIL \"@route\" \"user\" \"domain\"))"),
        ];
        for (value, want) in table {
            assert_eq!(
                String::from_utf8(address_list(Some(value.as_bytes()))).unwrap(),
                *want,
                "{value}"
            );
        }
    }
}
