//! Downloads, exports, share links and replays.

use yew::prelude::*;

use crate::app::state::{Action, SharedTerminal};
use crate::browser;
use crate::teach::share::{typed_from_script, Shared};

#[derive(Properties, Clone, PartialEq)]
pub struct SharePanelProps {
    pub terminal: SharedTerminal,
    pub share_link: Option<String>,
    pub on_action: Callback<Action>,
}

/// What a share link holds: the lines typed, the world and personality.
fn shared(terminal: &SharedTerminal) -> Shared {
    let terminal = terminal.borrow();
    Shared {
        typed: terminal.typed.clone(),
        world: Some(terminal.world().clone()),
        personality: Some(terminal.personality().id.to_string()),
    }
}

#[function_component(SharePanel)]
pub fn share_panel(props: &SharePanelProps) -> Html {
    let script = use_node_ref();
    let download = |name: &'static str, text: fn(&SharedTerminal) -> String| {
        let terminal = props.terminal.clone();
        Callback::from(move |_: MouseEvent| browser::download(name, &text(&terminal)))
    };
    let on_link = {
        let (terminal, on_action) = (props.terminal.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            // The fragment never reaches a server.
            let link = format!(
                "{}#share={}",
                browser::address_without_fragment(),
                shared(&terminal).encode()
            );
            browser::copy_text(&link);
            on_action.emit(Action::ShareLink(link));
        })
    };
    let on_replay_mine = {
        let (terminal, on_action) = (props.terminal.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let lines = terminal.borrow().typed.clone();
            let now = browser::now();
            on_action.emit(Action::Replay {
                lines,
                paused: false,
                fresh: Some(now),
            });
        })
    };
    let on_play = {
        let (script, on_action) = (script.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(area) = script.cast::<web_sys::HtmlTextAreaElement>() else {
                return;
            };
            let lines = typed_from_script(&area.value());
            if !lines.is_empty() {
                on_action.emit(Action::Replay {
                    lines,
                    paused: false,
                    fresh: None,
                });
            }
        })
    };
    html! {
        <aside class="panel share-panel" aria-label="Share and replay">
            <h2>{ "Share and replay" }</h2>
            <div class="buttons">
                <button onclick={download("smtp-session.txt", |t| t.borrow().scrollback.to_text())}>{ "Download .txt" }</button>
                <button onclick={download("smtp-session-transcript.txt", |t| t.borrow().transcript())}>{ "Export C:/S: transcript" }</button>
                <button onclick={download("smtp-session-script.txt", |t| t.borrow().script())}>{ "Export script" }</button>
            </div>
            <p class="hint">{ "The script plays with smtplab replay; the transcript is in the format the tests compare." }</p>
            <div class="buttons">
                <button onclick={on_link}>{ "Copy share link" }</button>
                <button onclick={on_replay_mine}>{ "Replay this session" }</button>
            </div>
            if let Some(link) = &props.share_link {
                <label>{ "Share link (copied):" }
                    <input class="share-link" readonly=true value={link.clone()} />
                </label>
            }
            <label>{ "Play a script (one line per command):" }
                <textarea class="script-input" rows="6" ref={script}
                    placeholder={"telnet mail.example.com smtp\nHELO me.example\nQUIT"} />
            </label>
            <div class="buttons"><button onclick={on_play}>{ "Play it" }</button></div>
        </aside>
    }
}
