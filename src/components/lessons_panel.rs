//! Exercises: the list with progress, the current goal and its checks, and
//! loading a teacher's lesson file.

use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::{focus_terminal, AppAction, AppState};
use crate::console::lessons::{evaluate, parse_lessons};

#[derive(Properties, PartialEq)]
pub struct LessonsPanelProps {
    pub state: AppState,
    pub dispatch: Callback<AppAction>,
}

#[function_component(LessonsPanel)]
pub fn lessons_panel(props: &LessonsPanelProps) -> Html {
    let state = &props.state;
    let terminal = state.terminal.borrow();
    let done = state.completed.len();
    let total = state.lessons.lessons.len();
    let on_file = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match JsFuture::from(file.text()).await {
                    Ok(text) => parse_lessons(&text.as_string().unwrap_or_default()),
                    Err(_) => Err("the file could not be read".to_string()),
                };
                dispatch.emit(AppAction::LoadLessons(result));
            });
        })
    };
    let current = state
        .lesson
        .as_ref()
        .and_then(|id| state.lessons.lessons.iter().find(|l| &l.id == id));
    html! {
        <aside class="panel lessons-panel" aria-label="Lessons">
            <h2>{ state.lessons.title.clone() }</h2>
            <p class="progress" role="status">{ format!("{done} of {total} done") }</p>
            if let Some(error) = &state.lesson_error {
                <p class="field-error" role="alert">{ format!("Could not load the lessons: {error}. The lessons you had are still here.") }</p>
            }
            if let Some(lesson) = current {
                <section class="current-lesson" aria-label="Current lesson">
                    <h3>{ lesson.title.clone() }</h3>
                    <p>{ lesson.goal.clone() }</p>
                    if let Some(hint) = &lesson.hint {
                        <details><summary>{ "Hint" }</summary><p>{ hint.clone() }</p></details>
                    }
                    <ul class="checks">
                        { for lesson.checks.iter().zip(evaluate(lesson, terminal.log.iter())).map(|(check, ok)| html! {
                            <li class={classes!(ok.then_some("passed"))}>{ if ok { "✓ " } else { "○ " } }{ check.describe() }</li>
                        }) }
                    </ul>
                    if state.completed.contains(&lesson.id) {
                        <p class="passed" role="status">{ "Done!" }</p>
                    }
                </section>
            }
            <ol class="lesson-list">
                { for state.lessons.lessons.iter().map(|lesson| {
                    let id = lesson.id.clone();
                    let dispatch = props.dispatch.clone();
                    let onclick = Callback::from(move |_| {
                        dispatch.emit(AppAction::StartLesson(id.clone()));
                        focus_terminal();
                    });
                    let complete = state.completed.contains(&lesson.id);
                    html! {
                        <li>
                            <button class={classes!("lesson", complete.then_some("complete"))} data-lesson={lesson.id.clone()} {onclick}>
                                <span>{ lesson.title.clone() }</span>
                                <span class="count">{ if complete { "✓ done" } else { "" } }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <label class="file">{ "Load a lesson file (JSON): " }
                <input type="file" accept=".json,application/json" onchange={on_file} />
            </label>
        </aside>
    }
}
