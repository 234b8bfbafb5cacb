//! Transport failures are named for what they are — refused, DNS, TLS, timeout — with their
//! cause, in JSON and in tables; never "HTTP 0".

use super::support::{bare, ndjson, output, text};

/// `stories user-stories natgeo --vendor keyapi` against `url`, as ndjson.
async fn ask_keyapi_at(url: &str, format: &str) -> std::process::Output {
    // Short enough for the silent server, long enough for a slow resolver to say no.
    let timeout = if url.contains(".invalid") { "10" } else { "1" };
    let mut cmd = bare();
    cmd.env("STORIES_KEYAPI_KEY", "k")
        .env("STORIES_KEYAPI_URL", url)
        .args([
            "--timeout-secs",
            timeout,
            "user-stories",
            "natgeo",
            "--vendor",
            "keyapi",
            "--format",
            format,
        ]);
    output(cmd).await
}

fn failure(out: &std::process::Output) -> serde_json::Value {
    let records = ndjson(out);
    assert_eq!(records.len(), 1, "{}", text(&out.stdout));
    assert_eq!(records[0]["outcome"]["outcome"], "failed", "{}", records[0]);
    records[0]["outcome"]["value"].clone()
}

#[tokio::test]
async fn refused_dns_tls_and_timeouts_are_told_apart() {
    // Refused: a port that was just free.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = ask_keyapi_at(&format!("http://127.0.0.1:{port}"), "ndjson").await;

    // Timeout: a server that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let silent_addr = silent.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let timeout = ask_keyapi_at(&format!("http://{silent_addr}"), "ndjson").await;

    // TLS: an https URL at a server that speaks plain HTTP.
    let plain = super::support::mock().await;
    let tls = ask_keyapi_at(
        &plain.base_url("keyapi").replace("http://", "https://"),
        "ndjson",
    )
    .await;

    // DNS: `.invalid` never resolves (RFC 2606).
    let dns = ask_keyapi_at("http://stories-test.invalid", "ndjson").await;
    held.abort();

    // Refusals and timeouts may pass: they are retried (twice). A name that does not resolve
    // or a failed handshake will not change: one attempt, then the next vendor.
    for (out, kind, cause, attempts) in [
        (&refused, "refused", "Connection refused", 3),
        (&timeout, "timeout", "", 3),
        (&tls, "tls", "", 1),
        (&dns, "dns", "dns error", 1),
    ] {
        let tried = ndjson(out)[0]["report"]["attempts"]
            .as_array()
            .map(Vec::len);
        assert_eq!(tried, Some(attempts), "{kind}");
        let value = failure(out);
        assert_eq!(value["reason"], "transport", "{value}");
        assert_eq!(value["kind"], kind, "{value}");
        assert!(
            value["message"].as_str().is_some_and(|m| m.contains(cause)),
            "{value}"
        );
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("HTTP 0"), "{all}");
        assert_eq!(out.status.code(), Some(1));
    }

    let table = ask_keyapi_at(&format!("http://127.0.0.1:{port}"), "table").await;
    let shown = text(&table.stdout);
    assert!(shown.contains("failed: connection refused: "), "{shown}");
    assert!(
        shown.contains("via keyapi fetch_user_stories: connection refused"),
        "{shown}"
    );
}
