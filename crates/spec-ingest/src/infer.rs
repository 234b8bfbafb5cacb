//! Schemas inferred from example values, for bodies the vendor documents only by example.
//!
//! Rules: JSON types map to schema types; a null makes a field nullable; integers stay integers
//! (`int64`, or `uint64` beyond i64) and any fraction makes a number; strings that are all ISO
//! 8601 timestamps get `format: date-time`; objects whose keys are all positions (`"0"`, `"1"`, …)
//! are maps; array items merge across every element; a field is required only when every
//! sample has it; values seen only as null or in empty arrays stay untyped.

use serde_json::{Map, Value, json};

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
struct ObjectShape {
    samples: usize,
    /// Field shapes in first-seen order, with how many samples had the field.
    fields: Vec<(String, Shape, usize)>,
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
                    match object.fields.iter_mut().find(|(k, _, _)| k == key) {
                        Some((_, shape, count)) => {
                            shape.add(v);
                            *count += 1;
                        }
                        None => {
                            let mut shape = Shape::default();
                            shape.add(v);
                            object.fields.push((key.clone(), shape, 1));
                        }
                    }
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
}

impl ObjectShape {
    fn to_schema(&self) -> Map<String, Value> {
        let mut s = typed("object");
        let positional = !self.fields.is_empty()
            && self
                .fields
                .iter()
                .all(|(k, _, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()));
        if positional {
            let mut values = Shape::default();
            for (_, shape, _) in &self.fields {
                values.merge(shape);
            }
            s.insert("additionalProperties".into(), values.to_schema());
            return s;
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (key, shape, count) in &self.fields {
            properties.insert(key.clone(), shape.to_schema());
            if *count == self.samples {
                required.push(json!(key));
            }
        }
        s.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            s.insert("required".into(), Value::Array(required));
        }
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
            for (key, shape, count) in &obj.fields {
                match mine.fields.iter_mut().find(|(k, _, _)| k == key) {
                    Some((_, s, c)) => {
                        s.merge(shape);
                        *c += count;
                    }
                    None => mine.fields.push((key.clone(), shape.clone(), *count)),
                }
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
    fn positional_keys_make_a_map() {
        let v = json!({"0": {"id": "1", "t": "a"}, "1": {"id": "2"}});
        assert_eq!(
            infer([&v]),
            json!({"type": "object", "additionalProperties": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "t": {"type": "string"}},
                "required": ["id"]
            }})
        );
    }

    #[test]
    fn array_items_merge_and_required_needs_every_sample() {
        let v = json!([{"a": 1, "b": null}, {"a": 2, "b": "x", "c": true}]);
        assert_eq!(
            infer([&v]),
            json!({"type": "array", "items": {
                "type": "object",
                "properties": {
                    "a": {"type": "integer", "format": "int64"},
                    "b": {"type": "string", "nullable": true},
                    "c": {"type": "boolean"}
                },
                "required": ["a", "b"]
            }})
        );
    }

    #[test]
    fn several_samples_merge() {
        assert_eq!(
            infer([&json!({"a": 1}), &json!({"b": 2})]),
            json!({"type": "object", "properties": {
                "a": {"type": "integer", "format": "int64"}, "b": {"type": "integer", "format": "int64"}
            }})
        );
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
