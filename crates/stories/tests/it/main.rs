//! The `stories` crate from outside, in one binary: the unified client against the built-in
//! mock (routing, failover, drift), the binary itself (batches, downloads, normalize), and
//! HTTPS end to end.

mod cli;
mod cli_config;
mod cli_connections;
mod cli_downloads;
mod cli_inputs;
mod cli_mock;
mod cli_transport;
mod cli_watch;
mod https;
mod library;
mod normalize_cli;
mod routing;
mod support;
mod walkthrough;
mod watch_budget;
mod watch_queue;
mod watch_store;

/// Installs a do-nothing global subscriber before any test emits an event. Tracing caches each
/// callsite's interest process-wide, computed against the first thread to reach it: without a
/// global subscriber, a test running the client without one would cache "never" and silence
/// the callsite for the test that captures traces on its own thread.
pub fn global_tracing() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
    });
}
