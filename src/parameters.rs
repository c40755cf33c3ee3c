//! The page's parameters, from the query (`?world=corpus`) and from the
//! fragment (`#theme=dark`, which no server sees; a lesson file must come
//! by query). Shared by the page and its tools module, so both read them
//! alike.

/// The longest URL parameter value read; longer ones are ignored.
pub const MAX_PARAMETER_LENGTH: usize = 256 * 1024;

/// The parameters the page reads.
const PARAMETER_NAMES: &[&str] = &[
    "personality",
    "world",
    "script",
    "autoplay",
    "theme",
    "font",
    "compact",
    "lessons",
    "lesson",
    "speed",
];

/// Appends the `names` found in a query-style `text` to `pairs`.
fn read_parameters(text: &str, names: &[&str], pairs: &mut Vec<(String, String)>) {
    if let Ok(params) = web_sys::UrlSearchParams::new_with_str(text) {
        for name in names {
            if let Some(value) = params.get(name) {
                pairs.push((name.to_string(), value));
            }
        }
    }
}

/// The page's query and fragment parameters, read once at start.
pub struct Parameters {
    pairs: Vec<(String, String)>,
    pub fragment: String,
}

impl Parameters {
    pub fn from_location() -> Parameters {
        let location = web_sys::window().map(|w| w.location());
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let fragment = location
            .as_ref()
            .and_then(|l| l.hash().ok())
            .unwrap_or_default();
        let mut pairs = Vec::new();
        read_parameters(&search, PARAMETER_NAMES, &mut pairs);
        // Fragment parameters (`#theme=dark&compact=1`) work too, so a
        // static host never sees them; a lesson file must come by query.
        let fragment = fragment.trim_start_matches('#').to_string();
        if !fragment.starts_with("share=") {
            let names: Vec<&str> = PARAMETER_NAMES
                .iter()
                .copied()
                .filter(|n| *n != "lessons")
                .collect();
            read_parameters(&fragment, &names, &mut pairs);
        }
        Parameters { pairs, fragment }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, v)| n == name && v.len() <= MAX_PARAMETER_LENGTH)
            .map(|(_, v)| v.as_str())
    }

    /// The parameters given but ignored for being too long.
    pub fn too_long(&self) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(_, v)| v.len() > MAX_PARAMETER_LENGTH)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}
