//! The last check of ingestion: the canonical document read as progenitor will read it
//! (`openapiv3`), so that whatever it would refuse — a field OpenAPI 3.0 requires, a value of
//! the wrong kind — is refused here, at the JSON pointer of the culprit, which the pages'
//! origins turn into a file and line.

use serde_json::Value;

use crate::error::ErrorKind;
use crate::fault::Fault;
use crate::yaml::escape_segment;

/// The types an OpenAPI 3.0 schema may have.
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// The first schema whose `type` is no OpenAPI 3.0 type (openapiv3 reads it as "any"; typify
/// then stops on it), with its pointer.
fn unknown_type(value: &Value, ptr: &mut String) -> Option<Fault> {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(ty)) = map.get("type")
                && !TYPES.contains(&ty.as_str())
                && crate::refs::is_schema_pointer(&format!("#{ptr}"))
            {
                return Some(Fault::new(
                    ErrorKind::Structure,
                    &format!("{ptr}/type"),
                    format!(
                        "`type: {}` is no OpenAPI 3.0 type (one of {})",
                        crate::excerpt(ty, crate::QUOTE_CHARS),
                        TYPES.join(", ")
                    ),
                ));
            }
            for (k, v) in map {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&escape_segment(k));
                let found = unknown_type(v, ptr);
                ptr.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            let len = ptr.len();
            ptr.push_str(&format!("/{i}"));
            let found = unknown_type(v, ptr);
            ptr.truncate(len);
            found
        }),
        _ => None,
    }
}

/// Checks that `doc` is an OpenAPI 3.0 document progenitor can read.
pub fn check_openapi(doc: &Value) -> Result<(), Fault> {
    if let Some(fault) = unknown_type(doc, &mut String::new()) {
        return Err(fault);
    }
    let Some((pointer, message)) = first_error::<openapiv3::OpenAPI>(doc, "") else {
        return Ok(());
    };
    // openapiv3 reads maps of paths and statuses through flattened and untagged types, which
    // lose the place and the reason: the parts are read one by one to find the culprit.
    let (pointer, message) = culprit(doc).unwrap_or((pointer, message));
    Err(Fault::new(
        ErrorKind::Structure,
        &pointer,
        format!(
            "not valid OpenAPI 3.0 at `{}`: {message}",
            if pointer.is_empty() { "/" } else { &pointer }
        ),
    ))
}

/// The pointer and reason of the first error reading `value` (standing at `at`) as `T`.
fn first_error<T: serde::de::DeserializeOwned>(
    value: &Value,
    at: &str,
) -> Option<(String, String)> {
    let err = serde_path_to_error::deserialize::<_, T>(value).err()?;
    let mut pointer = at.to_owned();
    for segment in err.path().iter() {
        match segment {
            serde_path_to_error::Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape_segment(key));
            }
            serde_path_to_error::Segment::Seq { index } => {
                pointer.push_str(&format!("/{index}"));
            }
            _ => {}
        }
    }
    Some((pointer, err.inner().to_string()))
}

/// Reads `value` as `T` unless it is a reference (checked elsewhere).
fn check<T: serde::de::DeserializeOwned>(value: &Value, at: &str) -> Option<(String, String)> {
    if value.get("$ref").is_some() {
        return None;
    }
    first_error::<T>(value, at)
}

/// The first part of the document, in document order, that does not read as what it stands for.
fn culprit(doc: &Value) -> Option<(String, String)> {
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let at = format!("/paths/{}", escape_segment(path));
        for (method, op) in item.as_object().into_iter().flatten() {
            if !crate::walk::METHODS.contains(&method.as_str()) {
                continue;
            }
            let at = format!("{at}/{method}");
            for (i, param) in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Some(e) =
                    check::<openapiv3::Parameter>(param, &format!("{at}/parameters/{i}"))
                {
                    return Some(e);
                }
            }
            if let Some(body) = op.get("requestBody")
                && let Some(e) = check::<openapiv3::RequestBody>(body, &format!("{at}/requestBody"))
            {
                return Some(e);
            }
            for (status, response) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let at = format!("{at}/responses/{}", escape_segment(status));
                if let Some(e) = check::<openapiv3::Response>(response, &at) {
                    return Some(e);
                }
            }
            if let Some(e) = check::<openapiv3::Operation>(op, &at) {
                return Some(e);
            }
        }
    }
    let section = |name: &'static str| -> Vec<(String, &Value)> {
        doc.pointer(&format!("/components/{name}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(key, value)| (format!("/components/{name}/{}", escape_segment(key)), value))
            .collect()
    };
    let first = |name: &'static str, read: fn(&Value, &str) -> Option<(String, String)>| {
        section(name).into_iter().find_map(|(at, v)| read(v, &at))
    };
    first("schemas", check::<openapiv3::Schema>)
        .or_else(|| first("responses", check::<openapiv3::Response>))
        .or_else(|| first("parameters", check::<openapiv3::Parameter>))
        .or_else(|| first("securitySchemes", check::<openapiv3::SecurityScheme>))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_culprit_is_named_by_its_pointer() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"content": {}}}}}}
        });
        let fault = check_openapi(&doc).expect_err("a response needs a description");
        assert_eq!(fault.pointer, "/paths/~1a/get/responses/200");
        assert!(
            fault.message.contains("missing field `description`"),
            "{}",
            fault.message
        );
        let ok = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "OK"}}}}}
        });
        assert!(check_openapi(&ok).is_ok());
        let mut bad_schema = ok.clone();
        bad_schema["components"] =
            json!({"schemas": {"S": {"type": "object", "properties": {"a": {"type": 5}}}}});
        let fault = check_openapi(&bad_schema).expect_err("a type is a string");
        assert!(
            fault.pointer.starts_with("/components/schemas/S"),
            "{}",
            fault.pointer
        );
        let mut unknown = ok.clone();
        unknown["components"] = json!({"schemas": {"S": {"type": "string let x = 1;"}, "T": {
            "type": "object", "properties": {"type": {"type": "string"}}, "example": {"type": "any text"}
        }}});
        let fault = check_openapi(&unknown).expect_err("no such type");
        assert_eq!(fault.pointer, "/components/schemas/S/type");
        unknown["components"]["schemas"]["S"]["type"] = json!("string");
        assert!(
            check_openapi(&unknown).is_ok(),
            "a property named `type` and an example are no schema types"
        );
    }
}
