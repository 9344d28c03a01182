//! The dashboard's "Recently played": the last ten plays stored, newest first, at their time in
//! the listener's zone, leading to the history; an invitation to import while there are none.

use reqwest::StatusCode;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::both_backends;
use crate::common::history::{csrf_of, extended, import, iso, json, save_settings, zip_of};
use crate::common::{Backend, browser, spawn_app};

both_backends!(the_dashboard_lists_the_last_ten_plays_in_the_listeners_zone);

/// The dashboard's history card.
fn card(page: &str) -> &str {
    let start = page
        .find(r#"aria-labelledby="history-card-title""#)
        .expect("the dashboard has its history card");
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

async fn the_dashboard_lists_the_last_ten_plays_in_the_listeners_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let page = app.get(&client, "/").await.text().await.unwrap();
    assert!(!card(&page).contains("Recently played"), "{}", card(&page));
    assert!(card(&page).contains(r#"href="/import""#));

    // Twelve plays an hour apart; an export's time is when the play ended.
    let first = OffsetDateTime::from_unix_timestamp(1_751_364_000).unwrap(); // 2025-07-01 10:00 UTC
    let ends: Vec<OffsetDateTime> = (0..12).map(|n| first + Duration::hours(n)).collect();
    let plays: Vec<serde_json::Value> = ends
        .iter()
        .enumerate()
        .map(|(n, end)| {
            let song = format!("Song {n:02}");
            extended(
                &iso(*end),
                200_000,
                &song,
                &format!("Band {n:02}"),
                &format!("t{n:02}"),
            )
        })
        .collect();
    let export = zip_of(&[("Streaming_History_Audio_2025_0.json", json(&plays))]);
    import(&app, &client, &[("my_spotify_data.zip", export)]).await;

    // Kathmandu is 5 h 45 min ahead of UTC, all year.
    let csrf = csrf_of(&app, &client).await;
    let saved = save_settings(&app, &client, &csrf, "Asia/Kathmandu", "northern").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    let page = app.get(&client, "/").await.text().await.unwrap();
    let card = card(&page);
    assert!(card.contains("Recently played"), "{card}");
    assert!(card.contains(r#"href="/history""#));
    let kathmandu = UtcOffset::from_hms(5, 45, 0).unwrap();
    let format =
        format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute]");
    let mut at = 0;
    for n in (2..12).rev() {
        let song = format!("Song {n:02}");
        let when = ends[n].to_offset(kathmandu).format(&format).unwrap();
        let found = card[at..]
            .find(&song)
            .unwrap_or_else(|| panic!("{song} after the one before it: {card}"));
        let row = &card[at..at + found];
        assert!(row.contains(&when), "{song} at {when}: {row}");
        at += found + song.len();
    }
    // The two oldest are left to the history pages.
    assert!(
        !card.contains("Song 01") && !card.contains("Song 00"),
        "{card}"
    );
}
