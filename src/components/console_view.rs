//! The terminal on screen: scrollback, then the prompt and the line being
//! typed with its cursor. Keys reach a hidden text area that holds focus
//! (so phone keyboards work too).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, Event, KeyboardEvent};

use crate::app::{AppAction, AppState};
use crate::components::app_view::dispatch;
use crate::console::scrollback::{Line, LineKind};
use crate::view::{el, memo, Node};

pub fn class_of(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Output => "line output",
        LineKind::Input => "line input",
        LineKind::Server => "line server",
        LineKind::Client => "line client",
        LineKind::Notice => "line notice",
        LineKind::Error => "line error",
    }
}

/// The `data-line` of the line an event happened on, as (block, index).
fn line_of(event: &Event) -> Option<(u64, usize)> {
    let target: Element = event.target()?.dyn_into().ok()?;
    let line = target.closest(".explainable").ok()??;
    let reference = line.get_attribute("data-line")?;
    let (block, index) = reference.split_once(':')?;
    Some((block.parse().ok()?, index.parse().ok()?))
}

/// A block of lines. Each block is its own box, so the browser can skip
/// laying out and painting the blocks scrolled out of view; a block whose
/// lines did not change is not rebuilt. Clicks are handled once, on the
/// scrollback, which finds the line by `data-line`.
fn block(id: u64, lines: &[Line], explain: bool) -> Node {
    el("div")
        .class("block")
        .children(lines.iter().enumerate().map(|(index, line)| {
            let explainable = explain && matches!(line.kind, LineKind::Server | LineKind::Client);
            if explainable {
                el("div")
                    .class(&format!("{} explainable", class_of(line.kind)))
                    .attr("tabindex", "0")
                    .attr("role", "button")
                    .attr("data-line", &format!("{id}:{index}"))
                    .attr("aria-label", &format!("Explain: {}", line.text))
                    .text(&line.text)
                    .into()
            } else {
                el("div").class(class_of(line.kind)).text(&line.text).into()
            }
        }))
        .into()
}

pub fn view(state: &AppState) -> [Node; 2] {
    let terminal = state.terminal.borrow();
    let input: Vec<char> = terminal.input().chars().collect();
    let cursor = terminal.cursor().min(input.len());
    let before: String = input[..cursor].iter().collect();
    let at: String = input
        .get(cursor)
        .map(|c| c.to_string())
        .unwrap_or_else(|| " ".to_string());
    let after: String = input
        .get(cursor + 1..)
        .map(|rest| rest.iter().collect())
        .unwrap_or_default();
    let explain = state.explain;
    let blocks = terminal.scrollback.blocks().map(|b| {
        let (id, lines) = (b.id, Rc::clone(&b.lines));
        memo(id, b.lines.clone(), u64::from(explain), move || {
            block(id, &lines, explain)
        })
    });
    let scrollback = el("div")
        .class(if explain {
            "scrollback explaining"
        } else {
            "scrollback"
        })
        .attr("role", "log")
        .attr("aria-live", "polite")
        .attr("aria-label", "Terminal output")
        .on("click", |event| {
            if let Some(line) = line_of(event) {
                event.stop_propagation();
                dispatch(AppAction::Explain(line));
            }
        })
        .on("keydown", |event| {
            let key = event.unchecked_ref::<KeyboardEvent>().key();
            if key == "Enter" || key == " " {
                if let Some(line) = line_of(event) {
                    event.prevent_default();
                    event.stop_propagation();
                    dispatch(AppAction::Explain(line));
                }
            }
        })
        .children(blocks);
    let input_line = el("div")
        .class(if terminal.is_waiting() {
            "input-line waiting"
        } else {
            "input-line"
        })
        .attr("aria-hidden", "true")
        .child(el("span").class("prompt").text(terminal.prompt()))
        .child(el("span").text(&before))
        .child(el("span").class("cursor").text(&at))
        .child(el("span").text(&after));
    [scrollback.into(), input_line.into()]
}
