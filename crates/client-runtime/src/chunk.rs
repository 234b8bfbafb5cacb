//! Paged answers sent as a pair, `[[item, …], "next-cursor"]`: a chunk of items and the cursor
//! that asks for the next chunk (null, or absent, on the last).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One chunk of a paged list. Pass `next_cursor` back (as the operation's cursor parameter)
/// for the next chunk; `None` means this was the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Default for Chunk<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            next_cursor: None,
        }
    }
}

impl<T> Chunk<T> {
    /// Whether another chunk follows.
    pub fn has_next(&self) -> bool {
        self.next_cursor.as_deref().is_some_and(|c| !c.is_empty())
    }
}

impl<T: Serialize> Serialize for Chunk<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut pair = serializer.serialize_tuple(2)?;
        pair.serialize_element(&self.items)?;
        pair.serialize_element(&self.next_cursor)?;
        pair.end()
    }
}

/// A cursor may come as text or as a number; null means there is none.
struct Cursor(Option<String>);

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Cursor;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a cursor: text, a number or null")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cursor, E> {
                Ok(Cursor(Some(v.to_owned())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cursor, E> {
                Ok(Cursor(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cursor, E> {
                Ok(Cursor(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Cursor, E> {
                Ok(Cursor(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Cursor, E> {
                Ok(Cursor(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Chunk<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = Chunk<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a chunk: [[item, …], cursor]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Chunk<T>, A::Error> {
                let items: Option<Vec<T>> = seq.next_element()?.flatten();
                let cursor: Option<Cursor> = seq.next_element()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Chunk {
                    items: items.unwrap_or_default(),
                    next_cursor: cursor.and_then(|c| c.0),
                })
            }
        }
        deserializer.deserialize_seq(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_read_items_and_cursor_and_write_them_back() {
        let chunk: Chunk<u32> = serde_json::from_str(r#"[[1, 2], "QVFE"]"#).unwrap_or_default();
        assert_eq!(chunk.items, [1, 2]);
        assert_eq!(chunk.next_cursor.as_deref(), Some("QVFE"));
        assert!(chunk.has_next());
        assert_eq!(
            serde_json::to_string(&chunk).unwrap_or_default(),
            r#"[[1,2],"QVFE"]"#
        );
        let last: Chunk<u32> = serde_json::from_str("[[3], null]").unwrap_or_default();
        assert!(!last.has_next());
        let numeric: Chunk<u32> = serde_json::from_str("[[], 17]").unwrap_or_default();
        assert_eq!(numeric.next_cursor.as_deref(), Some("17"));
        assert!(serde_json::from_str::<Chunk<u32>>(r#"{"items": []}"#).is_err());
    }
}
