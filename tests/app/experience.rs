//! The details a listener trips over: the seasons a window reaches, the range the dashboard
//! claims, and error pages that keep the frame and offer a way back.

use euterpe::worker::poller::poll_due_users;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, browser, spawn_app};

both_backends!(
    the_seasons_panel_shows_only_the_seasons_its_window_reaches,
    the_dashboard_shows_the_range_its_switcher_claims,
    error_pages_keep_the_navigation_and_offer_a_way_back,
    the_history_pages_through_every_play,
);

/// The season of a month (1–12) in the northern hemisphere, as the test knows it.
fn northern_season(month: u8) -> &'static str {
    match month {
        3..=5 => "Spring",
        6..=8 => "Summer",
        9..=11 => "Fall",
        _ => "Winter",
    }
}

async fn the_seasons_panel_shows_only_the_seasons_its_window_reaches(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    // The fake's recently played: plays of the last hours, so the last 4 weeks have history.
    poll_due_users(&app.state).await.unwrap();
    let page = app
        .get(&client, "/music_variety_by_season?time_range=short_term")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("this range has plays in your listening history"),
        "{page}"
    );
    // The user's zone is UTC until chosen: the window's first and last days name its seasons.
    let now = app.clock.now();
    let start = now - time::Duration::days(28);
    let expected: Vec<&str> = [start.month() as u8, now.month() as u8]
        .into_iter()
        .map(northern_season)
        .collect();
    for season in ["Winter", "Spring", "Summer", "Fall"] {
        assert_eq!(
            page.contains(&format!(r#"id="season-{season}""#)),
            expected.contains(&season),
            "{season} shown for a window from {start} to {now}"
        );
    }
}

async fn the_dashboard_shows_the_range_its_switcher_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    assert!(dashboard.contains(r#"<option value="medium_term" selected>"#));
    // Top playlists' own page starts at the last 4 weeks; on the dashboard it shows the
    // switcher's 6 months, drawn or as a slot.
    let playlists = dashboard
        .split(r#"id="panel-top_playlists""#)
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        playlists.contains("/top_playlists?time_range=medium_term"),
        "{playlists}"
    );
    assert!(!playlists.contains("Last 4 weeks"), "{playlists}");
    let own = app
        .get(&client, "/top_playlists")
        .await
        .text()
        .await
        .unwrap();
    assert!(own.contains("Last 4 weeks"));
}

async fn error_pages_keep_the_navigation_and_offer_a_way_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    for (path, status) in [
        ("/no-such-page", StatusCode::NOT_FOUND),
        ("/?time_range=bogus", StatusCode::BAD_REQUEST),
    ] {
        let response = app.get(&client, path).await;
        assert_eq!(response.status(), status, "{path}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Log out"),
            "{path}: the navigation of a logged-in user"
        );
        assert!(page.contains("Back to your dashboard"), "{path}: {page}");
    }
    // A bad date on /history/top is said inside the form, which keeps what was typed.
    let response = app
        .get(
            &client,
            "/history/top?from=2024-13-01&to=2024-01-01&by=minutes",
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = response.text().await.unwrap();
    let form = page
        .split(r#"action="/history/top""#)
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap();
    assert!(
        form.contains(r#"role="alert""#) && form.contains("not a date"),
        "{form}"
    );
    assert!(form.contains(r#"value="2024-13-01""#) && form.contains(r#"value="minutes" selected"#));
    assert!(page.contains("Log out"));

    // After deleting the account, the home page says so and how to remove Euterpe in Spotify.
    let landing = app
        .get(&browser(), "/?deleted=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(landing.contains("Your account is deleted") && landing.contains("Remove access"));

    // An anonymous visitor (a revoked share link, say) is sent to the home page.
    let stranger = browser();
    let response = app.get(&stranger, "/s/no-such-token").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let page = response.text().await.unwrap();
    assert!(
        !page.contains("Log out") && !page.contains("your dashboard"),
        "{page}"
    );
    assert!(page.contains("Go to Euterpe's home page"));
}

/// The `<tr>` rows of the plays table on a `/history` page, and its "Older plays" link.
fn plays_page(page: &str) -> (Vec<String>, Option<String>) {
    let table = page
        .split(r#"id="recent-title""#)
        .nth(1)
        .unwrap_or_default()
        .split("</table>")
        .next()
        .unwrap_or_default();
    let rows = table
        .split("<tbody>")
        .nth(1)
        .unwrap_or_default()
        .split("<tr>")
        .skip(1)
        .map(str::to_owned)
        .collect();
    let older = page
        .split(r#"<a href="/history?"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|query| format!("/history?{}", query.replace("&amp;", "&")));
    (rows, older)
}

async fn the_history_pages_through_every_play(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    poll_due_users(&app.state).await.unwrap();
    let user = crate::common::history::user_id(&app, "alice").await;
    let stored = app.store.recent_plays(user, 1000).await.unwrap();
    assert_eq!(stored.len(), 50);

    let mut seen = Vec::new();
    let mut next = Some("/history".to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let page = app.get(&client, &path).await.text().await.unwrap();
        let (rows, older) = plays_page(&page);
        assert!(rows.len() <= 20, "{path}");
        seen.extend(rows);
        next = older;
        pages += 1;
        assert!(pages < 10, "paging never ends");
    }
    assert_eq!(pages, 3, "50 plays, 20 a page");
    assert_eq!(seen.len(), 50, "every play once");
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 50);

    // "Last 6 months" starts on the same day on the top lists and the seasons page: the day
    // that was 182 days ago (UTC here).
    let start = app.clock.now() - time::Duration::days(182);
    let day = format!(
        "{} {} {}",
        start.day(),
        &start.month().to_string()[..3],
        start.year()
    );
    let top = app
        .get(&client, "/history/top?preset=medium_term")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        top.contains(&format!("From <strong>{day}</strong>")),
        "{day}: {top}"
    );
    let seasons = app
        .get(&client, "/history/seasons?time_range=medium_term")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        seasons.contains(&format!(">{day}</time> to ")),
        "{day}: {seasons}"
    );
    // The window reaches back before Euterpe knew alice: the note says since when it has her
    // plays (the earliest it recorded) and that an import fills in what came before.
    let first = stored.iter().map(|play| play.played_at).min().unwrap();
    let first = time::OffsetDateTime::from_unix_timestamp(first / 1000).unwrap();
    let since = format!(
        "{} {} {}",
        first.day(),
        &first.month().to_string()[..3],
        first.year()
    );
    assert!(
        seasons.contains("Euterpe has your plays from <time")
            && seasons.contains(&format!(">{since}</time> on")),
        "{since}: {seasons}"
    );
    assert!(seasons.contains("to fill in what came before"));

    // A broken page address is a plain 400, not a 500.
    let broken = app.get(&client, "/history?before=yesterday&key=x").await;
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert!(
        broken
            .text()
            .await
            .unwrap()
            .contains("start again from the newest plays")
    );
}
