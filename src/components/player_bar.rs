//! Replay controls: play/pause, step, speed and stop.

use crate::app::AppAction;
use crate::components::app_view::{dispatch, send, target_value};
use crate::console::player::{Player, SPEEDS};
use crate::view::{el, Node};

pub fn view(player: &Player) -> Node {
    let finished = player.finished();
    let status = if finished {
        "Replay finished".to_string()
    } else {
        format!("Replay: line {} of {}", player.line + 1, player.lines.len())
    };
    el("div")
        .class("player-bar")
        .attr("role", "toolbar")
        .attr("aria-label", "Replay controls")
        .child(
            el("button")
                .on("click", send(|| AppAction::PlayPause))
                .flag("disabled", finished)
                .text(if player.paused || finished {
                    "Play"
                } else {
                    "Pause"
                }),
        )
        .child(
            el("button")
                .on("click", send(|| AppAction::Step))
                .flag("disabled", finished)
                .text("Step"),
        )
        .child(
            el("select")
                .attr("aria-label", "Replay speed")
                .on("change", |event| {
                    if let Ok(index) = target_value(event).parse() {
                        dispatch(AppAction::SetSpeed(index));
                    }
                })
                .children(SPEEDS.iter().enumerate().map(|(index, (name, _))| {
                    el("option")
                        .attr("value", &index.to_string())
                        .flag("selected", index == player.speed)
                        .text(name)
                        .into()
                }))
                .attr("value", &player.speed.to_string()),
        )
        .child(
            el("span")
                .class("player-status")
                .attr("role", "status")
                .text(&status),
        )
        .child(
            el("button")
                .on("click", send(|| AppAction::StopReplay))
                .text("Close"),
        )
        .into()
}
