//! Share links: the owner makes and revokes them; anyone with a link sees the chosen panels,
//! read-only, with no session.
//!
//! A link is `/s/{token}` with 256 random bits. Only the SHA-256 fingerprint of the token is
//! stored and looked up, so the database never holds a working link and a lookup's timing says
//! nothing about how much of a guessed token was right. Every way a link can fail (unknown,
//! expired, revoked, panel not shared) is the same 404.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{CurrentUser, RangeParam, RenderMode};
use super::forwarded::Forwarded;
use super::session::AppSession;
use crate::crypto::{random_token, sha256_hex};
use crate::domain::SharedYears;
use crate::error::AppError;
use crate::panel::Panel;
use crate::state::AppState;
use crate::store::{NewShare, Share};
use crate::views::panels::{Scope, Viewer};
use crate::views::{self, Chrome};

/// Random bytes in a share token (256 bits; 43 URL-safe characters).
pub const TOKEN_BYTES: usize = 32;
/// The longest name a share may show.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest expiry, in days (ten years).
pub const MAX_EXPIRY_DAYS: i64 = 3650;
/// The session's one-time message key for a link just made.
pub const NEW_LINK_FLASH: &str = "new_share_link";

/// `POST /shares`: make a share link from the account page's form.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    forwarded: Forwarded,
    current: CurrentUser,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = ShareForm::parse(&body)?;
    super::csrf::verify(&headers, &current.session, &form.csrf).await?;
    let new = form.validate(state.clock.unix())?;
    let token = random_token(TOKEN_BYTES);
    state
        .store
        .create_share(
            current.user.id,
            &sha256_hex(token.as_bytes()),
            &new,
            state.clock.unix(),
        )
        .await?;
    let link = format!("{}/s/{token}", super::origin(&state, &headers, forwarded));
    current.session.set_flash(NEW_LINK_FLASH, &link).await?;
    Ok(Redirect::to("/account#shares").into_response())
}

/// `POST /shares/{id}/revoke`: the link answers 404 from now on.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    current: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = ShareForm::parse(&body)?;
    super::csrf::verify(&headers, &current.session, &form.csrf).await?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    if !state
        .store
        .revoke_share(current.user.id, id, state.clock.unix())
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/account?revoked=1#shares").into_response())
}

/// `GET /s/{token}`: the shared dashboard.
pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    forwarded: Forwarded,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let share = live_share(&state, &token).await?;
    let range = RangeParam::from_query(query.as_deref())?;
    state.store.count_share_view(share.id).await?;
    let base = format!("/s/{token}");
    let panels = share.panels();
    let scope = visitor_scope(&base, &panels);
    let owner = state
        .store
        .user(share.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let panels = super::dashboard::panels(&state, &owner, scope, range.0, query.as_deref()).await;
    let years = match share.years() {
        Some(shared) => Some(super::share_year::years_with_plays(&state, &share, &shared).await?),
        None => None,
    };
    let year_base = format!("{base}/year");
    let year = years.as_deref().map(|years| (year_base.as_str(), years));
    let main = views::share::dashboard(scope, share.shown_name.as_deref(), range.0, year, panels);
    let title = views::share::heading(share.shown_name.as_deref());
    // A link posted in a chat shows the latest shared year's card, when there is one.
    let origin = super::origin(&state, &headers, forwarded);
    let og = views::OpenGraph {
        title: title.clone(),
        description: "Listening statistics shared from Euterpe".to_owned(),
        url: format!("{origin}{base}"),
        image: years
            .as_ref()
            .and_then(|years| years.last())
            .map(|latest| format!("{origin}{year_base}/{latest}/card.png")),
    };
    let chrome = Chrome {
        og: Some(&og),
        ..visitor_chrome(&state, &share)
    };
    let page = views::layout::page(&title, chrome, main);
    Ok(with_robots(page.into_response(), &share))
}

/// `GET /s/{token}/{panel}`: one shared panel, as an htmx fragment or a full page.
pub async fn panel(
    State(state): State<AppState>,
    headers: HeaderMap,
    forwarded: Forwarded,
    Path((token, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    mode: RenderMode,
) -> Result<Response, AppError> {
    let share = live_share(&state, &token).await?;
    let panels = share.panels();
    let panel = Panel::from_name(&name)
        .filter(|panel| panels.contains(panel))
        .ok_or(AppError::NotFound)?;
    let range = RangeParam::from_query(query.as_deref())?;
    let owner = state
        .store
        .user(share.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let base = format!("/s/{token}");
    let scope = visitor_scope(&base, &panels);
    let body = super::panels::body(
        &state,
        &owner,
        scope,
        panel,
        range.or(panel.default_range()),
    )
    .await;
    let heading = views::share::heading(share.shown_name.as_deref());
    let og = views::OpenGraph {
        title: format!("{}: {heading}", panel.title()),
        description: "Listening statistics shared from Euterpe".to_owned(),
        url: format!(
            "{}{base}/{}",
            super::origin(&state, &headers, forwarded),
            panel.name()
        ),
        image: None,
    };
    let chrome = Chrome {
        og: Some(&og),
        ..visitor_chrome(&state, &share)
    };
    let response = super::panels::respond(&state, scope, mode, panel, range.0, body, |main| {
        views::layout::page(panel.title(), chrome, main)
    });
    Ok(with_robots(response, &share))
}

/// The live share a token opens, or the one 404 every failure gets.
pub(super) async fn live_share(state: &AppState, token: &str) -> Result<Share, AppError> {
    // A token of the wrong shape can't be one of ours; don't spend a query on it.
    if token.len() > 128 {
        return Err(AppError::NotFound);
    }
    state
        .store
        .live_share(&sha256_hex(token.as_bytes()), state.clock.unix())
        .await?
        .ok_or(AppError::NotFound)
}

fn visitor_scope<'a>(base: &'a str, panels: &'a [Panel]) -> Scope<'a> {
    Scope {
        base,
        viewer: Viewer::Visitor,
        panels,
    }
}

pub(super) fn visitor_chrome<'a>(state: &AppState, share: &Share) -> Chrome<'a> {
    Chrome {
        noindex: !share.indexable,
        ..Chrome::anonymous(state.demo.is_some())
    }
}

/// Search engines are asked to stay away unless the owner allowed indexing.
pub(super) fn with_robots(mut response: Response, share: &Share) -> Response {
    if !share.indexable {
        response.headers_mut().insert(
            "x-robots-tag",
            HeaderValue::from_static("noindex, nofollow"),
        );
    }
    response
}

/// The share form as sent: `panels` repeats, one per ticked box (`serde_html_form` reads
/// repeated keys into a list, which serde's plain form decoding can't).
#[derive(Default, Deserialize)]
#[serde(default)]
struct ShareForm {
    csrf: String,
    panels: Vec<String>,
    /// The years in review to share when `year` is ticked: `2024, 2025`, or empty for all.
    years: String,
    shown_name: String,
    expires_in_days: String,
    /// A ticked checkbox sends `on`; an unticked one sends nothing.
    indexable: Option<String>,
}

impl ShareForm {
    fn parse(body: &[u8]) -> Result<Self, AppError> {
        serde_html_form::from_bytes(body).map_err(|_| {
            AppError::bad_form("The share form arrived garbled; please send it again.")
        })
    }

    fn indexable(&self) -> bool {
        self.indexable
            .as_deref()
            .is_some_and(|value| !value.is_empty())
    }

    fn validate(self, now: i64) -> Result<NewShare, AppError> {
        let mut panels = Vec::new();
        let mut years = None;
        for name in &self.panels {
            if name == "year" {
                years = Some(shared_years(&self.years)?);
                continue;
            }
            let panel = Panel::from_name(name).ok_or_else(|| {
                AppError::bad_form(format!("“{name}” is not one of Euterpe's panels."))
            })?;
            if !panels.contains(&panel) {
                panels.push(panel);
            }
        }
        if panels.is_empty() && years.is_none() {
            return Err(AppError::bad_form(
                "Choose at least one panel, or the year in review, to share.",
            ));
        }
        let shown_name = self.shown_name.trim();
        if shown_name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::bad_form(format!(
                "The name to show can have at most {MAX_NAME_CHARS} characters."
            )));
        }
        let expires_at = match self.expires_in_days.trim() {
            "" => None,
            days => match days.parse::<i64>() {
                Ok(days) if (1..=MAX_EXPIRY_DAYS).contains(&days) => Some(now + days * 86_400),
                _ => {
                    return Err(AppError::bad_form(format!(
                        "“Expires after” must be a whole number of days from 1 to \
                         {MAX_EXPIRY_DAYS}, or empty for a link without expiry."
                    )));
                }
            },
        };
        Ok(NewShare {
            panels,
            years,
            shown_name: (!shown_name.is_empty()).then(|| shown_name.to_owned()),
            indexable: self.indexable(),
            expires_at,
        })
    }
}

/// The years the share form lists (`2024, 2025`; empty: every year).
fn shared_years(text: &str) -> Result<SharedYears, AppError> {
    let mut years = Vec::new();
    for part in text.split([',', ' ']).filter(|part| !part.is_empty()) {
        match part.parse::<i64>() {
            Ok(year) if part.len() == 4 && (1970..=9999).contains(&year) => years.push(year),
            _ => {
                return Err(AppError::bad_form(format!(
                    "“{part}” is not a year: list years like 2024, 2025, or leave the box empty \
                     to share every year."
                )));
            }
        }
    }
    years.sort_unstable();
    years.dedup();
    Ok(if years.is_empty() {
        SharedYears::All
    } else {
        SharedYears::Only(years)
    })
}

/// Forgets a link just shown (the account page shows it once).
pub async fn take_new_link(session: &AppSession) -> Result<Option<String>, AppError> {
    session.take_flash(NEW_LINK_FLASH).await
}

/// The owner's stored share links as the account page lists them, at `now`.
pub(super) fn links_of(shares: Vec<Share>, now: i64) -> Vec<views::share::ShareLink> {
    shares
        .into_iter()
        .map(|share| views::share::ShareLink {
            id: share.id,
            panels: share.panels(),
            years: share.years(),
            live: share.is_live(now),
            revoked: share.revoked_at.is_some(),
            shown_name: share.shown_name,
            created_at: share.created_at,
            expires_at: share.expires_at,
            views: share.views,
        })
        .collect()
}
