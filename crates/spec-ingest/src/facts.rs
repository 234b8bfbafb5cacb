//! The facts a client needs beyond its operations — base URL, auth scheme, cost per call,
//! credit headers — from the manifest where it says, else from the document, written into the
//! canonical document (`servers`, `securitySchemes`, `x-cost`, `x-vendor`).

use serde_json::{Map, Value, json};

use crate::fault::Fault;
use crate::manifest::{Auth, Cost, CreditHeaders, Manifest, is_header_name};
use crate::walk;

/// One vendor as its client sees it: the manifest completed from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorInfo {
    pub vendor: String,
    pub display_name: String,
    pub crate_name: String,
    pub base_url: String,
    pub auth: Auth,
    /// The cost of a call when a page states none.
    pub cost: Cost,
    pub credit_headers: CreditHeaders,
}

/// The first server's URL, its variables replaced by their defaults; `Err` with what the
/// document has (a relative URL, or nothing) when that is not an absolute URL.
fn server_url(doc: &Value) -> Result<String, String> {
    let url = first_server_url(doc).ok_or_else(String::new)?;
    let absolute = (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(['{', '}', ' ']);
    if absolute {
        Ok(url.trim_end_matches('/').to_owned())
    } else {
        Err(url)
    }
}

fn first_server_url(doc: &Value) -> Option<String> {
    let server = doc.get("servers")?.as_array()?.first()?;
    let mut url = server.get("url")?.as_str()?.to_owned();
    for (name, var) in server
        .get("variables")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(default) = var.get("default").and_then(Value::as_str) {
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    Some(url)
}

/// The scheme the document asks for first (top level, else the first operation's).
fn first_scheme(doc: &Value) -> Option<(String, Value)> {
    let requirement = |security: &Value| {
        security
            .as_array()?
            .iter()
            .find_map(|r| r.as_object()?.keys().next().cloned())
    };
    let name = doc.get("security").and_then(requirement).or_else(|| {
        walk::operations(doc)
            .into_iter()
            .find_map(|(_, _, op)| op.get("security").and_then(requirement))
    })?;
    let scheme = doc
        .pointer(&format!(
            "/components/securitySchemes/{}",
            crate::yaml::escape_segment(&name)
        ))?
        .clone();
    Some((name, scheme))
}

/// How the document says the key travels; `None` (with a note) for schemes a key-carrying
/// client cannot follow.
fn auth_from(doc: &Value, notes: &mut Vec<String>) -> Result<Auth, Fault> {
    let Some((name, scheme)) = first_scheme(doc) else {
        return Ok(Auth::None);
    };
    let kind = scheme
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let http = scheme
        .get("scheme")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let location = scheme.get("in").and_then(Value::as_str).unwrap_or_default();
    match (kind, http.as_str(), location) {
        ("http", "bearer", _) | ("oauth2" | "openIdConnect", _, _) => Ok(Auth::Bearer),
        ("apiKey", _, "header") => {
            let header = scheme
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !is_header_name(header) {
                notes.push(format!(
                    "the security scheme `{name}` names the header {header:?}, which is not an HTTP header name; the client sends no key (set `auth` in vendor.toml)"
                ));
                return Ok(Auth::None);
            }
            Ok(Auth::Header {
                name: header.to_owned(),
            })
        }
        _ => {
            notes.push(format!(
                "the security scheme `{name}` ({kind}{}) cannot carry an API key in a header; the client sends none (set `auth` in vendor.toml to send one)",
                if http.is_empty() { String::new() } else { format!(" {http}") }
            ));
            Ok(Auth::None)
        }
    }
}

/// Completes the manifest from the document and writes the facts into it; returns them, and
/// notes about what the document asked for that a client cannot do.
pub fn complete(
    doc: &mut Value,
    manifest: &Manifest,
    notes: &mut Vec<String>,
) -> Result<VendorInfo, Fault> {
    let base_url = match &manifest.base_url {
        Some(url) => url.clone(),
        None => server_url(doc).unwrap_or_else(|relative| {
            // Documents served by the API itself often give `/api/v3` or no server at all:
            // the client still works, given the deployment's address.
            notes.push(format!(
                "the document gives no absolute server URL{}; BASE_URL is {relative:?}: pass your deployment's address to Client::new, or add `base_url` to vendor.toml",
                if relative.is_empty() { String::new() } else { format!(" (only {relative:?})") }
            ));
            relative
        }),
    };
    let auth = match &manifest.auth {
        Some(auth) => auth.clone(),
        None => auth_from(doc, notes)?,
    };
    let (cost, cost_source) = match &manifest.cost {
        Some(cost) => (cost.clone(), "manifest"),
        None => (
            Cost {
                amount: 1,
                unit: "request".to_owned(),
                note: None,
            },
            "default",
        ),
    };
    if base_url.is_empty() {
        if let Some(root) = doc.as_object_mut() {
            root.shift_remove("servers");
        }
    } else {
        doc["servers"] = json!([{"url": base_url}]);
    }
    // The manifest's auth replaces the document's schemes only where they disagree, so the
    // vendor's own description of its scheme stays.
    if manifest.auth.is_some() && auth_from(doc, &mut Vec::new()).ok().as_ref() != Some(&auth) {
        set_auth(doc, &auth);
    }
    for (_, _, op) in walk::operations_mut(doc) {
        if let Some(op) = op.as_object_mut() {
            op.entry(canonical::COST).or_insert_with(
                || json!({"amount": cost.amount, "unit": cost.unit, "source": cost_source}),
            );
        }
    }
    let mut vendor = json!({
        "name": manifest.vendor,
        "displayName": manifest.display_name,
        "auth": match &auth {
            Auth::Bearer => json!({"kind": "bearer"}),
            Auth::Header { name } => json!({"kind": "header", "name": name}),
            Auth::None => json!({"kind": "none"}),
        },
        "cost": {"amount": cost.amount, "unit": cost.unit},
    });
    if let Some(note) = &cost.note {
        vendor["cost"]["note"] = json!(note);
    }
    if let Some(h) = &manifest.credit_headers.remaining {
        vendor["creditHeaders"]["remaining"] = json!(h);
    }
    if let Some(h) = &manifest.credit_headers.used {
        vendor["creditHeaders"]["used"] = json!(h);
    }
    doc["x-vendor"] = vendor;
    Ok(VendorInfo {
        vendor: manifest.vendor.clone(),
        display_name: manifest.display_name.clone(),
        crate_name: manifest.crate_name.clone(),
        base_url,
        auth,
        cost,
        credit_headers: manifest.credit_headers.clone(),
    })
}

/// The manifest's auth, for every operation: one scheme, required everywhere.
fn set_auth(doc: &mut Value, auth: &Auth) {
    let scheme = match auth {
        Auth::Bearer => json!({"type": "http", "scheme": "bearer"}),
        Auth::Header { name } => json!({"type": "apiKey", "in": "header", "name": name}),
        Auth::None => {
            if let Some(root) = doc.as_object_mut() {
                root.shift_remove("security");
            }
            if let Some(c) = doc.get_mut("components").and_then(Value::as_object_mut) {
                c.shift_remove("securitySchemes");
            }
            for (_, _, op) in walk::operations_mut(doc) {
                if let Some(op) = op.as_object_mut() {
                    op.shift_remove("security");
                }
            }
            return;
        }
    };
    let mut schemes = Map::new();
    schemes.insert("apiKey".into(), scheme);
    doc["components"]["securitySchemes"] = Value::Object(schemes);
    doc["security"] = json!([{"apiKey": []}]);
    for (_, _, op) in walk::operations_mut(doc) {
        if let Some(op) = op.as_object_mut() {
            op.shift_remove("security");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(extra: &str) -> Manifest {
        Manifest::parse(&format!(
            "vendor = \"v\"\ndisplay_name = \"V\"\ncrate_name = \"v-client\"\nformat = \"openapi\"\n{extra}"
        ))
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn doc(schemes: Value, security: Value) -> Value {
        json!({
            "servers": [{"url": "https://{region}.example.com/v1/", "variables": {"region": {"default": "eu"}}}],
            "security": security,
            "components": {"securitySchemes": schemes},
            "paths": {"/a": {"get": {"operationId": "a", "responses": {}}}}
        })
    }

    #[test]
    fn the_document_completes_a_four_key_manifest() {
        let mut d = doc(
            json!({"Api Key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}),
            json!([{"Api Key": []}]),
        );
        let mut notes = Vec::new();
        let info = complete(&mut d, &manifest(""), &mut notes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(info.base_url, "https://eu.example.com/v1");
        assert_eq!(
            info.auth,
            Auth::Header {
                name: "X-Api-Key".into()
            }
        );
        assert_eq!(info.cost.amount, 1);
        assert_eq!(d["paths"]["/a"]["get"]["x-cost"]["source"], "default");
        assert!(notes.is_empty());
    }

    #[test]
    fn oauth_is_a_bearer_token_and_basic_auth_is_noted() {
        let mut d = doc(
            json!({"o": {"type": "oauth2", "flows": {}}}),
            json!([{"o": []}]),
        );
        let info =
            complete(&mut d, &manifest(""), &mut Vec::new()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(info.auth, Auth::Bearer);
        let mut d = doc(
            json!({"b": {"type": "http", "scheme": "basic"}}),
            json!([{"b": []}]),
        );
        let mut notes = Vec::new();
        let info = complete(&mut d, &manifest(""), &mut notes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(info.auth, Auth::None);
        assert!(notes[0].contains("`b` (http basic)"), "{notes:?}");
    }

    #[test]
    fn the_manifest_overrides_and_a_relative_server_is_kept_with_a_warning() {
        let mut d = doc(json!({}), json!([]));
        d["servers"] = json!([{"url": "/api"}]);
        let mut notes = Vec::new();
        let info = complete(&mut d, &manifest(""), &mut notes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(info.base_url, "/api");
        assert!(
            notes.iter().any(|n| n.contains("add `base_url`")),
            "{notes:?}"
        );
        let mut bare = doc(json!({}), json!([]));
        bare.as_object_mut().map(|o| o.shift_remove("servers"));
        let info =
            complete(&mut bare, &manifest(""), &mut Vec::new()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(info.base_url, "");
        assert!(bare.get("servers").is_none());
        let info = complete(
            &mut d,
            &manifest("base_url = \"https://api.example.com\"\nauth = { kind = \"bearer\" }\n"),
            &mut Vec::new(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(info.base_url, "https://api.example.com");
        assert_eq!(
            d["components"]["securitySchemes"]["apiKey"]["scheme"],
            "bearer"
        );
    }
}
