//! The page: toolbar, terminal, side panel and key bar, wired to the
//! keyboard, to pause timers and to the browser's storage.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::{save, AppAction, AppState, Panel, Theme};
use crate::components::console_view::ConsoleView;
use crate::components::explain_panel::ExplainPanel;
use crate::components::key_bar::KeyBar;
use crate::components::lessons_panel::LessonsPanel;
use crate::components::mail_panel::MailPanel;
use crate::components::player_bar::PlayerBar;
use crate::components::settings_panel::SettingsPanel;
use crate::components::share_panel::SharePanel;
use crate::components::toolbar::Toolbar;
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

async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched (only files from this site can be)"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("{url} answered {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|_| "no body")?)
        .await
        .map_err(|_| "the body could not be read")?;
    Ok(text.as_string().unwrap_or_default())
}

/// Dispatches `action` after `millis` milliseconds (a browser timer).
fn dispatch_after(dispatcher: UseReducerDispatcher<AppState>, action: AppAction, millis: u64) {
    let callback = Closure::once_into_js(move || dispatcher.dispatch(action));
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            millis.min(i32::MAX as u64) as i32,
        );
    }
}

fn focus(node: &NodeRef) {
    if let Some(element) = node.cast::<HtmlElement>() {
        let _ = element.focus();
    }
}

#[function_component(AppView)]
pub fn app_view() -> Html {
    let state = use_reducer(AppState::new);
    let keyboard = use_node_ref();
    let screen = use_node_ref();
    let ctrl_held = use_state(|| false);
    let last_saved = use_mut_ref(|| u64::MAX);
    let dispatch = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: AppAction| dispatcher.dispatch(action))
    };

    // A server pause: wait, then resume.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.wait, move |wait| {
            if let Some((_, millis)) = *wait {
                dispatch_after(dispatcher, AppAction::Resume, millis);
            }
        });
    }

    // The replay types on a timer.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.tick, move |tick| {
            if let Some((_, millis)) = *tick {
                dispatch_after(dispatcher, AppAction::Tick, millis);
            }
        });
    }

    // A large paste goes in piece by piece, a task each.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.paste.as_ref().map(|p| p.1), move |piece| {
            if piece.is_some() {
                dispatch_after(dispatcher, AppAction::PasteNext, 0);
            }
        });
    }

    // A teacher's lessons, from `?lessons=URL` (same origin: the page's
    // policy allows no other).
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            if let Some(url) = crate::app::Parameters::from_location()
                .get("lessons")
                .map(str::to_string)
            {
                wasm_bindgen_futures::spawn_local(async move {
                    let result = fetch_text(&url)
                        .await
                        .and_then(|text| crate::console::lessons::parse_lessons(&text));
                    dispatcher.dispatch(AppAction::LoadLessons(result));
                });
            }
        });
    }

    // Follow the output, as a terminal does, and keep what is worth keeping.
    {
        let screen = screen.clone();
        let terminal = state.terminal.clone();
        let ephemeral = state.ephemeral;
        use_effect_with(state.version, move |_| {
            if let Some(element) = screen.cast::<HtmlElement>() {
                element.set_scroll_top(element.scroll_height());
            }
            let generation = terminal.borrow().generation;
            if !ephemeral && *last_saved.borrow() != generation {
                *last_saved.borrow_mut() = generation;
                save(&mut terminal.borrow_mut());
            }
        });
    }

    // The theme belongs to the whole page.
    use_effect_with(state.theme, |theme| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            match theme {
                Theme::System => {
                    let _ = root.remove_attribute("data-theme");
                }
                other => {
                    let _ = root.set_attribute("data-theme", other.id());
                }
            }
        }
    });

    {
        let keyboard = keyboard.clone();
        use_effect_with((), move |_| focus(&keyboard));
    }

    let onkeydown = {
        let dispatch = dispatch.clone();
        let ctrl_held = ctrl_held.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.is_composing() {
                return;
            }
            if let Some(key) = key_of(&event) {
                event.prevent_default();
                ctrl_held.set(false);
                dispatch.emit(AppAction::Press(key));
            }
        })
    };
    let oninput = {
        let dispatch = dispatch.clone();
        let keyboard = keyboard.clone();
        let ctrl_held = ctrl_held.clone();
        Callback::from(move |_: InputEvent| {
            let Some(area) = keyboard.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let text = area.value();
            area.set_value("");
            if text.is_empty() {
                return;
            }
            let mut chars = text.chars();
            if *ctrl_held {
                ctrl_held.set(false);
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    dispatch.emit(AppAction::Press(Key::Ctrl(c.to_ascii_lowercase())));
                    return;
                }
            }
            dispatch.emit(AppAction::Type(text));
        })
    };
    let onclick = {
        let keyboard = keyboard.clone();
        Callback::from(move |_: MouseEvent| {
            if !has_selection() {
                focus(&keyboard);
            }
        })
    };
    let on_ctrl = {
        let ctrl_held = ctrl_held.clone();
        let keyboard = keyboard.clone();
        Callback::from(move |_| {
            ctrl_held.set(!*ctrl_held);
            focus(&keyboard);
        })
    };
    let font_class = format!("fs-{}", state.font_size());
    let panel = match state.panel {
        Panel::None => html! {},
        Panel::Mail => html! { <MailPanel state={(*state).clone()} /> },
        Panel::Settings => {
            html! { <SettingsPanel state={(*state).clone()} dispatch={dispatch.clone()} /> }
        }
        Panel::Lessons => {
            html! { <LessonsPanel state={(*state).clone()} dispatch={dispatch.clone()} /> }
        }
        Panel::Share => {
            html! { <SharePanel state={(*state).clone()} dispatch={dispatch.clone()} /> }
        }
        Panel::Explain => html! { <ExplainPanel state={(*state).clone()} /> },
    };
    let panel = if state.compact && state.panel != Panel::Explain {
        html! {}
    } else {
        panel
    };
    html! {
        <div class={classes!("app", state.compact.then_some("compact"))}>
            if !state.compact {
                <Toolbar state={(*state).clone()} dispatch={dispatch.clone()} />
            }
            if let Some(player) = state.player.clone() {
                <PlayerBar {player} dispatch={dispatch.clone()} />
            }
            <main class="workspace">
                <section class={classes!("terminal", font_class)} ref={screen} {onclick} aria-label="Terminal">
                    <ConsoleView state={(*state).clone()} dispatch={dispatch.clone()} />
                    <textarea
                        ref={keyboard}
                        class="keyboard"
                        aria-label="Terminal input: type commands here"
                        autocapitalize="off"
                        autocomplete="off"
                        spellcheck="false"
                        rows="1"
                        {onkeydown}
                        {oninput}
                    />
                </section>
                { panel }
            </main>
            <KeyBar dispatch={dispatch} ctrl_held={*ctrl_held} {on_ctrl} />
        </div>
    }
}
