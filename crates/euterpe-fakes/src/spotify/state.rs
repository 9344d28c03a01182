//! The fake's memory: authorization codes, grants, access and refresh tokens, playlists' current
//! entries and snapshots, and the request counters.

use super::*;

#[derive(Default)]
pub(super) struct Counters {
    pub(super) routes: HashMap<String, usize>,
    pub(super) api_total: usize,
    pub(super) grants: HashMap<String, usize>,
    pub(super) calls: Vec<super::Call>,
}

/// An authorization code handed out by `/authorize`.
pub(super) struct Code {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) persona: usize,
    pub(super) scope: String,
    pub(super) challenge: Option<String>,
    pub(super) issued_at: OffsetDateTime,
    /// The grant made when it was exchanged; a second exchange revokes it.
    pub(super) grant: Option<usize>,
}

/// One user's authorization of the app: the root of its tokens.
pub(super) struct Grant {
    pub(super) persona: usize,
    pub(super) client_id: String,
    pub(super) scope: String,
    /// Refresh tokens die six months after this, however often they are used.
    pub(super) authorized_at: OffsetDateTime,
    pub(super) revoked: bool,
}

pub(super) struct AccessToken {
    pub(super) grant: usize,
    pub(super) expires_at: OffsetDateTime,
}

pub(super) struct RefreshToken {
    pub(super) grant: usize,
    /// Replaced by rotation.
    pub(super) superseded: bool,
    pub(super) revoked: bool,
}

pub(super) struct Entry {
    pub(super) track: Option<usize>,
    pub(super) added_by: User,
    pub(super) added_at: OffsetDateTime,
}

pub(super) struct PlaylistState {
    pub(super) entries: Vec<Entry>,
    pub(super) version: u32,
    pub(super) snapshot_id: String,
}

pub(super) struct Store {
    pub(super) codes: HashMap<String, Code>,
    pub(super) grants: Vec<Grant>,
    pub(super) access: HashMap<String, AccessToken>,
    pub(super) refresh: HashMap<String, RefreshToken>,
    pub(super) playlists: Vec<PlaylistState>,
    pub(super) playlist_ids: HashMap<String, usize>,
    /// Per persona, oldest first.
    pub(super) plays: Vec<Vec<Play>>,
}

/// How long refresh tokens live after the user's authorization ("six months").
pub(super) const REFRESH_LIFETIME: Duration = Duration::days(182);

/// How long an authorization code may wait for its exchange.
pub(super) const CODE_LIFETIME: Duration = Duration::minutes(10);

pub(super) fn snapshot_id(playlist_id: &str, version: u32, entries: &[Entry]) -> String {
    let cat = Catalogue::get();
    let mut hasher = Sha256::new();
    hasher.update(playlist_id.as_bytes());
    hasher.update(version.to_be_bytes());
    for entry in entries {
        match entry.track {
            Some(track) => hasher.update(cat.tracks[track].id.as_bytes()),
            None => hasher.update(b"local"),
        }
    }
    let digest = hasher.finalize();
    let hex: String = digest[..20].iter().map(|b| format!("{b:02x}")).collect();
    // Spotify's snapshot ids are base64 of "version,hash".
    STANDARD.encode(format!("{version},{hex}"))
}

/// A fresh opaque token: 48 bytes from the OS generator (three v4 UUIDs), URL-safe base64.
pub(super) fn random_token(prefix: &str) -> String {
    let mut bytes = Vec::with_capacity(48);
    for _ in 0..3 {
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}
