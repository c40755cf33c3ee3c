//! The bounded scrollback: a ring of lines kept in blocks, so a view can
//! redraw only the block that changed.

use std::collections::VecDeque;
use std::rc::Rc;

/// Lines kept before the oldest are dropped (a whole block at a time, so
/// between `SCROLLBACK_LIMIT - BLOCK_SIZE` and `SCROLLBACK_LIMIT` are kept). 100,000 lines of a busy
/// session is hours of work; memory stays in the tens of megabytes.
pub const SCROLLBACK_LIMIT: usize = 100_000;
/// Lines per block: a new line redraws at most this many.
pub const BLOCK_SIZE: usize = 256;

/// What a line is, for colour and for the transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// Shell output and telnet's own messages.
    Output,
    /// What the person typed, echoed after the prompt.
    Input,
    /// A reply from the mail server.
    Server,
    /// A line sent to the mail server.
    Client,
    /// An explanation from the simulator, not part of any real terminal.
    Notice,
    Error,
}

/// Which catalogue reply a server line belongs to, for explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyTag {
    pub key: smtplab_engine::ReplyKey,
    /// The address the reply echoes, if any.
    pub echo: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
    pub reply: Option<Box<ReplyTag>>,
    /// A line of a POP3 or IMAP session (`"pop3"`, `"imap"`), for explain
    /// mode; SMTP lines have none.
    pub mail: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Block number since the start of the session (stable across drops).
    pub id: u64,
    pub lines: Rc<Vec<Line>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scrollback {
    blocks: VecDeque<Block>,
    len: usize,
    limit: usize,
    next_id: u64,
    /// Counts every line added and every clearing.
    changes: u64,
}

impl Default for Scrollback {
    fn default() -> Self {
        Scrollback::with_limit(SCROLLBACK_LIMIT)
    }
}

impl Scrollback {
    pub fn with_limit(limit: usize) -> Scrollback {
        Scrollback {
            blocks: VecDeque::new(),
            len: 0,
            limit: limit.max(BLOCK_SIZE),
            next_id: 0,
            changes: 0,
        }
    }

    /// Changes whenever a line is added or the screen is cleared.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    pub fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter()
    }

    /// A line by its place: (block id, index in the block).
    pub fn line(&self, block: u64, index: usize) -> Option<&Line> {
        self.blocks
            .iter()
            .find(|b| b.id == block)
            .and_then(|b| b.lines.get(index))
    }

    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.blocks.iter().flat_map(|b| b.lines.iter())
    }

    pub fn push(&mut self, kind: LineKind, text: impl Into<String>) {
        self.push_line(Line {
            kind,
            text: text.into(),
            reply: None,
            mail: None,
        });
    }

    /// A line of a POP3 or IMAP session.
    pub fn push_mail(&mut self, kind: LineKind, text: impl Into<String>, protocol: &'static str) {
        self.push_line(Line {
            kind,
            text: text.into(),
            reply: None,
            mail: Some(protocol),
        });
    }

    pub fn push_line(&mut self, line: Line) {
        let needs_block = self
            .blocks
            .back()
            .is_none_or(|b| b.lines.len() >= BLOCK_SIZE);
        if needs_block {
            self.blocks.push_back(Block {
                id: self.next_id,
                lines: Rc::new(Vec::with_capacity(BLOCK_SIZE)),
            });
            self.next_id += 1;
        }
        if let Some(block) = self.blocks.back_mut() {
            Rc::make_mut(&mut block.lines).push(line);
            self.len += 1;
            self.changes += 1;
        }
        while self.len > self.limit {
            match self.blocks.pop_front() {
                Some(dropped) => self.len -= dropped.lines.len(),
                None => break,
            }
        }
    }

    pub fn clear(&mut self) {
        self.blocks.clear();
        self.len = 0;
        self.changes += 1;
    }

    /// The whole scrollback as plain text, one line per line.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for line in self.lines() {
            text.push_str(&line.text);
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_the_oldest_block_past_the_limit() {
        let mut scrollback = Scrollback::with_limit(BLOCK_SIZE * 2);
        for i in 0..BLOCK_SIZE * 2 + 1 {
            scrollback.push(LineKind::Output, format!("{i}"));
        }
        assert_eq!(scrollback.len(), BLOCK_SIZE + 1);
        assert_eq!(
            scrollback.lines().next().unwrap().text,
            format!("{BLOCK_SIZE}")
        );
        assert_eq!(
            scrollback.lines().last().unwrap().text,
            format!("{}", BLOCK_SIZE * 2)
        );
    }

    #[test]
    fn appending_leaves_earlier_blocks_untouched() {
        let mut scrollback = Scrollback::default();
        for i in 0..BLOCK_SIZE + 1 {
            scrollback.push(LineKind::Output, format!("{i}"));
        }
        let first = scrollback.blocks().next().unwrap().lines.clone();
        scrollback.push(LineKind::Output, "new");
        assert!(Rc::ptr_eq(
            &first,
            &scrollback.blocks().next().unwrap().lines
        ));
    }
}
