//! Key findings of the study's report: plain sentences generated from the per-origin
//! numbers, for a reader who will not open the tables.
//!
//! Shares are population-weighted over the origins with a value: the share of inhabitants
//! beyond `t` minutes is `Σ wᵢ [xᵢ > t] / Σ wᵢ` over the origins `i` with a time `xᵢ`
//! (origins without a time — not snapped, no site reachable — are counted apart, never as
//! near). The threshold of a sentence is the smallest of the study's thresholds beyond which
//! at most a fifth of the inhabitants live, so that the sentence tells who is far in *this*
//! territory (5 minutes in a dense suburb, 20 in a rural canton). Each QPV is compared with
//! the rest of the communes it lies in (their origins outside every QPV).

use super::report::care_indefinite;
use super::streets::Streets;
use crate::export::report::lang::Lang;
use crate::inputs::territory::UnitLayer;
use std::collections::BTreeSet;

/// Largest share of inhabitants beyond the threshold chosen for a sentence.
const FAR_SHARE: f64 = 0.2;

/// Where each origin lies and how many people it holds.
pub struct People<'a> {
    /// Inhabitants per origin.
    pub weights: &'a [f64],
    /// Identifier per origin.
    pub ids: &'a [String],
    /// The commune layer and each origin's commune, when the study has one.
    pub communes: Option<(&'a UnitLayer, Vec<Option<usize>>)>,
    /// The QPV layer and each origin's QPV, when the study has one.
    pub qpv: Option<(&'a UnitLayer, Vec<Option<usize>>)>,
    /// Position per origin, WGS84 `(lon, lat)`.
    pub centres: &'a [(f64, f64)],
    /// Named streets of the network, when it has names.
    pub streets: Option<&'a Streets>,
}

impl People<'_> {
    /// The nearest named street of origin `i`, when known.
    pub fn street(&self, i: usize) -> Option<&str> {
        let (lon, lat) = self.centres[i];
        self.streets?.nearest(lon, lat)
    }

    /// Name of the commune of origin `i`, empty when none.
    pub fn commune_name(&self, i: usize) -> String {
        match &self.communes {
            Some((l, of)) => of[i].map(|u| l.units[u].name.clone()).unwrap_or_default(),
            None => String::new(),
        }
    }
}

/// `(share beyond t, inhabitants beyond t, inhabitants with a value)` over the origins
/// `select` keeps; `None` when none of them has a value or people.
fn beyond(
    values: &[Option<f64>],
    weights: &[f64],
    t: f64,
    select: impl Fn(usize) -> bool,
) -> Option<(f64, f64, f64)> {
    let (mut far, mut all) = (0.0, 0.0);
    for (i, v) in values.iter().enumerate() {
        if let (Some(x), true) = (v, select(i)) {
            all += weights[i];
            if *x > t {
                far += weights[i];
            }
        }
    }
    (all > 0.0).then(|| (far / all, far, all))
}

/// The smallest of `thresholds` beyond which at most [`FAR_SHARE`] of the inhabitants
/// live (the largest when none is).
pub fn telling_threshold(
    values: &[Option<f64>],
    weights: &[f64],
    thresholds: &[f64],
) -> Option<f64> {
    thresholds
        .iter()
        .copied()
        .find(|t| beyond(values, weights, *t, |_| true).is_some_and(|(s, _, _)| s <= FAR_SHARE))
        .or_else(|| thresholds.last().copied())
}

/// Sentences on the time to the nearest site of `category`: the share of all inhabitants
/// beyond the telling threshold and, when `detailed`, the inhabitants without a time, each
/// QPV beside the rest of its communes (worst first, at most five) and the farthest
/// inhabited cells.
pub fn time_sentences(
    lang: Lang,
    category: &str,
    values: &[Option<f64>],
    people: &People,
    thresholds: &[f64],
    detailed: bool,
) -> Vec<String> {
    let w = people.weights;
    let Some(t) = telling_threshold(values, w, thresholds) else {
        return vec![];
    };
    let care = care_indefinite(category, lang);
    let tt = lang.number(t, 0);
    let mut out = Vec::new();
    if let Some((share, far, _)) = beyond(values, w, t, |_| true) {
        out.push(match lang {
            Lang::Fr => format!(
                "{} des habitants ({} personnes) vivent à plus de {tt} minutes en voiture d'{care}.",
                lang.percent(share),
                lang.count(far)
            ),
            Lang::En => format!(
                "{} of the inhabitants ({} people) live more than {tt} minutes by car from {care}.",
                lang.percent(share),
                lang.count(far)
            ),
        });
    }
    if !detailed {
        return out;
    }
    let missing: f64 = values
        .iter()
        .zip(w)
        .filter(|(v, _)| v.is_none())
        .map(|(_, p)| p)
        .sum();
    if missing >= 0.5 {
        out.push(match lang {
            Lang::Fr => format!("{} habitants n'ont aucun temps calculé vers {care} (point non raccordé au réseau ou aucun site atteint) : ils ne sont comptés ni proches ni loin.", lang.count(missing)),
            Lang::En => format!("{} inhabitants have no time to {care} (not snapped to the network or no site reached): counted neither near nor far.", lang.count(missing)),
        });
    }
    if let (Some((qpvs, qpv_of)), Some((communes, commune_of))) = (&people.qpv, &people.communes) {
        let mut rows = Vec::new();
        for (q, unit) in qpvs.units.iter().enumerate() {
            let Some((share, _, _)) = beyond(values, w, t, |i| qpv_of[i] == Some(q)) else {
                continue;
            };
            let around: BTreeSet<usize> = (0..w.len())
                .filter(|&i| qpv_of[i] == Some(q))
                .filter_map(|i| commune_of[i])
                .collect();
            let rest = beyond(values, w, t, |i| {
                qpv_of[i].is_none() && commune_of[i].is_some_and(|c| around.contains(&c))
            });
            let names: Vec<&str> = around
                .iter()
                .map(|c| communes.units[*c].name.as_str())
                .collect();
            rows.push((
                share,
                unit.name.clone(),
                rest.map(|r| r.0),
                names.join(", "),
            ));
        }
        rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (share, name, rest, places) in rows.into_iter().take(5) {
            let against = match (rest, lang) {
                (Some(r), Lang::Fr) => {
                    format!(", contre {} dans le reste de {places}", lang.percent(r))
                }
                (Some(r), Lang::En) => {
                    format!(", against {} in the rest of {places}", lang.percent(r))
                }
                (None, _) => String::new(),
            };
            out.push(match lang {
                Lang::Fr => format!(
                    "{} des habitants du QPV {name} vivent à plus de {tt} minutes d'{care}{against}.",
                    lang.percent(share)
                ),
                Lang::En => format!(
                    "{} of the inhabitants of QPV {name} live more than {tt} minutes from {care}{against}.",
                    lang.percent(share)
                ),
            });
        }
    }
    let worst = worst_cells(values, w, 3);
    if !worst.is_empty() {
        let list: Vec<String> = worst
            .iter()
            .map(|&i| {
                let place = people.commune_name(i);
                let mut at = if place.is_empty() {
                    String::new()
                } else {
                    format!("{}{place}", lang.pick(" à ", " in "))
                };
                if let Some(street) = people.street(i) {
                    at.push_str(&format!("{}{street}", lang.pick(", près de ", ", near ")));
                }
                format!(
                    "{}{at} ({} min, {} {})",
                    people.ids[i],
                    lang.number(values[i].unwrap_or(0.0), 1),
                    lang.count(w[i]),
                    lang.pick("hab.", "inhabitants")
                )
            })
            .collect();
        out.push(format!(
            "{}{care}{}{}.",
            lang.pick(
                "Lieux habités les plus éloignés d'",
                "Inhabited places farthest from "
            ),
            lang.pick(" : ", ": "),
            list.join(lang.pick(" ; ", "; "))
        ));
    }
    out
}

/// The `n` inhabited origins (at least one inhabitant) with the largest values, largest
/// first, ties by index.
pub fn worst_cells(values: &[Option<f64>], weights: &[f64], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len())
        .filter(|&i| values[i].is_some() && weights[i] >= 1.0)
        .collect();
    order.sort_by(|&a, &b| {
        values[b]
            .unwrap_or(0.0)
            .total_cmp(&values[a].unwrap_or(0.0))
            .then(a.cmp(&b))
    });
    order.truncate(n);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::territory::Unit;
    use geo::MultiPolygon;

    fn layer(kind: &str, names: &[&str]) -> UnitLayer {
        UnitLayer {
            kind: kind.into(),
            units: names
                .iter()
                .enumerate()
                .map(|(i, n)| Unit {
                    kind: kind.into(),
                    code: format!("{kind}{i}"),
                    name: n.to_string(),
                    geometry: MultiPolygon(vec![]),
                    population: None,
                })
                .collect(),
            repaired: vec![],
        }
    }

    #[test]
    fn qpv_is_compared_with_the_rest_of_its_commune() {
        // Bondy: 4 origins of 100 people; origins 0 and 1 in QPV Blanqui (12 and 4 min), 2
        // and 3 outside it (3 and 4 min). Pantin: origin 4, 30 min, not in the comparison.
        let values = [Some(12.0), Some(4.0), Some(3.0), Some(4.0), Some(30.0)];
        let weights = [100.0, 100.0, 100.0, 100.0, 100.0];
        let ids: Vec<String> = (0..5).map(|i| format!("c{i}")).collect();
        let communes = layer("commune", &["Bondy", "Pantin"]);
        let qpvs = layer("qpv", &["Blanqui"]);
        let people = People {
            weights: &weights,
            ids: &ids,
            communes: Some((&communes, vec![Some(0), Some(0), Some(0), Some(0), Some(1)])),
            qpv: Some((&qpvs, vec![Some(0), Some(0), None, None, None])),
            centres: &[(0.0, 0.0); 5],
            streets: None,
        };
        // Beyond 5 min: 2 of 5 (40 %); beyond 10: 2 of 5; beyond 15: 1 of 5 = 20 %.
        assert_eq!(
            telling_threshold(&values, &weights, &[5.0, 10.0, 15.0]),
            Some(15.0)
        );
        let s = time_sentences(Lang::Fr, "gp", &values, &people, &[5.0, 10.0, 15.0], true);
        assert_eq!(
            s[0],
            "20 % des habitants (100 personnes) vivent à plus de 15 minutes en voiture d'un médecin généraliste."
        );
        assert_eq!(
            s[1],
            "0 % des habitants du QPV Blanqui vivent à plus de 15 minutes d'un médecin généraliste, contre 0 % dans le reste de Bondy."
        );
        let s = time_sentences(Lang::En, "gp", &values, &people, &[10.0], true);
        assert_eq!(
            time_sentences(Lang::En, "gp", &values, &people, &[10.0], false).len(),
            1
        );
        assert_eq!(
            s[1],
            "50 % of the inhabitants of QPV Blanqui live more than 10 minutes from a GP, against 0 % in the rest of Bondy."
        );
        assert_eq!(
            s[2],
            "Inhabited places farthest from a GP: c4 in Pantin (30.0 min, 100 inhabitants); c0 in Bondy (12.0 min, 100 inhabitants); c1 in Bondy (4.0 min, 100 inhabitants)."
        );
    }

    #[test]
    fn origins_without_a_time_are_counted_apart() {
        let values = [Some(2.0), None];
        let weights = [10.0, 5.0];
        let ids = vec!["a".to_string(), "b".to_string()];
        let people = People {
            weights: &weights,
            ids: &ids,
            communes: None,
            qpv: None,
            centres: &[(0.0, 0.0); 2],
            streets: None,
        };
        let s = time_sentences(Lang::Fr, "pharmacist", &values, &people, &[5.0], true);
        assert!(s[0].starts_with("0 % des habitants (0 personnes)"), "{s:?}");
        assert!(s[1].starts_with("5 habitants n'ont aucun temps"), "{s:?}");
        assert_eq!(worst_cells(&values, &weights, 5), vec![0]);
    }
}
