//! What the detail pages read: a song's, an artist's or an album's tracks in the listener's
//! catalogue and every play of them, and the catalogue itself. Plays are kept in time order
//! only: an index by track made imports five times slower (231,000 → 45,000 plays/s on the
//! benchmark history), so a page reads the plays once, from the first play of its tracks on.

use super::*;
use crate::domain::{CatalogueTrack, Subject};
use crate::store::dialect::in_json_strings;

/// How many stretches of time a detail page's plays are read in, side by side: one per core of
/// the 2-core box the benchmarks run on, leaving the pool's other connections to other pages.
pub const SCAN_PARTS: i64 = 2;

/// The catalogue's columns, in [`CatalogueTrack`]'s order.
const CATALOGUE_COLUMNS: &str =
    "t.track_no, t.track_key, t.name, t.artist_name, t.album_name, t.artist_ids, t.first_played_at";

/// The condition on `user_tracks t` that picks `subject`'s tracks (parameters from `$2`), and
/// its values.
fn subject_filter(subject: &Subject) -> (&'static str, Vec<&str>) {
    match subject {
        Subject::Track(key) => ("t.track_key = $2", vec![key.as_str()]),
        Subject::Artist(name) => ("t.artist_name = $2", vec![name.as_str()]),
        Subject::Album { artist, name } => (
            "t.artist_name = $2 AND t.album_name = $3",
            vec![artist.as_str(), name.as_str()],
        ),
    }
}

impl Store {
    /// Every track of the user's catalogue.
    pub async fn catalogue(&self, user: UserId) -> Result<Vec<CatalogueTrack>> {
        let sql = json_list(
            self.backend(),
            CATALOGUE_COLUMNS,
            "user_tracks t WHERE t.user_id = $1",
        );
        let json: String = with_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(user).fetch_one(pool).await?
        });
        decode(&json)
    }

    /// The catalogue's tracks of `subject`.
    pub async fn subject_tracks(
        &self,
        user: UserId,
        subject: &Subject,
    ) -> Result<Vec<CatalogueTrack>> {
        let (filter, values) = subject_filter(subject);
        let sql = json_list(
            self.backend(),
            CATALOGUE_COLUMNS,
            &format!("user_tracks t WHERE t.user_id = $1 AND {filter}"),
        );
        let json: String = with_pool!(self, pool => {
            let mut query = sqlx::query_scalar(&sql).bind(user);
            for value in &values {
                query = query.bind(*value);
            }
            query.fetch_one(pool).await?
        });
        decode(&json)
    }

    /// Every play of `tracks` (from the catalogue) up to `until_ms`: `(track number,
    /// played_at, ms_played)`, in time order. Read in [`SCAN_PARTS`] stretches of time side by
    /// side, from the tracks' first play on: a favourite played all along is a pass over every
    /// play, which the box's two cores halve.
    pub async fn plays_of_tracks(
        &self,
        user: UserId,
        tracks: &[CatalogueTrack],
        until_ms: i64,
    ) -> Result<Vec<(i64, i64, i64)>> {
        // A track whose first play is unknown is read from the beginning.
        let Some(from) = tracks
            .iter()
            .map(|t| t.first_played_at.unwrap_or(i64::MIN))
            .min()
        else {
            return Ok(Vec::new());
        };
        let keys: Vec<&str> = tracks.iter().map(|t| t.key.as_str()).collect();
        let keys = serde_json::to_string(&keys).unwrap_or_default();
        let sql = json_list(
            self.backend(),
            "track_key, played_at, ms_played",
            &format!(
                "(SELECT track_key, played_at, ms_played FROM plays WHERE user_id = $1 \
                  AND played_at >= $2 AND played_at < $3 AND {} ORDER BY played_at) AS p",
                in_json_strings(self.backend(), "track_key", 4)
            ),
        );
        let step = (until_ms.saturating_sub(from) / SCAN_PARTS).max(1);
        let bounds: Vec<(i64, i64)> = (0..SCAN_PARTS)
            .map(|part| {
                let start = from.saturating_add(step * part);
                let end = if part + 1 == SCAN_PARTS {
                    i64::MAX
                } else {
                    start.saturating_add(step)
                };
                (start, end)
            })
            .collect();
        let (sql, keys) = (&sql, &keys);
        let parts = try_join_all(bounds.into_iter().map(|(start, end)| async move {
            let json: String = with_pool!(self, pool => {
                sqlx::query_scalar(sql)
                    .bind(user)
                    .bind(start)
                    .bind(end)
                    .bind(keys)
                    .fetch_one(pool)
                    .await?
            });
            decode::<Vec<(String, i64, i64)>>(&json)
        }))
        .await?;
        let numbers: HashMap<&str, i64> = tracks.iter().map(|t| (t.key.as_str(), t.no)).collect();
        Ok(parts
            .into_iter()
            .flatten()
            .filter_map(|(key, at, ms)| Some((*numbers.get(key.as_str())?, at, ms)))
            .collect())
    }

    /// The name the history gives the artist with Spotify id `id` (as the first credited artist
    /// of a stored track), if any.
    pub async fn artist_name_of_id(&self, user: UserId, id: &str) -> Result<Option<String>> {
        with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT artist_name FROM user_tracks WHERE user_id = $1 \
                 AND (artist_ids = $2 OR artist_ids LIKE $3) ORDER BY track_no LIMIT 1",
            )
            .bind(user)
            .bind(id)
            .bind(format!("{id},%"))
            .fetch_optional(pool)
            .await
        })
    }
}
