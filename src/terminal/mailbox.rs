//! Reading delivered mail: an mbox file split into messages, with the
//! header lines the server added picked out. Written here rather than
//! taken from a mail-parsing crate: what matters is the file exactly as
//! the server wrote it (its `From ` lines, which headers it added), not a
//! decoded message.

use smtplab_engine::delivery::added_by_server;
use smtplab_engine::mbox;
use smtplab_engine::store::MailStore;

pub use smtplab_engine::store::Entry;

/// A user's messages in INBOX, read.
pub fn user_messages(store: &MailStore, user: &str) -> Vec<Message> {
    store
        .get(user)
        .unwrap_or_default()
        .iter()
        .flat_map(|entry| messages(entry))
        .collect()
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
    /// The flags Dovecot keeps in the message's header (`Status: RO`,
    /// `X-Status: AF`, `X-Keywords:`), in words: what POP3 and IMAP did.
    /// A message Dovecot indexed but nobody saw arrive is `new`.
    pub fn flags_in_words(&self) -> String {
        let status = self.header("Status").unwrap_or_default();
        let x_status = self.header("X-Status").unwrap_or_default();
        let mut words: Vec<String> = Vec::new();
        if self.header("X-UID").is_some() && !status.contains('O') {
            words.push("new".into());
        }
        let flags = mbox::flags_from_status(&status, &x_status);
        words.extend(
            mbox::FLAG_WORDS
                .iter()
                .filter(|(bit, _)| flags & bit != 0)
                .map(|(_, word)| word.to_string()),
        );
        words.extend(
            self.header("X-Keywords")
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string),
        );
        words.join(" ")
    }

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
    use smtplab_engine::store::split_entries;

    const MBOX: &str = "From a@b  Tue Oct 22 05:05:59 2013\nReturn-Path: <a@b>\nReceived: from x (y [127.0.0.1])\n\tby mail.example.com (8.13.8/8.13.8) with SMTP id r9M95xgc014513\n\tfor mom@example.com; Tue, 22 Oct 2013 05:05:59 -0400\nDate: Tue, 22 Oct 2013 05:05:59 -0400\nMessage-Id: <1@h>\nFrom: Me <a@b>\nSubject: hi\n\nHey\n\nFrom a@b  Tue Oct 22 05:06:59 2013\nReturn-Path: <a@b>\nReceived: from x\nSubject: two\n\n>From the start\n\n";

    #[test]
    fn flags_in_words() {
        let cases = [
            (
                "Status: RO\nX-Status: AF\nX-Keywords: $Label1",
                "seen answered flagged $Label1",
            ),
            (
                "X-UID: 3\nStatus: R\nX-Status: TD",
                "new seen draft deleted",
            ),
            ("X-UID: 3\nStatus: O", ""),
            ("Subject: plain", ""),
        ];
        for (headers, words) in cases {
            let entry = format!("From a  Sat Nov 28 13:08:26 2026\n{headers}\n\nbody\n\n");
            assert_eq!(
                messages(entry.as_bytes())[0].flags_in_words(),
                words,
                "{headers}"
            );
        }
    }

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
        let mut boxes = MailStore::default();
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
