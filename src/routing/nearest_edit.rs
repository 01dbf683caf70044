//! The *k* nearest distinct sources of every node ([`k_nearest_sources`]) after sources are
//! removed and added, recomputed only where they change: the standard repair of a dynamic
//! (k-th order) Voronoi diagram on a graph.
//!
//! Write *L(v)* for the *k* best labels `(time, source, length)` of node `v`, one per
//! source, in lexicographic order (as [`k_nearest_sources`] defines them). The argument
//! that justifies its pruning gives the two facts used here: if source `s` is not in
//! *L(u)*, it is in no *L(v)* whose best path to `s` passes through `u` (the *k* sources
//! that beat `s` at `u` beat it at `v` by the same margin); hence if `s` ∈ *L(v)*, `s` is in
//! *L* of every node of that best path, down to its seed.
//!
//! - **Removed sources.** The nodes whose *L* lists a removed source form a region that
//!   contains each such source's best paths, so a traversal from the removed seeds through
//!   nodes that list one finds it all. Outside it, *L* is unchanged. Inside, *L* is rebuilt
//!   by the multi-label search restricted to the region, started from the kept sources'
//!   seeds in the region and from its boundary: every label of a node outside, extended
//!   along its edge into the region (the best path of a kept source leaves the region at a
//!   node whose unchanged *L* lists it).
//! - **Added sources.** One multi-label search from the new seeds, in which a node keeps a
//!   new label only when it enters the node's current *L* (evicting the worst), and only
//!   kept labels are extended: the pruning above, with the node's other labels fixed.
//!
//! Both steps give exactly the labels a full search on the final sources gives, ties
//! included (asserted against [`k_nearest_sources`] on random graphs and edits in
//! `tests/routing_props.rs`). Source ids are those of the final set: the base's are read
//! through a map, which must preserve their order so that ties break the same way.
//!
//! Units as in [`super::dijkstra`]: times in ms, lengths in dm.

use super::dijkstra::{
    bound, check_seeds, pack, unpack, Direction, KNearest, QuadHeap, SearchError, SourceSeed, CAP,
    UNREACHED,
};
use crate::network::graph::{Adjacency, Graph};

/// How the sources of a [`KNearest`] change.
#[derive(Clone, Copy, Debug)]
pub struct SourceEdit<'a> {
    /// For each source id of the base, its id after the edit, [`UNREACHED`] if removed.
    /// Kept ids must keep their order (`a < b` ⇒ `map[a] < map[b]`).
    pub map: &'a [u32],
    /// Nodes where the removed sources entered the graph.
    pub removed_nodes: &'a [u32],
    /// Seeds of the kept sources (ids after the edit).
    pub kept: &'a [SourceSeed],
    /// Seeds of the new sources (ids after the edit, none shared with a kept source).
    pub added: &'a [SourceSeed],
}

/// A [`KNearest`] after a [`SourceEdit`]: the base's labels (ids mapped) where they did not
/// change, new ones at the nodes that did.
#[derive(Clone, Debug)]
pub struct EditedKNearest<'a> {
    base: &'a KNearest,
    map: &'a [u32],
    /// Per node, 1 + its row in the patch, 0 when unchanged (zeroed pages cost nothing).
    row: Vec<u32>,
    /// Nodes with new labels, in the order they were first changed.
    nodes: Vec<u32>,
    /// `k` labels per changed node, `(time ms, source, length dm)`, missing ranks
    /// [`UNREACHED`].
    labels: Vec<[u32; 3]>,
}

/// One label `(time ms, source, length dm)`.
type Label = [u32; 3];

/// Whether label `a` ranks before `b`: lexicographic `(time, source, length)`.
#[inline]
fn before(a: Label, b: Label) -> bool {
    (a[0], a[1], a[2]) < (b[0], b[1], b[2])
}

impl EditedKNearest<'_> {
    /// Number of ranks kept per node.
    pub fn k(&self) -> usize {
        self.base.k
    }

    /// The `rank`-th nearest source of node `v` after the edit (rank 0 = nearest) as
    /// `(source id, time ms, length dm)`, `None` if there is no such source.
    pub fn nth(&self, v: u32, rank: usize) -> Option<(u32, u32, u32)> {
        let k = self.base.k;
        if rank >= k {
            return None;
        }
        match self.row.get(v as usize) {
            Some(&r) if r > 0 => {
                let l = self.labels[(r as usize - 1) * k + rank];
                (l[1] != UNREACHED).then_some((l[1], l[0], l[2]))
            }
            _ => self
                .base
                .nth(v, rank)
                .map(|(s, t, l)| (self.map[s as usize], t, l)),
        }
    }

    /// Whether the labels of node `v` differ from the base's (ids aside).
    pub fn changed(&self, v: u32) -> bool {
        self.row.get(v as usize).is_some_and(|&r| r > 0)
    }

    /// The nodes whose labels changed.
    pub fn changed_nodes(&self) -> &[u32] {
        &self.nodes
    }

    /// The current labels of `v` (after the edit so far).
    fn current(&self, v: u32) -> Vec<Label> {
        (0..self.base.k)
            .map(|r| self.nth(v, r).map_or([UNREACHED; 3], |(s, t, l)| [t, s, l]))
            .collect()
    }

    /// The row of `v` in the patch, created (with its current labels) if needed.
    fn row_of(&mut self, v: u32) -> usize {
        let r = self.row[v as usize];
        if r > 0 {
            return r as usize - 1;
        }
        let labels = self.current(v);
        self.labels.extend(labels);
        self.nodes.push(v);
        self.row[v as usize] = self.nodes.len() as u32;
        self.nodes.len() - 1
    }

    /// The labels of patch row `r`.
    fn row_labels(&mut self, r: usize) -> &mut [Label] {
        let k = self.base.k;
        &mut self.labels[r * k..(r + 1) * k]
    }

    /// Whether a base node lists a removed source.
    fn lists_removed(&self, v: u32) -> bool {
        (0..self.base.k)
            .map_while(|r| self.base.nth(v, r))
            .any(|(s, _, _)| self.map[s as usize] == UNREACHED)
    }

    /// Whether label `l` would enter the current labels of `v`.
    fn enters(&self, v: u32, l: Label) -> bool {
        let k = self.base.k;
        let mut worse = true;
        for r in 0..k {
            match self.nth(v, r) {
                None => return true,
                Some((s, t, len)) => {
                    if s == l[1] {
                        return false;
                    }
                    if r == k - 1 {
                        worse = before(l, [t, s, len]);
                    }
                }
            }
        }
        worse
    }
}

/// The labels of `base` (computed along `dir` on `graph` within `max_ms`) after `edit`,
/// equal to [`k_nearest_sources`] on the final sources. Fails if a seed is outside the
/// graph or `base` was computed for another graph.
///
/// Cost: the nodes that listed a removed source, and those a new source enters, with their
/// edges; nothing in proportion to the graph but one zeroed array of `u32` per node.
///
/// [`k_nearest_sources`]: super::dijkstra::k_nearest_sources
pub fn edit_k_nearest<'a>(
    graph: &Graph,
    dir: Direction,
    base: &'a KNearest,
    edit: &SourceEdit<'a>,
    max_ms: Option<u32>,
) -> Result<EditedKNearest<'a>, SearchError> {
    let n = graph.node_count();
    if base.k == 0 {
        return Err(SearchError::ZeroK);
    }
    if base.source.len() != n * base.k {
        return Err(SearchError::LabelsSize {
            labels: base.source.len(),
            graph: n,
        });
    }
    check_seeds(edit.kept.iter().chain(edit.added).map(|s| &s.seed), n)?;
    if let Some(&node) = edit.removed_nodes.iter().find(|&&v| v as usize >= n) {
        return Err(SearchError::SeedOutOfRange {
            node,
            node_count: n,
        });
    }
    let max = bound(max_ms);
    let mut out = EditedKNearest {
        base,
        map: edit.map,
        row: vec![0; n],
        nodes: Vec::new(),
        labels: Vec::new(),
    };
    let (fwd, back) = match dir {
        Direction::Forward => (&graph.fwd, &graph.rev),
        Direction::Reverse => (&graph.rev, &graph.fwd),
    };
    repair_removed(&mut out, fwd, back, edit, max);
    insert_added(&mut out, fwd, edit.added, max);
    Ok(out)
}

/// Rebuilds the labels of the nodes that list a removed source (see the module doc).
fn repair_removed(
    out: &mut EditedKNearest,
    adj: &Adjacency,
    back: &Adjacency,
    edit: &SourceEdit,
    max: u32,
) {
    // The region: nodes listing a removed source, reached from the removed seeds.
    let mut stack: Vec<u32> = Vec::new();
    for &v in edit.removed_nodes {
        if out.row[v as usize] == 0 && out.lists_removed(v) {
            open_row(out, v);
            stack.push(v);
        }
    }
    while let Some(v) = stack.pop() {
        for &w in &adj.other[adj.edges(v)] {
            if out.row[w as usize] == 0 && out.lists_removed(w) {
                open_row(out, w);
                stack.push(w);
            }
        }
    }
    let region = out.nodes.clone();
    if region.is_empty() {
        return;
    }
    let mut heap = QuadHeap::default();
    for s in edit.kept {
        let v = s.seed.node;
        if out.changed(v) && s.seed.time_ms <= max {
            heap.push(pack(s.seed.time_ms, s.source, s.seed.len_dm.min(CAP), v));
        }
    }
    for &v in &region {
        let range = back.edges(v);
        for ((&u, &dt), &dl) in back.other[range.clone()]
            .iter()
            .zip(&back.time_ms[range.clone()])
            .zip(&back.len_dm[range])
        {
            if out.changed(u) {
                continue;
            }
            for (s, t, l) in (0..out.base.k).map_while(|r| out.nth(u, r)) {
                let t = t.saturating_add(dt);
                if t <= max {
                    heap.push(pack(t, s, l.saturating_add(dl).min(CAP), v));
                }
            }
        }
    }
    let k = out.base.k;
    while let Some(key) = heap.pop() {
        let (time, source, len, v) = unpack(key);
        let r = out.row[v as usize] as usize - 1;
        let row = out.row_labels(r);
        let Some(c) = row.iter().position(|l| l[1] == UNREACHED) else {
            continue;
        };
        if row[..c].iter().any(|l| l[1] == source) {
            continue;
        }
        row[c] = [time, source, len];
        let range = adj.edges(v);
        for ((&w, &dt), &dl) in adj.other[range.clone()]
            .iter()
            .zip(&adj.time_ms[range.clone()])
            .zip(&adj.len_dm[range])
        {
            let t = time.saturating_add(dt);
            let rw = out.row[w as usize];
            if t > max || rw == 0 {
                continue;
            }
            let wl = &out.labels[(rw as usize - 1) * k..rw as usize * k];
            if wl[k - 1][1] == UNREACHED && !wl.iter().any(|l| l[1] == source) {
                heap.push(pack(t, source, len.saturating_add(dl).min(CAP), w));
            }
        }
    }
}

/// Adds `v` to the patch with no label (it is rebuilt by the repair).
fn open_row(out: &mut EditedKNearest, v: u32) {
    let k = out.base.k;
    out.labels.extend(std::iter::repeat_n([UNREACHED; 3], k));
    out.nodes.push(v);
    out.row[v as usize] = out.nodes.len() as u32;
}

/// Puts the new sources' labels in where they enter a node's *k* best (see the module doc).
fn insert_added(out: &mut EditedKNearest, adj: &Adjacency, added: &[SourceSeed], max: u32) {
    let mut heap = QuadHeap::default();
    for s in added.iter().filter(|s| s.seed.time_ms <= max) {
        heap.push(pack(
            s.seed.time_ms,
            s.source,
            s.seed.len_dm.min(CAP),
            s.seed.node,
        ));
    }
    while let Some(key) = heap.pop() {
        let (time, source, len, v) = unpack(key);
        let label = [time, source, len];
        if !out.enters(v, label) {
            continue;
        }
        let r = out.row_of(v);
        let row = out.row_labels(r);
        let at = row
            .iter()
            .position(|&l| l[1] == UNREACHED || before(label, l))
            .unwrap_or(row.len() - 1);
        row[at..].rotate_right(1);
        row[at] = label;
        let range = adj.edges(v);
        for ((&w, &dt), &dl) in adj.other[range.clone()]
            .iter()
            .zip(&adj.time_ms[range.clone()])
            .zip(&adj.len_dm[range])
        {
            let t = time.saturating_add(dt);
            let l = [t, source, len.saturating_add(dl).min(CAP)];
            if t <= max && out.enters(w, l) {
                heap.push(pack(l[0], l[1], l[2], w));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::Pieces;
    use crate::routing::dijkstra::k_nearest_sources;
    use crate::routing::Seed;

    /// A road of 7 nodes, 10 s and 100 dm between neighbours, both ways:
    /// 0 — 1 — 2 — 3 — 4 — 5 — 6.
    fn road() -> Graph {
        let n = 7u32;
        let p = Pieces {
            tail: (0..n - 1).collect(),
            head: (1..n).collect(),
            time_fwd_ms: vec![10_000; 6],
            time_bwd_ms: vec![10_000; 6],
            len_dm: vec![100; 6],
            class: vec![0; 6],
            geom_offsets: vec![0; 7],
            geom: Vec::new(),
        };
        Graph::from_pieces("t", vec!["road".into()], vec![true], vec![[0, 0]; 7], p)
    }

    fn at(source: u32, node: u32) -> SourceSeed {
        SourceSeed {
            source,
            seed: Seed {
                node,
                time_ms: 0,
                len_dm: 0,
            },
        }
    }

    #[test]
    fn removing_the_middle_site_hands_its_nodes_to_the_next_ones() {
        // Sites 0, 1, 2 at nodes 0, 3, 6; the 2 nearest of each node.
        let g = road();
        let base = k_nearest_sources(
            &g,
            Direction::Reverse,
            &[at(0, 0), at(1, 3), at(2, 6)],
            2,
            None,
        )
        .unwrap();
        assert_eq!(base.nth(3, 0), Some((1, 0, 0)));
        assert_eq!(
            base.nth(3, 1),
            Some((0, 30_000, 300)),
            "tie at 30 s: smaller id"
        );
        // Site 1 closes: sites 0 and 2 become sites 0 and 1.
        let map = [0, UNREACHED, 1];
        let kept = [at(0, 0), at(1, 6)];
        let edit = SourceEdit {
            map: &map,
            removed_nodes: &[3],
            kept: &kept,
            added: &[],
        };
        let e = edit_k_nearest(&g, Direction::Reverse, &base, &edit, None).unwrap();
        // Node 2: site 0 at 20 s, then site 1 (old 2) at 40 s; node 0 loses site 1 too.
        assert_eq!(e.nth(2, 0), Some((0, 20_000, 200)));
        assert_eq!(e.nth(2, 1), Some((1, 40_000, 400)));
        assert_eq!(e.nth(0, 1), Some((1, 60_000, 600)));
        // Every node listed site 1 in its 2 nearest: all were repaired.
        assert_eq!(e.changed_nodes().len(), 7);
        // With the nearest only (k = 1), a new site at node 1 takes nodes 1–3 from site 0
        // (node 3 was site 0's on a tie at 30 s); node 0 keeps site 0 and nodes 4–6 site 1:
        // the search stops where it enters no one's nearest.
        let one = k_nearest_sources(&g, Direction::Reverse, &kept, 1, None).unwrap();
        let added = [at(2, 1)];
        let edit = SourceEdit {
            map: &[0, 1],
            removed_nodes: &[],
            kept: &kept,
            added: &added,
        };
        let e = edit_k_nearest(&g, Direction::Reverse, &one, &edit, None).unwrap();
        assert_eq!(e.nth(0, 0), Some((0, 0, 0)));
        assert_eq!(e.nth(3, 0), Some((2, 20_000, 200)));
        assert_eq!(e.nth(4, 0), Some((1, 20_000, 200)));
        let mut changed = e.changed_nodes().to_vec();
        changed.sort_unstable();
        assert_eq!(changed, vec![1, 2, 3]);
    }
}
