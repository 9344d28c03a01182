//! The per-month summaries a writer keeps current as it adds and removes plays.

use super::*;
use crate::store::timeline;

/// The most the month summaries a writer adds up may hold, in bytes of track keys and plays
/// (about): past it, they are written (in the writer's transaction) and started afresh.
pub(super) const ADDED_MAX_BYTES: usize = 16 << 20;

/// What a writer's plays add to one UTC month's summary.
#[derive(Default)]
pub(super) struct MonthAdded {
    pub(super) start_ms: i64,
    pub(super) buckets: Counts,
    pub(super) tracks: HashMap<String, (i64, i64)>,
    /// Plays added to and taken from the month's timeline, their tracks as indexes into
    /// [`PlayWriter::keys`] (numbers are handed out when the months are written).
    pub(super) added_plays: Vec<timeline::Entry>,
    pub(super) removed_plays: Vec<timeline::Entry>,
}

/// What one play takes of the summaries a writer adds up: its timeline entry.
const PLAY_BYTES: usize = std::mem::size_of::<timeline::Entry>();

/// The track keys of the plays a writer has added up, each once: timeline entries name a key
/// by its index here.
#[derive(Default)]
pub(super) struct Keys {
    index: HashMap<String, u32>,
    keys: Vec<String>,
}

impl Keys {
    fn index_of(&mut self, key: &str) -> u32 {
        if let Some(index) = self.index.get(key) {
            return *index;
        }
        let index = self.keys.len() as u32;
        self.keys.push(key.to_owned());
        self.index.insert(key.to_owned(), index);
        index
    }
}

impl PlayWriter {
    /// Adds a play to the summaries of its month (`sign` 1), or takes a deleted one away (-1).
    pub(super) fn count(&mut self, key: &str, played_at: i64, ms_played: i64, sign: i64) {
        let month = utc_month_of_ms(played_at);
        let added = self.added.entry(month).or_insert_with(|| MonthAdded {
            start_ms: utc_month_start_ms(month),
            ..MonthAdded::default()
        });
        let play = (
            (played_at - added.start_ms) as u32,
            self.keys.index_of(key),
            ms_played,
        );
        if sign > 0 {
            added.added_plays.push(play);
        } else {
            added.removed_plays.push(play);
        }
        self.added_bytes += PLAY_BYTES;
        let bucket = added
            .buckets
            .entry(bucket_in_month(added.start_ms, played_at))
            .or_default();
        bucket.0 += sign;
        bucket.1 = bucket.1.saturating_add(sign.saturating_mul(ms_played));
        match added.tracks.get_mut(key) {
            Some(track) => {
                track.0 += sign;
                track.1 = track.1.saturating_add(sign.saturating_mul(ms_played));
            }
            None => {
                self.added_bytes += key.len() + ENTRY_OVERHEAD;
                added
                    .tracks
                    .insert(key.to_owned(), (sign, sign.saturating_mul(ms_played)));
            }
        }
    }

    /// Adds what the written plays add to the monthly summaries. Every play's track gets a
    /// catalogue row (writers add tracks with their plays; one named by nothing else gets a row
    /// named after its key).
    pub(super) async fn write_months(&mut self) -> Result<()> {
        if self.added.is_empty() {
            return Ok(());
        }
        let mut keys: Vec<&str> = Vec::new();
        for added in self.added.values() {
            keys.extend(added.tracks.keys().map(String::as_str));
        }
        keys.sort_unstable();
        keys.dedup();
        let keys: Vec<String> = keys.into_iter().map(str::to_owned).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.learn(&refs).await?;
        let missing: Vec<NewTrack<'_>> = refs
            .iter()
            .filter(|key| !self.catalogue.tracks.contains_key(**key))
            .map(|key| {
                let (artist_name, name) = names_of_key(key).unwrap_or(("", key));
                NewTrack {
                    key,
                    track_id: None,
                    name,
                    artist_name,
                    album_name: None,
                    artist_ids: None,
                    duration_ms: None,
                    first_played_at: None,
                    no: 0,
                }
            })
            .collect();
        self.insert_tracks(missing).await?;

        let user = self.user;
        let months: Vec<i64> = self.added.keys().copied().collect();
        /// A month's stored lists: quarter hours, tracks, timeline.
        type Lists = (Vec<u8>, Vec<u8>, Vec<u8>);
        type Row = (i64, Vec<u8>, Vec<u8>, Vec<u8>);
        let sql = format!(
            "SELECT month, buckets, tracks, timeline FROM history_months WHERE user_id = $1 \
             AND {}",
            in_json_numbers(self.backend(), "month", 2)
        );
        let months = serde_json::to_string(&months).unwrap_or_default();
        let stored: Vec<Row> = with_tx!(self, tx => {
            sqlx::query_as(&sql)
                .bind(user)
                .bind(&months)
                .fetch_all(&mut **tx)
                .await?
        });
        let mut stored: HashMap<i64, Lists> = stored
            .into_iter()
            .map(|(month, buckets, tracks, timeline)| (month, (buckets, tracks, timeline)))
            .collect();
        let added = std::mem::take(&mut self.added);
        let keys = std::mem::take(&mut self.keys);
        self.added_bytes = 0;
        let number_of = |index: u32| -> u32 {
            let key = &keys.keys[index as usize];
            self.catalogue.tracks.get(key).map_or(0, |known| known.no) as u32
        };
        for (month, added) in added {
            let (old_buckets, old_tracks, old_timeline) = stored.remove(&month).unwrap_or_default();
            let numbered = |plays: Vec<timeline::Entry>| -> Vec<timeline::Entry> {
                plays
                    .into_iter()
                    .map(|(at, index, ms)| (at, number_of(index), ms))
                    .collect()
            };
            let timeline = timeline::merge(
                &old_timeline,
                numbered(added.added_plays),
                numbered(added.removed_plays),
            );
            let mut tracks = Counts::with_capacity(added.tracks.len());
            for (key, counts) in &added.tracks {
                let no = self.catalogue.tracks.get(key).map_or(0, |known| known.no);
                let entry = tracks.entry(no as u32).or_default();
                entry.0 += counts.0;
                entry.1 = entry.1.saturating_add(counts.1);
            }
            let buckets = merge(&old_buckets, &added.buckets);
            let tracks = merge(&old_tracks, &tracks);
            let (plays, ms) = entries(&buckets)
                .fold((0, 0), |(p, m): (i64, i64), (_, plays, ms)| {
                    (p + plays, m.saturating_add(ms))
                });
            with_tx!(self, tx => {
                sqlx::query(
                    "INSERT INTO history_months \
                     (user_id, month, plays, ms_played, buckets, tracks, timeline) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, month) DO UPDATE SET \
                     plays = excluded.plays, ms_played = excluded.ms_played, \
                     buckets = excluded.buckets, tracks = excluded.tracks, \
                     timeline = excluded.timeline",
                )
                .bind(user)
                .bind(month)
                .bind(plays)
                .bind(ms)
                .bind(buckets)
                .bind(tracks)
                .bind(timeline)
                .execute(&mut **tx)
                .await?;
            });
        }
        Ok(())
    }

    /// Writes the month summaries added up so far when they take more than a writer may hold.
    pub(super) async fn write_months_if_large(&mut self) -> Result<()> {
        if self.added_bytes > ADDED_MAX_BYTES {
            self.write_months().await?;
        }
        Ok(())
    }
}
