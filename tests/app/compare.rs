//! Listening together between three listeners (alice, bob, and markup as mallory): nothing is visible before
//! both consent, the figures equal what this test works out from the fake's top lists, turning
//! the setting off removes a listener at once, and a share's visitor never reaches a comparison.

use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;

use crate::both_backends;
use crate::common::history::{import, json, zip_of};
use crate::common::{Backend, Spawn, TestApp, browser, escaped, spawn_app, spawn_with};
use euterpe_fakes::open_data::FakeOpenData;

both_backends!(
    comparisons_need_both_to_consent_and_show_what_the_top_lists_say,
    both_histories_add_the_last_four_weeks,
    shared_genres_are_those_open_data_gives_both_sides_artists
);

/// Turns the setting on (with `name`) or off.
async fn set(app: &TestApp, client: &reqwest::Client, name: Option<&str>) -> reqwest::Response {
    let fields = match name {
        Some(name) => vec![("enabled", "1"), ("shown_name", name)],
        None => Vec::new(),
    };
    app.post_form(client, "/account/compare", &fields).await
}

async fn text(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let response = app.get(client, path).await;
    (response.status(), response.text().await.unwrap())
}

/// The comparison page ids `/compare` links to.
fn listed(page: &str) -> Vec<String> {
    page.split(r#"href="/compare/"#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// Best 1-based rank of each id over three lists.
fn best(lists: [&[String]; 3]) -> HashMap<String, usize> {
    let mut ranks = HashMap::new();
    for list in lists {
        for (i, id) in list.iter().enumerate() {
            let rank = ranks.entry(id.clone()).or_insert(i + 1);
            *rank = (*rank).min(i + 1);
        }
    }
    ranks
}

/// A section's rows: id, name, my rank, their rank.
fn rows(page: &str, section: &str) -> Vec<(String, String, usize, usize)> {
    let start = page.find(&format!(r#"id="{section}""#)).unwrap();
    let body = &page[start..];
    let body = &body[..body.find("</section>").unwrap()];
    body.split("<tr>")
        .skip(2)
        .map(|row| {
            let id = row.split(r#"data-id=""#).nth(1).unwrap();
            let id = &id[..id.find('"').unwrap()];
            let name = row.split(r#"class="title""#).nth(1).unwrap();
            let name = &name[name.find('>').unwrap() + 1..name.find("</a>").unwrap()];
            let rank = |class: &str| -> usize {
                let cell = row
                    .split(&format!(r#"class="num {class}""#))
                    .nth(1)
                    .unwrap();
                let cell = &cell[cell.find('#').unwrap() + 1..];
                cell[..cell.find('<').unwrap()].parse().unwrap()
            };
            (id.to_owned(), name.to_owned(), rank("mine"), rank("theirs"))
        })
        .collect()
}

async fn comparisons_need_both_to_consent_and_show_what_the_top_lists_say(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, bob, mallory) = (browser(), browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    app.login(&mallory, "markup").await;

    // Before anyone consents: an explanation, no list, no count, and every page is a 404.
    let (status, page) = text(&app, &alice, "/compare").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"href="/account#compare""#) && listed(&page).is_empty());
    assert_eq!(
        text(&app, &alice, "/compare/anything").await.0,
        StatusCode::NOT_FOUND
    );

    // A name is needed, and is never taken without being typed.
    let refused = set(&app, &alice, Some("  ")).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("Type the name"));
    assert_eq!(
        set(&app, &alice, Some("Alice A")).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = text(&app, &alice, "/compare").await;
    assert!(listed(&page).is_empty(), "bob hasn't consented: {page}");
    assert!(!page.contains("Bob") && !page.contains("Mallory"));

    let bob_name = "<b>Bob</b> & \"co\"";
    assert_eq!(
        set(&app, &bob, Some(bob_name)).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = text(&app, &alice, "/compare").await;
    let ids = listed(&page);
    assert_eq!(ids.len(), 1, "only bob: {page}");
    let bob_id = ids[0].clone();
    assert!(page.contains(&escaped(bob_name)) && !page.contains("<b>Bob"));
    let (_, page) = text(&app, &bob, "/compare").await;
    let alice_id = listed(&page).pop().unwrap();
    assert!(page.contains("Alice A"));
    // The ids are opaque: not the user ids, not the Spotify ids.
    let alice_user = crate::common::history::user_id(&app, "alice").await;
    assert!(!alice_id.contains(&alice_user.to_string()) && alice_id.len() >= 20);

    // Mallory hasn't consented: sees no one, reaches no one, and is seen by no one.
    let (_, page) = text(&app, &mallory, "/compare").await;
    assert!(listed(&page).is_empty() && !page.contains("Alice A") && !page.contains("Bob"));
    assert_eq!(
        text(&app, &mallory, &format!("/compare/{bob_id}")).await.0,
        StatusCode::NOT_FOUND
    );

    // The figures, from the fake's top lists.
    let facts_a = app.fake.persona_facts("alice").unwrap();
    let facts_b = app.fake.persona_facts("bob").unwrap();
    let lists = |t: &euterpe_fakes::spotify::TopLists| -> [Vec<String>; 3] {
        [
            t.short_term.clone(),
            t.medium_term.clone(),
            t.long_term.clone(),
        ]
    };
    let (aa, ba) = (lists(&facts_a.top_artists), lists(&facts_b.top_artists));
    let (ranks_a, ranks_b) = (
        best([&aa[0], &aa[1], &aa[2]]),
        best([&ba[0], &ba[1], &ba[2]]),
    );
    let a: HashSet<&String> = ranks_a.keys().collect();
    let b: HashSet<&String> = ranks_b.keys().collect();
    let both = a.intersection(&b).count();
    let compatibility = (100.0 * both as f64 / a.union(&b).count() as f64).round() as u32;
    let (status, page) = text(&app, &alice, &format!("/compare/{bob_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!(r#"id="compatibility-figure">{compatibility}%"#)),
        "{page}"
    );
    assert!(page.contains(&escaped(bob_name)) && !page.contains("<b>Bob"));

    let shared = rows(&page, "artists");
    assert!(both > 1, "the fake's alice and bob share artists");
    assert_eq!(shared.len(), both);
    for (id, _, mine, theirs) in &shared {
        assert_eq!((*mine, *theirs), (ranks_a[id], ranks_b[id]), "{id}");
    }
    let in_order = |rows: &[(String, String, usize, usize)]| {
        rows.windows(2).all(|w| {
            let key = |r: &(String, String, usize, usize)| (r.2 + r.3, r.1.clone());
            key(&w[0]) <= key(&w[1])
        })
    };
    assert!(in_order(&shared), "{shared:?}");

    let (at, bt) = (lists(&facts_a.top_tracks), lists(&facts_b.top_tracks));
    let (tracks_a, tracks_b) = (
        best([&at[0], &at[1], &at[2]]),
        best([&bt[0], &bt[1], &bt[2]]),
    );
    let songs = rows(&page, "songs");
    let both_songs: HashSet<&String> = tracks_a
        .keys()
        .filter(|id| tracks_b.contains_key(*id))
        .collect();
    assert_eq!(
        songs.iter().map(|r| &r.0).collect::<HashSet<_>>(),
        both_songs
    );
    for (id, _, mine, theirs) in &songs {
        assert_eq!((*mine, *theirs), (tracks_a[id], tracks_b[id]), "{id}");
    }
    assert!(in_order(&songs));

    // New to alice: bob's medium-term favourites, in his order, in none of alice's top artists,
    // credited on none of her top songs (she has no stored plays), the first ten.
    let mut on_her_songs: HashSet<String> = HashSet::new();
    for range in ["short_term", "medium_term", "long_term"] {
        let page = app
            .fake_get(
                "alice",
                &format!("/me/top/tracks?time_range={range}&limit=50"),
            )
            .await;
        for track in page["items"].as_array().unwrap() {
            for artist in track["artists"].as_array().unwrap() {
                on_her_songs.insert(artist["id"].as_str().unwrap().to_owned());
            }
        }
    }
    let expected: Vec<&str> = ba[1]
        .iter()
        .filter(|id| !ranks_a.contains_key(*id) && !on_her_songs.contains(*id))
        .take(10)
        .map(String::as_str)
        .collect();
    let start = page.find(r#"id="new""#).unwrap();
    let new_section = &page[start..start + page[start..].find("</section>").unwrap()];
    let shown: Vec<&str> = new_section
        .split("https://open.spotify.com/artist/")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(!expected.is_empty(), "bob has favourites new to alice");
    assert_eq!(shown, expected);

    // Each section is also a fragment for htmx, and a page of its own without it.
    let fragment = app
        .htmx(&alice, &format!("/compare/{bob_id}/artists"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!fragment.contains("<html") && fragment.contains("data-id="));
    let (status, alone) = text(&app, &alice, &format!("/compare/{bob_id}/songs")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        alone.contains("<html")
            && alone.contains("Songs you share")
            && !alone.contains("Artists you share")
    );
    assert_eq!(
        text(&app, &alice, &format!("/compare/{bob_id}/nope"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The data download says what is shared.
    let data: serde_json::Value = app.get(&alice, "/account/data").await.json().await.unwrap();
    assert_eq!(data["listen_together"]["opted_in"], true);
    assert_eq!(data["listen_together"]["shown_name"], "Alice A");

    // A share's visitor never reaches a comparison.
    let link = app.share(&alice, &[("panels", "top_songs")]).await;
    let visitor = reqwest::Client::new();
    for path in [
        format!("{link}/compare"),
        format!("{link}/compare/{bob_id}"),
    ] {
        assert_eq!(
            visitor.get(&path).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let anonymous = browser();
    assert_ne!(
        text(&app, &anonymous, &format!("/compare/{bob_id}"))
            .await
            .0,
        StatusCode::OK
    );

    // Turning it off takes effect at once, both ways; on again is a new page.
    assert_eq!(
        set(&app, &alice, None).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = text(&app, &bob, "/compare").await;
    assert!(
        listed(&page).is_empty() && !page.contains("Alice A"),
        "{page}"
    );
    assert_eq!(
        text(&app, &bob, &format!("/compare/{alice_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        text(&app, &alice, &format!("/compare/{bob_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    set(&app, &alice, Some("Alice again")).await;
    let (_, page) = text(&app, &bob, "/compare").await;
    assert_eq!(listed(&page).len(), 1);
    assert_ne!(listed(&page)[0], alice_id, "an old link never works again");
}

fn play(end: time::OffsetDateTime, name: &str, artist: &str, id: &str) -> serde_json::Value {
    crate::common::history::extended(&crate::common::history::iso(end), 180_000, name, artist, id)
}

async fn both_histories_add_the_last_four_weeks(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    set(&app, &alice, Some("Alice")).await;
    // Bob clicks the offer of his Spotify name.
    let offered = app
        .post_form(
            &bob,
            "/account/compare",
            &[("shown_name", ""), ("use_spotify_name", "1")],
        )
        .await;
    assert_eq!(offered.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(&app, &alice, "/compare").await;
    assert!(page.contains("Bob Okafor"), "{page}");
    let bob_id = listed(&page).pop().unwrap();
    let (_, page) = text(&app, &alice, &format!("/compare/{bob_id}")).await;
    assert!(page.contains("needs listening history from the last four weeks on both sides"));

    let now = app.clock.now();
    let day = time::Duration::days(1);
    let shared = "0000000000000000Shared";
    let mine = vec![
        play(now - 2 * day, "Together", "Band", shared),
        play(now - 3 * day, "Together", "Band", shared),
        play(now - 4 * day, "Mine only", "Solo", "00000000000000000MineX"),
        // Older than four weeks: not counted.
        play(now - 40 * day, "Together", "Band", shared),
    ];
    let theirs = vec![
        play(now - 1 * day, "Together", "Band", shared),
        play(
            now - 5 * day,
            "Theirs only",
            "Other",
            "0000000000000000Theirs",
        ),
        play(
            now - 6 * day,
            "Theirs only",
            "Other",
            "0000000000000000Theirs",
        ),
    ];
    for (client, plays) in [(&alice, mine), (&bob, theirs)] {
        let export = zip_of(&[("Streaming_History_Audio_2026_0.json", json(&plays))]);
        import(&app, client, &[("my_spotify_data.zip", export)]).await;
    }
    let (_, page) = text(&app, &alice, &format!("/compare/{bob_id}")).await;
    assert!(page.contains(r#"id="my-minutes">9 min"#), "{page}");
    assert!(page.contains(r#"id="their-minutes">9 min"#));
    let start = page.find("compare-recent").unwrap();
    let list = &page[start..start + page[start..].find("</ol>").unwrap()];
    assert!(
        list.contains("Together") && list.contains("you 2 plays, them 1 play"),
        "{list}"
    );
    assert!(!list.contains("Mine only") && !list.contains("Theirs only"));
}

async fn shared_genres_are_those_open_data_gives_both_sides_artists(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            open_data: true,
            ..Spawn::default()
        },
    )
    .await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    set(&app, &alice, Some("Alice")).await;
    set(&app, &bob, Some("Bob")).await;
    let (_, page) = text(&app, &alice, "/compare").await;
    let bob_id = listed(&page).pop().unwrap();
    // The first view asks open data about both sides' artists; the answers come in meanwhile.
    text(&app, &alice, &format!("/compare/{bob_id}")).await;
    app.wait_for_open_data().await;
    let (_, page) = text(&app, &alice, &format!("/compare/{bob_id}")).await;

    // Each side: how many of its distinct top artists carry each genre.
    let counts = |persona: &str| {
        let t = app.fake.persona_facts(persona).unwrap().top_artists;
        let ids: HashSet<String> = [t.short_term, t.medium_term, t.long_term]
            .concat()
            .into_iter()
            .collect();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for id in ids {
            let genres: HashSet<String> = FakeOpenData::expected_genres(&id)
                .unwrap_or_default()
                .into_iter()
                .collect();
            for genre in genres {
                *counts.entry(genre).or_default() += 1;
            }
        }
        counts
    };
    let (mine, theirs) = (counts("alice"), counts("bob"));
    let mut expected: Vec<(String, usize, usize)> = mine
        .iter()
        .filter_map(|(genre, &m)| Some((genre.clone(), m, *theirs.get(genre)?)))
        .collect();
    expected.sort_by(|a, b| {
        (std::cmp::Reverse(a.1.min(a.2)), &a.0).cmp(&(std::cmp::Reverse(b.1.min(b.2)), &b.0))
    });
    assert!(
        !expected.is_empty(),
        "the fake's alice and bob share genres"
    );

    let start = page.find("compare-genres").expect("a genres table");
    let table = &page[start..start + page[start..].find("</table>").unwrap()];
    let shown: Vec<(String, usize, usize)> = table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row
                .split("<td")
                .skip(1)
                .map(|cell| &cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()])
                .collect();
            (
                cells[0].replace("&amp;", "&"),
                cells[1].parse().unwrap(),
                cells[2].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(shown, expected);
}
