//! Downloads, exports, share links and replays.

use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::{AppAction, AppState};
use crate::console::share::{typed_from_script, Shared};

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub state: AppState,
    pub dispatch: Callback<AppAction>,
}

/// Offers `text` as a file download.
fn download(name: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(element) = document.create_element("a") {
        if let Ok(anchor) = element.dyn_into::<HtmlAnchorElement>() {
            anchor.set_href(&url);
            anchor.set_download(name);
            anchor.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[function_component(SharePanel)]
pub fn share_panel(props: &SharePanelProps) -> Html {
    let link = use_state(String::new);
    let script_input = use_node_ref();
    let state = props.state.clone();
    let download_text = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                "smtp-session.txt",
                &state.terminal.borrow().scrollback.to_text(),
            )
        })
    };
    let download_transcript = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                "smtp-session-transcript.txt",
                &state.terminal.borrow().transcript(),
            )
        })
    };
    let download_script = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            download("smtp-session-script.txt", &state.terminal.borrow().script())
        })
    };
    let make_link = {
        let state = state.clone();
        let link = link.clone();
        Callback::from(move |_: MouseEvent| {
            let terminal = state.terminal.borrow();
            let shared = Shared {
                typed: terminal.typed.clone(),
                world: Some(terminal.world().clone()),
                personality: Some(terminal.personality().id.to_string()),
            };
            let base = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            let base = base.split('#').next().unwrap_or("").to_string();
            let url = format!("{base}#share={}", shared.encode());
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&url);
            }
            link.set(url);
        })
    };
    let replay_mine = {
        let state = state.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            let lines = state.terminal.borrow().typed.clone();
            dispatch.emit(AppAction::StartOver);
            dispatch.emit(AppAction::Replay {
                lines,
                paused: false,
            });
        })
    };
    let replay_script = {
        let dispatch = props.dispatch.clone();
        let script_input = script_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = script_input.cast::<HtmlTextAreaElement>() {
                let lines = typed_from_script(&area.value());
                if !lines.is_empty() {
                    dispatch.emit(AppAction::Replay {
                        lines,
                        paused: false,
                    });
                }
            }
        })
    };
    html! {
        <aside class="panel share-panel" aria-label="Share and replay">
            <h2>{ "Share and replay" }</h2>
            <div class="buttons">
                <button onclick={download_text}>{ "Download .txt" }</button>
                <button onclick={download_transcript}>{ "Export C:/S: transcript" }</button>
                <button onclick={download_script}>{ "Export script" }</button>
            </div>
            <p class="hint">{ "The script plays with smtplab replay; the transcript is in the format the tests compare." }</p>
            <div class="buttons">
                <button onclick={make_link}>{ "Copy share link" }</button>
                <button onclick={replay_mine}>{ "Replay this session" }</button>
            </div>
            if !link.is_empty() {
                <label>{ "Share link (copied):" }
                    <input class="share-link" readonly=true value={(*link).clone()} />
                </label>
            }
            <label>{ "Play a script (one line per command):" }
                <textarea ref={script_input} class="script-input" rows="6" placeholder="telnet mail.example.com smtp&#10;HELO me.example&#10;QUIT" />
            </label>
            <div class="buttons"><button onclick={replay_script}>{ "Play it" }</button></div>
        </aside>
    }
}
