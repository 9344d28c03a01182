//! `euterpe rotate-keys`: re-encrypts every stored Spotify token with the newest key of
//! `TOKEN_ENCRYPTION_KEYS`, so that the older keys can then be removed.
//!
//! It works in batches, each committed on its own, and only touches rows whose key is not the
//! newest: stopped half-way, it is simply run again. A row refreshed by a running Euterpe while
//! the rotation reads it is left as the refresh wrote it.

use std::fmt;

use crate::crypto::{Column, KeyRing};
use crate::domain::UserId;
use crate::store::{Rekeyed, Store, StoreError};

/// Rows read and rewritten per batch.
pub const BATCH_SIZE: i64 = 100;

/// What a rotation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Rows re-encrypted with the newest key by this run.
    pub rotated: u64,
    /// Rows that already used the newest key when the run started.
    pub already_current: u64,
    /// Rows changed by a running Euterpe between read and rewrite (left as they were written).
    pub changed_meanwhile: u64,
    /// Rows no key of the ring decrypts: their key was removed too early.
    pub unreadable: u64,
}

impl fmt::Display for RotationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} re-encrypted, {} already used the newest key, {} changed meanwhile, {} unreadable",
            self.rotated, self.already_current, self.changed_meanwhile, self.unreadable
        )
    }
}

/// Re-encrypts every token row not under `keys`' newest key, `batch_size` rows at a time;
/// `progress` hears after each batch.
pub async fn rotate(
    store: &Store,
    keys: &KeyRing,
    batch_size: i64,
    mut progress: impl FnMut(&RotationReport),
) -> Result<RotationReport, StoreError> {
    let newest = keys.current_key_id();
    let mut report = RotationReport {
        already_current: store.count_tokens_under_key(&newest).await?.max(0) as u64,
        ..RotationReport::default()
    };
    let mut after: Option<UserId> = None;
    loop {
        let batch = store
            .tokens_not_under_key(&newest, after, batch_size)
            .await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = Some(last.user_id);
        let mut rekeyed = Vec::with_capacity(batch.len());
        for row in &batch {
            let access = keys.decrypt(row.user_id, Column::AccessToken, &row.access_token);
            let refresh = keys.decrypt(row.user_id, Column::RefreshToken, &row.refresh_token);
            let (Ok(access), Ok(refresh)) = (access, refresh) else {
                report.unreadable += 1;
                continue;
            };
            rekeyed.push(Rekeyed {
                user_id: row.user_id,
                old_access_token: row.access_token.clone(),
                key_id: newest.clone(),
                access_token: keys.encrypt(row.user_id, Column::AccessToken, &access),
                refresh_token: keys.encrypt(row.user_id, Column::RefreshToken, &refresh),
            });
        }
        let rewritten = store.save_rekeyed(&rekeyed).await?;
        report.rotated += rewritten;
        report.changed_meanwhile += rekeyed.len() as u64 - rewritten;
        progress(&report);
    }
    Ok(report)
}
