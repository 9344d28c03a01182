//! `/import`: the upload form, the upload itself (saved to disk, then imported by a background
//! job), and the job's progress.

use std::future::Future;
use std::time::Duration;

use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::csrf;
use super::extract::{CurrentUser, RenderMode};
use crate::error::AppError;
use crate::history::import::Upload;
use crate::shutdown::Shutdown;
use crate::state::AppState;
use crate::views;
use crate::views::import::ImportJob;

fn page(state: &AppState, current: &CurrentUser, title: &str, main: maud::Markup) -> Response {
    let chrome = current.chrome(state);
    views::layout::page(title, chrome, main).into_response()
}

/// `GET /import`.
pub async fn form(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let imports = jobs_of(state.store.imports(current.user.id).await?);
    let main = views::import::form(
        &current.csrf,
        state.config.history.import_max_bytes,
        &imports,
    );
    Ok(page(&state, &current, "Import", main))
}

/// Deletes saved uploads when the request fails half-way.
struct Saved(Vec<Upload>);

impl Drop for Saved {
    fn drop(&mut self) {
        for upload in &self.0 {
            let _ = std::fs::remove_file(&upload.path);
        }
    }
}

/// The next piece of an upload, read with a deadline: the upload is given up (`408`) when it
/// sends nothing for `idle`, and at once (`503`) when the server shuts down, so that a client
/// trickling bytes can hold neither a connection nor the process's exit. (Whatever was saved is
/// then removed by [`Saved`].)
async fn piece<T, E>(
    idle: Duration,
    stopping: Option<&Shutdown>,
    read: impl Future<Output = Result<T, E>>,
    unreadable: impl FnOnce(E) -> AppError,
) -> Result<T, AppError> {
    let stop = async {
        match stopping {
            Some(shutdown) => shutdown.clone().wait().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        _ = stop => Err(AppError::ShuttingDown),
        read = tokio::time::timeout(idle, read) => match read {
            Ok(read) => read.map_err(unreadable),
            Err(_) => Err(AppError::UploadStalled(idle)),
        },
    }
}

/// `POST /import` (multipart: `csrf`, then one or more `file`).
pub async fn upload(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
    // Set by the server (crate::server); absent only when a test drives the router directly.
    shutdown: Option<Extension<Shutdown>>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let idle = state.config.server.upload_idle_timeout;
    let stopping = shutdown.as_ref().map(|Extension(shutdown)| shutdown);
    let limit = state.config.history.import_max_bytes;
    // A declared size far over the limit is refused before reading anything.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit + 64 * 1024) {
        return Err(AppError::TooLarge(limit));
    }
    let unreadable = |_| {
        AppError::bad_value("The upload was interrupted or is not a form upload. Please try again.")
    };
    let dir = state.config.history.import_dir.clone();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|err| AppError::Internal(format!("cannot create {}: {err}", dir.display())))?;
    let mut checked = false;
    let mut saved = Saved(Vec::new());
    let mut total: u64 = 0;
    while let Some(mut field) = piece(idle, stopping, multipart.next_field(), unreadable).await? {
        match field.name() {
            Some(csrf::FIELD) => {
                let token = piece(idle, stopping, field.text(), unreadable).await?;
                csrf::verify(&headers, &current.session, &token).await?;
                checked = true;
            }
            Some("file") => {
                if !checked {
                    // The form sends its token first; a file before it was not sent by our form.
                    return Err(AppError::CrossSite);
                }
                let name = field.file_name().unwrap_or("").to_owned();
                if name.is_empty() {
                    continue;
                }
                let path = dir.join(format!("{}.upload", Uuid::new_v4()));
                let mut file = tokio::fs::File::create(&path)
                    .await
                    .map_err(|err| AppError::Internal(format!("cannot save an upload: {err}")))?;
                saved.0.push(Upload {
                    name: name.clone(),
                    path: path.clone(),
                    size: 0,
                });
                let mut size: u64 = 0;
                while let Some(chunk) = piece(idle, stopping, field.chunk(), unreadable).await? {
                    size += chunk.len() as u64;
                    total += chunk.len() as u64;
                    if total > limit {
                        return Err(AppError::TooLarge(limit));
                    }
                    file.write_all(&chunk).await.map_err(|err| {
                        AppError::Internal(format!("cannot save an upload: {err}"))
                    })?;
                }
                file.flush()
                    .await
                    .map_err(|err| AppError::Internal(err.to_string()))?;
                if let Some(last) = saved.0.last_mut() {
                    last.size = size;
                }
            }
            _ => {}
        }
    }
    if !checked {
        return Err(AppError::CrossSite);
    }
    if saved.0.is_empty() {
        return Err(AppError::bad_value(
            "No file was chosen. Choose your Spotify export zip (or its JSON files) and send the form again.",
        ));
    }
    let uploads = std::mem::take(&mut saved.0);
    let bytes: u64 = uploads.iter().map(|u| u.size).sum();
    let now = state.clock.unix();
    let id = state
        .store
        .create_import(current.user.id, bytes as i64, now)
        .await?;
    state.imports.spawn(
        state.store.clone(),
        state.clock.clone(),
        current.user.id,
        id,
        uploads,
        state.config.history.import_max_unzipped_bytes,
    );
    Ok(Redirect::to(&format!("/import/{id}")).into_response())
}

/// `GET /import/{id}`.
pub async fn status(
    State(state): State<AppState>,
    current: CurrentUser,
    mode: RenderMode,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let import = find(&state, &current, &id).await?;
    if mode == RenderMode::Fragment {
        return Ok(views::import::progress(&import).into_response());
    }
    Ok(page(
        &state,
        &current,
        "Import",
        views::import::status_page(&import),
    ))
}

/// `GET /import/{id}/progress`: the fragment htmx refreshes.
pub async fn progress(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let import = find(&state, &current, &id).await?;
    Ok((StatusCode::OK, views::import::progress(&import)).into_response())
}

async fn find(state: &AppState, current: &CurrentUser, id: &str) -> Result<ImportJob, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    state
        .store
        .import(current.user.id, id)
        .await?
        .map(job_of)
        .ok_or(AppError::NotFound)
}

/// A stored import job as the pages show it.
pub(super) fn job_of(row: crate::store::ImportRow) -> ImportJob {
    ImportJob {
        id: row.id,
        counts: row.counts(),
        // A report the job could not write whole is shown as no per-file report.
        reports: serde_json::from_str(&row.report).unwrap_or_default(),
        status: row.status,
        created_at: row.created_at,
        bytes_total: row.bytes_total,
        bytes_done: row.bytes_done,
        files_done: row.files_done,
        error: row.error,
    }
}

/// Stored import jobs as the pages show them, in the same order.
pub(super) fn jobs_of(rows: Vec<crate::store::ImportRow>) -> Vec<ImportJob> {
    rows.into_iter().map(job_of).collect()
}
