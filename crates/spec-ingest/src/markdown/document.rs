//! Endpoints read from the pages → the OpenAPI document: operations with their parameters,
//! request body, cost and response, and the named objects as components.
//!
//! What an endpoint returns is read from its prose and checked against its example by
//! structure: a list of X (`[…]`), a chunk of X with the next cursor (`[[…], "cursor"]`), one X,
//! or an envelope around them that the prose does not mention (`{"response": {"items": […]}}`),
//! which becomes the body type with X inside it. An example that fits none of these still gives
//! the body its type, and the page and line say why X got no sample from it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::Parsed;
use super::components::{Renamed, Sample, named_components, tell_apart};
use super::scan::{Endpoint, Param, ParamIn, Returns, returns_of};
use crate::error::ErrorKind;
use crate::fault::{PageFault, PageNote};
use crate::hoist::CHUNK;
use crate::infer;
use crate::mintlify::COST;
use crate::origin::{Origin, Origins};
use crate::yaml::{Positions, escape_segment};

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{}", escape_segment(name))})
}

/// `X` for endpoints of the first version (or none), `XV2` for `/v2/…`: two versions of one
/// vendor may document one object differently, and each keeps its own type.
fn qualified(name: &str, path: &str) -> String {
    let version = path
        .split('/')
        .find(|s| !s.is_empty())
        .and_then(|s| s.strip_prefix('v'))
        .and_then(|n| n.parse::<u32>().ok());
    match version {
        Some(n) if n >= 2 => format!("{name}V{n}"),
        _ => name.to_owned(),
    }
}

/// The document being assembled, and where each part came from.
struct Builder<'n> {
    positions: Vec<Positions>,
    owners: Vec<(String, usize)>,
    paths: Map<String, Value>,
    named: BTreeMap<String, Vec<Sample>>,
    /// Chunked answers: the object's name and the page that returns its chunks.
    chunks: BTreeSet<(String, usize)>,
    /// Single-object answers whose example may be an envelope; settled once every page's
    /// samples are known.
    pending: Vec<Pending>,
    notes: &'n mut Vec<PageNote>,
}

/// A single-object answer whose example is an object: the object itself, or an envelope.
struct Pending {
    path: String,
    method: String,
    name: String,
    example: Value,
    page: usize,
    offset: usize,
}

pub(super) fn build_document(
    stems: &[String],
    title: &str,
    endpoints: Vec<Endpoint>,
    auth: Option<String>,
    notes: &mut Vec<PageNote>,
) -> Result<Parsed, PageFault> {
    let mut b = Builder {
        positions: vec![Positions::default(); stems.len()],
        owners: Vec::new(),
        paths: Map::new(),
        named: BTreeMap::new(),
        chunks: BTreeSet::new(),
        pending: Vec::new(),
        notes,
    };
    for ep in &endpoints {
        b.operation(ep)?;
    }
    b.settle_pending();
    // Samples in the pages' order, whichever pass found them: fields keep their first-seen order.
    for samples in b.named.values_mut() {
        samples.sort_by_key(|s| (s.page, s.offset));
    }
    let (named, renames) = tell_apart(std::mem::take(&mut b.named), stems, b.notes);
    b.rename(&endpoints, &renames);
    let (mut schemas, first_seen) = named_components(named, b.notes);
    for name in b.chunks.iter().map(|(name, _)| name) {
        schemas.insert(format!("{name}Chunk"), chunk_schema(name));
    }
    let mut origins = Origins::default();
    for (name, (page, offset)) in first_seen {
        let ptr = format!("/components/schemas/{}", escape_segment(&name));
        b.positions[page].insert(ptr.clone(), offset);
        b.owners.push((ptr, page));
    }
    let origin_ids: Vec<usize> = std::mem::take(&mut b.positions)
        .into_iter()
        .enumerate()
        .map(|(page, positions)| {
            origins.add(Origin {
                page,
                yaml_offset: 0,
                positions,
            })
        })
        .collect();
    for (ptr, page) in b.owners {
        origins.own(ptr, origin_ids[page]);
    }
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1"},
        "paths": b.paths,
    });
    if !schemas.is_empty() {
        doc["components"]["schemas"] = Value::Object(schemas);
    }
    if let Some(header) = auth {
        doc["components"]["securitySchemes"] =
            json!({"apiKey": {"type": "apiKey", "in": "header", "name": header}});
        doc["security"] = json!([{"apiKey": []}]);
    }
    Ok(Parsed { doc, origins })
}

/// `[[X, …], "next cursor"]` in OpenAPI 3.0 terms: a pair whose first member is the list and
/// whose second is the cursor.
fn chunk_schema(name: &str) -> Value {
    json!({
        "description": format!("A chunk of `{name}` objects and the cursor of the next chunk: [[{name}, …], cursor]."),
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "items": {"oneOf": [
            {"type": "array", "items": reference(name)},
            {"type": "string", "nullable": true}
        ]},
        CHUNK: reference(name),
    })
}

/// `[[object, …], cursor]`: a chunk of a paged list.
fn is_chunk(value: &Value) -> bool {
    match value.as_array().map(Vec::as_slice) {
        Some([Value::Array(items), cursor]) => {
            items.iter().all(Value::is_object)
                && matches!(cursor, Value::String(_) | Value::Null | Value::Number(_))
        }
        _ => false,
    }
}

/// The first list of objects inside `value`, breadth first: where an envelope keeps its items.
fn first_list_of_objects(value: &Value) -> Option<(Vec<String>, &Vec<Value>)> {
    let mut queue: std::collections::VecDeque<(Vec<String>, &Value)> =
        std::collections::VecDeque::from([(Vec::new(), value)]);
    while let Some((path, v)) = queue.pop_front() {
        match v {
            Value::Array(items) if !path.is_empty() && items.iter().all(Value::is_object) => {
                return Some((path, items));
            }
            Value::Object(map) => {
                for (k, child) in map {
                    let mut p = path.clone();
                    p.push(k.clone());
                    queue.push_back((p, child));
                }
            }
            _ => {}
        }
    }
    None
}

/// The nested object of `value` whose keys best match `known` (at least 80% of both).
fn nested_match<'v>(
    value: &'v Value,
    known: &BTreeSet<String>,
) -> Option<(Vec<String>, &'v Value)> {
    let mut best: Option<(f64, Vec<String>, &Value)> = None;
    let mut stack: Vec<(Vec<String>, &Value)> = vec![(Vec::new(), value)];
    while let Some((path, v)) = stack.pop() {
        let Some(map) = v.as_object() else { continue };
        if !path.is_empty() {
            let keys: BTreeSet<String> = map.keys().cloned().collect();
            let score = jaccard(&keys, known);
            if score >= 0.8
                && best
                    .as_ref()
                    .is_none_or(|(s, p, _)| score > *s || (score == *s && path < *p))
            {
                best = Some((score, path.clone(), v));
            }
        }
        for (k, child) in map {
            let mut p = path.clone();
            p.push(k.clone());
            stack.push((p, child));
        }
    }
    best.map(|(_, p, v)| (p, v))
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// The schema inferred from `example`, with the value at `path` (a chain of properties)
/// replaced by `replacement`.
fn envelope_schema(example: &Value, path: &[String], replacement: Value) -> Value {
    let mut schema = infer::infer([example]);
    let mut node = &mut schema;
    for key in path {
        match node.get_mut("properties").and_then(|p| p.get_mut(key)) {
            Some(n) => node = n,
            None => return schema,
        }
    }
    let nullable = node.get("nullable") == Some(&json!(true));
    *node = if nullable {
        json!({"allOf": [replacement], "nullable": true})
    } else {
        replacement
    };
    schema
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn json_response(schema: Option<Value>, example: Option<&Value>) -> Value {
    let mut media = Map::new();
    // A page's example is a JSON value, never JSON text: a bare string is a string answer
    // (`"DW38ZhqiKax"`), so scalars get their type here rather than being read as text later.
    let schema = schema.or_else(|| {
        example
            .filter(|e| !e.is_object() && !e.is_array())
            .map(|e| infer::infer([e]))
    });
    if let Some(schema) = schema {
        media.insert("schema".into(), schema);
    }
    if let Some(example) = example {
        media.insert("example".into(), example.clone());
    }
    if media.is_empty() {
        // `ingest` warns about bodies that stay untyped.
        media.insert("schema".into(), json!({}));
    }
    json!({"description": "OK", "content": {"application/json": Value::Object(media)}})
}

impl Builder<'_> {
    fn note(&mut self, page: usize, offset: usize, message: String) {
        self.notes.push(PageNote::at(page, offset, message));
    }

    fn sample(&mut self, name: &str, value: &Value, page: usize, offset: usize) {
        self.named.entry(name.to_owned()).or_default().push(Sample {
            value: value.clone(),
            page,
            offset,
        });
    }

    fn operation(&mut self, ep: &Endpoint) -> Result<(), PageFault> {
        let op_ptr = format!("/paths/{}/{}", escape_segment(&ep.path), ep.method);
        if self
            .paths
            .get(&ep.path)
            .and_then(|item| item.get(&ep.method))
            .is_some()
        {
            return Err(PageFault::new(
                ErrorKind::Conflict,
                ep.page,
                ep.offset,
                format!(
                    "{} {} is documented twice",
                    ep.method.to_uppercase(),
                    ep.path
                ),
            ));
        }
        self.positions[ep.page].insert(op_ptr.clone(), ep.offset);
        self.owners.push((op_ptr.clone(), ep.page));
        let text = ep.text.join(" ");
        let mut op = Map::new();
        if let Some(summary) = summary_of(&ep.text) {
            op.insert("summary".into(), json!(summary));
        }
        if !text.is_empty() {
            op.insert("description".into(), json!(text));
        }
        let (params, body) = self.parameters(ep, &op_ptr);
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(body) = body {
            op.insert("requestBody".into(), body);
        }
        if let Some(c) = COST.captures(&text)
            && let Ok(amount) = c[1].parse::<u32>()
        {
            op.insert(
                canonical::COST.into(),
                json!({"amount": amount, "unit": c[2].to_ascii_lowercase(), "source": "page"}),
            );
        }
        if ep.deprecated {
            op.insert("deprecated".into(), json!(true));
        }
        if let Some((_, offset)) = &ep.example {
            self.positions[ep.page].insert(
                format!("{op_ptr}/responses/200/content/application~1json/example"),
                *offset,
            );
        }
        let response = self.response(ep, &returns_of(&text));
        op.insert("responses".into(), json!({"200": response}));
        let item = self
            .paths
            .entry(ep.path.clone())
            .or_insert_with(|| json!({}));
        item[&ep.method] = Value::Object(op);
        Ok(())
    }

    /// The operation's parameters, and its request body from body parameters.
    fn parameters(&mut self, ep: &Endpoint, op_ptr: &str) -> (Vec<Value>, Option<Value>) {
        let mut params = Vec::new();
        let mut body_props = Map::new();
        let mut body_required = Vec::new();
        for p in &ep.params {
            let in_path = ep.path.contains(&format!("{{{}}}", p.name));
            let location = p.location.unwrap_or(if in_path {
                ParamIn::Path
            } else {
                ParamIn::Query
            });
            let schema = described(p);
            if location == ParamIn::Body {
                body_props.insert(p.name.clone(), schema);
                if p.required {
                    body_required.push(json!(p.name));
                }
                continue;
            }
            self.positions[ep.page]
                .insert(format!("{op_ptr}/parameters/{}", params.len()), p.offset);
            let where_ = match location {
                ParamIn::Path => "path",
                ParamIn::Header => "header",
                _ => "query",
            };
            let mut param = json!({"name": p.name, "in": where_, "required": p.required || location == ParamIn::Path, "schema": schema});
            if !p.description.is_empty() {
                param["description"] = json!(p.description);
            }
            params.push(param);
        }
        let body = (!body_props.is_empty()).then(|| {
            let mut schema = json!({"type": "object", "properties": body_props});
            if !body_required.is_empty() {
                schema["required"] = Value::Array(body_required.clone());
            }
            json!({"required": !body_required.is_empty(), "content": {"application/json": {"schema": schema}}})
        });
        (params, body)
    }

    /// The 200 response: what the prose says, read against the example.
    fn response(&mut self, ep: &Endpoint, returns: &Returns) -> Value {
        let example = ep.example.as_ref();
        match returns {
            Returns::List(name) => {
                let name = qualified(name, &ep.path);
                self.named.entry(name.clone()).or_default();
                let Some((value, offset)) = example else {
                    return json_response(
                        Some(json!({"type": "array", "items": reference(&name)})),
                        None,
                    );
                };
                json_response(
                    Some(self.list_schema(ep, &name, value, *offset)),
                    Some(value),
                )
            }
            Returns::Object(name) => {
                let name = qualified(name, &ep.path);
                self.named.entry(name.clone()).or_default();
                let Some((value, offset)) = example else {
                    return json_response(Some(reference(&name)), None);
                };
                if value.is_object() {
                    // One X, or an envelope around one: settled once every sample is known.
                    self.pending.push(Pending {
                        path: ep.path.clone(),
                        method: ep.method.clone(),
                        name: name.clone(),
                        example: value.clone(),
                        page: ep.page,
                        offset: *offset,
                    });
                    return json_response(Some(reference(&name)), Some(value));
                }
                self.note(
                    ep.page,
                    *offset,
                    format!(
                        "{} {}: the page says this returns a `{name}` object, but the example is {}; the body's type is inferred from the example alone",
                        ep.method.to_uppercase(),
                        ep.path,
                        kind_of(value)
                    ),
                );
                json_response(None, Some(value))
            }
            Returns::Data if example.is_none() => json!({
                "description": "OK",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
            }),
            _ => json_response(None, example.map(|(v, _)| v)),
        }
    }

    /// The schema of a list answer's body, from its example: `[X]`, a chunk of X, an envelope
    /// around a list of X, or (with a note) whatever the example is.
    fn list_schema(&mut self, ep: &Endpoint, name: &str, value: &Value, offset: usize) -> Value {
        if let Value::Array(items) = value
            && items.iter().all(Value::is_object)
        {
            for item in items {
                self.sample(name, item, ep.page, offset);
            }
            return json!({"type": "array", "items": reference(name)});
        }
        if is_chunk(value) {
            for item in value[0].as_array().into_iter().flatten() {
                self.sample(name, item, ep.page, offset);
            }
            self.chunks.insert((name.to_owned(), ep.page));
            return reference(&format!("{name}Chunk"));
        }
        if value.is_object()
            && let Some((path, items)) = first_list_of_objects(value)
        {
            for item in items {
                self.sample(name, item, ep.page, offset);
            }
            self.note(
                ep.page,
                offset,
                format!(
                    "{} {}: the example wraps the list of `{name}` objects in an envelope (at `{}`); the body's type is that envelope",
                    ep.method.to_uppercase(),
                    ep.path,
                    path.join(".")
                ),
            );
            return envelope_schema(
                value,
                &path,
                json!({"type": "array", "items": reference(name)}),
            );
        }
        self.note(
            ep.page,
            offset,
            format!(
                "{} {}: the page says this returns a list of `{name}` objects, but the example is {}; the body's type is inferred from the example alone",
                ep.method.to_uppercase(),
                ep.path,
                kind_of(value)
            ),
        );
        infer::infer([value])
    }

    /// Points the operations of pages whose objects were told apart at their own types.
    fn rename(&mut self, endpoints: &[Endpoint], renames: &[Renamed]) {
        for r in renames {
            let swaps = [
                (reference(&r.name), reference(&r.renamed)),
                (
                    reference(&format!("{}Chunk", r.name)),
                    reference(&format!("{}Chunk", r.renamed)),
                ),
            ];
            for ep in endpoints.iter().filter(|ep| r.pages.contains(&ep.page)) {
                if let Some(op) = self
                    .paths
                    .get_mut(&ep.path)
                    .and_then(|item| item.get_mut(&ep.method))
                {
                    replace_refs(op, &swaps);
                }
            }
            for page in &r.pages {
                if self.chunks.remove(&(r.name.clone(), *page)) {
                    self.chunks.insert((r.renamed.clone(), *page));
                }
            }
        }
    }

    /// Decides, with every page's samples known, whether a single-object example is the object
    /// or an envelope around it: an envelope shares fewer than half its keys with the object's
    /// other samples while holding an object that shares most of them.
    fn settle_pending(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            let known: BTreeSet<String> = self
                .named
                .get(&p.name)
                .into_iter()
                .flatten()
                .flat_map(|s| {
                    s.value
                        .as_object()
                        .into_iter()
                        .flat_map(|m| m.keys().cloned())
                })
                .collect();
            let own: BTreeSet<String> = p
                .example
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let wrapped = (!known.is_empty() && jaccard(&own, &known) < 0.5)
                .then(|| nested_match(&p.example, &known))
                .flatten();
            match wrapped {
                Some((path, inner)) => {
                    let inner = inner.clone();
                    self.sample(&p.name, &inner, p.page, p.offset);
                    self.note(
                        p.page,
                        p.offset,
                        format!(
                            "{} {}: the example wraps the `{}` object in an envelope (at `{}`); the body's type is that envelope",
                            p.method.to_uppercase(),
                            p.path,
                            p.name,
                            path.join(".")
                        ),
                    );
                    let schema = envelope_schema(&p.example, &path, reference(&p.name));
                    if let Some(media) = self
                        .paths
                        .get_mut(&p.path)
                        .and_then(|item| item.get_mut(&p.method))
                        .and_then(|op| op.pointer_mut("/responses/200/content/application~1json"))
                    {
                        media["schema"] = schema;
                    }
                }
                None => self.sample(&p.name, &p.example, p.page, p.offset),
            }
        }
    }
}

/// Replaces every schema equal to one of `swaps`' first members by the second.
fn replace_refs(value: &mut Value, swaps: &[(Value, Value)]) {
    if let Some((_, to)) = swaps.iter().find(|(from, _)| from == value) {
        *value = to.clone();
        return;
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| replace_refs(v, swaps)),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_refs(v, swaps)),
        _ => {}
    }
}

/// A parameter's schema with its description.
fn described(p: &Param) -> Value {
    let mut schema = p.schema.clone();
    if !p.description.is_empty() {
        schema["description"] = json!(p.description);
    }
    schema
}

/// The first sentence that is neither a billing note nor a "Returns …" statement.
fn summary_of(text: &[String]) -> Option<String> {
    let joined = text.join(" ");
    joined
        .split_inclusive(". ")
        .map(|s| s.trim().trim_end_matches('.').trim())
        .find(|s| {
            !s.is_empty()
                && !s.contains("Billing")
                && !s.starts_with("Returns")
                && !s.starts_with('⚠')
        })
        .map(str::to_owned)
}
