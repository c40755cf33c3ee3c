//! The bar above the terminal: font size, theme, copy, and the panels.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::app::{AppAction, AppState, Panel, Theme};

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub state: AppState,
    pub dispatch: Callback<AppAction>,
}

#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let copied = use_state(|| false);
    let send = |action: fn() -> AppAction| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(action()))
    };
    let on_theme = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                dispatch.emit(AppAction::SetTheme(Theme::from_id(&select.value())));
            }
        })
    };
    let copy = {
        let state = props.state.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let text = state.terminal.borrow().scrollback.to_text();
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
        })
    };
    let panel = props.state.panel;
    html! {
        <header class="bar">
            <h1>{ "SMTP Lab" }</h1>
            <nav class="tools" aria-label="Display and panels">
                <button onclick={send(|| AppAction::FontSmaller)} aria-label="Smaller text" title="Smaller text">{ "A−" }</button>
                <span class="font-size" aria-live="polite">{ format!("{}px", props.state.font_size()) }</span>
                <button onclick={send(|| AppAction::FontLarger)} aria-label="Larger text" title="Larger text">{ "A+" }</button>
                <select aria-label="Theme" onchange={on_theme}>
                    { for Theme::ALL.iter().map(|t| html! {
                        <option value={t.id()} selected={*t == props.state.theme}>{ t.label() }</option>
                    }) }
                </select>
                <button onclick={copy}>{ if *copied { "Copied" } else { "Copy transcript" } }</button>
                <button aria-pressed={props.state.explain.to_string()} onclick={send(|| AppAction::ToggleExplain)}>{ "Explain" }</button>
                <button aria-pressed={(panel == Panel::Lessons).to_string()} onclick={send(|| AppAction::Show(Panel::Lessons))}>{ "Lessons" }</button>
                <button aria-pressed={(panel == Panel::Mail).to_string()} onclick={send(|| AppAction::Show(Panel::Mail))}>{ "Mailboxes" }</button>
                <button aria-pressed={(panel == Panel::Share).to_string()} onclick={send(|| AppAction::Show(Panel::Share))}>{ "Share" }</button>
                <button aria-pressed={(panel == Panel::Settings).to_string()} onclick={send(|| AppAction::Show(Panel::Settings))}>{ "Settings" }</button>
            </nav>
        </header>
    }
}
