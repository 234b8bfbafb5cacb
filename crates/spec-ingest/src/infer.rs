//! Schemas inferred from example values, for bodies the vendor documents only by example.
//!
//! An example proves that a field *can* appear, not that it always does, so inferred schemas
//! are tolerant: no property is required and every property is nullable. What the examples
//! did show is kept for drift reports in `x-inferred` on each object: `present` lists the
//! fields every example had, `null` the fields some example had as null.
//!
//! Rules: JSON types map to schema types; integers stay integers (`int64`, or `uint64` beyond
//! i64) and any fraction makes a number; strings that are all ISO 8601 timestamps get
//! `format: date-time`; fields named like ids (`pk`, `id`, `user_id`, `entityId`, …) holding
//! integers or strings become [`LENIENT_ID`] references, since Instagram sends the same id as a
//! number on one endpoint and a string on another; objects whose keys are all positions (`"0"`,
//! `"1"`, …) or ids (`"highlight:18085475671830440"`) are maps; array items merge across every
//! element; values seen only as null or in empty arrays stay untyped. Field lookup is by hash,
//! so inference is linear in the input.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

/// The component every inferred id refers to: a string or an integer, read as a string.
pub const LENIENT_ID: &str = "LenientId";

/// The extension that records what the examples of an inferred object showed.
pub const INFERRED: &str = canonical::INFERRED;

/// Whether an object key is data rather than a field name: a position (`"0"`), an id
/// (`"17841400008460056"`) or a prefixed id (`"highlight:18085475671830440"`).
pub fn is_map_key(key: &str) -> bool {
    let digits_at = key
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + key[i..].chars().next().map_or(1, char::len_utf8));
    let (prefix, digits) = key.split_at(digits_at);
    if digits.is_empty() {
        return false;
    }
    let Some(word) = prefix
        .strip_suffix(':')
        .or_else(|| prefix.strip_suffix('_'))
        .or_else(|| prefix.strip_suffix('-'))
    else {
        return prefix.is_empty();
    };
    digits.len() >= 5 && !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Objects whose keys are all data (positions or ids) are maps, not records: the same
/// response for another highlight has other keys.
pub fn is_keyed_map<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    let all = keys.all(|k| {
        any = true;
        is_map_key(k)
    });
    any && all
}

/// The schema of [`LENIENT_ID`].
pub fn lenient_id_schema() -> Value {
    json!({
        "description": "An id that arrives as a string or as an integer; read as a decimal string.",
        "oneOf": [{"type": "string"}, {"type": "integer"}]
    })
}

fn lenient_id_ref() -> Value {
    json!({"$ref": format!("#/components/schemas/{LENIENT_ID}")})
}

/// What the samples at one position of the examples have shown.
#[derive(Debug, Default, Clone)]
struct Shape {
    null: bool,
    boolean: bool,
    /// Smallest and largest integer seen.
    integer: Option<(i128, i128)>,
    float: bool,
    /// Whether every string seen is a timestamp.
    string: Option<bool>,
    array: Option<Box<Shape>>,
    object: Option<ObjectShape>,
}

#[derive(Debug, Default, Clone)]
struct Field {
    key: String,
    shape: Shape,
    /// How many samples had the field.
    count: usize,
}

#[derive(Debug, Default, Clone)]
struct ObjectShape {
    samples: usize,
    /// Fields in first-seen order.
    fields: Vec<Field>,
    /// Position of each field in `fields`.
    index: HashMap<String, usize>,
}

impl ObjectShape {
    /// The field named `key`, added if new.
    fn field(&mut self, key: &str) -> &mut Field {
        let at = match self.index.get(key) {
            Some(&at) => at,
            None => {
                self.index.insert(key.to_owned(), self.fields.len());
                self.fields.push(Field {
                    key: key.to_owned(),
                    ..Field::default()
                });
                self.fields.len() - 1
            }
        };
        &mut self.fields[at]
    }
}

impl Shape {
    fn add(&mut self, value: &Value) {
        match value {
            Value::Null => self.null = true,
            Value::Bool(_) => self.boolean = true,
            Value::Number(n) => {
                let as_int = n
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| n.as_u64().map(i128::from));
                match as_int {
                    Some(i) => {
                        let (lo, hi) = self.integer.unwrap_or((i, i));
                        self.integer = Some((lo.min(i), hi.max(i)));
                    }
                    None => self.float = true,
                }
            }
            Value::String(s) => {
                let ts = is_timestamp(s);
                self.string = Some(self.string.unwrap_or(true) && ts);
            }
            Value::Array(items) => {
                let shape = self.array.get_or_insert_with(Box::default);
                for item in items {
                    shape.add(item);
                }
            }
            Value::Object(map) => {
                let object = self.object.get_or_insert_with(ObjectShape::default);
                object.samples += 1;
                for (key, v) in map {
                    let field = object.field(key);
                    field.shape.add(v);
                    field.count += 1;
                }
            }
        }
    }

    fn kinds(&self) -> usize {
        usize::from(self.boolean)
            + usize::from(self.integer.is_some() || self.float)
            + usize::from(self.string.is_some())
            + usize::from(self.array.is_some())
            + usize::from(self.object.is_some())
    }

    /// Integers, or strings that are not timestamps: what ids look like.
    fn looks_like_id(&self) -> bool {
        self.kinds() == 1 && ((self.integer.is_some() && !self.float) || self.string == Some(false))
    }

    fn to_schema(&self) -> Value {
        let mut schema = if self.kinds() != 1 {
            // Nothing but nulls, or values of different kinds: no type is claimed.
            Map::new()
        } else if self.boolean {
            typed("boolean")
        } else if self.float {
            typed("number")
        } else if let Some((lo, hi)) = self.integer {
            let mut s = typed("integer");
            let format = if lo >= i128::from(i64::MIN) && hi <= i128::from(i64::MAX) {
                "int64"
            } else if lo >= 0 && hi <= i128::from(u64::MAX) {
                "uint64"
            } else {
                return json!({"type": "number"});
            };
            s.insert("format".into(), json!(format));
            s
        } else if let Some(all_timestamps) = self.string {
            let mut s = typed("string");
            if all_timestamps {
                s.insert("format".into(), json!("date-time"));
            }
            s
        } else if let Some(items) = &self.array {
            let mut s = typed("array");
            s.insert("items".into(), items.to_schema());
            s
        } else if let Some(object) = &self.object {
            object.to_schema()
        } else {
            Map::new()
        };
        if self.null && self.kinds() == 1 {
            schema.insert("nullable".into(), json!(true));
        }
        Value::Object(schema)
    }

    /// The schema of an object's property named `key`: tolerant of null, and an id reference
    /// when the name and the values say id.
    fn property_schema(&self, key: &str) -> Value {
        let schema = match id_name(key) {
            Some(IdName::One) if self.looks_like_id() => lenient_id_ref(),
            Some(IdName::Many)
                if self.kinds() == 1 && self.array.as_ref().is_some_and(|a| a.looks_like_id()) =>
            {
                let mut s = typed("array");
                s.insert("items".into(), lenient_id_ref());
                Value::Object(s)
            }
            _ => self.to_schema(),
        };
        nullable(schema)
    }
}

/// Whether a field's name says it holds an id, or a list of ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdName {
    One,
    Many,
}

fn id_name(key: &str) -> Option<IdName> {
    let key = key.trim_end_matches('_');
    let lower = key.to_ascii_lowercase();
    let camel = |suffix: &str| {
        key.strip_suffix(suffix)
            .is_some_and(|stem| stem.ends_with(|c: char| c.is_ascii_lowercase()))
    };
    if matches!(lower.as_str(), "id" | "pk")
        || ["_id", "_pk", "_fbid"].iter().any(|s| lower.ends_with(s))
        || camel("Id")
    {
        return Some(IdName::One);
    }
    if ["_ids", "_pks"].iter().any(|s| lower.ends_with(s)) || camel("Ids") {
        return Some(IdName::Many);
    }
    None
}

/// `schema`, also accepting null (references are wrapped, as 3.0 ignores `$ref` siblings).
fn nullable(schema: Value) -> Value {
    match schema {
        Value::Object(mut m) if m.contains_key("$ref") => {
            let reference = Value::Object(std::mem::take(&mut m));
            json!({"allOf": [reference], "nullable": true})
        }
        Value::Object(mut m) if !m.is_empty() => {
            m.insert("nullable".into(), json!(true));
            Value::Object(m)
        }
        other => other,
    }
}

impl ObjectShape {
    fn to_schema(&self) -> Map<String, Value> {
        let mut s = typed("object");
        if is_keyed_map(self.fields.iter().map(|f| f.key.as_str())) {
            let mut values = Shape::default();
            for f in &self.fields {
                values.merge(&f.shape);
            }
            s.insert("additionalProperties".into(), values.to_schema());
            return s;
        }
        let mut properties = Map::new();
        let mut present = Vec::new();
        let mut null = Vec::new();
        for f in &self.fields {
            properties.insert(f.key.clone(), f.shape.property_schema(&f.key));
            if f.count == self.samples {
                present.push(json!(f.key));
            }
            if f.shape.null {
                null.push(json!(f.key));
            }
        }
        s.insert("properties".into(), Value::Object(properties));
        let mut observed = Map::new();
        observed.insert("present".into(), Value::Array(present));
        if !null.is_empty() {
            observed.insert("null".into(), Value::Array(null));
        }
        s.insert(INFERRED.into(), Value::Object(observed));
        s
    }
}

impl Shape {
    /// Folds another position's shape into this one (map values, array items).
    fn merge(&mut self, other: &Shape) {
        self.null |= other.null;
        self.boolean |= other.boolean;
        self.float |= other.float;
        self.integer = match (self.integer, other.integer) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (x, y) => x.or(y),
        };
        self.string = match (self.string, other.string) {
            (Some(a), Some(b)) => Some(a && b),
            (x, y) => x.or(y),
        };
        if let Some(items) = &other.array {
            self.array.get_or_insert_with(Box::default).merge(items);
        }
        if let Some(obj) = &other.object {
            let mine = self.object.get_or_insert_with(ObjectShape::default);
            mine.samples += obj.samples;
            for f in &obj.fields {
                let field = mine.field(&f.key);
                field.shape.merge(&f.shape);
                field.count += f.count;
            }
        }
    }
}

fn typed(ty: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(ty));
    m
}

/// RFC 3339 / ISO 8601 date-times with a zone (`Z` or an offset), as the vendors send them.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if !matches!(b[10], b'T' | b't' | b' ') || !digits(11..13) || b[13] != b':' || !digits(14..16) {
        return false;
    }
    if b[16] != b':' || !digits(17..19) {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

/// A schema that every one of `samples` satisfies, as tight as the samples allow.
pub fn infer<'a>(samples: impl IntoIterator<Item = &'a Value>) -> Value {
    let mut shape = Shape::default();
    for sample in samples {
        shape.add(sample);
    }
    shape.to_schema()
}

/// Whether a schema says nothing about its value's shape (`{}`, or an object without
/// properties), so that examples should speak instead.
pub fn is_empty_schema(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    let meaningful = [
        "$ref",
        "allOf",
        "oneOf",
        "anyOf",
        "items",
        "additionalProperties",
        "enum",
    ];
    if meaningful.iter().any(|k| map.contains_key(*k)) {
        return false;
    }
    let props_empty = map
        .get("properties")
        .and_then(Value::as_object)
        .is_none_or(Map::is_empty);
    match map.get("type").and_then(Value::as_str) {
        None | Some("object") => props_empty,
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_types() {
        assert_eq!(infer([&json!(true)]), json!({"type": "boolean"}));
        assert_eq!(infer([&json!("a")]), json!({"type": "string"}));
        assert_eq!(
            infer([&json!(1)]),
            json!({"type": "integer", "format": "int64"})
        );
        assert_eq!(infer([&json!(1.5)]), json!({"type": "number"}));
    }

    #[test]
    fn a_fraction_anywhere_makes_a_number() {
        assert_eq!(
            infer([&json!([1, 0.5, 2])]),
            json!({"type": "array", "items": {"type": "number"}})
        );
    }

    #[test]
    fn ids_beyond_two_to_the_53_stay_integers() {
        assert_eq!(
            infer([&json!(3772053608293416704_i64)]),
            json!({"type": "integer", "format": "int64"})
        );
        assert_eq!(
            infer([&json!(18446744073709551615_u64)]),
            json!({"type": "integer", "format": "uint64"})
        );
    }

    #[test]
    fn nulls_make_nullable() {
        assert_eq!(
            infer([&json!("a"), &Value::Null]),
            json!({"type": "string", "nullable": true})
        );
    }

    #[test]
    fn only_nulls_or_empty_arrays_stay_untyped() {
        assert_eq!(infer([&Value::Null]), json!({}));
        assert_eq!(infer([&json!([])]), json!({"type": "array", "items": {}}));
    }

    #[test]
    fn mixed_kinds_stay_untyped() {
        assert_eq!(infer([&json!("a"), &json!(1)]), json!({}));
    }

    #[test]
    fn iso_timestamps_are_date_times() {
        for ts in [
            "2025-11-23T07:44:11+00:00",
            "2026-04-08T14:31:15Z",
            "2026-02-27T18:36:42.000Z",
        ] {
            assert_eq!(
                infer([&json!(ts)]),
                json!({"type": "string", "format": "date-time"}),
                "{ts}"
            );
        }
        assert_eq!(
            infer([&json!("2025-11-23T07:44:11+00:00"), &json!("later")]),
            json!({"type": "string"})
        );
        assert_eq!(infer([&json!("2025-11-23")]), json!({"type": "string"}));
    }

    #[test]
    fn keys_that_are_ids_make_a_map() {
        for key in [
            "0",
            "12",
            "17841400008460056",
            "highlight:18085475671830440",
            "media_3488593813459287",
        ] {
            assert!(is_map_key(key), "{key}");
        }
        for key in ["id", "v2", "x:1", "highlight:", "user_id", "über:123456"] {
            assert!(!is_map_key(key), "{key}");
        }
        let v = json!({"highlight:18085475671830440": {"id": "1"}, "highlight:17890000000000001": {"id": "2"}});
        assert_eq!(infer([&v])["additionalProperties"]["type"], "object");
    }

    #[test]
    fn positional_keys_make_a_map() {
        let v = json!({"0": {"title": "a", "t": "b"}, "1": {"title": "c"}});
        assert_eq!(
            infer([&v]),
            json!({"type": "object", "additionalProperties": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "nullable": true},
                    "t": {"type": "string", "nullable": true}
                },
                "x-inferred": {"present": ["title"]}
            }})
        );
    }

    #[test]
    fn properties_are_optional_and_nullable_and_the_examples_are_recorded() {
        let v = json!([{"a": 1.5, "b": null}, {"a": 2, "b": "x", "c": true}]);
        assert_eq!(
            infer([&v]),
            json!({"type": "array", "items": {
                "type": "object",
                "properties": {
                    "a": {"type": "number", "nullable": true},
                    "b": {"type": "string", "nullable": true},
                    "c": {"type": "boolean", "nullable": true}
                },
                "x-inferred": {"present": ["a", "b"], "null": ["b"]}
            }})
        );
    }

    #[test]
    fn several_samples_merge() {
        assert_eq!(
            infer([&json!({"a": true}), &json!({"b": "x"})]),
            json!({"type": "object", "properties": {
                "a": {"type": "boolean", "nullable": true}, "b": {"type": "string", "nullable": true}
            }, "x-inferred": {"present": []}})
        );
    }

    #[test]
    fn fields_named_like_ids_accept_strings_and_numbers() {
        let id = json!({"allOf": [{"$ref": "#/components/schemas/LenientId"}], "nullable": true});
        let v = json!({
            "pk": "3772053608293416704", "id": 1, "user_id": "7", "entityId": "highlight:1",
            "strong_id__": "1_2", "media_ids": [1, 2], "valid": true, "taken_id_at": 1.5,
            "ts_id": "2026-01-01T00:00:00Z", "idle": "x", "Id": 3
        });
        let schema = infer([&v]);
        let props = &schema["properties"];
        for key in ["pk", "id", "user_id", "entityId", "strong_id__", "Id"] {
            assert_eq!(props[key], id, "{key}");
        }
        assert_eq!(
            props["media_ids"]["items"]["$ref"],
            "#/components/schemas/LenientId"
        );
        // A fraction or a timestamp is no id, whatever the name; nor is `idle`.
        assert_eq!(props["taken_id_at"]["type"], "number");
        assert_eq!(props["ts_id"]["format"], "date-time");
        assert_eq!(props["idle"]["type"], "string");
    }

    #[test]
    fn wide_objects_keep_every_key() {
        let wide: Map<String, Value> = (0..40_000)
            .map(|i| (format!("key_{i}"), json!(i)))
            .collect();
        let schema = infer([&Value::Object(wide)]);
        assert_eq!(schema["properties"].as_object().map(Map::len), Some(40_000));
    }

    #[test]
    fn recognises_empty_schemas() {
        assert!(is_empty_schema(&json!({})));
        assert!(is_empty_schema(
            &json!({"type": "object", "properties": {}})
        ));
        assert!(is_empty_schema(
            &json!({"type": "object", "example": {"a": 1}})
        ));
        assert!(!is_empty_schema(&json!({"type": "string"})));
        assert!(!is_empty_schema(&json!({"$ref": "#/x"})));
    }
}
