//! The documented response schemas of a vendor, compiled once into a flat graph of nodes that
//! the body check walks: each node the kinds of value allowed, an object's fields with whether
//! each is always shown and whether null is documented, a list's items.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use client_runtime::VendorFacts;

pub(super) type NodeId = usize;

pub(super) const STRING: u8 = 1;
pub(super) const INTEGER: u8 = 2;
pub(super) const NUMBER: u8 = 4;
pub(super) const BOOLEAN: u8 = 8;
pub(super) const ARRAY: u8 = 16;
pub(super) const OBJECT: u8 = 32;

pub(super) fn kind_names(kinds: u8) -> String {
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
pub(super) struct Prop {
    pub(super) node: NodeId,
    /// Whether a null here is documented.
    pub(super) null_ok: bool,
}

#[derive(Debug, Clone, Default)]
pub(super) struct ObjectNode {
    pub(super) props: Vec<(String, Prop)>,
    pub(super) index: HashMap<String, usize>,
    /// Indices of the fields the documentation always shows.
    pub(super) always: Vec<usize>,
    /// The schema of fields not listed (a map's values), when the documentation allows any.
    pub(super) additional: Option<NodeId>,
}

#[derive(Debug, Clone)]
pub(super) enum Node {
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
pub(super) struct Compiled {
    pub(super) nodes: Vec<Node>,
    /// (operation id, status) → the body's node and whether null is documented for it.
    pub(super) roots: HashMap<(String, String), NodeId>,
}

pub(super) struct Compiler<'d> {
    pub(super) doc: &'d Value,
    pub(super) nodes: Vec<Node>,
    pub(super) refs: HashMap<String, NodeId>,
}

pub(super) fn is_true(schema: &Value, key: &str) -> bool {
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
pub(super) fn merge(a: Node, b: Node, all: bool) -> Node {
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

pub(super) fn merge_objects(mut a: ObjectNode, b: ObjectNode, all: bool) -> ObjectNode {
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
    pub(super) fn new(doc: &Value) -> Self {
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

    pub(super) fn root(&self, operation: &str, status: u16) -> Option<NodeId> {
        let key = |s: &str| (operation.to_owned(), s.to_owned());
        self.roots
            .get(&key(&status.to_string()))
            .or_else(|| self.roots.get(&key(&format!("{}XX", status / 100))))
            .or_else(|| self.roots.get(&key("default")))
            .copied()
    }
}

pub(super) fn compiled(vendor: &'static VendorFacts) -> Arc<Compiled> {
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
