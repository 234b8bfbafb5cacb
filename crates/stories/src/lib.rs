//! Instagram stories and highlights from any configured vendor, normalized into the `domain`
//! model: settings checked once (`config`), inputs checked by Instagram's rules (`query`), a
//! unified client that routes by cost and fails over (`client`), the vendor dispatch for
//! normalization (`vendors`), a mock server answering like every vendor (`mock`), and safe,
//! resumable media downloads (`download`).

mod call;
pub mod client;
pub mod config;
pub mod download;
pub mod drift;
#[cfg(feature = "mock")]
pub mod mock;
pub mod query;
pub mod vendors;
pub mod watch;

pub use client::{Answered, Attempt, ClientError, Report, UnifiedClient};
pub use config::{ApiKey, Config, ConfigError, Policy, VendorConfig};
pub use query::{Capability, InvalidInput, Kind, Query, User, capabilities};
pub use vendors::{
    VENDORS, Vendor, normalize, normalize_checked, normalize_reply, vendor, vendor_names,
};
