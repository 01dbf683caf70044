//! Where the national catchment sweep's time goes, and how far it is from a lower bound
//! (issue 19).
//!
//! ```sh
//! cargo run --release --example sweep_profile -- /work/bench-data/wt-19a/france.graph [SAMPLE]
//! ```
//!
//! On the inputs of `national_access` (2 M origins, 100 k sites of which 55 % GPs):
//!
//! 1. **Memory bandwidth**, STREAM-like (J. D. McCalpin, "Memory bandwidth and machine
//!    balance", IEEE TCCA Newsletter, 1995): a sum over 1 GiB of `u64`, on 1 thread and on
//!    every thread of the pool, median of 5; and the latency of a dependent random walk over
//!    256 MiB (a single-cycle permutation drawn by Sattolo's algorithm).
//! 2. **Per search**, the first `SAMPLE` GP sites (default 3,000; the sites are drawn at
//!    random, so a prefix is a fair sample): one 30-minute bounded reverse search each by
//!    the general search ([`bounded_search`]) and by the time-only one ([`TimeSearch`]),
//!    alternating on one thread; nodes settled, edges scanned, time per search.
//! 3. **The bound**: Σ over all GP sites of the nodes settled × the bytes a search must
//!    read per settled node (its CSR offset, its edges at 8 bytes, its label: 8 + 8 ×
//!    degree), ÷ the bandwidth on every thread. The sum is extrapolated from the sample's
//!    mean.
//! 4. **The sweep split**, on the sample: the searches and reaches alone
//!    ([`Catchments::reaches`]) against the whole sweep ([`FcaState::sweep_in`]: E2SFCA 30,
//!    APL 20 and coverage at five thresholds), on every thread of the pool.

mod common;
#[path = "common/national_inputs.rs"]
mod national_inputs;

use national_inputs::{national_points, national_spec};
use rayon::prelude::*;
use recours::access::AccessEngine;
use recours::indicators::catchment::{Catchments, NetworkCatchments, SWEEP_CHUNK};
use recours::indicators::coverage::CoverageCounter;
use recours::indicators::fca::FcaState;
use recours::network::store::load_graph;
use recours::routing::dijkstra::{bounded_search, Direction, SearchState};
use recours::routing::times::{TimeAdjacency, TimeSearch};
use recours::snap::Snapped;
use recours::synth::rng::SplitMix64;
use std::time::Instant;

/// 30 minutes, ms.
const RADIUS_MS: u32 = 30 * 60_000;

/// The median of `v` (sorted here).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The `q`-quantile of sorted `v`.
fn quantile(v: &[f64], q: f64) -> f64 {
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// Read bandwidth, GB/s: median of 5 sums over 1 GiB of `u64` in `pool`.
fn read_bandwidth(data: &[u64], pool: &rayon::ThreadPool) -> f64 {
    let mut rates: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let s: u64 = pool.install(|| {
                data.par_chunks(1 << 20)
                    .map(|c| c.iter().fold(0u64, |a, &x| a.wrapping_add(x)))
                    .reduce(|| 0, u64::wrapping_add)
            });
            std::hint::black_box(s);
            std::mem::size_of_val(data) as f64 / t.elapsed().as_secs_f64() / 1e9
        })
        .collect();
    median(&mut rates)
}

/// Mean latency of a dependent random access over 256 MiB, ns.
fn random_latency() -> f64 {
    let n = 1usize << 26;
    let mut next: Vec<u32> = (0..n as u32).collect();
    let mut rng = SplitMix64::new(7);
    for i in (1..n).rev() {
        next.swap(i, rng.below(i as u64) as usize);
    }
    let steps = 20_000_000;
    let mut v = 0u32;
    let t = Instant::now();
    for _ in 0..steps {
        v = next[v as usize];
    }
    std::hint::black_box(v);
    t.elapsed().as_secs_f64() * 1e9 / steps as f64
}

/// Per-search counts and times (ms) of the general and the time-only search on `sites`.
struct PerSearch {
    settled: Vec<f64>,
    edges: Vec<f64>,
    general_ms: Vec<f64>,
    time_only_ms: Vec<f64>,
}

fn per_search(graph: &recours::network::graph::Graph, sites: &[Snapped]) -> PerSearch {
    let compact = TimeAdjacency::new(&graph.rev);
    let mut general = SearchState::new(graph.node_count());
    let mut fast = TimeSearch::new(graph.node_count());
    let mut out = PerSearch {
        settled: Vec::new(),
        edges: Vec::new(),
        general_ms: Vec::new(),
        time_only_ms: Vec::new(),
    };
    for s in sites {
        let seeds = s.arrivals(graph);
        let t = Instant::now();
        bounded_search(
            &mut general,
            graph,
            Direction::Reverse,
            &seeds,
            Some(RADIUS_MS),
        )
        .expect("seeds in the graph");
        out.general_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        fast.run(&compact, &seeds, RADIUS_MS)
            .expect("seeds in the graph");
        out.time_only_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(fast.reached().len(), general.settled().len());
        out.settled.push(general.settled().len() as f64);
        let degree: usize = general
            .settled()
            .iter()
            .map(|&v| graph.rev.edges(v).len())
            .sum();
        out.edges.push(degree as f64);
    }
    out
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: sweep_profile GRAPH [SAMPLE]"))?;
    let sample: usize = args.next().map_or(Ok(3_000), |v| v.parse())?;
    let threads = rayon::current_num_threads();

    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let all = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let data: Vec<u64> = (0..1u64 << 27).collect();
    let bw1 = read_bandwidth(&data, &one);
    let bw = read_bandwidth(&data, &all);
    drop(data);
    let latency = random_latency();
    println!("read bandwidth: {bw1:.2} GB/s on 1 thread, {bw:.2} GB/s on {threads}");
    println!("dependent random access over 256 MiB: {latency:.1} ns");

    let graph = load_graph(std::path::Path::new(&path))?;
    let (origins, sites) = national_points(&graph, 2_000_000, 100_000);
    let spec = national_spec();
    let t = Instant::now();
    let engine = AccessEngine::new(&graph, &origins, &spec)?;
    let gp: Vec<usize> = (0..sites.len())
        .filter(|&j| sites[j].category == "gp")
        .collect();
    let gp_sites: Vec<_> = gp.iter().map(|&j| sites[j].clone()).collect();
    let snaps: Vec<Snapped> = engine
        .snap_sites(&gp_sites)
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    println!(
        "snapped {} origins and {} GP sites in {:.1} s",
        origins.len(),
        snaps.len(),
        t.elapsed().as_secs_f64()
    );

    let sample = sample.min(snaps.len());
    let mut p = per_search(&graph, &snaps[..sample]);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (settled, edges) = (mean(&p.settled), mean(&p.edges));
    let degree = edges / settled;
    let bytes = 8.0 + 8.0 * degree;
    let total_settled = settled * snaps.len() as f64;
    let bound = total_settled * bytes / (bw * 1e9);
    let mut sorted = p.settled.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "settled per 30-min search ({sample} GP sites): mean {settled:.0}, p10 {:.0}, median {:.0}, p90 {:.0}, max {:.0}; {degree:.2} edges scanned per settled node",
        quantile(&sorted, 0.1),
        quantile(&sorted, 0.5),
        quantile(&sorted, 0.9),
        quantile(&sorted, 1.0)
    );
    let (g, f) = (mean(&p.general_ms), mean(&p.time_only_ms));
    println!(
        "one thread, per search: general {g:.3} ms mean ({:.3} median, {:.1} ns per settled node), time-only {f:.3} ms mean ({:.3} median, {:.1} ns per settled node)",
        median(&mut p.general_ms),
        g * 1e6 / settled,
        median(&mut p.time_only_ms),
        f * 1e6 / settled
    );
    println!(
        "bound: {} GP sites × {settled:.0} settled × {bytes:.1} B / {bw:.2} GB/s = {:.2e} settled, {bound:.1} s; time-only searches alone on {threads} threads ≈ {:.1} s",
        snaps.len(),
        total_settled,
        f * snaps.len() as f64 / 1e3 / threads as f64
    );

    let placed: Vec<Option<Snapped>> = engine
        .origin_snaps()
        .iter()
        .map(|s| s.as_ref().ok().copied())
        .collect();
    let sampled: Vec<Option<Snapped>> = snaps[..sample].iter().copied().map(Some).collect();
    let catchments = NetworkCatchments::new(&graph, placed, sampled);
    let t = Instant::now();
    let mut first = 0;
    let mut pairs = 0usize;
    while first < sample {
        let count = SWEEP_CHUNK.min(sample - first);
        pairs += catchments
            .reaches(first, count, 30.0)?
            .iter()
            .map(Vec::len)
            .sum::<usize>();
        first += count;
    }
    let reaches_s = t.elapsed().as_secs_f64();
    let demand: Vec<f64> = origins.iter().map(|o| o.population).collect();
    let mut state = FcaState::new(
        origins.len(),
        spec.fca
            .iter()
            .map(|r| (r.method.kernel().clone(), demand.clone()))
            .collect(),
    );
    let supply = vec![vec![1.0, 5_000.0]; sample];
    let capacity = vec![1.0; sample];
    let mut counter = CoverageCounter::new(origins.len(), &spec.thresholds);
    let t = Instant::now();
    state.sweep_in(&catchments, &supply, Some((&mut counter, &capacity)))?;
    let sweep_s = t.elapsed().as_secs_f64();
    println!(
        "sweep of {sample} sites on {threads} threads: searches + reaches {reaches_s:.2} s ({pairs} origin-site pairs, {:.0} per site), whole sweep {sweep_s:.2} s, so sharing out {:.2} s; scaled to {} sites: {:.1} s",
        pairs as f64 / sample as f64,
        sweep_s - reaches_s,
        snaps.len(),
        sweep_s * snaps.len() as f64 / sample as f64
    );
    println!("peak RSS {:.0} MB", common::peak_mb());
    Ok(())
}
