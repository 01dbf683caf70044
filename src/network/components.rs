//! Strongly connected components of the routing graph, and pruning of small islands.
//!
//! A node that cannot reach the rest of the network, or cannot be reached from it (a parking
//! lot behind a one-way exit, a road cut by the edge of the extract, an island with no
//! ferry), makes searches report "unreachable" for every point snapped near it. Routing
//! engines therefore keep the main strongly connected component and drop small ones (OSRM
//! reports them as "tiny components"). Here every component of at least
//! `min_component_nodes` nodes is kept, the largest always; smaller ones are pruned and
//! reported. Their pieces stay in [`Pieces`] with [`NONE`] ends so that snapping can say a
//! point lies on a pruned island instead of silently snapping it elsewhere.
//!
//! Components are computed with petgraph's iterative Kosaraju algorithm, run directly on
//! the CSR arrays through petgraph's visit traits (no copy of the graph).

use super::graph::{Graph, Pieces, Turns, NONE};
use fixedbitset::FixedBitSet;
use petgraph::visit::{
    GraphBase, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, Visitable,
};
use petgraph::Direction;

impl GraphBase for Graph {
    type NodeId = u32;
    type EdgeId = u32;
}

impl<'a> IntoNeighbors for &'a Graph {
    type Neighbors = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors(self, a: u32) -> Self::Neighbors {
        self.fwd.other[self.fwd.edges(a)].iter().copied()
    }
}

impl<'a> IntoNeighborsDirected for &'a Graph {
    type NeighborsDirected = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors_directed(self, a: u32, d: Direction) -> Self::NeighborsDirected {
        let adj = match d {
            Direction::Outgoing => &self.fwd,
            Direction::Incoming => &self.rev,
        };
        adj.other[adj.edges(a)].iter().copied()
    }
}

impl IntoNodeIdentifiers for &Graph {
    type NodeIdentifiers = std::ops::Range<u32>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        0..self.node_count() as u32
    }
}

impl Visitable for Graph {
    type Map = FixedBitSet;
    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.node_count())
    }
    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.node_count());
    }
}

/// What pruning did: how many components and nodes were kept and removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Number of strongly connected components before pruning.
    pub components: usize,
    /// Nodes in the largest component.
    pub largest_nodes: usize,
    /// Components kept (the largest, plus any of at least the threshold).
    pub kept_components: usize,
    /// Components removed.
    pub pruned_components: usize,
    /// Nodes removed with them.
    pub pruned_nodes: usize,
    /// Road pieces that lost an end node and now lie on a pruned island.
    pub pruned_pieces: usize,
}

/// Component id of every node, numbered so that the result does not depend on traversal
/// order: components are sorted by (size descending, smallest node id ascending).
/// Returns `(component of each node, size of each component)`.
pub fn strongly_connected_components(graph: &Graph) -> (Vec<u32>, Vec<u32>) {
    let mut comps: Vec<Vec<u32>> = petgraph::algo::kosaraju_scc(graph);
    for c in &mut comps {
        c.sort_unstable();
    }
    comps.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    let mut comp_of = vec![NONE; graph.node_count()];
    let sizes = comps.iter().map(|c| c.len() as u32).collect();
    for (i, c) in comps.iter().enumerate() {
        for &v in c {
            comp_of[v as usize] = i as u32;
        }
    }
    (comp_of, sizes)
}

/// Removes every strongly connected component smaller than `min_component_nodes` (the
/// largest is always kept) and renumbers the remaining nodes, keeping their relative order.
pub fn prune_small_components(graph: Graph, min_component_nodes: usize) -> (Graph, PruneReport) {
    let (comp_of, sizes) = strongly_connected_components(&graph);
    let keep_comp: Vec<bool> = sizes
        .iter()
        .enumerate()
        .map(|(i, &s)| i == 0 || s as usize >= min_component_nodes)
        .collect();
    let mut report = PruneReport {
        components: sizes.len(),
        largest_nodes: sizes.first().copied().unwrap_or(0) as usize,
        kept_components: keep_comp.iter().filter(|&&k| k).count(),
        ..Default::default()
    };
    report.pruned_components = report.components - report.kept_components;
    if report.pruned_components == 0 {
        return (graph, report);
    }
    let mut new_id = vec![NONE; graph.node_count()];
    let mut coords = Vec::with_capacity(graph.node_count());
    for (v, &c) in comp_of.iter().enumerate() {
        if keep_comp[c as usize] {
            new_id[v] = coords.len() as u32;
            coords.push(graph.node_coords[v]);
        }
    }
    report.pruned_nodes = graph.node_count() - coords.len();
    let Graph {
        profile_name,
        class_names,
        class_snappable,
        mut pieces,
        turns,
        ..
    } = graph;
    relabel_pieces(&mut pieces, &new_id, &mut report);
    let turns = relabel_turns(turns, &new_id);
    let graph = Graph::with_turns(
        &profile_name,
        class_names,
        class_snappable,
        coords,
        pieces,
        turns,
    );
    (graph, report)
}

/// Maps the split junctions' departure nodes and turns to the new node ids: a pruned
/// departure node becomes [`NONE`] (its direction yields no edge), a turn with a pruned
/// end is dropped.
fn relabel_turns(mut turns: Turns, new_id: &[u32]) -> Turns {
    let id = |v: u32| if v == NONE { NONE } else { new_id[v as usize] };
    for v in &mut turns.depart_node {
        *v = id(*v);
    }
    let kept: Vec<(u32, u32, u32)> = (0..turns.len())
        .map(|i| {
            (
                id(turns.turn_from[i]),
                id(turns.turn_to[i]),
                turns.turn_piece[i],
            )
        })
        .filter(|&(a, b, _)| a != NONE && b != NONE)
        .collect();
    turns.turn_from = kept.iter().map(|t| t.0).collect();
    turns.turn_to = kept.iter().map(|t| t.1).collect();
    turns.turn_piece = kept.iter().map(|t| t.2).collect();
    turns
}

/// Maps piece ends to their new ids; a piece with a removed end loses both.
fn relabel_pieces(pieces: &mut Pieces, new_id: &[u32], report: &mut PruneReport) {
    for p in 0..pieces.len() {
        if !pieces.is_routable(p) {
            continue;
        }
        let (a, b) = (
            new_id[pieces.tail[p] as usize],
            new_id[pieces.head[p] as usize],
        );
        if a == NONE || b == NONE {
            pieces.tail[p] = NONE;
            pieces.head[p] = NONE;
            report.pruned_pieces += 1;
        } else {
            pieces.tail[p] = a;
            pieces.head[p] = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a graph of `n` nodes from `(tail, head, fwd?, bwd?)` pieces of 1 s each way.
    fn graph(n: usize, pieces: &[(u32, u32, bool, bool)]) -> Graph {
        let mut ps = Pieces {
            geom_offsets: vec![0],
            ..Default::default()
        };
        for &(a, b, f, r) in pieces {
            ps.tail.push(a);
            ps.head.push(b);
            ps.time_fwd_ms.push(if f { 1000 } else { NONE });
            ps.time_bwd_ms.push(if r { 1000 } else { NONE });
            ps.len_dm.push(100);
            ps.class.push(0);
            ps.geom.extend([[a as i32, 0], [b as i32, 0]]);
            ps.geom_offsets.push(ps.geom.len() as u32);
        }
        let coords = (0..n as i32).map(|i| [i, 0]).collect();
        Graph::from_pieces("t", vec!["road".into()], vec![true], coords, ps)
    }

    #[test]
    fn one_way_spur_is_its_own_component() {
        // 0 <-> 1 <-> 2 is strongly connected; 2 -> 3 one-way dead end; 4 <-> 5 an island.
        let g = graph(
            6,
            &[
                (0, 1, true, true),
                (1, 2, true, true),
                (2, 3, true, false),
                (4, 5, true, true),
            ],
        );
        let (comp, sizes) = strongly_connected_components(&g);
        assert_eq!(sizes, vec![3, 2, 1]);
        assert_eq!(comp, vec![0, 0, 0, 2, 1, 1]);
    }

    #[test]
    fn pruning_removes_small_islands_and_renumbers() {
        let g = graph(
            6,
            &[
                (0, 1, true, true),
                (1, 2, true, true),
                (2, 3, true, false),
                (4, 5, true, true),
            ],
        );
        let (g, rep) = prune_small_components(g, 2);
        assert_eq!(rep.components, 3);
        assert_eq!(rep.kept_components, 2);
        assert_eq!(rep.pruned_components, 1);
        assert_eq!(rep.pruned_nodes, 1);
        assert_eq!(rep.pruned_pieces, 1);
        assert_eq!(g.node_count(), 5);
        // Node 4 became 3, 5 became 4; the spur piece is now an island piece.
        assert_eq!(g.pieces.tail, vec![0, 1, NONE, 3]);
        assert_eq!(g.pieces.head, vec![1, 2, NONE, 4]);
        assert_eq!(g.edge_count(), 6);
        assert_eq!(g.node_coords[3], [4, 0]);
    }

    #[test]
    fn largest_component_is_always_kept() {
        let g = graph(2, &[(0, 1, true, true)]);
        let (g, rep) = prune_small_components(g, 1000);
        assert_eq!(g.node_count(), 2);
        assert_eq!(rep.pruned_components, 0);
    }

    #[test]
    fn empty_graph_has_no_components() {
        let g = graph(0, &[]);
        let (g, rep) = prune_small_components(g, 10);
        assert_eq!(rep, PruneReport::default());
        assert_eq!(g.node_count(), 0);
    }
}
