//! Base Adresse Nationale file of the demo territory (`adresses-93.csv`, layout of the BAN's
//! per-département CSV as read by [`crate::inputs::geocode::ban`]).
//!
//! Streets are the generated named roads (every `highway` way with a `name`, motorways
//! aside), grouped by name within the commune holding the middle vertex of each way (way id
//! order). House numbers run along each street's ways: every 30 m from 15 m, odd numbers
//! 8 m to the left of the road, even ones 8 m to the right, at most 40 per street; every
//! seventh odd number also has a `bis` 4 m further along. Positions are written in
//! Lambert-93 (`x`, `y`, centimetres) and WGS84 (`lon`, `lat`, 7 decimals).

use super::super::SynthOsm;
use super::communes::CommuneMap;
use crate::inputs::geocode::normalize::fold;
use std::collections::HashMap;

/// File name of the BAN file (the BAN's own naming, `adresses-<département>.csv`).
pub const BAN_FILE: &str = "adresses-93.csv";

/// Spacing of house-number positions along a street, metres.
const STEP_M: f64 = 30.0;
/// Distance of an address from the road's axis, metres.
const OFFSET_M: f64 = 8.0;
/// House numbers per street at most.
const MAX_NUMBERS: u32 = 40;

/// Vertices of a way, Lambert-93 metres.
type Polyline = Vec<[f64; 2]>;

/// One BAN address.
#[derive(Clone, Debug, PartialEq)]
pub struct BanAddress {
    /// Index of its commune.
    pub commune: usize,
    /// Index of its street in the commune, in order of first appearance.
    pub street: usize,
    /// `nom_voie` ("Rue Victor Hugo").
    pub name: String,
    /// House number.
    pub number: u32,
    /// Repetition index ("" or "bis").
    pub rep: &'static str,
    /// Position, Lambert-93 metres.
    pub l93: [f64; 2],
    /// Position, WGS84 degrees `[lon, lat]`.
    pub wgs84: [f64; 2],
}

/// The addresses, in (street first appearance, number) order.
pub fn addresses(osm: &SynthOsm, map: &CommuneMap) -> Result<Vec<BanAddress>, super::SynthError> {
    let mut l93: Vec<[f64; 2]> = osm
        .nodes
        .iter()
        .map(|n| [f64::from(n.lon) * 1e-7, f64::from(n.lat) * 1e-7])
        .collect();
    map.l93.from_wgs84(&mut l93)?;
    let at = |id: i64| -> Option<[f64; 2]> {
        osm.nodes
            .binary_search_by_key(&id, |n| n.id)
            .ok()
            .map(|k| l93[k])
    };
    // Streets as (commune, name, polylines), in first-appearance order.
    let mut streets: Vec<(usize, String, Vec<Polyline>)> = Vec::new();
    let mut index: HashMap<(usize, String), usize> = HashMap::new();
    for w in &osm.ways {
        let tag = |k: &str| {
            w.tags
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let (Some(class), Some(name)) = (tag("highway"), tag("name")) else {
            continue;
        };
        if class.starts_with("motorway") {
            continue;
        }
        let line: Vec<[f64; 2]> = w.refs.iter().filter_map(|&r| at(r)).collect();
        if line.len() < 2 {
            continue;
        }
        let commune = map.commune_at(line[line.len() / 2]);
        let key = (commune, name.to_string());
        let k = *index.entry(key).or_insert_with(|| {
            streets.push((commune, name.to_string(), Vec::new()));
            streets.len() - 1
        });
        streets[k].2.push(line);
    }
    let mut per_commune = vec![0usize; map.communes.len()];
    let mut out = Vec::new();
    for (commune, name, lines) in streets {
        let street = per_commune[commune];
        per_commune[commune] += 1;
        let mut pos = 0;
        'street: for line in &lines {
            let mut next = STEP_M / 2.0;
            let mut walked = 0.0;
            for seg in line.windows(2) {
                let (a, b) = (seg[0], seg[1]);
                let len = super::communes::dist(a, b);
                if len <= 0.0 {
                    continue;
                }
                let u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
                let left = [-u[1], u[0]];
                while next <= walked + len {
                    let t = next - walked;
                    let axis = [a[0] + u[0] * t, a[1] + u[1] * t];
                    for (number, side) in [(2 * pos + 1, 1.0), (2 * pos + 2, -1.0)] {
                        let p = [
                            axis[0] + left[0] * OFFSET_M * side,
                            axis[1] + left[1] * OFFSET_M * side,
                        ];
                        out.push((commune, street, name.clone(), number, "", p));
                        if side > 0.0 && pos % 7 == 3 {
                            let q = [p[0] + u[0] * 4.0, p[1] + u[1] * 4.0];
                            out.push((commune, street, name.clone(), number, "bis", q));
                        }
                    }
                    pos += 1;
                    if 2 * pos >= MAX_NUMBERS {
                        break 'street;
                    }
                    next += STEP_M;
                }
                walked += len;
            }
        }
    }
    let mut wgs: Vec<[f64; 2]> = out.iter().map(|a| a.5).collect();
    map.l93.to_wgs84(&mut wgs)?;
    Ok(out
        .into_iter()
        .zip(wgs)
        .map(
            |((commune, street, name, number, rep, l93), wgs84)| BanAddress {
                commune,
                street,
                name,
                number,
                rep,
                l93,
                wgs84,
            },
        )
        .collect())
}

/// The BAN header, as published.
pub const BAN_HEADER: &str = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles";

/// `adresses-93.csv`: the addresses in the BAN layout.
pub fn ban_csv(map: &CommuneMap, ban: &[BanAddress]) -> Vec<u8> {
    let mut s = String::from(BAN_HEADER);
    s.push('\n');
    for a in ban {
        let c = &map.communes[a.commune];
        let fantoir = format!("{}_{:04}", c.code, a.street + 1);
        s.push_str(&format!(
            "{fantoir}_{:05}{};{fantoir};{};{};{};{};{};{};;;{:.2};{:.2};{:.7};{:.7};entrée;;;{};{};commune;commune;1;\n",
            a.number,
            if a.rep.is_empty() { "" } else { "_bis" },
            a.number,
            a.rep,
            a.name,
            c.postcode,
            c.code,
            c.name,
            a.l93[0],
            a.l93[1],
            a.wgs84[0],
            a.wgs84[1],
            fold(&c.name),
            fold(&a.name),
        ));
    }
    s.into_bytes()
}
