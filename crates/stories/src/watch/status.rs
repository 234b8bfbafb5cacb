//! `stories watch status`: the archive at a glance — accounts with their last and next poll,
//! stories archived and missed, credits by vendor, live workers.

use serde::Serialize;
use sqlx::Row;

use super::WatchError;
use super::db::{Database, now};
use super::store::Watched;
use super::worker::WORKER_TIMEOUT_SECS;

/// One account's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountStatus {
    #[serde(flatten)]
    pub watched: Watched,
    pub stories: i64,
    pub media: i64,
}

/// Credits and requests by vendor, over every attempt recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorUsage {
    pub vendor: String,
    pub requests: i64,
    pub credits_used: i64,
}

/// A worker seen lately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkerStatus {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub started_at: i64,
    pub last_seen: i64,
}

/// Everything `watch status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub database: String,
    pub accounts: Vec<AccountStatus>,
    pub stories: i64,
    pub highlights: i64,
    pub missed: i64,
    pub vendors: Vec<VendorUsage>,
    pub workers: Vec<WorkerStatus>,
}

impl Database {
    /// The archive's status now.
    pub async fn status(&self) -> Result<Status, WatchError> {
        let err = |e: sqlx::Error| self.error(&e);
        let mut counts = std::collections::BTreeMap::new();
        let rows = sqlx::query(
            "SELECT s.account, COUNT(*) AS stories, COUNT(m.story_id) AS media FROM stories s LEFT JOIN media m ON m.story_id = s.id AND m.path <> '' GROUP BY s.account",
        )
        .fetch_all(self.pool())
        .await
        .map_err(err)?;
        for row in rows {
            let account: String = row.try_get("account").map_err(err)?;
            counts.insert(
                account,
                (
                    row.try_get::<i64, _>("stories").map_err(err)?,
                    row.try_get::<i64, _>("media").map_err(err)?,
                ),
            );
        }
        let accounts: Vec<AccountStatus> = self
            .watched()
            .await?
            .into_iter()
            .map(|watched| {
                let (stories, media) = counts.get(&watched.account).copied().unwrap_or_default();
                AccountStatus {
                    watched,
                    stories,
                    media,
                }
            })
            .collect();
        let totals = sqlx::query("SELECT COUNT(*) AS n FROM stories")
            .fetch_one(self.pool())
            .await
            .map_err(err)?;
        let highlights = sqlx::query("SELECT COUNT(*) AS n FROM highlights")
            .fetch_one(self.pool())
            .await
            .map_err(err)?;
        let missed = sqlx::query("SELECT COUNT(*) AS n FROM media WHERE path = ''")
            .fetch_one(self.pool())
            .await
            .map_err(err)?;
        let vendors = sqlx::query(
            "SELECT vendor, COUNT(*) AS requests, CAST(COALESCE(SUM(credits_used), 0) AS BIGINT) AS credits FROM attempts GROUP BY vendor ORDER BY vendor",
        )
        .fetch_all(self.pool())
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            Ok(VendorUsage {
                vendor: row.try_get("vendor")?,
                requests: row.try_get("requests")?,
                credits_used: row.try_get("credits")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(err)?;
        let workers = sqlx::query(
            "SELECT id, host, pid, started_at, last_seen FROM watch_workers WHERE last_seen >= $1 ORDER BY id",
        )
        .bind(now() - WORKER_TIMEOUT_SECS)
        .fetch_all(self.pool())
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            Ok(WorkerStatus {
                id: row.try_get("id")?,
                host: row.try_get("host")?,
                pid: row.try_get("pid")?,
                started_at: row.try_get("started_at")?,
                last_seen: row.try_get("last_seen")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(err)?;
        Ok(Status {
            database: self.url.to_string(),
            accounts,
            stories: totals.try_get("n").map_err(err)?,
            highlights: highlights.try_get("n").map_err(err)?,
            missed: missed.try_get("n").map_err(err)?,
            vendors,
            workers,
        })
    }
}
