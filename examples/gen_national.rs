//! Writes the France-sized synthetic road network as an OSM PBF, for the national benchmark.
//!
//! ```sh
//! cargo run --release --example gen_national -- /work/bench-data/france-synth.osm.pbf [seed]
//! ```
//!
//! Prints the generation and writing times, the element counts, the car graph's junctions
//! and directed edges (before island pruning), the file size and the peak resident memory.

mod common;

use common::peak_mb;
use recours::synth::{stats::road_stats, try_generate, write_pbf, RoadNetworkSpec};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: gen_national OUT.osm.pbf [seed]"))?;
    let seed: u64 = match args.next() {
        Some(s) => s.parse().map_err(|e| anyhow::anyhow!("seed {s:?}: {e}"))?,
        None => 1,
    };
    let t = Instant::now();
    let osm = try_generate(&RoadNetworkSpec::national(seed))?;
    let gen_s = t.elapsed().as_secs_f64();
    let s = road_stats(&osm);
    println!(
        "seed {seed}: generated in {gen_s:.1} s (peak {:.0} MB)",
        peak_mb()
    );
    println!(
        "{} places ({} laid closer than the usual gap), {} nodes, {} tagged nodes, {} ways ({} for cars)",
        osm.towns.len(),
        osm.crowded_places,
        s.nodes,
        osm.node_tags.len(),
        s.ways,
        s.car_ways
    );
    println!(
        "car graph before pruning: {} junctions, {} directed edges",
        s.junctions, s.directed_edges
    );
    let t = Instant::now();
    write_pbf(&osm, std::path::Path::new(&out))?;
    let size = std::fs::metadata(&out)?.len();
    println!(
        "wrote {out}: {:.1} MB in {:.1} s (peak {:.0} MB)",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        peak_mb()
    );
    Ok(())
}
