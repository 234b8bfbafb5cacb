//! The example bodies a canonical document carries: every JSON response of every operation that
//! has one, documented by the vendor or built at ingestion from the schema's own examples.

use serde_json::Value;

use crate::VendorFacts;

/// The extension ingestion puts on an example it built from the schema, because the vendor
/// documented none.
pub use canonical::EXAMPLE_SYNTHESIZED as SYNTHESIZED;

/// One example response body of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseExample {
    pub operation_id: String,
    /// Upper case.
    pub method: String,
    pub path: String,
    pub status: String,
    pub body: Value,
    /// False when built from the schema because the vendor gave no example body.
    pub documented: bool,
}

/// Every example response of `document`, in document order.
pub fn response_examples(document: &Value) -> Vec<ResponseExample> {
    let mut out = Vec::new();
    for (path, method, op) in canonical::operations(document) {
        let operation_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (status, response) in responses {
            let Some(media) = response.pointer("/content/application~1json") else {
                continue;
            };
            let Some(body) = media.get("example") else {
                continue;
            };
            out.push(ResponseExample {
                operation_id: operation_id.to_owned(),
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
                status: status.clone(),
                body: body.clone(),
                documented: !canonical::is_synthesized(media),
            });
        }
    }
    out
}

impl VendorFacts {
    /// The canonical document, parsed.
    pub fn document(&self) -> Value {
        serde_json::from_str(self.openapi_document).unwrap_or(Value::Null)
    }

    /// Every example response of the canonical document.
    pub fn response_examples(&self) -> Vec<ResponseExample> {
        response_examples(&self.document())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_documented_and_synthesized_examples_in_document_order() {
        let doc = json!({"paths": {"/a": {
            "parameters": [],
            "get": {"operationId": "a", "responses": {
                "200": {"content": {"application/json": {"example": {"ok": true}}}},
                "404": {"content": {"application/json": {"example": {"e": "nf"}, "x-example-synthesized": true}}},
                "500": {"content": {"application/json": {"schema": {}}}}
            }}
        }}});
        let found = response_examples(&doc);
        let summary: Vec<(&str, &str, bool)> = found
            .iter()
            .map(|e| (e.method.as_str(), e.status.as_str(), e.documented))
            .collect();
        assert_eq!(summary, [("GET", "200", true), ("GET", "404", false)]);
    }
}
