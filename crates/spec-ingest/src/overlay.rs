//! OpenAPI Overlay 1.0: hand-written fixes applied to the canonical document, each action a
//! JSONPath `target` with an `update` (merged in) or `remove: true`.

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::ErrorKind;
use crate::fault::Fault;

/// What one action did: the document pointers it matched, and whether it removed them.
#[derive(Debug, Clone)]
pub struct Applied {
    pub targets: Vec<String>,
    pub removed: bool,
}

/// Applies every action of an overlay document, in order; returns what each did. Faults point
/// into the overlay.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<Vec<Applied>, Fault> {
    let version = overlay.get("overlay").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("1.") {
        return Err(Fault::new(
            ErrorKind::Overlay,
            "/overlay",
            "an overlay must start with `overlay: 1.0.0`",
        ));
    }
    let Some(actions) = overlay.get("actions").and_then(Value::as_array) else {
        return Err(Fault::new(
            ErrorKind::Overlay,
            "/actions",
            "an overlay needs a list of `actions`",
        ));
    };
    let mut applied = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let at = format!("/actions/{i}");
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Fault::new(
                    ErrorKind::Overlay,
                    &at,
                    "an action needs a `target` JSONPath",
                )
            })?;
        let path = JsonPath::parse(target).map_err(|e| {
            Fault::new(
                ErrorKind::Overlay,
                &format!("{at}/target"),
                format!("`{target}` is not a JSONPath: {e}"),
            )
        })?;
        let pointers: Vec<String> = path
            .query_located(doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            return Err(Fault::new(
                ErrorKind::Overlay,
                &format!("{at}/target"),
                format!("`{target}` matches nothing; the vendor's docs may have changed"),
            ));
        }
        let remove = action
            .get("remove")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match (remove, action.get("update")) {
            (true, _) => {
                // Last first, so earlier array indices stay valid.
                for ptr in pointers.iter().rev() {
                    remove_at(doc, ptr);
                }
            }
            (false, Some(update)) => {
                for ptr in &pointers {
                    if let Some(node) = doc.pointer_mut(ptr) {
                        merge(node, update);
                    }
                }
            }
            (false, None) => {
                return Err(Fault::new(
                    ErrorKind::Overlay,
                    &at,
                    "an action needs `update` or `remove: true`",
                ));
            }
        }
        applied.push(Applied {
            targets: pointers,
            removed: remove,
        });
    }
    Ok(applied)
}

/// The place in the overlay that explains a fault found in the document after it was applied:
/// the update that wrote the faulty place, or the removal of what a reference points at.
/// Returns a pointer into the overlay document.
pub fn explaining_action(
    overlay: &Value,
    applied: &[Applied],
    fault_pointer: &str,
    message: &str,
) -> Option<String> {
    for (i, action) in applied.iter().enumerate().rev() {
        for target in &action.targets {
            if action.removed {
                let under = |p: &str| p == target || p.starts_with(&format!("{target}/"));
                if under(fault_pointer)
                    || message.contains(&format!("`#{target}`"))
                    || message.contains(&format!("`#{target}/"))
                {
                    return Some(format!("/actions/{i}/remove"));
                }
                continue;
            }
            let Some(rest) = fault_pointer.strip_prefix(target.as_str()) else {
                continue;
            };
            if !(rest.is_empty() || rest.starts_with('/')) {
                continue;
            }
            let update = overlay.pointer(&format!("/actions/{i}/update"))?;
            // The deepest part of the fault's place that this update wrote.
            let mut written = rest;
            loop {
                if update.pointer(written).is_some() && !written.is_empty() {
                    return Some(format!("/actions/{i}/update{written}"));
                }
                match written.rfind('/') {
                    Some(cut) => written = &written[..cut],
                    None => break,
                }
            }
        }
    }
    None
}

/// Overlay merge: maps merge key by key, lists append, anything else is replaced.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                match t.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => t.extend(u.iter().cloned()),
        (Value::Array(t), u) => t.push(u.clone()),
        (t, u) => *t = u.clone(),
    }
}

fn remove_at(doc: &mut Value, ptr: &str) {
    let Some(cut) = ptr.rfind('/') else { return };
    let (parent, last) = (&ptr[..cut], crate::walk::unescape_segment(&ptr[cut + 1..]));
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"paths": {"/a": {"get": {"summary": "s", "tags": ["x"]}, "post": {"summary": "p"}}}})
    }

    #[test]
    fn update_merges_maps_and_appends_lists() {
        let mut d = doc();
        let overlay = json!({"overlay": "1.0.0", "actions": [
            {"target": "$.paths['/a'].get", "update": {"operationId": "getA", "tags": ["y"]}}
        ]});
        apply(&mut d, &overlay).expect("applies");
        assert_eq!(
            d["paths"]["/a"]["get"],
            json!({"summary": "s", "tags": ["x", "y"], "operationId": "getA"})
        );
    }

    #[test]
    fn remove_deletes_every_match() {
        let mut d = doc();
        let overlay = json!({"overlay": "1.0.0", "actions": [{"target": "$.paths.*.*.summary", "remove": true}]});
        apply(&mut d, &overlay).expect("applies");
        assert_eq!(
            d,
            json!({"paths": {"/a": {"get": {"tags": ["x"]}, "post": {}}}})
        );
    }

    #[test]
    fn a_target_that_matches_nothing_is_an_error() {
        let mut d = doc();
        let overlay =
            json!({"overlay": "1.0.0", "actions": [{"target": "$.paths['/b']", "remove": true}]});
        let fault = apply(&mut d, &overlay).expect_err("stale target");
        assert_eq!(fault.pointer, "/actions/0/target");
        assert!(fault.message.contains("matches nothing"));
    }

    #[test]
    fn malformed_overlays_are_errors() {
        let mut d = doc();
        assert!(apply(&mut d, &json!({"actions": []})).is_err());
        let bad_path = json!({"overlay": "1.0.0", "actions": [{"target": "$[", "remove": true}]});
        assert_eq!(
            apply(&mut d, &bad_path).expect_err("bad path").pointer,
            "/actions/0/target"
        );
        let no_op = json!({"overlay": "1.0.0", "actions": [{"target": "$.paths"}]});
        assert_eq!(
            apply(&mut d, &no_op).expect_err("no update").pointer,
            "/actions/0"
        );
    }
}
