//! Generated cover art for the fake's images: a two-colour gradient and a record, derived from
//! the image's name, so the same name always draws the same picture.

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;

/// `GET /images/{name}.svg`.
pub(crate) async fn cover(Path(name): Path<String>) -> impl IntoResponse {
    let stem = name.strip_suffix(".svg").unwrap_or(&name);
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg(stem),
    )
}

fn svg(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let hue = hash % 360;
    let second = (hue + 40 + (hash >> 12) % 140) % 360;
    let angle = (hash >> 24) % 4;
    let (x2, y2) = [(1, 1), (1, 0), (0, 1), (1, 1)][angle as usize];
    let radius = 18 + (hash >> 32) % 14;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="300" height="300"><defs><linearGradient id="g" x1="0" y1="0" x2="{x2}" y2="{y2}"><stop offset="0" stop-color="hsl({hue},55%,52%)"/><stop offset="1" stop-color="hsl({second},60%,30%)"/></linearGradient></defs><rect width="100" height="100" fill="url(#g)"/><circle cx="50" cy="50" r="{radius}" fill="#111" fill-opacity="0.78"/><circle cx="50" cy="50" r="{inner}" fill="hsl({hue},70%,80%)"/><circle cx="50" cy="50" r="1.6" fill="#111"/></svg>"##,
        inner = radius / 3,
    )
}

#[cfg(test)]
mod tests {
    use super::svg;

    #[test]
    fn the_same_name_draws_the_same_cover_and_others_differ() {
        assert_eq!(svg("ab67616d0000b273abc"), svg("ab67616d0000b273abc"));
        assert_ne!(svg("ab67616d0000b273abc"), svg("ab67616d0000b273abd"));
        assert!(svg("x").starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }
}
