//! Property tests of the searches against brute force on small random graphs.
//!
//! Graphs have up to 9 nodes and 20 random pieces (self-loops, parallel pieces, one-way and
//! closed directions, zero times included); the reference is a Bellman–Ford relaxation of
//! lexicographic `(time, length)` labels over the pieces themselves, independent of the CSR.

mod common;

use common::{build, RawPiece};
use proptest::prelude::*;
use recours::network::graph::{Graph, NONE};
use recours::routing::dijkstra::{
    bounded_search, k_nearest_sources, multi_source, Direction, SearchState, SourceSeed, UNREACHED,
};
use recours::routing::nearest_edit::{edit_k_nearest, SourceEdit};
use recours::routing::table::{compute_table, Table, TableCell};
use recours::routing::Seed;

/// A label: (time ms, length dm), wide enough not to overflow.
type Label = (u64, u64);

/// Directed edges `(from, to, time, len)` followed by a search in direction `dir`.
fn edges(pieces: &[RawPiece], dir: Direction) -> Vec<(usize, usize, u64, u64)> {
    let mut out = Vec::new();
    for &(a, b, f, r, l) in pieces {
        let (a, b) = (a as usize, b as usize);
        for (x, y, t) in [(a, b, f), (b, a, r)] {
            if t != NONE {
                match dir {
                    Direction::Forward => out.push((x, y, u64::from(t), u64::from(l))),
                    Direction::Reverse => out.push((y, x, u64::from(t), u64::from(l))),
                }
            }
        }
    }
    out
}

/// Best `(time, length)` of every node from `seeds`, by Bellman–Ford.
fn brute(n: usize, edges: &[(usize, usize, u64, u64)], seeds: &[Seed]) -> Vec<Option<Label>> {
    let mut best: Vec<Option<Label>> = vec![None; n];
    for s in seeds {
        let l = (u64::from(s.time_ms), u64::from(s.len_dm));
        let b = &mut best[s.node as usize];
        *b = Some(b.map_or(l, |x| x.min(l)));
    }
    for _ in 0..=n {
        for &(x, y, t, l) in edges {
            if let Some((tx, lx)) = best[x] {
                let cand = (tx + t, lx + l);
                best[y] = Some(best[y].map_or(cand, |c| c.min(cand)));
            }
        }
    }
    best
}

/// Keeps labels within `max` ms.
fn within(labels: Vec<Option<Label>>, max: Option<u32>) -> Vec<Option<Label>> {
    let max = u64::from(max.unwrap_or(u32::MAX - 1));
    labels
        .into_iter()
        .map(|l| l.filter(|l| l.0 <= max))
        .collect()
}

/// Brute-force `(time, source, length)` candidates per node, one per distinct source.
fn per_source(
    n: usize,
    edges: &[(usize, usize, u64, u64)],
    seeds: &[SourceSeed],
    max: Option<u32>,
) -> Vec<Vec<(u64, u32, u64)>> {
    let mut ids: Vec<u32> = seeds.iter().map(|s| s.source).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = vec![Vec::new(); n];
    for id in ids {
        let own: Vec<Seed> = seeds
            .iter()
            .filter(|s| s.source == id)
            .map(|s| s.seed)
            .collect();
        for (v, l) in within(brute(n, edges, &own), max).into_iter().enumerate() {
            if let Some((t, len)) = l {
                out[v].push((t, id, len));
            }
        }
    }
    out.iter_mut().for_each(|c| c.sort_unstable());
    out
}

fn time() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..30, 1 => Just(NONE)]
}

fn seed(n: usize) -> impl Strategy<Value = Seed> {
    (0..n as u32, 0u32..20, 0u32..10).prop_map(|(node, time_ms, len_dm)| Seed {
        node,
        time_ms,
        len_dm,
    })
}

fn source_seed(n: usize) -> impl Strategy<Value = SourceSeed> {
    (0u32..5, seed(n)).prop_map(|(source, seed)| SourceSeed { source, seed })
}

/// A random graph: node count and pieces.
fn graph() -> impl Strategy<Value = (usize, Vec<RawPiece>)> {
    (1usize..10).prop_flat_map(|n| {
        let piece = (0..n as u32, 0..n as u32, time(), time(), 0u32..50);
        (Just(n), prop::collection::vec(piece, 0..20))
    })
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Forward), Just(Direction::Reverse)]
}

fn bound() -> impl Strategy<Value = Option<u32>> {
    prop::option::of(0u32..80)
}

/// A graph with one-source seeds.
fn with_seeds() -> impl Strategy<Value = (usize, Vec<RawPiece>, Vec<Seed>)> {
    graph().prop_flat_map(|(n, p)| (Just(n), Just(p), prop::collection::vec(seed(n), 0..4)))
}

/// A graph with multi-source seeds.
fn with_sources() -> impl Strategy<Value = (usize, Vec<RawPiece>, Vec<SourceSeed>)> {
    graph().prop_flat_map(|(n, p)| {
        (
            Just(n),
            Just(p),
            prop::collection::vec(source_seed(n), 0..6),
        )
    })
}

/// Up to 4 table sources or destinations of 0–2 seeds each.
fn side(n: usize) -> impl Strategy<Value = Vec<Vec<Seed>>> {
    prop::collection::vec(prop::collection::vec(seed(n), 0..3), 0..5)
}

/// A graph with table sources and destinations (0–2 seeds each).
#[allow(clippy::type_complexity)]
fn with_table() -> impl Strategy<Value = (usize, Vec<RawPiece>, Vec<Vec<Seed>>, Vec<Vec<Seed>>)> {
    graph().prop_flat_map(|(n, p)| (Just(n), Just(p), side(n), side(n)))
}

fn table_in_pool(
    threads: usize,
    g: &Graph,
    src: &[Vec<Seed>],
    dst: &[Vec<Seed>],
    max: Option<u32>,
    salt: u32,
) -> Table {
    let direct = move |i: usize, j: usize| {
        let h = (i as u32 * 7 + j as u32 * 13 + salt) % 11;
        (h < 3).then_some((h * 9, h))
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| compute_table(g, src, dst, max, Some(&direct)).unwrap())
}

proptest! {
    #[test]
    fn bounded_search_matches_brute_force(
        (n, pieces, seeds) in with_seeds(), dir in direction(), max in bound()
    ) {
        let g = build(n, &pieces);
        let mut st = SearchState::new(n);
        bounded_search(&mut st, &g, dir, &seeds, max).unwrap();
        let want = within(brute(n, &edges(&pieces, dir), &seeds), max);
        for (v, w) in want.iter().enumerate() {
            let got = st.time_ms(v as u32).map(u64::from).zip(st.len_dm(v as u32).map(u64::from));
            prop_assert_eq!(got, *w, "node {}", v);
        }
        let order: Vec<u32> = st.settled().iter().map(|&v| st.time_ms(v).unwrap()).collect();
        prop_assert!(order.windows(2).all(|w| w[0] <= w[1]));
        prop_assert_eq!(st.settled().len(), want.iter().flatten().count());
    }

    #[test]
    fn multi_source_is_the_best_single_source(
        (n, pieces, seeds) in with_sources(), dir in direction(), max in bound()
    ) {
        let g = build(n, &pieces);
        let mut st = SearchState::new(n);
        let r = multi_source(&mut st, &g, dir, &seeds, max).unwrap();
        let cands = per_source(n, &edges(&pieces, dir), &seeds, max);
        for (v, cand) in cands.iter().enumerate() {
            let got = (r.time_ms[v], r.source[v], r.len_dm[v]);
            let want = cand
                .first()
                .map_or((UNREACHED, UNREACHED, UNREACHED), |&(t, s, l)| (t as u32, s, l as u32));
            prop_assert_eq!(got, want, "node {}", v);
        }
        // Same times as the minimum over one-source searches, whatever the seed order.
        let mut single = SearchState::new(n);
        for v in 0..n as u32 {
            let best = (0..5)
                .filter_map(|id| {
                    let own: Vec<Seed> =
                        seeds.iter().filter(|s| s.source == id).map(|s| s.seed).collect();
                    bounded_search(&mut single, &g, dir, &own, max).unwrap();
                    single.time_ms(v)
                })
                .min();
            prop_assert_eq!(best.unwrap_or(UNREACHED), r.time_ms[v as usize]);
        }
        let mut reversed = seeds.clone();
        reversed.reverse();
        prop_assert_eq!(multi_source(&mut st, &g, dir, &reversed, max).unwrap(), r);
    }

    #[test]
    fn k_nearest_matches_brute_force(
        (n, pieces, seeds) in with_sources(), dir in direction(), max in bound(), k in 1usize..4
    ) {
        let g = build(n, &pieces);
        let r = k_nearest_sources(&g, dir, &seeds, k, max).unwrap();
        let cands = per_source(n, &edges(&pieces, dir), &seeds, max);
        for (v, cand) in cands.iter().enumerate() {
            for rank in 0..k {
                let want = cand.get(rank).map(|&(t, s, l)| (s, t as u32, l as u32));
                prop_assert_eq!(r.nth(v as u32, rank), want, "node {} rank {}", v, rank);
            }
        }
        let mut reversed = seeds.clone();
        reversed.reverse();
        prop_assert_eq!(k_nearest_sources(&g, dir, &reversed, k, max).unwrap(), r);
    }

    #[test]
    fn table_matches_brute_force_on_any_thread_count(
        (n, pieces, src, dst) in with_table(), max in bound(), salt in 0u32..11
    ) {
        let g = build(n, &pieces);
        let one = table_in_pool(1, &g, &src, &dst, max, salt);
        let four = table_in_pool(4, &g, &src, &dst, max, salt);
        prop_assert_eq!(&one, &four);
        let fwd = edges(&pieces, Direction::Forward);
        let limit = u64::from(max.unwrap_or(u32::MAX - 1));
        let mut want = Table::default();
        for (i, s) in src.iter().enumerate() {
            let from = brute(n, &fwd, s);
            for (j, d) in dst.iter().enumerate() {
                let network = d.iter().filter_map(|d| {
                    from[d.node as usize]
                        .map(|(t, l)| (t + u64::from(d.time_ms), l + u64::from(d.len_dm)))
                });
                let h = (i as u32 * 7 + j as u32 * 13 + salt) % 11;
                let direct = (h < 3).then_some((u64::from(h * 9), u64::from(h)));
                match network.chain(direct).min().filter(|b| b.0 <= limit) {
                    Some((t, l)) => want.cells.push(TableCell {
                        source: i as u32,
                        destination: j as u32,
                        time_ms: t as u32,
                        len_dm: l as u32,
                    }),
                    None => want.unreachable.push((i as u32, j as u32)),
                }
            }
        }
        prop_assert_eq!(one, want);
    }
}

/// A `side × side` grid with pseudo-random times, every third row one-way eastbound.
fn grid(side: u32) -> Graph {
    let mut pieces = Vec::new();
    let time =
        |a: u32, b: u32| 1_000 + (a.wrapping_mul(2_654_435_761) ^ b.wrapping_mul(40_503)) % 9_000;
    for y in 0..side {
        for x in 0..side {
            let v = y * side + x;
            if x + 1 < side {
                let back = if y % 3 == 0 { NONE } else { time(v + 1, v) };
                pieces.push((v, v + 1, time(v, v + 1), back, 100));
            }
            if y + 1 < side {
                pieces.push((v, v + side, time(v, v + side), time(v + side, v), 120));
            }
        }
    }
    build((side * side) as usize, &pieces)
}

#[test]
fn larger_table_is_identical_on_one_and_four_threads() {
    let g = grid(30);
    let pick = |k: u32, step: u32| -> Vec<Vec<Seed>> {
        (0..k)
            .map(|i| {
                let node = (i * step) % 900;
                vec![
                    Seed {
                        node,
                        time_ms: i % 7 * 100,
                        len_dm: 3,
                    },
                    Seed {
                        node: (node + 1) % 900,
                        time_ms: 800,
                        len_dm: 9,
                    },
                ]
            })
            .collect()
    };
    let (src, dst) = (pick(200, 37), pick(40, 101));
    let one = table_in_pool(1, &g, &src, &dst, Some(40_000), 5);
    let four = table_in_pool(4, &g, &src, &dst, Some(40_000), 5);
    assert_eq!(one, four);
    assert!(!one.cells.is_empty() && !one.unreachable.is_empty());
    assert_eq!(one.cells.len() + one.unreachable.len(), 200 * 40);
}

#[test]
fn nearest_of_k_nearest_is_multi_source() {
    let g = grid(30);
    let seeds: Vec<SourceSeed> = (0..60u32)
        .map(|i| SourceSeed {
            source: i % 20,
            seed: Seed {
                node: (i * 53) % 900,
                time_ms: 0,
                len_dm: 0,
            },
        })
        .collect();
    let mut st = SearchState::new(900);
    for dir in [Direction::Forward, Direction::Reverse] {
        let m = multi_source(&mut st, &g, dir, &seeds, None).unwrap();
        let k = k_nearest_sources(&g, dir, &seeds, 3, None).unwrap();
        for v in 0..900u32 {
            let i = v as usize;
            assert_eq!(k.nth(v, 0), Some((m.source[i], m.time_ms[i], m.len_dm[i])));
            let (_, t1, _) = k.nth(v, 1).unwrap();
            let (_, t2, _) = k.nth(v, 2).unwrap();
            assert!(m.time_ms[i] <= t1 && t1 <= t2);
        }
    }
}

/// What happens to one source of a base in an edit.
#[derive(Clone, Debug)]
enum SourceFate {
    Keep,
    Remove,
    Move(Vec<Seed>),
}

fn fate(n: usize) -> impl Strategy<Value = SourceFate> {
    prop_oneof![
        3 => Just(SourceFate::Keep),
        2 => Just(SourceFate::Remove),
        1 => prop::collection::vec(seed(n), 1..3).prop_map(SourceFate::Move),
    ]
}

/// A graph of up to 30 nodes, base sources (1–2 seeds each), what becomes of each, and new
/// sources.
#[allow(clippy::type_complexity)]
fn with_edit() -> impl Strategy<
    Value = (
        usize,
        Vec<RawPiece>,
        Vec<Vec<Seed>>,
        Vec<SourceFate>,
        Vec<Vec<Seed>>,
    ),
> {
    (1usize..30).prop_flat_map(|n| {
        let piece = (0..n as u32, 0..n as u32, time(), time(), 0u32..50);
        let sources = prop::collection::vec(prop::collection::vec(seed(n), 1..3), 0..8);
        (
            Just(n),
            prop::collection::vec(piece, 0..3 * n),
            sources,
            prop::collection::vec(fate(n), 8),
            prop::collection::vec(prop::collection::vec(seed(n), 1..3), 0..3),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Labels repaired after sources are removed, moved and added equal a full search on the
    /// final sources, ties and all.
    #[test]
    fn edited_k_nearest_equals_a_full_search(
        (n, pieces, base, fates, added) in with_edit(),
        dir in direction(),
        max in bound(),
        k in 1usize..4,
    ) {
        let g = build(n, &pieces);
        let tag = |id: usize, seeds: &[Seed]| -> Vec<SourceSeed> {
            seeds.iter().map(|&seed| SourceSeed { source: id as u32, seed }).collect()
        };
        let base_seeds: Vec<SourceSeed> =
            base.iter().enumerate().flat_map(|(b, s)| tag(b, s)).collect();
        let labels = k_nearest_sources(&g, dir, &base_seeds, k, max).unwrap();
        // Final sources: the kept and moved ones in base order, then the new ones.
        let mut map = vec![UNREACHED; base.len()];
        let (mut kept, mut new, mut removed_nodes) = (Vec::new(), Vec::new(), Vec::new());
        let mut id = 0;
        for (b, seeds) in base.iter().enumerate() {
            match &fates[b] {
                SourceFate::Keep => {
                    map[b] = id;
                    kept.extend(tag(id as usize, seeds));
                }
                SourceFate::Remove => {
                    removed_nodes.extend(seeds.iter().map(|s| s.node));
                    continue;
                }
                SourceFate::Move(to) => {
                    removed_nodes.extend(seeds.iter().map(|s| s.node));
                    new.extend(tag(id as usize, to));
                }
            }
            id += 1;
        }
        for seeds in &added {
            new.extend(tag(id as usize, seeds));
            id += 1;
        }
        let edit = SourceEdit { map: &map, removed_nodes: &removed_nodes, kept: &kept, added: &new };
        let edited = edit_k_nearest(&g, dir, &labels, &edit, max).unwrap();
        let all: Vec<SourceSeed> = kept.iter().chain(&new).copied().collect();
        let full = k_nearest_sources(&g, dir, &all, k, max).unwrap();
        for v in 0..n as u32 {
            for rank in 0..k {
                prop_assert_eq!(edited.nth(v, rank), full.nth(v, rank), "node {} rank {}", v, rank);
            }
            let same = (0..k).all(|r| {
                labels.nth(v, r).map(|(s, t, l)| (map[s as usize], t, l)) == full.nth(v, r)
            });
            prop_assert!(same || edited.changed(v), "node {} changed but not marked", v);
        }
    }
}
