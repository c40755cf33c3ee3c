//! The view's preferences: theme and font size, kept in the browser as
//! JSON: `{"font":16,"theme":"dark"}`.

use serde::{Deserialize, Serialize};

/// Font sizes offered, in CSS pixels; projectors need the large ones.
pub const FONT_SIZES: &[u32] = &[12, 14, 16, 18, 20, 24, 28, 32, 40];
const DEFAULT_FONT_INDEX: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
    HighContrast,
}

impl Theme {
    pub const ALL: [Theme; 4] = [
        Theme::System,
        Theme::Light,
        Theme::Dark,
        Theme::HighContrast,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::HighContrast => "contrast",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
            Theme::HighContrast => "Theme: high contrast",
        }
    }

    /// The theme with this id; the system's for anything else.
    pub fn from_id(id: &str) -> Theme {
        Theme::ALL
            .into_iter()
            .find(|t| t.id() == id)
            .unwrap_or(Theme::System)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub font_index: usize,
    pub theme: Theme,
}

impl Default for Preferences {
    fn default() -> Preferences {
        Preferences {
            font_index: DEFAULT_FONT_INDEX,
            theme: Theme::System,
        }
    }
}

/// The preferences as stored.
#[derive(Serialize, Deserialize)]
struct Stored {
    font: u32,
    theme: String,
}

impl Preferences {
    /// Reads what [`Preferences::to_json`] writes. Anything else (an older
    /// format, a damaged value) gives the defaults: nothing here is worth
    /// an error message.
    pub fn from_json(text: &str) -> Preferences {
        let mut preferences = Preferences::default();
        if let Ok(stored) = serde_json::from_str::<Stored>(text) {
            if let Some(index) = FONT_SIZES.iter().position(|s| *s == stored.font) {
                preferences.font_index = index;
            }
            preferences.theme = Theme::from_id(&stored.theme);
        }
        preferences
    }

    pub fn to_json(self) -> String {
        let stored = Stored {
            font: self.font_size(),
            theme: self.theme.id().to_string(),
        };
        // A number and a string always serialize.
        serde_json::to_string(&stored).unwrap_or_default()
    }

    pub fn font_size(self) -> u32 {
        FONT_SIZES.get(self.font_index).copied().unwrap_or(16)
    }

    /// The offered size closest to `pixels` from above (the largest if none).
    pub fn set_font_size(&mut self, pixels: u32) {
        self.font_index = FONT_SIZES
            .iter()
            .position(|s| *s >= pixels)
            .unwrap_or(FONT_SIZES.len() - 1);
    }

    pub fn smaller(&mut self) {
        self.font_index = self.font_index.saturating_sub(1);
    }

    pub fn larger(&mut self) {
        self.font_index = (self.font_index + 1).min(FONT_SIZES.len() - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_and_written() {
        // (stored text, font size, theme)
        let cases: &[(&str, u32, Theme)] = &[
            ("", 16, Theme::System),
            (r#"{"font":24,"theme":"dark"}"#, 24, Theme::Dark),
            (r#"{"theme":"contrast","font":13}"#, 16, Theme::HighContrast),
            (r#"{"font":20,"theme":"<b>"}"#, 20, Theme::System),
            ("font=24;theme=dark", 16, Theme::System),
            (r#"{"font":"big","theme":"dark"}"#, 16, Theme::System),
        ];
        for (text, size, theme) in cases {
            let read = Preferences::from_json(text);
            assert_eq!((read.font_size(), read.theme), (*size, *theme), "{text}");
            assert_eq!(Preferences::from_json(&read.to_json()), read);
        }
        let mut p = Preferences::default();
        p.set_font_size(100);
        assert_eq!(p.font_size(), 40);
        p.larger();
        assert_eq!(p.font_size(), 40);
        p.set_font_size(13);
        assert_eq!(p.font_size(), 14);
    }
}
