//! Instagram stories and highlights from any vendor, normalized into the `domain` model.

pub mod vendors;

pub use vendors::{VENDORS, normalize};
