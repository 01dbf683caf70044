//! The provenance manifest of a run (`manifest.json`): the engine version, the study file,
//! every input with its size and SHA-256, the parameters as resolved (defaults filled in),
//! every output file with its size and SHA-256 — enough to reproduce and cite a result.
//!
//! Everything that differs between two runs of the same study lives in its `run` section
//! alone: the output folder and the timings. Every other byte of the manifest, and every
//! other output file, is the same whatever the run and the thread count (`docs/outputs.md`).

use super::config::Study;
use super::run::RunSummary;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Size (bytes) and SHA-256 (hex) of a file, streamed.
pub fn file_digest(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((size, hex))
}

/// Every input file a study reads.
fn inputs(study: &Study) -> Vec<&Path> {
    let n = &study.network;
    let mut out: Vec<&Path> = [&n.osm, &n.graph, &n.lines]
        .into_iter()
        .flatten()
        .map(|p| p.as_path())
        .collect();
    out.push(study.population.path());
    for s in &study.supply {
        out.extend(s.paths());
    }
    for t in &study.territories {
        out.extend(
            [&t.path, &t.members]
                .into_iter()
                .flatten()
                .map(|p| p.as_path()),
        );
    }
    out
}

/// Every file under `dir`, as paths relative to it with `/` separators, sorted.
fn files_under(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `manifest.json` into the output folder `dir` for a run of `study_path`, listing
/// every file already in `dir` with its size and SHA-256.
pub fn write_manifest(
    dir: &Path,
    study_path: &Path,
    study: &Study,
    summary: &RunSummary,
) -> anyhow::Result<()> {
    let mut files = Vec::new();
    for p in std::iter::once(study_path).chain(inputs(study)) {
        if crate::support::pg::is_database_path(p) {
            files.push(serde_json::json!({ "path": p.display().to_string(), "database": true }));
            continue;
        }
        let (size, sha256) = file_digest(p)?;
        files.push(serde_json::json!({
            "path": p.display().to_string(),
            "bytes": size,
            "sha256": sha256,
        }));
    }
    let mut outputs = Vec::new();
    for name in files_under(dir)? {
        let (size, sha256) = file_digest(&dir.join(&name))?;
        outputs.push(serde_json::json!({ "path": name, "bytes": size, "sha256": sha256 }));
    }
    let mut parameters = serde_json::to_value(study)?;
    if let Some(output) = parameters.get_mut("output").and_then(|o| o.as_object_mut()) {
        output.remove("dir");
    }
    let value = serde_json::json!({
        "engine": { "name": "recours", "version": env!("CARGO_PKG_VERSION") },
        "study": study_path.display().to_string(),
        "inputs": files,
        "parameters": parameters,
        "counts": {
            "origins": summary.origins.0,
            "population": summary.origins.1,
            "sites": summary.sites,
            "unsnapped_origins": summary.unsnapped.0,
            "unsnapped_sites": summary.unsnapped.1,
            "rejected": summary.rejected,
        },
        "outputs": outputs,
        "run": {
            "output_dir": summary.out.display().to_string(),
            "timings_seconds": summary.timings,
        },
    });
    Ok(crate::support::atomic::write_with(
        &dir.join(crate::support::staging::MARKER),
        |w| {
            serde_json::to_writer_pretty(&mut *w, &value)?;
            w.write_all(b"\n")?;
            Ok(())
        },
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_of_a_known_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc.txt");
        std::fs::write(&p, "abc").unwrap();
        let (size, hex) = file_digest(&p).unwrap();
        assert_eq!(size, 3);
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
