//! The history views read monthly summaries (`history_months`, their month timelines among
//! them) and the plays at a range's ends; here they are checked against the straightforward
//! computation over every stored play, on generated plays written every way a writer can meet
//! them (new spans, repeats, overlaps with another source, a play replaced by another export's
//! record of it, a rolled-back file), and on an old database carried over by migrations 0007
//! and 0012.

use std::collections::{BTreeMap, HashMap};

use euterpe::history::time::{DAY_MS, days_from_civil};

/// Days since 1970 of a date the test knows exists.
fn civil(year: i64, month: u32, day: u32) -> i64 {
    days_from_civil(year, month, day).expect("a real date")
}
use euterpe::history::zone::Zone;
use euterpe::spotify::models::TimeRange;
use euterpe::stats::history::season_window;
use euterpe::store::{
    Catalogue, NewPlay, NewUser, PlaySource, PoolOptions, Store, TopEntry, TopOrder, TrackFacts,
    WindowPlays, name_key,
};
use sqlx::Connection;
use uuid::Uuid;

use crate::both_backends;
use crate::common::{Backend, fresh_database};

both_backends!(
    summaries_and_views_equal_the_plays,
    an_old_database_is_carried_over,
);

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Berlin",
    "Asia/Kolkata",
    "America/St_Johns",
    "Australia/Lord_Howe",
];

async fn new_user(store: &Store, name: &str) -> euterpe::domain::UserId {
    store
        .upsert_user(
            &NewUser {
                spotify_account_id: name.into(),
                spotify_id: name.into(),
                display_name: None,
                email: None,
            },
            1_700_000_000,
        )
        .await
        .unwrap()
        .id
}

/// The tracks plays are drawn from: ids for most, names only for some; poller-known artist ids
/// for a few.
fn track_facts(index: u64, at: i64, poller: bool) -> TrackFacts {
    let artist = format!("Artist {}", index % 37);
    let name = format!("Song {index}");
    let key = if index.is_multiple_of(9) {
        name_key(&artist, &name)
    } else {
        format!("id{index:05}")
    };
    TrackFacts {
        track_id: (!index.is_multiple_of(9)).then(|| key.clone()),
        track_key: key,
        name,
        artist_name: artist,
        album_name: index
            .is_multiple_of(4)
            .then(|| format!("Album {}", index / 4)),
        artist_ids: (poller && index.is_multiple_of(3))
            .then(|| format!("art{},art{}", index % 37, index % 5)),
        duration_ms: poller.then_some(180_000),
        first_played_at: at,
    }
}

/// Plays at random times of `[from, to)`, most on a skewed choice of 400 tracks.
fn random_plays(rng: &mut Rng, count: usize, from: i64, to: i64) -> Vec<(u64, NewPlay)> {
    (0..count)
        .map(|_| {
            let track = rng.below(400).min(rng.below(400));
            let at = from + rng.below((to - from) as u64) as i64;
            let facts = track_facts(track, at, false);
            (
                track,
                NewPlay {
                    track_key: facts.track_key,
                    played_at: at,
                    ms_played: 30_000 + rng.below(300_000) as i64,
                },
            )
        })
        .collect()
}

/// The tracks of some plays, as a file's tally names them (earliest play each).
fn facts_of(plays: &[(u64, NewPlay)], poller: bool) -> Vec<TrackFacts> {
    let mut tracks: BTreeMap<String, TrackFacts> = BTreeMap::new();
    for (index, play) in plays {
        let facts = track_facts(*index, play.played_at, poller);
        let entry = tracks.entry(facts.track_key.clone()).or_insert(facts);
        entry.first_played_at = entry.first_played_at.min(play.played_at);
    }
    tracks.into_values().collect()
}

fn ms_of(year: i64, month: u32, day: u32) -> i64 {
    civil(year, month, day) * DAY_MS
}

/// Writes generated plays the ways imports and the poller do.
async fn write_history(store: &Store, user: euterpe::domain::UserId, rng: &mut Rng) {
    let (start, end) = (ms_of(2021, 11, 20), ms_of(2024, 2, 10));
    // An extended-history import: files of batches, a catalogue handed from file to file, plays
    // in and out of order, repeats inside a batch and across files.
    let mut catalogue = Catalogue::default();
    let mut all: Vec<(u64, NewPlay)> = Vec::new();
    for file in 0..6 {
        let span = (end - start) / 6;
        let (from, to) = (start + file * span, start + (file + 1) * span);
        let mut plays = random_plays(rng, 700, from, to);
        if file % 2 == 1 {
            plays.sort_by_key(|(_, p)| p.played_at);
        }
        if file > 0 {
            // A few plays of the previous file again (same track and time).
            plays.extend(all[all.len() - 20..].iter().cloned());
            let repeat = plays[3].clone();
            plays.push(repeat);
        }
        let mut writer = store
            .play_writer_with(user, PlaySource::Extended, catalogue)
            .await
            .unwrap();
        for batch in plays.chunks(250) {
            let batch: Vec<NewPlay> = batch.iter().map(|(_, p)| p.clone()).collect();
            writer.insert(&batch).await.unwrap();
        }
        writer
            .upsert_tracks(&facts_of(&plays, false))
            .await
            .unwrap();
        catalogue = writer.commit_keeping().await.unwrap();
        all.extend(plays);
    }
    // A file that fails: nothing of it stays.
    let mut writer = store
        .play_writer_with(user, PlaySource::Extended, catalogue)
        .await
        .unwrap();
    let lost = random_plays(rng, 300, start, end);
    let batch: Vec<NewPlay> = lost.iter().map(|(_, p)| p.clone()).collect();
    writer.insert(&batch).await.unwrap();
    writer.upsert_tracks(&facts_of(&lost, false)).await.unwrap();
    drop(writer);
    // The same export again adds nothing; its coverage makes later writers match plays.
    let mut writer = store.play_writer(user, PlaySource::Extended).await.unwrap();
    let again: Vec<NewPlay> = all.iter().map(|(_, p)| p.clone()).collect();
    assert_eq!(writer.insert(&again).await.unwrap(), 0);
    writer.add_coverage(start, end).await.unwrap();
    writer.commit().await.unwrap();
    // Account data over the last months: some of its plays are the extended history's (ends
    // rounded down to the minute), others new.
    let mut writer = store
        .play_writer(user, PlaySource::AccountData)
        .await
        .unwrap();
    let mut account = Vec::new();
    for (index, play) in all
        .iter()
        .filter(|(_, p)| p.played_at > end - 60 * DAY_MS)
        .take(40)
    {
        account.push((
            *index,
            NewPlay {
                played_at: play.played_at - play.played_at % 60_000,
                ..play.clone()
            },
        ));
    }
    account.extend(random_plays(rng, 60, end - 60 * DAY_MS, end));
    let batch: Vec<NewPlay> = account.iter().map(|(_, p)| p.clone()).collect();
    let added = writer.insert(&batch).await.unwrap();
    assert!(
        added < batch.len() as u64,
        "the extended history's plays are matched"
    );
    writer
        .upsert_tracks(&facts_of(&account, false))
        .await
        .unwrap();
    writer.commit().await.unwrap();
    // The poller: pages of up to 50 plays after the export, some the export's own plays seen
    // again (within the slack), artist ids for some tracks.
    let mut previous = None;
    for page in 0..8 {
        let from = end - 3 * DAY_MS + page * DAY_MS / 2;
        let mut plays = random_plays(rng, 45, from, from + DAY_MS / 2);
        if page == 0 {
            for (index, play) in all
                .iter()
                .filter(|(_, p)| p.played_at > end - 3 * DAY_MS)
                .take(5)
            {
                plays.push((
                    *index,
                    NewPlay {
                        played_at: play.played_at - play.ms_played + 1_000,
                        ..play.clone()
                    },
                ));
            }
        }
        let mut writer = store.play_writer(user, PlaySource::Poller).await.unwrap();
        let batch: Vec<NewPlay> = plays.iter().map(|(_, p)| p.clone()).collect();
        writer.insert(&batch).await.unwrap();
        // A play repeated in a later transaction is stored once.
        assert_eq!(writer.insert(&batch[..3]).await.unwrap(), 0);
        writer.upsert_tracks(&facts_of(&plays, true)).await.unwrap();
        let to = from + DAY_MS / 2;
        writer.extend_coverage(previous, from, to).await.unwrap();
        previous = Some(to);
        writer.commit().await.unwrap();
    }
    // The account data first, then the extended history, over a later stretch: the account
    // data keys plays by names, and each of its records that the extended history holds too
    // is replaced by the extended history's, keyed by track id.
    let (later, later_end) = (end + 5 * DAY_MS, end + 15 * DAY_MS);
    let extended: Vec<(u64, NewPlay)> = random_plays(rng, 80, later, later_end)
        .into_iter()
        .filter(|(index, _)| !index.is_multiple_of(9))
        .map(|(index, play)| {
            let played_at = play.played_at - play.played_at % 60_000;
            (index, NewPlay { played_at, ..play })
        })
        .collect();
    let by_names = |facts: TrackFacts| TrackFacts {
        track_key: name_key(&facts.artist_name, &facts.name),
        track_id: None,
        artist_ids: None,
        ..facts
    };
    let account: Vec<NewPlay> = extended
        .iter()
        .map(|(index, play)| NewPlay {
            track_key: by_names(track_facts(*index, play.played_at, false)).track_key,
            ..play.clone()
        })
        .collect();
    let mut writer = store
        .play_writer(user, PlaySource::AccountData)
        .await
        .unwrap();
    assert!(writer.insert(&account).await.unwrap() > 0);
    let named: Vec<TrackFacts> = facts_of(&extended, false)
        .into_iter()
        .map(by_names)
        .collect();
    writer.upsert_tracks(&named).await.unwrap();
    writer.add_coverage(later, later_end).await.unwrap();
    writer.commit().await.unwrap();
    let mut writer = store.play_writer(user, PlaySource::Extended).await.unwrap();
    let facts = facts_of(&extended, false);
    writer.name_tracks(&facts);
    let batch: Vec<NewPlay> = extended.iter().map(|(_, p)| p.clone()).collect();
    assert_eq!(
        writer.insert(&batch).await.unwrap(),
        0,
        "every play replaces the account data's record of it"
    );
    writer.upsert_tracks(&facts).await.unwrap();
    writer.commit().await.unwrap();
    // A play of a track no catalogue row names yet.
    let mut writer = store.play_writer(user, PlaySource::Poller).await.unwrap();
    let orphan = NewPlay {
        track_key: name_key("Nobody", "Nothing"),
        played_at: ms_of(2023, 3, 26) + 3_600_000,
        ms_played: 100_000,
    };
    assert_eq!(writer.insert(&[orphan]).await.unwrap(), 1);
    writer.commit().await.unwrap();
}

/// A stored play: `(track_key, played_at, ms_played)`.
type Play = (String, i64, i64);
/// The catalogue: track key → (name, artist name, artist ids).
type Tracks = HashMap<String, (String, String, Option<String>)>;
/// A catalogue row as read: key, name, artist name, artist ids.
type TrackRow = (String, String, String, Option<String>);

/// Every stored play of the user, and their catalogue.
async fn everything(
    url_backend: (Backend, &str),
    user: euterpe::domain::UserId,
) -> (Vec<Play>, Tracks) {
    let (backend, url) = url_backend;
    let plays_sql = "SELECT track_key, played_at, ms_played FROM plays WHERE user_id = $1";
    let tracks_sql =
        "SELECT track_key, name, artist_name, artist_ids FROM user_tracks WHERE user_id = $1";
    let (plays, tracks): (Vec<Play>, Vec<TrackRow>) = match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            (
                sqlx::query_as(plays_sql)
                    .bind(user)
                    .fetch_all(&mut c)
                    .await
                    .unwrap(),
                sqlx::query_as(tracks_sql)
                    .bind(user)
                    .fetch_all(&mut c)
                    .await
                    .unwrap(),
            )
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            (
                sqlx::query_as(plays_sql)
                    .bind(user)
                    .fetch_all(&mut c)
                    .await
                    .unwrap(),
                sqlx::query_as(tracks_sql)
                    .bind(user)
                    .fetch_all(&mut c)
                    .await
                    .unwrap(),
            )
        }
    };
    let tracks = tracks
        .into_iter()
        .map(|(key, name, artist, ids)| (key, (name, artist, ids)))
        .collect();
    (plays, tracks)
}

fn rank(order: TopOrder, plays: i64, ms: i64) -> (std::cmp::Reverse<i64>, std::cmp::Reverse<i64>) {
    use std::cmp::Reverse;
    match order {
        TopOrder::Plays => (Reverse(plays), Reverse(ms)),
        TopOrder::Minutes => (Reverse(ms), Reverse(plays)),
    }
}

/// Top lists the straightforward way: every play of the range, grouped.
fn expected_tops(
    plays: &[(String, i64, i64)],
    tracks: &HashMap<String, (String, String, Option<String>)>,
    from: i64,
    to: i64,
    order: TopOrder,
    limit: usize,
) -> (Vec<TopEntry>, Vec<TopEntry>) {
    let mut by_track: HashMap<&str, (i64, i64)> = HashMap::new();
    let mut by_artist: HashMap<&str, (i64, i64)> = HashMap::new();
    for (key, _, ms) in plays.iter().filter(|(_, at, _)| (from..to).contains(at)) {
        let entry = by_track.entry(key).or_default();
        entry.0 += 1;
        entry.1 += ms;
        let artist = tracks[key].1.as_str();
        let entry = by_artist.entry(artist).or_default();
        entry.0 += 1;
        entry.1 += ms;
    }
    let mut top_tracks: Vec<TopEntry> = by_track
        .into_iter()
        .map(|(key, (plays, ms))| TopEntry {
            key: key.to_owned(),
            name: tracks[key].0.clone(),
            artist_name: tracks[key].1.clone(),
            plays,
            ms_played: ms,
        })
        .collect();
    top_tracks.sort_by(|a, b| {
        (rank(order, a.plays, a.ms_played), &a.key)
            .cmp(&(rank(order, b.plays, b.ms_played), &b.key))
    });
    top_tracks.truncate(limit);
    let mut top_artists: Vec<TopEntry> = by_artist
        .into_iter()
        .map(|(artist, (plays, ms))| TopEntry {
            key: artist.to_owned(),
            name: artist.to_owned(),
            artist_name: String::new(),
            plays,
            ms_played: ms,
        })
        .collect();
    top_artists.sort_by(|a, b| {
        (rank(order, a.plays, a.ms_played), &a.key)
            .cmp(&(rank(order, b.plays, b.ms_played), &b.key))
    });
    top_artists.truncate(limit);
    (top_tracks, top_artists)
}

/// Plays grouped by a key of their local time: `(key, plays, ms)` by key.
fn grouped(
    plays: &[(String, i64, i64)],
    zone: &Zone,
    key: impl Fn(i64) -> i64,
) -> Vec<(i64, i64, i64)> {
    let mut groups: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (_, at, ms) in plays {
        let local_secs = at.div_euclid(1000) + zone.offset_secs(*at);
        let entry = groups.entry(key(local_secs)).or_default();
        entry.0 += 1;
        entry.1 += ms;
    }
    groups.into_iter().map(|(k, (p, m))| (k, p, m)).collect()
}

/// The history form of the seasons' input the straightforward way.
fn expected_window(
    plays: &[(String, i64, i64)],
    tracks: &HashMap<String, (String, String, Option<String>)>,
    from: i64,
    to: i64,
    zone: &Zone,
) -> Vec<WindowPlays> {
    let mut groups: BTreeMap<(i64, u32, &str), i64> = BTreeMap::new();
    for (key, at, _) in plays.iter().filter(|(_, at, _)| (from..to).contains(at)) {
        let local = zone.local(*at);
        *groups.entry((local.year, local.month, key)).or_default() += 1;
    }
    groups
        .into_iter()
        .map(|((_, month, key), plays)| WindowPlays {
            month: month as u8,
            track_key: key.to_owned(),
            artist_name: tracks[key].1.clone(),
            artist_ids: tracks[key].2.clone().filter(|ids| !ids.is_empty()),
            plays,
        })
        .collect()
}

/// Checks every history view against the straightforward computation.
async fn check_views(
    store: &Store,
    backend: Backend,
    url: &str,
    user: euterpe::domain::UserId,
    rng: &mut Rng,
) {
    let (plays, tracks) = everything((backend, url), user).await;
    assert!(plays.len() > 3_000, "{}", plays.len());
    assert!(
        plays.iter().all(|(key, _, _)| tracks.contains_key(key)),
        "every play's track has a catalogue row"
    );
    let totals = store.history_totals(user).await.unwrap();
    assert_eq!(totals.plays, plays.len() as i64);
    assert_eq!(totals.ms_played, plays.iter().map(|p| p.2).sum::<i64>());
    let first = plays.iter().map(|p| p.1).min().unwrap();
    let last = plays.iter().map(|p| p.1).max().unwrap();
    assert_eq!((totals.first, totals.last), (Some(first), Some(last)));

    let berlin = Zone::parse("Europe/Berlin").unwrap();
    // Ranges as the views make them (local midnights): all time, the preset ranges back from
    // the last play, ranges inside one month, across one boundary, and random ones.
    let today = berlin.local(last).days;
    let day = |days: i64| berlin.local_midnight_ms(days);
    let mut ranges = vec![
        (day(berlin.local(first).days), day(today + 1)),
        (day(today - 27), day(today + 1)),
        (day(today - 181), day(today + 1)),
        (day(today - 364), day(today + 1)),
        (day(today + 5), day(today + 9)),
        (day(civil(2022, 3, 3)), day(civil(2022, 3, 25))),
        (day(civil(2022, 3, 17)), day(civil(2022, 4, 9))),
        (day(civil(2022, 3, 1)), day(civil(2023, 4, 1))),
        (day(civil(2020, 1, 1)), day(civil(2021, 12, 2))),
    ];
    for _ in 0..12 {
        let a = civil(2021, 11, 1) + rng.below(850) as i64;
        let b = a + 1 + rng.below(500) as i64;
        ranges.push((day(a), day(b)));
    }
    for (from, to) in ranges {
        let in_range: Vec<&(String, i64, i64)> =
            plays.iter().filter(|p| (from..to).contains(&p.1)).collect();
        assert_eq!(
            store.totals_between(user, from, to).await.unwrap(),
            (
                in_range.len() as i64,
                in_range.iter().map(|p| p.2).sum::<i64>()
            ),
            "totals of {from}..{to}"
        );
        for order in [TopOrder::Plays, TopOrder::Minutes] {
            for limit in [1, 7, 50] {
                let (top_tracks, top_artists) =
                    expected_tops(&plays, &tracks, from, to, order, limit);
                assert_eq!(
                    store
                        .top_tracks_between(user, from, to, order, limit as i64)
                        .await
                        .unwrap(),
                    top_tracks,
                    "top tracks of {from}..{to} by {order:?}"
                );
                assert_eq!(
                    store
                        .top_artists_between(user, from, to, order, limit as i64)
                        .await
                        .unwrap(),
                    top_artists,
                    "top artists of {from}..{to} by {order:?}"
                );
            }
        }
    }
    check_timelines(store, &plays, &tracks, user).await;
    for name in ZONES {
        let zone = Zone::parse(name).unwrap();
        assert_eq!(
            store.plays_by_hour_of_week(user, &zone).await.unwrap(),
            grouped(&plays, &zone, |secs| secs.div_euclid(3600).rem_euclid(168)),
            "clock in {name}"
        );
        assert_eq!(
            store.plays_by_local_day(user, &zone).await.unwrap(),
            grouped(&plays, &zone, |secs| secs.div_euclid(86_400)),
            "days in {name}"
        );
        for range in TimeRange::ALL {
            for now in [
                last + DAY_MS,
                ms_of(2023, 3, 26) + 7_200_000,
                ms_of(2022, 6, 30),
            ] {
                let (from, to) = season_window(range, now);
                assert_eq!(
                    store.plays_in_window(user, from, to, &zone).await.unwrap(),
                    expected_window(&plays, &tracks, from, to, &zone),
                    "{range} window to {now} in {name}"
                );
            }
        }
    }
}

/// Asserts two lists of plays are equal, naming the first difference (not thousands of plays).
fn same_plays(read: Vec<Play>, expected: Vec<Play>, what: &str) {
    let first_difference = read.iter().zip(&expected).position(|(a, b)| a != b);
    if let Some(at) = first_difference {
        panic!(
            "{what}: play {at} is {:?}, expected {:?}",
            read[at], expected[at]
        );
    }
    assert_eq!(read.len(), expected.len(), "{what}: how many plays");
}

/// Checks the plays the detail pages and the year in review read (the month timelines)
/// against the stored plays: all of them, spans of time, and every play of an artist's tracks.
async fn check_timelines(
    store: &Store,
    plays: &[Play],
    tracks: &Tracks,
    user: euterpe::domain::UserId,
) {
    let catalogue = store.catalogue(user).await.unwrap();
    let key_of: HashMap<i64, &str> = catalogue.iter().map(|t| (t.no, t.key.as_str())).collect();
    let keyed = |read: Vec<(i64, i64, i64)>| -> Vec<Play> {
        read.into_iter()
            .map(|(no, at, ms)| (key_of[&no].to_owned(), at, ms))
            .collect()
    };
    let in_order = |mut plays: Vec<Play>| {
        plays.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        plays
    };
    let first = plays.iter().map(|p| p.1).min().unwrap();
    let last = plays.iter().map(|p| p.1).max().unwrap();
    // All of it, all but its ends, and stretches across one month's end and inside a month.
    let middle = first + (last - first) / 2;
    let spans = [
        (first, last + 1),
        (first + 1, last),
        (middle - 20 * DAY_MS, middle + 20 * DAY_MS),
        (middle, middle + 3 * DAY_MS),
    ];
    for (from, to) in spans {
        let read = store.timeline_plays(user, from, to, None).await.unwrap();
        let times: Vec<i64> = read.iter().map(|p| p.1).collect();
        assert!(times.is_sorted(), "plays come in time order");
        let expected: Vec<Play> = plays
            .iter()
            .filter(|p| (from..to).contains(&p.1))
            .cloned()
            .collect();
        assert!(!expected.is_empty());
        same_plays(
            in_order(keyed(read)),
            in_order(expected),
            &format!("timelines of {from}..{to}"),
        );
    }
    let mut artists: Vec<&str> = tracks.values().map(|t| t.1.as_str()).collect();
    artists.sort_unstable();
    artists.dedup();
    for artist in artists.iter().step_by(5) {
        let theirs: Vec<_> = catalogue
            .iter()
            .filter(|t| t.artist_name == *artist)
            .cloned()
            .collect();
        let read = store.plays_of_tracks(user, &theirs).await.unwrap();
        let expected: Vec<Play> = plays
            .iter()
            .filter(|p| tracks[&p.0].1 == *artist)
            .cloned()
            .collect();
        same_plays(
            in_order(keyed(read)),
            in_order(expected),
            &format!("the plays of {artist}"),
        );
    }
}

async fn summaries_and_views_equal_the_plays(backend: Backend) {
    let url = fresh_database(backend).await;
    let store = Store::connect(&url, PoolOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    let user = new_user(&store, "summaries").await;
    // Someone else's plays never count.
    let other = new_user(&store, "other").await;
    let mut rng = Rng(0x5EED_0000_0000_0042);
    write_history(&store, other, &mut Rng(7)).await;
    write_history(&store, user, &mut rng).await;
    check_views(&store, backend, &url, user, &mut rng).await;
}

/// Runs the migrations before 0007 only: a database as the previous release left it.
async fn old_database(backend: Backend) -> String {
    let url = fresh_database(backend).await;
    let dir = std::env::temp_dir().join(format!("euterpe-old-migrations-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = format!("{}/migrations/{folder}", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0007" {
            std::fs::copy(&path, dir.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap();
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            migrator.run(&mut c).await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            migrator.run(&mut c).await.unwrap();
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    url
}

async fn an_old_database_is_carried_over(backend: Backend) {
    let url = old_database(backend).await;
    let user = euterpe::domain::UserId::new();
    let mut rng = Rng(99);
    // The old schema's rows, as the previous release wrote them (its summaries are dropped).
    let mut plays: Vec<(u64, NewPlay)> =
        random_plays(&mut rng, 4_000, ms_of(2021, 12, 1), ms_of(2023, 7, 1));
    plays.sort_by_key(|(_, p)| (p.track_key.clone(), p.played_at));
    plays.dedup_by(|a, b| a.1.track_key == b.1.track_key && a.1.played_at == b.1.played_at);
    let tracks = facts_of(&plays, false);
    let orphan = NewPlay {
        track_key: name_key("Nobody", "Nothing"),
        played_at: ms_of(2022, 10, 30) + 3_600_000,
        ms_played: 100_000,
    };
    let insert_user = "INSERT INTO users (id, spotify_account_id, spotify_id, created_at, \
                       last_login_at, last_seen_at) VALUES ($1, 'old', 'old', 0, 0, 0)";
    let insert_play = "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
                       VALUES ($1, $2, $3, $4, 2)";
    let insert_track = "INSERT INTO user_tracks (user_id, track_key, track_id, name, artist_name, \
                        album_name, artist_ids, duration_ms, first_played_at) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    macro_rules! fill {
        ($connection:expr) => {{
            let c = $connection;
            let mut tx = c.begin().await.unwrap();
            sqlx::query(insert_user)
                .bind(user)
                .execute(&mut *tx)
                .await
                .unwrap();
            for play in plays.iter().map(|(_, p)| p).chain([&orphan]) {
                sqlx::query(insert_play)
                    .bind(user)
                    .bind(&play.track_key)
                    .bind(play.played_at)
                    .bind(play.ms_played)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            for t in &tracks {
                sqlx::query(insert_track)
                    .bind(user)
                    .bind(&t.track_key)
                    .bind(&t.track_id)
                    .bind(&t.name)
                    .bind(&t.artist_name)
                    .bind(&t.album_name)
                    .bind(&t.artist_ids)
                    .bind(t.duration_ms)
                    .bind(t.first_played_at)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }};
    }
    match backend {
        Backend::Sqlite => fill!(&mut sqlx::SqliteConnection::connect(&url).await.unwrap()),
        Backend::Postgres => fill!(&mut sqlx::PgConnection::connect(&url).await.unwrap()),
    }
    let store = Store::connect(&url, PoolOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    check_views(&store, backend, &url, user, &mut rng).await;
    // Writers carry on from the migrated summaries and numbers.
    write_history(&store, user, &mut rng).await;
    check_views(&store, backend, &url, user, &mut rng).await;
}
