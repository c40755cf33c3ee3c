//! The app: its state, the actions that change it and the reducer, with
//! the settings form, preferences, URL parameters and paste splitting it
//! uses. Plain Rust with no browser in it, tested natively.

pub mod explain_view;
pub mod parameters;
pub mod paste;
pub mod preferences;
pub mod settings;
pub mod state;

/// Where the session is kept in the browser's `localStorage`.
pub const SESSION_KEY: &str = "smtplab.session";
/// Where an unreadable session is set aside, for the curious.
pub const UNREADABLE_KEY: &str = "smtplab.session.unreadable";
/// The view's preferences (theme, font size).
pub const PREFERENCES_KEY: &str = "smtplab.preferences";
