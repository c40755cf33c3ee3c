//! Explain mode's panel: what a reply or a command means (the code's
//! class, the enhanced status code, why this server said it here, and the
//! RFC section). The texts load when explain mode is first used.

use std::rc::Rc;

use smtplab_engine::explain::{Explanations, RFC3463, RFC5321};
use smtplab_engine::ReplyKey;
use yew::prelude::*;

use crate::app::state::Loadable;

/// The line explain mode shows.
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

#[derive(Properties, Clone, PartialEq)]
pub struct ExplainPanelProps {
    pub line: Option<Explained>,
    pub explanations: Loadable<Rc<Explanations>>,
}

/// A link that opens in a new tab, to an address built here from our own
/// data, never from anything typed or passed in a link.
fn external(href: String, label: String) -> Html {
    html! { <a {href} target="_blank" rel="noopener noreferrer">{ label }</a> }
}

fn section_link(section: &str) -> Html {
    external(
        format!("{RFC5321}#section-{section}"),
        format!("RFC 5321, section {section}"),
    )
}

fn rfc_link(rfc: &str, section: &str) -> Html {
    external(
        format!("https://www.rfc-editor.org/rfc/rfc{rfc}#section-{section}"),
        format!("RFC {rfc}, section {section}"),
    )
}

/// A POP3 or IMAP line: what its status, code or reply means, or what the
/// command does.
fn mail(all: &Explanations, line: &Explained, protocol: &str) -> Html {
    let entries = if line.server {
        all.mail_reply(protocol, &line.text)
    } else {
        all.mail_command(protocol, &line.text).into_iter().collect()
    };
    let rows = entries.into_iter().map(|e| {
        html! {
            <>
                if !e.syntax.is_empty() {
                    <dt>{ "Syntax" }</dt>
                    <dd><code>{ &e.syntax }</code></dd>
                }
                <dt>{ if line.server { "Meaning" } else { "What it does" } }</dt>
                <dd>{ &e.what }{ " " }{ rfc_link(&e.rfc, &e.section) }</dd>
            </>
        }
    });
    html! { <>{ quoted(line) }<dl>{ for rows }</dl></> }
}

fn quoted(line: &Explained) -> Html {
    html! { <p class="quoted"><code>{ &line.text }</code></p> }
}

fn reply(all: &Explanations, line: &Explained) -> Html {
    let code: u16 = line.text.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
    let enhanced = line
        .text
        .get(4..)
        .and_then(|rest| rest.split_whitespace().next())
        .filter(|word| {
            word.split('.').count() == 3 && word.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .and_then(|code| all.enhanced(code));
    let why = line
        .key
        .and_then(|key| all.reply(key, line.echo.as_deref()));
    html! {
        <>
            { quoted(line) }
            <dl>
                <dt>{ "Reply code" }</dt>
                <dd>{ format!("{code}: {}", all.code_class(code)) }</dd>
                if let Some(meaning) = enhanced {
                    <dt>{ "Enhanced status code" }</dt>
                    <dd>{ meaning }{ " " }{ external(RFC3463.to_string(), "(RFC 3463)".to_string()) }</dd>
                }
                if let Some(explanation) = why {
                    <dt>{ "Why here" }</dt>
                    <dd>{ explanation.why }</dd>
                    <dt>{ "Read more" }</dt>
                    <dd>{ section_link(&explanation.section) }</dd>
                }
            </dl>
        </>
    }
}

fn command(all: &Explanations, line: &Explained) -> Html {
    match all.command(&line.text) {
        Some(found) => html! {
            <>
                { quoted(line) }
                <dl>
                    if !found.syntax.is_empty() {
                        <dt>{ "Syntax" }</dt>
                        <dd><code>{ &found.syntax }</code></dd>
                    }
                    <dt>{ "What it does" }</dt>
                    <dd>{ &found.what }</dd>
                    <dt>{ "Read more" }</dt>
                    <dd>{ section_link(&found.section) }</dd>
                </dl>
            </>
        },
        None => html! {
            <p>{ "A line of the message text (after DATA): the server stores it as it is." }</p>
        },
    }
}

#[function_component(ExplainPanel)]
pub fn explain_panel(props: &ExplainPanelProps) -> Html {
    let hint = |message: String| html! { <p class="hint">{ message }</p> };
    let body = match (&props.line, &props.explanations) {
        (None, _) => hint("Explain mode is on: click a server reply or one of your commands (or focus it with Tab and press Enter) to see what it means.".to_string()),
        (Some(_), Loadable::Failed(error)) => hint(format!("The explanations could not be loaded ({error}). They need the network once; turn explain mode off and on to try again.")),
        (Some(_), Loadable::NotLoaded | Loadable::Loading) => hint("Loading the explanations…".to_string()),
        (Some(line), Loadable::Loaded(all)) if line.mail.is_some() => {
            mail(all, line, line.mail.unwrap_or_default())
        }
        (Some(line), Loadable::Loaded(all)) if line.server => reply(all, line),
        (Some(line), Loadable::Loaded(all)) => command(all, line),
    };
    html! {
        <aside class="panel explain-panel" aria-label="Explanation" aria-live="polite">
            <h2>{ "Explain" }</h2>
            { body }
        </aside>
    }
}
