//! What happened in the terminal, for checking exercises: connections,
//! lines sent, replies, deliveries, shell commands. A bounded record; the
//! oldest events go first.

use std::collections::VecDeque;

use smtplab_engine::ReplyKey;

use super::mailbox::Entry;

/// Events kept for exercises; the oldest go first.
pub const LOG_LIMIT: usize = 20_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogEvent {
    Connected {
        personality: &'static str,
    },
    /// A line sent to the server; lines sent together share a chunk number.
    Sent {
        line: String,
        chunk: u32,
    },
    Replied {
        key: ReplyKey,
        code: u16,
        enhanced: Option<String>,
    },
    /// A POP3 or IMAP server answered a command (`RETR`, `UID FETCH` ...)
    /// with a status (`+OK`, `-ERR`; `OK`, `NO`, `BAD`).
    Answered {
        verb: String,
        status: String,
    },
    /// A message delivered: the same entry the mailboxes hold.
    Delivered {
        mailboxes: Vec<String>,
        entry: Entry,
    },
    Shell {
        line: String,
    },
    /// A message was accepted for another domain (relayed).
    Relayed,
    Closed,
}

/// The events, newest last, and how many were ever recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    events: VecDeque<LogEvent>,
    recorded: u64,
}

impl Log {
    pub fn record(&mut self, event: LogEvent) {
        self.recorded += 1;
        self.events.push_back(event);
        if self.events.len() > LOG_LIMIT {
            self.events.pop_front();
        }
    }

    pub fn events(&self) -> impl DoubleEndedIterator<Item = &LogEvent> + ExactSizeIterator + Clone {
        self.events.iter()
    }

    /// How many events were ever recorded (changes with every event, even
    /// once the oldest are let go).
    pub fn recorded(&self) -> u64 {
        self.recorded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_events() {
        let mut log = Log::default();
        for chunk in 0..LOG_LIMIT as u32 + 5 {
            log.record(LogEvent::Sent {
                line: "NOOP".into(),
                chunk,
            });
        }
        assert_eq!(log.events().len(), LOG_LIMIT);
        assert_eq!(log.recorded(), LOG_LIMIT as u64 + 5);
        assert_eq!(
            log.events().next(),
            Some(&LogEvent::Sent {
                line: "NOOP".into(),
                chunk: 5
            })
        );
    }
}
