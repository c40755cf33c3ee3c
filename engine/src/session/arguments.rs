//! The arguments of MAIL and RCPT: the address and the ESMTP parameters
//! after it, read Sendmail's way (`skipword`, `prescan`, `mail_esmtp_args`)
//! or Postfix's (`smtpd_token`, `extract_addr`, its parameter loop).

use super::commands::{is_space, trim_start};
use super::{Event, Session};
use crate::address::{self, Address};
use crate::catalogue::ReplyKey;
use crate::reply::{shorten, strip_high_bit};
use crate::rfc822;
use crate::tokens::Word;

use super::MAX_SHORT_STRING;

/// The address of MAIL or RCPT and what its parameters declared.
pub(super) struct Path {
    pub address: Address,
    /// `SIZE=`, 0 when not given.
    pub declared_size: u64,
    /// `SMTPUTF8` was given.
    pub utf8: bool,
}

/// Sendmail's `skipword`: `FROM:` (any case, spaces allowed before the
/// colon) must start `text`, and something must follow it. On failure the
/// error echoes the text up to the first space or colon.
fn skip_word<'a>(text: &'a [u8], word: &str) -> Result<&'a [u8], String> {
    let text = trim_start(text);
    let end = text
        .iter()
        .position(|&b| b == b':' || is_space(b))
        .unwrap_or(text.len());
    let found = &text[..end];
    let after_spaces = trim_start(&text[end..]);
    let syntax_error = || shorten(&strip_high_bit(found), MAX_SHORT_STRING);
    if after_spaces.first() != Some(&b':') {
        // `MAIL sender@x` names the whole text: it has no colon at all.
        return Err(syntax_error());
    }
    let rest = trim_start(&after_spaces[1..]);
    if rest.is_empty() || !found.eq_ignore_ascii_case(word.as_bytes()) {
        return Err(syntax_error());
    }
    Ok(rest)
}

/// ESMTP parameters after an address: `KEYWORD[=VALUE]` separated by spaces.
fn parameters(text: &[u8]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = trim_start(rest);
        if rest.is_empty() {
            return out;
        }
        let key_end = rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
            .unwrap_or(rest.len());
        let keyword = strip_high_bit(&rest[..key_end]);
        rest = &rest[key_end..];
        let mut value = None;
        if rest.first() == Some(&b'=') {
            let value_end = rest[1..]
                .iter()
                .position(|&b| b == b' ' || b.is_ascii_control() || b == b'=')
                .map(|p| p + 1)
                .unwrap_or(rest.len());
            value = Some(strip_high_bit(&rest[1..value_end]));
            rest = &rest[value_end..];
        }
        if !rest.is_empty() {
            rest = &rest[1..];
        }
        out.push((keyword, value));
    }
}

/// RFC 3461 xtext: printable ASCII except `+` and `=`, with `+XX` escapes.
fn is_xtext(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => {
                let hex = bytes.get(index + 1..index + 3);
                if !hex.is_some_and(|h| {
                    h.iter()
                        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
                }) {
                    return false;
                }
                index += 3;
            }
            b'!'..=b'~' if bytes[index] != b'=' => index += 1,
            _ => return false,
        }
    }
    true
}

/// The path of MAIL (`word` is `from`) or RCPT (`to`) read Sendmail's way.
pub(super) fn sendmail_path(session: &Session, argument: &[u8], word: &str) -> Result<Path, Event> {
    let text = skip_word(argument, word)
        .map_err(|scanned| session.reply_arg(ReplyKey::SyntaxErrorScanning, &scanned))?;
    let (token, rest, error) = address::scan(text);
    if let Some(error) = error {
        return Err(session.address_error(error, &token));
    }
    let address = address::parse(&token).map_err(|error| session.address_error(error, &token))?;
    let mut declared_size: u64 = 0;
    let mut seen: Vec<String> = Vec::new();
    for (keyword, value) in parameters(rest) {
        let upper = keyword.to_ascii_uppercase();
        let refusal = if word == "from" {
            mail_parameter(
                session,
                &upper,
                &keyword,
                value.as_deref(),
                &mut seen,
                &mut declared_size,
            )
        } else {
            rcpt_parameter(session, &upper, &keyword, value.as_deref(), &mut seen)
        };
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
    }
    Ok(Path {
        address,
        declared_size,
        utf8: false,
    })
}

/// One MAIL parameter (Sendmail's `mail_esmtp_args`); an error reply,
/// or `None` when it is accepted.
fn mail_parameter(
    session: &Session,
    upper: &str,
    typed: &str,
    value: Option<&str>,
    seen: &mut Vec<String>,
    declared_size: &mut u64,
) -> Option<Event> {
    let needs_value = |name: &str| session.reply_arg(ReplyKey::ParameterNeedsValue, name);
    match upper {
        "SIZE" => {
            let value = value?;
            let digits: String = value.chars().take_while(|c| c.is_ascii_digit()).collect();
            // Sendmail reads the size into a signed long; past its range
            // the value is the largest one, still over any limit.
            *declared_size =
                digits
                    .parse::<u64>()
                    .unwrap_or(if digits.is_empty() { 0 } else { u64::MAX });
            None
        }
        "BODY" => match value {
            None => Some(needs_value("BODY")),
            Some(v) if v.eq_ignore_ascii_case("7BIT") || v.eq_ignore_ascii_case("8BITMIME") => None,
            Some(v) => Some(session.reply_arg(ReplyKey::UnknownBodyType, v)),
        },
        "ENVID" | "RET" if seen.iter().any(|s| s == upper) => {
            Some(session.reply_arg(ReplyKey::DuplicateParameter, upper))
        }
        "ENVID" => {
            seen.push(upper.to_string());
            match value {
                None => Some(needs_value("ENVID")),
                Some(v) if !is_xtext(v) => {
                    Some(session.reply_arg(ReplyKey::ParameterSyntax, "ENVID"))
                }
                Some(_) => None,
            }
        }
        "RET" => {
            seen.push(upper.to_string());
            match value {
                None => Some(needs_value("RET")),
                Some(v) if v.eq_ignore_ascii_case("FULL") || v.eq_ignore_ascii_case("HDRS") => None,
                Some(v) => Some(session.reply_arg(ReplyKey::BadRetArgument, v)),
            }
        }
        "AUTH" => match value {
            None => Some(needs_value("AUTH=")),
            Some(v) if !is_xtext(v) => Some(session.reply_arg(ReplyKey::ParameterSyntax, "AUTH")),
            Some(_) => None,
        },
        "BY" => None,
        _ => Some(session.reply_arg(ReplyKey::ParameterUnrecognized, typed)),
    }
}

/// One RCPT parameter (Sendmail's `rcpt_esmtp_args`).
fn rcpt_parameter(
    session: &Session,
    upper: &str,
    typed: &str,
    value: Option<&str>,
    seen: &mut Vec<String>,
) -> Option<Event> {
    match upper {
        "NOTIFY" => {
            let Some(value) = value else {
                return Some(session.reply_arg(ReplyKey::ParameterNeedsValue, "NOTIFY"));
            };
            (!valid_notify(value)).then(|| session.reply_arg(ReplyKey::BadNotify, value))
        }
        "ORCPT" if seen.iter().any(|s| s == "ORCPT") => {
            Some(session.reply_arg(ReplyKey::DuplicateParameter, "ORCPT"))
        }
        "ORCPT" => {
            seen.push("ORCPT".to_string());
            match value {
                None => Some(session.reply_arg(ReplyKey::ParameterNeedsValue, "ORCPT")),
                Some(v) if !is_xtext(v) => {
                    Some(session.reply_arg(ReplyKey::ParameterSyntax, "ORCPT"))
                }
                Some(_) => None,
            }
        }
        _ => Some(session.reply_arg(ReplyKey::ParameterUnrecognized, typed)),
    }
}

/// `NOTIFY=`: `NEVER` alone, or any of `SUCCESS`, `FAILURE`, `DELAY`.
fn valid_notify(value: &str) -> bool {
    let items: Vec<String> = value.split(',').map(|s| s.to_ascii_uppercase()).collect();
    items
        .iter()
        .all(|item| matches!(item.as_str(), "SUCCESS" | "FAILURE" | "DELAY"))
        || items == ["NEVER"]
}

fn text_of(word: &Word) -> String {
    String::from_utf8_lossy(&word.text).into_owned()
}

/// `alldig` then the value: Postfix accepts an empty digit string as 0.
fn all_digits(text: &str) -> Option<u64> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        text.parse::<u64>()
            .unwrap_or(if text.is_empty() { 0 } else { u64::MAX }),
    )
}

/// The path of MAIL read Postfix's way: `FROM:` must be its own word, the
/// address the next one, and the parameters the words after it.
pub(super) fn postfix_path(
    session: &Session,
    words: &[Word],
    colon_word: &str,
) -> Result<Path, Event> {
    if words.len() < 3 || !words[1].text.eq_ignore_ascii_case(colon_word.as_bytes()) {
        return Err(session.reply(ReplyKey::MailSyntax));
    }
    let bad = || session.reply(ReplyKey::BadSenderSyntax);
    if words[2].unterminated {
        return Err(bad());
    }
    let utf8 = words[3..]
        .iter()
        .any(|w| w.text.eq_ignore_ascii_case(b"SMTPUTF8"));
    let address = rfc822::extract(&words[2].text).ok_or_else(bad)?;
    if !address.is_empty() && rfc822::resolve(&address, &session.world, utf8).malformed {
        return Err(bad());
    }
    let mut declared_size = 0;
    let mut ret = false;
    let mut envid = false;
    for word in &words[3..] {
        let text = text_of(word);
        let upper = text.to_ascii_uppercase();
        if upper == "BODY=8BITMIME" || upper == "BODY=7BIT" || upper == "SMTPUTF8" {
            continue;
        }
        if let Some(size) = upper.strip_prefix("SIZE=") {
            declared_size = match all_digits(size) {
                Some(size) if size <= i64::MAX as u64 => size,
                Some(_) => return Err(session.reply(ReplyKey::SizeOverflow)),
                None => return Err(session.reply(ReplyKey::BadSizeSyntax)),
            };
        } else if let Some(value) = upper.strip_prefix("RET=") {
            if ret || !(value == "FULL" || value == "HDRS") {
                return Err(session.reply(ReplyKey::BadRetArgument));
            }
            ret = true;
        } else if upper.starts_with("ENVID=") {
            if envid || !is_xtext(&text[6..]) {
                return Err(session.reply(ReplyKey::BadEnvid));
            }
            envid = true;
        } else {
            return Err(session.reply_arg(ReplyKey::ParameterUnrecognized, &text));
        }
    }
    Ok(Path {
        address: Address {
            typed: words[2].text.clone(),
            mailbox: String::from_utf8_lossy(&address).into_owned(),
        },
        declared_size,
        utf8,
    })
}

/// RCPT's parameters read Postfix's way: `NOTIFY=` and `ORCPT=`, once each.
pub(super) fn postfix_rcpt_parameters(session: &Session, words: &[Word]) -> Result<(), Event> {
    let mut notify = false;
    let mut orcpt = false;
    for word in words {
        let text = text_of(word);
        let upper = text.to_ascii_uppercase();
        if let Some(value) = upper.strip_prefix("NOTIFY=") {
            if notify || !valid_notify(value) {
                return Err(session.reply(ReplyKey::BadNotify));
            }
            notify = true;
        } else if upper.starts_with("ORCPT=") {
            let valid = text[6..]
                .split_once(';')
                .is_some_and(|(kind, address)| !kind.is_empty() && is_xtext(address));
            if orcpt || !valid {
                return Err(session.reply(ReplyKey::BadOrcpt));
            }
            orcpt = true;
        } else {
            return Err(session.reply_arg(ReplyKey::ParameterUnrecognized, &text));
        }
    }
    Ok(())
}
