//! The dashboard as a listener uses it: log in, every panel, the range switcher, back, and the
//! same without JavaScript.

use std::path::PathBuf;
use std::time::Duration;

use euterpe::panel::Panel;
use euterpe_testkit::both_backends;
use euterpe_testkit::{Backend, spawn_demo};
use fantoccini::Locator;
use serde_json::json;

use euterpe_fakes::spotify::{Fault, FaultKind};

use crate::driver::{browser, log_in, panel_text, start_driver, wait_for_panels};

both_backends!(log_in_see_every_panel_switch_range_go_back_and_browse_without_javascript);

async fn log_in_see_every_panel_switch_range_go_back_and_browse_without_javascript(
    backend: Backend,
) {
    let Some((driver, chromium)) = start_driver().await else {
        return;
    };
    // Demo mode, as a newcomer sees it (with the fake's drawn covers).
    let app = spawn_demo(backend).await;
    let short = app.fake_top_track_names("alice", "short_term").await;
    let medium = app.fake_top_track_names("alice", "medium_term").await;

    // With JavaScript: htmx fills all nine panels.
    let js = browser(&driver, &chromium, true).await;
    log_in(&js, &app, "alice").await;
    wait_for_panels(&js).await;
    for panel in Panel::ALL {
        assert!(
            !panel_text(&js, panel).await.contains("Loading"),
            "{}",
            panel.name()
        );
    }
    // Covers load (same-origin demo covers): every image has a natural size.
    let broken = js
        .execute(
            "return Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(broken, json!([]), "broken images on the dashboard");
    assert!(panel_text(&js, Panel::TopSongs).await.contains(&medium[0]));
    // No panel scrolls inside itself: a long one shows its first ten rows whole, and a link to
    // the rest on its own page.
    let shown = js
        .execute(
            "return [...document.querySelectorAll('#panel-top_songs tbody tr')].filter(r => r.offsetHeight > 0).length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, json!(10), "top songs on the dashboard");
    let more = js
        .find(Locator::Css("#panel-top_songs .panel-more a"))
        .await
        .unwrap();
    assert!(more.is_displayed().await.unwrap());
    let href = more.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with("/top_songs"), "{href}");
    let gems = panel_text(&js, Panel::HiddenGems).await;
    assert!(
        gems.contains("100 minus the mean popularity") && gems.contains("ListenBrainz"),
        "{gems}"
    );
    let seasons = panel_text(&js, Panel::MusicVarietyBySeason).await;
    assert!(seasons.contains("Genres: MusicBrainz."), "{seasons}");
    let shot = js.screenshot().await.unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("dashboard-{backend:?}.png")), &shot).unwrap();
    if backend == Backend::Sqlite
        && std::env::var("EUTERPE_UPDATE_SCREENSHOT").is_ok_and(|v| v == "1")
    {
        std::fs::write(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/dashboard.png"),
            &shot,
        )
        .unwrap();
    }

    // Times are in UTC until chosen: the browser's zone is offered, and one click saves it.
    let offer = js
        .find(Locator::Css("[data-zone-offer] form"))
        .await
        .unwrap();
    assert!(offer.is_displayed().await.unwrap());
    assert!(
        offer.text().await.unwrap().contains("Europe/Stockholm"),
        "the browser's zone is named"
    );
    js.find(Locator::Css("[data-zone-offer] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    js.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#panels"))
        .await
        .unwrap();
    assert!(
        js.find_all(Locator::Css("[data-zone-offer]"))
            .await
            .unwrap()
            .is_empty()
    );
    js.goto(&app.url("/account")).await.unwrap();
    let zone = js
        .find(Locator::Css("select#time_zone option:checked"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap();
    assert_eq!(zone.as_deref(), Some("Europe/Stockholm"));
    js.goto(&app.base).await.unwrap();
    wait_for_panels(&js).await;

    // The range switcher updates the panels in place and pushes the URL.
    let select = js.find(Locator::Id("time_range")).await.unwrap();
    select.select_by_value("short_term").await.unwrap();
    js.wait()
        .at_most(Duration::from_secs(10))
        .for_url(&reqwest::Url::parse(&app.url("/?time_range=short_term")).unwrap())
        .await
        .expect("the URL follows the range");
    wait_for_panels(&js).await;
    let songs = panel_text(&js, Panel::TopSongs).await;
    assert!(
        songs.contains("Last 4 weeks") && songs.contains(&short[0]),
        "{songs}"
    );

    // Back shows the previous range again; a reload shows the same state as the URL.
    js.back().await.unwrap();
    js.wait()
        .at_most(Duration::from_secs(10))
        .for_url(&reqwest::Url::parse(&app.url("/")).unwrap())
        .await
        .unwrap();
    wait_for_panels(&js).await;
    let songs = panel_text(&js, Panel::TopSongs).await;
    assert!(
        songs.contains("Last 6 months") && songs.contains(&medium[0]),
        "{songs}"
    );
    js.goto(&app.url("/?time_range=short_term")).await.unwrap();
    wait_for_panels(&js).await;
    let selected = js
        .find(Locator::Css("#time_range option:checked"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap();
    assert_eq!(selected.as_deref(), Some("short_term"));
    js.close().await.unwrap();

    // Without JavaScript, with a slow Spotify (every call 400 ms, so the first drawing can't
    // wait for the cold panels): the dashboard reloads once by itself and then shows every
    // panel's content, no spinner left.
    app.fake.inject(Fault {
        route: None,
        persona: None,
        kind: FaultKind::Delay(Duration::from_millis(400)),
        times: None,
    });
    let plain = browser(&driver, &chromium, false).await;
    log_in(&plain, &app, "bob").await;
    let mut waited = 0;
    while !plain
        .find_all(Locator::Css("section.panel.loading"))
        .await
        .unwrap()
        .is_empty()
    {
        waited += 1;
        assert!(
            waited < 200,
            "a panel still loads after 20 s without JavaScript"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = plain.current_url().await.unwrap();
    assert!(url.as_str().ends_with("wait=all"), "the one reload: {url}");
    for panel in Panel::ALL {
        let text = panel_text(&plain, panel).await;
        assert!(!text.contains("Loading"), "{}: {text}", panel.name());
    }
    app.fake.clear_faults();
    // Each panel's title opens its own page.
    plain
        .find(Locator::Css("#panel-top_songs h2 a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    plain
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("main > section#panel-top_songs"))
        .await
        .unwrap();
    // The range form reloads the full page.
    plain.goto(&app.url("/top_songs")).await.unwrap();
    plain
        .find(Locator::Id("time_range"))
        .await
        .unwrap()
        .select_by_value("short_term")
        .await
        .unwrap();
    plain
        .find(Locator::Css("form.range-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    plain
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&reqwest::Url::parse(&app.url("/top_songs?time_range=short_term")).unwrap())
        .await
        .unwrap();
    assert!(
        panel_text(&plain, Panel::TopSongs)
            .await
            .contains(&short[0])
    );
    plain.close().await.unwrap();
}
