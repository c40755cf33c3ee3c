//! Exercises: the list with progress, the current goal and its checks, and
//! loading a teacher's lesson file.

use web_sys::HtmlInputElement;

use crate::browser::{focus_terminal, settle};
use crate::console::lessons::{evaluate, parse_lessons, Lesson};
use crate::page::{dispatch, Action, State};
use crate::view::{el, text, Node};

/// Reads the chosen lesson file.
fn on_file(event: &web_sys::Event) {
    use wasm_bindgen::JsCast;
    let Some(input) = event
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    settle(
        &file.text(),
        Box::new(|text| {
            let result = match text {
                Ok(text) => parse_lessons(&text.as_string().unwrap_or_default()),
                Err(_) => Err("the file could not be read".to_string()),
            };
            dispatch(Action::LoadLessons(result));
        }),
    );
}

fn current_lesson(state: &State, lesson: &Lesson) -> Node {
    let checks = lesson
        .checks
        .iter()
        .zip(evaluate(lesson, state.log.iter()))
        .map(|(check, ok)| {
            el("li")
                .class(if ok { "passed" } else { "" })
                .text(if ok { "✓ " } else { "○ " })
                .text(&check.describe())
                .into()
        });
    el("section")
        .class("current-lesson")
        .attr("aria-label", "Current lesson")
        .child(el("h3").text(&lesson.title))
        .child(el("p").text(&lesson.goal))
        .child(lesson.hint.as_ref().map(|hint| {
            el("details")
                .child(el("summary").text("Hint"))
                .child(el("p").text(hint))
        }))
        .child(el("ul").class("checks").children(checks))
        .child(
            state
                .completed
                .contains(&lesson.id)
                .then(|| el("p").class("passed").attr("role", "status").text("Done!")),
        )
        .into()
}

pub fn view(state: &State) -> Node {
    let done = state.completed.len();
    let total = state.lessons.lessons.len();
    let current = state
        .lesson
        .as_ref()
        .and_then(|id| state.lessons.lessons.iter().find(|l| &l.id == id));
    let list = state.lessons.lessons.iter().map(|lesson| {
        let id = lesson.id.clone();
        let complete = state.completed.contains(&lesson.id);
        el("li")
            .child(
                el("button")
                    .class(if complete {
                        "lesson complete"
                    } else {
                        "lesson"
                    })
                    .attr("data-lesson", &lesson.id)
                    .on("click", move |_| {
                        dispatch(Action::StartLesson(id.clone()));
                        focus_terminal();
                    })
                    .child(el("span").text(&lesson.title))
                    .child(
                        el("span")
                            .class("count")
                            .text(if complete { "✓ done" } else { "" }),
                    ),
            )
            .into()
    });
    el("aside")
        .class("panel lessons-panel")
        .attr("aria-label", "Lessons")
        .child(el("h2").text(&state.lessons.title))
        .child(
            el("p")
                .class("progress")
                .attr("role", "status")
                .text(&format!("{done} of {total} done")),
        )
        .child(state.lesson_error.as_ref().map(|error| {
            el("p")
                .class("field-error")
                .attr("role", "alert")
                .text(&format!(
                    "Could not load the lessons: {error}. The lessons you had are still here."
                ))
        }))
        .child(current.map(|lesson| current_lesson(state, lesson)))
        .child(el("ol").class("lesson-list").children(list))
        .child(
            el("label")
                .class("file")
                .child(text("Load a lesson file (JSON): "))
                .child(
                    el("input")
                        .attr("type", "file")
                        .attr("accept", ".json,application/json")
                        .on("change", on_file),
                ),
        )
        .into()
}
