//! Helpers shared by the integration tests: the real public data folder, and a small
//! drawn street grid.
// Each test crate compiles this module and uses part of it.
#![allow(dead_code)]

use std::fmt::Write as _;
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

/// A 12 × 12 street grid (0.001° steps, ≈ 111 m × 73 m) near Bondy, every fourth street
/// one-way, as OSM XML.
pub fn grid_osm() -> String {
    let n = 12;
    let mut s = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='test'>\n",
    );
    for r in 0..n {
        for c in 0..n {
            let (lat, lon) = (48.90 + 0.001 * r as f64, 2.47 + 0.001 * c as f64);
            writeln!(
                s,
                "  <node id='{}' lat='{lat:.7}' lon='{lon:.7}'/>",
                1 + r * n + c
            )
            .unwrap();
        }
    }
    let mut way = 1000;
    for r in 0..n {
        way += 1;
        writeln!(s, "  <way id='{way}'>").unwrap();
        for c in 0..n {
            writeln!(s, "    <nd ref='{}'/>", 1 + r * n + c).unwrap();
        }
        let oneway = if r % 4 == 1 {
            "<tag k='oneway' v='yes'/>"
        } else {
            ""
        };
        writeln!(
            s,
            "    <tag k='highway' v='residential'/>{oneway}\n  </way>"
        )
        .unwrap();
    }
    for c in 0..n {
        way += 1;
        writeln!(s, "  <way id='{way}'>").unwrap();
        for r in 0..n {
            writeln!(s, "    <nd ref='{}'/>", 1 + r * n + c).unwrap();
        }
        writeln!(s, "    <tag k='highway' v='tertiary'/>\n  </way>").unwrap();
    }
    s + "</osm>\n"
}
