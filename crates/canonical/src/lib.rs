//! The canonical OpenAPI document's vocabulary, defined once — the contract between ingestion
//! (which writes it), regen, the runtime, drift and the mock (which read it). Each `x-`
//! extension is one name here and, where readers need its content, one typed form, in the way
//! typify keeps each schema extension as a constant plus a struct; [`operations`] walks the
//! operations in document order; [`pointer`] builds JSON pointers into the document.

use serde::Deserialize;
use serde_json::Value;

/// On an operation: what one call costs ([`Cost`]).
pub const COST: &str = "x-cost";
/// On an object schema inferred from examples: which fields the examples showed ([`Inferred`]).
pub const INFERRED: &str = "x-inferred";
/// On a component: the other names the same shape had where it stood elsewhere (a list of
/// strings); regen emits a type alias for each.
pub const ALIASES: &str = "x-aliases";
/// On a component: a paged chunk `[[item, …], cursor]`, naming its item component.
pub const CHUNK: &str = "x-chunk";
/// On a media type: the example was built from the schema, the vendor documented none.
pub const EXAMPLE_SYNTHESIZED: &str = "x-example-synthesized";
/// On an operation: responses set aside as untyped (a body kind progenitor cannot decode).
pub const UNTYPED_RESPONSES: &str = "x-untyped-responses";
/// On an operation: parameters left out because progenitor cannot send them.
pub const UNSUPPORTED_PARAMETERS: &str = "x-unsupported-parameters";

/// The HTTP methods an OpenAPI path item can hold, in the specification's order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// [`COST`]: what one call of an operation costs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Cost {
    pub amount: u32,
    /// `credit` or `request`.
    #[serde(default = "Cost::default_unit")]
    pub unit: String,
    /// Where the amount came from: `page`, `manifest` or `default`.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Cost {
    fn default_unit() -> String {
        "credit".to_owned()
    }

    /// The cost an operation declares, if it declares a readable one.
    pub fn of(operation: &Value) -> Option<Self> {
        Self::deserialize(operation.get(COST)?).ok()
    }
}

/// [`INFERRED`]: what the examples of an inferred object showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Inferred {
    /// Fields every example has.
    #[serde(default)]
    pub present: Vec<String>,
    /// Fields some example has as null.
    #[serde(default)]
    pub null: Vec<String>,
}

impl Inferred {
    /// What a schema's examples showed, when it was inferred from them.
    pub fn of(schema: &Value) -> Option<Self> {
        Self::read(schema.get(INFERRED)?)
    }

    /// The extension's value, read.
    pub fn read(extension: &Value) -> Option<Self> {
        Self::deserialize(extension).ok()
    }
}

/// Whether a media type's example was built from the schema ([`EXAMPLE_SYNTHESIZED`]).
pub fn is_synthesized(media_type: &Value) -> bool {
    media_type.get(EXAMPLE_SYNTHESIZED) == Some(&Value::Bool(true))
}

/// The other names of a component ([`ALIASES`]).
pub fn aliases(schema: &Value) -> Vec<&str> {
    schema
        .get(ALIASES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Every operation of a document, in document order: (path, method, operation).
pub fn operations(document: &Value) -> Vec<(&str, &str, &Value)> {
    let mut out = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if METHODS.contains(&method.as_str()) {
                out.push((path.as_str(), method.as_str(), op));
            }
        }
    }
    out
}

/// [`operations`], mutable.
pub fn operations_mut(document: &mut Value) -> Vec<(String, String, &mut Value)> {
    let mut out = Vec::new();
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return out;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if METHODS.contains(&method.as_str()) {
                out.push((path.clone(), method.clone(), op));
            }
        }
    }
    out
}

/// JSON pointers into the document (RFC 6901), built with `jsonptr` rather than by escaping
/// `~` and `/` by hand.
pub mod pointer {
    use jsonptr::{PointerBuf, Token};

    /// A pointer made of `tokens`, each escaped.
    pub fn of<'t>(tokens: impl IntoIterator<Item = &'t str>) -> String {
        PointerBuf::from_tokens(tokens.into_iter().map(Token::new)).to_string()
    }

    /// One token, escaped: `/v1/a~b` → `~1v1~1a~0b`.
    pub fn escape(token: &str) -> String {
        Token::new(token).encoded().to_owned()
    }

    /// One token, unescaped: `~1v1~0a` → `/v1~a`. A `~` that escapes nothing is kept as it is.
    pub fn unescape(token: &str) -> String {
        Token::from_encoded(token).map_or_else(|_| token.to_owned(), |t| t.decoded().into_owned())
    }

    /// The operation at `path` and `method`: `/paths/~1v1~1stories/get`.
    pub fn operation(path: &str, method: &str) -> String {
        of(["paths", path, method])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extensions_read_into_their_typed_forms() {
        let op = json!({"x-cost": {"amount": 3, "unit": "request", "source": "page"}});
        assert_eq!(
            Cost::of(&op),
            Some(Cost {
                amount: 3,
                unit: "request".into(),
                source: Some("page".into()),
                note: None
            })
        );
        assert_eq!(
            Cost::of(&json!({"x-cost": {"amount": 1}})).map(|c| c.unit),
            Some("credit".into())
        );
        assert_eq!(Cost::of(&json!({"x-cost": "free"})), None);
        assert_eq!(Cost::of(&json!({})), None);
        let schema =
            json!({"x-inferred": {"present": ["pk"], "null": ["bio"]}, "x-aliases": ["A", 1, "B"]});
        assert_eq!(
            Inferred::of(&schema),
            Some(Inferred {
                present: vec!["pk".into()],
                null: vec!["bio".into()]
            })
        );
        assert_eq!(aliases(&schema), ["A", "B"]);
        assert!(is_synthesized(&json!({"x-example-synthesized": true})));
        assert!(!is_synthesized(&json!({"example": {}})));
    }

    #[test]
    fn operations_come_in_document_order_and_skip_other_keys() {
        let doc = json!({"paths": {
            "/b": {"parameters": [], "post": {"operationId": "b"}, "get": {"operationId": "b2"}},
            "/a": {"get": {"operationId": "a"}, "summary": "x"}
        }});
        let ids: Vec<(&str, &str)> = operations(&doc)
            .into_iter()
            .map(|(p, m, _)| (p, m))
            .collect();
        assert_eq!(ids, [("/b", "post"), ("/b", "get"), ("/a", "get")]);
    }

    #[test]
    fn pointers_escape_every_token() {
        assert_eq!(
            pointer::operation("/v1/a~b/{id}", "get"),
            "/paths/~1v1~1a~0b~1{id}/get"
        );
        assert_eq!(pointer::escape("a/b~c"), "a~1b~0c");
        assert_eq!(pointer::unescape("a~1b~0c"), "a/b~c");
        assert_eq!(pointer::unescape("a~2"), "a~2");
        assert_eq!(
            pointer::of(["components", "schemas", "X"]),
            "/components/schemas/X"
        );
    }
}
