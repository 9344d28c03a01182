//! Static assets compiled into the binary (the table is [`crate::views::assets`], where pages
//! name them), served under content-hashed URLs so that browsers may cache them for a year and
//! still never run a stale copy.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::views::assets::ASSETS;

/// `GET /assets/{hash}/{name}`. A current hash is cached for a year; a stale one (a page
/// rendered before a deploy) still gets the file, but uncached.
pub async fn serve(Path((hash, name)): Path<(String, String)>) -> Result<Response, AppError> {
    let asset = ASSETS
        .iter()
        .find(|asset| asset.name == name)
        .ok_or(AppError::NotFound)?;
    let cache = if hash == format!("{:016x}", asset.hash) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response())
}
