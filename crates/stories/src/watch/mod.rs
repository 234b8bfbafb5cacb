//! Watching accounts and archiving every story before it expires: the watched accounts, the
//! stories (each stored once), their media and the raw vendor responses live in one database —
//! a SQLite file by default, Postgres for a `postgres://` URL (`db`); a worker polls each
//! account within a bounded gap (`schedule`), stores what is new (`store`), downloads it safely
//! (`media`) and reports (`status`, `export`).

pub mod budget;
pub mod db;
pub mod export;
pub mod media;
pub mod queue;
pub mod schedule;
pub mod status;
pub mod store;
pub mod worker;

pub use db::{Database, DatabaseUrl, Engine};
pub use queue::{PollJob, Queue};
pub use schedule::Schedule;
pub use store::Watched;
pub use worker::{RunOptions, RunSummary, Worker};

/// Why watching could not go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    /// The database could not be reached or refused a query (its URL without the password).
    #[error("database {url}: {message}")]
    Database { url: String, message: String },
    /// Media could not be written (a full disk, a read-only folder).
    #[error(transparent)]
    Media(media::MediaError),
    #[error("{0}")]
    Client(String),
}

/// The default data folder: `stories/` in the platform's data folder (`~/.local/share` on
/// Linux).
pub fn default_data_dir() -> Option<std::path::PathBuf> {
    dirs::data_dir().map(|d| d.join("stories"))
}

/// The default archive: `archive.db` in the data folder.
pub fn default_database() -> Option<std::path::PathBuf> {
    default_data_dir().map(|d| d.join("archive.db"))
}

/// An account to watch, from a username, `@username`, id or profile URL, named the way the
/// archive keys it: a lowercase username or a numeric id.
pub fn account_name(input: &str) -> Result<String, crate::query::InvalidInput> {
    match crate::query::User::parse(input)? {
        crate::query::User::Username(u) => Ok(u.to_ascii_lowercase()),
        crate::query::User::Id(id) => Ok(id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_keyed_one_way_and_bad_ones_say_why_briefly() {
        assert_eq!(account_name("@NatGeo").as_deref(), Ok("natgeo"));
        assert_eq!(
            account_name("https://www.instagram.com/natgeo/").as_deref(),
            Ok("natgeo")
        );
        assert_eq!(account_name("787132").as_deref(), Ok("787132"));
        let pasted = "x".repeat(100_000);
        let why = account_name(&pasted)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            why.len() < 300 && why.contains("(100000 characters)"),
            "{why}"
        );
    }
}
