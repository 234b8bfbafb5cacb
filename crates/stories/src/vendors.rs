//! The vendors this build knows: one row per vendor, pairing its generated client's facts with
//! its normalizer. Adding a vendor is one row here plus its `normalize-<vendor>` crate; nothing
//! else in this crate names a vendor.

use client_runtime::{RawReply, VendorFacts};
use domain::{NormalizeError, Normalized, Normalizer, RawResponse};

/// One vendor: what its docs say, and how its answers become the domain model.
pub struct Vendor {
    pub facts: &'static VendorFacts,
    pub normalizer: &'static Normalizer,
}

impl std::fmt::Debug for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Vendor").field(&self.name()).finish()
    }
}

/// Every vendor, by name.
pub static VENDORS: &[Vendor] = &[
    Vendor {
        facts: &hikerapi_client::VENDOR,
        normalizer: &normalize_hikerapi::NORMALIZER,
    },
    Vendor {
        facts: &keyapi_client::VENDOR,
        normalizer: &normalize_keyapi::NORMALIZER,
    },
    Vendor {
        facts: &konbiniapi_client::VENDOR,
        normalizer: &normalize_konbiniapi::NORMALIZER,
    },
    Vendor {
        facts: &sociavault_client::VENDOR,
        normalizer: &normalize_sociavault::NORMALIZER,
    },
];

impl Vendor {
    /// The short name, as under `specs/`.
    pub fn name(&self) -> &'static str {
        self.facts.name
    }

    /// The environment variable holding this vendor's API key: `STORIES_<NAME>_KEY`.
    pub fn key_variable(&self) -> String {
        format!("STORIES_{}_KEY", self.env_stem())
    }

    /// The environment variable overriding this vendor's base URL: `STORIES_<NAME>_URL`.
    pub fn url_variable(&self) -> String {
        format!("STORIES_{}_URL", self.env_stem())
    }

    /// Normalizes a raw response of `operation`; a body that does not decode is said to be
    /// empty or not JSON when it is.
    pub fn normalize(
        &self,
        operation: &str,
        raw: RawResponse<'_>,
    ) -> Result<Normalized, NormalizeError> {
        (self.normalizer.normalize)(operation, raw).map_err(|e| e.explained_by(raw.body))
    }

    fn env_stem(&self) -> String {
        self.name().to_ascii_uppercase().replace('-', "_")
    }
}

/// The vendor named `name`.
pub fn vendor(name: &str) -> Option<&'static Vendor> {
    VENDORS.iter().find(|v| v.name() == name)
}

/// Every vendor's name, in table order.
pub fn vendor_names() -> Vec<&'static str> {
    VENDORS.iter().map(Vendor::name).collect()
}

/// Normalizes a raw response of `vendor`'s `operation`. The drift it reports is the items it
/// had to leave out; [`normalize_checked`] also compares the body with the documented shape.
pub fn normalize(
    vendor: &str,
    operation: &str,
    raw: RawResponse<'_>,
) -> Result<Normalized, NormalizeError> {
    known(vendor)?.normalize(operation, raw)
}

/// Normalizes the reply of a raw call (`<vendor>_client::VENDOR.call(…)…send()`): its body is
/// read once, straight into the domain model, where a typed call would decode it into the
/// generated types first. `Retry-After` is read from its headers.
pub fn normalize_reply(
    vendor: &str,
    operation: &str,
    reply: &RawReply,
) -> Result<Normalized, NormalizeError> {
    normalize(vendor, operation, raw_response(reply))
}

/// A raw reply as a normalizer reads it.
pub(crate) fn raw_response(reply: &RawReply) -> RawResponse<'_> {
    RawResponse {
        status: reply.status,
        retry_after_seconds: reply
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok()),
        body: &reply.body,
    }
}

/// [`normalize`], with the body also checked against the vendor's documented shape (a second,
/// allocation-free pass over the bytes).
pub fn normalize_checked(
    vendor: &str,
    operation: &str,
    raw: RawResponse<'_>,
) -> Result<Normalized, NormalizeError> {
    let v = known(vendor)?;
    let mut normalized = v.normalize(operation, raw)?;
    normalized.drift.merge(crate::drift::check(
        v.facts, operation, raw.status, raw.body,
    ));
    normalized.drift = std::mem::take(&mut normalized.drift).capped();
    Ok(normalized)
}

fn known(vendor: &str) -> Result<&'static Vendor, NormalizeError> {
    self::vendor(vendor).ok_or_else(|| NormalizeError::UnknownVendor {
        vendor: vendor.to_owned(),
        known: vendor_names().join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_pairs_a_client_with_its_own_normalizer() {
        for v in VENDORS {
            assert_eq!(v.facts.name, v.normalizer.vendor);
            for route in v.normalizer.routes {
                let op = v.facts.operation(route.operation).unwrap_or_else(|| {
                    panic!(
                        "{} routes to `{}`, which its client lacks",
                        v.name(),
                        route.operation
                    )
                });
                assert!(
                    op.param(route.param).is_some(),
                    "{} {} has no parameter `{}`",
                    v.name(),
                    route.operation,
                    route.param
                );
            }
        }
        let mut names = vendor_names();
        names.dedup();
        assert_eq!(names.len(), VENDORS.len(), "two rows name one vendor");
    }

    #[test]
    fn environment_variables_follow_the_vendor_name() {
        let keyapi = vendor("keyapi").unwrap_or_else(|| panic!("keyapi"));
        assert_eq!(keyapi.key_variable(), "STORIES_KEYAPI_KEY");
        assert_eq!(keyapi.url_variable(), "STORIES_KEYAPI_URL");
    }
}
