//! What survives a reload: the transcript, history, mailboxes, the world
//! and the settings, as versioned JSON. A saved state that cannot be read
//! is reported, never a blank page.

use smtplab_engine::json::{self, Fields, Value};
use smtplab_engine::World;

/// Bumped whenever the format changes; older saves are set aside.
pub const FORMAT_VERSION: u32 = 1;
/// The newest transcript lines kept across a reload (browser storage is
/// a few megabytes).
pub const SAVED_LINES: usize = 5_000;

#[derive(Clone, Debug, PartialEq)]
pub struct SavedLine {
    pub kind: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub version: u32,
    pub transcript: Vec<SavedLine>,
    pub history: Vec<String>,
    /// Mailbox text by user.
    /// (user, mbox text), in user order.
    pub mailboxes: Vec<(String, String)>,
    pub world: World,
    pub personality: String,
    pub timing: bool,
}

impl Saved {
    pub fn to_json(&self) -> String {
        let transcript = self
            .transcript
            .iter()
            .map(|line| {
                json::object(vec![
                    ("kind", json::string(&line.kind)),
                    ("text", json::string(&line.text)),
                ])
            })
            .collect();
        json::object(vec![
            ("version", Value::from_u64(u64::from(self.version))),
            ("transcript", Value::Array(transcript)),
            ("history", json::strings(&self.history)),
            ("mailboxes", json::string_map(&self.mailboxes)),
            ("world", self.world.to_value()),
            ("personality", json::string(&self.personality)),
            ("timing", Value::Bool(self.timing)),
        ])
        .to_json()
    }

    /// Reads a save; the error says why it was set aside.
    pub fn from_json(text: &str) -> Result<Saved, String> {
        let value =
            json::parse(text).map_err(|e| format!("the saved session is not readable ({e})"))?;
        match value.get("version") {
            Some(v) if v.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
            Some(Value::Number(n)) => {
                return Err(format!(
                    "the saved session is from another version of SMTP Lab (format {n})"
                ))
            }
            _ => return Err("the saved session has no format version".to_string()),
        }
        let damaged = |e: String| format!("the saved session is damaged ({e})");
        const FIELDS: &[&str] = &[
            "version",
            "transcript",
            "history",
            "mailboxes",
            "world",
            "personality",
            "timing",
        ];
        let fields = Fields::of(&value, "the saved session", FIELDS).map_err(damaged)?;
        let transcript = fields
            .list("transcript", |line| {
                let line = Fields::of(line, "a transcript line", &["kind", "text"])?;
                Ok(SavedLine {
                    kind: line.string("kind")?,
                    text: line.string("text")?,
                })
            })
            .map_err(damaged)?;
        let mut mailboxes = Vec::new();
        if let Some(Value::Object(members)) = fields.get("mailboxes") {
            for (user, mbox) in members {
                let text = mbox
                    .as_str()
                    .ok_or_else(|| damaged(format!("mailbox {user} is not text")))?;
                mailboxes.push((user.clone(), text.to_string()));
            }
        }
        let world = World::from_value(fields.get("world").unwrap_or(&Value::Null))
            .map_err(|e| format!("the saved world is not valid ({e})"))?;
        Ok(Saved {
            version: FORMAT_VERSION,
            transcript,
            history: fields.strings("history").map_err(damaged)?,
            mailboxes,
            world,
            personality: fields.string("personality").map_err(damaged)?,
            timing: fields.bool_or("timing", true).map_err(damaged)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Saved {
        Saved {
            version: FORMAT_VERSION,
            transcript: vec![SavedLine {
                kind: "input".into(),
                text: "$ whoami".into(),
            }],
            history: vec!["whoami".into()],
            mailboxes: Vec::new(),
            world: World::tutorial(),
            personality: "sendmail-8.13.8".into(),
            timing: true,
        }
    }

    #[test]
    fn round_trips() {
        assert_eq!(Saved::from_json(&sample().to_json()).unwrap(), sample());
    }

    #[test]
    fn unreadable_saves_are_explained() {
        let cases: &[(&str, &str)] = &[
            ("{", "not readable"),
            ("{\"version\": 99}", "another version"),
            ("{\"transcript\": []}", "no format version"),
            ("{\"version\": 1, \"transcript\": 5}", "damaged"),
        ];
        for (text, reason) in cases {
            let error = Saved::from_json(text).unwrap_err();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
