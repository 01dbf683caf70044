//! Filosofi 200 m cells of the demo territory (INSEE, *Revenus, pauvreté et niveau de vie en
//! 2019 — Données carroyées*; layout read by [`crate::inputs::demand::filosofi`]).
//!
//! The cells are those of the EPSG:3035 200 m grid whose centre lies in the territory's box.
//! Inhabitants: a town of population P spreads P over the cells within its street-grid
//! radius r (+150 m, so even a village has a cell), weighted `1.5 − d / (r + 150)` (denser
//! at the centre), and 0.5 P over a ring out to r + 1,200 m weighted `1 − (d − r) / 1,200`
//! (the commune is larger than its built-up centre); one countryside cell in five gets 4 to 30
//! inhabitants; cells farther than 700 m from a road open to cars stay empty. Ages: a French-like profile, younger in QPV and older in the countryside,
//! each share varied by ±20 % per cell; every band is rounded to 0.1 and `ind` is their sum.
//! Households `ind / 2.3`; poor households 12 % (38 % in QPV, 8 % in the countryside);
//! standard of living 23,500 € per inhabitant (14,500 in QPV, 25,000 in the countryside);
//! social housing 15 % of households (60 % in QPV). The published file's other columns
//! (`men_1ind`, `log_av45`…) are left out: the reader does not use them.

use super::super::rng::SplitMix64;
use super::super::SynthOsm;
use super::communes::{dist, CommuneMap, Qpv};
use crate::inputs::demand::filosofi::AGE_COLUMNS;
use crate::support::crs::Reprojector;

/// File name of the Filosofi cells.
pub const FILOSOFI_FILE: &str = "filosofi_200m.csv";

/// Cell side, metres.
const SIDE: f64 = 200.0;
/// Width of the ring of population around a town's street grid, metres.
const RING_M: f64 = 1_200.0;
/// Age profile (shares of [`AGE_COLUMNS`]), France 2019, rounded.
const AGE_PROFILE: [f64; 10] = [
    0.045, 0.024, 0.063, 0.085, 0.078, 0.18, 0.195, 0.125, 0.145, 0.06,
];

/// Setting of a cell, which shapes its ages and incomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// Inside a QPV.
    Qpv,
    /// In or around a town.
    Town,
    /// Countryside.
    Rural,
}

/// One inhabited cell.
#[derive(Clone, Debug, PartialEq)]
pub struct GridCell {
    /// Northing of the south-west corner, EPSG:3035 metres.
    pub north: i64,
    /// Easting of the south-west corner, EPSG:3035 metres.
    pub east: i64,
    /// Centre, Lambert-93 metres.
    pub l93: [f64; 2],
    /// Index of its commune.
    pub commune: usize,
    /// Inhabitants per age band ([`AGE_COLUMNS`] order), rounded to 0.1.
    pub ages: [f64; 10],
    /// Its setting.
    pub setting: Setting,
}

impl GridCell {
    /// Inhabitants: the sum of the age bands.
    pub fn ind(&self) -> f64 {
        self.ages.iter().sum()
    }

    /// Households.
    pub fn men(&self) -> f64 {
        round1(self.ind() / 2.3)
    }
}

/// The inhabited cells, in (northing, easting) order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    /// The cells.
    pub cells: Vec<GridCell>,
}

impl Grid {
    /// Inhabitants per commune (sum of `ind` of its cells), by commune index.
    pub fn population_by_commune(&self, communes: usize) -> Vec<f64> {
        let mut out = vec![0.0; communes];
        for c in &self.cells {
            out[c.commune] += c.ind();
        }
        out
    }
}

/// `v` rounded to one decimal.
pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Cells farther than this from a road open to cars (other than motorways
/// and trunks) stay empty, metres: in France nearly everyone lives along a lane.
const RURAL_ROAD_M: f64 = 700.0;

/// Segments (Lambert-93 metres) of the generated roads a house may stand on: every
/// `highway` way but motorways and trunks.
fn snappable_roads(
    osm: &SynthOsm,
    map: &CommuneMap,
) -> Result<rstar::RTree<rstar::primitives::Line<[f64; 2]>>, super::SynthError> {
    let by_id: std::collections::HashMap<i64, [f64; 2]> = osm
        .nodes
        .iter()
        .map(|n| (n.id, [f64::from(n.lon) * 1e-7, f64::from(n.lat) * 1e-7]))
        .collect();
    let mut lines = Vec::new();
    for w in &osm.ways {
        let highway = w
            .tags
            .iter()
            .find(|(k, _)| k == "highway")
            .map(|(_, v)| v.as_str());
        if matches!(
            highway,
            None | Some("motorway" | "trunk" | "motorway_link" | "trunk_link")
        ) {
            continue;
        }
        let mut pts: Vec<[f64; 2]> = w
            .refs
            .iter()
            .filter_map(|r| by_id.get(r).copied())
            .collect();
        map.l93.from_wgs84(&mut pts)?;
        lines.extend(
            pts.windows(2)
                .map(|p| rstar::primitives::Line::new(p[0], p[1])),
        );
    }
    Ok(rstar::RTree::bulk_load(lines))
}

/// Whether a road of `roads` passes within [`RURAL_ROAD_M`] of `p` (Lambert-93 metres).
fn near_road(roads: &rstar::RTree<rstar::primitives::Line<[f64; 2]>>, p: [f64; 2]) -> bool {
    roads
        .locate_within_distance(p, RURAL_ROAD_M * RURAL_ROAD_M)
        .next()
        .is_some()
}

/// Lays out the inhabited cells.
pub fn cells(
    osm: &SynthOsm,
    map: &CommuneMap,
    qpv: &[Qpv],
    seed: u64,
) -> Result<Grid, super::SynthError> {
    let laea = Reprojector::from_epsg(3035)?;
    let b = map.bbox;
    let mut corners = [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]];
    map.l93.to_wgs84(&mut corners)?;
    laea.from_wgs84(&mut corners)?;
    let snap = |v: f64| (v / SIDE).floor() as i64 * SIDE as i64;
    let (e0, e1) = (
        snap(corners.iter().map(|c| c[0]).fold(f64::INFINITY, f64::min)),
        snap(
            corners
                .iter()
                .map(|c| c[0])
                .fold(f64::NEG_INFINITY, f64::max),
        ),
    );
    let (n0, n1) = (
        snap(corners.iter().map(|c| c[1]).fold(f64::INFINITY, f64::min)),
        snap(
            corners
                .iter()
                .map(|c| c[1])
                .fold(f64::NEG_INFINITY, f64::max),
        ),
    );
    let mut corners_sw: Vec<(i64, i64)> = Vec::new();
    let mut centres: Vec<[f64; 2]> = Vec::new();
    for n in (n0..=n1).step_by(SIDE as usize) {
        for e in (e0..=e1).step_by(SIDE as usize) {
            corners_sw.push((n, e));
            centres.push([e as f64 + SIDE / 2.0, n as f64 + SIDE / 2.0]);
        }
    }
    laea.to_wgs84(&mut centres)?;
    map.l93.from_wgs84(&mut centres)?;
    let keep: Vec<usize> = (0..centres.len())
        .filter(|&i| map.in_box(centres[i]))
        .collect();

    let mut ind = vec![0.0; keep.len()];
    let mut near_town = vec![false; keep.len()];
    for (t, town) in osm.towns.iter().enumerate() {
        let (c, r) = map.towns[t];
        let core_r = r + 150.0;
        let weights = |ring: bool| -> Vec<f64> {
            keep.iter()
                .map(|&i| {
                    let d = dist(c, centres[i]);
                    match ring {
                        false if d < core_r => 1.5 - d / core_r,
                        true if d >= core_r && d < r + RING_M => 1.0 - (d - r) / RING_M,
                        _ => 0.0,
                    }
                })
                .collect()
        };
        for (ring, total) in [(false, 1.0), (true, 0.5)] {
            let w = weights(ring);
            let sum: f64 = w.iter().sum();
            if sum > 0.0 {
                for (k, wk) in w.iter().enumerate() {
                    if *wk > 0.0 {
                        ind[k] += total * f64::from(town.population) * wk / sum;
                        near_town[k] = true;
                    }
                }
            }
        }
    }
    let roads = snappable_roads(osm, map)?;
    let mut rng = SplitMix64::derive(seed, 900_000_002);
    let mut grid = Grid::default();
    for (k, &i) in keep.iter().enumerate() {
        let rural_draw = rng.chance(0.2);
        let rural_pop = rng.range(4.0, 30.0);
        let mut jitter = [0.0; 10];
        for j in &mut jitter {
            *j = rng.range(0.8, 1.2);
        }
        let setting = if qpv.iter().any(|q| q.contains(centres[i])) {
            Setting::Qpv
        } else if near_town[k] {
            Setting::Town
        } else {
            Setting::Rural
        };
        let people = if !near_road(&roads, centres[i]) {
            0.0
        } else if near_town[k] {
            ind[k]
        } else if rural_draw {
            rural_pop
        } else {
            0.0
        };
        let mut shares = AGE_PROFILE;
        match setting {
            Setting::Qpv => shares.iter_mut().take(6).for_each(|s| *s *= 1.3),
            Setting::Rural => shares.iter_mut().skip(7).for_each(|s| *s *= 1.3),
            Setting::Town => {}
        }
        for (s, j) in shares.iter_mut().zip(jitter) {
            *s *= j;
        }
        let total: f64 = shares.iter().sum();
        let ages: [f64; 10] = std::array::from_fn(|a| round1(people * shares[a] / total));
        let cell = GridCell {
            north: corners_sw[i].0,
            east: corners_sw[i].1,
            l93: centres[i],
            commune: map.commune_at(centres[i]),
            ages,
            setting,
        };
        if cell.ind() > 0.0 {
            grid.cells.push(cell);
        }
    }
    Ok(grid)
}

/// `filosofi_200m.csv`: the cells in the published column names.
pub fn filosofi_csv(map: &CommuneMap, grid: &Grid) -> Vec<u8> {
    let mut s = format!(
        "idcar_200m,idcar_1km,idcar_nat,i_est_200,i_est_1km,lcog_geo,ind,men,men_pauv,ind_snv,log_soc,{},ind_inc\n",
        AGE_COLUMNS.join(",")
    );
    for c in &grid.cells {
        let (poor, snv, social) = match c.setting {
            Setting::Qpv => (0.38, 14_500.0, 0.6),
            Setting::Town => (0.12, 23_500.0, 0.15),
            Setting::Rural => (0.08, 25_000.0, 0.02),
        };
        let men = c.men();
        let km = |v: i64| v.div_euclid(1_000) * 1_000;
        let ages: Vec<String> = c.ages.iter().map(|a| format!("{a:.1}")).collect();
        s.push_str(&format!(
            "CRS3035RES200mN{n}E{e},CRS3035RES1000mN{kn}E{ke},CRS3035RES1000mN{kn}E{ke},0,0,{},{:.1},{:.1},{:.1},{:.1},{:.1},{},0.0\n",
            map.communes[c.commune].code,
            c.ind(),
            men,
            round1(men * poor),
            round1(c.ind() * snv),
            round1(men * social),
            ages.join(","),
            n = c.north,
            e = c.east,
            kn = km(c.north),
            ke = km(c.east),
        ));
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inhabitants_are_the_sum_of_the_rounded_age_bands() {
        let cell = GridCell {
            north: 2_891_800,
            east: 3_770_600,
            l93: [0.0, 0.0],
            commune: 0,
            ages: [
                round1(1.04),
                0.5,
                1.0,
                2.0,
                3.0,
                4.0,
                5.0,
                6.0,
                7.0,
                round1(8.06),
            ],
            setting: Setting::Town,
        };
        assert!((cell.ind() - 37.6).abs() < 1e-9);
        assert_eq!(cell.men(), 16.3);
    }
}
