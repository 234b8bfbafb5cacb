//! The named objects of markdown pages as components: each inferred from every example of it on
//! every page; nested objects shaped like a named object refer to it, and nested objects that
//! recur in several places (the user object) become one shared component.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::error::ErrorKind;
use crate::fault::{PageFault, PageNote};
use crate::infer;
use crate::names;
use crate::yaml::escape_segment;

/// A sample of a named object: the value and where its example stands.
#[derive(Debug, Clone)]
pub(super) struct Sample {
    pub value: Value,
    pub page: usize,
    pub offset: usize,
}

/// A step of a path into a sample.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Seg {
    Prop(String),
    Item,
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Objects whose keys are all positions are maps, not records.
fn is_positional(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| !m.is_empty() && m.keys().all(|k| k.bytes().all(|b| b.is_ascii_digit())))
}

/// Calls `f` on every nested object below `value` (not `value` itself); `f` returns whether to
/// descend into it.
fn nested_objects(value: &Value, path: &mut Vec<Seg>, f: &mut dyn FnMut(&[Seg], &Value) -> bool) {
    let mut visit = |v: &Value, path: &mut Vec<Seg>| {
        let descend = !v.is_object() || is_positional(v) || f(path, v);
        if descend {
            nested_objects(v, path, f);
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Seg::Prop(k.clone()));
                visit(v, path);
                path.pop();
            }
        }
        Value::Array(items) => {
            path.push(Seg::Item);
            for v in items {
                visit(v, path);
            }
            path.pop();
        }
        _ => {}
    }
}

/// The named object whose keys a nested object shares (at least 80% of both key sets).
fn matching_named(
    obj_keys: &BTreeSet<String>,
    unions: &BTreeMap<String, BTreeSet<String>>,
    except: &str,
) -> Option<String> {
    if obj_keys.len() < 3 {
        return None;
    }
    unions
        .iter()
        .filter(|(name, _)| name.as_str() != except)
        .map(|(name, u)| (jaccard(obj_keys, u), name))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name.clone())
}

/// Replaces the schema at `path` inside `schema` with a reference, keeping nullability.
fn set_ref(schema: &mut Value, path: &[Seg], target: &str) {
    let mut node = schema;
    for seg in path {
        let next = match seg {
            Seg::Prop(p) => node.get_mut("properties").and_then(|ps| ps.get_mut(p)),
            Seg::Item => node.get_mut("items"),
        };
        match next {
            Some(n) => node = n,
            None => return,
        }
    }
    let reference = json!({"$ref": format!("#/components/schemas/{}", escape_segment(target))});
    let nullable = node.get("nullable") == Some(&json!(true));
    *node = if nullable {
        json!({"allOf": [reference], "nullable": true})
    } else {
        reference
    };
}

/// The schema kind of every property, for comparing two pages' samples of one object.
fn shape_conflict(a: &Value, b: &Value, path: &str) -> Option<String> {
    let kind = |s: &Value| s.get("type").and_then(Value::as_str).map(str::to_owned);
    let (Some(pa), Some(pb)) = (
        a.get("properties").and_then(Value::as_object),
        b.get("properties").and_then(Value::as_object),
    ) else {
        return None;
    };
    for (name, sa) in pa {
        let Some(sb) = pb.get(name) else { continue };
        match (kind(sa), kind(sb)) {
            (Some(x), Some(y))
                if x != y
                    && !(matches!(x.as_str(), "integer" | "number")
                        && matches!(y.as_str(), "integer" | "number")) =>
            {
                return Some(format!(
                    "`{path}{name}` is {x} on one page and {y} on the other"
                ));
            }
            (Some(x), Some(_)) if x == "object" => {
                if let Some(c) = shape_conflict(sa, sb, &format!("{path}{name}.")) {
                    return Some(c);
                }
            }
            _ => {}
        }
    }
    let ka: BTreeSet<String> = pa.keys().cloned().collect();
    let kb: BTreeSet<String> = pb.keys().cloned().collect();
    (path.is_empty() && jaccard(&ka, &kb) < 0.5)
        .then(|| "the two pages' examples share fewer than half their fields".to_owned())
}

/// Where each named object's first example stands: (page, offset).
pub(super) type FirstSeen = BTreeMap<String, (usize, usize)>;

/// Infers named and shared components from every sample, and reports shapes that disagree.
pub(super) fn named_components(
    mut named: BTreeMap<String, Vec<Sample>>,
    notes: &mut Vec<PageNote>,
) -> Result<(Map<String, Value>, FirstSeen), PageFault> {
    for (name, samples) in &named {
        let mut by_page: BTreeMap<usize, Vec<&Sample>> = BTreeMap::new();
        for s in samples {
            by_page.entry(s.page).or_default().push(s);
        }
        let per_page: Vec<(&Vec<&Sample>, Value)> = by_page
            .values()
            .map(|ss| (ss, infer::infer(ss.iter().map(|s| &s.value))))
            .collect();
        for pair in per_page.windows(2) {
            if let Some(conflict) = shape_conflict(&pair[0].1, &pair[1].1, "") {
                let (first, second) = (pair[0].0[0], pair[1].0[0]);
                return Err(PageFault::new(
                    ErrorKind::Conflict,
                    second.page,
                    second.offset,
                    format!("two pages describe different `{name}` objects: {conflict}"),
                )
                .related(first.page, first.offset));
            }
        }
    }
    let unions: BTreeMap<String, BTreeSet<String>> = named
        .iter()
        .map(|(n, ss)| (n.clone(), ss.iter().flat_map(|s| keys(&s.value)).collect()))
        .collect();
    // Nested objects shaped like a named object are that object.
    let mut mapped: BTreeMap<(String, Vec<Seg>), String> = BTreeMap::new();
    let mut extra: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    for (name, samples) in &named {
        for s in samples {
            nested_objects(
                &s.value,
                &mut Vec::new(),
                &mut |path, obj| match matching_named(&keys(obj), &unions, name) {
                    Some(target) => {
                        mapped.insert((name.clone(), path.to_vec()), target.clone());
                        extra.entry(target).or_default().push(Sample {
                            value: obj.clone(),
                            page: s.page,
                            offset: s.offset,
                        });
                        false
                    }
                    None => true,
                },
            );
        }
    }
    for (name, samples) in extra {
        named.entry(name).or_default().extend(samples);
    }
    // Nested objects with the same fields in several places are one shared type.
    let mut positions: BTreeMap<(String, Vec<Seg>), Vec<Value>> = BTreeMap::new();
    for (name, samples) in &named {
        for s in samples {
            nested_objects(&s.value, &mut Vec::new(), &mut |path, obj| {
                if mapped.contains_key(&(name.clone(), path.to_vec())) {
                    return false;
                }
                positions
                    .entry((name.clone(), path.to_vec()))
                    .or_default()
                    .push(obj.clone());
                true
            });
        }
    }
    let mut groups: BTreeMap<BTreeSet<String>, Vec<(String, Vec<Seg>)>> = BTreeMap::new();
    for (pos, values) in &positions {
        let k: BTreeSet<String> = values.iter().flat_map(keys).collect();
        if k.len() >= 3 {
            groups.entry(k).or_default().push(pos.clone());
        }
    }
    let mut schemas = Map::new();
    let mut taken: BTreeSet<String> = named.keys().map(|n| names::type_key(n)).collect();
    let mut shared: BTreeMap<(String, Vec<Seg>), String> = BTreeMap::new();
    for members in groups.values().filter(|m| m.len() >= 2) {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (_, path) in members {
            if let Some(Seg::Prop(p)) = path.iter().rev().find(|s| matches!(s, Seg::Prop(_))) {
                *counts.entry(p.clone()).or_default() += 1;
            }
        }
        let best = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        let mut base = names::pascal(
            best.strip_suffix('s')
                .filter(|_| best.ends_with("_tags") || best.ends_with("ers"))
                .unwrap_or(&best),
        );
        if base.is_empty() {
            base = "Object".to_owned();
        }
        let mut component = base.clone();
        let mut n = 2;
        while !taken.insert(names::type_key(&component)) {
            component = format!("{base}{n}");
            n += 1;
        }
        let values: Vec<&Value> = members.iter().flat_map(|m| positions[m].iter()).collect();
        schemas.insert(component.clone(), infer::infer(values));
        for m in members {
            shared.insert(m.clone(), component.clone());
        }
    }
    let mut first_seen = BTreeMap::new();
    for (name, samples) in &named {
        let mut schema = if samples.is_empty() {
            json!({"type": "object"})
        } else {
            infer::infer(samples.iter().map(|s| &s.value))
        };
        for ((owner, path), target) in mapped.iter().chain(shared.iter()) {
            if owner == name {
                set_ref(&mut schema, path, target);
            }
        }
        if let Some(s) = samples.first() {
            first_seen.insert(name.clone(), (s.page, s.offset));
        }
        schemas.insert(name.clone(), schema);
    }
    for (name, samples) in &named {
        if samples.is_empty() {
            notes.push(PageNote::general(format!(
                "no example of a `{name}` object on any page; its type stays an untyped map"
            )));
        }
    }
    Ok((schemas, first_seen))
}
