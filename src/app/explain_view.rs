//! What explain mode's panel shows for a line, worked out from the
//! engine's explanations: plain data (text, terms, links) that the panel
//! only lays out, tested natively.

use smtplab_engine::explain::{Explanations, RFC3463, RFC5321};
use smtplab_engine::ReplyKey;

use super::state::Loadable;

/// The line explain mode was asked about.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    pub text: String,
    /// A server reply (else a client command).
    pub server: bool,
    pub key: Option<ReplyKey>,
    pub echo: Option<String>,
    /// `"pop3"` or `"imap"` for a line of those sessions.
    pub mail: Option<&'static str>,
}

/// A link to an RFC, built from the engine's own data, never from
/// anything typed or passed in a link.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub href: String,
    pub label: String,
}

/// What one row of the explanation says.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    Text(String),
    /// A command's syntax, shown as code.
    Code(String),
    /// Text followed by a link.
    Linked(String, Link),
    Link(Link),
}

/// The panel's content.
#[derive(Clone, Debug, PartialEq)]
pub enum ExplainView {
    /// A sentence in place of an explanation (nothing chosen yet, loading,
    /// or the texts could not be loaded).
    Hint(String),
    /// The line quoted, then terms and what they say.
    Explained {
        quoted: String,
        rows: Vec<(&'static str, Detail)>,
    },
    /// A line of message text, which has no explanation of its own.
    MessageText,
}

/// A reply's section: of RFC 5321, or `RFC:section` of another RFC
/// (`4954:4` for SMTP AUTH).
fn section_link(section: &str) -> Link {
    match section.split_once(':') {
        Some((rfc, section)) => rfc_link(rfc, section),
        None => Link {
            href: format!("{RFC5321}#section-{section}"),
            label: format!("RFC 5321, section {section}"),
        },
    }
}

fn rfc_link(rfc: &str, section: &str) -> Link {
    Link {
        href: format!("https://www.rfc-editor.org/rfc/rfc{rfc}#section-{section}"),
        label: format!("RFC {rfc}, section {section}"),
    }
}

/// What the panel shows for `line`, given the state of the texts.
pub fn explain_view(
    line: Option<&Explained>,
    texts: &Loadable<std::rc::Rc<Explanations>>,
) -> ExplainView {
    let hint = |text: String| ExplainView::Hint(text);
    let Some(line) = line else {
        return hint("Explain mode is on: click a server reply or one of your commands (or focus it with Tab and press Enter) to see what it means.".to_string());
    };
    let all = match texts {
        Loadable::Loaded(all) => all,
        Loadable::Failed(error) => return hint(format!("The explanations could not be loaded ({error}). They need the network once; turn explain mode off and on to try again.")),
        Loadable::NotLoaded | Loadable::Loading => return hint("Loading the explanations…".to_string()),
    };
    let rows = match line.mail {
        Some(protocol) => mail(all, line, protocol),
        None if line.server => reply(all, line),
        None => {
            // A line that is no command but base64 of text: an answer to
            // an AUTH challenge.
            let unknown = all.command(&line.text).is_some_and(|c| c.verb.is_empty());
            match decoded(&line.text).filter(|_| unknown) {
                Some(text) => vec![
                    ("Base64", Detail::Text(text)),
                    ("Read more", Detail::Link(rfc_link("4954", "4"))),
                ],
                None => match command(all, line) {
                    Some(rows) => rows,
                    None => return ExplainView::MessageText,
                },
            }
        }
    };
    ExplainView::Explained {
        quoted: line.text.clone(),
        rows,
    }
}

/// A POP3 or IMAP line: what its status, code or reply means, or what the
/// command does.
fn mail(all: &Explanations, line: &Explained, protocol: &str) -> Vec<(&'static str, Detail)> {
    let entries = if line.server {
        all.mail_reply(protocol, &line.text)
    } else {
        all.mail_command(protocol, &line.text).into_iter().collect()
    };
    let mut rows = Vec::new();
    for entry in entries {
        if !entry.syntax.is_empty() {
            rows.push(("Syntax", Detail::Code(entry.syntax.clone())));
        }
        let term = if line.server {
            "Meaning"
        } else {
            "What it does"
        };
        rows.push((
            term,
            Detail::Linked(entry.what.clone(), rfc_link(&entry.rfc, &entry.section)),
        ));
    }
    rows
}

fn reply(all: &Explanations, line: &Explained) -> Vec<(&'static str, Detail)> {
    let code: u16 = line.text.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
    let enhanced = line
        .text
        .get(4..)
        .and_then(|rest| rest.split_whitespace().next())
        .filter(|word| {
            word.split('.').count() == 3 && word.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .and_then(|code| all.enhanced(code));
    let mut rows = vec![(
        "Reply code",
        Detail::Text(format!("{code}: {}", all.code_class(code))),
    )];
    if let Some(meaning) = enhanced {
        let link = Link {
            href: RFC3463.to_string(),
            label: "(RFC 3463)".to_string(),
        };
        rows.push(("Enhanced status code", Detail::Linked(meaning, link)));
    }
    if let Some(explanation) = line
        .key
        .and_then(|key| all.reply(key, line.echo.as_deref()))
    {
        rows.push(("Why here", Detail::Text(explanation.why)));
        rows.push((
            "Read more",
            Detail::Link(section_link(&explanation.section)),
        ));
    }
    rows
}

/// A client's SMTP command; `None` for a line of message text.
fn command(all: &Explanations, line: &Explained) -> Option<Vec<(&'static str, Detail)>> {
    let found = all.command(&line.text)?;
    let mut rows = Vec::new();
    if !found.syntax.is_empty() {
        rows.push(("Syntax", Detail::Code(found.syntax.clone())));
    }
    rows.push(("What it does", Detail::Text(found.what.clone())));
    // AUTH PLAIN's initial response, decoded.
    let mut words = line.text.split_whitespace();
    let is_auth = words.next().is_some_and(|w| w.eq_ignore_ascii_case("AUTH"));
    if let (true, Some(_), Some(initial)) = (is_auth, words.next(), words.next()) {
        if let Some(text) = decoded(initial) {
            rows.push(("Base64", Detail::Text(text)));
        }
    }
    rows.push(("Read more", Detail::Link(section_link(&found.section))));
    Some(rows)
}

/// What a base64 line a client sends during AUTH says, in words; `None`
/// when the line is not base64 of text.
fn decoded(line: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let unprintable = |c: char| c.is_control() && c != '\0' && c != '\n';
    if text.is_empty() || text.chars().any(unprintable) {
        return None;
    }
    let quote = |part: &str| {
        let shown = part.strip_suffix('\n').unwrap_or(part);
        let newline = if part.ends_with('\n') {
            " followed by a newline (the newline is part of it: echo adds one; echo -n and printf do not)"
        } else {
            ""
        };
        format!("\"{shown}\"{newline}")
    };
    let parts: Vec<&str> = text.split('\0').collect();
    Some(match parts.as_slice() {
        [authz, user, password] => format!(
            "PLAIN's answer: {}, then NUL, the user {}, NUL, the password {}.",
            if authz.is_empty() {
                "no authorization identity".to_string()
            } else {
                format!("the identity {}", quote(authz))
            },
            quote(user),
            quote(password)
        ),
        _ => format!("{line} is base64 for {}.", quote(&text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn line(text: &str, server: bool, key: Option<ReplyKey>) -> Explained {
        Explained {
            text: text.to_string(),
            server,
            key,
            echo: None,
            mail: None,
        }
    }

    #[test]
    fn base64_lines_are_decoded() {
        let cases = [
            ("bW9t", Some("bW9t is base64 for \"mom\".")),
            (
                "bW9tCg==",
                Some("bW9tCg== is base64 for \"mom\" followed by a newline (the newline is part of it: echo adds one; echo -n and printf do not)."),
            ),
            (
                "AG1vbQBtb20tcGFzc3dvcmQ=",
                Some("PLAIN's answer: no authorization identity, then NUL, the user \"mom\", NUL, the password \"mom-password\"."),
            ),
            ("hello", None),
            ("test", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(decoded(text).as_deref(), want, "{text}");
        }
        let all = Loadable::Loaded(Rc::new(Explanations::built_in()));
        let answer = line("bW9tCg==", false, None);
        let ExplainView::Explained { rows, .. } = explain_view(Some(&answer), &all) else {
            panic!("not explained");
        };
        assert_eq!(rows[0].0, "Base64");
        let auth = line("AUTH PLAIN AG1vbQBtb20tcGFzc3dvcmQ=", false, None);
        let ExplainView::Explained { rows, .. } = explain_view(Some(&auth), &all) else {
            panic!("not explained");
        };
        assert!(rows.iter().any(|(term, _)| *term == "Base64"));
    }

    #[test]
    fn a_reply_a_command_and_message_text() {
        let all = Loadable::Loaded(Rc::new(Explanations::built_in()));
        let relay = line(
            "550 5.7.1 <bob@example.org>... Relaying denied",
            true,
            Some(ReplyKey::RelayingDenied),
        );
        let ExplainView::Explained { quoted, rows } = explain_view(Some(&relay), &all) else {
            panic!("not explained");
        };
        assert_eq!(quoted, relay.text);
        let terms: Vec<&str> = rows.iter().map(|(term, _)| *term).collect();
        assert_eq!(
            terms,
            [
                "Reply code",
                "Enhanced status code",
                "Why here",
                "Read more"
            ]
        );
        assert!(matches!(&rows[0].1, Detail::Text(t) if t.starts_with("550: ")));
        let helo = line("HELO a.example", false, None);
        let ExplainView::Explained { rows, .. } = explain_view(Some(&helo), &all) else {
            panic!("not explained");
        };
        assert!(matches!(&rows.last().unwrap().1, Detail::Link(l) if l.href.starts_with(RFC5321)));
        let blank = line("", false, None);
        assert_eq!(explain_view(Some(&blank), &all), ExplainView::MessageText);
        let mut retr = line("RETR 1", false, None);
        retr.mail = Some("pop3");
        let ExplainView::Explained { rows, .. } = explain_view(Some(&retr), &all) else {
            panic!("not explained");
        };
        assert!(matches!(&rows[0], ("Syntax", Detail::Code(c)) if c == "RETR n"));
    }

    #[test]
    fn hints_before_and_without_the_texts() {
        let chosen = line("QUIT", false, None);
        for (texts, start) in [
            (Loadable::NotLoaded, "Loading"),
            (Loadable::Loading, "Loading"),
            (
                Loadable::Failed("offline".into()),
                "The explanations could not be loaded (offline)",
            ),
        ] {
            let ExplainView::Hint(text) = explain_view(Some(&chosen), &texts) else {
                panic!("no hint");
            };
            assert!(text.starts_with(start), "{text}");
        }
        let loaded = Loadable::Loaded(Rc::new(Explanations::built_in()));
        assert!(
            matches!(explain_view(None, &loaded), ExplainView::Hint(t) if t.starts_with("Explain mode is on"))
        );
    }
}
