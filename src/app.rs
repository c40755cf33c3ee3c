//! The app state and the actions that change it (a Yew reducer).
//!
//! The terminal model does the work; this layer only routes intents to it
//! and remembers whether the view must schedule a pause.

use std::cell::RefCell;
use std::rc::Rc;

use smtplab_engine::personality::SENDMAIL_8_13_8;
use smtplab_engine::{Timestamp, World};
use yew::Reducible;

use crate::console::{Key, Terminal};

/// Intents from the view.
pub enum AppAction {
    Press(Key),
    Type(String),
    /// A server pause has run out.
    Resume,
}

#[derive(Clone)]
pub struct AppState {
    /// Shared, not cloned: the scrollback can hold 100,000 lines.
    pub terminal: Rc<RefCell<Terminal>>,
    /// Changes whenever the terminal does, so the view knows to redraw.
    pub version: u64,
    /// A pause to wait before resuming: (which pause, milliseconds).
    pub wait: Option<(u64, u64)>,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.terminal, &other.terminal)
    }
}

/// Now, in the browser's time zone.
pub fn now() -> Timestamp {
    let date = js_sys::Date::new_0();
    let seconds = (date.get_time() / 1000.0) as i64;
    let offset = -(date.get_timezone_offset() as i32);
    Timestamp::new(seconds, offset)
}

impl AppState {
    pub fn new() -> AppState {
        let seed = (js_sys::Math::random() * 1_000_000.0) as u32;
        AppState {
            terminal: Rc::new(RefCell::new(Terminal::new(
                World::tutorial(),
                &SENDMAIL_8_13_8,
                seed,
            ))),
            version: 0,
            wait: None,
        }
    }
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let now = now();
        let wait = {
            let mut terminal = self.terminal.borrow_mut();
            match action {
                AppAction::Press(key) => terminal.press(key, now),
                AppAction::Type(text) => terminal.paste(&text, now),
                AppAction::Resume => terminal.resume(now),
            }
        };
        let version = self.version + 1;
        Rc::new(AppState {
            terminal: Rc::clone(&self.terminal),
            version,
            wait: wait
                .map(|millis| (version, millis))
                .or(self.wait.filter(|_| self.terminal.borrow().is_waiting())),
        })
    }
}
