//! The terminal's output: its blocks in keyed groups, so that a new line
//! renders only the last block of the last group and a keystroke renders
//! none. In explain mode a click (or Enter) on a reply or command asks for
//! its explanation.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::block_group::{BlockGroup, GROUP_SIZE};
use super::ByAddress;
use crate::app::state::LineRef;
use crate::terminal::scrollback;

#[derive(Properties, Clone, PartialEq)]
pub struct ScrollbackProps {
    /// The blocks, listed again only when the scrollback changed.
    pub blocks: ByAddress<Vec<scrollback::Block>>,
    pub explain: bool,
    pub on_explain: Callback<LineRef>,
}

/// The `data-line` of the line an event happened on, as (block, index).
fn line_of(event: &Event) -> Option<LineRef> {
    let target: web_sys::Element = event.target()?.dyn_into().ok()?;
    let line = target.closest(".explainable").ok()??;
    let reference = line.get_attribute("data-line")?;
    let (block, index) = reference.split_once(':')?;
    Some((block.parse().ok()?, index.parse().ok()?))
}

#[function_component(Scrollback)]
pub fn scrollback(props: &ScrollbackProps) -> Html {
    let onclick = {
        let on_explain = props.on_explain.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(line) = line_of(&event) {
                event.stop_propagation();
                on_explain.emit(line);
            }
        })
    };
    let onkeydown = {
        let on_explain = props.on_explain.clone();
        Callback::from(move |event: KeyboardEvent| {
            let key = event.key();
            if key == "Enter" || key == " " {
                if let Some(line) = line_of(&event) {
                    event.prevent_default();
                    event.stop_propagation();
                    on_explain.emit(line);
                }
            }
        })
    };
    // Blocks are numbered from the start of the session, so a block stays
    // in its group as the oldest blocks go.
    let groups = props
        .blocks
        .chunk_by(|a, b| a.id / GROUP_SIZE == b.id / GROUP_SIZE);
    let groups = groups.map(|blocks| {
        let key = blocks.first().map_or(0, |b| b.id / GROUP_SIZE);
        html! { <BlockGroup {key} blocks={blocks.to_vec()} explain={props.explain} /> }
    });
    html! {
        <div ~className={if props.explain { "scrollback explaining" } else { "scrollback" }} role="log"
            aria-live="polite" aria-label="Terminal output" {onclick} {onkeydown}>
            { for groups }
        </div>
    }
}
