//! `/account`: the user's profile and Spotify connection.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::extract::CurrentUser;
use crate::domain::Connection;
use crate::error::AppError;
use crate::load;
use crate::state::AppState;
use crate::views;

/// `/account`'s query: `saved` after the settings were saved.
#[derive(serde::Deserialize)]
pub struct AccountQuery {
    saved: Option<String>,
    revoked: Option<String>,
}

/// `GET /account`.
pub async fn page(
    State(state): State<AppState>,
    current: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<AccountQuery>,
) -> Result<Response, AppError> {
    let now = state.clock.unix();
    let data = load::account::load(&state.store, current.user.id, now).await?;
    let new_link = super::shares::take_new_link(&current.session).await?;
    let retention = super::retention_notice(&state, &current).await?;
    let connection = Connection::of(data.grant, now);
    let shares = super::shares::links_of(data.shares, now);
    let imports = super::import::jobs_of(data.imports);
    let main = maud::html! {
        (retention)
        (views::account::account(
            views::account::Profile {
                name: current.user.name(),
                spotify_id: &current.user.spotify_id,
                since: current.user.created_at,
            },
            connection,
            data.paused_until,
            views::account::Recording {
                last_poll: data.last_poll,
                imports: &imports,
            },
            now,
            &current.csrf,
            views::share::account_section(
                &shares,
                new_link.as_deref(),
                query.revoked.is_some(),
                current.user.name(),
                &current.csrf,
            ),
        ))
        (views::history::account_sections(&data.settings, &current.csrf, query.saved.is_some()))
        (views::compare::account_section(data.compare.as_ref(), current.user.name(), &current.csrf))
        (views::retention::policy(state.config.retention_inactive_days))
    };
    let chrome = current.chrome(&state);
    Ok(views::layout::page("Your account", chrome, main).into_response())
}

/// The settings form.
#[derive(serde::Deserialize)]
pub struct SettingsForm {
    csrf: String,
    time_zone: String,
    hemisphere: String,
    /// Where a one-click zone offer was accepted (`dashboard` or `history`), to go back there.
    back: Option<String>,
}

/// `POST /account/settings`: time zone and hemisphere of the history views.
pub async fn save_settings(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: axum::http::HeaderMap,
    axum::Form(form): axum::Form<SettingsForm>,
) -> Result<Response, AppError> {
    super::csrf::verify(&headers, &current.session, &form.csrf).await?;
    let zone = crate::history::Zone::parse(&form.time_zone).ok_or_else(|| {
        AppError::bad_value(format!(
            "“{}” is not a time zone Euterpe knows. Use an IANA name such as Europe/Stockholm, America/New_York or UTC.",
            form.time_zone
        ))
    })?;
    let hemisphere = crate::stats::Hemisphere::parse(&form.hemisphere)
        .ok_or_else(|| AppError::bad_value("Choose the northern or the southern hemisphere."))?;
    let settings = crate::store::HistorySettings { zone, hemisphere };
    state
        .store
        .save_history_settings(current.user.id, &settings, state.clock.unix())
        .await?;
    // Only these two places, never an address from the form: no open redirect.
    let back = match form.back.as_deref() {
        Some("dashboard") => "/",
        Some("history") => "/history",
        _ => "/account?saved=1#settings-title",
    };
    Ok(axum::response::Redirect::to(back).into_response())
}

/// The deletion form.
#[derive(serde::Deserialize)]
pub struct DeleteForm {
    csrf: String,
    confirm: Option<String>,
}

/// `POST /account/delete`: deletes the account and everything of it, then logs out.
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: axum::http::HeaderMap,
    axum::Form(form): axum::Form<DeleteForm>,
) -> Result<Response, AppError> {
    super::csrf::verify(&headers, &current.session, &form.csrf).await?;
    if form.confirm.as_deref() != Some("yes") {
        return Err(AppError::bad_value(
            "Nothing was deleted: tick the box that confirms you want your account and all your data deleted, then send the form again.",
        ));
    }
    state.store.delete_account(current.user.id).await?;
    state.users.forget(current.user.id);
    current.session.log_out().await?;
    tracing::info!("an account was deleted at its owner's request");
    Ok(axum::response::Redirect::to("/?deleted=1").into_response())
}

/// `GET /account/data`: everything Euterpe holds about the user, as one JSON file, streamed
/// (a history of a million plays is tens of megabytes). Tokens are omitted.
pub async fn download(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let user = current.user.clone();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(8);
    let store = state.store.clone();
    let now = state.clock.unix();
    tokio::spawn(async move {
        if let Err(err) = write_data(&store, &user, now, &sender).await {
            tracing::error!(error = %err, "data download failed");
            let _ = sender
                .send(Err(std::io::Error::other("the database failed")))
                .await;
        }
    });
    let mut receiver = receiver;
    let stream = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let body = axum::body::Body::from_stream(stream);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"euterpe-data.json\"",
            ),
            (axum::http::header::CACHE_CONTROL, super::cache::PRIVATE),
        ],
        body,
    )
        .into_response())
}

async fn write_data(
    store: &crate::store::Store,
    user: &crate::store::User,
    now: i64,
    out: &tokio::sync::mpsc::Sender<Result<String, std::io::Error>>,
) -> Result<(), AppError> {
    use serde_json::{Value, json};
    let send = |text: String| async move { out.send(Ok(text)).await.is_ok() };
    let id = user.id;
    let settings = store.history_settings(id).await?;
    let imports = store.imports(id).await?;
    let coverage = store.coverage(id).await?;
    let poll = store.poll_state(id).await?;
    let cache = store.cache_entries(id).await?;
    let shares = store.shares_of(id).await?;
    let sessions = store.login_session_starts(id).await?;
    let tokens = store.tokens(id).await?;
    let compare = store.compare_opt_in(id).await?;
    let head = json!({
        "about": "Everything Euterpe holds about you. Times are Unix seconds, except played_at, \
                  first_played_at, start_ms and end_ms (Unix milliseconds). Left out: your \
                  Spotify tokens, share-link fingerprints and login-session ids (secrets, useless \
                  outside this Euterpe), and the monthly summaries Euterpe derives from your \
                  plays to draw charts fast.",
        "exported_at": now,
        "user": {
            "spotify_account_id": user.spotify_account_id,
            "spotify_id": user.spotify_id,
            "display_name": user.display_name,
            "email": user.email,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
            "last_seen_at": user.last_seen_at,
        },
        "settings": { "time_zone": settings.zone.name(), "hemisphere": settings.hemisphere.as_str() },
        "spotify_tokens": "omitted",
        "spotify_connection": tokens.map(|t| json!({
            "scope": t.scope, "authorized_at": t.authorized_at,
            "access_expires_at": t.access_expires_at, "needs_relogin": t.needs_relogin,
            "updated_at": t.updated_at,
        })),
        "login_sessions": sessions.iter().map(|created_at| json!({"created_at": created_at})).collect::<Vec<_>>(),
        "shares": shares.iter().map(|s| json!({
            "id": s.id, "panels": s.panels().iter().map(|p| p.name()).collect::<Vec<_>>(),
            "years": s.years().map(|years| years.describe()),
            "shown_name": s.shown_name, "indexable": s.indexable, "created_at": s.created_at,
            "expires_at": s.expires_at, "revoked_at": s.revoked_at, "views": s.views,
        })).collect::<Vec<_>>(),
        "listen_together": json!({
            "opted_in": compare.is_some(),
            "shown_name": compare.as_ref().map(|c| &c.shown_name),
            "since": compare.as_ref().map(|c| c.since),
        }),
        "poller": poll.map(|p| json!({
            "after_ms": p.after_ms, "last_polled_at": p.last_polled_at,
            "last_success_at": p.last_success_at, "paused_until": p.paused_until,
            "last_error": p.last_error,
        })),
        "imports": imports.iter().map(|i| json!({
            "id": i.id, "status": i.status, "created_at": i.created_at, "updated_at": i.updated_at,
            "bytes_total": i.bytes_total, "plays_added": i.plays_added, "duplicates": i.duplicates,
            "short_skipped": i.short_skipped, "incognito_skipped": i.incognito_skipped,
            "no_track": i.no_track, "other_skipped": i.other_skipped,
            "impossible_skipped": i.impossible_skipped,
            "files": serde_json::from_str::<Value>(&i.report).unwrap_or(Value::Null),
            "error": i.error,
        })).collect::<Vec<_>>(),
        "coverage": coverage.iter().map(|c| json!({"source": c.source, "start_ms": c.start_ms, "end_ms": c.end_ms})).collect::<Vec<_>>(),
        "spotify_cache": cache.iter().map(|(key, body, fetched_at)| json!({
            "key": key, "fetched_at": fetched_at,
            "body": serde_json::from_str::<Value>(body).unwrap_or(Value::String(body.clone())),
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string(&head).unwrap_or_else(|_| "{}".into());
    text.pop(); // reopen the object
    text.push_str(",\"tracks\":[");
    if !send(text).await {
        return Ok(());
    }
    let mut after = String::new();
    let mut first = true;
    loop {
        let page = store.tracks_page(id, &after, 5000).await?;
        let Some(last) = page.last() else { break };
        after = last.track_key.clone();
        let mut chunk = String::new();
        for track in &page {
            if !first {
                chunk.push(',');
            }
            first = false;
            chunk.push_str(
                &json!({
                    "track_key": track.track_key, "track_id": track.track_id, "name": track.name,
                    "artist_name": track.artist_name, "album_name": track.album_name,
                    "artist_ids": track.artist_ids, "duration_ms": track.duration_ms,
                    "first_played_at": track.first_played_at,
                })
                .to_string(),
            );
        }
        if !send(chunk).await {
            return Ok(());
        }
    }
    if !send("],\"plays\":[".into()).await {
        return Ok(());
    }
    let mut cursor: Option<(i64, String)> = None;
    let mut first = true;
    loop {
        let page = store.plays_page(id, cursor.clone(), 10_000).await?;
        let Some(last) = page.last() else { break };
        cursor = Some((last.played_at, last.track_key.clone()));
        let mut chunk = String::with_capacity(page.len() * 80);
        for play in &page {
            if !first {
                chunk.push(',');
            }
            first = false;
            let source = match play.source {
                1 => "poller",
                2 => "extended_history",
                _ => "account_data",
            };
            chunk.push_str(
                &json!({
                    "played_at": play.played_at, "track_key": play.track_key,
                    "ms_played": play.ms_played, "source": source,
                })
                .to_string(),
            );
        }
        if !send(chunk).await {
            return Ok(());
        }
    }
    send("]}".into()).await;
    Ok(())
}
