//! Addresses read and resolved the way Postfix's SMTP server does: its
//! RFC 822 parser finds the address in what the client sent
//! (`extract_addr` with `tok822_parse`), and its resolver says where the
//! address goes (`resolve_addr` in trivial-rewrite): to a local user, to
//! another host, or nowhere because it is malformed.
//!
//! Hand-written because these are the server's own rules, including its
//! quirks (two words without an operator between them are two addresses;
//! `user@@host` is accepted, `user@` is not), which a general address
//! parser would not reproduce.

use crate::world::World;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Atom(Vec<u8>),
    Quoted(Vec<u8>),
    Literal(Vec<u8>),
    Op(u8),
}

/// RFC 822 specials plus the routing operators, as `tok822_scan` splits.
const OPERATORS: &[u8] = b"|%!()<>@,;:\\\".[]";

/// Postfix's `IS_SPACE_TAB_CR_LF`, which `tok822_scan` skips: narrower
/// than C's `isspace` (no VT, no FF).
fn is_space_tab_cr_lf(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Collects bytes while `keep` holds; a backslash takes the next byte as is.
fn collect(text: &[u8], mut index: usize, keep: impl Fn(u8) -> bool) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    while index < text.len() {
        let mut c = text[index];
        if c == b'\\' {
            index += 1;
            match text.get(index) {
                Some(&next) => c = next,
                None => break,
            }
        } else if !keep(c) {
            break;
        }
        out.push(if is_space_tab_cr_lf(c) { b' ' } else { c });
        index += 1;
    }
    (out, index)
}

/// Tokens of an address expression; comments are dropped.
fn scan(text: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < text.len() {
        let c = text[index];
        index += 1;
        if is_space_tab_cr_lf(c) {
            continue;
        }
        match c {
            b'(' => {
                let mut depth = 1;
                while index < text.len() && depth > 0 {
                    match text[index] {
                        b'\\' => index += 1,
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        _ => {}
                    }
                    index += 1;
                }
            }
            b'[' | b'"' => {
                let close = if c == b'[' { b']' } else { b'"' };
                let (inner, next) = collect(text, index, |b| b != close);
                index = if next < text.len() { next + 1 } else { next };
                tokens.push(if c == b'[' {
                    Token::Literal(inner)
                } else {
                    Token::Quoted(inner)
                });
            }
            _ if OPERATORS.contains(&c) && c != b'\\' => tokens.push(Token::Op(c)),
            _ => {
                let (atom, next) = collect(text, index - 1, |b| {
                    !is_space_tab_cr_lf(b) && !OPERATORS.contains(&b)
                });
                index = next.max(index);
                tokens.push(Token::Atom(atom));
            }
        }
    }
    tokens
}

fn is_word(token: &Token) -> bool {
    !matches!(token, Token::Op(_))
}

/// The address groups of `tokens`, rightmost first, as `tok822_parse`
/// forms them (right to left: two words without an operator between them
/// start a new address; `<...>` is an address of its own).
fn groups(tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut push = |range: std::ops::Range<usize>| {
        if !range.is_empty() {
            found.push(range);
        }
    };
    let mut right = tokens.len();
    let mut word_allowed = true;
    let mut index = tokens.len();
    while index > 0 {
        let i = index - 1;
        match &tokens[i] {
            Token::Op(b'>') => {
                push(i + 1..right);
                let open = tokens[..i].iter().rposition(|t| *t == Token::Op(b'<'));
                let start = open.map(|o| o + 1).unwrap_or(0);
                push(start..i);
                // The phrase before `<` is not an address.
                let stop = tokens[..open.unwrap_or(0)]
                    .iter()
                    .rposition(|t| matches!(t, Token::Op(b'>' | b';' | b',' | b':')));
                right = stop.map(|s| s + 1).unwrap_or(0);
                index = right;
                word_allowed = true;
                continue;
            }
            Token::Op(b',') => {
                push(i + 1..right);
                right = i;
                word_allowed = true;
            }
            Token::Op(_) => word_allowed = true,
            _ => {
                if !word_allowed {
                    push(i + 1..right);
                    right = i + 1;
                }
                word_allowed = false;
            }
        }
        index -= 1;
    }
    push(0..right);
    found
}

/// The internal (unquoted) form of an address's tokens.
fn internalize(tokens: &[Token]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            Token::Atom(text) | Token::Quoted(text) => out.extend_from_slice(text),
            Token::Literal(text) => {
                out.push(b'[');
                out.extend_from_slice(text);
                out.push(b']');
            }
            Token::Op(c) => out.push(*c),
        }
        if let Some(next) = tokens.get(index + 1) {
            if is_word(token) && is_word(next) {
                out.push(b' ');
            }
        }
    }
    out
}

/// The address in a MAIL, RCPT or VRFY argument, in internal form (empty
/// for `<>`), or `None` when the argument holds more than one address.
pub fn extract(argument: &[u8]) -> Option<Vec<u8>> {
    let mut text = argument;
    if text.len() >= 2 && text[0] == b'<' && text[text.len() - 1] == b'>' {
        text = &text[1..text.len() - 1];
    }
    // The deprecated source route `@a,@b:user@c` is cut off.
    if text.first() == Some(&b'@') {
        if let Some(colon) = text.iter().position(|&b| b == b':') {
            text = &text[colon + 1..];
        }
    }
    let tokens = scan(text);
    let found = groups(&tokens);
    if found.len() > 1 {
        return None;
    }
    Some(
        found
            .first()
            .map(|range| internalize(&tokens[range.clone()]))
            .unwrap_or_default(),
    )
}

/// Where an address goes, as the resolver says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The address the server would deliver to, `user@domain`.
    pub address: String,
    /// The local part, when the domain is one of this host's.
    pub local_part: Option<String>,
    /// The address is malformed (no valid domain).
    pub malformed: bool,
    /// A routing operator (`%`, `!`, or a second `@`) points elsewhere.
    pub routed: bool,
}

/// `valid_hostname`: labels of letters, digits, `-` and `_`, not starting
/// or ending with `-`, not all numeric.
pub fn valid_hostname(name: &str, allow_utf8: bool) -> bool {
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    let mut all_numeric = true;
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 || label.starts_with('-') || label.ends_with('-') {
            return false;
        }
        for c in label.chars() {
            if c.is_ascii_alphabetic() || c == '-' || c == '_' || (allow_utf8 && !c.is_ascii()) {
                all_numeric = false;
            } else if !c.is_ascii_digit() {
                return false;
            }
        }
    }
    !all_numeric
}

/// `[1.2.3.4]` or `[IPv6:...]`.
fn valid_literal(domain: &str) -> bool {
    let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) else {
        return false;
    };
    if let Some(v6) = inner.strip_prefix("IPv6:") {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    inner.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Resolves an address given in internal form (what [`extract`] returns).
/// `utf8` is whether the client declared SMTPUTF8 (non-ASCII domains are
/// refused without it).
pub fn resolve(address: &[u8], world: &World, utf8: bool) -> Resolved {
    let Ok(text) = std::str::from_utf8(address) else {
        return Resolved {
            address: String::from_utf8_lossy(address).into_owned(),
            local_part: None,
            malformed: true,
            routed: false,
        };
    };
    let mut rest = text.to_string();
    let mut saved_domain: Option<String> = None;
    let mut remote = false;
    // Each pass removes or rewrites something, so this ends; the bound
    // guards pathological input as the resolver's own loop limit does.
    for _ in 0..text.len() + 100 {
        if rest.ends_with('.')
            && rest.contains('@')
            && !rest.ends_with("..")
            && !rest.ends_with("@.")
        {
            rest.pop();
        }
        if let Some(at) = rest.rfind('@') {
            let domain = &rest[at + 1..];
            if !domain.is_empty() && !world.is_local_domain(domain) {
                remote = true;
                break;
            }
            saved_domain = Some(rest[at..].to_string());
            rest.truncate(at);
        }
        if rest.contains('@') {
            continue;
        }
        if let Some(bang) = rest.find('!') {
            rest = format!("{}@{}", &rest[bang + 1..], &rest[..bang]);
            continue;
        }
        if let Some(percent) = rest.rfind('%') {
            rest.replace_range(percent..percent + 1, "@");
            continue;
        }
        if rest.is_empty() {
            rest = "MAILER-DAEMON".to_string();
            continue;
        }
        if saved_domain.is_none() {
            rest = format!("{rest}@{}", world.hostname);
            continue;
        }
        break;
    }
    let local_part = (!remote).then(|| rest.clone());
    let full = match (&saved_domain, remote) {
        (Some(domain), false) => format!("{rest}{domain}"),
        _ => rest,
    };
    let domain = full.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
    let malformed = if domain.starts_with('[') {
        !valid_literal(domain)
    } else {
        !valid_hostname(domain, true) || (!utf8 && !domain.is_ascii())
    };
    let after_operator = full
        .find(['@', '!', '%'])
        .map(|i| &full[i + 1..])
        .unwrap_or("");
    Resolved {
        routed: after_operator != domain,
        local_part: if malformed { None } else { local_part },
        malformed,
        address: full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_addresses() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "<sender@client.example.no>",
                Some("sender@client.example.no"),
            ),
            (
                "sender@client.example.no>",
                Some("sender@client.example.no"),
            ),
            (
                "<<sender@client.example.no>>",
                Some("sender@client.example.no"),
            ),
            (
                "<sender@@client.example.no>",
                Some("sender@@client.example.no"),
            ),
            ("<@client.example.no>", Some("@client.example.no")),
            (
                "<@example.com:bob@elsewhere.test>",
                Some("bob@elsewhere.test"),
            ),
            ("<a b@client.example.no>", None),
            ("<>", Some("")),
            ("Mom <mom@example.com>", Some("mom@example.com")),
            ("<\"x y\"@example.com>", Some("x y@example.com")),
            ("<mom(comment)@example.com>", Some("mom@example.com")),
        ];
        for (input, expected) in cases {
            let got = extract(input.as_bytes()).map(|a| String::from_utf8(a).unwrap());
            assert_eq!(got.as_deref(), *expected, "{input}");
        }
    }

    #[test]
    fn resolves_like_trivial_rewrite() {
        let world = World::corpus();
        let check = |address: &str| resolve(address.as_bytes(), &world, false);
        let mom = check("mom@example.com");
        assert_eq!(mom.local_part.as_deref(), Some("mom"));
        assert!(!mom.routed && !mom.malformed);
        assert_eq!(check("mom").address, "mom@mail.example.com");
        assert!(check("sender@").malformed);
        assert!(!check("sender@@client.example.no").malformed);
        assert!(!check("@client.example.no").malformed);
        let remote = check("bob@elsewhere.test");
        assert_eq!(remote.local_part, None);
        assert!(check("bob%elsewhere.test@example.com").local_part.is_none());
        assert!(check("elsewhere.test!bob").local_part.is_none());
        assert!(check("a@1.2.3.4").malformed);
        assert!(!check("a@[127.0.0.1]").malformed);
        assert!(check("a@bad_dømain").malformed);
        assert!(!resolve("a@dømain.test".as_bytes(), &world, true).malformed);
    }
}
