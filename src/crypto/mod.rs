//! Encryption of Spotify tokens at rest, and small secret-handling helpers.
//!
//! A token is stored as `key id (4 bytes) ‖ nonce (12 bytes) ‖ AES-256-GCM ciphertext`. The key id
//! lets several keys coexist during a rotation; the associated data binds a ciphertext to its
//! user and column, so a ciphertext copied into another row or column fails to decrypt.
//!
//! How configured text becomes keys is in [`derive`]; what counts as too weak, in [`strength`].

use crate::domain::UserId;
use std::fmt;
use std::path::Path;

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::domain::ConfigError;

pub mod derive;
pub mod strength;

const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 12;

/// A string that must never be printed: `Debug` and `Display` show a redaction.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Random bytes from the operating system, URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// A fresh token-encryption key, as `euterpe gen-key` prints it (base64 of 32 bytes).
pub fn generate_key() -> String {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    STANDARD.encode(key)
}

/// Which column a ciphertext belongs to (part of the associated data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    AccessToken,
    RefreshToken,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
        }
    }
}

/// Decryption failed: wrong key, wrong row or column, or a damaged value. Says nothing more, on
/// purpose.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the token was encrypted with a key this server does not have (key id {0})")]
    UnknownKey(String),
    #[error("the stored token could not be decrypted")]
    Corrupt,
}

struct KeyEntry {
    id: [u8; KEY_ID_LEN],
    cipher: Aes256Gcm,
}

/// The token-encryption keys, newest first. The newest encrypts; any of them decrypts.
pub struct KeyRing {
    keys: Vec<KeyEntry>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("key_ids", &self.key_ids())
            .finish()
    }
}

impl Clone for KeyRing {
    fn clone(&self) -> Self {
        Self {
            keys: self
                .keys
                .iter()
                .map(|entry| KeyEntry {
                    id: entry.id,
                    cipher: entry.cipher.clone(),
                })
                .collect(),
        }
    }
}

impl KeyRing {
    /// Builds a ring from raw 32-byte keys, newest first.
    pub fn from_keys(keys: &[[u8; 32]]) -> Self {
        Self {
            keys: keys
                .iter()
                .map(|key| KeyEntry {
                    id: key_id(key),
                    cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
                })
                .collect(),
        }
    }

    /// Parses one key, or several separated by commas (newest first): base64 of 32 bytes, or
    /// strong passphrases to derive keys from (see [`derive`]). A passphrase also brings its
    /// legacy key, for decryption only. `name` is the variable the value came from, for the
    /// error message, which never repeats the value.
    pub fn parse_list(value: &str, name: &str) -> Result<Self, ConfigError> {
        Ok(Self::from_keys(&derive::parse_list(value, name)?))
    }

    /// Reads the key kept in `path`, or generates one there (readable only by its owner).
    /// Returns the ring and whether the key was just created.
    pub fn load_or_create_file(path: &Path) -> Result<(Self, bool), ConfigError> {
        let fail = |what: &str, err: std::io::Error| {
            ConfigError(format!(
                "cannot {what} the token key file {}: {err} (or set TOKEN_ENCRYPTION_KEY)",
                path.display()
            ))
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Ok((Self::parse_list(text.trim(), "the key file")?, false)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|err| fail("create the folder of", err))?;
                }
                let key = generate_key();
                write_private_file(path, &key).map_err(|err| fail("write", err))?;
                Ok((Self::parse_list(&key, "the key file")?, true))
            }
            Err(err) => Err(fail("read", err)),
        }
    }

    /// Hex ids of the keys, newest first (what the database's `key_id` column holds).
    pub fn key_ids(&self) -> Vec<String> {
        self.keys.iter().map(|entry| hex(&entry.id)).collect()
    }

    /// Hex id of the key new ciphertexts use.
    pub fn current_key_id(&self) -> String {
        hex(&self.keys[0].id)
    }

    /// Encrypts a token for one user's column with the newest key and a fresh random nonce.
    pub fn encrypt(&self, user: UserId, column: Column, plaintext: &Secret) -> Vec<u8> {
        let entry = &self.keys[0];
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = associated_data(user, column);
        let ciphertext = entry
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.expose().as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of a short token cannot fail");
        let mut out = Vec::with_capacity(KEY_ID_LEN + NONCE_LEN + ciphertext.len());
        out.extend_from_slice(&entry.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypts what [`KeyRing::encrypt`] produced for the same user and column.
    pub fn decrypt(
        &self,
        user: UserId,
        column: Column,
        stored: &[u8],
    ) -> Result<Secret, CryptoError> {
        if stored.len() < KEY_ID_LEN + NONCE_LEN + 16 {
            return Err(CryptoError::Corrupt);
        }
        let (id, rest) = stored.split_at(KEY_ID_LEN);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let entry = self
            .keys
            .iter()
            .find(|entry| entry.id == id)
            .ok_or_else(|| CryptoError::UnknownKey(hex(id)))?;
        let aad = associated_data(user, column);
        let plaintext = entry
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Corrupt)?;
        String::from_utf8(plaintext)
            .map(Secret::new)
            .map_err(|_| CryptoError::Corrupt)
    }

    /// Whether a stored value was encrypted with the newest key (rotation skips those).
    pub fn is_current(&self, stored: &[u8]) -> bool {
        stored.get(..KEY_ID_LEN) == Some(&self.keys[0].id[..])
    }
}

fn key_id(key: &[u8; 32]) -> [u8; KEY_ID_LEN] {
    let digest = Sha256::new()
        .chain_update(b"euterpe token key id\0")
        .chain_update(key)
        .finalize();
    let mut id = [0u8; KEY_ID_LEN];
    id.copy_from_slice(&digest[..KEY_ID_LEN]);
    id
}

fn associated_data(user: UserId, column: Column) -> Vec<u8> {
    format!("euterpe/v1/{user}/{}", column.name()).into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a value, hex-encoded (for storing lookups of secrets without the secrets).
pub fn sha256_hex(value: &[u8]) -> String {
    hex(&Sha256::digest(value))
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{contents}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(seed: u8) -> KeyRing {
        KeyRing::from_keys(&[[seed; 32]])
    }

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let keys = ring(1);
        let user = UserId::new();
        let token = Secret::new("BQD-access-token");
        let a = keys.encrypt(user, Column::AccessToken, &token);
        let b = keys.encrypt(user, Column::AccessToken, &token);
        assert_ne!(a, b, "a nonce is never reused");
        assert!(
            !a.windows(token.expose().len())
                .any(|w| w == token.expose().as_bytes())
        );
        assert_eq!(keys.decrypt(user, Column::AccessToken, &a).unwrap(), token);
    }

    #[test]
    fn another_user_or_column_cannot_decrypt() {
        let keys = ring(2);
        let (alice, bob) = (UserId::new(), UserId::new());
        let stored = keys.encrypt(alice, Column::RefreshToken, &Secret::new("r"));
        assert_eq!(
            keys.decrypt(bob, Column::RefreshToken, &stored),
            Err(CryptoError::Corrupt)
        );
        assert_eq!(
            keys.decrypt(alice, Column::AccessToken, &stored),
            Err(CryptoError::Corrupt)
        );
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable() {
        let old = ring(3);
        let user = UserId::new();
        let stored = old.encrypt(user, Column::AccessToken, &Secret::new("t"));
        let rotated = KeyRing::from_keys(&[[4; 32], [3; 32]]);
        assert!(!rotated.is_current(&stored));
        assert_eq!(
            rotated
                .decrypt(user, Column::AccessToken, &stored)
                .unwrap()
                .expose(),
            "t"
        );
        let unknown = ring(5);
        assert!(matches!(
            unknown.decrypt(user, Column::AccessToken, &stored),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn keys_parse_from_gen_key_output_only() {
        assert!(KeyRing::parse_list(&generate_key(), "K").is_ok());
        let two = format!("{},{}", generate_key(), generate_key());
        assert_eq!(KeyRing::parse_list(&two, "K").unwrap().key_ids().len(), 2);
        let err = KeyRing::parse_list("c2hvcnQ=", "K").unwrap_err();
        assert!(err.0.contains("32 bytes (it holds 5)"), "{err}");
        assert!(KeyRing::parse_list("not-a-key", "K").is_err());
    }

    #[test]
    fn a_generated_secret_derives_a_stable_key() {
        // What Heroku's "generator": "secret" makes: 64 hex characters.
        let secret = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4a6b8d0f2e4c6a8b0d";
        let a = KeyRing::parse_list(secret, "K").unwrap();
        let b = KeyRing::parse_list(secret, "K").unwrap();
        assert_eq!(a.key_ids(), b.key_ids());
        let user = UserId::new();
        let stored = a.encrypt(user, Column::AccessToken, &Secret::new("t"));
        assert_eq!(
            b.decrypt(user, Column::AccessToken, &stored)
                .unwrap()
                .expose(),
            "t"
        );
    }

    #[test]
    fn secrets_are_redacted_when_printed() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?} {secret}").contains("hunter2"));
    }
}
