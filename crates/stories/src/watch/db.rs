//! The archive's database: a SQLite file by default, Postgres for a `postgres://` URL, through
//! sqlx's `Any` driver so that every query is written once (portable SQL, `$n` parameters in
//! ascending order, times as Unix seconds). Each backend has its own versioned migrations
//! (`migrations/sqlite`, `migrations/postgres`), applied when the database is opened.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};

use super::WatchError;

/// The archive's migrations, recorded in a table of their own: the job queue's migrations,
/// in the same database, use sqlx's default table.
fn migrator(engine: Engine) -> Migrator {
    let mut migrator = match engine {
        Engine::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Engine::Postgres => sqlx::migrate!("migrations/postgres"),
    };
    migrator.dangerous_set_table_name("_stories_migrations");
    migrator
}

/// Which engine a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Where the archive lives: its URL (with any password hidden for messages) and engine.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: String,
    shown: String,
    pub engine: Engine,
    /// The SQLite file, for a SQLite URL.
    pub file: Option<PathBuf>,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl DatabaseUrl {
    /// A SQLite file (created when missing).
    pub fn sqlite(file: &Path) -> Self {
        let shown = format!("sqlite://{}", file.display());
        Self {
            url: format!("{shown}?mode=rwc"),
            shown,
            engine: Engine::Sqlite,
            file: Some(file.to_path_buf()),
        }
    }

    /// The URL to connect with (password included): never for messages.
    pub(crate) fn connect_url(&self) -> &str {
        &self.url
    }

    /// `postgres://…`, `postgresql://…`, `sqlite://FILE` or a plain file path (SQLite).
    pub fn parse(text: &str) -> Result<Self, InvalidDatabaseUrl> {
        Self::parse_text(text).map_err(InvalidDatabaseUrl)
    }

    fn parse_text(text: &str) -> Result<Self, String> {
        let scheme = text.split_once("://").map(|(s, _)| s);
        match scheme {
            Some("postgres" | "postgresql") => {
                let mut url = url::Url::parse(text).map_err(|e| {
                    format!("`{}` is not a Postgres URL: {e}", hide_password_text(text))
                })?;
                if url.host_str().is_none_or(str::is_empty) && !text.contains("host=") {
                    return Err(format!(
                        "`{}` names no host (postgres://USER:PASSWORD@HOST:PORT/DATABASE)",
                        hide_password_text(text)
                    ));
                }
                let original = url.to_string();
                if url.password().is_some() {
                    let _ = url.set_password(Some("***"));
                }
                Ok(Self {
                    url: original,
                    shown: url.to_string(),
                    engine: Engine::Postgres,
                    file: None,
                })
            }
            Some("sqlite") => {
                let path = text.trim_start_matches("sqlite://");
                let path = path.split('?').next().unwrap_or_default();
                if path.is_empty() {
                    return Err("a SQLite URL names a file: sqlite://PATH".into());
                }
                Ok(Self::sqlite(Path::new(path)))
            }
            Some(other) => Err(format!(
                "unsupported database `{other}://…`: use a SQLite file path, sqlite://PATH or postgres://…"
            )),
            None => Ok(Self::sqlite(Path::new(text))),
        }
    }
}

/// A `--database` / `STORIES_DATABASE_URL` value that names no archive, and why (its password
/// hidden).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidDatabaseUrl(String);

/// A URL's text with the password, if any, replaced by `***`, for messages about a URL that
/// did not parse.
fn hide_password_text(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &text[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &text[..scheme + 3], &text[at..]),
                None => text.to_owned(),
            }
        }
        _ => text.to_owned(),
    }
}

/// An open, migrated archive database.
#[derive(Debug, Clone)]
pub struct Database {
    pool: AnyPool,
    pub url: DatabaseUrl,
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Database {
    /// Connects (creating a SQLite file and its folder when missing) and applies migrations.
    pub async fn open(url: &DatabaseUrl) -> Result<Self, WatchError> {
        sqlx::any::install_default_drivers();
        if let Some(parent) = url.file.as_deref().and_then(Path::parent)
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| WatchError::Database {
                url: url.to_string(),
                message: format!("cannot create {}: {e}", parent.display()),
            })?;
        }
        let fail = |e: &dyn std::fmt::Display| WatchError::Database {
            url: url.to_string(),
            message: redact(&e.to_string(), &url.url),
        };
        let sqlite = url.engine == Engine::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // On every connection: readers never wait for the writer; a second
                        // process waits for the lock instead of failing with "database is
                        // locked"; commits reach the write-ahead log without a sync each (a
                        // killed process loses nothing; only a power cut can lose the last
                        // commits, never the database).
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA synchronous = NORMAL",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url.url)
            .await
            .map_err(|e| fail(&e))?;
        migrator(url.engine)
            .run(&pool)
            .await
            .map_err(|e| fail(&e))?;
        Ok(Self {
            pool,
            url: url.clone(),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A query failure, named by the database (password hidden).
    pub fn error(&self, e: &sqlx::Error) -> WatchError {
        WatchError::Database {
            url: self.url.to_string(),
            message: redact(&e.to_string(), &self.url.url),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `message` without the URL's password, should a driver quote it.
fn redact(message: &str, url: &str) -> String {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    {
        Some(password) if !password.is_empty() => message.replace(&password, "***"),
        _ => message.to_owned(),
    }
}

/// Reads an optional integer column.
pub fn opt_i64(row: &AnyRow, column: &str) -> Option<i64> {
    row.try_get::<Option<i64>, _>(column).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_engine_and_hide_passwords() {
        let pg = DatabaseUrl::parse("postgres://watch:s3cret@db.internal:5432/archive")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pg.engine, Engine::Postgres);
        assert!(!pg.to_string().contains("s3cret"), "{pg}");
        assert!(!format!("{pg:?}").contains("s3cret"));
        let file = DatabaseUrl::parse("/tmp/a/archive.db").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.engine, Engine::Sqlite);
        assert_eq!(file.file.as_deref(), Some(Path::new("/tmp/a/archive.db")));
        let err = DatabaseUrl::parse("mysql://u:pw@h/db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unsupported") && !err.contains("pw@"), "{err}");
        let err = DatabaseUrl::parse("postgres://u:pw@/db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("host") && !err.contains(":pw"), "{err}");
    }

    #[test]
    fn driver_messages_lose_the_password() {
        assert_eq!(
            redact("auth failed for s3cret", "postgres://u:s3cret@h/db"),
            "auth failed for ***"
        );
    }
}
