//! A small JSON reader and writer (RFC 8259), enough for worlds, saved
//! sessions, lesson files and share links. It replaces a general
//! serialization framework, which cost the page a seventh of its size.
//!
//! Errors name the line and column, so a teacher can find the problem in a
//! lesson file.

use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number as written (checked against the JSON grammar). Kept as
    /// text: the files read here only hold whole numbers, and reading
    /// floating point would pull float parsing and printing into the page.
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in the order they were written.
    Object(Vec<(String, Value)>),
}

/// The deepest nesting read; deeper input is refused, not a stack overflow.
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    text: &'a [u8],
    position: usize,
    depth: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> String {
        let before = &self.text[..self.position.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        format!("{message} at line {line}, column {column}")
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.position) {
            self.position += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_space();
        if self.text.get(self.position) == Some(&byte) {
            self.position += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", char::from(byte))))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.skip_space();
        let Some(&byte) = self.text.get(self.position) else {
            return Err(self.error("unexpected end of the text"));
        };
        match byte {
            b'{' | b'[' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error("nested too deeply"));
                }
                let value = if byte == b'{' {
                    self.object()
                } else {
                    self.array()
                };
                self.depth -= 1;
                value
            }
            b'"' => self.string().map(Value::String),
            b't' => self.word("true", Value::Bool(true)),
            b'f' => self.word("false", Value::Bool(false)),
            b'n' => self.word("null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.text[self.position..].starts_with(word.as_bytes()) {
            self.position += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.position;
        let digits = |reader: &mut Self| {
            let from = reader.position;
            while let Some(b'0'..=b'9') = reader.text.get(reader.position) {
                reader.position += 1;
            }
            reader.position > from
        };
        if self.text.get(self.position) == Some(&b'-') {
            self.position += 1;
        }
        // The whole part: 0, or digits not starting with 0.
        let mut valid = if self.text.get(self.position) == Some(&b'0') {
            self.position += 1;
            !matches!(self.text.get(self.position), Some(b'0'..=b'9'))
        } else {
            digits(self)
        };
        if valid && self.text.get(self.position) == Some(&b'.') {
            self.position += 1;
            valid = digits(self);
        }
        if valid && matches!(self.text.get(self.position), Some(b'e' | b'E')) {
            self.position += 1;
            if let Some(b'+' | b'-') = self.text.get(self.position) {
                self.position += 1;
            }
            valid = digits(self);
        }
        if !valid {
            return Err(self.error("invalid number"));
        }
        let literal = String::from_utf8_lossy(&self.text[start..self.position]).into_owned();
        Ok(Value::Number(literal))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.position..self.position + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.position += 4;
        Ok(digits)
    }

    fn string(&mut self) -> Result<String, String> {
        self.position += 1;
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.position) else {
                return Err(self.error("unterminated string"));
            };
            self.position += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = self.text.get(self.position) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.position += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xd800..0xdc00).contains(&code)
                                && self.text[self.position..].starts_with(b"\\u")
                            {
                                self.position += 2;
                                let low = self.hex4()?;
                                code = 0x10000
                                    + ((code - 0xd800) << 10)
                                    + (low.wrapping_sub(0xdc00) & 0x3ff);
                            }
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    let mut buffer = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
                0..=0x1f => return Err(self.error("control character in a string")),
                _ => out.push(byte),
            }
        }
        String::from_utf8(out).map_err(|_| self.error("a string is not UTF-8"))
    }

    fn array(&mut self) -> Result<Value, String> {
        self.position += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.text.get(self.position) == Some(&b']') {
            self.position += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_space();
            match self.text.get(self.position) {
                Some(b',') => self.position += 1,
                Some(b']') => {
                    self.position += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        self.position += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.text.get(self.position) == Some(&b'}') {
            self.position += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_space();
            if self.text.get(self.position) != Some(&b'"') {
                return Err(self.error("expected a member name in quotes"));
            }
            let name = self.string()?;
            self.expect(b':')?;
            members.push((name, self.value()?));
            self.skip_space();
            match self.text.get(self.position) {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }
}

/// Reads one JSON value; anything after it but white space is an error.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut reader = Reader {
        text: text.as_bytes(),
        position: 0,
        depth: 0,
    };
    let value = reader.value()?;
    reader.skip_space();
    if reader.position < reader.text.len() {
        return Err(reader.error("unexpected text after the value"));
    }
    Ok(value)
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_value(out: &mut String, value: &Value, indent: Option<usize>, level: usize) {
    let newline = |out: &mut String, level: usize| {
        if let Some(width) = indent {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', width * level));
        }
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_value(out, item, indent, level + 1);
            }
            if !items.is_empty() {
                newline(out, level);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (index, (name, item)) in members.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_string(out, name);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_value(out, item, indent, level + 1);
            }
            if !members.is_empty() {
                newline(out, level);
            }
            out.push('}');
        }
    }
}

impl Value {
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, None, 0);
        out
    }

    pub fn to_json_pretty(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Some(2), 0);
        out
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A whole number written without fraction or exponent, if it fits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn from_u64(n: u64) -> Value {
        Value::Number(n.to_string())
    }
}

/// Reading a JSON object into a Rust value, with messages that name the
/// field. Unknown fields are refused, so a typo does not go unnoticed.
pub struct Fields<'a> {
    members: &'a [(String, Value)],
    context: &'a str,
}

impl<'a> Fields<'a> {
    pub fn of(value: &'a Value, context: &'a str, known: &[&str]) -> Result<Fields<'a>, String> {
        let Value::Object(members) = value else {
            return Err(format!("{context} must be an object"));
        };
        if let Some((name, _)) = members.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            return Err(format!("{context} has an unknown field \"{name}\""));
        }
        Ok(Fields { members, context })
    }

    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.members
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .filter(|v| **v != Value::Null)
    }

    fn required(&self, name: &str) -> Result<&'a Value, String> {
        self.get(name)
            .ok_or_else(|| format!("{}: missing field \"{name}\"", self.context))
    }

    pub fn string(&self, name: &str) -> Result<String, String> {
        self.required(name)?
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{}: \"{name}\" must be text", self.context))
    }

    pub fn optional_string(&self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(_) => self.string(name).map(Some),
        }
    }

    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, String> {
        match self.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(format!(
                "{}: \"{name}\" must be true or false",
                self.context
            )),
        }
    }

    pub fn number_or(&self, name: &str, default: u64) -> Result<u64, String> {
        match self.get(name) {
            None => Ok(default),
            Some(value) if value.as_u64().is_some() => Ok(value.as_u64().unwrap_or(default)),
            Some(_) => Err(format!(
                "{}: \"{name}\" must be a whole number",
                self.context
            )),
        }
    }

    pub fn array(&self, name: &str) -> Result<&'a [Value], String> {
        match self.get(name) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(format!("{}: \"{name}\" must be a list", self.context)),
        }
    }

    /// Each item of the list `name`, read by `read` (a loop rather than
    /// collecting into a `Result`, which costs the page more code).
    pub fn list<T>(
        &self,
        name: &str,
        mut read: impl FnMut(&Value) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let items = self.array(name)?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(read(item)?);
        }
        Ok(out)
    }

    pub fn strings(&self, name: &str) -> Result<Vec<String>, String> {
        self.list(name, |v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{}: \"{name}\" must be a list of text", self.context))
        })
    }
}

/// Builds an object value from (name, value) pairs.
pub fn object(members: Vec<(&str, Value)>) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
    )
}

pub fn string(text: &str) -> Value {
    Value::String(text.to_string())
}

pub fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| string(s)).collect())
}

/// An object from (name, text) pairs.
pub fn string_map(pairs: &[(String, String)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.clone(), string(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes() {
        let text = r#"{"a": [1, -2.5, true, null], "b": "x\"y\\n\u00e9\ud83d\ude00", "c": {}}"#;
        let value = parse(text).unwrap();
        assert_eq!(value.get("b").and_then(Value::as_str), Some("x\"y\\né😀"));
        assert_eq!(parse(&value.to_json()).unwrap(), value);
        assert_eq!(parse(&value.to_json_pretty()).unwrap(), value);
        assert_eq!(
            value.to_json(),
            r#"{"a":[1,-2.5,true,null],"b":"x\"y\\né😀","c":{}}"#
        );
    }

    #[test]
    fn errors_say_where() {
        let cases: &[(&str, &str)] = &[
            ("{", "line 1, column 2"),
            ("{\n  \"a\": [1,\n  ]\n}", "line 3, column 3"),
            ("[1] 2", "after the value"),
            ("\"\u{1}\"", "control character"),
            ("nul", "expected a value"),
        ];
        for (text, needle) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.contains(needle), "{text:?}: {error}");
        }
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "--1", "1.e3", "0x10"] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
        for good in ["0", "-0", "10", "-2.5", "1e6", "1E+2", "0.25e-3"] {
            assert_eq!(parse(good).unwrap(), Value::Number(good.to_string()));
        }
        assert_eq!(parse("123").unwrap().as_u64(), Some(123));
        assert_eq!(parse("1.0").unwrap().as_u64(), None);
        assert_eq!(parse("-1").unwrap().as_u64(), None);
        assert_eq!(parse("99999999999999999999").unwrap().as_u64(), None);
        let deep = "[".repeat(1000);
        assert!(parse(&deep).unwrap_err().contains("nested too deeply"));
    }

    /// Worlds, lesson files and share links arrive in links and files:
    /// whatever the text, reading it gives a value or an error, and what
    /// is read is written back to the same value.
    #[test]
    fn random_texts_never_panic_and_round_trip() {
        const PIECES: &[&str] = &[
            "{", "}", "[", "]", ",", ":", "\"", "\"a\"", "\\u00e9", "\\ud83d", "\\n", "\\", "0",
            "-", "12", ".5", "e9", "E-2", "true", "false", "null", " ", "\n", "é", "\u{1}",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let world = include_str!("../../worlds/tutorial.json");
        for round in 0..3000 {
            let text: String = if round % 3 == 0 {
                // A real world file with a piece cut out or put in.
                let at = next(world.len());
                let at = (at..world.len())
                    .find(|&i| world.is_char_boundary(i))
                    .unwrap_or(0);
                let mut text = world[..at].to_string();
                text.push_str(PIECES[next(PIECES.len())]);
                let rest = (at + next(8)).min(world.len());
                let rest = (rest..=world.len())
                    .find(|&i| world.is_char_boundary(i))
                    .unwrap_or(world.len());
                text.push_str(&world[rest..]);
                let _ = crate::World::from_json(&text);
                text
            } else {
                (0..next(40)).map(|_| PIECES[next(PIECES.len())]).collect()
            };
            if let Ok(value) = parse(&text) {
                assert_eq!(parse(&value.to_json()).as_ref(), Ok(&value), "{text:?}");
            }
        }
    }
}
