//! Exercises: a goal in words, and checks against what happened in the
//! terminal. Lessons are data (JSON), so teachers can write their own; the
//! format is in the README.

use serde::Deserialize;
use smtplab_engine::{Personality, World};

use crate::terminal::log::LogEvent;
use crate::terminal::mailbox;

/// One thing the session must show. All checks of a lesson must pass.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "CheckFields")]
pub enum Check {
    /// The client sent a command starting with `verb` (any case).
    Sent { verb: String },
    /// The server replied with this code (and enhanced code, if given);
    /// with `server`, only a reply of that personality counts.
    Reply {
        code: u16,
        enhanced: Option<String>,
        server: Option<String>,
    },
    /// A message reached `mailbox`, with a `header` (by name) and a body
    /// line equal to `body_line`, when those are given.
    Delivered {
        mailbox: String,
        header: Option<String>,
        body_line: Option<String>,
    },
    /// A reply with code `first`, then later in the same connection one
    /// with code `then`.
    Recovered { first: u16, then: u16 },
    /// Several commands went to the server in one chunk (a paste).
    Pipelined { commands: usize },
    /// A shell command starting with `command` was run after a delivery.
    ReadMail { command: String },
    /// A POP3 or IMAP server answered a command `verb` (`DELE`, `UID
    /// STORE` ...) with `status` (`+OK`, `-ERR`, `OK`, `NO`, `BAD`).
    Answered { verb: String, status: String },
    /// A shell command starting with `command` was run.
    Ran { command: String },
    /// A message was accepted for a recipient of another domain.
    Relayed,
}

/// A check as a lesson file writes it: its `kind` and the fields that
/// kind takes. Read as one flat object, then checked by kind (much less
/// code in the page than a tagged enum).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CheckFields {
    kind: String,
    verb: Option<String>,
    code: Option<u16>,
    enhanced: Option<String>,
    mailbox: Option<String>,
    header: Option<String>,
    body_line: Option<String>,
    first: Option<u16>,
    then: Option<u16>,
    commands: Option<u16>,
    command: Option<String>,
    status: Option<String>,
    server: Option<String>,
}

impl TryFrom<CheckFields> for Check {
    type Error = String;

    fn try_from(f: CheckFields) -> Result<Check, String> {
        let missing = |name: &str| format!("a \"{}\" check needs \"{name}\"", f.kind);
        let check = match f.kind.as_str() {
            "sent" => Check::Sent {
                verb: f.verb.clone().ok_or_else(|| missing("verb"))?,
            },
            "reply" => Check::Reply {
                code: f.code.ok_or_else(|| missing("code"))?,
                enhanced: f.enhanced.clone(),
                server: match &f.server {
                    Some(id) => Some(
                        smtplab_engine::Personality::by_id(id)
                            .ok_or_else(|| format!("unknown server \"{id}\""))?
                            .id
                            .to_string(),
                    ),
                    None => None,
                },
            },
            "delivered" => Check::Delivered {
                mailbox: f.mailbox.clone().ok_or_else(|| missing("mailbox"))?,
                header: f.header.clone(),
                body_line: f.body_line.clone(),
            },
            "recovered" => Check::Recovered {
                first: f.first.ok_or_else(|| missing("first"))?,
                then: f.then.ok_or_else(|| missing("then"))?,
            },
            "pipelined" => Check::Pipelined {
                commands: usize::from(f.commands.unwrap_or(2)),
            },
            "read_mail" => Check::ReadMail {
                command: f.command.clone().unwrap_or_default(),
            },
            "answered" => Check::Answered {
                verb: f.verb.clone().ok_or_else(|| missing("verb"))?,
                status: f.status.clone().ok_or_else(|| missing("status"))?,
            },
            "ran" => Check::Ran {
                command: f.command.clone().ok_or_else(|| missing("command"))?,
            },
            "relayed" => Check::Relayed,
            other => {
                return Err(format!(
                    "unknown kind \"{other}\" (one of sent, reply, delivered, recovered, pipelined, read_mail, answered, ran, relayed)"
                ))
            }
        };
        // A field that this kind does not take is a mistake too.
        let given = [
            ("verb", f.verb.is_some()),
            ("code", f.code.is_some()),
            ("enhanced", f.enhanced.is_some()),
            ("mailbox", f.mailbox.is_some()),
            ("header", f.header.is_some()),
            ("body_line", f.body_line.is_some()),
            ("first", f.first.is_some()),
            ("then", f.then.is_some()),
            ("commands", f.commands.is_some()),
            ("command", f.command.is_some()),
            ("status", f.status.is_some()),
            ("server", f.server.is_some()),
        ];
        let takes: &[&str] = match check {
            Check::Sent { .. } => &["verb"],
            Check::Reply { .. } => &["code", "enhanced", "server"],
            Check::Delivered { .. } => &["mailbox", "header", "body_line"],
            Check::Recovered { .. } => &["first", "then"],
            Check::Pipelined { .. } => &["commands"],
            Check::ReadMail { .. } => &["command"],
            Check::Answered { .. } => &["verb", "status"],
            Check::Ran { .. } => &["command"],
            Check::Relayed => &[],
        };
        match given.iter().find(|(name, is)| *is && !takes.contains(name)) {
            Some((name, _)) => Err(format!("a \"{}\" check does not take \"{name}\"", f.kind)),
            None => Ok(check),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub goal: String,
    #[serde(default)]
    pub hint: Option<String>,
    /// A world for this lesson; the current one when absent.
    #[serde(default)]
    pub world: Option<World>,
    /// A personality id for this lesson.
    #[serde(default)]
    pub personality: Option<String>,
    pub checks: Vec<Check>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    pub title: String,
    pub lessons: Vec<Lesson>,
}

/// Where the lessons completed are kept in the browser, by id, one per line.
pub const PROGRESS_KEY: &str = "smtplab.progress";

/// The lessons that come with SMTP Lab, fetched (from the site, beside the
/// page) when the Lessons panel first opens: not part of a first visit.
pub const BUILT_IN_URL: &str = "lessons/builtin.json";

/// The same lessons, for the tests.
#[cfg(test)]
pub const BUILT_IN: &str = include_str!("../../www/lessons/builtin.json");

/// Reads a lesson file; errors say where the problem is.
pub fn parse_lessons(text: &str) -> Result<LessonFile, String> {
    let file: LessonFile = smtplab_engine::data_file::parse(text)
        .map_err(|e| format!("the lesson file has a problem at {e}"))?;
    if file.lessons.is_empty() {
        return Err("the lesson file has no lessons".to_string());
    }
    for lesson in &file.lessons {
        if lesson.checks.is_empty() {
            return Err(format!("lesson \"{}\" has no checks", lesson.id));
        }
        if let Some(id) = &lesson.personality {
            if smtplab_engine::Personality::by_id(id).is_none() {
                return Err(format!(
                    "lesson \"{}\": unknown personality \"{id}\"",
                    lesson.id
                ));
            }
        }
        if let Some(world) = &lesson.world {
            world
                .validate()
                .map_err(|e| format!("lesson \"{}\": world {e}", lesson.id))?;
        }
    }
    Ok(file)
}

/// How far one check has got, event by event: whether it passed, and what
/// the checks that follow a sequence remember.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckProgress {
    pub passed: bool,
    /// `Recovered`: the first code was seen in this connection.
    seen_first: bool,
    /// `Pipelined`: the current chunk and how many of its lines were seen.
    run: (u32, usize),
    /// `ReadMail`: a message was delivered.
    delivered: bool,
    /// `Reply`: the personality of the current connection.
    server: &'static str,
}

impl Check {
    /// Takes one more event into account. Each event is looked at once, so
    /// a long log (or a large delivered message) costs nothing later.
    pub fn observe(&self, progress: &mut CheckProgress, event: &LogEvent) {
        if progress.passed {
            return;
        }
        if let LogEvent::Connected { personality } = event {
            progress.server = personality;
        }
        progress.passed = match (self, event) {
            (Check::Sent { verb }, LogEvent::Sent { line, .. }) => line
                .as_bytes()
                .get(..verb.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(verb.as_bytes())),
            (
                Check::Reply {
                    code,
                    enhanced,
                    server,
                },
                LogEvent::Replied {
                    code: c,
                    enhanced: e,
                    ..
                },
            ) => {
                c == code
                    && (enhanced.is_none() || e == enhanced)
                    && server.as_deref().is_none_or(|s| s == progress.server)
            }
            (
                Check::Delivered {
                    mailbox,
                    header,
                    body_line,
                },
                LogEvent::Delivered { mailboxes, entry },
            ) => {
                mailboxes.iter().any(|m| m == mailbox)
                    && mailbox::entry_has(entry, header.as_deref(), body_line.as_deref())
            }
            (Check::Recovered { .. }, LogEvent::Connected { .. } | LogEvent::Closed) => {
                progress.seen_first = false;
                false
            }
            (Check::Recovered { first, then }, LogEvent::Replied { code, .. }) => {
                if code == first {
                    progress.seen_first = true;
                    false
                } else {
                    code == then && progress.seen_first
                }
            }
            (Check::Pipelined { commands }, LogEvent::Sent { chunk, .. }) => {
                // Chunk numbers only grow, so a chunk's lines are one run.
                progress.run = if progress.run.0 == *chunk {
                    (*chunk, progress.run.1 + 1)
                } else {
                    (*chunk, 1)
                };
                progress.run.1 >= *commands
            }
            (Check::ReadMail { .. }, LogEvent::Delivered { .. }) => {
                progress.delivered = true;
                false
            }
            (Check::ReadMail { command }, LogEvent::Shell { line }) => {
                progress.delivered && line.starts_with(command.as_str())
            }
            (Check::Answered { verb, status }, LogEvent::Answered { verb: v, status: s }) => {
                v.eq_ignore_ascii_case(verb) && s == status
            }
            (Check::Ran { command }, LogEvent::Shell { line }) => {
                line.starts_with(command.as_str())
            }
            (Check::Relayed, LogEvent::Relayed) => true,
            _ => false,
        };
    }
}

/// Every lesson's checks, followed event by event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// By lesson, then by check, in the file's order.
    checks: Vec<Vec<CheckProgress>>,
}

impl Progress {
    pub fn new(file: &LessonFile) -> Progress {
        Progress {
            checks: file
                .lessons
                .iter()
                .map(|lesson| vec![CheckProgress::default(); lesson.checks.len()])
                .collect(),
        }
    }

    pub fn observe(&mut self, file: &LessonFile, event: &LogEvent) {
        for (lesson, progress) in file.lessons.iter().zip(&mut self.checks) {
            for (check, state) in lesson.checks.iter().zip(progress.iter_mut()) {
                check.observe(state, event);
            }
        }
    }

    /// Whether every check of the lesson at `index` passes.
    pub fn all_pass(&self, index: usize) -> bool {
        self.checks
            .get(index)
            .is_some_and(|checks| checks.iter().all(|c| c.passed))
    }

    /// Which checks of the lesson at `index` pass, in order.
    pub fn passes(&self, index: usize) -> Vec<bool> {
        self.checks
            .get(index)
            .map(|checks| checks.iter().map(|c| c.passed).collect())
            .unwrap_or_default()
    }
}

impl Check {
    /// The check in words, for the lesson panel.
    pub fn describe(&self) -> String {
        match self {
            Check::Sent { verb } => format!("send {verb}"),
            Check::Reply {
                code,
                enhanced,
                server,
            } => {
                let mut text = match enhanced {
                    Some(e) => format!("get a {code} {e} reply"),
                    None => format!("get a {code} reply"),
                };
                if let Some(personality) = server.as_deref().and_then(Personality::by_id) {
                    text.push_str(&format!(" from {}", personality.label));
                }
                text
            }
            Check::Delivered {
                mailbox,
                header,
                body_line,
            } => {
                let mut text = format!("deliver a message to {mailbox}");
                if let Some(h) = header {
                    text.push_str(&format!(" with a {h}: header"));
                }
                if let Some(b) = body_line {
                    text.push_str(&format!(" with a body line \"{b}\""));
                }
                text
            }
            Check::Recovered { first, then } => {
                format!("get a {first}, then a {then} in the same connection")
            }
            Check::Pipelined { commands } => format!("send {commands} commands in one go"),
            Check::ReadMail { .. } => "read the delivered message in the shell".to_string(),
            Check::Answered { verb, status } => format!("get {status} to {verb}"),
            Check::Ran { command } => format!("run {command}"),
            Check::Relayed => "get a message accepted for another domain".to_string(),
        }
    }
}

/// Which checks of `lesson` pass after all of `log` (what [`Progress`]
/// must agree with, event by event).
#[cfg(test)]
pub fn evaluate<'a>(lesson: &Lesson, log: impl Iterator<Item = &'a LogEvent>) -> Vec<bool> {
    let mut progress = vec![CheckProgress::default(); lesson.checks.len()];
    for event in log {
        for (check, state) in lesson.checks.iter().zip(progress.iter_mut()) {
            check.observe(state, event);
        }
    }
    progress.iter().map(|p| p.passed).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::{Key, Terminal};
    use smtplab_engine::personality::{EXIM_4_96_DEBIAN, SENDMAIL_8_13_8};
    use smtplab_engine::Timestamp;

    fn now() -> Timestamp {
        Timestamp::new(1_800_000_000, 0)
    }

    fn run(lines: &[&str]) -> Terminal {
        run_with(&SENDMAIL_8_13_8, lines)
    }

    fn run_with(personality: &'static Personality, lines: &[&str]) -> Terminal {
        let mut terminal = Terminal::new(World::tutorial(), personality, 3);
        terminal.timing = false;
        for line in lines {
            terminal.paste(line, now());
            terminal.press(Key::Enter, now());
        }
        terminal
    }

    fn lesson(id: &str) -> Lesson {
        parse_lessons(BUILT_IN)
            .unwrap()
            .lessons
            .into_iter()
            .find(|l| l.id == id)
            .unwrap()
    }

    fn passes(terminal: &Terminal, id: &str) -> bool {
        evaluate(&lesson(id), terminal.log.events())
            .iter()
            .all(|&ok| ok)
    }

    /// "Log in to send" followed to the end, on every server: the 530
    /// without TLS, s_client, the newline mistake, 235, a relayed message.
    /// Without the login, the same message is not relayed.
    #[test]
    fn logging_in_to_send_on_every_server() {
        for personality in smtplab_engine::personality::ALL {
            let mut session = vec![
                "telnet mail.example.com 587",
                "EHLO me.example",
                "MAIL FROM:<mom@example.com>",
                "QUIT",
                "echo mom | base64",
                "openssl s_client -starttls smtp -crlf -connect mail.example.com:587",
                "EHLO me.example",
                "AUTH LOGIN",
                "bW9tCg==",
                "bW9t",
            ];
            // Dovecot (Postfix) refuses the user name with a newline at
            // once; the others ask for the password first.
            if personality.sasl == smtplab_engine::personality::Sasl::Dovecot {
                session.pop();
            }
            session.extend([
                "AUTH LOGIN",
                "bW9t",
                "bW9t",
                "MAIL FROM:<mom@example.com>",
                "rcpt to:<friend@example.org>",
                "DATA",
                "Subject: hello from mom",
                "",
                "Sent after logging in.",
                ".",
                "QUIT",
            ]);
            let done = run_with(personality, &session);
            // Exim's submission takes MAIL before TLS and refuses only the
            // relayed RCPT (550): its learners meet no 530.
            let refuses_mail = personality
                .submission
                .is_some_and(|s| s.tls_required || s.mail_needs_auth);
            assert_eq!(
                evaluate(&lesson("log-in-to-send"), done.log.events()),
                [refuses_mail, true, true, true, true],
                "{}: {:?}",
                personality.id,
                crate::terminal::tests::screen(&done)
            );
            let without_login: Vec<&str> = session
                .iter()
                .copied()
                .filter(|l| !l.starts_with("AUTH") && !l.starts_with("bW9"))
                .collect();
            let refused = run_with(personality, &without_login);
            assert!(!passes(&refused, "log-in-to-send"), "{}", personality.id);
        }
    }

    #[test]
    fn built_in_lessons_load_and_there_are_enough() {
        let file = parse_lessons(BUILT_IN).unwrap();
        assert!(file.lessons.len() >= 8);
    }

    #[test]
    fn lessons_pass_only_when_done() {
        let session = [
            "telnet mail.example.com smtp",
            "EHLO me.example",
            "RCPT TO:<mom@example.com>",
            "MAIL FROM:<me@me.example>",
            "RCPT TO:<someone@example.org>",
            "RCPT TO:<mom@example.com>",
            "DATA",
            "Subject: hi",
            "",
            "..",
            ".",
            "QUIT",
            "cat /var/mail/mom",
        ];
        let done = run(&session);
        let nothing = run(&["telnet mail.example.com smtp", "QUIT"]);
        for id in [
            "first-message",
            "subject",
            "extensions",
            "relay",
            "lone-dot",
            "recover-503",
            "read-headers",
        ] {
            assert!(passes(&done, id), "{id} should pass");
            assert!(!passes(&nothing, id), "{id} should not pass");
        }
    }

    /// The comparison lesson: the same relay attempt must be refused by
    /// Postfix (where the lesson starts) and by Exim; one server is not
    /// enough, and Sendmail's refusal does not count.
    #[test]
    fn the_comparison_lesson_needs_postfix_and_exim() {
        let lesson = lesson("three-servers");
        let first = lesson
            .personality
            .as_deref()
            .and_then(Personality::by_id)
            .unwrap();
        assert_eq!(first.id, "postfix-3.7.11-debian");
        let attempt = [
            "telnet mail.example.com smtp",
            "EHLO me.example",
            "MAIL FROM:<me@me.example>",
            "RCPT TO:<someone@example.org>",
            "QUIT",
        ];
        let both = |second: &'static Personality| {
            let mut terminal = run_with(first, &attempt);
            let world = terminal.world().clone();
            terminal.configure(world, second);
            for line in attempt {
                terminal.paste(line, now());
                terminal.press(Key::Enter, now());
            }
            terminal
        };
        assert!(passes(&both(&EXIM_4_96_DEBIAN), "three-servers"));
        assert!(!passes(&run_with(first, &attempt), "three-servers"));
        assert!(!passes(
            &run_with(&EXIM_4_96_DEBIAN, &attempt),
            "three-servers"
        ));
        assert!(!passes(&both(&SENDMAIL_8_13_8), "three-servers"));
    }

    #[test]
    fn broken_lesson_files_say_where() {
        let cases: &[(&str, &str)] = &[
            ("{", "line 1"),
            ("{\"title\": \"t\", \"lessons\": []}", "no lessons"),
            ("{\"title\": \"t\", \"lessons\": [{\"id\": \"a\", \"title\": \"a\", \"goal\": \"g\", \"checks\": [{\"kind\": \"nope\"}]}]}", "unknown kind \"nope\""),
            ("{\"title\": \"t\", \"lessons\": [{\"id\": \"a\", \"title\": \"a\", \"goal\": \"g\", \"checks\": [{\"kind\": \"sent\", \"verb\": \"X\", \"extra\": 1}]}]}", "unknown field `extra`"),
            ("{\n  \"title\": \"t\",\n  \"lessons\": [ {\"id\": 1 ]\n}", "line 3, column"),
            ("{\"title\": \"t\", \"lessons\": [{\"id\": \"a\", \"title\": \"a\", \"goal\": \"g\", \"checks\": []}]}", "no checks"),
            ("{\"title\": \"t\", \"lessons\": [{\"id\": \"a\", \"title\": \"a\", \"goal\": \"g\", \"checks\": [{\"kind\": \"sent\", \"code\": 250}]}]}", "a \"sent\" check needs \"verb\""),
            ("{\"title\": \"t\", \"lessons\": [{\"id\": \"a\", \"title\": \"a\", \"goal\": \"g\", \"checks\": [{\"kind\": \"sent\", \"verb\": \"X\", \"code\": 250}]}]}", "a \"sent\" check does not take \"code\""),
            ("{\"title\": \"t\", \"lessons\": [{\"id\": \"a\", \"title\": \"a\", \"goal\": \"g\", \"personality\": \"exim\", \"checks\": [{\"kind\": \"sent\", \"verb\": \"EHLO\"}]}]}", "unknown personality"),
            ("{\"title\": \"t\", \"lessons\": [{\"id\": \"a\", \"title\": \"a\", \"goal\": \"g\", \"checks\": [{\"kind\": \"reply\", \"code\": 550, \"server\": \"qmail\"}]}]}", "unknown server \"qmail\""),
        ];
        for (text, needle) in cases {
            let error = parse_lessons(text).unwrap_err();
            assert!(error.contains(needle), "{text}: {error}");
        }
    }
}
