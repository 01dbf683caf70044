//! Communes tiling the demo territory, and QPV inside the densest ones.
//!
//! Seeds: every town or village of the territory, plus rural seeds on a 3 km grid jittered
//! by up to 800 m, kept when 1.8 km clear of every town's street grid and of each other.
//! A commune is the Voronoi cell of its seed (the points nearer to it than to any other
//! seed, in Lambert-93 metres) clipped to the territory's box: each cell is the box cut by
//! the half-planes `(b − a)·p ≤ (|b|² − |a|²) / 2` of the other seeds `b`
//! (Sutherland–Hodgman clipping), so cells are convex, valid and tile the box.
//!
//! Written as IGN ADMIN EXPRESS (`COMMUNE` layer, Lambert-93 declared as
//! `urn:ogc:def:crs:EPSG::2154`, fields `ID`, `NOM`, `NOM_M`, `INSEE_COM`, `STATUT`,
//! `POPULATION`, `INSEE_DEP`; coordinates to the centimetre); QPV as the ANCT 2024 list
//! (WGS84, `code_qp`, `lib_qp`, `insee_com`, `lib_com`, `insee_dep`): a square of 500 to
//! 700 m side 40 % of the radius away from the centre of each of the three largest towns,
//! two in the largest.

use super::super::rng::SplitMix64;
use super::super::SynthOsm;
use super::cells::Grid;
use super::DEPARTEMENT;
use crate::support::crs::{Reprojector, LAMBERT93_EPSG};

/// File name of the communes layer.
pub const COMMUNES_FILE: &str = "communes.geojson";
/// File name of the QPV layer.
pub const QPV_FILE: &str = "qpv.geojson";

/// Spacing of the rural seed grid, metres.
const RURAL_SPACING_M: f64 = 3_000.0;
/// Clearance of a rural seed from town grids and other seeds, metres.
const RURAL_CLEARANCE_M: f64 = 1_800.0;
/// Names of rural communes, used in order.
const RURAL_NAMES: [&str; 24] = [
    "Les Essarts",
    "Champrond",
    "Boissière",
    "La Houssaye",
    "Mesnil-Aubert",
    "Fontenelle",
    "Villiers-le-Sec",
    "Le Plessis-Vert",
    "Saint-Aubin-des-Prés",
    "Courtry-le-Bas",
    "Gressy",
    "La Chapelle-aux-Bois",
    "Marolles",
    "Orgeval",
    "Thieux",
    "Vinantes",
    "Le Mesnil-Simon",
    "Moussy",
    "Longperrier",
    "Ver-sur-Launette",
    "Othis",
    "Juilly",
    "Nantouillet",
    "Cuisy",
];

/// One commune of the demo territory.
#[derive(Clone, Debug, PartialEq)]
pub struct Commune {
    /// INSEE code (`93901`…).
    pub code: String,
    /// Name (the town's, or a rural name).
    pub name: String,
    /// Postcode (`939xx`).
    pub postcode: String,
    /// Seed: the town centre or the rural seed, Lambert-93 metres.
    pub seed: [f64; 2],
    /// Index of its town in [`SynthOsm::towns`], `None` for a rural commune.
    pub town: Option<usize>,
    /// Its cell: an open ring of Lambert-93 vertices, counter-clockwise.
    pub ring: Vec<[f64; 2]>,
}

/// The communes and the Lambert-93 frame shared by every file.
#[derive(Debug)]
pub struct CommuneMap {
    /// Communes: towns largest first, then rural ones.
    pub communes: Vec<Commune>,
    /// Territory box in Lambert-93 `[min x, min y, max x, max y]`, metres.
    pub bbox: [f64; 4],
    /// Town centres in Lambert-93 and street-grid radii (metres), in [`SynthOsm::towns`] order.
    pub towns: Vec<([f64; 2], f64)>,
    /// WGS84 ↔ Lambert-93.
    pub l93: Reprojector,
}

impl CommuneMap {
    /// Lays out the communes of `osm`.
    pub fn build(osm: &SynthOsm, seed: u64) -> Result<Self, super::SynthError> {
        let l93 = Reprojector::from_epsg(LAMBERT93_EPSG)?;
        let b = osm.bounds().ok_or(super::SynthError::Empty)?;
        let deg = |v: i32| f64::from(v) * 1e-7;
        let mut corners = [
            [deg(b[0]), deg(b[1])],
            [deg(b[2]), deg(b[1])],
            [deg(b[2]), deg(b[3])],
            [deg(b[0]), deg(b[3])],
        ];
        l93.from_wgs84(&mut corners)?;
        let bbox = [
            corners
                .iter()
                .map(|c| c[0])
                .fold(f64::INFINITY, f64::min)
                .floor(),
            corners
                .iter()
                .map(|c| c[1])
                .fold(f64::INFINITY, f64::min)
                .floor(),
            corners
                .iter()
                .map(|c| c[0])
                .fold(f64::NEG_INFINITY, f64::max)
                .ceil(),
            corners
                .iter()
                .map(|c| c[1])
                .fold(f64::NEG_INFINITY, f64::max)
                .ceil(),
        ];
        let mut centres: Vec<[f64; 2]> = osm.towns.iter().map(|t| [t.lon, t.lat]).collect();
        l93.from_wgs84(&mut centres)?;
        let towns: Vec<([f64; 2], f64)> = centres
            .iter()
            .zip(&osm.towns)
            .map(|(c, t)| (*c, t.radius_m))
            .collect();
        let mut seeds: Vec<([f64; 2], Option<usize>)> = centres
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, Some(i)))
            .collect();
        let mut rng = SplitMix64::derive(seed, 900_000_001);
        let mut y = bbox[1] + RURAL_SPACING_M / 2.0;
        while y < bbox[3] {
            let mut x = bbox[0] + RURAL_SPACING_M / 2.0;
            while x < bbox[2] {
                let p = [x + rng.range(-800.0, 800.0), y + rng.range(-800.0, 800.0)];
                let clear_towns = towns
                    .iter()
                    .all(|(c, r)| dist(*c, p) >= r + RURAL_CLEARANCE_M);
                let clear_seeds = seeds.iter().all(|(s, _)| dist(*s, p) >= RURAL_CLEARANCE_M);
                let inside = p[0] > bbox[0] && p[0] < bbox[2] && p[1] > bbox[1] && p[1] < bbox[3];
                if clear_towns && clear_seeds && inside {
                    seeds.push((p, None));
                }
                x += RURAL_SPACING_M;
            }
            y += RURAL_SPACING_M;
        }
        let box_ring = vec![
            [bbox[0], bbox[1]],
            [bbox[2], bbox[1]],
            [bbox[2], bbox[3]],
            [bbox[0], bbox[3]],
        ];
        let mut rural = 0;
        let communes = seeds
            .iter()
            .enumerate()
            .map(|(i, (s, town))| {
                let mut ring = box_ring.clone();
                for (j, (o, _)) in seeds.iter().enumerate() {
                    if j != i {
                        ring = clip(&ring, *s, *o);
                    }
                }
                let name = match town {
                    Some(t) => osm.towns[*t].name.clone(),
                    None => {
                        rural += 1;
                        match RURAL_NAMES.get(rural - 1) {
                            Some(n) => n.to_string(),
                            None => format!("Écart {rural}"),
                        }
                    }
                };
                Commune {
                    code: format!("{DEPARTEMENT}{}", 901 + i),
                    name,
                    postcode: format!("{DEPARTEMENT}9{:02}", i + 1),
                    seed: *s,
                    town: *town,
                    ring,
                }
            })
            .collect();
        Ok(CommuneMap {
            communes,
            bbox,
            towns,
            l93,
        })
    }

    /// Index of the commune holding Lambert-93 point `p`: the nearest seed (ties to the
    /// first), which is the Voronoi cell holding it.
    pub fn commune_at(&self, p: [f64; 2]) -> usize {
        let mut best = (0, f64::INFINITY);
        for (i, c) in self.communes.iter().enumerate() {
            let d = dist(c.seed, p);
            if d < best.1 {
                best = (i, d);
            }
        }
        best.0
    }

    /// Whether Lambert-93 point `p` lies in the territory's box.
    pub fn in_box(&self, p: [f64; 2]) -> bool {
        p[0] >= self.bbox[0] && p[0] <= self.bbox[2] && p[1] >= self.bbox[1] && p[1] <= self.bbox[3]
    }
}

/// Euclidean distance, metres.
pub fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// The part of convex ring `ring` nearer to `a` than to `b` (Sutherland–Hodgman against
/// the perpendicular bisector).
fn clip(ring: &[[f64; 2]], a: [f64; 2], b: [f64; 2]) -> Vec<[f64; 2]> {
    let n = [b[0] - a[0], b[1] - a[1]];
    let k = (b[0] * b[0] + b[1] * b[1] - a[0] * a[0] - a[1] * a[1]) / 2.0;
    let side = |p: [f64; 2]| n[0] * p[0] + n[1] * p[1] - k;
    let mut out = Vec::with_capacity(ring.len() + 1);
    for (i, &p) in ring.iter().enumerate() {
        let q = ring[(i + 1) % ring.len()];
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp < 0.0 && sq > 0.0) || (sp > 0.0 && sq < 0.0) {
            let t = sp / (sp - sq);
            out.push([p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t]);
        }
    }
    out
}

/// A QPV: its code, name, commune index and square (open ring, Lambert-93, counter-clockwise).
#[derive(Clone, Debug, PartialEq)]
pub struct Qpv {
    /// `QN0939xM` code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Index of its commune in [`CommuneMap::communes`].
    pub commune: usize,
    /// Its square, Lambert-93 metres.
    pub ring: Vec<[f64; 2]>,
}

impl Qpv {
    /// Whether Lambert-93 point `p` is inside the square.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        let (lo, hi) = (self.ring[0], self.ring[2]);
        p[0] >= lo[0] && p[0] <= hi[0] && p[1] >= lo[1] && p[1] <= hi[1]
    }
}

/// QPV names, used in order.
const QPV_NAMES: [&str; 4] = [
    "Les Courtilles",
    "Cité des Tilleuls",
    "La Noue",
    "Les Grands Champs",
];

/// Lays out the QPV: two in the largest town, one in each of the next two (fewer when the
/// territory has fewer towns).
pub fn qpv(map: &CommuneMap) -> Vec<Qpv> {
    // Directions (unit vectors) of the QPV from their town centre.
    let spots: [(usize, [f64; 2]); 4] = [
        (0, [0.6, 0.8]),
        (0, [-0.8, -0.6]),
        (1, [1.0, 0.0]),
        (2, [0.0, -1.0]),
    ];
    spots
        .iter()
        .filter_map(|&(town, d)| {
            let commune = map.communes.iter().position(|c| c.town == Some(town))?;
            let (c, r) = map.towns[town];
            let centre = [c[0] + d[0] * 0.4 * r, c[1] + d[1] * 0.4 * r];
            let half = (r * 0.15).clamp(250.0, 350.0);
            Some((commune, centre, half))
        })
        .enumerate()
        .map(|(k, (commune, m, h))| Qpv {
            code: format!("QN0{DEPARTEMENT}9{}M", k + 1),
            name: QPV_NAMES[k].to_string(),
            commune,
            ring: vec![
                [m[0] - h, m[1] - h],
                [m[0] + h, m[1] - h],
                [m[0] + h, m[1] + h],
                [m[0] - h, m[1] + h],
            ],
        })
        .collect()
}

/// A closed GeoJSON ring of `ring` with `decimals` decimals.
fn ring_json(ring: &[[f64; 2]], decimals: usize) -> String {
    let pts: Vec<String> = ring
        .iter()
        .chain(ring.first())
        .map(|p| format!("[{:.d$}, {:.d$}]", p[0], p[1], d = decimals))
        .collect();
    format!("[[{}]]", pts.join(", "))
}

/// Text escaped for a JSON string.
fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// `communes.geojson`: the communes in the ADMIN EXPRESS layout, Lambert-93, population the
/// rounded sum of their Filosofi cells.
pub fn communes_geojson(map: &CommuneMap, grid: &Grid) -> Vec<u8> {
    let pops = grid.population_by_commune(map.communes.len());
    let mut s = String::from("{\n\"type\": \"FeatureCollection\",\n\"name\": \"COMMUNE\",\n\"crs\": { \"type\": \"name\", \"properties\": { \"name\": \"urn:ogc:def:crs:EPSG::2154\" } },\n\"features\": [\n");
    let features: Vec<String> = map
        .communes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{{ \"type\": \"Feature\", \"properties\": {{ \"ID\": \"COMMUNE_{:016}\", \"NOM\": {}, \"NOM_M\": {}, \"INSEE_COM\": \"{}\", \"STATUT\": \"Commune simple\", \"POPULATION\": {}, \"INSEE_DEP\": \"{DEPARTEMENT}\" }}, \"geometry\": {{ \"type\": \"Polygon\", \"coordinates\": {} }} }}",
                9_900_000 + i,
                json_str(&c.name),
                json_str(&c.name.to_uppercase()),
                c.code,
                pops[i].round() as u64,
                ring_json(&c.ring, 2)
            )
        })
        .collect();
    s.push_str(&features.join(",\n"));
    s.push_str("\n]\n}\n");
    s.into_bytes()
}

/// `qpv.geojson`: the QPV in the ANCT 2024 layout, WGS84 (7 decimals).
pub fn qpv_geojson(map: &CommuneMap, qpv: &[Qpv]) -> Result<Vec<u8>, super::SynthError> {
    let mut s = String::from(
        "{\n\"type\": \"FeatureCollection\",\n\"name\": \"QP2024_France_hexagonale_WGS84\",\n\"features\": [\n",
    );
    let mut features = Vec::with_capacity(qpv.len());
    for q in qpv {
        let mut ring = q.ring.clone();
        map.l93.to_wgs84(&mut ring)?;
        let c = &map.communes[q.commune];
        features.push(format!(
            "{{ \"type\": \"Feature\", \"properties\": {{ \"code_qp\": \"{}\", \"lib_qp\": {}, \"insee_com\": \"{}\", \"lib_com\": {}, \"insee_dep\": \"{DEPARTEMENT}\" }}, \"geometry\": {{ \"type\": \"MultiPolygon\", \"coordinates\": [{}] }} }}",
            q.code,
            json_str(&q.name),
            c.code,
            json_str(&c.name),
            ring_json(&ring, 7)
        ));
    }
    s.push_str(&features.join(",\n"));
    s.push_str("\n]\n}\n");
    Ok(s.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_a_square_by_a_bisector_keeps_the_near_half() {
        let square = vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        let half = clip(&square, [0.5, 1.0], [1.5, 1.0]);
        assert_eq!(half, vec![[0.0, 0.0], [1.0, 0.0], [1.0, 2.0], [0.0, 2.0]]);
    }

    #[test]
    fn rings_are_closed_with_fixed_decimals() {
        assert_eq!(
            ring_json(&[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]], 2),
            "[[[0.00, 0.00], [1.00, 0.00], [1.00, 1.00], [0.00, 0.00]]]"
        );
    }
}
