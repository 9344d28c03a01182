//! Share links: read-only public views of a user's chosen panels.

use crate::domain::{SharedYears, UserId};
use uuid::Uuid;

use super::{Result, Store, with_pool};
use crate::panel::Panel;

/// A share link as stored (without its token, which only its owner ever saw).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Share {
    pub id: Uuid,
    pub user_id: UserId,
    pub token_hash: String,
    pub panels: String,
    pub shown_name: Option<String>,
    pub indexable: bool,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub views: i64,
}

impl Share {
    /// The shared panels, in dashboard order.
    pub fn panels(&self) -> Vec<Panel> {
        let names: Vec<&str> = self.panels.split(',').collect();
        Panel::ALL
            .into_iter()
            .filter(|panel| names.contains(&panel.name()))
            .collect()
    }

    /// The years in review the share shows, if any.
    pub fn years(&self) -> Option<SharedYears> {
        self.panels.split(',').find_map(SharedYears::from_token)
    }

    /// Whether the link works at `now` (not revoked, not expired).
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expires| expires > now)
    }
}

/// What the owner chose for a new share.
#[derive(Clone, Debug)]
pub struct NewShare {
    pub panels: Vec<Panel>,
    /// The years in review it shows, if any.
    pub years: Option<SharedYears>,
    pub shown_name: Option<String>,
    pub indexable: bool,
    pub expires_at: Option<i64>,
}

const SHARE_COLUMNS: &str = "id, user_id, token_hash, panels, shown_name, indexable, created_at, \
                             expires_at, revoked_at, views";

impl Store {
    /// Stores a new share under the fingerprint of its token.
    pub async fn create_share(
        &self,
        user: UserId,
        token_hash: &str,
        new: &NewShare,
        now: i64,
    ) -> Result<Share> {
        let panels = new
            .panels
            .iter()
            .map(|panel| panel.name().to_owned())
            .chain(new.years.as_ref().map(SharedYears::token))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "INSERT INTO shares (id, user_id, token_hash, panels, shown_name, indexable, \
                                 created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {SHARE_COLUMNS}"
        );
        with_pool!(self, pool => {
            sqlx::query_as::<_, Share>(&sql)
                .bind(Uuid::new_v4())
                .bind(user)
                .bind(token_hash)
                .bind(&panels)
                .bind(&new.shown_name)
                .bind(new.indexable)
                .bind(now)
                .bind(new.expires_at)
                .fetch_one(pool)
                .await
        })
    }

    /// A user's shares, newest first.
    pub async fn shares_of(&self, user: UserId) -> Result<Vec<Share>> {
        let sql = format!(
            "SELECT {SHARE_COLUMNS} FROM shares WHERE user_id = $1 ORDER BY created_at DESC, id"
        );
        with_pool!(self, pool => {
            sqlx::query_as::<_, Share>(&sql).bind(user).fetch_all(pool).await
        })
    }

    /// The live share whose token has this fingerprint.
    pub async fn live_share(&self, token_hash: &str, now: i64) -> Result<Option<Share>> {
        let sql = format!(
            "SELECT {SHARE_COLUMNS} FROM shares WHERE token_hash = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)"
        );
        with_pool!(self, pool => {
            sqlx::query_as::<_, Share>(&sql)
                .bind(token_hash)
                .bind(now)
                .fetch_optional(pool)
                .await
        })
    }

    /// Revokes one of the user's shares; false when the user has no such share.
    pub async fn revoke_share(&self, user: UserId, share: Uuid, now: i64) -> Result<bool> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE shares SET revoked_at = COALESCE(revoked_at, $3) \
                 WHERE id = $1 AND user_id = $2",
            )
            .bind(share)
            .bind(user)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1)
        })
    }

    /// Counts one visit of a share's dashboard.
    pub async fn count_share_view(&self, share: Uuid) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE shares SET views = views + 1 WHERE id = $1")
                .bind(share)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
