//! Cross-site request forgery protection for every state-changing request: the form must carry
//! this session's token (a hidden `csrf` field), and the browser must not mark the request as
//! coming from another site (`Sec-Fetch-Site: cross-site`).

use axum::http::HeaderMap;

use super::session::AppSession;
use crate::error::AppError;

/// The name of the hidden form field that carries the token.
pub const FIELD: &str = "csrf";

/// Refuses the request unless it is same-site and carries this session's form token.
pub async fn verify(
    headers: &HeaderMap,
    session: &AppSession,
    submitted: &str,
) -> Result<(), AppError> {
    if is_cross_site(headers) || !session.check_csrf(submitted).await? {
        return Err(AppError::CrossSite);
    }
    Ok(())
}

/// Whether the browser marks the request as coming from another site.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|site| site == "cross-site")
}
