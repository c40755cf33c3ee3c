//! The shell around telnet: splitting a command line and the commands a
//! learner expects (`help`, `clear`, `ls /var/mail`, `cat`, `whoami` ...).

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
    ("ls", "ls /var/mail         list the mailboxes"),
    ("cat", "cat /var/mail/USER   show a mailbox"),
    ("whoami", "whoami               who you are on this machine"),
    ("hostname", "hostname             the name of this machine"),
    ("history", "history              the commands typed so far"),
    (
        "clear",
        "clear                clear the screen (also Ctrl+L)",
    ),
    ("help", "help                 this list"),
];

/// SMTP verbs, for Tab completion inside a session.
pub const SMTP_VERBS: &[&str] = &[
    "HELO",
    "EHLO",
    "MAIL FROM:",
    "RCPT TO:",
    "DATA",
    "RSET",
    "NOOP",
    "QUIT",
    "VRFY",
    "EXPN",
    "HELP",
    "VERB",
    "ETRN",
    "AUTH",
    "STARTTLS",
];

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
            complete("ma", SMTP_VERBS, true).as_deref(),
            Some("MAIL FROM:")
        );
        assert_eq!(complete("zz", &commands, false), None);
    }
}
