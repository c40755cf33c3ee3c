//! Replay controls: play/pause, step, speed and stop.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::app::AppAction;
use crate::console::player::{Player, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct PlayerBarProps {
    pub player: Player,
    pub dispatch: Callback<AppAction>,
}

#[function_component(PlayerBar)]
pub fn player_bar(props: &PlayerBarProps) -> Html {
    let player = &props.player;
    let send = |action: fn() -> AppAction| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(action()))
    };
    let on_speed = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(index) = select.value().parse() {
                    dispatch.emit(AppAction::SetSpeed(index));
                }
            }
        })
    };
    let status = if player.finished() {
        "Replay finished".to_string()
    } else {
        format!("Replay: line {} of {}", player.line + 1, player.lines.len())
    };
    html! {
        <div class="player-bar" role="toolbar" aria-label="Replay controls">
            <button onclick={send(|| AppAction::PlayPause)} disabled={player.finished()}>
                { if player.paused || player.finished() { "Play" } else { "Pause" } }
            </button>
            <button onclick={send(|| AppAction::Step)} disabled={player.finished()}>{ "Step" }</button>
            <select aria-label="Replay speed" onchange={on_speed}>
                { for SPEEDS.iter().enumerate().map(|(index, (name, _))| html! {
                    <option value={index.to_string()} selected={index == player.speed}>{ *name }</option>
                }) }
            </select>
            <span class="player-status" role="status">{ status }</span>
            <button onclick={send(|| AppAction::StopReplay)}>{ "Close" }</button>
        </div>
    }
}
