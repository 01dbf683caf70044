//! Dijkstra searches on the routing graph: bounded one-to-many, one-to-targets, multi-source
//! nearest and k-nearest distinct sources.
//!
//! Units: times in **milliseconds** (`u32`), network lengths in **decimetres** (`u32`).
//! [`UNREACHED`] (`u32::MAX`) marks a node not reached; sums saturate, and a time that
//! saturates is treated as unreachable, so the largest usable time is `u32::MAX - 1`.
//!
//! Algorithm: Dijkstra's label-setting search (E. W. Dijkstra, "A note on two problems in
//! connexion with graphs", Numerische Mathematik 1, 1959) with lazy deletion (a node is
//! pushed again when its label improves; stale heap entries are skipped when popped) on a
//! 4-ary heap (D. B. Johnson, "Priority queues with update and finding minimum spanning
//! trees", Information Processing Letters 4, 1975).
//!
//! Labels are compared lexicographically as `(time, source, length)`, and heap entries as
//! `(time, source, length, node)` packed in one `u128`. Extending a path adds
//! `(edge time, 0, edge length)`, which never makes a label smaller and keeps the order
//! between two labels, so Dijkstra's argument holds for this order (zero-time edges
//! included): each node gets the fastest time, among equal times the smallest source id,
//! and among those the shortest network length. One-source searches use source 0 for every
//! seed. Nothing depends on the order of the seeds or on the thread count.
//!
//! The *k* nearest distinct sources ([`k_nearest_sources`]) use the multi-label variant in
//! which each node accepts at most *k* labels, one per source, in heap order, and only
//! accepted labels are extended: a source that is not among the *k* best at a node cannot
//! be among the *k* best of any node reached through it (each of the *k* sources that beat
//! it there beats it further on by the same margin), so pruning loses nothing.
//!
//! Per-thread state ([`SearchState`]) is allocated once and reused: a generation stamp per
//! node tells current labels from old ones and the settled bits are cleared from the list of
//! settled nodes, so a search costs what it settles, not O(nodes).

use crate::network::graph::{Adjacency, Graph};
use thiserror::Error;

pub use super::Seed;

/// Marks a node, time or length not reached.
pub const UNREACHED: u32 = u32::MAX;

/// Largest time or length a label can hold (sums saturate here or are dropped).
pub(super) const CAP: u32 = u32::MAX - 1;

/// Which way edges are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Along the forward adjacency: times *from* the seeds.
    Forward,
    /// Along the reverse adjacency: times *to* the seeds.
    Reverse,
}

impl Direction {
    /// The adjacency of `graph` this direction follows.
    fn adjacency(self, graph: &Graph) -> &Adjacency {
        match self {
            Direction::Forward => &graph.fwd,
            Direction::Reverse => &graph.rev,
        }
    }
}

/// A seed belonging to source `source` (a care site, say; one site may have several seeds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceSeed {
    /// Source id; ties in time go to the smaller id.
    pub source: u32,
    /// Where the source enters the graph, and at what time (ms) and length (dm).
    pub seed: Seed,
}

/// Why a search could not run.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SearchError {
    /// A seed names a node the graph does not have.
    #[error("seed node {node} is outside the graph ({node_count} nodes)")]
    SeedOutOfRange {
        /// The seed's node id.
        node: u32,
        /// Number of nodes in the graph.
        node_count: usize,
    },
    /// A seed of one table row or column names a node the graph does not have.
    #[error("{side} {index}: seed node {node} is outside the graph ({node_count} nodes)")]
    TableSeedOutOfRange {
        /// `"source"` or `"destination"`.
        side: &'static str,
        /// Index of the source or destination in the list given.
        index: usize,
        /// The seed's node id.
        node: u32,
        /// Number of nodes in the graph.
        node_count: usize,
    },
    /// A target set was sized for a different graph.
    #[error("target set sized for {targets} nodes used on a graph of {graph} nodes")]
    TargetSetSize {
        /// Nodes the target set was made for.
        targets: usize,
        /// Nodes of the graph searched.
        graph: usize,
    },
    /// Labels to edit were computed for a graph of another size.
    #[error("{labels} labels do not match a graph of {graph} nodes")]
    LabelsSize {
        /// Entries in the labels given (nodes × k).
        labels: usize,
        /// Nodes of the graph searched.
        graph: usize,
    },
    /// `k` was 0 in a k-nearest search.
    #[error("k-nearest search asked for k = 0 sources")]
    ZeroK,
    /// A result would not fit in memory addresses or in `u32` indices.
    #[error("too large: {what}")]
    TooLarge {
        /// What overflowed.
        what: String,
    },
}

/// Label of one node in the current search.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// Generation stamp: the label belongs to the current search iff it equals `gen`.
    stamp: u32,
    /// Time, ms.
    time: u32,
    /// Source id (0 in one-source searches).
    source: u32,
    /// Network length, dm.
    len: u32,
}

/// Packs a label and a node into one heap key ordered by (time, source, length, node).
#[inline]
pub(super) fn pack(time: u32, source: u32, len: u32, node: u32) -> u128 {
    (u128::from(time) << 96)
        | (u128::from(source) << 64)
        | (u128::from(len) << 32)
        | u128::from(node)
}

/// Inverse of [`pack`]: `(time, source, length, node)`.
#[inline]
pub(super) fn unpack(key: u128) -> (u32, u32, u32, u32) {
    (
        (key >> 96) as u32,
        (key >> 64) as u32,
        (key >> 32) as u32,
        key as u32,
    )
}

/// A 4-ary min-heap of packed keys (children of `i` at `4i + 1 ..= 4i + 4`: one cache line).
#[derive(Clone, Debug, Default)]
pub(super) struct QuadHeap {
    items: Vec<u128>,
}

impl QuadHeap {
    pub(super) fn clear(&mut self) {
        self.items.clear();
    }

    #[inline]
    pub(super) fn push(&mut self, key: u128) {
        let mut i = self.items.len();
        self.items.push(key);
        while i > 0 {
            let parent = (i - 1) / 4;
            let p = self.items[parent];
            if p <= key {
                break;
            }
            self.items[i] = p;
            i = parent;
        }
        self.items[i] = key;
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<u128> {
        let last = self.items.pop()?;
        let n = self.items.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.items[0];
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let end = (first + 4).min(n);
            let mut best = first;
            let mut best_key = self.items[first];
            for c in first + 1..end {
                let k = self.items[c];
                if k < best_key {
                    best = c;
                    best_key = k;
                }
            }
            if best_key >= last {
                break;
            }
            self.items[i] = best_key;
            i = best;
        }
        self.items[i] = last;
        Some(top)
    }
}

/// Reusable per-thread search state: one label per node with a generation stamp, a bitset
/// of settled nodes, the heap, and the list of nodes settled by the last search.
///
/// Starting a search costs what the previous one settled (its bits are cleared from the
/// settled list; tentative labels are told apart by the generation stamp and never
/// cleared). After a search, [`SearchState::time_ms`], [`SearchState::len_dm`] and
/// [`SearchState::settled`] describe its result.
///
/// Settled nodes are tracked in a bitset (n / 8 bytes, small enough to stay in cache)
/// rather than in the labels: a popped heap entry carries its whole label, so settling a
/// node and skipping settled neighbours touch no label in memory.
#[derive(Clone, Debug)]
pub struct SearchState {
    slots: Vec<Slot>,
    done: Vec<u64>,
    gen: u32,
    heap: QuadHeap,
    settled: Vec<u32>,
}

impl SearchState {
    /// State for searches on graphs of up to `node_count` nodes (it grows if a larger graph
    /// is searched).
    pub fn new(node_count: usize) -> Self {
        SearchState {
            slots: vec![Slot::default(); node_count],
            done: vec![0; node_count.div_ceil(64)],
            gen: 1,
            heap: QuadHeap::default(),
            settled: Vec::new(),
        }
    }

    /// Time (ms) at which the last search settled node `v`, `None` if it did not.
    pub fn time_ms(&self, v: u32) -> Option<u32> {
        self.settled_slot(v).map(|s| s.time)
    }

    /// Network length (dm) of the path to `v` found by the last search, `None` if `v` was
    /// not settled.
    pub fn len_dm(&self, v: u32) -> Option<u32> {
        self.settled_slot(v).map(|s| s.len)
    }

    /// Source id that reached `v` first in the last search (0 in one-source searches),
    /// `None` if `v` was not settled.
    pub fn source(&self, v: u32) -> Option<u32> {
        self.settled_slot(v).map(|s| s.source)
    }

    /// Nodes settled by the last search, in the order they were settled (non-decreasing
    /// time).
    pub fn settled(&self) -> &[u32] {
        &self.settled
    }

    fn settled_slot(&self, v: u32) -> Option<&Slot> {
        let done = self.done.get(v as usize / 64)? & (1 << (v % 64)) != 0;
        self.slots.get(v as usize).filter(|_| done)
    }

    #[inline]
    fn is_done(&self, v: u32) -> bool {
        self.done[v as usize / 64] & (1 << (v % 64)) != 0
    }

    /// Starts a new search on a graph of `node_count` nodes: new generation, settled bits
    /// of the last search cleared, empty heap and settled list.
    fn begin(&mut self, node_count: usize) {
        if self.slots.len() < node_count {
            self.slots.resize(node_count, Slot::default());
            self.done.resize(node_count.div_ceil(64), 0);
        }
        for &v in &self.settled {
            self.done[v as usize / 64] &= !(1 << (v % 64));
        }
        if self.gen == u32::MAX {
            self.slots.iter_mut().for_each(|s| s.stamp = 0);
            self.gen = 1;
        } else {
            self.gen += 1;
        }
        self.heap.clear();
        self.settled.clear();
    }

    /// Offers label `(time, source, len)` to node `v` before the search runs; pushes it if
    /// it is better than the one `v` has.
    fn offer(&mut self, v: u32, time: u32, source: u32, len: u32) {
        let gen = self.gen;
        let slot = &mut self.slots[v as usize];
        if slot.stamp != gen || (time, source, len) < (slot.time, slot.source, slot.len) {
            *slot = Slot {
                stamp: gen,
                time,
                source,
                len,
            };
            self.heap.push(pack(time, source, len, v));
        }
    }

    /// Runs the search from the labels offered so far, settling nodes up to `max` ms;
    /// `stop(v)` is called on each settled node and ends the search when it returns true.
    ///
    /// The labels a node receives strictly decrease, so the first heap entry popped for a
    /// node is its current label, and later ones are stale: the settled bit is the whole
    /// staleness test.
    ///
    /// The loop is bound by memory latency, not arithmetic: while a node's edges are
    /// relaxed, the edges of the heap's top (likely the next node settled) and the CSR
    /// offsets of its children (likely the ones after) are prefetched. On a 4.5 M-node
    /// graph this cut a 1,000-source search by 40 % (see `benches/search.rs`).
    fn run(&mut self, adj: &Adjacency, max: u32, mut stop: impl FnMut(u32) -> bool) {
        let gen = self.gen;
        while let Some(key) = self.heap.pop() {
            let (time, source, len, v) = unpack(key);
            let word = &mut self.done[v as usize / 64];
            let bit = 1 << (v % 64);
            if *word & bit != 0 {
                continue;
            }
            *word |= bit;
            self.settled.push(v);
            if stop(v) {
                return;
            }
            let range = adj.edges(v);
            if let Some((&next, after)) = self.heap.items.split_first() {
                if let Some(&e) = adj.offsets.get(unpack(next).3 as usize) {
                    prefetch(&adj.other, e as usize);
                    prefetch(&adj.time_ms, e as usize);
                    prefetch(&adj.len_dm, e as usize);
                }
                for &k in after.iter().take(4) {
                    prefetch(&adj.offsets, unpack(k).3 as usize);
                }
            }
            let others = &adj.other[range.clone()];
            let times = &adj.time_ms[range.clone()];
            let lens = &adj.len_dm[range];
            for ((&w, &dt), &dl) in others.iter().zip(times).zip(lens) {
                let t = time.saturating_add(dt);
                if t > max || self.is_done(w) {
                    continue;
                }
                let l = len.saturating_add(dl).min(CAP);
                let slot = &mut self.slots[w as usize];
                if slot.stamp != gen || (t, source, l) < (slot.time, slot.source, slot.len) {
                    *slot = Slot {
                        stamp: gen,
                        time: t,
                        source,
                        len: l,
                    };
                    self.heap.push(pack(t, source, l, w));
                }
            }
        }
    }
}

/// A reusable set of target nodes, marked with a generation stamp so that refilling it costs
/// what it holds, not O(nodes).
#[derive(Clone, Debug)]
pub struct TargetSet {
    stamps: Vec<u32>,
    gen: u32,
    count: usize,
}

impl TargetSet {
    /// An empty set for a graph of `node_count` nodes.
    pub fn new(node_count: usize) -> Self {
        TargetSet {
            stamps: vec![0; node_count],
            gen: 1,
            count: 0,
        }
    }

    /// Replaces the content by `nodes` (duplicates count once). On a node outside the
    /// graph the set is left empty and the error names it.
    pub fn reset(&mut self, nodes: impl IntoIterator<Item = u32>) -> Result<(), SearchError> {
        self.next_generation();
        for v in nodes {
            let Some(stamp) = self.stamps.get_mut(v as usize) else {
                let node_count = self.stamps.len();
                self.next_generation();
                return Err(SearchError::SeedOutOfRange {
                    node: v,
                    node_count,
                });
            };
            if *stamp != self.gen {
                *stamp = self.gen;
                self.count += 1;
            }
        }
        Ok(())
    }

    /// Whether node `v` is a target.
    pub fn contains(&self, v: u32) -> bool {
        self.stamps.get(v as usize) == Some(&self.gen)
    }

    /// Number of distinct target nodes.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there is no target.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn next_generation(&mut self) {
        if self.gen == u32::MAX {
            self.stamps.iter_mut().for_each(|s| *s = 0);
            self.gen = 1;
        } else {
            self.gen += 1;
        }
        self.count = 0;
    }
}

/// Hints the processor to fetch `data[i]` into cache (no effect if `i` is out of range or
/// off x86-64). Used only where a later access is likely but not certain.
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

/// The bound in ms a search settles nodes up to.
pub(super) fn bound(max_ms: Option<u32>) -> u32 {
    max_ms.map_or(CAP, |m| m.min(CAP))
}

/// Checks that every seed node is in a graph of `node_count` nodes.
pub(super) fn check_seeds<'a>(
    seeds: impl IntoIterator<Item = &'a Seed>,
    node_count: usize,
) -> Result<(), SearchError> {
    match seeds.into_iter().find(|s| s.node as usize >= node_count) {
        Some(s) => Err(SearchError::SeedOutOfRange {
            node: s.node,
            node_count,
        }),
        None => Ok(()),
    }
}

/// Starts a one-source search in `state` from `seeds` (seeds beyond `max` are left out).
fn start(
    state: &mut SearchState,
    graph: &Graph,
    seeds: &[Seed],
    max: u32,
) -> Result<(), SearchError> {
    let n = graph.node_count();
    check_seeds(seeds, n)?;
    state.begin(n);
    for s in seeds.iter().filter(|s| s.time_ms <= max) {
        state.offer(s.node, s.time_ms, 0, s.len_dm.min(CAP));
    }
    Ok(())
}

/// One-to-many search from `seeds` along `dir`, settling every node reachable within
/// `max_ms` milliseconds (all reachable nodes when `None`).
///
/// Each seed starts with its own time (ms) and length (dm); a node's time is the minimum
/// over seeds of seed time plus path time, its length the shortest among those fastest
/// paths. Results are read from `state` ([`SearchState::time_ms`], [`SearchState::len_dm`],
/// [`SearchState::settled`]). Fails, leaving `state` untouched, if a seed is outside the
/// graph.
pub fn bounded_search(
    state: &mut SearchState,
    graph: &Graph,
    dir: Direction,
    seeds: &[Seed],
    max_ms: Option<u32>,
) -> Result<(), SearchError> {
    let max = bound(max_ms);
    start(state, graph, seeds, max)?;
    state.run(dir.adjacency(graph), max, |_| false);
    Ok(())
}

/// As [`bounded_search`], but stops as soon as every node of `targets` is settled.
///
/// Returns the number of distinct target nodes settled (within `max_ms`). Nodes settled
/// before the stop, targets or not, have final times in `state`.
pub fn search_to_targets(
    state: &mut SearchState,
    graph: &Graph,
    dir: Direction,
    seeds: &[Seed],
    targets: &TargetSet,
    max_ms: Option<u32>,
) -> Result<usize, SearchError> {
    let n = graph.node_count();
    if targets.stamps.len() != n {
        return Err(SearchError::TargetSetSize {
            targets: targets.stamps.len(),
            graph: n,
        });
    }
    let max = bound(max_ms);
    start(state, graph, seeds, max)?;
    if targets.is_empty() {
        return Ok(0);
    }
    let mut reached = 0;
    state.run(dir.adjacency(graph), max, |v| {
        if targets.contains(v) {
            reached += 1;
        }
        reached == targets.len()
    });
    Ok(reached)
}

/// Per node: the nearest source, its time and network length. Entries of nodes not reached
/// are [`UNREACHED`] in all three vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NearestResult {
    /// Time to (or from) the nearest source, ms.
    pub time_ms: Vec<u32>,
    /// Network length of that fastest path, dm.
    pub len_dm: Vec<u32>,
    /// Id of the nearest source (the smallest id among equally near ones).
    pub source: Vec<u32>,
}

/// Nearest source of every node in one search: along [`Direction::Reverse`], the time from
/// each node to its nearest source (e.g. the nearest GP); along [`Direction::Forward`], from
/// the nearest source to each node. Only times up to `max_ms` are kept.
///
/// Equal times go to the smaller source id, then to the shorter network length, so the
/// result depends neither on the order of `seeds` nor on threads. Fails if a seed is outside
/// the graph.
pub fn multi_source(
    state: &mut SearchState,
    graph: &Graph,
    dir: Direction,
    seeds: &[SourceSeed],
    max_ms: Option<u32>,
) -> Result<NearestResult, SearchError> {
    let n = graph.node_count();
    check_seeds(seeds.iter().map(|s| &s.seed), n)?;
    let max = bound(max_ms);
    state.begin(n);
    for s in seeds.iter().filter(|s| s.seed.time_ms <= max) {
        state.offer(
            s.seed.node,
            s.seed.time_ms,
            s.source,
            s.seed.len_dm.min(CAP),
        );
    }
    state.run(dir.adjacency(graph), max, |_| false);
    // A scan in node order (not in settled order): sequential memory access.
    let mut out = NearestResult {
        time_ms: Vec::with_capacity(n),
        len_dm: Vec::with_capacity(n),
        source: Vec::with_capacity(n),
    };
    for v in 0..n as u32 {
        let s = state.slots[v as usize];
        let reached = state.is_done(v);
        out.time_ms.push(if reached { s.time } else { UNREACHED });
        out.len_dm.push(if reached { s.len } else { UNREACHED });
        out.source.push(if reached { s.source } else { UNREACHED });
    }
    Ok(out)
}

/// The `k` nearest distinct sources of every node, best first. Node `v`'s `r`-th nearest
/// (`r` from 0) is at index `v * k + r` of each vector; missing ranks are [`UNREACHED`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KNearest {
    /// Number of sources kept per node.
    pub k: usize,
    /// Times, ms, non-decreasing within a node.
    pub time_ms: Vec<u32>,
    /// Network lengths of those fastest paths, dm.
    pub len_dm: Vec<u32>,
    /// Source ids (ties in time ordered by id).
    pub source: Vec<u32>,
}

impl KNearest {
    /// The `rank`-th nearest source of node `v` (rank 0 = nearest) as
    /// `(source id, time ms, length dm)`, `None` if there is no such source.
    pub fn nth(&self, v: u32, rank: usize) -> Option<(u32, u32, u32)> {
        if rank >= self.k {
            return None;
        }
        let i = (v as usize).checked_mul(self.k)?.checked_add(rank)?;
        match self.source.get(i) {
            Some(&s) if s != UNREACHED => Some((s, self.time_ms[i], self.len_dm[i])),
            _ => None,
        }
    }
}

/// For every node, the `k` nearest *distinct* sources within `max_ms` (e.g. the 3rd
/// nearest GP, for resilience), in one multi-label search along `dir`.
///
/// Each node accepts at most `k` labels, one per source, in the order (time, source id,
/// length), so ties are broken as in [`multi_source`] and the result does not depend on the
/// order of `seeds`. Fails if `k` is 0, a seed is outside the graph, or `nodes × k`
/// overflows.
pub fn k_nearest_sources(
    graph: &Graph,
    dir: Direction,
    seeds: &[SourceSeed],
    k: usize,
    max_ms: Option<u32>,
) -> Result<KNearest, SearchError> {
    if k == 0 {
        return Err(SearchError::ZeroK);
    }
    let n = graph.node_count();
    check_seeds(seeds.iter().map(|s| &s.seed), n)?;
    let size = n.checked_mul(k).ok_or_else(|| SearchError::TooLarge {
        what: format!("{n} nodes × k = {k} labels"),
    })?;
    let max = bound(max_ms);
    let adj = dir.adjacency(graph);
    let labels = || -> Result<Vec<u32>, SearchError> {
        let mut v = Vec::new();
        v.try_reserve_exact(size)
            .map_err(|_| SearchError::TooLarge {
                what: format!("{n} nodes × k = {k} labels do not fit in memory"),
            })?;
        v.resize(size, UNREACHED);
        Ok(v)
    };
    let mut out = KNearest {
        k,
        time_ms: labels()?,
        len_dm: labels()?,
        source: labels()?,
    };
    let mut count = vec![0usize; n];
    let mut heap = QuadHeap::default();
    for s in seeds.iter().filter(|s| s.seed.time_ms <= max) {
        heap.push(pack(
            s.seed.time_ms,
            s.source,
            s.seed.len_dm.min(CAP),
            s.seed.node,
        ));
    }
    let has = |src: &[u32], v: usize, c: usize, s: u32| src[v * k..v * k + c].contains(&s);
    while let Some(key) = heap.pop() {
        let (time, source, len, v) = unpack(key);
        let vi = v as usize;
        let c = count[vi];
        if c == k || has(&out.source, vi, c, source) {
            continue;
        }
        out.time_ms[vi * k + c] = time;
        out.len_dm[vi * k + c] = len;
        out.source[vi * k + c] = source;
        count[vi] = c + 1;
        let range = adj.edges(v);
        let others = &adj.other[range.clone()];
        let times = &adj.time_ms[range.clone()];
        let lens = &adj.len_dm[range];
        for ((&w, &dt), &dl) in others.iter().zip(times).zip(lens) {
            let t = time.saturating_add(dt);
            let wi = w as usize;
            if t <= max && count[wi] < k && !has(&out.source, wi, count[wi], source) {
                heap.push(pack(t, source, len.saturating_add(dl).min(CAP), w));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::{Pieces, NONE};

    /// Builds a graph of `n` nodes from `(tail, head, time fwd, time bwd, len)` pieces.
    fn graph(n: usize, pieces: &[(u32, u32, u32, u32, u32)]) -> Graph {
        let p = Pieces {
            tail: pieces.iter().map(|p| p.0).collect(),
            head: pieces.iter().map(|p| p.1).collect(),
            time_fwd_ms: pieces.iter().map(|p| p.2).collect(),
            time_bwd_ms: pieces.iter().map(|p| p.3).collect(),
            len_dm: pieces.iter().map(|p| p.4).collect(),
            class: vec![0; pieces.len()],
            geom_offsets: vec![0; pieces.len() + 1],
            geom: Vec::new(),
        };
        Graph::from_pieces("t", vec!["road".into()], vec![true], vec![[0, 0]; n], p)
    }

    /// 0 —10 s— 1 —20 s one-way→ 2 —5 s— 3 —40 s— 0; 4 —1 s— 5 apart.
    fn town() -> Graph {
        graph(
            6,
            &[
                (0, 1, 10_000, 10_000, 1000),
                (1, 2, 20_000, NONE, 2000),
                (2, 3, 5_000, 5_000, 500),
                (0, 3, 40_000, 40_000, 4000),
                (4, 5, 1_000, 1_000, 100),
            ],
        )
    }

    fn seed(node: u32, time_ms: u32) -> Seed {
        Seed {
            node,
            time_ms,
            len_dm: 0,
        }
    }

    fn times(state: &SearchState, n: u32) -> Vec<Option<u32>> {
        (0..n).map(|v| state.time_ms(v)).collect()
    }

    #[test]
    fn forward_times_follow_one_way_streets() {
        let g = town();
        let mut st = SearchState::new(6);
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, 0)], None).unwrap();
        assert_eq!(
            times(&st, 6),
            vec![
                Some(0),
                Some(10_000),
                Some(30_000),
                Some(35_000),
                None,
                None
            ]
        );
        assert_eq!(st.len_dm(3), Some(3500));
        assert_eq!(st.settled(), &[0, 1, 2, 3]);
    }

    #[test]
    fn reverse_times_are_times_to_the_seed() {
        let g = town();
        let mut st = SearchState::new(6);
        bounded_search(&mut st, &g, Direction::Reverse, &[seed(0, 0)], None).unwrap();
        // 2 → 0 cannot use the one-way 1 → 2 backwards: 2 → 3 → 0.
        assert_eq!(
            times(&st, 6),
            vec![
                Some(0),
                Some(10_000),
                Some(45_000),
                Some(40_000),
                None,
                None
            ]
        );
        // From 2, reaching 1 means the detour 2 → 3 → 0 → 1.
        bounded_search(&mut st, &g, Direction::Forward, &[seed(2, 0)], None).unwrap();
        assert_eq!(st.time_ms(1), Some(55_000));
    }

    #[test]
    fn bound_is_inclusive_and_stops_the_search() {
        let g = town();
        let mut st = SearchState::new(6);
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, 0)], Some(30_000)).unwrap();
        assert_eq!(
            times(&st, 4),
            vec![Some(0), Some(10_000), Some(30_000), None]
        );
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, 0)], Some(29_999)).unwrap();
        assert_eq!(st.settled(), &[0, 1]);
    }

    #[test]
    fn seeds_with_offsets_compete() {
        let g = town();
        let mut st = SearchState::new(6);
        let seeds = [seed(0, 3_000), seed(2, 1_000)];
        bounded_search(&mut st, &g, Direction::Forward, &seeds, None).unwrap();
        assert_eq!(
            times(&st, 4),
            vec![Some(3_000), Some(13_000), Some(1_000), Some(6_000)]
        );
        // Same node seeded twice: the better label wins.
        bounded_search(
            &mut st,
            &g,
            Direction::Forward,
            &[seed(1, 9), seed(1, 4)],
            None,
        )
        .unwrap();
        assert_eq!(st.time_ms(1), Some(4));
    }

    #[test]
    fn state_is_reused_without_leaking_old_labels() {
        let g = town();
        let mut st = SearchState::new(6);
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, 0)], None).unwrap();
        bounded_search(&mut st, &g, Direction::Forward, &[seed(4, 0)], None).unwrap();
        assert_eq!(
            times(&st, 6),
            vec![None, None, None, None, Some(0), Some(1_000)]
        );
        // Generation wrap-around resets the stamps.
        st.gen = u32::MAX;
        bounded_search(&mut st, &g, Direction::Forward, &[seed(5, 0)], None).unwrap();
        assert_eq!(
            times(&st, 6),
            vec![None, None, None, None, Some(1_000), Some(0)]
        );
    }

    #[test]
    fn bad_seeds_are_errors_not_panics() {
        let g = town();
        let mut st = SearchState::new(6);
        let e = bounded_search(&mut st, &g, Direction::Forward, &[seed(6, 0)], None).unwrap_err();
        assert_eq!(
            e,
            SearchError::SeedOutOfRange {
                node: 6,
                node_count: 6
            }
        );
        assert!(e.to_string().contains("seed node 6"));
        let ss = [SourceSeed {
            source: 0,
            seed: seed(99, 0),
        }];
        assert!(multi_source(&mut st, &g, Direction::Forward, &ss, None).is_err());
        assert!(k_nearest_sources(&g, Direction::Forward, &ss, 2, None).is_err());
        assert_eq!(
            k_nearest_sources(&g, Direction::Forward, &[], 0, None),
            Err(SearchError::ZeroK)
        );
        let mut ts = TargetSet::new(6);
        assert!(ts.reset([1, 7]).is_err());
        assert!(ts.is_empty() && !ts.contains(1));
        let small = TargetSet::new(3);
        let e = search_to_targets(&mut st, &g, Direction::Forward, &[seed(0, 0)], &small, None);
        assert_eq!(
            e,
            Err(SearchError::TargetSetSize {
                targets: 3,
                graph: 6
            })
        );
    }

    #[test]
    fn a_small_state_grows_to_the_graph() {
        let g = town();
        let mut st = SearchState::new(0);
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, 0)], None).unwrap();
        assert_eq!(st.time_ms(3), Some(35_000));
    }

    #[test]
    fn times_saturate_instead_of_overflowing() {
        let g = graph(
            3,
            &[(0, 1, u32::MAX - 10, NONE, u32::MAX), (1, 2, 100, NONE, 5)],
        );
        let mut st = SearchState::new(3);
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, 5)], None).unwrap();
        assert_eq!(st.time_ms(1), Some(u32::MAX - 5));
        assert_eq!(st.len_dm(1), Some(u32::MAX - 1));
        assert_eq!(st.time_ms(2), None);
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, u32::MAX)], None).unwrap();
        assert!(st.settled().is_empty());
    }

    #[test]
    fn zero_time_edges_keep_the_shortest_length() {
        // 0 → 1 costs 0 ms but 50 dm; 0 → 2 → 1 also 0 ms but 2 dm.
        let g = graph(
            3,
            &[(0, 1, 0, NONE, 50), (0, 2, 0, NONE, 1), (2, 1, 0, NONE, 1)],
        );
        let mut st = SearchState::new(3);
        bounded_search(&mut st, &g, Direction::Forward, &[seed(0, 0)], None).unwrap();
        assert_eq!(st.time_ms(1), Some(0));
        assert_eq!(st.len_dm(1), Some(2));
    }

    #[test]
    fn search_to_targets_stops_when_all_are_settled() {
        let g = town();
        let mut st = SearchState::new(6);
        let mut ts = TargetSet::new(6);
        ts.reset([1, 1]).unwrap();
        assert_eq!(ts.len(), 1);
        let r = search_to_targets(&mut st, &g, Direction::Forward, &[seed(0, 0)], &ts, None);
        assert_eq!(r, Ok(1));
        assert_eq!(st.settled(), &[0, 1]);
        ts.reset([3, 4]).unwrap();
        assert!(!ts.contains(1));
        let r = search_to_targets(&mut st, &g, Direction::Forward, &[seed(0, 0)], &ts, None);
        assert_eq!(r, Ok(1));
        assert_eq!(st.time_ms(3), Some(35_000));
        ts.reset([]).unwrap();
        let r = search_to_targets(&mut st, &g, Direction::Forward, &[seed(0, 0)], &ts, None);
        assert_eq!(r, Ok(0));
    }

    #[test]
    fn multi_source_picks_nearest_and_smallest_id_on_ties() {
        let g = town();
        let mut st = SearchState::new(6);
        let ss = |source, node| SourceSeed {
            source,
            seed: seed(node, 0),
        };
        let seeds = [ss(7, 0), ss(3, 3), ss(5, 4), ss(2, 4)];
        let r = multi_source(&mut st, &g, Direction::Forward, &seeds, None).unwrap();
        assert_eq!(r.source, vec![7, 7, 3, 3, 2, 2]);
        assert_eq!(r.time_ms, vec![0, 10_000, 5_000, 0, 0, 1_000]);
        let mut rev = seeds;
        rev.reverse();
        assert_eq!(
            multi_source(&mut st, &g, Direction::Forward, &rev, None).unwrap(),
            r
        );
        // Bounded at 4 s: node 2 (5 s) is left unreached.
        let b = multi_source(&mut st, &g, Direction::Forward, &seeds, Some(4_000)).unwrap();
        assert_eq!(
            (b.time_ms[2], b.len_dm[2], b.source[2]),
            (UNREACHED, UNREACHED, UNREACHED)
        );
        assert_eq!((st.source(5), st.source(2)), (Some(2), None));
    }

    #[test]
    fn k_nearest_lists_distinct_sources_in_order() {
        let g = town();
        let ss = |source, node| SourceSeed {
            source,
            seed: seed(node, 0),
        };
        // Source 1 has two seeds; it must appear once per node.
        let seeds = [ss(1, 0), ss(1, 1), ss(2, 3), ss(3, 2)];
        let r = k_nearest_sources(&g, Direction::Forward, &seeds, 2, None).unwrap();
        assert_eq!(r.nth(1, 0), Some((1, 0, 0)));
        // To 1 from source 2: 3 → 0 → 1 = 50 s; from source 3: 2 → 3 → 0 → 1 = 55 s.
        assert_eq!(r.nth(1, 1), Some((2, 50_000, 5000)));
        assert_eq!(r.nth(1, 2), None);
        assert_eq!(r.nth(4, 0), None);
        assert_eq!(r.nth(99, 0), None);
        let r3 = k_nearest_sources(&g, Direction::Forward, &seeds, 3, Some(50_000)).unwrap();
        assert_eq!(r3.nth(1, 2), None);
        assert_eq!(r3.nth(2, 0), Some((3, 0, 0)));
    }

    #[test]
    fn reverse_equals_forward_on_the_reversed_graph() {
        let g = town();
        let p = &g.pieces;
        let reversed = graph(
            6,
            &(0..p.len())
                .map(|i| {
                    (
                        p.head[i],
                        p.tail[i],
                        p.time_fwd_ms[i],
                        p.time_bwd_ms[i],
                        p.len_dm[i],
                    )
                })
                .collect::<Vec<_>>(),
        );
        let (mut a, mut b) = (SearchState::new(6), SearchState::new(6));
        for s in 0..6 {
            bounded_search(&mut a, &g, Direction::Reverse, &[seed(s, 0)], None).unwrap();
            bounded_search(&mut b, &reversed, Direction::Forward, &[seed(s, 0)], None).unwrap();
            assert_eq!(times(&a, 6), times(&b, 6));
        }
    }

    #[test]
    fn heap_pops_in_order_when_pushes_and_pops_interleave() {
        let mut h = QuadHeap::default();
        let mut popped = Vec::new();
        for i in 0..300u128 {
            h.push((i * 7919) % 211);
            if i % 3 == 0 {
                popped.extend(h.pop());
            }
        }
        popped.extend(std::iter::from_fn(|| h.pop()));
        let mut keys: Vec<u128> = (0..300u128).map(|i| (i * 7919) % 211).collect();
        keys.sort_unstable();
        let mut got = popped.clone();
        got.sort_unstable();
        assert_eq!(got, keys);
        let tail = &popped[100..];
        assert!(tail.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn heap_pops_in_order() {
        let mut h = QuadHeap::default();
        let keys: Vec<u128> = (0..200u128).map(|i| (i * 7919) % 211).collect();
        keys.iter().for_each(|&k| h.push(k));
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        let popped: Vec<u128> = std::iter::from_fn(|| h.pop()).collect();
        assert_eq!(popped, sorted);
        assert_eq!(unpack(pack(1, 2, 3, 4)), (1, 2, 3, 4));
    }
}
