//! Snapping points onto the road network: each point enters the graph at the nearest point of
//! the nearest eligible road, part-way along a piece, after an access leg walked from the
//! point to the road.
//!
//! **Index.** [`SnapIndex`] is an R-tree (`rstar`, bulk-loaded with the OMT algorithm of
//! Lee & Lee, 2003) over every straight segment of every piece's polyline, in the metric
//! system of a [`MetricCrs`] (Lambert-93 in metropolitan France). All pieces are indexed,
//! whatever their class, so that [`SnapOptions::allowed`] can change eligibility per query;
//! pieces on pruned islands are indexed too, to say why a point near them is not snapped.
//!
//! **Nearest segment.** The distance from point *p* to segment *ab* is the distance to its
//! orthogonal projection *a + t (b − a)*, with *t = ((p − a)·(b − a)) / |b − a|²* clamped to
//! [0, 1] (*t = 0* for a zero-length segment) — Schneider & Eberly, *Geometric Tools for
//! Computer Graphics*, 2003, § 6.1. The tree is walked in increasing distance; a segment is
//! **eligible** when its piece's class is allowed and, if routable, the piece may be
//! travelled in at least one direction. The nearest eligible *routable* segment wins: small
//! islands pruned from the graph are ignored (a clinic whose car park road is cut off from
//! the street network is reached from the street). Exact ties go to the lowest piece id,
//! then to the lowest segment: the result never depends on the tree's layout.
//!
//! **Outcomes.** A routable eligible segment within [`SnapOptions::max_distance_m`]:
//! [`Snapped`]. None, but a pruned island's road within the radius:
//! [`Unsnapped::OnPrunedIsland`] (the point's only roads are cut off from the network: a
//! real island without a ferry, or roads the source left unconnected). Nothing eligible
//! within the radius: [`Unsnapped::BeyondRadius`] with the distance of the nearest eligible
//! road found.
//!
//! **Costs.** The access leg is measured in the projected plane (Lambert-93 scale error: −1
//! to +3 m per km) and walked at [`SnapOptions::walk_speed_kmh`]. The position along the
//! piece is the *fraction* of its length from its tail, lengths measured as the graph
//! builder measures them (haversine, mean Earth radius, per polyline segment; the share of
//! the snapped segment is its projected parameter *t*), so that times split exactly as the
//! builder summed them; the time and network
//! length from the point to either end are the piece's time and length in that direction
//! times the share of the piece to cover, rounded to whole milliseconds and decimetres.
//! Network lengths exclude the access leg. A point whose projection falls within
//! [`NODE_TOLERANCE_M`] of an end node stands *on* that node: it may leave or arrive by any
//! road of the node, whatever the direction of the piece it snapped onto.

use crate::network::graph::{Graph, NONE};
use crate::network::raw::to_degrees;
use crate::routing::Seed;
use crate::support::crs::{CrsError, MetricCrs};
use geo::{Distance, Haversine, Point};
use rayon::prelude::*;
use rstar::{PointDistance, RTree, RTreeObject, AABB};
use smallvec::SmallVec;
use std::fmt;

/// Default snap radius, metres.
pub const DEFAULT_MAX_DISTANCE_M: f64 = 1000.0;
/// Default walking speed of the access leg, km/h.
pub const DEFAULT_WALK_SPEED_KMH: f64 = 4.5;
/// A projection this close to an end node of its piece (metres along the piece) is on it.
pub const NODE_TOLERANCE_M: f64 = 0.01;
/// Vertices projected per GDAL batch when building the index.
const PROJECT_CHUNK: usize = 16_384;
/// Largest time or length a seed may carry (`NONE` stays reserved).
const MAX_COST: u32 = NONE - 1;

/// Why a snapping index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SnapError {
    /// The road geometry could not be projected.
    #[error("projecting the road geometry to EPSG:{epsg} for snapping: {source}")]
    Projection {
        /// Target system.
        epsg: u32,
        /// What PROJ said.
        #[source]
        source: CrsError,
    },
    /// The piece geometry offsets are inconsistent.
    #[error("piece geometry is inconsistent: {reason}")]
    BadGeometry {
        /// What is wrong.
        reason: String,
    },
}

/// How points are snapped.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapOptions {
    /// Largest distance from a point to its road, metres (default 1,000).
    pub max_distance_m: f64,
    /// Walking speed of the access leg, km/h (default 4.5).
    pub walk_speed_kmh: f64,
    /// Per road class, whether points may snap onto it; `None` uses
    /// [`Graph::class_snappable`]. Classes beyond the list are not allowed.
    pub allowed: Option<Vec<bool>>,
}

impl Default for SnapOptions {
    fn default() -> Self {
        SnapOptions {
            max_distance_m: DEFAULT_MAX_DISTANCE_M,
            walk_speed_kmh: DEFAULT_WALK_SPEED_KMH,
            allowed: None,
        }
    }
}

impl SnapOptions {
    /// The defaults, with the eligible classes spelled out from `graph`'s profile.
    pub fn for_graph(graph: &Graph) -> SnapOptions {
        SnapOptions {
            allowed: Some(graph.class_snappable.clone()),
            ..SnapOptions::default()
        }
    }

    /// Whether class `class` is eligible on `graph`.
    fn allows(&self, graph: &Graph, class: u8) -> bool {
        let list = self.allowed.as_ref().unwrap_or(&graph.class_snappable);
        list.get(usize::from(class)).copied().unwrap_or(false)
    }

    /// Why these options cannot be used, if they cannot.
    fn problem(&self) -> Option<String> {
        if !(self.walk_speed_kmh.is_finite() && self.walk_speed_kmh > 0.0) {
            return Some(format!(
                "walking speed must be a positive number of km/h, got {}",
                self.walk_speed_kmh
            ));
        }
        if self.max_distance_m.is_nan() || self.max_distance_m < 0.0 {
            return Some(format!(
                "snap radius must be a non-negative number of metres, got {}",
                self.max_distance_m
            ));
        }
        None
    }
}

/// Why a point was not snapped.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Unsnapped {
    /// No eligible road within the radius; `nearest_m` is the distance to the nearest one
    /// (metres), `None` when no road of the network is eligible.
    BeyondRadius {
        /// Distance to the nearest eligible road, metres.
        nearest_m: Option<f64>,
        /// Snap radius in force, metres.
        radius_m: f64,
    },
    /// The nearest eligible road lies on an island pruned from the graph.
    OnPrunedIsland {
        /// Distance to that road, metres.
        distance_m: f64,
    },
    /// Longitude or latitude not finite or out of range.
    InvalidCoordinate {
        /// Longitude given, degrees.
        lon: f64,
        /// Latitude given, degrees.
        lat: f64,
    },
    /// PROJ could not project the point.
    Unprojectable(String),
    /// The options or the graph do not fit the index (bad walking speed or radius, index
    /// built for another graph).
    InvalidRequest(String),
}

impl fmt::Display for Unsnapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsnapped::BeyondRadius {
                nearest_m: Some(d),
                radius_m,
            } => write!(
                f,
                "nearest eligible road {} m away, beyond the {} m snap radius",
                metres(*d),
                metres(*radius_m)
            ),
            Unsnapped::BeyondRadius {
                nearest_m: None,
                radius_m,
            } => write!(
                f,
                "no eligible road in the network (snap radius {} m)",
                metres(*radius_m)
            ),
            Unsnapped::OnPrunedIsland { distance_m } => write!(
                f,
                "nearest road ({} m) lies on a small island pruned from the network",
                metres(*distance_m)
            ),
            Unsnapped::InvalidCoordinate { lon, lat } => write!(
                f,
                "invalid coordinate lon {lon}, lat {lat}: expected finite WGS84 degrees, \
                 longitude within ±180 and latitude within ±90"
            ),
            Unsnapped::Unprojectable(why) => write!(f, "cannot project the point: {why}"),
            Unsnapped::InvalidRequest(why) => write!(f, "cannot snap: {why}"),
        }
    }
}

/// Metres for messages: one decimal under 10 m, else whole metres with thousands separators.
fn metres(m: f64) -> String {
    if !m.is_finite() {
        return m.to_string();
    }
    if m < 10.0 {
        return format!("{m:.1}");
    }
    let digits = format!("{:.0}", m);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A point placed on the network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snapped {
    /// Piece the point entered (index into [`crate::network::Pieces`]).
    pub piece: u32,
    /// Position along the piece, share of its length from its tail (0…1).
    pub fraction: f64,
    /// Length of the access leg from the point to the road, metres.
    pub distance_m: f64,
    /// Where the point entered the road, WGS84 `(lon, lat)` degrees.
    pub snapped_lon_lat: (f64, f64),
    /// Time of the access leg at walking speed, milliseconds.
    pub access_ms: u32,
    /// The end node of the piece the point stands on (projection within
    /// [`NODE_TOLERANCE_M`] of it), if any.
    pub at_node: Option<u32>,
}

/// A piece's ends, times (ms, [`NONE`] if not allowed) and length (dm).
struct PieceCosts {
    tail: u32,
    head: u32,
    fwd_ms: u32,
    bwd_ms: u32,
    len_dm: u32,
}

fn piece_costs(graph: &Graph, piece: u32) -> Option<PieceCosts> {
    let p = &graph.pieces;
    let i = piece as usize;
    Some(PieceCosts {
        tail: *p.tail.get(i)?,
        head: *p.head.get(i)?,
        fwd_ms: *p.time_fwd_ms.get(i)?,
        bwd_ms: *p.time_bwd_ms.get(i)?,
        len_dm: *p.len_dm.get(i)?,
    })
}

/// `value × share`, rounded (`share` in 0…1).
fn part(value: u32, share: f64) -> u32 {
    (f64::from(value) * share.clamp(0.0, 1.0)).round() as u32
}

/// A seed reached after `access` then `time` ms over `len` dm, capped below [`NONE`].
fn seed(node: u32, access: u32, time: u32, len: u32) -> Seed {
    Seed {
        node,
        time_ms: access.saturating_add(time).min(MAX_COST),
        len_dm: len.min(MAX_COST),
    }
}

/// Keeps the cheapest seed per node (a loop piece has both ends on one node).
fn push_seed(seeds: &mut SmallVec<[Seed; 2]>, s: Seed) {
    match seeds.iter_mut().find(|x| x.node == s.node) {
        Some(x) if (s.time_ms, s.len_dm) < (x.time_ms, x.len_dm) => *x = s,
        Some(_) => {}
        None => seeds.push(s),
    }
}

impl Snapped {
    /// Seeds to start a forward search from this point: for each end node the point may
    /// travel to, the access time plus the time along the piece to it (ms), and the network
    /// length to it (dm). A point on a node gives that node with the access time alone.
    pub fn departures(&self, graph: &Graph) -> SmallVec<[Seed; 2]> {
        let mut seeds = SmallVec::new();
        if let Some(node) = self.at_node {
            seeds.push(seed(node, self.access_ms, 0, 0));
            return seeds;
        }
        let Some(c) = piece_costs(graph, self.piece) else {
            return seeds;
        };
        let f = self.fraction;
        if c.fwd_ms != NONE {
            let s = seed(
                c.head,
                self.access_ms,
                part(c.fwd_ms, 1.0 - f),
                part(c.len_dm, 1.0 - f),
            );
            push_seed(&mut seeds, s);
        }
        if c.bwd_ms != NONE {
            let s = seed(c.tail, self.access_ms, part(c.bwd_ms, f), part(c.len_dm, f));
            push_seed(&mut seeds, s);
        }
        seeds
    }

    /// Seeds to end a search at this point: for each end node the point may be reached
    /// from, the time from that node along the piece plus the access time (ms), and the
    /// network length (dm). A point on a node gives that node with the access time alone.
    pub fn arrivals(&self, graph: &Graph) -> SmallVec<[Seed; 2]> {
        let mut seeds = SmallVec::new();
        if let Some(node) = self.at_node {
            seeds.push(seed(node, self.access_ms, 0, 0));
            return seeds;
        }
        let Some(c) = piece_costs(graph, self.piece) else {
            return seeds;
        };
        let f = self.fraction;
        // At a junction split for turn restrictions the edge away from it leaves from a
        // node of its own (`Graph::departure`).
        let p = self.piece as usize;
        let (tail, head) = (graph.departure(p, false), graph.departure(p, true));
        if c.fwd_ms != NONE && tail != NONE {
            let s = seed(tail, self.access_ms, part(c.fwd_ms, f), part(c.len_dm, f));
            push_seed(&mut seeds, s);
        }
        if c.bwd_ms != NONE && head != NONE {
            let s = seed(
                head,
                self.access_ms,
                part(c.bwd_ms, 1.0 - f),
                part(c.len_dm, 1.0 - f),
            );
            push_seed(&mut seeds, s);
        }
        seeds
    }

    /// The trip from this point to `other` along their common piece without leaving it:
    /// `(time ms, network length dm)`, both access legs included in the time; `None` when
    /// they are on different pieces or the piece may not be travelled from this point's
    /// position towards the other's.
    pub fn direct_to(&self, other: &Snapped, graph: &Graph) -> Option<(u32, u32)> {
        if self.piece != other.piece {
            return None;
        }
        let c = piece_costs(graph, self.piece)?;
        let share = (other.fraction - self.fraction).abs();
        let time = if other.fraction == self.fraction {
            0
        } else if other.fraction > self.fraction && c.fwd_ms != NONE {
            part(c.fwd_ms, share)
        } else if other.fraction < self.fraction && c.bwd_ms != NONE {
            part(c.bwd_ms, share)
        } else {
            return None;
        };
        let access = self.access_ms.saturating_add(other.access_ms);
        let s = seed(0, access, time, part(c.len_dm, share));
        Some((s.time_ms, s.len_dm))
    }
}

/// One straight segment of a piece in metric coordinates; `vertex` is the index of its
/// first vertex in [`crate::network::Pieces::geom`].
#[derive(Clone, Copy, Debug, PartialEq)]
struct Segment {
    a: [f64; 2],
    b: [f64; 2],
    vertex: u32,
}

/// Parameter `t` (0…1) of the projection of `p` onto segment `ab`, and the squared
/// distance from `p` to it (see the module documentation).
fn project(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> (f64, f64) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let l2 = dx * dx + dy * dy;
    let t = if l2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
    (t, ex * ex + ey * ey)
}

impl RTreeObject for Segment {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.a, self.b)
    }
}

impl PointDistance for Segment {
    fn distance_2(&self, point: &[f64; 2]) -> f64 {
        project(self.a, self.b, *point).1
    }
}

/// The nearest eligible routable segment found for a point.
struct Nearest {
    d2: f64,
    piece: u32,
    segment: Segment,
}

/// What the walk of the tree found around a point (squared metric distances).
#[derive(Default)]
struct Around {
    /// Nearest eligible routable segment within the radius.
    routable: Option<Nearest>,
    /// Squared distance of the nearest eligible pruned segment within the radius.
    island_d2: Option<f64>,
    /// Squared distance of the nearest eligible segment, routable or not, within the radius
    /// or the first one beyond it.
    nearest_d2: Option<f64>,
}

/// R-tree of the graph's road segments in a metric system, for snapping.
pub struct SnapIndex {
    tree: RTree<Segment>,
    crs: MetricCrs,
    piece_count: usize,
    vertex_count: usize,
    segments_per_class: Vec<u64>,
    pieces_without_geometry: usize,
}

impl SnapIndex {
    /// Projects every piece's polyline into `crs` (in parallel) and indexes its segments.
    pub fn new(graph: &Graph, crs: &MetricCrs) -> Result<SnapIndex, SnapError> {
        let pieces = &graph.pieces;
        check_offsets(graph)?;
        let mut xy: Vec<[f64; 2]> = pieces
            .geom
            .par_iter()
            .map(|c| [to_degrees(c[0]), to_degrees(c[1])])
            .collect();
        xy.par_chunks_mut(PROJECT_CHUNK)
            .try_for_each(|chunk| crs.to_metric(chunk))
            .map_err(|source| SnapError::Projection {
                epsg: crs.epsg(),
                source,
            })?;
        let offsets = &pieces.geom_offsets;
        let segments: Vec<Segment> = (0..pieces.len())
            .into_par_iter()
            .flat_map_iter(|p| {
                let (start, end) = (offsets[p], offsets[p + 1]);
                (start..end.saturating_sub(1).max(start)).map(|v| Segment {
                    a: xy[v as usize],
                    b: xy[v as usize + 1],
                    vertex: v,
                })
            })
            .collect();
        let mut segments_per_class = vec![0u64; 256];
        let mut pieces_without_geometry = 0;
        for p in 0..pieces.len() {
            let n = u64::from(offsets[p + 1] - offsets[p]);
            if n < 2 {
                pieces_without_geometry += 1;
            } else {
                segments_per_class[usize::from(pieces.class[p])] += n - 1;
            }
        }
        Ok(SnapIndex {
            tree: RTree::bulk_load(segments),
            crs: crs.clone(),
            piece_count: pieces.len(),
            vertex_count: pieces.geom.len(),
            segments_per_class,
            pieces_without_geometry,
        })
    }

    /// Number of segments indexed.
    pub fn segment_count(&self) -> usize {
        self.tree.size()
    }

    /// Pieces left out of the index because their polyline has fewer than two vertices.
    pub fn pieces_without_geometry(&self) -> usize {
        self.pieces_without_geometry
    }

    /// The metric system the index is in.
    pub fn crs(&self) -> &MetricCrs {
        &self.crs
    }

    /// Snaps the WGS84 point (`lon`, `lat` in degrees) onto the nearest eligible road of
    /// `graph` (the graph this index was built from); see the module documentation for the
    /// rules and costs.
    ///
    /// A point 10 m east of the middle of a north–south street enters it half-way, after
    /// 10 m walked at 4.5 km/h (8 s):
    ///
    /// ```
    /// use recours::network::builder::{build_graph, BuildOptions};
    /// use recours::network::osm::read_osm_xml_str;
    /// use recours::network::profile::Profile;
    /// use recours::snap::{SnapIndex, SnapOptions};
    /// use recours::support::crs::MetricCrs;
    ///
    /// let osm = "<osm version='0.6'>
    ///   <node id='1' lat='48.900' lon='2.480'/>
    ///   <node id='2' lat='48.901' lon='2.480'/>
    ///   <way id='10'><nd ref='1'/><nd ref='2'/><tag k='highway' v='residential'/></way>
    /// </osm>";
    /// let (graph, _) = build_graph(read_osm_xml_str(osm, &Profile::builtin("car")?)?, &BuildOptions::default());
    /// let index = SnapIndex::new(&graph, &MetricCrs::for_graph(&graph)?)?;
    /// // 10 m east at 48.9005° N: 10 / (111,195 m × cos 48.9005°) degrees of longitude.
    /// let lon = 2.48 + 10.0 / (111_195.0 * 48.9005_f64.to_radians().cos());
    /// let s = index.snap(&graph, lon, 48.9005, &SnapOptions::default()).expect("snapped");
    /// assert!((s.distance_m - 10.0).abs() < 0.05); // Lambert-93 scale error: ±3 m per km
    /// assert!((s.fraction - 0.5).abs() < 1e-3);
    /// assert!((f64::from(s.access_ms) - 8_000.0).abs() < 40.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snap(
        &self,
        graph: &Graph,
        lon: f64,
        lat: f64,
        opts: &SnapOptions,
    ) -> Result<Snapped, Unsnapped> {
        if let Some(why) = opts.problem() {
            return Err(Unsnapped::InvalidRequest(why));
        }
        if graph.pieces.len() != self.piece_count || graph.pieces.geom.len() != self.vertex_count {
            return Err(Unsnapped::InvalidRequest(format!(
                "the snapping index was built for a graph of {} pieces and {} vertices, not {} and {}",
                self.piece_count,
                self.vertex_count,
                graph.pieces.len(),
                graph.pieces.geom.len()
            )));
        }
        if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
            return Err(Unsnapped::InvalidCoordinate { lon, lat });
        }
        let mut q = [[lon, lat]];
        self.crs
            .to_metric(&mut q)
            .map_err(|e| Unsnapped::Unprojectable(e.to_string()))?;
        let q = q[0];
        let beyond = |nearest_m| Unsnapped::BeyondRadius {
            nearest_m,
            radius_m: opts.max_distance_m,
        };
        let around = self.nearest(graph, q, opts);
        if let Some(best) = around.routable {
            let distance_m = best.d2.sqrt();
            return self.place(graph, q, &best, distance_m, opts);
        }
        if let Some(d2) = around.island_d2 {
            return Err(Unsnapped::OnPrunedIsland {
                distance_m: d2.sqrt(),
            });
        }
        Err(beyond(around.nearest_d2.map(f64::sqrt)))
    }

    /// Snaps every point of `points` (`(lon, lat)` degrees), in parallel; results in input
    /// order.
    pub fn snap_all(
        &self,
        graph: &Graph,
        points: &[(f64, f64)],
        opts: &SnapOptions,
    ) -> Vec<Result<Snapped, Unsnapped>> {
        points
            .par_iter()
            .map(|&(lon, lat)| self.snap(graph, lon, lat, opts))
            .collect()
    }

    /// Whether some class allowed by `opts` has indexed segments.
    fn any_eligible(&self, graph: &Graph, opts: &SnapOptions) -> bool {
        (0..=u8::MAX).any(|c| self.segments_per_class[usize::from(c)] > 0 && opts.allows(graph, c))
    }

    /// Walks the tree around metric point `q` (see [`Around`]), ties broken as documented.
    fn nearest(&self, graph: &Graph, q: [f64; 2], opts: &SnapOptions) -> Around {
        let mut around = Around::default();
        if !self.any_eligible(graph, opts) {
            return around;
        }
        let r2 = opts.max_distance_m * opts.max_distance_m;
        let pieces = &graph.pieces;
        for (segment, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            let past_best = around.routable.as_ref().is_some_and(|b| d2 > b.d2);
            if past_best || (d2 > r2 && around.nearest_d2.is_some()) {
                break;
            }
            let piece = pieces
                .geom_offsets
                .partition_point(|&o| o <= segment.vertex)
                .saturating_sub(1);
            let class = pieces.class[piece];
            let routable = pieces.is_routable(piece);
            let travelable = pieces.time_fwd_ms[piece] != NONE || pieces.time_bwd_ms[piece] != NONE;
            if !opts.allows(graph, class) || (routable && !travelable) {
                continue;
            }
            around.nearest_d2.get_or_insert(d2);
            if d2 > r2 {
                break;
            }
            if !routable {
                around.island_d2.get_or_insert(d2);
                continue;
            }
            let cand = Nearest {
                d2,
                piece: piece as u32,
                segment: *segment,
            };
            let key = |n: &Nearest| (n.piece, n.segment.vertex);
            if around.routable.as_ref().is_none_or(|b| key(&cand) < key(b)) {
                around.routable = Some(cand);
            }
        }
        around
    }

    /// Builds the [`Snapped`] of metric point `q` on segment `best`.
    fn place(
        &self,
        graph: &Graph,
        q: [f64; 2],
        best: &Nearest,
        distance_m: f64,
        opts: &SnapOptions,
    ) -> Result<Snapped, Unsnapped> {
        let pieces = &graph.pieces;
        let p = best.piece as usize;
        let k = (best.segment.vertex - pieces.geom_offsets[p]) as usize;
        let line = pieces.polyline(p);
        let length = |w: &[[i32; 2]]| haversine_m(w[0], w[1]);
        let before: f64 = line[..=k].windows(2).map(length).sum();
        let this = length(&line[k..k + 2]);
        let total = before + this + line[k + 1..].windows(2).map(length).sum::<f64>();
        let (t, _) = project(best.segment.a, best.segment.b, q);
        let along = before + t * this;
        let (tail, head) = (pieces.tail[p], pieces.head[p]);
        // A junction split for turn restrictions is no single node: the point stays on its
        // piece's end, entering and leaving through that end's nodes.
        let whole = |at_head| graph.turns.own_departure(p, at_head).is_none();
        let (fraction, at_node) = if along <= NODE_TOLERANCE_M && along <= total - along {
            (0.0, Some(tail).filter(|_| whole(false)))
        } else if total - along <= NODE_TOLERANCE_M {
            (1.0, Some(head).filter(|_| whole(true)))
        } else {
            ((along / total).clamp(0.0, 1.0), None)
        };
        let (a, b) = (best.segment.a, best.segment.b);
        let mut foot = [[a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]];
        self.crs
            .to_wgs84(&mut foot)
            .map_err(|e| Unsnapped::Unprojectable(e.to_string()))?;
        let access_s = distance_m / (opts.walk_speed_kmh / 3.6);
        Ok(Snapped {
            piece: best.piece,
            fraction,
            distance_m,
            snapped_lon_lat: (foot[0][0], foot[0][1]),
            access_ms: (access_s * 1000.0).round().min(f64::from(MAX_COST)) as u32,
            at_node,
        })
    }
}

/// Great-circle distance in metres between two fixed-point `[lon, lat]` coordinates, the
/// measure the graph builder gives pieces their lengths and times by.
fn haversine_m(a: [i32; 2], b: [i32; 2]) -> f64 {
    let pa = Point::new(to_degrees(a[0]), to_degrees(a[1]));
    let pb = Point::new(to_degrees(b[0]), to_degrees(b[1]));
    Haversine.distance(pa, pb)
}

/// Checks that piece geometry offsets are usable: one per piece plus one, non-decreasing,
/// within the vertex list, and that every other piece array has one entry per piece.
fn check_offsets(graph: &Graph) -> Result<(), SnapError> {
    let p = &graph.pieces;
    let bad = |reason: String| Err(SnapError::BadGeometry { reason });
    let n = p.len();
    for (name, len) in [
        ("head", p.head.len()),
        ("time_fwd_ms", p.time_fwd_ms.len()),
        ("time_bwd_ms", p.time_bwd_ms.len()),
        ("len_dm", p.len_dm.len()),
        ("class", p.class.len()),
    ] {
        if len != n {
            return bad(format!("{n} pieces but {len} entries in `{name}`"));
        }
    }
    if p.geom_offsets.len() != n + 1 {
        return bad(format!(
            "{n} pieces but {} geometry offsets (expected {})",
            p.geom_offsets.len(),
            n + 1
        ));
    }
    if let Some(i) = p.geom_offsets.windows(2).position(|w| w[0] > w[1]) {
        return bad(format!("geometry offsets decrease at piece {i}"));
    }
    let last = p.geom_offsets[n] as usize;
    if last != p.geom.len() || p.geom_offsets[0] != 0 {
        return bad(format!(
            "geometry offsets span {}..{last} but there are {} vertices",
            p.geom_offsets[0],
            p.geom.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::Pieces;
    use crate::network::raw::to_fixed;
    use proptest::prelude::*;

    fn fix(lon: f64, lat: f64) -> [i32; 2] {
        [to_fixed(lon), to_fixed(lat)]
    }

    /// Mean-radius haversine distance, metres, as a reference independent of PROJ.
    fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
        let (l1, p1) = (a.0.to_radians(), a.1.to_radians());
        let (l2, p2) = (b.0.to_radians(), b.1.to_radians());
        let h =
            ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().asin()
    }

    /// A square of streets in Bondy, 0.001° a side (≈73 m × 111 m):
    ///
    /// ```text
    ///  3 ──motorway (2)── 2
    ///  │                  ↑ one-way north (0)
    ///  (3)                │
    ///  0 ──── (1) ─────── 1        island (4): (2.490, 48.900)–(2.491, 48.900)
    /// ```
    fn square() -> Graph {
        let n = [
            fix(2.480, 48.900),
            fix(2.481, 48.900),
            fix(2.481, 48.901),
            fix(2.480, 48.901),
        ];
        let pieces = Pieces {
            tail: vec![1, 0, 2, 3, NONE],
            head: vec![2, 1, 3, 0, NONE],
            time_fwd_ms: vec![11_100, 7_300, 2_000, 11_100, 5_000],
            time_bwd_ms: vec![NONE, 7_400, 2_000, 11_100, 5_000],
            len_dm: vec![1110, 730, 730, 1110, 730],
            class: vec![0, 0, 1, 0, 0],
            geom_offsets: vec![0, 2, 5, 7, 9, 11],
            geom: vec![
                n[1],
                n[2],
                n[0],
                fix(2.4805, 48.900),
                n[1],
                n[2],
                n[3],
                n[3],
                n[0],
                fix(2.490, 48.900),
                fix(2.491, 48.900),
            ],
        };
        Graph::from_pieces(
            "t",
            vec!["residential".into(), "motorway".into()],
            vec![true, false],
            n.to_vec(),
            pieces,
        )
    }

    fn index(g: &Graph) -> SnapIndex {
        SnapIndex::new(g, &MetricCrs::for_graph(g).unwrap()).unwrap()
    }

    fn snap(g: &Graph, lon: f64, lat: f64) -> Result<Snapped, Unsnapped> {
        index(g).snap(g, lon, lat, &SnapOptions::for_graph(g))
    }

    fn access(d: f64) -> u32 {
        (d / 1.25 * 1000.0).round() as u32
    }

    #[test]
    fn a_point_beside_a_street_enters_it_mid_segment() {
        let g = square();
        let s = snap(&g, 2.48025, 48.8999).unwrap();
        assert_eq!(s.piece, 1);
        assert_eq!(s.at_node, None);
        assert!((s.fraction - 0.25).abs() < 1e-3, "{}", s.fraction);
        let d = haversine((2.48025, 48.8999), (2.48025, 48.900));
        assert!((s.distance_m - d).abs() < 0.05, "{} vs {d}", s.distance_m);
        assert!((s.snapped_lon_lat.0 - 2.48025).abs() < 1e-6);
        assert!((s.snapped_lon_lat.1 - 48.900).abs() < 1e-6);
        assert_eq!(s.access_ms, access(s.distance_m));
        let f = s.fraction;
        let a = s.access_ms;
        let head = Seed {
            node: 1,
            time_ms: a + part(7_300, 1.0 - f),
            len_dm: part(730, 1.0 - f),
        };
        let tail = Seed {
            node: 0,
            time_ms: a + part(7_400, f),
            len_dm: part(730, f),
        };
        assert_eq!(s.departures(&g).as_slice(), &[head, tail]);
        let from_tail = Seed {
            node: 0,
            time_ms: a + part(7_300, f),
            len_dm: part(730, f),
        };
        let from_head = Seed {
            node: 1,
            time_ms: a + part(7_400, 1.0 - f),
            len_dm: part(730, 1.0 - f),
        };
        assert_eq!(s.arrivals(&g).as_slice(), &[from_tail, from_head]);
    }

    #[test]
    fn a_one_way_piece_is_left_and_entered_one_way_only() {
        let g = square();
        let s = snap(&g, 2.4811, 48.9005).unwrap();
        assert_eq!(s.piece, 0);
        assert!((s.fraction - 0.5).abs() < 1e-3);
        let d = s.departures(&g);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].node, 2);
        assert_eq!(d[0].time_ms, s.access_ms + part(11_100, 1.0 - s.fraction));
        let a = s.arrivals(&g);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].node, 1);
        assert_eq!(a[0].time_ms, s.access_ms + part(11_100, s.fraction));
    }

    #[test]
    fn a_point_on_a_node_uses_every_road_of_the_node() {
        let g = square();
        // On node 1 the tie between pieces 0 and 1 goes to piece 0, one-way out of node 1:
        // the point must still leave from node 1 itself.
        let s = snap(&g, 2.481, 48.900).unwrap();
        assert_eq!((s.piece, s.fraction, s.distance_m), (0, 0.0, 0.0));
        assert_eq!(s.at_node, Some(1));
        let on_node = Seed {
            node: 1,
            time_ms: 0,
            len_dm: 0,
        };
        assert_eq!(s.departures(&g).as_slice(), &[on_node]);
        assert_eq!(s.arrivals(&g).as_slice(), &[on_node]);
        // On node 2 the only eligible piece is one-way into it (the motorway is not
        // eligible): it may still be reached by any road of node 2.
        let s = snap(&g, 2.481, 48.901).unwrap();
        assert_eq!((s.piece, s.fraction, s.at_node), (0, 1.0, Some(2)));
        let node2 = Seed {
            node: 2,
            time_ms: 0,
            len_dm: 0,
        };
        assert_eq!(s.arrivals(&g).as_slice(), &[node2]);
        // 5 mm along the piece still counts as on the node.
        let s = snap(&g, 2.481, 48.900_000_05).unwrap();
        assert_eq!(s.at_node, Some(1));
    }

    #[test]
    fn a_point_beyond_the_radius_is_reported_with_its_distance() {
        let g = square();
        let e = snap(&g, 2.480, 48.920).unwrap_err();
        let d = haversine((2.480, 48.920), (2.480, 48.901));
        match e {
            Unsnapped::BeyondRadius {
                nearest_m: Some(m),
                radius_m,
            } => {
                assert!((m - d).abs() < 1.0, "{m} vs {d}");
                assert_eq!(radius_m, 1000.0);
            }
            other => panic!("{other:?}"),
        }
        let msg = e.to_string();
        assert!(msg.starts_with("nearest eligible road 2,1"), "{msg}");
        assert!(
            msg.ends_with("m away, beyond the 1,000 m snap radius"),
            "{msg}"
        );
        let wide = SnapOptions {
            max_distance_m: 3000.0,
            ..SnapOptions::for_graph(&g)
        };
        assert!(index(&g).snap(&g, 2.480, 48.920, &wide).is_ok());
    }

    #[test]
    fn a_point_nearest_a_pruned_island_is_reported() {
        let g = square();
        // The routable streets are ≈ 660 m away: within the default radius the point is
        // snapped onto them (islands are ignored), within 100 m only the island is there.
        let s = snap(&g, 2.4905, 48.9001).unwrap();
        assert!(g.pieces.is_routable(s.piece as usize));
        assert!((600.0..700.0).contains(&s.distance_m), "{}", s.distance_m);
        let near = SnapOptions {
            max_distance_m: 100.0,
            ..SnapOptions::for_graph(&g)
        };
        let e = index(&g).snap(&g, 2.4905, 48.9001, &near).unwrap_err();
        match e {
            Unsnapped::OnPrunedIsland { distance_m } => {
                assert!((distance_m - 11.1).abs() < 0.1, "{distance_m}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            e.to_string(),
            "nearest road (11 m) lies on a small island pruned from the network"
        );
    }

    #[test]
    fn motorways_are_not_snapped_onto_unless_allowed() {
        let g = square();
        let s = snap(&g, 2.4805, 48.9012).unwrap();
        assert_ne!(s.piece, 2);
        let all = SnapOptions {
            allowed: Some(vec![true, true]),
            ..SnapOptions::default()
        };
        let s = index(&g).snap(&g, 2.4805, 48.9012, &all).unwrap();
        assert_eq!(s.piece, 2);
        let none = SnapOptions {
            allowed: Some(vec![false, false]),
            ..SnapOptions::default()
        };
        let e = index(&g).snap(&g, 2.4805, 48.9012, &none).unwrap_err();
        assert_eq!(
            e,
            Unsnapped::BeyondRadius {
                nearest_m: None,
                radius_m: 1000.0
            }
        );
        assert!(e.to_string().contains("no eligible road"));
    }

    #[test]
    fn invalid_coordinates_are_refused() {
        let g = square();
        for (lon, lat) in [
            (f64::NAN, 48.9),
            (2.48, f64::INFINITY),
            (200.0, 48.9),
            (2.48, -91.0),
        ] {
            let e = snap(&g, lon, lat).unwrap_err();
            assert!(matches!(e, Unsnapped::InvalidCoordinate { .. }), "{e:?}");
            assert!(e.to_string().contains("invalid coordinate"));
        }
    }

    #[test]
    fn bad_options_and_foreign_graphs_are_errors_not_panics() {
        let g = square();
        let idx = index(&g);
        let slow = SnapOptions {
            walk_speed_kmh: 0.0,
            ..SnapOptions::default()
        };
        let e = idx.snap(&g, 2.48025, 48.8999, &slow).unwrap_err();
        assert!(e.to_string().contains("walking speed"), "{e}");
        let other = Graph::default();
        let e = idx
            .snap(&other, 2.48025, 48.8999, &SnapOptions::default())
            .unwrap_err();
        assert!(matches!(e, Unsnapped::InvalidRequest(_)), "{e:?}");
        let s = idx
            .snap(&g, 2.48025, 48.8999, &SnapOptions::default())
            .unwrap();
        assert!(s.departures(&other).is_empty());
        let mut broken = square();
        broken.pieces.geom_offsets[2] = 1;
        assert!(matches!(
            SnapIndex::new(&broken, idx.crs()),
            Err(SnapError::BadGeometry { .. })
        ));
    }

    #[test]
    fn direct_trips_follow_the_piece_direction() {
        let g = square();
        let idx = index(&g);
        let o = SnapOptions::for_graph(&g);
        let a = idx.snap(&g, 2.4811, 48.9002, &o).unwrap();
        let b = idx.snap(&g, 2.4811, 48.9008, &o).unwrap();
        assert_eq!((a.piece, b.piece), (0, 0));
        let share = b.fraction - a.fraction;
        assert_eq!(
            a.direct_to(&b, &g),
            Some((
                a.access_ms + b.access_ms + part(11_100, share),
                part(1110, share)
            ))
        );
        assert_eq!(b.direct_to(&a, &g), None);
        let c = idx.snap(&g, 2.4802, 48.8999, &o).unwrap();
        let d = idx.snap(&g, 2.4808, 48.8999, &o).unwrap();
        assert_eq!((c.piece, d.piece), (1, 1));
        let share = d.fraction - c.fraction;
        assert_eq!(
            d.direct_to(&c, &g).map(|x| x.0),
            Some(c.access_ms + d.access_ms + part(7_400, share))
        );
        assert_eq!(a.direct_to(&c, &g), None);
        assert_eq!(a.direct_to(&a, &g), Some((2 * a.access_ms, 0)));
    }

    #[test]
    fn batch_snapping_matches_one_by_one_on_any_thread_count() {
        let g = square();
        let idx = index(&g);
        let o = SnapOptions::for_graph(&g);
        let pts: Vec<(f64, f64)> = (0..200)
            .map(|i| {
                (
                    2.479 + 0.0001 * f64::from(i % 20),
                    48.8995 + 0.0002 * f64::from(i / 20),
                )
            })
            .collect();
        let one: Vec<_> = pts.iter().map(|&(x, y)| idx.snap(&g, x, y, &o)).collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| idx.snap_all(&g, &pts, &o)), one);
        assert_eq!(idx.snap_all(&g, &pts, &o), one);
        assert_eq!(idx.segment_count(), 6);
        assert_eq!(idx.pieces_without_geometry(), 0);
    }

    #[test]
    fn distances_read_well() {
        assert_eq!(metres(1834.4), "1,834");
        assert_eq!(metres(1_234_567.0), "1,234,567");
        assert_eq!(metres(999.6), "1,000");
        assert_eq!(metres(12.3), "12");
        assert_eq!(metres(3.4), "3.4");
    }

    /// The fixture square of `tests/network_fixtures.rs` through the real builder: 1 → 2
    /// one-way, 2 – 3 – 4 – 1 both ways at 36 km/h, and a two-node island far east.
    #[test]
    fn built_square_matches_the_fixture_rules() {
        use crate::network::builder::{build_graph, BuildOptions};
        use crate::network::raw::{RawNetwork, WayAttrs};
        let at = |row: f64, col: f64| (2.48 + 0.001 * col, 48.90 + 0.001 * row);
        let grid = [
            (0.0, 0.0),
            (0.0, 1.0),
            (1.0, 1.0),
            (1.0, 0.0),
            (0.0, 5.0),
            (0.0, 6.0),
        ];
        let mut raw = RawNetwork::new("car", vec!["residential".into()], vec![]);
        for &(r, c) in &grid {
            let (lon, lat) = at(r, c);
            raw.vertices.push(fix(lon, lat));
        }
        let way = |fwd: f32, bwd: f32| WayAttrs {
            class: 0,
            speed_fwd_kmh: fwd,
            speed_bwd_kmh: bwd,
            duration_s: None,
            class_speed: false,
        };
        raw.push_way(1, &[0, 1], way(36.0, 0.0));
        raw.push_way(2, &[1, 2, 3, 0], way(36.0, 36.0));
        raw.push_way(3, &[4, 5], way(36.0, 36.0));
        let (g, _) = build_graph(raw, &BuildOptions::default());
        let idx = index(&g);
        let o = SnapOptions::for_graph(&g);
        let node_at = |r: f64, c: f64| {
            let (lon, lat) = at(r, c);
            let f = fix(lon, lat);
            g.node_coords.iter().position(|&n| n == f).unwrap() as u32
        };
        let (lon1, lat1) = at(0.0, 0.0);
        let one = idx.snap(&g, lon1, lat1, &o).unwrap();
        let node1 = node_at(0.0, 0.0);
        let on_node1 = Seed {
            node: node1,
            time_ms: 0,
            len_dm: 0,
        };
        assert_eq!(one.departures(&g).as_slice(), &[on_node1]);
        // Vertex 4 is a shape point of piece 2-3-4-1: arriving there from node 1 takes the
        // 1–4 street at 10 m/s.
        let (lon4, lat4) = at(1.0, 0.0);
        let four = idx.snap(&g, lon4, lat4, &o).unwrap();
        assert_eq!(four.at_node, None);
        let from1 = four
            .arrivals(&g)
            .into_iter()
            .find(|s| s.node == node1)
            .unwrap();
        let expected = haversine((lon1, lat1), (lon4, lat4)) / 10.0;
        let got = f64::from(from1.time_ms) / 1000.0;
        assert!((got - expected).abs() < 0.005, "{got} s vs {expected} s");
        let (lon8, lat8) = at(0.0, 5.0);
        let near = SnapOptions {
            max_distance_m: 200.0,
            ..SnapOptions::for_graph(&g)
        };
        let e = idx.snap(&g, lon8, lat8, &near).unwrap_err();
        assert!(e.to_string().contains("island"), "{e}");
    }

    /// SplitMix64, for reproducible random graphs.
    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 40 random pieces of 2–5 vertices in a 0.02° box, random classes, directions and
    /// pruning; each piece has its own two nodes.
    fn random_graph(seed: u64) -> Graph {
        let mut st = seed;
        let mut unit = || (splitmix(&mut st) >> 11) as f64 / (1u64 << 53) as f64;
        let mut p = Pieces {
            geom_offsets: vec![0],
            ..Pieces::default()
        };
        let mut nodes = Vec::new();
        for i in 0..40u32 {
            let k = 2 + (unit() * 4.0) as usize;
            for _ in 0..k {
                p.geom
                    .push(fix(2.47 + 0.02 * unit(), 48.89 + 0.02 * unit()));
            }
            p.geom_offsets.push(p.geom.len() as u32);
            nodes.push(p.geom[p.geom.len() - k]);
            nodes.push(p.geom[p.geom.len() - 1]);
            let pruned = unit() < 0.15;
            p.tail.push(if pruned { NONE } else { 2 * i });
            p.head.push(if pruned { NONE } else { 2 * i + 1 });
            let dir = (unit() * 4.0) as u32;
            p.time_fwd_ms.push(if dir & 1 == 0 { 1000 } else { NONE });
            p.time_bwd_ms.push(if dir & 2 == 0 { 1000 } else { NONE });
            p.len_dm.push(100);
            p.class.push(u8::from(unit() < 0.25));
        }
        Graph::from_pieces(
            "t",
            vec!["street".into(), "motorway".into()],
            vec![true, false],
            nodes,
            p,
        )
    }

    /// Nearest eligible routable and pruned distances by brute force, with `geo`.
    fn brute_force(g: &Graph, crs: &MetricCrs, lon: f64, lat: f64) -> (f64, f64) {
        use geo::{Distance, Euclidean, Line, Point};
        let mut q = [[lon, lat]];
        crs.to_metric(&mut q).unwrap();
        let q = Point::new(q[0][0], q[0][1]);
        let (mut routable, mut pruned) = (f64::INFINITY, f64::INFINITY);
        for p in 0..g.pieces.len() {
            let travel = g.pieces.time_fwd_ms[p] != NONE || g.pieces.time_bwd_ms[p] != NONE;
            let is_routable = g.pieces.is_routable(p);
            if !g.class_snappable[usize::from(g.pieces.class[p])] || (is_routable && !travel) {
                continue;
            }
            let mut line: Vec<[f64; 2]> = g
                .pieces
                .polyline(p)
                .iter()
                .map(|c| [to_degrees(c[0]), to_degrees(c[1])])
                .collect();
            crs.to_metric(&mut line).unwrap();
            for w in line.windows(2) {
                let seg = Line::new((w[0][0], w[0][1]), (w[1][0], w[1][1]));
                let d = Euclidean.distance(&q, &seg);
                let best = if is_routable {
                    &mut routable
                } else {
                    &mut pruned
                };
                *best = best.min(d);
            }
        }
        (routable, pruned)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn snapped_distance_is_the_brute_force_minimum(
            seed in any::<u64>(),
            pts in proptest::collection::vec((2.46f64..2.50, 48.88f64..48.92), 1..20),
        ) {
            let g = random_graph(seed);
            let crs = MetricCrs::for_graph(&g).unwrap();
            let idx = SnapIndex::new(&g, &crs).unwrap();
            let opts = SnapOptions { max_distance_m: 600.0, ..SnapOptions::for_graph(&g) };
            let results = idx.snap_all(&g, &pts, &opts);
            for (&(lon, lat), r) in pts.iter().zip(&results) {
                let (routable, pruned) = brute_force(&g, &crs, lon, lat);
                let nearest = routable.min(pruned);
                match r {
                    Ok(s) => {
                        prop_assert!((s.distance_m - routable).abs() < 1e-6);
                        prop_assert!(routable <= 600.0);
                        prop_assert!((0.0..=1.0).contains(&s.fraction));
                        prop_assert!(!s.departures(&g).is_empty() && !s.arrivals(&g).is_empty());
                    }
                    Err(Unsnapped::OnPrunedIsland { distance_m }) => {
                        prop_assert!((distance_m - pruned).abs() < 1e-6);
                        prop_assert!(pruned <= 600.0 && routable > 600.0);
                    }
                    Err(Unsnapped::BeyondRadius { nearest_m: Some(m), .. }) => {
                        prop_assert!((m - nearest).abs() < 1e-6);
                        prop_assert!(nearest > 600.0);
                    }
                    Err(other) => prop_assert!(false, "unexpected {:?}", other),
                }
            }
        }
    }
}
