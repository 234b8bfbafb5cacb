//! Field types for normalizers' own views of a vendor's JSON: they read what the model needs,
//! borrow strings from the body where they can, and never fail on shape. A value of another
//! kind than expected reads as absent (the drift report names it); only JSON that is not JSON
//! fails a decode. Use them with `#[serde(default, borrow)]` on every field.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Drains a map or sequence the caller does not want, so the parser can go on.
fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the visits that read as "absent" for a visitor whose value is `Default`.
macro_rules! absent_otherwise {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method<E: serde::de::Error>(self, _: $ty) -> Result<Self::Value, E> {
            Ok(Self::Value::default())
        })*
    };
}

macro_rules! absent_containers {
    () => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            drain_map(map)?;
            Ok(Self::Value::default())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            drain_seq(seq)?;
            Ok(Self::Value::default())
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Self::Value::default())
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Self::Value::default())
        }
    };
}

/// A string; anything else is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The text, owned, unless absent or empty.
    pub fn owned(&self) -> Option<String> {
        self.0
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }

    absent_otherwise!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64)
    );
    absent_containers!();
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

/// An id sent as a string or an integer, kept as its decimal text; anything else is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Id<'a>(pub Option<Cow<'a, str>>);

impl<'a> Id<'a> {
    /// The id, owned, unless absent or empty.
    pub fn owned(&self) -> Option<String> {
        self.0
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = Id<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Id<'de>, E> {
        Ok(Id(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id<'de>, E> {
        Ok(Id(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Id<'de>, E> {
        Ok(Id(Some(Cow::Owned(v))))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Id<'de>, E> {
        Ok(Id(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Id<'de>, E> {
        Ok(Id(Some(Cow::Owned(v.to_string()))))
    }

    absent_otherwise!(visit_bool(bool), visit_f64(f64));
    absent_containers!();
}

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IdVisitor)
    }
}

/// A whole number: an integer, an integral float, or a string of digits; anything else is
/// absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Int(pub Option<i64>);

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Int;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Int, E> {
        Ok(Int(Some(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Int, E> {
        Ok(Int(i64::try_from(v).ok()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Int, E> {
        let whole = v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15;
        #[allow(clippy::cast_possible_truncation)]
        Ok(Int(whole.then_some(v as i64)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Int, E> {
        Ok(Int(v.trim().parse().ok()))
    }

    absent_otherwise!(visit_bool(bool));
    absent_containers!();
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntVisitor)
    }
}

/// A number; anything else is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Float(pub Option<f64>);

struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = Float;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Float, E> {
        Ok(Float(Some(v as f64)))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Float, E> {
        Ok(Float(Some(v as f64)))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Float, E> {
        Ok(Float(Some(v).filter(|v| v.is_finite())))
    }

    absent_otherwise!(visit_bool(bool), visit_str(&str));
    absent_containers!();
}

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FloatVisitor)
    }
}

/// A boolean; anything else is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bool(pub Option<bool>);

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Bool, E> {
        Ok(Bool(Some(v)))
    }

    absent_otherwise!(
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str)
    );
    absent_containers!();
}

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BoolVisitor)
    }
}

/// An object read as `T` (whose fields must themselves be tolerant); anything else is absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Self(None)
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Obj<T>, A::Error> {
        drain_seq(seq)?;
        Ok(Obj(None))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }

    absent_otherwise!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str)
    );
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// A list of `T`; null, a missing list or another kind is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> List<T> {
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> List<Obj<T>> {
    /// The items that are objects; the others (null, or of another kind) are left out.
    pub fn objects(&self) -> impl Iterator<Item = &T> {
        self.0.iter().filter_map(|o| o.0.as_ref())
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(List(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List<T>, A::Error> {
        drain_map(map)?;
        Ok(List(Vec::new()))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<List<T>, E> {
        Ok(List(Vec::new()))
    }

    absent_otherwise!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str)
    );
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

/// The entries of an object keyed by position or id (`{"0": {...}, "1": {...}}`), in the
/// body's order, or of a list (keyed by index); anything else has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Entries<'a, T>(pub Vec<(Cow<'a, str>, T)>);

impl<T> Default for Entries<'_, T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

struct EntriesVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
    type Value = Entries<'de, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((key, value)) = map.next_entry::<Text<'de>, T>()? {
            out.push((key.0.unwrap_or_default(), value));
        }
        Ok(Entries(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(value) = seq.next_element::<T>()? {
            out.push((Cow::Owned(out.len().to_string()), value));
        }
        Ok(Entries(out))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Entries(Vec::new()))
    }

    absent_otherwise!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str)
    );
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for Entries<'a, T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EntriesVisitor(PhantomData))
    }
}

/// A point in time sent as ISO 8601 text (`Z` or an offset) or as epoch seconds (or
/// milliseconds); anything else is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct When(pub Option<chrono::DateTime<chrono::Utc>>);

struct WhenVisitor;

impl<'de> Visitor<'de> for WhenVisitor {
    type Value = When;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<When, E> {
        Ok(When(crate::from_iso(v)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<When, E> {
        Ok(When(crate::from_epoch(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<When, E> {
        Ok(When(i64::try_from(v).ok().and_then(crate::from_epoch)))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<When, E> {
        IntVisitor
            .visit_f64(v)
            .map(|i: Int| When(i.0.and_then(crate::from_epoch)))
    }

    absent_otherwise!(visit_bool(bool));
    absent_containers!();
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WhenVisitor)
    }
}

/// A field whose presence matters: `None` when the key is absent, `Some` when it is there,
/// whatever its value (a `List` reads null as empty, for instance).
#[derive(Debug, Clone, PartialEq)]
pub struct Present<T>(pub Option<T>);

impl<T> Default for Present<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Present<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|t| Present(Some(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize)]
    struct User<'a> {
        #[serde(default, borrow)]
        pk: Id<'a>,
        #[serde(default, borrow)]
        username: Text<'a>,
        #[serde(default)]
        is_private: Bool,
    }

    #[derive(Debug, Default, Deserialize)]
    struct Item<'a> {
        #[serde(default, borrow)]
        id: Id<'a>,
        #[serde(default)]
        taken_at: Int,
        #[serde(default)]
        duration: Float,
        #[serde(default, borrow)]
        user: Obj<User<'a>>,
        #[serde(default, borrow)]
        tags: List<Text<'a>>,
    }

    fn read(json: &str) -> Item<'_> {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[test]
    fn every_field_may_be_missing_null_or_of_another_kind() {
        for json in [
            "{}",
            r#"{"id": null, "taken_at": null, "duration": null, "user": null, "tags": null}"#,
            r#"{"id": {"a": [1]}, "taken_at": "soon", "duration": "x", "user": [1, {}], "tags": {"0": "a"}}"#,
            r#"{"id": true, "taken_at": [], "duration": {}, "user": "natgeo", "tags": 3}"#,
        ] {
            let item = read(json);
            assert_eq!(item.id.as_str(), None, "{json}");
            assert_eq!(item.taken_at.0, None, "{json}");
            assert_eq!(item.duration.0, None, "{json}");
            assert!(item.user.0.is_none(), "{json}");
            assert!(item.tags.is_empty(), "{json}");
        }
    }

    #[test]
    fn ids_read_from_strings_and_numbers_and_strings_borrow() {
        let item = read(
            r#"{"id": 3772053608293416704, "taken_at": 1773059653.0, "duration": 15, "user": {"pk": "787132", "username": "nat\u0067eo", "is_private": false}, "tags": ["a", 1, "b"]}"#,
        );
        assert_eq!(item.id.as_str(), Some("3772053608293416704"));
        assert_eq!(item.taken_at.0, Some(1_773_059_653));
        assert_eq!(item.duration.0, Some(15.0));
        let user = item.user.0.unwrap_or_default();
        assert!(matches!(user.pk.0, Some(Cow::Borrowed("787132"))));
        // An escape forces a copy; the value is the same.
        assert_eq!(user.username.as_str(), Some("natgeo"));
        assert_eq!(user.is_private.0, Some(false));
        let tags: Vec<Option<&str>> = item.tags.iter().map(Text::as_str).collect();
        assert_eq!(tags, [Some("a"), None, Some("b")]);
    }

    #[test]
    fn times_read_from_iso_text_or_epoch_numbers() {
        let read = |json: &str| serde_json::from_str::<When>(json).unwrap_or_default().0;
        let t = read("1773059653");
        assert_eq!(t, read("\"2026-03-09T12:34:13Z\""));
        assert_eq!(t, read("\"2026-03-09T14:34:13+02:00\""));
        assert_eq!(t, read("1773059653000"));
        assert!(t.is_some());
        assert_eq!(read("\"yesterday\""), None);
        assert_eq!(read("true"), None);
    }

    #[test]
    fn entries_come_from_objects_or_lists_in_order() {
        let read = |json: &str| -> Vec<(String, Option<i64>)> {
            serde_json::from_str::<Entries<'_, Int>>(json)
                .unwrap_or_default()
                .0
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.0))
                .collect()
        };
        assert_eq!(
            read(r#"{"1": 5, "0": "x"}"#),
            [("1".to_owned(), Some(5)), ("0".to_owned(), None)]
        );
        assert_eq!(
            read("[7, 8]"),
            [("0".to_owned(), Some(7)), ("1".to_owned(), Some(8))]
        );
        assert!(read("null").is_empty());
        assert!(read("\"no\"").is_empty());
    }

    #[test]
    fn presence_is_told_apart_from_null() {
        #[derive(Debug, Default, Deserialize)]
        struct Reel<'a> {
            #[serde(default, borrow)]
            items: Present<List<Item<'a>>>,
        }
        let missing: Reel<'_> = serde_json::from_str("{}").unwrap_or_default();
        assert!(missing.items.0.is_none());
        let null: Reel<'_> = serde_json::from_str(r#"{"items": null}"#).unwrap_or_default();
        assert_eq!(null.items.0.map(|l| l.0.len()), Some(0));
    }

    #[test]
    fn broken_json_is_still_an_error() {
        assert!(serde_json::from_str::<Item<'_>>(r#"{"id": "1", "user": {"pk": "#).is_err());
    }
}
