//! A command line split into words the way Postfix's `smtpd_token` does:
//! white space separates words, `<...>` and `"..."` stay whole (spaces
//! inside included), and `FROM:` or `TO:` ends a word at its colon, so
//! `MAIL FROM:<a@b>` and `MAIL FROM: <a@b>` give the same three words.
//!
//! Written here because it is the server's own rule (no general-purpose
//! tokenizer splits at `FROM:` but not at other colons).

use crate::ascii::is_space;

/// One word of a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: Vec<u8>,
    /// A `<` or `"` without its closing character.
    pub unterminated: bool,
}

/// Reads a quoted part from `line[start]` (a `<` or `"`) up to its end;
/// returns the index after it. Quotes nest inside `<>`, and a backslash
/// escapes the next byte.
fn quoted(line: &[u8], start: usize, word: &mut Word) -> usize {
    let mut wanted: Vec<u8> = vec![if line[start] == b'<' { b'>' } else { b'"' }];
    word.text.push(line[start]);
    let mut index = start + 1;
    while index < line.len() {
        let c = line[index];
        index += 1;
        word.text.push(c);
        if c == b'\\' {
            match line.get(index) {
                Some(&next) => {
                    word.text.push(next);
                    index += 1;
                }
                None => break,
            }
        } else if Some(&c) == wanted.last() {
            wanted.pop();
            if wanted.is_empty() {
                return index;
            }
        } else if c == b'"' {
            wanted.push(b'"');
        } else if c == b'<' && wanted.last() == Some(&b'>') {
            wanted.push(b'>');
        }
    }
    word.unterminated = true;
    index
}

/// Splits a command line (C string semantics: it ends at a NUL) into words.
pub fn split(line: &[u8]) -> Vec<Word> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let mut words = Vec::new();
    let mut index = 0;
    loop {
        let mut word = Word {
            text: Vec::new(),
            unterminated: false,
        };
        while index < line.len() {
            let c = line[index];
            if is_space(c) {
                index += 1;
                while index < line.len() && is_space(line[index]) {
                    index += 1;
                }
                if !word.text.is_empty() {
                    break;
                }
                continue;
            }
            match c {
                b'<' | b'"' => index = quoted(line, index, &mut word),
                b':' => {
                    index += 1;
                    word.text.push(c);
                    if word.text.eq_ignore_ascii_case(b"to:")
                        || word.text.eq_ignore_ascii_case(b"from:")
                    {
                        break;
                    }
                }
                b'\\' => {
                    word.text.push(c);
                    index += 1;
                    if let Some(&next) = line.get(index) {
                        word.text.push(next);
                        index += 1;
                    }
                }
                _ => {
                    word.text.push(c);
                    index += 1;
                }
            }
        }
        if word.text.is_empty() {
            return words;
        }
        words.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split(line.as_bytes())
            .into_iter()
            .map(|w| {
                let mut s = String::from_utf8_lossy(&w.text).into_owned();
                if w.unterminated {
                    s.push('!');
                }
                s
            })
            .collect()
    }

    #[test]
    fn splits_like_smtpd() {
        let cases: &[(&str, &[&str])] = &[
            ("MAIL FROM:<a@b>", &["MAIL", "FROM:", "<a@b>"]),
            (
                "MAIL FROM: <a@b> SIZE=10",
                &["MAIL", "FROM:", "<a@b>", "SIZE=10"],
            ),
            ("mail from:a@b", &["mail", "from:", "a@b"]),
            ("MAIL FROM <a@b>", &["MAIL", "FROM", "<a@b>"]),
            ("RCPT TO:<a b@c>", &["RCPT", "TO:", "<a b@c>"]),
            ("MAIL FROM:<a@b", &["MAIL", "FROM:", "<a@b!"]),
            ("MAIL FROM:<<a@b>>", &["MAIL", "FROM:", "<<a@b>>"]),
            ("VRFY \"x y\"@z", &["VRFY", "\"x y\"@z"]),
            ("NOOP a:b c", &["NOOP", "a:b", "c"]),
            ("", &[]),
            ("   \t ", &[]),
            ("NOOP nul \0 byte", &["NOOP", "nul"]),
        ];
        for (line, expected) in cases {
            assert_eq!(texts(line), *expected, "{line:?}");
        }
    }
}
