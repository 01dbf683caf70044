//! Deterministic synthetic territories: a road network with towns, villages and care
//! points of interest, written as real OpenStreetMap files (XML 0.6 and PBF).
//!
//! Used by the bundled demo and the tests (a small territory around lon 2.45, lat 48.90,
//! [`RoadNetworkSpec::small`]) and by the national benchmark (a France-sized network,
//! [`RoadNetworkSpec::national`], since no real national extract ships with the project).
//!
//! What [`generate`] lays out, in this order (node and way ids are allocated in that order,
//! from 1):
//! 1. **Places** ([`places`]): towns and villages, largest first, with a street-grid radius
//!    growing with the square root of the population.
//! 2. **Streets** ([`streets`]): per place, a rotated, slightly jittered street grid; main
//!    avenues every sixth line (`secondary`/`tertiary`), the rest `residential` with mixed
//!    `maxspeed` (`30`, `FR:zone30`, `FR:urban`, `50`, none); some one-way streets (`oneway=yes`
//!    either way round, and `oneway=-1`); dead-end streets; a roundabout at the centre of
//!    towns; a few `access=private` service roads; hamlets around the place.
//! 3. **Lake** ([`water`]): optionally a `natural=water` polygon, a ferry (`route=ferry` with
//!    `duration`) across it, and an island of streets connected to nothing.
//! 4. **Roads** ([`roads`]): each place linked to its nearest places (class from the smaller
//!    population: `primary` → `unclassified`), the largest linked to each other, then
//!    motorways (two one-way carriageways, `motorway_link` ramps, `motorway_junction` nodes)
//!    joining the largest places.
//! 5. **Points of interest** ([`pois`]): `place=*` nodes, pharmacies, GP practices,
//!    radiology practices and hospitals, in proportion to the population.
//!
//! Every random draw comes from [`rng::SplitMix64`] seeded by the spec, and every
//! coordinate from arithmetic that is exact IEEE 754 ([`plane`]): a spec gives the same
//! bytes on every machine.

mod canvas;
pub mod datasets;
pub mod pbf;
pub mod places;
pub mod plane;
pub mod pois;
pub mod protobuf;
pub mod rng;
pub mod roads;
pub mod spec;
pub mod stats;
pub mod streets;
pub mod water;
pub mod xml;

pub use pbf::{write_pbf, write_pbf_to};
pub use spec::{LakeSpec, RoadNetworkSpec, SpecError};
pub use stats::RoadStats;
pub use xml::write_osm_xml;

/// OSM tags of an element, `(key, value)` in the order they are written.
pub type Tags = Vec<(String, String)>;

/// An OSM node: id and position in 1e-7 degree units (as in OSM and
/// [`crate::network::raw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthNode {
    /// OSM node id (positive, increasing in generation order).
    pub id: i64,
    /// Longitude, 1e-7 degree.
    pub lon: i32,
    /// Latitude, 1e-7 degree.
    pub lat: i32,
}

/// An OSM way: id, node ids in order, tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthWay {
    /// OSM way id (positive, increasing in generation order).
    pub id: i64,
    /// Node ids of its vertices, in order (a closed way repeats its first node).
    pub refs: Vec<i64>,
    /// Tags (`highway`, `oneway`, `maxspeed`, `name`…).
    pub tags: Tags,
}

/// Size class of a place, as the OSM `place` tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceKind {
    /// 100,000 inhabitants or more (`place=city`).
    City,
    /// 5,000 to 99,999 inhabitants (`place=town`).
    Town,
    /// Fewer than 5,000 inhabitants (`place=village`).
    Village,
}

impl PlaceKind {
    /// The OSM `place` value.
    pub fn osm_value(self) -> &'static str {
        match self {
            PlaceKind::City => "city",
            PlaceKind::Town => "town",
            PlaceKind::Village => "village",
        }
    }
}

/// A town or village of the territory, for the steps that place population and care.
#[derive(Clone, Debug, PartialEq)]
pub struct Town {
    /// Generated French-looking name, unique in the territory.
    pub name: String,
    /// Centre longitude, degrees.
    pub lon: f64,
    /// Centre latitude, degrees.
    pub lat: f64,
    /// Radius of its street grid, metres (hamlets lie up to about 2.5 km beyond it).
    pub radius_m: f64,
    /// Inhabitants.
    pub population: u32,
    /// Size class.
    pub kind: PlaceKind,
}

/// A generated territory: OSM nodes and ways plus the places they serve.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SynthOsm {
    /// All nodes, sorted by id (road vertices and points of interest alike).
    pub nodes: Vec<SynthNode>,
    /// Tags of the few nodes that have some (points of interest, places, motorway
    /// junctions), sorted by node id.
    pub node_tags: Vec<(i64, Tags)>,
    /// All ways, sorted by id.
    pub ways: Vec<SynthWay>,
    /// The towns and villages, largest first.
    pub towns: Vec<Town>,
    /// Places that had to be laid closer than the usual gap to another (a crowded spec).
    pub crowded_places: usize,
}

impl SynthOsm {
    /// Bounding box of the nodes `[min lon, min lat, max lon, max lat]` in 1e-7 degree;
    /// `None` when there are no nodes.
    pub fn bounds(&self) -> Option<[i32; 4]> {
        let first = self.nodes.first()?;
        Some(
            self.nodes
                .iter()
                .fold([first.lon, first.lat, first.lon, first.lat], |b, n| {
                    [
                        b[0].min(n.lon),
                        b[1].min(n.lat),
                        b[2].max(n.lon),
                        b[3].max(n.lat),
                    ]
                }),
        )
    }

    /// Tags of node `id` (empty when it has none).
    pub fn tags_of_node(&self, id: i64) -> &[(String, String)] {
        match self.node_tags.binary_search_by_key(&id, |(i, _)| *i) {
            Ok(k) => &self.node_tags[k].1,
            Err(_) => &[],
        }
    }

    /// Nodes with their tags, in id order: what both writers emit.
    pub fn tagged_nodes(&self) -> impl Iterator<Item = (&SynthNode, &[(String, String)])> {
        let mut t = 0;
        self.nodes.iter().map(move |n| {
            while t < self.node_tags.len() && self.node_tags[t].0 < n.id {
                t += 1;
            }
            match self.node_tags.get(t) {
                Some((id, tags)) if *id == n.id => (n, tags.as_slice()),
                _ => (n, &[][..]),
            }
        })
    }
}

/// Generates the territory of a ready-made spec ([`RoadNetworkSpec::small`],
/// [`RoadNetworkSpec::national`]) or of any spec already known to pass
/// [`RoadNetworkSpec::check`]; see [`try_generate`] for specs built from user input.
///
/// # Panics
/// If `spec` fails [`RoadNetworkSpec::check`] (a programming error, never the case for the
/// ready-made specs, which a test checks).
pub fn generate(spec: &RoadNetworkSpec) -> SynthOsm {
    match try_generate(spec) {
        Ok(osm) => osm,
        Err(e) => panic!("{e}"),
    }
}

/// Generates the territory described by `spec` (see the module documentation for what it
/// contains), after checking its parameters. Same spec, same result, on every machine.
pub fn try_generate(spec: &RoadNetworkSpec) -> Result<SynthOsm, SpecError> {
    spec.check()?;
    let b = spec.bbox;
    let frame = plane::Frame {
        lon0: (b[0] + b[2]) / 2.0,
        lat0: (b[1] + b[3]) / 2.0,
    };
    let (places, crowded_places) = places::lay_out(spec, &frame);
    let mut cv = canvas::Canvas::new(frame);
    let nets: Vec<streets::PlaceNet> = places
        .iter()
        .enumerate()
        .map(|(i, p)| streets::place_streets(&mut cv, spec, p, i))
        .collect();
    for (i, (p, net)) in places.iter().zip(&nets).enumerate() {
        streets::hamlets(&mut cv, spec, p, net, i);
    }
    if let Some(lake) = &spec.lake {
        water::lake(&mut cv, spec, lake, &places, &nets);
    }
    roads::links(&mut cv, spec, &places, &nets);
    roads::motorways(&mut cv, spec, &places, &nets);
    pois::pois(&mut cv, spec, &places, &nets);
    let (nodes, node_tags, ways) = cv.finish();
    Ok(SynthOsm {
        nodes,
        node_tags,
        ways,
        towns: places.into_iter().map(|p| p.town).collect(),
        crowded_places,
    })
}

#[cfg(test)]
mod tests;
