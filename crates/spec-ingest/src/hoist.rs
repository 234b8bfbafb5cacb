//! Every inline object or enum becomes a component with a name that depends only on where it
//! stands — `{Parent}{Field}`, `{Parent}Item` for list items, `{Parent}Value` for map values,
//! `{Operation}Response`/`Error` for bodies — so adding a page never renames a type. Then
//! components with the same schema become one: references point at one representative and the
//! other names are kept as its aliases (`x-aliases`), which codegen emits as Rust type aliases.
//! A vendor's 67 pages repeating the same enum give one type with 67 names, not 67 types.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::error::ErrorKind;
use crate::fault::Fault;
use crate::names;
use crate::shape::ANNOTATIONS;
use crate::walk;
use crate::yaml::escape_segment;

/// The extension listing a component's other names.
pub const ALIASES: &str = canonical::ALIASES;

/// The extension marking a chunk of a paged list, `[[X, …], cursor]`: it names X, and the
/// client's type is `client_runtime::Chunk<X>`, so nothing inside it becomes a type.
pub const CHUNK: &str = canonical::CHUNK;

/// `{allOf: [{$ref}], nullable: true}`: how 3.0 says "this type, or null" at a place of use.
fn is_nullable_reference(m: &Map<String, Value>) -> bool {
    m.get("allOf")
        .and_then(Value::as_array)
        .is_some_and(|members| members.len() == 1 && members[0].get("$ref").is_some())
        && m.keys()
            .all(|k| k == "allOf" || k == "nullable" || ANNOTATIONS.contains(&k.as_str()))
}

/// Schemas that become named types: objects with properties, enums and compositions.
fn hoistable(schema: &Value) -> bool {
    let Some(m) = schema.as_object() else {
        return false;
    };
    if m.contains_key("$ref") || is_nullable_reference(m) {
        return false;
    }
    let has_props = m
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    has_props
        || m.contains_key("enum")
        || ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| m.contains_key(*k))
}

/// Component schemas, with the type-name keys already taken.
struct Components {
    schemas: Map<String, Value>,
    keys: BTreeMap<String, String>,
}

impl Components {
    /// Stores `schema` under `hint` or, when a different schema has that name, the first free
    /// `hint2`, `hint3`, …; an identical schema already stored is reused.
    fn place(&mut self, hint: &str, schema: Value) -> String {
        let mut n = 1;
        loop {
            let name = if n == 1 {
                hint.to_owned()
            } else {
                format!("{hint}{n}")
            };
            match self.keys.get(&names::type_key(&name)) {
                None => {
                    self.keys.insert(names::type_key(&name), name.clone());
                    self.schemas.insert(name.clone(), schema);
                    return name;
                }
                Some(existing) if self.schemas.get(existing) == Some(&schema) => {
                    return existing.clone();
                }
                Some(_) => n += 1,
            }
        }
    }
}

/// Replaces nested hoistable schemas below `schema` by references, children first, naming each
/// after its path from `name`.
fn hoist_children(schema: &mut Value, name: &str, comps: &mut Components) {
    let Some(node) = schema.as_object_mut() else {
        return;
    };
    if node.contains_key(CHUNK) {
        return;
    }
    if let Some(props) = node.get_mut("properties").and_then(Value::as_object_mut) {
        for (prop, sub) in props.iter_mut() {
            hoist_here(sub, &format!("{name}{}", names::pascal(prop)), comps);
        }
    }
    if let Some(items) = node.get_mut("items") {
        hoist_here(items, &format!("{name}Item"), comps);
    }
    if let Some(values) = node
        .get_mut("additionalProperties")
        .filter(|v| v.is_object())
    {
        hoist_here(values, &format!("{name}Value"), comps);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = node.get_mut(key).and_then(Value::as_array_mut) {
            for (i, member) in members.iter_mut().enumerate() {
                hoist_here(member, &format!("{name}Variant{}", i + 1), comps);
            }
        }
    }
    // typify merges `allOf` members into one struct; naming each member would only add
    // unused types, so only their children are hoisted.
    if let Some(members) = node.get_mut("allOf").and_then(Value::as_array_mut) {
        for member in members.iter_mut() {
            hoist_children(member, name, comps);
        }
    }
}

/// Hoists `schema`'s children, then `schema` itself when it is a named type.
fn hoist_here(schema: &mut Value, name: &str, comps: &mut Components) {
    hoist_children(schema, name, comps);
    if !hoistable(schema) {
        return;
    }
    let mut body = schema.take();
    // Nullability belongs to the place of use, not to the type.
    let nullable = body
        .as_object_mut()
        .and_then(|m| m.shift_remove("nullable"))
        == Some(json!(true));
    let placed = comps.place(name, body);
    let reference = json!({"$ref": format!("#/components/schemas/{}", escape_segment(&placed))});
    *schema = if nullable {
        json!({"allOf": [reference], "nullable": true})
    } else {
        reference
    };
}

/// Hoists every inline object and enum into `components.schemas`, then merges identical ones.
pub fn hoist(doc: &mut Value) -> Result<(), Fault> {
    let existing = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let declared: BTreeSet<String> = existing.keys().cloned().collect();
    let mut comps = Components {
        schemas: Map::new(),
        keys: BTreeMap::new(),
    };
    for name in existing.keys() {
        if let Some(other) = comps.keys.insert(names::type_key(name), name.clone()) {
            return Err(Fault::new(
                ErrorKind::Conflict,
                &format!("/components/schemas/{}", escape_segment(name)),
                format!(
                    "component schemas `{other}` and `{name}` would become the same Rust type name"
                ),
            ));
        }
    }
    let mut existing = existing;
    for (name, schema) in existing.iter_mut() {
        hoist_children(schema, name, &mut comps);
    }
    comps.schemas.extend(existing);

    for (path, method, op) in walk::operations_mut(doc) {
        let op_name = names::pascal(
            op.get("operationId")
                .and_then(Value::as_str)
                .unwrap_or(&names::operation_id(&method, &path)),
        );
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            for param in params {
                let pname =
                    names::pascal(param.get("name").and_then(Value::as_str).unwrap_or("param"));
                if let Some(schema) = param.get_mut("schema") {
                    hoist_here(schema, &format!("{op_name}{pname}"), &mut comps);
                }
            }
        }
        if let Some(schema) = op
            .get_mut("requestBody")
            .and_then(|b| b.pointer_mut("/content/application~1json/schema"))
        {
            hoist_here(schema, &format!("{op_name}Body"), &mut comps);
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, response) in responses.iter_mut() {
                let suffix = if status.starts_with('2') {
                    "Response"
                } else {
                    "Error"
                };
                if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                    hoist_here(schema, &format!("{op_name}{suffix}"), &mut comps);
                }
            }
        }
    }
    let mut sorted: Vec<(String, Value)> = comps.schemas.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    if !sorted.is_empty() {
        let root = doc
            .as_object_mut()
            .ok_or_else(|| Fault::new(ErrorKind::Structure, "", "a document must be a map"))?;
        let components = root.entry("components").or_insert_with(|| json!({}));
        if let Some(c) = components.as_object_mut() {
            c.insert(
                "schemas".into(),
                Value::Object(sorted.into_iter().collect()),
            );
        }
    }
    merge_identical(doc, &declared);
    Ok(())
}

/// A schema's content, with its own aliases left out and object keys in order, for comparing.
fn content_key(schema: &Value) -> String {
    fn canonical(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().filter(|k| *k != ALIASES).collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), canonical(&m[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
            other => other.clone(),
        }
    }
    canonical(schema).to_string()
}

/// Which of several names with one schema stays the type: a name the vendor (or a documented
/// object) gave before one derived from a position, then the shortest, then the first by
/// code point. Every other name stays available as an alias.
fn representative<'a>(names: &[&'a String], declared: &BTreeSet<String>) -> &'a String {
    names
        .iter()
        .min_by_key(|n| (!declared.contains(n.as_str()), n.len(), n.as_str()))
        .copied()
        .unwrap_or(names[0])
}

/// Merges components with identical schemas into one, repeatedly, since merging two can make
/// the components that refer to them identical too.
fn merge_identical(doc: &mut Value, declared: &BTreeSet<String>) {
    loop {
        let Some(schemas) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        else {
            return;
        };
        let mut groups: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for (name, schema) in schemas {
            groups.entry(content_key(schema)).or_default().push(name);
        }
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for members in groups.values().filter(|m| m.len() > 1) {
            let rep = representative(members, declared);
            for m in members.iter().filter(|m| **m != rep) {
                renames.insert((*m).clone(), rep.clone());
            }
        }
        if renames.is_empty() {
            return;
        }
        apply_renames(doc, &renames);
    }
}

/// Points every reference to a renamed component at its representative, folds the renamed
/// component's names into the representative's aliases, and removes it.
fn apply_renames(doc: &mut Value, renames: &BTreeMap<String, String>) {
    let target = |name: &str| format!("#/components/schemas/{}", escape_segment(name));
    let by_ref: BTreeMap<String, String> = renames
        .iter()
        .map(|(from, to)| (target(from), target(to)))
        .collect();
    crate::downconvert::rewrite_refs(doc, &by_ref);
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    // One pass removes every renamed component and one write per representative folds its
    // names in: a vendor repeating one schema 15,000 times must not cost 15,000² steps.
    let mut folded: BTreeMap<&String, BTreeSet<String>> = BTreeMap::new();
    schemas.retain(|name, schema| match renames.get(name) {
        Some(to) => {
            let names = folded.entry(to).or_default();
            names.extend(aliases_of(schema));
            names.insert(name.clone());
            false
        }
        None => true,
    });
    for (to, mut names) in folded {
        if let Some(rep) = schemas.get_mut(to).and_then(Value::as_object_mut) {
            names.extend(aliases_of_map(rep));
            rep.insert(
                ALIASES.into(),
                Value::Array(names.into_iter().map(Value::String).collect()),
            );
        }
    }
}

fn aliases_of(schema: &Value) -> Vec<String> {
    schema.as_object().map(aliases_of_map).unwrap_or_default()
}

fn aliases_of_map(schema: &Map<String, Value>) -> Vec<String> {
    schema
        .get(ALIASES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hoisting_names_by_path_and_never_collides_silently() {
        let mut doc = json!({
            "paths": {"/v1/x": {"get": {"operationId": "getX", "responses": {"200": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "user": {"type": "object", "properties": {"id": {"type": "string"}}},
                    "items": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a"]}}}}
                }
            }}}}}}}},
            "components": {"schemas": {"GetXResponseUser": {"type": "object", "properties": {"other": {"type": "integer"}}}}}
        });
        hoist(&mut doc).expect("ok");
        let schemas = doc["components"]["schemas"]
            .as_object()
            .map(|s| s.keys().cloned().collect::<Vec<_>>());
        assert_eq!(
            schemas,
            Some(vec![
                "GetXResponse".to_owned(),
                "GetXResponseItemsItem".to_owned(),
                "GetXResponseItemsItemKind".to_owned(),
                "GetXResponseUser".to_owned(),
                "GetXResponseUser2".to_owned(),
            ])
        );
        assert_eq!(
            doc["components"]["schemas"]["GetXResponse"]["properties"]["user"],
            json!({"$ref": "#/components/schemas/GetXResponseUser2"})
        );
    }

    #[test]
    fn identical_schemas_share_one_component() {
        let obj = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        let mut comps = Components {
            schemas: Map::new(),
            keys: BTreeMap::new(),
        };
        assert_eq!(comps.place("A", obj.clone()), "A");
        assert_eq!(comps.place("A", obj), "A");
        assert_eq!(
            comps.place("A", json!({"type": "object", "properties": {"x": {}}})),
            "A2"
        );
    }

    #[test]
    fn component_names_that_clash_as_rust_types_are_rejected() {
        let mut doc =
            json!({"paths": {}, "components": {"schemas": {"foo_bar": {}, "FooBar": {}}}});
        assert_eq!(
            hoist(&mut doc).expect_err("clash").kind,
            ErrorKind::Conflict
        );
    }

    #[test]
    fn nullable_objects_keep_nullability_at_the_use_site() {
        let mut doc = json!({"paths": {}, "components": {"schemas": {"A": {"type": "object", "properties": {
            "b": {"type": "object", "nullable": true, "properties": {"c": {"type": "string"}}}
        }}}}});
        hoist(&mut doc).expect("ok");
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["b"],
            json!({"allOf": [{"$ref": "#/components/schemas/AB"}], "nullable": true})
        );
    }

    #[test]
    fn identical_components_merge_into_one_with_every_name_as_an_alias() {
        let code = json!({"type": "string", "enum": ["not_found", "oops"]});
        let error = json!({"type": "object", "properties": {"code": code}});
        let mut doc = json!({"paths": {
            "/v1/a": {"get": {"operationId": "getA", "responses": {"404": {"content": {"application/json": {"schema": error}}}}}},
            "/v1/b": {"get": {"operationId": "getB", "responses": {"404": {"content": {"application/json": {"schema": error}}}}}}
        }, "components": {"schemas": {"Declared": code}}});
        hoist(&mut doc).expect("ok");
        let schemas = &doc["components"]["schemas"];
        let names: Vec<&String> = schemas
            .as_object()
            .map(|s| s.keys().collect())
            .unwrap_or_default();
        // The two error bodies are one type once their code enums are one type.
        assert_eq!(names, ["Declared", "GetAError"]);
        assert_eq!(
            schemas["Declared"]["x-aliases"],
            json!(["GetAErrorCode", "GetBErrorCode"])
        );
        assert_eq!(schemas["GetAError"]["x-aliases"], json!(["GetBError"]));
        assert_eq!(
            schemas["GetAError"]["properties"]["code"],
            json!({"$ref": "#/components/schemas/Declared"})
        );
        assert_eq!(
            doc["paths"]["/v1/b"]["get"]["responses"]["404"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/GetAError"})
        );
    }
}
