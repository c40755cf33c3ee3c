//! Share links: the lines typed and the world, in the URL fragment
//! (`#share=...`), so no server is involved. Everything in a link is data:
//! it is parsed, checked, and typed into the terminal as a person would.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use smtplab_engine::World;

/// The largest share fragment accepted (a URL this long is already unusual).
pub const MAX_SHARE_LENGTH: usize = 256 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shared {
    /// What was typed, in order; an entry with line ends is a paste.
    pub typed: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<World>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personality: Option<String>,
}

impl Shared {
    pub fn to_json(&self) -> String {
        // Strings and lists always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// For a link's fragment: base64url of the JSON, without padding
    /// (RFC 4648 section 5).
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.to_json())
    }

    pub fn decode(fragment: &str) -> Result<Shared, String> {
        if fragment.len() > MAX_SHARE_LENGTH {
            return Err(format!(
                "the shared session is too long ({} characters, at most {MAX_SHARE_LENGTH})",
                fragment.len()
            ));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(fragment.trim().trim_end_matches('='))
            .map_err(|_| "the shared session is not valid base64url")?;
        let text = String::from_utf8(bytes).map_err(|_| "the shared session is not UTF-8 text")?;
        Shared::from_json(&text)
    }

    /// Reads and checks a shared session's JSON.
    pub fn from_json(text: &str) -> Result<Shared, String> {
        let shared: Shared = smtplab_engine::data_file::parse(text)
            .map_err(|e| format!("the shared session is damaged ({e})"))?;
        if let Some(world) = &shared.world {
            world
                .validate()
                .map_err(|e| format!("the shared world is not valid ({e})"))?;
        }
        if let Some(id) = &shared.personality {
            if smtplab_engine::Personality::by_id(id).is_none() {
                return Err(format!(
                    "the shared session names an unknown personality \"{id}\""
                ));
            }
        }
        Ok(shared)
    }
}

/// Turns a client script (one line per line, `%%pipeline` blocks) into
/// what a person would type to play it.
pub fn typed_from_script(script: &str) -> Vec<String> {
    let mut typed = Vec::new();
    let mut block: Option<String> = None;
    for line in script.lines() {
        match (line.trim(), &mut block) {
            ("%%pipeline", None) => block = Some(String::new()),
            ("%%end", Some(_)) => {
                if let Some(text) = block.take() {
                    typed.push(text);
                }
            }
            (_, Some(text)) => {
                text.push_str(line);
                text.push('\n');
            }
            (trimmed, None) if trimmed.starts_with("%%") => {}
            (_, None) => typed.push(line.to_string()),
        }
    }
    typed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let shared = Shared {
            typed: vec![
                "telnet mail.example.com smtp".into(),
                "MAIL FROM:<a@b>\nRCPT TO:<c@d>\n".into(),
            ],
            world: Some(World::corpus()),
            personality: Some("sendmail-8.17.1.9-debian".into()),
        };
        let fragment = shared.encode();
        assert!(fragment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(Shared::decode(&fragment).unwrap(), shared);
    }

    fn encode(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    #[test]
    fn hostile_fragments_are_refused_with_a_reason() {
        let cases: Vec<(String, &str)> = vec![
            ("<script>alert(1)</script>".into(), "base64url"),
            (encode("{\"typed\": 5}"), "damaged (invalid type"),
            (encode("{\"typed\": [], \"onload\": 1}"), "unknown field `onload`"),
            (
                encode("{\"typed\": [], \"personality\": \"javascript:alert(1)\"}"),
                "unknown personality",
            ),
            (
                encode("{\"typed\": [], \"world\": {\"hostname\": \"<b>\", \"client\": {\"address\": \"127.0.0.1\", \"name\": \"a\"}}}"),
                "shared world is not valid",
            ),
            ("A".repeat(MAX_SHARE_LENGTH + 1), "too long"),
        ];
        for (fragment, reason) in cases {
            let error = Shared::decode(&fragment).unwrap_err();
            assert!(error.contains(reason), "{error}");
        }
    }

    #[test]
    fn scripts_become_typed_lines() {
        let typed = typed_from_script(
            "EHLO x\n%%pipeline\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\n%%end\n%%# note\nQUIT\n",
        );
        assert_eq!(
            typed,
            ["EHLO x", "MAIL FROM:<a@b>\nRCPT TO:<c@d>\n", "QUIT"]
        );
    }
}
