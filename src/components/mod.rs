//! The page's Yew function components, one per file. Props come in,
//! intents go out through `Callback`s; the logic they show lives in
//! `app/`, `terminal/` and `teach/`.

pub mod app;
pub mod block;
pub mod block_group;
pub mod explain_panel;
pub mod hooks;
pub mod input_line;
pub mod key_bar;
pub mod lessons_panel;
pub mod mail_panel;
pub mod player_bar;
pub mod scrollback;
pub mod settings_panel;
pub mod share_panel;
pub mod terminal_view;
pub mod toolbar;

use std::ops::Deref;
use std::rc::Rc;

/// A shared value compared by address, not contents: props that hold a
/// large value (a mailbox's messages) compare in constant time. A new
/// value is a new `Rc`.
#[derive(Debug)]
pub struct ByAddress<T>(pub Rc<T>);

impl<T> Clone for ByAddress<T> {
    fn clone(&self) -> Self {
        ByAddress(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for ByAddress<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for ByAddress<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
