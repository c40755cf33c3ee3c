//! The world settings: server name, personality, users, aliases, local
//! domains, the client, and timing. Changes apply to the next connection;
//! a value that is not valid gets a message beside its field.

use smtplab_engine::personality::ALL;
use smtplab_engine::world::{Alias, User};
use smtplab_engine::{Personality, World};

use crate::app::{AppAction, AppState};
use crate::components::app_view::{dispatch, send, target_value};
use crate::view::{el, Element, Node};

/// The form's fields, as typed.
#[derive(Clone, PartialEq, Default)]
pub struct Form {
    pub hostname: String,
    pub personality: String,
    pub local_domains: String,
    pub users: String,
    pub aliases: String,
    pub client_name: String,
    pub client_address: String,
    pub timing: bool,
}

impl Form {
    pub fn from_world(world: &World, personality: &Personality, timing: bool) -> Form {
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
    pub fn to_world(
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

/// A text field of the form: its label, its rows (0 for one line), its
/// element id, the name its errors are filed under, and how to read and
/// set its value.
struct TextField {
    label: &'static str,
    rows: &'static str,
    id: &'static str,
    name: &'static str,
    get: fn(&Form) -> &str,
    set: fn(&mut Form, String),
}

const HOSTNAME: TextField = TextField {
    label: "Server host name",
    rows: "0",
    id: "setting-hostname",
    name: "hostname",
    get: |f| &f.hostname,
    set: |f, v| f.hostname = v,
};

/// The fields after the personality, in order.
const MORE_FIELDS: [TextField; 5] = [
    TextField {
        label: "Local domains",
        rows: "0",
        id: "setting-domains",
        name: "local_domains",
        get: |f| &f.local_domains,
        set: |f, v| f.local_domains = v,
    },
    TextField {
        label: "Users (name: full name, one per line)",
        rows: "4",
        id: "setting-users",
        name: "users",
        get: |f| &f.users,
        set: |f, v| f.users = v,
    },
    TextField {
        label: "Aliases (alias: member, member)",
        rows: "3",
        id: "setting-aliases",
        name: "aliases",
        get: |f| &f.aliases,
        set: |f, v| f.aliases = v,
    },
    TextField {
        label: "Client name",
        rows: "0",
        id: "setting-client-name",
        name: "client_name",
        get: |f| &f.client_name,
        set: |f, v| f.client_name = v,
    },
    TextField {
        label: "Client address",
        rows: "0",
        id: "setting-client-address",
        name: "client_address",
        get: |f| &f.client_address,
        set: |f, v| f.client_address = v,
    },
];

/// The message beside a field that is not valid, if any.
fn error_for(state: &AppState, name: &str, with_id: bool) -> Option<Element> {
    let (_, message) = state.form_errors.iter().find(|(f, _)| *f == name)?;
    let error = el("p").class("field-error");
    let error = if with_id {
        error.attr("id", &format!("error-{name}"))
    } else {
        error
    };
    Some(error.attr("role", "alert").text(message))
}

/// A labelled field that reports each change to the form, and its error.
fn field(spec: &TextField, state: &AppState) -> [Node; 2] {
    let set = spec.set;
    let control = if spec.rows == "0" {
        el("input")
    } else {
        el("textarea").attr("rows", spec.rows)
    };
    let invalid = state.form_errors.iter().any(|(f, _)| *f == spec.name);
    let control = control
        .attr("id", spec.id)
        .attr("value", (spec.get)(&state.form))
        .attr("aria-invalid", if invalid { "true" } else { "false" })
        .on("input", move |event| {
            dispatch(AppAction::EditSetting(set, target_value(event)))
        });
    [
        el("label").text(spec.label).child(control).into(),
        error_for(state, spec.name, true).into(),
    ]
}

/// The settings panel.
pub fn view(state: &AppState) -> Node {
    let form = &state.form;
    let personality = el("select")
        .attr("id", "setting-personality")
        .on("change", |event| {
            dispatch(AppAction::EditSetting(
                |f, v| f.personality = v,
                target_value(event),
            ))
        })
        .children(ALL.iter().map(|p| {
            el("option")
                .attr("value", p.id)
                .flag("selected", p.id == form.personality)
                .text(p.label)
                .into()
        }))
        .attr("value", &form.personality);
    let timing = el("input")
        .attr("id", "setting-timing")
        .attr("type", "checkbox")
        .attr("checked", if form.timing { "true" } else { "false" })
        .on("change", |event| {
            let checked = event
                .target()
                .and_then(|t| js_sys::Reflect::get(&t, &"checked".into()).ok())
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            dispatch(AppAction::EditSetting(
                |f, v| f.timing = v == "true",
                if checked { "true" } else { "false" }.to_string(),
            ))
        });
    let mut fields = el("form").on("submit", |event| {
        event.prevent_default();
        dispatch(AppAction::ApplySettings);
    });
    fields = fields
        .children(field(&HOSTNAME, state))
        .child(el("label").text("Personality").child(personality))
        .child(error_for(state, "personality", false));
    for spec in &MORE_FIELDS {
        fields = fields.children(field(spec, state));
    }
    fields = fields
        .child(
            el("label")
                .class("check")
                .child(timing)
                .text("Real server timing (greeting pause, slow-downs)"),
        )
        .child(
            el("div")
                .class("buttons")
                .child(
                    el("button")
                        .attr("type", "submit")
                        .class("primary")
                        .text("Apply"),
                )
                .child(
                    el("button")
                        .attr("type", "button")
                        .on("click", send(|| AppAction::SettingsDefaults))
                        .text("Tutorial defaults"),
                )
                .child(
                    el("button")
                        .attr("type", "button")
                        .on("click", send(|| AppAction::StartOver))
                        .text("Clear saved data"),
                ),
        )
        .child(state.form_saved.then(|| {
            el("p")
                .class("saved")
                .attr("role", "status")
                .text("Saved. Connect again to use them.")
        }));
    el("aside")
        .class("panel settings-panel")
        .attr("aria-label", "World settings")
        .child(el("h2").text("World settings"))
        .child(
            el("p")
                .class("hint")
                .text("Changes apply to the next connection. Delivered mail is kept."),
        )
        .child(fields)
        .into()
}
