//! What an import of Spotify's export counts: plays added and every reason an entry was left
//! out, per file and for the whole job.

/// The counters an import adds up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportCounts {
    pub plays_added: i64,
    pub duplicates: i64,
    pub short_skipped: i64,
    pub incognito_skipped: i64,
    pub no_track: i64,
    pub other_skipped: i64,
    /// Entries ending before 2006 or more than a day from now, or lasting less than nothing or
    /// more than a day. (Reports saved before it was counted lack it.)
    #[serde(default)]
    pub impossible_skipped: i64,
}

impl std::ops::AddAssign for ImportCounts {
    fn add_assign(&mut self, other: Self) {
        self.plays_added += other.plays_added;
        self.duplicates += other.duplicates;
        self.short_skipped += other.short_skipped;
        self.incognito_skipped += other.incognito_skipped;
        self.no_track += other.no_track;
        self.other_skipped += other.other_skipped;
        self.impossible_skipped += other.impossible_skipped;
    }
}
