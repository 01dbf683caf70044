//! Benchmarks of the access indicators on the synthetic grid of `common` (300 × 300 =
//! 90,000 nodes, 100–200 m blocks): 50,000 origins and 200 sites placed mid-piece.
//!
//! ```sh
//! cargo bench --bench indicators
//! ```
//!
//! - `catchments/…`: the floating-catchment sweep (one bounded reverse search per site,
//!   read at the origins' seeds) for E2SFCA at 30 min and APL at 20 min together, with GP
//!   coverage counted in the same sweep;
//! - `nearest/…`: nearest and 3rd nearest site of every origin;
//! - `fca/table`: the same FCA from a given table (the `recours fca --times` path) of
//!   2 M pairs, which isolates the cost after the searches.

mod common;

use common::{grid, mix, nodes};
use criterion::{criterion_group, criterion_main, Criterion};
use recours::indicators::catchment::{NetworkCatchments, TimesCatchments};
use recours::indicators::coverage::CoverageCounter;
use recours::indicators::fca::{floating_catchment, floating_catchment_and, FcaSpec};
use recours::indicators::kernel::Kernel;
use recours::indicators::nearest::nearest_sites;
use recours::network::graph::Graph;
use recours::snap::Snapped;
use std::hint::black_box;
use std::time::Duration;

const SIDE: u32 = 300;

/// A point in the middle of the first piece leaving `node`.
fn at(graph: &Graph, node: u32) -> Option<Snapped> {
    let e = graph.fwd.edges(node).next()?;
    Some(Snapped {
        piece: graph.fwd.piece[e],
        fraction: 0.5,
        distance_m: 0.0,
        snapped_lon_lat: (0.0, 0.0),
        access_ms: 30_000,
        at_node: None,
    })
}

fn fca_specs(origins: usize, sites: usize) -> Vec<FcaSpec> {
    let demand: Vec<f64> = (0..origins)
        .map(|i| 1.0 + (mix(i as u64) % 60) as f64)
        .collect();
    vec![
        FcaSpec {
            kernel: Kernel::e2sfca(30.0),
            supply: vec![1.0; sites],
            demand: demand.clone(),
        },
        FcaSpec {
            kernel: Kernel::apl(),
            supply: (0..sites)
                .map(|j| 3_600.0 + (j % 25) as f64 * 100.0)
                .collect(),
            demand,
        },
    ]
}

fn benches(c: &mut Criterion) {
    let (g, id) = grid(SIDE);
    let origins: Vec<Option<Snapped>> = nodes(50_000, &id, SIDE, 1)
        .into_iter()
        .map(|v| at(&g, v))
        .collect();
    let sites: Vec<Option<Snapped>> = nodes(200, &id, SIDE, 2)
        .into_iter()
        .map(|v| at(&g, v))
        .collect();
    let catchments = NetworkCatchments::new(&g, origins.clone(), sites.clone());
    let specs = fca_specs(origins.len(), sites.len());
    let capacity = vec![1.0; sites.len()];

    let mut group = c.benchmark_group("catchments");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function(
        "E2SFCA 30 + APL 20 + coverage, 200 sites, 50,000 origins",
        |b| {
            b.iter(|| {
                let mut counter =
                    CoverageCounter::new(origins.len(), &[5.0, 10.0, 15.0, 20.0, 30.0]);
                black_box(
                    floating_catchment_and(&catchments, &specs, Some((&mut counter, &capacity)))
                        .unwrap(),
                );
                black_box(counter.finish());
            })
        },
    );
    group.finish();

    let mut group = c.benchmark_group("nearest");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("nearest, 200 sites, 50,000 origins", |b| {
        b.iter(|| black_box(nearest_sites(&g, &origins, &sites, 1, None).unwrap()))
    });
    group.bench_function("3 nearest, 200 sites, 50,000 origins", |b| {
        b.iter(|| black_box(nearest_sites(&g, &origins, &sites, 3, None).unwrap()))
    });
    group.finish();

    let pairs: Vec<(u32, u32, f64)> = (0..2_000_000u64)
        .map(|k| {
            let r = mix(k);
            (
                (r % 100_000) as u32,
                ((r >> 20) % 2_000) as u32,
                ((r >> 40) % 3_000) as f64 / 100.0,
            )
        })
        .collect();
    let table = TimesCatchments::new(100_000, 2_000, &pairs);
    let tspecs = fca_specs(100_000, 2_000);
    let mut group = c.benchmark_group("fca");
    group.sample_size(10);
    group.bench_function("table, 2 M pairs, E2SFCA + APL", |b| {
        b.iter(|| black_box(floating_catchment(&table, &tspecs).unwrap()))
    });
    group.finish();
}

criterion_group!(indicators, benches);
criterion_main!(indicators);
