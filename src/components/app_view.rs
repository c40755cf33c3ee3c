//! The page: the terminal, wired to the keyboard and to pause timers.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::{AppAction, AppState};
use crate::components::console_view::ConsoleView;
use crate::console::Key;

/// Maps a DOM key event to a terminal key; `None` leaves it to the browser
/// (plain characters arrive through the `input` event instead).
fn key_of(event: &KeyboardEvent) -> Option<Key> {
    let key = event.key();
    if event.ctrl_key() && !event.alt_key() && !event.meta_key() {
        let lower = key.to_ascii_lowercase();
        let mut chars = lower.chars();
        return match (chars.next(), chars.next()) {
            // Ctrl+C with a selection copies, as on any page.
            (Some('c'), None) if has_selection() => None,
            (Some('v'), None) => None,
            (Some(c), None) if c.is_ascii_alphabetic() || c == ']' => Some(Key::Ctrl(c)),
            _ if event.code() == "BracketRight" => Some(Key::Ctrl(']')),
            _ => None,
        };
    }
    if event.alt_key() || event.meta_key() {
        return None;
    }
    Some(match key.as_str() {
        "Enter" => Key::Enter,
        "Backspace" => Key::Backspace,
        "Delete" => Key::Delete,
        "ArrowLeft" => Key::Left,
        "ArrowRight" => Key::Right,
        "ArrowUp" => Key::Up,
        "ArrowDown" => Key::Down,
        "Home" => Key::Home,
        "End" => Key::End,
        "Tab" => Key::Tab,
        _ => return None,
    })
}

fn has_selection() -> bool {
    web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .map(|s| !s.is_collapsed())
        .unwrap_or(false)
}

#[function_component(AppView)]
pub fn app_view() -> Html {
    let state = use_reducer(AppState::new);
    let keyboard = use_node_ref();
    let screen = use_node_ref();

    // A server pause: wait, then resume.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.wait, move |wait| {
            if let Some((_, millis)) = *wait {
                let callback =
                    Closure::once_into_js(move || dispatcher.dispatch(AppAction::Resume));
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                        callback.unchecked_ref(),
                        millis.min(i32::MAX as u64) as i32,
                    );
                }
            }
        });
    }

    // Follow the output, as a terminal does.
    {
        let screen = screen.clone();
        use_effect_with(state.version, move |_| {
            if let Some(element) = screen.cast::<HtmlElement>() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }

    // Focus the keyboard at start.
    {
        let keyboard = keyboard.clone();
        use_effect_with((), move |_| {
            if let Some(element) = keyboard.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        });
    }

    let onkeydown = {
        let dispatcher = state.dispatcher();
        Callback::from(move |event: KeyboardEvent| {
            if event.is_composing() {
                return;
            }
            if let Some(key) = key_of(&event) {
                event.prevent_default();
                dispatcher.dispatch(AppAction::Press(key));
            }
        })
    };
    let oninput = {
        let dispatcher = state.dispatcher();
        let keyboard = keyboard.clone();
        Callback::from(move |_: InputEvent| {
            if let Some(area) = keyboard.cast::<HtmlTextAreaElement>() {
                let text = area.value();
                area.set_value("");
                if !text.is_empty() {
                    dispatcher.dispatch(AppAction::Type(text));
                }
            }
        })
    };
    let onclick = {
        let keyboard = keyboard.clone();
        Callback::from(move |_: MouseEvent| {
            if has_selection() {
                return;
            }
            if let Some(element) = keyboard.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        })
    };

    html! {
        <main class="app">
            <header class="bar">
                <h1>{ "SMTP Lab" }</h1>
                <span class="hint">{ "Try: telnet mail.example.com smtp" }</span>
            </header>
            <section class="terminal" ref={screen} {onclick}>
                <ConsoleView state={(*state).clone()} />
                <textarea
                    ref={keyboard}
                    class="keyboard"
                    aria-label="Terminal input"
                    autocapitalize="off"
                    autocomplete="off"
                    spellcheck="false"
                    rows="1"
                    {onkeydown}
                    {oninput}
                />
            </section>
        </main>
    }
}
