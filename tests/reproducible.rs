//! Same inputs → same bytes: the demo study run twice, with 1 and with 2 threads, into two
//! folders gives byte-identical files — the GeoPackage and the report included — except the
//! manifest's documented `run` section (output folder, timings), and the manifest's output
//! hashes are those of the files.

use std::path::Path;
use std::process::Command;

fn recours(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running recours");
    assert!(
        out.status.success(),
        "recours {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir`, relative and sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn the_demo_study_gives_the_same_bytes_whatever_the_run_and_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    recours(dir.path(), &["demo", "--out", "demo"]);
    recours(
        dir.path(),
        &["--threads", "1", "run", "demo/study.toml", "--out", "one"],
    );
    recours(
        dir.path(),
        &["--threads", "2", "run", "demo/study.toml", "--out", "two"],
    );
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let names = files(&one);
    assert_eq!(names, files(&two));
    for must in [
        "results.gpkg",
        "report.html",
        "summary.txt",
        "origins.geojson",
    ] {
        assert!(names.iter().any(|n| n == must), "{must} written");
    }
    for name in names.iter().filter(|n| *n != "manifest.json") {
        let (a, b) = (
            std::fs::read(one.join(name)).unwrap(),
            std::fs::read(two.join(name)).unwrap(),
        );
        assert!(a == b, "{name} differs between the two runs");
    }
    let (mut m1, mut m2) = (manifest(&one), manifest(&two));
    assert_eq!(m1["run"]["output_dir"], "one");
    assert!(m1["run"]["timings_seconds"].is_array());
    m1.as_object_mut().unwrap().remove("run");
    m2.as_object_mut().unwrap().remove("run");
    assert_eq!(m1, m2, "the manifests differ outside their run section");
    for f in m1["outputs"].as_array().unwrap() {
        let path = one.join(f["path"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, f["bytes"].as_u64().unwrap());
        use sha2::Digest;
        let hex: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, f["sha256"].as_str().unwrap(), "{}", path.display());
    }
    let summary = std::fs::read_to_string(one.join("summary.txt")).unwrap();
    assert!(
        !summary.contains("timings") && !summary.contains("written to"),
        "{summary}"
    );
}
