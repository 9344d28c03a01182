//! Two exports (extended history and account data) that hold the same plays: each play stored
//! once, whichever comes first, compilations and repeats included.

use reqwest::Client;

use crate::both_backends;
use crate::common::history::*;
use crate::common::{Backend, TestApp, browser, spawn_app};

both_backends!(
    a_play_both_exports_hold_is_stored_once_whichever_comes_first,
    a_compilation_track_both_exports_hold_is_stored_once,
    a_track_played_twice_in_a_row_stays_two_plays,
);

/// The all-time top tracks as shown: (title, artist, plays).
async fn top_tracks(app: &TestApp, client: &Client) -> Vec<(String, String, i64)> {
    let page = app
        .get(client, "/history/top?preset=all&by=plays")
        .await
        .text()
        .await
        .unwrap();
    let tracks = page.split(r#"id="top-artists-title""#).next().unwrap();
    tracks
        // Each track's name links to its page.
        .split(r#"<a class="title" href=""#)
        .skip(1)
        .map(|row| {
            let text = |after: &str| {
                row.split(after)
                    .nth(1)
                    .and_then(|rest| rest.split('<').next())
                    .unwrap()
                    .to_owned()
            };
            let title = text(">");
            let plays = text(r#"<td class="num">"#)
                .replace(',', "")
                .parse()
                .unwrap();
            (title, text(r#"<span class="sub">"#), plays)
        })
        .collect()
}

/// Three plays of one song as each export records them: the extended history by track id and
/// to the second, the account data by names and to the minute.
fn song_a_in_both_exports() -> (Vec<u8>, Vec<u8>) {
    let days = ["2020-03-01", "2020-03-02", "2020-03-03"];
    let extended_file: Vec<serde_json::Value> = days
        .iter()
        .map(|day| {
            extended(
                &format!("{day}T10:03:27Z"),
                180_000,
                "Song A",
                "Band",
                "6songAAAAAAAAAAAAAAAAA",
            )
        })
        .collect();
    let account_file: Vec<serde_json::Value> = days
        .iter()
        .map(|day| account(&format!("{day} 10:03"), 180_000, "Song A", "Band"))
        .collect();
    (json(&extended_file), json(&account_file))
}

async fn a_play_both_exports_hold_is_stored_once_whichever_comes_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (extended_file, account_file) = song_a_in_both_exports();
    let extended_name = "Streaming_History_Audio_2020_0.json";
    let account_name = "StreamingHistory_music_0.json";

    // Account data first: the extended history's plays replace its records of them.
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let first = import_anew(&app, &client, &[(account_name, account_file.clone())]).await;
    assert_eq!(figure(&first, "plays-added"), 3, "{first}");
    let second = import_anew(&app, &client, &[(extended_name, extended_file.clone())]).await;
    assert_eq!(figure(&second, "plays-added"), 0, "{second}");
    assert_eq!(figure(&second, "duplicates"), 3);
    assert_eq!(stored_plays(&app, alice).await, 3);
    assert_eq!(
        top_tracks(&app, &client).await,
        [("Song A".to_owned(), "Band".to_owned(), 3)]
    );
    let stored = app.store.recent_plays(alice, 10).await.unwrap();
    assert!(
        stored
            .iter()
            .all(|p| p.track_key == "6songAAAAAAAAAAAAAAAAA" && p.played_at % 60_000 == 27_000),
        "the extended history's records, keyed by track id, are kept: {stored:?}"
    );
    // Both again: nothing more.
    for (name, file) in [
        (account_name, &account_file),
        (extended_name, &extended_file),
    ] {
        let again = import_anew(&app, &client, &[(name, file.clone())]).await;
        assert_eq!(figure(&again, "plays-added"), 0, "{again}");
    }
    assert_eq!(stored_plays(&app, alice).await, 3);

    // Extended history first, account data after: separately, and in one upload.
    for (persona, together) in [("bob", false), ("empty", true)] {
        let client = browser();
        app.login(&client, persona).await;
        let user = user_id(&app, persona).await;
        let files = [
            (extended_name, extended_file.clone()),
            (account_name, account_file.clone()),
        ];
        let added = if together {
            let page = import_anew(&app, &client, &[("my_spotify_data.zip", zip_of(&files))]).await;
            figure(&page, "plays-added")
        } else {
            let mut added = 0;
            for file in files {
                added += figure(&import_anew(&app, &client, &[file]).await, "plays-added");
            }
            added
        };
        assert_eq!(added, 3, "{persona}");
        assert_eq!(stored_plays(&app, user).await, 3, "{persona}");
        assert_eq!(
            top_tracks(&app, &client).await,
            [("Song A".to_owned(), "Band".to_owned(), 3)],
            "{persona}"
        );
    }
}

async fn a_compilation_track_both_exports_hold_is_stored_once(backend: Backend) {
    let app = spawn_app(backend).await;
    // The extended history names a compilation's artist ("Various Artists"), the account data
    // the track's own.
    let days = ["2021-05-01", "2021-05-02"];
    let extended_file = json(
        &days
            .iter()
            .map(|day| {
                extended(
                    &format!("{day}T22:41:05Z"),
                    200_000,
                    "Song B",
                    "Various Artists",
                    "7songBBBBBBBBBBBBBBBBB",
                )
            })
            .collect::<Vec<_>>(),
    );
    let account_file = json(
        &days
            .iter()
            .map(|day| account(&format!("{day} 22:41"), 200_000, "Song B", "Real Artist"))
            .collect::<Vec<_>>(),
    );
    let extended_file = ("Streaming_History_Audio_2021_0.json", extended_file);
    let account_file = ("StreamingHistory_music_0.json", account_file);
    for (persona, files) in [
        ("alice", [account_file.clone(), extended_file.clone()]),
        ("bob", [extended_file.clone(), account_file.clone()]),
    ] {
        let client = browser();
        app.login(&client, persona).await;
        let user = user_id(&app, persona).await;
        let first = import_anew(&app, &client, &files[..1]).await;
        assert_eq!(figure(&first, "plays-added"), 2, "{persona}: {first}");
        let second = import_anew(&app, &client, &files[1..]).await;
        assert_eq!(figure(&second, "plays-added"), 0, "{persona}: {second}");
        assert_eq!(stored_plays(&app, user).await, 2, "{persona}");
        let top = top_tracks(&app, &client).await;
        assert_eq!(top.len(), 1, "{persona}: {top:?}");
        assert_eq!((top[0].0.as_str(), top[0].2), ("Song B", 2), "{persona}");
    }
    // Different songs of the same name are not taken for one another.
    let client = browser();
    app.login(&client, "empty").await;
    let empty = user_id(&app, "empty").await;
    let other = json(&[account(
        "2021-05-01 22:41",
        200_000,
        "Song B",
        "Another Band",
    )]);
    import_anew(&app, &client, &[extended_file]).await;
    let page = import_anew(&app, &client, &[("StreamingHistory_music_0.json", other)]).await;
    assert_eq!(
        figure(&page, "plays-added"),
        0,
        "a compilation's track may be anyone's"
    );
    let band = json(&[extended(
        "2021-05-03T10:00:00Z",
        200_000,
        "Song C",
        "Band",
        "8songCCCCCCCCCCCCCCCCC",
    )]);
    import_anew(&app, &client, &[("endsong_0.json", band)]).await;
    let other = json(&[account("2021-05-03 10:00", 200_000, "Song C", "Other Band")]);
    let page = import_anew(&app, &client, &[("StreamingHistory_music_1.json", other)]).await;
    assert_eq!(figure(&page, "plays-added"), 1, "{page}");
    assert_eq!(stored_plays(&app, empty).await, 4);
}

async fn a_track_played_twice_in_a_row_stays_two_plays(backend: Backend) {
    let app = spawn_app(backend).await;
    // A 45-second song twice in a row. The account data holds only the second play (its period
    // begins in between): it must not stand for both.
    let extended_file = (
        "Streaming_History_Audio_2022_0.json",
        json(&[
            extended(
                "2022-01-10T08:00:45Z",
                45_000,
                "Short",
                "Band",
                "9shortDDDDDDDDDDDDDDDD",
            ),
            extended(
                "2022-01-10T08:01:30Z",
                45_000,
                "Short",
                "Band",
                "9shortDDDDDDDDDDDDDDDD",
            ),
        ]),
    );
    let second_only = (
        "StreamingHistory_music_0.json",
        json(&[account("2022-01-10 08:01", 45_000, "Short", "Band")]),
    );
    let both = (
        "StreamingHistory_music_0.json",
        json(&[
            account("2022-01-10 08:00", 45_000, "Short", "Band"),
            account("2022-01-10 08:01", 45_000, "Short", "Band"),
        ]),
    );
    for (persona, files) in [
        ("alice", [second_only.clone(), extended_file.clone()]),
        ("bob", [extended_file.clone(), second_only.clone()]),
        ("empty", [both.clone(), extended_file.clone()]),
        ("markup", [extended_file.clone(), both.clone()]),
    ] {
        let client = browser();
        app.login(&client, persona).await;
        let user = user_id(&app, persona).await;
        for file in files {
            import_anew(&app, &client, &[file]).await;
        }
        assert_eq!(stored_plays(&app, user).await, 2, "{persona}");
        let top = top_tracks(&app, &client).await;
        assert_eq!(
            top.iter().map(|t| t.2).sum::<i64>(),
            2,
            "{persona}: {top:?}"
        );
    }
}
