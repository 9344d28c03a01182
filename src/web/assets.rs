//! Static assets compiled into the binary, served under content-hashed URLs so that browsers
//! may cache them for a year and still never run a stale copy.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// One embedded file.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    /// FNV-1a of the bytes, computed by the compiler.
    pub hash: u64,
}

/// 64-bit FNV-1a: not cryptographic, only a change detector for cache busting.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {{
        const BYTES: &[u8] = include_bytes!(concat!("../../assets/", $name));
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: BYTES,
            hash: fnv1a(BYTES),
        }
    }};
}

/// Every asset Euterpe serves.
pub static ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
];

/// The URL of an asset, with its content hash.
pub fn url(name: &str) -> String {
    let asset = ASSETS
        .iter()
        .find(|asset| asset.name == name)
        .unwrap_or_else(|| panic!("unknown asset {name}"));
    format!("/assets/{:016x}/{}", asset.hash, asset.name)
}

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
