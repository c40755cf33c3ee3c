//! The app state and the actions that change it: a pure reducer. The clock,
//! randomness and the browser's storage stay outside: the time comes in
//! with the actions that need it, a seed with the start-up values, and what
//! must reach the browser (timers, saving, the theme) is read off the state
//! by the components' effects.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use smtplab_engine::explain::Explanations;
use smtplab_engine::personality::SENDMAIL_8_13_8;
use smtplab_engine::{Personality, Timestamp, World};

use super::explain_view::{explain_view, ExplainView, Explained};
use super::parameters::{Parameters, MAX_PARAMETER_LENGTH};
use super::paste::{split_paste, PASTE_CHUNK};
use super::preferences::{Preferences, Theme};
use super::settings::{Field, FieldError, Form};
use crate::teach::lessons::{self, LessonFile, Progress};
use crate::teach::player::{Player, SPEEDS};
use crate::teach::saved::Saved;
use crate::teach::share::{typed_from_script, Shared};
use crate::terminal::scrollback::LineKind;
use crate::terminal::{Key, Terminal};

/// The terminal, shared between states rather than copied: it holds up to
/// 100,000 lines of scrollback and every mailbox. Only the reducer changes
/// it; [`Terminal::version`] tells the view what changed.
#[derive(Clone)]
pub struct SharedTerminal(Rc<RefCell<Terminal>>);

impl SharedTerminal {
    pub fn new(terminal: Terminal) -> SharedTerminal {
        SharedTerminal(Rc::new(RefCell::new(terminal)))
    }

    pub fn borrow(&self) -> Ref<'_, Terminal> {
        self.0.borrow()
    }

    fn borrow_mut(&self) -> RefMut<'_, Terminal> {
        self.0.borrow_mut()
    }
}

impl PartialEq for SharedTerminal {
    fn eq(&self, other: &SharedTerminal) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
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

/// A timer the view should start: its number (a new number is a new
/// timer) and how long it runs, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timer {
    pub id: u64,
    pub millis: u64,
}

/// Data fetched when first needed.
#[derive(Clone, Debug, PartialEq)]
pub enum Loadable<T> {
    NotLoaded,
    Loading,
    Loaded(T),
    Failed(String),
}

/// What the page reads from the browser when it starts.
#[derive(Clone, Debug, Default)]
pub struct Startup {
    pub parameters: Parameters,
    /// The stored session, preferences and lesson progress, if any.
    pub session: Option<String>,
    pub preferences: Option<String>,
    pub progress: Option<String>,
    /// Varies what a real server varies between runs (process ids).
    pub seed: u32,
}

/// Intents, from the view and from the effects.
#[derive(Clone, Debug)]
pub enum Action {
    Press(Key, Timestamp),
    /// Text typed or pasted in one go.
    Type(String, Timestamp),
    /// A server pause has run out.
    Resume(Timestamp),
    /// The next piece of a large paste.
    PasteNext(Timestamp),
    FontSmaller,
    FontLarger,
    SetTheme(Theme),
    /// Opens a panel, or closes it if it is open.
    Show(Panel),
    /// Forget everything stored and start over.
    StartOver(Timestamp),
    ToggleExplain,
    /// Explain this line (explain mode).
    Explain(LineRef),
    ExplanationsLoading,
    /// The explanations' JSON, or why it could not be fetched.
    ExplanationsLoaded(Result<String, String>),
    /// A teacher's lesson file arrived (or could not be read).
    LessonsLoaded(Result<Rc<LessonFile>, String>),
    StartLesson(String),
    /// Play these typed lines; `paused` waits for Play; `fresh` starts over
    /// first.
    Replay {
        lines: Vec<String>,
        paused: bool,
        fresh: Option<Timestamp>,
    },
    /// The replay's timer ran out.
    Tick(Timestamp),
    PlayPause,
    Step(Timestamp),
    SetSpeed(usize),
    StopReplay,
    /// The key bar's Ctrl: the next letter typed is a control key.
    ToggleCtrl,
    /// The transcript went to the clipboard.
    Copied,
    OpenMailbox(String),
    OpenMessage(usize),
    EditSetting(Field, String),
    ApplySettings,
    SettingsDefaults,
    /// A share link was made (and copied).
    ShareLink(String),
    /// The browser's storage refused to save the session.
    SaveFailed,
}

impl Action {
    /// The time the action happened, for those that carry it.
    fn time(&self) -> Option<Timestamp> {
        match self {
            Action::Press(_, now)
            | Action::Type(_, now)
            | Action::Resume(now)
            | Action::PasteNext(now)
            | Action::StartOver(now)
            | Action::Tick(now)
            | Action::Step(now) => Some(*now),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct LessonsState {
    pub file: Rc<LessonFile>,
    /// The lesson being worked on.
    pub current: Option<String>,
    /// Lessons whose checks all passed, in the order they did.
    pub completed: Vec<String>,
    /// Why a teacher's file could not be used.
    pub error: Option<String>,
    /// Every lesson's checks, followed event by event.
    progress: Progress,
    /// How many of the terminal's log events `progress` has seen.
    observed: u64,
}

/// The lesson file is compared by identity: a new file is a new `Rc`, and
/// the page need not carry code that compares lessons field by field.
impl PartialEq for LessonsState {
    fn eq(&self, other: &LessonsState) -> bool {
        Rc::ptr_eq(&self.file, &other.file)
            && self.current == other.current
            && self.completed == other.completed
            && self.error == other.error
            && self.progress == other.progress
            && self.observed == other.observed
    }
}

impl LessonsState {
    /// Follows a (new) lesson file from the start of the log.
    fn use_file(&mut self, file: Rc<LessonFile>) {
        self.progress = Progress::new(&file);
        self.file = file;
        self.observed = 0;
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsState {
    pub form: Form,
    pub errors: Vec<FieldError>,
    /// Applied since the panel opened or a field changed.
    pub saved: bool,
}

#[derive(Clone, PartialEq)]
pub struct AppState {
    pub terminal: SharedTerminal,
    /// A server pause to wait out before resuming.
    pub wait: Option<Timer>,
    /// The replay's next step.
    pub tick: Option<Timer>,
    /// A large paste still being typed: its pieces, and the next one.
    pub paste: Option<(Rc<Vec<String>>, usize)>,
    pub preferences: Preferences,
    pub panel: Panel,
    /// Embedded without toolbar and panels.
    pub compact: bool,
    /// A session opened from a link or an embed: not restored from, nor
    /// saved to, the learner's own stored session.
    pub ephemeral: bool,
    /// Explain mode: server replies and client commands can be opened.
    pub explain: bool,
    pub explained: Option<LineRef>,
    pub explanations: Loadable<Rc<Explanations>>,
    pub player: Option<Player>,
    /// The key bar's Ctrl is held for the next letter.
    pub ctrl_held: bool,
    /// "Copy transcript" was used.
    pub copied: bool,
    pub mail_user: Option<String>,
    pub mail_message: Option<usize>,
    pub settings: SettingsState,
    pub lessons: LessonsState,
    pub share_link: Option<String>,
    /// Counts starts over: each asks the view to clear the browser's
    /// stored session.
    pub starts_over: u32,
    /// A stored session that could not be read, to be set aside.
    pub unreadable_session: Option<Rc<String>>,
    /// The lesson file to fetch (`?lessons=`), same site only.
    pub lessons_url: Option<String>,
    /// Timers handed out so far.
    timers: u64,
    save_failed: bool,
}

const WELCOME: &str = "Welcome to SMTP Lab. Type: telnet mail.example.com smtp  (or help)";
/// The pause before a replay types its first line, and after Play.
const REPLAY_START: u64 = 300;
const REPLAY_RESUME: u64 = 50;

fn fresh_terminal(seed: u32) -> Terminal {
    Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, seed)
}

impl AppState {
    /// What explain mode's panel shows: the line chosen, explained with
    /// the texts as far as they have loaded.
    pub fn explain_view(&self) -> ExplainView {
        let terminal = self.terminal.borrow();
        let line = self
            .explained
            .and_then(|(block, index)| terminal.scrollback.line(block, index))
            .map(|line| Explained {
                text: line.text.clone(),
                server: line.kind == LineKind::Server,
                key: line.reply.as_ref().map(|tag| tag.key),
                echo: line.reply.as_ref().and_then(|tag| tag.echo.clone()),
                mail: line.mail,
            });
        explain_view(line.as_ref(), &self.explanations)
    }

    /// The state the page opens with.
    pub fn start(startup: Startup) -> AppState {
        let parameters = &startup.parameters;
        let ephemeral = parameters.shared().is_some() || parameters.get("script").is_some();
        let mut terminal = fresh_terminal(startup.seed);
        let mut unreadable_session = None;
        match startup.session {
            // A session from a link or an embed plays on a bare terminal.
            _ if ephemeral => {}
            None => terminal.notice(WELCOME),
            Some(text) => match Saved::from_json(&text) {
                Ok(saved) => {
                    saved.restore_into(&mut terminal);
                    terminal.notice("(Session restored after a reload. The connection was closed; type `reset` to start over.)");
                }
                Err(reason) => {
                    terminal.notice(WELCOME);
                    terminal.notice(&format!(
                        "Your saved session could not be restored: {reason}. It was set aside (browser storage key {}) and a new session started.",
                        super::UNREADABLE_KEY
                    ));
                    unreadable_session = Some(Rc::new(text));
                }
            },
        }
        for name in parameters.too_long() {
            terminal.notice(&format!("(Ignored the {name} parameter: it is longer than {MAX_PARAMETER_LENGTH} characters.)"));
        }
        let mut preferences = startup
            .preferences
            .as_deref()
            .map(Preferences::from_json)
            .unwrap_or_default();
        if let Some(value) = parameters.get("theme") {
            preferences.theme = Theme::from_id(value);
        }
        if let Some(size) = parameters.get("font").and_then(|f| f.parse::<u32>().ok()) {
            preferences.set_font_size(size);
        }
        let mut world = terminal.world().clone();
        let mut personality = terminal.personality();
        match parameters.get("world") {
            None => {}
            Some("tutorial") => world = World::tutorial(),
            Some("corpus") => world = World::corpus(),
            Some(json) => match World::from_json(json) {
                Ok(parsed) => world = parsed,
                Err(e) => terminal.notice(&format!("(Ignored the world parameter: {e})")),
            },
        }
        if let Some(id) = parameters.get("personality") {
            match Personality::by_id(id) {
                Some(p) => personality = p,
                None => {
                    terminal.notice("(Ignored the personality parameter: no such personality.)")
                }
            }
        }
        let autoplay = parameters.flag("autoplay");
        let mut player = None;
        if let Some(fragment) = parameters.shared() {
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
                        shared_player.speed = SPEEDS.len() - 1;
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
            if let Some(index) = SPEEDS
                .iter()
                .position(|(name, _)| name.trim_end_matches('×') == speed)
            {
                player.speed = index;
            }
        }
        terminal.configure(world, personality);
        // The lessons arrive when the panel first opens (`lessons_url`).
        let file = Rc::new(LessonFile {
            title: "Lessons".to_string(),
            lessons: Vec::new(),
        });
        // The lesson a link names, current once its file has it.
        let current = parameters.get("lesson").map(str::to_string);
        let completed = startup
            .progress
            .as_deref()
            .unwrap_or("")
            .split('\n')
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        // A link that names a lesson, or a teacher's lesson file, opens the
        // Lessons panel.
        let mut lessons_url = parameters.get("lessons").map(str::to_string);
        let panel = if current.is_some() || lessons_url.is_some() {
            lessons_url.get_or_insert_with(|| lessons::BUILT_IN_URL.to_string());
            Panel::Lessons
        } else {
            Panel::None
        };
        let tick = player.as_ref().filter(|p| !p.paused).map(|_| Timer {
            id: 1,
            millis: REPLAY_START,
        });
        let mut state = AppState {
            terminal: SharedTerminal::new(terminal),
            wait: None,
            tick,
            paste: None,
            preferences,
            panel,
            compact: parameters.flag("compact"),
            ephemeral,
            explain: false,
            explained: None,
            explanations: Loadable::NotLoaded,
            player,
            ctrl_held: false,
            copied: false,
            mail_user: None,
            mail_message: None,
            settings: SettingsState::default(),
            lessons: LessonsState {
                progress: Progress::new(&file),
                file,
                current,
                completed,
                error: None,
                observed: 0,
            },
            share_link: None,
            starts_over: 0,
            unreadable_session,
            lessons_url,
            timers: 1,
            save_failed: false,
        };
        state.check_lessons();
        state
    }

    fn timer(&mut self, millis: u64) -> Timer {
        self.timers += 1;
        Timer {
            id: self.timers,
            millis,
        }
    }

    /// Which checks of the current lesson pass, in order.
    pub fn current_checks(&self) -> Vec<bool> {
        let lessons = &self.lessons;
        lessons
            .current
            .as_ref()
            .and_then(|id| lessons.file.lessons.iter().position(|l| &l.id == id))
            .map(|index| lessons.progress.passes(index))
            .unwrap_or_default()
    }

    /// Takes the events logged since the last look into account, and marks
    /// the lessons whose checks now all pass as completed.
    fn check_lessons(&mut self) {
        let terminal = self.terminal.borrow();
        let recorded = terminal.log.recorded();
        let lessons = &mut self.lessons;
        if recorded == lessons.observed {
            return;
        }
        let new = recorded.saturating_sub(lessons.observed);
        let kept = terminal.log.events().len();
        let skip = kept.saturating_sub(usize::try_from(new).unwrap_or(usize::MAX));
        for event in terminal.log.events().skip(skip) {
            lessons.progress.observe(&lessons.file, event);
        }
        lessons.observed = recorded;
        for (index, lesson) in lessons.file.lessons.iter().enumerate() {
            if !lessons.completed.contains(&lesson.id) && lessons.progress.all_pass(index) {
                lessons.completed.push(lesson.id.clone());
            }
        }
    }

    /// A new terminal, as after `reset`; the storage is cleared by the view.
    fn start_over(&mut self, now: Timestamp) {
        let mut fresh = fresh_terminal(now.unix_seconds as u32);
        fresh.notice("Started over: the screen, history, mailboxes and settings are cleared.");
        *self.terminal.borrow_mut() = fresh;
        self.starts_over += 1;
        self.player = None;
        self.tick = None;
        self.wait = None;
        self.paste = None;
        let file = Rc::clone(&self.lessons.file);
        self.lessons.use_file(file);
    }

    /// Types with the replay's timer, and asks for the next step.
    fn control_replay(&mut self, action: Action) -> Option<u64> {
        let mut delay = None;
        let mut terminal = self.terminal.borrow_mut();
        match (action, self.player.as_mut()) {
            (Action::Tick(now), Some(p)) => delay = p.tick(&mut terminal, now),
            (Action::Step(now), Some(p)) => {
                p.paused = true;
                p.step(&mut terminal, now);
            }
            (Action::PlayPause, Some(p)) => {
                p.paused = !p.paused;
                if !p.paused {
                    delay = Some(REPLAY_RESUME);
                }
            }
            (Action::SetSpeed(index), Some(p)) => {
                p.speed = index.min(SPEEDS.len() - 1);
                delay = (!p.paused).then_some(REPLAY_RESUME);
            }
            (Action::StopReplay, _) => self.player = None,
            _ => {}
        }
        drop(terminal);
        let timer = delay.map(|millis| self.timer(millis));
        self.tick = timer;
        // Typing may have started a server pause.
        self.terminal.borrow_mut().take_pending_wait()
    }

    /// Keys, typed and pasted text, and a pause ending: the terminal's. Returns a pause to wait.
    fn terminal_input(&mut self, action: Action) -> Option<u64> {
        match action {
            Action::Press(key, now) => self.terminal.borrow_mut().press(key, now),
            Action::Type(text, _) if text.len() > PASTE_CHUNK => {
                self.paste = Some((Rc::new(split_paste(&text)), 0));
                None
            }
            Action::Type(text, now) => self.terminal.borrow_mut().paste(&text, now),
            Action::PasteNext(now) => {
                let mut terminal = self.terminal.borrow_mut();
                match self.paste.take() {
                    Some((pieces, index)) if index < pieces.len() => {
                        terminal.paste(&pieces[index], now);
                        if index + 1 < pieces.len() {
                            self.paste = Some((pieces, index + 1));
                        }
                    }
                    _ => {}
                }
                terminal.take_pending_wait()
            }
            Action::Resume(now) => self.terminal.borrow_mut().resume(now),
            _ => None,
        }
    }

    /// What the page shows: font, theme, panels, the key bar's Ctrl, the mailbox opened.
    fn view(&mut self, action: Action) {
        match action {
            Action::FontSmaller => {
                self.preferences.smaller();
            }
            Action::FontLarger => {
                self.preferences.larger();
            }
            Action::SetTheme(theme) => {
                self.preferences.theme = theme;
            }
            Action::Show(panel) => {
                let next = if self.panel == panel {
                    Panel::None
                } else {
                    panel
                };
                if next != self.panel {
                    self.mail_user = None;
                    self.mail_message = None;
                    self.settings = SettingsState::default();
                    self.share_link = None;
                    if next == Panel::Lessons && self.lessons_url.is_none() {
                        self.lessons_url = Some(lessons::BUILT_IN_URL.to_string());
                    }
                    if next == Panel::Settings {
                        let terminal = self.terminal.borrow();
                        self.settings.form = Form::from_world(
                            terminal.world(),
                            terminal.personality(),
                            terminal.timing,
                        );
                    }
                }
                self.panel = next;
            }
            Action::ToggleCtrl => {
                self.ctrl_held = !self.ctrl_held;
            }
            Action::Copied => {
                self.copied = true;
            }
            Action::OpenMailbox(user) => {
                self.mail_user = Some(user);
                self.mail_message = None;
            }
            Action::OpenMessage(index) => {
                self.mail_message = Some(index);
            }
            _ => {}
        }
    }

    /// The settings form: edited, reset to the defaults, applied.
    fn edit_settings(&mut self, action: Action) {
        match action {
            Action::EditSetting(field, value) => {
                self.settings.form.set(field, value);
                self.settings.saved = false;
            }
            Action::SettingsDefaults => {
                let timing = self.settings.form.timing;
                self.settings.form = Form::from_world(&World::tutorial(), &SENDMAIL_8_13_8, timing);
            }
            Action::ApplySettings => {
                let base = self.terminal.borrow().world().clone();
                match self.settings.form.to_world(&base) {
                    Ok((world, personality)) => {
                        self.settings.errors.clear();
                        self.settings.saved = true;
                        let mut terminal = self.terminal.borrow_mut();
                        terminal.configure(world, personality);
                        terminal.timing = self.settings.form.timing;
                        let message = format!(
                            "(Settings saved: {} as {}. They apply from the next connection.)",
                            personality.label,
                            terminal.world().hostname
                        );
                        terminal.notice(&message);
                    }
                    Err(errors) => {
                        self.settings.errors = errors;
                        self.settings.saved = false;
                    }
                }
            }
            _ => {}
        }
    }

    /// Explain mode: on and off, the line chosen, its texts loading.
    fn explain_mode(&mut self, action: Action) {
        match action {
            Action::ToggleExplain => {
                self.explain = !self.explain;
                self.explained = None;
                // Turning explain mode off and on tries a failed load again.
                if matches!(self.explanations, Loadable::Failed(_)) {
                    self.explanations = Loadable::NotLoaded;
                }
                if self.explain {
                    self.panel = Panel::Explain;
                } else if self.panel == Panel::Explain {
                    self.panel = Panel::None;
                }
            }
            Action::Explain(line) => {
                self.explained = Some(line);
                self.panel = Panel::Explain;
            }
            Action::ExplanationsLoading => {
                self.explanations = Loadable::Loading;
            }
            Action::ExplanationsLoaded(result) => {
                self.explanations = match result.and_then(|text| Explanations::from_json(&text)) {
                    Ok(all) => Loadable::Loaded(Rc::new(all)),
                    Err(e) => Loadable::Failed(e),
                };
            }
            _ => {}
        }
    }

    /// A teacher's lesson file loaded, a lesson started.
    fn lesson(&mut self, action: Action) {
        match action {
            Action::LessonsLoaded(Ok(file)) => {
                let lessons = &mut self.lessons;
                lessons.current = lessons
                    .current
                    .take()
                    .filter(|id| file.lessons.iter().any(|l| l.id == *id));
                lessons.use_file(file);
                lessons.error = None;
            }
            Action::LessonsLoaded(Err(error)) => {
                self.lessons.error = Some(error);
                // The built-in lessons are asked for again when the panel
                // next opens.
                if self.lessons_url.as_deref() == Some(lessons::BUILT_IN_URL) {
                    self.lessons_url = None;
                }
            }
            Action::StartLesson(id) => {
                let file = Rc::clone(&self.lessons.file);
                if let Some(lesson) = file.lessons.iter().find(|l| l.id == id) {
                    let mut terminal = self.terminal.borrow_mut();
                    let world = lesson
                        .world
                        .clone()
                        .unwrap_or_else(|| terminal.world().clone());
                    let personality = lesson
                        .personality
                        .as_deref()
                        .and_then(Personality::by_id)
                        .unwrap_or(terminal.personality());
                    terminal.configure(world, personality);
                    terminal.notice(&format!("Lesson: {}", lesson.goal));
                    self.lessons.current = Some(id);
                }
            }
            _ => {}
        }
    }

    /// The state after `action`.
    pub fn reduce(mut self, action: Action) -> AppState {
        // Ctrl on the key bar, then a letter from the keyboard.
        let action = match action {
            Action::Type(text, now) if self.ctrl_held && text.chars().count() == 1 => {
                let letter = text.chars().next().unwrap_or(' ').to_ascii_lowercase();
                Action::Press(Key::Ctrl(letter), now)
            }
            other => other,
        };
        if matches!(action, Action::Press(..) | Action::Type(..)) {
            self.ctrl_held = false;
        }
        let now = action.time();
        self.terminal.borrow_mut().take_pending_wait();
        let wait = match action {
            Action::Press(..) | Action::Type(..) | Action::PasteNext(_) | Action::Resume(_) => {
                self.terminal_input(action)
            }
            Action::FontSmaller
            | Action::FontLarger
            | Action::SetTheme(_)
            | Action::Show(_)
            | Action::ToggleCtrl
            | Action::Copied
            | Action::OpenMailbox(_)
            | Action::OpenMessage(_) => {
                self.view(action);
                None
            }
            Action::EditSetting(..) | Action::SettingsDefaults | Action::ApplySettings => {
                self.edit_settings(action);
                None
            }
            Action::ToggleExplain
            | Action::Explain(_)
            | Action::ExplanationsLoading
            | Action::ExplanationsLoaded(_) => {
                self.explain_mode(action);
                None
            }
            Action::LessonsLoaded(_) | Action::StartLesson(_) => {
                self.lesson(action);
                None
            }
            Action::StartOver(now) => {
                self.start_over(now);
                None
            }
            Action::Replay {
                lines,
                paused,
                fresh,
            } => {
                if let Some(now) = fresh {
                    self.start_over(now);
                }
                self.player = Some(Player::new(lines, paused));
                self.tick = (!paused).then(|| self.timer(REPLAY_START));
                None
            }
            control @ (Action::Tick(_)
            | Action::Step(_)
            | Action::PlayPause
            | Action::SetSpeed(_)
            | Action::StopReplay) => self.control_replay(control),
            Action::ShareLink(link) => {
                self.share_link = Some(link);
                None
            }
            Action::SaveFailed => {
                if !self.save_failed {
                    self.terminal.borrow_mut().notice(
                        "(The browser's storage is full: this session will not survive a reload.)",
                    );
                }
                self.save_failed = true;
                None
            }
        };
        if self.terminal.borrow().reset_requested {
            self.start_over(now.unwrap_or(Timestamp::new(0, 0)));
        }
        // A new pause gets a new timer; a pause still running keeps its own.
        let still_waiting = self.terminal.borrow().is_waiting();
        self.wait = match wait {
            Some(millis) => Some(self.timer(millis)),
            None => self.wait.filter(|_| still_waiting),
        };
        self.check_lessons();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::settings::Field;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2013-10-22T05:05:59-04:00").unwrap()
    }

    fn start(search: &str, fragment: &str) -> AppState {
        AppState::start(Startup {
            parameters: Parameters::parse(search, fragment),
            seed: 7,
            ..Startup::default()
        })
    }

    fn typed(mut state: AppState, line: &str) -> AppState {
        for c in line.chars() {
            state = state.reduce(Action::Press(Key::Char(c), now()));
        }
        state.reduce(Action::Press(Key::Enter, now()))
    }

    fn screen(state: &AppState) -> Vec<String> {
        let terminal = state.terminal.borrow();
        terminal
            .scrollback
            .lines()
            .map(|l| l.text.clone())
            .collect()
    }

    fn untimed(search: &str) -> AppState {
        let state = start(search, "");
        state.terminal.borrow_mut().timing = false;
        state
    }

    #[test]
    fn a_delivery_completes_lessons_and_shows_in_the_mailbox() {
        let mut state = untimed("");
        for line in [
            "telnet mail.example.com smtp",
            "HELO a.example",
            "MAIL FROM:<me@a.example>",
            "RCPT TO:<mom@example.com>",
            "DATA",
            "Subject: hi",
            "",
            "hello",
            ".",
            "QUIT",
        ] {
            state = typed(state, line);
        }
        assert_eq!(
            screen(&state).last().map(String::as_str),
            Some("Connection closed by foreign host.")
        );
        assert_eq!(state.terminal.borrow().mailboxes().count("mom"), 1);
        // The lessons arrive when the panel opens, and follow the session
        // from its start.
        assert!(state.lessons.completed.is_empty());
        assert_eq!(state.lessons_url, None);
        state = state.reduce(Action::Show(Panel::Lessons));
        assert_eq!(state.lessons_url.as_deref(), Some(lessons::BUILT_IN_URL));
        let file = Rc::new(lessons::parse_lessons(lessons::BUILT_IN).unwrap());
        state = state.reduce(Action::LessonsLoaded(Ok(file)));
        assert!(state
            .lessons
            .completed
            .contains(&"first-message".to_string()));
    }

    /// A lesson a link names is current once the lessons arrive, if they
    /// have it.
    #[test]
    fn a_linked_lesson_waits_for_its_file() {
        let file = Rc::new(lessons::parse_lessons(lessons::BUILT_IN).unwrap());
        for (search, current) in [("?lesson=relay", Some("relay")), ("?lesson=nope", None)] {
            let state = start(search, "");
            assert_eq!(state.panel, Panel::Lessons);
            assert_eq!(state.lessons_url.as_deref(), Some(lessons::BUILT_IN_URL));
            let state = state.reduce(Action::LessonsLoaded(Ok(Rc::clone(&file))));
            assert_eq!(state.lessons.current.as_deref(), current, "{search}");
        }
    }

    #[test]
    fn panels_and_clicks_leave_the_terminal_alone() {
        // The view scrolls the terminal when its version changes: a click
        // on a panel must not change it.
        let state = untimed("");
        let before = state.terminal.borrow().version();
        let state = state
            .reduce(Action::Show(Panel::Mail))
            .reduce(Action::OpenMailbox("mom".into()))
            .reduce(Action::FontLarger)
            .reduce(Action::SetTheme(Theme::Dark))
            .reduce(Action::Show(Panel::Mail));
        assert_eq!(state.terminal.borrow().version(), before);
        assert_eq!(state.panel, Panel::None);
        assert_eq!(state.preferences.theme, Theme::Dark);
        let state = state.reduce(Action::Press(Key::Char('x'), now()));
        assert_ne!(state.terminal.borrow().version(), before);
    }

    #[test]
    fn the_key_bar_ctrl_makes_the_next_letter_a_control_key() {
        let state = typed(untimed(""), "whoami");
        let state = state
            .reduce(Action::Type("abc".into(), now()))
            .reduce(Action::ToggleCtrl)
            .reduce(Action::Type("U".into(), now()));
        assert_eq!(state.terminal.borrow().input(), "");
        assert!(!state.ctrl_held);
        // Esc on the key bar leaves the mail reader.
        let state = typed(state, "reset").reduce(Action::Press(Key::Escape, now()));
        assert_eq!(state.terminal.borrow().prompt(), "$ ");
        assert_eq!(state.starts_over, 0);
    }

    #[test]
    fn settings_are_checked_before_they_apply() {
        let state = untimed("").reduce(Action::Show(Panel::Settings));
        assert_eq!(state.settings.form.hostname, "mail.example.com");
        let state = state
            .reduce(Action::EditSetting(Field::Hostname, "bad host".into()))
            .reduce(Action::ApplySettings);
        assert_eq!(state.settings.errors[0].0, Field::Hostname);
        assert!(!state.settings.saved);
        let state = state
            .reduce(Action::EditSetting(
                Field::Hostname,
                "mx.example.org".into(),
            ))
            .reduce(Action::ApplySettings);
        assert!(state.settings.errors.is_empty() && state.settings.saved);
        assert_eq!(state.terminal.borrow().world().hostname, "mx.example.org");
        let state = state.reduce(Action::SettingsDefaults);
        assert_eq!(state.settings.form.hostname, "mail.example.com");
    }

    #[test]
    fn a_large_paste_goes_in_pieces() {
        let state = typed(untimed(""), "telnet mail.example.com smtp");
        let mut state = [
            "HELO a",
            "MAIL FROM:<a@a.example>",
            "RCPT TO:<mom@example.com>",
            "DATA",
        ]
        .into_iter()
        .fold(state, typed);
        let body = "x".repeat(78) + "\n";
        let paste = format!("Subject: big\n\n{}.\n", body.repeat(4 * PASTE_CHUNK / 79));
        state = state.reduce(Action::Type(paste, now()));
        let pieces = state.paste.as_ref().map(|(p, _)| p.len()).unwrap();
        assert!(pieces >= 4);
        for _ in 0..pieces {
            state = state.reduce(Action::PasteNext(now()));
        }
        assert!(state.paste.is_none());
        assert!(screen(&state)
            .last()
            .unwrap()
            .ends_with("Message accepted for delivery"));
    }

    #[test]
    fn a_server_pause_asks_for_a_timer() {
        let state = start("?world=corpus&personality=sendmail-8.17.1.9-debian", "");
        let state = typed(state, "telnet mail.example.com smtp");
        let timer = state.wait.expect("the greeting pause");
        assert_eq!(timer.millis, 1000);
        let state = state.reduce(Action::Resume(now()));
        assert!(state.wait.is_none());
        assert!(screen(&state).last().unwrap().starts_with("220 "));
    }

    #[test]
    fn reset_starts_over() {
        let state = typed(typed(untimed(""), "reset"), "y");
        assert_eq!(state.starts_over, 1);
        assert!(screen(&state)[0].starts_with("Started over"));
    }

    /// What a link's `#share=` or `?script=` opens.
    struct Opened {
        search: &'static str,
        fragment: String,
        /// The lines the replay types, if one was set up.
        lines: Option<Vec<&'static str>>,
        /// Paused at the start (a script waits for Play unless autoplay).
        paused: bool,
        /// The replay's speed (`SPEEDS` index).
        speed: usize,
        personality: &'static str,
        hostname: &'static str,
        /// How the one notice the terminal shows starts (none if empty).
        notice: &'static str,
    }

    fn share_fragment(json: &str) -> String {
        use base64::Engine as _;
        format!(
            "share={}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    #[test]
    fn share_links_and_scripts_open_as_given() {
        let instant = SPEEDS.len() - 1;
        let mut school = World::corpus();
        school.hostname = "mx.school.example".into();
        let with_world = Shared {
            typed: vec!["hostname".into()],
            world: Some(school),
            personality: None,
        };
        let table = vec![
            // A good share link: typed at once, with its server.
            Opened {
                search: "",
                fragment: share_fragment(
                    r#"{"typed": ["telnet mail.example.com smtp", "MAIL FROM:<a@b>\nRCPT TO:<c@d>\n"], "personality": "postfix-3.7.11-debian"}"#,
                ),
                lines: Some(vec!["telnet mail.example.com smtp", "MAIL FROM:<a@b>\nRCPT TO:<c@d>\n"]),
                paused: false,
                speed: instant,
                personality: "postfix-3.7.11-debian",
                hostname: "mail.example.com",
                notice: "(Opening a shared session: it plays itself below.)",
            },
            // With autoplay and a speed it plays itself at that speed.
            Opened {
                search: "?autoplay=1&speed=2",
                fragment: share_fragment(r#"{"typed": ["whoami"]}"#),
                lines: Some(vec!["whoami"]),
                paused: false,
                speed: 2,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "(Opening a shared session: it plays itself below.)",
            },
            // Its world comes along.
            Opened {
                search: "",
                fragment: format!("share={}", with_world.encode()),
                lines: Some(vec!["hostname"]),
                paused: false,
                speed: instant,
                personality: "sendmail-8.13.8",
                hostname: "mx.school.example",
                notice: "(Opening a shared session: it plays itself below.)",
            },
            // Broken links: said why, nothing played, the defaults kept.
            Opened {
                search: "",
                fragment: "share=<script>alert(1)</script>".into(),
                lines: None,
                paused: false,
                speed: 0,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "(This link's shared session could not be opened: the shared session is not valid base64url.)",
            },
            Opened {
                search: "",
                fragment: share_fragment(r#"{"typed": ["x"], "personality": "javascript:alert(1)"}"#),
                lines: None,
                paused: false,
                speed: 0,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "(This link's shared session could not be opened: the shared session names an unknown personality \"javascript:alert(1)\".)",
            },
            Opened {
                search: "",
                fragment: share_fragment(r#"{"typed": "whoami"}"#),
                lines: None,
                paused: false,
                speed: 0,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "(This link's shared session could not be opened: the shared session is damaged",
            },
            // A share link wins over a script.
            Opened {
                search: "?script=hostname",
                fragment: share_fragment(r#"{"typed": ["whoami"]}"#),
                lines: Some(vec!["whoami"]),
                paused: false,
                speed: instant,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "(Opening a shared session: it plays itself below.)",
            },
            // A script waits for Play; %%pipeline blocks become pastes.
            Opened {
                search: "?script=telnet%20mail.example.com%20smtp%0A%25%25pipeline%0AHELO%20a%0ANOOP%0A%25%25end%0A%25%25%23%20a%20note%0AQUIT",
                fragment: String::new(),
                lines: Some(vec!["telnet mail.example.com smtp", "HELO a\nNOOP\n", "QUIT"]),
                paused: true,
                speed: 1,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "",
            },
            Opened {
                search: "?script=whoami%0Ahostname&autoplay=1&speed=4&personality=exim-4.96-debian",
                fragment: String::new(),
                lines: Some(vec!["whoami", "hostname"]),
                paused: false,
                speed: 3,
                personality: "exim-4.96-debian",
                hostname: "mail.example.com",
                notice: "",
            },
            // Markup in a script is text to type, nothing more.
            Opened {
                search: "?script=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
                fragment: String::new(),
                lines: Some(vec!["<img src=x onerror=alert(1)>"]),
                paused: true,
                speed: 1,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "",
            },
            // An unknown speed keeps the usual one.
            Opened {
                search: "?script=whoami&speed=99",
                fragment: String::new(),
                lines: Some(vec!["whoami"]),
                paused: true,
                speed: 1,
                personality: "sendmail-8.13.8",
                hostname: "mail.example.com",
                notice: "",
            },
        ];
        for row in &table {
            let state = start(row.search, &row.fragment);
            let fragment: String = row.fragment.chars().take(60).collect();
            let context = format!("{} #{fragment}", row.search);
            assert!(state.ephemeral, "{context}: a link's session is not saved");
            let player = state.player.as_ref();
            assert_eq!(
                player.map(|p| p.lines.iter().map(String::as_str).collect::<Vec<_>>()),
                row.lines,
                "{context}"
            );
            if let Some(player) = player {
                assert_eq!(
                    (player.paused, player.speed),
                    (row.paused, row.speed),
                    "{context}"
                );
            }
            let terminal = state.terminal.borrow();
            assert_eq!(terminal.personality().id, row.personality, "{context}");
            assert_eq!(terminal.world().hostname, row.hostname, "{context}");
            drop(terminal);
            // A link opens a bare terminal, with at most a word on the link.
            let shown = screen(&state);
            if row.notice.is_empty() {
                assert!(shown.is_empty(), "{context}: {shown:?}");
            } else {
                assert_eq!(shown.len(), 1, "{context}: {shown:?}");
                assert!(shown[0].starts_with(row.notice), "{context}: {shown:?}");
            }
        }
        // A script too long for a parameter is not a link's session.
        let long = format!("?script={}", "A".repeat(MAX_PARAMETER_LENGTH + 1));
        let state = start(&long, "");
        assert!(state.player.is_none() && !state.ephemeral);
        assert!(screen(&state)
            .iter()
            .any(|l| l.starts_with("(Ignored the script parameter: it is longer than")));
    }

    #[test]
    fn start_up_reads_parameters_and_the_stored_session() {
        let state = start("?theme=dark&font=24&compact=1&lesson=relay", "");
        assert_eq!(state.preferences.theme, Theme::Dark);
        assert_eq!(state.preferences.font_size(), 24);
        assert!(state.compact);
        assert_eq!(state.panel, Panel::Lessons);
        assert_eq!(state.lessons.current.as_deref(), Some("relay"));

        let state = start("?script=whoami%0Ahostname&autoplay=1&speed=4", "");
        assert!(state.ephemeral);
        // A session from a link plays on a bare terminal, as a recording would.
        assert!(!screen(&state).iter().any(|l| l.starts_with("Welcome")));
        let player = state.player.as_ref().unwrap();
        assert_eq!(
            (player.lines.len(), player.paused, player.speed),
            (2, false, 3)
        );
        assert!(state.tick.is_some());

        let state = start("?personality=bogus&world=%7B", "");
        let shown = screen(&state);
        assert!(shown.iter().any(|l| l.contains("Ignored the personality")));
        assert!(shown
            .iter()
            .any(|l| l.contains("Ignored the world parameter")));

        let broken = AppState::start(Startup {
            session: Some("{\"version\": 1, \"transcript\": \"broken".into()),
            ..Startup::default()
        });
        assert!(broken.unreadable_session.is_some());
        assert!(screen(&broken)
            .iter()
            .any(|l| l.contains("could not be restored")));

        let saved = Saved::of(&typed(untimed(""), "whoami").terminal.borrow()).to_json();
        let restored = AppState::start(Startup {
            session: Some(saved),
            progress: Some("relay\nsubject\n".into()),
            ..Startup::default()
        });
        assert!(screen(&restored).contains(&"learner".to_string()));
        assert_eq!(restored.lessons.completed, ["relay", "subject"]);
    }

    #[test]
    fn a_replay_types_on_its_timer() {
        let state = untimed("").reduce(Action::Replay {
            lines: vec!["whoami".into()],
            paused: false,
            fresh: None,
        });
        let mut state = state.reduce(Action::SetSpeed(4));
        let mut ticks = 0;
        while state.tick.is_some() {
            state = state.reduce(Action::Tick(now()));
            ticks += 1;
            assert!(ticks < 100);
        }
        assert!(state.player.as_ref().unwrap().finished());
        assert_eq!(screen(&state).last().map(String::as_str), Some("learner"));
        let state = state.reduce(Action::StopReplay);
        assert!(state.player.is_none());
    }
}
