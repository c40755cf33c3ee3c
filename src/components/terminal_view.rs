//! The terminal on screen: scrollback, then the prompt and the line being
//! typed. Keys reach a hidden text area that holds the focus (so phone
//! keyboards work too); plain characters and pastes arrive through its
//! `input` event, editing keys through `keydown`.

use yew::prelude::*;

use super::input_line::InputLine;
use super::scrollback::Scrollback;
use super::ByAddress;
use crate::app::state::LineRef;
use crate::browser;
use crate::terminal::{scrollback, Key};

#[derive(Properties, Clone, PartialEq)]
pub struct TerminalViewProps {
    pub font_size: u32,
    pub blocks: ByAddress<Vec<scrollback::Block>>,
    pub explain: bool,
    pub prompt: &'static str,
    pub input: String,
    pub cursor: usize,
    pub waiting: bool,
    /// Changes whenever the terminal shows something new: the view then
    /// follows the output to the end, as a terminal does.
    pub version: u64,
    pub on_key: Callback<Key>,
    pub on_text: Callback<String>,
    pub on_explain: Callback<LineRef>,
}

/// Maps a DOM key event to a terminal key; `None` leaves it to the browser
/// (plain characters arrive through the `input` event instead).
fn key_of(event: &KeyboardEvent) -> Option<Key> {
    let key = event.key();
    if event.ctrl_key() && !event.alt_key() && !event.meta_key() {
        let lower = key.to_ascii_lowercase();
        let mut chars = lower.chars();
        return match (chars.next(), chars.next()) {
            // Ctrl+C with a selection copies, as on any page.
            (Some('c'), None) if browser::has_selection() => None,
            (Some('v'), None) => None,
            (Some(c), None) if c.is_ascii_alphabetic() || c == ']' => Some(Key::Ctrl(c)),
            _ if event.code() == "BracketRight" => Some(Key::Ctrl(']')),
            _ => None,
        };
    }
    // Shift+Tab leaves the terminal, so the page works from the keyboard.
    if event.alt_key() || event.meta_key() || (key == "Tab" && event.shift_key()) {
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
        "Escape" => Key::Escape,
        _ => return None,
    })
}

#[function_component(TerminalView)]
pub fn terminal_view(props: &TerminalViewProps) -> Html {
    let onkeydown = {
        let on_key = props.on_key.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.is_composing() {
                return;
            }
            if let Some(key) = key_of(&event) {
                event.prevent_default();
                on_key.emit(key);
            }
        })
    };
    let oninput = {
        let on_text = props.on_text.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            let text = area.value();
            area.set_value("");
            if !text.is_empty() {
                on_text.emit(text);
            }
        })
    };
    let screen = use_node_ref();
    {
        let screen = screen.clone();
        use_effect_with(props.version, move |_| {
            if let Some(element) = screen.cast::<web_sys::Element>() {
                browser::scroll_to_end(&element);
            }
        });
    }
    let onclick = Callback::from(|_: MouseEvent| {
        if !browser::has_selection() {
            browser::focus(".keyboard");
        }
    });
    html! {
        <section ~className={format!("terminal fs-{}", props.font_size)} aria-label="Terminal" {onclick}
            ref={screen}>
            <Scrollback blocks={props.blocks.clone()}
                explain={props.explain} on_explain={props.on_explain.clone()} />
            <InputLine prompt={props.prompt} input={props.input.clone()} cursor={props.cursor}
                waiting={props.waiting} />
            <textarea class="keyboard" aria-label="Terminal input: type commands here"
                autocapitalize="off" autocomplete="off" spellcheck="false" rows="1"
                {onkeydown} {oninput} />
        </section>
    }
}
