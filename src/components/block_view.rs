//! A block of scrollback lines. Blocks that did not change are not redrawn.

use std::rc::Rc;

use yew::prelude::*;

use crate::console::scrollback::{Line, LineKind};

#[derive(Properties)]
pub struct BlockProps {
    pub lines: Rc<Vec<Line>>,
}

impl PartialEq for BlockProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lines, &other.lines)
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
/// painting the blocks that are scrolled out of view.
#[function_component(BlockView)]
pub fn block_view(props: &BlockProps) -> Html {
    html! {
        <div class="block">
            { for props.lines.iter().map(|line| html! {
                <div class={class_of(line.kind)}>{ line.text.clone() }</div>
            }) }
        </div>
    }
}
