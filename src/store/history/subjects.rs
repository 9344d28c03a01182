//! What the detail pages read: a song's, an artist's or an album's tracks in the listener's
//! catalogue and every play of them, and the catalogue itself. Plays are kept in time order
//! only: an index by track made imports five times slower (231,000 → 45,000 plays/s on the
//! benchmark history), so a page scans the plays, which is slow on a very long history.

use super::*;
use crate::domain::{CatalogueTrack, Subject};

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

    /// Every play of `subject`'s tracks: `(track number, played_at, ms_played)`, unordered.
    pub async fn subject_plays(
        &self,
        user: UserId,
        subject: &Subject,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let (filter, values) = subject_filter(subject);
        let sql = json_list(
            self.backend(),
            "t.track_no, p.played_at, p.ms_played",
            &format!(
                "user_tracks t JOIN plays p ON p.user_id = t.user_id AND p.track_key = t.track_key \
                 WHERE t.user_id = $1 AND {filter}"
            ),
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
