//! Regen against its own input, mutated: a seeded run of a few hundred mutants of the vendors'
//! pages, overlays and manifests — lines deleted, doubled, swapped, re-indented, cut short, or
//! replaced by what vendors' docs and careless edits really hold (fences, stray brackets, bare
//! examples, self-references, 3.1 version lines, 5,000-character lines). Each mutant must end
//! in a refusal located in the vendor's folder, or in a client; a sample of the clients whose
//! code changed is compiled, with its doctests, in a copy of the workspace. A panic fails the
//! run; a stack overflow aborts it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use tests::{copy_workspace, repo_root};

/// The run is the same every time; change the seed to explore.
const SEED: u64 = 0x5EED_2026_1202;
const MUTANTS: usize = 320;
/// How many changed clients are compiled (one `cargo check` and one doctest run for all).
const BUILT: usize = 4;

/// Lines a mutation may put in: vendors' docs and careless edits, not random bytes.
fn nasty_lines() -> Vec<String> {
    let mut lines: Vec<String> = [
        "```",
        "````",
        "~~~",
        "    let x = 1;",
        "$ref: '#'",
        "$ref: '#/paths'",
        "$ref: '#/components/schemas/Nope'",
        "description: \"````\"",
        "type: 5",
        "openapi: 3.1.0",
        "{",
        "[",
        "}",
        "\"",
        "null",
        "- - -",
        ": : :",
        "key: &a [*a, *a]",
        "GET /v1/user/stories",
        "~~GET /v1/gone~~",
        "| id | string | Yes | Id |",
        "| Parameter | Type | Required | Description |",
        "Returns a Story object.",
        "Returns a list of User objects.",
        "Example response",
        "\"DRqAYKuAIUx\"",
        "3488593813459287",
        "é€😀 ünïcödé",
        "\t\tkey: value",
        "crate_name = \"x\"",
        "display_name = \"\"",
        "format = \"openapi\"",
        "base_url = \"ftp://nowhere\"",
        "  - target: $.paths\n    remove: true",
    ]
    .map(str::to_owned)
    .to_vec();
    lines.push("x".repeat(5_000));
    lines
}

/// One mutation of one file.
#[derive(Debug, Clone)]
struct Mutant {
    vendor: String,
    file: String,
    what: String,
    text: String,
}

fn vendor_files(vendor: &str) -> Vec<PathBuf> {
    let dir = repo_root().join("specs").join(vendor);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn mutate(rng: &mut fastrand::Rng, vendors: &[String], nasty: &[String]) -> Mutant {
    let vendor = vendors[rng.usize(..vendors.len())].clone();
    let files = vendor_files(&vendor);
    let path = &files[rng.usize(..files.len())];
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let original = fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let at = rng.usize(..lines.len());
    let line_no = at + 1;
    let what;
    match rng.u8(..8) {
        0 => {
            what = format!("deleted line {line_no}");
            lines.remove(at);
        }
        1 => {
            what = format!("doubled line {line_no}");
            lines.insert(at, lines[at].clone());
        }
        2 if at + 1 < lines.len() => {
            what = format!("swapped lines {line_no} and {}", line_no + 1);
            lines.swap(at, at + 1);
        }
        3 => {
            what = format!("indented line {line_no}");
            lines[at].insert_str(0, "  ");
        }
        4 => {
            what = format!("dedented line {line_no}");
            let trimmed = lines[at].strip_prefix("  ").map(str::to_owned);
            if let Some(t) = trimmed {
                lines[at] = t;
            }
        }
        5 => {
            what = format!("cut the file at line {line_no}");
            lines.truncate(at);
        }
        6 => {
            let line = &nasty[rng.usize(..nasty.len())];
            what = format!("replaced line {line_no} by {:?}", excerpt(line));
            let indent: String = lines[at].chars().take_while(|c| *c == ' ').collect();
            lines[at] = format!("{indent}{line}");
        }
        _ => {
            let line = &nasty[rng.usize(..nasty.len())];
            what = format!("inserted {:?} before line {line_no}", excerpt(line));
            let indent: String = lines[at].chars().take_while(|c| *c == ' ').collect();
            lines.insert(at, format!("{indent}{line}"));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Mutant {
        vendor,
        file,
        what,
        text,
    }
}

fn excerpt(line: &str) -> String {
    line.chars().take(40).collect()
}

/// What became of one mutant.
enum Outcome {
    Refused,
    /// The crate's files, when they differ from the committed ones.
    Accepted(Option<regen::GeneratedCrate>),
    Wrong(String),
}

fn committed_files(name: &str) -> BTreeMap<String, String> {
    let dir = repo_root().join("generated").join(name);
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let (Ok(rel), Ok(text)) = (path.strip_prefix(&dir), fs::read_to_string(&path))
            {
                out.insert(rel.to_string_lossy().into_owned(), text);
            }
        }
    }
    out
}

fn run_one(m: &Mutant, root: &Path) -> Outcome {
    let folder = root.join("specs").join(&m.vendor);
    fs::write(folder.join(&m.file), &m.text).unwrap_or_else(|e| panic!("{e}"));
    let planned = catch_unwind(AssertUnwindSafe(|| regen::plan(root, Some(&m.vendor))));
    let original = repo_root().join("specs").join(&m.vendor).join(&m.file);
    fs::copy(&original, folder.join(&m.file)).unwrap_or_else(|e| panic!("{e}"));
    match planned {
        Err(_) => Outcome::Wrong("regen panicked".to_owned()),
        Ok(Err(regen::RegenError::Ingest(e))) => match e.location() {
            Some(loc) if loc.file.starts_with(&format!("specs/{}/", m.vendor)) => Outcome::Refused,
            Some(loc) => Outcome::Wrong(format!(
                "refused at {}, outside the vendor's folder: {e}",
                loc.file
            )),
            None => Outcome::Wrong(format!("refused without a place: {e}")),
        },
        Ok(Err(other)) => Outcome::Wrong(format!(
            "refused by a later stage, without a place: {other}"
        )),
        Ok(Ok(plan)) => {
            let changed = plan
                .crates
                .into_iter()
                .find(|c| c.files != committed_files(&c.name));
            Outcome::Accepted(changed)
        }
    }
}

#[test]
fn mutated_specs_are_refused_with_a_place_or_give_clients_that_build() {
    let vendors: Vec<String> = fs::read_dir(repo_root().join("specs"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .filter(|e| e.path().join("vendor.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let nasty = nasty_lines();
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mutants: Vec<Mutant> = (0..MUTANTS)
        .map(|_| mutate(&mut rng, &vendors, &nasty))
        .collect();

    // Two workers, each with a scratch copy of specs/ (restored after every mutant).
    let outcomes: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let mutants = &mutants;
                scope.spawn(move || {
                    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
                    copy_workspace(&repo_root().join("specs"), &dir.path().join("specs"));
                    (w..mutants.len())
                        .step_by(2)
                        .map(|i| (i, run_one(&mutants[i], dir.path())))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|_| panic!("a fuzz worker panicked"))
            })
            .collect()
    });

    let mut wrong = Vec::new();
    let (mut refused, mut accepted) = (0, 0);
    let mut changed: BTreeMap<String, (usize, regen::GeneratedCrate)> = BTreeMap::new();
    for (i, outcome) in outcomes {
        let m = &mutants[i];
        match outcome {
            Outcome::Refused => refused += 1,
            Outcome::Accepted(c) => {
                accepted += 1;
                if let Some(c) = c {
                    let key = format!("{:?}", c.files);
                    changed.entry(key).or_insert((i, c));
                }
            }
            Outcome::Wrong(why) => wrong.push(format!(
                "mutant {i} (specs/{}/{}: {}): {why}",
                m.vendor, m.file, m.what
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {MUTANTS} mutants went wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        refused > 0 && accepted > 0,
        "the run tried nothing: {refused} refused, {accepted} accepted"
    );

    // The changed clients, spread over vendors, compiled with their doctests.
    let mut by_vendor: BTreeMap<String, Vec<(usize, regen::GeneratedCrate)>> = BTreeMap::new();
    for (i, c) in changed.into_values() {
        by_vendor.entry(c.vendor.clone()).or_default().push((i, c));
    }
    let mut sample = Vec::new();
    while sample.len() < BUILT && by_vendor.values().any(|v| !v.is_empty()) {
        for list in by_vendor.values_mut() {
            if sample.len() < BUILT
                && let Some(one) = list.pop()
            {
                sample.push(one);
            }
        }
    }
    println!(
        "{MUTANTS} mutants: {refused} refused with a place, {accepted} accepted ({} with a changed client); building {} of them",
        by_vendor.values().map(Vec::len).sum::<usize>() + sample.len(),
        sample.len()
    );
    assert!(
        !sample.is_empty(),
        "no mutant changed a client; the build check would test nothing"
    );
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_workspace(&repo_root(), scratch.path());
    let mut packages = Vec::new();
    for (i, c) in &sample {
        let name = format!("fuzz-mutant-{i}");
        let dir = scratch.path().join("generated").join(&name);
        for (rel, text) in &c.files {
            let text = if rel == "Cargo.toml" {
                text.replacen(
                    &format!("name = \"{}\"", c.name),
                    &format!("name = \"{name}\""),
                    1,
                )
            } else {
                text.clone()
            };
            let path = dir.join(rel);
            fs::create_dir_all(path.parent().unwrap_or(&dir)).unwrap_or_else(|e| panic!("{e}"));
            fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        }
        packages.push(name);
    }
    let target = tests::scratch_target(env!("CARGO_TARGET_TMPDIR"), "regen-fuzz");
    let mut args = vec!["test", "--offline", "--doc"];
    for p in &packages {
        args.extend(["-p", p.as_str()]);
    }
    tests::cargo(scratch.path(), &target, &args, &[]);
}
