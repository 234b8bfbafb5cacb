//! `stories normalize` converts a saved raw response of every operation of every vendor.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

#[test]
fn every_operation_normalizes_from_a_file() {
    let dir = std::env::temp_dir().join(format!("stories-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut found = std::collections::BTreeSet::new();
    for vendor in stories::VENDORS {
        let vendor_name = vendor.name();
        for example in vendor.facts.response_examples() {
            let file = dir.join(format!(
                "{vendor_name}-{}-{}.json",
                example.operation_id, example.status
            ));
            std::fs::write(&file, serde_json::to_vec(&example.body).unwrap_or_default())
                .unwrap_or_else(|e| panic!("{e}"));
            let out = Command::new(env!("CARGO_BIN_EXE_stories"))
                .args([
                    "normalize",
                    "--vendor",
                    vendor_name,
                    "--operation",
                    &example.operation_id,
                    "--status",
                    &example.status,
                ])
                .arg(&file)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            let stderr = String::from_utf8_lossy(&out.stderr);
            // An operation its normalizer does not know (a page added since) is reported as
            // such; its example is checked against the generated types elsewhere.
            if stderr.contains(&format!("has no operation `{}`", example.operation_id)) {
                assert!(
                    !vendor
                        .normalizer
                        .routes
                        .iter()
                        .any(|r| r.operation == example.operation_id),
                    "{vendor_name} {} is routed but not normalized",
                    example.operation_id
                );
                eprintln!("{vendor_name} {}: not normalized", example.operation_id);
                continue;
            }
            // Byte streams, and the deprecated endpoint whose body the vendor never shows, have
            // nothing to normalize: the command must say so and fail.
            let nothing_documented =
                example.body.is_null() || example.operation_id.contains("download");
            if nothing_documented && example.status.starts_with('2') {
                assert!(!out.status.success());
                continue;
            }
            // A body built from the schema alone has placeholder ids (`"pk": "string"`): it is
            // refused, saying why.
            if !example.documented && !out.status.success() {
                assert!(
                    stderr.contains("no decimal"),
                    "{vendor_name} {}: {stderr}",
                    example.operation_id
                );
                continue;
            }
            assert!(
                out.status.success(),
                "{vendor_name} {} {}: {stderr}",
                example.operation_id,
                example.status
            );
            let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
            assert!(json["outcome"].is_string(), "{json}");
            if example.status.starts_with('2') {
                assert_eq!(
                    json["outcome"], "found",
                    "{vendor_name} {}",
                    example.operation_id
                );
                found.insert((vendor_name, example.operation_id.clone()));
            }
        }
    }
    // Every operation the unified client routes to has a documented answer that normalizes,
    // unless its vendor documents none (HikerAPI's story by id and by URL).
    for vendor in stories::VENDORS {
        for route in vendor.normalizer.routes {
            let documented = vendor.facts.response_examples().iter().any(|e| {
                e.operation_id == route.operation && e.status.starts_with('2') && e.documented
            });
            assert!(
                !documented || found.contains(&(vendor.name(), route.operation.to_owned())),
                "{} {}: no documented answer normalized",
                vendor.name(),
                route.operation
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn reads_standard_input_and_reports_bad_input_clearly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stories"))
        .args([
            "normalize",
            "--vendor",
            "hikerapi",
            "--operation",
            "get_v1_user_stories",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(b"{\"not\": \"a list\"}"))
        .transpose()
        .unwrap_or_else(|e| panic!("{e}"));
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hikerapi get_v1_user_stories (HTTP 200)"),
        "{stderr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_stories"))
        .args([
            "normalize",
            "--vendor",
            "keyapi",
            "--operation",
            "fetch_user_stories",
            "/no/such/file.json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.json"));
}

fn keyapi_example() -> Value {
    keyapi_client::VENDOR
        .response_examples()
        .into_iter()
        .find(|e| e.status == "200")
        .unwrap_or_else(|| panic!("no 200"))
        .body
}

fn normalize_file(body: &Value, extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("saved.json");
    std::fs::write(&file, serde_json::to_vec(body).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    Command::new(env!("CARGO_BIN_EXE_stories"))
        .args([
            "normalize",
            "--vendor",
            "keyapi",
            "--operation",
            "fetch_user_stories",
        ])
        .args(extra)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn strict_fails_on_drift_and_passes_the_documented_shape() {
    let documented = keyapi_example();
    let out = normalize_file(&documented, &["--strict"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["drift"], serde_json::json!([]));

    let mut drifted = documented;
    drifted["data"]["data"]["items"][0]["user"]
        .as_object_mut()
        .map(|u| u.shift_remove("is_private"));
    let out = normalize_file(&drifted, &["--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("$.data.data.items[].user.is_private: missing"),
        "{stderr}"
    );
    // The answer is still printed: strict reports, it does not hide.
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["outcome"], "found");

    // Without --drift or --strict the shape is not checked, and the answer is the same; the
    // drift is `null`, which no reader can take for "checked and clean" (`[]`).
    let out = normalize_file(&drifted, &[]);
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["outcome"], "found");
    assert_eq!(json["drift"], Value::Null);
    let out = normalize_file(&drifted, &["--drift"]);
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json["drift"][0]["path"],
        "$.data.data.items[].user.is_private"
    );
    assert_eq!(json["drift"][0]["kind"], "missing");
}

/// `stories normalize` on `bytes` (a file) with `args` before it.
fn normalize_bytes(bytes: &[u8], args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("saved.json");
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
    Command::new(env!("CARGO_BIN_EXE_stories"))
        .arg("normalize")
        .args(args)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn each_kind_of_bad_input_says_what_it_is_with_its_exit_status() {
    let keyapi = ["--vendor", "keyapi", "--operation", "fetch_user_stories"];
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();

    // The answer's fault: exit 1, saying empty, not JSON, or not the documented shape.
    let out = normalize_bytes(b"", &keyapi);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("(HTTP 200): the body is empty"),
        "{}",
        stderr(&out)
    );
    let out = normalize_bytes(b"  \n", &keyapi);
    assert!(
        stderr(&out).contains("the body is empty"),
        "{}",
        stderr(&out)
    );
    let out = normalize_bytes(b"<html><body>Bad gateway</body></html>", &keyapi);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the body is not JSON: expected value at line 1 column 1"),
        "{}",
        stderr(&out)
    );
    let out = normalize_bytes(b"{\"data\": {\"data\": ", &keyapi);
    assert!(
        stderr(&out).contains("the body is not JSON"),
        "{}",
        stderr(&out)
    );
    let out = normalize_bytes(b"{\"data\": 5}", &keyapi);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not match the vendor's documented shape"),
        "{}",
        stderr(&out)
    );

    // A huge value where another type is expected: the message quotes a bounded part.
    let mut huge =
        b"{\"data\": {\"data\": {\"items\": [], \"user\": {\"pk\": \"1\"}, \"reel_type\": "
            .to_vec();
    huge.extend_from_slice(format!("[\"{}\"]", "x".repeat(10_000_000)).as_bytes());
    huge.extend_from_slice(b"}}}");
    let hiker = ["--vendor", "hikerapi", "--operation", "get_v1_user_stories"];
    let mut list = b"{\"not\": \"".to_vec();
    list.extend_from_slice("y".repeat(10_000_000).as_bytes());
    list.extend_from_slice(b"\"}");
    for (body, args) in [(&huge, &keyapi), (&list, &hiker)] {
        let out = normalize_bytes(body, args);
        assert!(
            out.stderr.len() < 2_000,
            "{} bytes of error",
            out.stderr.len()
        );
    }

    // The command line's fault: exit 2.
    let out = normalize_bytes(b"[]", &["--vendor", "keyapi", "--operation", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("keyapi has no operation `nope`"),
        "{}",
        stderr(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_stories"))
        .arg("normalize")
        .args(keyapi)
        .arg("/no/such/file.json")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let mut status_999 = keyapi.to_vec();
    status_999.extend(["--status", "999"]);
    let out = normalize_bytes(b"[]", &status_999);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("999 is not in 100..=599"),
        "{}",
        stderr(&out)
    );
}
