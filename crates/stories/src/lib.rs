//! Instagram stories and highlights from any configured vendor, normalized into the `domain`
//! model: a unified client that routes by cost and fails over, the vendor dispatch for
//! normalization, a mock server answering like every vendor, and media downloads.

mod call;
pub mod client;
pub mod config;
pub mod download;
pub mod drift;
pub mod mock;
pub mod query;
pub mod samples;
pub mod vendors;

pub use client::{Answered, Attempt, ClientError, Report, UnifiedClient};
pub use config::{ApiKey, Config, ConfigError, Policy, VendorConfig};
pub use query::{Capability, Kind, Query, User, capabilities};
pub use vendors::{VENDORS, Vendor, normalize, normalize_checked, vendor, vendor_names};
