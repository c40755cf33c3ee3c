//! The line being typed: text and a cursor, edited as readline does.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEditor {
    /// The line, as characters so the cursor never splits one.
    chars: Vec<char>,
    cursor: usize,
}

impl LineEditor {
    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn set(&mut self, text: &str) {
        self.chars = text.chars().collect();
        self.cursor = self.chars.len();
    }

    pub fn take(&mut self) -> String {
        let text = self.text();
        self.chars.clear();
        self.cursor = 0;
        text
    }

    pub fn insert(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control() || *c == '\t') {
            self.chars.insert(self.cursor, c);
            self.cursor += 1;
        }
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.chars.remove(self.cursor);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.chars.len() {
            self.chars.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.chars.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.chars.len();
    }

    /// Ctrl+U: delete from the start of the line to the cursor.
    /// Clears the whole line.
    pub fn kill_line(&mut self) {
        self.chars.clear();
        self.cursor = 0;
    }

    pub fn kill_to_start(&mut self) {
        self.chars.drain(..self.cursor);
        self.cursor = 0;
    }

    /// Ctrl+K: delete from the cursor to the end.
    pub fn kill_to_end(&mut self) {
        self.chars.truncate(self.cursor);
    }

    /// Ctrl+W: delete the word before the cursor (and the spaces after it).
    pub fn kill_word(&mut self) {
        let mut start = self.cursor;
        while start > 0 && self.chars[start - 1] == ' ' {
            start -= 1;
        }
        while start > 0 && self.chars[start - 1] != ' ' {
            start -= 1;
        }
        self.chars.drain(start..self.cursor);
        self.cursor = start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text before with `|` as the cursor, edits, text after with cursor)
    fn check(before: &str, edit: fn(&mut LineEditor), after: &str) {
        let cursor = before.find('|').unwrap();
        let mut editor = LineEditor::default();
        editor.set(&before.replace('|', ""));
        editor.cursor = before[..cursor].chars().count();
        edit(&mut editor);
        let mut shown = editor.text();
        let byte = shown
            .char_indices()
            .nth(editor.cursor)
            .map(|(i, _)| i)
            .unwrap_or(shown.len());
        shown.insert(byte, '|');
        assert_eq!(shown, after, "from {before}");
    }

    #[test]
    fn readline_edits() {
        check("HELO|", |e| e.insert(" x"), "HELO x|");
        check(
            "HLO|",
            |e| {
                e.left();
                e.left();
                e.insert("E")
            },
            "HE|LO",
        );
        check("ab|c", LineEditor::backspace, "a|c");
        check("|abc", LineEditor::backspace, "|abc");
        check("a|bc", LineEditor::delete, "a|c");
        check("abc|", LineEditor::home, "|abc");
        check("|abc", LineEditor::end, "abc|");
        check("MAIL FROM:|<a>", LineEditor::kill_to_start, "|<a>");
        check("MAIL |FROM", LineEditor::kill_to_end, "MAIL |");
        check("MAIL FROM:x  |", LineEditor::kill_word, "MAIL |");
        check("é|", LineEditor::backspace, "|");
        check("a|", |e| e.insert("b\u{7}c"), "abc|");
    }
}
