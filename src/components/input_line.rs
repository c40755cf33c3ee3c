//! The prompt and the line being typed, with its cursor.

use yew::prelude::*;

#[derive(Properties, Clone, PartialEq)]
pub struct InputLineProps {
    pub prompt: &'static str,
    pub input: String,
    /// The cursor, in characters.
    pub cursor: usize,
    /// The server is pausing.
    pub waiting: bool,
}

#[function_component(InputLine)]
pub fn input_line(props: &InputLineProps) -> Html {
    let chars: Vec<char> = props.input.chars().collect();
    let cursor = props.cursor.min(chars.len());
    let before: String = chars[..cursor].iter().collect();
    let at: String = chars.get(cursor).map_or(" ".to_string(), char::to_string);
    let after: String = chars.get(cursor + 1..).unwrap_or_default().iter().collect();
    html! {
        <div ~className={if props.waiting { "input-line waiting" } else { "input-line" }} aria-hidden="true">
            <span class="prompt">{ props.prompt }</span>
            <span>{ before }</span>
            <span class="cursor">{ at }</span>
            <span>{ after }</span>
        </div>
    }
}
