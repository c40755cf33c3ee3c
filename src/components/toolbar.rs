//! The bar above the terminal: font size, theme, copy, and the panels.

use crate::app::{AppAction, AppState, Panel, Theme};
use crate::components::app_view::{dispatch, send, target_value};
use crate::view::{el, Element, Node};

fn pressed(button: Element, on: bool) -> Element {
    button.attr("aria-pressed", if on { "true" } else { "false" })
}

pub fn view(state: &AppState) -> Node {
    let panel = state.panel;
    let panel_button = |label: &'static str, which: Panel| {
        pressed(el("button"), panel == which)
            .on("click", move |_| dispatch(AppAction::Show(which)))
            .text(label)
            .into()
    };
    let copy = el("button")
        .on("click", {
            let terminal = state.terminal.clone();
            move |_| {
                let text = terminal.borrow().scrollback.to_text();
                if let Some(window) = web_sys::window() {
                    let _ = window.navigator().clipboard().write_text(&text);
                    dispatch(AppAction::Copied);
                }
            }
        })
        .text(if state.copied {
            "Copied"
        } else {
            "Copy transcript"
        });
    el("header")
        .class("bar")
        .child(el("h1").text("SMTP Lab"))
        .child(
            el("nav")
                .class("tools")
                .attr("aria-label", "Display and panels")
                .child(
                    el("button")
                        .on("click", send(|| AppAction::FontSmaller))
                        .attr("aria-label", "Smaller text")
                        .attr("title", "Smaller text")
                        .text("A−"),
                )
                .child(
                    el("span")
                        .class("font-size")
                        .attr("aria-live", "polite")
                        .text(&format!("{}px", state.font_size())),
                )
                .child(
                    el("button")
                        .on("click", send(|| AppAction::FontLarger))
                        .attr("aria-label", "Larger text")
                        .attr("title", "Larger text")
                        .text("A+"),
                )
                .child(
                    el("select")
                        .attr("aria-label", "Theme")
                        .on("change", |event| {
                            dispatch(AppAction::SetTheme(Theme::from_id(&target_value(event))))
                        })
                        .children(Theme::ALL.iter().map(|t| {
                            el("option")
                                .attr("value", t.id())
                                .flag("selected", *t == state.theme)
                                .text(t.label())
                                .into()
                        }))
                        .attr("value", state.theme.id()),
                )
                .child(copy)
                .child(
                    pressed(el("button"), state.explain)
                        .on("click", send(|| AppAction::ToggleExplain))
                        .text("Explain"),
                )
                .children([
                    panel_button("Lessons", Panel::Lessons),
                    panel_button("Mailboxes", Panel::Mail),
                    panel_button("Share", Panel::Share),
                    panel_button("Settings", Panel::Settings),
                ]),
        )
        .into()
}
