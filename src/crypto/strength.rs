//! How much guessing a secret would take, estimated conservatively, so that a weak
//! `TOKEN_ENCRYPTION_KEY` is refused at start rather than protecting the tokens in name only.
//!
//! The estimate is a heuristic, not a proof: it is meant to reject what people type (`aaaa…`,
//! `password1password2…`, `abcdef…`) and to accept what generators print (`euterpe gen-key`,
//! `openssl rand -hex 32`, Heroku's `"generator": "secret"`, a password manager's 40 random
//! characters). It takes the smaller of two estimates, each an upper bound of a different naive
//! attacker's work: one from the kinds of characters used, one from how evenly they are used.

use std::collections::HashMap;

/// Bits of estimated entropy a passphrase must have: as many as an AES-128 key, so that
/// guessing the passphrase is never easier than breaking the cipher.
pub const MIN_BITS: f64 = 128.0;

/// Different characters a passphrase must use. Not 16: Heroku's generated secret is 64 hex
/// characters, and about a quarter of those happen to miss one of the 16 hex digits. Ten
/// distinct characters out of 64 random hex ones fail practically never.
pub const MIN_DISTINCT: usize = 10;

/// Different byte values a raw 32-byte key must have. 32 random bytes have about 30; a key of
/// zeros or a short repeated pattern has few.
pub const MIN_DISTINCT_KEY_BYTES: usize = 16;

/// Why a secret is too weak, in words for the one-line error.
#[derive(Debug, Clone, PartialEq)]
pub enum Weakness {
    /// Fewer than [`MIN_DISTINCT`] different characters.
    FewCharacters(usize),
    /// An estimated entropy under [`MIN_BITS`].
    LowEntropy(f64),
}

impl Weakness {
    /// The reason, e.g. "it uses only 3 different characters".
    pub fn describe(&self) -> String {
        match self {
            Self::FewCharacters(n) => format!(
                "it uses only {n} different character{} (at least {MIN_DISTINCT} are needed)",
                if *n == 1 { "" } else { "s" }
            ),
            Self::LowEntropy(bits) => format!(
                "its estimated strength is {bits:.0} bits (at least {MIN_BITS:.0} are needed)"
            ),
        }
    }
}

/// Checks a passphrase; `Ok` when it looks random enough to derive a key from.
pub fn check_passphrase(text: &str) -> Result<(), Weakness> {
    let chars: Vec<char> = text.chars().collect();
    let distinct = {
        let mut seen = chars.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    if distinct < MIN_DISTINCT {
        return Err(Weakness::FewCharacters(distinct));
    }
    let bits = estimate_bits(&chars);
    if bits < MIN_BITS {
        return Err(Weakness::LowEntropy(bits));
    }
    Ok(())
}

/// Whether a raw key (decoded base64) has enough different bytes to be a random one.
pub fn raw_key_is_random(key: &[u8; 32]) -> bool {
    let mut seen = [false; 256];
    for byte in key {
        seen[usize::from(*byte)] = true;
    }
    seen.iter().filter(|seen| **seen).count() >= MIN_DISTINCT_KEY_BYTES
}

/// The smaller of the two estimates (see the module's documentation), in bits.
pub fn estimate_bits(chars: &[char]) -> f64 {
    by_alphabet(chars).min(by_frequency(chars))
}

/// An attacker who knows which kinds of characters are used (digits, hex, lower, upper,
/// symbols) and skips the characters that merely continue a run (`aaa`, `abc`, `123`) and
/// whole repetitions of a shorter pattern.
fn by_alphabet(chars: &[char]) -> f64 {
    let surprising = (0..period(chars))
        .filter(|&i| !predictable(chars, i))
        .count();
    surprising as f64 * alphabet_size(chars).log2()
}

/// An attacker who knows how often each character occurs: the string's length times the
/// Shannon entropy of its character frequencies.
fn by_frequency(chars: &[char]) -> f64 {
    let mut counts: HashMap<char, usize> = HashMap::new();
    for c in chars {
        *counts.entry(*c).or_default() += 1;
    }
    let n = chars.len() as f64;
    let per_char: f64 = counts
        .values()
        .map(|&count| {
            let p = count as f64 / n;
            -p * p.log2()
        })
        .sum();
    n * per_char
}

/// The length of the shortest prefix the string is a repetition of (the whole length if none).
fn period(chars: &[char]) -> usize {
    (1..chars.len())
        .find(|&p| (p..chars.len()).all(|i| chars[i] == chars[i - p]))
        .unwrap_or(chars.len())
}

/// Whether character `i` continues a run of the two before it: the same step between code
/// points, as in `aaa`, `abc`, `135` or `zyx`. (A single repeat, `aa`, is not discounted: random
/// hex has one every 16 characters.)
fn predictable(chars: &[char], i: usize) -> bool {
    let code = |j: usize| i64::from(u32::from(chars[j]));
    i >= 2 && code(i) - code(i - 1) == code(i - 1) - code(i - 2)
}

/// How many characters each position could have been, judging by the classes present.
fn alphabet_size(chars: &[char]) -> f64 {
    let has = |test: fn(&char) -> bool| chars.iter().any(test);
    let digits = has(char::is_ascii_digit);
    let lower = has(char::is_ascii_lowercase);
    let upper = has(char::is_ascii_uppercase);
    let other = has(|c| !c.is_ascii_alphanumeric());
    let hex_only = chars.iter().all(char::is_ascii_hexdigit) && !(lower && upper);
    if hex_only && (lower || upper) {
        return 16.0;
    }
    let mut size = 0.0;
    if digits {
        size += 10.0;
    }
    if lower {
        size += 26.0;
    }
    if upper {
        size += 26.0;
    }
    if other {
        // The printable ASCII symbols; characters beyond ASCII count as no more than those.
        size += 33.0;
    }
    f64::max(size, 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(text: &str) -> f64 {
        estimate_bits(&text.chars().collect::<Vec<_>>())
    }

    #[test]
    fn what_generators_print_passes() {
        use aes_gcm::aead::OsRng;
        use aes_gcm::aead::rand_core::RngCore;
        for _ in 0..200 {
            // `openssl rand -hex 32`, Heroku's generated secret.
            let mut bytes = [0u8; 32];
            OsRng.fill_bytes(&mut bytes);
            let hex = super::super::hex(&bytes);
            assert_eq!(check_passphrase(&hex), Ok(()), "{hex}");
            let token = crate::crypto::random_token(30); // 40 URL-safe characters
            assert_eq!(check_passphrase(&token), Ok(()), "{token}");
        }
        let heroku = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4a6b8d0f2e4c6a8b0d";
        assert_eq!(check_passphrase(heroku), Ok(()));
    }

    #[test]
    fn what_people_type_is_refused() {
        assert_eq!(
            check_passphrase(&"a".repeat(40)),
            Err(Weakness::FewCharacters(1))
        );
        for weak in [
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
            "password1password2password3password4",
            "correcthorsebatterystaple!",
            "0123456789012345678901234567890123456789012345678901234567890123",
            "Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3",
        ] {
            assert!(
                matches!(
                    check_passphrase(weak),
                    Err(Weakness::LowEntropy(_) | Weakness::FewCharacters(_))
                ),
                "{weak}: {} bits",
                bits(weak)
            );
        }
    }

    #[test]
    fn raw_keys_of_a_pattern_are_not_random() {
        assert!(!raw_key_is_random(&[0; 32]));
        let mut pattern = [0u8; 32];
        for (i, byte) in pattern.iter_mut().enumerate() {
            *byte = (i % 4) as u8;
        }
        assert!(!raw_key_is_random(&pattern));
        let mut counting = [0u8; 32];
        for (i, byte) in counting.iter_mut().enumerate() {
            *byte = i as u8;
        }
        assert!(raw_key_is_random(&counting));
    }

    #[test]
    fn the_reason_names_the_rule() {
        assert!(
            Weakness::FewCharacters(3)
                .describe()
                .contains("only 3 different characters")
        );
        assert!(Weakness::LowEntropy(57.4).describe().contains("57 bits"));
    }
}
