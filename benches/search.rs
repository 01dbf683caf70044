//! Benchmarks of the search kernels on a synthetic road-like grid.
//!
//! The grid has `side × side` nodes (`RECOURS_BENCH_SIDE`, default 1000 → 1 M nodes)
//! numbered along a Hilbert curve like the graph builder does, 100–200 m blocks: every 10th row and column is a two-way 70 km/h
//! arterial; other streets (30–50 km/h) exist with probability 0.6, one in ten one-way,
//! which gives ≈ 2.4 directed edges per node, close to a contracted OSM car graph.
//!
//! ```sh
//! cargo bench --bench search
//! RECOURS_BENCH_SIDE=2121 cargo bench --bench search -- multi_source   # ≈ 4.5 M nodes
//! ```

mod common;

use common::{grid, nodes};
use criterion::{criterion_group, criterion_main, Criterion};
use recours::routing::dijkstra::{
    bounded_search, k_nearest_sources, multi_source, Direction, SearchState, Seed, SourceSeed,
};
use recours::routing::table::compute_table;
use std::hint::black_box;
use std::time::Duration;

fn seed(node: u32) -> Seed {
    Seed {
        node,
        time_ms: 0,
        len_dm: 0,
    }
}

fn benches(c: &mut Criterion) {
    let side = std::env::var("RECOURS_BENCH_SIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let t = std::time::Instant::now();
    let (g, id) = grid(side);
    let n = g.node_count();
    eprintln!(
        "grid {side}×{side}: {n} nodes, {} edges, built in {:.2} s",
        g.edge_count(),
        t.elapsed().as_secs_f64()
    );
    let mut state = SearchState::new(n);
    let mut group = c.benchmark_group("search");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));

    let starts = nodes(64, &id, side, 1);
    let mut i = 0;
    bounded_search(
        &mut state,
        &g,
        Direction::Forward,
        &[seed(starts[0])],
        Some(1_800_000),
    )
    .expect("bounded search");
    eprintln!("bounded 30 min: {} nodes settled", state.settled().len());
    group.bench_function("bounded_30min", |b| {
        b.iter(|| {
            i = (i + 1) % starts.len();
            let s = [seed(starts[i])];
            bounded_search(&mut state, &g, Direction::Forward, &s, Some(1_800_000)).unwrap();
            black_box(state.settled().len())
        })
    });

    let sites: Vec<SourceSeed> = nodes(1000, &id, side, 2)
        .into_iter()
        .enumerate()
        .map(|(i, node)| SourceSeed {
            source: i as u32,
            seed: seed(node),
        })
        .collect();
    group.bench_function("multi_source_1000_sites_all_nodes", |b| {
        b.iter(|| {
            let r = multi_source(&mut state, &g, Direction::Reverse, &sites, None).unwrap();
            black_box(r.time_ms[0])
        })
    });
    group.bench_function("k_nearest_3_of_1000_sites_all_nodes", |b| {
        b.iter(|| {
            let r = k_nearest_sources(&g, Direction::Reverse, &sites, 3, None).unwrap();
            black_box(r.time_ms[0])
        })
    });

    let src: Vec<Vec<Seed>> = nodes(200, &id, side, 3)
        .into_iter()
        .map(|v| vec![seed(v)])
        .collect();
    let dst: Vec<Vec<Seed>> = nodes(50, &id, side, 4)
        .into_iter()
        .map(|v| vec![seed(v)])
        .collect();
    group.bench_function(
        format!(
            "table_200x50_unbounded_{}_threads",
            rayon::current_num_threads()
        ),
        |b| {
            b.iter(|| {
                black_box(
                    compute_table(&g, &src, &dst, None, None)
                        .unwrap()
                        .cells
                        .len(),
                )
            })
        },
    );
    group.finish();
}

criterion_group!(search, benches);
criterion_main!(search);
