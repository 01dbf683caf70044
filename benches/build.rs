//! Graph building on a regional synthetic network (Île-de-France-sized box, 2,000 places
//! with Zipf populations, about 0.4 M junctions) written as a real OSM PBF by
//! [`recours::synth`]: reading the PBF through the car profile, building the graph (junction
//! contraction, Hilbert order, CSR, island pruning), saving it and loading it back.
//!
//! ```sh
//! cargo bench --bench build
//! ```
//!
//! The national-size end to end (4.5 M junctions) is `examples/national.rs`; see
//! `BENCHMARKS.md`.

use criterion::{criterion_group, criterion_main, Criterion};
use recours::network::builder::{build_graph, BuildOptions};
use recours::network::osm::read_osm;
use recours::network::profile::Profile;
use recours::network::store::{load_graph, save_graph};
use recours::synth::{generate, write_pbf, RoadNetworkSpec};
use std::hint::black_box;
use std::time::Duration;

/// A regional spec: the national generator's rules over an Île-de-France-sized box.
fn regional() -> RoadNetworkSpec {
    RoadNetworkSpec {
        bbox: [1.45, 48.12, 3.56, 49.24],
        outline: Vec::new(),
        populations: (1..=2_000u32).map(|r| (1_500_000 / r).max(80)).collect(),
        hub_towns: 40,
        motorway_towns: 12,
        ..RoadNetworkSpec::national(7)
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let pbf = dir.path().join("regional.osm.pbf");
    write_pbf(&generate(&regional()), &pbf).expect("writing the regional PBF");
    let profile = Profile::builtin("car").expect("car profile");
    let raw = read_osm(&pbf, &profile).expect("reading the regional PBF");
    let (graph, report) = build_graph(raw.clone(), &BuildOptions::default());
    eprintln!(
        "regional network: {} ways, {} nodes, {} directed edges",
        raw.way_count(),
        report.nodes,
        report.edges
    );
    let saved = dir.path().join("regional.rgraph");
    save_graph(&graph, &saved).expect("saving the graph");

    let mut g = c.benchmark_group("build");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("read PBF, car profile", |b| {
        b.iter(|| black_box(read_osm(&pbf, &profile).unwrap()))
    });
    g.bench_function("build graph from ways", |b| {
        b.iter_batched(
            || raw.clone(),
            |raw| black_box(build_graph(raw, &BuildOptions::default())),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("save graph", |b| {
        b.iter(|| save_graph(&graph, &saved).unwrap())
    });
    g.bench_function("load graph", |b| {
        b.iter(|| black_box(load_graph(&saved).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
