//! "Your year" and the detail pages over a generated history whose figures this test works out
//! on its own (`generated_history`'s calendar, the rules as the issue states them),
//! never by calling the code under test: totals, top lists (and their agreement with
//! `/history/top`), new artists, rediscoveries, the busiest day, month and hour, the streak, the
//! song on repeat, the month chart, the card; a song's and an artist's page.

use std::collections::{BTreeMap, HashMap};

use reqwest::StatusCode;

use crate::both_backends;
use crate::common::history::{csrf_of, save_settings};
use crate::common::{Backend, browser, spawn_app};
use crate::generated_history::{
    DAY, MONTHS, Play, Song, civil, day_text, history, import_generated, local, songs,
};

both_backends!(the_year_in_review_shows_what_the_plays_say);
both_backends!(a_song_and_an_artist_have_pages_with_their_plays);

struct Expected {
    minutes: i64,
    plays: i64,
    songs: usize,
    artists: usize,
    top_songs: Vec<String>,
    top_artists: Vec<String>,
    top_albums: Vec<String>,
    new_artists: usize,
    rediscoveries: Vec<String>,
    busiest_day: String,
    busiest_month: String,
    busiest_hour: String,
    streak: (i64, String, String),
    on_repeat: (String, i64, String),
    month_minutes: Vec<(String, i64)>,
}

/// Ranks `(name, plays, ms, key)` as `/history/top` does: plays, time, key.
fn ranked(mut rows: Vec<(String, i64, i64, String)>) -> Vec<String> {
    rows.sort_by(|a, b| (-a.1, -a.2, &a.3).cmp(&(-b.1, -b.2, &b.3)));
    rows.into_iter().take(5).map(|r| r.0).collect()
}

fn expected(plays: &[Play], songs: &[Song], year: i64) -> Expected {
    let in_year = |p: &&Play| civil(local(p.at).0).0 == year;
    let year_plays: Vec<&Play> = plays.iter().filter(in_year).collect();
    let ms: i64 = year_plays.iter().map(|p| p.ms).sum();
    let mut by_song: BTreeMap<usize, (i64, i64)> = BTreeMap::new();
    let mut by_artist: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut by_album: BTreeMap<(&str, &str), (i64, i64)> = BTreeMap::new();
    for p in &year_plays {
        let s = &songs[p.track];
        for entry in [
            by_song.entry(p.track).or_default(),
            by_artist.entry(&s.artist).or_default(),
            by_album.entry((&s.album, &s.artist)).or_default(),
        ] {
            entry.0 += 1;
            entry.1 += p.ms;
        }
    }
    let first_ever: HashMap<&str, i64> = plays
        .iter()
        .rev()
        .map(|p| (songs[p.track].artist.as_str(), p.at))
        .collect();
    let new_artists = by_artist
        .keys()
        .filter(|a| civil(local(first_ever[*a]).0).0 == year)
        .count();
    let mut rediscoveries = Vec::new();
    for artist in by_artist.keys() {
        let of = |p: &Play| songs[p.track].artist == *artist;
        let back = year_plays
            .iter()
            .filter(|p| of(p))
            .map(|p| p.at)
            .min()
            .unwrap();
        let before: Vec<i64> = plays
            .iter()
            .filter(|p| of(p))
            .map(|p| p.at)
            .filter(|&t| t < back)
            .collect();
        if !before.is_empty() && before.iter().all(|&t| t < back - 365 * DAY) {
            rediscoveries.push(artist.to_string());
        }
    }
    let mut days: BTreeMap<i64, i64> = BTreeMap::new();
    let mut months: BTreeMap<u32, i64> = BTreeMap::new();
    let mut hours: BTreeMap<i64, i64> = BTreeMap::new();
    let mut song_days: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for p in &year_plays {
        let (day, hour) = local(p.at);
        *days.entry(day).or_default() += p.ms;
        *months.entry(civil(day).1).or_default() += p.ms;
        *hours.entry(hour).or_default() += 1;
        *song_days
            .entry((day, songs[p.track].id.clone()))
            .or_default() += 1;
    }
    let busiest = days.iter().max_by_key(|(d, ms)| (**ms, -**d)).unwrap();
    let month = months
        .iter()
        .max_by_key(|(m, ms)| (**ms / 60_000, -(**m as i64)))
        .unwrap();
    let hour = hours.iter().max_by_key(|(h, n)| (**n, -**h)).unwrap();
    let (mut best, mut run) = ((0, 0), (0, 0));
    for &day in days.keys() {
        run = if run.1 > 0 && run.0 + run.1 == day {
            (run.0, run.1 + 1)
        } else {
            (day, 1)
        };
        if run.1 > best.1 {
            best = run;
        }
    }
    let repeat = song_days
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .unwrap();
    let repeat_song = songs.iter().find(|s| s.id == repeat.0.1).unwrap();
    let minutes = |ms: i64| ms / 60_000;
    let thousands = |n: i64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let total_minutes = |ms: i64| {
        let m = ms / 60_000;
        if m < 60 {
            format!("{m} min")
        } else {
            format!("{} h {} min", thousands(m / 60), m % 60)
        }
    };
    Expected {
        minutes: minutes(ms),
        plays: year_plays.len() as i64,
        songs: by_song.len(),
        artists: by_artist.len(),
        top_songs: ranked(
            by_song
                .iter()
                .map(|(t, c)| (songs[*t].name.clone(), c.0, c.1, songs[*t].id.clone()))
                .collect(),
        ),
        top_artists: ranked(
            by_artist
                .iter()
                .map(|(a, c)| (a.to_string(), c.0, c.1, a.to_string()))
                .collect(),
        ),
        top_albums: ranked(
            by_album
                .iter()
                .map(|((al, ar), c)| (al.to_string(), c.0, c.1, format!("{al}\u{0}{ar}")))
                .collect(),
        ),
        new_artists,
        rediscoveries,
        busiest_day: format!("{}: {}", day_text(*busiest.0), total_minutes(*busiest.1)),
        busiest_month: format!(
            "{}: {} min",
            MONTHS[*month.0 as usize - 1],
            thousands(minutes(*month.1))
        ),
        busiest_hour: format!(
            "{:02}:00–{:02}:00: {} plays",
            hour.0,
            (hour.0 + 1) % 24,
            thousands(*hour.1)
        ),
        streak: (best.1, day_text(best.0), day_text(best.0 + best.1 - 1)),
        on_repeat: (repeat_song.name.clone(), *repeat.1, day_text(repeat.0.0)),
        month_minutes: (1..=12)
            .map(|m| {
                (
                    format!("{} {year}", MONTHS[m as usize - 1]),
                    minutes(months.get(&m).copied().unwrap_or(0)),
                )
            })
            .collect(),
    }
}

/// The text of the element with `id="{id}"`, tags stripped.
fn text_of(page: &str, id: &str) -> String {
    let start = page
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let rest = &page[start..];
    let body = &rest[rest.find('>').unwrap() + 1..];
    let end = body.find("</dd>").or_else(|| body.find("</p>")).unwrap();
    strip(&body[..end])
}

fn strip(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
}

/// The titles (link or span texts) of a list with class `class`, in order.
fn list_titles(page: &str, class: &str) -> Vec<String> {
    let start = page
        .find(class)
        .unwrap_or_else(|| panic!("no {class} in {page}"));
    let rest = &page[start..];
    let end = [rest.find("</ol>"), rest.find("</ul>")]
        .into_iter()
        .flatten()
        .min()
        .unwrap();
    let list = &rest[..end];
    list.split(r#"class="title""#)
        .skip(1)
        .map(|part| strip(&part[part.find('>').unwrap() + 1..part.find("</").unwrap()]))
        .collect()
}

async fn the_year_in_review_shows_what_the_plays_say(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    import_generated(&app, &client).await;
    let (songs, plays) = (songs(), history());
    let csrf = csrf_of(&app, &client).await;
    let saved = save_settings(&app, &client, &csrf, "Europe/Berlin", "northern").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    // /year leads to the latest year with plays.
    let latest = app.get(&client, "/year").await;
    assert_eq!(latest.status(), StatusCode::SEE_OTHER);
    assert_eq!(latest.headers()["location"], "/year/2025");

    let want = expected(&plays, &songs, 2024);
    let page = app.get(&client, "/year/2024").await.text().await.unwrap();
    let number = |id: &str| text_of(&page, id).replace(',', "").parse::<i64>().unwrap();
    assert_eq!(number("year-minutes"), want.minutes);
    assert_eq!(number("year-plays"), want.plays);
    assert_eq!(number("year-songs"), want.songs as i64);
    assert_eq!(number("year-artists"), want.artists as i64);
    assert_eq!(list_titles(&page, "year-top-songs"), want.top_songs);
    assert_eq!(list_titles(&page, "year-top-artists"), want.top_artists);
    assert_eq!(list_titles(&page, "year-top-albums"), want.top_albums);
    assert_eq!(
        text_of(&page, "new-artists"),
        format!(
            "{} artists played for the first time, most played first:",
            want.new_artists
        )
    );
    let rediscovered: Vec<String> = if want.rediscoveries.is_empty() {
        Vec::new()
    } else {
        list_titles(&page, "year-rediscoveries")
    };
    assert_eq!(rediscovered, want.rediscoveries);
    assert_eq!(
        want.rediscoveries,
        ["Gale"],
        "the generated history's own cases"
    );
    assert_eq!(text_of(&page, "busiest-day"), want.busiest_day);
    assert_eq!(text_of(&page, "busiest-month"), want.busiest_month);
    assert_eq!(text_of(&page, "busiest-hour"), want.busiest_hour);
    let (length, from, to) = &want.streak;
    assert_eq!(
        text_of(&page, "longest-streak"),
        format!("{length} days in a row, from {from} to {to}")
    );
    let (song, times, day) = &want.on_repeat;
    assert_eq!(
        text_of(&page, "on-repeat"),
        format!("{song} · Aster — {times} plays on {day}")
    );
    for (month, minutes) in &want.month_minutes {
        let bar = format!("{month}: {} minutes", minutes);
        let zero = format!("{month}: 0 minutes");
        assert!(
            page.contains(&bar) || (*minutes == 0 && page.contains(&zero)),
            "{bar}"
        );
    }
    // Previous and next years with plays.
    assert!(page.contains(r#"href="/year/2023""#) && page.contains(r#"href="/year/2025""#));

    // The top five are /history/top's first five for the same days.
    let top = app
        .get(
            &client,
            "/history/top?from=2024-01-01&to=2024-12-31&by=plays",
        )
        .await
        .text()
        .await
        .unwrap();
    for name in &want.top_songs {
        assert!(top.contains(name.as_str()));
    }
    let order: Vec<usize> = want
        .top_songs
        .iter()
        .map(|n| top.find(&format!(">{n}<")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    // 31 Dec 23:59 local counts in 2024 and 1 Jan 00:01 in 2025, though both are 31 Dec in UTC.
    let want_2025 = expected(&plays, &songs, 2025);
    let page_2025 = app.get(&client, "/year/2025").await.text().await.unwrap();
    assert_eq!(
        text_of(&page_2025, "year-plays")
            .replace(',', "")
            .parse::<i64>()
            .unwrap(),
        want_2025.plays
    );

    // The first year on record says so.
    let page_2023 = app.get(&client, "/year/2023").await.text().await.unwrap();
    assert!(text_of(&page_2023, "new-artists").contains("first year on record"));

    // A year without plays says so and offers the import; a non-year is not a page.
    let empty = app.get(&client, "/year/2019").await;
    assert_eq!(empty.status(), StatusCode::OK);
    let empty = empty.text().await.unwrap();
    assert!(empty.contains("no plays in 2019") && empty.contains(r#"href="/import""#));
    assert_eq!(
        app.get(&client, "/year/19x9").await.status(),
        StatusCode::NOT_FOUND
    );

    // The card: a 1080×1350 PNG, and the SVG it is drawn from with the year's figures.
    let png = app.get(&client, "/year/2024/card.png").await;
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1080, 1350));
    let svg = app
        .get(&client, "/year/2024/card.svg")
        .await
        .text()
        .await
        .unwrap();
    assert!(svg.contains(&want.top_artists[0]) && svg.contains(&want.top_songs[0]));
    let minutes = want.minutes.to_string();
    assert!(svg.replace(',', "").contains(&minutes), "{svg}");
    assert_eq!(
        app.get(&client, "/year/2019/card.png").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(page.contains(r#"href="/year/2024/card.png""#));

    // Other listeners see nothing of it, and visitors without a session are sent to log in.
    let stranger = browser();
    assert_ne!(
        app.get(&stranger, "/year/2024").await.status(),
        StatusCode::OK
    );
}

async fn a_song_and_an_artist_have_pages_with_their_plays(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    import_generated(&app, &client).await;
    let (songs, plays) = (songs(), history());

    // A song: every play of it, first and last, linked from the history's top list.
    let song = &songs[8];
    let of_song: Vec<&Play> = plays.iter().filter(|p| p.track == 8).collect();
    let top = app
        .get(&client, "/history/top?preset=all")
        .await
        .text()
        .await
        .unwrap();
    let path = format!("/tracks/{}", song.id);
    assert!(top.contains(&format!(r#"href="{path}""#)), "{top}");
    let page = app.get(&client, &path).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains(&song.name) && page.contains("Plays by hour of the day"));
    let all = page.split(r#"class="num all-plays">"#).nth(1).unwrap();
    assert_eq!(&all[..all.find('<').unwrap()], of_song.len().to_string());
    assert!(page.contains(r#"href="/artists/by/Aster""#));

    // An artist: plays of all their songs, their songs and albums most played first.
    let of_artist = plays
        .iter()
        .filter(|p| songs[p.track].artist == "Birch")
        .count();
    let page = app
        .get(&client, "/artists/by/Birch")
        .await
        .text()
        .await
        .unwrap();
    let all = page.split(r#"class="num all-plays">"#).nth(1).unwrap();
    assert_eq!(
        all[..all.find('<').unwrap()].replace(',', ""),
        of_artist.to_string()
    );
    assert!(page.contains("Your most played songs by them") && page.contains("Birch One"));

    // In UTC (the default zone, one offset all year) the year in review counts the same plays.
    let in_2024 = plays
        .iter()
        .filter(|p| (1_704_067_200..1_735_689_600).contains(&p.at))
        .count();
    let year = app.get(&client, "/year/2024").await.text().await.unwrap();
    assert_eq!(
        text_of(&year, "year-plays").replace(',', ""),
        in_2024.to_string()
    );

    // An album by its names.
    let page = app.get(&client, "/albums/by/Birch/Birch%20One").await;
    assert_eq!(page.status(), StatusCode::OK);

    // A song of the top lists with no plays: Spotify's ranks and the import prompt.
    let dashboard = app.get(&client, "/top_songs").await.text().await.unwrap();
    let listed = dashboard
        .split(r#"href="/tracks/"#)
        .nth(1)
        .expect("top songs link to their pages");
    let id = &listed[..listed.find('"').unwrap()];
    let page = app
        .get(&client, &format!("/tracks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("No plays stored yet") && page.contains(r#"href="/import""#));
    assert!(
        page.contains("#1") || page.contains("#2") || page.contains("#3"),
        "{page}"
    );

    // Names nobody knows are not pages.
    for unknown in [
        "/tracks/0000000000000000000000",
        "/artists/by/Nobody",
        "/tracks/x",
    ] {
        assert_eq!(
            app.get(&client, unknown).await.status(),
            StatusCode::NOT_FOUND,
            "{unknown}"
        );
    }
}
