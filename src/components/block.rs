//! A block of up to 256 scrollback lines. Each block is its own box (the
//! browser skips laying out and painting the ones out of view), and a
//! block whose lines did not change is not rendered again.

use yew::prelude::*;

use super::ByAddress;

use crate::terminal::scrollback::{Line, LineKind};

#[derive(Properties, Clone, PartialEq)]
pub struct BlockProps {
    pub id: u64,
    pub lines: ByAddress<Vec<Line>>,
    /// Explain mode: replies and commands can be opened.
    pub explain: bool,
}

pub fn class_of(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Output => "line output",
        LineKind::Input => "line input",
        LineKind::Server => "line server",
        LineKind::Client => "line client",
        LineKind::Notice => "line notice",
        LineKind::Error => "line error",
    }
}

#[function_component(Block)]
pub fn block(props: &BlockProps) -> Html {
    let lines = props.lines.iter().enumerate().map(|(index, line)| {
        let explainable = props.explain && matches!(line.kind, LineKind::Server | LineKind::Client);
        if explainable {
            html! {
                <div ~className={if line.kind == LineKind::Server { "line server explainable" } else { "line client explainable" }} tabindex="0" role="button"
                    data-line={format!("{}:{index}", props.id)}
                    aria-label={format!("Explain: {}", line.text)}>{ &line.text }</div>
            }
        } else {
            html! { <div ~className={class_of(line.kind)}>{ &line.text }</div> }
        }
    });
    html! { <div class="block">{ for lines }</div> }
}
