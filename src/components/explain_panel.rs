//! What a reply or a command means: the code's class, the enhanced status
//! code, why this server said it here, and the RFC 5321 section.

use smtplab_engine::explain::{
    code_class, enhanced_meaning, explain_command, explain_reply, RFC3463, RFC5321,
};
use yew::prelude::*;

use crate::app::AppState;
use crate::console::scrollback::LineKind;

#[derive(Properties, PartialEq)]
pub struct ExplainPanelProps {
    pub state: AppState,
}

fn section_link(section: &str) -> Html {
    // The address is built here from a section number in our own data,
    // never from anything typed or passed in a link.
    let href = format!("{RFC5321}#section-{section}");
    html! { <a href={href} target="_blank" rel="noopener noreferrer">{ format!("RFC 5321, section {section}") }</a> }
}

#[function_component(ExplainPanel)]
pub fn explain_panel(props: &ExplainPanelProps) -> Html {
    let terminal = props.state.terminal.borrow();
    let line = props.state.explained.and_then(|(block, index)| {
        terminal
            .scrollback
            .blocks()
            .find(|b| b.id == block)
            .and_then(|b| b.lines.get(index).cloned())
    });
    let body = match line {
        None => html! {
            <p class="hint">{ "Explain mode is on: click a server reply or one of your commands (or focus it with Tab and press Enter) to see what it means." }</p>
        },
        Some(line) if line.kind == LineKind::Server => {
            let code: u16 = line.text.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
            let enhanced = line
                .text
                .get(4..)
                .and_then(|rest| rest.split_whitespace().next())
                .filter(|word| {
                    word.split('.').count() == 3
                        && word.chars().all(|c| c.is_ascii_digit() || c == '.')
                })
                .map(str::to_string);
            let why = line.reply.as_ref().map(|tag| {
                let explanation = explain_reply(tag.key);
                let echo = tag
                    .echo
                    .clone()
                    .unwrap_or_else(|| "the address".to_string());
                (
                    explanation.why.replace("{echo}", &echo),
                    explanation.section,
                )
            });
            html! {
                <>
                    <p class="quoted"><code>{ line.text.clone() }</code></p>
                    <dl>
                        <dt>{ "Reply code" }</dt>
                        <dd>{ format!("{code}: {}", code_class(code)) }</dd>
                        if let Some(enhanced) = enhanced.as_deref().and_then(enhanced_meaning) {
                            <dt>{ "Enhanced status code" }</dt>
                            <dd>{ enhanced }{ " " }<a href={RFC3463} target="_blank" rel="noopener noreferrer">{ "(RFC 3463)" }</a></dd>
                        }
                        if let Some((why, section)) = why {
                            <dt>{ "Why here" }</dt>
                            <dd>{ why }</dd>
                            <dt>{ "Read more" }</dt>
                            <dd>{ section_link(section) }</dd>
                        }
                    </dl>
                </>
            }
        }
        Some(line) => match explain_command(&line.text) {
            Some((syntax, what, section)) => html! {
                <>
                    <p class="quoted"><code>{ line.text.clone() }</code></p>
                    <dl>
                        if !syntax.is_empty() {
                            <dt>{ "Syntax" }</dt>
                            <dd><code>{ syntax }</code></dd>
                        }
                        <dt>{ "What it does" }</dt>
                        <dd>{ what }</dd>
                        <dt>{ "Read more" }</dt>
                        <dd>{ section_link(section) }</dd>
                    </dl>
                </>
            },
            None => {
                html! { <p>{ "A line of the message text (after DATA): the server stores it as it is." }</p> }
            }
        },
    };
    html! {
        <aside class="panel explain-panel" aria-label="Explanation" aria-live="polite">
            <h2>{ "Explain" }</h2>
            { body }
        </aside>
    }
}
