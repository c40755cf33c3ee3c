//! Keys a phone keyboard lacks: Ctrl (held for the next letter), Esc, Tab,
//! Up, Down and the telnet escape ^].

use yew::prelude::*;

use crate::app::AppAction;
use crate::console::Key;

#[derive(Properties, PartialEq)]
pub struct KeyBarProps {
    pub dispatch: Callback<AppAction>,
    pub ctrl_held: bool,
    pub on_ctrl: Callback<()>,
}

#[function_component(KeyBar)]
pub fn key_bar(props: &KeyBarProps) -> Html {
    // Buttons must not take the focus from the terminal's keyboard.
    let keep_focus = Callback::from(|event: MouseEvent| event.prevent_default());
    let key = |label: &'static str, name: &'static str, key: Key| {
        let dispatch = props.dispatch.clone();
        let onclick =
            Callback::from(move |_: MouseEvent| dispatch.emit(AppAction::Press(key.clone())));
        html! { <button aria-label={name} onmousedown={keep_focus.clone()} {onclick}>{ label }</button> }
    };
    let on_ctrl = {
        let on_ctrl = props.on_ctrl.clone();
        Callback::from(move |_: MouseEvent| on_ctrl.emit(()))
    };
    html! {
        <div class="key-bar" role="toolbar" aria-label="Special keys">
            <button aria-label="Control" aria-pressed={props.ctrl_held.to_string()} onmousedown={keep_focus.clone()} onclick={on_ctrl}>{ "Ctrl" }</button>
            { key("Esc", "Escape", Key::Ctrl('[')) }
            { key("Tab", "Tab", Key::Tab) }
            { key("↑", "Up", Key::Up) }
            { key("↓", "Down", Key::Down) }
            { key("^]", "Telnet escape", Key::Ctrl(']')) }
            { key("⏎", "Enter", Key::Enter) }
        </div>
    }
}
