//! The user's catalogue of the tracks their plays name (`user_tracks`): the rows, and the part of
//! it a writer keeps in memory while it imports.

use super::*;

/// Above this many tracks to look up, a writer reads the user's whole catalogue instead (when
/// it is small enough to hold: see [`CATALOGUE_MAX_BYTES`]).
pub(super) const LOOKUP_LIMIT: usize = 2_000;

/// The most a writer holds of the catalogue, in bytes of keys (about): past it, what it holds
/// is forgotten and tracks are looked up by key. A listener's catalogue is some tens of
/// thousands of short keys; a hostile export's, millions of long ones.
pub(super) const CATALOGUE_MAX_BYTES: usize = 16 << 20;

/// What each remembered track costs besides its key's bytes (the map's entry, the `Known`).
pub(super) const ENTRY_OVERHEAD: usize = 64;

/// What the catalogue holds of a track, as far as a writer needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Known {
    pub(in crate::store) no: i64,
    pub(in crate::store) first_played_at: Option<i64>,
    pub(super) has_id: bool,
    pub(super) has_album: bool,
}

impl Known {
    /// Whether storing `facts` would change the stored row (see the upsert in
    /// [`PlayWriter::upsert_tracks`]).
    pub(super) fn changed_by(&self, facts: &TrackFacts) -> bool {
        (!self.has_id && facts.track_id.is_some())
            || (!self.has_album && facts.album_name.is_some())
            || facts.artist_ids.is_some()
            || facts.duration_ms.is_some()
            || self
                .first_played_at
                .is_none_or(|first| facts.first_played_at < first)
    }
}

/// What writers know of a user's catalogue (`user_tracks`): each track's number and what is
/// stored of it. An import job hands it from one file's writer to the next
/// ([`Store::play_writer_with`], [`PlayWriter::commit_keeping`]), so a file's tracks that are
/// already stored and unchanged cost nothing.
#[derive(Debug, Default)]
pub struct Catalogue {
    pub(super) user: Option<UserId>,
    pub(super) tracks: HashMap<String, Known>,
    /// Whether `tracks` holds every track of the user (numbers up to `max_no`).
    pub(super) complete: bool,
    /// The highest track number stored, when known.
    pub(super) max_no: Option<i64>,
    /// What `tracks` takes, about (see [`CATALOGUE_MAX_BYTES`]).
    pub(super) bytes: usize,
    /// Whether `tracks` was forgotten for being too large: the whole catalogue is then never
    /// read at once again (it was read whole while small, and has grown since).
    pub(super) outgrown: bool,
}

impl Catalogue {
    pub(super) fn remember(&mut self, key: String, known: Known) {
        let len = key.len();
        if self.tracks.insert(key, known).is_none() {
            self.bytes += len + ENTRY_OVERHEAD;
        }
    }

    /// Forgets what it holds when that is more than a writer may hold.
    pub(super) fn trim(&mut self) {
        if self.bytes > CATALOGUE_MAX_BYTES {
            self.tracks = HashMap::new();
            self.complete = false;
            self.bytes = 0;
            self.outgrown = true;
        }
    }
}

/// How an upsert completes a stored catalogue row: ids and album kept once known, the first
/// play moved earlier.
pub(in crate::store) const TRACK_UPSERT_UPDATE: &str = " ON CONFLICT (user_id, track_key) DO UPDATE SET \
     track_id = COALESCE(user_tracks.track_id, excluded.track_id), \
     album_name = COALESCE(user_tracks.album_name, excluded.album_name), \
     artist_ids = COALESCE(excluded.artist_ids, user_tracks.artist_ids), \
     duration_ms = COALESCE(excluded.duration_ms, user_tracks.duration_ms), \
     first_played_at = CASE WHEN user_tracks.first_played_at IS NULL \
       OR excluded.first_played_at < user_tracks.first_played_at \
       THEN excluded.first_played_at ELSE user_tracks.first_played_at END";
/// The columns an upsert of catalogue rows fills.
pub(in crate::store) const TRACK_UPSERT_INSERT: &str = "INSERT INTO user_tracks (user_id, track_key, track_id, name, \
     artist_name, album_name, artist_ids, duration_ms, first_played_at) ";

/// A catalogue row to insert.
pub(in crate::store) struct NewTrack<'a> {
    pub(in crate::store) key: &'a str,
    pub(in crate::store) track_id: Option<&'a str>,
    pub(in crate::store) name: &'a str,
    pub(in crate::store) artist_name: &'a str,
    pub(in crate::store) album_name: Option<&'a str>,
    pub(in crate::store) artist_ids: Option<&'a str>,
    pub(in crate::store) duration_ms: Option<i64>,
    pub(in crate::store) first_played_at: Option<i64>,
    pub(in crate::store) no: i64,
}

impl PlayWriter {
    /// Tells the writer what the tracks of the plays it is about to store are called, so that
    /// an export's play is found among another export's records even where the two key it
    /// differently (see [`same_track`]). Kept only where plays may be matched at all, and only
    /// for the next batch (a file's names, all together, could be large).
    pub fn name_tracks(&mut self, tracks: &[TrackFacts]) {
        self.names.clear();
        if self.source == PlaySource::Poller || self.other_spans.is_empty() {
            return;
        }
        for track in tracks {
            self.names.insert(
                track.track_key.clone(),
                (track.artist_name.clone(), track.name.clone()),
            );
        }
    }

    /// Whether the user's whole catalogue is small enough to hold (see
    /// [`CATALOGUE_MAX_BYTES`]); asked once per writer.
    pub(super) async fn whole_catalogue_fits(&mut self) -> Result<bool> {
        if let Some(fits) = self.whole_fits {
            return Ok(fits);
        }
        let user = self.user;
        let (count, chars): (i64, i64) = with_tx!(self, tx => {
            sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(track_key)), 0) FROM user_tracks \
                 WHERE user_id = $1",
            )
            .bind(user)
            .fetch_one(&mut **tx)
            .await?
        });
        // LENGTH counts characters: four bytes each at most.
        let bytes = chars as usize * 4 + count as usize * ENTRY_OVERHEAD;
        let fits = bytes <= CATALOGUE_MAX_BYTES;
        self.whole_fits = Some(fits);
        Ok(fits)
    }

    /// Makes sure the catalogue knows every stored track among `keys`.
    pub(super) async fn learn(&mut self, keys: &[&str]) -> Result<()> {
        self.catalogue.trim();
        if self.catalogue.complete {
            return Ok(());
        }
        let unknown: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|key| !self.catalogue.tracks.contains_key(*key))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let whole = unknown.len() > LOOKUP_LIMIT
            && !self.catalogue.outgrown
            && self.whole_catalogue_fits().await?;
        let user = self.user;
        const COLUMNS: &str = "t.track_key, t.track_no, t.first_played_at, \
             CASE WHEN t.track_id IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN t.album_name IS NULL THEN 0 ELSE 1 END";
        let json: String = engine_op!(
            self,
            track_rows(user, COLUMNS, (!whole).then_some(&unknown[..]))
        )?;
        let rows: Vec<(String, i64, Option<i64>, i64, i64)> = crate::store::decode_json(&json)?;
        for (key, no, first_played_at, has_id, has_album) in rows {
            self.catalogue.max_no = self.catalogue.max_no.map(|max| max.max(no));
            self.catalogue.remember(
                key,
                Known {
                    no,
                    first_played_at,
                    has_id: has_id != 0,
                    has_album: has_album != 0,
                },
            );
        }
        if whole {
            self.catalogue.complete = true;
            let max = self.catalogue.tracks.values().map(|k| k.no).max();
            self.catalogue.max_no = Some(max.unwrap_or(0));
        }
        Ok(())
    }

    /// Gives the next track numbers to new catalogue rows and stores them.
    pub(super) async fn insert_tracks(&mut self, mut rows: Vec<NewTrack<'_>>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut next = match self.catalogue.max_no {
            Some(max) => max,
            None => self.stored_max_no().await?,
        };
        for row in &mut rows {
            next += 1;
            row.no = next;
        }
        let user = self.user;
        let stored = engine_op!(self, insert_tracks(user, &rows))?;
        if stored != rows.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "{} of {} new tracks were stored: another writer held the user's history",
                stored,
                rows.len()
            )));
        }
        self.catalogue.max_no = Some(next);
        for row in rows {
            self.catalogue.remember(
                row.key.to_owned(),
                Known {
                    no: row.no,
                    first_played_at: row.first_played_at,
                    has_id: row.track_id.is_some(),
                    has_album: row.album_name.is_some(),
                },
            );
        }
        Ok(())
    }

    /// Adds tracks to the user's catalogue, or completes what it knows of them (ids, album,
    /// duration) and moves their first play earlier. `tracks` must have distinct keys.
    pub async fn upsert_tracks(&mut self, tracks: &[TrackFacts]) -> Result<()> {
        let keys: Vec<&str> = tracks.iter().map(|t| t.track_key.as_str()).collect();
        self.learn(&keys).await?;
        let mut new = Vec::new();
        let mut changed = Vec::new();
        for track in tracks {
            match self.catalogue.tracks.get(&track.track_key) {
                None => new.push(NewTrack {
                    key: &track.track_key,
                    track_id: track.track_id.as_deref(),
                    name: &track.name,
                    artist_name: &track.artist_name,
                    album_name: track.album_name.as_deref(),
                    artist_ids: track.artist_ids.as_deref(),
                    duration_ms: track.duration_ms,
                    first_played_at: Some(track.first_played_at),
                    no: 0,
                }),
                Some(known) if known.changed_by(track) => changed.push(track),
                Some(_) => {}
            }
        }
        self.insert_tracks(new).await?;
        self.update_tracks(&changed).await
    }

    /// Completes stored catalogue rows with what `tracks` say.
    pub(super) async fn update_tracks(&mut self, tracks: &[&TrackFacts]) -> Result<()> {
        if tracks.is_empty() {
            return Ok(());
        }
        let user = self.user;
        engine_op!(self, upsert_tracks(user, tracks))?;
        for track in tracks {
            if let Some(known) = self.catalogue.tracks.get_mut(&track.track_key) {
                known.has_id |= track.track_id.is_some();
                known.has_album |= track.album_name.is_some();
                known.first_played_at = Some(match known.first_played_at {
                    Some(first) => first.min(track.first_played_at),
                    None => track.first_played_at,
                });
            }
        }
        Ok(())
    }
}
