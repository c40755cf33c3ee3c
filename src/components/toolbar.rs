//! The bar above the terminal: font size, theme, copy, explain mode and
//! the panels.

use yew::prelude::*;

use crate::app::preferences::{Preferences, Theme};
use crate::app::state::{Action, Panel};

#[derive(Properties, Clone, PartialEq)]
pub struct ToolbarProps {
    pub preferences: Preferences,
    pub panel: Panel,
    pub explain: bool,
    pub copied: bool,
    pub on_action: Callback<Action>,
    /// "Copy transcript" was pressed.
    pub on_copy: Callback<()>,
}

#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let send = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let on_theme = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_action.emit(Action::SetTheme(Theme::from_id(&select.value())));
        })
    };
    let themes = Theme::ALL.iter().map(|theme| {
        html! {
            <option value={theme.id()} selected={*theme == props.preferences.theme}>{ theme.label() }</option>
        }
    });
    let panels = [
        ("Lessons", Panel::Lessons),
        ("Mailboxes", Panel::Mail),
        ("Share", Panel::Share),
        ("Settings", Panel::Settings),
    ]
    .into_iter()
    .map(|(label, panel)| {
        html! {
            <button aria-pressed={(props.panel == panel).to_string()} onclick={send(Action::Show(panel))}>
                { label }
            </button>
        }
    });
    let on_copy = props.on_copy.clone();
    html! {
        <header class="bar">
            <h1>{ "SMTP Lab" }</h1>
            <nav class="tools" aria-label="Display and panels">
                <button onclick={send(Action::FontSmaller)} aria-label="Smaller text" title="Smaller text">{ "A−" }</button>
                <span class="font-size" aria-live="polite">{ format!("{}px", props.preferences.font_size()) }</span>
                <button onclick={send(Action::FontLarger)} aria-label="Larger text" title="Larger text">{ "A+" }</button>
                <select aria-label="Theme" onchange={on_theme}>{ for themes }</select>
                <button onclick={move |_| on_copy.emit(())}>
                    { if props.copied { "Copied" } else { "Copy transcript" } }
                </button>
                <button aria-pressed={props.explain.to_string()} onclick={send(Action::ToggleExplain)}>{ "Explain" }</button>
                { for panels }
            </nav>
        </header>
    }
}
