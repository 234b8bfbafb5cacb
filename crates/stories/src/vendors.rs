//! The vendors this build knows, and normalization by vendor name.

use domain::{Answer, NormalizeError, Outcome, RawResponse};

/// Vendor short names, as under `specs/`.
pub const VENDORS: &[&str] = &[
    normalize_hikerapi::VENDOR,
    normalize_keyapi::VENDOR,
    normalize_konbiniapi::VENDOR,
    normalize_sociavault::VENDOR,
];

/// Normalizes a raw response of `vendor`'s `operation`.
pub fn normalize(
    vendor: &str,
    operation: &str,
    raw: RawResponse<'_>,
) -> Result<Outcome<Answer>, NormalizeError> {
    match vendor {
        normalize_hikerapi::VENDOR => normalize_hikerapi::normalize(operation, raw),
        normalize_keyapi::VENDOR => normalize_keyapi::normalize(operation, raw),
        normalize_konbiniapi::VENDOR => normalize_konbiniapi::normalize(operation, raw),
        normalize_sociavault::VENDOR => normalize_sociavault::normalize(operation, raw),
        other => Err(NormalizeError::UnknownVendor {
            vendor: other.to_owned(),
            known: VENDORS.join(", "),
        }),
    }
}
