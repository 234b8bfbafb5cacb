//! The generated types stay the contract the normalizers' own views are checked against: every
//! documented example of every routed operation — and every variant of it with one field
//! removed — is normalized twice, from its bytes (the view) and from what the generated type
//! decodes and encodes again (the contract). Both must give the same outcome, so a field the
//! view reads that the generated type does not have, or reads differently, fails here.

use domain::{NormalizeError, Normalized, RawResponse};
use serde_json::Value;

fn normalize(
    vendor: &str,
    op: &str,
    status: u16,
    body: &Value,
) -> Result<Normalized, NormalizeError> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|e| panic!("{e}"));
    stories::normalize(
        vendor,
        op,
        RawResponse {
            status,
            retry_after_seconds: None,
            body: &bytes,
        },
    )
}

/// `body` with the member at each object position removed, one at a time (the first item of
/// each list stands for its siblings).
fn removals(body: &Value) -> Vec<Value> {
    fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let here = format!("{at}/{}", canonical::pointer::escape(k));
                    out.push(here.clone());
                    pointers(v, &here, out);
                }
            }
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    pointers(first, &format!("{at}/0"), out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    pointers(body, "", &mut found);
    found
        .iter()
        .filter_map(|pointer| {
            let (parent, key) = pointer.rsplit_once('/')?;
            let mut copy = body.clone();
            let key = key.replace("~1", "/").replace("~0", "~");
            copy.pointer_mut(parent)?
                .as_object_mut()?
                .shift_remove(&key);
            Some(copy)
        })
        .collect()
}

#[test]
fn views_and_generated_types_read_every_example_alike() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for vendor in stories::VENDORS {
        let routed: Vec<&str> = vendor
            .normalizer
            .routes
            .iter()
            .map(|r| r.operation)
            .collect();
        for example in vendor.facts.response_examples() {
            let op = example.operation_id.as_str();
            if !routed.contains(&op) {
                continue;
            }
            let status: u16 = example.status.parse().unwrap_or(200);
            let Some(decode) = vendor
                .facts
                .operation(op)
                .and_then(|o| o.bodies.for_status(status))
            else {
                continue;
            };
            let mut bodies = vec![(true, example.body.clone())];
            bodies.extend(removals(&example.body).into_iter().map(|b| (false, b)));
            for (documented, body) in bodies {
                let bytes = serde_json::to_vec(&body).unwrap_or_default();
                let through_contract = match decode(&bytes) {
                    Ok(again) => again,
                    // A field the vendor's schema requires (KonbiniAPI) is part of the
                    // contract: without it there is nothing to compare against.
                    Err(_) if !documented => continue,
                    Err(e) => {
                        failures.push(format!(
                            "{} {op} {status}: the generated type refuses it: {e}",
                            vendor.name()
                        ));
                        continue;
                    }
                };
                let view = normalize(vendor.name(), op, status, &body).map(|n| n.outcome);
                let contract =
                    normalize(vendor.name(), op, status, &through_contract).map(|n| n.outcome);
                match (view, contract) {
                    (Ok(a), Ok(b)) if a == b => {}
                    (Err(_), Err(_)) => {}
                    (a, b) => failures.push(format!(
                        "{} {op} {status}: the view gives {a:?}\nthe generated type gives {b:?}",
                        vendor.name()
                    )),
                }
                compared += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(compared > 500, "only {compared} bodies compared");
}
