//! `/compare…`: listening together, between listeners who both opted in (`/account`). A page of
//! someone who hasn't (or has stopped), or asked by someone who hasn't, is the plain 404; a
//! share's visitor has no session and never reaches these routes.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

use super::extract::{CurrentUser, RenderMode};
use crate::crypto::random_token;
use crate::domain::CompareOptIn;
use crate::error::AppError;
use crate::load::compare::{self, CompareData};
use crate::state::AppState;
use crate::stats::compare::{Heard, Side, compare, recent_together};
use crate::views;
use crate::views::compare::{MAX_NAME_CHARS, Section, compare_page, section_body};

/// Random bytes in a comparison page's id (128 bits).
const PUBLIC_ID_BYTES: usize = 16;

/// `GET /compare`: the other listeners who opt in, to a listener who opts in.
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let main = match state.store.compare_opt_in(current.user.id).await? {
        None => views::compare::not_opted_in(),
        Some(_) => {
            let others: Vec<CompareOptIn> = state
                .store
                .compare_opt_ins()
                .await?
                .into_iter()
                .filter(|other| other.user != current.user.id)
                .collect();
            views::compare::list_page(&others)
        }
    };
    Ok(views::layout::page("Listen together", current.chrome(&state), main).into_response())
}

/// The other listener of `/compare/{id}`, when both opt in (else the 404).
async fn partner(
    state: &AppState,
    current: &CurrentUser,
    id: &str,
) -> Result<CompareOptIn, AppError> {
    if id.len() > 64 || state.store.compare_opt_in(current.user.id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    state
        .store
        .compare_opt_in_by_id(id)
        .await?
        .filter(|other| other.user != current.user.id)
        .ok_or(AppError::NotFound)
}

fn side(lists: &compare::Lists) -> Side<'_> {
    let [a, b, c] = &lists.artists;
    let [x, y, z] = &lists.tracks;
    Side {
        artists: [&a[..], &b[..], &c[..]],
        tracks: [&x[..], &y[..], &z[..]],
    }
}

/// The bodies of `sections` of the viewer's comparison with `other`.
async fn sections(
    state: &AppState,
    current: &CurrentUser,
    other: &CompareOptIn,
    wanted: &[Section],
) -> Result<Vec<(Section, Markup)>, AppError> {
    let now_ms = state.clock.unix() * 1000;
    let data: CompareData = compare::load(
        &state.store,
        &state.library,
        &state.enrichment,
        current.user.id,
        other.user,
        now_ms,
    )
    .await?;
    let (me, them) = (side(&data.mine), side(&data.theirs));
    let heard = Heard {
        ids: &data.heard_ids,
        names: &data.heard_names,
    };
    let comparison = compare(&me, &them, &heard, data.genres.as_ref());
    let recent = data
        .recent
        .as_ref()
        .map(|(mine, theirs)| recent_together(mine, theirs));
    Ok(wanted
        .iter()
        .map(|&section| {
            (
                section,
                section_body(section, &comparison, recent.as_ref(), &other.shown_name),
            )
        })
        .collect())
}

/// `GET /compare/{id}`: every section.
pub async fn page(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let other = partner(&state, &current, &id).await?;
    let bodies = sections(&state, &current, &other, &Section::ALL).await?;
    let title = format!("You and {}", other.shown_name);
    let main = compare_page(&other.shown_name, &bodies);
    Ok(views::layout::page(&title, current.chrome(&state), main).into_response())
}

/// `GET /compare/{id}/{section}`: one section, as an htmx fragment or a page of its own.
pub async fn section(
    State(state): State<AppState>,
    current: CurrentUser,
    mode: RenderMode,
    Path((id, name)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let section = Section::from_name(&name).ok_or(AppError::NotFound)?;
    let other = partner(&state, &current, &id).await?;
    let mut bodies = sections(&state, &current, &other, &[section]).await?;
    Ok(match mode {
        RenderMode::Fragment => bodies.remove(0).1.into_response(),
        RenderMode::Page => {
            let title = format!("{} · You and {}", section.title(), other.shown_name);
            let main = compare_page(&other.shown_name, &bodies);
            views::layout::page(&title, current.chrome(&state), main).into_response()
        }
    })
}

/// The setting as the account page's form sends it.
#[derive(serde::Deserialize)]
pub struct CompareForm {
    csrf: String,
    enabled: Option<String>,
    #[serde(default)]
    shown_name: String,
    /// The button that turns the setting on under the Spotify display name.
    use_spotify_name: Option<String>,
}

/// `POST /account/compare`: turns comparisons on (with the name to show) or off, at once.
pub async fn save(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CompareForm>,
) -> Result<Response, AppError> {
    super::csrf::verify(&headers, &current.session, &form.csrf).await?;
    let user = current.user.id;
    let spotify_name = form.use_spotify_name.is_some();
    if !spotify_name && form.enabled.as_deref().is_none_or(str::is_empty) {
        state.store.opt_out_of_compare(user).await?;
        return Ok(Redirect::to("/account#compare").into_response());
    }
    // The Spotify name only when its button was clicked, never as a default.
    let name = if spotify_name {
        current.user.name().trim()
    } else {
        form.shown_name.trim()
    };
    if name.is_empty() {
        return Err(AppError::bad_form(
            "Type the name the other listeners will see you as: comparisons show no name you didn't choose.",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::bad_form(format!(
            "The name to show can have at most {MAX_NAME_CHARS} characters."
        )));
    }
    state
        .store
        .opt_in_to_compare(
            user,
            name,
            &random_token(PUBLIC_ID_BYTES),
            state.clock.unix(),
        )
        .await?;
    Ok(Redirect::to("/account#compare").into_response())
}
