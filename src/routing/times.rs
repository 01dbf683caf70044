//! Time-only bounded searches: the catchment sweeps' kernel (one bounded reverse search per
//! site, tens of thousands of them in a national study).
//!
//! The floating-catchment and coverage sweeps need, per site, the fastest time (ms) from
//! every node within a radius to the site — not the network length, nor which seed won a
//! tie — so this search keeps only that, and touches fewer bytes per settled node than
//! [`super::dijkstra::bounded_search`] (issue 19; counts in `BENCHMARKS.md`):
//!
//! - [`TimeAdjacency`]: the CSR adjacency with each edge's other end and time interleaved
//!   as two `u32` (8 bytes an edge, one array), instead of three parallel arrays (other,
//!   time, length) read from three places;
//! - one `u32` label per node (no generation stamp, source or length), reset after each
//!   search from the list of nodes it labelled, so a search costs what it reaches;
//! - a 4-ary heap (D. B. Johnson, *Information Processing Letters* 4, 1975) of `u64` keys
//!   `time << 32 | node`: 8 bytes an entry instead of 16.
//!
//! It is Dijkstra's label-setting search with lazy deletion, as in
//! [`super::dijkstra`]; a node's time is the minimum over seeds of seed time plus path time,
//! which does not depend on how ties are broken, so the times are exactly those of
//! [`super::dijkstra::bounded_search`] (checked by a property test below).

use super::dijkstra::{SearchError, UNREACHED};
use super::Seed;
use crate::network::graph::Adjacency;

/// One direction of adjacency reduced to what a time-only search reads: the edges of node
/// `v` are `edges[offsets[v]..offsets[v + 1]]`, each `[other end, time ms]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeAdjacency {
    offsets: Vec<u32>,
    edges: Vec<[u32; 2]>,
}

impl TimeAdjacency {
    /// The compact copy of `adj` (same node numbering and edge order), 8 bytes an edge plus
    /// 4 bytes a node.
    pub fn new(adj: &Adjacency) -> Self {
        TimeAdjacency {
            offsets: adj.offsets.clone(),
            edges: adj
                .other
                .iter()
                .zip(&adj.time_ms)
                .map(|(&w, &t)| [w, t])
                .collect(),
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The `[other end, time ms]` of the edges of node `v`.
    #[inline]
    fn of(&self, v: u32) -> &[[u32; 2]] {
        let (a, b) = (self.offsets[v as usize], self.offsets[v as usize + 1]);
        &self.edges[a as usize..b as usize]
    }
}

/// Reusable per-thread state of time-only searches: a time per node, a bitset of settled
/// nodes, the heap and the list of nodes the last search reached.
#[derive(Clone, Debug, Default)]
pub struct TimeSearch {
    time: Vec<u32>,
    done: Vec<u64>,
    heap: Vec<u64>,
    reached: Vec<u32>,
}

impl TimeSearch {
    /// State for graphs of up to `node_count` nodes (it grows for a larger graph).
    pub fn new(node_count: usize) -> Self {
        TimeSearch {
            time: vec![UNREACHED; node_count],
            done: vec![0; node_count.div_ceil(64)],
            heap: Vec::new(),
            reached: Vec::new(),
        }
    }

    /// The nodes reached within the bound by the last search, each once, in no particular
    /// order (all of them are settled: the search runs until its heap is empty).
    pub fn reached(&self) -> &[u32] {
        &self.reached
    }

    /// Time (ms) from node `v` to the seeds (reverse adjacency) or from the seeds to `v`
    /// (forward) found by the last search; `None` if `v` was not reached within the bound.
    #[inline]
    pub fn time_ms(&self, v: u32) -> Option<u32> {
        self.time
            .get(v as usize)
            .copied()
            .filter(|&t| t != UNREACHED)
    }

    /// Runs a search along `adj` from `seeds` (each with its own starting time, ms;
    /// lengths are ignored), reaching every node within `max_ms` milliseconds. Fails,
    /// leaving the state empty, if a seed is outside the graph.
    pub fn run(
        &mut self,
        adj: &TimeAdjacency,
        seeds: &[Seed],
        max_ms: u32,
    ) -> Result<(), SearchError> {
        let n = adj.node_count();
        self.clear(n);
        if let Some(s) = seeds.iter().find(|s| s.node as usize >= n) {
            return Err(SearchError::SeedOutOfRange {
                node: s.node,
                node_count: n,
            });
        }
        let max = max_ms.min(UNREACHED - 1);
        for s in seeds.iter().filter(|s| s.time_ms <= max) {
            self.label(s.node, s.time_ms);
        }
        while let Some(key) = pop(&mut self.heap) {
            let (t, v) = ((key >> 32) as u32, key as u32);
            let word = &mut self.done[v as usize / 64];
            let bit = 1u64 << (v % 64);
            if *word & bit != 0 {
                continue;
            }
            *word |= bit;
            if let Some(&next) = self.heap.first() {
                if let Some(&e) = adj.offsets.get((next as u32) as usize) {
                    prefetch(&adj.edges, e as usize);
                }
            }
            for &[w, dt] in adj.of(v) {
                let nt = t.saturating_add(dt);
                if nt <= max && self.done[w as usize / 64] & (1u64 << (w % 64)) == 0 {
                    self.label(w, nt);
                }
            }
        }
        Ok(())
    }

    /// Gives node `v` time `t` if that is better than its label, and queues it.
    #[inline]
    fn label(&mut self, v: u32, t: u32) {
        let slot = &mut self.time[v as usize];
        if t < *slot {
            if *slot == UNREACHED {
                self.reached.push(v);
            }
            *slot = t;
            push(&mut self.heap, (u64::from(t) << 32) | u64::from(v));
        }
    }

    /// Forgets the last search (costs what it reached) and sizes the state for `n` nodes.
    fn clear(&mut self, n: usize) {
        for &v in &self.reached {
            self.time[v as usize] = UNREACHED;
            self.done[v as usize / 64] = 0;
        }
        self.reached.clear();
        self.heap.clear();
        if self.time.len() < n {
            self.time.resize(n, UNREACHED);
            self.done.resize(n.div_ceil(64), 0);
        }
    }
}

/// Pushes `key` on the 4-ary min-heap `heap` (children of `i` at `4i + 1 ..= 4i + 4`).
#[inline]
fn push(heap: &mut Vec<u64>, key: u64) {
    let mut i = heap.len();
    heap.push(key);
    while i > 0 {
        let parent = (i - 1) / 4;
        let p = heap[parent];
        if p <= key {
            break;
        }
        heap[i] = p;
        i = parent;
    }
    heap[i] = key;
}

/// Pops the smallest key of the 4-ary min-heap `heap`.
#[inline]
fn pop(heap: &mut Vec<u64>) -> Option<u64> {
    let last = heap.pop()?;
    let n = heap.len();
    if n == 0 {
        return Some(last);
    }
    let top = heap[0];
    let mut i = 0;
    loop {
        let first = 4 * i + 1;
        if first >= n {
            break;
        }
        let end = (first + 4).min(n);
        let mut best = first;
        let mut best_key = heap[first];
        for (c, &k) in heap.iter().enumerate().take(end).skip(first + 1) {
            if k < best_key {
                best = c;
                best_key = k;
            }
        }
        if best_key >= last {
            break;
        }
        heap[i] = best_key;
        i = best;
    }
    heap[i] = last;
    Some(top)
}

/// Hints the processor to fetch `data[i]` into cache (no effect out of range or off
/// x86-64).
#[inline(always)]
fn prefetch<T>(data: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = data.get(i) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of the x86-64 baseline, and a prefetch of a valid reference
        // reads nothing and cannot fault.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::{Graph, Pieces};
    use crate::routing::dijkstra::{bounded_search, Direction, SearchState};
    use proptest::prelude::*;

    /// A graph of `n` nodes from `(tail, head, forward ms, backward ms)` pieces (`u32::MAX`:
    /// that direction closed).
    fn graph(n: usize, pieces: &[(u32, u32, u32, u32)]) -> Graph {
        let p = Pieces {
            tail: pieces.iter().map(|p| p.0).collect(),
            head: pieces.iter().map(|p| p.1).collect(),
            time_fwd_ms: pieces.iter().map(|p| p.2).collect(),
            time_bwd_ms: pieces.iter().map(|p| p.3).collect(),
            len_dm: vec![10; pieces.len()],
            class: vec![0; pieces.len()],
            geom_offsets: (0..=2 * pieces.len() as u32).step_by(2).collect(),
            geom: vec![[0, 0]; 2 * pieces.len()],
        };
        Graph::from_pieces("test", vec!["road".into()], vec![true], vec![[0, 0]; n], p)
    }

    fn seed(node: u32, time_ms: u32) -> Seed {
        Seed {
            node,
            time_ms,
            len_dm: 0,
        }
    }

    #[test]
    fn hand_drawn_times_towards_a_seed_with_a_one_way_and_a_bound() {
        // 0 ⇄ 1 (100 ms), 1 → 2 one way (50 ms), 2 ⇄ 3 (30 ms), 0 ⇄ 3 (500 ms).
        let g = graph(
            4,
            &[
                (0, 1, 100, 100),
                (1, 2, 50, u32::MAX),
                (2, 3, 30, 30),
                (0, 3, 500, 500),
            ],
        );
        let rev = TimeAdjacency::new(&g.rev);
        let mut s = TimeSearch::new(4);
        s.run(&rev, &[seed(3, 5)], 1_000).unwrap();
        // Times *to* node 3: 2 → 3 = 30, 1 → 2 → 3 = 80, 0 → 1 → 2 → 3 = 180.
        let times: Vec<_> = (0..4).map(|v| s.time_ms(v)).collect();
        assert_eq!(times, vec![Some(185), Some(85), Some(35), Some(5)]);
        let mut reached = s.reached().to_vec();
        reached.sort_unstable();
        assert_eq!(reached, vec![0, 1, 2, 3]);
        // Bounded at 100 ms: node 0 (185 ms) is out; the last search leaves no trace.
        s.run(&rev, &[seed(3, 5)], 100).unwrap();
        let times: Vec<_> = (0..4).map(|v| s.time_ms(v)).collect();
        assert_eq!(times, vec![None, Some(85), Some(35), Some(5)]);
        // Towards node 1 nothing comes from 2 or 3 but through 0 (one way 1 → 2).
        s.run(&rev, &[seed(1, 0)], 1_000).unwrap();
        let times: Vec<_> = (0..4).map(|v| s.time_ms(v)).collect();
        assert_eq!(times, vec![Some(100), Some(0), Some(630), Some(600)]);
        assert_eq!(
            s.run(&rev, &[seed(4, 0)], 10),
            Err(SearchError::SeedOutOfRange {
                node: 4,
                node_count: 4
            })
        );
        assert!(s.reached().is_empty());
    }

    proptest! {
        /// Same nodes and times as the general search, both directions, several seeds, a
        /// reused state.
        #[test]
        fn same_times_as_bounded_search(
            n in 2usize..40,
            raw in proptest::collection::vec((0u32..40, 0u32..40, 0u32..300, 0u32..300, any::<bool>()), 1..120),
            seeds in proptest::collection::vec((0u32..40, 0u32..50), 1..4),
            max in 0u32..900,
        ) {
            let pieces: Vec<_> = raw
                .iter()
                .filter(|p| (p.0 as usize) < n && (p.1 as usize) < n && p.0 != p.1)
                .map(|&(a, b, f, w, oneway)| (a, b, f, if oneway { u32::MAX } else { w }))
                .collect();
            let g = graph(n, &pieces);
            let seeds: Vec<Seed> = seeds
                .iter()
                .map(|&(v, t)| seed(v % n as u32, t))
                .collect();
            let mut general = SearchState::new(n);
            let mut fast = TimeSearch::new(n);
            for (dir, adj) in [(Direction::Reverse, &g.rev), (Direction::Forward, &g.fwd)] {
                let compact = TimeAdjacency::new(adj);
                bounded_search(&mut general, &g, dir, &seeds, Some(max)).unwrap();
                fast.run(&compact, &seeds, max).unwrap();
                for v in 0..n as u32 {
                    prop_assert_eq!(fast.time_ms(v), general.time_ms(v));
                }
                let mut a = fast.reached().to_vec();
                let mut b = general.settled().to_vec();
                a.sort_unstable();
                b.sort_unstable();
                prop_assert_eq!(a, b);
            }
        }
    }
}
