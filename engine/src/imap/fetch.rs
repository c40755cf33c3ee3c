//! FETCH: the items a client asks for (`FLAGS`, `BODY.PEEK[HEADER]`,
//! `ALL` ...) and what each says of a message, as Dovecot writes it.

use base64::Engine as _;

use super::message::{body_structure, envelope, header_fields, part_at, split, value};
use super::parse::Arg;
use super::sort::q_decode;
use super::{flag_names, Message};
use crate::time::Timestamp;

/// One FETCH item.
#[derive(Clone, Debug)]
pub(super) enum Item {
    Uid,
    Flags,
    /// CONDSTORE's `MODSEQ`.
    ModSeq,
    InternalDate,
    Size,
    Envelope,
    Body,
    BodyStructure,
    /// `BINARY.SIZE[section]`: the size of the part decoded (RFC 3516).
    BinarySize(String),
    /// `BODY[section]<partial>`, `BINARY[section]<partial>` (the part's
    /// content decoded), `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`.
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
            "MODSEQ" => items.push(Item::ModSeq),
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
            _ if upper.starts_with("BINARY.SIZE[") && upper.ends_with(']') => {
                items.push(Item::BinarySize(upper[12..upper.len() - 1].to_string()))
            }
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
                    name: upper[..upper.find(['.', '[']).unwrap_or(0)].to_string(),
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
        Item::ModSeq => format!("MODSEQ ({})", message.modseq).into_bytes(),
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
        Item::BinarySize(section) => format!(
            "BINARY.SIZE[{section}] {}",
            binary_data(&message.text, section).0.len()
        )
        .into_bytes(),
        Item::Section {
            name,
            section,
            partial,
            ..
        } => {
            let (data, converted) = if name == "BINARY" {
                binary_data(&message.text, section)
            } else {
                (section_data(&message.text, section), false)
            };
            let mut label = if name.starts_with("RFC822") {
                name.clone()
            } else {
                format!("{name}[{section}]")
            };
            let data = match partial {
                Some((start, count)) => {
                    let from = (*start).min(data.len());
                    let to = from.saturating_add(*count).min(data.len());
                    label.push_str(&format!("<{start}>"));
                    data[from..to].to_vec()
                }
                None => data,
            };
            // Decoded content is sent as a literal8 (`~{n}`), as Dovecot
            // sends what it converted.
            let tilde = if converted { "~" } else { "" };
            let mut out = format!("{label} {tilde}{{{}}}\r\n", data.len()).into_bytes();
            out.extend_from_slice(&data);
            out
        }
    }
}

/// The octets of `BINARY[section]` (RFC 3516): a part's content with its
/// Content-Transfer-Encoding (base64, quoted-printable) undone, and
/// whether it was; the whole message or a multipart as it is.
fn binary_data(text: &[u8], section: &str) -> (Vec<u8>, bool) {
    let body = section_data(text, section);
    if section.is_empty() {
        return (body, false);
    }
    let header = section_data(text, &format!("{section}.MIME"));
    let encoding = value(&header, "Content-Transfer-Encoding").unwrap_or_default();
    let encoding = String::from_utf8_lossy(&encoding)
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "base64" => {
            // Anything outside the alphabet (line ends, spaces) is skipped.
            let kept: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
                .collect();
            (LENIENT_BASE64.decode(kept).unwrap_or_default(), true)
        }
        "quoted-printable" => {
            // RFC 2045 6.7: trailing white space dropped, `=` at a line's
            // end joins it to the next.
            let mut out = Vec::new();
            for line in body.split_inclusive(|&b| b == b'\n') {
                let ended = line.ends_with(b"\n");
                let line = line.trim_ascii_end();
                let (line, soft) = match line.strip_suffix(b"=") {
                    Some(line) => (line, true),
                    None => (line, false),
                };
                out.extend(q_decode(line, false));
                if ended && !soft {
                    out.extend_from_slice(b"\r\n");
                }
            }
            (out, true)
        }
        _ => (body, false),
    }
}

/// Base64 as a message part may carry it: padding or not.
const LENIENT_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// The octets of `BODY[section]`.
pub(super) fn section_data(text: &[u8], section: &str) -> Vec<u8> {
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
