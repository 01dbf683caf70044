//! End-to-end benchmark of the access indicators at national size: about 2 M weighted
//! origins and 100 k sites on the national synthetic network (issue "Access indicators",
//! target: under 10 minutes and 8 GB on 2 cores).
//!
//! ```sh
//! cargo run --release --example gen_national -- /work/bench-data/france-synth.osm.pbf
//! cargo run --release -- network build --osm /work/bench-data/france-synth.osm.pbf \
//!     --out /work/bench-data/france.graph
//! cargo run --release --example national_access -- /work/bench-data/france.graph [ORIGINS] [SITES]
//! ```
//!
//! Origins and sites are placed near graph nodes drawn at random (fixed seed), so they
//! follow the network's density; origins carry 1–67 inhabitants (34 on average: 68 M for
//! 2 M origins) and Filosofi-like age bands; sites are 55 % GPs (activity 2,000–8,000 acts,
//! ages 30–74), 10 % radiology, 5 % gastro-enterology, 20 % pharmacies, 10 % other.
//! Computed: nearest GP, radiology and gastro (with the 3rd nearest), GP coverage at 5,
//! 10, 15, 20 and 30 min, GP E2SFCA at 30 min and APL at 20 min (one shared sweep).
//!
//! Then the scenario of issue "Zonage and what-if scenarios": one GP in ten (drawn with a
//! fixed seed) retires. It is recomputed from the baseline's state
//! ([`AccessEngine::update`]) and, for comparison, from scratch on the remaining sites
//! ([`compute_access`]); the two must be bit-identical, and the ratio of their times is
//! printed. Prints a Markdown table: each phase's wall-clock time and the process's peak
//! resident memory after it.

mod common;
#[path = "common/national_inputs.rs"]
mod national_inputs;

use common::peak_mb;
use national_inputs::{national_points, national_spec};
use recours::access::{compute_access, AccessEngine, Variant};
use recours::network::store::load_graph;
use recours::synth::rng::SplitMix64;
use std::time::Instant;

fn row(phase: &str, seconds: f64, note: &str) {
    println!(
        "| {phase} | {seconds:.1} s | {:.0} MB | {note} |",
        peak_mb()
    );
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: national_access GRAPH [ORIGINS] [SITES]"))?;
    let n_origins: usize = args.next().map_or(Ok(2_000_000), |v| v.parse())?;
    let n_sites: usize = args.next().map_or(Ok(100_000), |v| v.parse())?;
    println!("| phase | time | peak RSS after | notes |");
    println!("|---|---|---|---|");
    let t = Instant::now();
    let graph = load_graph(std::path::Path::new(&path))?;
    row(
        "load graph",
        t.elapsed().as_secs_f64(),
        &format!("{} nodes, {} edges", graph.node_count(), graph.edge_count()),
    );

    let (origins, sites) = national_points(&graph, n_origins, n_sites);
    let spec = national_spec();
    let t = Instant::now();
    let engine = AccessEngine::new(&graph, &origins, &spec)?;
    let baseline = engine.baseline(&sites)?;
    let total = t.elapsed().as_secs_f64();
    let r = &baseline.results;
    let threads = rayon::current_num_threads();
    row(
        "snap origins and sites",
        r.timings.snap,
        &format!(
            "{} origins ({} unsnapped), {} sites ({} unsnapped)",
            origins.len(),
            r.unsnapped_origins().len(),
            sites.len(),
            r.unsnapped_sites().len()
        ),
    );
    row(
        "nearest + 3rd nearest: gp, radiology, gastro",
        r.timings.nearest,
        &format!("{threads} threads"),
    );
    let covered = r.coverage[0]
        .coverage
        .sites
        .chunks(5)
        .filter(|c| c[4] > 0)
        .count();
    let mean = |r: &recours::access::AccessResults, k: usize| {
        let w: f64 = r.demand.iter().sum();
        let v = &r.fca[k].result.access;
        v.iter().zip(&r.demand).map(|(a, d)| a * d).sum::<f64>() / w
    };
    row(
        "GP E2SFCA 30 min + APL 20 min + coverage 5–30 min (one sweep)",
        r.timings.fca,
        &format!(
            "mean E2SFCA {:.3e} GP/inh., mean APL {:.2} acts/inh., {covered} origins reach a GP within 30 min",
            mean(r, 0),
            mean(r, 1)
        ),
    );
    row("baseline, all indicators", total, "");

    let mut variant = Variant::default();
    let mut retired = 0;
    let mut pick = SplitMix64::new(60);
    for (b, s) in sites.iter().enumerate() {
        if s.category == "gp" && pick.below(10) == 0 {
            retired += 1;
            continue;
        }
        variant.sites.push(s.clone());
        variant.from_base.push(Some(b));
    }
    let t = Instant::now();
    let update = engine.update(&baseline, &sites, &variant, None)?;
    let incremental = t.elapsed().as_secs_f64();
    row(
        "scenario: 10 % of GPs retire, incremental",
        incremental,
        &format!(
            "{retired} GPs removed, {} catchment searches, mean E2SFCA {:.3e}, mean APL {:.2}",
            update.stats.searches,
            mean(&update.results, 0),
            mean(&update.results, 1)
        ),
    );
    let t = Instant::now();
    let full = compute_access(&graph, &origins, &variant.sites, &spec)?;
    let from_scratch = t.elapsed().as_secs_f64();
    let same = update.results.fca == full.fca
        && update.results.coverage == full.coverage
        && update.results.nearest == full.nearest;
    row(
        "scenario: 10 % of GPs retire, from scratch",
        from_scratch,
        &format!(
            "incremental {:.1}× faster; results bit-identical: {same}",
            from_scratch / incremental
        ),
    );
    anyhow::ensure!(same, "incremental and full results differ");
    Ok(())
}
