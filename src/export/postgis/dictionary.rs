//! What each output column means and in which unit: the wording of `docs/outputs.md`, one
//! entry per column pattern, written to the database as `COMMENT ON COLUMN`.
//!
//! Patterns: `*` stands for any text (a category, an indicator, a level), `#` for a number
//! (a threshold in minutes, a rank). The first matching entry wins, so specific entries
//! (summary suffixes) come before general ones (`*_minutes`). A column no entry matches (a
//! floating-catchment column named in the study, an outside indicator) is described by the
//! file it comes from alone.

/// One entry: the column pattern, its unit and its meaning.
pub struct Entry {
    /// Column name pattern (`*`: any text, `#`: digits).
    pub pattern: &'static str,
    /// Unit, `–` when none.
    pub unit: &'static str,
    /// Meaning.
    pub meaning: &'static str,
}

const fn e(pattern: &'static str, unit: &'static str, meaning: &'static str) -> Entry {
    Entry {
        pattern,
        unit,
        meaning,
    }
}

/// The dictionary, most specific first.
pub const ENTRIES: &[Entry] = &[
    e("id", "–", "identifier as read from the input"),
    e("lon", "degrees", "longitude, WGS84"),
    e("lat", "degrees", "latitude, WGS84"),
    e(
        "population",
        "inhabitants",
        "population as read (of the origin, or the unit's reference population)",
    ),
    e(
        "demand",
        "inhabitants",
        "weight used by the FCA methods (standardised when age_weights is given)",
    ),
    e(
        "snap_m",
        "metres",
        "access leg from the point to its road; NULL: not snapped (see rejects)",
    ),
    e("kind", "–", "territorial level"),
    e("code", "–", "code of the unit (INSEE, IRIS, QPV… as read)"),
    e("name", "–", "name of the unit"),
    e(
        "coverage_share",
        "share 0–1",
        "population of the origins inside the unit / the unit's reference population, capped at 1",
    ),
    e(
        "barely_covered",
        "0/1",
        "1 when coverage_share is below [output] min_unit_coverage",
    ),
    e("category", "–", "category of care of the site"),
    e(
        "capacity",
        "capacity unit",
        "capacity of the site (practitioners, FTE, beds… as given)",
    ),
    e("activity", "acts a year", "activity of the site"),
    e("age", "years", "age of the practitioner"),
    e(
        "not_snapped_because",
        "–",
        "why the site is not on the network; NULL when snapped",
    ),
    e(
        "*_share_beyond_#",
        "share 0–1",
        "population farther than T minutes (unreachable origins counted as beyond)",
    ),
    e(
        "*_share_at_most_#*",
        "share 0–1",
        "population at or below the threshold",
    ),
    e(
        "share_*",
        "share 0–1",
        "share of the population beyond / at most the threshold",
    ),
    e(
        "*_population_with_value",
        "inhabitants",
        "inhabitants of the unit's origins with a value",
    ),
    e(
        "*_mean",
        "unit of the indicator",
        "population-weighted mean",
    ),
    e(
        "*_median",
        "unit of the indicator",
        "population-weighted lower median",
    ),
    e(
        "*_min",
        "unit of the indicator",
        "smallest value among the unit's origins",
    ),
    e(
        "*_max",
        "unit of the indicator",
        "largest value among the unit's origins",
    ),
    e(
        "*_population",
        "inhabitants",
        "all the inhabitants of the unit's origins",
    ),
    e("mean", "unit of the indicator", "population-weighted mean"),
    e(
        "median",
        "unit of the indicator",
        "population-weighted lower median",
    ),
    e(
        "population_without_value",
        "inhabitants",
        "population of the origins without a value",
    ),
    e("origins", "count", "origins in the unit"),
    e(
        "origins_without_value",
        "count",
        "origins in the unit without a value",
    ),
    e(
        "*_#st_minutes",
        "minutes",
        "time to the k-th nearest distinct site (kth)",
    ),
    e(
        "*_#nd_minutes",
        "minutes",
        "time to the k-th nearest distinct site (kth)",
    ),
    e(
        "*_#rd_minutes",
        "minutes",
        "time to the k-th nearest distinct site (kth)",
    ),
    e(
        "*_#th_minutes",
        "minutes",
        "time to the k-th nearest distinct site (kth)",
    ),
    e(
        "*_minutes",
        "minutes",
        "time to the nearest site of the category (access legs included); NULL: none reachable",
    ),
    e(
        "*_km",
        "km",
        "network length of the trip to the nearest site (access legs excluded)",
    ),
    e("*_site", "–", "id of the nearest site of the category"),
    e("*_sites_#min", "count", "sites within T minutes (coverage)"),
    e(
        "*_capacity_#min",
        "capacity unit",
        "capacity within T minutes (coverage)",
    ),
    e(
        "*_density",
        "per 10,000 inhabitants",
        "density of the category in the unit",
    ),
    e(
        "*_fte",
        "full-time equivalents",
        "FTE of the category in the unit",
    ),
    e(
        "*_professionals",
        "count",
        "professionals of the category in the unit",
    ),
    e(
        "*_delta",
        "unit of the indicator",
        "scenario minus baseline",
    ),
    e(
        "*_base",
        "unit of the indicator",
        "value before the scenario (baseline)",
    ),
    e(
        "missing_fte",
        "full-time equivalents",
        "missing full-time specialists",
    ),
    e(
        "present_fte",
        "full-time equivalents",
        "FTE of the study's sites of that category in the territory",
    ),
    e(
        "deficit_share",
        "share",
        "Σ missing / Σ present (0.25 = a 25 % deficit)",
    ),
    e("file", "–", "input file of the rejected row"),
    e("line", "–", "line or feature of the rejected row"),
    e("reason", "–", "why the row was left out"),
    e("key", "–", "JSON pointer of the manifest value"),
    e(
        "value",
        "–",
        "manifest value (JSON text; strings without quotes)",
    ),
];

/// Whether `name` matches `pattern` (`*`: any text, `#`: one or more digits).
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| matches(rest, &name[i..])),
        Some((b'#', rest)) => {
            let digits = name.iter().take_while(|b| b.is_ascii_digit()).count();
            (1..=digits).any(|i| matches(rest, &name[i..]))
        }
        Some((c, rest)) => name.first() == Some(c) && matches(rest, &name[1..]),
    }
}

/// The entry describing column `name`, if any.
pub fn lookup(name: &str) -> Option<&'static Entry> {
    ENTRIES
        .iter()
        .find(|e| matches(e.pattern.as_bytes(), name.as_bytes()))
}

/// The comment of column `source` (its name in the files) of a table from `origin`.
pub fn comment(source: &str, origin: &str) -> String {
    match lookup(source) {
        Some(e) => format!("{source} — {}: {}; from {origin}", e.unit, e.meaning),
        None => format!("{source}, as in {origin} (see docs/outputs.md)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_the_column_families() {
        assert_eq!(lookup("gp_minutes").unwrap().unit, "minutes");
        assert_eq!(lookup("gp_3rd_minutes").unwrap().pattern, "*_#rd_minutes");
        assert_eq!(lookup("gp_minutes_mean").unwrap().pattern, "*_mean");
        assert_eq!(
            lookup("gp_minutes_share_beyond_30").unwrap().unit,
            "share 0–1"
        );
        assert_eq!(lookup("gp_sites_15min").unwrap().unit, "count");
        assert_eq!(lookup("gp_capacity_15min").unwrap().unit, "capacity unit");
        assert!(lookup("apl_mg").is_none());
        assert!(comment("apl_mg", "origins.csv").contains("origins.csv"));
    }

    /// One dictionary: every plain column name it describes is documented in
    /// `docs/outputs.md` too.
    #[test]
    fn every_plain_name_is_in_the_outputs_doc() {
        let doc = include_str!("../../../docs/outputs.md");
        for e in ENTRIES {
            if !e.pattern.contains(['*', '#']) && !["key", "value"].contains(&e.pattern) {
                assert!(
                    doc.contains(e.pattern),
                    "{} missing from docs/outputs.md",
                    e.pattern
                );
            }
        }
    }
}
