//! Helpers shared by the integration tests: the real public data folder, a small drawn
//! street grid, graphs from raw pieces, CSV reading.
// Each test crate compiles this module and uses part of it.
#![allow(dead_code)]

pub mod postgis;

use recours::network::graph::{Graph, Pieces};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The shared real-data folder (`../shared/data` beside the project, or the
/// `RECOURS_SHARED_DATA` environment variable), or `None` after printing "skipped: …" when
/// it is absent.
///
/// When `RECOURS_REQUIRE_SHARED_DATA` is set (CI sets it), an absent folder fails the test
/// instead: a real-data test must not pass quietly where the data should be.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("RECOURS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")));
    if dir.is_dir() {
        Some(dir)
    } else {
        absent(&format!("shared data folder absent ({})", dir.display()))
    }
}

/// File `rel` of the shared data folder, or `None` after printing "skipped: …" when it is
/// absent (a failure when `RECOURS_REQUIRE_SHARED_DATA` is set).
pub fn shared_file(rel: &str) -> Option<PathBuf> {
    let p = shared_dir()?.join(rel);
    if p.is_file() {
        Some(p)
    } else {
        absent(&format!("shared data file absent ({})", p.display()))
    }
}

/// Says that real data is absent: "skipped: …" and `None`, or a panic when
/// `RECOURS_REQUIRE_SHARED_DATA` says the data must be there.
fn absent(what: &str) -> Option<PathBuf> {
    if std::env::var_os("RECOURS_REQUIRE_SHARED_DATA").is_some() {
        panic!("{what}, but RECOURS_REQUIRE_SHARED_DATA is set");
    }
    println!("skipped: {what}");
    None
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

/// A piece: (tail, head, time tail→head, time head→tail, length).
pub type RawPiece = (u32, u32, u32, u32, u32);

/// A graph of `n` nodes from raw pieces (no geometry, one snappable class).
pub fn build(n: usize, pieces: &[RawPiece]) -> Graph {
    let p = Pieces {
        tail: pieces.iter().map(|p| p.0).collect(),
        head: pieces.iter().map(|p| p.1).collect(),
        time_fwd_ms: pieces.iter().map(|p| p.2).collect(),
        time_bwd_ms: pieces.iter().map(|p| p.3).collect(),
        len_dm: pieces.iter().map(|p| p.4).collect(),
        class: vec![0; pieces.len()],
        geom_offsets: vec![0; pieces.len() + 1],
        geom: Vec::new(),
    };
    Graph::from_pieces("p", vec!["road".into()], vec![true], vec![[0, 0]; n], p)
}

/// A CSV file's header and rows, as strings.
pub fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (h, rows)
}
