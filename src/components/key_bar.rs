//! Keys a phone keyboard lacks: Ctrl (held for the next letter), Esc, Tab,
//! Up, Down and the telnet escape ^].

use yew::prelude::*;

use crate::terminal::Key;

#[derive(Properties, Clone, PartialEq)]
pub struct KeyBarProps {
    pub ctrl_held: bool,
    pub on_key: Callback<Key>,
    pub on_ctrl: Callback<()>,
}

/// Pressing a key button must not take the focus from the terminal.
fn keep_focus(event: MouseEvent) {
    event.prevent_default();
}

#[function_component(KeyBar)]
pub fn key_bar(props: &KeyBarProps) -> Html {
    let keys = [
        ("Esc", "Escape", Key::Escape),
        ("Tab", "Tab", Key::Tab),
        ("↑", "Up", Key::Up),
        ("↓", "Down", Key::Down),
        ("^]", "Telnet escape", Key::Ctrl(']')),
        ("⏎", "Enter", Key::Enter),
    ];
    let buttons = keys.into_iter().map(|(label, name, key)| {
        let on_key = props.on_key.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_key.emit(key.clone()));
        html! { <button aria-label={name} onmousedown={keep_focus} {onclick}>{ label }</button> }
    });
    let on_ctrl = props.on_ctrl.clone();
    html! {
        <div class="key-bar" role="toolbar" aria-label="Special keys">
            <button aria-label="Control" aria-pressed={props.ctrl_held.to_string()}
                onmousedown={keep_focus} onclick={move |_| on_ctrl.emit(())}>{ "Ctrl" }</button>
            { for buttons }
        </div>
    }
}
