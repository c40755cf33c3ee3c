//! SMTP replies as values, and the one place they are turned into text.
//!
//! A reply is a code (RFC 5321 section 4.2), an optional enhanced status code
//! (RFC 3463) and one or more lines. The address a reply names is kept
//! apart too (`echo`), for explanations; the catalogue's text already
//! places it where the server writes it.

use crate::catalogue::ReplyKey;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Which catalogue entry this reply came from (for explanations).
    pub key: ReplyKey,
    pub code: u16,
    pub enhanced: Option<String>,
    pub echo: Option<String>,
    pub lines: Vec<String>,
}

impl Reply {
    /// The reply as the lines the server writes, without CRLF: `CODE-TEXT`
    /// on every line but the last, `CODE TEXT` on the last. The enhanced code
    /// starts every line.
    pub fn render(&self) -> Vec<String> {
        let count = self.lines.len().max(1);
        let mut out = Vec::with_capacity(count);
        for index in 0..count {
            let separator = if index + 1 == count { ' ' } else { '-' };
            let mut line = format!("{}{}", self.code, separator);
            if let Some(enhanced) = &self.enhanced {
                line.push_str(enhanced);
                line.push(' ');
            }
            line.push_str(self.lines.get(index).map(String::as_str).unwrap_or(""));
            // A reply is one line: a CR or LF in echoed text (an 8-bit byte
            // with its top bit stripped can become one) turns into a space.
            if line.contains(['\r', '\n']) {
                line = line.replace(['\r', '\n'], " ");
            }
            out.push(line);
        }
        out
    }

    /// The reply as bytes on the wire, every line ending in CRLF.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut wire = Vec::new();
        for line in self.render() {
            wire.extend_from_slice(line.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        wire
    }
}

/// Sendmail writes 8-bit characters of an echoed address with the top bit
/// cleared (`é` in UTF-8 becomes `C)`).
pub fn strip_high_bit(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(b & 0x7f)).collect()
}

/// Sendmail's `shortenstring`: strings of `limit` characters or more keep
/// their start and end around `...`.
pub fn shorten(text: &str, limit: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < limit || limit < 10 {
        return text.to_string();
    }
    let keep = limit - 3;
    let head = keep / 2;
    let tail = keep - head;
    let mut out: String = chars[..head].iter().collect();
    out.push_str("...");
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, enhanced: Option<&str>, echo: Option<&str>, lines: &[&str]) -> Reply {
        Reply {
            key: ReplyKey::Ok,
            code,
            enhanced: enhanced.map(str::to_string),
            echo: echo.map(str::to_string),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn renders_single_and_multi_line_replies() {
        let cases: Vec<(Reply, Vec<&str>)> = vec![
            (
                reply(250, Some("2.0.0"), None, &["OK"]),
                vec!["250 2.0.0 OK"],
            ),
            (
                reply(250, Some("2.1.0"), Some("<a@b>"), &["<a@b>... Sender ok"]),
                vec!["250 2.1.0 <a@b>... Sender ok"],
            ),
            (
                reply(214, Some("2.0.0"), None, &["a", "b"]),
                vec!["214-2.0.0 a", "214 2.0.0 b"],
            ),
            (
                reply(250, None, None, &["x", "HELP"]),
                vec!["250-x", "250 HELP"],
            ),
            (reply(354, None, None, &[]), vec!["354 "]),
        ];
        for (reply, expected) in cases {
            assert_eq!(reply.render(), expected);
        }
    }

    #[test]
    fn a_reply_is_always_one_line_each() {
        let reply = reply(
            500,
            Some("5.5.1"),
            None,
            &["Command unrecognized: \"a\nb\rc\""],
        );
        assert_eq!(
            reply.render(),
            ["500 5.5.1 Command unrecognized: \"a b c\""]
        );
    }

    #[test]
    fn strips_the_top_bit() {
        assert_eq!(strip_high_bit("sénder".as_bytes()), "sC)nder");
    }

    #[test]
    fn shortens_in_the_middle() {
        let long = "a".repeat(150) + &"b".repeat(150);
        let short = shorten(&long, 203);
        assert_eq!(short.len(), 203);
        assert!(short.starts_with("aaa") && short.ends_with("bbb") && short.contains("..."));
        assert_eq!(shorten("short", 203), "short");
    }
}
