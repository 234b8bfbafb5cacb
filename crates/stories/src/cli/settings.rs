//! The configuration, read and checked once at start from flags, environment and the config
//! file; any problem is exit status 2 naming where the bad value was given.

use stories::config::{ConfigFile, Flags, Sources, config_file_path, unknown_variables};
use stories::{Config, ConfigError};

use super::args::Cli;

/// Loads the settings for `cli`.
pub fn load(cli: &Cli) -> Result<Config, ConfigError> {
    let env = |name: &str| std::env::var(name).ok();
    for name in unknown_variables(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok())) {
        tracing::warn!("{name} is set but `stories` reads no such variable (see `stories --help`)");
    }
    let file = match config_file_path(cli.config.as_deref(), &env) {
        Some((path, required)) => ConfigFile::read(&path, required)?,
        None => None,
    };
    Config::load(&Sources {
        flags: Flags {
            timeout_secs: cli.timeout_secs.clone(),
            ca_cert: cli.ca_cert.clone(),
        },
        env: &env,
        file,
    })
}
