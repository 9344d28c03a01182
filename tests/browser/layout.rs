//! Every page as a phone and a laptop show it, light and dark: nothing scrolls sideways, no
//! table is wider than its box, nothing scrolls inside a panel, and axe-core finds no serious or
//! critical accessibility violation.

use std::time::Duration;

use euterpe::panel::Panel;
use euterpe_testkit::both_backends;
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
fn pages(share: &str) -> Vec<String> {
    let mut pages = vec!["/".to_owned()];
    pages.extend(Panel::ALL.iter().map(|panel| format!("/{}", panel.name())));
    for path in [
        "/history",
        "/history/top",
        "/history/clock",
        "/history/months",
        "/history/seasons",
        "/import",
        "/account",
        "/no-such-page",
        "/?time_range=bogus",
    ] {
        pages.push(path.to_owned());
    }
    pages.push(share.to_owned());
    pages
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
    let share = app
        .share(
            &owner,
            &[("panels", "top_songs"), ("panels", "release_year_trends")],
        )
        .await;
    let share = share.strip_prefix(&app.base).unwrap_or(&share).to_owned();
    let pages = pages(&share);

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
        failures.extend(check_pages(&app, &browser, look, &["/".to_owned()]).await);
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
