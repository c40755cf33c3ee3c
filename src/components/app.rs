//! The page: toolbar, replay controls, terminal, side panel and key bar.
//! The state lives in one `use_reducer`; the hooks of `hooks.rs` carry out
//! what the state asks of the browser (timers, saving, storage, loading
//! files).

use std::rc::Rc;

use yew::prelude::*;

use super::explain_panel::ExplainPanel;
use super::hooks::{use_explanations, use_lesson_file, use_saving, use_storage_sync, use_timers};
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
use crate::app::state::{Action, AppState, Panel, Startup};
use crate::app::{PREFERENCES_KEY, SESSION_KEY};
use crate::browser::{self, storage};
use crate::teach::lessons::PROGRESS_KEY;
use crate::terminal::mailbox::user_messages;
use crate::terminal::Key;

impl Reducible for AppState {
    type Action = Action;

    /// The next state, from a clone (cheap: the terminal is shared).
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().reduce(action))
    }
}

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

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState::start(startup()));
    // Callbacks made once: children whose props did not change are not
    // rendered again.
    let act: Callback<Action> = {
        let dispatcher = state.dispatcher();
        use_callback((), move |action, _| dispatcher.dispatch(action))
    };

    use_timers(&state, &act);
    use_saving(&state, &act);
    use_storage_sync(&state);
    use_explanations(&state, &act);
    use_lesson_file(&state, &act);
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
        <div ~className={if state.compact { "app compact" } else { "app" }}>
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
