//! Helpers shared by the engine's integration tests: the project's copy of
//! the recorded corpus, and the same masking as the corpus's `normalize.py`.

#![allow(dead_code)]

use std::path::PathBuf;

pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn corpus_dir() -> PathBuf {
    project_dir().join("tests/corpus")
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Length of an RFC 822 date starting at `s` (`Sat, 28 Nov 2026 13:08:25 GMT`).
fn date_length(s: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(s).ok()?;
    if !DAYS.iter().any(|d| text.starts_with(d)) || !text[3..].starts_with(", ") {
        return None;
    }
    let mut i = 5;
    let digits = |i: &mut usize, min: usize, max: usize| -> Option<()> {
        let n = s[*i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n < min || n > max {
            return None;
        }
        *i += n;
        Some(())
    };
    digits(&mut i, 1, 2)?;
    if s.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let month = s.get(i..i + 3)?;
    if !month.iter().all(|c| c.is_ascii_alphabetic()) || s.get(i + 3) != Some(&b' ') {
        return None;
    }
    i += 4;
    digits(&mut i, 4, 4)?;
    if s.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    for index in 0..3 {
        if index > 0 {
            if s.get(i) != Some(&b':') {
                return None;
            }
            i += 1;
        }
        digits(&mut i, 2, 2)?;
    }
    let rest = &text[i..];
    for zone in [" GMT", " UTC"] {
        if rest.starts_with(zone) {
            return Some(i + zone.len());
        }
    }
    let b = rest.as_bytes();
    if b.len() >= 6
        && b[0] == b' '
        && (b[1] == b'+' || b[1] == b'-')
        && b[2..6].iter().all(u8::is_ascii_digit)
    {
        return Some(i + 6);
    }
    Some(i)
}

/// Masks dates, queue ids, client ports and AUTH challenges in one line.
pub fn normalize_line(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("S: 334 ") {
        if !rest.contains(' ') && !rest.is_empty() {
            return "S: 334 <CHALLENGE>".to_string();
        }
    }
    let bytes = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !is_word(bytes[i - 1]);
        if boundary {
            if let Some(n) = date_length(&bytes[i..]) {
                out.push_str("<DATE>");
                i += n;
                continue;
            }
            if bytes.len() >= i + 14
                && bytes[i..i + 8].iter().all(u8::is_ascii_alphanumeric)
                && bytes[i + 8..i + 14].iter().all(u8::is_ascii_digit)
                && bytes.get(i + 14).is_none_or(|&c| !is_word(c))
            {
                out.push_str("<QID>");
                i += 14;
                continue;
            }
        }
        let c = line[i..].chars().next().unwrap_or('?');
        out.push(c);
        i += c.len_utf8();
    }
    if let Some(at) = out.find("connected from 127.0.0.2:") {
        let start = at + "connected from 127.0.0.2:".len();
        let digits = out[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .count();
        out.replace_range(start..start + digits, "PORT");
    }
    out
}
