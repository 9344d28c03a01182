//! Who lets the other listeners compare their taste with theirs (`compare_optins`).

use super::{Result, Store, with_pool};
use crate::domain::{CompareOptIn, UserId};

type Row = (UserId, String, String, i64);

/// Every opt-in, in [`Row`]'s order; a query adds its condition and order.
const SELECT: &str = "SELECT user_id, public_id, shown_name, created_at FROM compare_optins";

fn opt_in((user, public_id, shown_name, since): Row) -> CompareOptIn {
    CompareOptIn {
        user,
        public_id,
        shown_name,
        since,
    }
}

impl Store {
    /// The user's opt-in, if the setting is on.
    pub async fn compare_opt_in(&self, user: UserId) -> Result<Option<CompareOptIn>> {
        let row: Option<Row> = with_pool!(self, pool => {
            sqlx::query_as(&format!("{SELECT} WHERE user_id = $1"))
            .bind(user)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(opt_in))
    }

    /// The opt-in behind a comparison page's id, if that listener still opts in.
    pub async fn compare_opt_in_by_id(&self, public_id: &str) -> Result<Option<CompareOptIn>> {
        let row: Option<Row> = with_pool!(self, pool => {
            sqlx::query_as(&format!("{SELECT} WHERE public_id = $1"))
            .bind(public_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(opt_in))
    }

    /// Every listener who opts in, by name.
    pub async fn compare_opt_ins(&self) -> Result<Vec<CompareOptIn>> {
        let rows: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as(&format!("{SELECT} ORDER BY shown_name, public_id"))
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(opt_in).collect())
    }

    /// Turns the setting on with `shown_name` (a new `public_id` when it was off), or renames.
    pub async fn opt_in_to_compare(
        &self,
        user: UserId,
        shown_name: &str,
        public_id: &str,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO compare_optins (user_id, public_id, shown_name, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
                 shown_name = excluded.shown_name",
            )
            .bind(user)
            .bind(public_id)
            .bind(shown_name)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Turns the setting off: from now on the user is in no list and their page is gone.
    pub async fn opt_out_of_compare(&self, user: UserId) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM compare_optins WHERE user_id = $1")
                .bind(user)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
