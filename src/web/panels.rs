//! The nine panel routes. Each reads as extract → load → compute → render; `respond` wraps the
//! result as an htmx fragment or a full page, with the panel's error state when loading failed.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;

use super::extract::{CurrentUser, RangeParam, RenderMode};
use crate::enrichment;
use crate::error::{AppError, Failure};
use crate::load;
use crate::load::counts::Counted;
use crate::panel::Panel;
use crate::spotify::models::TimeRange;
use crate::state::AppState;
use crate::stats;
use crate::store::User;
use crate::telemetry::SpotifyFailure;
use crate::views::panels::{Scope, Viewer};
use crate::views::{self, panels};

/// `GET /{panel}`.
pub async fn show(
    panel: Panel,
    State(state): State<AppState>,
    current: CurrentUser,
    mode: RenderMode,
    range: RangeParam,
) -> Response {
    let body = body(
        &state,
        &current.user,
        Scope::OWNER,
        panel,
        range.or(panel.default_range()),
    )
    .await;
    let chrome = current.chrome(&state);
    respond(&state, Scope::OWNER, mode, panel, range.0, body, |main| {
        views::layout::page(panel.title(), chrome, main)
    })
}

/// One panel's body for `owner`'s data: load from the library, compute with `stats`, render
/// with `views`.
pub async fn body(
    state: &AppState,
    owner: &User,
    scope: Scope<'_>,
    panel: Panel,
    range: TimeRange,
) -> Result<Markup, AppError> {
    let user = owner.id;
    let library = state.library.open(user).await?;
    // Popularity and genres: Spotify's when it sends them, else open data known so far (what
    // is missing is queued for the background; panels never wait for those services).
    let open = &state.enrichment;
    let now = state.clock.now();
    Ok(match panel {
        Panel::TopSongs => {
            let (tracks, plays) = tokio::try_join!(
                library.top_tracks(range),
                history_counts(state, user, scope, range, Counted::Tracks),
            )?;
            let popularity = open.popularity(&tracks).await;
            panels::top_songs::top_songs(
                &stats::top_songs(&tracks),
                &popularity,
                plays.as_ref(),
                scope,
                Some(range),
                now,
            )
        }
        Panel::TopArtists => {
            let (artists, plays) = tokio::try_join!(
                library.top_artists(range),
                history_counts(state, user, scope, range, Counted::Artists),
            )?;
            let genres = open
                .genres(
                    enrichment::sent_genres(&artists),
                    &enrichment::keys_of(&artists),
                )
                .await;
            let rows = stats::top_artists(&artists);
            panels::top_artists::top_artists(
                &rows,
                &genres,
                plays.as_ref(),
                scope,
                Some(range),
                now,
            )
        }
        Panel::TopAlbums => {
            let tracks = library.top_tracks(range).await?;
            panels::top_albums::top_albums(&stats::top_albums(&tracks), scope)
        }
        Panel::HiddenGems => {
            let tracks = library.top_tracks(range).await?;
            let popularity = open.popularity(&tracks).await;
            let gems = stats::hidden_gems(&tracks, |track| popularity.of(track));
            panels::hidden_gems::hidden_gems(&gems, &popularity, scope, Some(range), now)
        }
        Panel::TopPlaylists => {
            let (playlists, top) = tokio::try_join!(
                library.own_playlists_with_tracks(&owner.spotify_id),
                library.top_tracks(range),
            )?;
            // A share's visitors see the public playlists only: a private one's name is the
            // owner's business even when they share this panel.
            let shown = |playlist: &crate::domain::Playlist| {
                scope.viewer == Viewer::Owner || stats::is_public(playlist)
            };
            let rows = stats::top_playlists_where(&owner.spotify_id, &playlists, &top, shown);
            let private = stats::owned_left_out(&owner.spotify_id, &playlists, shown);
            panels::top_playlists::top_playlists(&rows, top.is_empty(), private)
        }
        Panel::ArtistsStandingTestOfTime => {
            let [short, medium, long] = library.top_artists_all().await?;
            let none = short.is_empty() && medium.is_empty() && long.is_empty();
            let rows = stats::artists_standing_test_of_time(&short, &medium, &long);
            panels::artists_over_time::standing(&rows, none, scope)
        }
        Panel::ArtistsFallingOff => {
            let [short, medium, long] = library.top_artists_all().await?;
            let rows = stats::artists_falling_off(&short, &medium, &long);
            panels::artists_over_time::falling_off(&rows, long.is_empty(), scope)
        }
        Panel::ReleaseYearTrends => {
            let tracks = library.top_tracks(range).await?;
            panels::release_years::release_years(&stats::release_year_trends(&tracks))
        }
        Panel::MusicVarietyBySeason => {
            // From the listening history when it has plays in the window, else from the top
            // tracks' release months (see `load::seasons`).
            let now_ms = state.clock.now().unix_timestamp() * 1000;
            let inputs = load::seasons::load(&state.store, &library, user, range, now_ms).await?;
            let settings = &inputs.settings;
            // Plays known only by an artist's name ("name:…") have no Spotify id to look up.
            let artist_ids: Vec<String> = inputs
                .items
                .iter()
                .flat_map(|item| item.artist_ids.iter())
                .filter(|id| !id.starts_with("name:"))
                .cloned()
                .collect();
            let genres = open
                .genres(library.genres(&artist_ids).await?, &inputs.artists)
                .await;
            let lookup = |id: &str| genres.get(id);
            let mut seasons = stats::variety_by_season(&inputs.items, &lookup, settings.hemisphere);
            // Plays have a time: only the seasons the window touches are shown.
            if let Some((from, to)) = inputs.window {
                let touched =
                    stats::seasons_in_window(from, to, &settings.zone, settings.hemisphere);
                seasons.retain(|season| touched.contains(&season.season));
            }
            let basis = panels::seasons::Basis {
                source: inputs.source,
                no_top_songs: inputs.no_top_songs,
                hemisphere: settings.hemisphere,
                zone: &settings.zone,
                holes: &inputs.holes,
            };
            panels::seasons::seasons(&seasons, basis, &genres, scope, Some(range), now)
        }
    })
}

/// What the listening history says of a top list's rows, for their owner only: a share's
/// visitors see Spotify's lists, not what the owner played when.
async fn history_counts(
    state: &AppState,
    user: crate::domain::UserId,
    scope: Scope<'_>,
    range: TimeRange,
    counted: Counted,
) -> Result<Option<crate::domain::PlayCounts>, crate::spotify::FetchError> {
    if scope.viewer != Viewer::Owner {
        return Ok(None);
    }
    let now_ms = state.clock.now().unix_timestamp() * 1000;
    Ok(load::counts::load(&state.store, user, range, now_ms, counted).await?)
}

/// A panel's section as drawn: its frame around the body or the error state, with what the
/// response around it needs to say.
pub struct Drawn {
    pub status: StatusCode,
    pub section: Markup,
    /// Seconds until Spotify lets Euterpe ask again, when it is rate-limiting.
    pub retry_after: Option<u64>,
    /// Whether the failure was Spotify's (left out of error reports).
    pub upstream: bool,
}

/// Frames a panel body, or its error state when loading failed.
pub fn draw(
    state: &AppState,
    scope: Scope<'_>,
    panel: Panel,
    range: Option<TimeRange>,
    body: Result<Markup, AppError>,
) -> Drawn {
    let (status, body, retry_after, upstream) = match body {
        Ok(body) => (StatusCode::OK, body, None, false),
        // An expired Spotify login is shown in the panel, fragment or page, with its "Log in
        // again" button. Not an HX-Redirect: the session is still good, so the dashboard would
        // load its panels again and redirect again, forever, and it must stay readable to show
        // the banner that says since when history recording has paused.
        Err(error) => {
            if let AppError::Database(err) = &error {
                tracing::error!(error = %err, panel = panel.name(), "panel failed: database");
            }
            let failure = error.failure().unwrap_or(Failure::Unavailable);
            let retry_after = match failure {
                Failure::RateLimited { retry_after } => Some(retry_after.as_secs()),
                _ => None,
            };
            let view = views::panels::error_state(scope, panel, range, failure, state.clock.now());
            let upstream = matches!(error, AppError::Spotify(_));
            (error.status(), view, retry_after, upstream)
        }
    };
    Drawn {
        status,
        section: views::panels::frame(scope, panel, range, body),
        retry_after,
        upstream,
    }
}

/// Wraps a panel body (or its error) in the panel frame, as a fragment or — through `page` —
/// a whole page.
pub fn respond(
    state: &AppState,
    scope: Scope<'_>,
    mode: RenderMode,
    panel: Panel,
    range: Option<TimeRange>,
    body: Result<Markup, AppError>,
    page: impl FnOnce(Markup) -> Markup,
) -> Response {
    let Drawn {
        status,
        section,
        retry_after,
        upstream,
    } = draw(state, scope, panel, range, body);
    let mut response = match mode {
        RenderMode::Fragment => (status, section).into_response(),
        RenderMode::Page => {
            // The page is named for its panel, for the owner and a visitor alike.
            let main = views::panels::page_main(scope, panel.title(), panel, range, section);
            (status, page(main)).into_response()
        }
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if upstream {
        response.extensions_mut().insert(SpotifyFailure);
    }
    response
}

/// How long a dashboard waits for its panels before drawing the slow ones as slots: long
/// enough for every warm panel, short enough that a cold dashboard appears at once.
pub const DRAW_WAIT: Duration = Duration::from_millis(250);

/// The query parameter of the one reload a browser without JavaScript makes: that request
/// waits for every panel (up to the request deadline).
pub const WAIT_ALL: &str = "wait=all";

/// How long a dashboard waits for its panels: [`DRAW_WAIT`], or for the reload of a browser
/// without JavaScript (`query` holds [`WAIT_ALL`]) until shortly before the request deadline.
pub fn dashboard_wait(state: &AppState, query: Option<&str>) -> (Duration, bool) {
    let all = query.is_some_and(|query| query.split('&').any(|pair| pair == WAIT_ALL));
    if all {
        let deadline = state
            .config
            .request_timeout
            .saturating_sub(Duration::from_secs(2));
        (deadline.max(Duration::from_secs(1)), true)
    } else {
        (DRAW_WAIT, false)
    }
}

/// The URL a browser without JavaScript reloads a dashboard at (`home`: its URL now).
pub fn reload_url(home: &str) -> String {
    let separator = if home.contains('?') { '&' } else { '?' };
    format!("{home}{separator}{WAIT_ALL}")
}

/// A dashboard's panels as drawn with its page.
pub struct DashboardPanels {
    /// One section per panel: whole when its data was ready in time, else a slot htmx fills.
    pub sections: Vec<Markup>,
    /// Whether some panel is still a slot.
    pub pending: bool,
}

/// Asks for every panel of a dashboard at once, so that the cold ones start fetching when the
/// page is drawn (the fragments htmx then asks for join those fetches). Panels ready within
/// `wait` are drawn whole; the rest are left to run, warming the cache, and drawn as slots.
pub async fn draw_dashboard(
    state: &AppState,
    owner: &User,
    scope: Scope<'_>,
    range: Option<TimeRange>,
    wait: Duration,
) -> DashboardPanels {
    let tasks: Vec<_> = scope
        .panels
        .iter()
        .map(|&panel| {
            let (state, owner) = (state.clone(), owner.clone());
            let (base, panels, viewer) =
                (scope.base.to_owned(), scope.panels.to_vec(), scope.viewer);
            tokio::spawn(async move {
                let scope = Scope {
                    base: &base,
                    viewer,
                    panels: &panels,
                };
                body(
                    &state,
                    &owner,
                    scope,
                    panel,
                    range.unwrap_or(panel.default_range()),
                )
                .await
            })
        })
        .collect();
    let deadline = tokio::time::Instant::now() + wait;
    let mut sections = Vec::with_capacity(tasks.len());
    let mut pending = false;
    for (task, &panel) in tasks.into_iter().zip(scope.panels) {
        // A timed-out task is detached, not cancelled: it finishes and fills the cache.
        match tokio::time::timeout_at(deadline, task).await {
            Ok(Ok(body)) => sections.push(draw(state, scope, panel, range, body).section),
            Ok(Err(join)) => {
                tracing::error!(panel = panel.name(), error = %join, "panel task failed");
                let error = AppError::Internal(format!("panel task failed: {join}"));
                sections.push(draw(state, scope, panel, range, Err(error)).section);
            }
            Err(_) => {
                pending = true;
                sections.push(views::panels::slot(scope, panel, range));
            }
        }
    }
    DashboardPanels { sections, pending }
}
