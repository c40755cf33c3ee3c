//! Exercises: the list with progress, the current goal and its checks, and
//! loading a teacher's lesson file.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::state::{Action, LessonsState};
use crate::browser;
use crate::teach::lessons::{parse_lessons, Lesson};

#[derive(Properties, Clone, PartialEq)]
pub struct LessonsPanelProps {
    pub lessons: LessonsState,
    /// Which checks of the current lesson pass.
    pub checks: Vec<bool>,
    pub on_action: Callback<Action>,
}

fn current_lesson(props: &LessonsPanelProps, lesson: &Lesson) -> Html {
    let checks = lesson
        .checks
        .iter()
        .zip(props.checks.iter().chain(std::iter::repeat(&false)));
    let checks = checks.map(|(check, ok)| {
        html! {
            <li ~className={if *ok { "passed" } else { "" }}>{ if *ok { "✓ " } else { "○ " } }{ check.describe() }</li>
        }
    });
    html! {
        <section class="current-lesson" aria-label="Current lesson">
            <h3>{ &lesson.title }</h3>
            <p>{ &lesson.goal }</p>
            if let Some(hint) = &lesson.hint {
                <details><summary>{ "Hint" }</summary><p>{ hint }</p></details>
            }
            <ul class="checks">{ for checks }</ul>
            if props.lessons.completed.contains(&lesson.id) {
                <p class="passed" role="status">{ "Done!" }</p>
            }
        </section>
    }
}

#[function_component(LessonsPanel)]
pub fn lessons_panel(props: &LessonsPanelProps) -> Html {
    let lessons = &props.lessons;
    let done = lessons.completed.len();
    let total = lessons.file.lessons.len();
    let current = lessons
        .current
        .as_ref()
        .and_then(|id| lessons.file.lessons.iter().find(|l| &l.id == id));
    let list = lessons.file.lessons.iter().map(|lesson| {
        let complete = lessons.completed.contains(&lesson.id);
        let onclick = {
            let on_action = props.on_action.clone();
            let id = lesson.id.clone();
            Callback::from(move |_: MouseEvent| {
                on_action.emit(Action::StartLesson(id.clone()));
                browser::focus(".keyboard");
            })
        };
        html! {
            <li>
                <button ~className={if complete { "lesson complete" } else { "lesson" }}
                    data-lesson={lesson.id.clone()} {onclick}>
                    <span>{ &lesson.title }</span>
                    <span class="count">{ if complete { "✓ done" } else { "" } }</span>
                </button>
            </li>
        }
    });
    let on_file = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let on_action = on_action.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = browser::read_file(file)
                    .await
                    .and_then(|text| parse_lessons(&text))
                    .map(Rc::new);
                on_action.emit(Action::LessonsLoaded(result));
            });
        })
    };
    html! {
        <aside class="panel lessons-panel" aria-label="Lessons">
            <h2>{ &lessons.file.title }</h2>
            <p class="progress" role="status">{
                if total == 0 && lessons.error.is_none() {
                    "Loading the lessons…".to_string()
                } else {
                    format!("{done} of {total} done")
                }
            }</p>
            if let Some(error) = &lessons.error {
                <p class="field-error" role="alert">
                    { format!("Could not load the lessons: {error}. The lessons you had are still here.") }
                </p>
            }
            { current.map(|lesson| current_lesson(props, lesson)) }
            <ol class="lesson-list">{ for list }</ol>
            <label class="file">{ "Load a lesson file (JSON): " }
                <input type="file" accept=".json,application/json" onchange={on_file} />
            </label>
        </aside>
    }
}
