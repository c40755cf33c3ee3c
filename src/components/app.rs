//! The page: toolbar, replay controls, terminal, side panel and key bar.
//! The state lives in one `use_reducer`; the effects below carry out what
//! the state asks of the browser (timers, scrolling, saving, the theme,
//! loading files).

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use super::explain_panel::ExplainPanel;
use super::key_bar::KeyBar;
use super::lessons_panel::LessonsPanel;
use super::mail_panel::MailPanel;
use super::player_bar::PlayerBar;
use super::settings_panel::SettingsPanel;
use super::share_panel::SharePanel;
use super::terminal_view::TerminalView;
use super::toolbar::Toolbar;
use super::ByAddress;
use crate::app::parameters::Parameters;
use crate::app::preferences::Theme;
use crate::app::state::{Action, AppState, Panel, SharedTerminal, Startup};
use crate::app::{PREFERENCES_KEY, SESSION_KEY, UNREADABLE_KEY};
use crate::browser::{self, storage};
use crate::teach::lessons::{parse_lessons, PROGRESS_KEY};
use crate::teach::saved::Saved;
use crate::terminal::mailbox::user_messages;
use crate::terminal::Key;

impl Reducible for AppState {
    type Action = Action;

    /// The next state, from a clone (cheap: the terminal is shared).
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().reduce(action))
    }
}

/// Saving writes the whole session (mailboxes included), so it is not done
/// on every line: once this many milliseconds after a change, and at once
/// when the page is hidden or left.
const SAVE_DELAY: u32 = 500;

/// What the page reads from the browser as it opens.
fn startup() -> Startup {
    let (query, fragment) = browser::query_and_fragment();
    Startup {
        parameters: Parameters::parse(&query, &fragment),
        session: storage::get(SESSION_KEY),
        preferences: storage::get(PREFERENCES_KEY),
        progress: storage::get(PROGRESS_KEY),
        seed: browser::seed(),
    }
}

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
fn use_timer(request: Option<crate::app::state::Timer>, then: Callback<()>) {
    use_effect_with(request, move |request| {
        let timeout = request.map(|timer| {
            Timeout::new(timer.millis.min(u64::from(u32::MAX)) as u32, move || {
                then.emit(())
            })
        });
        move || drop(timeout)
    });
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState::start(startup()));
    // Callbacks made once: children whose props did not change are not
    // rendered again.
    let act: Callback<Action> = {
        let dispatcher = state.dispatcher();
        use_callback((), move |action, _| dispatcher.dispatch(action))
    };

    // A server pause, the replay's typing and a large paste's pieces each
    // run on a timer.
    use_timer(state.wait, {
        let act = act.clone();
        Callback::from(move |_| act.emit(Action::Resume(browser::now())))
    });
    use_timer(state.tick, {
        let act = act.clone();
        Callback::from(move |_| act.emit(Action::Tick(browser::now())))
    });
    let paste_step = state
        .paste
        .as_ref()
        .map(|(_, next)| crate::app::state::Timer {
            id: *next as u64,
            millis: 0,
        });
    use_timer(paste_step, {
        let act = act.clone();
        Callback::from(move |_| act.emit(Action::PasteNext(browser::now())))
    });

    // Saving: soon after a change, and when the page is hidden or left.
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

    // Starting over forgets the stored session.
    {
        let saved = Rc::clone(&saved);
        let generation = state.terminal.borrow().generation();
        use_effect_with(state.starts_over, move |starts| {
            if *starts > 0 {
                storage::remove(SESSION_KEY);
                storage::remove(UNREADABLE_KEY);
                *saved.borrow_mut() = generation;
            }
        });
    }
    // A stored session that could not be read is set aside, once.
    use_effect_with(state.unreadable_session.clone(), |unreadable| {
        if let Some(text) = unreadable {
            storage::set(UNREADABLE_KEY, text);
            storage::remove(SESSION_KEY);
        }
    });

    // The theme belongs to the whole page; preferences are kept once changed.
    let first_preferences = use_mut_ref(|| Some(state.preferences));
    use_effect_with(state.preferences, move |preferences| {
        let theme = preferences.theme;
        browser::set_root_attribute("data-theme", (theme != Theme::System).then_some(theme.id()));
        if first_preferences.borrow_mut().take() != Some(*preferences) {
            storage::set(PREFERENCES_KEY, &preferences.to_json());
        }
    });
    // Lesson progress is kept as lessons are completed.
    use_effect_with(state.lessons.completed.clone(), |completed| {
        if !completed.is_empty() {
            storage::set(PROGRESS_KEY, &completed.join("\n"));
        }
    });

    // Explain mode's texts load when it is first turned on.
    {
        let act = act.clone();
        let wanted =
            state.explain && matches!(state.explanations, crate::app::state::Loadable::NotLoaded);
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
    // A teacher's lesson file named in the address (same site only: the
    // page's policy allows no other).
    {
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
    use_effect_with((), |_| browser::focus(".keyboard"));

    let on_key = use_callback(act.clone(), |key: Key, act| {
        act.emit(Action::Press(key, browser::now()))
    });
    let on_text = use_callback(act.clone(), |text: String, act| {
        act.emit(Action::Type(text, browser::now()))
    });
    let on_explain = use_callback(act.clone(), |line, act| act.emit(Action::Explain(line)));
    let on_ctrl = use_callback(act.clone(), |_: (), act| {
        act.emit(Action::ToggleCtrl);
        browser::focus(".keyboard");
    });
    let on_copy = use_callback(
        (state.terminal.clone(), act.clone()),
        |_: (), (terminal, act)| {
            browser::copy_text(&terminal.borrow().scrollback.to_text());
            act.emit(Action::Copied);
        },
    );

    // The blocks are listed again only when the scrollback changed.
    let changes = state.terminal.borrow().scrollback.changes();
    let blocks = use_memo((changes, state.terminal.clone()), |(_, terminal)| {
        terminal
            .borrow()
            .scrollback
            .blocks()
            .cloned()
            .collect::<Vec<_>>()
    });
    // The open mailbox is read again only when it changed.
    let mail_version = state.terminal.borrow().mailboxes().version();
    let mail_user = state
        .mail_user
        .clone()
        .filter(|_| state.panel == Panel::Mail);
    let messages = use_memo(
        (mail_user, mail_version, state.terminal.clone()),
        |(user, _, terminal)| match user {
            Some(user) => user_messages(terminal.borrow().mailboxes(), user),
            None => Vec::new(),
        },
    );
    let terminal = state.terminal.borrow();

    let panel = match state.panel {
        _ if state.compact && state.panel != Panel::Explain => Html::default(),
        Panel::None => Html::default(),
        Panel::Mail => {
            let mut mailboxes: Vec<(String, usize)> = terminal
                .world()
                .users
                .iter()
                .filter(|u| !u.system)
                .map(|u| (u.name.clone(), terminal.mailboxes().count(&u.name)))
                .collect();
            for user in terminal.mailboxes().keys() {
                if !mailboxes.iter().any(|(name, _)| name == user) {
                    mailboxes.push((user.clone(), terminal.mailboxes().count(user)));
                }
            }
            html! {
                <MailPanel {mailboxes} selected={state.mail_user.clone()}
                    messages={ByAddress(Rc::clone(&messages))} open={state.mail_message}
                    on_action={act.clone()} />
            }
        }
        Panel::Settings => html! {
            <SettingsPanel settings={state.settings.clone()} on_action={act.clone()} />
        },
        Panel::Lessons => html! {
            <LessonsPanel lessons={state.lessons.clone()} checks={state.current_checks()}
                on_action={act.clone()} />
        },
        Panel::Share => html! {
            <SharePanel terminal={state.terminal.clone()} share_link={state.share_link.clone()}
                on_action={act.clone()} />
        },
        Panel::Explain => html! { <ExplainPanel view={state.explain_view()} /> },
    };

    html! {
        <div class={classes!("app", state.compact.then_some("compact"))}>
            if !state.compact {
                <Toolbar preferences={state.preferences} panel={state.panel} explain={state.explain}
                    copied={state.copied} on_action={act.clone()} {on_copy} />
            }
            if let Some(player) = &state.player {
                <PlayerBar player={player.clone()} on_action={act.clone()} />
            }
            <main class="workspace">
                <TerminalView font_size={state.preferences.font_size()} blocks={ByAddress(blocks)}
                    explain={state.explain} prompt={terminal.prompt()}
                    input={terminal.input()} cursor={terminal.cursor()} waiting={terminal.is_waiting()}
                    version={terminal.version()} on_key={on_key.clone()} {on_text} {on_explain} />
                { panel }
            </main>
            <KeyBar ctrl_held={state.ctrl_held} {on_key} {on_ctrl} />
        </div>
    }
}
