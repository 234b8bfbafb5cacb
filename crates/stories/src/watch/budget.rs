//! Vendor budgets shared by every worker of one archive, kept in its database: a request rate
//! (requests per second) and a daily credit budget per vendor. Each request first takes a slot
//! of the current second and reserves its documented cost for the day, each in one atomic
//! upsert that succeeds only under the limit, so any number of workers together stay within
//! it; the reservation is corrected to the credits the vendor reports afterwards. A vendor
//! whose day's budget is spent is skipped, and the unified client moves on to the next.

use std::time::Duration;

use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::Row;

use super::WatchError;
use super::db::{Database, now};
use crate::client::Gate;

/// One vendor's limits; `None` is no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub vendor: String,
    pub requests_per_sec: Option<i64>,
    pub credits_per_day: Option<i64>,
}

impl Database {
    /// Sets `vendor`'s limits (every worker reads them at each request).
    pub async fn set_budget(&self, budget: &Budget) -> Result<(), WatchError> {
        sqlx::query(
            "INSERT INTO budgets (vendor, requests_per_sec, credits_per_day) VALUES ($1, $2, $3) ON CONFLICT (vendor) DO UPDATE SET requests_per_sec = $2, credits_per_day = $3",
        )
        .bind(&budget.vendor)
        .bind(budget.requests_per_sec)
        .bind(budget.credits_per_day)
        .execute(self.pool())
        .await
        .map_err(|e| self.error(&e))?;
        Ok(())
    }

    /// Every vendor's limits.
    pub async fn budgets(&self) -> Result<Vec<Budget>, WatchError> {
        let rows = sqlx::query(
            "SELECT vendor, requests_per_sec, credits_per_day FROM budgets ORDER BY vendor",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(&e))?;
        rows.iter()
            .map(|row| {
                Ok(Budget {
                    vendor: row.try_get("vendor")?,
                    requests_per_sec: row.try_get("requests_per_sec")?,
                    credits_per_day: row.try_get("credits_per_day")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(&e))
    }

    async fn budget(&self, vendor: &str) -> Result<Budget, WatchError> {
        let row =
            sqlx::query("SELECT requests_per_sec, credits_per_day FROM budgets WHERE vendor = $1")
                .bind(vendor)
                .fetch_optional(self.pool())
                .await
                .map_err(|e| self.error(&e))?;
        Ok(match row {
            Some(row) => Budget {
                vendor: vendor.to_owned(),
                requests_per_sec: row
                    .try_get("requests_per_sec")
                    .map_err(|e| self.error(&e))?,
                credits_per_day: row.try_get("credits_per_day").map_err(|e| self.error(&e))?,
            },
            None => Budget {
                vendor: vendor.to_owned(),
                ..Budget::default()
            },
        })
    }

    /// Takes one request slot of this second, if the rate allows.
    async fn take_slot(&self, vendor: &str, limit: i64, second: i64) -> Result<bool, WatchError> {
        Ok(sqlx::query(
            "INSERT INTO vendor_rate (vendor, second, requests) VALUES ($1, $2, 1) ON CONFLICT (vendor, second) DO UPDATE SET requests = vendor_rate.requests + 1 WHERE vendor_rate.requests < $3",
        )
        .bind(vendor)
        .bind(second)
        .bind(limit)
        .execute(self.pool())
        .await
        .map_err(|e| self.error(&e))?
        .rows_affected()
            == 1)
    }

    /// Reserves `cost` of today's credits, if the budget allows.
    async fn reserve(
        &self,
        vendor: &str,
        cost: i64,
        limit: i64,
        day: i64,
    ) -> Result<bool, WatchError> {
        if cost > limit {
            return Ok(false);
        }
        Ok(sqlx::query(
            "INSERT INTO vendor_credits (vendor, day, credits) VALUES ($1, $2, $3) ON CONFLICT (vendor, day) DO UPDATE SET credits = vendor_credits.credits + $3 WHERE vendor_credits.credits + $3 <= $4",
        )
        .bind(vendor)
        .bind(day)
        .bind(cost)
        .bind(limit)
        .execute(self.pool())
        .await
        .map_err(|e| self.error(&e))?
        .rows_affected()
            == 1)
    }

    /// Corrects today's reservation by `delta` credits.
    async fn adjust(&self, vendor: &str, delta: i64, day: i64) -> Result<(), WatchError> {
        sqlx::query(
            "INSERT INTO vendor_credits (vendor, day, credits) VALUES ($1, $2, $3) ON CONFLICT (vendor, day) DO UPDATE SET credits = vendor_credits.credits + $3",
        )
        .bind(vendor)
        .bind(day)
        .bind(delta)
        .execute(self.pool())
        .await
        .map_err(|e| self.error(&e))?;
        Ok(())
    }
}

fn today() -> i64 {
    now().div_euclid(86_400)
}

/// The archive's budgets as the unified client's gate.
#[derive(Debug, Clone)]
pub struct DbGate {
    db: Database,
}

impl DbGate {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    async fn admit_now(&self, vendor: &str, cost: u64) -> Result<(), String> {
        let budget = self.db.budget(vendor).await.map_err(|e| e.to_string())?;
        let cost = i64::try_from(cost).unwrap_or(i64::MAX);
        if let Some(limit) = budget.credits_per_day
            && !self
                .db
                .reserve(vendor, cost, limit, today())
                .await
                .map_err(|e| e.to_string())?
        {
            return Err(format!(
                "{vendor}'s daily budget of {limit} credits is spent"
            ));
        }
        if let Some(limit) = budget.requests_per_sec {
            loop {
                let second = now();
                if self
                    .db
                    .take_slot(vendor, limit, second)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    break;
                }
                // The next second, with a little jitter so waiting workers do not collide.
                let into = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_millis());
                let wait = 1000 - u64::from(into) + fastrand::u64(0..50);
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            // Seconds long past are of no use to anyone.
            let _ = sqlx::query("DELETE FROM vendor_rate WHERE vendor = $1 AND second < $2")
                .bind(vendor)
                .bind(now() - 60)
                .execute(self.db.pool())
                .await;
        }
        Ok(())
    }
}

impl Gate for DbGate {
    fn admit<'a>(&'a self, vendor: &'a str, cost: u64) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(self.admit_now(vendor, cost))
    }

    fn settle<'a>(&'a self, vendor: &'a str, cost: u64, used: u64) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let delta =
                i64::try_from(used).unwrap_or(i64::MAX) - i64::try_from(cost).unwrap_or(i64::MAX);
            if delta != 0
                && let Ok(b) = self.db.budget(vendor).await
                && b.credits_per_day.is_some()
                && let Err(e) = self.db.adjust(vendor, delta, today()).await
            {
                tracing::warn!(vendor, error = %e, "could not correct the credit reservation");
            }
        })
    }
}
