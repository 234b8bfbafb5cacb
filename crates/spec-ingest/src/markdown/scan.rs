//! Reading one rendered page line by line: endpoint lines, their prose, parameter tables
//! (rows broken across lines, columns in any order), unfenced JSON examples, the
//! authentication sentence and struck-through deprecated endpoints. Faults are page-relative.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use crate::error::ErrorKind;
use crate::fault::{PageFault, PageNote};
use crate::source::Page;

pub(super) static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) enum Returns {
    Object(String),
    List(String),
    /// Something that is not a named object ("story download data"): a byte stream.
    Data,
    Unstated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ParamIn {
    Path,
    Query,
    Header,
    Body,
}

#[derive(Debug, Clone)]
pub(super) struct Param {
    pub name: String,
    pub schema: Value,
    pub required: bool,
    pub description: String,
    pub location: Option<ParamIn>,
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    pub page: usize,
    pub offset: usize,
    pub method: String,
    pub path: String,
    pub deprecated: bool,
    pub text: Vec<String>,
    pub params: Vec<Param>,
    pub example: Option<(Value, usize)>,
    /// Whether the section's table or example has been read; later prose is unknown.
    closed: bool,
}

/// What one page holds.
pub(super) struct PageParse {
    pub endpoints: Vec<Endpoint>,
    /// The header named by the authentication sentence.
    pub auth: Option<String>,
}

/// Reads page `index`; lines it does not know are noted, not fatal.
pub(super) fn parse_page(
    index: usize,
    page: &Page,
    notes: &mut Vec<PageNote>,
) -> Result<PageParse, PageFault> {
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
    let mut after_label = false;
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
            let (params, consumed) = parse_table(index, &lines[i - 1..], body_label)?;
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
            after_label = true;
            continue;
        }
        // Right after the label, a bare JSON value is the example too: a media pk as a number
        // or a string, `true`, `null`.
        let bare = std::mem::take(&mut after_label)
            .then(|| serde_json::from_str::<Value>(line).ok())
            .flatten()
            .filter(|v| !v.is_object() && !v.is_array());
        if let Some(value) = bare {
            if current.example.is_none() {
                current.example = Some((value, offset));
            }
            continue;
        }
        if line.starts_with('{') || line.starts_with('[') {
            let (value, consumed) = parse_json_block(index, page, &lines[i - 1..])?;
            if current.example.is_some() {
                notes.push(PageNote::at(
                    index,
                    offset,
                    "a second example for one endpoint; only the first is used",
                ));
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
            notes.push(PageNote::at(
                index,
                offset,
                format!(
                    "skipped a line this parser does not know: `{}`",
                    truncate(line)
                ),
            ));
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
    page: usize,
    lines: &[(usize, &str)],
    body: bool,
) -> Result<(Vec<Param>, usize), PageFault> {
    let (header_offset, header) = lines[0];
    let columns: Vec<String> = split_row(header)
        .into_iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
    let table_error =
        |offset: usize, message: String| PageFault::new(ErrorKind::Markdown, page, offset, message);
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
    index: usize,
    page: &Page,
    lines: &[(usize, &str)],
) -> Result<(Value, usize), PageFault> {
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
        return Err(PageFault::new(
            ErrorKind::ExampleNotJson,
            index,
            start,
            "the example's brackets never close",
        ));
    };
    let end_offset = lines[last].0 + lines[last].1.len();
    let text = &page.text[start..end_offset];
    let value = serde_json::from_str::<Value>(text).map_err(|e| {
        let start_line = page.line_of_offset(start);
        let at = page.location_of_line(start_line + e.line() - 1, e.column());
        PageFault::new(
            ErrorKind::ExampleNotJson,
            index,
            at.offset,
            format!("the example is not JSON: {e}"),
        )
    })?;
    Ok((value, last + 1))
}

/// What an endpoint's prose says it returns.
pub(super) fn returns_of(text: &str) -> Returns {
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
