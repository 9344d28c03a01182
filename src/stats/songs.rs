//! Top songs: Spotify's top tracks, in Spotify's order, ready to render.

use crate::domain::{Image, Track};
use crate::stats::common::{chosen_image, format_duration, join_artist_names};

/// One row of the top-songs panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SongRow {
    /// 1-based position in Spotify's top list.
    pub rank: usize,
    /// Spotify track id.
    pub id: String,
    /// Track name as Spotify sends it (views escape it).
    pub name: String,
    /// Track artists' names joined by `", "`.
    pub artists: String,
    /// Album name.
    pub album: String,
    /// The album cover to show; `None` means the placeholder.
    pub image: Option<Image>,
    /// Length as `m:ss`.
    pub duration: String,
    /// Spotify popularity 0–100; `None` when Spotify did not send it (development mode).
    pub popularity: Option<u8>,
    /// The track on open.spotify.com (empty if Spotify sent no link).
    pub url: String,
}

/// Every top track in Spotify's order.
///
/// Nothing is merged or dropped: if Spotify lists the same track twice (the recorded fixture
/// does, at ranks 2 and 13), both rows are shown, because `rank` is the position in the list
/// Spotify returned.
pub fn top_songs(tracks: &[Track]) -> Vec<SongRow> {
    tracks
        .iter()
        .enumerate()
        .map(|(index, track)| SongRow {
            rank: index + 1,
            id: track.id.clone(),
            name: track.name.clone(),
            artists: join_artist_names(&track.artists),
            album: track.album.name.clone(),
            image: chosen_image(&track.album.images),
            duration: format_duration(track.duration_ms),
            popularity: track.popularity,
            url: track.external_urls.spotify.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::{album, credit, image, track};

    #[test]
    fn development_mode_tracks_have_unknown_popularity_and_missing_images() {
        let mut bare = album("al", "No Cover");
        bare.images.clear();
        let mut odd = album("al2", "Odd Cover");
        odd.images = vec![image("first", 500), image("second", 250)];
        let tracks = [
            track("t1", "<script>", &[credit("a1", "A & B")], bare),
            track("t2", "Two", &[], odd),
        ];
        let rows = top_songs(&tracks);
        assert_eq!(rows[0].popularity, None);
        assert_eq!(rows[0].image, None);
        // Names are passed through untouched; escaping is the view's job.
        assert_eq!(rows[0].name, "<script>");
        assert_eq!(rows[0].artists, "A & B");
        assert_eq!(rows[0].duration, "3:20");
        // No 300-wide image: the first listed.
        assert_eq!(rows[1].image, Some(image("first", 500)));
        assert_eq!(rows[1].artists, "");
    }

    #[test]
    fn no_top_tracks_means_no_rows() {
        assert_eq!(top_songs(&[]), Vec::new());
    }
}
