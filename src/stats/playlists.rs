//! Top playlists: the user's own playlists ranked by how many top tracks they hold.

use std::borrow::Borrow;
use std::collections::HashSet;

use crate::domain::{Image, Playlist, Track};
use crate::stats::common::chosen_image;

/// How many playlists the panel shows.
pub const TOP_PLAYLISTS_SHOWN: usize = 10;

/// One row of the top-playlists panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistRow {
    /// Spotify playlist id.
    pub id: String,
    /// Playlist name.
    pub name: String,
    /// Distinct top tracks of the range found in the playlist.
    pub matches: usize,
    /// The playlist's total number of entries, as Spotify counts them.
    pub total: u32,
    /// The cover to show; `None` means the placeholder.
    pub image: Option<Image>,
    /// The playlist on open.spotify.com.
    pub url: String,
}

/// Whether the user owns the playlist (see [`Playlist::is_owned_by`]).
fn is_owned_by(playlist: &Playlist, user_spotify_id: &str) -> bool {
    playlist.is_owned_by(user_spotify_id)
}

/// The playlists the user owns (by `owner.id`, their Spotify user id), in Spotify's order, so
/// the loader fetches entries only for those. Playlists the user follows or collaborates on
/// but does not own are left out.
pub fn owned_playlists<'a>(user_spotify_id: &str, playlists: &'a [Playlist]) -> Vec<&'a Playlist> {
    playlists
        .iter()
        .filter(|playlist| is_owned_by(playlist, user_spotify_id))
        .collect()
}

/// The user's own playlists ranked by the number of distinct top tracks they contain,
/// descending, then by name (code-point order); the first [`TOP_PLAYLISTS_SHOWN`], zero
/// counts included.
///
/// Each playlist comes with the ids of all its entries (every page). Empty ids (local files,
/// unavailable entries) never match: a top track always has an id. A track that appears twice
/// in a playlist counts once. Playlists with the same name and count keep Spotify's order.
pub fn top_playlists(
    user_spotify_id: &str,
    playlists: &[(Playlist, impl Borrow<Vec<String>>)],
    top_tracks: &[Track],
) -> Vec<PlaylistRow> {
    top_playlists_where(user_spotify_id, playlists, top_tracks, |_| true)
}

/// The owner's playlists that are public (on their Spotify profile): what a share link's
/// visitors may see. A playlist Spotify doesn't say is public counts as private.
pub fn is_public(playlist: &Playlist) -> bool {
    playlist.public == Some(true)
}

/// How many of the user's own playlists `shown` leaves out.
pub fn owned_left_out(
    user_spotify_id: &str,
    playlists: &[(Playlist, impl Borrow<Vec<String>>)],
    shown: impl Fn(&Playlist) -> bool,
) -> usize {
    playlists
        .iter()
        .filter(|(playlist, _)| is_owned_by(playlist, user_spotify_id) && !shown(playlist))
        .count()
}

/// [`top_playlists`] among the playlists `shown` accepts (a share shows only public ones).
pub fn top_playlists_where(
    user_spotify_id: &str,
    playlists: &[(Playlist, impl Borrow<Vec<String>>)],
    top_tracks: &[Track],
    shown: impl Fn(&Playlist) -> bool,
) -> Vec<PlaylistRow> {
    let top_ids: HashSet<&str> = top_tracks
        .iter()
        .map(|track| track.id.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    let mut rows: Vec<PlaylistRow> = playlists
        .iter()
        .filter(|(playlist, _)| is_owned_by(playlist, user_spotify_id) && shown(playlist))
        .map(|(playlist, item_ids)| {
            let found: HashSet<&str> = item_ids
                .borrow()
                .iter()
                .map(String::as_str)
                .filter(|id| top_ids.contains(id))
                .collect();
            PlaylistRow {
                id: playlist.id.clone(),
                name: playlist.name.clone(),
                matches: found.len(),
                total: playlist.total,
                image: chosen_image(&playlist.images),
                url: playlist.external_urls.spotify.clone(),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.matches.cmp(&a.matches).then_with(|| a.name.cmp(&b.name)));
    rows.truncate(TOP_PLAYLISTS_SHOWN);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::{image, playlist, playlists_summary, top_of_ids};

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn only_the_users_own_playlists_count() {
        let mine = playlist("p1", "Mine", "me", 3);
        let theirs = playlist("p2", "Theirs", "friend", 3);
        let mut collaborative = playlist("p3", "Shared", "friend", 3);
        collaborative.collaborative = true;
        let ownerless = playlist("p4", "Ownerless", "", 3);
        let all = [
            mine.clone(),
            theirs.clone(),
            collaborative.clone(),
            ownerless.clone(),
        ];
        let owned: Vec<&str> = owned_playlists("me", &all)
            .iter()
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(owned, ["p1"]);
        // An empty user id owns nothing, not even the playlist without an owner.
        assert!(owned_playlists("", &all).is_empty());

        let hit = ids(&["t1"]);
        let input = [
            (theirs, hit.clone()),
            (collaborative, hit.clone()),
            (ownerless, hit.clone()),
            (mine, hit),
        ];
        let rows = top_playlists("me", &input, &top_of_ids(&["t1"]));
        assert_eq!(playlists_summary(&rows), [("Mine", 1)]);
        assert_eq!(rows[0].total, 3);
    }

    #[test]
    fn counts_are_distinct_top_track_ids_and_local_files_never_match() {
        // A playlist of 250 entries (three pages of 100): t1 five times, t2 once, many local
        // files (empty ids) and unrelated tracks.
        let mut entries: Vec<String> = Vec::new();
        for i in 0..250 {
            entries.push(match i % 50 {
                0 => "t1".to_owned(),
                1 => String::new(),
                _ => format!("other-{i}"),
            });
        }
        entries[249] = "t2".to_owned();
        let mut top_tracks = top_of_ids(&["t1", "t2", "t3"]);
        // A top track listed twice by Spotify still counts once per playlist.
        top_tracks.push(top_tracks[0].clone());
        let big = playlist("big", "Big", "me", 250);
        let rows = top_playlists("me", &[(big, entries)], &top_tracks);
        assert_eq!(playlists_summary(&rows), [("Big", 2)]);
        assert_eq!(rows[0].total, 250);

        // A top list that somehow held an empty id still matches no local file.
        let mut odd_top = top_of_ids(&["t9"]);
        odd_top[0].id.clear();
        let locals = playlist("loc", "Locals", "me", 2);
        let rows = top_playlists("me", &[(locals, ids(&["", ""]))], &odd_top);
        assert_eq!(playlists_summary(&rows), [("Locals", 0)]);
    }

    #[test]
    fn ties_by_name_in_code_point_order_and_only_ten_shown() {
        let names = [
            "alpha", "Zed", "Émile", "beta", "Beta", "10 Songs", "zeta", "Ωmega", "gamma", "delta",
            "Alpha", "épique",
        ];
        let input: Vec<(Playlist, Vec<String>)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let items = if *name == "zeta" {
                    ids(&["t1"])
                } else {
                    Vec::new()
                };
                (playlist(&format!("p{i}"), name, "me", 0), items)
            })
            .collect();
        let rows = top_playlists("me", &input, &top_of_ids(&["t1"]));
        let shown: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        // "zeta" leads on its count; the rest by code points: digits, upper case, lower case,
        // then accented and Greek letters — two of those fall past the tenth row.
        assert_eq!(
            shown,
            [
                "zeta", "10 Songs", "Alpha", "Beta", "Zed", "alpha", "beta", "delta", "gamma",
                "Émile"
            ]
        );
        assert_eq!(rows[9].image, Some(image("p2-640", 640)));
    }

    #[test]
    fn empty_inputs_give_empty_or_zero_rows() {
        assert!(top_playlists("me", &[] as &[(Playlist, Vec<String>)], &[]).is_empty());
        assert!(owned_playlists("me", &[]).is_empty());
        // An account with no top tracks still sees its playlists, each with 0.
        let rows = top_playlists("me", &[(playlist("p", "Empty", "me", 0), Vec::new())], &[]);
        assert_eq!(playlists_summary(&rows), [("Empty", 0)]);
        assert_eq!(rows[0].total, 0);
    }
}
