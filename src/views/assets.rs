//! The static assets compiled into the binary and their content-hashed URLs, which the pages
//! link to; `web::assets` serves them.

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
    asset!("app.js", "text/javascript; charset=utf-8"),
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
