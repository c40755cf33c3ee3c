//! The mailboxes beside the terminal: each local user's delivered mail,
//! with the header lines the server added picked out.

use yew::prelude::*;

use super::ByAddress;
use crate::app::state::Action;
use crate::terminal::mailbox::Message;

#[derive(Properties, Clone, PartialEq)]
pub struct MailPanelProps {
    /// Each mailbox shown, with its message count.
    pub mailboxes: Vec<(String, usize)>,
    pub selected: Option<String>,
    /// The selected mailbox's messages.
    pub messages: ByAddress<Vec<Message>>,
    pub open: Option<usize>,
    pub on_action: Callback<Action>,
}

fn opened(message: &Message) -> Html {
    let headers = message.headers.iter().map(|h| {
        html! { <pre ~className={if h.added { "header added" } else { "header" }}>{ &h.text }</pre> }
    });
    html! {
        <article class="message" aria-label="Message">
            <p class="legend"><span class="added">{ "Highlighted" }</span>{ " lines were added by the server." }</p>
            <pre class="envelope">{ &message.envelope }</pre>
            { for headers }
            <pre class="body">{ format!("\n{}", message.body) }</pre>
        </article>
    }
}

#[function_component(MailPanel)]
pub fn mail_panel(props: &MailPanelProps) -> Html {
    let boxes = props.mailboxes.iter().map(|(user, count)| {
        let current = props.selected.as_deref() == Some(user.as_str());
        let onclick = {
            let on_action = props.on_action.clone();
            let user = user.clone();
            Callback::from(move |_: MouseEvent| on_action.emit(Action::OpenMailbox(user.clone())))
        };
        html! {
            <li>
                <button ~className={if current { "mailbox current" } else { "mailbox" }}
                    aria-pressed={current.to_string()} {onclick}>
                    { format!("/var/mail/{user}") }
                    <span class="count">{ format!("{count} message{}", if *count == 1 { "" } else { "s" }) }</span>
                </button>
            </li>
        }
    });
    let contents = props.selected.as_ref().map(|_| {
        let listing = if props.messages.is_empty() {
            html! { <p class="empty">{ "No mail yet. Deliver some with telnet!" }</p> }
        } else {
            let items = props.messages.iter().enumerate().map(|(index, message)| {
                let subject = message
                    .header("Subject")
                    .unwrap_or_else(|| "(no subject)".to_string());
                let onclick = {
                    let on_action = props.on_action.clone();
                    Callback::from(move |_: MouseEvent| on_action.emit(Action::OpenMessage(index)))
                };
                html! {
                    <li>
                        <button class="message-link" {onclick}>
                            <span class="subject">{ format!("{}. {subject}", index + 1) }</span>
                            <span class="from">{ message.header("From").unwrap_or_default() }</span>
                            <span class="flags">{ message.flags_in_words() }</span>
                        </button>
                    </li>
                }
            });
            html! { <ul class="messages">{ for items }</ul> }
        };
        let message = props.open.and_then(|i| props.messages.get(i)).map(opened);
        html! { <div class="mailbox-contents">{ listing }{ message }</div> }
    });
    html! {
        <aside class="panel mail-panel" aria-label="Mailboxes">
            <h2>{ "Mailboxes" }</h2>
            <ul class="mailboxes">{ for boxes }</ul>
            { contents }
        </aside>
    }
}
