//! FINESS extraction of the demo territory (`finess_etalab_demo.csv`, layout of Etalab's
//! `etalab-cs1100507-stock-*.csv` as read by [`crate::inputs::supply::finess`]: a
//! `finess;etalab;100;<date>` metadata line, 32-field `structureet` lines, then
//! `geolocalisation` lines with Lambert-93 coordinates, `;`-separated, UTF-8).
//!
//! Per commune with BAN addresses, of population P: a centre hospitalier (355) from 30,000
//! inhabitants, a centre de santé (124) from 8,000, `P / 20,000` imaging practices (619) and
//! `P / 3,500` pharmacies (620), rounded, and a maison de santé (603) in communes of 800 to
//! 8,000; each at a random BAN address of the commune, geolocated 5 m from it. Two lines
//! are deliberately broken: the last structure has no geolocation line (kept without
//! coordinates, reported), and one geolocation line names no structure (rejected).

use super::super::rng::SplitMix64;
use super::addresses::BanAddress;
use super::cells::Grid;
use super::communes::CommuneMap;
use super::DEPARTEMENT;

/// File name of the FINESS extraction.
pub const FINESS_FILE: &str = "finess_etalab_demo.csv";

/// `sourcecoordet` of every geolocation line.
const SOURCE: &str = "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93";

/// One establishment.
#[derive(Clone, Debug, PartialEq)]
pub struct Establishment {
    /// `nofinesset`.
    pub finess: String,
    /// `categetab`.
    pub category: &'static str,
    /// `libcategetab`.
    pub label: &'static str,
    /// `rs`.
    pub name: String,
    /// Its address.
    pub address: BanAddress,
    /// Whether a geolocation line is written for it.
    pub located: bool,
}

/// Lays out the establishments.
pub fn structures(
    map: &CommuneMap,
    grid: &Grid,
    ban: &[BanAddress],
    seed: u64,
) -> Vec<Establishment> {
    let pops = grid.population_by_commune(map.communes.len());
    let mut rng = SplitMix64::derive(seed, 900_000_004);
    let mut out: Vec<Establishment> = Vec::new();
    for (c, commune) in map.communes.iter().enumerate() {
        let here: Vec<&BanAddress> = ban.iter().filter(|a| a.commune == c).collect();
        if here.is_empty() {
            continue;
        }
        let p = pops[c];
        let kinds: [(&str, &str, &str, usize); 5] = [
            (
                "355",
                "Centre Hospitalier (C.H.)",
                "CH",
                usize::from(p >= 30_000.0),
            ),
            (
                "124",
                "Centre de Santé",
                "CENTRE DE SANTE",
                usize::from(p >= 8_000.0),
            ),
            (
                "603",
                "Maison de santé (L.6223-3)",
                "MSP",
                usize::from((800.0..8_000.0).contains(&p)),
            ),
            (
                "619",
                "Cabinet d'imagerie médicale",
                "IMAGERIE",
                (p / 20_000.0).round() as usize,
            ),
            (
                "620",
                "Pharmacie d'Officine",
                "PHARMACIE",
                (p / 3_500.0).round() as usize,
            ),
        ];
        for (category, label, prefix, count) in kinds {
            for k in 0..count {
                let address = (*rng.pick(&here)).clone();
                out.push(Establishment {
                    finess: format!("{DEPARTEMENT}9{:06}", out.len() + 1),
                    category,
                    label,
                    name: format!("{prefix} {} {}", commune.name.to_uppercase(), k + 1),
                    address,
                    located: true,
                });
            }
        }
    }
    if let Some(last) = out.last_mut() {
        last.located = false;
    }
    out
}

/// `finess_etalab_demo.csv`: metadata line, structures, geolocations.
pub fn finess_csv(map: &CommuneMap, list: &[Establishment]) -> Vec<u8> {
    let mut s = String::from("finess;etalab;100;2025-01-15\n");
    for e in list {
        let c = &map.communes[e.address.commune];
        let a = &e.address;
        let (typ, voie) = match a.name.split_once(' ') {
            Some(("Rue", rest)) => ("R", rest.to_uppercase()),
            Some(("Avenue", rest)) => ("AV", rest.to_uppercase()),
            Some(("Impasse", rest)) => ("IMP", rest.to_uppercase()),
            _ => ("", a.name.to_uppercase()),
        };
        let fields: [String; 32] = [
            "structureet".into(),
            e.finess.clone(),
            format!("{DEPARTEMENT}8{}", &e.finess[3..]),
            e.name.clone(),
            e.name.clone(),
            String::new(),
            String::new(),
            a.number.to_string(),
            typ.into(),
            voie,
            if a.rep.is_empty() {
                String::new()
            } else {
                "B".into()
            },
            String::new(),
            c.code[2..].to_string(),
            DEPARTEMENT.into(),
            "SEINE SAINT DENIS".into(),
            format!("{} {}", c.postcode, c.name.to_uppercase()),
            "0100000000".into(),
            String::new(),
            e.category.into(),
            e.label.into(),
            String::new(),
            String::new(),
            String::new(),
            "8610Z".into(),
            "01".into(),
            "Tarifs conventionnels".into(),
            "99".into(),
            "Non concerné".into(),
            "2000-01-01".into(),
            "2000-01-01".into(),
            "2025-01-10".into(),
            String::new(),
        ];
        s.push_str(&fields.join(";"));
        s.push('\n');
    }
    for e in list.iter().filter(|e| e.located) {
        let p = e.address.l93;
        s.push_str(&format!(
            "geolocalisation;{};{:.1};{:.1};{SOURCE};2025-01-10\n",
            e.finess,
            p[0] + 3.0,
            p[1] + 4.0
        ));
    }
    s.push_str(&format!(
        "geolocalisation;{DEPARTEMENT}9999999;{:.1};{:.1};{SOURCE};2025-01-10\n",
        map.communes[0].seed[0], map.communes[0].seed[1]
    ));
    s.into_bytes()
}
