//! A block of scrollback lines. Blocks that did not change are not redrawn.

use std::rc::Rc;

use yew::prelude::*;

use crate::console::scrollback::{Line, LineKind};

#[derive(Properties)]
pub struct BlockProps {
    pub id: u64,
    pub lines: Rc<Vec<Line>>,
    /// Explain mode: replies and commands can be focused and opened.
    pub explain: bool,
}

impl PartialEq for BlockProps {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && Rc::ptr_eq(&self.lines, &other.lines)
            && self.explain == other.explain
    }
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

/// Each block is its own box, so the browser can skip laying out and
/// painting the blocks that are scrolled out of view. Clicks are handled
/// once, on the scrollback, which finds the line by `data-line`.
#[function_component(BlockView)]
pub fn block_view(props: &BlockProps) -> Html {
    html! {
        <div class="block">
            { for props.lines.iter().enumerate().map(|(index, line)| {
                let explainable = props.explain && matches!(line.kind, LineKind::Server | LineKind::Client);
                if explainable {
                    html! {
                        <div class={classes!(class_of(line.kind), "explainable")} tabindex="0" role="button"
                            data-line={format!("{}:{index}", props.id)}
                            aria-label={format!("Explain: {}", line.text)}>{ line.text.clone() }</div>
                    }
                } else {
                    html! { <div class={class_of(line.kind)}>{ line.text.clone() }</div> }
                }
            }) }
        </div>
    }
}
