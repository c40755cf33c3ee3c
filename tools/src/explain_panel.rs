//! What a reply or a command means: the code's class, the enhanced status
//! code, why this server said it here, and the RFC 5321 section.

use smtplab_engine::explain::{Explanations, RFC3463, RFC5321};

use crate::page::{Explained, State};
use crate::view::{el, text, Element, Node};

/// A link that opens in a new tab, to an address built here from our own
/// data, never from anything typed or passed in a link.
fn external(href: String, label: String) -> Element {
    el("a")
        .attr("href", &href)
        .attr("target", "_blank")
        .attr("rel", "noopener noreferrer")
        .text(&label)
}

fn section_link(section: &str) -> Element {
    external(
        format!("{RFC5321}#section-{section}"),
        format!("RFC 5321, section {section}"),
    )
}

fn term(list: Element, name: &'static str, value: impl Into<Node>) -> Element {
    list.child(el("dt").text(name)).child(el("dd").child(value))
}

fn quoted(line: &Explained) -> Node {
    el("p")
        .class("quoted")
        .child(el("code").text(&line.text))
        .into()
}

fn reply(all: &Explanations, line: &Explained) -> Vec<Node> {
    let code: u16 = line.text.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
    let enhanced = line
        .text
        .get(4..)
        .and_then(|rest| rest.split_whitespace().next())
        .filter(|word| {
            word.split('.').count() == 3 && word.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .and_then(|code| all.enhanced(code));
    let mut list = term(
        el("dl"),
        "Reply code",
        text(&format!("{code}: {}", all.code_class(code))),
    );
    if let Some(meaning) = enhanced {
        list = list.child(el("dt").text("Enhanced status code")).child(
            el("dd")
                .text(&meaning)
                .text(" ")
                .child(external(RFC3463.to_string(), "(RFC 3463)".to_string())),
        );
    }
    if let Some(explanation) = line
        .key
        .and_then(|key| all.reply(key, line.echo.as_deref()))
    {
        list = term(list, "Why here", text(&explanation.why));
        list = term(list, "Read more", section_link(&explanation.section));
    }
    vec![quoted(line), list.into()]
}

fn command(all: &Explanations, line: &Explained) -> Vec<Node> {
    match all.command(&line.text) {
        Some(found) => {
            let (syntax, what, section) = (found.syntax, found.what, found.section);
            let mut list = el("dl");
            if !syntax.is_empty() {
                list = term(list, "Syntax", el("code").text(syntax));
            }
            list = term(list, "What it does", text(what));
            list = term(list, "Read more", section_link(section));
            vec![quoted(line), list.into()]
        }
        None => vec![el("p")
            .text("A line of the message text (after DATA): the server stores it as it is.")
            .into()],
    }
}

pub fn view(state: &State) -> Node {
    let line = state.explained.as_ref();
    let hint = |message: &str| vec![el("p").class("hint").text(message).into()];
    let body = match (line, &state.explanations) {
        (None, _) => hint("Explain mode is on: click a server reply or one of your commands (or focus it with Tab and press Enter) to see what it means."),
        (Some(_), None) => match &state.explanations_error {
            Some(error) => hint(&format!("The explanations could not be loaded ({error}). They need the network once; turn explain mode off and on to try again.")),
            None => hint("Loading the explanations…"),
        },
        (Some(line), Some(all)) if line.server => reply(all, line),
        (Some(line), Some(all)) => command(all, line),
    };
    el("aside")
        .class("panel explain-panel")
        .attr("aria-label", "Explanation")
        .attr("aria-live", "polite")
        .child(el("h2").text("Explain"))
        .children(body)
        .into()
}
