//! The terminal on screen: scrollback, then the prompt and the line being
//! typed with its cursor. Keys reach a hidden text area that holds focus
//! (so phone keyboards work too).

use yew::prelude::*;

use crate::app::AppState;
use crate::components::block_view::BlockView;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub state: AppState,
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
    html! {
        <>
            <div class="scrollback" role="log" aria-live="polite" aria-label="Terminal output">
                { for terminal.scrollback.blocks().map(|block| html! {
                    <BlockView key={block.id} lines={block.lines.clone()} />
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
