//! `stories mock`: the built-in mock vendors, in the foreground or detached (`--detach`), in
//! which case the command returns only once the mock listens, so the commands it prints can be
//! used at once: `eval "$(stories mock --detach)"`.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use super::args::MockArgs;

/// The line a detached mock prints once it listens.
const READY: &str = "# stories mock ready";

pub async fn run(args: &MockArgs) -> ExitCode {
    if args.detach {
        return detach(args);
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let started = match args.live_options() {
        Some(live) => stories::mock::MockServer::start_live(addr, live).await,
        None => stories::mock::MockServer::start(addr).await,
    };
    let server = match started {
        Ok(s) => s,
        Err(e) => {
            say!("error: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (vendor, fault) in &args.fault {
        server.set_fault(vendor, *fault, None);
    }
    server.set_latency(Duration::from_millis(args.latency_ms));
    say!(
        "mock vendors listening on http://{} (Ctrl-C to stop)",
        server.addr()
    );
    if args.live {
        say!(
            "live: every account asked about posts a story every {} s, up for {} s; the ledger is at http://{}/_mock/ledger",
            args.post_every,
            args.story_ttl,
            server.addr()
        );
    }
    let mut exports = String::new();
    for (k, v) in server.env() {
        exports.push_str(&format!("export {k}={v}\n"));
    }
    exports.push_str(READY);
    exports.push('\n');
    // A reader that went away (`| head -1`) does not stop the mock.
    let _ = super::print(exports.as_bytes());
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}

/// Starts this program again as `stories mock` in its own process group, waits for its ready
/// line, and prints its exports and `STORIES_MOCK_PID`.
fn detach(args: &MockArgs) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            say!("error: cannot find the stories executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("mock")
        .arg("--port")
        .arg(args.port.to_string())
        .arg("--latency-ms")
        .arg(args.latency_ms.to_string());
    if args.live {
        cmd.arg("--live")
            .arg("--post-every")
            .arg(args.post_every.to_string())
            .arg("--story-ttl")
            .arg(args.story_ttl.to_string());
    }
    for (vendor, fault) in &args.fault {
        cmd.arg("--fault").arg(format!("{vendor}={}", fault.name()));
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        // Its own process group: Ctrl-C in the shell that started it does not stop it.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            say!("error: cannot start the mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut exports = Vec::new();
    let ready = child.stdout.take().is_some_and(|stdout| {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| {
                let done = line == READY;
                if !done {
                    exports.push(line);
                }
                done
            })
    });
    if !ready {
        let mut why = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut why);
        }
        let _ = child.wait();
        say!("{}", why.trim_end());
        say!("error: the mock did not start");
        return ExitCode::FAILURE;
    }
    let mut out = exports.join("\n");
    out.push_str(&format!(
        "\nexport STORIES_MOCK_PID={}\n# stop it with: kill $STORIES_MOCK_PID\n",
        child.id()
    ));
    super::print(out.as_bytes())
}
