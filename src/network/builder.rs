//! From the readers' ways to the compact routing graph.
//!
//! 1. **Junctions.** A vertex becomes a graph node when it ends a way or is used more than
//!    once (by two ways, or twice by one). Other vertices are shape points: they stay in the
//!    piece geometry but not in the graph (the usual degree-2 contraction; OSM France's car
//!    graph has 4.56 M such nodes for ~10.4 M directed edges).
//! 2. **Node order.** Nodes are numbered along a Hilbert curve over their coordinates so that
//!    nodes close on the ground are close in memory: searches touch fewer cache lines.
//! 3. **Pieces.** Each way is cut at its junctions. A piece's length is the sum of the
//!    great-circle (haversine, mean Earth radius 6,371,008.8 m as in `geo`) lengths of its
//!    segments; its time in each allowed direction is length ÷ speed, or for a way with a
//!    fixed duration (ferries) that duration shared along the way by length.
//! 4. **Turn restrictions.** The via junctions of the reader's restrictions are split
//!    ([`super::turns`]).
//! 5. **Components.** Small strongly connected components are pruned
//!    ([`super::components`]).

use super::components::{prune_small_components, PruneReport};
use super::graph::{Graph, Pieces, NONE};
use super::raw::{to_degrees, RawNetwork, WayAttrs};
use super::turns::{split_junctions, TurnReport};
use geo::{Distance, Haversine, Point};
use rayon::prelude::*;
use std::time::Instant;

/// Options of the graph build.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildOptions {
    /// Strongly connected components with fewer nodes than this are pruned (the largest
    /// component is always kept). Default 200 junctions.
    pub min_component_nodes: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            min_component_nodes: 200,
        }
    }
}

/// What the build produced, for the user and the provenance manifest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuildReport {
    /// Graph nodes (junctions and dead ends) kept.
    pub nodes: usize,
    /// Directed edges kept.
    pub edges: usize,
    /// Road pieces, pruned ones included.
    pub pieces: usize,
    /// Kilometres of road per class (each piece counted once whatever its directions),
    /// pruned islands included, sorted by class name.
    pub km_by_class: Vec<(String, f64)>,
    /// What island pruning removed.
    pub prune: PruneReport,
    /// Turn restrictions applied and left out, junctions split.
    pub turns: TurnReport,
    /// What the reader left out, by reason.
    pub skipped: Vec<(String, u64)>,
    /// Wall-clock time of the build, seconds.
    pub seconds: f64,
}

/// Builds the routing graph from a reader's ways. The ways are consumed: their memory is
/// released before the adjacency arrays are built, which keeps the peak of a national
/// build lower.
pub fn build_graph(mut raw: RawNetwork, opts: &BuildOptions) -> (Graph, BuildReport) {
    let start = Instant::now();
    let node_of = number_junctions(&raw);
    let node_count = node_of.iter().filter(|&&n| n != NONE).count();
    let mut node_coords = vec![[0i32; 2]; node_count];
    for (v, &n) in node_of.iter().enumerate() {
        if n != NONE {
            node_coords[n as usize] = raw.vertices[v];
        }
    }
    let mut pieces = cut_pieces(&raw, &node_of);
    let way_pieces = way_piece_offsets(&raw, &node_of);
    let (turns, turn_report) =
        split_junctions(&raw, &node_of, &way_pieces, &mut pieces, &mut node_coords);
    drop(node_of);
    let class_snappable = raw
        .class_names
        .iter()
        .map(|c| !raw.snap_excluded.contains(c))
        .collect();
    let profile_name = std::mem::take(&mut raw.profile_name);
    let class_names = std::mem::take(&mut raw.class_names);
    let skipped = std::mem::take(&mut raw.skipped);
    // The vertices and ways go before the adjacency arrays are built.
    drop(raw);
    let graph = Graph::with_turns(
        &profile_name,
        class_names,
        class_snappable,
        node_coords,
        pieces,
        turns,
    );
    let (graph, prune) = prune_small_components(graph, opts.min_component_nodes);
    let report = BuildReport {
        nodes: graph.node_count(),
        edges: graph.edge_count(),
        pieces: graph.pieces.len(),
        km_by_class: km_by_class(&graph),
        prune,
        turns: turn_report,
        skipped,
        seconds: start.elapsed().as_secs_f64(),
    };
    (graph, report)
}

/// Graph node id of every vertex ([`NONE`] for shape points), in Hilbert-curve order.
fn number_junctions(raw: &RawNetwork) -> Vec<u32> {
    let mut uses = vec![0u8; raw.vertices.len()];
    for w in 0..raw.way_count() {
        let vs = raw.way(w);
        for &v in vs {
            uses[v as usize] = uses[v as usize].saturating_add(1);
        }
        // Way ends are junctions whatever their use count.
        uses[vs[0] as usize] = uses[vs[0] as usize].max(2);
        let last = vs[vs.len() - 1] as usize;
        uses[last] = uses[last].max(2);
    }
    let mut junctions: Vec<(u64, u32)> = uses
        .par_iter()
        .enumerate()
        .filter(|(_, &u)| u >= 2)
        .map(|(v, _)| (hilbert_key(raw.vertices[v]), v as u32))
        .collect();
    junctions.par_sort_unstable();
    let mut node_of = vec![NONE; raw.vertices.len()];
    for (n, &(_, v)) in junctions.iter().enumerate() {
        node_of[v as usize] = n as u32;
    }
    node_of
}

/// Position of a fixed-point `[lon, lat]` on a Hilbert curve of order 32.
fn hilbert_key([lon, lat]: [i32; 2]) -> u64 {
    let x = (i64::from(lon) + 1_800_000_000) as u32;
    let y = (i64::from(lat) + 900_000_000) as u32;
    fast_hilbert::xy2h(x, y, 32)
}

/// Ways per parallel task of [`cut_pieces`].
const CUT_CHUNK: usize = 1 << 14;

/// Cuts every way at its junctions, in parallel over chunks of ways, keeping way order.
///
/// A first pass counts the pieces and geometry points of each chunk, so that the second
/// writes every chunk straight into its place in the final arrays: no per-chunk arrays are
/// concatenated, which on a national build would briefly hold the pieces twice.
fn cut_pieces(raw: &RawNetwork, node_of: &[u32]) -> Pieces {
    let chunks: Vec<std::ops::Range<usize>> = (0..raw.way_count())
        .step_by(CUT_CHUNK)
        .map(|w| w..(w + CUT_CHUNK).min(raw.way_count()))
        .collect();
    let sizes: Vec<(usize, usize)> = chunks
        .par_iter()
        .map(|ways| {
            ways.clone()
                .map(|w| count_way(raw.way(w), node_of))
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
        })
        .collect();
    let total = sizes.iter().map(|s| s.0).sum();
    let total_geom = sizes.iter().map(|s| s.1).sum();
    let mut pieces = Pieces {
        tail: vec![0; total],
        head: vec![0; total],
        time_fwd_ms: vec![0; total],
        time_bwd_ms: vec![0; total],
        len_dm: vec![0; total],
        class: vec![0; total],
        geom_offsets: vec![0; total + 1],
        geom: vec![[0; 2]; total_geom],
    };
    let mut rest = PiecesMut::new(&mut pieces);
    let parts: Vec<PiecesMut> = sizes
        .iter()
        .map(|&(n, g)| rest.split_off_front(n, g))
        .collect();
    parts
        .into_par_iter()
        .zip(chunks)
        .for_each(|(mut out, ways)| {
            let mut seg_len = Vec::new();
            for w in ways {
                cut_way(raw, w, node_of, &mut seg_len, &mut out);
            }
        });
    pieces
}

/// Start of each way's pieces in [`cut_pieces`]'s output, one more entry than there are
/// ways; empty when the network has no turn restriction (nothing needs it).
fn way_piece_offsets(raw: &RawNetwork, node_of: &[u32]) -> Vec<u32> {
    if raw.restrictions.is_empty() {
        return Vec::new();
    }
    let mut offsets = Vec::with_capacity(raw.way_count() + 1);
    offsets.push(0u32);
    for w in 0..raw.way_count() {
        let last = *offsets.last().unwrap_or(&0);
        offsets.push(last + count_way(raw.way(w), node_of).0 as u32);
    }
    offsets
}

/// Number of pieces, and of geometry points (ends included), that cutting the way over
/// vertices `vs` at its junctions gives.
fn count_way(vs: &[u32], node_of: &[u32]) -> (usize, usize) {
    let (mut pieces, mut geom, mut start) = (0, 0, 0);
    for (i, &v) in vs.iter().enumerate().skip(1) {
        if node_of[v as usize] != NONE {
            pieces += 1;
            geom += i - start + 1;
            start = i;
        }
    }
    (pieces, geom)
}

/// A chunk's share of the arrays of [`Pieces`], filled from the front by [`cut_way`].
struct PiecesMut<'a> {
    tail: &'a mut [u32],
    head: &'a mut [u32],
    time_fwd_ms: &'a mut [u32],
    time_bwd_ms: &'a mut [u32],
    len_dm: &'a mut [u32],
    class: &'a mut [u8],
    /// End of each piece's polyline in [`Pieces::geom`] (`geom_offsets` without its
    /// leading 0).
    geom_ends: &'a mut [u32],
    geom: &'a mut [[i32; 2]],
    /// Index in [`Pieces::geom`] of `geom[0]`.
    geom_base: u32,
    /// Pieces written so far.
    next: usize,
    /// Geometry points written so far.
    next_geom: usize,
}

impl<'a> PiecesMut<'a> {
    /// All of `pieces`, to be split between chunks.
    fn new(pieces: &'a mut Pieces) -> Self {
        PiecesMut {
            tail: &mut pieces.tail,
            head: &mut pieces.head,
            time_fwd_ms: &mut pieces.time_fwd_ms,
            time_bwd_ms: &mut pieces.time_bwd_ms,
            len_dm: &mut pieces.len_dm,
            class: &mut pieces.class,
            geom_ends: &mut pieces.geom_offsets[1..],
            geom: &mut pieces.geom,
            geom_base: 0,
            next: 0,
            next_geom: 0,
        }
    }

    /// Splits off the first `n` pieces and `geom` geometry points.
    fn split_off_front(&mut self, n: usize, geom: usize) -> PiecesMut<'a> {
        /// Splits off the first `n` items of `s`.
        fn front<'a, T>(s: &mut &'a mut [T], n: usize) -> &'a mut [T] {
            let (a, b) = std::mem::take(s).split_at_mut(n);
            *s = b;
            a
        }
        let part = PiecesMut {
            tail: front(&mut self.tail, n),
            head: front(&mut self.head, n),
            time_fwd_ms: front(&mut self.time_fwd_ms, n),
            time_bwd_ms: front(&mut self.time_bwd_ms, n),
            len_dm: front(&mut self.len_dm, n),
            class: front(&mut self.class, n),
            geom_ends: front(&mut self.geom_ends, n),
            geom: front(&mut self.geom, geom),
            geom_base: self.geom_base,
            next: 0,
            next_geom: 0,
        };
        self.geom_base += geom as u32;
        part
    }
}

/// Writes the pieces of way `w` to `out`; `seg_len` is scratch space.
fn cut_way(
    raw: &RawNetwork,
    w: usize,
    node_of: &[u32],
    seg_len: &mut Vec<f64>,
    out: &mut PiecesMut,
) {
    let vs = raw.way(w);
    let attrs = &raw.way_attrs[w];
    seg_len.clear();
    seg_len.extend(
        vs.windows(2)
            .map(|s| haversine_m(raw.vertices[s[0] as usize], raw.vertices[s[1] as usize])),
    );
    let way_len: f64 = seg_len.iter().sum();
    let mut start = 0usize;
    let mut len = 0.0;
    for i in 1..vs.len() {
        len += seg_len[i - 1];
        let tail = node_of[vs[start] as usize];
        let head = node_of[vs[i] as usize];
        if head == NONE {
            continue;
        }
        let share = if way_len > 0.0 {
            len / way_len
        } else {
            1.0 / seg_len.len() as f64
        };
        let k = out.next;
        out.tail[k] = tail;
        out.head[k] = head;
        out.time_fwd_ms[k] = time_ms(len, share, attrs.speed_fwd_kmh, attrs);
        out.time_bwd_ms[k] = time_ms(len, share, attrs.speed_bwd_kmh, attrs);
        out.len_dm[k] = (len * 10.0).round() as u32;
        out.class[k] = attrs.class;
        let points = &vs[start..=i];
        let geom = &mut out.geom[out.next_geom..out.next_geom + points.len()];
        for (slot, &v) in geom.iter_mut().zip(points) {
            *slot = raw.vertices[v as usize];
        }
        out.next_geom += points.len();
        out.geom_ends[k] = out.geom_base + out.next_geom as u32;
        out.next = k + 1;
        start = i;
        len = 0.0;
    }
}

/// Travel time in milliseconds of `len_m` metres at `speed_kmh`, or [`NONE`] when the
/// direction is closed (speed 0). A fixed way duration is shared by length (`share`).
fn time_ms(len_m: f64, share: f64, speed_kmh: f32, attrs: &WayAttrs) -> u32 {
    if speed_kmh <= 0.0 {
        return NONE;
    }
    let ms = match attrs.duration_s {
        Some(d) => f64::from(d) * 1000.0 * share,
        None => len_m * 3600.0 / f64::from(speed_kmh),
    };
    ms.round().min(f64::from(NONE - 1)) as u32
}

/// Great-circle distance in metres between two fixed-point `[lon, lat]` coordinates.
fn haversine_m(a: [i32; 2], b: [i32; 2]) -> f64 {
    let pa = Point::new(to_degrees(a[0]), to_degrees(a[1]));
    let pb = Point::new(to_degrees(b[0]), to_degrees(b[1]));
    Haversine.distance(pa, pb)
}

/// Kilometres of road per class, sorted by class name.
fn km_by_class(graph: &Graph) -> Vec<(String, f64)> {
    let mut dm = vec![0u64; graph.class_names.len()];
    for (&c, &l) in graph.pieces.class.iter().zip(&graph.pieces.len_dm) {
        dm[c as usize] += u64::from(l);
    }
    let mut out: Vec<(String, f64)> = graph
        .class_names
        .iter()
        .zip(dm)
        .filter(|(_, d)| *d > 0)
        .map(|(c, d)| (c.clone(), d as f64 / 10_000.0))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::raw::to_fixed;

    fn attrs(class: u8, fwd: f32, bwd: f32) -> WayAttrs {
        WayAttrs {
            class,
            speed_fwd_kmh: fwd,
            speed_bwd_kmh: bwd,
            duration_s: None,
            class_speed: false,
        }
    }

    /// A "T": way 0 runs 0-1-2 (vertex 1 a shape point... until way 1 starts at it).
    fn t_network() -> RawNetwork {
        let mut raw = RawNetwork::new(
            "car",
            vec!["primary".into(), "motorway".into()],
            vec!["motorway".into()],
        );
        // Vertices along the equator, 0.001 degree apart (~111.2 m).
        for i in 0..5 {
            raw.vertices.push([to_fixed(0.001 * f64::from(i)), 0]);
        }
        raw.vertices.push([to_fixed(0.002), to_fixed(0.001)]);
        raw.push_way(10, &[0, 1, 2, 3, 4], attrs(0, 36.0, 36.0));
        raw.push_way(11, &[2, 5], attrs(1, 36.0, 0.0));
        raw
    }

    #[test]
    fn ways_are_cut_at_junctions_only() {
        let raw = t_network();
        let (g, rep) = build_graph(
            raw.clone(),
            &BuildOptions {
                min_component_nodes: 1,
            },
        );
        // Junctions: 0 and 4 (ends of way 10), 2 (used twice), 5 (end of way 11).
        assert_eq!(g.node_count(), 4);
        assert_eq!(g.pieces.len(), 3);
        // Way 10 gives 0-1-2 and 2-3-4; shape point 1 stays in the geometry.
        assert_eq!(g.pieces.polyline(0).len(), 3);
        assert_eq!(g.pieces.polyline(1).len(), 3);
        // 222.39 m at 36 km/h = 10 m/s: 22 239 ms.
        let expected_m: f64 =
            2.0 * Haversine.distance(Point::new(0.0, 0.0), Point::new(0.001, 0.0));
        assert_eq!(g.pieces.len_dm[0], (expected_m * 10.0).round() as u32);
        assert_eq!(g.pieces.time_fwd_ms[0], (expected_m * 100.0).round() as u32);
        // The motorway spur is one-way: 3 two-way... 2 two-way pieces + 1 one-way = 5 edges.
        assert_eq!(g.edge_count(), 5);
        assert_eq!(g.class_snappable, vec![true, false]);
        assert_eq!(rep.nodes, 4);
        assert_eq!(rep.km_by_class.len(), 2);
        assert_eq!(rep.km_by_class[0].0, "motorway");
    }

    #[test]
    fn fixed_duration_is_shared_by_length() {
        let mut raw = t_network();
        raw.way_attrs[0].duration_s = Some(600.0);
        let (g, _) = build_graph(
            raw.clone(),
            &BuildOptions {
                min_component_nodes: 1,
            },
        );
        // Both halves of way 10 have the same length: 300 s each way.
        assert_eq!(g.pieces.time_fwd_ms[0], 300_000);
        assert_eq!(g.pieces.time_bwd_ms[1], 300_000);
    }

    #[test]
    fn closed_direction_gives_no_edge() {
        let raw = t_network();
        let (g, _) = build_graph(
            raw.clone(),
            &BuildOptions {
                min_component_nodes: 1,
            },
        );
        let spur = (0..g.pieces.len())
            .find(|&p| g.pieces.class[p] == 1)
            .unwrap();
        assert_eq!(g.pieces.time_bwd_ms[spur], NONE);
    }

    #[test]
    fn node_numbering_follows_the_hilbert_curve() {
        let raw = t_network();
        let (g, _) = build_graph(
            raw.clone(),
            &BuildOptions {
                min_component_nodes: 1,
            },
        );
        let keys: Vec<u64> = g.node_coords.iter().map(|&c| hilbert_key(c)).collect();
        assert!(keys.windows(2).all(|k| k[0] < k[1]));
    }

    #[test]
    fn a_closed_ring_way_keeps_its_loop_piece() {
        let mut raw = RawNetwork::new("car", vec!["residential".into()], vec![]);
        for p in [[0, 0], [1000, 0], [1000, 1000]] {
            raw.vertices.push(p);
        }
        raw.push_way(1, &[0, 1, 2, 0], attrs(0, 30.0, 30.0));
        let (g, _) = build_graph(
            raw.clone(),
            &BuildOptions {
                min_component_nodes: 1,
            },
        );
        assert_eq!(g.node_count(), 1);
        assert_eq!(g.pieces.len(), 1);
        assert_eq!(g.pieces.tail[0], g.pieces.head[0]);
        assert_eq!(g.pieces.polyline(0).len(), 4);
    }
}
