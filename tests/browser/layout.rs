//! Every page as a phone and a laptop show it, light and dark: nothing scrolls sideways, no
//! table is wider than its box, nothing scrolls inside a panel, and axe-core finds no serious or
//! critical accessibility violation.

use std::path::PathBuf;
use std::time::Duration;

use euterpe::panel::Panel;
use euterpe_testkit::both_backends;
use euterpe_testkit::history::{fixture, import, zip_of};
use euterpe_testkit::{Backend, TestApp, spawn_demo};
use fantoccini::Client;
use serde_json::{Value, json};

use crate::driver::{Look, browser_with, log_in, start_driver};

both_backends!(every_page_fits_a_phone_and_a_laptop_in_light_and_dark_and_passes_axe);

/// axe-core, vendored (see `tests/fixtures/axe/README.md`).
const AXE: &str = include_str!("../fixtures/axe/axe.min.js");

/// What a user would notice is wrong with the page's layout, in words (empty: nothing).
const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
const width = window.innerWidth;
const doc = document.documentElement;
if (doc.scrollWidth > width + 1) {
    problems.push(`the page is ${doc.scrollWidth}px wide in a ${width}px window`);
}
for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || el.closest('.visually-hidden')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const scrolls = v => v === 'auto' || v === 'scroll';
    if (scrolls(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${name(el)} scrolls sideways (${el.scrollWidth}px in ${el.clientWidth}px)`);
    }
    if (el.closest('.panel') && scrolls(style.overflowY) && el.scrollHeight > el.clientHeight + 1) {
        problems.push(`${name(el)} scrolls inside a panel`);
    }
    if (box.right > width + 1 && style.position !== 'fixed') {
        problems.push(`${name(el)} reaches past the window's right edge (${Math.round(box.right)}px)`);
    }
}
for (const table of document.querySelectorAll('table')) {
    const own = table.getBoundingClientRect().width;
    const room = table.parentElement.getBoundingClientRect().width;
    if (own > room + 1) problems.push(`${name(table)} is ${Math.round(own)}px wide in ${Math.round(room)}px`);
    // A header row hidden on a phone must be made up for by labelled cells.
    const head = table.querySelector('thead');
    if (head && getComputedStyle(head).display === 'none') {
        const unlabelled = [...table.querySelectorAll('tbody td')].filter(td =>
            td.textContent.trim() !== '' && !td.dataset.label && !td.matches('.rank, .art, .name'));
        if (unlabelled.length) problems.push(`${name(table)} hides its headers and leaves ${unlabelled.length} cells unlabelled`);
    }
}
for (const text of document.querySelectorAll('svg text')) {
    const style = getComputedStyle(text);
    if (style.display === 'none' || text.getBoundingClientRect().width === 0) continue;
    if (parseFloat(style.fontSize) < 12) {
        problems.push(`chart text "${text.textContent}" is ${style.fontSize}`);
    }
}
return [...new Set(problems)].slice(0, 12);
"#;

/// Waits until no panel is loading and no open-data look-up is pending.
async fn settle(browser: &Client) {
    for _ in 0..300 {
        let busy = browser
            .execute(
                "return document.querySelectorAll('section.panel.loading, [data-enrichment-pending]').length",
                vec![],
            )
            .await
            .unwrap();
        if busy == json!(0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never settled");
}

/// axe-core's serious and critical violations on the current page, one line each.
async fn axe_violations(browser: &Client) -> Vec<String> {
    browser.execute(AXE, vec![]).await.unwrap();
    let found = browser
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)));"#,
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// The pages a listener reaches, logged in (paths under the app).
fn pages(share: &str, year_share: &str) -> Vec<String> {
    let mut pages = vec!["/".to_owned()];
    pages.extend(Panel::ALL.iter().map(|panel| format!("/{}", panel.name())));
    for path in [
        "/history",
        "/history/top",
        "/history/top?preset=all",
        "/history/top?from=2024-13-01&to=2024-01-01",
        "/history/clock",
        "/history/months",
        "/history/seasons",
        "/year/2023",
        "/year/2019",
        "/artists/by/Rema",
        "/albums/by/Rema/Calm%20Down",
        "/import",
        "/account",
        "/no-such-page",
        "/?time_range=bogus",
    ] {
        pages.push(path.to_owned());
    }
    pages.push(share.to_owned());
    pages.push(year_share.to_owned());
    pages.push(format!("{year_share}/year/2023"));
    pages
}

/// Keeps what the page looked like in `target/screenshots/` (and, for the phone's dashboard
/// with `EUTERPE_UPDATE_SCREENSHOT=1`, as the README's `docs/phone.png`).
async fn save_screenshot(browser: &Client, look: Look, path: &str) {
    let slug: String = path
        .trim_start_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    let slug = if slug.is_empty() {
        "dashboard".to_owned()
    } else {
        slug
    };
    let shot = browser.screenshot().await.unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let scheme = if look.dark { "dark" } else { "light" };
    std::fs::write(
        dir.join(format!("{}-{scheme}-{slug}.png", look.width)),
        &shot,
    )
    .unwrap();
    for (n, chart) in browser
        .find_all(fantoccini::Locator::Css("figure.chart"))
        .await
        .unwrap()
        .into_iter()
        .enumerate()
    {
        if let Ok(png) = chart.screenshot().await {
            let name = format!("{}-{scheme}-{slug}-chart{n}.png", look.width);
            std::fs::write(dir.join(name), png).unwrap();
        }
    }
    if !look.dark && std::env::var("EUTERPE_UPDATE_SCREENSHOT").is_ok_and(|v| v == "1") {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs");
        let phone = look.width < 500;
        match path {
            "/" if phone => std::fs::write(docs.join("phone.png"), &shot).unwrap(),
            "/year/2023" => {
                let name = if phone {
                    "year-phone.png"
                } else {
                    "year-desktop.png"
                };
                std::fs::write(docs.join(name), &shot).unwrap();
            }
            _ => {}
        }
    }
}

async fn check_pages(app: &TestApp, browser: &Client, look: Look, pages: &[String]) -> Vec<String> {
    let mut failures = Vec::new();
    for path in pages {
        browser.goto(&app.url(path)).await.unwrap();
        settle(browser).await;
        let problems: Vec<String> =
            serde_json::from_value(browser.execute(LAYOUT_PROBLEMS, vec![]).await.unwrap())
                .unwrap();
        let violations = axe_violations(browser).await;
        save_screenshot(browser, look, path).await;
        for problem in problems.iter().chain(&violations) {
            failures.push(format!(
                "{path} at {}px{}: {problem}",
                look.width,
                if look.dark { ", dark" } else { "" }
            ));
        }
    }
    failures
}

async fn every_page_fits_a_phone_and_a_laptop_in_light_and_dark_and_passes_axe(backend: Backend) {
    let Some((driver, chromium)) = start_driver().await else {
        return;
    };
    let app = spawn_demo(backend).await;
    let owner = euterpe_testkit::browser();
    app.login(&owner, "alice").await;
    // A listening history, so the history pages have their charts and tables.
    let export = zip_of(&[
        (
            "Spotify Extended Streaming History/Streaming_History_Audio_2023-2024_0.json",
            fixture("extended_Streaming_History_Audio_format2023plus.json"),
        ),
        (
            "MyData/endsong_0.json",
            fixture("extended_endsong_0_legacy_format.json"),
        ),
        (
            "Spotify Account Data/StreamingHistory_music_3.json",
            fixture("account_StreamingHistory_music_3.json"),
        ),
    ]);
    import(&app, &owner, &[("my_spotify_data.zip", export)]).await;
    let share = app
        .share(
            &owner,
            &[("panels", "top_songs"), ("panels", "release_year_trends")],
        )
        .await;
    let share = share.strip_prefix(&app.base).unwrap_or(&share).to_owned();
    let year_share = app
        .share(&owner, &[("panels", "year"), ("years", "")])
        .await;
    let year_share = year_share
        .strip_prefix(&app.base)
        .unwrap_or(&year_share)
        .to_owned();
    let mut pages = pages(&share, &year_share);
    // Listening together, with bob: both opt in.
    let bob = euterpe_testkit::browser();
    app.login(&bob, "bob").await;
    for (client, name) in [(&owner, "Alice"), (&bob, "Bob")] {
        let csrf = app.csrf(client).await;
        let saved = client
            .post(app.url("/account/compare"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("enabled", "1"),
                ("shown_name", name),
            ])
            .send()
            .await
            .unwrap();
        assert!(saved.status().is_redirection(), "{name} opts in");
    }
    let list = app.get(&owner, "/compare").await.text().await.unwrap();
    let bob_page = list
        .split(r#"href="/compare/"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("bob is listed")
        .to_owned();
    pages.push("/compare".to_owned());
    pages.push(format!("/compare/{bob_page}"));
    if std::env::var("EUTERPE_UPDATE_SCREENSHOT").is_ok_and(|v| v == "1") {
        let card = app
            .get(&owner, "/year/2023/card.png")
            .await
            .bytes()
            .await
            .unwrap();
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/year-card.png");
        std::fs::write(docs, &card).unwrap();
    }

    let mut failures = Vec::new();
    for look in [
        Look::PHONE,
        Look::DESKTOP,
        Look {
            dark: true,
            ..Look::PHONE
        },
        Look {
            dark: true,
            ..Look::DESKTOP
        },
    ] {
        let browser = browser_with(&driver, &chromium, look).await;
        // A phone lays a page out at the device's width only when the page asks to (its
        // viewport tag), so look at one of ours.
        browser.goto(&app.url("/")).await.unwrap();
        let inner: Value = browser
            .execute(
                "return [window.innerWidth, matchMedia('(prefers-color-scheme: dark)').matches]",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            inner,
            json!([look.width, look.dark]),
            "the browser looks as asked"
        );
        // The landing page, before logging in.
        // The landing page and the demo's sign-in page (which wears the app's stylesheet).
        failures.extend(
            check_pages(&app, &browser, look, &["/".to_owned(), "/login".to_owned()]).await,
        );
        let styled = browser
            .execute("return document.styleSheets.length", vec![])
            .await
            .unwrap();
        assert_eq!(
            styled,
            json!(1),
            "the sign-in page links the app's stylesheet"
        );
        log_in(&browser, &app, "alice").await;
        failures.extend(check_pages(&app, &browser, look, &pages).await);
        browser.close().await.unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
