//! Helpers shared by the cross-crate tests.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Copies the workspace's sources (not `target/`, not `.git/`, not a regen's staging) into `to`.
pub fn copy_workspace(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{}: {e}", from.display()))
        .filter_map(Result::ok)
    {
        let name = entry.file_name();
        if [".git", "target", ".regen-staging"].contains(&name.to_string_lossy().as_ref()) {
            continue;
        }
        let target = to.join(&name);
        let kind = entry.file_type().unwrap_or_else(|e| panic!("{e}"));
        if kind.is_dir() {
            copy_workspace(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A vendor's committed canonical document.
pub fn canonical(vendor: &str) -> Value {
    let path = repo_root().join(format!("generated/{vendor}-client/openapi.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every response example of a vendor's canonical document (documented or synthesized).
pub fn examples(vendor: &str) -> Vec<client_runtime::examples::ResponseExample> {
    client_runtime::examples::response_examples(&canonical(vendor))
}

/// Every response status a vendor documents for `operation`, with its example body when the
/// document has one (error statuses often come without).
pub fn documented_responses(vendor: &str, operation: &str) -> Vec<(String, Option<Value>)> {
    let doc = canonical(vendor);
    let mut out = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|i| i.values()) {
            if op.get("operationId").and_then(Value::as_str) != Some(operation) {
                continue;
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let example = response
                    .pointer("/content/application~1json/example")
                    .cloned();
                out.push((status.clone(), example));
            }
        }
    }
    out
}

/// Decodes `body` into `T` and encodes it again.
pub fn roundtrip<T: DeserializeOwned + Serialize>(body: &Value) -> Result<Value, String> {
    let typed: T =
        serde_json::from_value(body.clone()).map_err(|e| format!("does not decode: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("does not encode: {e}"))
}

/// Every place where `after` lost or changed information that `before` held. A null, an empty
/// list or an empty map may be dropped (the generated types skip them); numbers compare by
/// value, an integer id may come back as its decimal string, and timestamps compare by
/// instant, since `+00:00` and `Z` name the same time.
pub fn losses(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    compare(before, Some(after), "", &mut out);
    out
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn instant(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.to_utc())
}

fn compare(before: &Value, after: Option<&Value>, path: &str, out: &mut Vec<String>) {
    let Some(after) = after else {
        if !is_blank(before) {
            out.push(format!("{path}: lost {before}"));
        }
        return;
    };
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, v) in b {
                compare(v, a.get(k), &format!("{path}/{k}"), out);
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            if b.len() != a.len() {
                out.push(format!("{path}: {} items became {}", b.len(), a.len()));
            }
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                compare(x, Some(y), &format!("{path}/{i}"), out);
            }
        }
        (Value::Number(b), Value::Number(a)) => {
            let same = match (b.as_i64(), a.as_i64(), b.as_u64(), a.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => b.as_f64() == a.as_f64(),
            };
            if !same {
                out.push(format!("{path}: {b} became {a}"));
            }
        }
        // Ids are read as strings whichever way they came (`LenientId`).
        (Value::Number(b), Value::String(a))
            if (b.is_u64() || b.is_i64()) && b.to_string() == *a => {}
        (Value::String(b), Value::String(a)) => {
            let same = b == a || matches!((instant(b), instant(a)), (Some(x), Some(y)) if x == y);
            if !same {
                out.push(format!("{path}: {b:?} became {a:?}"));
            }
        }
        (b, a) if is_blank(b) && is_blank(a) => {}
        (b, a) if b != a => out.push(format!("{path}: {b} became {a}")),
        _ => {}
    }
}

/// Runs cargo in a scratch copy of the workspace with `env` set, and returns what it printed;
/// fails the test, with cargo's errors, when cargo does, building into `target`
/// ([`scratch_target`]).
pub fn cargo(scratch: &Path, target: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(args)
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cargo: {e}"));
    assert!(
        out.status.success(),
        "cargo {}:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The target folder, kept between runs, of the scratch workspaces named `name` (`tmpdir` is
/// the test binary's `CARGO_TARGET_TMPDIR`). Each test gets its own: cargo names the artifacts
/// of a workspace's crates without their path, so two copies building into one folder at once
/// would link each other's crates.
pub fn scratch_target(tmpdir: &str, name: &str) -> PathBuf {
    Path::new(tmpdir).join(format!("scratch-{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_lost_and_changed_fields_but_not_dropped_blanks() {
        let before = json!({"a": 1, "b": null, "c": [], "d": {"e": "x"}, "t": "2025-11-23T07:44:11+00:00", "f": 15.0});
        let after = json!({"a": 1, "d": {}, "t": "2025-11-23T07:44:11Z", "f": 15});
        assert_eq!(losses(&before, &after), vec!["/d/e: lost \"x\"".to_owned()]);
        assert_eq!(
            losses(
                &json!({"n": 3772053608293416704_i64}),
                &json!({"n": 3772053608293416705_i64})
            )
            .len(),
            1
        );
        assert_eq!(losses(&json!(["a", "b"]), &json!(["a"])).len(), 1);
    }
}
