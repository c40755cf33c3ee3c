//! Downloads, exports, share links and replays.

use wasm_bindgen::JsCast;
use web_sys::HtmlAnchorElement;

use smtplab_engine::json;

use crate::console::share::{typed_from_script, Shared};
use crate::page::{dispatch, page_export, page_replay, page_share_state, Action, State};
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

/// A button that offers the session, as the page writes it (`kind`), as a
/// file.
fn download_button(label: &'static str, name: &'static str, kind: &'static str) -> Node {
    el("button")
        .on("click", move |_| download(name, &page_export(kind)))
        .text(label)
        .into()
}

/// What the page says a share link holds (an empty session if it could
/// not say).
fn shared() -> Shared {
    Shared::from_json(&page_share_state()).unwrap_or(Shared {
        typed: Vec::new(),
        world: None,
        personality: None,
    })
}

/// The session as a link: the typed lines, the world and the personality
/// in the fragment (which never reaches a server).
fn share_link() -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = base.split('#').next().unwrap_or("");
    format!("{base}#share={}", shared().encode())
}

pub fn view(state: &State) -> Node {
    let make_link = |_: &web_sys::Event| {
        let url = share_link();
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&url);
        }
        dispatch(Action::ShareLink(url));
    };
    let replay_mine = |_: &web_sys::Event| {
        page_replay(&json::strings(&shared().typed).to_json(), true);
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
            page_replay(&json::strings(&lines).to_json(), false);
        }
    };
    let buttons = || el("div").class("buttons");
    el("aside")
        .class("panel share-panel")
        .attr("aria-label", "Share and replay")
        .child(el("h2").text("Share and replay"))
        .child(buttons().children([
            download_button("Download .txt", "smtp-session.txt", "text"),
            download_button(
                "Export C:/S: transcript",
                "smtp-session-transcript.txt",
                "transcript",
            ),
            download_button("Export script", "smtp-session-script.txt", "script"),
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
