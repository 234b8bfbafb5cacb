//! Endpoints read from the pages → the OpenAPI document: operations with their parameters,
//! request body, cost and response, and the named objects as components.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Parsed;
use super::components::{Sample, named_components};
use super::scan::{Endpoint, ParamIn, Returns, returns_of};
use crate::error::ErrorKind;
use crate::fault::{PageFault, PageNote};
use crate::mintlify::COST;
use crate::origin::{Origin, Origins};
use crate::yaml::{Positions, escape_segment};

pub(super) fn build_document(
    page_count: usize,
    title: &str,
    endpoints: Vec<Endpoint>,
    auth: Option<String>,
    notes: &mut Vec<PageNote>,
) -> Result<Parsed, PageFault> {
    let mut origins = Origins::default();
    let mut positions: Vec<Positions> = vec![Positions::default(); page_count];
    let mut named: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    let mut paths = Map::new();
    let mut owners: Vec<(String, usize)> = Vec::new();
    for ep in &endpoints {
        let text = ep.text.join(" ");
        let returns = returns_of(&text);
        let op_ptr = format!("/paths/{}/{}", escape_segment(&ep.path), ep.method);
        if paths
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
        positions[ep.page].insert(op_ptr.clone(), ep.offset);
        owners.push((op_ptr.clone(), ep.page));
        let mut op = Map::new();
        if let Some(summary) = summary_of(&ep.text) {
            op.insert("summary".into(), json!(summary));
        }
        if !text.is_empty() {
            op.insert("description".into(), json!(text));
        }
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
            let mut schema = p.schema.clone();
            if !p.description.is_empty() {
                schema["description"] = json!(p.description);
            }
            match location {
                ParamIn::Body => {
                    body_props.insert(p.name.clone(), schema);
                    if p.required {
                        body_required.push(json!(p.name));
                    }
                }
                other => {
                    let index = params.len();
                    positions[ep.page].insert(format!("{op_ptr}/parameters/{index}"), p.offset);
                    let where_ = match other {
                        ParamIn::Path => "path",
                        ParamIn::Header => "header",
                        _ => "query",
                    };
                    let mut param = json!({"name": p.name, "in": where_, "required": p.required || other == ParamIn::Path, "schema": schema});
                    if !p.description.is_empty() {
                        param["description"] = json!(p.description);
                    }
                    params.push(param);
                }
            }
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if !body_props.is_empty() {
            let mut schema = json!({"type": "object", "properties": body_props});
            if !body_required.is_empty() {
                schema["required"] = Value::Array(body_required.clone());
            }
            op.insert(
                "requestBody".into(),
                json!({"required": !body_required.is_empty(), "content": {"application/json": {"schema": schema}}}),
            );
        }
        if let Some(c) = COST.captures(&text)
            && let Ok(amount) = c[1].parse::<u32>()
        {
            op.insert(
                "x-cost".into(),
                json!({"amount": amount, "unit": c[2].to_ascii_lowercase(), "source": "page"}),
            );
        }
        if ep.deprecated {
            op.insert("deprecated".into(), json!(true));
        }
        let example = ep.example.as_ref();
        let response = match &returns {
            Returns::Object(name) | Returns::List(name) => {
                let reference =
                    json!({"$ref": format!("#/components/schemas/{}", escape_segment(name))});
                let list = matches!(returns, Returns::List(_));
                let samples = named.entry(name.clone()).or_default();
                if let Some((value, offset)) = example {
                    match (list, value) {
                        (true, Value::Array(items)) => {
                            samples.extend(items.iter().map(|v| Sample {
                                value: v.clone(),
                                page: ep.page,
                                offset: *offset,
                            }))
                        }
                        (false, Value::Object(_)) => samples.push(Sample {
                            value: value.clone(),
                            page: ep.page,
                            offset: *offset,
                        }),
                        _ => {
                            return Err(PageFault::new(
                                ErrorKind::Markdown,
                                ep.page,
                                *offset,
                                format!(
                                    "the page says this returns {} `{name}`, but the example is not {}",
                                    if list { "a list of" } else { "one" },
                                    if list { "a list" } else { "an object" }
                                ),
                            ));
                        }
                    }
                }
                let schema = if list {
                    json!({"type": "array", "items": reference})
                } else {
                    reference
                };
                let mut media = json!({"schema": schema});
                if let Some((value, _)) = example {
                    media["example"] = value.clone();
                }
                json!({"description": "OK", "content": {"application/json": media}})
            }
            Returns::Data if example.is_none() => json!({
                "description": "OK",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
            }),
            _ => match example {
                Some((value, _)) => {
                    json!({"description": "OK", "content": {"application/json": {"example": value}}})
                }
                // `ingest` warns about bodies that stay untyped.
                None => {
                    json!({"description": "OK", "content": {"application/json": {"schema": {}}}})
                }
            },
        };
        if let Some((_, offset)) = example {
            positions[ep.page].insert(
                format!("{op_ptr}/responses/200/content/application~1json/example"),
                *offset,
            );
        }
        op.insert("responses".into(), json!({"200": response}));
        let item = paths.entry(ep.path.clone()).or_insert_with(|| json!({}));
        item[&ep.method] = Value::Object(op);
    }
    let (schemas, first_seen) = named_components(named, notes)?;
    for (name, (page, offset)) in first_seen {
        let ptr = format!("/components/schemas/{}", escape_segment(&name));
        positions[page].insert(ptr.clone(), offset);
        owners.push((ptr, page));
    }
    let origin_ids: Vec<usize> = positions
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
    for (ptr, page) in owners {
        origins.own(ptr, origin_ids[page]);
    }
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1"},
        "paths": paths,
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
