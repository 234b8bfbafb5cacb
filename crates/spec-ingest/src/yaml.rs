//! YAML to JSON with the position of every node, so later stages can point at the source line.
//!
//! The vendor pages embed OpenAPI as YAML; a plain deserializer would lose positions, so this
//! builds `serde_json::Value`s from the parser's events and records where each node starts,
//! keyed by JSON pointer.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Byte offsets (into the YAML text) of every node, by JSON pointer.
#[derive(Debug, Default, Clone)]
pub struct Positions {
    by_pointer: HashMap<String, usize>,
}

impl Positions {
    /// Where the node at `pointer` starts, or its nearest located ancestor.
    /// Records where the node at `pointer` starts (for documents not parsed from YAML).
    pub fn insert(&mut self, pointer: String, offset: usize) {
        self.by_pointer.insert(pointer, offset);
    }

    pub fn offset(&self, pointer: &str) -> Option<usize> {
        // Down-conversion wraps a `$ref` that has siblings as `allOf: [{$ref}]`: the reference
        // stood where the wrapper now does, so that is where it is found.
        if !self.by_pointer.contains_key(pointer) && pointer.contains("/allOf/0/") {
            let unwrapped = pointer.replace("/allOf/0/", "/");
            if let Some(o) = self.by_pointer.get(&unwrapped) {
                return Some(*o);
            }
        }
        let mut p = pointer;
        loop {
            if let Some(o) = self.by_pointer.get(p) {
                return Some(*o);
            }
            let cut = p.rfind('/')?;
            p = &p[..cut];
        }
    }
}

/// A YAML syntax error at a byte offset into the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub offset: usize,
    pub message: String,
}

/// How many nodes aliases may copy in all, per byte of YAML (at least [`MIN_ALIAS_BUDGET`]):
/// a kilobyte of nested aliases ("billion laughs") would otherwise expand to gigabytes.
const ALIAS_BUDGET_PER_BYTE: usize = 100;
const MIN_ALIAS_BUDGET: usize = 100_000;

/// The deepest nesting of lists and mappings a page may hold. Published documents stay within
/// a few dozen levels; serde_json's own limit for JSON is 128.
pub const MAX_DEPTH: usize = 128;

/// Parses one YAML document into JSON, recording node positions.
pub fn parse(text: &str) -> Result<(Value, Positions), YamlError> {
    // yaml-rust2's markers count characters; everything else here counts bytes.
    let byte_of: Option<Vec<usize>> = (!text.is_ascii()).then(|| {
        text.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect()
    });
    let to_byte = |chars: usize| -> usize {
        byte_of.as_ref().map_or(chars.min(text.len()), |b| {
            b.get(chars).copied().unwrap_or(text.len())
        })
    };
    let mut builder = Builder {
        alias_budget: (text.len() * ALIAS_BUDGET_PER_BYTE).max(MIN_ALIAS_BUDGET),
        byte_of: byte_of.clone(),
        ..Builder::default()
    };
    // Events are pulled one by one rather than through `Parser::load`, which recurses once per
    // level of nesting: a page nested thousands deep must be an error, not a stack overflow.
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            offset: to_byte(e.marker().index()),
            message: e.info().to_owned(),
        })?;
        let done = matches!(event, Event::DocumentEnd | Event::StreamEnd);
        builder.on_event(event, mark);
        if done || builder.error.is_some() {
            break;
        }
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    let value = builder.root.unwrap_or(Value::Null);
    Ok((value, builder.positions))
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    canonical::pointer::escape(segment)
}

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<String>, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Pointer of each open container, parallel to `stack`.
    pointers: Vec<String>,
    /// Anchored values, with how many nodes each holds.
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes aliases may still copy.
    alias_budget: usize,
    root: Option<Value>,
    positions: Positions,
    error: Option<YamlError>,
    /// The byte offset of each character of a text that is not ASCII (markers count characters).
    byte_of: Option<Vec<usize>>,
}

impl Builder {
    /// The pointer the next value will have.
    fn next_pointer(&self) -> String {
        match (self.stack.last(), self.pointers.last()) {
            (Some(Frame::Seq(items, _)), Some(p)) => format!("{p}/{}", items.len()),
            (Some(Frame::Map(_, Some(key), _)), Some(p)) => format!("{p}/{}", escape_segment(key)),
            _ => String::new(),
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map(_, None, _)))
    }

    fn fail(&mut self, offset: usize, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                offset,
                message: message.into(),
            });
        }
    }

    fn push_value(&mut self, value: Value, anchor: usize, offset: usize) {
        if anchor > 0 {
            let nodes = node_count(&value);
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, key, _)) => match key.take() {
                Some(k) => {
                    map.insert(k, value);
                }
                None => {
                    // A key: JSON only has string keys, so scalars are written as text.
                    let k = match value {
                        Value::String(s) => s,
                        Value::Null => "null".to_owned(),
                        Value::Bool(_) | Value::Number(_) => value.to_string(),
                        _ => {
                            self.fail(offset, "a mapping key must be a scalar to be JSON");
                            return;
                        }
                    };
                    let duplicate = map.contains_key(&k);
                    *key = Some(k.clone());
                    if duplicate {
                        self.fail(offset, format!("duplicate key `{k}`"));
                    }
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            // The first error is the one reported; the rest of the stream is not built.
            return;
        }
        let offset = match &self.byte_of {
            Some(bytes) => bytes
                .get(mark.index())
                .copied()
                .unwrap_or_else(|| bytes.last().copied().unwrap_or(0)),
            None => mark.index(),
        };
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let is_key = self.expecting_key();
                if !is_key {
                    let pointer = self.next_pointer();
                    self.positions.by_pointer.insert(pointer, offset);
                }
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style == TScalarStyle::Plain && !forced_str {
                    match resolve_plain(&text) {
                        Ok(v) => v,
                        Err(msg) => {
                            self.fail(offset, msg);
                            Value::Null
                        }
                    }
                } else {
                    Value::String(text)
                };
                if is_key {
                    // Record the key's own position too, so errors about a key point at it.
                    if let Value::String(k) = &value {
                        let base = self.pointers.last().cloned().unwrap_or_default();
                        self.positions
                            .by_pointer
                            .entry(format!("{base}/{}", escape_segment(k)))
                            .or_insert(offset);
                    }
                }
                self.push_value(value, anchor, offset);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    // Every later step walks the document; a bound here keeps them all finite.
                    self.fail(
                        offset,
                        format!("nested deeper than {MAX_DEPTH} levels; no API description needs that many"),
                    );
                    return;
                }
                let pointer = self.next_pointer();
                if self.expecting_key() {
                    self.fail(offset, "a mapping key must be a scalar to be JSON");
                }
                self.positions
                    .by_pointer
                    .entry(pointer.clone())
                    .or_insert(offset);
                self.pointers.push(pointer);
                if matches!(ev, Event::SequenceStart(..)) {
                    self.stack.push(Frame::Seq(Vec::new(), anchor));
                } else {
                    self.stack.push(Frame::Map(Map::new(), None, anchor));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.pointers.pop();
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(items, a)) => (Value::Array(items), a),
                    Some(Frame::Map(map, _, a)) => (Value::Object(map), a),
                    None => return,
                };
                self.push_value(value, anchor, offset);
            }
            Event::Alias(id) => {
                let pointer = self.next_pointer();
                self.positions.by_pointer.insert(pointer, offset);
                match self.anchors.get(&id) {
                    Some((_, nodes)) if *nodes > self.alias_budget => {
                        self.fail(
                            offset,
                            "aliases expand to far more nodes than the document holds (an alias bomb?)",
                        );
                        self.alias_budget = 0;
                        self.push_value(Value::Null, 0, offset);
                    }
                    Some((v, nodes)) => {
                        self.alias_budget -= nodes;
                        let v = v.clone();
                        self.push_value(v, 0, offset);
                    }
                    None => self.fail(offset, "alias to an unknown anchor"),
                }
            }
            _ => {}
        }
    }
}

/// How many nodes a value holds, itself included.
fn node_count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> Result<Value, String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return Ok(Value::Number(n));
    }
    let lower = text.to_ascii_lowercase();
    if matches!(lower.trim_start_matches(['+', '-']), ".inf" | ".nan") {
        return Err(format!("`{text}` has no JSON representation"));
    }
    if looks_like_float(text)
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Ok(Value::Number(n));
    }
    Ok(Value::String(text.to_owned()))
}

fn parse_int(text: &str) -> Option<Number> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(hex) = digits.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok().map(Number::from);
    }
    if let Some(oct) = digits.strip_prefix("0o") {
        return u64::from_str_radix(oct, 8).ok().map(Number::from);
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Number::from(i));
    }
    // Ids beyond i64 stay integers when they fit u64, never f64.
    text.trim_start_matches('+')
        .parse::<u64>()
        .ok()
        .map(Number::from)
}

fn looks_like_float(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mantissa_ok = {
        let mut parts = mantissa.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        let int_ok = int.bytes().all(|b| b.is_ascii_digit());
        let frac_ok = frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()));
        int_ok && frac_ok && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()))
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn positions_are_byte_offsets_after_non_ascii_text() {
        let text = "a: é€😀\nb:\n  c: 1\n";
        let (_, positions) = parse(text).expect("parses");
        let at = positions.offset("/b/c").expect("c is placed");
        assert_eq!(&text[at..at + 1], "1");
        let err = parse("a: é€😀\nb: [\n").expect_err("unclosed");
        assert!(text.is_char_boundary(err.offset.min(text.len())));
    }

    #[test]
    fn nesting_deeper_than_the_bound_is_a_located_error_not_a_stack_overflow() {
        let mut text = String::new();
        for depth in 0..3_000 {
            text.push_str(&" ".repeat(depth));
            text.push_str("a:\n");
        }
        let err = parse(&text).expect_err("too deep");
        assert!(
            err.message.contains("nested deeper than 128 levels"),
            "{}",
            err.message
        );
        let line = text[..err.offset].matches('\n').count() + 1;
        assert_eq!(line, MAX_DEPTH + 1);
        let flow = format!("{}{}", "[".repeat(3_000), "]".repeat(3_000));
        assert!(parse(&flow).is_err());
    }

    #[test]
    fn scalars_resolve_with_the_core_schema() {
        let (v, _) = parse(
            "a: 1\nb: '1'\nc: 1.5\nd: true\ne: ~\nf: 3772053608293416704\ng: 18446744073709551615\n'y': no\nh: 2026-03-09T12:34:13+00:00\n",
        )
        .expect("parses");
        assert_eq!(
            v,
            json!({"a": 1, "b": "1", "c": 1.5, "d": true, "e": null,
                   "f": 3772053608293416704_i64, "g": 18446744073709551615_u64,
                   "y": "no", "h": "2026-03-09T12:34:13+00:00"})
        );
    }

    #[test]
    fn numeric_keys_become_strings() {
        let (v, _) = parse("responses:\n  200:\n    description: ok\n").expect("parses");
        assert_eq!(v, json!({"responses": {"200": {"description": "ok"}}}));
    }

    #[test]
    fn positions_point_at_nodes_and_fall_back_to_ancestors() {
        let text = "paths:\n  /a:\n    get:\n      x: [1, 2]\n";
        let (_, pos) = parse(text).expect("parses");
        let get = pos.offset("/paths/~1a/get").expect("located");
        // A mapping value is located at its key, the line a reader looks for.
        assert!(text[get..].starts_with("get:"), "{}", &text[get..]);
        let item = pos.offset("/paths/~1a/get/x/1").expect("located");
        assert!(text[item..].starts_with('2'));
        let missing = pos.offset("/paths/~1a/get/x/9/deep").expect("falls back");
        assert!(text[missing..].starts_with("x:"));
    }

    #[test]
    fn syntax_errors_carry_an_offset() {
        let err = parse("a: [1, 2\nb: 3\n").expect_err("unclosed flow sequence");
        assert!(err.offset > 0, "{err:?}");
    }

    #[test]
    fn non_json_values_are_errors() {
        let err = parse("a: .nan\n").expect_err("NaN is not JSON");
        assert!(err.message.contains("no JSON representation"));
        let err = parse("a: 1\na: 2\n").expect_err("duplicate key");
        assert!(err.message.contains("duplicate key"));
    }

    #[test]
    fn an_alias_bomb_is_an_error_not_gigabytes() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names: Vec<char> = ('b'..='k').collect();
        let mut prev = 'a';
        for n in names {
            text.push_str(&format!(
                "{n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = n;
        }
        assert!(text.len() < 1024, "{}", text.len());
        let err = parse(&text).expect_err("10^11 nodes");
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn anchors_and_aliases_copy_values() {
        let (v, _) = parse("a: &x {k: 1}\nb: *x\n").expect("parses");
        assert_eq!(v["b"], json!({"k": 1}));
    }
}
