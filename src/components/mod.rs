//! The page's parts, one per file: functions from the app state to a
//! [`crate::view::Node`] tree. Their handlers turn DOM events into
//! [`crate::app::AppAction`]s; the logic lives in `console`.

pub mod app_view;
pub mod console_view;
pub mod key_bar;
pub mod mail_panel;
pub mod player_bar;
pub mod settings_panel;
pub mod toolbar;
pub mod tools_host;
