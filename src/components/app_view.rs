//! The page: toolbar, terminal, side panel and key bar, and the loop that
//! runs it. Events dispatch [`AppAction`]s; each batch of actions is
//! reduced, the page is rebuilt and patched, then the effects of the change
//! run (timers, scrolling, saving, the theme).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, KeyboardEvent};

use crate::app::{save, AppAction, AppState, Panel, Theme};
use crate::browser::focus_terminal;
use crate::components::{
    console_view, key_bar, mail_panel, player_bar, settings_panel, toolbar, tools_host,
};
use crate::console::Key;
use crate::view::{el, Mounted, Node};

struct Runtime {
    state: Rc<AppState>,
    page: Mounted,
    /// The terminal generation last saved.
    saved: u64,
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
    static QUEUE: RefCell<VecDeque<AppAction>> = const { RefCell::new(VecDeque::new()) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
    static SAVE_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// Starts the app in the page's body.
pub fn start() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let state = Rc::new(AppState::new());
    let page = Mounted::create(view(&state));
    let _ = body.append_child(page.dom());
    // What was just loaded needs no saving.
    let saved = state.terminal.borrow().generation;
    RUNTIME.with(|r| {
        *r.borrow_mut() = Some(Runtime {
            state: Rc::clone(&state),
            page,
            saved,
        })
    });
    effects(None, &state);
    focus_terminal();
    // Leaving or hiding the page saves what is not saved yet.
    let on_hide = Closure::<dyn FnMut()>::new(|| {
        if SAVE_PENDING.with(|p| p.get()) {
            save_now();
        }
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                on_hide.as_ref().unchecked_ref(),
            );
        }
    }
    on_hide.forget();
}

/// The state as last drawn.
pub fn current_state() -> Option<Rc<AppState>> {
    RUNTIME.with(|r| r.borrow().as_ref().map(|r| Rc::clone(&r.state)))
}

/// Queues an action; the page updates once the queue is empty. Safe to
/// call from anywhere, including from events fired while the page is
/// being patched.
pub fn dispatch(action: AppAction) {
    QUEUE.with(|q| q.borrow_mut().push_back(action));
    if BUSY.with(|b| b.replace(true)) {
        return;
    }
    while let Some(previous) = RUNTIME.with(|r| r.borrow().as_ref().map(|r| Rc::clone(&r.state))) {
        let mut state = Rc::clone(&previous);
        let mut any = false;
        while let Some(action) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
            state = state.reduce(action);
            any = true;
        }
        if !any {
            break;
        }
        let page = view(&state);
        RUNTIME.with(|r| {
            if let Some(runtime) = r.borrow_mut().as_mut() {
                runtime.state = Rc::clone(&state);
                if let Some(parent) = runtime.page.dom().parent_node() {
                    runtime.page.patch(page, &parent);
                }
            }
        });
        effects(Some(&previous), &state);
    }
    BUSY.with(|b| b.set(false));
}

/// A handler that dispatches `action()`.
pub fn send(action: fn() -> AppAction) -> impl Fn(&Event) {
    move |_| dispatch(action())
}

/// The `value` of the element an event happened on.
pub fn target_value(event: &Event) -> String {
    event
        .target()
        .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
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
            (Some('c'), None) if has_selection() => None,
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
        _ => return None,
    })
}

fn has_selection() -> bool {
    web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .map(|s| !s.is_collapsed())
        .unwrap_or(false)
}

/// Saving writes the whole session (mailboxes included), so it is not done
/// on every line: once this many milliseconds after a change, and at once
/// when the page is hidden or left.
const SAVE_DELAY: u64 = 500;

/// Saves the session now if it changed since the last save.
fn save_now() {
    SAVE_PENDING.with(|p| p.set(false));
    let state = RUNTIME.with(|r| {
        let mut runtime = r.borrow_mut();
        let runtime = runtime.as_mut()?;
        let generation = runtime.state.terminal.borrow().generation;
        let changed = std::mem::replace(&mut runtime.saved, generation) != generation;
        (changed && !runtime.state.ephemeral).then(|| Rc::clone(&runtime.state))
    });
    if let Some(state) = state {
        let generation = state.terminal.borrow().generation;
        save(&mut state.terminal.borrow_mut());
        // A full storage is reported in the terminal: show it.
        if state.terminal.borrow().generation != generation {
            dispatch(AppAction::Refresh);
        }
    }
}

/// Runs `then` after `millis` milliseconds (a browser timer).
fn after(millis: u64, then: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(then);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            millis.min(i32::MAX as u64) as i32,
        );
    }
}

/// Dispatches `action` after `millis` milliseconds.
fn dispatch_after(action: AppAction, millis: u64) {
    after(millis, move || dispatch(action));
}

/// What a change of state sets going outside the page's elements.
fn effects(previous: Option<&AppState>, state: &AppState) {
    let changed = |f: &dyn Fn(&AppState) -> Option<u64>| {
        previous.is_none_or(|p| f(p) != f(state)) && f(state).is_some()
    };
    // A server pause: wait, then resume.
    if changed(&|s| s.wait.map(|w| w.0)) {
        if let Some((_, millis)) = state.wait {
            dispatch_after(AppAction::Resume, millis);
        }
    }
    // The replay types on a timer.
    if changed(&|s| s.tick.map(|t| t.0)) {
        if let Some((_, millis)) = state.tick {
            dispatch_after(AppAction::Tick, millis);
        }
    }
    // A large paste goes in piece by piece, a task each.
    if changed(&|s| s.paste.as_ref().map(|p| p.1 as u64)) {
        dispatch_after(AppAction::PasteNext, 0);
    }
    // Follow the output, as a terminal does, and keep what is worth keeping.
    if previous.is_none_or(|p| p.version != state.version) {
        let screen = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".terminal").ok().flatten());
        if let Some(screen) = screen {
            screen.set_scroll_top(screen.scroll_height());
        }
        let generation = state.terminal.borrow().generation;
        let unsaved = RUNTIME.with(|r| r.borrow().as_ref().is_some_and(|r| r.saved != generation));
        if !state.ephemeral && unsaved && !SAVE_PENDING.with(|p| p.replace(true)) {
            after(SAVE_DELAY, save_now);
        }
    }
    // The theme belongs to the whole page.
    if previous.is_none_or(|p| p.theme != state.theme) {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            match state.theme {
                Theme::System => {
                    let _ = root.remove_attribute("data-theme");
                }
                other => {
                    let _ = root.set_attribute("data-theme", other.id());
                }
            }
        }
    }
    // The tools module, when wanted, follows the change.
    tools_host::changed(state);
}

fn on_keydown(event: &Event) {
    let event: &KeyboardEvent = event.unchecked_ref();
    if event.is_composing() {
        return;
    }
    if let Some(key) = key_of(event) {
        event.prevent_default();
        dispatch(AppAction::Press(key));
    }
}

fn on_input(event: &Event) {
    let Some(area) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    else {
        return;
    };
    let text = area.value();
    area.set_value("");
    if !text.is_empty() {
        dispatch(AppAction::Type(text));
    }
}

/// The whole page for `state`.
pub fn view(state: &AppState) -> Node {
    let panel = match state.panel {
        _ if state.compact && state.panel != Panel::Explain => Node::Empty,
        Panel::None => Node::Empty,
        Panel::Mail => mail_panel::view(state),
        Panel::Settings => settings_panel::view(state),
        Panel::Lessons | Panel::Share | Panel::Explain => tools_host::view(state),
    };
    let keyboard = el("textarea")
        .class("keyboard")
        .attr("aria-label", "Terminal input: type commands here")
        .attr("autocapitalize", "off")
        .attr("autocomplete", "off")
        .attr("spellcheck", "false")
        .attr("rows", "1")
        .on("keydown", on_keydown)
        .on("input", on_input);
    let terminal = el("section")
        .class(&format!("terminal fs-{}", state.font_size()))
        .attr("aria-label", "Terminal")
        .on("click", |_| {
            if !has_selection() {
                focus_terminal();
            }
        })
        .children(console_view::view(state))
        .child(keyboard);
    el("div")
        .class(if state.compact { "app compact" } else { "app" })
        .child((!state.compact).then(|| toolbar::view(state)))
        .child(state.player.as_ref().map(player_bar::view))
        .child(el("main").class("workspace").child(terminal).child(panel))
        .child(key_bar::view(state.ctrl_held))
        .into()
}
