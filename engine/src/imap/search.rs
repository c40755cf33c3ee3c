//! SEARCH: the keys a client combines (flags, headers, text, sizes,
//! dates, sets, NOT, OR, lists) and whether a message matches them.

use super::message::{self, split};
use super::parse::{in_set, sequence_set, Arg};
use super::Message;
use crate::mbox::{self, DELETED, DRAFT, FLAGGED, SEEN};
use crate::time::Timestamp;

/// The charsets a search may name: Dovecot's list in its `[BADCHARSET]`.
pub(super) fn known_charset(charset: &str) -> bool {
    charset.eq_ignore_ascii_case("UTF-8") || charset.eq_ignore_ascii_case("US-ASCII")
}

/// Whether a key (or one inside it) is MODSEQ, which turns CONDSTORE on
/// and adds the highest mod-sequence found to the reply.
pub(super) fn uses_modseq(keys: &[Key]) -> bool {
    keys.iter().any(|key| match key {
        Key::ModSeq(_) => true,
        Key::Not(inner) => uses_modseq(std::slice::from_ref(inner)),
        Key::Or(a, b) => {
            uses_modseq(std::slice::from_ref(a)) || uses_modseq(std::slice::from_ref(b))
        }
        Key::And(inner) => uses_modseq(inner),
        _ => false,
    })
}

/// The indexes of the messages of the view that match every key.
pub(super) fn matching(messages: &[Message], keys: &[Key]) -> Vec<usize> {
    let largest_uid = messages.last().map_or(0, |m| m.uid);
    (0..messages.len())
        .filter(|&index| {
            let context = SearchContext {
                index,
                count: messages.len(),
                largest_uid,
                message: &messages[index],
            };
            keys.iter().all(|k| k.matches(&context))
        })
        .collect()
}

pub(super) struct SearchContext<'a> {
    pub(super) index: usize,
    pub(super) count: usize,
    pub(super) largest_uid: u32,
    pub(super) message: &'a Message,
}

#[derive(Clone, Debug)]
pub(super) enum Key {
    All,
    Flag(u8, bool),
    Recent(bool),
    New,
    Keyword(String, bool),
    Header(String, Vec<u8>),
    Body(Vec<u8>),
    Text(Vec<u8>),
    Larger(usize),
    Smaller(usize),
    Sequence(String),
    Uid(String),
    Date(std::cmp::Ordering, bool, i64),
    /// WITHIN (RFC 5032): OLDER (`true`) or YOUNGER than this many
    /// seconds before the command, by INTERNALDATE: received before, or
    /// at or after, this time.
    Within(bool, i64),
    /// SEARCHRES's `$` (RFC 5182): the UIDs the last SEARCH ... SAVE found.
    Saved(Vec<u32>),
    /// CONDSTORE's MODSEQ (RFC 7162): changed at or after this.
    ModSeq(u64),
    Not(Box<Key>),
    Or(Box<Key>, Box<Key>),
    And(Vec<Key>),
}

/// Whether `needle` occurs in `haystack`, ASCII case ignored. Both are
/// lowered and searched as text, so the time grows with their lengths
/// added, not multiplied (a long key against a long message).
fn contains_ci(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    let lower = |bytes: &[u8]| String::from_utf8_lossy(&bytes.to_ascii_lowercase()).into_owned();
    lower(haystack).contains(&lower(needle))
}

impl Key {
    pub(super) fn matches(&self, c: &SearchContext) -> bool {
        let m = c.message;
        match self {
            Key::All => true,
            Key::Flag(bit, set) => (m.flags & bit != 0) == *set,
            Key::Recent(set) => m.recent == *set,
            Key::New => m.recent && m.flags & SEEN == 0,
            Key::Keyword(k, set) => m.keywords.iter().any(|x| x.eq_ignore_ascii_case(k)) == *set,
            Key::Header(name, value) => {
                let header = split(&m.text).header;
                message::fields(header)
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .any(|(_, raw)| {
                        let colon = raw.iter().position(|&b| b == b':').unwrap_or(0);
                        let raw = &raw[colon + 1..];
                        contains_ci(raw, value) || {
                            // An address header is searched as its
                            // addresses read (Dovecot's search writes
                            // them back without comments).
                            let address = ["FROM", "TO", "CC", "BCC", "SENDER", "REPLY-TO"]
                                .iter()
                                .any(|a| a.eq_ignore_ascii_case(name));
                            address && contains_ci(&written_addresses(raw), value)
                        }
                    })
            }
            Key::Body(value) => contains_ci(split(&m.text).body, value),
            Key::Text(value) => contains_ci(&m.text, value),
            Key::Larger(n) => m.text.len() > *n,
            Key::Smaller(n) => m.text.len() < *n,
            Key::Sequence(set) => {
                sequence_set(set, c.count as u32).is_some_and(|s| in_set(&s, c.index as u32 + 1))
            }
            Key::Uid(set) => {
                sequence_set(set, c.largest_uid.max(1)).is_some_and(|s| in_set(&s, m.uid))
            }
            Key::Saved(uids) => uids.binary_search(&m.uid).is_ok(),
            Key::ModSeq(n) => m.modseq >= *n,
            Key::Within(older, time) => Timestamp::parse_ctime(&m.received, 0)
                .is_some_and(|t| (t.unix_seconds < *time) == *older),
            Key::Date(order, sent, day) => {
                let seconds = if *sent {
                    message::value(split(&m.text).header, "Date")
                        .and_then(|d| rfc822_day(&String::from_utf8_lossy(&d)))
                } else {
                    Timestamp::parse_ctime(&m.received, 0)
                        .map(|t| t.unix_seconds.div_euclid(86_400))
                };
                seconds.is_some_and(|d| match order {
                    std::cmp::Ordering::Less => d < *day,
                    std::cmp::Ordering::Equal => d == *day,
                    std::cmp::Ordering::Greater => d >= *day,
                })
            }
            Key::Not(key) => !key.matches(c),
            Key::Or(a, b) => a.matches(c) || b.matches(c),
            Key::And(keys) => keys.iter().all(|k| k.matches(c)),
        }
    }
}

/// The day (days since 1970) of an RFC 822 `Date:` value.
fn rfc822_day(text: &str) -> Option<i64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let start = usize::from(words.first().is_some_and(|w| w.ends_with(',')));
    let date = format!(
        "{}-{}-{} 00:00:00 +0000",
        words.get(start)?,
        words.get(start + 1)?,
        words.get(start + 2)?
    );
    Timestamp::parse_imap_date(&date).map(|t| t.unix_seconds.div_euclid(86_400))
}

/// How deep NOT, OR and parentheses may nest: a client could otherwise
/// send thousands and exhaust the stack (the page has one megabyte).
const MAX_DEPTH: usize = 100;

/// What a search key may refer to besides its words: when the command came
/// (Unix seconds; WITHIN counts back from it) and the UIDs SAVE kept (`$`).
#[derive(Clone, Copy)]
pub(super) struct Given<'a> {
    pub(super) now: i64,
    pub(super) saved: &'a [u32],
}

/// The search key at `position`.
pub(super) fn search_key(args: &[Arg], position: &mut usize, given: Given) -> Result<Key, String> {
    key_at(args, position, 0, given)
}

fn key_at(args: &[Arg], position: &mut usize, depth: usize, given: Given) -> Result<Key, String> {
    let now = given.now;
    if depth > MAX_DEPTH {
        return Err("Search keys nested too deep".to_string());
    }
    let arg = args.get(*position).ok_or("Missing search parameters")?;
    *position += 1;
    if let Arg::List(items) = arg {
        let mut inner = 0;
        let mut keys = Vec::new();
        while inner < items.len() {
            keys.push(key_at(items, &mut inner, depth + 1, given)?);
        }
        return Ok(Key::And(keys));
    }
    let word = arg.atom().ok_or("Invalid search parameters")?.to_string();
    let upper = word.to_ascii_uppercase();
    let value = |position: &mut usize| -> Result<Vec<u8>, String> {
        let v = args
            .get(*position)
            .and_then(Arg::astring)
            .ok_or_else(|| format!("Missing parameter for {upper}"))?;
        *position += 1;
        Ok(v)
    };
    let text = |v: Vec<u8>| String::from_utf8_lossy(&v).into_owned();
    let day = |v: Vec<u8>| -> Result<i64, String> {
        Timestamp::parse_imap_date(&format!("{} 00:00:00 +0000", text(v)))
            .map(|t| t.unix_seconds.div_euclid(86_400))
            .ok_or_else(|| "Invalid search date parameter".to_string())
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    Ok(match upper.as_str() {
        "ALL" => Key::All,
        "ANSWERED" => Key::Flag(mbox::ANSWERED, true),
        "UNANSWERED" => Key::Flag(mbox::ANSWERED, false),
        "DELETED" => Key::Flag(DELETED, true),
        "UNDELETED" => Key::Flag(DELETED, false),
        "DRAFT" => Key::Flag(DRAFT, true),
        "UNDRAFT" => Key::Flag(DRAFT, false),
        "FLAGGED" => Key::Flag(FLAGGED, true),
        "UNFLAGGED" => Key::Flag(FLAGGED, false),
        "SEEN" => Key::Flag(SEEN, true),
        "UNSEEN" => Key::Flag(SEEN, false),
        "RECENT" => Key::Recent(true),
        "OLD" => Key::Recent(false),
        "NEW" => Key::New,
        "KEYWORD" => Key::Keyword(text(value(position)?), true),
        "UNKEYWORD" => Key::Keyword(text(value(position)?), false),
        "FROM" | "TO" | "CC" | "BCC" | "SUBJECT" => Key::Header(upper.clone(), value(position)?),
        "HEADER" => {
            let name = text(value(position)?);
            Key::Header(name, value(position)?)
        }
        "BODY" => Key::Body(value(position)?),
        "TEXT" => Key::Text(value(position)?),
        "LARGER" => Key::Larger(text(value(position)?).parse().map_err(|_| "Invalid size")?),
        "SMALLER" => Key::Smaller(text(value(position)?).parse().map_err(|_| "Invalid size")?),
        "UID" => Key::Uid(text(value(position)?)),
        "$" => Key::Saved(given.saved.to_vec()),
        "MODSEQ" => {
            // An entry name ("/flags/\\seen") and type may come first; the
            // index keeps one mod-sequence a message, whatever changed.
            if args
                .get(*position)
                .is_some_and(|a| matches!(a, Arg::Quoted(_)))
            {
                *position += 2;
            }
            let n = text(value(position)?)
                .parse()
                .map_err(|_| "Invalid MODSEQ value")?;
            Key::ModSeq(n)
        }
        "BEFORE" => Key::Date(Less, false, day(value(position)?)?),
        "ON" => Key::Date(Equal, false, day(value(position)?)?),
        "SINCE" => Key::Date(Greater, false, day(value(position)?)?),
        "SENTBEFORE" => Key::Date(Less, true, day(value(position)?)?),
        "SENTON" => Key::Date(Equal, true, day(value(position)?)?),
        "SENTSINCE" => Key::Date(Greater, true, day(value(position)?)?),
        // Dovecot's `arg_new_interval`: OLDER matches the second itself.
        "OLDER" | "YOUNGER" => {
            let seconds: i64 = text(value(position)?)
                .parse()
                .ok()
                .filter(|&n: &i64| n > 0 && n <= i64::from(u32::MAX))
                .ok_or("Invalid search interval parameter")?;
            let older = upper == "OLDER";
            Key::Within(older, now - seconds + i64::from(older))
        }
        "NOT" => Key::Not(Box::new(key_at(args, position, depth + 1, given)?)),
        "OR" => {
            let a = key_at(args, position, depth + 1, given)?;
            let b = key_at(args, position, depth + 1, given)?;
            Key::Or(Box::new(a), Box::new(b))
        }
        _ if sequence_set(&upper, u32::MAX).is_some() => Key::Sequence(upper.clone()),
        _ => return Err(format!("Unknown argument {upper}")),
    })
}

/// Addresses as `name <user@host>`, one after another.
fn written_addresses(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for address in message::addresses(value) {
        if let message::Address::Mailbox {
            name,
            mailbox,
            host,
            ..
        } = address
        {
            out.extend(name.unwrap_or_default());
            out.extend(b" <");
            out.extend(mailbox);
            if let Some(host) = host {
                out.push(b'@');
                out.extend(host);
            }
            out.extend(b">, ");
        }
    }
    out
}
