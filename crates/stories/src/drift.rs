//! Checks a response body against the shape its vendor documents, in one pass over the bytes
//! that builds nothing: every value is compared with the canonical document's schema and
//! skipped. What departs — a documented field missing, an unexpected null, another type, an
//! undocumented field — is counted by JSON path, never with its value.
//!
//! "Documented" follows the canonical document: a declared schema's `required` and `nullable`,
//! and for schemas inferred from examples, what the examples showed (`x-inferred`): a field
//! every example has is expected, a null is expected only where an example had one.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use domain::{Drift, DriftKind};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use client_runtime::VendorFacts;

type NodeId = usize;

const STRING: u8 = 1;
const INTEGER: u8 = 2;
const NUMBER: u8 = 4;
const BOOLEAN: u8 = 8;
const ARRAY: u8 = 16;
const OBJECT: u8 = 32;

fn kind_names(kinds: u8) -> String {
    let names: Vec<&str> = [
        (STRING, "string"),
        (INTEGER, "integer"),
        (NUMBER, "number"),
        (BOOLEAN, "boolean"),
        (ARRAY, "array"),
        (OBJECT, "object"),
    ]
    .iter()
    .filter(|(bit, _)| kinds & bit != 0)
    .map(|(_, n)| *n)
    .collect();
    names.join(" or ")
}

#[derive(Debug, Clone, Copy)]
struct Prop {
    node: NodeId,
    /// Whether a null here is documented.
    null_ok: bool,
}

#[derive(Debug, Clone, Default)]
struct ObjectNode {
    props: Vec<(String, Prop)>,
    index: HashMap<String, usize>,
    /// Indices of the fields the documentation always shows.
    always: Vec<usize>,
    /// The schema of fields not listed (a map's values), when the documentation allows any.
    additional: Option<NodeId>,
}

#[derive(Debug, Clone)]
enum Node {
    /// Anything goes: not checked further.
    Any,
    Typed {
        kinds: u8,
        items: Option<NodeId>,
        items_null_ok: bool,
        object: Option<Box<ObjectNode>>,
    },
}

/// One vendor's response schemas, compiled for checking.
#[derive(Debug, Default)]
struct Compiled {
    nodes: Vec<Node>,
    /// (operation id, status) → the body's node and whether null is documented for it.
    roots: HashMap<(String, String), NodeId>,
}

struct Compiler<'d> {
    doc: &'d Value,
    nodes: Vec<Node>,
    refs: HashMap<String, NodeId>,
}

fn is_true(schema: &Value, key: &str) -> bool {
    schema.get(key) == Some(&Value::Bool(true))
}

impl Compiler<'_> {
    /// Whether null is documented for a value of `schema`.
    fn nullable(&self, schema: &Value) -> bool {
        if is_true(schema, "nullable") {
            return true;
        }
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| self.doc.pointer(p))
        {
            Some(target) => is_true(target, "nullable"),
            None => false,
        }
    }

    fn compile(&mut self, schema: &Value, depth: usize) -> NodeId {
        if depth > 64 {
            return self.push(Node::Any);
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(&id) = self.refs.get(reference) {
                return id;
            }
            // Reserve the slot first, so recursive schemas end.
            let id = self.push(Node::Any);
            self.refs.insert(reference.to_owned(), id);
            let target = reference
                .strip_prefix('#')
                .and_then(|p| self.doc.pointer(p))
                .cloned()
                .unwrap_or(Value::Null);
            let node = self.node(&target, depth + 1);
            self.nodes[id] = node;
            return id;
        }
        let node = self.node(schema, depth);
        self.push(node)
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn node(&mut self, schema: &Value, depth: usize) -> Node {
        let Some(map) = schema.as_object() else {
            return Node::Any;
        };
        if map.contains_key("$ref") {
            let id = self.compile(schema, depth + 1);
            return self.nodes[id].clone();
        }
        // Compositions: every member of `allOf` holds; `oneOf`/`anyOf` allow what any allows.
        let mut merged: Option<Node> = None;
        for member in map
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let node = self.node(member, depth + 1);
            merged = Some(match merged {
                None => node,
                Some(m) => merge(m, node, true),
            });
        }
        for key in ["oneOf", "anyOf"] {
            let mut union: Option<Node> = None;
            for member in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                let node = self.node(member, depth + 1);
                union = Some(match union {
                    None => node,
                    Some(u) => merge(u, node, false),
                });
            }
            if let Some(u) = union {
                merged = Some(match merged {
                    None => u,
                    Some(m) => merge(m, u, true),
                });
            }
        }
        let own = self.own(map, depth);
        match (merged, own) {
            (Some(m), Some(o)) => merge(m, o, true),
            (Some(m), None) => m,
            (None, Some(o)) => o,
            (None, None) => Node::Any,
        }
    }

    /// The node of a schema's own keywords (`type`, `properties`, `items`, …), if it has any.
    fn own(&mut self, map: &serde_json::Map<String, Value>, depth: usize) -> Option<Node> {
        let mut kinds = match map.get("type").and_then(Value::as_str) {
            Some("string") => STRING,
            Some("integer") => INTEGER,
            Some("number") => NUMBER | INTEGER,
            Some("boolean") => BOOLEAN,
            Some("array") => ARRAY,
            Some("object") => OBJECT,
            _ => 0,
        };
        let has_object_keywords =
            map.contains_key("properties") || map.contains_key("additionalProperties");
        if kinds == 0 && has_object_keywords {
            kinds = OBJECT;
        }
        if kinds == 0 && map.contains_key("items") {
            kinds = ARRAY;
        }
        if kinds == 0
            && let Some(values) = map.get("enum").and_then(Value::as_array)
        {
            {
                for v in values {
                    kinds |= match v {
                        Value::String(_) => STRING,
                        Value::Number(n) if n.is_f64() => NUMBER,
                        Value::Number(_) => INTEGER | NUMBER,
                        Value::Bool(_) => BOOLEAN,
                        Value::Array(_) => ARRAY,
                        Value::Object(_) => OBJECT,
                        Value::Null => 0,
                    };
                }
            }
        }
        if kinds == 0 {
            return None;
        }
        let (items, items_null_ok) = match map.get("items") {
            Some(items) if kinds & ARRAY != 0 => {
                (Some(self.compile(items, depth + 1)), self.nullable(items))
            }
            _ => (None, false),
        };
        let object = (kinds & OBJECT != 0).then(|| Box::new(self.object(map, depth)));
        Some(Node::Typed {
            kinds,
            items,
            items_null_ok,
            object,
        })
    }

    fn object(&mut self, map: &serde_json::Map<String, Value>, depth: usize) -> ObjectNode {
        let mut out = ObjectNode::default();
        let inferred = map
            .get(canonical::INFERRED)
            .and_then(canonical::Inferred::read);
        let inferred_here = inferred.is_some();
        let canonical::Inferred {
            present: mut always,
            null: seen_null,
        } = inferred.unwrap_or_default();
        for r in map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !always.iter().any(|a| a == r) {
                always.push(r.to_owned());
            }
        }
        for (name, schema) in map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let node = self.compile(schema, depth + 1);
            let untyped = matches!(self.nodes[node], Node::Any);
            let null_ok = untyped
                || if inferred_here {
                    seen_null.contains(name)
                } else {
                    self.nullable(schema)
                };
            out.index.insert(name.clone(), out.props.len());
            out.props.push((name.clone(), Prop { node, null_ok }));
        }
        out.always = always
            .iter()
            .filter_map(|a| out.index.get(a).copied())
            .collect();
        out.additional = match map.get("additionalProperties") {
            Some(Value::Bool(true)) => Some(self.push(Node::Any)),
            Some(schema @ Value::Object(_)) => Some(self.compile(schema, depth + 1)),
            _ => None,
        };
        out
    }
}

/// Joins two nodes: `all` for `allOf` (both hold), otherwise for `oneOf` (either holds).
fn merge(a: Node, b: Node, all: bool) -> Node {
    match (a, b) {
        (Node::Any, other) | (other, Node::Any) => {
            if all {
                other
            } else {
                Node::Any
            }
        }
        (
            Node::Typed {
                kinds: ka,
                items: ia,
                items_null_ok: na,
                object: oa,
            },
            Node::Typed {
                kinds: kb,
                items: ib,
                items_null_ok: nb,
                object: ob,
            },
        ) => {
            let kinds = if all && ka & kb != 0 {
                ka & kb
            } else {
                ka | kb
            };
            let object = match (oa, ob) {
                (Some(a), Some(b)) => Some(Box::new(merge_objects(*a, *b, all))),
                (a, b) => a.or(b),
            };
            Node::Typed {
                kinds,
                items: ia.or(ib),
                items_null_ok: na || nb,
                object,
            }
        }
    }
}

fn merge_objects(mut a: ObjectNode, b: ObjectNode, all: bool) -> ObjectNode {
    let b_always: Vec<&str> = b.always.iter().map(|&i| b.props[i].0.as_str()).collect();
    let a_always: Vec<String> = a.always.iter().map(|&i| a.props[i].0.clone()).collect();
    for (name, prop) in b.props.iter() {
        if !a.index.contains_key(name) {
            a.index.insert(name.clone(), a.props.len());
            a.props.push((name.clone(), *prop));
        }
    }
    let always: Vec<String> = if all {
        let mut out = a_always;
        out.extend(b_always.iter().map(|s| (*s).to_owned()));
        out
    } else {
        a_always
            .into_iter()
            .filter(|n| b_always.contains(&n.as_str()))
            .collect()
    };
    a.always = always
        .iter()
        .filter_map(|n| a.index.get(n).copied())
        .collect();
    a.always.dedup();
    a.additional = a.additional.or(b.additional);
    a
}

impl Compiled {
    fn new(doc: &Value) -> Self {
        let mut compiler = Compiler {
            doc,
            nodes: Vec::new(),
            refs: HashMap::new(),
        };
        let mut roots = HashMap::new();
        for item in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
        {
            for op in item.as_object().into_iter().flat_map(|i| i.values()) {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                for (status, response) in op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if let Some(schema) = response.pointer("/content/application~1json/schema") {
                        let node = compiler.compile(schema, 0);
                        roots.insert((id.to_owned(), status.clone()), node);
                    }
                }
            }
        }
        Self {
            nodes: compiler.nodes,
            roots,
        }
    }

    fn root(&self, operation: &str, status: u16) -> Option<NodeId> {
        let key = |s: &str| (operation.to_owned(), s.to_owned());
        self.roots
            .get(&key(&status.to_string()))
            .or_else(|| self.roots.get(&key(&format!("{}XX", status / 100))))
            .or_else(|| self.roots.get(&key("default")))
            .copied()
    }
}

fn compiled(vendor: &'static VendorFacts) -> Arc<Compiled> {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<&'static str, Arc<Compiled>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    guard
        .entry(vendor.name)
        .or_insert_with(|| Arc::new(Compiled::new(&vendor.document())))
        .clone()
}

/// How `body`, a response of `vendor`'s `operation` with `status`, departs from its documented
/// shape. A body that is not JSON has no drift to report (its normalizer says it is unreadable);
/// neither has a status the vendor documents no body for.
pub fn check(vendor: &'static VendorFacts, operation: &str, status: u16, body: &[u8]) -> Drift {
    let compiled = compiled(vendor);
    let Some(root) = compiled.root(operation, status) else {
        return Drift::default();
    };
    let mut state = State {
        nodes: &compiled.nodes,
        path: String::from("$"),
        found: HashMap::new(),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let seed = Check {
        state: &mut state,
        node: root,
        null_ok: false,
    };
    if seed.deserialize(&mut de).is_err() {
        return Drift::default();
    }
    Drift {
        entries: state
            .found
            .into_iter()
            .map(|((path, kind), count)| domain::DriftEntry { path, kind, count })
            .collect(),
    }
    .sorted()
}

struct State<'n> {
    nodes: &'n [Node],
    path: String,
    found: HashMap<(String, DriftKind), u64>,
}

impl State<'_> {
    fn record(&mut self, kind: DriftKind) {
        *self.found.entry((self.path.clone(), kind)).or_default() += 1;
    }

    fn record_at(&mut self, segment: &str, kind: DriftKind) {
        let len = self.path.len();
        push_key(&mut self.path, segment);
        self.record(kind);
        self.path.truncate(len);
    }
}

/// `.key` for plain names, `["key"]` for anything else.
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !key.as_bytes()[0].is_ascii_digit();
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("[\"");
        path.push_str(&key.replace('"', "\\\""));
        path.push_str("\"]");
    }
}

/// Checks one value against one node.
struct Check<'s, 'n> {
    state: &'s mut State<'n>,
    node: NodeId,
    null_ok: bool,
}

impl<'de> DeserializeSeed<'de> for Check<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.state.nodes[self.node] {
            Node::Any => deserializer.deserialize_ignored_any(IgnoredAny).map(|_| ()),
            Node::Typed { .. } => deserializer.deserialize_any(self),
        }
    }
}

impl Check<'_, '_> {
    fn kinds(&self) -> u8 {
        match &self.state.nodes[self.node] {
            Node::Any => u8::MAX,
            Node::Typed { kinds, .. } => *kinds,
        }
    }

    fn scalar(self, found: u8) {
        let kinds = self.kinds();
        if kinds & found == 0 {
            self.state.record(DriftKind::Type {
                documented: kind_names(kinds),
                found: kind_names(found),
            });
        }
    }
}

impl<'de> Visitor<'de> for Check<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar(BOOLEAN);
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar(INTEGER);
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar(INTEGER);
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar(NUMBER);
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar(STRING);
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        if !self.null_ok {
            self.state.record(DriftKind::Null);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let nodes = self.state.nodes;
        let Node::Typed {
            kinds,
            items,
            items_null_ok,
            ..
        } = &nodes[self.node]
        else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        if kinds & ARRAY == 0 {
            self.scalar(ARRAY);
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let len = self.state.path.len();
        self.state.path.push_str("[]");
        match items {
            Some(items) => {
                while seq
                    .next_element_seed(Check {
                        state: &mut *self.state,
                        node: *items,
                        null_ok: *items_null_ok,
                    })?
                    .is_some()
                {}
            }
            None => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        self.state.path.truncate(len);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let nodes = self.state.nodes;
        let object = match &nodes[self.node] {
            Node::Typed {
                kinds,
                object: Some(object),
                ..
            } if kinds & OBJECT != 0 => object,
            _ => {
                self.scalar(OBJECT);
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(());
            }
        };
        let mut seen = vec![false; object.props.len()];
        let len = self.state.path.len();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.0;
            match object.index.get(key.as_ref()) {
                Some(&i) => {
                    seen[i] = true;
                    let prop = object.props[i].1;
                    push_key(&mut self.state.path, &key);
                    map.next_value_seed(Check {
                        state: &mut *self.state,
                        node: prop.node,
                        null_ok: prop.null_ok,
                    })?;
                }
                None => match object.additional {
                    Some(values) => {
                        self.state.path.push_str(".*");
                        map.next_value_seed(Check {
                            state: &mut *self.state,
                            node: values,
                            null_ok: true,
                        })?;
                    }
                    None => {
                        push_key(&mut self.state.path, &key);
                        self.state.record(DriftKind::Undocumented);
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
            self.state.path.truncate(len);
        }
        for &i in &object.always {
            if !seen[i] {
                self.state.record_at(&object.props[i].0, DriftKind::Missing);
            }
        }
        Ok(())
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check_doc(doc: &Value, body: &Value) -> String {
        let compiled = Compiled::new(doc);
        let root = compiled
            .root("op", 200)
            .unwrap_or_else(|| panic!("no root"));
        let mut state = State {
            nodes: &compiled.nodes,
            path: "$".into(),
            found: HashMap::new(),
        };
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        Check {
            state: &mut state,
            node: root,
            null_ok: false,
        }
        .deserialize(&mut de)
        .unwrap_or_else(|e| panic!("{e}"));
        let drift = Drift {
            entries: state
                .found
                .into_iter()
                .map(|((path, kind), count)| domain::DriftEntry { path, kind, count })
                .collect(),
        };
        drift.sorted().to_string()
    }

    fn doc(schema: Value) -> Value {
        json!({"paths": {"/x": {"get": {"operationId": "op", "responses": {"200": {"content": {"application/json": {"schema": schema}}}}}}},
        "components": {"schemas": {
            "LenientId": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "User": {"type": "object", "properties": {
                "pk": {"allOf": [{"$ref": "#/components/schemas/LenientId"}], "nullable": true},
                "is_private": {"type": "boolean", "nullable": true},
                "bio": {"type": "string", "nullable": true}
            }, "x-inferred": {"present": ["pk", "is_private"], "null": ["bio"]}}
        }}})
    }

    #[test]
    fn inferred_objects_expect_what_every_example_showed() {
        let d = doc(json!({"type": "array", "items": {"$ref": "#/components/schemas/User"}}));
        let body = json!([
            {"pk": 1, "is_private": false, "bio": null},
            {"pk": "2", "bio": "x"},
            {"pk": "3", "is_private": null, "extra": {"deep": [1]}},
            {"pk": true, "is_private": "no"}
        ]);
        assert_eq!(
            check_doc(&d, &body),
            "$[].extra: undocumented; $[].is_private: missing; $[].is_private: null; $[].is_private: string where boolean is documented; $[].pk: boolean where string or integer is documented"
        );
    }

    #[test]
    fn declared_objects_expect_required_fields_and_declared_nulls() {
        let d = doc(
            json!({"type": "object", "required": ["data"], "properties": {
                "data": {"type": "object", "required": ["entityId"], "properties": {
                    "entityId": {"type": "string"},
                    "name": {"type": "string", "nullable": true},
                    "count": {"type": "integer"},
                    "ratio": {"type": "number"},
                    "values": {"type": "object", "additionalProperties": {"type": "string"}}
                }}
            }}),
        );
        let clean = json!({"data": {"entityId": "1", "name": null, "count": 3, "ratio": 2, "values": {"a": "b"}}});
        assert_eq!(check_doc(&d, &clean), "");
        let drifted =
            json!({"data": {"name": "x", "count": 1.5, "ratio": null, "values": {"a": 1}}});
        assert_eq!(
            check_doc(&d, &drifted),
            "$.data.count: number where integer is documented; $.data.entityId: missing; $.data.ratio: null; $.data.values.*: integer where string is documented"
        );
    }

    #[test]
    fn keys_that_are_not_names_are_quoted() {
        let d = doc(json!({"type": "object", "properties": {"@context": {"type": "string"}}}));
        assert_eq!(
            check_doc(&d, &json!({"@context": 1})),
            "$[\"@context\"]: integer where string is documented"
        );
    }
}
