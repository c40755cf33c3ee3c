//! Earlier lines, walked with Up and Down as a shell does.

/// The number of lines kept; the oldest go first.
pub const HISTORY_LIMIT: usize = 500;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
    /// Where Up/Down is, from 0 (oldest) to `entries.len()` (the new line).
    position: usize,
    /// The line being typed before walking began, restored at the bottom.
    draft: String,
}

impl History {
    pub fn from_entries(entries: Vec<String>) -> History {
        let mut history = History {
            entries,
            ..History::default()
        };
        let excess = history.entries.len().saturating_sub(HISTORY_LIMIT);
        history.entries.drain(..excess);
        history.position = history.entries.len();
        history
    }

    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Records a line entered; blank lines and repeats of the last are not kept.
    pub fn push(&mut self, line: &str) {
        if !line.trim().is_empty() && self.entries.last().map(String::as_str) != Some(line) {
            self.entries.push(line.to_string());
            if self.entries.len() > HISTORY_LIMIT {
                self.entries.remove(0);
            }
        }
        self.position = self.entries.len();
        self.draft.clear();
    }

    /// Up: the previous line, or `None` at the oldest.
    pub fn previous(&mut self, current: &str) -> Option<&str> {
        if self.position == 0 {
            return None;
        }
        if self.position == self.entries.len() {
            self.draft = current.to_string();
        }
        self.position -= 1;
        self.entries.get(self.position).map(String::as_str)
    }

    /// Down: the next line, then the draft.
    pub fn next(&mut self) -> Option<&str> {
        if self.position >= self.entries.len() {
            return None;
        }
        self.position += 1;
        Some(
            self.entries
                .get(self.position)
                .map(String::as_str)
                .unwrap_or(self.draft.as_str()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    enum Walk {
        Up,
        Down,
    }

    /// (history before, draft, walk, line shown after)
    fn check(entries: &[&str], draft: &str, walk: &[Walk], shown: &str) {
        let mut history = History::from_entries(entries.iter().map(|s| s.to_string()).collect());
        let mut line = draft.to_string();
        for step in walk {
            let next = match step {
                Walk::Up => history.previous(&line).map(str::to_string),
                Walk::Down => history.next().map(str::to_string),
            };
            if let Some(next) = next {
                line = next;
            }
        }
        assert_eq!(line, shown);
    }

    #[test]
    fn walks_like_a_shell() {
        use Walk::*;
        check(&["line1", "line2"], "", &[Up, Up, Down], "line2");
        check(&["line1", "line2"], "", &[Up, Up, Up], "line1");
        check(&["line1", "line2"], "dr", &[Up, Down], "dr");
        check(&[], "x", &[Up, Down], "x");
    }

    #[test]
    fn keeps_the_newest_and_skips_repeats() {
        let mut history = History::default();
        for i in 0..HISTORY_LIMIT + 5 {
            history.push(&format!("c{i}"));
        }
        history.push(&format!("c{}", HISTORY_LIMIT + 4));
        history.push("   ");
        assert_eq!(history.entries().len(), HISTORY_LIMIT);
        assert_eq!(history.entries()[0], "c5");
        assert_eq!(
            history.entries().last().unwrap(),
            &format!("c{}", HISTORY_LIMIT + 4)
        );
    }
}
