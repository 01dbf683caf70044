//! End-to-end benchmark on a national-size road network written as a real `.osm.pbf`.
//!
//! ```sh
//! cargo run --release --example gen_national -- /work/bench-data/france-synth.osm.pbf
//! cargo run --release --example national -- /work/bench-data/france-synth.osm.pbf
//! ```
//!
//! Phases, each timed (wall clock) with the process's peak resident memory after it:
//! PBF → raw ways, raw ways → graph, save, load, snapping index and 2,100 snaps, one
//! multi-source "nearest site" search over all nodes from 1,000 sites on one thread (median
//! of 5), and the unbounded 2,000 × 100 table on all cores. Results go to stdout as
//! Markdown rows for `BENCHMARKS.md`.

mod common;

use common::peak_mb;
use recours::network::builder::{build_graph, BuildOptions};
use recours::network::osm::read_osm;
use recours::network::profile::Profile;
use recours::network::store::{load_graph, save_graph};
use recours::network::Graph;
use recours::routing::dijkstra::{multi_source, Direction, SearchState, Seed, SourceSeed};
use recours::routing::table::compute_table;
use recours::snap::{SnapIndex, SnapOptions};
use recours::support::crs::MetricCrs;
use std::time::Instant;

/// A deterministic pseudo-random sequence (SplitMix64), enough to pick sample nodes.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn row(phase: &str, seconds: f64, note: &str) {
    println!(
        "| {phase} | {seconds:.2} s | {:.0} MB | {note} |",
        peak_mb()
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: national FILE.osm.pbf"))?;
    let path = std::path::PathBuf::from(path);
    println!("| phase | time | peak RSS after | notes |");
    println!("|---|---|---|---|");

    let profile = Profile::builtin("car")?;
    let t = Instant::now();
    let raw = read_osm(&path, &profile)?;
    row(
        "read PBF (car profile)",
        t.elapsed().as_secs_f64(),
        &format!("{} ways, {} vertices", raw.way_count(), raw.vertices.len()),
    );
    let t0 = Instant::now();
    let (graph, rep) = build_graph(raw, &BuildOptions::default());
    let build = t0.elapsed().as_secs_f64();
    row(
        "build graph",
        build,
        &format!(
            "{} nodes, {} edges, {} pruned islands",
            rep.nodes, rep.edges, rep.prune.pruned_components
        ),
    );
    row("PBF → graph total", t.elapsed().as_secs_f64(), "");

    let gpath = path.with_extension("rgraph");
    let t = Instant::now();
    save_graph(&graph, &gpath)?;
    let size = std::fs::metadata(&gpath)?.len();
    row(
        "save graph",
        t.elapsed().as_secs_f64(),
        &format!("{:.0} MB file", size as f64 / 1e6),
    );
    drop(graph);
    let t = Instant::now();
    let graph: Graph = load_graph(&gpath)?;
    row("load graph", t.elapsed().as_secs_f64(), "");

    let n = graph.node_count();
    let mut rng = SplitMix(42);
    let t = Instant::now();
    let crs = MetricCrs::for_graph(&graph)?;
    let index = SnapIndex::new(&graph, &crs)?;
    row(
        "snap index",
        t.elapsed().as_secs_f64(),
        &format!("EPSG:{}", crs.epsg()),
    );
    let opts = SnapOptions::for_graph(&graph);
    let t = Instant::now();
    let mut snapped = 0;
    for _ in 0..2100 {
        let (lon, lat) = graph.node_lonlat(rng.below(n) as u32);
        if index
            .snap(&graph, lon + 0.0005, lat + 0.0003, &opts)
            .is_ok()
        {
            snapped += 1;
        }
    }
    row(
        "2,100 snaps",
        t.elapsed().as_secs_f64(),
        &format!("{snapped} snapped"),
    );

    let sites: Vec<SourceSeed> = (0..1000)
        .map(|i| SourceSeed {
            source: i,
            seed: Seed {
                node: rng.below(n) as u32,
                time_ms: 0,
                len_dm: 0,
            },
        })
        .collect();
    let mut state = SearchState::new(n);
    let mut times = Vec::new();
    let mut reached = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let r = multi_source(&mut state, &graph, Direction::Reverse, &sites, None)?;
        times.push(t.elapsed().as_secs_f64());
        reached = r.time_ms.iter().filter(|&&x| x != u32::MAX).count();
    }
    row(
        "multi-source nearest, 1,000 sites, all nodes, 1 thread (median of 5)",
        median(times),
        &format!("{reached} nodes reached"),
    );

    let pick = |rng: &mut SplitMix, k: usize| -> Vec<Vec<Seed>> {
        (0..k)
            .map(|_| {
                vec![Seed {
                    node: rng.below(n) as u32,
                    time_ms: 0,
                    len_dm: 0,
                }]
            })
            .collect()
    };
    let sources = pick(&mut rng, 2000);
    let dests = pick(&mut rng, 100);
    let t = Instant::now();
    let table = compute_table(&graph, &sources, &dests, None, None)?;
    row(
        &format!(
            "table 2,000 × 100 unbounded, {} threads",
            rayon::current_num_threads()
        ),
        t.elapsed().as_secs_f64(),
        &format!(
            "{} pairs, {} unreachable",
            table.cells.len(),
            table.unreachable.len()
        ),
    );
    Ok(())
}
