//! End-to-end benchmark of the access indicators at national size: about 2 M weighted
//! origins and 100 k sites on the national synthetic network (issue "Access indicators",
//! target: under 10 minutes and 8 GB on 2 cores).
//!
//! ```sh
//! cargo run --release --example gen_national -- /work/bench-data/france-synth.osm.pbf
//! cargo run --release -- network build --osm /work/bench-data/france-synth.osm.pbf \
//!     --out /work/bench-data/france.graph
//! cargo run --release --example national_access -- /work/bench-data/france.graph [ORIGINS] [SITES] [--no-check]
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
//! printed. Before it, four one-site what-ifs of issue 19 (one GP removed, added, moved,
//! its capacity doubled), each timed with the memory it takes above the baseline, and each
//! compared with a full computation (skipped with `--no-check`). Prints a Markdown table:
//! each phase's wall-clock time and the process's peak resident memory after it.

mod common;
#[path = "common/national_inputs.rs"]
mod national_inputs;

use common::peak_mb;
use national_inputs::{national_points, national_spec};
use recours::access::{compute_access, AccessEngine, AccessSpec, Variant};
use recours::inputs::demand::Origin;
use recours::inputs::supply::Site;
use recours::network::store::load_graph;
use recours::synth::rng::SplitMix64;
use std::time::Instant;

fn row(phase: &str, seconds: f64, note: &str) {
    let time = if seconds < 10.0 {
        format!("{seconds:.3} s")
    } else {
        format!("{seconds:.1} s")
    };
    println!("| {phase} | {time} | {:.0} MB | {note} |", peak_mb());
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or_else(|| {
        anyhow::anyhow!("usage: national_access GRAPH [ORIGINS] [SITES] [--no-check]")
    })?;
    let n_origins: usize = args.next().map_or(Ok(2_000_000), |v| v.parse())?;
    let n_sites: usize = args.next().map_or(Ok(100_000), |v| v.parse())?;
    let check = args.next().as_deref() != Some("--no-check");
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

    one_site_edits(&engine, &baseline, &graph, &origins, &sites, &spec, check)?;

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
    if !check {
        return Ok(());
    }
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

/// Current resident set size of this process, MB (Linux `VmRSS`).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets the peak resident set size (`VmHWM`) to the current one (Linux ≥ 4.0).
fn reset_peak() {
    // Best effort: without it the peak below is the run's, an upper bound.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One-site what-ifs on the GPs, each from the baseline: one removed, one added (where the
/// first pharmacy is), one moved (where the first radiologist is), one whose capacity
/// doubles. Prints each update's time, its memory above
/// the baseline's (peak RSS during the update minus RSS before) and, with `check`, whether
/// it equals a full computation of the variant.
fn one_site_edits(
    engine: &AccessEngine,
    baseline: &recours::access::Baseline,
    graph: &recours::network::graph::Graph,
    origins: &[Origin],
    sites: &[Site],
    spec: &AccessSpec,
    check: bool,
) -> anyhow::Result<()> {
    let gp = sites
        .iter()
        .position(|s| s.category == "gp")
        .ok_or_else(|| anyhow::anyhow!("no GP"))?;
    let at = |cat: &str| {
        sites
            .iter()
            .find(|s| s.category == cat)
            .map(|s| (s.lon, s.lat))
            .ok_or_else(|| anyhow::anyhow!("no {cat} site"))
    };
    let ((lon_a, lat_a), (lon_m, lat_m)) = (at("pharmacy")?, at("radiology")?);
    let keep_all = || Variant {
        sites: sites.to_vec(),
        from_base: (0..sites.len()).map(Some).collect(),
    };
    let mut removed = keep_all();
    removed.sites.remove(gp);
    removed.from_base.remove(gp);
    let mut added = keep_all();
    added.sites.push(Site {
        id: "new-gp".into(),
        lon: lon_a,
        lat: lat_a,
        ..sites[gp].clone()
    });
    added.from_base.push(None);
    let mut moved = keep_all();
    moved.sites[gp].lon = lon_m;
    moved.sites[gp].lat = lat_m;
    let mut capacity = keep_all();
    capacity.sites[gp].capacity *= 2.0;
    for (name, variant) in [
        ("one GP removed", removed),
        ("one GP added", added),
        ("one GP moved", moved),
        ("one GP's capacity doubled", capacity),
    ] {
        let before = rss_mb();
        reset_peak();
        let t = Instant::now();
        let update = engine.update(baseline, sites, &variant, None)?;
        let seconds = t.elapsed().as_secs_f64();
        let extra = peak_mb() - before;
        let stats = format!("{:?}", update.stats);
        let mut note = format!("+{extra:.0} MB during the update; {stats}");
        if check {
            let full = compute_access(graph, origins, &variant.sites, spec)?;
            let same = update.results.fca == full.fca
                && update.results.coverage == full.coverage
                && update.results.nearest == full.nearest;
            anyhow::ensure!(same, "{name}: incremental and full results differ");
            note.push_str("; bit-identical to a full computation");
        }
        row(&format!("what-if: {name}"), seconds, &note);
    }
    Ok(())
}
