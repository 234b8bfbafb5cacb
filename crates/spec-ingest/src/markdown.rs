//! Rendered endpoint pages in plain text (HikerAPI's style) → an OpenAPI 3.0.3 document.
//!
//! A page is a preamble (title, prose with the authentication sentence) followed by endpoint
//! sections: an endpoint line (`GET /v1/...`), prose ("Returns a Story object", "Billing: 2
//! requests per call"), a parameter table whose rows may be broken across lines, and an
//! unfenced JSON example. A "Deprecated endpoints" section lists struck-through endpoints
//! (`~~GET /v1/...~~`). Parsing follows that structure, not any page's exact text: unknown lines
//! are skipped with a warning, malformed tables and examples are located errors.
//!
//! Objects named by "Returns a X object" become components whose schema is inferred from every
//! example of X on every page; nested objects shaped like a named object refer to it, and nested
//! objects that recur in several places (the user object) become one shared component.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

use crate::error::{ErrorKind, IngestError, Warning};
use crate::infer;
use crate::mintlify::COST;
use crate::names;
use crate::origin::{self, Origin, Origins};
use crate::source::Page;
use crate::yaml::{Positions, escape_segment};

static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(~~)?\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(/\S*?)\s*(~~)?$")
        .expect("valid regex")
});
static RETURNS_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bReturns an? list of ([A-Z][A-Za-z0-9]*) objects?\b").expect("valid regex")
});
static RETURNS_OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bReturns an? ([A-Z][A-Za-z0-9]*) object\b").expect("valid regex")
});
static RETURNS_OTHER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bReturns ([^.]+)").expect("valid regex"));
static AUTH_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\brequire[sd]?\s+(?:an?\s+|the\s+)?`?([A-Za-z0-9][A-Za-z0-9-]*)`?\s+header\b")
        .expect("valid regex")
});
static BODY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(request\s+)?body(\s+parameters)?:?$").expect("valid regex")
});
/// One-word admonition labels that rendered pages put above a note.
const LABELS: [&str; 4] = ["Warning", "Note", "Info", "Tip"];

/// What an endpoint says it returns.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Returns {
    Object(String),
    List(String),
    /// Something that is not a named object ("story download data"): a byte stream.
    Data,
    Unstated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamIn {
    Path,
    Query,
    Header,
    Body,
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    schema: Value,
    required: bool,
    description: String,
    location: Option<ParamIn>,
    offset: usize,
}

#[derive(Debug, Clone)]
struct Endpoint {
    page: usize,
    offset: usize,
    method: String,
    path: String,
    deprecated: bool,
    text: Vec<String>,
    params: Vec<Param>,
    example: Option<(Value, usize)>,
    /// Whether the section's table or example has been read; later prose is unknown.
    closed: bool,
}

/// A document built from markdown pages, with where each part came from.
#[derive(Debug)]
pub struct Parsed {
    pub doc: Value,
    pub origins: Origins,
    pub warnings: Vec<Warning>,
}

/// Parses every page of a vendor into one document.
pub fn parse_pages(pages: &[Page], vendor: &str, title: &str) -> Result<Parsed, IngestError> {
    let mut warnings = Vec::new();
    let mut endpoints = Vec::new();
    let mut auth: Option<String> = None;
    for (index, page) in pages.iter().enumerate() {
        let found = parse_page(index, page, vendor, &mut warnings)?;
        if auth.is_none() {
            auth = found.auth;
        }
        endpoints.extend(found.endpoints);
    }
    if endpoints.is_empty() {
        return Err(IngestError::new(
            ErrorKind::NoSpec,
            vendor,
            "no endpoint lines (`GET /v1/...`) in any page",
        ));
    }
    build_document(pages, vendor, title, endpoints, auth, warnings)
}

struct PageParse {
    endpoints: Vec<Endpoint>,
    auth: Option<String>,
}

fn warn(warnings: &mut Vec<Warning>, vendor: &str, page: &Page, offset: usize, message: String) {
    warnings.push(Warning {
        vendor: vendor.to_owned(),
        location: Some(page.location_of_offset(offset)),
        message,
    });
}

fn parse_page(
    index: usize,
    page: &Page,
    vendor: &str,
    warnings: &mut Vec<Warning>,
) -> Result<PageParse, IngestError> {
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        page.text
            .split_inclusive('\n')
            .map(|l| {
                let start = offset;
                offset += l.len();
                (start, l.trim_end_matches(['\n', '\r']))
            })
            .collect()
    };
    let mut endpoints: Vec<Endpoint> = Vec::new();
    let mut auth = None;
    let mut in_preamble = true;
    let mut in_deprecated_prose = false;
    let mut body_label = false;
    let mut i = 0;
    while i < lines.len() {
        let (offset, raw) = lines[i];
        let line = raw.trim();
        i += 1;
        if line.is_empty() {
            continue;
        }
        if let Some(caps) = ENDPOINT.captures(line) {
            let struck = caps.get(1).is_some() && caps.get(4).is_some();
            endpoints.push(Endpoint {
                page: index,
                offset,
                method: caps[2].to_ascii_lowercase(),
                path: caps[3].to_owned(),
                deprecated: struck || in_deprecated_prose,
                text: Vec::new(),
                params: Vec::new(),
                example: None,
                closed: false,
            });
            in_preamble = false;
            body_label = false;
            continue;
        }
        if line.eq_ignore_ascii_case("deprecated endpoints") {
            in_deprecated_prose = true;
            if let Some(last) = endpoints.last_mut() {
                last.closed = true;
            }
            endpoints.push(Endpoint::placeholder());
            continue;
        }
        if in_preamble {
            if auth.is_none()
                && let Some(caps) = AUTH_HEADER.captures(line)
            {
                auth = Some(caps[1].to_owned());
            }
            continue;
        }
        let Some(current) = endpoints.last_mut() else {
            continue;
        };
        if current.is_placeholder() {
            // The deprecated section's introduction.
            continue;
        }
        if line.starts_with('|')
            && lines
                .get(i)
                .is_some_and(|(_, next)| is_separator(next.trim()))
        {
            let (params, consumed) = parse_table(page, vendor, &lines[i - 1..], body_label)?;
            current.params.extend(params);
            current.closed = true;
            body_label = false;
            i += consumed - 1;
            continue;
        }
        if BODY_LABEL.is_match(line) {
            body_label = true;
            continue;
        }
        if line.to_ascii_lowercase().starts_with("example response")
            || line.eq_ignore_ascii_case("example")
        {
            current.closed = true;
            continue;
        }
        if line.starts_with('{') || line.starts_with('[') {
            let (value, consumed) = parse_json_block(page, vendor, &lines[i - 1..])?;
            if current.example.is_some() {
                warn(
                    warnings,
                    vendor,
                    page,
                    offset,
                    "a second example for one endpoint; only the first is used".into(),
                );
            } else {
                current.example = Some((value, offset));
            }
            current.closed = true;
            i += consumed - 1;
            continue;
        }
        let admonition = LABELS.contains(&line);
        let deprecated_done =
            current.deprecated && current.text.iter().any(|t| !LABELS.contains(&t.as_str()));
        if current.closed || (deprecated_done && !admonition) {
            warn(
                warnings,
                vendor,
                page,
                offset,
                format!(
                    "skipped a line this parser does not know: `{}`",
                    truncate(line)
                ),
            );
            continue;
        }
        if !admonition {
            current.text.push(line.to_owned());
        }
    }
    endpoints.retain(|e| !e.is_placeholder());
    Ok(PageParse { endpoints, auth })
}

fn truncate(line: &str) -> String {
    let mut out: String = line.chars().take(60).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    out
}

impl Endpoint {
    fn placeholder() -> Self {
        Self {
            page: usize::MAX,
            offset: 0,
            method: String::new(),
            path: String::new(),
            deprecated: true,
            text: Vec::new(),
            params: Vec::new(),
            example: None,
            closed: true,
        }
    }

    fn is_placeholder(&self) -> bool {
        self.page == usize::MAX
    }
}

fn is_separator(line: &str) -> bool {
    line.starts_with('|')
        && line.contains("---")
        && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Reads a parameter table starting at its header line; returns the parameters and how many
/// lines it used. Rows may be broken across lines; cells are read in order and regrouped by the
/// header's column count.
fn parse_table(
    page: &Page,
    vendor: &str,
    lines: &[(usize, &str)],
    body: bool,
) -> Result<(Vec<Param>, usize), IngestError> {
    let (header_offset, header) = lines[0];
    let columns: Vec<String> = split_row(header)
        .into_iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
    let table_error = |offset: usize, message: String| {
        origin::error_at(page, offset, ErrorKind::Markdown, vendor, message)
    };
    let name_col = find(&["parameter", "name", "field"]).ok_or_else(|| {
        table_error(
            header_offset,
            "a parameter table needs a `Parameter` (or `Name`) column".into(),
        )
    })?;
    let type_col = find(&["type"]).ok_or_else(|| {
        table_error(
            header_offset,
            "a parameter table needs a `Type` column".into(),
        )
    })?;
    let required_col = find(&["required"]);
    let description_col = find(&["description"]);
    let in_col = find(&["in", "location"]);
    let mut cells: Vec<(String, usize)> = Vec::new();
    let mut used = 2;
    for &(offset, raw) in &lines[2..] {
        let line = raw.trim();
        if line.is_empty() || !line.contains('|') || ENDPOINT.is_match(line) {
            break;
        }
        cells.extend(split_row(line).into_iter().map(|c| (c, offset)));
        used += 1;
    }
    if !cells.len().is_multiple_of(columns.len()) {
        return Err(table_error(
            header_offset,
            format!(
                "malformed parameter table: {} cells do not make rows of {} columns",
                cells.len(),
                columns.len()
            ),
        ));
    }
    let mut params = Vec::new();
    for row in cells.chunks(columns.len()) {
        let offset = row[0].1;
        let cell = |col: Option<usize>| col.map(|c| row[c].0.clone()).unwrap_or_default();
        let name = cell(Some(name_col));
        if name.is_empty() {
            return Err(table_error(offset, "a parameter row has no name".into()));
        }
        let ty = cell(Some(type_col));
        let schema = param_schema(&ty).ok_or_else(|| {
            table_error(
                offset,
                format!("parameter `{name}` has an unknown type `{ty}`"),
            )
        })?;
        let required = match cell(required_col).to_ascii_lowercase().as_str() {
            "yes" | "true" | "required" => true,
            "no" | "false" | "optional" | "" => false,
            other => {
                return Err(table_error(
                    offset,
                    format!("parameter `{name}`: `Required` must be Yes or No, not `{other}`"),
                ));
            }
        };
        let location = match cell(in_col).to_ascii_lowercase().as_str() {
            "" => body.then_some(ParamIn::Body),
            "query" => Some(ParamIn::Query),
            "path" => Some(ParamIn::Path),
            "header" => Some(ParamIn::Header),
            "body" => Some(ParamIn::Body),
            other => {
                return Err(table_error(
                    offset,
                    format!("parameter `{name}`: unknown location `{other}`"),
                ));
            }
        };
        params.push(Param {
            name,
            schema,
            required,
            description: cell(description_col),
            location,
            offset,
        });
    }
    Ok((params, used))
}

/// Cells of one table line, without the outer pipes.
fn split_row(line: &str) -> Vec<String> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let line = line.strip_suffix('|').unwrap_or(line);
    line.split('|').map(|c| c.trim().to_owned()).collect()
}

fn param_schema(ty: &str) -> Option<Value> {
    let ty = ty.trim().to_ascii_lowercase();
    let primitive = |t: &str| -> Option<Value> {
        Some(match t {
            "string" | "str" => json!({"type": "string"}),
            "integer" | "int" => json!({"type": "integer"}),
            "number" | "float" => json!({"type": "number"}),
            "boolean" | "bool" => json!({"type": "boolean"}),
            "object" => json!({"type": "object"}),
            _ => return None,
        })
    };
    let inner = ty
        .strip_prefix("array[")
        .or_else(|| ty.strip_prefix("list["))
        .and_then(|t| t.strip_suffix(']'))
        .or_else(|| ty.strip_suffix("[]"));
    match inner {
        Some(item) => primitive(item).map(|i| json!({"type": "array", "items": i})),
        None if ty == "array" => Some(json!({"type": "array", "items": {}})),
        None => primitive(&ty),
    }
}

/// Reads an unfenced JSON value starting at the first line; returns it and the lines used.
fn parse_json_block(
    page: &Page,
    vendor: &str,
    lines: &[(usize, &str)],
) -> Result<(Value, usize), IngestError> {
    let start = lines[0].0;
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    let mut end = None;
    'lines: for (n, &(_, line)) in lines.iter().enumerate() {
        for c in line.chars() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            end = Some(n);
            break 'lines;
        }
    }
    let Some(last) = end else {
        return Err(origin::error_at(
            page,
            start,
            ErrorKind::ExampleNotJson,
            vendor,
            "the example's brackets never close",
        ));
    };
    let end_offset = lines[last].0 + lines[last].1.len();
    let text = &page.text[start..end_offset];
    let value = serde_json::from_str::<Value>(text).map_err(|e| {
        let start_line = page.line_of_offset(start);
        let loc = page.location_of_line(start_line + e.line() - 1, e.column());
        IngestError::new(
            ErrorKind::ExampleNotJson,
            vendor,
            format!("the example is not JSON: {e}"),
        )
        .at(Some(loc))
        .with_source(&page.text)
    })?;
    Ok((value, last + 1))
}

fn returns_of(text: &str) -> Returns {
    if let Some(c) = RETURNS_LIST.captures(text) {
        return Returns::List(c[1].to_owned());
    }
    if let Some(c) = RETURNS_OBJECT.captures(text) {
        return Returns::Object(c[1].to_owned());
    }
    if RETURNS_OTHER.is_match(text) {
        return Returns::Data;
    }
    Returns::Unstated
}

/// A sample of a named object: the value and where its example stands.
#[derive(Debug, Clone)]
struct Sample {
    value: Value,
    page: usize,
    offset: usize,
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
type FirstSeen = BTreeMap<String, (usize, usize)>;

/// Infers named and shared components from every sample, and reports shapes that disagree.
fn named_components(
    pages: &[Page],
    vendor: &str,
    mut named: BTreeMap<String, Vec<Sample>>,
    warnings: &mut Vec<Warning>,
) -> Result<(Map<String, Value>, FirstSeen), IngestError> {
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
                return Err(IngestError::new(
                    ErrorKind::Conflict,
                    vendor,
                    format!("two pages describe different `{name}` objects: {conflict}"),
                )
                .at(Some(pages[second.page].location_of_offset(second.offset)))
                .related(Some(pages[first.page].location_of_offset(first.offset)))
                .with_source(&pages[second.page].text));
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
            warnings.push(Warning {
                vendor: vendor.to_owned(),
                location: None,
                message: format!(
                    "no example of a `{name}` object on any page; its type stays an untyped map"
                ),
            });
        }
    }
    Ok((schemas, first_seen))
}

fn build_document(
    pages: &[Page],
    vendor: &str,
    title: &str,
    endpoints: Vec<Endpoint>,
    auth: Option<String>,
    mut warnings: Vec<Warning>,
) -> Result<Parsed, IngestError> {
    let mut origins = Origins::default();
    let mut positions: Vec<Positions> = vec![Positions::default(); pages.len()];
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
            return Err(origin::error_at(
                &pages[ep.page],
                ep.offset,
                ErrorKind::Conflict,
                vendor,
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
                            return Err(origin::error_at(
                                &pages[ep.page],
                                *offset,
                                ErrorKind::Markdown,
                                vendor,
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
    let (schemas, first_seen) = named_components(pages, vendor, named, &mut warnings)?;
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
    Ok(Parsed {
        doc,
        origins,
        warnings,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pages: &[&str]) -> Result<Parsed, IngestError> {
        let pages: Vec<Page> = pages
            .iter()
            .enumerate()
            .map(|(i, t)| Page::new(format!("specs/v/p{i}.md"), *t))
            .collect();
        parse_pages(&pages, "v", "V API")
    }

    fn ok(pages: &[&str]) -> Parsed {
        parse(pages).unwrap_or_else(|e| panic!("{e}"))
    }

    const PREAMBLE: &str = "Things Endpoints\nGet things.\nAuthentication & errors\nAll endpoints require x-access-key header. See Authentication.\n";

    #[test]
    fn endpoint_lines_summaries_and_the_auth_sentence() {
        let p = ok(&[&format!(
            "{PREAMBLE}GET /v1/thing/by/id\nGet thing by id. Returns a Thing object.\nExample response\n{{\"pk\": \"1\", \"name\": \"a\", \"n\": 1}}\n"
        )]);
        let op = &p.doc["paths"]["/v1/thing/by/id"]["get"];
        assert_eq!(op["summary"], "Get thing by id");
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Thing"})
        );
        assert_eq!(
            p.doc["components"]["securitySchemes"]["apiKey"],
            json!({"type": "apiKey", "in": "header", "name": "x-access-key"})
        );
        assert_eq!(
            p.doc["components"]["schemas"]["Thing"]["properties"]["n"]["type"],
            "integer"
        );
    }

    #[test]
    fn broken_table_rows_and_billing_notes() {
        let p = ok(&[&format!(
            "{PREAMBLE}GET /v1/things\n⚠️ Billing: 2 requests per call. Returns a list of Thing objects.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\nuser_id |\nstring | Yes | User Id |\namount |\ninteger | No | Amount |\n| force | boolean | No | Skip check |\n"
        )]);
        let op = &p.doc["paths"]["/v1/things"]["get"];
        let params: Vec<(String, bool, String)> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or("").to_owned(),
                    p["required"] == true,
                    p["schema"]["type"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert_eq!(
            params,
            vec![
                ("user_id".into(), true, "string".into()),
                ("amount".into(), false, "integer".into()),
                ("force".into(), false, "boolean".into())
            ]
        );
        assert_eq!(
            op["x-cost"],
            json!({"amount": 2, "unit": "request", "source": "page"})
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
            "#/components/schemas/Thing"
        );
    }

    #[test]
    fn columns_in_another_order() {
        let p = ok(&[&format!(
            "{PREAMBLE}GET /v1/x\nReturns a Thing object.\n| Required | Description | Type | Name |\n|---|---|---|---|\n| Yes | The id | string | id |\n"
        )]);
        let param = &p.doc["paths"]["/v1/x"]["get"]["parameters"][0];
        assert_eq!(
            (
                param["name"].as_str(),
                param["required"].as_bool(),
                param["description"].as_str()
            ),
            (Some("id"), Some(true), Some("The id"))
        );
    }

    #[test]
    fn a_post_with_a_body_parameter_table() {
        let p = ok(&[&format!(
            "{PREAMBLE}POST /v1/things/search\nSearch things. Returns a list of Thing objects.\nBody parameters\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| query | string | Yes | Text |\n| tags | array[string] | No | Tags |\n"
        )]);
        let op = &p.doc["paths"]["/v1/things/search"]["post"];
        assert!(op.get("parameters").is_none());
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "object", "properties": {
                "query": {"type": "string", "description": "Text"},
                "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags"}
            }, "required": ["query"]})
        );
    }

    #[test]
    fn path_parameters_are_path_parameters() {
        let p = ok(&[&format!(
            "{PREAMBLE}GET /v1/things/{{id}}\nReturns a Thing object.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| id | string | Yes | Id |\n"
        )]);
        assert_eq!(
            p.doc["paths"]["/v1/things/{id}"]["get"]["parameters"][0]["in"],
            "path"
        );
    }

    #[test]
    fn an_object_without_example_here_gets_its_type_from_other_endpoints_and_pages() {
        let p = ok(&[
            &format!("{PREAMBLE}GET /v1/thing/by/id\nReturns a Thing object.\n"),
            &format!(
                "{PREAMBLE}GET /v1/things\nReturns a list of Thing objects.\nExample response\n[{{\"pk\": \"1\", \"name\": \"a\", \"extra\": true}}, {{\"pk\": \"2\", \"name\": \"b\"}}]\nGET /v1/thing/latest\nReturns a Thing object.\nExample response\n{{\"pk\": \"3\", \"name\": null, \"other\": 1.5}}\n"
            ),
        ]);
        let thing = &p.doc["components"]["schemas"]["Thing"];
        assert_eq!(thing["x-inferred"]["present"], json!(["pk", "name"]));
        assert!(
            thing.get("required").is_none(),
            "examples never make a field required"
        );
        assert_eq!(
            thing["properties"]["name"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(thing["properties"]["extra"]["type"], "boolean");
        assert_eq!(thing["properties"]["other"]["type"], "number");
        assert_eq!(
            p.doc["paths"]["/v1/thing/by/id"]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/Thing"
        );
    }

    /// The component a (possibly nullable) property refers to.
    fn target(schema: &Value) -> &str {
        schema
            .get("$ref")
            .or_else(|| schema.pointer("/allOf/0/$ref"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    #[test]
    fn recurring_nested_objects_become_one_component_and_named_ones_are_referenced() {
        let user = "{\"pk\": \"1\", \"username\": \"u\", \"full_name\": \"U\"}";
        let story = format!(
            "{{\"pk\": \"9\", \"code\": \"c\", \"taken_at\": \"2026-01-01T00:00:00Z\", \"user\": {user}, \"sponsor_tags\": [{user}]}}"
        );
        let p = ok(&[&format!(
            "{PREAMBLE}GET /v1/story\nReturns a Story object.\nExample response\n{story}\nGET /v1/highlight\nReturns a Highlight object.\nExample response\n{{\"pk\": \"h\", \"title\": \"t\", \"user\": {user}, \"items\": [{story}]}}\n"
        )]);
        let schemas = &p.doc["components"]["schemas"];
        assert_eq!(
            target(&schemas["Story"]["properties"]["user"]),
            "#/components/schemas/User"
        );
        assert_eq!(
            target(&schemas["Story"]["properties"]["sponsor_tags"]["items"]),
            "#/components/schemas/User"
        );
        assert_eq!(
            target(&schemas["Highlight"]["properties"]["user"]),
            "#/components/schemas/User"
        );
        assert_eq!(
            target(&schemas["Highlight"]["properties"]["items"]["items"]),
            "#/components/schemas/Story"
        );
    }

    #[test]
    fn two_pages_with_different_shapes_under_one_name_are_reported() {
        let err = parse(&[
            &format!("{PREAMBLE}GET /v1/a\nReturns a Thing object.\nExample response\n{{\"pk\": \"1\", \"count\": \"a\"}}\n"),
            &format!("{PREAMBLE}GET /v1/b\nReturns a Thing object.\nExample response\n{{\"pk\": 1, \"count\": 2}}\n"),
        ])
        .expect_err("count is a string on one page and an integer on the other");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(
            err.message()
                .contains("`count` is string on one page and integer"),
            "{err}"
        );
        assert_eq!(
            err.location().map(|l| (l.file.as_str(), l.line)),
            Some(("specs/v/p1.md", 8))
        );
        assert_eq!(
            err.related_location().map(|l| l.file.as_str()),
            Some("specs/v/p0.md")
        );
    }

    #[test]
    fn downloads_are_byte_streams_and_deprecated_endpoints_are_marked() {
        let p = ok(&[&format!(
            "{PREAMBLE}GET /v1/thing/download\nDownload the media. Returns thing download data.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| id | string | Yes | Id |\nDeprecated endpoints\nThese endpoints will be removed.\n~~GET /v1/thing/old~~\nWarning\nOld Thing\n"
        )]);
        assert_eq!(
            p.doc["paths"]["/v1/thing/download"]["get"]["responses"]["200"]["content"],
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        );
        let old = &p.doc["paths"]["/v1/thing/old"]["get"];
        assert_eq!(old["deprecated"], true);
        assert_eq!(old["summary"], "Old Thing");
    }

    #[test]
    fn unknown_lines_are_skipped_with_a_located_warning() {
        let p = ok(&[&format!(
            "{PREAMBLE}GET /v1/x\nReturns a Thing object.\nExample response\n{{\"a\": 1}}\nSomething unexpected\n"
        )]);
        assert_eq!(p.warnings.len(), 1);
        let w = &p.warnings[0];
        assert_eq!(w.location.as_ref().map(|l| l.line), Some(9));
        assert!(w.message.contains("Something unexpected"));
    }

    #[test]
    fn a_malformed_table_is_a_located_error() {
        let err = parse(&[&format!(
            "{PREAMBLE}GET /v1/x\nReturns a Thing object.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\nid |\nstring | Yes |\n"
        )])
        .expect_err("five cells for four columns");
        assert_eq!(err.kind(), ErrorKind::Markdown);
        assert_eq!(err.location().map(|l| l.line), Some(7));
        assert!(err.message().contains("malformed parameter table"), "{err}");
        let err = parse(&[&format!("{PREAMBLE}GET /v1/x\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| id | uuid-ish | Yes | Id |\n")])
            .expect_err("unknown type");
        assert_eq!(err.location().map(|l| l.line), Some(8));
    }

    #[test]
    fn an_example_that_is_not_json_is_a_located_error() {
        let err = parse(&[&format!("{PREAMBLE}GET /v1/x\nReturns a Thing object.\nExample response\n{{\n\"a\": 1,\n\"b\": nope\n}}\n")])
            .expect_err("not JSON");
        assert_eq!(err.kind(), ErrorKind::ExampleNotJson);
        assert_eq!(err.location().map(|l| l.line), Some(10));
        let err = parse(&[&format!(
            "{PREAMBLE}GET /v1/x\nExample response\n{{\n\"a\": 1\n"
        )])
        .expect_err("never closes");
        assert_eq!(err.location().map(|l| l.line), Some(7));
    }

    #[test]
    fn an_example_of_the_wrong_kind_is_reported() {
        let err = parse(&[&format!("{PREAMBLE}GET /v1/x\nReturns a list of Thing objects.\nExample response\n{{\"a\": 1}}\n")])
            .expect_err("object for a list");
        assert_eq!(err.kind(), ErrorKind::Markdown);
    }

    #[test]
    fn pages_without_endpoints_are_an_error() {
        assert_eq!(
            parse(&["Just prose\n"]).expect_err("nothing").kind(),
            ErrorKind::NoSpec
        );
    }
}
