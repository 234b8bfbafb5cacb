//! Downloads are safe and resumable: never a partial file under a final name, a re-run skips
//! what the archive lists, `--force` redoes it, `--write-metadata` and `--filename` shape the
//! files, highlight lists download their items, and every result is in the JSON and the exit
//! status.

use std::path::Path;

use super::support::{files, mock, ndjson, output, stories, tempdir, text};

async fn download(
    server: &stories::mock::MockServer,
    media: &Path,
    args: &[&str],
) -> std::process::Output {
    let mut cmd = stories(server);
    cmd.args(args)
        .args(["--format", "ndjson", "--download"])
        .arg(media);
    output(cmd).await
}

fn results(record: &serde_json::Value) -> Vec<String> {
    record["downloads"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["result"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn two_inputs_with_one_story_and_a_rerun_share_nothing_partial() {
    let server = mock().await;
    let dir = tempdir();
    let media = dir.path().join("media");
    let batch = dir.path().join("batch.txt");
    // Both names give the same documented stories.
    std::fs::write(&batch, "natgeo\nnasa\n").unwrap_or_else(|e| panic!("{e}"));
    let batch_arg = batch.to_string_lossy().into_owned();
    let args = [
        "user-stories",
        "--concurrency",
        "2",
        "--batch",
        batch_arg.as_str(),
    ];
    let out = download(&server, &media, &args).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let records = ndjson(&out);
    let mut all: Vec<String> = records.iter().flat_map(results).collect();
    all.sort();
    assert_eq!(all, ["saved", "saved", "skipped", "skipped"], "{records:?}");
    let landed = files(&media);
    assert_eq!(
        landed
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        [
            ".stories-archive",
            "3849025813912605899.jpg",
            "3849437931484859245.jpg"
        ]
    );
    for f in landed
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "jpg"))
    {
        assert_eq!(
            std::fs::metadata(media.join(f))
                .map(|m| m.len())
                .unwrap_or(0),
            64 * 1024
        );
    }

    // A re-run skips both (the archive); --force downloads again.
    let out = download(&server, &media, &["user-stories", "natgeo"]).await;
    let again = ndjson(&out);
    assert_eq!(results(&again[0]), ["skipped", "skipped"]);
    assert!(
        again[0]["downloads"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("--force"))
    );
    let out = download(&server, &media, &["user-stories", "natgeo", "--force"]).await;
    assert_eq!(results(&ndjson(&out)[0]), ["saved", "saved"]);
    let out = download(&server, &media, &["user-stories", "natgeo", "--no-archive"]).await;
    assert_eq!(results(&ndjson(&out)[0]), ["saved", "saved"]);
    let (fetched, with_keys) = server.media_requests();
    assert_eq!(fetched, 6);
    assert_eq!(with_keys, 0, "a media request carried an API key");
}

#[tokio::test]
async fn templates_and_metadata_shape_the_files() {
    let server = mock().await;
    let dir = tempdir();
    let media = dir.path().join("media");
    let out = download(
        &server,
        &media,
        &[
            "user-stories",
            "natgeo",
            "--filename",
            "{owner}/{taken_at}_{id}.{kind}.{ext}",
            "--write-metadata",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let landed: Vec<String> = files(&media)
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        landed,
        [
            ".stories-archive",
            "javan/20260309T123413Z_3849025813912605899.image.jpg",
            "javan/20260309T123413Z_3849025813912605899.image.jpg.json",
            "javan/20260310T021301Z_3849437931484859245.image.jpg",
            "javan/20260310T021301Z_3849437931484859245.image.jpg.json",
        ],
        "{}",
        text(&out.stdout)
    );
    let sidecar: serde_json::Value =
        serde_json::from_slice(&std::fs::read(media.join(&landed[2])).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sidecar["id"], "3849025813912605899");
    let record = &ndjson(&out)[0];
    assert!(
        record["downloads"][0]["metadata"]
            .as_str()
            .is_some_and(|m| m.ends_with(".json"))
    );
}

/// Media and sidecars get the mode any downloader gives a new file: 0666 less the umask of the
/// process, as the archive file does, not the 0600 of a private temporary file.
#[cfg(unix)]
#[tokio::test]
async fn files_land_with_the_umask_mode() {
    use std::os::unix::fs::PermissionsExt;
    let server = mock().await;
    let dir = tempdir();
    let media = dir.path().join("media");
    // A umask of 027 tells "honoured" (0640) apart from both 0600 and the usual 0644.
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "umask 027 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_stories"))
        .args([
            "user-stories",
            "natgeo",
            "--write-metadata",
            "--format",
            "ndjson",
        ])
        .arg("--download")
        .arg(&media);
    let env_source = stories(&server);
    for (k, v) in env_source.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let landed = files(&media);
    assert_eq!(landed.len(), 5, "{landed:?}");
    for file in landed {
        let mode = std::fs::metadata(media.join(&file))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_default();
        assert_eq!(mode, 0o640, "{} has mode {mode:o}", file.display());
    }
}

#[tokio::test]
async fn highlight_lists_download_their_items() {
    let server = mock().await;
    let dir = tempdir();
    let media = dir.path().join("media");
    let out = download(&server, &media, &["highlights", "natgeo"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record = &ndjson(&out)[0];
    assert_eq!(record["highlight_items"][0]["outcome"], "found", "{record}");
    let saved = results(record).iter().filter(|r| *r == "saved").count();
    assert!(saved > 0, "{record}");
    assert_eq!(
        files(&media).len(),
        saved + 1,
        "every saved item plus the archive"
    );
}

#[tokio::test]
async fn failed_downloads_are_in_the_json_and_the_exit_status() {
    let server = mock().await;
    let dir = tempdir();
    // A file where the download folder should go: nothing can be written below it.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "").unwrap_or_else(|e| panic!("{e}"));
    let out = download(
        &server,
        &blocker.join("media"),
        &["user-stories", "natgeo", "--no-archive"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let record = &ndjson(&out)[0];
    assert_eq!(record["outcome"]["outcome"], "found");
    assert_eq!(results(record), ["failed", "failed"], "{record}");
    assert!(
        record["downloads"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("blocker"))
    );
}

/// A server that answers every request with `head` then `body`, and closes.
async fn raw_server(head: &'static str, body: &'static [u8]) -> String {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(body).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}")
}

/// A media server that promises 64 KiB and closes after 100 bytes.
async fn short_server() -> String {
    raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: image/jpeg\r\ncontent-length: 65536\r\n\r\n",
        &[7u8; 100],
    )
    .await
}

#[tokio::test]
async fn a_cut_transfer_leaves_no_file_under_its_name() {
    let base = short_server().await;
    let dir = tempdir();
    let story: domain::Story = serde_json::from_value(serde_json::json!({
        "id": "42", "shortcode": null, "owner": null, "kind": "image", "taken_at": null, "expires_at": null,
        "images": [{"url": format!("{base}/media/42.jpg"), "width": 1, "height": 1, "mime_type": null, "url_expires_at": null}],
        "videos": [], "duration_seconds": null, "mentions": [], "hashtags": [], "links": [], "locations": [],
        "sponsors": [], "paid_partnership": null, "accessibility_caption": null, "permalink": null,
        "source": {"vendor": "keyapi", "operation": "fetch_user_stories"}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let downloader = stories::download::Downloader::new(
        reqwest::Client::new(),
        stories::download::DownloadOptions::new(dir.path()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let done = downloader.download(&[story]).await;
    assert!(done[0].is_failure(), "{done:?}");
    assert_eq!(
        files(dir.path()),
        Vec::<std::path::PathBuf>::new(),
        "no file, no archive line"
    );
}

/// Waits until a transfer is certainly in progress: a temporary file below `media` holds the
/// first chunk of a stalled media response.
async fn transfer_in_progress(media: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let started = files(media).iter().any(|f| {
            let name = f.to_string_lossy();
            name.starts_with(".stories-")
                && name.ends_with(".part")
                && std::fs::metadata(media.join(f)).is_ok_and(|m| m.len() > 0)
        });
        if started {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no transfer began within 30 s: {:?}",
            files(media)
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_killed_run_never_leaves_an_incomplete_file_under_its_name() {
    let server = mock().await;
    // Media transfers send their first chunk and then wait: the kill lands mid-transfer.
    server.stall_media(true);
    let dir = tempdir();
    let media = dir.path().join("media");
    let mut cmd = stories(&server);
    cmd.args(["user-stories", "natgeo", "--no-archive", "--download"])
        .arg(&media)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    transfer_in_progress(&media).await;
    let _ = child.kill();
    let _ = child.wait();
    // SIGKILL leaves the temporary files (a later run sweeps them after a day), but nothing
    // under a final name.
    let left = files(&media);
    assert!(!left.is_empty());
    for file in &left {
        let name = file.to_string_lossy();
        assert!(
            name.starts_with(".stories-") && name.ends_with(".part"),
            "{name} stands after a kill mid-transfer"
        );
    }

    // Released, a rerun lands every file complete.
    server.stall_media(false);
    let out = download(&server, &media, &["user-stories", "natgeo", "--no-archive"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved: Vec<_> = files(&media)
        .into_iter()
        .filter(|f| !f.to_string_lossy().ends_with(".part"))
        .collect();
    assert_eq!(saved.len(), 2, "{saved:?}");
    for file in saved {
        let len = std::fs::metadata(media.join(&file)).map_or(0, |m| m.len());
        assert_eq!(len, stories::mock::MEDIA_BYTES as u64, "{}", file.display());
    }
}

/// SIGINT (and SIGTERM) mid-download: what arrived is printed, this run's temporary files are
/// gone, and the exit status is 130.
#[cfg(unix)]
#[tokio::test]
async fn an_interrupted_run_prints_what_is_complete_and_cleans_up() {
    for signal in ["INT", "TERM"] {
        let server = mock().await;
        server.stall_media(true);
        let dir = tempdir();
        let media = dir.path().join("media");
        let mut cmd = stories(&server);
        cmd.args(["user-stories", "natgeo", "--download"])
            .arg(&media)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
        transfer_in_progress(&media).await;
        let killed = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(killed.success());
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out.status.code(),
            Some(130),
            "SIG{signal}: {}",
            text(&out.stderr)
        );
        // The JSON array is whole, with the answer that had arrived.
        let printed: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
        let record = &printed[0];
        assert_eq!(record["outcome"]["outcome"], "found", "{record}");
        assert_eq!(results(record), ["interrupted", "interrupted"], "{record}");
        // Nothing is left: no temporary file, no file under a final name, no archive line.
        assert_eq!(
            files(&media),
            Vec::<std::path::PathBuf>::new(),
            "SIG{signal}"
        );
        assert!(
            text(&out.stderr).contains("interrupted"),
            "{}",
            text(&out.stderr)
        );
    }
}

/// A signal while answers are still awaited: the inputs in flight are reported interrupted,
/// the ones not begun are not asked, and the JSON is whole.
#[cfg(unix)]
#[tokio::test]
async fn an_interrupted_batch_reports_the_inputs_in_flight() {
    let server = mock().await;
    server.set_latency(std::time::Duration::from_secs(60));
    let dir = tempdir();
    let batch = dir.path().join("users.txt");
    std::fs::write(&batch, "natgeo\nnasa\nbbc\nnike\nnatgeo2\nnasa2\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = stories(&server);
    cmd.args([
        "user-stories",
        "--vendor",
        "keyapi",
        "--concurrency",
        "2",
        "--batch",
    ])
    .arg(&batch)
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.hits("keyapi") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the asks never arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(killed.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    let inputs: Vec<&str> = printed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["input"].as_str())
        .collect();
    assert_eq!(inputs, ["natgeo", "nasa"], "{printed}");
    for record in printed.as_array().into_iter().flatten() {
        assert_eq!(record["error"], "interrupted before the answer arrived");
    }
    assert_eq!(
        server.hits("keyapi"),
        2,
        "no input was begun after the signal"
    );
}

/// A file is named for the media its server sent: HikerAPI's video stories (whose documented
/// URLs name no extension) land as `.mp4`, through the failover demo's route too.
#[tokio::test]
async fn the_extension_follows_the_media_served() {
    let server = mock().await;
    let dir = tempdir();
    let media = dir.path().join("media");
    let out = download(
        &server,
        &media,
        &[
            "user-stories",
            "natgeo",
            "--vendor",
            "hikerapi",
            "--no-archive",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let landed = files(&media);
    assert!(!landed.is_empty());
    for file in &landed {
        assert_eq!(
            file.extension().and_then(|e| e.to_str()),
            Some("mp4"),
            "{landed:?}"
        );
    }

    // A server that sends a video where the URL says `.jpg`: the file says `.mp4`.
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: 4\r\nconnection: close\r\n\r\n",
        b"mp4!",
    )
    .await;
    let story: domain::Story = serde_json::from_value(serde_json::json!({
        "id": "7", "shortcode": null, "owner": null, "kind": "image", "taken_at": null, "expires_at": null,
        "images": [{"url": format!("{base}/media/7.jpg"), "width": 1, "height": 1, "mime_type": "image/jpeg", "url_expires_at": null}],
        "videos": [], "duration_seconds": null, "mentions": [], "hashtags": [], "links": [], "locations": [],
        "sponsors": [], "paid_partnership": null, "accessibility_caption": null, "permalink": null,
        "source": {"vendor": "keyapi", "operation": "fetch_user_stories"}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let elsewhere = dir.path().join("served");
    let mut options = stories::download::DownloadOptions::new(&elsewhere);
    options.archive = None;
    options.write_metadata = true;
    let downloader = stories::download::Downloader::new(reqwest::Client::new(), options)
        .unwrap_or_else(|e| panic!("{e}"));
    let done = downloader.download(&[story]).await;
    assert!(
        matches!(&done[0], stories::download::Downloaded::Saved { path, .. } if path.ends_with("7.mp4")),
        "{done:?}"
    );
    assert_eq!(
        files(&elsewhere),
        [
            std::path::PathBuf::from("7.mp4"),
            std::path::PathBuf::from("7.mp4.json")
        ]
    );
}
