//! The shell around telnet: splitting a command line and the commands a
//! learner expects (`help`, `clear`, `ls /var/mail`, `cat`, `whoami` ...).
//! Commands that lead elsewhere (telnet, the mail reader, `reset`) are
//! returned as an [`Outcome`] for the terminal to follow.

use smtplab_engine::World;

use super::scrollback::{LineKind, Scrollback};
use super::text_tools;
use smtplab_engine::store::MailStore;

/// The user the shell runs as.
pub const USER: &str = "learner";
/// The most lines `seq` prints.
const SEQ_LIMIT: u64 = 200_000;

/// Where a command line leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done; back at the prompt.
    Done,
    /// `telnet HOST [PORT]`.
    Telnet { host: String, port: String },
    /// `telnet` alone: the `telnet> ` prompt.
    TelnetPrompt,
    /// `openssl s_client ...`.
    SClient(Box<super::s_client::Options>),
    /// `swaks ...`.
    Swaks(Box<super::swaks::Options>),
    /// `mail USER`: read a mailbox.
    Mail { user: String },
    /// `reset`: ask before starting over.
    ConfirmReset,
    /// `clear`.
    Clear,
}

/// What the shell can see of the machine.
pub struct Machine<'a> {
    pub world: &'a World,
    pub mailboxes: &'a MailStore,
    pub history: &'a [String],
}

/// Runs one command line, printing its output.
pub fn run(line: &str, machine: &Machine, screen: &mut Scrollback) -> Outcome {
    if let Some(stages) = text_tools::stages(line) {
        let first = stages
            .first()
            .and_then(|stage| stage.first())
            .map(String::as_str);
        if stages.len() > 1
            || first.is_some_and(|name| text_tools::TOOLS.contains(&name) && name != "cat")
        {
            let ran = text_tools::run(&stages);
            for line in text_tools::screen_lines(&ran.stdout) {
                screen.push(LineKind::Output, line);
            }
            for line in ran.stderr {
                screen.push(LineKind::Error, line);
            }
            return Outcome::Done;
        }
    }
    let words = words(line);
    let Some(command) = words.first() else {
        return Outcome::Done;
    };
    let arguments = &words[1..];
    match command.as_str() {
        "telnet" => match arguments {
            [] => return Outcome::TelnetPrompt,
            [host] => {
                return Outcome::Telnet {
                    host: host.clone(),
                    port: "telnet".to_string(),
                }
            }
            [host, port, ..] => {
                return Outcome::Telnet {
                    host: host.clone(),
                    port: port.clone(),
                }
            }
        },
        "openssl" => match arguments.split_first() {
            Some((tool, rest)) if tool == "s_client" => match super::s_client::parse(rest) {
                Ok(options) => return Outcome::SClient(Box::new(options)),
                Err(lines) => {
                    for line in lines {
                        screen.push(LineKind::Error, line);
                    }
                }
            },
            Some((tool, _)) => screen.push(
                LineKind::Error,
                format!("Invalid command '{tool}'; this lab's openssl knows s_client."),
            ),
            None => screen.push(
                LineKind::Error,
                "usage: openssl s_client -starttls smtp -crlf -connect mail.example.com:587",
            ),
        },
        "swaks" => match super::swaks::parse(arguments) {
            Ok(options) => return Outcome::Swaks(Box::new(options)),
            Err((lines, _)) => {
                for line in lines {
                    screen.push(LineKind::Error, line);
                }
            }
        },
        "help" => {
            screen.push(LineKind::Output, "Commands:");
            for (_, text) in COMMANDS {
                screen.push(LineKind::Output, format!("  {text}"));
            }
            screen.push(
                LineKind::Output,
                "Inside telnet, type SMTP commands: HELO, MAIL FROM:, RCPT TO:, DATA, QUIT ...",
            );
            screen.push(
                LineKind::Output,
                "Read mail back with telnet mail.example.com pop3 (USER, PASS, LIST, RETR, DELE, QUIT)",
            );
            screen.push(
                LineKind::Output,
                "or imap (a1 LOGIN user password, a2 SELECT INBOX, a3 FETCH 1 BODY[], a4 LOGOUT).",
            );
            let logins: Vec<String> = machine
                .world
                .users
                .iter()
                .filter_map(|u| u.password.as_ref().map(|p| format!("{} / {p}", u.name)))
                .collect();
            if !logins.is_empty() {
                screen.push(
                    LineKind::Output,
                    format!("Users and passwords: {}", logins.join(", ")),
                );
            }
        }
        "clear" => return Outcome::Clear,
        "whoami" => screen.push(LineKind::Output, USER),
        "hostname" => screen.push(LineKind::Output, machine.world.client.name.clone()),
        "history" => {
            for (index, entry) in machine.history.iter().enumerate() {
                screen.push(LineKind::Output, format!("{:5}  {entry}", index + 1));
            }
        }
        "ls" => list_mail(arguments, machine.mailboxes, screen),
        "mail" | "mailx" => {
            let user = match arguments {
                [] => USER.to_string(),
                [flag, value] if flag == "-u" => value.clone(),
                [flag, path] if flag == "-f" => path.rsplit('/').next().unwrap_or("").to_string(),
                [name] => name.clone(),
                _ => {
                    screen.push(LineKind::Error, "usage: mail [-u USER | -f /var/mail/USER]");
                    return Outcome::Done;
                }
            };
            return Outcome::Mail { user };
        }
        "seq" => seq(arguments, screen),
        "reset" => return Outcome::ConfirmReset,
        "cat" => cat(arguments, machine.mailboxes, screen),
        _ => screen.push(
            LineKind::Error,
            format!("bash: {command}: command not found"),
        ),
    }
    Outcome::Done
}

/// `/home/USER/mail/NAME` (or `~USER/mail/NAME`): a user's IMAP folder
/// file, as (user, name).
fn folder_path(path: &str) -> Option<(&str, &str)> {
    let rest = path
        .strip_prefix("/home/")
        .or_else(|| path.strip_prefix('~'))?;
    let (user, rest) = rest.split_once('/')?;
    let name = rest.strip_prefix("mail")?;
    Some((user, name.strip_prefix('/').unwrap_or(name)))
}

fn list_mail(arguments: &[String], mailboxes: &MailStore, screen: &mut Scrollback) {
    match arguments.first().map(|a| a.trim_end_matches('/')) {
        Some("/var/mail") | Some("/var/spool/mail") => {
            let names: Vec<&str> = mailboxes.keys().map(String::as_str).collect();
            if !names.is_empty() {
                screen.push(LineKind::Output, names.join("  "));
            }
        }
        // A user's IMAP folders, where Dovecot keeps them.
        Some(path) if folder_path(path).is_some_and(|(_, name)| name.is_empty()) => {
            let user = folder_path(path).map_or("", |(user, _)| user);
            let names: Vec<String> = mailboxes.folders(user).keys().cloned().collect();
            if !names.is_empty() {
                screen.push(LineKind::Output, names.join("  "));
            }
        }
        None | Some(".") | Some("~") => {}
        Some(other) => screen.push(
            LineKind::Error,
            format!("ls: cannot access '{other}': No such file or directory"),
        ),
    }
}

fn seq(arguments: &[String], screen: &mut Scrollback) {
    let numbers: Vec<u64> = arguments.iter().filter_map(|a| a.parse().ok()).collect();
    let (first, last) = match numbers.as_slice() {
        [last] => (1, *last),
        [first, last] => (*first, *last),
        _ => {
            screen.push(LineKind::Error, "seq: usage: seq [FIRST] LAST");
            return;
        }
    };
    let last = last.min(first.saturating_add(SEQ_LIMIT - 1));
    for n in first..=last {
        screen.push(LineKind::Output, n.to_string());
    }
}

fn cat(arguments: &[String], mailboxes: &MailStore, screen: &mut Scrollback) {
    for path in arguments {
        let user = path
            .strip_prefix("/var/mail/")
            .or_else(|| path.strip_prefix("/var/spool/mail/"));
        let folder =
            folder_path(path).and_then(|(user, name)| mailboxes.folders(user).get(name).cloned());
        match user.and_then(|u| mailboxes.file(u)).or(folder) {
            Some(file) => {
                for line in String::from_utf8_lossy(&file).lines() {
                    screen.push(LineKind::Output, line.to_string());
                }
            }
            None => screen.push(
                LineKind::Error,
                format!("cat: {path}: No such file or directory"),
            ),
        }
    }
}

/// Splits a command line into words, honouring single and double quotes.
pub fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// The commands this shell knows, for `help` and Tab completion.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "telnet",
        "telnet HOST [PORT]   connect to a server (try: telnet mail.example.com smtp)",
    ),
    (
        "openssl",
        "openssl s_client -starttls smtp -crlf -connect mail.example.com:587   TLS, then type SMTP",
    ),
    (
        "swaks",
        "swaks --to mom@example.com --server mail.example.com:587 --tls --auth LOGIN --auth-user U --auth-password P",
    ),
    (
        "ls",
        "ls /var/mail         list the mailboxes (ls /home/USER/mail: IMAP folders)",
    ),
    (
        "cat",
        "cat /var/mail/USER   show a mailbox (or an IMAP folder: /home/USER/mail/NAME)",
    ),
    (
        "mail",
        "mail USER            read a mailbox (a number shows a message, q quits)",
    ),
    ("whoami", "whoami               who you are on this machine"),
    ("hostname", "hostname             the name of this machine"),
    ("history", "history              the commands typed so far"),
    (
        "echo",
        "echo [-n] [-e] TEXT  print the text (-n: no newline at the end)",
    ),
    (
        "printf",
        "printf FORMAT ARGS   print with escapes: printf '\\0mom\\0pass' | base64",
    ),
    (
        "base64",
        "base64 [-d] [-w0]    encode (or decode, -d) what a pipe gives it",
    ),
    (
        "seq",
        "seq [FIRST] LAST     print numbers (fills the screen)",
    ),
    (
        "clear",
        "clear                clear the screen (also Ctrl+L)",
    ),
    (
        "reset",
        "reset                start over: clear the screen, mailboxes and settings",
    ),
    ("help", "help                 this list"),
];

/// Completes a command after its tag (IMAP's `a1 SEL` to `a1 SELECT `).
pub fn complete_tagged(line: &str, choices: &[&str]) -> Option<String> {
    let (tag, rest) = line.split_once(' ')?;
    let completed = complete(rest, choices, true)?;
    Some(format!("{tag} {completed}"))
}

/// Completes the first word of `line` against `choices`: the single match,
/// or the longest common prefix of several.
pub fn complete(line: &str, choices: &[&str], upper: bool) -> Option<String> {
    if line.contains(' ') && !choices.iter().any(|c| c.contains(' ')) {
        return None;
    }
    let typed = if upper {
        line.to_ascii_uppercase()
    } else {
        line.to_string()
    };
    let matches: Vec<&str> = choices
        .iter()
        .copied()
        .filter(|c| c.starts_with(&typed))
        .collect();
    let first = matches.first()?;
    let mut common = first.to_string();
    for other in &matches[1..] {
        while !other.starts_with(&common) {
            common.pop();
        }
    }
    if matches.len() == 1 && !common.ends_with(':') {
        common.push(' ');
    }
    (common.len() > line.len()).then_some(common)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtplab_engine::Protocol;

    #[test]
    fn splits_words() {
        assert_eq!(
            words("telnet  mail.example.com smtp"),
            ["telnet", "mail.example.com", "smtp"]
        );
        assert_eq!(words("cat '/var/mail/mom'"), ["cat", "/var/mail/mom"]);
        assert_eq!(words("   "), Vec::<String>::new());
        assert_eq!(words("echo \"\""), ["echo", ""]);
    }

    #[test]
    fn completes() {
        let commands: Vec<&str> = COMMANDS.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            complete("tel", &commands, false).as_deref(),
            Some("telnet ")
        );
        assert_eq!(complete("h", &commands, false), None);
        assert_eq!(
            complete("hi", &commands, false).as_deref(),
            Some("history ")
        );
        assert_eq!(
            complete("ma", Protocol::Smtp.verbs(), true).as_deref(),
            Some("MAIL FROM:")
        );
        assert_eq!(complete("zz", &commands, false), None);
        // Every command the shell runs can be completed.
        for (line, completed) in [
            ("mai", "mail "),
            ("se", "seq "),
            ("res", "reset "),
            ("ec", "echo "),
        ] {
            assert_eq!(complete(line, &commands, false).as_deref(), Some(completed));
        }
    }
}
