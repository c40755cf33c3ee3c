//! Replays: typed lines played back into the terminal with a typing
//! animation, with pause, step and speed. Each call to [`Player::tick`]
//! types one character (or a whole paste, or Enter) and says how long to
//! wait before the next.

use std::rc::Rc;

use smtplab_engine::Timestamp;

use crate::terminal::{Key, Terminal};

/// Speeds offered, as milliseconds per typed character.
pub const SPEEDS: &[(&str, u64)] = &[
    ("0.5×", 120),
    ("1×", 60),
    ("2×", 30),
    ("4×", 15),
    ("instant", 0),
];
/// The pause after Enter, so a reader can follow the reply.
const LINE_PAUSE_FACTOR: u64 = 8;
/// The longest a single tick may work before yielding to the page.
pub const INSTANT_BATCH: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Player {
    /// Shared: the app state is copied on every action, and a replay can
    /// hold thousands of lines.
    pub lines: Rc<Vec<String>>,
    /// The line being typed.
    pub line: usize,
    /// Characters of it already typed.
    pub typed: usize,
    pub paused: bool,
    pub speed: usize,
}

impl Player {
    pub fn new(lines: Vec<String>, paused: bool) -> Player {
        Player {
            lines: Rc::new(lines),
            line: 0,
            typed: 0,
            paused,
            speed: 1,
        }
    }

    pub fn finished(&self) -> bool {
        self.line >= self.lines.len()
    }

    fn millis_per_char(&self) -> u64 {
        SPEEDS.get(self.speed).map(|(_, ms)| *ms).unwrap_or(60)
    }

    /// Types the next piece. Returns the wait before the next tick, or
    /// `None` when paused or done.
    pub fn tick(&mut self, terminal: &mut Terminal, now: Timestamp) -> Option<u64> {
        if self.paused || self.finished() {
            return None;
        }
        if terminal.is_waiting() {
            // The server is pausing; wait for it as a person would.
            return Some(100);
        }
        let per_char = self.millis_per_char();
        let batch = if per_char == 0 { INSTANT_BATCH } else { 1 };
        for _ in 0..batch {
            if self.finished() || terminal.is_waiting() {
                break;
            }
            self.advance(terminal, now);
        }
        if self.finished() {
            return None;
        }
        Some(if self.typed == 0 {
            per_char * LINE_PAUSE_FACTOR
        } else {
            per_char
        })
    }

    /// Finishes the current line at once (the Step control).
    pub fn step(&mut self, terminal: &mut Terminal, now: Timestamp) {
        let line = self.line;
        while !self.finished() && self.line == line {
            self.advance(terminal, now);
        }
    }

    fn advance(&mut self, terminal: &mut Terminal, now: Timestamp) {
        let Some(text) = self.lines.get(self.line) else {
            return;
        };
        if text.contains('\n') {
            terminal.paste(text, now);
            self.line += 1;
            self.typed = 0;
            return;
        }
        match text.chars().nth(self.typed) {
            Some(c) => {
                terminal.press(Key::Char(c), now);
                self.typed += 1;
            }
            None => {
                terminal.press(Key::Enter, now);
                self.line += 1;
                self.typed = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtplab_engine::personality::SENDMAIL_8_13_8;
    use smtplab_engine::World;

    #[test]
    fn plays_a_session_and_steps() {
        let mut terminal = Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, 1);
        terminal.timing = false;
        let now = Timestamp::new(1_800_000_000, 0);
        let mut player = Player::new(
            vec![
                "telnet mail.example.com smtp".into(),
                "HELO a.example".into(),
                "QUIT".into(),
            ],
            false,
        );
        let mut ticks = 0;
        while player.tick(&mut terminal, now).is_some() {
            ticks += 1;
            assert!(ticks < 1000);
        }
        assert!(player.finished());
        let shown: Vec<String> = terminal
            .scrollback
            .lines()
            .map(|l| l.text.clone())
            .collect();
        assert!(shown.contains(&"Connection closed by foreign host.".to_string()));

        let mut paused = Player::new(vec!["whoami".into(), "hostname".into()], true);
        assert_eq!(paused.tick(&mut terminal, now), None);
        paused.step(&mut terminal, now);
        assert_eq!((paused.line, paused.typed), (1, 0));
    }
}
