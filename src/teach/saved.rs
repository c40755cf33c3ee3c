//! What survives a reload: the transcript, history, mailboxes, the world
//! and the settings, as versioned JSON. A saved state that cannot be read
//! is reported, never a blank page.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smtplab_engine::World;

use crate::terminal::scrollback::LineKind;
use crate::terminal::{Loaded, Terminal};

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
    pub mailboxes: Files,
    /// The users' other mail files (IMAP folders and subscriptions), by
    /// `USER/NAME` as in `~USER/mail/NAME`.
    #[serde(default, skip_serializing_if = "Files::is_empty")]
    pub folders: Files,
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

/// Files by name, as text, written as a JSON object. A list rather than a
/// `BTreeMap`: the map's code cost the page a kilobyte (gzip) for the few
/// files a session has; serde reads and writes the object through the
/// two short impls below.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Files(pub Vec<(String, String)>);

impl Files {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Files {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, text)| (name, text)))
    }
}

impl<'de> Deserialize<'de> for Files {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Files, D::Error> {
        struct FilesVisitor;
        impl<'de> Visitor<'de> for FilesVisitor {
            type Value = Files;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Files, A::Error> {
                let mut files = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    files.push(entry);
                }
                Ok(Files(files))
            }
        }
        deserializer.deserialize_map(FilesVisitor)
    }
}

/// Files by name, as text (one conversion for the mailboxes and the
/// folders alike, so the page carries one copy of it).
fn as_map(files: Vec<(String, Vec<u8>)>) -> Files {
    Files(
        files
            .into_iter()
            .map(|(name, file)| (name, String::from_utf8_lossy(&file).into_owned()))
            .collect(),
    )
}

impl Saved {
    /// The state of `terminal` worth keeping across a reload.
    pub fn of(terminal: &Terminal) -> Saved {
        let lines = terminal.scrollback.lines();
        let skip = terminal.scrollback.len().saturating_sub(SAVED_LINES);
        let store = terminal.mailboxes();
        Saved {
            version: FORMAT_VERSION,
            transcript: lines
                .skip(skip)
                .map(|line| SavedLine {
                    kind: line.kind,
                    text: line.text.clone(),
                })
                .collect(),
            history: terminal.history_entries().to_vec(),
            mailboxes: as_map(
                store
                    .keys()
                    .map(|user| (user.clone(), store.file(user).unwrap_or_default()))
                    .collect(),
            ),
            folders: as_map(store.other_files()),
            world: terminal.world().clone(),
            personality: terminal.personality().id.to_string(),
            timing: terminal.timing,
        }
    }

    /// Puts this state back into `terminal` (a server no longer known
    /// leaves the terminal's own).
    pub fn restore_into(self, terminal: &mut Terminal) {
        let personality =
            smtplab_engine::Personality::by_id(&self.personality).unwrap_or(terminal.personality());
        terminal.load(Loaded {
            lines: self
                .transcript
                .into_iter()
                .map(|line| (line.kind, line.text))
                .collect(),
            history: self.history,
            inboxes: self.mailboxes.0,
            others: self.folders.0,
            world: self.world,
            personality,
            timing: self.timing,
        });
    }

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
    use crate::terminal::mail_world_tests::deliver_one;
    use crate::terminal::tests::{deliver_to_mom, screen as lines, terminal, type_line};
    use smtplab_engine::personality::SENDMAIL_8_13_8;

    fn sample() -> Saved {
        Saved {
            version: FORMAT_VERSION,
            transcript: vec![SavedLine {
                kind: LineKind::Input,
                text: "$ whoami".into(),
            }],
            history: vec!["whoami".into()],
            mailboxes: Files(vec![("mom".into(), "From a\n\nhi\n\n".into())]),
            folders: Files(vec![(
                "mom/Drafts".into(),
                "From mom@vm\n\nnote\n\n".into(),
            )]),
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
        older.folders.0.clear();
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

    #[test]
    fn a_saved_terminal_comes_back() {
        let terminal = deliver_one();
        let saved = Saved::of(&terminal);
        let mut restored = Terminal::new(World::corpus(), &SENDMAIL_8_13_8, 1);
        Saved::from_json(&saved.to_json())
            .unwrap()
            .restore_into(&mut restored);
        assert_eq!(lines(&restored), lines(&terminal));
        assert_eq!(restored.mailboxes(), terminal.mailboxes());
        assert_eq!(restored.history().entries(), terminal.history().entries());
        assert_eq!(restored.world(), terminal.world());
    }

    #[test]
    fn imap_folders_come_back_too() {
        let mut terminal = terminal();
        deliver_to_mom(&mut terminal, "keep me");
        type_line(&mut terminal, "telnet mail.example.com imap");
        for line in [
            "a1 LOGIN mom mom",
            "a2 CREATE Archive",
            "a3 SELECT INBOX",
            "a4 COPY 1 Archive",
            "a5 SUBSCRIBE Archive",
            "a6 LOGOUT",
        ] {
            type_line(&mut terminal, line);
        }
        assert_eq!(terminal.mailboxes().other_files().len(), 2);
        let saved = Saved::of(&terminal);
        let mut restored = Terminal::new(World::tutorial(), &SENDMAIL_8_13_8, 1);
        Saved::from_json(&saved.to_json())
            .unwrap()
            .restore_into(&mut restored);
        assert_eq!(restored.mailboxes(), terminal.mailboxes());
        let archive = restored.mailboxes().folders("mom");
        let file = String::from_utf8_lossy(archive.get("Archive").unwrap()).into_owned();
        assert!(file.contains("Subject: keep me"), "{file}");
        // The shell shows the folder files where Dovecot keeps them.
        type_line(&mut restored, "ls /home/mom/mail");
        assert_eq!(lines(&restored).last().map(String::as_str), Some("Archive"));
        type_line(&mut restored, "cat ~mom/mail/Archive");
        let shown = lines(&restored);
        assert!(shown.contains(&"Subject: keep me".to_string()), "{shown:?}");
        assert!(
            shown.iter().any(|l| l.starts_with("X-IMAPbase: ")),
            "{shown:?}"
        );
        type_line(&mut restored, "cat /home/mom/mail/Nosuch");
        assert_eq!(
            lines(&restored).last().map(String::as_str),
            Some("cat: /home/mom/mail/Nosuch: No such file or directory")
        );
    }
}
