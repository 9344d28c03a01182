//! Top songs and top artists with the listening history beside Spotify's order: each row's plays
//! and minutes in the panel's window, labelled, with the "at least" note; for the owner only.

use time::{Duration, OffsetDateTime};

use crate::both_backends;
use crate::common::history::{extended, import, iso, json, zip_of};
use crate::common::{Backend, browser, spawn_app};

both_backends!(the_top_lists_show_the_owners_plays_in_their_window);

/// The row of a top-songs table that names `song`.
fn row_of<'a>(html: &'a str, song: &str) -> &'a str {
    html.split("<tr>")
        .find(|row| row.contains(song))
        .unwrap_or_else(|| panic!("a row for {song}: {html}"))
}

/// The list item of a top-artists list that names `artist`.
fn item_of<'a>(html: &'a str, artist: &str) -> &'a str {
    html.split("<li>")
        .find(|item| item.contains(artist))
        .unwrap_or_else(|| panic!("an item for {artist}: {html}"))
}

async fn the_top_lists_show_the_owners_plays_in_their_window(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let songs_path = "/top_songs?time_range=medium_term";
    let artists_path = "/top_artists?time_range=medium_term";
    let before = app.htmx(&client, songs_path).await.text().await.unwrap();
    assert!(!before.contains("Your plays"), "no history, no column");

    // Alice's top songs and artists of the last 6 months, from the fake itself.
    let tracks = app
        .fake_get("alice", "/me/top/tracks?time_range=medium_term&limit=50")
        .await;
    let artists = app
        .fake_get("alice", "/me/top/artists?time_range=medium_term&limit=50")
        .await;
    let track = |i: usize| {
        let item = &tracks["items"][i];
        (
            item["id"].as_str().unwrap().to_owned(),
            item["name"].as_str().unwrap().to_owned(),
            item["artists"][0]["name"].as_str().unwrap().to_owned(),
        )
    };
    let (first_id, first_name, first_artist) = track(0);
    let (second_id, second_name, second_artist) = track(1);
    let (_, third_name, _) = track(2);
    let top_artist = artists["items"][0]["name"].as_str().unwrap().to_owned();

    // Three plays of the first song and one of the second in the last weeks; one of the first
    // a year and a half ago (outside the window); two of a song by the top artist.
    let now = app.clock.now();
    let day =
        |days_ago: i64, minute: i64| now - Duration::days(days_ago) + Duration::minutes(minute);
    let mut plays = vec![
        (
            day(3, 0),
            200_000,
            first_name.clone(),
            first_artist.clone(),
            first_id.clone(),
        ),
        (
            day(3, 10),
            200_000,
            first_name.clone(),
            first_artist.clone(),
            first_id.clone(),
        ),
        (
            day(9, 0),
            200_000,
            first_name.clone(),
            first_artist.clone(),
            first_id.clone(),
        ),
        (
            day(500, 0),
            200_000,
            first_name.clone(),
            first_artist.clone(),
            first_id.clone(),
        ),
        (
            day(4, 0),
            100_000,
            second_name.clone(),
            second_artist.clone(),
            second_id.clone(),
        ),
    ];
    for minute in [0, 20] {
        plays.push((
            day(5, minute),
            90_000,
            "Deep Cut".into(),
            top_artist.clone(),
            "deepcut1".into(),
        ));
    }
    let entries: Vec<serde_json::Value> = plays
        .iter()
        .map(|(end, ms, song, artist, id)| extended(&iso(*end), *ms, song, artist, id))
        .collect();
    let export = zip_of(&[("Streaming_History_Audio_2025_0.json", json(&entries))]);
    import(&app, &client, &[("my_spotify_data.zip", export)]).await;

    // Counted independently: the plays of the last 182 days, by song id and by artist name.
    let window = now - Duration::days(182);
    let in_window = |(end, ..): &&(OffsetDateTime, i64, String, String, String)| *end > window;
    let by_id = |id: &str| {
        let mine: Vec<_> = plays
            .iter()
            .filter(in_window)
            .filter(|p| p.4 == id)
            .collect();
        (mine.len(), mine.iter().map(|p| p.1).sum::<i64>() / 60_000)
    };
    let by_artist = |name: &str| {
        plays
            .iter()
            .filter(in_window)
            .filter(|p| p.3 == name)
            .count()
    };

    let songs = app.htmx(&client, songs_path).await.text().await.unwrap();
    assert!(songs.contains("Your plays"), "{songs}");
    assert!(songs.contains("from your listening history"), "{songs}");
    assert!(
        songs.contains("“at least”"),
        "the window reaches before the history: {songs}"
    );
    let (plays_first, minutes_first) = by_id(&first_id);
    assert_eq!((plays_first, minutes_first), (3, 10));
    let row = row_of(&songs, &crate::common::escaped(&first_name));
    assert!(row.contains(&format!("{plays_first} plays")), "{row}");
    assert!(row.contains(&format!("{minutes_first} min")), "{row}");
    let (plays_second, minutes_second) = by_id(&second_id);
    let row = row_of(&songs, &crate::common::escaped(&second_name));
    assert!(row.contains(&format!("{plays_second} play<")), "{row}");
    assert!(row.contains(&format!("{minutes_second} min")), "{row}");
    let row = row_of(&songs, &crate::common::escaped(&third_name));
    assert!(row.contains("0 plays"), "{row}");

    let list = app.htmx(&client, artists_path).await.text().await.unwrap();
    let item = item_of(&list, &crate::common::escaped(&top_artist));
    let expected = by_artist(&top_artist);
    assert!(expected >= 2);
    assert!(item.contains(&format!("{expected} plays")), "{item}");

    // A share's visitors see Spotify's lists, not the owner's plays.
    let link = app.share(&client, &[("panels", "top_songs")]).await;
    let shared = browser()
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shared.contains(&crate::common::escaped(&first_name)),
        "{shared}"
    );
    assert!(!shared.contains("Your plays"), "{shared}");
}
