//! Two schemas of one place compared, property by property: what the change does to a Rust
//! type generated from them. Requests and responses are judged in opposite directions — a
//! response may lose nothing the client reads and gain no value it cannot decode; a request
//! may demand nothing the caller does not send.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::resolve::{follow, ref_of};
use crate::{Change, Level};

/// Where the schema stands, which decides the rule ids and the direction of each judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    ResponseBody,
    RequestBody,
    Parameter,
}

/// The comparison of one operation's schemas: the two documents, the operation, the findings.
pub(crate) struct Compare<'a> {
    pub old_doc: &'a Value,
    pub new_doc: &'a Value,
    pub method: &'a str,
    pub path: &'a str,
    pub out: &'a mut Vec<Change>,
    /// Pairs of references already compared: recursive types end here.
    seen: BTreeSet<(String, String)>,
}

/// What a schema says, with `allOf` members folded in.
#[derive(Default)]
struct View {
    ty: Option<String>,
    format: Option<String>,
    pattern: Option<String>,
    /// `maximum`, `maxLength`, `maxItems` and their `min` counterparts, as numbers.
    bounds: Vec<(&'static str, f64)>,
    nullable: bool,
    properties: Map<String, Value>,
    required: BTreeSet<String>,
    items: Option<Value>,
    values: Option<Vec<Value>>,
    additional: Option<Value>,
}

/// The numeric constraints, each with whether it is an upper bound.
const BOUNDS: [(&str, bool); 6] = [
    ("maximum", true),
    ("maxLength", true),
    ("maxItems", true),
    ("minimum", false),
    ("minLength", false),
    ("minItems", false),
];

/// How deep a comparison goes: documents nest a few levels; a bound keeps any input finite.
const MAX_DEPTH: usize = 48;

fn view(doc: &Value, schema: &Value, depth: usize) -> View {
    let schema = follow(doc, schema);
    let mut v = View {
        ty: schema
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned),
        format: schema
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_owned),
        pattern: schema
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_owned),
        bounds: BOUNDS
            .iter()
            .filter_map(|(k, _)| Some((*k, schema.get(*k)?.as_f64()?)))
            .collect(),
        nullable: schema.get("nullable") == Some(&Value::Bool(true)),
        properties: schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        required: schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        items: schema.get("items").cloned(),
        values: schema.get("enum").and_then(Value::as_array).cloned(),
        additional: schema
            .get("additionalProperties")
            .filter(|a| a.is_object())
            .cloned(),
    };
    if depth < MAX_DEPTH {
        for member in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let m = view(doc, member, depth + 1);
            v.ty = v.ty.or(m.ty);
            v.nullable |= m.nullable;
            for (k, s) in m.properties {
                v.properties.entry(k).or_insert(s);
            }
            v.required.extend(m.required);
            v.items = v.items.or(m.items);
            v.values = v.values.or(m.values);
            v.additional = v.additional.or(m.additional);
        }
    }
    v
}

/// `items[].user.name`, or `the body` at the root.
fn shown(at: &str) -> String {
    if at.is_empty() {
        "the body".to_owned()
    } else {
        format!("`{at}`")
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

impl<'a> Compare<'a> {
    pub fn new(
        old_doc: &'a Value,
        new_doc: &'a Value,
        method: &'a str,
        path: &'a str,
        out: &'a mut Vec<Change>,
    ) -> Self {
        Self {
            old_doc,
            new_doc,
            method,
            path,
            out,
            seen: BTreeSet::new(),
        }
    }

    fn push(&mut self, id: &'static str, level: Level, text: String) {
        self.out.push(Change {
            id,
            level,
            method: self.method.to_uppercase(),
            path: self.path.to_owned(),
            text,
        });
    }

    /// Compares the schemas of one place; `label` names it (`the response (200)`, `the
    /// parameter `q``), `at` is the property path below it.
    pub fn schemas(
        &mut self,
        place: Place,
        label: &str,
        old: &Value,
        new: &Value,
        at: &str,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        if let (Some(a), Some(b)) = (ref_of(old), ref_of(new))
            && !self.seen.insert((a.to_owned(), b.to_owned()))
        {
            return;
        }
        let (o, n) = (view(self.old_doc, old, 0), view(self.new_doc, new, 0));
        let response = place == Place::ResponseBody;
        let what = if at.is_empty() {
            label.to_owned()
        } else {
            format!("{label}: {}", shown(at))
        };
        if let (Some(a), Some(b)) = (&o.ty, &n.ty)
            && a != b
        {
            let id = match (place, at.is_empty()) {
                (Place::ResponseBody, true) => "response-body-type-changed",
                (Place::ResponseBody, false) => "response-property-type-changed",
                (Place::RequestBody, true) => "request-body-type-changed",
                (Place::RequestBody, false) => "request-property-type-changed",
                (Place::Parameter, _) => "request-parameter-type-changed",
            };
            self.push(
                id,
                Level::Breaking,
                format!("{what} changed type from {a} to {b}"),
            );
            return;
        }
        if o.nullable != n.nullable {
            // A response that may now be null, or a request that may no longer be, changes the
            // Rust type or rejects what callers send.
            let (id, level) = match (response, n.nullable) {
                (true, true) => ("response-property-became-nullable", Level::Breaking),
                (true, false) => ("response-property-became-not-nullable", Level::Info),
                (false, false) => ("request-property-became-not-nullable", Level::Breaking),
                (false, true) => ("request-property-became-nullable", Level::Info),
            };
            let now = if n.nullable {
                "nullable"
            } else {
                "not nullable"
            };
            self.push(id, level, format!("{what} became {now}"));
        }
        self.enums(place, &what, &o, &n);
        self.constraints(place, &what, &o, &n);
        self.properties(place, label, &o, &n, at, depth);
        if let (Some(a), Some(b)) = (&o.items, &n.items) {
            self.schemas(place, label, a, b, &format!("{at}[]"), depth + 1);
        }
        if let (Some(a), Some(b)) = (&o.additional, &n.additional) {
            self.schemas(place, label, a, b, &format!("{at}{{}}"), depth + 1);
        }
    }

    /// Formats, patterns and bounds: a request may accept no less than it did (a caller's
    /// values would be refused), a response may return no more (a format is a Rust type, and a
    /// client may rely on a bound).
    fn constraints(&mut self, place: Place, what: &str, o: &View, n: &View) {
        let response = place == Place::ResponseBody;
        if o.format != n.format {
            let show = |f: &Option<String>| f.clone().unwrap_or_else(|| "none".into());
            let id = match place {
                Place::ResponseBody => "response-property-format-changed",
                Place::RequestBody => "request-property-format-changed",
                Place::Parameter => "request-parameter-format-changed",
            };
            self.push(
                id,
                Level::Breaking,
                format!(
                    "{what} changed format from {} to {} (another Rust type)",
                    show(&o.format),
                    show(&n.format)
                ),
            );
        }
        if o.pattern != n.pattern {
            // A new or changed pattern may refuse what was sent; a dropped one may return what
            // was never returned.
            let breaks = if response {
                o.pattern.is_some()
            } else {
                n.pattern.is_some()
            };
            let id = match place {
                Place::ResponseBody => "response-property-pattern-changed",
                Place::RequestBody => "request-property-pattern-changed",
                Place::Parameter => "request-parameter-pattern-changed",
            };
            let level = if breaks { Level::Breaking } else { Level::Info };
            self.push(id, level, format!("{what} changed its pattern"));
        }
        for (key, upper) in BOUNDS {
            let get = |v: &View| v.bounds.iter().find(|(k, _)| *k == key).map(|(_, b)| *b);
            let (was, is) = (get(o), get(n));
            // Wider: the bound moved outwards or went away.
            let wider = match (was, is) {
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) if a != b => {
                    if upper {
                        b > a
                    } else {
                        b < a
                    }
                }
                _ => continue,
            };
            let breaks = if response { wider } else { !wider };
            let id = match (place, wider) {
                (Place::ResponseBody, true) => "response-property-constraint-relaxed",
                (Place::ResponseBody, false) => "response-property-constraint-tightened",
                (Place::RequestBody, true) => "request-property-constraint-relaxed",
                (Place::RequestBody, false) => "request-property-constraint-tightened",
                (Place::Parameter, true) => "request-parameter-constraint-relaxed",
                (Place::Parameter, false) => "request-parameter-constraint-tightened",
            };
            let show = |b: Option<f64>| b.map_or_else(|| "none".to_owned(), |b| b.to_string());
            self.push(
                id,
                if breaks { Level::Breaking } else { Level::Info },
                format!("{what}: `{key}` changed from {} to {}", show(was), show(is)),
            );
        }
    }

    fn enums(&mut self, place: Place, what: &str, o: &View, n: &View) {
        let (Some(a), Some(b)) = (&o.values, &n.values) else {
            return;
        };
        let added: Vec<&Value> = b.iter().filter(|v| !a.contains(v)).collect();
        let removed: Vec<&Value> = a.iter().filter(|v| !b.contains(v)).collect();
        let list = |vs: &[&Value]| {
            vs.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match place {
            Place::ResponseBody => {
                if !added.is_empty() {
                    // A Rust enum decodes only the values it knows.
                    self.push(
                        "response-property-enum-value-added",
                        Level::Breaking,
                        format!(
                            "{what} may now be {} (a value the client's enum cannot decode)",
                            list(&added)
                        ),
                    );
                }
                if !removed.is_empty() {
                    self.push(
                        "response-property-enum-value-removed",
                        Level::Info,
                        format!("{what} is no longer {}", list(&removed)),
                    );
                }
            }
            Place::RequestBody | Place::Parameter => {
                let (gone, new) = if place == Place::Parameter {
                    (
                        "request-parameter-enum-value-removed",
                        "request-parameter-enum-value-added",
                    )
                } else {
                    (
                        "request-property-enum-value-removed",
                        "request-property-enum-value-added",
                    )
                };
                if !removed.is_empty() {
                    self.push(
                        gone,
                        Level::Breaking,
                        format!("{what} no longer accepts {}", list(&removed)),
                    );
                }
                if !added.is_empty() {
                    self.push(
                        new,
                        Level::Info,
                        format!("{what} now also accepts {}", list(&added)),
                    );
                }
            }
        }
    }

    fn properties(
        &mut self,
        place: Place,
        label: &str,
        o: &View,
        n: &View,
        at: &str,
        depth: usize,
    ) {
        let response = place == Place::ResponseBody;
        for (name, old_schema) in &o.properties {
            let here = join(at, name);
            let Some(new_schema) = n.properties.get(name) else {
                // A field the client's struct had, or a setter its builder had.
                let id = if response {
                    "response-property-removed"
                } else {
                    "request-property-removed"
                };
                self.push(
                    id,
                    Level::Breaking,
                    format!("{label}: the property {} was removed", shown(&here)),
                );
                continue;
            };
            let (was, is) = (o.required.contains(name), n.required.contains(name));
            match (response, was, is) {
                // Optional and required fields are different Rust types (`Option<T>` and `T`).
                (true, true, false) => self.push(
                    "response-property-became-optional",
                    Level::Breaking,
                    format!("{label}: the property {} became optional", shown(&here)),
                ),
                (true, false, true) => self.push(
                    "response-property-became-required",
                    Level::Warning,
                    format!(
                        "{label}: the property {} became required (its Rust type loses the Option)",
                        shown(&here)
                    ),
                ),
                (false, false, true) => self.push(
                    "request-property-became-required",
                    Level::Breaking,
                    format!("{label}: the property {} became required", shown(&here)),
                ),
                (false, true, false) => self.push(
                    "request-property-became-optional",
                    Level::Info,
                    format!("{label}: the property {} became optional", shown(&here)),
                ),
                _ => {}
            }
            self.schemas(place, label, old_schema, new_schema, &here, depth + 1);
        }
        for name in n
            .properties
            .keys()
            .filter(|k| !o.properties.contains_key(*k))
        {
            let here = shown(&join(at, name));
            let required = n.required.contains(name);
            let (id, level) = match (response, required) {
                (true, true) => ("response-required-property-added", Level::Info),
                (true, false) => ("response-optional-property-added", Level::Info),
                (false, true) => ("new-required-request-property", Level::Breaking),
                (false, false) => ("new-optional-request-property", Level::Info),
            };
            let kind = if required { "required" } else { "optional" };
            self.push(
                id,
                level,
                format!("{label}: the {kind} property {here} was added"),
            );
        }
    }
}
