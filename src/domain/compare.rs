//! Listening together: a listener who lets the other listeners of this Euterpe compare their
//! taste with theirs (opt-in, revocable at once).

use super::UserId;

/// A listener who has opted in to comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareOptIn {
    pub user: UserId,
    /// The opaque id of their comparison page (never the internal user id).
    pub public_id: String,
    /// The name they chose to show the others.
    pub shown_name: String,
    /// Since when (Unix seconds).
    pub since: i64,
}
