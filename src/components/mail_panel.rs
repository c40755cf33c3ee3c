//! The mailboxes beside the terminal: each local user's delivered mail,
//! with the header lines the server added picked out.

use yew::prelude::*;

use crate::app::AppState;
use crate::console::mailbox::{self, Message};

#[derive(Properties, PartialEq)]
pub struct MailPanelProps {
    pub state: AppState,
}

#[function_component(MailPanel)]
pub fn mail_panel(props: &MailPanelProps) -> Html {
    let selected_user = use_state(|| None::<String>);
    let selected_message = use_state(|| None::<usize>);
    let terminal = props.state.terminal.borrow();
    let world = terminal.world();
    let mut users: Vec<String> = world
        .users
        .iter()
        .filter(|u| !u.system)
        .map(|u| u.name.clone())
        .collect();
    for user in terminal.mailboxes.keys() {
        if !users.contains(user) {
            users.push(user.clone());
        }
    }
    let counts: Vec<(String, usize)> = users
        .into_iter()
        .map(|user| {
            let count = terminal
                .mailboxes
                .get(&user)
                .map(|m| mailbox::messages(m).len())
                .unwrap_or(0);
            (user, count)
        })
        .collect();
    let messages: Vec<Message> = selected_user
        .as_ref()
        .and_then(|u| terminal.mailboxes.get(u))
        .map(|m| mailbox::messages(m))
        .unwrap_or_default();
    let user_buttons = counts.iter().map(|(user, count)| {
        let onclick = {
            let selected_user = selected_user.clone();
            let selected_message = selected_message.clone();
            let user = user.clone();
            Callback::from(move |_| {
                selected_user.set(Some(user.clone()));
                selected_message.set(None);
            })
        };
        let current = selected_user.as_deref() == Some(user.as_str());
        html! {
            <li>
                <button class={classes!("mailbox", current.then_some("current"))} aria-pressed={current.to_string()} {onclick}>
                    { format!("/var/mail/{user}") }
                    <span class="count">{ format!("{count} message{}", if *count == 1 { "" } else { "s" }) }</span>
                </button>
            </li>
        }
    });
    let message_list = messages.iter().enumerate().map(|(index, message)| {
        let onclick = {
            let selected_message = selected_message.clone();
            Callback::from(move |_| selected_message.set(Some(index)))
        };
        let subject = message
            .header("Subject")
            .unwrap_or_else(|| "(no subject)".to_string());
        let from = message.header("From").unwrap_or_default();
        html! {
            <li>
                <button class="message-link" {onclick}>
                    <span class="subject">{ format!("{}. {subject}", index + 1) }</span>
                    <span class="from">{ from }</span>
                </button>
            </li>
        }
    });
    let opened = selected_message.and_then(|i| messages.get(i)).map(|message| {
        html! {
            <article class="message" aria-label="Message">
                <p class="legend"><span class="added">{ "Highlighted" }</span>{ " lines were added by the server." }</p>
                <pre class="envelope">{ message.envelope.clone() }</pre>
                { for message.headers.iter().map(|h| html! {
                    <pre class={classes!("header", h.added.then_some("added"))}>{ h.text.clone() }</pre>
                }) }
                <pre class="body">{ format!("\n{}", message.body) }</pre>
            </article>
        }
    });
    html! {
        <aside class="panel mail-panel" aria-label="Mailboxes">
            <h2>{ "Mailboxes" }</h2>
            <ul class="mailboxes">{ for user_buttons }</ul>
            if selected_user.is_some() {
                if messages.is_empty() {
                    <p class="empty">{ "No mail yet. Deliver some with telnet!" }</p>
                } else {
                    <ul class="messages">{ for message_list }</ul>
                }
            }
            { for opened }
        </aside>
    }
}
