//! Downloads, exports, share links and replays.

use wasm_bindgen::JsCast;
use web_sys::HtmlAnchorElement;

use crate::app::{AppAction, AppState};
use crate::components::app_view::dispatch;
use crate::console::share::{typed_from_script, Shared};
use crate::console::Terminal;
use crate::view::{el, Node};

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

/// A button that offers what `make` returns from the terminal as a file.
fn download_button(
    state: &AppState,
    label: &'static str,
    name: &'static str,
    make: fn(&Terminal) -> String,
) -> Node {
    let terminal = state.terminal.clone();
    el("button")
        .on("click", move |_| download(name, &make(&terminal.borrow())))
        .text(label)
        .into()
}

/// The session as a link: the typed lines, the world and the personality
/// in the fragment (which never reaches a server).
fn share_link(terminal: &Terminal) -> String {
    let shared = Shared {
        typed: terminal.typed.clone(),
        world: Some(terminal.world().clone()),
        personality: Some(terminal.personality().id.to_string()),
    };
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = base.split('#').next().unwrap_or("");
    format!("{base}#share={}", shared.encode())
}

pub fn view(state: &AppState) -> Node {
    let make_link = {
        let terminal = state.terminal.clone();
        move |_: &web_sys::Event| {
            let url = share_link(&terminal.borrow());
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&url);
            }
            dispatch(AppAction::ShareLink(url));
        }
    };
    let replay_mine = {
        let terminal = state.terminal.clone();
        move |_: &web_sys::Event| {
            let lines = terminal.borrow().typed.clone();
            dispatch(AppAction::StartOver);
            dispatch(AppAction::Replay {
                lines,
                paused: false,
            });
        }
    };
    let replay_script = |_: &web_sys::Event| {
        let script = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".script-input").ok().flatten())
            .and_then(|e| js_sys::Reflect::get(&e, &"value".into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let lines = typed_from_script(&script);
        if !lines.is_empty() {
            dispatch(AppAction::Replay {
                lines,
                paused: false,
            });
        }
    };
    let buttons = || el("div").class("buttons");
    el("aside")
        .class("panel share-panel")
        .attr("aria-label", "Share and replay")
        .child(el("h2").text("Share and replay"))
        .child(buttons().children([
            download_button(state, "Download .txt", "smtp-session.txt", |t| {
                t.scrollback.to_text()
            }),
            download_button(
                state,
                "Export C:/S: transcript",
                "smtp-session-transcript.txt",
                Terminal::transcript,
            ),
            download_button(
                state,
                "Export script",
                "smtp-session-script.txt",
                Terminal::script,
            ),
        ]))
        .child(el("p").class("hint").text(
            "The script plays with smtplab replay; the transcript is in the format the tests compare.",
        ))
        .child(
            buttons()
                .child(el("button").on("click", make_link).text("Copy share link"))
                .child(
                    el("button")
                        .on("click", replay_mine)
                        .text("Replay this session"),
                ),
        )
        .child((!state.share_link.is_empty()).then(|| {
            el("label").text("Share link (copied):").child(
                el("input")
                    .class("share-link")
                    .flag("readonly", true)
                    .attr("value", &state.share_link),
            )
        }))
        .child(
            el("label")
                .text("Play a script (one line per command):")
                .child(
                    el("textarea")
                        .class("script-input")
                        .attr("rows", "6")
                        .attr(
                            "placeholder",
                            "telnet mail.example.com smtp\nHELO me.example\nQUIT",
                        ),
                ),
        )
        .child(buttons().child(el("button").on("click", replay_script).text("Play it")))
        .into()
}
