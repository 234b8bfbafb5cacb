//! Mintlify-style pages: the OpenAPI document sits in a four-backtick `yaml` fence whose header
//! names the operation (`yaml [file] METHOD /path`); everything else is prose, JSX and samples.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use crate::downconvert;
use crate::error::ErrorKind;
use crate::fault::{Fault, PageFault, PageNote};
use crate::origin::Origin;
use crate::refs;
use crate::source::Page;
use crate::walk;
use crate::yaml;

/// One embedded OpenAPI document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence<'a> {
    /// The YAML between the fence lines.
    pub yaml: &'a str,
    /// Byte offset of `yaml` in the page.
    pub offset: usize,
    /// The operation the page documents, from the fence header (`GET`, `/v1/x`), when given.
    pub operation: Option<(String, String)>,
    /// Byte offset of the closing fence line; `None` when the page ends inside the fence.
    pub close: Option<usize>,
}

/// A closing fence line: at most three spaces of indent, then the opening marker (or a longer
/// run of its character), then nothing. A deeper-indented run of backticks is content, such
/// as a code sample inside a YAML description.
fn closes(line: &str, marker: &str) -> bool {
    let line = line.trim_end_matches(['\n', '\r']);
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = line[indent..].trim_end();
    let Some(c) = marker.chars().next() else {
        return false;
    };
    indent <= 3 && rest.len() >= marker.len() && rest.chars().all(|x| x == c)
}

/// A cost the prose states ("**1 credit** per request", "2 credits per request").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProseCost {
    pub amount: u32,
    /// `credit` or `request`, singular.
    pub unit: String,
    /// Byte offset of the statement in the page.
    pub offset: usize,
}

static FENCE_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(`{3,}|~{3,})\s*(ya?ml)\b(.*)$").expect("valid regex"));
static ANY_FENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(`{3,}|~{3,})").expect("valid regex"));
static LANGUAGE_FENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s{0,3}(`{3,}|~{3,})\s*\w").expect("valid regex"));
static YAML_KEY_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s{2,}[\w$"'/{}.-]+:(\s|$)"#).expect("valid regex"));
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^<>]*>").expect("valid regex"));
pub(crate) static COST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d+)\s+(credit|request)s?\s+per\s+(?:request|call)\b").expect("valid regex")
});

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Finds every OpenAPI YAML fence of a page. A fence counts when its header names an operation
/// or its body starts like an OpenAPI document.
pub fn fences(page: &Page) -> Vec<Fence<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut lines = page.text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        offset += line.len();
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let Some(caps) = FENCE_OPEN.captures(trimmed) else {
            continue;
        };
        let marker = caps.get(1).map_or("", |m| m.as_str()).to_owned();
        let header = caps.get(3).map_or("", |m| m.as_str());
        let body_start = offset;
        let mut body_end = page.text.len();
        let mut close = None;
        for inner in lines.by_ref() {
            let inner_start = offset;
            offset += inner.len();
            if closes(inner, &marker) {
                body_end = inner_start;
                close = Some(inner_start);
                break;
            }
        }
        let yaml = &page.text[body_start..body_end];
        let operation = operation_in_header(header);
        let looks_openapi = yaml.trim_start().starts_with("openapi:");
        if operation.is_some() || looks_openapi {
            out.push(Fence {
                yaml,
                offset: body_start,
                operation,
                close,
            });
        }
    }
    out
}

fn operation_in_header(header: &str) -> Option<(String, String)> {
    let tokens: Vec<&str> = header.split_whitespace().collect();
    let [.., method, path] = tokens.as_slice() else {
        return None;
    };
    let method = method.to_ascii_lowercase();
    (METHODS.contains(&method.as_str()) && path.starts_with('/'))
        .then(|| (method, (*path).to_owned()))
}

/// Costs stated in the page's prose: outside every code fence, with tags and emphasis removed.
pub fn prose_costs(page: &Page) -> Vec<ProseCost> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    let mut offset = 0;
    for line in page.text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        if let Some(caps) = ANY_FENCE.captures(line) {
            let marker = caps.get(1).map_or("", |m| m.as_str());
            match &fence {
                None => fence = Some(marker.to_owned()),
                Some(open) if line.trim() == open => fence = None,
                Some(_) => {}
            }
            continue;
        }
        if fence.is_some() {
            continue;
        }
        let plain = TAG.replace_all(line, " ");
        let plain = plain.replace(['*', '_'], "");
        for caps in COST.captures_iter(&plain) {
            let Ok(amount) = caps[1].parse::<u32>() else {
                continue;
            };
            out.push(ProseCost {
                amount,
                unit: caps[2].to_ascii_lowercase(),
                offset: line_start,
            });
        }
    }
    out
}

/// Reads every OpenAPI fence of page `index`, down-converted, with its references checked and
/// the cost the prose states recorded on its operation. Each document comes with its origin.
pub fn read_page(
    index: usize,
    page: &Page,
    notes: &mut Vec<PageNote>,
) -> Result<Vec<(Value, Origin)>, PageFault> {
    let fences = fences(page);
    if fences.is_empty() {
        return Err(PageFault::new(
            ErrorKind::NoSpec,
            index,
            0,
            "no embedded OpenAPI document (a ````yaml fence) found",
        ));
    }
    let costs = prose_costs(page);
    if let Some(first) = costs.first()
        && let Some(other) = costs
            .iter()
            .find(|c| (c.amount, &c.unit) != (first.amount, &first.unit))
    {
        notes.push(PageNote::at(
            index,
            other.offset,
            format!(
                "the page states two costs; using the first ({} {})",
                first.amount, first.unit
            ),
        ));
    }
    let mut out = Vec::new();
    for fence in fences {
        let Some(close) = fence.close else {
            return Err(PageFault::new(
                ErrorKind::Markdown,
                index,
                fence.offset.saturating_sub(1),
                "this OpenAPI fence is never closed: the page ends inside it (a truncated page?)",
            ));
        };
        // Indented `key:` lines after the close, before the next heading or fenced block
        // with a language, are YAML that the fence was meant to hold.
        let yaml_goes_on = page.text[close..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with('#') && !LANGUAGE_FENCE.is_match(l))
            .any(|l| YAML_KEY_LINE.is_match(l));
        if yaml_goes_on {
            return Err(PageFault::new(
                ErrorKind::Markdown,
                index,
                close,
                "the fence closes here but its YAML goes on below: a fence line inside the YAML (indent it under its key) ends it early",
            ));
        }
        if let Some((method, path)) = &fence.operation
            && !fence.yaml.contains(path.as_str())
        {
            return Err(PageFault::new(
                ErrorKind::Markdown,
                index,
                close,
                format!(
                    "the fence for `{} {path}` closes here before it reaches that path: a fence line inside the YAML (indent it under its key) ends it early",
                    method.to_uppercase()
                ),
            ));
        }
        let (mut doc, positions) = yaml::parse(fence.yaml).map_err(|e| {
            PageFault::new(
                ErrorKind::Yaml,
                index,
                fence.offset + e.offset,
                format!("invalid YAML: {}", e.message),
            )
        })?;
        let origin = Origin {
            page: index,
            yaml_offset: fence.offset,
            positions,
        };
        let located = |f: Fault| {
            let (page, offset) = origin.place(&f.pointer);
            PageFault::new(f.kind, page, offset, f.message)
                .operation(walk::operation_of_pointer(&f.pointer))
        };
        crate::references::prepare(&mut doc);
        downconvert::down_convert(&mut doc).map_err(located)?;
        refs::check_refs(&doc).map_err(located)?;
        if let Some(cost) = costs.first() {
            apply_prose_cost(&mut doc, fence.operation.as_ref(), cost).map_err(located)?;
        }
        out.push((doc, origin));
    }
    Ok(out)
}

/// Records the page's stated cost on the operation the fence documents (every operation of the
/// fence when the header names none).
fn apply_prose_cost(
    doc: &mut Value,
    operation: Option<&(String, String)>,
    cost: &ProseCost,
) -> Result<(), Fault> {
    let extension = json!({"amount": cost.amount, "unit": cost.unit, "source": "page"});
    if let Some((method, path)) = operation {
        let ptr = format!("/paths/{}/{method}", yaml::escape_segment(path));
        let Some(op) = doc.pointer_mut(&ptr).and_then(Value::as_object_mut) else {
            return Err(Fault::new(
                ErrorKind::Structure,
                "/paths",
                format!(
                    "the fence names `{} {path}`, which the document does not define",
                    method.to_uppercase()
                ),
            ));
        };
        op.insert(canonical::COST.into(), extension);
        return Ok(());
    }
    for (_, _, op) in walk::operations_mut(doc) {
        if let Some(op) = op.as_object_mut() {
            op.insert(canonical::COST.into(), extension.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_openapi_fence_and_its_operation() {
        let page = Page::new(
            "p.md",
            "# T\n```bash\ncurl x\n```\n````yaml /openapi.json get /v1/a/{id}\nopenapi: 3.1.0\npaths: {}\n````\ntail\n",
        );
        let found = fences(&page);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].yaml, "openapi: 3.1.0\npaths: {}\n");
        assert_eq!(
            found[0].operation,
            Some(("get".into(), "/v1/a/{id}".into()))
        );
        assert_eq!(&page.text[found[0].offset..found[0].offset + 7], "openapi");
    }

    #[test]
    fn header_without_file_and_upper_case_method() {
        let page = Page::new("p.md", "````yaml GET /v1/x\nopenapi: 3.0.1\n````\n");
        assert_eq!(
            fences(&page)[0].operation,
            Some(("get".into(), "/v1/x".into()))
        );
    }

    #[test]
    fn yaml_samples_that_are_not_openapi_are_ignored() {
        let page = Page::new("p.md", "```yaml\nkey: value\n```\n");
        assert!(fences(&page).is_empty());
    }

    #[test]
    fn an_unterminated_fence_is_a_located_error() {
        let page = Page::new("p.md", "# X\n````yaml GET /v1/x\nopenapi: 3.0.1\n");
        assert_eq!(fences(&page)[0].yaml, "openapi: 3.0.1\n");
        assert_eq!(fences(&page)[0].close, None);
        let fault = read_page(0, &page, &mut Vec::new()).expect_err("never closed");
        assert!(fault.message.contains("never closed"), "{}", fault.message);
        assert_eq!(page.location_of_offset(fault.offset).line, 2);
    }

    const DOC: &str = "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /v1/x:\n    get:\n      description: |\n        Example:\n        ````\n        code\n        ````\n      responses: {}\n";

    #[test]
    fn an_indented_fence_line_inside_the_yaml_is_content() {
        let page = Page::new("p.md", format!("````yaml GET /v1/x\n{DOC}````\n"));
        let docs = read_page(0, &page, &mut Vec::new()).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            docs[0].0["paths"]["/v1/x"]["get"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("code"))
        );
    }

    #[test]
    fn a_fence_closed_early_is_a_located_error() {
        // The description's fence line is not indented past three spaces: it closes the fence.
        let early = DOC.replace("        ````\n        code", "````\n        code");
        let page = Page::new("p.md", format!("````yaml GET /v1/x\n{early}````\n"));
        let fault = read_page(0, &page, &mut Vec::new()).expect_err("closed early");
        assert!(fault.message.contains("ends it early"), "{}", fault.message);
        assert_eq!(page.location_of_offset(fault.offset).line, 9);
        let before_path = "openapi: 3.0.1\ninfo:\n  description: |\n````\n  x\npaths:\n  /v1/x:\n    get: {responses: {}}\n";
        let page = Page::new("p.md", format!("````yaml GET /v1/x\n{before_path}````\n"));
        let fault = read_page(0, &page, &mut Vec::new()).expect_err("closed early");
        assert!(fault.message.contains("ends it early"), "{}", fault.message);
    }

    #[test]
    fn costs_in_markdown_and_jsx_prose() {
        let page = Page::new(
            "p.md",
            "<Note>\n  💳 **1 credit** per request\n</Note>\n<span className=\"font-semibold\">2 credits</span><span className=\"ml-1\">per request</span>\n⚠️ Billing: 3 requests per call.\n````yaml GET /x\ndescription: 9 credits per request\n````\n",
        );
        let costs: Vec<(u32, String)> = prose_costs(&page)
            .into_iter()
            .map(|c| (c.amount, c.unit))
            .collect();
        assert_eq!(
            costs,
            vec![
                (1, "credit".into()),
                (2, "credit".into()),
                (3, "request".into())
            ]
        );
    }
}
