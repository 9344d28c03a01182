//! The seasons panel's inputs: from the listening history when it has plays in the window,
//! else (like the original app) from the release months of the top tracks.

use crate::domain::UserId;

use crate::domain::{HistorySettings, Holes, TimeRange};
use crate::enrichment::{self, ArtistKey};
use crate::spotify::FetchError;
use crate::spotify::library::UserLibrary;
use crate::stats::{self, SeasonItem, SeasonSource};
use crate::store::Store;

/// What the seasons panel is computed from.
pub struct SeasonInputs {
    /// The listener's time zone and hemisphere.
    pub settings: HistorySettings,
    /// The plays (or top tracks) to place in seasons.
    pub items: Vec<SeasonItem>,
    /// Where `items` came from.
    pub source: SeasonSource,
    /// The artists whose genres are wanted (id and name, for open-data look-ups).
    pub artists: Vec<ArtistKey>,
    /// The fallback found no top tracks at all.
    pub no_top_songs: bool,
    /// The parts of the window the history does not cover (Unix ms, oldest first).
    pub holes: Holes,
    /// History form: the window the plays come from (Unix ms), whose seasons are the ones shown.
    pub window: Option<(i64, i64)>,
}

/// Loads `user`'s season inputs for `range` as of `now_ms`, reading plays in their zone.
pub async fn load(
    store: &Store,
    library: &UserLibrary<'_>,
    user: UserId,
    range: TimeRange,
    now_ms: i64,
) -> Result<SeasonInputs, FetchError> {
    let (from, to) = stats::history::season_window(range, now_ms);
    let (settings, played) = store.settings_and_plays_between(user, from, to).await?;
    if played {
        let plays = store
            .plays_in_window(user, from, to, &settings.zone)
            .await?;
        let spans = store.coverage(user).await?;
        Ok(SeasonInputs {
            settings,
            items: stats::history::season_items(&plays),
            source: SeasonSource::ListeningHistory,
            artists: enrichment::artists_of_plays(&plays),
            no_top_songs: false,
            holes: Holes::of(
                &spans,
                stats::history::coverage_holes(&spans, from, to, stats::history::MIN_HOLE_MS),
            ),
            window: Some((from, to)),
        })
    } else {
        let tracks = library.top_tracks(range).await?;
        let dated = tracks
            .iter()
            .filter(|track| stats::release_month(&track.album).is_some());
        let artists = enrichment::artists_of(dated);
        Ok(SeasonInputs {
            settings,
            items: stats::release_month_items(&tracks),
            source: SeasonSource::ReleaseMonth,
            artists,
            no_top_songs: tracks.is_empty(),
            holes: Holes::default(),
            window: None,
        })
    }
}
