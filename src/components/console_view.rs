//! The terminal on screen: scrollback, then the prompt and the line being
//! typed with its cursor. Keys reach a hidden text area that holds focus
//! (so phone keyboards work too).

use web_sys::Element;
use yew::prelude::*;

use crate::app::{AppAction, AppState};
use crate::components::block_view::BlockView;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub state: AppState,
    pub dispatch: Callback<AppAction>,
}

/// The `data-line` of the line an event happened on, as (block, index).
fn line_of(event: &Event) -> Option<(u64, usize)> {
    let target: Element = event.target_dyn_into::<Element>()?;
    let line = target.closest(".explainable").ok()??;
    let reference = line.get_attribute("data-line")?;
    let (block, index) = reference.split_once(':')?;
    Some((block.parse().ok()?, index.parse().ok()?))
}

#[function_component(ConsoleView)]
pub fn console_view(props: &ConsoleProps) -> Html {
    let terminal = props.state.terminal.borrow();
    let input: Vec<char> = terminal.input().chars().collect();
    let cursor = terminal.cursor().min(input.len());
    let before: String = input[..cursor].iter().collect();
    let at: String = input
        .get(cursor)
        .map(|c| c.to_string())
        .unwrap_or_else(|| " ".to_string());
    let after: String = input
        .get(cursor + 1..)
        .map(|rest| rest.iter().collect())
        .unwrap_or_default();
    let waiting = terminal.is_waiting();
    let explain = props.state.explain;
    let onclick = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(line) = line_of(&event) {
                event.stop_propagation();
                dispatch.emit(AppAction::Explain(line));
            }
        })
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" || event.key() == " " {
                if let Some(line) = line_of(&event) {
                    event.prevent_default();
                    event.stop_propagation();
                    dispatch.emit(AppAction::Explain(line));
                }
            }
        })
    };
    html! {
        <>
            <div class={classes!("scrollback", explain.then_some("explaining"))} role="log" aria-live="polite" aria-label="Terminal output" {onclick} {onkeydown}>
                { for terminal.scrollback.blocks().map(|block| html! {
                    <BlockView key={block.id} id={block.id} lines={block.lines.clone()} {explain} />
                }) }
            </div>
            <div class={classes!("input-line", waiting.then_some("waiting"))} aria-hidden="true">
                <span class="prompt">{ terminal.prompt() }</span>
                <span>{ before }</span>
                <span class="cursor">{ at }</span>
                <span>{ after }</span>
            </div>
        </>
    }
}
