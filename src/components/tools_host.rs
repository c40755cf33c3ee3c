//! The teachers' and authors' tools (lessons, sharing and replays, explain
//! mode's panel) are a second WebAssembly module, `tools/`, loaded the
//! first time one of them is used, so a first visit does not download
//! them. This is the page's side: where their panel goes, loading them,
//! telling them what changed, and the few things they may ask of the page.

use std::cell::{OnceCell, RefCell};

use smtplab_engine::json::{self, Value};
use smtplab_engine::{Personality, ReplyKey, World};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::{AppAction, AppState, Panel};
use crate::browser::settle;
use crate::components::app_view::{current_state, dispatch};
use crate::console::lessons::PROGRESS_KEY;
use crate::console::log;
use crate::console::scrollback::LineKind;
use crate::console::share::Shared;
use crate::view::{el, Node};

enum Tools {
    Absent,
    Loading,
    Ready(JsValue),
    Failed,
}

thread_local! {
    static TOOLS: RefCell<Tools> = const { RefCell::new(Tools::Absent) };
    static HAD_PROGRESS: OnceCell<bool> = const { OnceCell::new() };
}

/// The tools' panel names, as they know them.
fn panel_name(panel: Panel) -> Option<&'static str> {
    match panel {
        Panel::Lessons => Some("lessons"),
        Panel::Share => Some("share"),
        Panel::Explain => Some("explain"),
        _ => None,
    }
}

/// Where a tools panel goes; the tools module fills it. If it could not be
/// loaded, the panel says so.
pub fn view(state: &AppState) -> Node {
    if let Some(error) = &state.tools_error {
        return el("aside")
            .class("panel")
            .attr("aria-label", "Tools")
            .child(el("p").class("field-error").attr("role", "alert").text(&format!(
                "This panel could not be loaded ({error}). It needs the network once; close it and open it again to try again."
            )))
            .into();
    }
    el("div").class("tools-host").hosted().into()
}

/// Whether the tools are wanted now: one of their panels is open, or the
/// learner had lesson progress when the page opened (progress is only
/// ever made with the tools loaded, so the storage is read once).
fn wanted(state: &AppState) -> bool {
    panel_name(state.panel).is_some() && (!state.compact || state.panel == Panel::Explain)
        || HAD_PROGRESS.with(|had| {
            *had.get_or_init(|| {
                crate::app::storage()
                    .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
                    .is_some_and(|p| !p.is_empty())
            })
        })
}

/// After each change: load the tools if they are wanted, and let them
/// bring their panel up to date.
pub fn changed(state: &AppState) {
    let module = TOOLS.with(|t| match &*t.borrow() {
        Tools::Ready(module) => Some(module.clone()),
        _ => None,
    });
    let Some(module) = module else {
        if wanted(state) && state.tools_error.is_none() {
            load();
        }
        return;
    };
    let host = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".tools-host").ok().flatten());
    let panel = panel_name(state.panel)
        .filter(|_| host.is_some())
        .unwrap_or("");
    let logged = state.terminal.borrow().logged;
    let context = json::object(vec![
        ("explained", explained(state)),
        ("keys", Value::from_u64(u64::from(ReplyKey::DIGEST))),
        ("logged", Value::from_u64(logged)),
    ])
    .to_json();
    if let Ok(update) = js_sys::Reflect::get(&module, &"update".into()) {
        if let Some(update) = update.dyn_ref::<js_sys::Function>() {
            let host = host.map(JsValue::from).unwrap_or(JsValue::NULL);
            let _ = update.call3(
                &JsValue::NULL,
                &JsValue::from_str(panel),
                &host,
                &JsValue::from_str(&context),
            );
        }
    }
}

/// The line explain mode shows, for the tools' explain panel.
fn explained(state: &AppState) -> Value {
    let terminal = state.terminal.borrow();
    let line = state.explained.and_then(|(block, index)| {
        terminal
            .scrollback
            .blocks()
            .find(|b| b.id == block)
            .and_then(|b| b.lines.get(index))
    });
    let Some(line) = line else {
        return Value::Null;
    };
    let kind = if line.kind == LineKind::Server {
        "server"
    } else {
        "client"
    };
    let mut members = vec![
        ("text", json::string(&line.text)),
        ("kind", json::string(kind)),
    ];
    if let Some(tag) = &line.reply {
        members.push(("key", Value::from_u64(tag.key.index() as u64)));
        if let Some(echo) = &tag.echo {
            members.push(("echo", json::string(echo)));
        }
    }
    json::object(members)
}

/// Loads the tools module (`boot.js` knows where it is).
fn load() {
    let already = TOOLS.with(|t| {
        let mut tools = t.borrow_mut();
        let busy = matches!(*tools, Tools::Loading | Tools::Ready(_));
        if !busy {
            *tools = Tools::Loading;
        }
        busy
    });
    if already {
        return;
    }
    let loader = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"smtplabTools".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let promise = loader
        .and_then(|f| f.call0(&JsValue::NULL).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let Some(promise) = promise else {
        TOOLS.with(|t| *t.borrow_mut() = Tools::Failed);
        dispatch(AppAction::ToolsFailed("no loader".to_string()));
        return;
    };
    settle(
        &promise,
        Box::new(|result| match result {
            Ok(module) => {
                TOOLS.with(|t| *t.borrow_mut() = Tools::Ready(module));
                dispatch(AppAction::Refresh);
            }
            Err(_) => {
                // Opening the panel again tries again.
                TOOLS.with(|t| *t.borrow_mut() = Tools::Absent);
                dispatch(AppAction::ToolsFailed("the network is off".to_string()));
            }
        }),
    );
}

// What the tools may ask of the page.

/// The events logged after the first `seen` ever logged, as JSON:
/// `{"logged": N, "events": [...]}` (the oldest may have been let go).
#[wasm_bindgen]
pub fn page_log(seen: f64) -> String {
    let Some(state) = current_state() else {
        return String::new();
    };
    let terminal = state.terminal.borrow();
    let kept = terminal.log.len() as u64;
    let first = terminal.logged - kept;
    let skip = (seen.max(0.0) as u64).saturating_sub(first).min(kept) as usize;
    format!(
        "{{\"logged\":{},\"events\":{}}}",
        terminal.logged,
        log::to_json(terminal.log.iter().skip(skip))
    )
}

/// What a share link holds: the lines typed, the world and personality.
#[wasm_bindgen]
pub fn page_share_state() -> String {
    let Some(state) = current_state() else {
        return String::new();
    };
    let terminal = state.terminal.borrow();
    Shared {
        typed: terminal.typed.clone(),
        world: Some(terminal.world().clone()),
        personality: Some(terminal.personality().id.to_string()),
    }
    .to_json()
}

/// The session as text: `text` (the screen), `transcript` (C:/S:) or
/// `script` (for `smtplab replay`).
#[wasm_bindgen]
pub fn page_export(kind: &str) -> String {
    let Some(state) = current_state() else {
        return String::new();
    };
    let terminal = state.terminal.borrow();
    match kind {
        "transcript" => terminal.transcript(),
        "script" => terminal.script(),
        _ => terminal.scrollback.to_text(),
    }
}

/// Starts a lesson: its world (JSON, or empty for the current one), its
/// personality (an id, or empty) and its goal.
#[wasm_bindgen]
pub fn page_use_lesson(world: &str, personality: &str, goal: &str) {
    dispatch(AppAction::UseLesson {
        world: World::from_json(world).ok(),
        personality: Personality::by_id(personality),
        goal: goal.to_string(),
    });
}

/// Types these lines (a JSON list) as a replay, after starting over if
/// asked.
#[wasm_bindgen]
pub fn page_replay(lines: &str, start_over: bool) {
    let lines: Vec<String> = match json::parse(lines) {
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect(),
        _ => return,
    };
    if start_over {
        dispatch(AppAction::StartOver);
    }
    dispatch(AppAction::Replay {
        lines,
        paused: false,
    });
}
