//! The page's parameters, from the query (`?world=corpus`) and from the
//! fragment (`#theme=dark`, which no server sees; a lesson file must come
//! by query). Everything here is data: it is parsed and checked, never run.

/// The longest parameter value read; longer ones are ignored (and named).
pub const MAX_PARAMETER_LENGTH: usize = 256 * 1024;

/// The parameters the page reads.
const NAMES: &[&str] = &[
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

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parameters {
    pairs: Vec<(String, String)>,
    /// The fragment without its `#`, e.g. `share=...`.
    pub fragment: String,
}

impl Parameters {
    /// Reads `search` (`?a=1`) and `fragment` (`#b=2`) as the browser's
    /// location gives them. A fragment value wins over the query's.
    pub fn parse(search: &str, fragment: &str) -> Parameters {
        let mut pairs = Vec::new();
        let mut read = |text: &str, allowed: &dyn Fn(&str) -> bool| {
            for (name, value) in form_urlencoded::parse(text.as_bytes()) {
                if NAMES.contains(&name.as_ref()) && allowed(&name) {
                    pairs.push((name.into_owned(), value.into_owned()));
                }
            }
        };
        read(search.trim_start_matches('?'), &|_| true);
        let fragment = fragment.trim_start_matches('#').to_string();
        if !fragment.starts_with("share=") {
            // A lesson file must come by query, where a host can see it.
            read(&fragment, &|name| name != "lessons");
        }
        Parameters { pairs, fragment }
    }

    /// The last value given for `name`, unless it is too long.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| v.len() <= MAX_PARAMETER_LENGTH)
    }

    /// Whether `name` is given as something other than `0`.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "0")
    }

    /// The shared session in the fragment (`#share=...`), if any.
    pub fn shared(&self) -> Option<&str> {
        self.fragment.strip_prefix("share=")
    }

    /// The parameters given but ignored for being too long.
    pub fn too_long(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .pairs
            .iter()
            .filter(|(_, v)| v.len() > MAX_PARAMETER_LENGTH)
            .map(|(n, _)| n.as_str())
            .collect();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_query_and_fragment() {
        // (search, fragment, name, value)
        let cases: &[(&str, &str, &str, Option<&str>)] = &[
            ("?world=corpus", "", "world", Some("corpus")),
            ("", "#theme=dark&compact=1", "theme", Some("dark")),
            ("?theme=light", "#theme=dark", "theme", Some("dark")),
            (
                "?script=HELO%20a%0AQUIT",
                "",
                "script",
                Some("HELO a\nQUIT"),
            ),
            ("?script=a+b", "", "script", Some("a b")),
            ("", "#lessons=x.json", "lessons", None),
            ("?lessons=x.json", "", "lessons", Some("x.json")),
            ("?unknown=1", "", "unknown", None),
            ("", "#share=abc&theme=dark", "theme", None),
            ("?theme=%3Cscript%3E", "", "theme", Some("<script>")),
            ("?compact", "", "compact", Some("")),
        ];
        for (search, fragment, name, value) in cases {
            let parameters = Parameters::parse(search, fragment);
            assert_eq!(parameters.get(name), *value, "{search} {fragment} {name}");
        }
        let shared = Parameters::parse("", "#share=abc");
        assert_eq!(shared.shared(), Some("abc"));
        assert!(Parameters::parse("?compact=1", "").flag("compact"));
        assert!(!Parameters::parse("?compact=0", "").flag("compact"));
    }

    #[test]
    fn long_values_are_ignored_and_named() {
        let long = "A".repeat(MAX_PARAMETER_LENGTH + 1);
        let parameters = Parameters::parse(&format!("?script={long}&theme=dark"), "");
        assert_eq!(parameters.get("script"), None);
        assert_eq!(parameters.get("theme"), Some("dark"));
        assert_eq!(parameters.too_long(), ["script"]);
    }
}
