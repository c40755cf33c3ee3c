//! FETCH: the items a client asks for (`FLAGS`, `BODY.PEEK[HEADER]`,
//! `ALL` ...) and what each says of a message, as Dovecot writes it.

use super::message::{body_structure, envelope, header_fields, part_at, split};
use super::parse::Arg;
use super::{flag_names, Message};
use crate::time::Timestamp;

/// One FETCH item.
#[derive(Clone, Debug)]
pub(super) enum Item {
    Uid,
    Flags,
    InternalDate,
    Size,
    Envelope,
    Body,
    BodyStructure,
    /// `BODY[section]<partial>`, `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`.
    Section {
        name: String,
        section: String,
        partial: Option<(usize, usize)>,
        peek: bool,
    },
}

pub(super) fn fetch_items(arg: &Arg) -> Result<Vec<Item>, String> {
    let words: Vec<String> = match arg {
        Arg::Atom(word) => vec![word.clone()],
        Arg::List(items) => items
            .iter()
            .map(|i| i.atom().map(str::to_string).ok_or("Invalid arguments."))
            .collect::<Result<_, _>>()?,
        _ => return Err("Invalid arguments.".to_string()),
    };
    let mut items = Vec::new();
    for word in words {
        let upper = word.to_ascii_uppercase();
        match upper.as_str() {
            "ALL" => items.extend([Item::Flags, Item::InternalDate, Item::Size, Item::Envelope]),
            "FAST" => items.extend([Item::Flags, Item::InternalDate, Item::Size]),
            "FULL" => items.extend([
                Item::Flags,
                Item::InternalDate,
                Item::Size,
                Item::Envelope,
                Item::Body,
            ]),
            "UID" => items.push(Item::Uid),
            "FLAGS" => items.push(Item::Flags),
            "INTERNALDATE" => items.push(Item::InternalDate),
            "RFC822.SIZE" => items.push(Item::Size),
            "ENVELOPE" => items.push(Item::Envelope),
            "BODY" => items.push(Item::Body),
            "BODYSTRUCTURE" => items.push(Item::BodyStructure),
            "RFC822" | "RFC822.HEADER" | "RFC822.TEXT" => items.push(Item::Section {
                name: upper.clone(),
                section: match upper.as_str() {
                    "RFC822" => String::new(),
                    "RFC822.HEADER" => "HEADER".to_string(),
                    _ => "TEXT".to_string(),
                },
                partial: None,
                peek: upper == "RFC822.HEADER",
            }),
            _ => {
                let (peek, rest) = if let Some(rest) = upper.strip_prefix("BODY.PEEK[") {
                    (true, rest)
                } else if let Some(rest) = upper.strip_prefix("BODY[") {
                    (false, rest)
                } else if let Some(rest) = upper.strip_prefix("BINARY.PEEK[") {
                    (true, rest)
                } else if let Some(rest) = upper.strip_prefix("BINARY[") {
                    (false, rest)
                } else {
                    return Err(format!("Unknown parameter {upper}"));
                };
                let close = rest
                    .rfind(']')
                    .ok_or_else(|| format!("Invalid BODY[..] parameter: {upper}"))?;
                let section = rest[..close].to_string();
                let tail = &rest[close + 1..];
                let partial = if tail.is_empty() {
                    None
                } else {
                    let inner = tail
                        .strip_prefix('<')
                        .and_then(|t| t.strip_suffix('>'))
                        .ok_or_else(|| format!("Invalid BODY[..] parameter: {upper}"))?;
                    let (start, count) = inner.split_once('.').ok_or("Invalid partial")?;
                    Some((
                        start.parse().map_err(|_| "Invalid partial")?,
                        count.parse().map_err(|_| "Invalid partial")?,
                    ))
                };
                items.push(Item::Section {
                    name: "BODY".to_string(),
                    section,
                    partial,
                    peek,
                });
            }
        }
    }
    Ok(items)
}

pub(super) fn fetch_item(message: &Message, item: &Item) -> Vec<u8> {
    match item {
        Item::Uid => format!("UID {}", message.uid).into_bytes(),
        Item::Flags => format!(
            "FLAGS ({})",
            flag_names(message.flags, message.recent, &message.keywords)
        )
        .into_bytes(),
        Item::InternalDate => {
            let date = Timestamp::parse_ctime(&message.received, 0)
                .unwrap_or_else(|| Timestamp::new(0, 0))
                .imap_date();
            format!("INTERNALDATE \"{date}\"").into_bytes()
        }
        Item::Size => format!("RFC822.SIZE {}", message.text.len()).into_bytes(),
        Item::Envelope => [b"ENVELOPE ".to_vec(), envelope(&message.text)].concat(),
        Item::Body => [b"BODY ".to_vec(), body_structure(&message.text, false)].concat(),
        Item::BodyStructure => [
            b"BODYSTRUCTURE ".to_vec(),
            body_structure(&message.text, true),
        ]
        .concat(),
        Item::Section {
            name,
            section,
            partial,
            ..
        } => {
            let data = section_data(&message.text, section);
            let (label, data) = match partial {
                Some((start, count)) => {
                    let from = (*start).min(data.len());
                    let to = from.saturating_add(*count).min(data.len());
                    (format!("BODY[{section}]<{start}>"), data[from..to].to_vec())
                }
                None if name == "BODY" => (format!("BODY[{section}]"), data),
                None => (name.clone(), data),
            };
            let mut out = format!("{label} {{{}}}\r\n", data.len()).into_bytes();
            out.extend_from_slice(&data);
            out
        }
    }
}

/// The octets of `BODY[section]`.
fn section_data(text: &[u8], section: &str) -> Vec<u8> {
    let mut numbers = Vec::new();
    let mut rest = section;
    while let Some((first, tail)) = rest.split_once('.').or(Some((rest, ""))) {
        match first.parse::<usize>() {
            Ok(n) if n > 0 => {
                numbers.push(n);
                rest = tail;
                if tail.is_empty() {
                    break;
                }
            }
            _ => break,
        }
    }
    let Some((part, message)) = part_at(text, &numbers) else {
        return Vec::new();
    };
    let specifier = if numbers.is_empty() { section } else { rest };
    let (kind, names) = match specifier.split_once(' ') {
        Some((kind, names)) => (kind, names),
        None => (specifier, ""),
    };
    let names: Vec<String> = names
        .trim_matches(|c| c == '(' || c == ')')
        .split_whitespace()
        .map(str::to_string)
        .collect();
    // A part's HEADER and TEXT are those of the message it holds (none
    // unless it is a message/rfc822); its MIME header is its own.
    let pieces = if numbers.is_empty() || matches!(kind, "" | "MIME") {
        part
    } else if message {
        split(part.body)
    } else {
        return Vec::new();
    };
    match kind {
        "" if numbers.is_empty() => text.to_vec(),
        "" | "TEXT" => pieces.body.to_vec(),
        "HEADER" | "MIME" => pieces.header.to_vec(),
        "HEADER.FIELDS" => header_fields(pieces.header, &names, false),
        "HEADER.FIELDS.NOT" => header_fields(pieces.header, &names, true),
        _ => Vec::new(),
    }
}
