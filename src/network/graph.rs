//! The compact routing graph: CSR adjacency in structure-of-arrays form, forward and
//! reverse, with road geometry kept apart in [`Pieces`].
//!
//! Units: node ids are `u32`; travel times are integer **milliseconds** (`u32`); lengths are
//! integer **decimetres** (`u32`); coordinates are WGS84 in 1e-7 degree units (`i32`, see
//! [`super::raw::COORD_SCALE`]).
//!
//! A *piece* is a stretch of road between two graph nodes (junctions or dead ends) with its
//! polyline; it yields one directed edge per direction it may be travelled in. Searches only
//! touch [`Adjacency`]; snapping and maps use [`Pieces`].

use super::raw::to_degrees;

/// Marks "no node" (a piece pruned with its island) and "direction not allowed" (a time).
pub const NONE: u32 = u32::MAX;

/// One direction of CSR adjacency.
///
/// The edges of node `v` are `offsets[v]..offsets[v + 1]`; for each, `other` is the head
/// (forward adjacency) or the tail (reverse adjacency), `time_ms` its travel time in
/// milliseconds, `len_dm` its length in decimetres and `piece` the piece it runs along.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Adjacency {
    /// CSR offsets, `node_count + 1` entries.
    pub offsets: Vec<u32>,
    /// The node at the other end of each edge.
    pub other: Vec<u32>,
    /// Travel time of each edge, milliseconds.
    pub time_ms: Vec<u32>,
    /// Length of each edge, decimetres.
    pub len_dm: Vec<u32>,
    /// Piece of each edge (index into [`Pieces`]).
    pub piece: Vec<u32>,
}

impl Adjacency {
    /// Range of edge indices leaving (forward) or entering (reverse) node `v`.
    #[inline]
    pub fn edges(&self, v: u32) -> std::ops::Range<usize> {
        self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.other.len()
    }
}

/// Road pieces between graph nodes, with their geometry.
///
/// Piece `p` runs from `tail[p]` to `head[p]` along
/// `geom[geom_offsets[p]..geom_offsets[p + 1]]` (both end nodes included).
/// `time_fwd_ms[p]` is the time tail → head and `time_bwd_ms[p]` head → tail, [`NONE`] where
/// that direction is not allowed. A piece whose `tail` or `head` is [`NONE`] lay on an island
/// pruned from the graph: it is kept so that a point near it can be reported as such.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pieces {
    /// Start node of each piece, or [`NONE`] when pruned.
    pub tail: Vec<u32>,
    /// End node of each piece, or [`NONE`] when pruned.
    pub head: Vec<u32>,
    /// Time tail → head, milliseconds, or [`NONE`].
    pub time_fwd_ms: Vec<u32>,
    /// Time head → tail, milliseconds, or [`NONE`].
    pub time_bwd_ms: Vec<u32>,
    /// Length, decimetres.
    pub len_dm: Vec<u32>,
    /// Road class (index into [`Graph::class_names`]).
    pub class: Vec<u8>,
    /// Start of each piece's polyline in `geom`; one more entry than there are pieces.
    pub geom_offsets: Vec<u32>,
    /// Polyline vertices `[lon, lat]` in 1e-7 degree units.
    pub geom: Vec<[i32; 2]>,
}

impl Pieces {
    /// Number of pieces, pruned ones included.
    pub fn len(&self) -> usize {
        self.tail.len()
    }

    /// Whether there is no piece.
    pub fn is_empty(&self) -> bool {
        self.tail.is_empty()
    }

    /// Polyline of piece `p`, `[lon, lat]` in 1e-7 degrees, from tail to head.
    pub fn polyline(&self, p: usize) -> &[[i32; 2]] {
        &self.geom[self.geom_offsets[p] as usize..self.geom_offsets[p + 1] as usize]
    }

    /// Whether piece `p` is part of the routable graph (not on a pruned island).
    pub fn is_routable(&self, p: usize) -> bool {
        self.tail[p] != NONE && self.head[p] != NONE
    }
}

/// Junctions split for turn restrictions ([`super::turns`]).
///
/// At a split junction every piece end has an *arrival* node, the piece's `tail` or `head`
/// (where its edge towards the junction ends), and a *departure* node of its own (where its
/// edge away from the junction starts; a one-way road has only the one it uses, which is
/// then its end node). A zero-time, zero-length *turn* edge joins the
/// arrival node of one piece end to the departure node of another for every turn allowed
/// there. Everywhere else a piece end is one node, as before.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Turns {
    /// Piece ends that have a departure node of their own, as `2 × piece + end` (end 0 the
    /// tail, 1 the head), increasing.
    pub depart_end: Vec<u32>,
    /// Departure node of each of [`Turns::depart_end`]; [`NONE`] when the road cannot be
    /// left by that end (one-way towards the junction) or the node was pruned.
    pub depart_node: Vec<u32>,
    /// Arrival node of each allowed turn.
    pub turn_from: Vec<u32>,
    /// Departure node of each allowed turn.
    pub turn_to: Vec<u32>,
    /// Piece each turn leads onto (the edge's piece in the adjacency).
    pub turn_piece: Vec<u32>,
}

impl Turns {
    /// Number of allowed turns at split junctions.
    pub fn len(&self) -> usize {
        self.turn_from.len()
    }

    /// Whether no junction is split.
    pub fn is_empty(&self) -> bool {
        self.turn_from.is_empty() && self.depart_end.is_empty()
    }

    /// The departure node of piece `p` at its head (`at_head`) or tail when that end has
    /// one of its own.
    pub fn own_departure(&self, p: usize, at_head: bool) -> Option<u32> {
        if self.depart_end.is_empty() {
            return None;
        }
        let key = 2 * p as u32 + u32::from(at_head);
        self.depart_end
            .binary_search(&key)
            .ok()
            .map(|i| self.depart_node[i])
    }
}

/// A road network ready for searches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// Name of the profile it was built with.
    pub profile_name: String,
    /// Road class names; [`Pieces::class`] indexes this list.
    pub class_names: Vec<String>,
    /// For each class, whether points may be snapped onto it.
    pub class_snappable: Vec<bool>,
    /// Node coordinates `[lon, lat]` in 1e-7 degree units.
    pub node_coords: Vec<[i32; 2]>,
    /// Outgoing edges.
    pub fwd: Adjacency,
    /// Incoming edges (`other` is the tail), for searches towards a target.
    pub rev: Adjacency,
    /// Road pieces with geometry.
    pub pieces: Pieces,
    /// Junctions split for turn restrictions.
    pub turns: Turns,
}

impl Graph {
    /// Builds the forward and reverse adjacency of `node_count` nodes from `pieces`.
    ///
    /// Edges are ordered by (node, other end, piece) so that the result depends only on the
    /// pieces, not on the order they were listed in. Pruned pieces yield no edge.
    pub fn from_pieces(
        profile_name: &str,
        class_names: Vec<String>,
        class_snappable: Vec<bool>,
        node_coords: Vec<[i32; 2]>,
        pieces: Pieces,
    ) -> Graph {
        Graph::with_turns(
            profile_name,
            class_names,
            class_snappable,
            node_coords,
            pieces,
            Turns::default(),
        )
    }

    /// As [`Graph::from_pieces`], with the junctions `turns` split: each piece's edge away
    /// from a split end starts at that end's departure node, and each allowed turn is an
    /// edge of 0 ms and 0 dm.
    pub fn with_turns(
        profile_name: &str,
        class_names: Vec<String>,
        class_snappable: Vec<bool>,
        node_coords: Vec<[i32; 2]>,
        pieces: Pieces,
        turns: Turns,
    ) -> Graph {
        let n = node_coords.len();
        let fwd = csr(n, &pieces, &turns, false);
        let rev = csr(n, &pieces, &turns, true);
        Graph {
            profile_name: profile_name.to_string(),
            class_names,
            class_snappable,
            node_coords,
            fwd,
            rev,
            pieces,
            turns,
        }
    }

    /// The node a search leaves from to travel piece `p` away from its head (`at_head`)
    /// or tail: the end node itself, or its departure node at a split junction
    /// ([`Turns`]); [`NONE`] when pruned.
    pub fn departure(&self, p: usize, at_head: bool) -> u32 {
        let end = if at_head {
            self.pieces.head[p]
        } else {
            self.pieces.tail[p]
        };
        if end == NONE {
            return NONE;
        }
        self.turns.own_departure(p, at_head).unwrap_or(end)
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_coords.len()
    }

    /// Number of directed edges.
    pub fn edge_count(&self) -> usize {
        self.fwd.edge_count()
    }

    /// Coordinates of node `v` as `(lon, lat)` in degrees.
    pub fn node_lonlat(&self, v: u32) -> (f64, f64) {
        let [x, y] = self.node_coords[v as usize];
        (to_degrees(x), to_degrees(y))
    }
}

/// The directed edges of `pieces` and the allowed `turns`, as CSR grouped by tail
/// (forward) or by head (`reverse`), each node's edges ordered by (other end, piece,
/// time).
///
/// A counting sort: degrees, prefix sums, then each edge written at its node's cursor, so
/// no array of all edges is sorted (on a national graph that temporary array alone would
/// weigh 200 MB).
fn csr(n: usize, pieces: &Pieces, turns: &Turns, reverse: bool) -> Adjacency {
    // (from, to, time) of each allowed direction of routable piece `p`.
    let directions = |p: usize| {
        let (a, b) = (pieces.tail[p], pieces.head[p]);
        let (a_out, b_out) = (
            turns.own_departure(p, false).unwrap_or(a),
            turns.own_departure(p, true).unwrap_or(b),
        );
        let fwd = (pieces.time_fwd_ms[p] != NONE).then_some((a_out, b, pieces.time_fwd_ms[p]));
        let bwd = (pieces.time_bwd_ms[p] != NONE).then_some((b_out, a, pieces.time_bwd_ms[p]));
        fwd.into_iter()
            .chain(bwd)
            .filter(move |&(from, _, _)| pieces.is_routable(p) && from != NONE)
            .map(move |(from, to, t)| {
                if reverse {
                    (to, from, t)
                } else {
                    (from, to, t)
                }
            })
    };
    // (from, to) of each allowed turn, as an edge of piece `turn_piece[i]`.
    let turn = |i: usize| {
        let (a, b) = (turns.turn_from[i], turns.turn_to[i]);
        if reverse {
            (b, a)
        } else {
            (a, b)
        }
    };
    let mut offsets = vec![0u32; n + 1];
    for p in 0..pieces.len() {
        for (from, _, _) in directions(p) {
            offsets[from as usize + 1] += 1;
        }
    }
    for i in 0..turns.len() {
        offsets[turn(i).0 as usize + 1] += 1;
    }
    for v in 0..n {
        offsets[v + 1] += offsets[v];
    }
    let m = offsets[n] as usize;
    let mut adj = Adjacency {
        offsets,
        other: vec![0; m],
        time_ms: vec![0; m],
        len_dm: vec![0; m],
        piece: vec![0; m],
    };
    let mut cursor: Vec<u32> = adj.offsets[..n].to_vec();
    for p in 0..pieces.len() {
        for (from, to, t) in directions(p) {
            let e = cursor[from as usize] as usize;
            cursor[from as usize] += 1;
            adj.other[e] = to;
            adj.time_ms[e] = t;
            adj.len_dm[e] = pieces.len_dm[p];
            adj.piece[e] = p as u32;
        }
    }
    for i in 0..turns.len() {
        let (from, to) = turn(i);
        let e = cursor[from as usize] as usize;
        cursor[from as usize] += 1;
        adj.other[e] = to;
        adj.time_ms[e] = 0;
        adj.len_dm[e] = 0;
        adj.piece[e] = turns.turn_piece[i];
    }
    let mut edges: Vec<(u32, u32, u32, u32)> = Vec::new();
    for v in 0..n as u32 {
        let range = adj.edges(v);
        edges.clear();
        edges.extend(
            range
                .clone()
                .map(|e| (adj.other[e], adj.piece[e], adj.time_ms[e], adj.len_dm[e])),
        );
        edges.sort_unstable();
        for (e, (other, piece, t, l)) in range.zip(&edges) {
            (adj.other[e], adj.piece[e], adj.time_ms[e], adj.len_dm[e]) = (*other, *piece, *t, *l);
        }
    }
    adj
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two pieces: 0→1 one-way (10 s), 1↔2 both ways (5 s / 6 s).
    fn tiny() -> Graph {
        let pieces = Pieces {
            tail: vec![0, 1],
            head: vec![1, 2],
            time_fwd_ms: vec![10_000, 5_000],
            time_bwd_ms: vec![NONE, 6_000],
            len_dm: vec![1000, 500],
            class: vec![0, 0],
            geom_offsets: vec![0, 2, 4],
            geom: vec![[0, 0], [10, 0], [10, 0], [20, 0]],
        };
        Graph::from_pieces(
            "t",
            vec!["road".into()],
            vec![true],
            vec![[0, 0], [10, 0], [20, 0]],
            pieces,
        )
    }

    #[test]
    fn csr_forward_and_reverse_agree() {
        let g = tiny();
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.fwd.offsets, vec![0, 1, 2, 3]);
        assert_eq!(g.fwd.other, vec![1, 2, 1]);
        assert_eq!(g.fwd.time_ms, vec![10_000, 5_000, 6_000]);
        assert_eq!(g.rev.offsets, vec![0, 0, 2, 3]);
        assert_eq!(g.rev.other, vec![0, 2, 1]);
        assert_eq!(g.rev.time_ms, vec![10_000, 6_000, 5_000]);
    }

    #[test]
    fn pruned_pieces_yield_no_edges() {
        let mut g = tiny();
        g.pieces.head[1] = NONE;
        let g = Graph::from_pieces(
            "t",
            g.class_names,
            g.class_snappable,
            g.node_coords,
            g.pieces,
        );
        assert_eq!(g.edge_count(), 1);
        assert!(!g.pieces.is_routable(1));
    }
}
