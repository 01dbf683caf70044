//! The intermediate road network every reader produces and the graph builder consumes.
//!
//! A reader (OSM PBF/XML in [`super::osm`], GDAL line layers in [`super::lines`]) applies a
//! [`super::profile::Profile`] to its source and emits *ways*: polylines over shared
//! vertices, each with a road class, the speed allowed in each direction and, for ferries, a
//! fixed duration. Vertices are shared between ways where the source says they are the same
//! point (same OSM node id; same coordinates for line layers): that sharing is what makes
//! intersections. [`super::builder`] then turns the ways into the compact routing graph.

/// Fixed-point scale of stored coordinates: 1 unit = 1e-7 degree (as in OSM), about 1 cm.
pub const COORD_SCALE: f64 = 1e7;

/// Converts degrees to the fixed-point representation (1e-7 degree units).
pub fn to_fixed(deg: f64) -> i32 {
    (deg * COORD_SCALE).round() as i32
}

/// Converts a fixed-point coordinate (1e-7 degree units) back to degrees.
pub fn to_degrees(fixed: i32) -> f64 {
    f64::from(fixed) / COORD_SCALE
}

/// What a profile decided for one way: its class and how it may be travelled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WayAttrs {
    /// Index into [`RawNetwork::class_names`].
    pub class: u8,
    /// Speed in km/h in the direction of the vertex list; 0 means "not allowed this way".
    pub speed_fwd_kmh: f32,
    /// Speed in km/h against the direction of the vertex list; 0 means "not allowed".
    pub speed_bwd_kmh: f32,
    /// Total time in seconds to travel the whole way (ferries with a `duration`, plus
    /// boarding); when set it replaces the speed, shared along the way by length.
    pub duration_s: Option<f32>,
    /// Whether the speeds are the profile's class default (no `maxspeed` or speed attribute
    /// applied): inside a built-up area the profile's urban default replaces them
    /// ([`super::context`]).
    pub class_speed: bool,
}

impl WayAttrs {
    /// Whether the way can be travelled in at least one direction.
    pub fn is_travelable(&self) -> bool {
        self.speed_fwd_kmh > 0.0 || self.speed_bwd_kmh > 0.0
    }
}

/// Whether an OSM turn restriction forbids the turns it names (`no_*`) or forbids every
/// other turn from its `from` way (`only_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestrictionKind {
    /// `no_left_turn`, `no_right_turn`, `no_straight_on`, `no_u_turn`, `no_entry`,
    /// `no_exit`: the turns from a `from` way to a `to` way are forbidden.
    No,
    /// `only_left_turn`, `only_right_turn`, `only_straight_on`, `only_u_turn`: from the
    /// `from` way, only the turn onto the `to` way is allowed.
    Only,
}

/// A turn restriction as read from an OSM relation (`type=restriction`) that applies to the
/// profile's mode, its members still named by OSM id (way ids) or vertex (the via node).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRestriction {
    /// OSM relation id, for reports.
    pub id: i64,
    /// `no_*` or `only_*`.
    pub kind: RestrictionKind,
    /// OSM ids of the `from` ways.
    pub from: Vec<i64>,
    /// Vertex of the `via` node ([`RawNetwork::vertices`] index), or [`None`] when the
    /// via node is not on any way the profile kept.
    pub via: Option<u32>,
    /// OSM ids of the `to` ways.
    pub to: Vec<i64>,
}

/// Ways over shared vertices, in WGS84, as produced by a reader.
///
/// Ways are stored flat: way `w` uses `way_vertices[way_offsets[w]..way_offsets[w + 1]]`.
#[derive(Clone, Debug, Default)]
pub struct RawNetwork {
    /// Name of the profile that produced it ("car", "walk"…).
    pub profile_name: String,
    /// Road class names; [`WayAttrs::class`] indexes this list.
    pub class_names: Vec<String>,
    /// Names of the classes a point may not be snapped onto (motorways…), from the profile.
    pub snap_excluded: Vec<String>,
    /// Vertex coordinates `[lon, lat]` in 1e-7 degree units.
    pub vertices: Vec<[i32; 2]>,
    /// Start of each way in `way_vertices`; one more entry than there are ways.
    pub way_offsets: Vec<u32>,
    /// Vertex indices of all ways, concatenated.
    pub way_vertices: Vec<u32>,
    /// Attributes of each way.
    pub way_attrs: Vec<WayAttrs>,
    /// Source identifier of each way (OSM way id, feature id of a line layer), for reports.
    pub way_ids: Vec<i64>,
    /// Turn restrictions read with the ways (OSM only), in relation id order.
    pub restrictions: Vec<RawRestriction>,
    /// What the reader left out, counted by reason (for the build report).
    pub skipped: Vec<(String, u64)>,
}

impl RawNetwork {
    /// An empty network for the given profile name and classes.
    pub fn new(profile_name: &str, class_names: Vec<String>, snap_excluded: Vec<String>) -> Self {
        RawNetwork {
            profile_name: profile_name.to_string(),
            class_names,
            snap_excluded,
            way_offsets: vec![0],
            ..Default::default()
        }
    }

    /// Number of ways.
    pub fn way_count(&self) -> usize {
        self.way_attrs.len()
    }

    /// Vertex indices of way `w`.
    pub fn way(&self, w: usize) -> &[u32] {
        &self.way_vertices[self.way_offsets[w] as usize..self.way_offsets[w + 1] as usize]
    }

    /// Appends a way; `vertices` are indices into [`RawNetwork::vertices`]. Ways with fewer
    /// than two vertices are counted under "way with fewer than 2 nodes" and not added.
    pub fn push_way(&mut self, id: i64, vertices: &[u32], attrs: WayAttrs) {
        if vertices.len() < 2 {
            self.count_skip("way with fewer than 2 nodes");
            return;
        }
        self.way_vertices.extend_from_slice(vertices);
        self.way_offsets.push(self.way_vertices.len() as u32);
        self.way_attrs.push(attrs);
        self.way_ids.push(id);
    }

    /// Counts one object left out for `reason`.
    pub fn count_skip(&mut self, reason: &str) {
        match self.skipped.iter_mut().find(|(r, _)| r == reason) {
            Some((_, n)) => *n += 1,
            None => self.skipped.push((reason.to_string(), 1)),
        }
    }
}
