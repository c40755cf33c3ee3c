//! A mailbox file (`/var/mail/USER`, mbox) as a POP3 or IMAP server reads
//! it: the messages between `From ` lines, without the lines the server
//! keeps for itself (`X-IMAPbase:`, `X-UID:`, `Status:` ...), each with
//! its UID and its size as a client counts it (CRLF line ends).
//!
//! Hand-written: the format is the mail spool's own (the `From ` line, the
//! blank line before the next one, Dovecot's bookkeeping headers), which
//! no general mbox crate reads the way Dovecot does.

/// Header fields Dovecot writes into the file for itself and never shows
/// to clients.
pub const INTERNAL_HEADERS: &[&str] = &[
    "x-imapbase",
    "x-imap",
    "x-uid",
    "status",
    "x-status",
    "x-keywords",
    "content-length",
];

/// One message of a mailbox, as clients see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// The message with CRLF line ends, as POP3 RETR and IMAP FETCH give it.
    pub text: Vec<u8>,
    /// The message's UID, from its `X-UID:` header or given in order.
    pub uid: u32,
}

impl StoredMessage {
    /// The size a client is told: bytes with CRLF line ends.
    pub fn size(&self) -> usize {
        self.text.len()
    }

    /// The header block (up to and including the blank line, if any).
    pub fn header(&self) -> &[u8] {
        match find(&self.text, b"\r\n\r\n") {
            Some(at) => &self.text[..at + 4],
            None => &self.text,
        }
    }

    /// The body (after the blank line).
    pub fn body(&self) -> &[u8] {
        &self.text[self.header().len()..]
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A mailbox: its messages in order, and the UID bookkeeping found in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mailbox {
    pub messages: Vec<StoredMessage>,
    /// From `X-IMAPbase:`, when the file has one.
    pub uid_validity: Option<u32>,
    /// The next UID to give.
    pub uid_next: u32,
}

/// The name of a header line (`Subject` of `Subject: x`), if it is one.
fn header_name(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = &line[..colon];
    (!name.is_empty() && name.iter().all(|&b| b > b' ' && b < 0x7f)).then_some(name)
}

/// Reads an mbox file. Messages start at lines beginning `From `; the
/// blank line before each `From ` line (and at the end) separates them.
pub fn read(file: &[u8]) -> Mailbox {
    let mut raw_messages: Vec<Vec<&[u8]>> = Vec::new();
    for line in file.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"From ") {
            raw_messages.push(Vec::new());
        } else if let Some(current) = raw_messages.last_mut() {
            current.push(line);
        }
    }
    let mut mailbox = Mailbox {
        messages: Vec::new(),
        uid_validity: None,
        uid_next: 1,
    };
    let mut base_next: Option<u32> = None;
    for mut lines in raw_messages {
        // The separator: the blank line before the next `From ` line.
        if lines.last().is_some_and(|l| *l == b"\n" || *l == b"\r\n") {
            lines.pop();
        }
        let mut text = Vec::new();
        let mut uid = None;
        let mut in_header = true;
        let mut skipping = false;
        for line in lines {
            let content = line.strip_suffix(b"\n").unwrap_or(line);
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if in_header {
                if content.is_empty() {
                    in_header = false;
                } else if content[0] == b' ' || content[0] == b'\t' {
                    if skipping {
                        continue;
                    }
                } else if let Some(name) = header_name(content) {
                    let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
                    skipping = INTERNAL_HEADERS.contains(&lower.as_str());
                    if skipping {
                        let value = String::from_utf8_lossy(&content[name.len() + 1..]);
                        let mut words = value.split_whitespace();
                        match lower.as_str() {
                            "x-uid" => uid = words.next().and_then(|w| w.parse().ok()),
                            "x-imapbase" => {
                                mailbox.uid_validity = words.next().and_then(|w| w.parse().ok());
                                base_next = words.next().and_then(|w| w.parse().ok());
                            }
                            _ => {}
                        }
                        continue;
                    }
                } else {
                    skipping = false;
                }
            }
            text.extend_from_slice(content);
            text.extend_from_slice(b"\r\n");
        }
        let uid = uid.unwrap_or(mailbox.uid_next).max(1);
        mailbox.uid_next = mailbox.uid_next.max(uid.saturating_add(1));
        mailbox.messages.push(StoredMessage { text, uid });
    }
    if let Some(next) = base_next {
        mailbox.uid_next = mailbox.uid_next.max(next);
    }
    mailbox
}

/// Dovecot's room for later header changes: spaces after `X-UID: n`.
pub const HEADER_PADDING: usize = 50;

/// One entry of the file: its `From ` line, header lines and the rest
/// (blank line, body, separator), as bytes.
struct Entry<'a> {
    from_line: &'a [u8],
    headers: Vec<&'a [u8]>,
    rest: Vec<&'a [u8]>,
}

fn entries(file: &[u8]) -> (Vec<&[u8]>, Vec<Entry<'_>>) {
    let mut before = Vec::new();
    let mut out: Vec<Entry> = Vec::new();
    for line in file.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"From ") {
            out.push(Entry {
                from_line: line,
                headers: Vec::new(),
                rest: Vec::new(),
            });
            continue;
        }
        match out.last_mut() {
            None => before.push(line),
            Some(entry) if entry.rest.is_empty() && line != b"\n" && line != b"\r\n" => {
                entry.headers.push(line)
            }
            Some(entry) => entry.rest.push(line),
        }
    }
    (before, out)
}

fn is_named(line: &[u8], name: &str) -> bool {
    header_name(line).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
}

/// The file as Dovecot leaves it after it first indexes the mailbox: the
/// first message gets `X-IMAPbase: UIDVALIDITY LAST-UID`, every message
/// `X-UID: n` and room for later changes, at the end of its header. A
/// file already indexed is returned as it is.
pub fn index(file: &[u8], uid_validity: u32) -> Vec<u8> {
    let (before, list) = entries(file);
    let indexed = !list.is_empty()
        && list
            .iter()
            .all(|e| e.headers.iter().any(|h| is_named(h, "x-uid")));
    if list.is_empty() || indexed {
        return file.to_vec();
    }
    let mailbox = read(file);
    let last_uid = mailbox.messages.iter().map(|m| m.uid).max().unwrap_or(0);
    let mut out = Vec::with_capacity(file.len() + list.len() * 64);
    for line in before {
        out.extend_from_slice(line);
    }
    for (index, entry) in list.iter().enumerate() {
        out.extend_from_slice(entry.from_line);
        for header in &entry.headers {
            out.extend_from_slice(header);
        }
        if index == 0 {
            out.extend_from_slice(
                format!("X-IMAPbase: {uid_validity} {last_uid:010}\n").as_bytes(),
            );
        }
        let uid = mailbox
            .messages
            .get(index)
            .map_or(index as u32 + 1, |m| m.uid);
        out.extend_from_slice(format!("X-UID: {uid}{}\n", " ".repeat(HEADER_PADDING)).as_bytes());
        for line in &entry.rest {
            out.extend_from_slice(line);
        }
    }
    out
}

/// The file after a POP3 session that read the messages marked `seen` and
/// deleted those marked `deleted` (indexes in file order): deleted entries
/// go; every message up to the last one that changed (a message after a
/// deleted one moves, and so changes) gets `Status: RO` if read, else
/// `Status: O` (no longer new), written into the room after its `X-UID:`.
pub fn update(file: &[u8], seen: &[bool], deleted: &[bool]) -> Vec<u8> {
    let (before, list) = entries(file);
    let flag = |flags: &[bool], i: usize| flags.get(i).copied().unwrap_or(false);
    let first_deleted = (0..list.len()).find(|&i| flag(deleted, i));
    let last_changed = match first_deleted {
        Some(_) => list.len().checked_sub(1),
        None => (0..list.len()).rev().find(|&i| flag(seen, i)),
    };
    let mut out = Vec::with_capacity(file.len());
    for line in before {
        out.extend_from_slice(line);
    }
    for (index, entry) in list.iter().enumerate() {
        if flag(deleted, index) {
            continue;
        }
        out.extend_from_slice(entry.from_line);
        let status = last_changed.filter(|&last| index <= last).map(|_| {
            if flag(seen, index) {
                "Status: RO\n"
            } else {
                "Status: O\n"
            }
        });
        let has_status = entry.headers.iter().any(|h| is_named(h, "status"));
        for header in &entry.headers {
            match status {
                Some(status) if !has_status && is_named(header, "x-uid") => {
                    // The status line takes its room from the padding.
                    let text = header.strip_suffix(b"\n").unwrap_or(header);
                    let trimmed = text.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
                    let padding = (text.len() - trimmed).saturating_sub(status.len());
                    out.extend_from_slice(&text[..trimmed]);
                    out.extend(std::iter::repeat_n(b' ', padding));
                    out.push(b'\n');
                    out.extend_from_slice(status.as_bytes());
                }
                Some(status) if has_status && is_named(header, "status") => {
                    out.extend_from_slice(status.as_bytes());
                }
                _ => out.extend_from_slice(header),
            }
        }
        for line in &entry.rest {
            out.extend_from_slice(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &[u8] = b"From a@b  Sat Nov 28 13:08:26 2026\n\
Subject: one\n\
\n\
Hello,\n\
.\n\
\n\
From a@b  Sat Nov 28 13:09:02 2026\n\
Subject: two\n\
X-UID: 7      \n\
Status: RO\n\
\n\
body\n\
\n";

    #[test]
    fn reads_messages_as_clients_see_them() {
        let mailbox = read(SEED);
        assert_eq!(mailbox.messages.len(), 2);
        assert_eq!(
            mailbox.messages[0].text,
            b"Subject: one\r\n\r\nHello,\r\n.\r\n".to_vec()
        );
        assert_eq!(mailbox.messages[0].uid, 1);
        assert_eq!(
            mailbox.messages[1].text,
            b"Subject: two\r\n\r\nbody\r\n".to_vec()
        );
        assert_eq!(mailbox.messages[1].uid, 7);
        assert_eq!(mailbox.uid_next, 8);
        assert_eq!(mailbox.messages[1].header(), b"Subject: two\r\n\r\n");
        assert_eq!(mailbox.messages[1].body(), b"body\r\n");
    }

    #[test]
    fn indexes_then_updates_as_dovecot_does() {
        let plain = update(SEED, &[false, false], &[false, true]);
        let indexed = index(&plain, 1795979863);
        let text = String::from_utf8(indexed.clone()).unwrap();
        assert!(text.contains(&format!(
            "Subject: one\nX-IMAPbase: 1795979863 0000000001\nX-UID: 1{}\n\nHello,",
            " ".repeat(50)
        )));
        assert_eq!(index(&indexed, 1), indexed, "an indexed file stays");
        let read_it = String::from_utf8(update(&indexed, &[true], &[false])).unwrap();
        assert!(read_it.contains(&format!("X-UID: 1{}\nStatus: RO\n\n", " ".repeat(39))));
        assert_eq!(read_it.len(), text.len(), "the header keeps its size");
        assert_eq!(update(&indexed, &[false], &[false]), indexed);
    }

    #[test]
    fn removes_whole_entries() {
        let rest = update(SEED, &[false, false], &[true, false]);
        assert!(rest.starts_with(b"From a@b  Sat Nov 28 13:09:02 2026\n"));
        assert_eq!(read(&rest).messages.len(), 1);
        assert_eq!(read(b"").messages.len(), 0);
    }
}
