//! From the text of `TOKEN_ENCRYPTION_KEY(S)` to 32-byte keys.
//!
//! An entry is either base64 of 32 bytes (what `euterpe gen-key` prints), used as it is, or a
//! passphrase — in practice a generated secret such as Heroku's 64 hex characters — from which
//! the key is derived with HKDF-SHA256 under a fixed, versioned salt. HKDF is fast on purpose:
//! it stretches nothing, so a passphrase must itself be as hard to guess as a key, and one that
//! is not is refused (see [`super::strength`]).
//!
//! Before HKDF, a passphrase of 40+ characters became one SHA-256 of a fixed prefix and the
//! text. Tokens encrypted that way must still decrypt after an upgrade, so a passphrase also
//! yields that legacy key, for decryption only: `euterpe rotate-keys` moves its tokens to the
//! HKDF key.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

use super::strength::{self, check_passphrase};
use crate::domain::ConfigError;

/// The HKDF salt: fixed (a deployment must derive the same key at every start) and versioned
/// (a future derivation gets a new salt, hence new key ids).
const HKDF_SALT: &[u8] = b"euterpe/token-encryption-key/hkdf-sha256/v2";
/// The HKDF info: what the output key is for.
const HKDF_INFO: &[u8] = b"aes-256-gcm token encryption";
/// The prefix of the legacy (v1) derivation.
const LEGACY_PREFIX: &[u8] = b"euterpe token key from secret v1\0";
/// The v1 derivation accepted passphrases of at least this many characters, so only those can
/// have encrypted anything.
const LEGACY_MIN_LEN: usize = 40;

/// The one-line hint every refusal ends with.
const HINT: &str = "run `euterpe gen-key` and use its output";

/// Parses a list of entries separated by commas, newest first, into keys, the one to encrypt
/// with first. `name` is where the text came from, for the error message.
///
/// Only the first entry must be strong: later ones merely decrypt tokens written before a
/// rotation, and must stay accepted until `euterpe rotate-keys` has moved those tokens.
pub fn parse_list(value: &str, name: &str) -> Result<Vec<[u8; 32]>, ConfigError> {
    let mut entries = Vec::new();
    for part in value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        if part.contains(char::is_whitespace) {
            // Keys separated by spaces or newlines were accepted before; a passphrase with
            // spaces never was, and is not now.
            let pieces: Vec<&str> = part.split_whitespace().collect();
            if !pieces.iter().all(|piece| decode_raw(piece).is_some()) {
                return Err(ConfigError(format!(
                    "{name} contains spaces, and a passphrase can't: use one unbroken string of \
                     random characters — {HINT}"
                )));
            }
            entries.extend(pieces);
        } else {
            entries.push(part);
        }
    }
    if entries.is_empty() {
        return Err(ConfigError(format!("{name} is empty: {HINT}")));
    }
    let mut keys = Vec::with_capacity(entries.len() + 1);
    for (index, entry) in entries.iter().enumerate() {
        keys.extend(parse_entry(entry, name, index == 0)?);
    }
    Ok(keys)
}

/// The keys one entry stands for, the encrypting one first. `encrypts`: the entry is the
/// newest, so it must be strong.
fn parse_entry(text: &str, name: &str, encrypts: bool) -> Result<Vec<[u8; 32]>, ConfigError> {
    let decoded = decode(text);
    if let Some(key) = decoded
        .as_ref()
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
    {
        if encrypts && !strength::raw_key_is_random(&key) {
            return Err(ConfigError(format!(
                "{name} is base64 of 32 bytes that are not random (too few different bytes): \
                 {HINT}"
            )));
        }
        return Ok(vec![key]);
    }
    if let Err(weakness) = check_passphrase(text)
        && encrypts
    {
        let what = match decoded {
            Ok(bytes) => format!("neither base64 of 32 bytes (it holds {}) nor", bytes.len()),
            Err(_) => "not base64 of 32 bytes, and not".to_owned(),
        };
        return Err(ConfigError(format!(
            "{name} is {what} a strong passphrase: {}; {HINT}",
            weakness.describe()
        )));
    }
    let mut keys = vec![hkdf_key(text)];
    if text.chars().count() >= LEGACY_MIN_LEN {
        keys.push(legacy_key(text));
    }
    Ok(keys)
}

/// The entry as a raw key, when it is base64 (standard or URL-safe) of exactly 32 bytes.
fn decode_raw(text: &str) -> Option<[u8; 32]> {
    <[u8; 32]>::try_from(decode(text).ok()?.as_slice()).ok()
}

/// Standard base64, or URL-safe base64 with or without padding.
fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
}

/// The key of a passphrase: HKDF-SHA256 with the fixed salt.
pub fn hkdf_key(passphrase: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(HKDF_SALT), passphrase.as_bytes())
        .expand(HKDF_INFO, &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    key
}

/// The key the v1 derivation made of a passphrase (decryption of older tokens only).
pub fn legacy_key(passphrase: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(LEGACY_PREFIX)
        .chain_update(passphrase.as_bytes())
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEROKU_SECRET: &str = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4a6b8d0f2e4c6a8b0d";

    #[test]
    fn a_passphrase_gives_the_hkdf_key_then_the_legacy_one() {
        let keys = parse_list(HEROKU_SECRET, "K").unwrap();
        assert_eq!(
            keys,
            vec![hkdf_key(HEROKU_SECRET), legacy_key(HEROKU_SECRET)]
        );
        assert_ne!(keys[0], keys[1]);
        // The salt is part of the derivation: plain HKDF without it gives another key.
        let mut unsalted = [0u8; 32];
        Hkdf::<Sha256>::new(None, HEROKU_SECRET.as_bytes())
            .expand(HKDF_INFO, &mut unsalted)
            .unwrap();
        assert_ne!(keys[0], unsalted);
    }

    #[test]
    fn a_weak_secret_is_refused_with_the_gen_key_hint() {
        for weak in [
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "short",
            "c2hvcnQ=",
        ] {
            let err = parse_list(weak, "TOKEN_ENCRYPTION_KEY").unwrap_err().0;
            assert!(err.starts_with("TOKEN_ENCRYPTION_KEY is "), "{err}");
            assert!(
                err.ends_with("run `euterpe gen-key` and use its output"),
                "{err}"
            );
            assert!(
                !err.contains(weak),
                "the secret stays out of the message: {err}"
            );
            assert!(!err.contains('\n'));
        }
        let zeros = STANDARD.encode([0u8; 32]);
        let err = parse_list(&zeros, "K").unwrap_err().0;
        assert!(err.contains("not random"), "{err}");
    }

    #[test]
    fn a_weak_old_key_behind_a_strong_one_still_decrypts() {
        let weak = "a".repeat(40);
        let new = crate::crypto::generate_key();
        let keys = parse_list(&format!("{new}, {weak}"), "K").unwrap();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[2], legacy_key(&weak));
    }

    #[test]
    fn spaces_get_a_message_about_spaces() {
        let err = parse_list("correct horse battery staple", "TOKEN_ENCRYPTION_KEY")
            .unwrap_err()
            .0;
        assert!(
            err.starts_with("TOKEN_ENCRYPTION_KEY contains spaces"),
            "{err}"
        );
        assert!(!err.contains("comma") && !err.contains("list"), "{err}");
        // Keys separated by whitespace, as older versions read them, still parse.
        let (a, b) = (crate::crypto::generate_key(), crate::crypto::generate_key());
        assert_eq!(parse_list(&format!("{a} {b}\n"), "K").unwrap().len(), 2);
    }
}
