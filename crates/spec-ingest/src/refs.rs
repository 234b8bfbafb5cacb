//! Every local `$ref` must point at something.

use serde_json::Value;

use crate::error::ErrorKind;
use crate::fault::Fault;

/// What `value` stands for: its local `$ref` followed (a chain of them too), or itself when it
/// is no reference or points at nothing.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..16 {
        match current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

/// Finds the first `$ref` whose target does not exist.
pub fn check_refs(doc: &Value) -> Result<(), Fault> {
    let mut stack = vec![(String::new(), doc)];
    while let Some((ptr, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let target = r.strip_prefix('#').map(|p| doc.pointer(p));
                    if !matches!(target, Some(Some(_))) {
                        return Err(Fault::new(
                            ErrorKind::DanglingRef,
                            &format!("{ptr}/$ref"),
                            format!("`$ref` `{r}` points at nothing"),
                        ));
                    }
                }
                // Reverse so the first reference in document order is reported first.
                for (k, v) in map.iter().rev() {
                    stack.push((format!("{ptr}/{}", crate::yaml::escape_segment(k)), v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    stack.push((format!("{ptr}/{i}"), v));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_the_first_dangling_ref() {
        let doc = json!({
            "components": {"schemas": {"A": {"type": "string"}}},
            "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"properties": {"a": {"$ref": "#/components/schemas/A"}, "b": {"$ref": "#/components/schemas/B"}}}
            }}}}}}}
        });
        let fault = check_refs(&doc).expect_err("B is missing");
        assert_eq!(fault.kind, ErrorKind::DanglingRef);
        assert!(
            fault.pointer.ends_with("/properties/b/$ref"),
            "{}",
            fault.pointer
        );
        assert!(fault.message.contains("#/components/schemas/B"));
    }

    #[test]
    fn accepts_resolvable_refs() {
        let doc =
            json!({"components": {"schemas": {"A": {}, "B": {"$ref": "#/components/schemas/A"}}}});
        assert!(check_refs(&doc).is_ok());
    }
}
