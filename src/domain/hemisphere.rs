//! Which half of the world a listener's seasons follow.

/// Which half of the world the user's seasons follow (a user setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Hemisphere {
    /// Winter is December to February.
    #[default]
    Northern,
    /// Winter is June to August.
    Southern,
}

impl Hemisphere {
    /// The value stored in settings and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Northern => "northern",
            Self::Southern => "southern",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Northern => "Northern hemisphere",
            Self::Southern => "Southern hemisphere",
        }
    }

    /// Parses a stored value; `None` for anything but the two accepted ones.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Northern, Self::Southern]
            .into_iter()
            .find(|hemisphere| hemisphere.as_str() == value)
    }
}
