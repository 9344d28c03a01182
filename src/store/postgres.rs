//! What only Postgres does: row locks held across a Spotify call, and `COPY` for bulk loads.

use crate::domain::UserId;
use sqlx::{PgPool, Postgres, Transaction};

use super::Result;
use super::plays::NewPlay;
use super::tokens::{LockGuard, StoredTokens, TokenLock, select_tokens_sql};

/// Opens a transaction holding `FOR UPDATE` on the user's token row.
pub(super) async fn lock_tokens(pool: &PgPool, user: UserId) -> Result<TokenLock> {
    let mut tx = pool.begin().await?;
    let current = sqlx::query_as::<_, StoredTokens>(&select_tokens_sql(true))
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(TokenLock {
        current,
        guard: LockGuard::Postgres(tx),
    })
}

/// Appends plays with `COPY … FROM STDIN` (text format): the fastest way in, for plays known to
/// be new (a conflict would fail the transaction). Returns how many were stored.
pub(super) async fn copy_plays(
    tx: &mut Transaction<'static, Postgres>,
    user: UserId,
    source: i64,
    plays: &[&NewPlay],
) -> Result<u64> {
    use std::fmt::Write;
    let user = user.to_string();
    let mut data = String::with_capacity(plays.len() * 80);
    for play in plays {
        data.push_str(&user);
        data.push('\t');
        escape_copy_text(&mut data, &play.track_key);
        let _ = writeln!(data, "\t{}\t{}\t{source}", play.played_at, play.ms_played);
    }
    let mut copy = tx
        .copy_in_raw("COPY plays (user_id, track_key, played_at, ms_played, source) FROM STDIN")
        .await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await
}

/// Appends `text` as a column of `COPY`'s text format: backslash, tab, newline and carriage
/// return are escaped.
fn escape_copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_its_separators() {
        let mut out = String::new();
        escape_copy_text(&mut out, "~A\\B\tC\nD\rE\u{1f}F");
        assert_eq!(out, "~A\\\\B\\tC\\nD\\rE\u{1f}F");
    }
}
