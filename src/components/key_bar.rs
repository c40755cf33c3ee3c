//! Keys a phone keyboard lacks: Ctrl (held for the next letter), Esc, Tab,
//! Up, Down and the telnet escape ^].

use crate::app::AppAction;
use crate::browser::focus_terminal;
use crate::components::app_view::dispatch;
use crate::console::Key;
use crate::view::{el, Element, Node};

/// A button that does not take the focus from the terminal's keyboard.
fn key_button(label: &'static str, name: &'static str) -> Element {
    el("button")
        .attr("aria-label", name)
        .on("mousedown", |event| event.prevent_default())
        .text(label)
}

pub fn view(ctrl_held: bool) -> Node {
    let key = |label, name, key: Key| {
        key_button(label, name)
            .on("click", move |_| dispatch(AppAction::Press(key.clone())))
            .into()
    };
    el("div")
        .class("key-bar")
        .attr("role", "toolbar")
        .attr("aria-label", "Special keys")
        .child(
            key_button("Ctrl", "Control")
                .attr("aria-pressed", if ctrl_held { "true" } else { "false" })
                .on("click", |_| {
                    dispatch(AppAction::ToggleCtrl);
                    focus_terminal();
                }),
        )
        .children([
            key("Esc", "Escape", Key::Ctrl('[')),
            key("Tab", "Tab", Key::Tab),
            key("↑", "Up", Key::Up),
            key("↓", "Down", Key::Down),
            key("^]", "Telnet escape", Key::Ctrl(']')),
            key("⏎", "Enter", Key::Enter),
        ])
        .into()
}
