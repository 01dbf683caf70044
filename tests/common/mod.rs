//! Helpers shared by the integration tests that use the real public data folder.
// Each test crate compiles this module and uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared real-data folder (`../shared/data` beside the project, or the
/// `RECOURS_SHARED_DATA` environment variable), or `None` after printing "skipped: …" when
/// it is absent.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("RECOURS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: shared data folder absent ({})", dir.display());
        None
    }
}

/// File `rel` of the shared data folder, or `None` after printing "skipped: …" when it is
/// absent.
pub fn shared_file(rel: &str) -> Option<PathBuf> {
    let p = shared_dir()?.join(rel);
    if p.is_file() {
        Some(p)
    } else {
        println!("skipped: shared data file absent ({})", p.display());
        None
    }
}
