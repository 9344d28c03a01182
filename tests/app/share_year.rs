//! Sharing the year in review: a link shows the chosen years and nothing else, and shared pages
//! carry Open Graph tags whose picture is the year's card.

use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, TestApp, browser, spawn_app};
use crate::generated_history::import_generated;

both_backends!(a_shared_year_shows_that_year_and_nothing_else);

/// `content` of the `<meta property="{property}">` tag.
fn meta<'a>(page: &'a str, property: &str) -> Option<&'a str> {
    let tag = format!(r#"property="{property}" content=""#);
    let rest = &page[page.find(&tag)? + tag.len()..];
    Some(&rest[..rest.find('"')?])
}

async fn owner_with_history(app: &TestApp) -> reqwest::Client {
    let owner = browser();
    app.login(&owner, "alice").await;
    import_generated(app, &owner).await;
    owner
}

async fn a_shared_year_shows_that_year_and_nothing_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = owner_with_history(&app).await;
    let link = app
        .share(
            &owner,
            &[
                ("panels", "year"),
                ("years", "2024"),
                ("shown_name", "Al <i>"),
            ],
        )
        .await;
    let token_path = link
        .split_once("/s/")
        .map(|(_, t)| format!("/s/{t}"))
        .unwrap();
    let visitor = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String| {
        let visitor = visitor.clone();
        let url = app.url(&path);
        async move { visitor.get(url).send().await.unwrap() }
    };

    // The shared dashboard: the year, no panel, a preview with the card.
    let home = get(token_path.clone()).await;
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();
    assert!(
        home.contains(&format!(r#"href="{token_path}/year/2024""#)),
        "{home}"
    );
    assert!(!home.contains("/year/2023") && !home.contains("/year/2025"));
    assert!(
        !home.contains("panel-top_songs") && !home.contains("Top songs"),
        "{home}"
    );
    assert_eq!(
        meta(&home, "og:image"),
        Some(
            app.url(&format!("{token_path}/year/2024/card.png"))
                .as_str()
        )
    );

    // The year itself, with its preview; the latest shared year is 2024.
    let latest = get(format!("{token_path}/year")).await;
    assert_eq!(latest.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        latest.headers()["location"],
        format!("{token_path}/year/2024").as_str()
    );
    let page = get(format!("{token_path}/year/2024")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert_eq!(
        meta(&page, "og:title"),
        Some("Al &lt;i&gt;'s 2024 in music")
    );
    assert!(
        meta(&page, "og:description")
            .unwrap()
            .contains("minutes of music")
    );
    assert_eq!(
        meta(&page, "og:image"),
        Some(
            app.url(&format!("{token_path}/year/2024/card.png"))
                .as_str()
        )
    );
    assert!(page.contains(r#"id="year-plays""#) && page.contains("Top artists"));
    // Nothing else of the owner's: no detail pages, no other year, no time zone.
    for private in [
        "href=\"/tracks/",
        "href=\"/artists/",
        "href=\"/albums/",
        "/year/2023",
        "/year/2025",
        "href=\"/import\"",
    ] {
        assert!(!page.contains(private), "{private} on a shared year");
    }
    let card = get(format!("{token_path}/year/2024/card.png")).await;
    assert_eq!(card.status(), StatusCode::OK);
    assert_eq!(card.headers()["content-type"], "image/png");

    // Every other year, panel or owner's page under the link is the same 404.
    for path in [
        format!("{token_path}/year/2023"),
        format!("{token_path}/year/2023/card.png"),
        format!("{token_path}/year/2025/card.svg"),
        format!("{token_path}/top_songs"),
        format!("{token_path}/year/20x4"),
    ] {
        assert_eq!(
            get(path.clone()).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // A link without the year has none; one with every year shows each.
    let panels_only = app.share(&owner, &[("panels", "top_songs")]).await;
    let panels_only = panels_only
        .split_once("/s/")
        .map(|(_, t)| format!("/s/{t}"))
        .unwrap();
    assert_eq!(
        get(format!("{panels_only}/year")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(format!("{panels_only}/year/2024")).await.status(),
        StatusCode::NOT_FOUND
    );
    let panel_page = get(format!("{panels_only}/top_songs"))
        .await
        .text()
        .await
        .unwrap();
    assert!(meta(&panel_page, "og:title").is_some_and(|t| t.starts_with("Top songs")));
    let every = app
        .share(&owner, &[("panels", "year"), ("years", "")])
        .await;
    let every = every
        .split_once("/s/")
        .map(|(_, t)| format!("/s/{t}"))
        .unwrap();
    let home = get(every.clone()).await.text().await.unwrap();
    for year in [2023, 2024, 2025] {
        assert!(home.contains(&format!("{every}/year/{year}")), "{year}");
    }
    // 2025's record stops days before New Year: a visitor reads "at least", not the owner's
    // dates or an invitation to import.
    let gaps = get(format!("{every}/year/2025"))
        .await
        .text()
        .await
        .unwrap();
    assert!(gaps.contains("the history has gaps in this year"), "{gaps}");
    assert!(!gaps.contains("href=\"/import\"") && !gaps.contains("Euterpe has your plays from"));

    // A year list that isn't one is refused in plain words, and nothing is made.
    let refused = app
        .post_form(
            &owner,
            "/shares",
            &[("panels", "year"), ("years", "twenty24")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("“twenty24” is not a year")
    );
}
