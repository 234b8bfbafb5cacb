//! Ids that arrive as strings on one endpoint and as numbers on another.

use std::fmt;
use std::ops::Deref;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An Instagram id (media pk, user id, …) as a decimal string, whether the vendor sent
/// `"3772053608293416704"` or `3772053608293416704`. Ids exceed 2^53, so they are never
/// floats; a fraction, a boolean or an object is not an id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LenientId(pub String);

impl LenientId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for LenientId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for LenientId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LenientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for LenientId {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl From<String> for LenientId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for LenientId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl PartialEq<str> for LenientId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for LenientId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for LenientId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = LenientId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id as a string or an integer")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientId, E> {
        Ok(LenientId(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<LenientId, E> {
        Ok(LenientId(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientId, E> {
        Ok(LenientId(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientId, E> {
        Ok(LenientId(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<LenientId, E> {
        Ok(LenientId(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<LenientId, E> {
        Ok(LenientId(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for LenientId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_integers_are_ids_and_keep_every_digit() {
        let from_text: LenientId =
            serde_json::from_str("\"3772053608293416704\"").unwrap_or_default();
        let from_number: LenientId =
            serde_json::from_str("3772053608293416704").unwrap_or_default();
        assert_eq!(from_text, from_number);
        assert_eq!(from_number, "3772053608293416704");
        assert_eq!(
            serde_json::to_string(&from_number).unwrap_or_default(),
            "\"3772053608293416704\""
        );
        let negative: LenientId = serde_json::from_str("-5").unwrap_or_default();
        assert_eq!(negative.as_str(), "-5");
    }

    #[test]
    fn fractions_and_other_kinds_are_not_ids() {
        for text in ["1.5", "true", "{}", "[]", "null"] {
            assert!(serde_json::from_str::<LenientId>(text).is_err(), "{text}");
        }
    }
}
