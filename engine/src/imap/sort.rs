//! SORT (RFC 5256) and SORT=DISPLAY (RFC 5957) as Dovecot answers them
//! (`src/lib-storage/index/index-sort.c`, `src/lib-imap/imap-base-subject.c`):
//! the keys, the base subject, the sent date with INTERNALDATE standing
//! in, and the mailbox order breaking ties.

use std::cmp::Ordering;

use base64::Engine as _;

use super::message::{addresses, split, value, Address};
use super::parse::Arg;
use super::search::{known_charset, matching};
use super::{ImapSession, Message};
use crate::dovecot_texts::ImapText;
use crate::event::Event;
use crate::time::Timestamp;

/// What a message is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Criterion {
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

const CRITERIA: &[(&str, Criterion)] = &[
    ("ARRIVAL", Criterion::Arrival),
    ("CC", Criterion::Cc),
    ("DATE", Criterion::Date),
    ("FROM", Criterion::From),
    ("SIZE", Criterion::Size),
    ("SUBJECT", Criterion::Subject),
    ("TO", Criterion::To),
    ("DISPLAYFROM", Criterion::DisplayFrom),
    ("DISPLAYTO", Criterion::DisplayTo),
];

/// A message's value for one criterion.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum SortKey {
    Number(i64),
    Text(String),
}

impl ImapSession {
    pub(super) fn sort(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        let (returns, args) = super::messages::return_options(args)?;
        let Some(Arg::List(program)) = args.first() else {
            return Err("Invalid sort argument".to_string());
        };
        let mut criteria: Vec<(Criterion, bool)> = Vec::new();
        let mut reverse = false;
        for item in program {
            let word = item
                .atom()
                .ok_or("Invalid sort argument")?
                .to_ascii_uppercase();
            if word == "REVERSE" {
                reverse = true;
                continue;
            }
            let &(_, criterion) = CRITERIA
                .iter()
                .find(|(name, _)| *name == word)
                .ok_or_else(|| format!("Unknown sort argument: {word}"))?;
            criteria.push((criterion, std::mem::take(&mut reverse)));
        }
        if criteria.is_empty() || reverse {
            return Err("Sort list ends with REVERSE".to_string());
        }
        let charset = args.get(1).and_then(Arg::text).ok_or("Missing charset")?;
        if !known_charset(&charset) {
            self.reply(tag, ImapText::BadCharset, &[], out);
            return Ok(());
        }
        let keys = self.search_keys(&args[2..])?;
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let found: Vec<(usize, Vec<SortKey>)> = matching(&selected.messages, &keys)
            .into_iter()
            .map(|index| {
                let message = &selected.messages[index];
                let values = criteria
                    .iter()
                    .map(|(c, _)| sort_key(message, *c))
                    .collect();
                (index, values)
            })
            .collect();
        let order = sorted(found.len(), &|a, b| {
            let ((a_index, a), (b_index, b)) = (&found[a], &found[b]);
            for ((_, reversed), (x, y)) in criteria.iter().zip(a.iter().zip(b)) {
                let order = if *reversed { y.cmp(x) } else { x.cmp(y) };
                if order != Ordering::Equal {
                    return order;
                }
            }
            a_index.cmp(b_index)
        });
        let numbers: Vec<usize> = order
            .iter()
            .map(|&at| found[at].0)
            .map(|index| {
                if uid {
                    selected.messages[index].uid as usize
                } else {
                    index + 1
                }
            })
            .collect();
        if let Some(wanted) = returns {
            // ESORT (RFC 5267): the same line as ESEARCH, in sort order.
            let line = super::messages::esearch_line(tag, uid, &wanted, &numbers);
            out.push(Event::Line(line));
            self.reply(tag, ImapText::SortCompleted, &[], out);
            return Ok(());
        }
        let numbers: Vec<String> = numbers.iter().map(ToString::to_string).collect();
        out.push(Event::Line(
            format!("* SORT {}", numbers.join(" "))
                .trim_end()
                .to_string(),
        ));
        self.reply(tag, ImapText::SortCompleted, &[], out);
        Ok(())
    }
}

pub(super) fn sort_key(message: &Message, criterion: Criterion) -> SortKey {
    let header = split(&message.text).header;
    let field = |name: &str| value(header, name);
    let arrival = || Timestamp::parse_ctime(&message.received, 0).map_or(0, |t| t.unix_seconds);
    match criterion {
        Criterion::Arrival => SortKey::Number(arrival()),
        Criterion::Size => SortKey::Number(message.text.len() as i64),
        Criterion::Date => SortKey::Number(
            field("Date")
                .and_then(|date| sent_date(&String::from_utf8_lossy(&date)))
                .unwrap_or_else(arrival),
        ),
        Criterion::Subject => SortKey::Text(base_subject(
            &field("Subject")
                .map(|s| decode_words(&s))
                .unwrap_or_default(),
        )),
        Criterion::From | Criterion::To | Criterion::Cc => {
            let name = match criterion {
                Criterion::From => "From",
                Criterion::To => "To",
                _ => "Cc",
            };
            // RFC 5256: the first address's local part (a group's name
            // for a group, as Dovecot reads its start).
            let mailbox = match field(name).and_then(|v| addresses(&v).into_iter().next()) {
                Some(Address::Mailbox { mailbox, .. }) | Some(Address::GroupStart(mailbox)) => {
                    String::from_utf8_lossy(&mailbox).to_ascii_uppercase()
                }
                _ => String::new(),
            };
            SortKey::Text(mailbox)
        }
        Criterion::DisplayFrom | Criterion::DisplayTo => {
            let name = if criterion == Criterion::DisplayFrom {
                "From"
            } else {
                "To"
            };
            // RFC 5957: the display name, or else the address.
            let shown = match field(name).and_then(|v| addresses(&v).into_iter().next()) {
                Some(Address::Mailbox {
                    name: Some(display),
                    ..
                }) => decode_words(&display),
                Some(Address::Mailbox {
                    mailbox,
                    host: Some(host),
                    ..
                }) => format!(
                    "{}@{}",
                    String::from_utf8_lossy(&mailbox),
                    String::from_utf8_lossy(&host)
                ),
                Some(Address::Mailbox { mailbox, .. }) | Some(Address::GroupStart(mailbox)) => {
                    String::from_utf8_lossy(&mailbox).into_owned()
                }
                _ => String::new(),
            };
            SortKey::Text(shown.to_ascii_uppercase())
        }
    }
}

/// `0..count` in the order `compare` gives (stable). One sort for every
/// caller, so that the page carries the sorting code once.
pub(super) fn sorted(count: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|a, b| compare(*a, *b));
    order
}

/// RFC 2047 encoded words decoded (UTF-8, US-ASCII and ISO-8859-1; Q and
/// B), the white space between two encoded words dropped.
pub(super) fn decode_words(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut out = String::new();
    let mut rest: &str = &text;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        let decoded = candidate[2..].split_once('?').and_then(|(charset, after)| {
            let (encoding, after) = after.split_once('?')?;
            let (payload, after) = after.split_once("?=")?;
            let bytes = match encoding.to_ascii_uppercase().as_str() {
                "Q" => q_decode(payload.as_bytes(), true),
                "B" => base64::engine::general_purpose::STANDARD
                    .decode(payload)
                    .ok()?,
                _ => return None,
            };
            let charset = charset.split('*').next().unwrap_or("").to_ascii_lowercase();
            let text = match charset.as_str() {
                "iso-8859-1" | "latin1" => bytes.iter().map(|&b| b as char).collect(),
                _ => String::from_utf8_lossy(&bytes).into_owned(),
            };
            Some((text, after))
        });
        match decoded {
            Some((text, after)) => {
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = after;
                last_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &candidate[2..];
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `=XX` escapes decoded (and with `underscore`, RFC 2047's `_` for a
/// space).
pub(super) fn q_decode(bytes: &[u8], underscore: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' if underscore => out.push(b' '),
            b'=' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'='),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// The base subject of RFC 5256 section 2.1, in capitals: leaders
/// (`Re:`, `Fwd:`, `[blob]`), trailers (`(fwd)`) and a `[fwd: ...]`
/// wrapping removed, white space made single spaces.
pub(super) fn base_subject(subject: &str) -> String {
    base_subject_reply(subject).0
}

/// The base subject, and whether taking it off removed a `Re:`, `Fwd:`,
/// `(fwd)` or `[fwd: ...]` (a reply or forward, which THREAD REFERENCES
/// weighs: `imap_get_base_subject_cased`).
pub(super) fn base_subject_reply(subject: &str) -> (String, bool) {
    let mut reply = false;
    let mut text: String = subject
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    loop {
        // (2) trailers.
        loop {
            let trimmed = text.trim_end();
            match trimmed.strip_suffix("(fwd)") {
                Some(rest) => {
                    text = rest.to_string();
                    reply = true;
                }
                None => {
                    text = trimmed.to_string();
                    break;
                }
            }
        }
        // (5), (6): leaders and blobs, until nothing changes.
        loop {
            let before = text.clone();
            text = text.trim_start().to_string();
            if let Some(rest) = strip_leader(&text) {
                text = rest.to_string();
                reply = true;
            }
            if let Some(rest) = strip_blob(&text) {
                if !rest.trim().is_empty() {
                    text = rest.to_string();
                }
            }
            if text == before {
                break;
            }
        }
        // (8) a `[fwd: ...]` wrapping.
        match text
            .strip_prefix("[fwd:")
            .and_then(|inner| inner.strip_suffix(']'))
        {
            Some(inner) => {
                text = inner.to_string();
                reply = true;
            }
            None => break,
        }
    }
    // Dovecot compares titlecased text: letters before `[` and `_`. Only
    // ASCII is folded here: Unicode's case tables would cost the page
    // more than SORT itself.
    (text.trim().to_ascii_uppercase(), reply)
}

/// `*subj-blob subj-refwd`: blobs, then `re`, `fw` or `fwd`, optional
/// white space and blob, and a colon.
fn strip_leader(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(after) = strip_blob(rest) {
        rest = after;
    }
    let after = rest
        .strip_prefix("re")
        .or_else(|| rest.strip_prefix("fwd"))
        .or_else(|| rest.strip_prefix("fw"))?;
    let mut after = after.trim_start();
    if let Some(blob_end) = strip_blob(after) {
        after = blob_end;
    }
    after.strip_prefix(':')
}

/// `"[" *BLOBCHAR "]" *WSP`.
fn strip_blob(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('[')?;
    let end = inner.find([']', '['])?;
    if inner.as_bytes()[end] != b']' {
        return None;
    }
    Some(inner[end + 1..].trim_start())
}

/// The sent date of a `Date:` value, in Unix seconds.
pub(super) fn sent_date(date: &str) -> Option<i64> {
    let date = date.split(',').next_back()?.trim();
    let mut words = date.split_whitespace();
    let day: u32 = words.next()?.parse().ok()?;
    let month = words.next()?;
    let year: i64 = match words.next()?.parse::<i64>().ok()? {
        year @ 0..=49 => year + 2000,
        year @ 50..=999 => year + 1900,
        year => year,
    };
    let time = words.next()?;
    let time = if time.matches(':').count() == 1 {
        format!("{time}:00")
    } else {
        time.to_string()
    };
    let zone = match words.next().unwrap_or("+0000") {
        zone if zone.starts_with(['+', '-']) => zone.to_string(),
        "EDT" => "-0400".to_string(),
        "EST" | "CDT" => "-0500".to_string(),
        "CST" | "MDT" => "-0600".to_string(),
        "MST" | "PDT" => "-0700".to_string(),
        "PST" => "-0800".to_string(),
        _ => "+0000".to_string(),
    };
    let month = month.get(..3)?;
    let imap = format!("{day:02}-{month}-{year:04} {time} {zone}");
    Timestamp::parse_imap_date(&imap).map(|t| t.unix_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The subjects of imaptest's `sort-subject.mbox` in order, and what
    /// Dovecot sorts them to (its own expected reply).
    #[test]
    fn base_subjects_sort_as_dovecot_sorts_them() {
        let subjects = [
            "a",
            "C",
            "b",
            "_",
            "[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)",
            "b (a)",
            "Re: [FWD: c]",
            "[xyz]",
            "",
            "=?iso-8859-1?q?_?=",
            "Re: =?utf-8?q?b?=",
            "=?iso-8859-1?q?RE:_C?=",
            "=?us-ascii?b?UmU6IGM=?=",
            "Ad: Re: Ad: Re: Ad: x",
            "re: [fwd: [fwd: re: [fwd: babylon]]]",
        ];
        let bases: Vec<String> = subjects
            .iter()
            .map(|s| base_subject(&decode_words(s.as_bytes())))
            .collect();
        assert_eq!(bases[4], "B");
        assert_eq!(bases[6], "C");
        assert_eq!(bases[7], "[XYZ]");
        assert_eq!(bases[14], "BABYLON");
        assert_eq!(bases[13], "AD: RE: AD: RE: AD: X");
        let mut order: Vec<usize> = (0..subjects.len()).collect();
        order.sort_by(|a, b| bases[*a].cmp(&bases[*b]).then(a.cmp(b)));
        let shown: Vec<usize> = order.iter().map(|i| i + 1).collect();
        assert_eq!(shown, [9, 10, 1, 14, 3, 5, 11, 6, 15, 2, 7, 12, 13, 8, 4]);
    }

    #[test]
    fn sent_dates() {
        let table = [
            ("Fri, 22 Feb 2008 15:06:23 +0200", Some(1_203_685_583)),
            ("22 Feb 2008 13:06:23 GMT", Some(1_203_685_583)),
            ("Fri, 22 Feb 08 13:06 +0000", Some(1_203_685_560)),
            ("yesterday", None),
        ];
        for (text, want) in table {
            assert_eq!(sent_date(text), want, "{text}");
        }
    }
}
