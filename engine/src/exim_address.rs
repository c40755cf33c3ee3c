//! Addresses as Exim reads them: `parse_extract_address` and its helpers
//! from Exim's `parse.c`, and `extract_option` from `smtp_in.c`.
//!
//! Hand-written because the replies quote this parser's own words
//! ("domain missing or malformed", "malformed address: > may not follow
//! ..."), and which input earns which words is the parser's exact path
//! through the text: RFC 822 comments, quoted local parts, source routes
//! that are read and thrown away, phrases before `<`, and the point where
//! each error is noticed. Debian's settings apply: no domain literals in
//! `<...>`, no trailing dot stripped, no extra angle brackets.

pub use crate::ascii::is_space;

/// An address Exim accepted: the operative address, and where its domain
/// starts (0 when it has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    pub address: Vec<u8>,
    pub domain: usize,
}

impl Extracted {
    pub fn local_part(&self) -> &[u8] {
        match self.domain {
            0 => &self.address,
            at => &self.address[..at - 1],
        }
    }

    pub fn domain(&self) -> &[u8] {
        match self.domain {
            0 => b"",
            at => &self.address[at..],
        }
    }
}

/// `EXIM_EMAILADDR_MAX`.
const MAX_ADDRESS: usize = 256;

/// `mac_iscntrl_or_special`: controls, space, RFC 822 specials and DEL.
/// (The end of the text counts as special, as C's NUL does.)
fn is_special(b: u8) -> bool {
    b < 32 || b" ()<>@,;:\\\".[]\x7f".contains(&b)
}

struct Parser<'a> {
    s: &'a [u8],
    /// Where the last `skip_comment` started (`last_comment_position`).
    last_comment: usize,
    /// Group syntax (`phrase: addresses;`), allowed in headers only.
    allow_group: bool,
    found_group: bool,
}

type Step = (usize, Option<String>);

impl Parser<'_> {
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    fn skip_comment(&mut self, mut i: usize) -> usize {
        self.last_comment = i;
        while self.at(i) != 0 {
            while is_space(self.at(i)) {
                i += 1;
            }
            if self.at(i) != b'(' {
                break;
            }
            let mut level = 1;
            loop {
                i += 1;
                match self.at(i) {
                    0 => break,
                    b'(' => level += 1,
                    b')' => {
                        level -= 1;
                        if level <= 0 {
                            i += 1;
                            break;
                        }
                    }
                    b'\\' if self.at(i + 1) != 0 => i += 1,
                    _ => {}
                }
            }
        }
        i
    }

    /// `read_domain`; on error `t` keeps nothing of the domain.
    fn read_domain(&mut self, i: usize, t: &mut Vec<u8>, literals_as_ids: bool) -> Step {
        let start = t.len();
        let mut i = self.skip_comment(i);
        if self.at(i) == b'[' {
            let mut error = None;
            t.push(b'[');
            i += 1;
            let tag = self.s.get(i..i + 5).unwrap_or(b"");
            if tag.eq_ignore_ascii_case(b"IPv6:") || tag.eq_ignore_ascii_case(b"IPv4:") {
                t.extend_from_slice(tag);
                i += 5;
            }
            loop {
                let b = self.at(i);
                let keep = if literals_as_ids {
                    (33..=90).contains(&b) || (94..=126).contains(&b)
                } else {
                    b == b'.' || b == b':' || b.is_ascii_hexdigit()
                };
                if !keep {
                    break;
                }
                t.push(b);
                i += 1;
            }
            if self.at(i) == b']' {
                t.push(b']');
                i += 1;
            } else {
                error = Some("malformed domain literal".to_string());
                t.truncate(start);
            }
            // Debian leaves `allow_domain_literals` off.
            if !literals_as_ids {
                error = Some("domain literals not allowed".to_string());
                t.truncate(start);
            }
            return (self.skip_comment(i), error);
        }
        loop {
            let before = t.len();
            if self.at(i) != b'-' {
                while self.at(i).is_ascii_alphanumeric() || self.at(i) == b'-' {
                    t.push(self.at(i));
                    i += 1;
                }
            }
            i = self.skip_comment(i);
            if t.len() == before {
                t.truncate(start);
                return (i, Some("domain missing or malformed".to_string()));
            }
            if self.at(i) != b'.' {
                break;
            }
            t.push(b'.');
            i += 1;
            i = self.skip_comment(i);
        }
        (i, None)
    }

    /// `read_local_part`: dot-separated words, quoted or not.
    fn read_local_part(&mut self, mut i: usize, t: &mut Vec<u8>, allow_null: bool) -> Step {
        let start = t.len();
        loop {
            let before = t.len();
            i = self.skip_comment(i);
            if self.at(i) == b'"' {
                t.push(b'"');
                let mut closed = false;
                loop {
                    i += 1;
                    let c = self.at(i);
                    if c == 0 {
                        break;
                    }
                    if c == b'"' {
                        closed = true;
                        break;
                    }
                    t.push(c);
                    if c == b'\\' && self.at(i + 1) != 0 {
                        i += 1;
                        t.push(self.at(i));
                    }
                }
                if !closed {
                    return (i, Some("unmatched doublequote in local part".to_string()));
                }
                i += 1;
                t.push(b'"');
            } else {
                while !is_special(self.at(i)) || self.at(i) == b'\\' {
                    let c = self.at(i);
                    t.push(c);
                    i += 1;
                    if c == b'\\' && self.at(i) != 0 {
                        t.push(self.at(i));
                        i += 1;
                    }
                }
            }
            i = self.skip_comment(i);
            if t.len() == before && self.at(i) != b'.' {
                if t.len() == start && !allow_null {
                    return (i, Some("missing or malformed local part".to_string()));
                }
                return (i, None);
            }
            if self.at(i) != b'.' {
                break;
            }
            while self.at(i) == b'.' {
                t.push(b'.');
                i += 1;
            }
        }
        (i, None)
    }

    /// `read_route`: `@a,@b:` read and thrown away.
    fn read_route(&mut self, mut i: usize) -> Step {
        let mut route = Vec::new();
        let mut commas = false;
        while self.at(i) == b'@' {
            route.push(b'@');
            let before = route.len();
            let (next, error) = self.read_domain(i + 1, &mut route, false);
            i = next;
            if route.len() == before {
                return (i, error);
            }
            if self.at(i) != b',' {
                break;
            }
            route.push(b',');
            i += 1;
            commas = true;
            i = self.skip_comment(i);
        }
        let error = if self.at(i) == b':' {
            i += 1;
            None
        } else if commas {
            Some("colon expected after route list".to_string())
        } else {
            Some("no local part".to_string())
        };
        (self.skip_comment(i), error)
    }

    /// `read_addr_spec`: local part, then `@domain` unless `term` follows.
    fn read_addr_spec(&mut self, i: usize, t: &mut Vec<u8>, term: u8, domain: &mut usize) -> Step {
        let (mut i, error) = self.read_local_part(i, t, false);
        if error.is_some() || self.at(i) == term {
            return (i, error);
        }
        if self.at(i) != b'@' {
            let shown = String::from_utf8_lossy(t).into_owned();
            return (
                i,
                Some(format!("\"@\" or \".\" expected after \"{shown}\"")),
            );
        }
        t.push(b'@');
        i += 1;
        *domain = t.len();
        self.read_domain(i, t, false)
    }

    /// "malformed address: X may not follow Y", X at most 32 bytes.
    fn may_not_follow(&self, i: usize) -> String {
        let rest = &self.s[i.min(self.s.len())..];
        let rest = &rest[..rest.len().min(32)];
        format!(
            "malformed address: {} may not follow {}",
            String::from_utf8_lossy(rest),
            String::from_utf8_lossy(&self.s[..i.min(self.s.len())])
        )
    }

    fn extract(&mut self, allow_null: bool) -> Result<Extracted, String> {
        let mut t: Vec<u8> = Vec::new();
        let mut domain = 0;
        let mut i = 0;
        let (start, end);
        loop {
            i = self.skip_comment(i);
            let word_start = i;
            t.clear();
            let (next, error) = self.read_local_part(i, &mut t, true);
            i = next;
            if let Some(error) = error {
                return Err(error);
            }
            if self.at(i) != b'@' && self.at(i) != b'<' {
                if self.at(i) == 0 || self.at(i) == b';' {
                    if t.is_empty() {
                        return Err("empty address".to_string());
                    }
                    return self.succeed(t, 0, i, word_start, self.last_comment);
                }
                // A phrase before <route-addr> (or before a group's colon).
                while self.at(i) != b'<' && !(self.allow_group && self.at(i) == b':') {
                    let mut phrase = Vec::new();
                    let (next, error) = self.read_local_part(i, &mut phrase, false);
                    i = next;
                    if let Some(error) = error {
                        return Err(format!("{error} (expected word or \"<\")"));
                    }
                }
                if self.at(i) == b':' {
                    self.found_group = true;
                    self.allow_group = false;
                    i += 1;
                    continue;
                }
            }
            if self.at(i) == b'<' {
                i += 1;
                t.clear();
                start = i;
                i = self.skip_comment(i);
                let mut routed = false;
                if self.at(i) == b'@' {
                    let (next, error) = self.read_route(i);
                    i = next;
                    if let Some(error) = error {
                        return Err(error);
                    }
                    routed = true;
                }
                if !(allow_null && !routed && self.at(i) == b'>') {
                    let (next, error) = self.read_addr_spec(i, &mut t, b'>', &mut domain);
                    i = next;
                    if let Some(error) = error {
                        return Err(error);
                    }
                    if routed && domain == 0 {
                        return Err("domain missing in source-routed address".to_string());
                    }
                }
                end = i;
                if self.at(i) != b'>' {
                    return Err(if self.at(i) == 0 {
                        "'>' missing at end of address".to_string()
                    } else {
                        self.may_not_follow(i)
                    });
                }
                i = self.skip_comment(i + 1);
            } else if t.is_empty() {
                // `@route:local@domain` without angle brackets.
                start = word_start;
                let (next, error) = self.read_route(i);
                i = next;
                if let Some(error) = error {
                    return Err(error);
                }
                let (next, error) = self.read_addr_spec(i, &mut t, 0, &mut domain);
                i = next;
                if let Some(error) = error {
                    return Err(error);
                }
                end = self.last_comment;
                if domain == 0 {
                    return Err("domain missing in source-routed address".to_string());
                }
            } else {
                start = word_start;
                t.push(b'@');
                i += 1;
                domain = t.len();
                let (next, error) = self.read_domain(i, &mut t, true);
                i = next;
                if t.len() == domain {
                    return Err(error.unwrap_or_else(|| "domain missing or malformed".to_string()));
                }
                end = self.last_comment;
            }
            return self.succeed(t, domain, i, start, end);
        }
    }

    fn succeed(
        &mut self,
        address: Vec<u8>,
        domain: usize,
        i: usize,
        start: usize,
        mut end: usize,
    ) -> Result<Extracted, String> {
        if self.at(i) != 0 {
            if self.found_group && self.at(i) == b';' {
                self.found_group = false;
                self.allow_group = true;
            } else {
                return Err(self.may_not_follow(i));
            }
        }
        while end > 0 && is_space(self.at(end - 1)) {
            end -= 1;
        }
        if end.saturating_sub(start) > MAX_ADDRESS {
            let shown = &address[..address.len().min(64)];
            return Err(format!(
                "address is ridiculously long: {}...",
                String::from_utf8_lossy(shown)
            ));
        }
        Ok(Extracted { address, domain })
    }
}

/// `parse_extract_address` for an SMTP argument: `<>` is allowed only
/// when `allow_null` (MAIL).
pub fn extract(text: &[u8], allow_null: bool) -> Result<Extracted, String> {
    Parser {
        s: text,
        last_comment: 0,
        allow_group: false,
        found_group: false,
    }
    .extract(allow_null)
}

/// `parse_find_address_end`: where the address that starts `s` ends in a
/// comma-separated list (a comma outside quotes, comments and brackets).
fn address_end(s: &[u8]) -> usize {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut routing = at(0) == b'@';
    let mut no_term: i32 = i32::from(routing);
    let mut i = 0;
    while at(i) != 0 && (at(i) != b',' || no_term > 0) {
        match at(i) {
            b'\\' if at(i + 1) != 0 => i += 2,
            b'"' => {
                i += 1;
                while at(i) != 0 {
                    if at(i) == b'\\' && at(i + 1) != 0 {
                        i += 1;
                    } else if at(i) == b'"' {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            b'(' => {
                let mut level = 1;
                i += 1;
                while at(i) != 0 {
                    if at(i) == b'\\' && at(i + 1) != 0 {
                        i += 1;
                    } else if at(i) == b'(' {
                        level += 1;
                    } else if at(i) == b')' {
                        level -= 1;
                        if level <= 0 {
                            i += 1;
                            break;
                        }
                    }
                    i += 1;
                }
            }
            c => {
                if c == b'<' {
                    routing = at(i + 1) == b'@';
                    no_term = if routing { 2 } else { 1 };
                } else if c == b'>' || (routing && c == b':') {
                    no_term -= 1;
                }
                i += 1;
            }
        }
    }
    i.min(s.len())
}

/// Exim's `verify = header_syntax` for one address header's value (after
/// the colon): every address in the list must parse, groups allowed, and
/// carry a domain. Returns the failing address's error.
pub fn check_address_list(value: &[u8]) -> Result<(), String> {
    let mut parser = Parser {
        s: b"",
        last_comment: 0,
        allow_group: true,
        found_group: false,
    };
    let mut rest = value;
    while rest.first().is_some_and(|&b| is_space(b)) {
        rest = &rest[1..];
    }
    while !rest.is_empty() {
        let end = address_end(rest);
        parser.s = &rest[..end];
        parser.last_comment = 0;
        match parser.extract(false) {
            Ok(found) if found.domain == 0 => {
                return Err("unqualified address not permitted".to_string())
            }
            Ok(_) => {}
            Err(error) if error == "empty address" => {}
            Err(error) => return Err(error),
        }
        rest = &rest[(end + 1).min(rest.len())..];
        while rest.first().is_some_and(|&b| is_space(b)) {
            rest = &rest[1..];
        }
    }
    Ok(())
}

/// One ESMTP option taken off the end of a MAIL or RCPT argument
/// (`extract_option`): `NAME=value` or a bare `NAME` after white space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakenOption {
    pub name: Vec<u8>,
    pub value: Vec<u8>,
    /// The length of the argument before the option, as Exim cuts it.
    pub rest: usize,
}

/// `extract_option`: the last word of `data`, if it looks like an option.
/// A bare word's value is the word itself, as in Exim.
pub fn take_option(data: &[u8]) -> Option<TakenOption> {
    if data.is_empty() {
        return None;
    }
    let mut v = data.len() - 1;
    while v > 0 && is_space(data[v]) {
        v -= 1;
    }
    let end = v + 1;
    while v > 0 && data[v] != b'=' && !is_space(data[v]) {
        if data[v] == b'"' {
            loop {
                if v == 0 {
                    break;
                }
                v -= 1;
                if data[v] == b'"' {
                    break;
                }
            }
            if v == 0 {
                return None;
            }
        }
        v -= 1;
    }
    if v == 0 {
        return None;
    }
    if data[v] == b'=' {
        let mut n = v;
        while n > 0 && data[n - 1].is_ascii_alphabetic() {
            n -= 1;
        }
        if n == 0 || !is_space(data[n - 1]) {
            return None;
        }
        Some(TakenOption {
            name: data[n..v].to_vec(),
            value: data[v + 1..end].to_vec(),
            rest: n - 1,
        })
    } else {
        Some(TakenOption {
            name: data[v + 1..end].to_vec(),
            value: data[v + 1..end].to_vec(),
            rest: v,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> (String, String) {
        let found = extract(text.as_bytes(), true).unwrap_or_else(|e| panic!("{text}: {e}"));
        (
            String::from_utf8_lossy(found.local_part()).into_owned(),
            String::from_utf8_lossy(found.domain()).into_owned(),
        )
    }

    fn error(text: &str) -> String {
        extract(text.as_bytes(), false).unwrap_err()
    }

    #[test]
    fn accepted_addresses() {
        let table = [
            ("<sender@client.example.no>", "sender", "client.example.no"),
            ("sender@client.example.no", "sender", "client.example.no"),
            ("<>", "", ""),
            ("<sender>", "sender", ""),
            ("mom", "mom", ""),
            ("Mom <mom@example.com>", "mom", "example.com"),
            ("<@example.com:bob@elsewhere.test>", "bob", "elsewhere.test"),
            ("@a.test,@b.test:bob@c.test", "bob", "c.test"),
            (
                "<bob%elsewhere.test@example.com>",
                "bob%elsewhere.test",
                "example.com",
            ),
            ("<elsewhere.test!bob>", "elsewhere.test!bob", ""),
            ("<\"a b\"@example.com>", "\"a b\"", "example.com"),
            ("<mom@example.com> (a comment)", "mom", "example.com"),
            (
                "<s\u{e9}nder@client.example.no>",
                "s\u{e9}nder",
                "client.example.no",
            ),
            ("user@[127.0.0.1]", "user", "[127.0.0.1]"),
            ("<a..b@example.com>", "a..b", "example.com"),
        ];
        for (text, local, domain) in table {
            assert_eq!(ok(text), (local.to_string(), domain.to_string()), "{text}");
        }
    }

    #[test]
    fn refused_addresses() {
        let table = [
            ("", "empty address"),
            ("<>", "missing or malformed local part"),
            ("<sender@client.example.no", "'>' missing at end of address"),
            (
                "sender@client.example.no>",
                "malformed address: > may not follow sender@client.example.no",
            ),
            ("<sender@@client.example.no>", "domain missing or malformed"),
            ("<sender@>", "domain missing or malformed"),
            ("<@example.com>", "no local part"),
            (
                "<@a.test,@b.test bob@c.test>",
                "colon expected after route list",
            ),
            ("<a@[127.0.0.1]>", "domain literals not allowed"),
            (
                "<\"open@example.com>",
                "unmatched doublequote in local part",
            ),
            ("<a b@example.com>", "\"@\" or \".\" expected after \"a\""),
            (
                "two words",
                "missing or malformed local part (expected word or \"<\")",
            ),
            (
                "<a@b.c> SIZE=10",
                "malformed address: SIZE=10 may not follow <a@b.c> ",
            ),
        ];
        for (text, message) in table {
            assert_eq!(error(text), message, "{text}");
        }
        let long = format!("<{}@example.com>", "a".repeat(300));
        assert!(error(&long).starts_with("address is ridiculously long: aaaa"));
    }

    #[test]
    fn options_come_off_the_end() {
        let taken = take_option(b"<a@b.c> SIZE=1000").unwrap();
        assert_eq!(
            (taken.name.as_slice(), taken.value.as_slice()),
            (&b"SIZE"[..], &b"1000"[..])
        );
        assert_eq!(taken.rest, 7);
        let bare = take_option(b"<a@b.c> SMTPUTF8").unwrap();
        assert_eq!(bare.name, b"SMTPUTF8");
        assert_eq!(bare.rest, 7);
        assert_eq!(take_option(b"<a@b.c>"), None);
        assert_eq!(take_option(b"<\"x y\"@b.c>"), None);
        assert_eq!(take_option(b"<a@b.c>SIZE=5"), None);
    }

    #[test]
    fn header_lists() {
        assert!(check_address_list(b"Mom <mom@example.com>, alice@example.com").is_ok());
        assert!(check_address_list(b"undisclosed-recipients:;").is_ok());
        assert!(check_address_list(b"friends: a@b.c, d@e.f;").is_ok());
        assert_eq!(
            check_address_list(b"mom").unwrap_err(),
            "unqualified address not permitted"
        );
        assert_eq!(
            check_address_list(b"Mom <mom@example.com").unwrap_err(),
            "'>' missing at end of address"
        );
    }
}
