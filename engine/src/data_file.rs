//! Reading the JSON files people write (worlds, lesson files, shared
//! sessions) with serde, so that a mistake is reported with where it is:
//! the line and the column. (Naming the field's path too, with
//! `serde_path_to_error`, cost the page 8 KB gzip, a third of what POP3
//! and IMAP were allowed; the line and column point at the same place.)

use serde::de::DeserializeOwned;

/// Reads `text` as a `T`. The error reads, for example,
/// `invalid type: integer `1`, expected a string (line 1, column 36)`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value: T = T::deserialize(&mut reader).map_err(|e| describe_plain(&e))?;
    // Anything after the value (a second object, stray text) is a mistake too.
    reader.end().map_err(|e| describe_plain(&e))?;
    Ok(value)
}

/// serde_json's message without its own position suffix, then the
/// position as people write it.
fn describe_plain(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    if error.line() == 0 {
        message
    } else {
        format!(
            "{message} (line {}, column {})",
            error.line(),
            error.column()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        items: Vec<Item>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
    }

    #[test]
    fn errors_say_where() {
        let cases: &[(&str, &str)] = &[
            ("{", "EOF while parsing an object (line 1, column 1)"),
            (
                "{\"name\": \"a\", \"items\": [{\"id\": 1}]}",
                "invalid type: integer `1`, expected a string (line 1, column 32)",
            ),
            (
                "{\n  \"name\": \"a\",\n  \"items\": [],\n  \"extra\": 1\n}",
                "unknown field `extra`, expected `name` or `items` (line 4, column 9)",
            ),
            (
                "{\"name\": \"a\", \"items\": []} x",
                "trailing characters (line 1, column 28)",
            ),
            (
                "{\"items\": []}",
                "missing field `name` (line 1, column 13)",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse::<Sample>(text).unwrap_err(), *want, "{text}");
        }
        assert!(parse::<Sample>("{\"name\": \"a\", \"items\": [{\"id\": \"x\"}]}").is_ok());
    }
}
