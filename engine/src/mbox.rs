//! A mailbox file (`/var/mail/USER`, mbox) as a POP3 or IMAP server reads
//! it: the messages between `From ` lines, without the lines the server
//! keeps for itself (`X-IMAPbase:`, `X-UID:`, `Status:` ...), each with
//! its UID and its size as a client counts it (CRLF line ends).
//!
//! Hand-written: the format is the mail spool's own (the `From ` line, the
//! blank line before the next one, Dovecot's bookkeeping headers), which
//! no general mbox crate reads the way Dovecot does.

use crate::ascii::find;

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
    /// System flags from `Status:` and `X-Status:` ([`SEEN`] ...).
    pub flags: u8,
    /// Keywords from `X-Keywords:`.
    pub keywords: Vec<String>,
    /// No `O` in `Status:`: nobody has seen the message arrive yet.
    pub recent: bool,
    /// The date of the `From ` line (`Sat Nov 28 13:08:26 2026`).
    pub received: String,
    /// The envelope sender the `From ` line names.
    pub sender: String,
    /// CONDSTORE's mod-sequence: 1 in the file; the index may know a later.
    pub modseq: u64,
}

/// System flags as bits (IMAP's `\Seen` ...), and the letters the mbox
/// file keeps them as: `Status: R`, `X-Status: AFTD`.
pub const SEEN: u8 = 1;
pub const ANSWERED: u8 = 2;
pub const FLAGGED: u8 = 4;
pub const DELETED: u8 = 8;
pub const DRAFT: u8 = 16;

const STATUS_LETTERS: [(char, u8); 1] = [('R', SEEN)];
const X_STATUS_LETTERS: [(char, u8); 4] = [
    ('A', ANSWERED),
    ('F', FLAGGED),
    ('T', DRAFT),
    ('D', DELETED),
];

/// `Status: RO`: `R` for \\Seen, `O` once the message is no longer new.
fn status_line(state: &MessageState) -> Vec<u8> {
    let old = if state.recent { "" } else { "O" };
    format!(
        "Status: {}{old}\n",
        letters_of(state.flags, &STATUS_LETTERS)
    )
    .into_bytes()
}

fn flags_from(value: &str, letters: &[(char, u8)]) -> u8 {
    letters
        .iter()
        .filter(|(letter, _)| value.contains(*letter))
        .fold(0, |all, (_, bit)| all | bit)
}

/// The system flags that a message's `Status:` and `X-Status:` values
/// stand for.
pub fn flags_from_status(status: &str, x_status: &str) -> u8 {
    flags_from(status, &STATUS_LETTERS) | flags_from(x_status, &X_STATUS_LETTERS)
}

/// Each system flag in a word, in the order a reader lists them.
pub const FLAG_WORDS: [(u8, &str); 5] = [
    (SEEN, "seen"),
    (ANSWERED, "answered"),
    (FLAGGED, "flagged"),
    (DRAFT, "draft"),
    (DELETED, "deleted"),
];

fn letters_of(flags: u8, letters: &[(char, u8)]) -> String {
    letters
        .iter()
        .filter(|(_, bit)| flags & bit != 0)
        .map(|(letter, _)| *letter)
        .collect()
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

/// A mailbox: its messages in order, and the UID bookkeeping found in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mailbox {
    pub messages: Vec<StoredMessage>,
    /// From `X-IMAPbase:`, when the file has one.
    pub uid_validity: Option<u32>,
    /// The next UID to give.
    pub uid_next: u32,
    /// The mailbox's keywords, listed after the UIDs in `X-IMAPbase:`.
    pub keywords: Vec<String>,
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
    let mut raw_messages: Vec<(&[u8], Vec<&[u8]>)> = Vec::new();
    for line in file.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"From ") {
            raw_messages.push((line, Vec::new()));
        } else if let Some((_, current)) = raw_messages.last_mut() {
            current.push(line);
        }
    }
    let mut mailbox = Mailbox {
        messages: Vec::new(),
        uid_validity: None,
        uid_next: 1,
        keywords: Vec::new(),
    };
    let mut base_next: Option<u32> = None;
    for (from_line, mut lines) in raw_messages {
        // The date that ends the `From ` line: its last five words.
        let from_text = String::from_utf8_lossy(from_line);
        let words: Vec<&str> = from_text.split_whitespace().collect();
        let received = words[words.len().saturating_sub(5)..].join(" ");
        let sender = words.get(1).map_or("", |w| w).to_string();
        let mut flags = 0u8;
        let mut keywords = Vec::new();
        let mut recent = true;
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
                                mailbox.keywords = words.map(str::to_string).collect();
                            }
                            "status" => {
                                flags |= flags_from(&value, &STATUS_LETTERS);
                                recent = !value.contains('O');
                            }
                            "x-status" => flags |= flags_from(&value, &X_STATUS_LETTERS),
                            "x-keywords" => keywords = words.map(str::to_string).collect(),
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
        // A message without `X-UID:` gets the next UID the base line
        // promises (as Dovecot's index gives it), not one used before.
        let uid = uid
            .unwrap_or(mailbox.uid_next.max(base_next.unwrap_or(0)))
            .max(1);
        mailbox.uid_next = mailbox.uid_next.max(uid.saturating_add(1));
        mailbox.messages.push(StoredMessage {
            modseq: 1,
            text,
            uid,
            flags,
            keywords,
            recent,
            received,
            sender,
        });
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
/// deleted one moves, and so changes) is written as no longer new, `RO`
/// if read, else `O`.
pub fn update(file: &[u8], seen: &[bool], deleted: &[bool]) -> Vec<u8> {
    let mailbox = read(file);
    let flag = |flags: &[bool], i: usize| flags.get(i).copied().unwrap_or(false);
    let count = mailbox.messages.len();
    let last_changed = if (0..count).any(|i| flag(deleted, i)) {
        count.checked_sub(1)
    } else {
        (0..count).rev().find(|&i| flag(seen, i))
    };
    let plans: Vec<Plan> = mailbox
        .messages
        .iter()
        .enumerate()
        .map(|(i, message)| {
            if flag(deleted, i) {
                return Plan::Expunge;
            }
            let mut state = MessageState::of(message);
            let write = last_changed.is_some_and(|last| i <= last);
            if write {
                state.recent = false;
                if flag(seen, i) {
                    state.flags |= SEEN;
                }
            }
            Plan::Write {
                state,
                write,
                uid: 0,
            }
        })
        .collect();
    let base = Base {
        uid_validity: mailbox.uid_validity.unwrap_or(0),
        last_uid: mailbox.uid_next.saturating_sub(1),
        keywords: mailbox.keywords.clone(),
    };
    sync(file, &base, &plans)
}

/// A message's flags as the file should keep them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageState {
    pub flags: u8,
    pub keywords: Vec<String>,
    pub recent: bool,
}

impl MessageState {
    pub fn of(message: &StoredMessage) -> MessageState {
        MessageState {
            flags: message.flags,
            keywords: message.keywords.clone(),
            recent: message.recent,
        }
    }
}

/// What [`sync`] does with one message of the file.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Remove it.
    Expunge,
    /// Keep it; rewrite its header with `state` when `write` (or when it
    /// must move), with `uid` (0: the one it has) if it is written.
    Write {
        state: MessageState,
        write: bool,
        uid: u32,
    },
}

/// What the first message's `X-IMAPbase:` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    pub uid_validity: u32,
    pub last_uid: u32,
    pub keywords: Vec<String>,
}

/// Header lines Dovecot pads with spaces, and may take the spaces back from.
const PADDED: [&str; 3] = ["x-uid", "x-keywords", "x-imapbase"];

/// One header field: its first line and continuation lines, with LF.
fn fields<'a>(lines: &[&'a [u8]]) -> Vec<Vec<&'a [u8]>> {
    let mut out: Vec<Vec<&[u8]>> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some(field) if line.starts_with(b" ") || line.starts_with(b"\t") => field.push(line),
            _ => out.push(vec![line]),
        }
    }
    out
}

fn field_name(field: &[&[u8]]) -> String {
    field
        .first()
        .and_then(|line| header_name(line))
        .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
        .unwrap_or_default()
}

/// A header being rewritten: its lines without Dovecot's padding, and the
/// line that gets the padding.
struct NewHeader {
    lines: Vec<Vec<u8>>,
    pad_line: Option<usize>,
}

impl NewHeader {
    fn size(&self) -> usize {
        self.lines.iter().map(Vec::len).sum()
    }

    /// The lines with `padding` spaces at the end of the padded line.
    fn bytes(&self, padding: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size() + padding);
        for (index, line) in self.lines.iter().enumerate() {
            if Some(index) == self.pad_line {
                out.extend_from_slice(line.strip_suffix(b"\n").unwrap_or(line));
                out.extend(std::iter::repeat_n(b' ', padding));
                out.push(b'\n');
            } else {
                out.extend_from_slice(line);
            }
        }
        out
    }
}

fn without_trailing_spaces(line: &[u8]) -> Vec<u8> {
    let text = line.strip_suffix(b"\n").unwrap_or(line);
    let end = text
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    let mut out = text[..end].to_vec();
    if out.ends_with(b":") {
        // An empty value keeps the space after the colon.
        out.push(b' ');
    }
    out.push(b'\n');
    out
}

/// The header of one entry as Dovecot rewrites it: its own fields given
/// new values in place (`X-IMAPbase:` only on the first message), missing
/// ones added at the end, padding taken out. With `state` `None` the
/// fields keep their values and only lose their padding.
fn new_header(
    headers: &[&[u8]],
    uid: u32,
    state: Option<&MessageState>,
    first: Option<&Base>,
) -> NewHeader {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut pad_line = None;
    let mut padded_name: Option<String> = None;
    let mut seen: Vec<String> = Vec::new();
    let keywords_line = |keywords: &[String]| {
        let mut line = b"X-Keywords:".to_vec();
        for keyword in keywords {
            line.push(b' ');
            line.extend_from_slice(keyword.as_bytes());
        }
        line
    };
    let base_line = |base: &Base| {
        let mut line = format!("X-IMAPbase: {} {:010}", base.uid_validity, base.last_uid);
        for keyword in &base.keywords {
            line.push(' ');
            line.push_str(keyword);
        }
        line.push('\n');
        line.into_bytes()
    };
    for field in fields(headers) {
        let name = field_name(&field);
        let had_padding = field.last().is_some_and(|l| {
            let text = l.strip_suffix(b"\n").unwrap_or(l);
            text.ends_with(b" ") || text.ends_with(b"\t")
        });
        if PADDED.contains(&name.as_str()) && had_padding && padded_name.is_none() {
            padded_name = Some(name.clone());
        }
        let replaced: Option<Vec<u8>> = match (name.as_str(), state) {
            ("x-imapbase", _) => match first {
                Some(base) if state.is_some() => Some(base_line(base)),
                Some(_) => None,
                None => {
                    // Only the first message keeps it.
                    seen.push(name.clone());
                    continue;
                }
            },
            ("x-uid", Some(_)) => Some(format!("X-UID: {uid}\n").into_bytes()),
            ("status", Some(state)) => Some(status_line(state)),
            ("x-status", Some(state)) => Some(
                format!("X-Status: {}\n", letters_of(state.flags, &X_STATUS_LETTERS)).into_bytes(),
            ),
            ("x-keywords", Some(state)) => {
                let mut line = keywords_line(&state.keywords);
                if state.keywords.is_empty() {
                    line.push(b' ');
                }
                line.push(b'\n');
                Some(line)
            }
            _ => None,
        };
        seen.push(name.clone());
        let at = lines.len();
        let before = lines.len();
        match replaced {
            Some(line) => lines.push(line),
            None if PADDED.contains(&name.as_str()) => {
                for line in &field {
                    lines.push(without_trailing_spaces(line));
                }
            }
            None => lines.extend(field.iter().map(|l| l.to_vec())),
        }
        if padded_name.as_deref() == Some(name.as_str()) && pad_line.is_none() {
            pad_line = Some(at + (lines.len() - before).max(1) - 1);
        }
    }
    if let Some(base) = first {
        if !seen.iter().any(|n| n == "x-imapbase") {
            // A message that becomes the first gets it before its X-UID.
            match lines.iter().position(|l| is_named(l, "x-uid")) {
                Some(at) => {
                    lines.insert(at, base_line(base));
                    if let Some(pad) = pad_line.as_mut().filter(|p| **p >= at) {
                        *pad += 1;
                    }
                }
                None => lines.push(base_line(base)),
            }
        }
    }
    let mut uid_line = None;
    if !seen.iter().any(|n| n == "x-uid") {
        uid_line = Some(lines.len());
        lines.push(format!("X-UID: {uid}\n").into_bytes());
    }
    if let Some(state) = state {
        if !seen.iter().any(|n| n == "status") && (state.flags & SEEN != 0 || !state.recent) {
            lines.push(status_line(state));
        }
        let x_status = letters_of(state.flags, &X_STATUS_LETTERS);
        if !seen.iter().any(|n| n == "x-status") && !x_status.is_empty() {
            lines.push(format!("X-Status: {x_status}\n").into_bytes());
        }
        if !seen.iter().any(|n| n == "x-keywords") && !state.keywords.is_empty() {
            let mut line = keywords_line(&state.keywords);
            line.push(b'\n');
            lines.push(line);
        }
    }
    if pad_line.is_none() {
        // Where there was no room before: X-Keywords, else X-UID.
        pad_line = lines
            .iter()
            .position(|l| is_named(l, "x-keywords"))
            .or(uid_line)
            .or_else(|| lines.iter().position(|l| is_named(l, "x-uid")));
    }
    NewHeader { lines, pad_line }
}

/// Dovecot's padding for headers that had to grow with no room left.
const NEW_PADDING: usize = HEADER_PADDING;

/// The file after Dovecot's mbox sync writes the given states (`plans`,
/// one per message in file order). A header rewritten in place keeps its
/// size, the padding after `X-UID:` (or `X-Keywords:`) growing or
/// shrinking; a header that no longer fits takes the room of the messages
/// after it (shared out evenly over the run), or, at the end of the file,
/// 50 spaces each. Removed messages free their room. Messages after the
/// last one written stay byte for byte.
pub fn sync(file: &[u8], base: &Base, plans: &[Plan]) -> Vec<u8> {
    let (before, list) = entries(file);
    let mailbox = read(file);
    let mut out_entries: Vec<Vec<u8>> = Vec::with_capacity(list.len());
    // Each kept entry: (from line, header, rest) once decided.
    struct Pending {
        from_line: Vec<u8>,
        header: NewHeader,
        rest: Vec<u8>,
    }
    let mut run: Vec<Pending> = Vec::new();
    let mut run_sum: i64 = 0;
    let mut freed: usize = 0;
    let mut moved = false;
    let mut first_kept = true;
    let finish_run = |run: &mut Vec<Pending>, sum: i64, out: &mut Vec<Vec<u8>>, at_end: bool| {
        let count = run.len();
        if count == 0 {
            return;
        }
        let (per, first) = if at_end {
            (NEW_PADDING, NEW_PADDING)
        } else {
            let sum = sum.max(0) as usize;
            let per = sum / count;
            (per, sum - per * (count - 1))
        };
        for (index, pending) in run.drain(..).enumerate() {
            let mut entry = pending.from_line;
            entry.extend_from_slice(&pending.header.bytes(if index == 0 { first } else { per }));
            entry.extend_from_slice(&pending.rest);
            out.push(entry);
        }
    };
    for (index, entry) in list.iter().enumerate() {
        let plan = plans.get(index).cloned().unwrap_or(Plan::Write {
            state: mailbox
                .messages
                .get(index)
                .map(MessageState::of)
                .unwrap_or(MessageState {
                    flags: 0,
                    keywords: Vec::new(),
                    recent: true,
                }),
            write: false,
            uid: 0,
        });
        let rest: Vec<u8> = entry.rest.concat();
        let old_size: usize = entry.headers.iter().map(|h| h.len()).sum();
        let (state, write, uid) = match plan {
            Plan::Expunge => {
                freed += entry.from_line.len() + old_size + rest.len();
                moved = true;
                continue;
            }
            Plan::Write { state, write, uid } if uid != 0 => (state, write, uid),
            Plan::Write { state, write, .. } => (
                state,
                write,
                mailbox
                    .messages
                    .get(index)
                    .map_or(index as u32 + 1, |m| m.uid),
            ),
        };
        let is_first = first_kept;
        first_kept = false;
        let has_base = entry.headers.iter().any(|h| is_named(h, "x-imapbase"));
        let indexed = base.uid_validity != 0;
        let base_changed = indexed
            && is_first
            && (!has_base
                || mailbox.keywords != base.keywords
                || mailbox.uid_validity != Some(base.uid_validity));
        let lacks_uid = indexed && !entry.headers.iter().any(|h| is_named(h, "x-uid"));
        let must = write || moved || base_changed || lacks_uid || (!is_first && has_base);
        let first_base = (is_first && indexed).then_some(base);
        if !run.is_empty() {
            let header = new_header(&entry.headers, uid, must.then_some(&state), first_base);
            run_sum += old_size as i64 - header.size() as i64;
            run.push(Pending {
                from_line: entry.from_line.to_vec(),
                header,
                rest,
            });
            if run_sum >= 0 {
                finish_run(&mut run, run_sum, &mut out_entries, false);
                run_sum = 0;
            }
            continue;
        }
        if !must {
            let mut bytes = entry.from_line.to_vec();
            for header in &entry.headers {
                if is_first && is_named(header, "x-imapbase") {
                    // The last UID is written over in place.
                    bytes.extend_from_slice(&with_last_uid(header, base.last_uid));
                } else {
                    bytes.extend_from_slice(header);
                }
            }
            bytes.extend_from_slice(&rest);
            out_entries.push(bytes);
            continue;
        }
        let header = new_header(&entry.headers, uid, Some(&state), first_base);
        let size = header.size();
        if size <= old_size {
            let mut bytes = entry.from_line.to_vec();
            bytes.extend_from_slice(&header.bytes(old_size - size));
            bytes.extend_from_slice(&rest);
            out_entries.push(bytes);
        } else if moved && size - old_size <= freed {
            freed -= size - old_size;
            let mut bytes = entry.from_line.to_vec();
            bytes.extend_from_slice(&header.bytes(0));
            bytes.extend_from_slice(&rest);
            out_entries.push(bytes);
        } else {
            run_sum = old_size as i64 - size as i64;
            run.push(Pending {
                from_line: entry.from_line.to_vec(),
                header,
                rest,
            });
        }
    }
    finish_run(&mut run, run_sum, &mut out_entries, true);
    let mut out = Vec::with_capacity(file.len());
    for line in before {
        out.extend_from_slice(line);
    }
    for entry in out_entries {
        out.extend_from_slice(&entry);
    }
    out
}

/// An `X-IMAPbase:` line with its last UID (ten digits) replaced.
fn with_last_uid(line: &[u8], last_uid: u32) -> Vec<u8> {
    let text = String::from_utf8_lossy(line).into_owned();
    let mut parts: Vec<&str> = text.splitn(4, ' ').collect();
    let digits = format!("{last_uid:010}");
    if parts.len() >= 3 && parts[2].trim_end().len() == 10 {
        let tail = parts[2][10..].to_string();
        let replaced = format!("{digits}{tail}");
        parts[2] = &replaced;
        return parts.join(" ").into_bytes();
    }
    line.to_vec()
}

/// Dovecot's room after `X-Keywords:` in a message it appends: room for
/// the padding and a `Content-Length:` header that is written into it
/// once the body's size is known.
const APPEND_ROOM: usize = HEADER_PADDING + 1 + "Content-Length: \n".len() + 23;

/// A message as Dovecot's mbox driver appends it (`mbox-save.c`): the
/// `From ` line (`sender` and `received`, a `ctime` date), the message's
/// own header fields without the ones Dovecot keeps, `X-IMAPbase:` when it
/// is the file's first message, `X-UID:`, `Status:` (`X-Status:`),
/// `X-Keywords:` with room, `Content-Length:`, the body, a blank line.
/// `message` has CRLF or LF line ends; the file gets LF. Body lines that
/// start with `From ` get a `>`.
pub fn append(
    file: &[u8],
    message: &[u8],
    sender: &str,
    received: &str,
    uid: u32,
    base: Option<&Base>,
    state: &MessageState,
) -> Vec<u8> {
    let mut out = file.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n\n") {
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    let lines: Vec<Vec<u8>> = message
        .split_inclusive(|&b| b == b'\n')
        .map(|line| {
            let text = line.strip_suffix(b"\n").unwrap_or(line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            let mut owned = text.to_vec();
            owned.push(b'\n');
            owned
        })
        .collect();
    let blank = lines.iter().position(|l| l == b"\n");
    let (header_lines, body_lines) = match blank {
        Some(at) => (&lines[..at], &lines[at + 1..]),
        None => (&lines[..], &lines[lines.len()..]),
    };
    out.extend_from_slice(format!("From {sender}  {received}\n").as_bytes());
    let mut skipping = false;
    for line in header_lines {
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            if !skipping {
                out.extend_from_slice(line);
            }
            continue;
        }
        let lower = header_name(line)
            .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
            .unwrap_or_default();
        skipping = INTERNAL_HEADERS.contains(&lower.as_str());
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    if let Some(base) = base {
        out.extend_from_slice(
            format!("X-IMAPbase: {} {:010}\n", base.uid_validity, uid).as_bytes(),
        );
    }
    out.extend_from_slice(format!("X-UID: {uid}\n").as_bytes());
    out.extend_from_slice(&status_line(state));
    let x_status = letters_of(state.flags, &X_STATUS_LETTERS);
    if !x_status.is_empty() {
        out.extend_from_slice(format!("X-Status: {x_status}\n").as_bytes());
    }
    let mut body = Vec::new();
    for line in body_lines {
        if line.starts_with(b"From ") {
            body.push(b'>');
        }
        body.extend_from_slice(line);
    }
    let length = format!("\nContent-Length: {}", body.len());
    let mut keywords = b"X-Keywords:".to_vec();
    for keyword in &state.keywords {
        keywords.push(b' ');
        keywords.extend_from_slice(keyword.as_bytes());
    }
    out.extend_from_slice(&keywords);
    out.extend(std::iter::repeat_n(
        b' ',
        APPEND_ROOM.saturating_sub(length.len()),
    ));
    out.extend_from_slice(length.as_bytes());
    out.extend_from_slice(b"\n\n");
    out.extend_from_slice(&body);
    out.push(b'\n');
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
        let second = SEED.windows(6).rposition(|w| w == b"\nFrom ").unwrap();
        let plain = &SEED[..second + 1];
        let indexed = index(plain, 1795979863);
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
