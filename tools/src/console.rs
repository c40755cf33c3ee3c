//! The page's console files the tools need, shared rather than copied.

#[allow(dead_code)]
#[path = "../../src/console/lessons.rs"]
pub mod lessons;
#[allow(dead_code)]
#[path = "../../src/console/log.rs"]
pub mod log;
#[allow(dead_code)]
#[path = "../../src/console/mailbox.rs"]
pub mod mailbox;
#[allow(dead_code)]
#[path = "../../src/console/share.rs"]
pub mod share;
