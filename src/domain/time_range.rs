//! The three windows of Spotify's top lists, which every panel and most pages are asked for.

use serde::{Deserialize, Serialize};

/// The three windows of Spotify's top lists.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TimeRange {
    /// About the last four weeks.
    ShortTerm,
    /// About the last six months (Spotify's default).
    #[default]
    MediumTerm,
    /// About the last year.
    LongTerm,
}

impl TimeRange {
    /// All three, shortest first.
    pub const ALL: [TimeRange; 3] = [Self::ShortTerm, Self::MediumTerm, Self::LongTerm];

    /// The value Spotify and Euterpe's URLs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ShortTerm => "short_term",
            Self::MediumTerm => "medium_term",
            Self::LongTerm => "long_term",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::ShortTerm => "Last 4 weeks",
            Self::MediumTerm => "Last 6 months",
            Self::LongTerm => "Last year",
        }
    }

    /// Parses a URL value; `None` for anything but the three accepted values.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|range| range.as_str() == value)
    }
}

impl std::fmt::Display for TimeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ranges_parse_only_the_three_values() {
        assert_eq!(TimeRange::parse("long_term"), Some(TimeRange::LongTerm));
        assert_eq!(TimeRange::parse("LONG_TERM"), None);
        assert_eq!(TimeRange::parse(""), None);
        assert_eq!(TimeRange::default(), TimeRange::MediumTerm);
    }
}
