//! CPTS of the demo territory as commune lists (`cpts.csv`, the "named long" layout of
//! [`crate::inputs::territory::membership::read_membership_csv`]: `cpts,code_insee,commune,basis`).
//!
//! The communes are split by the quadrant of their seed around the centre of the territory
//! (north-east, north-west, south-west, south-east; empty quadrants give no CPTS), and the
//! largest town also belongs to the CPTS of the next non-empty quadrant: a commune in two
//! CPTS, as happens in practice.

use super::communes::CommuneMap;

/// File name of the CPTS table.
pub const CPTS_FILE: &str = "cpts.csv";

/// CPTS names, by quadrant.
const NAMES: [&str; 4] = [
    "CPTS Nord-Est",
    "CPTS Nord-Ouest",
    "CPTS Sud-Ouest",
    "CPTS Sud-Est",
];

/// The CPTS: name and member commune indices (ascending, the shared commune last).
pub fn cpts(map: &CommuneMap) -> Vec<(&'static str, Vec<usize>)> {
    let cx = (map.bbox[0] + map.bbox[2]) / 2.0;
    let cy = (map.bbox[1] + map.bbox[3]) / 2.0;
    let quadrant = |p: [f64; 2]| match (p[0] >= cx, p[1] >= cy) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    };
    let mut out: Vec<(&'static str, Vec<usize>)> = NAMES.iter().map(|n| (*n, Vec::new())).collect();
    for (i, c) in map.communes.iter().enumerate() {
        out[quadrant(c.seed)].1.push(i);
    }
    out.retain(|(_, m)| !m.is_empty());
    if out.len() > 1 {
        if let Some(home) = out.iter().position(|(_, m)| m.contains(&0)) {
            let next = (home + 1) % out.len();
            out[next].1.push(0);
        }
    }
    out
}

/// `cpts.csv`: one row per (CPTS, commune).
pub fn cpts_csv(map: &CommuneMap, cpts: &[(&'static str, Vec<usize>)]) -> Vec<u8> {
    let mut s = String::from("cpts,code_insee,commune,basis\n");
    for (name, members) in cpts {
        for &m in members {
            let c = &map.communes[m];
            s.push_str(&format!("{name},{},\"{}\",listed\n", c.code, c.name));
        }
    }
    s.into_bytes()
}
