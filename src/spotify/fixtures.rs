//! The recorded Spotify answers (`tests/fixtures/spotify`), read through the client's wire types
//! and translated into the domain's music objects — and the panels' computations (`stats`) held
//! to what they give. (Those tests live here, above `stats`, which imports only the domain.)

use super::models::{self as wire, Page, PlaylistEntry, RecentlyPlayed};
use crate::domain::{Artist, Playlist, Track};

/// The recorded `/me/top/tracks` answer (20 tracks, with popularity, no release dates).
pub fn top_tracks_fixture() -> Vec<Track> {
    let page: Page<wire::Track> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_top_tracks.json"
    ))
    .expect("top tracks fixture parses");
    page.items.into_iter().map(Track::from).collect()
}

/// The recorded `/me/top/artists` answer (10 artists, with genres and popularity).
pub fn top_artists_fixture() -> Vec<Artist> {
    let page: Page<wire::Artist> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_top_artists.json"
    ))
    .expect("top artists fixture parses");
    page.items.into_iter().map(Artist::from).collect()
}

/// The recorded `/me/playlists` page (5 playlists of user `1123408718`, old `tracks` shape).
pub fn playlists_fixture() -> Vec<Playlist> {
    let page: Page<wire::Playlist> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_playlists_pre2026.json"
    ))
    .expect("playlists fixture parses");
    page.items.into_iter().map(Playlist::from).collect()
}

/// The tracks of the recorded playlist items page (2 tracks released on 2021-04-30 and
/// 2021-01-29).
pub fn playlist_items_fixture() -> Vec<Track> {
    let page: Page<PlaylistEntry> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/playlist_items_pre2026.json"
    ))
    .expect("playlist items fixture parses");
    page.items
        .into_iter()
        .filter_map(|entry| entry.item.or(entry.track))
        .map(Track::from)
        .collect()
}

/// The tracks of the recorded `/me/player/recently-played` answer (2 plays on 2023-09-22).
pub fn recently_played_fixture() -> Vec<Track> {
    let recent: RecentlyPlayed = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_player_recently_played.json"
    ))
    .expect("recently played fixture parses");
    recent
        .items
        .into_iter()
        .map(|play| Track::from(play.track))
        .collect()
}

/// `stats::albums` on the recorded answers.
mod albums {
    use super::*;

    use crate::stats::testing::*;
    use crate::stats::*;

    #[test]
    fn recorded_top_tracks_group_into_albums() {
        let rows = top_albums(&top_tracks_fixture());
        assert_eq!(
            albums_summary(&rows),
            [
                ("Alola That Jazz", 8, 1),
                // Ranks 2, 5 and 13 (13 repeats rank 2's track): three entries.
                ("digital druglord", 3, 2),
                ("Pokémon Reorchestrated: Kanto Symphony", 3, 11),
                ("The Afterglow", 2, 16),
                ("Starving", 1, 12),
                ("Ftl: Faster Than Light - Original Soundtrack", 1, 15),
                ("Cashmere Noose (Deluxe)", 1, 17),
                ("Simple and Clean", 1, 18),
            ]
        );
        let jazz = &rows[0];
        assert_eq!(jazz.id, "7siyLyX5HmMdU0HJl700eV");
        // This old recording's embedded albums carry no `artists`: the credit stays empty
        // rather than borrowing the track's artists (featured guests are not album artists).
        assert_eq!(jazz.artists, "");
        assert_eq!(
            jazz.url,
            "https://open.spotify.com/album/7siyLyX5HmMdU0HJl700eV"
        );
        assert_eq!(jazz.image.as_ref().and_then(|i| i.width), Some(300));
        // The recorded top tracks carry no release dates.
        assert_eq!(jazz.release_year, None);
    }
}

/// `stats::artists` on the recorded answers.
mod artists {
    use super::*;

    use crate::stats::*;

    #[test]
    fn recorded_top_artists_keep_order_genres_and_image_choice() {
        let artists = top_artists_fixture();
        assert!(any_genres_known(&artists));
        let rows = top_artists(&artists);
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[0].rank, 1);
        assert_eq!(rows[0].name, "insaneintherainmusic");
        assert_eq!(
            rows[0].genres.as_deref(),
            Some(
                &[
                    "deep chiptune".to_owned(),
                    "otacore".to_owned(),
                    "scorecore".to_owned(),
                    "video game music".to_owned()
                ][..]
            )
        );
        assert_eq!(
            rows[0].url,
            "https://open.spotify.com/artist/62GoYifV4njTdvS8lD2yYT"
        );
        // Images 640/300/64: the 300 one.
        assert_eq!(rows[0].image.as_ref().and_then(|i| i.width), Some(300));
        // Blackbear's images are 640/320/160: no 300, so the first (640).
        assert_eq!(rows[1].name, "Blackbear");
        assert_eq!(rows[1].image.as_ref().and_then(|i| i.width), Some(640));
        assert_eq!(rows[1].genres, Some(vec!["pop".to_owned()]));
        assert_eq!((rows[9].rank, rows[9].name.as_str()), (10, "dj-Jo"));
    }

    #[test]
    fn recorded_fixture_as_every_range_stands_whole_and_falls_nowhere() {
        let artists = top_artists_fixture();
        let rows = artists_standing_test_of_time(&artists, &artists, &artists);
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[0].name, "insaneintherainmusic");
        assert_eq!(rows[0].ranks, [1, 1, 1]);
        assert_eq!(rows[9].name, "dj-Jo");
        assert_eq!(rows[9].mean_rank, 10.0);
        assert!(artists_falling_off(&artists, &artists, &artists).is_empty());
        // With nothing recent, everything long-term is falling off, in order.
        let falling = artists_falling_off(&[], &[], &artists);
        assert_eq!(falling.len(), 10);
        assert_eq!(falling[3].name, "Ben Prunty");
        assert_eq!(falling[3].long_rank, 4);
    }
}

/// `stats::gems` on the recorded answers.
mod gems {
    use super::*;

    use crate::stats::testing::*;
    use crate::stats::*;

    #[test]
    fn recorded_top_tracks_by_spotify_popularity() {
        let tracks = top_tracks_fixture();
        assert!(any_popularity_known(&tracks));
        let gems = hidden_gems(&tracks, spotify_popularity);
        assert_eq!(gems.known, 20);
        assert_eq!(gems.rows.len(), 20);
        // Popularity 27 (rank 9) first; the three 28s in rank order 7, 8, 10.
        assert_eq!(
            gem_order(&gems)[..6],
            [
                (9, Some(27)),
                (7, Some(28)),
                (8, Some(28)),
                (10, Some(28)),
                (4, Some(29)),
                (3, Some(30)),
            ]
        );
        // The most popular last: "do re mi" (82) twice, ranks 2 and 13.
        assert_eq!(
            gem_order(&gems)[17..],
            [(12, Some(81)), (2, Some(82)), (13, Some(82))]
        );
        assert_eq!(
            gems.rows[0].name,
            "Tranquil Waters (Seafolk Village) [feat. Auden Durant]"
        );
        assert_eq!(gems.rows[0].artists, "insaneintherainmusic, Auden Durant");
        // Sum of the 20 popularities is 885: m = 44.25, ⌊100 − 44.25 + 0.5⌋ = 56.
        assert_eq!(gems.obscurity, Some(56));
    }

    #[test]
    fn development_mode_lists_every_track_in_rank_order_as_unknown() {
        let mut tracks = top_tracks_fixture();
        for t in &mut tracks {
            t.popularity = None;
        }
        assert!(!any_popularity_known(&tracks));
        let gems = hidden_gems(&tracks, spotify_popularity);
        assert_eq!(gems.rows.len(), 20);
        assert_eq!(gems.known, 0);
        assert_eq!(gems.obscurity, None);
        let ranks: Vec<usize> = gems.rows.iter().map(|row| row.rank).collect();
        assert_eq!(ranks, (1..=20).collect::<Vec<_>>());
        assert!(gems.rows.iter().all(|row| row.popularity.is_none()));
    }
}

/// `stats::playlists` on the recorded answers.
mod playlists {
    use super::*;
    use crate::domain::*;
    use crate::stats::testing::*;
    use crate::stats::*;

    #[test]
    fn recorded_playlists_and_items() {
        let playlists = playlists_fixture();
        let user = "1123408718";
        assert_eq!(owned_playlists(user, &playlists).len(), 5);
        assert!(owned_playlists("someone-else", &playlists).is_empty());

        let item_ids: Vec<String> = playlist_items_fixture()
            .iter()
            .map(|t| t.id.clone())
            .collect();
        assert_eq!(
            item_ids,
            ["5aFGo8wHEntVxFI8IF7Wuj", "0j4FFgyRleA5IbWP4BmlIC"]
        );
        // Give the recorded items to "Troll"; the top tracks hold one of them.
        let input: Vec<(Playlist, Vec<String>)> = playlists
            .iter()
            .map(|p| {
                let items = if p.name == "Troll" {
                    item_ids.clone()
                } else {
                    Vec::new()
                };
                (p.clone(), items)
            })
            .collect();
        let rows = top_playlists(
            user,
            &input,
            &top_of_ids(&["0j4FFgyRleA5IbWP4BmlIC", "other"]),
        );
        // Troll first; then zero counts by name: "Black/Atmo/Prog ?", "Core", "HEAVY MIEL",
        // "Melomiel" (upper-case letters before lower-case ones).
        assert_eq!(
            playlists_summary(&rows),
            [
                ("Troll", 1),
                ("Black/Atmo/Prog ?", 0),
                ("Core", 0),
                ("HEAVY MIEL", 0),
                ("Melomiel", 0)
            ]
        );
        // A share's visitors: the private "Troll" is left out (and counted), the rest stay.
        let public = top_playlists_where(
            user,
            &input,
            &top_of_ids(&["0j4FFgyRleA5IbWP4BmlIC"]),
            is_public,
        );
        assert_eq!(
            playlists_summary(&public),
            [
                ("Black/Atmo/Prog ?", 0),
                ("Core", 0),
                ("HEAVY MIEL", 0),
                ("Melomiel", 0)
            ]
        );
        assert_eq!(owned_left_out(user, &input, is_public), 1);
        assert_eq!(owned_left_out(user, &input, |_| true), 0);
        let troll = &rows[0];
        assert_eq!(troll.id, "46TfdmGiWxxX4uZzqohw89");
        // The old `tracks: {total}` shape still gives the size.
        assert_eq!(troll.total, 7);
        assert_eq!(
            troll.url,
            "https://open.spotify.com/playlist/46TfdmGiWxxX4uZzqohw89"
        );
        assert_eq!(troll.image.as_ref().and_then(|i| i.width), Some(300));
        // "Core" has a single 640-wide image: that one is shown.
        assert_eq!(rows[2].image.as_ref().and_then(|i| i.width), Some(640));
    }
}

/// `stats::release_years` on the recorded answers.
mod release_years {
    use super::*;
    use crate::domain::*;

    use crate::stats::*;

    #[test]
    fn recorded_top_tracks_have_no_dates_so_all_are_unknown() {
        let got = release_year_trends(&top_tracks_fixture());
        assert_eq!(
            got,
            ReleaseYears {
                counted: 0,
                unknown: 20,
                ..ReleaseYears::default()
            }
        );
    }

    #[test]
    fn recorded_tracks_with_dates_are_counted() {
        let mut tracks: Vec<Track> = playlist_items_fixture();
        tracks.extend(recently_played_fixture());
        // 2021-04-30, 2021-01-29, 2014-12-29, 2020-09-10.
        let got = release_year_trends(&tracks);
        assert_eq!(got.counted, 4);
        assert_eq!(got.per_year, [(2014, 1), (2020, 1), (2021, 2)]);
        assert_eq!(got.peak, Some((2021, 2)));
        assert_eq!(got.median, Some(2020));
        assert_eq!(got.per_decade, [(2010, 1), (2020, 3)]);
    }
}

/// `stats::seasons` on the recorded answers.
mod seasons {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::*;
    use crate::stats::testing::*;
    use crate::stats::*;

    #[test]
    fn release_month_items_keep_month_and_day_precision_only() {
        let a = credit("a", "A");
        let b = credit("b", "B");
        let tracks = [
            track(
                "1",
                "Day",
                &[a.clone(), b.clone()],
                album_dated("2021-04-30", "day"),
            ),
            track(
                "2",
                "Month",
                std::slice::from_ref(&a),
                album_dated("1999-12", "month"),
            ),
            track(
                "3",
                "Year",
                std::slice::from_ref(&a),
                album_dated("1999", "year"),
            ),
            track(
                "4",
                "Zero",
                std::slice::from_ref(&a),
                album_dated("0000", "year"),
            ),
            track(
                "5",
                "Empty",
                std::slice::from_ref(&a),
                album_dated("", "day"),
            ),
        ];
        assert_eq!(
            release_month_items(&tracks),
            [season_item(4, &["a", "b"]), season_item(12, &["a"])]
        );
        // The recorded top tracks carry no dates at all.
        assert!(release_month_items(&top_tracks_fixture()).is_empty());
    }

    #[test]
    fn recorded_tracks_by_release_month() {
        let mut tracks: Vec<Track> = playlist_items_fixture();
        tracks.extend(recently_played_fixture());
        // Typhoons 2021-04-30, Beauty 2021-01-29, Solitary Daze 2014-12-29, Cappadocia 2020-09-10.
        let items = release_month_items(&tracks);
        let months: Vec<u8> = items.iter().map(|i| i.month).collect();
        assert_eq!(months, [4, 1, 12, 9]);
        let stats = variety_by_season(&items, &no_genres, Hemisphere::Northern);
        let summary: Vec<(usize, usize)> = stats
            .iter()
            .map(|s| (s.items, s.distinct_artists))
            .collect();
        // Winter: Beauty (Tigercub) and Solitary Daze (Maceo Plex, Gabriel Ananda).
        assert_eq!(summary, [(2, 3), (1, 1), (0, 0), (1, 2)]);
        assert_eq!(format_variety(stats[0].artist_variety), "1.000");
    }

    #[test]
    fn recorded_plays_in_history_form_with_recorded_genres() {
        // Treat the 20 recorded top tracks as 20 plays in July, with the recorded artists'
        // genres (only 4 of the 10 credited artists are among the recorded top artists).
        let artists: Vec<Artist> = top_artists_fixture();
        let genres: HashMap<&str, &[String]> = artists
            .iter()
            .filter_map(|a| a.genres.as_deref().map(|g| (a.id.as_str(), g)))
            .collect();
        let lookup = |id: &str| genres.get(id).copied();
        let items: Vec<SeasonItem> = top_tracks_fixture()
            .iter()
            .map(|t| SeasonItem::from_track(7, t))
            .collect();
        let stats = variety_by_season(&items, &lookup, Hemisphere::Northern);
        let summer = &stats[2];
        assert_eq!(summer.items, 20);
        assert_eq!(summer.distinct_artists, 10);
        // Credits: insaneintherainmusic 9, Blackbear 6, Braxton Burks 3, 7 others once each
        // (27 in all): H = 1.865993…, / ln 10 = 0.810401…
        assert_eq!(format_variety(summer.artist_variety), "0.810");
        assert_eq!(summer.distinct_genres, 5);
        assert_eq!(
            genres_of(summer),
            [
                ("scorecore", 13),
                ("video game music", 13),
                ("otacore", 12),
                ("deep chiptune", 10),
                ("pop", 6),
            ]
        );
        assert_eq!(stats[0].items + stats[1].items + stats[3].items, 0);
    }
}

/// `stats::songs` on the recorded answers.
mod songs {
    use super::*;

    use crate::stats::*;

    #[test]
    fn recorded_top_tracks_become_rows_in_spotify_order() {
        let rows = top_songs(&top_tracks_fixture());
        assert_eq!(rows.len(), 20);

        let first = &rows[0];
        assert_eq!(first.rank, 1);
        assert_eq!(first.id, "20gqLrsHXhsucGWXMtoc4Y");
        assert_eq!(first.name, "Adventure Awaits! (Alola Region Theme)");
        assert_eq!(first.artists, "insaneintherainmusic");
        assert_eq!(first.album, "Alola That Jazz");
        assert_eq!(first.duration, "5:58"); // 358 410 ms
        assert_eq!(first.popularity, Some(32));
        assert_eq!(
            first.url,
            "https://open.spotify.com/track/20gqLrsHXhsucGWXMtoc4Y"
        );
        // The fixture's covers are 640, 300 and 64 wide: the 300 one is shown.
        assert_eq!(first.image.as_ref().and_then(|i| i.width), Some(300));

        let starving = &rows[11];
        assert_eq!(starving.rank, 12);
        assert_eq!(starving.artists, "Hailee Steinfeld, Grey, Zedd");
        assert_eq!(starving.duration, "3:01"); // 181 880 ms

        // Spotify lists "do re mi" twice; both positions stay.
        assert_eq!(rows[1].id, "3Q3myFA7q4Op95DOpHplaY");
        assert_eq!(rows[12].id, "3Q3myFA7q4Op95DOpHplaY");
        assert_eq!((rows[1].rank, rows[12].rank), (2, 13));

        assert_eq!(rows[15].name, "The Lobby");
        assert_eq!(rows[15].duration, "1:00"); // 60 108 ms
        assert_eq!(rows[19].rank, 20);
    }
}
