//! Sparse origin–destination travel-time tables between snapped points.
//!
//! Units: times in **milliseconds**, network lengths in **decimetres**.
//!
//! A point enters the graph through several seeds (a snapped point reaches both ends of its
//! road piece, each after a partial time). The time of pair (i, j) is
//!
//! ```text
//! t(i, j) = min( min over seeds s of i, d of j of  s.time + dist(s.node → d.node) + d.time ,
//!                direct(i, j) )
//! ```
//!
//! where `d.time` is the time still needed from node `d.node` to point j, and `direct(i, j)`
//! an optional time along a single piece (both points on the same piece, no node between).
//! Equal times go to the shorter network length. One bounded Dijkstra per item of the
//! smaller side (see [`super::dijkstra`]; forward from sources, or backward from
//! destinations) stops once every node of the other side is settled or the bound is
//! reached; searches run in parallel with one [`SearchState`] per rayon worker, and the
//! pairs are sorted by (source, destination), so the table is the same whatever the thread
//! count.

use super::dijkstra::{search_to_targets, Direction, SearchError, SearchState, TargetSet};
use super::Seed;
use crate::network::graph::Graph;
use rayon::prelude::*;

/// Travel time and network length of one reachable (source, destination) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableCell {
    /// Index of the source in the list given.
    pub source: u32,
    /// Index of the destination in the list given.
    pub destination: u32,
    /// Time, ms (seed offsets included).
    pub time_ms: u32,
    /// Network length, dm (seed offsets included).
    pub len_dm: u32,
}

/// A travel-time table: reachable pairs and pairs with no path within the bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Reachable pairs, sorted by (source, destination).
    pub cells: Vec<TableCell>,
    /// Pairs `(source, destination)` with no path (within the bound, if any), sorted.
    pub unreachable: Vec<(u32, u32)>,
}

/// Optional direct time `(ms, dm)` between source `i` and destination `j` that bypasses
/// the graph nodes.
pub type DirectFn<'a> = &'a (dyn Fn(usize, usize) -> Option<(u32, u32)> + Sync);

/// Computes the time (ms) and network length (dm) of the best path from every source to
/// every destination, keeping pairs within `max_ms` (all reachable pairs when `None`).
///
/// `sources[i]` lists the seeds of source i (time and length already spent to reach each
/// node), `destinations[j]` those of destination j (time and length still to travel from
/// each node); `direct(i, j)`, when given, offers a competing direct time. A source or
/// destination without seeds is unreachable except through `direct`. Fails if a seed is
/// outside the graph or there are more than `u32::MAX` sources or destinations.
///
/// One search runs per item of the smaller side: forward from each source when there are
/// no more sources than destinations, otherwise backward (reverse adjacency) from each
/// destination. Both give the same table, since the best `(time, length)` over a set of
/// paths does not depend on the direction they are explored in.
pub fn compute_table<S: AsRef<[Seed]> + Sync, D: AsRef<[Seed]> + Sync>(
    graph: &Graph,
    sources: &[S],
    destinations: &[D],
    max_ms: Option<u32>,
    direct: Option<DirectFn<'_>>,
) -> Result<Table, SearchError> {
    let n = graph.node_count();
    check_side("source", sources, n)?;
    check_side("destination", destinations, n)?;
    let mut table = Table::default();
    if sources.len() <= destinations.len() {
        let sweep = Sweep {
            graph,
            dir: Direction::Forward,
            max_ms,
            direct,
        };
        for (cells, unreachable) in sweep.run(sources, destinations)? {
            table.cells.extend(cells);
            table.unreachable.extend(unreachable);
        }
    } else {
        let sweep = Sweep {
            graph,
            dir: Direction::Reverse,
            max_ms,
            direct,
        };
        for (cells, unreachable) in sweep.run(destinations, sources)? {
            table.cells.extend(cells);
            table.unreachable.extend(unreachable);
        }
        table
            .cells
            .sort_unstable_by_key(|c| (c.source, c.destination));
        table.unreachable.sort_unstable();
    }
    Ok(table)
}

/// The cells and unreachable pairs found by one search.
type Line = (Vec<TableCell>, Vec<(u32, u32)>);

/// One search per item of one side (`from`), read at the seeds of the other side (`to`).
struct Sweep<'a> {
    graph: &'a Graph,
    /// Forward: `from` are the sources; reverse: `from` are the destinations.
    dir: Direction,
    max_ms: Option<u32>,
    direct: Option<DirectFn<'a>>,
}

impl Sweep<'_> {
    /// Cells and unreachable pairs of every item of `from`, in the order of `from`.
    fn run<A: AsRef<[Seed]> + Sync, B: AsRef<[Seed]> + Sync>(
        &self,
        from: &[A],
        to: &[B],
    ) -> Result<Vec<Line>, SearchError> {
        let n = self.graph.node_count();
        let mut targets = TargetSet::new(n);
        targets.reset(to.iter().flat_map(|d| d.as_ref().iter().map(|s| s.node)))?;
        // Bounds the number of rayon jobs, hence of search states allocated by `map_init`.
        let min_len = (from.len() / (4 * rayon::current_num_threads())).max(1);
        (0..from.len())
            .into_par_iter()
            .with_min_len(min_len)
            .map_init(
                || SearchState::new(n),
                |state, a| {
                    let seeds = from[a].as_ref();
                    search_to_targets(state, self.graph, self.dir, seeds, &targets, self.max_ms)?;
                    Ok(self.line(state, a, to))
                },
            )
            .collect()
    }

    /// The pairs of item `a` of `from` with every item of `to`, from the search of `a` held
    /// in `state`.
    fn line<B: AsRef<[Seed]>>(&self, state: &SearchState, a: usize, to: &[B]) -> Line {
        let max = self.max_ms.unwrap_or(u32::MAX - 1);
        let mut cells = Vec::new();
        let mut unreachable = Vec::new();
        for (b, far) in to.iter().enumerate() {
            let (i, j) = match self.dir {
                Direction::Forward => (a, b),
                Direction::Reverse => (b, a),
            };
            let network = far.as_ref().iter().filter_map(|d| {
                let t = state.time_ms(d.node)?.saturating_add(d.time_ms);
                let l = state.len_dm(d.node)?.saturating_add(d.len_dm);
                Some((t, l))
            });
            let best = network.chain(self.direct.and_then(|f| f(i, j))).min();
            // Indices fit in u32: checked by `check_side`.
            let (source, destination) = (i as u32, j as u32);
            match best {
                Some((time_ms, len_dm)) if time_ms <= max => cells.push(TableCell {
                    source,
                    destination,
                    time_ms,
                    len_dm,
                }),
                _ => unreachable.push((source, destination)),
            }
        }
        (cells, unreachable)
    }
}

/// Checks that a side has at most `u32::MAX` entries, all seeds inside the graph.
fn check_side<T: AsRef<[Seed]>>(
    side: &'static str,
    items: &[T],
    node_count: usize,
) -> Result<(), SearchError> {
    if u32::try_from(items.len()).is_err() {
        return Err(SearchError::TooLarge {
            what: format!("{} {side}s (at most {} allowed)", items.len(), u32::MAX),
        });
    }
    for (index, item) in items.iter().enumerate() {
        if let Some(s) = item.as_ref().iter().find(|s| s.node as usize >= node_count) {
            return Err(SearchError::TableSeedOutOfRange {
                side,
                index,
                node: s.node,
                node_count,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::{Pieces, NONE};

    /// 0 —10 s— 1 —20 s one-way→ 2; 3 alone.
    fn line() -> Graph {
        let pieces = Pieces {
            tail: vec![0, 1],
            head: vec![1, 2],
            time_fwd_ms: vec![10_000, 20_000],
            time_bwd_ms: vec![10_000, NONE],
            len_dm: vec![1000, 2000],
            class: vec![0, 0],
            geom_offsets: vec![0; 3],
            geom: Vec::new(),
        };
        Graph::from_pieces(
            "t",
            vec!["road".into()],
            vec![true],
            vec![[0, 0]; 4],
            pieces,
        )
    }

    fn seed(node: u32, time_ms: u32, len_dm: u32) -> Seed {
        Seed {
            node,
            time_ms,
            len_dm,
        }
    }

    fn cell(source: u32, destination: u32, time_ms: u32, len_dm: u32) -> TableCell {
        TableCell {
            source,
            destination,
            time_ms,
            len_dm,
        }
    }

    #[test]
    fn pairs_take_the_best_seed_combination() {
        let g = line();
        // Source 0 sits on piece 0→1, 2 s from node 0 and 8 s from node 1.
        let src = vec![
            vec![seed(0, 2_000, 200), seed(1, 8_000, 800)],
            vec![seed(2, 0, 0)],
        ];
        // Destination 0 sits on piece 1→2, 5 s after node 1; destination 1 on node 3.
        let dst = vec![vec![seed(1, 5_000, 500)], vec![seed(3, 0, 0)]];
        let t = compute_table(&g, &src, &dst, None, None).unwrap();
        assert_eq!(t.cells, vec![cell(0, 0, 13_000, 1300)]);
        assert_eq!(t.unreachable, vec![(0, 1), (1, 0), (1, 1)]);
    }

    #[test]
    fn more_sources_than_destinations_search_backwards_alike() {
        let g = line();
        let src = vec![
            vec![seed(0, 2_000, 200), seed(1, 8_000, 800)],
            vec![seed(2, 0, 0)],
            vec![seed(0, 0, 0)],
        ];
        let dst = vec![vec![seed(1, 5_000, 500)], vec![seed(3, 0, 0)]];
        let t = compute_table(&g, &src, &dst, None, None).unwrap();
        assert_eq!(
            t.cells,
            vec![cell(0, 0, 13_000, 1300), cell(2, 0, 15_000, 1500)]
        );
        assert_eq!(t.unreachable, vec![(0, 1), (1, 0), (1, 1), (2, 1)]);
    }

    #[test]
    fn direct_times_compete_and_closures_coerce() {
        let g = line();
        let src = vec![vec![seed(0, 2_000, 200)]];
        let dst = vec![vec![seed(1, 5_000, 500)], vec![seed(3, 0, 0)]];
        let direct = |i: usize, j: usize| (i == 0 && j == 0).then_some((4_000, 400));
        let t = compute_table(&g, &src, &dst, None, Some(&direct)).unwrap();
        assert_eq!(t.cells, vec![cell(0, 0, 4_000, 400)]);
        let far = |_: usize, j: usize| (j == 1).then_some((60_000, 6000));
        let t = compute_table(&g, &src, &dst, Some(30_000), Some(&far)).unwrap();
        assert_eq!(t.cells, vec![cell(0, 0, 17_000, 1700)]);
        assert_eq!(t.unreachable, vec![(0, 1)]);
    }

    #[test]
    fn bound_excludes_pairs_whose_total_exceeds_it() {
        let g = line();
        let src = [[seed(0, 0, 0)]];
        let dst = [[seed(1, 5_000, 500)]];
        let t = compute_table(&g, &src, &dst, Some(15_000), None).unwrap();
        assert_eq!(t.cells, vec![cell(0, 0, 15_000, 1500)]);
        let t = compute_table(&g, &src, &dst, Some(14_999), None).unwrap();
        assert_eq!(t.unreachable, vec![(0, 0)]);
    }

    #[test]
    fn empty_seed_lists_and_bad_seeds() {
        let g = line();
        let none: Vec<Vec<Seed>> = vec![Vec::new()];
        let t = compute_table(&g, &none, &none, None, None).unwrap();
        assert_eq!(t.unreachable, vec![(0, 0)]);
        let bad = vec![vec![seed(0, 0, 0)], vec![seed(9, 0, 0)]];
        let e = compute_table(&g, &none, &bad, None, None).unwrap_err();
        assert_eq!(
            e,
            SearchError::TableSeedOutOfRange {
                side: "destination",
                index: 1,
                node: 9,
                node_count: 4
            }
        );
        assert!(e.to_string().starts_with("destination 1:"));
    }
}
