//! The small text tools people use to make AUTH's base64 by hand, and the
//! pipes between them: `echo` and `printf` (bash's builtins), `base64` and
//! `tr -d` (coreutils), `cat` of what the pipe gives. Each stage takes the
//! bytes before it and gives bytes to the next; the last one's reach the
//! screen. Their escapes and options are written here because they are
//! the tools' own behaviour (bash's and coreutils'), which is what a
//! learner needs to see, mistakes included: `echo mom | base64` really
//! gives `bW9tCg==`, with the newline.

use base64::Engine as _;

/// What a pipeline printed, and its exit status.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ran {
    pub stdout: Vec<u8>,
    pub stderr: Vec<String>,
    pub status: i32,
}

/// The commands a pipeline stage may be.
pub const TOOLS: &[&str] = &["echo", "printf", "base64", "tr", "cat"];

/// Splits a command line into pipeline stages at each `|` outside
/// quotes, each stage into words (quotes removed, backslashes kept for
/// the tools to read). None: a quote is left open.
pub fn stages(line: &str) -> Option<Vec<Vec<String>>> {
    let mut stages = vec![Vec::new()];
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            // Inside double quotes a backslash keeps \" and \\ as bash does.
            (Some('"'), '\\') if matches!(chars.peek(), Some('"' | '\\' | '$')) => {
                current.extend(chars.next());
            }
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                // Outside quotes a backslash quotes the next character.
                current.extend(chars.next());
                in_word = true;
            }
            (None, '|') => {
                if in_word {
                    stages.last_mut()?.push(std::mem::take(&mut current));
                    in_word = false;
                }
                stages.push(Vec::new());
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    stages.last_mut()?.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        stages.last_mut()?.push(current);
    }
    Some(stages)
}

/// Runs the stages in order, each with the previous one's output.
pub fn run(stages: &[Vec<String>]) -> Ran {
    let mut input: Vec<u8> = Vec::new();
    let mut ran = Ran::default();
    for stage in stages {
        let Some((name, arguments)) = stage.split_first() else {
            ran.stderr
                .push("bash: syntax error near unexpected token `|'".to_string());
            ran.status = 2;
            ran.stdout.clear();
            return ran;
        };
        let (stdout, error, status) = match name.as_str() {
            "echo" => (echo(arguments), None, 0),
            "printf" => match arguments.split_first() {
                Some((format, values)) => (printf(format, values), None, 0),
                None => (
                    Vec::new(),
                    Some("printf: usage: printf [-v var] format [arguments]".to_string()),
                    2,
                ),
            },
            "base64" => base64_tool(arguments, &input),
            "tr" => tr(arguments, &input),
            "cat" if arguments.is_empty() || arguments == ["-"] => (input.clone(), None, 0),
            other => (
                Vec::new(),
                Some(format!("bash: {other}: command not found")),
                127,
            ),
        };
        ran.stderr.extend(error);
        ran.status = status;
        input = stdout;
    }
    ran.stdout = input;
    ran
}

/// bash's `echo`: `-n` (no newline), `-e` (escapes), `-E`, combined.
fn echo(arguments: &[String]) -> Vec<u8> {
    let mut newline = true;
    let mut escapes = false;
    let mut words = arguments;
    while let Some((first, rest)) = words.split_first() {
        let flags = first.strip_prefix('-').unwrap_or("");
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for flag in flags.chars() {
            match flag {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        words = rest;
    }
    let text = words.join(" ");
    let mut out = if escapes {
        let (bytes, stop) = unescape(&text, Escapes::Echo);
        if stop {
            return bytes;
        }
        bytes
    } else {
        text.into_bytes()
    };
    if newline {
        out.push(b'\n');
    }
    out
}

/// Which escapes a tool reads: `echo -e` and `%b` take `\0NNN` and stop
/// at `\c`; printf's format takes `\NNN` too.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escapes {
    Echo,
    Format,
}

/// Reads backslash escapes; returns the bytes and whether `\c` stopped
/// the output.
fn unescape(text: &str, kind: Escapes) -> (Vec<u8>, bool) {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 == bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let next = bytes[i + 1];
        i += 2;
        let simple = match next {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'a' => Some(7),
            b'b' => Some(8),
            b'f' => Some(12),
            b'v' => Some(11),
            b'e' | b'E' => Some(27),
            b'\\' => Some(b'\\'),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        match next {
            b'c' => return (out, true),
            b'x' => {
                let digits = take_digits(bytes, i, 2, 16);
                if digits.0 == 0 {
                    out.extend_from_slice(b"\\x");
                } else {
                    out.push(digits.1 as u8);
                    i += digits.0;
                }
            }
            b'0' if kind == Escapes::Echo => {
                let digits = take_digits(bytes, i, 3, 8);
                out.push(digits.1 as u8);
                i += digits.0;
            }
            b'0'..=b'7' if kind == Escapes::Format => {
                let digits = take_digits(bytes, i - 1, 3, 8);
                out.push(digits.1 as u8);
                i += digits.0 - 1;
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    (out, false)
}

/// Up to `most` digits of `radix` from `at`: how many, and their value.
fn take_digits(bytes: &[u8], at: usize, most: usize, radix: u32) -> (usize, u32) {
    let mut value = 0u32;
    let mut count = 0;
    while count < most {
        let Some(digit) = bytes
            .get(at + count)
            .and_then(|&b| (b as char).to_digit(radix))
        else {
            break;
        };
        value = value * radix + digit;
        count += 1;
    }
    (count, value & 0xff)
}

/// bash's `printf FORMAT [ARGUMENTS]`: escapes, `%s %b %d %c %%`, the
/// format used again while arguments remain.
fn printf(format: &str, values: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut values = values.iter();
    loop {
        let mut used = false;
        let bytes = format.as_bytes();
        let mut i = 0;
        let mut literal = String::new();
        while i < bytes.len() {
            if bytes[i] != b'%' || i + 1 == bytes.len() {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'%' {
                    i += 1;
                }
                literal.push_str(&format[start..i]);
                continue;
            }
            let (text, stop) = unescape(&std::mem::take(&mut literal), Escapes::Format);
            out.extend(text);
            if stop {
                return out;
            }
            let conversion = bytes[i + 1];
            i += 2;
            match conversion {
                b'%' => out.push(b'%'),
                b's' => {
                    used = true;
                    out.extend(values.next().map(|v| v.as_bytes()).unwrap_or_default());
                }
                b'b' => {
                    used = true;
                    let value = values.next().map(String::as_str).unwrap_or("");
                    let (text, stop) = unescape(value, Escapes::Echo);
                    out.extend(text);
                    if stop {
                        return out;
                    }
                }
                b'd' | b'i' => {
                    used = true;
                    let value = values.next().map(String::as_str).unwrap_or("0");
                    out.extend(value.trim().parse::<i64>().unwrap_or(0).to_string().bytes());
                }
                b'c' => {
                    used = true;
                    out.extend(values.next().and_then(|v| v.bytes().next()));
                }
                other => {
                    out.push(b'%');
                    out.push(other);
                }
            }
        }
        let (text, stop) = unescape(&literal, Escapes::Format);
        out.extend(text);
        if stop || !used || values.len() == 0 {
            return out;
        }
    }
}

/// coreutils' `base64 [-d] [-w COLS] [-i]`, reading the pipe.
fn base64_tool(arguments: &[String], input: &[u8]) -> (Vec<u8>, Option<String>, i32) {
    let mut decode = false;
    let mut wrap = 76usize;
    let mut ignore_garbage = false;
    let mut words = arguments.iter();
    while let Some(word) = words.next() {
        let value = match word.as_str() {
            "-d" | "--decode" => {
                decode = true;
                continue;
            }
            "-i" | "--ignore-garbage" => {
                ignore_garbage = true;
                continue;
            }
            "-di" | "-id" => {
                decode = true;
                ignore_garbage = true;
                continue;
            }
            "-w" | "--wrap" => words.next().cloned().unwrap_or_default(),
            "-" => continue,
            other => match other
                .strip_prefix("--wrap=")
                .or_else(|| other.strip_prefix("-w"))
            {
                Some(value) => value.to_string(),
                None => {
                    return (
                        Vec::new(),
                        Some(format!(
                            "base64: {other}: No such file or directory (here base64 reads what a pipe gives it)"
                        )),
                        1,
                    )
                }
            },
        };
        match value.parse() {
            Ok(columns) => wrap = columns,
            Err(_) => {
                return (
                    Vec::new(),
                    Some(format!("base64: invalid wrap size: '{value}'")),
                    1,
                )
            }
        }
    }
    let engine = &base64::engine::general_purpose::STANDARD;
    if decode {
        let text: Vec<u8> = input
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .filter(|b| !ignore_garbage || b.is_ascii_alphanumeric() || b"+/=".contains(b))
            .collect();
        return match engine.decode(&text) {
            Ok(bytes) => (bytes, None, 0),
            Err(_) => (Vec::new(), Some("base64: invalid input".to_string()), 1),
        };
    }
    let encoded = engine.encode(input);
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / 76 + 1);
    if wrap == 0 {
        out.extend_from_slice(encoded.as_bytes());
    } else {
        for line in encoded.as_bytes().chunks(wrap) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    if wrap > 0 && encoded.is_empty() {
        return (Vec::new(), None, 0);
    }
    (out, None, 0)
}

/// `tr -d SET`: deletes the bytes of SET (escapes `\n`, `\r`, `\t`, `\0`).
fn tr(arguments: &[String], input: &[u8]) -> (Vec<u8>, Option<String>, i32) {
    match arguments {
        [flag, set] if flag == "-d" => {
            let (set, _) = unescape(set, Escapes::Format);
            (
                input.iter().copied().filter(|b| !set.contains(b)).collect(),
                None,
                0,
            )
        }
        _ => (
            Vec::new(),
            Some("tr: this shell's tr only deletes: tr -d '\\n'".to_string()),
            1,
        ),
    }
}

/// What a terminal shows of `bytes`: lines, without the control
/// characters it would not draw (a NUL shows as nothing).
pub fn screen_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() && bytes.is_empty() {
        return Vec::new();
    }
    text.split('\n')
        .map(|line| {
            line.chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(line: &str) -> (String, Vec<String>, i32) {
        let ran = run(&stages(line).unwrap());
        (
            String::from_utf8_lossy(&ran.stdout).into_owned(),
            ran.stderr,
            ran.status,
        )
    }

    #[test]
    fn the_base64_people_make_for_auth() {
        let table = [
            ("echo mom | base64", "bW9tCg==\n"),
            ("echo -n mom | base64", "bW9t\n"),
            ("echo -n 'mom-password' | base64", "bW9tLXBhc3N3b3Jk\n"),
            (
                "printf '\\0mom\\0mom-password' | base64",
                "AG1vbQBtb20tcGFzc3dvcmQ=\n",
            ),
            (
                "printf '%s\\0%s\\0%s' '' mom mom-password | base64",
                "AG1vbQBtb20tcGFzc3dvcmQ=\n",
            ),
            (
                "echo -ne '\\0mom\\0mom-password' | base64",
                "AG1vbQBtb20tcGFzc3dvcmQ=\n",
            ),
            (
                "echo -e '\\0mom\\0mom-password' | base64",
                "AG1vbQBtb20tcGFzc3dvcmQK\n",
            ),
            ("printf mom | base64", "bW9t\n"),
            ("echo mom | tr -d '\\n' | base64", "bW9t\n"),
            ("echo bW9tCg== | base64 -d", "mom\n"),
            ("echo VXNlcm5hbWU6 | base64 --decode", "Username:"),
            ("printf 'a\\nb\\n'", "a\nb\n"),
            ("printf '%s-%s\\n' a b c", "a-b\nc-\n"),
            ("echo a\\ b \"c d\"", "a b c d\n"),
            ("echo -x", "-x\n"),
        ];
        for (line, want) in table {
            assert_eq!(shell(line).0, want, "{line}");
        }
    }

    #[test]
    fn wraps_and_refuses_as_coreutils() {
        let long = format!("printf '{}' | base64", "x".repeat(60));
        let (out, _, _) = shell(&long);
        assert_eq!(out.lines().map(str::len).collect::<Vec<_>>(), [76, 4]);
        let (out, _, _) = shell(&format!("{long} -w0"));
        assert_eq!(out.len(), 80);
        assert_eq!(
            shell("echo '%%%' | base64 -d"),
            (String::new(), vec!["base64: invalid input".to_string()], 1)
        );
        assert_eq!(shell("echo x | nosuch").2, 127);
        assert_eq!(shell("echo x |").2, 2);
        assert!(stages("echo 'open").is_none());
    }

    #[test]
    fn the_screen_shows_no_nul() {
        assert_eq!(screen_lines(b"\0mom\0pw"), ["mompw"]);
        assert_eq!(screen_lines(b"a\nb\n"), ["a", "b"]);
        assert_eq!(screen_lines(b""), Vec::<String>::new());
        assert_eq!(screen_lines(b"\n"), [""]);
    }
}
