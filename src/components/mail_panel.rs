//! The mailboxes beside the terminal: each local user's delivered mail,
//! with the header lines the server added picked out.

use std::cell::RefCell;
use std::rc::Rc;

use crate::app::{AppAction, AppState};
use crate::components::app_view::dispatch;
use crate::console::mailbox::{self, Message};
use crate::view::{el, memo, Node};

/// The open mailbox, read: (user, mailboxes version, messages).
type Read = Option<(String, u64, Rc<Vec<Message>>)>;

thread_local! {
    /// A mailbox can hold megabytes: it is read again only when it changed.
    static READ: RefCell<Read> = const { RefCell::new(None) };
}

fn read(user: &str, version: u64, mbox: Option<&Vec<u8>>) -> Rc<Vec<Message>> {
    READ.with(|read| {
        let mut read = read.borrow_mut();
        match &*read {
            Some((u, v, messages)) if u == user && *v == version => Rc::clone(messages),
            _ => {
                let messages = Rc::new(mbox.map(|m| mailbox::messages(m)).unwrap_or_default());
                *read = Some((user.to_string(), version, Rc::clone(&messages)));
                messages
            }
        }
    })
}

fn opened(message: &Message) -> Node {
    el("article")
        .class("message")
        .attr("aria-label", "Message")
        .child(
            el("p")
                .class("legend")
                .child(el("span").class("added").text("Highlighted"))
                .text(" lines were added by the server."),
        )
        .child(el("pre").class("envelope").text(&message.envelope))
        .children(message.headers.iter().map(|h| {
            el("pre")
                .class(if h.added { "header added" } else { "header" })
                .text(&h.text)
                .into()
        }))
        .child(el("pre").class("body").text(&format!("\n{}", message.body)))
        .into()
}

/// The messages of the open mailbox, or a note that it is empty.
fn listing(messages: &[Message]) -> Node {
    if messages.is_empty() {
        return el("p")
            .class("empty")
            .text("No mail yet. Deliver some with telnet!")
            .into();
    }
    el("ul")
        .class("messages")
        .children(messages.iter().enumerate().map(|(index, message)| {
            let subject = message
                .header("Subject")
                .unwrap_or_else(|| "(no subject)".to_string());
            el("li")
                .child(
                    el("button")
                        .class("message-link")
                        .on("click", move |_| dispatch(AppAction::OpenMessage(index)))
                        .child(
                            el("span")
                                .class("subject")
                                .text(&format!("{}. {subject}", index + 1)),
                        )
                        .child(
                            el("span")
                                .class("from")
                                .text(&message.header("From").unwrap_or_default()),
                        ),
                )
                .into()
        }))
        .into()
}

pub fn view(state: &AppState) -> Node {
    let terminal = state.terminal.borrow();
    let mut users: Vec<&str> = terminal
        .world()
        .users
        .iter()
        .filter(|u| !u.system)
        .map(|u| u.name.as_str())
        .collect();
    for user in terminal.mailboxes.keys() {
        if !users.contains(&user.as_str()) {
            users.push(user);
        }
    }
    let selected = state.mail_user.as_deref();
    let user_buttons = users.iter().map(|&user| {
        let count = terminal
            .mailboxes
            .get(user)
            .map(|m| mailbox::count(m))
            .unwrap_or(0);
        let current = selected == Some(user);
        let name = user.to_string();
        el("li")
            .child(
                el("button")
                    .class(if current {
                        "mailbox current"
                    } else {
                        "mailbox"
                    })
                    .attr("aria-pressed", if current { "true" } else { "false" })
                    .on("click", move |_| {
                        dispatch(AppAction::OpenMailbox(name.clone()))
                    })
                    .text(&format!("/var/mail/{user}"))
                    .child(el("span").class("count").text(&format!(
                        "{count} message{}",
                        if count == 1 { "" } else { "s" }
                    ))),
            )
            .into()
    });
    // The list and the open message are only rebuilt when the mailbox or
    // the choice changed.
    let contents = selected.map(|user| {
        let messages = read(
            user,
            terminal.mailboxes.version(),
            terminal.mailboxes.get(user),
        );
        let open = state.mail_message;
        let data: Rc<dyn std::any::Any> = messages.clone();
        memo(0, data, open.map_or(0, |i| i as u64 + 1), move || {
            el("div")
                .class("mailbox-contents")
                .child(listing(&messages))
                .child(open.and_then(|i| messages.get(i)).map(opened))
                .into()
        })
    });
    el("aside")
        .class("panel mail-panel")
        .attr("aria-label", "Mailboxes")
        .child(el("h2").text("Mailboxes"))
        .child(el("ul").class("mailboxes").children(user_buttons))
        .child(contents)
        .into()
}
