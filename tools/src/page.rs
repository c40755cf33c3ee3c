//! The tools' state, their loop, and their side of the conversation with
//! the page. The page calls [`update`] after each change; the tools keep
//! their panel in the element the page gives them.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use smtplab_engine::explain::Explanations;
use smtplab_engine::json::{self, Value};
use smtplab_engine::ReplyKey;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::browser::fetch_text;
use crate::console::lessons::{self, LessonFile, PROGRESS_KEY};
use crate::console::log::{self, LogEvent, LOG_LIMIT};
use crate::parameters::Parameters;
use crate::view::{Mounted, Node};
use crate::{explain_panel, lessons_panel, share_panel};

// The page's side (its module is `window.smtplab`, set by boot.js).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = smtplab)]
    fn page_log(seen: f64) -> String;
    #[wasm_bindgen(js_namespace = smtplab)]
    pub fn page_share_state() -> String;
    #[wasm_bindgen(js_namespace = smtplab)]
    pub fn page_export(kind: &str) -> String;
    #[wasm_bindgen(js_namespace = smtplab)]
    pub fn page_use_lesson(world: &str, personality: &str, goal: &str);
    #[wasm_bindgen(js_namespace = smtplab)]
    pub fn page_replay(lines: &str, start_over: bool);
}

/// The line explain mode shows.
pub struct Explained {
    pub text: String,
    pub server: bool,
    pub key: Option<ReplyKey>,
    pub echo: Option<String>,
}

pub struct State {
    /// `lessons`, `share`, `explain`, or empty.
    pub panel: String,
    pub lessons: Rc<LessonFile>,
    pub lesson: Option<String>,
    pub completed: Vec<String>,
    pub lesson_error: Option<String>,
    /// What happened in the terminal, as far as the page has told.
    pub log: VecDeque<LogEvent>,
    logged: u64,
    checked: u64,
    pub share_link: String,
    pub explained: Option<Explained>,
    pub explanations: Option<Rc<Explanations>>,
    pub explanations_error: Option<String>,
    explanations_loading: bool,
}

pub enum Action {
    LoadLessons(Result<LessonFile, String>),
    StartLesson(String),
    ShareLink(String),
    LoadExplanations(Result<String, String>),
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
    /// The element the page gave for the panel, and what is drawn in it.
    static HOST: RefCell<Option<(Element, Mounted)>> = const { RefCell::new(None) };
    static QUEUE: RefCell<VecDeque<Action>> = const { RefCell::new(VecDeque::new()) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
    static PENDING: RefCell<Option<(String, Option<Element>, String)>> = const { RefCell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn first_state() -> State {
    let lessons = lessons::parse_lessons(lessons::BUILT_IN).unwrap_or(LessonFile {
        title: String::new(),
        lessons: Vec::new(),
    });
    let parameters = Parameters::from_location();
    let lesson = parameters
        .get("lesson")
        .filter(|id| lessons.lessons.iter().any(|l| l.id == *id))
        .map(str::to_string);
    if let Some(url) = parameters.get("lessons").map(str::to_string) {
        // A teacher's lessons (same origin: the page's policy allows no other).
        fetch_text(
            url,
            Box::new(|result| {
                dispatch(Action::LoadLessons(
                    result.and_then(|text| lessons::parse_lessons(&text)),
                ))
            }),
        );
    }
    let completed = storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .map(|text| {
            text.split('\n')
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    State {
        panel: String::new(),
        lessons: Rc::new(lessons),
        lesson,
        completed,
        lesson_error: None,
        log: VecDeque::new(),
        logged: 0,
        checked: u64::MAX,
        share_link: String::new(),
        explained: None,
        explanations: None,
        explanations_error: None,
        explanations_loading: false,
    }
}

/// The page changed: which tools panel is open (`""` for none), the
/// element to draw it in, and what it needs to know (JSON: the line
/// explain mode shows).
#[wasm_bindgen]
pub fn update(panel: &str, host: Option<Element>, context: &str) {
    // The page may call while the tools are busy (a lesson started from
    // the panel): the newest update waits for the current action.
    PENDING.with(|p| *p.borrow_mut() = Some((panel.to_string(), host, context.to_string())));
    run();
}

/// Applies the page's latest update and the queued actions, one at a time.
fn run() {
    if BUSY.with(|b| b.replace(true)) {
        return;
    }
    loop {
        if let Some((panel, host, context)) = PENDING.with(|p| p.borrow_mut().take()) {
            apply_update(&panel, host, &context);
            continue;
        }
        let Some(action) = QUEUE.with(|q| q.borrow_mut().pop_front()) else {
            break;
        };
        STATE.with(|s| {
            if let Some(state) = s.borrow_mut().as_mut() {
                reduce(state, action);
            }
        });
        render();
    }
    BUSY.with(|b| b.set(false));
}

fn apply_update(panel: &str, host: Option<Element>, context: &str) {
    let context = json::parse(context).unwrap_or(Value::Null);
    // Replies are named by index; a page from another build (a stale copy
    // in some cache) may number them otherwise, and then none is named.
    let same_keys =
        context.get("keys").and_then(Value::as_u64) == Some(u64::from(ReplyKey::DIGEST));
    let explained = context.get("explained").and_then(|line| {
        let text = |name| line.get(name).and_then(Value::as_str);
        Some(Explained {
            text: text("text")?.to_string(),
            server: text("kind") == Some("server"),
            key: line
                .get("key")
                .and_then(Value::as_u64)
                .filter(|_| same_keys)
                .and_then(|i| ReplyKey::from_index(i as usize)),
            echo: text("echo").map(str::to_string),
        })
    });
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        let state = state.get_or_insert_with(first_state);
        state.panel = panel.to_string();
        state.explained = explained;
        if panel != "share" {
            state.share_link.clear();
        }
        let logged = context.get("logged").and_then(Value::as_u64).unwrap_or(0);
        follow_log(state, logged);
    });
    HOST.with(|h| {
        let mut current = h.borrow_mut();
        let same = match (&*current, &host) {
            (Some((old, _)), Some(new)) => old == new,
            (None, None) => true,
            _ => false,
        };
        if !same {
            if let Some((old, mounted)) = current.take() {
                mounted.remove(&old);
            }
        }
    });
    if let Some(host) = host.filter(|_| !panel.is_empty()) {
        HOST.with(|h| {
            let mut current = h.borrow_mut();
            if current.is_none() {
                let mounted = Mounted::create(Node::Empty);
                let _ = host.append_child(mounted.dom());
                *current = Some((host, mounted));
            }
        });
    }
    render();
}

/// Follows the page's log up to `logged` events (a count of all ever
/// logged, which the page passes with each update; only new events are
/// asked for), and marks the lessons whose checks now pass as completed.
fn follow_log(state: &mut State, logged: u64) {
    if logged < state.logged {
        // The page started over: its new log is read from the start.
        state.log.clear();
        state.logged = 0;
        state.checked = u64::MAX;
    }
    if logged != state.logged {
        let answer = json::parse(&page_log(state.logged as f64)).unwrap_or(Value::Null);
        if let Some(now) = answer.get("logged").and_then(Value::as_u64) {
            state.log.extend(
                answer
                    .get("events")
                    .map(log::from_value)
                    .unwrap_or_default(),
            );
            while state.log.len() > LOG_LIMIT {
                state.log.pop_front();
            }
            state.logged = now;
        }
    }
    if state.checked == state.logged {
        return;
    }
    state.checked = state.logged;
    let before = state.completed.len();
    for lesson in &state.lessons.lessons {
        if !state.completed.contains(&lesson.id)
            && lessons::evaluate(lesson, state.log.iter())
                .iter()
                .all(|&ok| ok)
        {
            state.completed.push(lesson.id.clone());
        }
    }
    if state.completed.len() != before {
        if let Some(storage) = storage() {
            let _ = storage.set_item(PROGRESS_KEY, &state.completed.join("\n"));
        }
    }
}

/// Queues an action of the tools' own; the panel is drawn again after.
pub fn dispatch(action: Action) {
    QUEUE.with(|q| q.borrow_mut().push_back(action));
    run();
}

fn reduce(state: &mut State, action: Action) {
    match action {
        Action::LoadLessons(Ok(file)) => {
            state.lessons = Rc::new(file);
            state.lesson = None;
            state.lesson_error = None;
            state.checked = u64::MAX;
            let logged = state.logged;
            follow_log(state, logged);
        }
        Action::LoadLessons(Err(error)) => state.lesson_error = Some(error),
        Action::StartLesson(id) => {
            if let Some(lesson) = state.lessons.lessons.iter().find(|l| l.id == id) {
                let world = lesson
                    .world
                    .as_ref()
                    .map(|w| w.to_value().to_json())
                    .unwrap_or_default();
                let personality = lesson.personality.clone().unwrap_or_default();
                let goal = lesson.goal.clone();
                state.lesson = Some(id);
                // The page calls back (update) once it has drawn the change.
                page_use_lesson(&world, &personality, &goal);
            }
        }
        Action::ShareLink(link) => state.share_link = link,
        Action::LoadExplanations(result) => {
            state.explanations_loading = false;
            match result.and_then(|text| Explanations::from_json(&text)) {
                Ok(explanations) => state.explanations = Some(Rc::new(explanations)),
                Err(error) => state.explanations_error = Some(error),
            }
        }
    }
}

/// Draws the open panel into the page's element.
fn render() {
    let node = STATE.with(|s| {
        let mut state = s.borrow_mut();
        let state = state.as_mut()?;
        if state.panel == "explain"
            && state.explanations.is_none()
            && state.explanations_error.is_none()
            && !state.explanations_loading
        {
            // Explain mode's texts load when it is first used.
            state.explanations_loading = true;
            fetch_text(
                "explain.json".to_string(),
                Box::new(|result| dispatch(Action::LoadExplanations(result))),
            );
        }
        Some(match state.panel.as_str() {
            "lessons" => lessons_panel::view(state),
            "share" => share_panel::view(state),
            "explain" => explain_panel::view(state),
            _ => Node::Empty,
        })
    });
    let Some(node) = node else { return };
    HOST.with(|h| {
        if let Some((host, mounted)) = h.borrow_mut().as_mut() {
            mounted.patch(node, host);
        }
    });
}
