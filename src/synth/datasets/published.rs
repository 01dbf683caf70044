//! The outside tables of the demo study: a screening participation table per commune
//! (`participation.csv`, the layout of the regional screening centres' annexes:
//! `code_insee,commune,campaign,screened,insured_pop,rate_pct`) and a reference table of
//! published figures for the larger areas (`reference.csv`, `code,indicator,value,source`).
//!
//! Participation: the insured population of a commune is 17 % of its inhabitants (women
//! aged 50–74, rounded), its rate drawn uniformly in 25–55 %, the screened people the
//! rounded product, and `rate_pct` that ratio as published (one decimal). The reference
//! rows are the national and regional GP densities and aged-60+ share quoted in
//! `DOMAIN.md`-style CPTS files (illustrative figures for the demo, labelled as such).

use super::super::rng::SplitMix64;
use super::cells::Grid;
use super::communes::CommuneMap;
use std::fmt::Write;

/// File name of the participation table.
pub const PARTICIPATION_FILE: &str = "participation.csv";

/// File name of the reference table.
pub const REFERENCE_FILE: &str = "reference.csv";

/// The participation table, one row per commune in code order.
pub fn participation_csv(map: &CommuneMap, grid: &Grid, seed: u64) -> Vec<u8> {
    let pops = grid.population_by_commune(map.communes.len());
    let mut rng = SplitMix64::derive(seed, 900_000_017);
    let mut out = String::from("code_insee,commune,campaign,screened,insured_pop,rate_pct\n");
    for (c, p) in map.communes.iter().zip(&pops) {
        let insured = (p * 0.17).round();
        let screened = (insured * rng.range(0.25, 0.55)).round();
        let rate = if insured > 0.0 {
            format!("{:.1}", 100.0 * screened / insured)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{},\"{}\",2022-2023,{screened},{insured},{rate}",
            c.code, c.name
        );
    }
    out.into_bytes()
}

/// The reference table: published figures of the region (`11`) and of France (`FR`).
pub fn reference_csv() -> Vec<u8> {
    let rows = [
        (
            "11",
            "gp_density",
            "7.4",
            "illustrative regional figure (demo)",
        ),
        (
            "11",
            "gp_aged_60_share",
            "0.38",
            "illustrative regional figure (demo)",
        ),
        (
            "11",
            "participation",
            "33.9",
            "illustrative regional figure (demo)",
        ),
        (
            "FR",
            "gp_density",
            "8.9",
            "illustrative national figure (demo)",
        ),
        (
            "FR",
            "gp_aged_60_share",
            "0.33",
            "illustrative national figure (demo)",
        ),
        (
            "FR",
            "radiology_density",
            "1.3",
            "illustrative national figure (demo)",
        ),
        (
            "FR",
            "participation",
            "46.5",
            "illustrative national figure (demo)",
        ),
    ];
    let mut out = String::from("code,indicator,value,source\n");
    for (code, indicator, value, source) in rows {
        let _ = writeln!(out, "{code},{indicator},{value},{source}");
    }
    out.into_bytes()
}
