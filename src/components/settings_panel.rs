//! The world settings: server name, personality, users, aliases, local
//! domains, the client, and timing. Changes apply to the next connection;
//! a value that is not valid gets a message beside its field (the form's
//! rules are in `app/settings.rs`).

use yew::prelude::*;

use crate::app::settings::{personalities, Field};
use crate::app::state::{Action, SettingsState};
use crate::browser;

#[derive(Properties, Clone, PartialEq)]
pub struct SettingsPanelProps {
    pub settings: SettingsState,
    pub on_action: Callback<Action>,
}

/// The text fields: field, label, rows (0 for one line), element id.
const TEXT_FIELDS: [(Field, &str, u32, &str); 6] = [
    (Field::Hostname, "Server host name", 0, "setting-hostname"),
    (Field::LocalDomains, "Local domains", 0, "setting-domains"),
    (
        Field::Users,
        "Users (name: full name, one per line)",
        4,
        "setting-users",
    ),
    (
        Field::Aliases,
        "Aliases (alias: member, member)",
        3,
        "setting-aliases",
    ),
    (Field::ClientName, "Client name", 0, "setting-client-name"),
    (
        Field::ClientAddress,
        "Client address",
        0,
        "setting-client-address",
    ),
];

fn error_for(settings: &SettingsState, field: Field, with_id: bool) -> Html {
    match settings.errors.iter().find(|(f, _)| *f == field) {
        Some((_, message)) => {
            let id = with_id.then(|| format!("error-{}", field.name()));
            html! { <p class="field-error" {id} role="alert">{ message }</p> }
        }
        None => Html::default(),
    }
}

#[function_component(SettingsPanel)]
pub fn settings_panel(props: &SettingsPanelProps) -> Html {
    let settings = &props.settings;
    let form = &settings.form;
    let edit = |field: Field| {
        let on_action = props.on_action.clone();
        Callback::from(move |event: InputEvent| {
            let value = event
                .target()
                .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            on_action.emit(Action::EditSetting(field, value));
        })
    };
    let text_field = |(field, label, rows, id): (Field, &'static str, u32, &'static str)| {
        let invalid = settings.errors.iter().any(|(f, _)| *f == field);
        let value = form.get(field).to_string();
        let control = if rows == 0 {
            html! { <input {id} {value} aria-invalid={invalid.to_string()} oninput={edit(field)} /> }
        } else {
            html! { <textarea {id} rows={rows.to_string()} {value} aria-invalid={invalid.to_string()} oninput={edit(field)} /> }
        };
        html! { <><label>{ label }{ control }</label>{ error_for(settings, field, true) }</> }
    };
    let on_personality = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_action.emit(Action::EditSetting(Field::Personality, select.value()));
        })
    };
    let on_timing = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_action.emit(Action::EditSetting(
                Field::Timing,
                input.checked().to_string(),
            ));
        })
    };
    let on_submit = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_action.emit(Action::ApplySettings);
        })
    };
    let on_defaults = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::SettingsDefaults))
    };
    let on_clear = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::StartOver(browser::now())))
    };
    let personalities = personalities().map(|(id, label)| {
        html! { <option value={id} selected={id == form.personality}>{ label }</option> }
    });
    let [hostname, rest @ ..] = TEXT_FIELDS;
    html! {
        <aside class="panel settings-panel" aria-label="World settings">
            <h2>{ "World settings" }</h2>
            <p class="hint">{ "Changes apply to the next connection. Delivered mail is kept." }</p>
            <form onsubmit={on_submit}>
                { text_field(hostname) }
                <label>{ "Personality" }
                    <select id="setting-personality" onchange={on_personality}>{ for personalities }</select>
                </label>
                { error_for(settings, Field::Personality, false) }
                { for rest.into_iter().map(text_field) }
                <label class="check">
                    <input id="setting-timing" type="checkbox" checked={form.timing} onchange={on_timing} />
                    { "Real server timing (greeting pause, slow-downs)" }
                </label>
                <div class="buttons">
                    <button type="submit" class="primary">{ "Apply" }</button>
                    <button type="button" onclick={on_defaults}>{ "Tutorial defaults" }</button>
                    <button type="button" onclick={on_clear}>{ "Clear saved data" }</button>
                </div>
                if settings.saved {
                    <p class="saved" role="status">{ "Saved. Connect again to use them." }</p>
                }
            </form>
        </aside>
    }
}
