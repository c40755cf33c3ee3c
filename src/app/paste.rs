//! Large pastes go to the terminal in pieces, one per browser task, so the
//! page keeps answering during a 10 MB paste.

/// A paste larger than this is handed over in pieces of about this size.
pub const PASTE_CHUNK: usize = 64 * 1024;

/// Cuts a paste into pieces of about [`PASTE_CHUNK`] bytes, each ending with
/// a line end (but the last), so every piece is whole lines.
pub fn split_paste(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(PASTE_CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let end = match rest[end..].find('\n') {
            Some(newline) if end < rest.len() => end + newline + 1,
            _ => rest.len(),
        };
        pieces.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_whole_lines_and_add_up() {
        let line = "x".repeat(78) + "\n";
        let big = line.repeat(3 * PASTE_CHUNK / line.len()) + "tail";
        let multibyte = "é".repeat(PASTE_CHUNK) + "\nend";
        // (text, pieces expected)
        let cases: Vec<(&str, usize)> = vec![
            ("", 0),
            ("one line", 1),
            ("a\nb\n", 1),
            (&big, 3),
            (&multibyte, 2),
        ];
        for (text, count) in cases {
            let pieces = split_paste(text);
            assert_eq!(pieces.len(), count, "{}", &text[..text.len().min(20)]);
            assert_eq!(pieces.concat(), text);
            for piece in &pieces[..pieces.len().saturating_sub(1)] {
                assert!(piece.ends_with('\n'));
                assert!(piece.len() < PASTE_CHUNK + 200 || !piece[..PASTE_CHUNK].contains('\n'));
            }
        }
    }
}
