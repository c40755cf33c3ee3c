//! Explain mode's panel: what a reply or a command means (the code's
//! class, the enhanced status code, why this server said it here, and the
//! RFC section), as the app worked it out (`app::explain_view`). The texts
//! load when explain mode is first used.

use yew::prelude::*;

use crate::app::explain_view::{Detail, ExplainView, Link};

#[derive(Properties, Clone, PartialEq)]
pub struct ExplainPanelProps {
    pub view: ExplainView,
}

/// A link that opens in a new tab.
fn external(link: &Link) -> Html {
    let href = link.href.clone();
    html! { <a {href} target="_blank" rel="noopener noreferrer">{ &link.label }</a> }
}

fn detail(detail: &Detail) -> Html {
    match detail {
        Detail::Text(text) => html! { { text } },
        Detail::Code(code) => html! { <code>{ code }</code> },
        Detail::Linked(text, link) => html! { <>{ text }{ " " }{ external(link) }</> },
        Detail::Link(link) => external(link),
    }
}

#[function_component(ExplainPanel)]
pub fn explain_panel(props: &ExplainPanelProps) -> Html {
    let body = match &props.view {
        ExplainView::Hint(text) => html! { <p class="hint">{ text }</p> },
        ExplainView::MessageText => html! {
            <p>{ "A line of the message text (after DATA): the server stores it as it is." }</p>
        },
        ExplainView::Explained { quoted, rows } => {
            let rows = rows.iter().map(|(term, what)| {
                html! { <><dt>{ *term }</dt><dd>{ detail(what) }</dd></> }
            });
            html! {
                <>
                    <p class="quoted"><code>{ quoted }</code></p>
                    <dl>{ for rows }</dl>
                </>
            }
        }
    };
    html! {
        <aside class="panel explain-panel" aria-label="Explanation" aria-live="polite">
            <h2>{ "Explain" }</h2>
            { body }
        </aside>
    }
}
