//! Reading delivered mail: an mbox file split into messages, with the
//! header lines the server added picked out. Written here rather than
//! taken from a mail-parsing crate: what matters is the file exactly as
//! the server wrote it (its `From ` lines, which headers it added), not a
//! decoded message.

use std::rc::Rc;

use smtplab_engine::delivery::added_by_server;
use smtplab_engine::mail_actions::StorePath;

/// A delivered message as the mbox holds it: its `From ` line, headers,
/// body and the blank line after. Shared, not copied, between the mailbox
/// and the log that lesson checks read.
pub type Entry = Rc<[u8]>;

/// Each user's mailbox, by user name in order: the entries delivered, which
/// together are the user's `/var/mail` file.
#[derive(Clone, Debug)]
pub struct Mailboxes {
    boxes: Vec<(String, Vec<Entry>)>,
    /// The users' other mail files (IMAP folders in `~/mail`, and the
    /// subscription list), by user and name.
    others: Vec<(String, Other, Vec<u8>)>,
    /// Counts changes, so a view can tell when to read a mailbox again.
    version: u64,
}

impl Default for Mailboxes {
    fn default() -> Mailboxes {
        Mailboxes {
            boxes: Vec::new(),
            others: Vec::new(),
            version: next_version(),
        }
    }
}

impl PartialEq for Mailboxes {
    fn eq(&self, other: &Mailboxes) -> bool {
        self.boxes == other.boxes && self.others == other.others
    }
}

/// A file of a user's mail besides INBOX.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Other {
    Folder(String),
    Subscriptions,
}

/// Versions are unique across all mailboxes ever made, so one read for an
/// old terminal is never taken for a new one's.
fn next_version() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static VERSION: AtomicU64 = AtomicU64::new(1);
    VERSION.fetch_add(1, Ordering::Relaxed)
}

impl Mailboxes {
    /// The entries of a user's mailbox, oldest first.
    pub fn get(&self, user: &str) -> Option<&[Entry]> {
        self.boxes
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, entries)| entries.as_slice())
    }

    /// The user's mailbox file as `cat` shows it.
    pub fn file(&self, user: &str) -> Option<Vec<u8>> {
        self.get(user).map(|entries| entries.concat())
    }

    /// How many messages the user has.
    pub fn count(&self, user: &str) -> usize {
        self.get(user).map_or(0, <[Entry]>::len)
    }

    /// The user's messages, read.
    pub fn messages(&self, user: &str) -> Vec<Message> {
        self.get(user)
            .unwrap_or_default()
            .iter()
            .flat_map(|entry| messages(entry))
            .collect()
    }

    /// Changes whenever a mailbox may have changed.
    pub fn version(&self) -> u64 {
        self.version
    }

    #[cfg(test)]
    pub fn contains_key(&self, user: &str) -> bool {
        self.get(user).is_some()
    }

    /// Appends an entry to the user's mailbox, creating it if needed.
    pub fn deliver(&mut self, user: &str, entry: Entry) {
        self.version = next_version();
        match self.boxes.binary_search_by(|(u, _)| u.as_str().cmp(user)) {
            Ok(index) => self.boxes[index].1.push(entry),
            Err(index) => self.boxes.insert(index, (user.to_string(), vec![entry])),
        }
    }

    /// Puts back a mailbox file (a saved session): its entries are found by
    /// their `From ` lines.
    pub fn restore(&mut self, user: &str, file: &[u8]) {
        for entry in split_entries(file) {
            self.deliver(user, Rc::from(entry));
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.boxes.iter().map(|(u, _)| u)
    }

    pub fn clear(&mut self) {
        self.version = next_version();
        self.boxes.clear();
        self.others.clear();
    }

    /// The user's mailbox file is now `file` (a POP3 or IMAP server
    /// rewrote it).
    pub fn replace(&mut self, user: &str, file: &[u8]) {
        self.version = next_version();
        let entries: Vec<Entry> = split_entries(file).into_iter().map(Rc::from).collect();
        match self.boxes.binary_search_by(|(u, _)| u.as_str().cmp(user)) {
            Ok(index) => self.boxes[index].1 = entries,
            Err(index) => self.boxes.insert(index, (user.to_string(), entries)),
        }
    }

    /// Writes (or with `None` removes) one of the user's other mail files.
    pub fn write(&mut self, user: &str, path: &StorePath, file: Option<Vec<u8>>) {
        self.version = next_version();
        let key = match path {
            StorePath::Folder(name) => Other::Folder(name.clone()),
            StorePath::Subscriptions => Other::Subscriptions,
        };
        self.others.retain(|(u, k, _)| !(u == user && *k == key));
        if let Some(file) = file {
            // Kept in order, so two stores with the same files are equal.
            let at = self
                .others
                .partition_point(|(u, k, _)| (u.as_str(), k) < (user, &key));
            self.others.insert(at, (user.to_string(), key, file));
        }
    }

    /// Every other mail file, as `(USER/NAME, bytes)` (`NAME` is
    /// `.subscriptions` for the subscription list), for saving.
    pub fn other_files(&self) -> Vec<(String, Vec<u8>)> {
        self.others
            .iter()
            .map(|(user, key, file)| {
                let name = match key {
                    Other::Folder(name) => name.as_str(),
                    Other::Subscriptions => ".subscriptions",
                };
                (format!("{user}/{name}"), file.clone())
            })
            .collect()
    }

    /// Puts back a file [`Mailboxes::other_files`] listed.
    pub fn restore_other(&mut self, key: &str, file: &[u8]) {
        let Some((user, name)) = key.split_once('/') else {
            return;
        };
        let path = if name == ".subscriptions" {
            StorePath::Subscriptions
        } else {
            StorePath::Folder(name.to_string())
        };
        self.write(user, &path, Some(file.to_vec()));
    }

    /// The user's IMAP folders, by name.
    pub fn folders(&self, user: &str) -> smtplab_engine::imap::ByName<Vec<u8>> {
        self.others
            .iter()
            .filter_map(|(u, key, file)| match key {
                Other::Folder(name) if u == user => Some((name.clone(), file.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn subscriptions(&self, user: &str) -> Vec<u8> {
        self.others
            .iter()
            .find(|(u, key, _)| u == user && *key == Other::Subscriptions)
            .map(|(_, _, file)| file.clone())
            .unwrap_or_default()
    }
}

/// Splits an mbox file at its `From ` lines (a body line starting so is
/// written `>From ` on delivery, so it never splits a message).
pub fn split_entries(file: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at < file.len() {
        if file[at..].starts_with(b"From ") {
            starts.push(at);
        }
        match file[at..].iter().position(|&b| b == b'\n') {
            Some(newline) => at += newline + 1,
            None => break,
        }
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let mut entries = Vec::new();
    for (index, &start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(file.len());
        if end > start {
            entries.push(&file[start..end]);
        }
    }
    entries
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderLine {
    pub text: String,
    /// Added by the server (`Return-Path:`, `Received:`, and `Date:`,
    /// `From:`, `Message-Id:` when the message lacked them).
    pub added: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The mbox `From ` separator line.
    pub envelope: String,
    pub headers: Vec<HeaderLine>,
    pub body: String,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.headers
            .iter()
            .find(|h| h.text.to_ascii_lowercase().starts_with(&prefix))
            .map(|h| h.text[prefix.len()..].trim().to_string())
    }
}

/// Whether one delivered entry has a header field `header` and a body line
/// equal to `body_line` (each when given), read in place: lesson checks
/// run on every command, and a message can be megabytes long.
pub fn entry_has(entry: &[u8], header: Option<&str>, body_line: Option<&str>) -> bool {
    let mut lines = entry
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    if !lines.next().is_some_and(|l| l.starts_with(b"From ")) {
        return false;
    }
    let mut found = header.is_none();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if let Some(name) = header {
            let name = name.as_bytes();
            found |= line.len() > name.len()
                && line[name.len()] == b':'
                && line[..name.len()].eq_ignore_ascii_case(name);
        }
    }
    found && body_line.is_none_or(|wanted| lines.any(|line| line == wanted.as_bytes()))
}

/// Splits an mbox into messages.
pub fn messages(mbox: &[u8]) -> Vec<Message> {
    let text = String::from_utf8_lossy(mbox);
    let mut entries: Vec<Vec<&str>> = Vec::new();
    for line in text.split('\n') {
        if line.starts_with("From ") || entries.is_empty() {
            entries.push(Vec::new());
        }
        if let Some(entry) = entries.last_mut() {
            entry.push(line);
        }
    }
    entries
        .into_iter()
        .filter(|e| e.first().is_some_and(|l| l.starts_with("From ")))
        .map(|entry| parse_entry(&entry))
        .collect()
}

fn parse_entry(lines: &[&str]) -> Message {
    let envelope = lines.first().map(|l| l.to_string()).unwrap_or_default();
    let mut index = 1;
    while index < lines.len() && !lines[index].is_empty() {
        index += 1;
    }
    let header_lines = &lines[1.min(lines.len())..index];
    let names: Vec<&str> = header_lines
        .iter()
        .filter(|l| !l.starts_with([' ', '\t']))
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    let mut added = added_by_server(&names).into_iter();
    let mut current_added = false;
    let headers = header_lines
        .iter()
        .map(|line| {
            if !line.starts_with([' ', '\t']) {
                current_added = added.next().unwrap_or(false);
            }
            HeaderLine {
                text: line.to_string(),
                added: current_added,
            }
        })
        .collect();
    let mut body_lines: Vec<&str> = lines.get(index + 1..).unwrap_or(&[]).to_vec();
    // The blank line that ends each mbox entry is not part of the body.
    while body_lines.last() == Some(&"") {
        body_lines.pop();
    }
    Message {
        envelope,
        headers,
        body: body_lines.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MBOX: &str = "From a@b  Tue Oct 22 05:05:59 2013\nReturn-Path: <a@b>\nReceived: from x (y [127.0.0.1])\n\tby mail.example.com (8.13.8/8.13.8) with SMTP id r9M95xgc014513\n\tfor mom@example.com; Tue, 22 Oct 2013 05:05:59 -0400\nDate: Tue, 22 Oct 2013 05:05:59 -0400\nMessage-Id: <1@h>\nFrom: Me <a@b>\nSubject: hi\n\nHey\n\nFrom a@b  Tue Oct 22 05:06:59 2013\nReturn-Path: <a@b>\nReceived: from x\nSubject: two\n\n>From the start\n\n";

    #[test]
    fn splits_and_marks_added_headers() {
        let all = messages(MBOX.as_bytes());
        assert_eq!(all.len(), 2);
        let first = &all[0];
        let added: Vec<bool> = first.headers.iter().map(|h| h.added).collect();
        assert_eq!(added, [true, true, true, true, true, true, false, false]);
        assert_eq!(first.header("subject").as_deref(), Some("hi"));
        assert_eq!(first.body, "Hey");
        assert_eq!(all[1].body, ">From the start");
    }

    #[test]
    fn splits_files_and_reads_entries_in_place() {
        assert_eq!(split_entries(MBOX.as_bytes()).len(), 2);
        assert!(split_entries(b"").is_empty());
        // A body line that merely contains "From " is not a message.
        assert_eq!(
            split_entries(b"From a\nSubject: x\n\nsay >From me\n\n").len(),
            1
        );
        let mut boxes = Mailboxes::default();
        boxes.restore("mom", MBOX.as_bytes());
        assert_eq!(boxes.count("mom"), 2);
        assert_eq!(boxes.file("mom").unwrap(), MBOX.as_bytes());
        let first = MBOX.split("\n\nFrom ").next().unwrap();
        let second = &MBOX[first.len() + 2..];
        // The same answers as building the message and asking it.
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (first, None, None),
            (first, Some("subject"), None),
            (first, Some("Subject"), Some("Hey")),
            (first, Some("X-Missing"), None),
            (first, None, Some("Hey!")),
            (first, Some("Received"), Some("Hey")),
            (
                first,
                Some("for mom@example.com; Tue, 22 Oct 2013 05"),
                None,
            ),
            (second, None, Some(">From the start")),
            (second, Some("Subj"), None),
            ("not an entry", None, None),
        ];
        for (entry, header, body) in cases {
            let built = messages(entry.as_bytes()).iter().any(|m| {
                header.is_none_or(|h| m.header(h).is_some())
                    && body.is_none_or(|b| m.body.lines().any(|line| line == b))
            });
            assert_eq!(
                entry_has(entry.as_bytes(), *header, *body),
                built,
                "{header:?} {body:?} in {entry:?}"
            );
        }
    }
}
