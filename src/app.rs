//! The app state and the actions that change it (a Yew reducer).
//!
//! The terminal model does the work; this layer routes intents to it,
//! keeps the view's preferences, and loads and saves the session in the
//! browser's storage.

use std::cell::RefCell;
use std::rc::Rc;

use smtplab_engine::personality::SENDMAIL_8_13_8;
use smtplab_engine::{Personality, Timestamp, World};
use yew::Reducible;

use crate::console::saved::Saved;
use crate::console::{Key, Terminal};

/// Where the session is kept in `localStorage`.
pub const SESSION_KEY: &str = "smtplab.session";
/// Where an unreadable session is set aside, for the curious.
pub const UNREADABLE_KEY: &str = "smtplab.session.unreadable";
/// The view's preferences (theme, font size).
pub const PREFERENCES_KEY: &str = "smtplab.preferences";

/// Font sizes offered, in CSS pixels; projectors need the large ones.
pub const FONT_SIZES: &[u32] = &[12, 14, 16, 18, 20, 24, 28, 32, 40];
const DEFAULT_FONT_INDEX: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
    HighContrast,
}

impl Theme {
    pub const ALL: [Theme; 4] = [
        Theme::System,
        Theme::Light,
        Theme::Dark,
        Theme::HighContrast,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::HighContrast => "contrast",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
            Theme::HighContrast => "Theme: high contrast",
        }
    }

    pub fn from_id(id: &str) -> Theme {
        Theme::ALL
            .into_iter()
            .find(|t| t.id() == id)
            .unwrap_or(Theme::System)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    None,
    Mail,
    Settings,
}

/// Intents from the view.
pub enum AppAction {
    Press(Key),
    Type(String),
    /// A server pause has run out.
    Resume,
    FontSmaller,
    FontLarger,
    SetTheme(Theme),
    Show(Panel),
    /// New settings, for the next connection.
    Configure {
        world: World,
        personality: &'static Personality,
        timing: bool,
    },
    /// Forget everything stored and start over.
    StartOver,
}

#[derive(Clone)]
pub struct AppState {
    /// Shared, not cloned: the scrollback can hold 100,000 lines.
    pub terminal: Rc<RefCell<Terminal>>,
    /// Changes whenever the terminal does, so the view knows to redraw.
    pub version: u64,
    /// A pause to wait before resuming: (which pause, milliseconds).
    pub wait: Option<(u64, u64)>,
    pub font_index: usize,
    pub theme: Theme,
    pub panel: Panel,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && Rc::ptr_eq(&self.terminal, &other.terminal)
            && self.font_index == other.font_index
            && self.theme == other.theme
            && self.panel == other.panel
    }
}

/// Now, in the browser's time zone.
pub fn now() -> Timestamp {
    let date = js_sys::Date::new_0();
    let seconds = (date.get_time() / 1000.0) as i64;
    let offset = -(date.get_timezone_offset() as i32);
    Timestamp::new(seconds, offset)
}

pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn fresh_terminal() -> Terminal {
    let seed = (js_sys::Math::random() * 1_000_000.0) as u32;
    Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, seed)
}

fn welcome(terminal: &mut Terminal) {
    terminal.notice("Welcome to SMTP Lab. Type: telnet mail.example.com smtp  (or help)");
}

/// The terminal as it was before the reload, or a fresh one with a note
/// when the stored session cannot be read.
fn load_terminal() -> Terminal {
    let mut terminal = fresh_terminal();
    let stored = storage().and_then(|s| s.get_item(SESSION_KEY).ok().flatten());
    match stored {
        None => welcome(&mut terminal),
        Some(text) => match Saved::from_json(&text) {
            Ok(saved) => {
                terminal.restore(saved);
                terminal.notice("(Session restored after a reload. The connection was closed; type `reset` to start over.)");
            }
            Err(reason) => {
                if let Some(storage) = storage() {
                    let _ = storage.set_item(UNREADABLE_KEY, &text);
                    let _ = storage.remove_item(SESSION_KEY);
                }
                welcome(&mut terminal);
                terminal.notice(&format!(
                    "Your saved session could not be restored: {reason}. It was set aside (browser storage key {UNREADABLE_KEY}) and a new session started."
                ));
            }
        },
    }
    terminal
}

thread_local! {
    /// Whether the last save failed (reported once, not on every line).
    static SAVE_FAILED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Saves the session; a full storage is reported once, in the terminal.
pub fn save(terminal: &mut Terminal) {
    let Some(storage) = storage() else { return };
    let json = terminal.to_saved().to_json();
    let failed = storage.set_item(SESSION_KEY, &json).is_err();
    if failed && !SAVE_FAILED.with(|f| f.get()) {
        terminal.notice("(The browser's storage is full: this session will not survive a reload.)");
    }
    SAVE_FAILED.with(|f| f.set(failed));
}

fn load_preferences() -> (usize, Theme) {
    let text = storage()
        .and_then(|s| s.get_item(PREFERENCES_KEY).ok().flatten())
        .unwrap_or_default();
    let mut font_index = DEFAULT_FONT_INDEX;
    let mut theme = Theme::System;
    for part in text.split(';') {
        match part.split_once('=') {
            Some(("font", value)) => {
                if let Some(index) = FONT_SIZES.iter().position(|s| s.to_string() == value) {
                    font_index = index;
                }
            }
            Some(("theme", value)) => theme = Theme::from_id(value),
            _ => {}
        }
    }
    (font_index, theme)
}

fn save_preferences(font_index: usize, theme: Theme) {
    if let Some(storage) = storage() {
        let size = FONT_SIZES.get(font_index).copied().unwrap_or(16);
        let _ = storage.set_item(
            PREFERENCES_KEY,
            &format!("font={size};theme={}", theme.id()),
        );
    }
}

impl AppState {
    pub fn new() -> AppState {
        let (font_index, theme) = load_preferences();
        AppState {
            terminal: Rc::new(RefCell::new(load_terminal())),
            version: 0,
            wait: None,
            font_index,
            theme,
            panel: Panel::None,
        }
    }

    pub fn font_size(&self) -> u32 {
        FONT_SIZES.get(self.font_index).copied().unwrap_or(16)
    }
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let now = now();
        let mut next = (*self).clone();
        next.version += 1;
        let wait = match action {
            AppAction::Press(key) => self.terminal.borrow_mut().press(key, now),
            AppAction::Type(text) => self.terminal.borrow_mut().paste(&text, now),
            AppAction::Resume => self.terminal.borrow_mut().resume(now),
            AppAction::FontSmaller | AppAction::FontLarger | AppAction::SetTheme(_) => {
                match action {
                    AppAction::FontSmaller => next.font_index = next.font_index.saturating_sub(1),
                    AppAction::FontLarger => {
                        next.font_index = (next.font_index + 1).min(FONT_SIZES.len() - 1)
                    }
                    AppAction::SetTheme(theme) => next.theme = theme,
                    _ => {}
                }
                save_preferences(next.font_index, next.theme);
                None
            }
            AppAction::Show(panel) => {
                next.panel = if self.panel == panel {
                    Panel::None
                } else {
                    panel
                };
                None
            }
            AppAction::Configure {
                world,
                personality,
                timing,
            } => {
                let mut terminal = self.terminal.borrow_mut();
                terminal.configure(world, personality);
                terminal.timing = timing;
                let message = format!(
                    "(Settings saved: {} as {}. They apply from the next connection.)",
                    personality.label,
                    terminal.world().hostname
                );
                terminal.notice(&message);
                None
            }
            AppAction::StartOver => {
                start_over(&self.terminal);
                None
            }
        };
        if self.terminal.borrow().reset_requested {
            start_over(&self.terminal);
            next.wait = None;
        }
        next.wait = wait
            .map(|millis| (next.version, millis))
            .or(next.wait.filter(|_| self.terminal.borrow().is_waiting()));
        Rc::new(next)
    }
}

fn start_over(terminal: &RefCell<Terminal>) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(SESSION_KEY);
        let _ = storage.remove_item(UNREADABLE_KEY);
    }
    let mut fresh = fresh_terminal();
    fresh.notice("Started over: the screen, history, mailboxes and settings are cleared.");
    *terminal.borrow_mut() = fresh;
}
