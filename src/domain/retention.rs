//! What an owner returning close to their account's deletion is told.

/// What a returning owner is told: when the account would have been deleted, and how long this
/// visit keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionWarning {
    /// Days since the previous visit.
    pub away_days: i64,
    /// When the account was due to be deleted (Unix seconds).
    pub due_at: i64,
    /// Until when this visit keeps it (Unix seconds).
    pub kept_until: i64,
}

impl RetentionWarning {
    /// The form kept in the session until the next page shows it.
    pub fn to_flash(self) -> String {
        format!("{},{},{}", self.away_days, self.due_at, self.kept_until)
    }

    /// Reads [`RetentionWarning::to_flash`]'s form.
    pub fn from_flash(text: &str) -> Option<Self> {
        let mut parts = text.split(',').map(|part| part.parse::<i64>().ok());
        Some(Self {
            away_days: parts.next()??,
            due_at: parts.next()??,
            kept_until: parts.next()??,
        })
    }
}
