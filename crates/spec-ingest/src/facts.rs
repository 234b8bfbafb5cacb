//! The facts a vendor's pages leave out, from its manifest: base URL, auth scheme, default cost
//! per call and credit headers, written into the canonical document.

use serde_json::{Value, json};

use crate::manifest::{Auth, Manifest};
use crate::walk;

/// The facts the pages leave out: base URL, auth scheme, default cost, credit headers.
pub fn add_manifest_facts(doc: &mut Value, manifest: &Manifest) {
    doc["servers"] = json!([{"url": manifest.base_url}]);
    let scheme = match &manifest.auth {
        Auth::Bearer => json!({"type": "http", "scheme": "bearer"}),
        Auth::Header { name } => json!({"type": "apiKey", "in": "header", "name": name}),
    };
    let schemes_missing = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .is_none_or(|s| s.is_empty());
    if schemes_missing {
        doc["components"]["securitySchemes"] = json!({"apiKey": scheme});
        doc["security"] = json!([{"apiKey": []}]);
    }
    for (_, _, op) in walk::operations_mut(doc) {
        if let Some(op) = op.as_object_mut() {
            op.entry("x-cost").or_insert_with(|| {
                json!({"amount": manifest.cost.amount, "unit": manifest.cost.unit, "source": "manifest"})
            });
        }
    }
    let mut vendor = json!({
        "name": manifest.vendor,
        "displayName": manifest.display_name,
        "auth": match &manifest.auth {
            Auth::Bearer => json!({"kind": "bearer"}),
            Auth::Header { name } => json!({"kind": "header", "name": name}),
        },
        "cost": {"amount": manifest.cost.amount, "unit": manifest.cost.unit},
    });
    if let Some(note) = &manifest.cost.note {
        vendor["cost"]["note"] = json!(note);
    }
    if let Some(h) = &manifest.credit_headers.remaining {
        vendor["creditHeaders"]["remaining"] = json!(h);
    }
    if let Some(h) = &manifest.credit_headers.used {
        vendor["creditHeaders"]["used"] = json!(h);
    }
    doc["x-vendor"] = vendor;
}
