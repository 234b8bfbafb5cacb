//! The `stories` binary against the built-in mock: batches lose nothing, downloads land
//! complete, keys never print, and a missing key says how to try the mock.

use stories::mock::Fault;

use super::support::{bare, mock, stories as stories_cmd, tempdir};

#[tokio::test]
async fn a_batch_reports_every_input_in_order() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::ServerError, None);
    let dir = tempdir();
    let batch = dir.path().join("users.txt");
    std::fs::write(&batch, "natgeo\n# a comment\nmissing\n787132\n@nasa\n\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = tokio::task::spawn_blocking({
        let mut cmd = stories_cmd(&server);
        cmd.args(["user-stories", "--batch"]).arg(&batch).args([
            "--format",
            "ndjson",
            "--concurrency",
            "3",
        ]);
        move || cmd.output()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let inputs: Vec<&str> = lines.iter().filter_map(|l| l["input"].as_str()).collect();
    assert_eq!(inputs, ["natgeo", "missing", "787132", "@nasa"]);
    assert_eq!(lines[1]["outcome"]["outcome"], "not_found");
    for line in &lines {
        assert!(
            line["outcome"].is_object() || line["error"].is_string(),
            "{line}"
        );
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn downloads_land_complete_and_expired_urls_are_skipped() {
    let server = mock().await;
    let dir = tempdir();
    let media = dir.path().join("media");
    let out = tokio::task::spawn_blocking({
        let mut cmd = stories_cmd(&server);
        cmd.args(["user-stories", "natgeo", "--format", "table", "--download"])
            .arg(&media);
        move || cmd.output()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<String> = std::fs::read_dir(&media)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".jpg")).count(),
        2,
        "{files:?}"
    );
    assert!(files.iter().all(|f| !f.ends_with(".part")), "{files:?}");
    for f in files.iter().filter(|f| f.ends_with(".jpg")) {
        assert_eq!(
            std::fs::metadata(media.join(f))
                .map(|m| m.len())
                .unwrap_or(0),
            64 * 1024
        );
    }

    // A story whose signed URL expired is skipped with a message, and nothing is written.
    let mut story: domain::Story = serde_json::from_value(serde_json::json!({
        "id": "1", "shortcode": null, "owner": null, "kind": "image", "taken_at": null, "expires_at": null,
        "images": [{"url": format!("{}/media/1.jpg?oe=5F5E1000", server.base_url("x").trim_end_matches("/x")), "width": 1, "height": 1, "mime_type": null, "url_expires_at": null}],
        "videos": [], "duration_seconds": null, "mentions": [], "hashtags": [], "links": [], "locations": [],
        "sponsors": [], "paid_partnership": null, "accessibility_caption": null, "permalink": null,
        "source": {"vendor": "keyapi", "operation": "fetch_user_stories"}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    story.images[0].url_expires_at = domain::url_expiry(&story.images[0].url);
    let expired_dir = dir.path().join("expired");
    let downloader = stories::download::Downloader::new(
        reqwest::Client::new(),
        stories::download::DownloadOptions::new(&expired_dir),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let done = downloader.download(&[story]).await;
    assert!(
        matches!(&done[0], stories::download::Downloaded::Expired { .. }),
        "{done:?}"
    );
    assert!(
        done[0].to_string().contains("expired at 2020-09-13"),
        "{}",
        done[0]
    );
    assert_eq!(
        std::fs::read_dir(&expired_dir)
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
}

#[tokio::test]
async fn keys_never_print_and_a_missing_key_points_at_the_mock() {
    let server = mock().await;
    let out = tokio::task::spawn_blocking({
        let mut cmd = stories_cmd(&server);
        cmd.env("STORIES_KEYAPI_KEY", "sk_live_do_not_print").args([
            "user-stories",
            "natgeo",
            "--vendor",
            "keyapi",
        ]);
        move || cmd.output()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("sk_live_do_not_print"));
    assert!(
        all.contains("unauthorized") || all.contains("refused"),
        "{all}"
    );

    let out = bare()
        .args(["user-stories", "natgeo"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stories mock"));
}

#[tokio::test]
async fn drift_reads_not_checked_unless_asked_and_shows_in_tables() {
    use super::support::{ndjson, output, text};
    let server = mock().await;
    server.set_fault("keyapi", Fault::Drifted, None);
    let ask = |extra: &[&str]| {
        let mut cmd = stories_cmd(&server);
        cmd.args(["user-stories", "natgeo", "--vendor", "keyapi"])
            .args(extra);
        output(cmd)
    };

    // Not asked: `null`, never the `[]` of a body checked and found clean.
    let out = ask(&["--format", "ndjson"]).await;
    let records = ndjson(&out);
    let attempt = &records[0]["report"]["attempts"][0];
    assert_eq!(attempt["result"], "found", "{attempt}");
    assert_eq!(attempt["drift"], serde_json::Value::Null, "{attempt}");

    // Asked: the departures, in JSON and in a table.
    let out = ask(&["--format", "ndjson", "--drift"]).await;
    let drift = &ndjson(&out)[0]["report"]["attempts"][0]["drift"];
    assert!(
        drift
            .as_array()
            .is_some_and(|d| d.iter().any(|e| e["path"] == "$.x_mock_drift")),
        "{drift}"
    );
    let out = ask(&["--format", "table", "--drift"]).await;
    let table = text(&out.stdout);
    assert!(
        table.contains("    drift: $.x_mock_drift: undocumented"),
        "{table}"
    );
    let out = ask(&["--format", "table"]).await;
    assert!(
        !text(&out.stdout).contains("drift"),
        "{}",
        text(&out.stdout)
    );

    // Asked of a body that matches: said so, in a table too.
    server.clear_faults();
    let out = ask(&["--format", "table", "--drift"]).await;
    let table = text(&out.stdout);
    assert!(
        table.contains("drift: none (matches the documented shape)"),
        "{table}"
    );
    let out = ask(&["--format", "ndjson", "--drift"]).await;
    assert_eq!(
        ndjson(&out)[0]["report"]["attempts"][0]["drift"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn errors_reach_their_exit_status_with_stderr_closed() {
    use super::support::output;
    let server = mock().await;
    let dir = tempdir();
    let file = dir.path().join("out.txt");
    std::fs::write(&file, "").unwrap_or_else(|e| panic!("{e}"));
    server.set_fault("keyapi", Fault::ServerError, None);
    let cases: [(&[&str], i32); 4] = [
        (&["user-stories", "a b"], 2),
        (
            &[
                "normalize",
                "--vendor",
                "keyapi",
                "--operation",
                "nope",
                "-",
            ],
            2,
        ),
        // Logs a warning per failed attempt, then fails.
        (&["user-stories", "natgeo", "--vendor", "keyapi"], 1),
        (&["user-stories", "natgeo", "--download", "/dev/null/x"], 2),
    ];
    for (args, status) in cases {
        // A pipe whose reader is gone: every write to it fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap_or_else(|e| panic!("{e}"));
        drop(reader);
        let mut cmd = stories_cmd(&server);
        cmd.args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(writer);
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(status), "{args:?}");
    }

    // `--download FILE` names the option given, not an `--archive` that never was.
    let mut cmd = stories_cmd(&server);
    cmd.args(["user-stories", "natgeo", "--download"])
        .arg(&file);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--download") && stderr.contains("is a file; give a folder"),
        "{stderr}"
    );
    assert!(!stderr.contains("--archive:"), "{stderr}");
}
