//! What survives a reload: the transcript, history, mailboxes, the world
//! and the settings, as versioned JSON. A saved state that cannot be read
//! is reported, never a blank page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use smtplab_engine::World;

use crate::terminal::scrollback::LineKind;

/// Bumped whenever the format changes; older saves are set aside.
pub const FORMAT_VERSION: u32 = 1;
/// The newest transcript lines kept across a reload (browser storage is
/// a few megabytes).
pub const SAVED_LINES: usize = 5_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedLine {
    pub kind: LineKind,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saved {
    pub version: u32,
    pub transcript: Vec<SavedLine>,
    pub history: Vec<String>,
    /// Each user's mailbox file.
    pub mailboxes: BTreeMap<String, String>,
    /// The users' other mail files (IMAP folders and subscriptions), by
    /// `USER/NAME` as in `~USER/mail/NAME`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub folders: BTreeMap<String, String>,
    pub world: World,
    pub personality: String,
    #[serde(default = "timing_default")]
    pub timing: bool,
}

fn timing_default() -> bool {
    true
}

/// Just the format version, read first so that a save from another
/// version is named as such rather than as damaged.
#[derive(Deserialize)]
struct Version {
    version: Option<u32>,
}

impl Saved {
    pub fn to_json(&self) -> String {
        // Strings, numbers and lists always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a save; the error says why it was set aside.
    pub fn from_json(text: &str) -> Result<Saved, String> {
        // A saved session can hold megabytes of mail and is read as the page
        // opens: it is read once, and only a save that fails is looked at
        // again, for its format version, to say why.
        let damage = match smtplab_engine::data_file::parse::<Saved>(text) {
            Ok(saved) if saved.version == FORMAT_VERSION => {
                saved
                    .world
                    .validate()
                    .map_err(|e| format!("the saved world is not valid ({e})"))?;
                return Ok(saved);
            }
            Ok(_) => None,
            Err(e) => Some(e),
        };
        let version: Version = serde_json::from_str(text)
            .map_err(|e| format!("the saved session is not readable ({e})"))?;
        match (version.version, damage) {
            (Some(FORMAT_VERSION), Some(e)) => Err(format!("the saved session is damaged ({e})")),
            (Some(other), _) => Err(format!(
                "the saved session is from another version of SMTP Lab (format {other})"
            )),
            (None, _) => Err("the saved session has no format version".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Saved {
        Saved {
            version: FORMAT_VERSION,
            transcript: vec![SavedLine {
                kind: LineKind::Input,
                text: "$ whoami".into(),
            }],
            history: vec!["whoami".into()],
            mailboxes: BTreeMap::from([("mom".into(), "From a\n\nhi\n\n".into())]),
            folders: BTreeMap::from([("mom/Drafts".into(), "From mom@vm\n\nnote\n\n".into())]),
            world: World::tutorial(),
            personality: "sendmail-8.13.8".into(),
            timing: true,
        }
    }

    #[test]
    fn round_trips() {
        assert_eq!(Saved::from_json(&sample().to_json()).unwrap(), sample());
        // A save from before IMAP folders still reads.
        let mut older = sample();
        older.folders.clear();
        let text = older.to_json();
        assert!(!text.contains("folders"));
        assert_eq!(Saved::from_json(&text).unwrap(), older);
    }

    #[test]
    fn unreadable_saves_are_explained() {
        let cases: &[(&str, &str)] = &[
            ("{", "not readable"),
            (
                "{\"version\": 99}",
                "another version of SMTP Lab (format 99)",
            ),
            ("{\"transcript\": []}", "no format version"),
            (
                "{\"version\": 1, \"transcript\": 5}",
                "damaged (invalid type",
            ),
            ("{\"version\": 1, \"transcript\": \"broken", "not readable"),
        ];
        for (text, reason) in cases {
            let error = Saved::from_json(text).unwrap_err();
            assert!(error.contains(reason), "{text}: {error}");
        }
        let mut bad_world = sample();
        bad_world.world.hostname = "bad host".into();
        assert!(Saved::from_json(&bad_world.to_json())
            .unwrap_err()
            .contains("hostname"));
    }
}
