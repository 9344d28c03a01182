//! A tiny seeded pseudo-random generator (SplitMix64).
//!
//! The fake's catalogue, personas and history must be the same on every run and on every
//! machine, so tests can rely on them; a hand-written generator keeps that promise without a
//! `rand` dependency whose streams could change between versions. Nothing here is for secrets:
//! tokens and codes come from the OS generator (see `mod.rs`).

/// SplitMix64: small, fast and good enough to make varied-looking test data.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// FNV-1a, to turn a label into a seed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Rng {
    /// A generator for one purpose (`label`) and one item (`n`): independent streams, so adding
    /// data for one purpose never shifts the values drawn for another.
    pub(crate) fn seeded(label: &str, n: u64) -> Self {
        let mut rng = Rng(fnv1a(label.as_bytes()) ^ n.wrapping_mul(GOLDEN));
        rng.next_u64();
        rng
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the modulo bias is irrelevant for test data.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    /// A float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A word from a list of static strings.
    pub(crate) fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// Lower-case hexadecimal digits.
    pub(crate) fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16)]))
            .collect()
    }

    /// Base-62 digits, the alphabet of Spotify ids.
    pub(crate) fn base62(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(BASE62[self.below(62)]))
            .collect()
    }
}

/// A stable 22-character base-62 Spotify id for the `n`th object of a kind.
pub(crate) fn spotify_id(kind: &str, n: u64) -> String {
    Rng::seeded(kind, n).base62(22)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::seeded("x", 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::seeded("x", 1).next_u64(),
            Rng::seeded("x", 2).next_u64()
        );
        assert_ne!(
            Rng::seeded("x", 1).next_u64(),
            Rng::seeded("y", 1).next_u64()
        );
        let id = spotify_id("track", 7);
        assert_eq!(id.len(), 22);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(id, spotify_id("track", 7));
    }

    #[test]
    fn ranges_hold() {
        let mut rng = Rng::seeded("ranges", 0);
        for _ in 0..1000 {
            assert!(rng.below(7) < 7);
            let v = rng.between(-3, 3);
            assert!((-3..=3).contains(&v));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
