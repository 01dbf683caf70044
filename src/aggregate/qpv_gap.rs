//! Each QPV (quartier prioritaire de la politique de la ville) beside the rest of its
//! commune(s), and the QPV of each CPTS worst first — the gap CPTS and ARS ask about (see
//! `DOMAIN.md`, *Indicators*, Aggregation).
//!
//! The rest of a QPV's commune(s) is every origin in one of those communes and not in that
//! QPV (origins of another QPV of the same commune are in it). The communes of a QPV are
//! given, or derived with [`overlaps`]: the communes holding at least one origin of the QPV
//! (a QPV with no origin then has no commune and an empty rest). The gap is QPV − rest, for
//! the mean and for each share; it is absent when either side is.

use super::summary::{summarize_origins, Summary, Thresholds};
use super::{AggregateError, Assignment, Indicator, Polarity};
use crate::inputs::territory::UnitLayer;
use rayon::prelude::*;

/// Gap QPV − rest of its commune(s) in the share of population on the unfavourable side of
/// one threshold (fraction, in [−1, 1]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShareGap {
    /// Difference of [`super::Share::of_valued`].
    pub of_valued: Option<f64>,
    /// Difference of [`super::Share::of_all`].
    pub of_all: Option<f64>,
}

/// One QPV beside the rest of its commune(s).
#[derive(Clone, Debug, PartialEq)]
pub struct QpvGap {
    /// Index of the QPV in its layer.
    pub qpv: usize,
    /// Indices of the communes compared with, ascending.
    pub communes: Vec<usize>,
    /// Summary of the QPV's origins.
    pub inside: Summary,
    /// Summary of the other origins of its communes.
    pub rest: Summary,
    /// Mean of the QPV − mean of the rest (indicator's unit).
    pub mean_gap: Option<f64>,
    /// One gap per threshold.
    pub share_gaps: Vec<ShareGap>,
}

/// For each unit of `a`, the units of `b` sharing at least one origin with it, ascending
/// (e.g. `a` = QPV, `b` = communes: the communes of each QPV; `a` = CPTS, `b` = QPV: the
/// QPV of each CPTS).
pub fn overlaps(a: &Assignment, b: &Assignment) -> Result<Vec<Vec<usize>>, AggregateError> {
    b.check_origins("second unit assignment", a.n_origins())?;
    let mut out = vec![Vec::new(); a.n_units()];
    for (ua, ub) in a.units_of().iter().zip(b.units_of()) {
        for &u in ua {
            out[u].extend_from_slice(ub);
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    Ok(out)
}

/// Every QPV of `qpv` beside the rest of its commune(s) (`communes` assignment), the
/// communes of each QPV taken from `communes_of_qpv` (QPV → commune indices) or derived
/// with [`overlaps`] when `None`.
pub fn qpv_gaps(
    indicator: &Indicator,
    qpv: &Assignment,
    communes: &Assignment,
    communes_of_qpv: Option<&[Vec<usize>]>,
    thresholds: &Thresholds,
) -> Result<Vec<QpvGap>, AggregateError> {
    qpv.check_origins("QPV assignment", indicator.len())?;
    communes.check_origins("commune assignment", indicator.len())?;
    let derived;
    let communes_of_qpv = match communes_of_qpv {
        Some(given) => {
            check_mapping(given, qpv.n_units(), communes.n_units())?;
            given
        }
        None => {
            derived = overlaps(qpv, communes)?;
            &derived
        }
    };
    let qpv_members = qpv.members();
    let commune_members = communes.members();
    let gaps = (0..qpv.n_units())
        .into_par_iter()
        .map(|q| {
            let inside = &qpv_members[q];
            let mut rest: Vec<usize> = communes_of_qpv[q]
                .iter()
                .flat_map(|&c| commune_members[c].iter().copied())
                .filter(|o| inside.binary_search(o).is_err())
                .collect();
            rest.sort_unstable();
            rest.dedup();
            let inside = summarize_origins(indicator, inside, thresholds);
            let rest = summarize_origins(indicator, &rest, thresholds);
            let diff = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
            QpvGap {
                qpv: q,
                communes: communes_of_qpv[q].clone(),
                mean_gap: diff(inside.mean, rest.mean),
                share_gaps: inside
                    .shares
                    .iter()
                    .zip(&rest.shares)
                    .map(|(i, r)| ShareGap {
                        of_valued: diff(i.of_valued, r.of_valued),
                        of_all: diff(i.of_all, r.of_all),
                    })
                    .collect(),
                inside,
                rest,
            }
        })
        .collect();
    Ok(gaps)
}

/// Fails unless `mapping` has one entry per QPV and every commune index is in range.
fn check_mapping(
    mapping: &[Vec<usize>],
    n_qpv: usize,
    n_communes: usize,
) -> Result<(), AggregateError> {
    if mapping.len() != n_qpv {
        return Err(AggregateError::Length {
            what: "communes of each QPV",
            len: mapping.len(),
            expected: n_qpv,
        });
    }
    for (unit, list) in mapping.iter().enumerate() {
        if let Some(&c) = list.iter().find(|&&c| c >= n_communes) {
            return Err(AggregateError::Unit {
                what: "communes of each QPV",
                unit,
                reason: format!("commune {c} out of range (layer of {n_communes})"),
            });
        }
    }
    Ok(())
}

/// For each group (e.g. CPTS → its QPV indices, from [`overlaps`]), its QPV sorted worst
/// first by their own mean: largest first for [`Polarity::LowerIsBetter`], smallest first
/// for [`Polarity::HigherIsBetter`]; QPV without mean last; ties by code (byte order).
/// `qpv_summaries` and `qpv_layer` give one entry per QPV.
pub fn worst_first(
    groups: &[Vec<usize>],
    qpv_summaries: &[Summary],
    qpv_layer: &UnitLayer,
    polarity: Polarity,
) -> Result<Vec<Vec<usize>>, AggregateError> {
    let n = qpv_layer.units.len();
    if qpv_summaries.len() != n {
        return Err(AggregateError::Length {
            what: "QPV summaries",
            len: qpv_summaries.len(),
            expected: n,
        });
    }
    groups
        .iter()
        .enumerate()
        .map(|(unit, list)| {
            if let Some(&q) = list.iter().find(|&&q| q >= n) {
                return Err(AggregateError::Unit {
                    what: "QPV of each group",
                    unit,
                    reason: format!("QPV {q} out of range (layer of {n})"),
                });
            }
            let mut sorted = list.clone();
            sorted.sort_by(|&a, &b| {
                let by_mean = match (qpv_summaries[a].mean, qpv_summaries[b].mean) {
                    (Some(x), Some(y)) => match polarity {
                        Polarity::LowerIsBetter => y.total_cmp(&x),
                        Polarity::HigherIsBetter => x.total_cmp(&y),
                    },
                    (x, y) => y.is_some().cmp(&x.is_some()),
                };
                by_mean.then_with(|| qpv_layer.units[a].code.cmp(&qpv_layer.units[b].code))
            });
            Ok(sorted)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::territory::Unit;
    use geo::MultiPolygon;

    fn layer(codes: &[&str]) -> UnitLayer {
        UnitLayer {
            kind: "qpv".into(),
            units: codes
                .iter()
                .map(|c| Unit {
                    kind: "qpv".into(),
                    code: c.to_string(),
                    name: c.to_string(),
                    geometry: MultiPolygon(vec![]),
                    population: None,
                })
                .collect(),
            repaired: vec![],
        }
    }

    // Six origins. Communes: A = {0, 1, 2, 3}, B = {4, 5}. QPV 0 = {0, 1} (in A), QPV 1 = {2}
    // (in A), QPV 2 = {4} (in B).
    const VALUES: [Option<f64>; 6] = [
        Some(20.0),
        Some(30.0),
        Some(10.0),
        None,
        Some(8.0),
        Some(4.0),
    ];
    const WEIGHTS: [f64; 6] = [1.0, 1.0, 2.0, 2.0, 3.0, 1.0];

    fn assignments() -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
        let qpv = vec![vec![0], vec![0], vec![1], vec![], vec![2], vec![]];
        let communes = vec![vec![0], vec![0], vec![0], vec![0], vec![1], vec![1]];
        (qpv, communes)
    }

    #[test]
    fn hand_computed_gaps() {
        let (q, c) = assignments();
        let ind = Indicator::new(&VALUES, &WEIGHTS).unwrap();
        let qa = Assignment::new(&q, 3).unwrap();
        let ca = Assignment::new(&c, 2).unwrap();
        let t = Thresholds::new(&[15.0], Polarity::LowerIsBetter).unwrap();
        let gaps = qpv_gaps(&ind, &qa, &ca, None, &t).unwrap();
        // QPV 0: inside {0, 1}: mean (20+30)/2 = 25, > 15: 2/2 = 1 (of valued and of all).
        // Rest of A: {2, 3}: valued 10 (w 2), unreachable w 2: mean 10; > 15: 0 of valued,
        // 2/4 = 0.5 of all. Gaps: mean 15, of valued 1, of all 0.5.
        let g = &gaps[0];
        assert_eq!(g.communes, vec![0]);
        assert_eq!(
            (g.inside.mean, g.rest.mean, g.mean_gap),
            (Some(25.0), Some(10.0), Some(15.0))
        );
        assert_eq!(
            g.share_gaps,
            vec![ShareGap {
                of_valued: Some(1.0),
                of_all: Some(0.5)
            }]
        );
        // QPV 1: inside {2}: mean 10. Rest of A: {0, 1, 3} (QPV 0 included): mean 25,
        // > 15 of all (1+1+2)/4 = 1. Gap −15, of all 0 − 1 = −1.
        let g = &gaps[1];
        assert_eq!(
            (g.inside.mean, g.rest.mean, g.mean_gap),
            (Some(10.0), Some(25.0), Some(-15.0))
        );
        assert_eq!(g.share_gaps[0].of_all, Some(-1.0));
        // QPV 2: inside {4}: 8; rest of B {5}: 4; gap 4.
        assert_eq!(gaps[2].mean_gap, Some(4.0));
        // A given mapping is used as is: QPV 2 against both communes' other origins
        // {0, 1, 2, 3, 5}: mean (20+30+20+4)/5 = 74/5 = 14.8.
        let given = vec![vec![0], vec![0], vec![0, 1]];
        let gaps = qpv_gaps(&ind, &qa, &ca, Some(&given), &t).unwrap();
        assert_eq!(gaps[2].rest.mean, Some(14.8));
        let bad = vec![vec![0], vec![0], vec![2]];
        let e = qpv_gaps(&ind, &qa, &ca, Some(&bad), &t).unwrap_err();
        assert!(matches!(e, AggregateError::Unit { unit: 2, .. }), "{e}");
    }

    #[test]
    fn qpv_without_origin_has_empty_rest() {
        let (q, c) = assignments();
        let ind = Indicator::new(&VALUES, &WEIGHTS).unwrap();
        let qa = Assignment::new(&q, 4).unwrap();
        let ca = Assignment::new(&c, 2).unwrap();
        let t = Thresholds::new(&[15.0], Polarity::LowerIsBetter).unwrap();
        let g = &qpv_gaps(&ind, &qa, &ca, None, &t).unwrap()[3];
        assert!(g.communes.is_empty());
        assert_eq!((g.inside.origins, g.rest.origins, g.mean_gap), (0, 0, None));
    }

    #[test]
    fn overlaps_both_ways() {
        let (q, c) = assignments();
        let qa = Assignment::new(&q, 3).unwrap();
        let ca = Assignment::new(&c, 2).unwrap();
        assert_eq!(overlaps(&qa, &ca).unwrap(), vec![vec![0], vec![0], vec![1]]);
        assert_eq!(overlaps(&ca, &qa).unwrap(), vec![vec![0, 1], vec![2]]);
        let short = vec![vec![0]];
        let sa = Assignment::new(&short, 1).unwrap();
        assert!(overlaps(&qa, &sa).is_err());
    }

    fn with_mean(mean: Option<f64>) -> Summary {
        Summary {
            origins: 1,
            population: 1.0,
            origins_without_value: 0,
            population_without_value: 0.0,
            mean,
            median: mean,
            min: mean,
            max: mean,
            shares: vec![],
        }
    }

    #[test]
    fn worst_first_orders_by_mean_then_code() {
        let l = layer(&["QP4", "QP2", "QP3", "QP1"]);
        let s = vec![
            with_mean(Some(12.0)),
            with_mean(Some(20.0)),
            with_mean(None),
            with_mean(Some(12.0)),
        ];
        let groups = vec![vec![0, 1, 2, 3], vec![], vec![2, 0]];
        // Times: 20 (QP2) first, then the 12 tie by code QP1 (3) before QP4 (0), no mean last.
        let r = worst_first(&groups, &s, &l, Polarity::LowerIsBetter).unwrap();
        assert_eq!(r, vec![vec![1, 3, 0, 2], vec![], vec![0, 2]]);
        // Scores: smallest first.
        let r = worst_first(&groups, &s, &l, Polarity::HigherIsBetter).unwrap();
        assert_eq!(r[0], vec![3, 0, 1, 2]);
        assert!(worst_first(&[vec![4]], &s, &l, Polarity::LowerIsBetter).is_err());
        assert!(worst_first(&groups, &s[..2], &l, Polarity::LowerIsBetter).is_err());
    }
}
