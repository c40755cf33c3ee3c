//! Replay controls: play/pause, step, speed and close.

use yew::prelude::*;

use crate::app::state::Action;
use crate::browser;
use crate::teach::player::{Player, SPEEDS};

#[derive(Properties, Clone, PartialEq)]
pub struct PlayerBarProps {
    pub player: Player,
    pub on_action: Callback<Action>,
}

#[function_component(PlayerBar)]
pub fn player_bar(props: &PlayerBarProps) -> Html {
    let player = &props.player;
    let finished = player.finished();
    let status = if finished {
        "Replay finished".to_string()
    } else {
        format!("Replay: line {} of {}", player.line + 1, player.lines.len())
    };
    let send = |make: fn() -> Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(make()))
    };
    let on_step = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Step(browser::now())))
    };
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Ok(index) = select.value().parse() {
                on_action.emit(Action::SetSpeed(index));
            }
        })
    };
    let speeds = SPEEDS.iter().enumerate().map(|(index, (name, _))| {
        html! { <option value={index.to_string()} selected={index == player.speed}>{ *name }</option> }
    });
    html! {
        <div class="player-bar" role="toolbar" aria-label="Replay controls">
            <button onclick={send(|| Action::PlayPause)} disabled={finished}>
                { if player.paused || finished { "Play" } else { "Pause" } }
            </button>
            <button onclick={on_step} disabled={finished}>{ "Step" }</button>
            <select aria-label="Replay speed" onchange={on_speed}>{ for speeds }</select>
            <span class="player-status" role="status">{ status }</span>
            <button onclick={send(|| Action::StopReplay)}>{ "Close" }</button>
        </div>
    }
}
