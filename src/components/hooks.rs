//! The page's effects, one named hook each: what the state asks of the
//! browser (timers, saving, storage, loading files), carried out.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::app::preferences::Theme;
use crate::app::state::{Action, AppState, Loadable, SharedTerminal, Timer};
use crate::app::{PREFERENCES_KEY, SESSION_KEY, UNREADABLE_KEY};
use crate::browser::{self, storage};
use crate::teach::lessons::{parse_lessons, PROGRESS_KEY};
use crate::teach::saved::Saved;

/// Saving writes the whole session (mailboxes included), so it is not done
/// on every line: once this many milliseconds after a change, and at once
/// when the page is hidden or left.
const SAVE_DELAY: u32 = 500;

/// Saves the session now; tells the state when the storage refused it.
fn save(terminal: &SharedTerminal, on_failure: &Callback<Action>) {
    let json = Saved::of(&terminal.borrow()).to_json();
    if !storage::set(SESSION_KEY, &json) {
        on_failure.emit(Action::SaveFailed);
    }
}

/// A timer for a state's request: started when the request is new,
/// cancelled when it is replaced.
#[hook]
fn use_timer(request: Option<Timer>, then: Callback<()>) {
    use_effect_with(request, move |request| {
        let timeout = request.map(|timer| {
            Timeout::new(timer.millis.min(u64::from(u32::MAX)) as u32, move || {
                then.emit(())
            })
        });
        move || drop(timeout)
    });
}

/// A server pause, the replay's typing and a large paste's pieces each
/// run on a timer.
#[hook]
pub fn use_timers(state: &AppState, act: &Callback<Action>) {
    use_timer(state.wait, {
        let act = act.clone();
        Callback::from(move |_| act.emit(Action::Resume(browser::now())))
    });
    use_timer(state.tick, {
        let act = act.clone();
        Callback::from(move |_| act.emit(Action::Tick(browser::now())))
    });
    let paste_step = state.paste.as_ref().map(|(_, next)| Timer {
        id: *next as u64,
        millis: 0,
    });
    use_timer(paste_step, {
        let act = act.clone();
        Callback::from(move |_| act.emit(Action::PasteNext(browser::now())))
    });
}

/// Saving: soon after a change, and when the page is hidden or left;
/// starting over forgets the stored session, and a stored session that
/// could not be read is set aside, once.
#[hook]
pub fn use_saving(state: &AppState, act: &Callback<Action>) {
    let generation = state.terminal.borrow().generation();
    let saved = use_mut_ref(|| generation);
    let save_timer = use_mut_ref(|| None::<Timeout>);
    let save_pending = use_memo((), |_| Rc::new(Cell::new(false)));
    {
        let (terminal, act, saved, save_timer, pending) = (
            state.terminal.clone(),
            act.clone(),
            Rc::clone(&saved),
            Rc::clone(&save_timer),
            Rc::clone(&*save_pending),
        );
        let ephemeral = state.ephemeral;
        use_effect_with(generation, move |generation| {
            if !ephemeral && *saved.borrow() != *generation && !pending.replace(true) {
                let timer = Rc::clone(&save_timer);
                *save_timer.borrow_mut() = Some(Timeout::new(SAVE_DELAY, move || {
                    if pending.replace(false) {
                        *saved.borrow_mut() = terminal.borrow().generation();
                        save(&terminal, &act);
                    }
                    timer.borrow_mut().take();
                }));
            }
        });
    }
    {
        let (terminal, act, pending) = (
            state.terminal.clone(),
            act.clone(),
            Rc::clone(&*save_pending),
        );
        use_effect_with((), move |_| {
            let listener = browser::on_hide(move || {
                if pending.replace(false) {
                    save(&terminal, &act);
                }
            });
            move || drop(listener)
        });
    }
    use_effect_with(state.starts_over, move |starts| {
        if *starts > 0 {
            storage::remove(SESSION_KEY);
            storage::remove(UNREADABLE_KEY);
            *saved.borrow_mut() = generation;
        }
    });
    use_effect_with(state.unreadable_session.clone(), |unreadable| {
        if let Some(text) = unreadable {
            storage::set(UNREADABLE_KEY, text);
            storage::remove(SESSION_KEY);
        }
    });
}

/// The theme belongs to the whole page; preferences are kept once
/// changed, and lesson progress as lessons are completed.
#[hook]
pub fn use_storage_sync(state: &AppState) {
    let first_preferences = use_mut_ref(|| Some(state.preferences));
    use_effect_with(state.preferences, move |preferences| {
        let theme = preferences.theme;
        browser::set_root_attribute("data-theme", (theme != Theme::System).then_some(theme.id()));
        if first_preferences.borrow_mut().take() != Some(*preferences) {
            storage::set(PREFERENCES_KEY, &preferences.to_json());
        }
    });
    use_effect_with(state.lessons.completed.clone(), |completed| {
        if !completed.is_empty() {
            storage::set(PROGRESS_KEY, &completed.join("\n"));
        }
    });
}

/// Explain mode's texts load when it is first turned on.
#[hook]
pub fn use_explanations(state: &AppState, act: &Callback<Action>) {
    let act = act.clone();
    let wanted = state.explain && matches!(state.explanations, Loadable::NotLoaded);
    use_effect_with(wanted, move |wanted| {
        if *wanted {
            act.emit(Action::ExplanationsLoading);
            wasm_bindgen_futures::spawn_local(async move {
                let result = browser::fetch_text("explain.json").await;
                act.emit(Action::ExplanationsLoaded(result));
            });
        }
    });
}

/// A teacher's lesson file named in the address (same site only: the
/// page's policy allows no other).
#[hook]
pub fn use_lesson_file(state: &AppState, act: &Callback<Action>) {
    let act = act.clone();
    use_effect_with(state.lessons_url.clone(), move |url| {
        if let Some(url) = url.clone() {
            wasm_bindgen_futures::spawn_local(async move {
                let result = browser::fetch_text(&url)
                    .await
                    .and_then(|text| parse_lessons(&text))
                    .map(Rc::new);
                act.emit(Action::LessonsLoaded(result));
            });
        }
    });
}
