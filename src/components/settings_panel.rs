//! The world settings: server name, personality, users, aliases, local
//! domains, the client, and timing. Changes apply to the next connection;
//! a value that is not valid gets a message beside its field.

use smtplab_engine::personality::ALL;
use smtplab_engine::world::{Alias, User};
use smtplab_engine::{Personality, World};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::{AppAction, AppState};

#[derive(Properties, PartialEq)]
pub struct SettingsPanelProps {
    pub state: AppState,
    pub dispatch: Callback<AppAction>,
}

#[derive(Clone, PartialEq, Default)]
struct Form {
    hostname: String,
    personality: String,
    local_domains: String,
    users: String,
    aliases: String,
    client_name: String,
    client_address: String,
    timing: bool,
}

impl Form {
    fn from_world(world: &World, personality: &Personality, timing: bool) -> Form {
        Form {
            hostname: world.hostname.clone(),
            personality: personality.id.to_string(),
            local_domains: world.local_domains.join(", "),
            users: world
                .users
                .iter()
                .filter(|u| !u.system)
                .map(|u| format!("{}: {}", u.name, u.full_name))
                .collect::<Vec<_>>()
                .join("\n"),
            aliases: world
                .aliases
                .iter()
                .map(|a| format!("{}: {}", a.name, a.members.join(", ")))
                .collect::<Vec<_>>()
                .join("\n"),
            client_name: world.client.name.clone(),
            client_address: world.client.address.clone(),
            timing,
        }
    }

    /// The world these fields describe, or (field, message) errors.
    fn to_world(
        &self,
        base: &World,
    ) -> Result<(World, &'static Personality), Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut world = base.clone();
        world.hostname = self.hostname.trim().to_string();
        world.local_domains = split_list(&self.local_domains);
        let mut users: Vec<User> = base.users.iter().filter(|u| u.system).cloned().collect();
        for line in self.users.lines().filter(|l| !l.trim().is_empty()) {
            let (name, full_name) = line.split_once(':').unwrap_or((line, ""));
            users.insert(
                users.iter().filter(|u| !u.system).count(),
                User {
                    name: name.trim().to_string(),
                    full_name: full_name.trim().to_string(),
                    system: false,
                },
            );
        }
        world.users = users;
        world.aliases = Vec::new();
        for line in self.aliases.lines().filter(|l| !l.trim().is_empty()) {
            match line.split_once(':') {
                Some((name, members)) => world.aliases.push(Alias {
                    name: name.trim().to_string(),
                    members: split_list(members),
                }),
                None => errors.push((
                    "aliases",
                    format!("\"{line}\" needs the form alias: member, member"),
                )),
            }
        }
        world.client.name = self.client_name.trim().to_string();
        world.client.address = self.client_address.trim().to_string();
        if let Some(host) = world
            .hosts
            .iter_mut()
            .find(|h| h.address == world.client.address)
        {
            host.name = world.client.name.clone();
        }
        if let Err(message) = world.validate() {
            let field = message.split(':').next().unwrap_or("");
            let field = match field {
                "hostname" => "hostname",
                "local_domains" => "local_domains",
                "users.name" => "users",
                "aliases" | "aliases.name" => "aliases",
                "client.name" => "client_name",
                "client.address" => "client_address",
                _ => "hostname",
            };
            errors.push((field, message));
        }
        let personality = Personality::by_id(&self.personality);
        if personality.is_none() {
            errors.push(("personality", "choose a personality".to_string()));
        }
        match (errors.is_empty(), personality) {
            (true, Some(personality)) => Ok((world, personality)),
            _ => Err(errors),
        }
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[function_component(SettingsPanel)]
pub fn settings_panel(props: &SettingsPanelProps) -> Html {
    let (world, personality, timing) = {
        let terminal = props.state.terminal.borrow();
        (
            terminal.world().clone(),
            terminal.personality(),
            terminal.timing,
        )
    };
    let form = {
        let world = world.clone();
        use_state(move || Form::from_world(&world, personality, timing))
    };
    let errors = use_state(Vec::<(&'static str, String)>::new);
    let saved = use_state(|| false);

    let edit = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        let saved = saved.clone();
        Callback::from(move |event: Event| {
            let value = event
                .target_dyn_into::<HtmlInputElement>()
                .map(|e| {
                    if e.type_() == "checkbox" {
                        e.checked().to_string()
                    } else {
                        e.value()
                    }
                })
                .or_else(|| {
                    event
                        .target_dyn_into::<HtmlTextAreaElement>()
                        .map(|e| e.value())
                })
                .or_else(|| {
                    event
                        .target_dyn_into::<HtmlSelectElement>()
                        .map(|e| e.value())
                })
                .unwrap_or_default();
            let mut next = (*form).clone();
            apply(&mut next, value);
            form.set(next);
            saved.set(false);
        })
    };
    let onsubmit = {
        let form = form.clone();
        let errors = errors.clone();
        let saved = saved.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            match form.to_world(&world) {
                Ok((world, personality)) => {
                    errors.set(Vec::new());
                    saved.set(true);
                    dispatch.emit(AppAction::Configure {
                        world,
                        personality,
                        timing: form.timing,
                    });
                }
                Err(found) => {
                    errors.set(found);
                    saved.set(false);
                }
            }
        })
    };
    let restore_defaults = {
        let form = form.clone();
        Callback::from(move |_| {
            let timing = form.timing;
            form.set(Form::from_world(
                &World::tutorial(),
                &smtplab_engine::personality::SENDMAIL_8_13_8,
                timing,
            ));
        })
    };
    let start_over = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| dispatch.emit(AppAction::StartOver))
    };
    let error_for = |field: &str| -> Html {
        match errors.iter().find(|(f, _)| *f == field) {
            Some((_, message)) => {
                html! { <p class="field-error" id={format!("error-{field}")} role="alert">{ message.clone() }</p> }
            }
            None => html! {},
        }
    };
    let invalid = |field: &str| errors.iter().any(|(f, _)| *f == field).to_string();
    html! {
        <aside class="panel settings-panel" aria-label="World settings">
            <h2>{ "World settings" }</h2>
            <p class="hint">{ "Changes apply to the next connection. Delivered mail is kept." }</p>
            <form {onsubmit}>
                <label>{ "Server host name" }
                    <input id="setting-hostname" value={form.hostname.clone()} aria-invalid={invalid("hostname")} oninput={edit(|f, v| f.hostname = v).reform(Event::from)} />
                </label>
                { error_for("hostname") }
                <label>{ "Personality" }
                    <select id="setting-personality" onchange={edit(|f, v| f.personality = v)}>
                        { for ALL.iter().map(|p| html! {
                            <option value={p.id} selected={p.id == form.personality}>{ p.label }</option>
                        }) }
                    </select>
                </label>
                { error_for("personality") }
                <label>{ "Local domains" }
                    <input id="setting-domains" value={form.local_domains.clone()} aria-invalid={invalid("local_domains")} oninput={edit(|f, v| f.local_domains = v).reform(Event::from)} />
                </label>
                { error_for("local_domains") }
                <label>{ "Users (name: full name, one per line)" }
                    <textarea id="setting-users" rows="4" value={form.users.clone()} aria-invalid={invalid("users")} oninput={edit(|f, v| f.users = v).reform(Event::from)} />
                </label>
                { error_for("users") }
                <label>{ "Aliases (alias: member, member)" }
                    <textarea id="setting-aliases" rows="3" value={form.aliases.clone()} aria-invalid={invalid("aliases")} oninput={edit(|f, v| f.aliases = v).reform(Event::from)} />
                </label>
                { error_for("aliases") }
                <label>{ "Client name" }
                    <input id="setting-client-name" value={form.client_name.clone()} aria-invalid={invalid("client_name")} oninput={edit(|f, v| f.client_name = v).reform(Event::from)} />
                </label>
                { error_for("client_name") }
                <label>{ "Client address" }
                    <input id="setting-client-address" value={form.client_address.clone()} aria-invalid={invalid("client_address")} oninput={edit(|f, v| f.client_address = v).reform(Event::from)} />
                </label>
                { error_for("client_address") }
                <label class="check">
                    <input id="setting-timing" type="checkbox" checked={form.timing} onchange={edit(|f, v| f.timing = v == "true")} />
                    { "Real server timing (greeting pause, slow-downs)" }
                </label>
                <div class="buttons">
                    <button type="submit" class="primary">{ "Apply" }</button>
                    <button type="button" onclick={restore_defaults}>{ "Tutorial defaults" }</button>
                    <button type="button" onclick={start_over}>{ "Clear saved data" }</button>
                </div>
                if *saved { <p class="saved" role="status">{ "Saved. Connect again to use them." }</p> }
            </form>
        </aside>
    }
}
