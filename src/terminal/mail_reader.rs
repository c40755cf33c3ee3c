//! `mail USER`: a small reader in the style of BSD mailx. A number shows a
//! message, Enter the next one, `h` lists them, `q` quits.

use super::mailbox::{user_messages, Message};
use super::scrollback::{LineKind, Scrollback};
use smtplab_engine::store::MailStore;

pub const MAIL_PROMPT: &str = "? ";

/// What the reader wants after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    Continue,
    Quit,
}

/// The mailbox being read, and the message Enter shows next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailReader {
    user: String,
    next: usize,
}

impl MailReader {
    /// Opens `user`'s mailbox and lists it, or says there is no mail.
    pub fn open(user: &str, mailboxes: &MailStore, screen: &mut Scrollback) -> Option<MailReader> {
        if mailboxes.count(user) == 0 {
            screen.push(LineKind::Output, format!("No mail for {user}"));
            return None;
        }
        let reader = MailReader {
            user: user.to_string(),
            next: 1,
        };
        reader.list(&user_messages(mailboxes, user), screen);
        Some(reader)
    }

    fn list(&self, messages: &[Message], screen: &mut Scrollback) {
        let plural = if messages.len() == 1 { "" } else { "s" };
        screen.push(
            LineKind::Output,
            format!(
                "\"/var/mail/{}\": {} message{plural}",
                self.user,
                messages.len()
            ),
        );
        for (index, message) in messages.iter().enumerate() {
            let from: String = message
                .header("From")
                .unwrap_or_default()
                .chars()
                .take(20)
                .collect();
            let subject = message.header("Subject").unwrap_or_default();
            let date: String = message
                .envelope
                .split("  ")
                .nth(1)
                .unwrap_or("")
                .chars()
                .take(16)
                .collect();
            screen.push(
                LineKind::Output,
                format!(" {:>3} {from:<20} {date:<16}  {subject}", index + 1),
            );
        }
        screen.push(
            LineKind::Notice,
            "Type a message number to read it, h for this list, q to quit.",
        );
    }

    /// Carries out one command typed at the `? ` prompt.
    pub fn command(
        &mut self,
        line: &str,
        mailboxes: &MailStore,
        screen: &mut Scrollback,
    ) -> Reading {
        let messages = user_messages(mailboxes, &self.user);
        let command = line.trim();
        let show = match command {
            "q" | "quit" | "x" | "exit" => return Reading::Quit,
            "h" | "headers" => {
                self.list(&messages, screen);
                return Reading::Continue;
            }
            "?" | "help" => {
                for text in [
                    "NUMBER  read that message",
                    "ENTER   read the next message",
                    "h       list the messages",
                    "q       quit",
                ] {
                    screen.push(LineKind::Output, text);
                }
                return Reading::Continue;
            }
            "" | "n" | "next" => self.next,
            number => match number.parse::<usize>() {
                Ok(n) if (1..=messages.len()).contains(&n) => n,
                _ => {
                    screen.push(
                        LineKind::Error,
                        format!("{command}: invalid message number"),
                    );
                    return Reading::Continue;
                }
            },
        };
        let Some(message) = messages.get(show - 1) else {
            screen.push(LineKind::Output, "At EOF");
            return Reading::Continue;
        };
        screen.push(LineKind::Output, format!("Message {show}:"));
        screen.push(LineKind::Output, message.envelope.clone());
        for header in &message.headers {
            screen.push(LineKind::Output, header.text.clone());
        }
        screen.push(LineKind::Output, "");
        for line in message.body.lines() {
            screen.push(LineKind::Output, line.to_string());
        }
        self.next = show + 1;
        Reading::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn screen_text(screen: &Scrollback) -> Vec<String> {
        screen.lines().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn lists_reads_and_quits() {
        let mut mailboxes = MailStore::default();
        mailboxes.deliver(
            "mom",
            Arc::from(
                &b"From a@b  Tue Oct 22 05:05:59 2013\nFrom: a@b\nSubject: hi\n\nHey\n\n"[..],
            ),
        );
        let mut screen = Scrollback::default();
        assert!(MailReader::open("dad", &mailboxes, &mut screen).is_none());
        assert_eq!(screen_text(&screen), ["No mail for dad"]);
        let mut reader = MailReader::open("mom", &mailboxes, &mut screen).unwrap();
        // (command, last line shown, still reading)
        let cases: &[(&str, &str, Reading)] = &[
            ("", "Hey", Reading::Continue),
            ("", "At EOF", Reading::Continue),
            ("7", "7: invalid message number", Reading::Continue),
            ("1", "Hey", Reading::Continue),
            ("q", "Hey", Reading::Quit),
        ];
        for (command, last, reading) in cases {
            assert_eq!(reader.command(command, &mailboxes, &mut screen), *reading);
            assert_eq!(screen_text(&screen).last().unwrap(), last, "{command:?}");
        }
    }
}
