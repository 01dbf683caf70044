//! The network-based indicators against an independent reference: on small random graphs
//! with points snapped part-way along pieces, catchments, nearest sites and FCA computed
//! from bounded / multi-source searches must equal what the full origin × site travel-time
//! table gives (itself checked against Bellman–Ford in `routing_props.rs`), on 1 and 4
//! threads; and the same on any numbering of the nodes.

mod common;

use common::{build, RawPiece};
use proptest::prelude::*;
use recours::indicators::catchment::{Catchments, NetworkCatchments, TimesCatchments};
use recours::indicators::fca::{floating_catchment, FcaSpec};
use recours::indicators::kernel::Kernel;
use recours::indicators::nearest::{nearest_sites, Reached};
use recours::network::graph::{Graph, NONE};
use recours::routing::table::compute_table;
use recours::snap::Snapped;

/// Times in ms: minutes-scale so that catchment radii in minutes cut through them.
fn time() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..600_000, 1 => Just(NONE)]
}

/// A graph with 1–9 nodes and 1–20 pieces.
fn graph() -> impl Strategy<Value = (usize, Vec<RawPiece>)> {
    (1usize..10).prop_flat_map(|n| {
        let piece = (0..n as u32, 0..n as u32, time(), time(), 0u32..5_000);
        (Just(n), prop::collection::vec(piece, 1..20))
    })
}

/// A point snapped on one of `pieces` pieces (or not snapped at all).
fn point(pieces: usize) -> impl Strategy<Value = Option<Snapped>> {
    prop::option::weighted(
        0.9,
        (
            0..pieces as u32,
            prop_oneof![Just(0.0), Just(1.0), Just(0.5), 0.0f64..1.0],
            0u32..120_000,
        )
            .prop_map(|(piece, fraction, access_ms)| Snapped {
                piece,
                fraction,
                distance_m: 0.0,
                snapped_lon_lat: (0.0, 0.0),
                access_ms,
                at_node: None,
            }),
    )
}

/// A graph with origins and sites.
#[allow(clippy::type_complexity)]
fn instance() -> impl Strategy<
    Value = (
        usize,
        Vec<RawPiece>,
        Vec<Option<Snapped>>,
        Vec<Option<Snapped>>,
    ),
> {
    graph().prop_flat_map(|(n, p)| {
        let k = p.len();
        (
            Just(n),
            Just(p),
            prop::collection::vec(point(k), 0..8),
            prop::collection::vec(point(k), 0..6),
        )
    })
}

/// The full table between snapped origins and sites: `(origin, site, ms, dm)`.
fn full_table(
    g: &Graph,
    origins: &[Option<Snapped>],
    sites: &[Option<Snapped>],
) -> Vec<(usize, usize, u32, u32)> {
    let src: Vec<Vec<_>> = origins
        .iter()
        .map(|o| o.map(|o| o.departures(g).to_vec()).unwrap_or_default())
        .collect();
    let dst: Vec<Vec<_>> = sites
        .iter()
        .map(|s| s.map(|s| s.arrivals(g).to_vec()).unwrap_or_default())
        .collect();
    let direct = |i: usize, j: usize| match (&origins[i], &sites[j]) {
        (Some(o), Some(s)) => o.direct_to(s, g),
        _ => None,
    };
    compute_table(g, &src, &dst, None, Some(&direct))
        .unwrap()
        .cells
        .iter()
        .map(|c| {
            (
                c.source as usize,
                c.destination as usize,
                c.time_ms,
                c.len_dm,
            )
        })
        .collect()
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

proptest! {
    #[test]
    fn catchments_match_the_full_table((n, pieces, origins, sites) in instance(), max_min in 0.0f64..15.0) {
        let g = build(n, &pieces);
        let table = full_table(&g, &origins, &sites);
        let c = NetworkCatchments::new(&g, origins.clone(), sites.clone());
        let got = in_pool(1, || c.reaches(0, sites.len(), max_min).unwrap());
        let got4 = in_pool(4, || c.reaches(0, sites.len(), max_min).unwrap());
        prop_assert_eq!(&got, &got4);
        for (j, reach) in got.iter().enumerate() {
            let want: Vec<(u32, f64)> = table
                .iter()
                .filter(|c| c.1 == j && f64::from(c.2) / 60_000.0 <= max_min)
                .map(|c| (c.0 as u32, f64::from(c.2) / 60_000.0))
                .collect();
            prop_assert_eq!(reach, &want, "site {}", j);
        }
    }

    #[test]
    fn nearest_sites_match_the_full_table((n, pieces, origins, sites) in instance(), k in 1usize..4, max in prop::option::of(0u32..900_000)) {
        let g = build(n, &pieces);
        let table = full_table(&g, &origins, &sites);
        let got = in_pool(2, || nearest_sites(&g, &origins, &sites, k, max).unwrap());
        for (i, near) in got.iter().enumerate() {
            let mut want: Vec<Reached> = table
                .iter()
                .filter(|c| c.0 == i && c.2 <= max.unwrap_or(u32::MAX - 1))
                .map(|c| Reached { time_ms: c.2, site: c.1 as u32, len_dm: c.3 })
                .collect();
            want.sort_unstable();
            want.truncate(k);
            prop_assert_eq!(near, &want, "origin {}", i);
        }
    }

    #[test]
    fn fca_on_the_network_equals_fca_on_its_table((n, pieces, origins, sites) in instance()) {
        let g = build(n, &pieces);
        let table = full_table(&g, &origins, &sites);
        let pairs: Vec<(u32, u32, f64)> = table
            .iter()
            .map(|c| (c.0 as u32, c.1 as u32, f64::from(c.2) / 60_000.0))
            .collect();
        let given = TimesCatchments::new(origins.len(), sites.len(), &pairs);
        let net = NetworkCatchments::new(&g, origins.clone(), sites.clone());
        let specs: Vec<FcaSpec> = [Kernel::binary(6.0), Kernel::e2sfca(9.0), Kernel::apl()]
            .into_iter()
            .map(|kernel| FcaSpec {
                kernel,
                supply: (0..sites.len()).map(|j| 1.0 + j as f64).collect(),
                demand: (0..origins.len()).map(|i| 10.0 * (i % 3) as f64 + 0.5).collect(),
            })
            .collect();
        let a = floating_catchment(&given, &specs).unwrap();
        let b = in_pool(1, || floating_catchment(&net, &specs).unwrap());
        let c = in_pool(4, || floating_catchment(&net, &specs).unwrap());
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&b, &c);
    }

    /// The node numbering is free (the builder numbers nodes along a Hilbert curve for
    /// locality): any other numbering of the same network gives the same table, catchments,
    /// nearest sites and FCA, bit for bit (points are snapped on pieces, which keep their
    /// ids).
    #[test]
    fn renumbered_nodes_give_the_same_table_catchments_and_fca(
        ((n, pieces, origins, sites), order) in instance().prop_flat_map(|i| {
            let ids: Vec<u32> = (0..i.0 as u32).collect();
            (Just(i), Just(ids).prop_shuffle())
        })
    ) {
        let renumbered: Vec<RawPiece> = pieces
            .iter()
            .map(|&(a, b, f, w, l)| (order[a as usize], order[b as usize], f, w, l))
            .collect();
        let (g, h) = (build(n, &pieces), build(n, &renumbered));
        prop_assert_eq!(full_table(&g, &origins, &sites), full_table(&h, &origins, &sites));
        let (cg, ch) = (
            NetworkCatchments::new(&g, origins.clone(), sites.clone()),
            NetworkCatchments::new(&h, origins.clone(), sites.clone()),
        );
        prop_assert_eq!(
            cg.reaches(0, sites.len(), 12.0).unwrap(),
            ch.reaches(0, sites.len(), 12.0).unwrap()
        );
        prop_assert_eq!(
            nearest_sites(&g, &origins, &sites, 2, None).unwrap(),
            nearest_sites(&h, &origins, &sites, 2, None).unwrap()
        );
        let specs: Vec<FcaSpec> = [Kernel::e2sfca(9.0), Kernel::apl()]
            .into_iter()
            .map(|kernel| FcaSpec {
                kernel,
                supply: (0..sites.len()).map(|j| 1.0 + j as f64).collect(),
                demand: (0..origins.len()).map(|i| 10.0 * (i % 3) as f64 + 0.5).collect(),
            })
            .collect();
        prop_assert_eq!(
            floating_catchment(&cg, &specs).unwrap(),
            floating_catchment(&ch, &specs).unwrap()
        );
    }
}
