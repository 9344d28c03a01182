//! What the detail pages read: a song's, an artist's or an album's tracks in the listener's
//! catalogue and every play of them (from the month timelines, see `store::timeline`), and
//! the catalogue itself.

use super::*;
use crate::domain::{CatalogueRow, CatalogueTrack, Subject};

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
        self.catalogue_where(user, "", &[]).await
    }

    /// The catalogue's tracks of `subject`.
    pub async fn subject_tracks(
        &self,
        user: UserId,
        subject: &Subject,
    ) -> Result<Vec<CatalogueTrack>> {
        let (filter, values) = subject_filter(subject);
        self.catalogue_where(user, &format!(" AND {filter}"), &values)
            .await
    }

    /// The catalogue's tracks where `filter` holds (parameters from `$2`: `values`).
    async fn catalogue_where(
        &self,
        user: UserId,
        filter: &str,
        values: &[&str],
    ) -> Result<Vec<CatalogueTrack>> {
        let from = format!("user_tracks t WHERE t.user_id = $1{filter}");
        let rows: Vec<CatalogueRow> =
            select_list!(self, CatalogueRow, CATALOGUE_COLUMNS, &from, |query| {
                let mut query = query.bind(user);
                for value in values {
                    query = query.bind(*value);
                }
                query
            })?;
        Ok(rows.into_iter().map(CatalogueTrack::from).collect())
    }

    /// Every stored play of `tracks` (from the catalogue): `(track number, played_at,
    /// ms_played)`, in time order, from the month timelines after the tracks' first play.
    pub async fn plays_of_tracks(
        &self,
        user: UserId,
        tracks: &[CatalogueTrack],
    ) -> Result<Vec<(i64, i64, i64)>> {
        // A track whose first play is unknown is read from the beginning.
        let Some(from) = tracks
            .iter()
            .map(|t| t.first_played_at.unwrap_or(i64::MIN))
            .min()
        else {
            return Ok(Vec::new());
        };
        let numbers: Vec<i64> = tracks.iter().map(|t| t.no).collect();
        self.timeline_plays(user, from, i64::MAX, Some(&numbers))
            .await
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
