//! The view's preferences: theme and font size, kept in the browser as
//! `font=16;theme=dark`.

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

impl Preferences {
    /// Reads what [`Preferences::to_text`] writes; unknown parts are skipped.
    pub fn from_text(text: &str) -> Preferences {
        let mut preferences = Preferences::default();
        for part in text.split(';') {
            match part.split_once('=') {
                Some(("font", value)) => {
                    if let Some(index) = FONT_SIZES.iter().position(|s| s.to_string() == value) {
                        preferences.font_index = index;
                    }
                }
                Some(("theme", value)) => preferences.theme = Theme::from_id(value),
                _ => {}
            }
        }
        preferences
    }

    pub fn to_text(self) -> String {
        format!("font={};theme={}", self.font_size(), self.theme.id())
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
            ("font=24;theme=dark", 24, Theme::Dark),
            ("theme=contrast;font=13", 16, Theme::HighContrast),
            ("font=abc;theme=<b>", 16, Theme::System),
        ];
        for (text, size, theme) in cases {
            let read = Preferences::from_text(text);
            assert_eq!((read.font_size(), read.theme), (*size, *theme), "{text}");
            assert_eq!(Preferences::from_text(&read.to_text()), read);
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
