//! Who a listener is to Euterpe: a random id of its own, never shown to anyone but the user.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A Euterpe user's id. A type of its own, so that a user's id can't be passed where an import's,
/// a share's or a session's is expected. (The store reads and writes it as a UUID.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(Uuid);

impl UserId {
    /// A fresh random id, for a new user.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// The UUID underneath.
    pub fn as_uuid(self) -> Uuid {
        self.0
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self(Uuid::nil())
    }
}

impl From<Uuid> for UserId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
