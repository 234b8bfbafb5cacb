//! Following local `$ref`s, within a bound (a document may refer to itself in a cycle).

use serde_json::Value;

/// What `value` stands for: its `$ref` chain followed, or itself.
pub(crate) fn follow<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..32 {
        let Some(target) = current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        else {
            break;
        };
        current = target;
    }
    current
}

/// The `$ref` of `value`, if it is one: the name cycles are told by.
pub(crate) fn ref_of(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}
