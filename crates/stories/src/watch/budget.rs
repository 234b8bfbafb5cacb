//! Vendor budgets shared by every worker of one archive, kept in its database: a request rate
//! (requests per second) and a daily credit budget per vendor. Each request first takes a slot
//! of the current second and reserves its documented cost for the day, each in one atomic
//! upsert that succeeds only under the limit, so any number of workers together stay within
//! it; the reservation is corrected to the credits the vendor reports afterwards. A vendor
//! whose day's budget is spent is skipped, and the unified client moves on to the next. Every
//! worker admits its requests through [`DbGate`], which reads the limits at most once a second
//! and writes a request's slot and credits in one transaction on the job queue's connection.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::Row;

use super::WatchError;
use super::db::{Database, now};
use super::queue::Queue;
use super::store::{Batch, Tx, execute};
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
}

fn today() -> i64 {
    now().div_euclid(86_400)
}

/// How long a worker trusts the budgets it read: a `watch budget` change reaches running
/// workers within this. Reading them for every request cost a query per request.
const BUDGETS_FRESH: Duration = Duration::from_secs(1);

/// How often a worker deletes a vendor's rate counts of seconds long past (one row per
/// second a vendor was asked).
const RATE_TRIM_EVERY: Duration = Duration::from_secs(60);

/// The archive's budgets as the unified client's gate.
///
/// Its writes (a request's slot and credits) are one transaction on the job queue's
/// connections ([`Queue::batch`]): on SQLite that is the one connection all of a worker's
/// writes share, where a second connection would wait for the write lock in SQLite's busy
/// handler. A poll therefore asks its vendors with no batch of its own open (it would hold the
/// connection the gate needs).
#[derive(Debug)]
pub struct DbGate {
    db: Database,
    queue: Queue,
    /// Each vendor's budget and when it was read.
    read: Mutex<HashMap<String, (Instant, Budget)>>,
    /// When each vendor's past rate counts were last deleted.
    rate_trimmed: Mutex<HashMap<String, Instant>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl DbGate {
    pub fn new(db: Database, queue: Queue) -> Self {
        Self {
            db,
            queue,
            read: Mutex::default(),
            rate_trimmed: Mutex::default(),
        }
    }

    /// `vendor`'s budget, as read at most [`BUDGETS_FRESH`] ago.
    async fn budget(&self, vendor: &str) -> Result<Budget, String> {
        if let Some((at, budget)) = locked(&self.read).get(vendor)
            && at.elapsed() < BUDGETS_FRESH
        {
            return Ok(budget.clone());
        }
        let budget = self.db.budget(vendor).await.map_err(|e| e.to_string())?;
        locked(&self.read).insert(vendor.to_owned(), (Instant::now(), budget.clone()));
        Ok(budget)
    }

    /// Whether `vendor`'s past rate counts are due for deletion (and, if so, they are counted
    /// as deleted now).
    fn rate_trim_due(&self, vendor: &str) -> bool {
        let mut trimmed = locked(&self.rate_trimmed);
        match trimmed.get(vendor) {
            Some(at) if at.elapsed() < RATE_TRIM_EVERY => false,
            _ => {
                trimmed.insert(vendor.to_owned(), Instant::now());
                true
            }
        }
    }

    async fn admit_now(&self, vendor: &str, cost: u64) -> Result<(), String> {
        let budget = self.budget(vendor).await?;
        if budget.credits_per_day.is_none() && budget.requests_per_sec.is_none() {
            return Ok(());
        }
        let cost = i64::try_from(cost).unwrap_or(i64::MAX);
        let e = |e: WatchError| e.to_string();
        let mut batch = self.queue.batch(&self.db).await.map_err(e)?;
        if let Some(limit) = budget.credits_per_day
            && !batch
                .reserve(vendor, cost, limit, today())
                .await
                .map_err(e)?
        {
            // Nothing was written: the batch is rolled back as it is dropped.
            return Err(format!(
                "{vendor}'s daily budget of {limit} credits is spent"
            ));
        }
        let Some(limit) = budget.requests_per_sec else {
            return batch.commit().await.map_err(e);
        };
        let mut taken = batch.take_slot(vendor, limit, now()).await.map_err(e)?;
        if self.rate_trim_due(vendor) {
            // Seconds long past are of no use to anyone.
            batch.trim_rate(vendor, now() - 60).await.map_err(e)?;
        }
        // The credits stay reserved while the request waits for a slot.
        batch.commit().await.map_err(e)?;
        while !taken {
            // The next second, with a little jitter so waiting workers do not collide.
            let into = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_millis());
            let wait = 1000 - u64::from(into) + fastrand::u64(0..50);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            let mut batch = self.queue.batch(&self.db).await.map_err(e)?;
            taken = batch.take_slot(vendor, limit, now()).await.map_err(e)?;
            batch.commit().await.map_err(e)?;
        }
        Ok(())
    }

    async fn settle_now(&self, vendor: &str, cost: u64, used: u64) -> Result<(), String> {
        let delta =
            i64::try_from(used).unwrap_or(i64::MAX) - i64::try_from(cost).unwrap_or(i64::MAX);
        if delta == 0 || self.budget(vendor).await?.credits_per_day.is_none() {
            return Ok(());
        }
        let e = |e: WatchError| e.to_string();
        let mut batch = self.queue.batch(&self.db).await.map_err(e)?;
        batch.adjust(vendor, delta, today()).await.map_err(e)?;
        batch.commit().await.map_err(e)
    }
}

impl Gate for DbGate {
    fn admit<'a>(&'a self, vendor: &'a str, cost: u64) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(self.admit_now(vendor, cost))
    }

    fn settle<'a>(&'a self, vendor: &'a str, cost: u64, used: u64) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(e) = self.settle_now(vendor, cost, used).await {
                tracing::warn!(vendor, error = %e, "could not correct the credit reservation");
            }
        })
    }
}

/// The budgets' writes, each one atomic upsert that succeeds only under its limit.
impl Batch<'_> {
    /// Takes one of `vendor`'s `limit` requests of the second `second`; `false` when they are
    /// all taken.
    async fn take_slot(
        &mut self,
        vendor: &str,
        limit: i64,
        second: i64,
    ) -> Result<bool, WatchError> {
        Ok(execute!(
            self,
            "INSERT INTO vendor_rate (vendor, second, requests) VALUES ($1, $2, 1) ON CONFLICT (vendor, second) DO UPDATE SET requests = vendor_rate.requests + 1 WHERE vendor_rate.requests < $3",
            vendor,
            second,
            limit,
        )? == 1)
    }

    /// Deletes `vendor`'s rate counts of the seconds before `before`.
    async fn trim_rate(&mut self, vendor: &str, before: i64) -> Result<(), WatchError> {
        execute!(
            self,
            "DELETE FROM vendor_rate WHERE vendor = $1 AND second < $2",
            vendor,
            before,
        )?;
        Ok(())
    }

    /// Reserves `cost` of `vendor`'s `limit` credits of `day`; `false` when they would not fit.
    async fn reserve(
        &mut self,
        vendor: &str,
        cost: i64,
        limit: i64,
        day: i64,
    ) -> Result<bool, WatchError> {
        if cost > limit {
            return Ok(false);
        }
        Ok(execute!(
            self,
            "INSERT INTO vendor_credits (vendor, day, credits) VALUES ($1, $2, $3) ON CONFLICT (vendor, day) DO UPDATE SET credits = vendor_credits.credits + $3 WHERE vendor_credits.credits + $3 <= $4",
            vendor,
            day,
            cost,
            limit,
        )? == 1)
    }

    /// Corrects `vendor`'s credits of `day` by `delta`.
    async fn adjust(&mut self, vendor: &str, delta: i64, day: i64) -> Result<(), WatchError> {
        execute!(
            self,
            "INSERT INTO vendor_credits (vendor, day, credits) VALUES ($1, $2, $3) ON CONFLICT (vendor, day) DO UPDATE SET credits = vendor_credits.credits + $3",
            vendor,
            day,
            delta,
        )?;
        Ok(())
    }
}
