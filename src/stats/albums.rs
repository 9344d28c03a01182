//! Top albums: the top tracks grouped by the album they are on.

use std::collections::HashMap;

use crate::domain::{Image, Track};
use crate::stats::common::{chosen_image, join_artist_names, release_year};

/// How many albums the panel shows.
pub const TOP_ALBUMS_SHOWN: usize = 10;

/// One row of the top-albums panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbumRow {
    /// Spotify album id.
    pub id: String,
    /// Album name.
    pub name: String,
    /// Album artists' names joined by `", "`.
    pub artists: String,
    /// The cover to show; `None` means the placeholder.
    pub image: Option<Image>,
    /// Release year; `None` shows as "unknown".
    pub release_year: Option<i32>,
    /// Number of top tracks on the album.
    pub track_count: usize,
    /// Best (smallest) rank among those tracks.
    pub best_rank: usize,
    /// The album on open.spotify.com.
    pub url: String,
}

/// The top tracks grouped by `album.id`, ordered by track count descending then best rank
/// ascending, first [`TOP_ALBUMS_SHOWN`].
///
/// Albums are told apart by id only: two "Greatest Hits" are two albums. The track count is
/// the number of top-list entries on the album, so it matches the rows the top-songs panel
/// shows for it (Spotify occasionally lists one track twice). Name, cover and year come from
/// the best-ranked entry. A track whose album has no id (a local file, which Spotify does not
/// put in top lists) forms an album of its own rather than merging with other unknown albums.
pub fn top_albums(tracks: &[Track]) -> Vec<AlbumRow> {
    let mut rows: Vec<AlbumRow> = Vec::new();
    let mut row_of_album: HashMap<&str, usize> = HashMap::new();
    for (index, track) in tracks.iter().enumerate() {
        let album = &track.album;
        let existing = if album.id.is_empty() {
            None
        } else {
            row_of_album.get(album.id.as_str()).copied()
        };
        match existing {
            // Tracks come in rank order, so the first entry of an album holds its best rank.
            Some(row) => rows[row].track_count += 1,
            None => {
                row_of_album.insert(album.id.as_str(), rows.len());
                rows.push(AlbumRow {
                    id: album.id.clone(),
                    name: album.name.clone(),
                    artists: join_artist_names(&album.artists),
                    image: chosen_image(&album.images),
                    release_year: release_year(album.release_date.as_deref()),
                    track_count: 1,
                    best_rank: index + 1,
                    url: album.external_urls.spotify.clone(),
                });
            }
        }
    }
    // Best ranks are distinct, so this order is total.
    rows.sort_by(|a, b| {
        b.track_count
            .cmp(&a.track_count)
            .then(a.best_rank.cmp(&b.best_rank))
    });
    rows.truncate(TOP_ALBUMS_SHOWN);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::{album, albums_summary, credit, track};

    #[test]
    fn same_named_albums_with_different_ids_stay_apart() {
        let mut first = album("gh-1", "Greatest Hits");
        first.release_date = Some("1981-11-02".to_owned());
        let mut second = album("gh-2", "Greatest Hits");
        second.release_date = Some("0000".to_owned());
        second.artists = vec![credit("x", "Queen"), credit("y", "David Bowie")];
        let a = [credit("a", "A")];
        let tracks = [
            track("t1", "One", &a, second.clone()),
            track("t2", "Two", &a, first.clone()),
            track("t3", "Three", &a, first.clone()),
        ];
        let rows = top_albums(&tracks);
        let got: Vec<(&str, usize, usize, Option<i32>)> = rows
            .iter()
            .map(|r| (r.id.as_str(), r.track_count, r.best_rank, r.release_year))
            .collect();
        assert_eq!(got, [("gh-1", 2, 2, Some(1981)), ("gh-2", 1, 1, None)]);
        assert_eq!(rows[1].artists, "Queen, David Bowie");
    }

    #[test]
    fn equal_counts_order_by_best_rank_and_only_ten_are_shown() {
        let a = [credit("a", "A")];
        // Twelve albums of one track each, then a second track on album 12.
        let mut tracks: Vec<Track> = (1..=12)
            .map(|i| track(&format!("t{i}"), "T", &a, album(&format!("al{i}"), "Same")))
            .collect();
        tracks.push(track("t13", "T", &a, album("al12", "Same")));
        let rows = top_albums(&tracks);
        assert_eq!(rows.len(), 10);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "al12", "al1", "al2", "al3", "al4", "al5", "al6", "al7", "al8", "al9"
            ]
        );
        assert_eq!((rows[0].track_count, rows[0].best_rank), (2, 12));
    }

    #[test]
    fn albums_without_cover_or_id_still_render() {
        let mut bare = album("", "Local");
        bare.images.clear();
        let a = [credit("a", "A")];
        let rows = top_albums(&[
            track("t1", "One", &a, bare.clone()),
            track("t2", "Two", &a, bare),
        ]);
        assert_eq!(albums_summary(&rows), [("Local", 1, 1), ("Local", 1, 2)]);
        assert_eq!(rows[0].image, None);
    }

    #[test]
    fn no_top_tracks_means_no_albums() {
        assert!(top_albums(&[]).is_empty());
    }
}
