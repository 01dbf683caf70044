//! Snapping at scale: building the R-tree over a 500,000-node synthetic street grid around
//! Paris (≈ 2 million segments) and snapping 10,000 random points, one by one on one thread
//! and with [`SnapIndex::snap_all`] on all cores.
//!
//! ```sh
//! cargo bench --bench snap
//! ```
//!
//! Criterion's `thrpt` lines give segments indexed per second (build) and snaps per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use recours::network::graph::{Graph, Pieces};
use recours::network::raw::to_fixed;
use recours::snap::{SnapIndex, SnapOptions};
use recours::support::crs::MetricCrs;
use std::hint::black_box;
use std::time::Duration;

/// Grid side: 708² ≈ 501,000 nodes.
const SIDE: u32 = 708;
/// Grid spacing, degrees (≈ 110 m east-west and north-south at 48.8° N).
const STEP_LON: f64 = 0.0015;
const STEP_LAT: f64 = 0.001;
/// South-west corner, west of Paris.
const LON0: f64 = 1.80;
const LAT0: f64 = 48.50;

/// A deterministic pseudo-random sequence (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    fn signed(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// A perturbed grid: every node moved up to a quarter step, every piece bent through a
/// perturbed midpoint; one row in 50 is a motorway (not snappable).
fn grid() -> Graph {
    let mut rng = SplitMix(7);
    let mut nodes = Vec::with_capacity((SIDE * SIDE) as usize);
    for r in 0..SIDE {
        for c in 0..SIDE {
            let lon = LON0 + STEP_LON * (f64::from(c) + 0.25 * rng.signed());
            let lat = LAT0 + STEP_LAT * (f64::from(r) + 0.25 * rng.signed());
            nodes.push([lon, lat]);
        }
    }
    let mut p = Pieces {
        geom_offsets: vec![0],
        ..Pieces::default()
    };
    let add = |p: &mut Pieces, a: u32, b: u32, class: u8, rng: &mut SplitMix| {
        let (pa, pb) = (nodes[a as usize], nodes[b as usize]);
        let mid = [
            (pa[0] + pb[0]) / 2.0 + 0.1 * STEP_LON * rng.signed(),
            (pa[1] + pb[1]) / 2.0 + 0.1 * STEP_LAT * rng.signed(),
        ];
        for v in [pa, mid, pb] {
            p.geom.push([to_fixed(v[0]), to_fixed(v[1])]);
        }
        p.geom_offsets.push(p.geom.len() as u32);
        p.tail.push(a);
        p.head.push(b);
        p.time_fwd_ms.push(11_000);
        p.time_bwd_ms.push(11_000);
        p.len_dm.push(1_100);
        p.class.push(class);
    };
    for r in 0..SIDE {
        for c in 0..SIDE {
            let v = r * SIDE + c;
            if c + 1 < SIDE {
                add(&mut p, v, v + 1, u8::from(r % 50 == 0), &mut rng);
            }
            if r + 1 < SIDE {
                add(&mut p, v, v + SIDE, 0, &mut rng);
            }
        }
    }
    let coords = nodes
        .iter()
        .map(|n| [to_fixed(n[0]), to_fixed(n[1])])
        .collect();
    Graph::from_pieces(
        "bench",
        vec!["residential".into(), "motorway".into()],
        vec![true, false],
        coords,
        p,
    )
}

fn bench(c: &mut Criterion) {
    let graph = grid();
    let crs = MetricCrs::for_graph(&graph).expect("metric CRS");
    let index = SnapIndex::new(&graph, &crs).expect("index");
    let segments = index.segment_count();
    eprintln!(
        "grid: {} nodes, {} pieces, {segments} segments, EPSG:{}",
        graph.node_count(),
        graph.pieces.len(),
        crs.epsg()
    );

    let mut group = c.benchmark_group("snap_index");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(segments as u64));
    group.bench_function("build", |b| {
        b.iter(|| SnapIndex::new(black_box(&graph), &crs).expect("index"))
    });
    group.finish();

    let mut rng = SplitMix(11);
    let span = (f64::from(SIDE) * STEP_LON, f64::from(SIDE) * STEP_LAT);
    let points: Vec<(f64, f64)> = (0..10_000)
        .map(|_| {
            (
                LON0 + span.0 * (rng.signed() + 1.0) / 2.0,
                LAT0 + span.1 * (rng.signed() + 1.0) / 2.0,
            )
        })
        .collect();
    let opts = SnapOptions::for_graph(&graph);
    let mut group = c.benchmark_group("snap_10k_points");
    group.sample_size(20);
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("one_by_one_1_thread", |b| {
        b.iter(|| {
            points
                .iter()
                .filter(|&&(lon, lat)| index.snap(&graph, lon, lat, &opts).is_ok())
                .count()
        })
    });
    group.bench_function("snap_all_all_threads", |b| {
        b.iter(|| index.snap_all(&graph, black_box(&points), &opts))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
