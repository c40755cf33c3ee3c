//! Share links: the lines typed and the world, in the URL fragment
//! (`#share=...`), so no server is involved. Everything in a link is data:
//! it is parsed, checked, and typed into the terminal as a person would.

use smtplab_engine::base64;
use smtplab_engine::json::{self, Fields};
use smtplab_engine::World;

/// The largest share fragment accepted (a URL this long is already unusual).
pub const MAX_SHARE_LENGTH: usize = 256 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    /// What was typed, in order; an entry with line ends is a paste.
    pub typed: Vec<String>,
    pub world: Option<World>,
    pub personality: Option<String>,
}

/// base64url without padding (RFC 4648 section 5).
fn to_url_safe(text: &str) -> String {
    base64::encode(text.as_bytes())
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn from_url_safe(text: &str) -> Option<Vec<u8>> {
    let mut standard = text.trim().replace('-', "+").replace('_', "/");
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    base64::decode(standard.as_bytes())
}

impl Shared {
    /// As JSON: how the page hands the session to its tools module, and
    /// what a link carries (encoded).
    pub fn to_json(&self) -> String {
        let mut members = vec![("typed", json::strings(&self.typed))];
        if let Some(world) = &self.world {
            members.push(("world", world.to_value()));
        }
        if let Some(personality) = &self.personality {
            members.push(("personality", json::string(personality)));
        }
        json::object(members).to_json()
    }

    /// For a link's fragment (base64url of the JSON).
    // Called by the tools module (`tools/`), which shares this file.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub fn encode(&self) -> String {
        to_url_safe(&self.to_json())
    }

    pub fn decode(fragment: &str) -> Result<Shared, String> {
        if fragment.len() > MAX_SHARE_LENGTH {
            return Err(format!(
                "the shared session is too long ({} characters, at most {MAX_SHARE_LENGTH})",
                fragment.len()
            ));
        }
        let bytes = from_url_safe(fragment).ok_or("the shared session is not valid base64url")?;
        let text = String::from_utf8(bytes).map_err(|_| "the shared session is not UTF-8 text")?;
        Shared::from_json(&text)
    }

    /// Reads and checks the JSON [`Shared::to_json`] writes.
    pub fn from_json(text: &str) -> Result<Shared, String> {
        let damaged = |e: String| format!("the shared session is damaged ({e})");
        let value = json::parse(text).map_err(damaged)?;
        let fields = Fields::of(
            &value,
            "the shared session",
            &["typed", "world", "personality"],
        )
        .map_err(damaged)?;
        let world = match fields.get("world") {
            Some(world) => Some(
                World::from_value(world)
                    .map_err(|e| format!("the shared world is not valid ({e})"))?,
            ),
            None => None,
        };
        let shared = Shared {
            typed: fields.strings("typed").map_err(damaged)?,
            world,
            personality: fields.optional_string("personality").map_err(damaged)?,
        };
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

    #[test]
    fn hostile_fragments_are_refused_with_a_reason() {
        let cases: Vec<(String, &str)> = vec![
            ("<script>alert(1)</script>".into(), "base64url"),
            (to_url_safe("{\"typed\": 5}"), "damaged"),
            (
                to_url_safe("{\"typed\": [], \"onload\": 1}"),
                "unknown field",
            ),
            (
                to_url_safe("{\"typed\": [], \"personality\": \"javascript:alert(1)\"}"),
                "unknown personality",
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
