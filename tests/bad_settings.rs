//! The bad-settings corpus (`tests/fixtures/bad_inputs/settings/README.md`): every row of its
//! table is run through the `recours` binary from a copy of the folder, and must end as the
//! table says — `ok`, or exit 1 with the expected text — with no panic, no abort, and no
//! `.partial` file or staging folder left behind. Then the whole-flow cases of the output
//! folder: a smaller run leaves no stale file, a failed run leaves the previous result
//! whole, and a closed stderr does not stop a run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/bad_inputs/settings"
);

/// A copy of the corpus folder to run in (cases write into `out/`).
fn copy_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new(CORPUS), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// The rows of the README table: (case file, expected).
fn cases() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(Path::new(CORPUS).join("README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
            let last = cells.last().unwrap().trim().replace("\\|", "|");
            (cells[0].trim().trim_matches('`').to_string(), last)
        })
        .collect()
}

fn run_in(dir: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running recours")
}

/// The arguments of a case: `run CASE.toml`, or the lines of `CASE.args`.
fn arguments(dir: &Path, case: &str) -> Vec<String> {
    if case.ends_with(".toml") {
        return vec!["run".into(), case.into()];
    }
    std::fs::read_to_string(dir.join(case))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(String::from)
        .collect()
}

/// Every leftover of an interrupted write under `dir`: `.partial` files and staging folders.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains(".partial")
                || name.ends_with(".staging")
                || name.ends_with(".previous")
            {
                out.push(p.clone());
            }
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

#[test]
fn every_case_of_the_corpus_ends_as_its_table_says() {
    let table = cases();
    assert!(table.len() >= 30, "{} cases", table.len());
    let dir = copy_corpus();
    let mut wrong = Vec::new();
    for (case, expected) in &table {
        let out = run_in(dir.path(), &arguments(dir.path(), case));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !stderr.contains("panicked") && out.status.code().is_some_and(|c| c <= 1),
            "{case}: panic or abort ({:?})\n{stderr}",
            out.status
        );
        let fine = match expected.strip_prefix("error: ") {
            None => expected == "ok" && out.status.success(),
            Some(text) => out.status.code() == Some(1) && stderr.contains(text),
        };
        if !fine {
            wrong.push(format!(
                "{case}: expected {expected}, got {:?}\n{stderr}",
                out.status
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(leftovers(dir.path()), Vec::<PathBuf>::new());
    let notes = dir.path().join("not_a_result/notes.txt");
    assert!(
        notes.exists(),
        "a folder that is not a result is never replaced"
    );
}

#[test]
fn an_alias_reads_as_its_category_and_names_the_column() {
    let dir = copy_corpus();
    let out = run_in(dir.path(), &arguments(dir.path(), "ok_alias_gastro.toml"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let header = std::fs::read_to_string(dir.path().join("out/ok_alias_gastro/origins.csv"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(header.contains("gastroenterology_minutes"), "{header}");
}

#[test]
fn a_smaller_run_replaces_the_whole_previous_result() {
    let dir = copy_corpus();
    let study = dir.path().join("two_levels.toml");
    let base = std::fs::read_to_string(dir.path().join("ok_baseline.toml")).unwrap();
    let bigger = base.replace(
        "[indicators]",
        "[[territories]]\nkind = \"secteur\"\npath = \"town/communes.geojson\"\n\n[indicators]",
    );
    std::fs::write(&study, &bigger).unwrap();
    let args = |s: &Path| vec!["run".to_string(), s.display().to_string()];
    let out = run_in(dir.path(), &args(&study));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result = dir.path().join("out/ok_baseline");
    assert!(result.join("secteur.geojson").exists());
    std::fs::write(&study, &base).unwrap();
    let out = run_in(dir.path(), &args(&study));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!result.join("secteur.geojson").exists(), "stale layer left");
    assert!(!result.join("secteur").exists(), "stale folder left");
    // The manifest lists exactly the files present, each with its size.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(result.join("manifest.json")).unwrap())
            .unwrap();
    let listed: Vec<(String, u64)> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut present: Vec<String> = walk(&result)
        .into_iter()
        .filter(|p| p != "manifest.json")
        .collect();
    present.sort();
    let names: Vec<String> = listed.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(names, present);
    for (p, bytes) in &listed {
        assert_eq!(
            std::fs::metadata(result.join(p)).unwrap().len(),
            *bytes,
            "{p}"
        );
    }
    // A run failing after its checks leaves the previous result whole.
    std::fs::write(
        &study,
        base.replace("town/homes.csv", "town/homes_empty.csv"),
    )
    .unwrap();
    let before = std::fs::read(result.join("manifest.json")).unwrap();
    let out = run_in(dir.path(), &args(&study));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(result.join("manifest.json")).unwrap(), before);
    assert_eq!(leftovers(dir.path()), Vec::<PathBuf>::new());
}

/// Files under `dir`, relative, `/`-separated.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

#[test]
fn a_closed_stderr_ends_quietly_with_the_graph_saved() {
    let dir = copy_corpus();
    let graph = dir.path().join("town.graph");
    let mut child = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["network", "build", "--osm", "town/town.osm", "--out"])
        .arg(&graph)
        .current_dir(dir.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end at once, as `| head -0` would.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(graph.exists(), "graph saved");
    assert_eq!(leftovers(dir.path()), Vec::<PathBuf>::new());
}

#[test]
fn logs_to_a_file_have_no_colour_and_no_module_path() {
    let dir = copy_corpus();
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["run", "ok_allow_empty.toml"])
        .current_dir(dir.path())
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("allow_empty"),
        "the warning is logged:\n{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "ANSI escape in:\n{stderr}");
    assert!(!stderr.contains("recours::"), "module path in:\n{stderr}");
}

#[test]
fn the_help_and_the_docs_name_every_category_of_the_vocabulary() {
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["run", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/study.md")).unwrap();
    for name in recours::inputs::supply::vocabulary::default_names() {
        assert!(help.contains(&name), "`recours run --help` lacks {name}");
        assert!(
            docs.contains(&format!("`{name}`")),
            "docs/study.md lacks {name}"
        );
    }
    assert!(
        docs.contains("`gastro` → `gastroenterology`"),
        "the alias is documented"
    );
}
