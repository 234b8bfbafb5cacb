//! The named objects of markdown pages as components: each inferred from every example of it on
//! every page. A nested object shaped like a named object refers to it (its own name, derived
//! from where it stands, stays as an alias); nested objects with the same fields in several
//! places (the user object) are inferred together, from all their samples, so that hoisting
//! gives them one type with each place's name as an alias.
//!
//! Pages may show one name in different shapes (a full and a short user). Samples of pages that
//! agree are merged — inferred schemas require nothing, so the merged type decodes every page's
//! examples; a page whose samples disagree (a field of another kind, or no field in common)
//! gets its own type, named after the page (`UserOnMediaPage`), and a warning names both places.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::fault::PageNote;
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

/// Objects keyed by positions or ids are maps, not records.
fn is_keyed_map(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| infer::is_keyed_map(m.keys().map(String::as_str)))
}

/// Calls `f` on every nested object below `value` (not `value` itself); `f` returns whether to
/// descend into it.
fn nested_objects(value: &Value, path: &mut Vec<Seg>, f: &mut dyn FnMut(&[Seg], &Value) -> bool) {
    let mut visit = |v: &Value, path: &mut Vec<Seg>| {
        let descend = !v.is_object() || is_keyed_map(v) || f(path, v);
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

/// The schema node at `path` inside `schema`.
fn node_at<'s>(schema: &'s mut Value, path: &[Seg]) -> Option<&'s mut Value> {
    let mut node = schema;
    for seg in path {
        node = match seg {
            Seg::Prop(p) => node.get_mut("properties")?.get_mut(p)?,
            Seg::Item => node.get_mut("items")?,
        };
    }
    Some(node)
}

/// Replaces the schema at `path` inside `schema`, keeping the place's nullability.
fn set_schema(schema: &mut Value, path: &[Seg], replacement: Value) {
    let Some(node) = node_at(schema, path) else {
        return;
    };
    let nullable = node.get("nullable") == Some(&json!(true));
    *node = match replacement {
        Value::Object(mut m) if nullable && m.contains_key("$ref") => {
            json!({"allOf": [Value::Object(std::mem::take(&mut m))], "nullable": true})
        }
        Value::Object(mut m) if nullable => {
            m.insert("nullable".into(), json!(true));
            Value::Object(m)
        }
        other => other,
    };
}

/// The name hoisting gives the place at `path` inside `owner`: `StoryUser`,
/// `HighlightItemsItem`.
fn place_name(owner: &str, path: &[Seg]) -> String {
    let mut name = owner.to_owned();
    for seg in path {
        match seg {
            Seg::Prop(p) => name.push_str(&names::pascal(p)),
            Seg::Item => name.push_str("Item"),
        }
    }
    name
}

/// Where two pages' samples of one object disagree so that one type cannot be true to both:
/// a property of another kind (numbers of either kind agree), or no property in common.
fn disagreement(a: &Value, b: &Value) -> Option<String> {
    if let Some(conflict) = kind_conflict(a, b, "") {
        return Some(conflict);
    }
    let (ka, kb) = (property_names(a), property_names(b));
    (!ka.is_empty() && !kb.is_empty() && ka.is_disjoint(&kb))
        .then(|| "the two pages' examples have no field in common".to_owned())
}

fn property_names(schema: &Value) -> BTreeSet<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The first property, depth first, whose kind differs between two inferred schemas.
fn kind_conflict(a: &Value, b: &Value, path: &str) -> Option<String> {
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
                if let Some(c) = kind_conflict(sa, sb, &format!("{path}{name}.")) {
                    return Some(c);
                }
            }
            _ => {}
        }
    }
    None
}

/// The samples of one name that one type describes: the pages that agree.
struct Group {
    name: String,
    pages: Vec<usize>,
    samples: Vec<Sample>,
    schema: Value,
}

/// A name that pages use for objects that disagree: the pages whose objects are the renamed
/// type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Renamed {
    pub name: String,
    pub renamed: String,
    pub pages: Vec<usize>,
}

/// Splits each name's samples into the groups of pages that agree: the first group keeps the
/// name, each other one is named after its first page (`MediaUser` for the media page's `User`).
/// Merging pages that share few fields and splitting pages that disagree are both reported,
/// each with the two places.
pub(super) fn tell_apart(
    named: BTreeMap<String, Vec<Sample>>,
    page_words: &[String],
    notes: &mut Vec<PageNote>,
) -> (BTreeMap<String, Vec<Sample>>, Vec<Renamed>) {
    let mut taken: BTreeSet<String> = named.keys().cloned().collect();
    let mut out = BTreeMap::new();
    let mut renames = Vec::new();
    for (name, samples) in named {
        let mut by_page: BTreeMap<usize, Vec<Sample>> = BTreeMap::new();
        for s in samples {
            by_page.entry(s.page).or_default().push(s);
        }
        let mut groups: Vec<Group> = Vec::new();
        for (page, samples) in by_page {
            let schema = infer::infer(samples.iter().map(|s| &s.value));
            let here = (samples[0].page, samples[0].offset);
            let fits = groups
                .iter()
                .position(|g| disagreement(&g.schema, &schema).is_none());
            match fits {
                Some(i) => {
                    let group = &mut groups[i];
                    let (ka, kb) = (property_names(&group.schema), property_names(&schema));
                    if jaccard(&ka, &kb) < 0.5 {
                        let there = (group.samples[0].page, group.samples[0].offset);
                        notes.push(
                            PageNote::at(
                                here.0,
                                here.1,
                                format!(
                                    "this page's `{name}` objects share fewer than half their fields with another page's ({} of {}); one `{name}` type holds both, every field optional",
                                    ka.intersection(&kb).count(),
                                    ka.union(&kb).count()
                                ),
                            )
                            .related(there.0, there.1),
                        );
                    }
                    group.pages.push(page);
                    group.samples.extend(samples);
                    group.schema = infer::infer(group.samples.iter().map(|s| &s.value));
                }
                None => {
                    if let Some(first) = groups.first() {
                        let conflict = disagreement(&first.schema, &schema).unwrap_or_default();
                        let renamed = unique(page_name(&page_words[page], &name), &mut taken);
                        let there = (first.samples[0].page, first.samples[0].offset);
                        notes.push(
                            PageNote::at(
                                here.0,
                                here.1,
                                format!(
                                    "two pages describe different `{name}` objects ({conflict}); this page's are the type `{renamed}`"
                                ),
                            )
                            .related(there.0, there.1),
                        );
                        groups.push(Group {
                            name: renamed,
                            pages: vec![page],
                            samples,
                            schema,
                        });
                    } else {
                        groups.push(Group {
                            name: name.clone(),
                            pages: vec![page],
                            samples,
                            schema,
                        });
                    }
                }
            }
        }
        if groups.is_empty() {
            out.insert(name.clone(), Vec::new());
        }
        for group in groups {
            if group.name != name {
                renames.push(Renamed {
                    name: name.clone(),
                    renamed: group.name.clone(),
                    pages: group.pages,
                });
            }
            out.insert(group.name, group.samples);
        }
    }
    (out, renames)
}

/// `UserOnMediaPage` for `User` on the page `media.md`, `HighlightV2OnUserPage` for
/// `HighlightV2` on `v2-user.md`: the page's words without version markers. Hoisting names
/// nested types `{Parent}{Field}` (the media page's `Media.user` is `MediaUser`), so this form
/// cannot take a name a nested type would get.
fn page_name(words: &str, name: &str) -> String {
    let words: Vec<&str> = words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !is_version(w))
        .collect();
    let prefix = names::pascal(&words.join("_"));
    format!("{name}On{prefix}Page")
}

/// `v2`, `V10`: a version marker in a page's file name.
fn is_version(word: &str) -> bool {
    word.strip_prefix(['v', 'V'])
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `wanted`, or `wanted2`, `wanted3`, … when the name is taken.
fn unique(wanted: String, taken: &mut BTreeSet<String>) -> String {
    let mut name = wanted.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{wanted}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// Where each named object's first example stands: (page, offset).
pub(super) type FirstSeen = BTreeMap<String, (usize, usize)>;

/// Infers named and shared components from every sample (of pages that agree: see
/// [`tell_apart`]).
pub(super) fn named_components(
    mut named: BTreeMap<String, Vec<Sample>>,
    notes: &mut Vec<PageNote>,
) -> (Map<String, Value>, FirstSeen) {
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
    // Each place of a recurring object gets the schema inferred from all its places.
    let mut shared: Vec<((String, Vec<Seg>), Value)> = Vec::new();
    for members in groups.values().filter(|m| m.len() >= 2) {
        let values: Vec<&Value> = members.iter().flat_map(|m| positions[m].iter()).collect();
        let schema = infer::infer(values);
        shared.extend(members.iter().map(|m| (m.clone(), schema.clone())));
    }
    // Outer places first: an inner place's schema then lands inside the outer one's copy.
    shared.sort_by_key(|((owner, path), _)| (path.len(), owner.clone(), path.clone()));
    let mut schemas = Map::new();
    let mut aliases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut first_seen = BTreeMap::new();
    for (name, samples) in &named {
        let mut schema = if samples.is_empty() {
            json!({"type": "object"})
        } else {
            infer::infer(samples.iter().map(|s| &s.value))
        };
        for ((owner, path), replacement) in &shared {
            if owner == name {
                set_schema(&mut schema, path, replacement.clone());
            }
        }
        for ((owner, path), target) in &mapped {
            if owner == name {
                let reference =
                    json!({"$ref": format!("#/components/schemas/{}", escape_segment(target))});
                set_schema(&mut schema, path, reference);
                aliases
                    .entry(target.clone())
                    .or_default()
                    .insert(place_name(owner, path));
            }
        }
        if let Some(s) = samples.first() {
            first_seen.insert(name.clone(), (s.page, s.offset));
        }
        schemas.insert(name.clone(), schema);
    }
    for (target, names) in aliases {
        if let Some(Value::Object(m)) = schemas.get_mut(&target) {
            m.insert(
                crate::hoist::ALIASES.into(),
                names.into_iter().map(Value::String).collect(),
            );
        }
    }
    for (name, samples) in &named {
        if samples.is_empty() {
            notes.push(PageNote::general(format!(
                "no example of a `{name}` object on any page; its type stays an untyped map"
            )));
        }
    }
    (schemas, first_seen)
}
