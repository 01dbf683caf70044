//! The summaries of a layer as CSV, one row per unit in the layer's order, then one row for
//! the origins outside every unit (empty code, name `outside every unit`):
//! ```text
//! kind,code,name,population,population_without_value,origins,origins_without_value,
//! mean,median,min,max,share_<side>_<t>…,share_<side>_<t>_of_valued…
//! ```
//! `<side>` is `beyond` (value > t, [`Polarity::LowerIsBetter`]) or `at_most` (value ≤ t,
//! [`Polarity::HigherIsBetter`]); `<t>` is the threshold in its shortest exact decimal form
//! (`5`, `2.5`). `share_<side>_<t>` is among all the population (origins without value
//! counted on the unfavourable side), `…_of_valued` among the population with a value (see
//! [`super::summary`]).
//!
//! The QPV gaps ([`write_qpv_gaps`]), one row per QPV in its layer's order:
//! ```text
//! qpv_code,qpv_name,communes,population,rest_population,mean,rest_mean,mean_gap,
//! share_<side>_<t>,rest_share_<side>_<t>,gap_share_<side>_<t>…
//! ```
//! `communes` the codes of the communes compared with, joined by `;`; `population` all the
//! population (with or without value); the shares among all the population; gaps QPV − rest.
//!
//! Numbers are written in fixed point with 6 digits after the decimal point (Rust's
//! `{:.6}`: the exact binary value rounded half to even), −0 written as 0, absent values as
//! empty cells; counts as integers. The bytes depend only on the summaries.

use super::qpv_gap::QpvGap;
use super::summary::{Summaries, Summary, Thresholds};
use super::{AggregateError, Polarity};
use crate::inputs::territory::UnitLayer;
use std::io::Write;
use std::path::Path;

/// Writes `summaries` of the units of `layer` as CSV to `out`.
pub fn write_summaries<W: Write>(
    out: W,
    layer: &UnitLayer,
    summaries: &Summaries,
) -> Result<(), AggregateError> {
    if summaries.units.len() != layer.units.len() {
        return Err(AggregateError::Length {
            what: "summaries",
            len: summaries.units.len(),
            expected: layer.units.len(),
        });
    }
    let io = |e: csv::Error| AggregateError::Write {
        reason: e.to_string(),
    };
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(header(summaries)).map_err(io)?;
    for (unit, s) in layer.units.iter().zip(&summaries.units) {
        csv.write_record(row(&layer.kind, &unit.code, &unit.name, s))
            .map_err(io)?;
    }
    csv.write_record(row(
        &layer.kind,
        "",
        "outside every unit",
        &summaries.outside,
    ))
    .map_err(io)?;
    csv.flush().map_err(|e| AggregateError::Write {
        reason: e.to_string(),
    })
}

/// [`write_summaries`] to the file `path`, atomically (written beside it, then renamed).
pub fn write_summaries_csv(
    path: &Path,
    layer: &UnitLayer,
    summaries: &Summaries,
) -> Result<(), crate::support::atomic::WriteError> {
    crate::support::atomic::write_with(path, |w| Ok(write_summaries(w, layer, summaries)?))
}

/// Writes the QPV `gaps` as CSV to `out`, codes and names from `qpv_layer` and
/// `commune_layer`, share columns from `thresholds` (those the gaps were computed with).
pub fn write_qpv_gaps<W: Write>(
    out: W,
    qpv_layer: &UnitLayer,
    commune_layer: &UnitLayer,
    gaps: &[QpvGap],
    thresholds: &Thresholds,
) -> Result<(), AggregateError> {
    let k = thresholds.values().len();
    for (unit, g) in gaps.iter().enumerate() {
        let bad = |reason: String| AggregateError::Unit {
            what: "QPV gaps",
            unit,
            reason,
        };
        if g.qpv >= qpv_layer.units.len() {
            return Err(bad(format!("QPV {} not in the QPV layer", g.qpv)));
        }
        if let Some(c) = g.communes.iter().find(|&&c| c >= commune_layer.units.len()) {
            return Err(bad(format!("commune {c} not in the commune layer")));
        }
        if g.share_gaps.len() != k || g.inside.shares.len() != k || g.rest.shares.len() != k {
            return Err(bad(format!(
                "shares for another number of thresholds than {k}"
            )));
        }
    }
    let io = |e: csv::Error| AggregateError::Write {
        reason: e.to_string(),
    };
    let side = side(thresholds);
    let mut head: Vec<String> = [
        "qpv_code",
        "qpv_name",
        "communes",
        "population",
        "rest_population",
        "mean",
        "rest_mean",
        "mean_gap",
    ]
    .map(String::from)
    .to_vec();
    for t in thresholds.values() {
        head.push(format!("share_{side}_{t}"));
        head.push(format!("rest_share_{side}_{t}"));
        head.push(format!("gap_share_{side}_{t}"));
    }
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(&head).map_err(io)?;
    for g in gaps {
        let q = &qpv_layer.units[g.qpv];
        let communes: Vec<&str> = g
            .communes
            .iter()
            .map(|&c| commune_layer.units[c].code.as_str())
            .collect();
        let mut r = vec![
            q.code.clone(),
            q.name.clone(),
            communes.join(";"),
            number(g.inside.population + g.inside.population_without_value),
            number(g.rest.population + g.rest.population_without_value),
            optional(g.inside.mean),
            optional(g.rest.mean),
            optional(g.mean_gap),
        ];
        for i in 0..k {
            r.push(optional(g.inside.shares[i].of_all));
            r.push(optional(g.rest.shares[i].of_all));
            r.push(optional(g.share_gaps[i].of_all));
        }
        csv.write_record(&r).map_err(io)?;
    }
    csv.flush().map_err(|e| AggregateError::Write {
        reason: e.to_string(),
    })
}

/// `beyond` or `at_most`, the side of the thresholds the shares count.
fn side(thresholds: &Thresholds) -> &'static str {
    match thresholds.polarity() {
        Polarity::LowerIsBetter => "beyond",
        Polarity::HigherIsBetter => "at_most",
    }
}

/// Column names.
fn header(summaries: &Summaries) -> Vec<String> {
    let side = side(&summaries.thresholds);
    let fixed = [
        "kind",
        "code",
        "name",
        "population",
        "population_without_value",
        "origins",
        "origins_without_value",
        "mean",
        "median",
        "min",
        "max",
    ];
    let t = summaries.thresholds.values();
    fixed
        .iter()
        .map(|s| s.to_string())
        .chain(t.iter().map(|t| format!("share_{side}_{t}")))
        .chain(t.iter().map(|t| format!("share_{side}_{t}_of_valued")))
        .collect()
}

/// One row.
fn row(kind: &str, code: &str, name: &str, s: &Summary) -> Vec<String> {
    let mut r = vec![
        kind.to_string(),
        code.to_string(),
        name.to_string(),
        number(s.population),
        number(s.population_without_value),
        s.origins.to_string(),
        s.origins_without_value.to_string(),
    ];
    r.extend([s.mean, s.median, s.min, s.max].map(optional));
    r.extend(s.shares.iter().map(|x| optional(x.of_all)));
    r.extend(s.shares.iter().map(|x| optional(x.of_valued)));
    r
}

/// `x` with 6 digits after the decimal point, −0 as 0.
fn number(x: f64) -> String {
    let s = format!("{x:.6}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// [`number`], or an empty cell.
fn optional(x: Option<f64>) -> String {
    x.map(number).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{summarize, Assignment, Indicator, Thresholds};
    use crate::inputs::territory::Unit;
    use geo::MultiPolygon;

    fn layer() -> UnitLayer {
        let unit = |code: &str, name: &str| Unit {
            kind: "commune".into(),
            code: code.into(),
            name: name.into(),
            geometry: MultiPolygon(vec![]),
            population: None,
        };
        UnitLayer {
            kind: "commune".into(),
            units: vec![
                unit("93001", "Aubervilliers"),
                unit("93066", "Saint-Denis, ville"),
            ],
            repaired: vec![],
        }
    }

    #[test]
    fn exact_bytes() {
        // Unit 0: 4 min (pop 1), 12 min (pop 2): mean 28/3 = 9.333333…, median 12
        // (cumulative 1 < 1.5 at 4), > 5: 2/3, > 7.5: 2/3. Unit 1: only an unreachable
        // origin (pop 3). Outside: origin of 0.5 min, pop 1.
        let values = [Some(4.0), Some(12.0), None, Some(0.5)];
        let weights = [1.0, 2.0, 3.0, 1.0];
        let units_of = vec![vec![0], vec![0], vec![1], vec![]];
        let ind = Indicator::new(&values, &weights).unwrap();
        let a = Assignment::new(&units_of, 2).unwrap();
        let t = Thresholds::new(&[5.0, 7.5], Polarity::LowerIsBetter).unwrap();
        let s = summarize(&ind, &a, &t).unwrap();
        let mut out = Vec::new();
        write_summaries(&mut out, &layer(), &s).unwrap();
        let want = "\
kind,code,name,population,population_without_value,origins,origins_without_value,mean,median,min,max,share_beyond_5,share_beyond_7.5,share_beyond_5_of_valued,share_beyond_7.5_of_valued
commune,93001,Aubervilliers,3.000000,0.000000,2,0,9.333333,12.000000,4.000000,12.000000,0.666667,0.666667,0.666667,0.666667
commune,93066,\"Saint-Denis, ville\",0.000000,3.000000,0,1,,,,,1.000000,1.000000,,
commune,,outside every unit,1.000000,0.000000,1,0,0.500000,0.500000,0.500000,0.500000,0.000000,0.000000,0.000000,0.000000
";
        assert_eq!(String::from_utf8(out).unwrap(), want);
        let short = Summaries { units: vec![], ..s };
        assert!(write_summaries(Vec::new(), &layer(), &short).is_err());
    }

    #[test]
    fn qpv_gap_bytes() {
        // Origins 0, 1 in QPV 0 and commune 0; origin 2 in commune 0 only (rest); origin 3
        // in commune 1. QPV: 20 (pop 1), unreachable (pop 1); rest: 5 (pop 2).
        // QPV mean 20, rest 5, gap 15; > 10 among all: QPV 2/2 = 1, rest 0, gap 1.
        let values = [Some(20.0), None, Some(5.0), Some(1.0)];
        let weights = [1.0, 1.0, 2.0, 1.0];
        let qpv_of = vec![vec![0], vec![0], vec![], vec![]];
        let communes_of = vec![vec![0], vec![0], vec![0], vec![1]];
        let ind = Indicator::new(&values, &weights).unwrap();
        let qa = Assignment::new(&qpv_of, 1).unwrap();
        let ca = Assignment::new(&communes_of, 2).unwrap();
        let t = Thresholds::new(&[10.0], Polarity::LowerIsBetter).unwrap();
        let gaps = crate::aggregate::qpv_gaps(&ind, &qa, &ca, None, &t).unwrap();
        let mut qpv = layer();
        qpv.units.truncate(1);
        qpv.units[0].code = "QN09301M".into();
        qpv.units[0].name = "Villette".into();
        let mut out = Vec::new();
        write_qpv_gaps(&mut out, &qpv, &layer(), &gaps, &t).unwrap();
        let want = "\
qpv_code,qpv_name,communes,population,rest_population,mean,rest_mean,mean_gap,share_beyond_10,rest_share_beyond_10,gap_share_beyond_10
QN09301M,Villette,93001,2.000000,2.000000,20.000000,5.000000,15.000000,1.000000,0.000000,1.000000
";
        assert_eq!(String::from_utf8(out).unwrap(), want);
        let other = Thresholds::new(&[10.0, 20.0], Polarity::LowerIsBetter).unwrap();
        assert!(write_qpv_gaps(Vec::new(), &qpv, &layer(), &gaps, &other).is_err());
        let mut empty = layer();
        empty.units.clear();
        assert!(write_qpv_gaps(Vec::new(), &qpv, &empty, &gaps, &t).is_err());
    }

    #[test]
    fn numbers_are_fixed_and_never_negative_zero() {
        assert_eq!(number(-0.0), "0.000000");
        assert_eq!(number(-1e-9), "0.000000");
        assert_eq!(number(-0.25), "-0.250000");
        assert_eq!(number(1234567.0), "1234567.000000");
        assert_eq!(optional(None), "");
    }

    #[test]
    fn scores_use_at_most_columns_and_file_is_written() {
        let values = [Some(2.0)];
        let units_of = vec![vec![0]];
        let ind = Indicator::new(&values, &[1.0]).unwrap();
        let a = Assignment::new(&units_of, 1).unwrap();
        let t = Thresholds::new(&[2.5], Polarity::HigherIsBetter).unwrap();
        let s = summarize(&ind, &a, &t).unwrap();
        let mut l = layer();
        l.units.truncate(1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/apl.csv");
        write_summaries_csv(&path, &l, &s).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("kind,code,name,"));
        assert!(text
            .lines()
            .next()
            .unwrap()
            .ends_with("share_at_most_2.5,share_at_most_2.5_of_valued"));
        assert!(text.lines().nth(1).unwrap().ends_with(",1.000000,1.000000"));
    }
}
