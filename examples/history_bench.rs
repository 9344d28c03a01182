//! Benchmark of the listening history (see BENCHMARKS.md, "Listening history"):
//! imports a generated extended streaming history of N plays (default 1,000,000) as a zip,
//! through the same import job the web upload runs, then times every history view over it.
//!
//! ```sh
//! cargo run --release --example history_bench -- [--plays N] [--db sqlite|postgres|both]
//!     [--pg-url postgres://postgres:postgres@127.0.0.1:5432/postgres] [--keep]
//! ```
//! Peak memory is the process's VmHWM, reset after the file is generated. Postgres's own memory
//! is not included (it is another process).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use euterpe::clock::Clock;
use euterpe::domain::Subject;
use euterpe::history::import::{self, Upload};
use euterpe::history::zone::Zone;
use euterpe::shutdown::Shutdown;
use euterpe::spotify::models::TimeRange;
use euterpe::stats::history::{
    coverage_holes, listening_clock, minutes_per_month, new_artists_per_month, season_items,
    season_window,
};
use euterpe::stats::{Hemisphere, variety_by_season};
use euterpe::store::{NewUser, PoolOptions, Store, TopOrder};
use sqlx::Connection;

const DAY: i64 = 86_400;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn base62(mut n: u64, len: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; len];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).unwrap()
}

fn iso(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Writes a zip of `Streaming_History_Audio_*.json` files holding `plays` counted plays (plus
/// about 6% entries that are skipped: short, incognito, podcast episodes), spread over ten
/// years before `end`: 40,000 tracks by 6,000 artists, favourites played far more (Zipf-like).
fn generate(path: &Path, plays: u64, end: i64) -> (u64, u64) {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let tracks = 40_000u64;
    let artists = 6_000u64;
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let span = 10 * 365 * DAY;
    // About 6% of the entries are skipped ones that take time too: the steps leave room for
    // them, so the last play still ends before `end` (imports skip plays from the future).
    let step = span as f64 * 0.939 / plays as f64;
    let mut at = (end - span) as f64;
    let (mut counted, mut entries, mut file_no, mut in_file) = (0u64, 0u64, 0, 0);
    let per_file = 16_000;
    let mut first = true;
    while counted < plays {
        if in_file == 0 {
            let year = time::OffsetDateTime::from_unix_timestamp(at as i64)
                .unwrap()
                .year();
            zip.start_file(
                format!("Spotify Extended Streaming History/Streaming_History_Audio_{year}_{file_no}.json"),
                options,
            )
            .unwrap();
            zip.write_all(b"[\n").unwrap();
            first = true;
        }
        at += step * (0.2 + 1.6 * rng.unit());
        let roll = rng.unit();
        let track = ((tracks as f64) * rng.unit().powf(2.2)) as u64;
        let artist = track * 7919 % artists;
        let (ms, incognito, episode) = if roll < 0.03 {
            (rng.below(29_000) as i64, false, false)
        } else if roll < 0.04 {
            (200_000, true, false)
        } else if roll < 0.06 {
            (1_500_000, false, true)
        } else {
            counted += 1;
            (60_000 + rng.below(240_000) as i64, false, false)
        };
        let entry = if episode {
            serde_json::json!({
                "ts": iso(at as i64), "platform": "android", "ms_played": ms, "conn_country": "SE",
                "ip_addr": "192.0.2.1", "master_metadata_track_name": null,
                "master_metadata_album_artist_name": null, "master_metadata_album_album_name": null,
                "spotify_track_uri": null, "episode_name": "An episode", "episode_show_name": "A show",
                "spotify_episode_uri": "spotify:episode:0000000000000000000000",
                "audiobook_title": null, "audiobook_uri": null, "audiobook_chapter_uri": null,
                "audiobook_chapter_title": null, "reason_start": "trackdone", "reason_end": "trackdone",
                "shuffle": false, "skipped": false, "offline": false, "offline_timestamp": null,
                "incognito_mode": false
            })
        } else {
            serde_json::json!({
                "ts": iso(at as i64), "platform": "android", "ms_played": ms, "conn_country": "SE",
                "ip_addr": "192.0.2.1", "master_metadata_track_name": format!("Track {track}"),
                "master_metadata_album_artist_name": format!("Artist {artist}"),
                "master_metadata_album_album_name": format!("Album {}", track / 11),
                "spotify_track_uri": format!("spotify:track:{}", base62(track * 104_729 + 17, 22)),
                "episode_name": null, "episode_show_name": null, "spotify_episode_uri": null,
                "audiobook_title": null, "audiobook_uri": null, "audiobook_chapter_uri": null,
                "audiobook_chapter_title": null, "reason_start": "trackdone", "reason_end": "trackdone",
                "shuffle": rng.unit() < 0.5, "skipped": false, "offline": false,
                "offline_timestamp": at as i64, "incognito_mode": incognito
            })
        };
        if !first {
            zip.write_all(b",\n").unwrap();
        }
        first = false;
        zip.write_all(b"  ").unwrap();
        serde_json::to_writer(&mut zip, &entry).unwrap();
        entries += 1;
        in_file += 1;
        if in_file == per_file || counted == plays {
            zip.write_all(b"\n]\n").unwrap();
            in_file = 0;
            file_no += 1;
        }
    }
    zip.finish().unwrap();
    (entries, file_no as u64)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn time<T, F: std::future::Future<Output = T>>(mut run: impl FnMut() -> F) -> (Duration, T) {
    // The median of 5 runs (the first warms the caches).
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let start = Instant::now();
        let value = run().await;
        times.push(start.elapsed());
        last = Some(value);
    }
    times.sort();
    (times[2], last.unwrap())
}

async fn bench(label: &str, url: &str, zip_path: &Path, zip_size: u64, plays: u64) {
    let store = Store::connect(
        url,
        PoolOptions {
            max_connections: 4,
            ..PoolOptions::default()
        },
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let clock = Clock::system();
    let user = store
        .upsert_user(
            &NewUser {
                spotify_account_id: "bench".into(),
                spotify_id: "bench".into(),
                display_name: None,
                email: None,
            },
            clock.unix(),
        )
        .await
        .unwrap()
        .id;
    let id = store
        .create_import(user, zip_size as i64, clock.unix())
        .await
        .unwrap();
    // The job deletes its uploads: give it a copy.
    let copy = zip_path.with_extension(format!("{label}.zip"));
    std::fs::copy(zip_path, &copy).unwrap();
    reset_peak_rss();
    let rss_before = peak_rss_kib().unwrap_or(0);
    let start = Instant::now();
    import::run_job(
        store.clone(),
        clock.clone(),
        user,
        id,
        vec![Upload {
            name: "my_spotify_data.zip".into(),
            path: copy,
            size: zip_size,
        }],
        u64::MAX / 64,
        Shutdown::new(),
    )
    .await;
    let elapsed = start.elapsed();
    let peak = peak_rss_kib().unwrap_or(0);
    let row = store.import(user, id).await.unwrap().unwrap();
    assert_eq!(row.status, "done", "{:?}", row.error);
    assert_eq!(row.plays_added as u64, plays, "{}", row.report);
    println!("\n## {label}");
    println!(
        "import: {} plays in {:.2} s = {:.0} plays/s; skipped: {} short, {} incognito, {} podcast; peak RSS {} MiB (before: {} MiB)",
        row.plays_added,
        elapsed.as_secs_f64(),
        row.plays_added as f64 / elapsed.as_secs_f64(),
        row.short_skipped,
        row.incognito_skipped,
        row.other_skipped,
        peak / 1024,
        rss_before / 1024
    );

    let now_ms = clock.unix() * 1000;
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let utc = Zone::utc();
    let s = &store;
    let mut report = Vec::new();
    macro_rules! view {
        ($name:expr, $body:expr) => {{
            let (took, detail) = time(|| async { $body }).await;
            report.push(($name.to_string(), took, detail));
        }};
    }
    view!("overview: totals + latest 20 plays + coverage", {
        let totals = s.history_totals(user).await.unwrap();
        let recent = s.recent_plays(user, 20).await.unwrap();
        let spans = s.coverage(user).await.unwrap();
        let holes = coverage_holes(&spans, totals.first.unwrap(), now_ms, 6 * 3_600_000);
        format!(
            "{} plays, {} recent, {} holes",
            totals.plays,
            recent.len(),
            holes.len()
        )
    });
    for (name, days) in [
        ("last 4 weeks", 28),
        ("last 6 months", 182),
        ("last year", 365),
        ("all time", 3700),
    ] {
        for order in [TopOrder::Plays, TopOrder::Minutes] {
            let from = berlin.local_midnight_ms(berlin.local(now_ms).days - days + 1);
            let to = berlin.local_midnight_ms(berlin.local(now_ms).days + 1);
            view!(format!("top tracks + artists, {name}, by {order:?}"), {
                // Side by side, as the page reads them (`load::history`).
                let (t, a, totals) = tokio::try_join!(
                    s.top_tracks_between(user, from, to, order, 50),
                    s.top_artists_between(user, from, to, order, 50),
                    s.totals_between(user, from, to),
                )
                .unwrap();
                format!(
                    "{} tracks, {} artists, {} plays",
                    t.len(),
                    a.len(),
                    totals.0
                )
            });
        }
    }
    let from = berlin.local_midnight_ms(
        euterpe::history::time::days_from_civil(2018, 3, 17).expect("a real date"),
    );
    let to = berlin.local_midnight_ms(
        euterpe::history::time::days_from_civil(2023, 8, 9).expect("a real date"),
    );
    view!(
        "top tracks + artists, 17 Mar 2018 – 8 Aug 2023 (custom)",
        {
            let (t, a) = tokio::try_join!(
                s.top_tracks_between(user, from, to, TopOrder::Plays, 50),
                s.top_artists_between(user, from, to, TopOrder::Plays, 50),
            )
            .unwrap();
            format!("{} tracks, {} artists", t.len(), a.len())
        }
    );
    for zone in [utc, berlin] {
        view!(format!("listening clock ({})", zone.name()), {
            let grid = listening_clock(&s.plays_by_hour_of_week(user, &zone).await.unwrap());
            format!("{} plays", grid.total)
        });
        view!(
            format!("months: minutes + new artists ({})", zone.name()),
            {
                let minutes = minutes_per_month(&s.plays_by_local_day(user, &zone).await.unwrap());
                let artists =
                    new_artists_per_month(&s.artist_first_plays(user).await.unwrap(), &zone);
                format!("{} months, {} artist months", minutes.len(), artists.len())
            }
        );
    }
    for range in TimeRange::ALL {
        view!(
            format!("variety by season from history, {range} (Europe/Berlin)"),
            {
                let (from, to) = season_window(range, now_ms);
                let plays = s.plays_in_window(user, from, to, &berlin).await.unwrap();
                let items = season_items(&plays);
                let none = |_: &str| -> Option<&'static [String]> { None };
                let stats = variety_by_season(&items, &none, Hemisphere::Northern);
                format!("{} items, {} seasons", items.len(), stats.len())
            }
        );
    }
    // "Your year" for the last whole year, and the detail pages of the most played song,
    // artist and album of all time: what their pages read from the store and compute (the
    // genres and Spotify's top lists come from memory or the cache, as on the dashboard).
    let last_year = utc.local(now_ms).year - 1;
    view!(format!("year in review {last_year} (read + compute)"), {
        match euterpe::load::year::read(s, user, Some(last_year), now_ms)
            .await
            .unwrap()
        {
            euterpe::load::year::YearLoad::Year(data) => {
                let review = euterpe::stats::year::year_review(&data.inputs());
                format!(
                    "{} plays, {} songs, {} new artists, {} rediscoveries",
                    review.plays,
                    review.songs,
                    review.new_artists.len(),
                    review.rediscoveries.len()
                )
            }
            euterpe::load::year::YearLoad::Empty { .. } => "no plays".to_owned(),
        }
    });
    // Its heaviest read alone, to show where the time goes.
    let (year_from, year_to) = (
        utc.local_month_start_ms(last_year, 1),
        utc.local_month_start_ms(last_year + 1, 1),
    );
    view!(
        format!("year {last_year}: its plays and the year's before (timelines)"),
        {
            let plays = s
                .timeline_plays(
                    user,
                    year_from - euterpe::stats::year::REDISCOVERY_GAP_MS,
                    year_to,
                    None,
                )
                .await
                .unwrap();
            format!("{} plays", plays.len())
        }
    );
    view!("the catalogue (one query)", {
        format!("{} tracks", s.catalogue(user).await.unwrap().len())
    });
    let all_from = berlin.local_midnight_ms(berlin.local(now_ms).days - 3700);
    let all_to = now_ms + 86_400_000;
    let top_track = s
        .top_tracks_between(user, all_from, all_to, TopOrder::Plays, 1)
        .await
        .unwrap();
    let top_artist = s
        .top_artists_between(user, all_from, all_to, TopOrder::Plays, 1)
        .await
        .unwrap();
    let catalogue = s.catalogue(user).await.unwrap();
    let album = catalogue
        .iter()
        .find(|t| t.key == top_track[0].key)
        .and_then(|t| Some((t.artist_name.clone(), t.album_name.clone()?)));
    let mut subjects = vec![
        ("song", Subject::Track(top_track[0].key.clone())),
        ("artist", Subject::Artist(top_artist[0].name.clone())),
    ];
    if let Some((artist, name)) = album {
        subjects.push(("album", Subject::Album { artist, name }));
    }
    for (kind, subject) in subjects {
        view!(
            format!("{kind} page: the most played {kind} (read + compute)"),
            {
                let tracks = s.subject_tracks(user, &subject).await.unwrap();
                let plays = s.plays_of_tracks(user, &tracks).await.unwrap();
                let figures = euterpe::stats::subject::subject_figures(&plays, &berlin, now_ms);
                format!(
                    "{} plays, {} tracks, {} months",
                    figures.all.0,
                    tracks.len(),
                    figures.months.len()
                )
            }
        );
    }
    view!("year card: drawn to PNG", {
        let card = euterpe::views::card::CardFigures {
            year: last_year,
            minutes: 123_456,
            top_artist: Some(top_artist[0].name.clone()),
            top_song: Some((top_track[0].name.clone(), top_track[0].artist_name.clone())),
            top_genre: Some("indie rock".to_owned()),
        };
        format!(
            "{} bytes",
            euterpe::views::card::card_png(&card).unwrap().len()
        )
    });
    println!("\n| view | median of 5 | result |\n|---|---:|---|");
    for (name, took, detail) in report {
        println!(
            "| {name} | {:.1} ms | {detail} |",
            took.as_secs_f64() * 1000.0
        );
    }
    // The same export again: every play is already stored.
    let again = store
        .create_import(user, zip_size as i64, clock.unix())
        .await
        .unwrap();
    let copy = zip_path.with_extension(format!("{label}.again.zip"));
    std::fs::copy(zip_path, &copy).unwrap();
    let start = Instant::now();
    import::run_job(
        store.clone(),
        clock.clone(),
        user,
        again,
        vec![Upload {
            name: "my_spotify_data.zip".into(),
            path: copy,
            size: zip_size,
        }],
        u64::MAX / 64,
        Shutdown::new(),
    )
    .await;
    let elapsed = start.elapsed();
    let row = store.import(user, again).await.unwrap().unwrap();
    assert_eq!(row.status, "done", "{:?}", row.error);
    assert_eq!((row.plays_added, row.duplicates as u64), (0, plays));
    println!(
        "\nthe same export again: {} duplicates, nothing added, in {:.2} s",
        row.duplicates,
        elapsed.as_secs_f64()
    );
    store.close().await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let plays: u64 = arg("--plays")
        .map(|v| v.parse().unwrap())
        .unwrap_or(1_000_000);
    let db = arg("--db").unwrap_or_else(|| "both".into());
    // Keeps the databases (SQLite file, Postgres database) for a look afterwards.
    let keep = args.iter().any(|a| a == "--keep");
    let pg = arg("--pg-url")
        .unwrap_or_else(|| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into());
    let dir: PathBuf = std::env::temp_dir().join(format!("euterpe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let zip_path = dir.join("export.zip");
    let start = Instant::now();
    let end = time::OffsetDateTime::now_utc().unix_timestamp() - DAY;
    let (entries, files) = generate(&zip_path, plays, end);
    let zip_size = std::fs::metadata(&zip_path).unwrap().len();
    println!(
        "# Listening history benchmark\n\ngenerated {entries} entries ({plays} counted plays) in {files} files, zip {:.1} MiB, in {:.1} s",
        zip_size as f64 / 1048576.0,
        start.elapsed().as_secs_f64()
    );
    if db == "sqlite" || db == "both" {
        let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
        bench("SQLite", &url, &zip_path, zip_size, plays).await;
    }
    if db == "postgres" || db == "both" {
        let name = format!("euterpe_bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&pg).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let mut url = reqwest::Url::parse(&pg).unwrap();
        url.set_path(&name);
        bench("Postgres", url.as_str(), &zip_path, zip_size, plays).await;
        if keep {
            println!("\nkept the Postgres database {url}");
        } else {
            sqlx::query(&format!("DROP DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }
    if keep {
        println!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
