//! What "Your year" reads: the year's counts per track, local days and hours, its plays and
//! those of the year before it (the song on repeat, rediscoveries), the catalogue, which years
//! hold plays, and the genres the panels know of the year's artists.

use std::collections::HashMap;

use crate::domain::{CatalogueTrack, HistorySettings, Holes, UserId};
use crate::enrichment::{ArtistKey, Enrichment};
use crate::spotify::FetchError;
use crate::spotify::library::Library;
use crate::stats::history::{MIN_HOLE_MS, coverage_holes};
use crate::stats::year::{REDISCOVERY_GAP_MS, YearInputs};
use crate::store::{Store, StoreError};

/// How many of the year's artists (most played first) genres are looked up for.
const GENRE_ARTISTS: usize = 100;

/// The inputs of one year in review.
pub struct YearData {
    pub year: i64,
    pub settings: HistorySettings,
    /// `[1 January, next 1 January)` at local midnight (Unix ms).
    pub span: (i64, i64),
    pub counts: Vec<(i64, i64)>,
    pub catalogue: Vec<CatalogueTrack>,
    pub days: Vec<(i64, i64, i64)>,
    pub hours: Vec<(i64, i64, i64)>,
    /// Every play of the year and of the [`REDISCOVERY_GAP_MS`] before it.
    pub plays: Vec<(i64, i64, i64)>,
    pub history_first: Option<i64>,
    /// Every local year with plays, oldest first.
    pub years: Vec<i64>,
    pub holes: Holes,
    /// Genres by artist name.
    pub genres: HashMap<String, Vec<String>>,
}

impl YearData {
    /// The year's inputs to `stats::year::year_review`.
    pub fn inputs(&self) -> YearInputs<'_> {
        YearInputs {
            year: self.year,
            span: self.span,
            counts: &self.counts,
            catalogue: &self.catalogue,
            days: &self.days,
            hours: &self.hours,
            plays: &self.plays,
            zone: &self.settings.zone,
            history_first: self.history_first,
            genres: &self.genres,
        }
    }
}

/// A year asked for: its review, or the years that have one.
pub enum YearLoad {
    Year(Box<YearData>),
    /// The year holds no play; `years` are those that do (maybe none).
    Empty {
        year: Option<i64>,
        years: Vec<i64>,
    },
}

/// The local span of `year` in `settings`' zone.
pub fn year_span(settings: &HistorySettings, year: i64) -> (i64, i64) {
    (
        settings.zone.local_month_start_ms(year, 1),
        settings.zone.local_month_start_ms(year + 1, 1),
    )
}

/// Loads `user`'s year `year` (`None`: the latest with plays) as of `now_ms`, with the genres
/// the panels know of its artists.
pub async fn load(
    store: &Store,
    library: &Library,
    enrichment: &Enrichment,
    user: UserId,
    year: Option<i64>,
    now_ms: i64,
) -> Result<YearLoad, FetchError> {
    let mut loaded = read(store, user, year, now_ms).await?;
    if let YearLoad::Year(data) = &mut loaded {
        data.genres = genres(library, enrichment, user, &data.catalogue, &data.counts).await;
    }
    Ok(loaded)
}

/// What the history holds of `user`'s year `year` (`None`: the latest with plays) as of
/// `now_ms`: everything but the genres, from the store alone.
pub async fn read(
    store: &Store,
    user: UserId,
    year: Option<i64>,
    now_ms: i64,
) -> Result<YearLoad, StoreError> {
    let settings = store.history_settings(user).await?;
    let years = store.years_with_plays(user, &settings.zone).await?;
    let Some(year) = year.or_else(|| years.last().copied()) else {
        return Ok(YearLoad::Empty { year, years });
    };
    if !years.contains(&year) {
        return Ok(YearLoad::Empty {
            year: Some(year),
            years,
        });
    }
    let zone = &settings.zone;
    let span = year_span(&settings, year);
    let (from, to) = span;
    let (counts, catalogue, days, hours, plays, totals, spans) = tokio::try_join!(
        store.track_counts_between(user, from, to),
        store.catalogue(user),
        store.local_days_between(user, zone, from, to),
        store.local_hours_between(user, zone, from, to),
        store.timeline_plays(user, from - REDISCOVERY_GAP_MS, to, None),
        store.history_totals(user),
        store.coverage(user),
    )?;
    let holes = Holes::of(
        &spans,
        coverage_holes(&spans, from, to.min(now_ms), MIN_HOLE_MS),
    );
    Ok(YearLoad::Year(Box::new(YearData {
        year,
        settings,
        span,
        counts,
        catalogue,
        days,
        hours,
        plays,
        history_first: totals.first,
        years,
        holes,
        genres: HashMap::new(),
    })))
}

/// The genres the panels know of the year's most played artists, by artist name: Spotify's
/// when it sends them, else open data's (and the look-ups the panels would queue). Without
/// Spotify's top lists, open data answers alone; a year in review never fails for genres.
async fn genres(
    library: &Library,
    enrichment: &Enrichment,
    user: UserId,
    catalogue: &[CatalogueTrack],
    counts: &[(i64, i64)],
) -> HashMap<String, Vec<String>> {
    let mut plays: HashMap<&str, i64> = HashMap::new();
    let mut ids: HashMap<&str, &str> = HashMap::new();
    for track in catalogue {
        let played = usize::try_from(track.no)
            .ok()
            .and_then(|no| counts.get(no))
            .map_or(0, |c| c.0);
        if played > 0 {
            *plays.entry(&track.artist_name).or_default() += played;
        }
        if let Some(id) = track.artist_id() {
            ids.entry(&track.artist_name).or_insert(id);
        }
    }
    let top = match library.open(user).await {
        Ok(library) => library.top_artists_all().await.ok(),
        Err(_) => None,
    };
    let listed: Vec<(String, String, Option<Vec<String>>)> = top
        .iter()
        .flat_map(|lists| lists.iter().flat_map(|l| l.iter()))
        .map(|a| (a.id.clone(), a.name.clone(), a.genres.clone()))
        .collect();
    for (id, name, _) in &listed {
        ids.entry(name.as_str()).or_insert(id.as_str());
    }
    let mut artists: Vec<(&str, i64)> = plays.into_iter().collect();
    artists.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let keys: Vec<ArtistKey> = artists
        .iter()
        .filter_map(|(name, _)| {
            ids.get(name)
                .map(|id| ((*id).to_owned(), (*name).to_owned()))
        })
        .take(GENRE_ARTISTS)
        .collect();
    let sent: Option<HashMap<String, Vec<String>>> = listed
        .iter()
        .any(|(_, _, genres)| genres.is_some())
        .then(|| {
            listed
                .iter()
                .filter_map(|(id, _, genres)| Some((id.clone(), genres.clone()?)))
                .collect()
        });
    let view = enrichment.genres(sent, &keys).await;
    keys.into_iter()
        .filter_map(|(id, name)| Some((name, view.values.get(&id)?.clone())))
        .filter(|(_, genres)| !genres.is_empty())
        .collect()
}
