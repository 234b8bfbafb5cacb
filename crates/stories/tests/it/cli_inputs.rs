//! Inputs are checked per subcommand before anything is sent; batches come from a file or
//! standard input and stream out in input order; `--format json` is one array whatever the
//! count; a closed pipe ends the run quietly; a piped standard error gets no colour.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use super::support::{mock, ndjson, output, stories, tempdir, text};

#[tokio::test]
async fn bad_inputs_are_refused_per_subcommand_before_any_request() {
    let server = mock().await;
    for (args, says) in [
        (&["user-stories", ""][..], "empty"),
        (&["user-stories", "nat geo"], "found a space"),
        (
            &[
                "user-stories",
                "https://www.instagram.com/stories/highlights/17890000000000001/",
            ],
            "use `stories highlight`",
        ),
        (
            &["highlights", "https://www.instagram.com/p/DW38ZhqiKax/"],
            "post",
        ),
        (
            &["highlight", "https://www.instagram.com/natgeo/"],
            "not a highlight URL",
        ),
        (&["highlight", "natgeo"], "not a highlight id"),
        (
            &["story", "https://www.instagram.com/stories/highlights/178/"],
            "use `stories highlight`",
        ),
        (
            &["story", "https://example.com/stories/natgeo/1/"],
            "not an Instagram URL",
        ),
    ] {
        let mut cmd = stories(&server);
        cmd.args(args);
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        ["hikerapi", "keyapi", "konbiniapi", "sociavault"].map(|v| server.hits(v)),
        [0; 4]
    );
}

#[tokio::test]
async fn a_batch_from_standard_input_answers_every_line_in_order() {
    let server = mock().await;
    let mut cmd = stories(&server);
    cmd.args([
        "user-stories",
        "--batch",
        "-",
        "--format",
        "ndjson",
        "--concurrency",
        "3",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(b"natgeo\n# skipped\nnat geo\n\n@NASA  # a comment\nmissing\nhttps://www.instagram.com/stories/highlights/1/\n")?;
        }
        child.wait_with_output()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    let records = ndjson(&out);
    let inputs: Vec<&str> = records.iter().filter_map(|r| r["input"].as_str()).collect();
    assert_eq!(
        inputs,
        [
            "natgeo",
            "nat geo",
            "@NASA",
            "missing",
            "https://www.instagram.com/stories/highlights/1/"
        ]
    );
    assert_eq!(records[0]["outcome"]["outcome"], "found");
    assert!(
        records[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("a space"))
    );
    assert_eq!(records[2]["outcome"]["outcome"], "found");
    assert_eq!(records[3]["outcome"]["outcome"], "not_found");
    assert!(
        records[4]["error"]
            .as_str()
            .is_some_and(|e| e.contains("highlight"))
    );
    assert_eq!(out.status.code(), Some(1), "invalid lines fail the run");
}

#[tokio::test]
async fn json_is_one_array_whatever_the_count() {
    let server = mock().await;
    let dir = tempdir();
    for (lines, count) in [("", 0), ("natgeo\n", 1), ("natgeo\nmissing\nnasa\n", 3)] {
        let batch = dir.path().join("batch.txt");
        std::fs::write(&batch, lines).unwrap_or_else(|e| panic!("{e}"));
        let mut cmd = stories(&server);
        cmd.args(["user-stories", "--batch"]).arg(&batch);
        let out = output(cmd).await;
        let value: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
        assert_eq!(value.as_array().map(Vec::len), Some(count), "{value}");
    }
    let mut cmd = stories(&server);
    cmd.args(["user-stories", "natgeo"]);
    let value: serde_json::Value =
        serde_json::from_slice(&output(cmd).await.stdout).unwrap_or_default();
    assert_eq!(
        value[0]["input"], "natgeo",
        "one input is an array of one: {value}"
    );
}

#[tokio::test]
async fn results_stream_out_before_the_batch_is_done() {
    let server = mock().await;
    server.set_latency(std::time::Duration::from_millis(300));
    let dir = tempdir();
    let batch = dir.path().join("batch.txt");
    std::fs::write(&batch, "natgeo\nnasa\nbbc\ncnn\n").unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = stories(&server);
    cmd.args([
        "user-stories",
        "--format",
        "ndjson",
        "--concurrency",
        "1",
        "--vendor",
        "keyapi",
        "--batch",
    ])
    .arg(&batch)
    .stdout(Stdio::piped());
    let still_running = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn()?;
        let mut first = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut first)?;
        }
        // Three more inputs at 300 ms each are still to come.
        let running = child.try_wait()?.is_none();
        child.wait()?;
        Ok::<_, std::io::Error>((first, running))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        still_running.0.contains("\"input\":\"natgeo\""),
        "{}",
        still_running.0
    );
    assert!(
        still_running.1,
        "the first result came only when the run was over"
    );
}

#[tokio::test]
async fn a_closed_pipe_ends_the_run_quietly() {
    let server = mock().await;
    let dir = tempdir();
    let batch = dir.path().join("batch.txt");
    std::fs::write(&batch, "natgeo\n".repeat(40)).unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = stories(&server);
    cmd.args([
        "user-stories",
        "--format",
        "ndjson",
        "--concurrency",
        "1",
        "--batch",
    ])
    .arg(&batch)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let (status, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn()?;
        if let Some(stdout) = child.stdout.take() {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line)?;
            // Dropping the reader closes the pipe, like `| head -1`.
        }
        let out = child.wait_with_output()?;
        Ok::<_, std::io::Error>((out.status, text(&out.stderr)))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[tokio::test]
async fn a_piped_standard_error_gets_no_colour() {
    let server = mock().await;
    server.set_fault("keyapi", stories::mock::Fault::ServerError, None);
    let mut cmd = stories(&server);
    cmd.args(["-v", "user-stories", "natgeo"]);
    let out = output(cmd).await;
    let stderr = text(&out.stderr);
    assert!(stderr.contains("moving on to the next vendor"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn every_printing_command_exits_quietly_on_a_closed_pipe() {
    for args in [&["completions", "bash"][..], &["--help"]] {
        let mut child = super::support::bare()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
    }
}
