//! IMAP command arguments (RFC 3501 section 4): atoms, quoted strings,
//! literals (`{N}` and LITERAL+'s `{N+}`), parenthesized lists and NIL,
//! and sequence sets.
//!
//! Hand-written: the grammar is IMAP's own, and the server must read a
//! command exactly as far as Dovecot does to answer as it answers (a
//! refused APPEND before its literal, a `BODY[HEADER.FIELDS (A B)]` item).

/// One argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Atom(String),
    Quoted(Vec<u8>),
    Literal(Vec<u8>),
    List(Vec<Arg>),
    Nil,
    /// A literal8 (`~{N}`): binary content.
    Literal8(Vec<u8>),
}

impl Arg {
    /// An `astring`: atom, quoted or literal (`NIL` where a string is
    /// wanted is the atom NIL: `SEARCH SUBJECT NIL` looks for "NIL").
    pub fn astring(&self) -> Option<Vec<u8>> {
        match self {
            Arg::Atom(text) => Some(text.as_bytes().to_vec()),
            Arg::Nil => Some(b"NIL".to_vec()),
            Arg::Quoted(bytes) | Arg::Literal(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }

    /// An astring as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Option<String> {
        self.astring()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }

    pub fn atom(&self) -> Option<&str> {
        match self {
            Arg::Atom(text) => Some(text),
            _ => None,
        }
    }

    pub fn list(&self) -> Option<&[Arg]> {
        match self {
            Arg::List(items) => Some(items),
            _ => None,
        }
    }
}

/// A line that ends in a literal's announcement: `{N}` or `{N+}` before
/// the CRLF. Returns N and whether it is non-synchronizing.
pub fn literal_at_end(line: &[u8]) -> Option<(u64, bool)> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let inner = &inner[open + 1..];
    let (digits, plus) = match inner.strip_suffix(b"+") {
        Some(digits) => (digits, true),
        None => (inner, false),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits)
        .ok()?
        .parse()
        .ok()
        .map(|n| (n, plus))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn args(&mut self, depth: usize) -> Result<Vec<Arg>, String> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\r') | Some(b'\n') => {
                    if depth > 0 {
                        return Err("Missing ')'".to_string());
                    }
                    return Ok(out);
                }
                Some(b')') => {
                    if depth == 0 {
                        return Err("Unexpected ')'".to_string());
                    }
                    self.at += 1;
                    return Ok(out);
                }
                Some(b' ') => {
                    self.at += 1;
                }
                Some(b'(') => {
                    if depth > 20 {
                        return Err("Too deep list".to_string());
                    }
                    self.at += 1;
                    out.push(Arg::List(self.args(depth + 1)?));
                }
                Some(b'"') => out.push(self.quoted()?),
                Some(b'{') => out.push(self.literal()?),
                // BINARY's literal8 (RFC 3516), which APPEND takes.
                Some(b'~') if self.bytes.get(self.at + 1) == Some(&b'{') => {
                    self.at += 1;
                    if let Arg::Literal(bytes) = self.literal()? {
                        out.push(Arg::Literal8(bytes));
                    }
                }
                Some(_) => out.push(self.atom()?),
            }
        }
    }

    fn quoted(&mut self) -> Result<Arg, String> {
        self.at += 1;
        let mut value = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\r') | Some(b'\n') => {
                    return Err("Missing '\"'".to_string());
                }
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Arg::Quoted(value));
                }
                Some(b'\\') => {
                    let next = self.bytes.get(self.at + 1).copied();
                    match next {
                        Some(b'\\') | Some(b'"') => {
                            value.push(next.unwrap_or(b'\\'));
                            self.at += 2;
                        }
                        _ => return Err("Invalid escape in quoted string".to_string()),
                    }
                }
                Some(byte) => {
                    value.push(byte);
                    self.at += 1;
                }
            }
        }
    }

    fn literal(&mut self) -> Result<Arg, String> {
        let rest = &self.bytes[self.at..];
        let close = rest
            .iter()
            .position(|&b| b == b'}')
            .ok_or("Invalid literal")?;
        let (size, _) = literal_at_end(&rest[..=close]).ok_or("Invalid literal size")?;
        let mut at = self.at + close + 1;
        if self.bytes.get(at) == Some(&b'\r') {
            at += 1;
        }
        if self.bytes.get(at) != Some(&b'\n') {
            return Err("Missing CRLF after literal".to_string());
        }
        at += 1;
        let size = usize::try_from(size).map_err(|_| "Literal too large")?;
        let end = at.checked_add(size).ok_or("Literal too large")?;
        let value = self.bytes.get(at..end).ok_or("Literal too short")?;
        self.at = end;
        Ok(Arg::Literal(value.to_vec()))
    }

    fn atom(&mut self) -> Result<Arg, String> {
        let start = self.at;
        let mut brackets = 0usize;
        while let Some(byte) = self.peek() {
            match byte {
                b'\r' | b'\n' => break,
                b'[' => brackets += 1,
                b']' if brackets > 0 => brackets -= 1,
                b' ' | b'(' | b')' if brackets == 0 => break,
                b'"' | b'{' if brackets == 0 => {
                    return Err("Invalid characters in atom".to_string())
                }
                _ if byte < 0x20 || byte == 0x7f => {
                    return Err("Invalid characters in atom".to_string())
                }
                _ => {}
            }
            self.at += 1;
        }
        let text = String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned();
        if text.eq_ignore_ascii_case("NIL") {
            Ok(Arg::Nil)
        } else {
            Ok(Arg::Atom(text))
        }
    }
}

/// The arguments after the command name (literals included inline, each
/// `{N}` followed by its CRLF and N bytes).
pub fn arguments(bytes: &[u8]) -> Result<Vec<Arg>, String> {
    Reader { bytes, at: 0 }.args(0)
}

/// Whether `tag` is a tag Dovecot accepts: ATOM-CHARs without `+`.
pub fn valid_tag(tag: &[u8]) -> bool {
    !tag.is_empty()
        && tag.len() <= 126
        && tag.iter().all(|&b| {
            b > b' '
                && b < 0x7f
                && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b'+')
        })
}

/// A sequence set (`1:3,5,7:*`) as inclusive ranges; `*` is `largest`.
pub fn sequence_set(text: &str, largest: u32) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let number = |word: &str| -> Option<u32> {
            if word == "*" {
                Some(largest)
            } else if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
                word.parse::<u32>().ok().filter(|&n| n > 0)
            } else {
                None
            }
        };
        let (low, high) = match part.split_once(':') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(part)?;
                (n, n)
            }
        };
        out.push((low.min(high), low.max(high)));
    }
    Some(out)
}

pub fn in_set(set: &[(u32, u32)], value: u32) -> bool {
    set.iter().any(|&(low, high)| (low..=high).contains(&value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Input, and the arguments read (`Err` for a refused line).
    type Case = (&'static [u8], Result<Vec<Arg>, ()>);

    #[test]
    fn reads_arguments() {
        let table: &[Case] = &[
            (
                b"mom secret",
                Ok(vec![Arg::Atom("mom".into()), Arg::Atom("secret".into())]),
            ),
            (
                b"\"a \\\"b\\\"\" NIL",
                Ok(vec![Arg::Quoted(b"a \"b\"".to_vec()), Arg::Nil]),
            ),
            (
                b"{3}\r\nmom {2+}\r\npw",
                Ok(vec![
                    Arg::Literal(b"mom".to_vec()),
                    Arg::Literal(b"pw".to_vec()),
                ]),
            ),
            (
                b"1 (BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] FLAGS)",
                Ok(vec![
                    Arg::Atom("1".into()),
                    Arg::List(vec![
                        Arg::Atom("BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]".into()),
                        Arg::Atom("FLAGS".into()),
                    ]),
                ]),
            ),
            (b"(a (b", Err(())),
            (b"\"open", Err(())),
            (b"{5}\r\nab", Err(())),
            (b"a)", Err(())),
        ];
        for (input, expected) in table {
            let got = arguments(input).map_err(|_| ());
            assert_eq!(&got, expected, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn reads_literal_announcements_and_sets() {
        assert_eq!(literal_at_end(b"a1 LOGIN {3}\r\n"), Some((3, false)));
        assert_eq!(
            literal_at_end(b"a4 APPEND Drafts {64+}\r\n"),
            Some((64, true))
        );
        assert_eq!(literal_at_end(b"a1 LOGIN {x}\r\n"), None);
        assert_eq!(literal_at_end(b"a1 NOOP\r\n"), None);
        assert_eq!(
            sequence_set("1:3,5,7:*", 9),
            Some(vec![(1, 3), (5, 5), (7, 9)])
        );
        assert_eq!(sequence_set("*:2", 4), Some(vec![(2, 4)]));
        assert_eq!(sequence_set("0", 4), None);
        assert_eq!(sequence_set("1:x", 4), None);
        assert!(valid_tag(b"a1") && !valid_tag(b"a+1") && !valid_tag(b""));
    }
}
