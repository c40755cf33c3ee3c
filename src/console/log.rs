//! What happened in the terminal, for checking exercises. The lessons run
//! in the page's second module, so events also travel as JSON.

use smtplab_engine::json::{self, Value};
use smtplab_engine::{Personality, ReplyKey};

/// Events kept for exercises, by the page and by the tools module; the
/// oldest go first.
pub const LOG_LIMIT: usize = 20_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogEvent {
    Connected {
        personality: &'static str,
    },
    /// A line sent to the server; lines sent together share a chunk number.
    Sent {
        line: String,
        chunk: u32,
    },
    Replied {
        key: ReplyKey,
        code: u16,
        enhanced: Option<String>,
    },
    Delivered {
        mailboxes: Vec<String>,
        entry: Vec<u8>,
    },
    Shell {
        line: String,
    },
    Closed,
}

/// Events as a JSON array.
pub fn to_json<'a>(events: impl Iterator<Item = &'a LogEvent>) -> String {
    Value::Array(events.map(LogEvent::to_value).collect()).to_json()
}

/// Events from a JSON array as [`to_json`] writes it; unreadable ones are
/// left out.
// Called by the tools module (`tools/`), which shares this file.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub fn from_value(value: &Value) -> Vec<LogEvent> {
    match value {
        Value::Array(items) => items.iter().filter_map(LogEvent::from_value).collect(),
        _ => Vec::new(),
    }
}

impl LogEvent {
    fn to_value(&self) -> Value {
        let number = |n: u64| Value::from_u64(n);
        match self {
            LogEvent::Connected { personality } => json::object(vec![
                ("event", json::string("connected")),
                ("personality", json::string(personality)),
            ]),
            LogEvent::Sent { line, chunk } => json::object(vec![
                ("event", json::string("sent")),
                ("line", json::string(line)),
                ("chunk", number(u64::from(*chunk))),
            ]),
            LogEvent::Replied {
                key,
                code,
                enhanced,
            } => json::object(vec![
                ("event", json::string("replied")),
                ("key", number(key.index() as u64)),
                ("code", number(u64::from(*code))),
                (
                    "enhanced",
                    enhanced.as_deref().map_or(Value::Null, json::string),
                ),
            ]),
            LogEvent::Delivered { mailboxes, entry } => json::object(vec![
                ("event", json::string("delivered")),
                ("mailboxes", json::strings(mailboxes)),
                ("entry", json::string(&String::from_utf8_lossy(entry))),
            ]),
            LogEvent::Shell { line } => json::object(vec![
                ("event", json::string("shell")),
                ("line", json::string(line)),
            ]),
            LogEvent::Closed => json::object(vec![("event", json::string("closed"))]),
        }
    }

    fn from_value(value: &Value) -> Option<LogEvent> {
        let text = |name| value.get(name).and_then(Value::as_str);
        let number = |name| value.get(name).and_then(Value::as_u64);
        Some(match text("event")? {
            "connected" => LogEvent::Connected {
                personality: Personality::by_id(text("personality")?)?.id,
            },
            "sent" => LogEvent::Sent {
                line: text("line")?.to_string(),
                chunk: u32::try_from(number("chunk")?).ok()?,
            },
            "replied" => LogEvent::Replied {
                key: ReplyKey::from_index(usize::try_from(number("key")?).ok()?)?,
                code: u16::try_from(number("code")?).ok()?,
                enhanced: text("enhanced").map(str::to_string),
            },
            "delivered" => LogEvent::Delivered {
                mailboxes: match value.get("mailboxes")? {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect(),
                    _ => return None,
                },
                entry: text("entry")?.as_bytes().to_vec(),
            },
            "shell" => LogEvent::Shell {
                line: text("line")?.to_string(),
            },
            "closed" => LogEvent::Closed,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_travel_as_json() {
        let events = vec![
            LogEvent::Connected {
                personality: "sendmail-8.13.8",
            },
            LogEvent::Sent {
                line: "HELO a\\\"b".into(),
                chunk: 7,
            },
            LogEvent::Replied {
                key: ReplyKey::Hello,
                code: 250,
                enhanced: None,
            },
            LogEvent::Replied {
                key: ReplyKey::UserUnknown,
                code: 550,
                enhanced: Some("5.1.1".into()),
            },
            LogEvent::Delivered {
                mailboxes: vec!["mom".into(), "dad".into()],
                entry: b"From a\nSubject: x\n\nhi\n".to_vec(),
            },
            LogEvent::Shell { line: "ls".into() },
            LogEvent::Closed,
        ];
        let read = |text: &str| from_value(&json::parse(text).unwrap_or(Value::Null));
        assert_eq!(read(&to_json(events.iter())), events);
        assert!(read("{}").is_empty());
        assert_eq!(
            read(r#"[{"event":"closed"},{"event":"bogus"},{"event":"sent"}]"#),
            [LogEvent::Closed]
        );
    }
}
