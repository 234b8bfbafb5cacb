//! Every local `$ref` must point at something that can stand where it does, and following
//! references must end: no reference to a place that holds it (`#`, `#/paths`), no schema
//! that is only a reference to itself, no schema reference to something that is not a schema.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::ErrorKind;
use crate::fault::Fault;

/// True for `#/components/<section>/<name>`, the only references progenitor follows.
pub(crate) fn is_component_ref(r: &str) -> bool {
    let Some(rest) = r.strip_prefix("#/components/") else {
        return false;
    };
    rest.split('/').count() == 2
}

/// Where a schema may stand: under a component schema, or a `schema` of something, and not
/// inside a value (an example, a default, an extension).
pub(crate) fn is_schema_pointer(r: &str) -> bool {
    let in_value = r.split('/').any(|s| {
        matches!(s, "example" | "examples" | "default" | "enum" | "const") || s.starts_with("x-")
    });
    let segments: Vec<&str> = r.split('/').collect();
    let component = segments.len() > 3 && segments[1..3] == ["components", "schemas"];
    (component || segments.contains(&"schema")) && !in_value
}

/// Why the reference `r` at `site` (the pointer of the object holding it) cannot be followed,
/// if it cannot.
fn unfollowable(r: &str, site: &str) -> Option<String> {
    // The document, its `paths`, `info`, `components` and their sections are no Reference
    // Objects' places: a `$ref` there would stand for the whole of them.
    let structural = matches!(site, "" | "/paths" | "/info" | "/components")
        || site
            .strip_prefix("/components/")
            .is_some_and(|section| !section.contains('/'));
    if structural {
        return Some(format!(
            "`$ref` `{r}` stands at `{}`, where OpenAPI allows no reference",
            if site.is_empty() { "/" } else { site }
        ));
    }
    let target = r.strip_prefix('#')?;
    let holds_site = target.is_empty() || site == target || site.starts_with(&format!("{target}/"));
    if holds_site && (!is_component_ref(r) || site == target) {
        return Some(format!(
            "`$ref` `{r}` points at a place that holds this reference itself, so following it never ends"
        ));
    }
    let at_schema = is_schema_pointer(&format!("#{site}"));
    (at_schema && !is_schema_pointer(r)).then(|| {
        format!(
            "`$ref` `{r}` stands where a schema does but points at something that is not a schema"
        )
    })
}

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
                    if let Some(why) = unfollowable(r, &ptr) {
                        return Err(Fault::new(
                            ErrorKind::DanglingRef,
                            &format!("{ptr}/$ref"),
                            why,
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
    reference_cycles(doc)
}

/// Component schemas that are nothing but a reference, followed: a chain that comes back
/// (`A` → `B` → `A`) names no type at all, and the client would not compile.
fn reference_cycles(doc: &Value) -> Result<(), Fault> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let bare_ref = |name: &str| -> Option<String> {
        let schema = schemas.get(name)?.as_object()?;
        let r = schema.get("$ref")?.as_str()?;
        let rest = r.strip_prefix("#/components/schemas/")?;
        (!rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
    };
    for start in schemas.keys() {
        let mut seen = BTreeSet::from([start.as_str().to_owned()]);
        let mut chain = vec![start.clone()];
        let mut current = start.clone();
        while let Some(next) = bare_ref(&current) {
            chain.push(next.clone());
            if next == *start {
                return Err(Fault::new(
                    ErrorKind::DanglingRef,
                    &format!(
                        "/components/schemas/{}/$ref",
                        crate::yaml::escape_segment(start)
                    ),
                    format!(
                        "the schema `{start}` is only a reference to itself ({}): it names no type",
                        chain.join(" → ")
                    ),
                ));
            }
            if !seen.insert(next.clone()) {
                // A cycle that `start` leads into; it is reported from one of its own members.
                break;
            }
            current = next;
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
    fn references_that_never_end_are_refused_at_their_place() {
        let op = |schema: Value| {
            json!({"paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": schema
            }}}}}}}, "components": {"schemas": {"A": {"type": "string"}}}})
        };
        let mut top = op(json!({}));
        top["$ref"] = json!("#/paths");
        let fault = check_refs(&top).expect_err("a document cannot be a reference");
        assert_eq!(fault.pointer, "/$ref");
        assert!(
            fault.message.contains("where OpenAPI allows no reference"),
            "{}",
            fault.message
        );
        for (r, why) in [
            ("#", "holds this reference itself"),
            ("#/paths", "holds this reference itself"),
            ("#/info", "not a schema"),
            ("#/components/schemas", "not a schema"),
        ] {
            let mut doc = op(json!({"properties": {"a": {"$ref": r}}}));
            doc["info"] = json!({"title": "t"});
            let fault = check_refs(&doc).expect_err(r);
            assert!(fault.message.contains(why), "{r}: {}", fault.message);
            assert!(
                fault.pointer.ends_with("/properties/a/$ref"),
                "{}",
                fault.pointer
            );
        }
        let cycle = json!({"components": {"schemas": {
            "Story": {"$ref": "#/components/schemas/Story"},
        }}});
        let fault = check_refs(&cycle).expect_err("a schema that is itself");
        assert_eq!(fault.pointer, "/components/schemas/Story/$ref");
        let cycle = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
        }}});
        let fault = check_refs(&cycle).expect_err("two schemas that are each other");
        assert!(fault.message.contains("A → B → A"), "{}", fault.message);
    }

    #[test]
    fn recursive_types_and_deep_schema_refs_are_fine() {
        let doc = json!({"components": {"schemas": {
            "Node": {"properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}},
            "Disk": {"properties": {"fs": {"type": "string"}}},
            "Use": {"properties": {"fs": {"$ref": "#/components/schemas/Disk/properties/fs"}}},
        }}});
        assert!(check_refs(&doc).is_ok());
    }

    #[test]
    fn accepts_resolvable_refs() {
        let doc =
            json!({"components": {"schemas": {"A": {}, "B": {"$ref": "#/components/schemas/A"}}}});
        assert!(check_refs(&doc).is_ok());
    }
}
