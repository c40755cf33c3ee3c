//! The app state and the actions that change it (a reducer).
//!
//! The terminal model does the work; this layer routes intents to it,
//! keeps the view's preferences, and loads and saves the session in the
//! browser's storage.

use std::cell::RefCell;
use std::rc::Rc;

use smtplab_engine::personality::SENDMAIL_8_13_8;
use smtplab_engine::{Personality, Timestamp, World};

use crate::components::settings_panel::Form;
use crate::console::player::Player;
use crate::console::saved::Saved;
use crate::console::share::{typed_from_script, Shared};
use crate::console::{Key, Terminal};
use crate::parameters::{Parameters, MAX_PARAMETER_LENGTH};

/// Where the session is kept in `localStorage`.
pub const SESSION_KEY: &str = "smtplab.session";
/// Where an unreadable session is set aside, for the curious.
pub const UNREADABLE_KEY: &str = "smtplab.session.unreadable";
/// The view's preferences (theme, font size).
pub const PREFERENCES_KEY: &str = "smtplab.preferences";
/// A paste larger than this is handed to the terminal in pieces of about
/// this size, one per task, so the page keeps answering during a 10 MB paste.
pub const PASTE_CHUNK: usize = 64 * 1024;

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
    Lessons,
    Share,
    Explain,
}

/// A line of the scrollback: (block id, index in the block).
pub type LineRef = (u64, usize);

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
    /// Forget everything stored and start over.
    StartOver,
    ToggleExplain,
    /// Explain this line (explain mode).
    Explain(LineRef),
    /// A lesson was started (by the tools module): its world and
    /// personality, if it names them, and its goal.
    UseLesson {
        world: Option<World>,
        personality: Option<&'static Personality>,
        goal: String,
    },
    /// Play these typed lines; `paused` waits for Play.
    Replay {
        lines: Vec<String>,
        paused: bool,
    },
    /// The replay's timer ran out.
    Tick,
    PlayPause,
    Step,
    SetSpeed(usize),
    StopReplay,
    /// The next piece of a large paste.
    PasteNext,
    /// Something outside an action changed the terminal: draw it.
    Refresh,
    /// The tools module could not be loaded.
    ToolsFailed(String),
    /// The key bar's Ctrl: the next letter typed is a control key.
    ToggleCtrl,
    /// The transcript went to the clipboard.
    Copied,
    /// The mailbox panel: open a user's mailbox, or one of its messages.
    OpenMailbox(String),
    OpenMessage(usize),
    /// The settings form: a field changed, Apply, or the tutorial's values.
    EditSetting(fn(&mut Form, String), String),
    ApplySettings,
    SettingsDefaults,
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
    /// Explain mode: server replies and client commands can be opened.
    pub explain: bool,
    pub explained: Option<LineRef>,
    /// Loaded when explain mode is first turned on, not on a first visit.
    pub player: Option<Player>,
    /// The replay's next tick: (which tick, milliseconds).
    pub tick: Option<(u64, u64)>,
    /// Embedded without toolbar and panels.
    pub compact: bool,
    /// A session opened from a link or an embed: not restored from, nor
    /// saved to, the learner's own stored session.
    pub ephemeral: bool,
    /// A large paste still being typed: its pieces, and the next one.
    pub paste: Option<(Rc<Vec<String>>, usize)>,
    /// The key bar's Ctrl is held for the next letter.
    pub ctrl_held: bool,
    /// "Copy transcript" was used.
    pub copied: bool,
    pub mail_user: Option<String>,
    pub mail_message: Option<usize>,
    /// The settings form while its panel is open, its errors by field,
    /// and whether it was just applied.
    pub form: Form,
    pub form_errors: Vec<(&'static str, String)>,
    pub form_saved: bool,
    /// Why the tools module could not be loaded, while its panel is open.
    pub tools_error: Option<String>,
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
        let parameters = Parameters::from_location();
        let (mut font_index, mut theme) = load_preferences();
        let ephemeral =
            parameters.fragment.starts_with("share=") || parameters.get("script").is_some();
        let mut terminal = if ephemeral {
            fresh_terminal()
        } else {
            load_terminal()
        };
        let mut player = None;
        for name in parameters.too_long() {
            terminal.notice(&format!("(Ignored the {name} parameter: it is longer than {MAX_PARAMETER_LENGTH} characters.)"));
        }
        if let Some(value) = parameters.get("theme") {
            theme = Theme::from_id(value);
        }
        if let Some(size) = parameters.get("font").and_then(|f| f.parse::<u32>().ok()) {
            if let Some(index) = FONT_SIZES.iter().position(|s| *s >= size) {
                font_index = index;
            }
        }
        let mut world = terminal.world().clone();
        let mut personality = terminal.personality();
        if let Some(value) = parameters.get("world") {
            match value {
                "tutorial" => world = World::tutorial(),
                "corpus" => world = World::corpus(),
                json => match World::from_json(json) {
                    Ok(parsed) => world = parsed,
                    Err(e) => terminal.notice(&format!("(Ignored the world parameter: {e})")),
                },
            }
        }
        if let Some(id) = parameters.get("personality") {
            match Personality::by_id(id) {
                Some(p) => personality = p,
                None => {
                    terminal.notice("(Ignored the personality parameter: no such personality.)")
                }
            }
        }
        let autoplay = parameters.get("autoplay").is_some_and(|v| v != "0");
        if let Some(fragment) = parameters.fragment.strip_prefix("share=") {
            match Shared::decode(fragment) {
                Ok(shared) => {
                    if let Some(shared_world) = shared.world {
                        world = shared_world;
                    }
                    if let Some(p) = shared.personality.as_deref().and_then(Personality::by_id) {
                        personality = p;
                    }
                    terminal.notice("(Opening a shared session: it plays itself below.)");
                    let mut shared_player = Player::new(shared.typed, false);
                    if !autoplay {
                        // A shared session opens as it was: typed at once.
                        shared_player.speed = crate::console::player::SPEEDS.len() - 1;
                    }
                    player = Some(shared_player);
                }
                Err(e) => terminal.notice(&format!(
                    "(This link's shared session could not be opened: {e}.)"
                )),
            }
        } else if let Some(script) = parameters.get("script") {
            player = Some(Player::new(typed_from_script(script), !autoplay));
        }
        if let (Some(player), Some(speed)) = (player.as_mut(), parameters.get("speed")) {
            if let Some(index) = crate::console::player::SPEEDS
                .iter()
                .position(|(name, _)| name.trim_end_matches('×') == speed)
            {
                player.speed = index;
            }
        }
        terminal.configure(world, personality);
        // A link that names a lesson, or a teacher's lesson file, opens the
        // Lessons panel (the tools module reads which).
        let lessons = parameters.get("lesson").is_some() || parameters.get("lessons").is_some();
        let tick = player.as_ref().filter(|p| !p.paused).map(|_| (0, 400));
        AppState {
            terminal: Rc::new(RefCell::new(terminal)),
            version: 0,
            wait: None,
            font_index,
            theme,
            panel: if lessons { Panel::Lessons } else { Panel::None },
            explain: false,
            explained: None,
            player,
            tick,
            compact: parameters.get("compact").is_some_and(|v| v != "0"),
            ephemeral,
            paste: None,
            ctrl_held: false,
            copied: false,
            mail_user: None,
            mail_message: None,
            form: Form::default(),
            form_errors: Vec::new(),
            form_saved: false,
            tools_error: None,
        }
    }

    pub fn font_size(&self) -> u32 {
        FONT_SIZES.get(self.font_index).copied().unwrap_or(16)
    }
}

impl AppState {
    /// The state after `action`.
    pub fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let now = now();
        let mut next = (*self).clone();
        next.version += 1;
        self.terminal.borrow_mut().take_pending_wait();
        let action = match action {
            // Ctrl on the key bar, then a letter from the keyboard.
            AppAction::Type(text) if self.ctrl_held && text.chars().count() == 1 => {
                AppAction::Press(Key::Ctrl(
                    text.chars().next().unwrap_or(' ').to_ascii_lowercase(),
                ))
            }
            other => other,
        };
        if matches!(action, AppAction::Press(_) | AppAction::Type(_)) {
            next.ctrl_held = false;
        }
        let wait = match action {
            AppAction::Press(key) => self.terminal.borrow_mut().press(key, now),
            AppAction::Type(text) if text.len() > PASTE_CHUNK => {
                next.paste = Some((Rc::new(split_paste(&text)), 0));
                None
            }
            AppAction::Type(text) => self.terminal.borrow_mut().paste(&text, now),
            AppAction::PasteNext => {
                let mut terminal = self.terminal.borrow_mut();
                match &self.paste {
                    Some((pieces, index)) if *index < pieces.len() => {
                        terminal.paste(&pieces[*index], now);
                        next.paste =
                            (index + 1 < pieces.len()).then(|| (Rc::clone(pieces), index + 1));
                    }
                    _ => next.paste = None,
                }
                terminal.take_pending_wait()
            }
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
                if next.panel != self.panel {
                    next.tools_error = None;
                    next.mail_user = None;
                    next.mail_message = None;
                    next.form_errors.clear();
                    next.form_saved = false;
                    if next.panel == Panel::Settings {
                        let terminal = self.terminal.borrow();
                        next.form = Form::from_world(
                            terminal.world(),
                            terminal.personality(),
                            terminal.timing,
                        );
                    }
                }
                None
            }
            AppAction::Refresh => None,
            AppAction::ToolsFailed(error) => {
                next.tools_error = Some(error);
                None
            }
            AppAction::ToggleCtrl => {
                next.ctrl_held = !self.ctrl_held;
                None
            }
            AppAction::Copied => {
                next.copied = true;
                None
            }
            AppAction::OpenMailbox(user) => {
                next.mail_user = Some(user);
                next.mail_message = None;
                None
            }
            AppAction::OpenMessage(index) => {
                next.mail_message = Some(index);
                None
            }
            AppAction::EditSetting(apply, value) => {
                apply(&mut next.form, value);
                next.form_saved = false;
                None
            }
            AppAction::SettingsDefaults => {
                next.form =
                    Form::from_world(&World::tutorial(), &SENDMAIL_8_13_8, self.form.timing);
                None
            }
            AppAction::ApplySettings => {
                let world = self.terminal.borrow().world().clone();
                match self.form.to_world(&world) {
                    Ok((world, personality)) => {
                        next.form_errors.clear();
                        next.form_saved = true;
                        let mut terminal = self.terminal.borrow_mut();
                        terminal.configure(world, personality);
                        terminal.timing = self.form.timing;
                        let message = format!(
                            "(Settings saved: {} as {}. They apply from the next connection.)",
                            personality.label,
                            terminal.world().hostname
                        );
                        terminal.notice(&message);
                    }
                    Err(found) => {
                        next.form_errors = found;
                        next.form_saved = false;
                    }
                }
                None
            }
            AppAction::StartOver => {
                start_over(&self.terminal);
                next.player = None;
                next.tick = None;
                None
            }
            AppAction::ToggleExplain => {
                next.explain = !self.explain;
                next.explained = None;
                if next.explain {
                    next.panel = Panel::Explain;
                } else if self.panel == Panel::Explain {
                    next.panel = Panel::None;
                }
                None
            }
            AppAction::Explain(line) => {
                next.explained = Some(line);
                next.panel = Panel::Explain;
                None
            }
            AppAction::UseLesson {
                world,
                personality,
                goal,
            } => {
                let mut terminal = self.terminal.borrow_mut();
                let world = world.unwrap_or_else(|| terminal.world().clone());
                let personality = personality.unwrap_or(terminal.personality());
                terminal.configure(world, personality);
                terminal.notice(&format!("Lesson: {goal}"));
                None
            }
            AppAction::Replay { lines, paused } => {
                next.player = Some(Player::new(lines, paused));
                next.tick = (!paused).then_some((next.version, 300));
                None
            }
            control @ (AppAction::Tick
            | AppAction::Step
            | AppAction::PlayPause
            | AppAction::SetSpeed(_)
            | AppAction::StopReplay) => {
                let mut player = self.player.clone();
                let mut terminal = self.terminal.borrow_mut();
                let mut delay = None;
                match (&control, player.as_mut()) {
                    (AppAction::Tick, Some(p)) => delay = p.tick(&mut terminal, now),
                    (AppAction::Step, Some(p)) => {
                        p.paused = true;
                        p.step(&mut terminal, now);
                    }
                    (AppAction::PlayPause, Some(p)) => {
                        p.paused = !p.paused;
                        if !p.paused {
                            delay = Some(50);
                        }
                    }
                    (AppAction::SetSpeed(index), Some(p)) => {
                        p.speed = *index;
                        delay = (!p.paused).then_some(50);
                    }
                    (AppAction::StopReplay, _) => player = None,
                    _ => {}
                }
                next.tick = delay.map(|ms| (next.version, ms));
                next.player = player;
                // Typing may have started a server pause.
                terminal.take_pending_wait()
            }
        };
        if self.terminal.borrow().reset_requested {
            start_over(&self.terminal);
            next.wait = None;
            next.player = None;
            next.tick = None;
        }
        next.wait = wait
            .map(|millis| (next.version, millis))
            .or(next.wait.filter(|_| self.terminal.borrow().is_waiting()));
        Rc::new(next)
    }
}

/// Cuts a large paste into pieces of about [`PASTE_CHUNK`] bytes, each
/// ending with a line end, so every piece is whole lines.
fn split_paste(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(PASTE_CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let end = match rest[end..].find('\n') {
            Some(newline) if end < rest.len() => end + newline + 1,
            _ => rest.len(),
        };
        pieces.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    pieces
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
