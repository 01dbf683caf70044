//! Zonage: which territories are under-served, by the rules French regional health agencies
//! (ARS) use (DOMAIN.md, "Zonage médecins"):
//!
//! - [`Rule2017`]: the 2017 GP zonage on the APL of each unit (usually a territoire de
//!   vie-santé): APL ≤ 2.5 → ZIP zone A (compulsory); 2.5 < APL ≤ 4 → the *vivier*, in which
//!   ZIP zone B and ZAC are picked within regional population quotas, the rest being
//!   *vigilance*; APL > 4 → outside, of which the ARS may add units up to a share (5 % in the
//!   2017 rule) of the vivier's population ("outside-eligible"). Arrêté du 13 novembre 2017
//!   relatif à la méthodologie applicable à la profession de médecin pour la détermination
//!   des zones prévues au 1° de l'article L. 1434-4 du code de la santé publique. The ARS
//!   choose within the vivier on local grounds; the engine fills ZIP B then ZAC by
//!   increasing APL (ties by code), a reproducible stand-in for that choice.
//! - [`Ranking`]: the multi-criteria approach of the 2025 zonage: a weighted sum of
//!   normalised criteria (APL, GP density, share of GPs aged 60+, share of the population
//!   aged 75+, ALD share, share without a médecin traitant…), classes filled by population
//!   share in rank order.
//! - [`ShareClasses`]: the population-share classes of the other professions (nurses,
//!   physiotherapists, midwives): "very under-served" = the units with the lowest indicator
//!   covering X % of the population, and so on.
//!
//! **Quota rule** (every method): units are taken worst first (ties by
//! code); each class has a population quota counted from where the previous class ended; a
//! unit joins the current class when the population already in that class is *below* the
//! quota, so a quota boundary falling inside a unit includes that unit, and a class never
//! holds more than its quota plus the population of its last unit. A zero quota gives an
//! empty class. Units left when every quota is filled fall in the rest class.
//!
//! **Normalisation** ([`Normalisation`]): min-max maps a criterion onto [0, 1] (0 for every
//! unit when all values are equal); z-score is `(x − mean) / sd` with the population standard
//! deviation (divided by *n*) over units, each unit counting once whatever its population (0
//! when sd = 0). Each normalised value is oriented so that higher = more under-served:
//! `(x − min) / (max − min)` or `z` for a criterion where higher is worse, `(max − x) /
//! (max − min)` or `−z` where higher is better. Score = Σ_k w_k · norm_k (weights ≥ 0, not
//! required to sum to 1); higher score = more under-served.

use crate::indicators::kernel::BoundSide;
pub use crate::inputs::units::Unit;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// A configuration or input that cannot be classified.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ZonageError {
    /// An invalid setting.
    #[error("zonage settings, {section}: {reason}")]
    Config {
        /// Section of the settings (`rule_2017`, `ranking`, a share-class name).
        section: String,
        /// What is wrong.
        reason: String,
    },
    /// An invalid unit or value.
    #[error("zonage unit {code:?}: {reason}")]
    Unit {
        /// Code of the unit.
        code: String,
        /// What is wrong.
        reason: String,
    },
    /// A value column whose length differs from the number of units.
    #[error("zonage: {what} has {got} values for {expected} units")]
    Length {
        /// The column.
        what: String,
        /// Number of units.
        expected: usize,
        /// Number of values.
        got: usize,
    },
}

/// Which way a criterion goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// A larger value means more under-served (share of GPs aged 60+, share aged 75+).
    HigherIsWorse,
    /// A larger value means better served (APL, GP density).
    HigherIsBetter,
}

/// How criteria are put on a common scale (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Normalisation {
    /// `(x − min) / (max − min)`, in [0, 1].
    #[default]
    MinMax,
    /// `(x − mean) / sd`, population sd over units.
    ZScore,
}

/// A class filled up to a share of the total population.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaClass {
    /// Class name written in the outputs.
    pub name: String,
    /// Its quota, as a share of the total population of the units (0…1).
    pub population_share: f64,
}

/// Where a unit falls in a ranking: its rank, class and cumulative population share.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// 1-based rank, 1 = most under-served.
    pub rank: usize,
    /// Index of its class in the configured classes; `classes.len()` = the rest class.
    pub class: usize,
    /// Population of the units ranked up to and including it over the total population;
    /// `None` when the total population is 0.
    pub cumulative_share: Option<f64>,
}

/// Units and population of one class.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassTotal {
    /// Class name.
    pub class: String,
    /// Number of units in it.
    pub units: usize,
    /// Their population, inhabitants.
    pub population: f64,
}

/// The class index of each unit (indexed like `population`) when the units of `order` are
/// taken in turn and classes filled up to `quotas` (inhabitants) by the quota rule of the
/// module docs; `quotas.len()` marks the rest class, also given to units not in `order`.
fn fill_quotas(order: &[usize], population: &[f64], quotas: &[f64]) -> Vec<usize> {
    let mut class = vec![quotas.len(); population.len()];
    let mut current = 0;
    let mut filled = 0.0;
    for &u in order {
        while current < quotas.len() && filled >= quotas[current] {
            current += 1;
            filled = 0.0;
        }
        if current == quotas.len() {
            break;
        }
        class[u] = current;
        filled += population[u];
    }
    class
}

/// Units and population per class, for class names `names` followed by `rest`, given the
/// class index of each unit.
pub fn class_totals(
    names: &[String],
    rest: &str,
    class: &[usize],
    units: &[Unit],
) -> Vec<ClassTotal> {
    let mut out: Vec<ClassTotal> = names
        .iter()
        .map(String::as_str)
        .chain([rest])
        .map(|n| ClassTotal {
            class: n.to_string(),
            units: 0,
            population: 0.0,
        })
        .collect();
    for (u, &c) in units.iter().zip(class) {
        if let Some(t) = out.get_mut(c) {
            t.units += 1;
            t.population += u.population;
        }
    }
    out
}

/// The 2017 classes, from the most to the least under-served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class2017 {
    /// ZIP zone A: APL at or below the ZIP threshold (compulsory).
    ZipA,
    /// ZIP zone B: picked from the vivier within the ZIP B quota.
    ZipB,
    /// Zone d'action complémentaire: picked from the rest of the vivier within the ZAC quota.
    Zac,
    /// The rest of the vivier.
    Vigilance,
    /// Above the vivier, within the share of the vivier's population the ARS may add.
    OutsideEligible,
    /// Above the vivier.
    Outside,
}

impl Class2017 {
    /// Every class, most under-served first.
    pub const ALL: [Class2017; 6] = [
        Class2017::ZipA,
        Class2017::ZipB,
        Class2017::Zac,
        Class2017::Vigilance,
        Class2017::OutsideEligible,
        Class2017::Outside,
    ];

    /// The name written in the outputs.
    pub fn label(self) -> &'static str {
        match self {
            Class2017::ZipA => "zip-a",
            Class2017::ZipB => "zip-b",
            Class2017::Zac => "zac",
            Class2017::Vigilance => "vigilance",
            Class2017::OutsideEligible => "outside-eligible",
            Class2017::Outside => "outside",
        }
    }
}

/// The 2017 GP zonage rule: thresholds on the APL (consultations per year per standardised
/// inhabitant) and regional quotas. Defaults are the 2017 thresholds with empty quotas.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rule2017 {
    /// Input column holding the APL.
    pub column: String,
    /// ZIP threshold (2.5).
    pub zip_max: f64,
    /// Upper bound of the vivier (4).
    pub vivier_max: f64,
    /// Whether an APL equal to a threshold is below it (`upper-inclusive`: APL = 2.5 is ZIP,
    /// APL = 4 is in the vivier, as in 2017) or above it (`upper-exclusive`).
    pub side: BoundSide,
    /// Regional ZIP zone B quota, inhabitants.
    pub zip_b_population: f64,
    /// Regional ZAC quota, inhabitants.
    pub zac_population: f64,
    /// Share of the vivier's population (0…1; at most 0.05 in 2017) the ARS may add from
    /// outside, lowest APL first.
    pub outside_eligible_share: f64,
}

impl Default for Rule2017 {
    fn default() -> Self {
        Rule2017 {
            column: "apl".into(),
            zip_max: 2.5,
            vivier_max: 4.0,
            side: BoundSide::UpperInclusive,
            zip_b_population: 0.0,
            zac_population: 0.0,
            outside_eligible_share: 0.0,
        }
    }
}

impl Rule2017 {
    /// Checks thresholds (finite, ZIP ≤ vivier), quotas (finite, ≥ 0) and the outside share
    /// (0…1).
    pub fn validate(&self) -> Result<(), ZonageError> {
        let bad = |reason: String| {
            Err(ZonageError::Config {
                section: "rule_2017".into(),
                reason,
            })
        };
        if !(self.zip_max.is_finite() && self.vivier_max.is_finite()) {
            return bad("thresholds must be finite".into());
        }
        if self.zip_max > self.vivier_max {
            return bad(format!(
                "zip_max {} is above vivier_max {}",
                self.zip_max, self.vivier_max
            ));
        }
        for (name, q) in [
            ("zip_b_population", self.zip_b_population),
            ("zac_population", self.zac_population),
        ] {
            if !(q.is_finite() && q >= 0.0) {
                return bad(format!("{name} = {q} must be a population ≥ 0"));
            }
        }
        if !(0.0..=1.0).contains(&self.outside_eligible_share) {
            return bad(format!(
                "outside_eligible_share = {} must be within 0…1",
                self.outside_eligible_share
            ));
        }
        Ok(())
    }

    /// Whether `apl` is at or below (by [`Self::side`]) `bound`.
    fn within(&self, apl: f64, bound: f64) -> bool {
        match self.side {
            BoundSide::UpperInclusive => apl <= bound,
            BoundSide::UpperExclusive => apl < bound,
        }
    }

    /// The class of each unit given its APL (`apl[i]` for `units[i]`).
    pub fn classify(&self, units: &[Unit], apl: &[f64]) -> Result<Vec<Class2017>, ZonageError> {
        self.validate()?;
        check_units(units)?;
        check_values(units, apl, &self.column)?;
        let population: Vec<f64> = units.iter().map(|u| u.population).collect();
        let order = worst_first(units, |i| apl[i]);
        let vivier: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| !self.within(apl[i], self.zip_max) && self.within(apl[i], self.vivier_max))
            .collect();
        let outside: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| !self.within(apl[i], self.vivier_max))
            .collect();
        let in_vivier = fill_quotas(
            &vivier,
            &population,
            &[self.zip_b_population, self.zac_population],
        );
        let vivier_population: f64 = vivier.iter().map(|&i| population[i]).sum();
        let beyond = fill_quotas(
            &outside,
            &population,
            &[self.outside_eligible_share * vivier_population],
        );
        Ok((0..units.len())
            .map(|i| {
                if self.within(apl[i], self.zip_max) {
                    Class2017::ZipA
                } else if self.within(apl[i], self.vivier_max) {
                    [Class2017::ZipB, Class2017::Zac, Class2017::Vigilance][in_vivier[i]]
                } else if beyond[i] == 0 {
                    Class2017::OutsideEligible
                } else {
                    Class2017::Outside
                }
            })
            .collect())
    }
}

/// One criterion of a multi-criteria ranking.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Input column holding it.
    pub column: String,
    /// Its weight (≥ 0).
    pub weight: f64,
    /// Which way is worse.
    pub direction: Direction,
}

/// A multi-criteria ranking with population-share classes (the 2025 approach).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ranking {
    /// Min-max (default) or z-score.
    #[serde(default)]
    pub normalisation: Normalisation,
    /// The criteria (distinct columns, at least one positive weight).
    pub criteria: Vec<Criterion>,
    /// Classes filled in rank order (most under-served first).
    pub classes: Vec<QuotaClass>,
    /// Name of the class of the remaining units.
    #[serde(default = "default_ranking_rest")]
    pub rest: String,
}

fn default_ranking_rest() -> String {
    "outside".into()
}

/// A ranking's results, indexed like the units.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingResult {
    /// Oriented normalised value of each criterion (`normalised[k][i]` for criterion *k*,
    /// unit *i*); higher = more under-served.
    pub normalised: Vec<Vec<f64>>,
    /// Score Σ w_k · norm_k of each unit.
    pub score: Vec<f64>,
    /// Rank, class and cumulative population share of each unit.
    pub placed: Vec<Placed>,
}

impl Ranking {
    /// Checks criteria (non-empty, distinct columns, finite weights ≥ 0 with a positive one)
    /// and classes.
    pub fn validate(&self) -> Result<(), ZonageError> {
        let bad = |reason: String| {
            Err(ZonageError::Config {
                section: "ranking".into(),
                reason,
            })
        };
        if self.criteria.is_empty() {
            return bad("no criteria".into());
        }
        let mut seen = BTreeSet::new();
        for c in &self.criteria {
            if !seen.insert(c.column.to_lowercase()) {
                return bad(format!("criterion {:?} given twice", c.column));
            }
            if !(c.weight.is_finite() && c.weight >= 0.0) {
                return bad(format!(
                    "criterion {:?}: weight {} must be ≥ 0",
                    c.column, c.weight
                ));
            }
        }
        if self.criteria.iter().all(|c| c.weight == 0.0) {
            return bad("every weight is 0".into());
        }
        check_classes("ranking", &self.classes, &self.rest)
    }

    /// Scores, ranks and classes of `units`; `values[k][i]` is criterion *k* of unit *i*.
    pub fn rank(&self, units: &[Unit], values: &[Vec<f64>]) -> Result<RankingResult, ZonageError> {
        self.validate()?;
        check_units(units)?;
        if values.len() != self.criteria.len() {
            return Err(ZonageError::Length {
                what: "criteria".into(),
                expected: self.criteria.len(),
                got: values.len(),
            });
        }
        for (c, v) in self.criteria.iter().zip(values) {
            check_values(units, v, &c.column)?;
        }
        let normalised: Vec<Vec<f64>> = self
            .criteria
            .iter()
            .zip(values)
            .map(|(c, v)| normalise(v, self.normalisation, c.direction))
            .collect();
        let score: Vec<f64> = (0..units.len())
            .map(|i| {
                self.criteria
                    .iter()
                    .zip(&normalised)
                    .map(|(c, n)| c.weight * n[i])
                    .sum()
            })
            .collect();
        let order = worst_first(units, |i| -score[i]);
        let placed = place(units, &order, &self.classes);
        Ok(RankingResult {
            normalised,
            score,
            placed,
        })
    }
}

/// Population-share classes on one indicator (other professions): the units with the worst
/// values covering each class's share of the population, in order.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShareClasses {
    /// Name of the classification (prefix of its output columns).
    pub name: String,
    /// Input column holding the indicator.
    pub column: String,
    /// Which way is worse (default `higher-is-better`, as for an APL).
    #[serde(default = "default_share_direction")]
    pub direction: Direction,
    /// Classes, most under-served first.
    pub classes: Vec<QuotaClass>,
    /// Name of the class of the remaining units.
    #[serde(default = "default_share_rest")]
    pub rest: String,
}

fn default_share_direction() -> Direction {
    Direction::HigherIsBetter
}

fn default_share_rest() -> String {
    "other".into()
}

impl ShareClasses {
    /// Checks the name and classes.
    pub fn validate(&self) -> Result<(), ZonageError> {
        if self.name.trim().is_empty() {
            return Err(ZonageError::Config {
                section: "shares".into(),
                reason: "empty name".into(),
            });
        }
        check_classes(&self.name, &self.classes, &self.rest)
    }

    /// Rank, class and cumulative population share of each unit given its indicator value
    /// (`values[i]` for `units[i]`).
    pub fn classify(&self, units: &[Unit], values: &[f64]) -> Result<Vec<Placed>, ZonageError> {
        self.validate()?;
        check_units(units)?;
        check_values(units, values, &self.column)?;
        let order = match self.direction {
            Direction::HigherIsBetter => worst_first(units, |i| values[i]),
            Direction::HigherIsWorse => worst_first(units, |i| -values[i]),
        };
        Ok(place(units, &order, &self.classes))
    }
}

/// Every zonage of a study: any of the 2017 rule, a ranking and share classifications.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ZonageConfig {
    /// The 2017 rule.
    #[serde(default)]
    pub rule_2017: Option<Rule2017>,
    /// The multi-criteria ranking.
    #[serde(default)]
    pub ranking: Option<Ranking>,
    /// Population-share classifications.
    #[serde(default)]
    pub shares: Vec<ShareClasses>,
}

impl ZonageConfig {
    /// Checks every section, that there is at least one, and that share names are distinct.
    pub fn validate(&self) -> Result<(), ZonageError> {
        if self.rule_2017.is_none() && self.ranking.is_none() && self.shares.is_empty() {
            return Err(ZonageError::Config {
                section: "zonage".into(),
                reason: "nothing to compute: give rule_2017, ranking or shares".into(),
            });
        }
        if let Some(r) = &self.rule_2017 {
            r.validate()?;
        }
        if let Some(r) = &self.ranking {
            r.validate()?;
        }
        let mut names = BTreeSet::new();
        for s in &self.shares {
            s.validate()?;
            if !names.insert(s.name.as_str()) {
                return Err(ZonageError::Config {
                    section: s.name.clone(),
                    reason: "share classification name given twice".into(),
                });
            }
        }
        Ok(())
    }

    /// Every input column the sections read, sorted, without repeats.
    pub fn columns(&self) -> Vec<String> {
        let mut out = BTreeSet::new();
        if let Some(r) = &self.rule_2017 {
            out.insert(r.column.clone());
        }
        if let Some(r) = &self.ranking {
            out.extend(r.criteria.iter().map(|c| c.column.clone()));
        }
        out.extend(self.shares.iter().map(|s| s.column.clone()));
        out.into_iter().collect()
    }
}

/// Checks class names (non-empty, distinct, not the rest) and shares (0…1, total ≤ 1).
fn check_classes(section: &str, classes: &[QuotaClass], rest: &str) -> Result<(), ZonageError> {
    let bad = |reason: String| {
        Err(ZonageError::Config {
            section: section.into(),
            reason,
        })
    };
    let mut names = BTreeSet::from([rest]);
    if rest.trim().is_empty() {
        return bad("empty rest class name".into());
    }
    let mut total = 0.0;
    for c in classes {
        if c.name.trim().is_empty() || !names.insert(c.name.as_str()) {
            return bad(format!("class name {:?} empty or given twice", c.name));
        }
        if !(0.0..=1.0).contains(&c.population_share) {
            return bad(format!(
                "class {:?}: population_share {} must be within 0…1",
                c.name, c.population_share
            ));
        }
        total += c.population_share;
    }
    if total > 1.0 + 1e-9 {
        return bad(format!("population shares add up to {total}, above 1"));
    }
    Ok(())
}

/// Checks populations (finite, ≥ 0) and codes (distinct).
fn check_units(units: &[Unit]) -> Result<(), ZonageError> {
    let mut seen = BTreeSet::new();
    for u in units {
        if !(u.population.is_finite() && u.population >= 0.0) {
            return Err(ZonageError::Unit {
                code: u.code.clone(),
                reason: format!("population {} is not a number ≥ 0", u.population),
            });
        }
        if !seen.insert(u.code.as_str()) {
            return Err(ZonageError::Unit {
                code: u.code.clone(),
                reason: "code given twice".into(),
            });
        }
    }
    Ok(())
}

/// Checks that `values` has one finite value per unit.
fn check_values(units: &[Unit], values: &[f64], what: &str) -> Result<(), ZonageError> {
    if values.len() != units.len() {
        return Err(ZonageError::Length {
            what: what.into(),
            expected: units.len(),
            got: values.len(),
        });
    }
    match units.iter().zip(values).find(|(_, v)| !v.is_finite()) {
        Some((u, v)) => Err(ZonageError::Unit {
            code: u.code.clone(),
            reason: format!("{what} = {v} is not a finite number"),
        }),
        None => Ok(()),
    }
}

/// Unit indices by increasing `key` (worst first), ties by code.
fn worst_first(units: &[Unit], key: impl Fn(usize) -> f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(Ordering::Equal)
            .then_with(|| units[a].code.cmp(&units[b].code))
    });
    order
}

/// Ranks, classes (quotas = share × total population) and cumulative shares along `order`.
fn place(units: &[Unit], order: &[usize], classes: &[QuotaClass]) -> Vec<Placed> {
    let population: Vec<f64> = units.iter().map(|u| u.population).collect();
    let total: f64 = order.iter().map(|&i| population[i]).sum();
    let quotas: Vec<f64> = classes.iter().map(|c| c.population_share * total).collect();
    let class = fill_quotas(order, &population, &quotas);
    let mut placed = vec![
        Placed {
            rank: 0,
            class: classes.len(),
            cumulative_share: None,
        };
        units.len()
    ];
    let mut cumulative = 0.0;
    for (r, &i) in order.iter().enumerate() {
        cumulative += population[i];
        placed[i] = Placed {
            rank: r + 1,
            class: class[i],
            cumulative_share: (total > 0.0).then(|| cumulative / total),
        };
    }
    placed
}

/// Oriented normalised values (higher = more under-served), see the module docs.
fn normalise(values: &[f64], how: Normalisation, direction: Direction) -> Vec<f64> {
    match how {
        Normalisation::MinMax => {
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let range = max - min;
            values
                .iter()
                .map(|&x| match (range > 0.0, direction) {
                    (false, _) => 0.0,
                    (true, Direction::HigherIsWorse) => (x - min) / range,
                    (true, Direction::HigherIsBetter) => (max - x) / range,
                })
                .collect()
        }
        Normalisation::ZScore => {
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
            values
                .iter()
                .map(|&x| match (sd > 0.0, direction) {
                    (false, _) => 0.0,
                    (true, Direction::HigherIsWorse) => (x - mean) / sd,
                    (true, Direction::HigherIsBetter) => (mean - x) / sd,
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn units(list: &[(&str, f64)]) -> Vec<Unit> {
        list.iter()
            .map(|&(code, population)| Unit {
                code: code.into(),
                population,
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Units A…H, APL and population:
    /// A 2.0/100, B 2.5/50, C 3.0/40, D 3.0/30, E 3.5/60, F 4.0/20, G 4.2/10, H 5.0/10.
    fn rule_units() -> (Vec<Unit>, Vec<f64>) {
        let u = units(&[
            ("A", 100.0),
            ("B", 50.0),
            ("C", 40.0),
            ("D", 30.0),
            ("E", 60.0),
            ("F", 20.0),
            ("G", 10.0),
            ("H", 10.0),
        ]);
        (u, vec![2.0, 2.5, 3.0, 3.0, 3.5, 4.0, 4.2, 5.0])
    }

    #[test]
    fn rule_2017_by_hand_upper_inclusive() {
        // ZIP A: A (2.0), B (2.5 ≤ 2.5). Vivier (2.5 < APL ≤ 4), by APL then code:
        // C 40, D 30, E 60, F 20; vivier population 150.
        // ZIP B quota 50: C (0 before < 50) in, 40 filled; D (40 < 50) in although
        // 40 + 30 = 70 crosses the quota; E (70 ≥ 50) starts ZAC.
        // ZAC quota 60: E (0 < 60) in, 60 filled; F (60 ≥ 60) → vigilance.
        // Outside quota 0.05 × 150 = 7.5: G (0 < 7.5) eligible, 10 filled; H (10 ≥ 7.5) out.
        let (u, apl) = rule_units();
        let rule = Rule2017 {
            zip_b_population: 50.0,
            zac_population: 60.0,
            outside_eligible_share: 0.05,
            ..Rule2017::default()
        };
        use Class2017::*;
        assert_eq!(
            rule.classify(&u, &apl).unwrap(),
            vec![
                ZipA,
                ZipA,
                ZipB,
                ZipB,
                Zac,
                Vigilance,
                OutsideEligible,
                Outside
            ]
        );
    }

    #[test]
    fn rule_2017_by_hand_upper_exclusive() {
        // ZIP A: A only (2.5 is not < 2.5). Vivier (2.5 ≤ APL < 4): B 50, C 40, D 30, E 60;
        // population 180. ZIP B quota 50: B in, 50 filled; C (50 ≥ 50) starts ZAC.
        // ZAC quota 60: C in (40), D (40 < 60) in (70); E (70 ≥ 60) → vigilance.
        // Outside (APL ≥ 4), F 20, G 10, H 10; quota 0.05 × 180 = 9: F eligible (20),
        // G and H out.
        let (u, apl) = rule_units();
        let rule = Rule2017 {
            side: BoundSide::UpperExclusive,
            zip_b_population: 50.0,
            zac_population: 60.0,
            outside_eligible_share: 0.05,
            ..Rule2017::default()
        };
        use Class2017::*;
        assert_eq!(
            rule.classify(&u, &apl).unwrap(),
            vec![
                ZipA,
                ZipB,
                Zac,
                Zac,
                Vigilance,
                OutsideEligible,
                Outside,
                Outside
            ]
        );
    }

    #[test]
    fn rule_2017_rejects_bad_settings_and_values() {
        let (u, apl) = rule_units();
        let rule = Rule2017 {
            zip_max: 5.0,
            ..Rule2017::default()
        };
        assert!(matches!(
            rule.classify(&u, &apl),
            Err(ZonageError::Config { .. })
        ));
        let mut bad = apl.clone();
        bad[3] = f64::NAN;
        assert!(matches!(
            Rule2017::default().classify(&u, &bad),
            Err(ZonageError::Unit { code, .. }) if code == "D"
        ));
        assert!(matches!(
            Rule2017::default().classify(&u, &apl[..3]),
            Err(ZonageError::Length { .. })
        ));
    }

    /// U1 pop 100, APL 2, aged 75+ 10 %; U2 pop 200, APL 4, 30 %; U3 pop 100, APL 3, 20 %.
    fn ranking_units() -> (Vec<Unit>, Vec<Vec<f64>>) {
        (
            units(&[("U1", 100.0), ("U2", 200.0), ("U3", 100.0)]),
            vec![vec![2.0, 4.0, 3.0], vec![10.0, 30.0, 20.0]],
        )
    }

    fn ranking(how: Normalisation, w_apl: f64, w_old: f64) -> Ranking {
        Ranking {
            normalisation: how,
            criteria: vec![
                Criterion {
                    column: "apl".into(),
                    weight: w_apl,
                    direction: Direction::HigherIsBetter,
                },
                Criterion {
                    column: "aged_75".into(),
                    weight: w_old,
                    direction: Direction::HigherIsWorse,
                },
            ],
            classes: vec![
                QuotaClass {
                    name: "zip".into(),
                    population_share: 0.25,
                },
                QuotaClass {
                    name: "zac".into(),
                    population_share: 0.25,
                },
            ],
            rest: "outside".into(),
        }
    }

    #[test]
    fn min_max_ranking_by_hand() {
        // APL (better): (4 − x) / 2 → U1 1, U2 0, U3 0.5.
        // Aged 75+ (worse): (x − 10) / 20 → U1 0, U2 1, U3 0.5.
        // Score, weights 2 and 1: U1 2, U2 1, U3 1.5 → ranks U1, U3, U2.
        // Total 400; quotas 100 and 100: U1 zip (100 filled), U3 (100 ≥ 100) zac, U2 rest.
        // Cumulative shares: U1 100/400, U3 200/400, U2 400/400.
        let (u, v) = ranking_units();
        let r = ranking(Normalisation::MinMax, 2.0, 1.0)
            .rank(&u, &v)
            .unwrap();
        assert_eq!(r.normalised, vec![vec![1.0, 0.0, 0.5], vec![0.0, 1.0, 0.5]]);
        assert_eq!(r.score, vec![2.0, 1.0, 1.5]);
        let ranks: Vec<usize> = r.placed.iter().map(|p| p.rank).collect();
        assert_eq!(ranks, vec![1, 3, 2]);
        let classes: Vec<usize> = r.placed.iter().map(|p| p.class).collect();
        assert_eq!(classes, vec![0, 2, 1]);
        let shares: Vec<Option<f64>> = r.placed.iter().map(|p| p.cumulative_share).collect();
        assert_eq!(shares, vec![Some(0.25), Some(1.0), Some(0.5)]);
    }

    #[test]
    fn z_score_ranking_by_hand() {
        // APL: mean 3, sd = √((1 + 1 + 0) / 3) = √(2/3); z = ∓√(3/2) for 2 and 4, 0 for 3;
        // oriented (better) → U1 +√1.5, U2 −√1.5, U3 0.
        // Aged 75+: mean 20, sd √(200/3); z → U1 −√1.5, U2 +√1.5, U3 0.
        // Weights 1 and 3: U1 √1.5 − 3√1.5 = −2√1.5, U2 +2√1.5, U3 0 → ranks U2, U3, U1.
        // Quotas 100, 100: U2 (0 < 100) zip, though 200 > 100; U3 (200 ≥ 100) zac;
        // U1 (100 ≥ 100) rest. Cumulative shares: U2 0.5, U3 0.75, U1 1.
        let (u, v) = ranking_units();
        let r = ranking(Normalisation::ZScore, 1.0, 3.0)
            .rank(&u, &v)
            .unwrap();
        let s = 1.5f64.sqrt();
        assert!(close(r.normalised[0][0], s) && close(r.normalised[0][1], -s));
        assert!(close(r.normalised[1][1], s) && close(r.normalised[1][2], 0.0));
        assert!(close(r.score[0], -2.0 * s) && close(r.score[1], 2.0 * s));
        assert!(close(r.score[2], 0.0));
        let placed: Vec<(usize, usize)> = r.placed.iter().map(|p| (p.rank, p.class)).collect();
        assert_eq!(placed, vec![(3, 2), (1, 0), (2, 1)]);
        assert_eq!(r.placed[0].cumulative_share, Some(1.0));
        assert_eq!(r.placed[2].cumulative_share, Some(0.75));
    }

    #[test]
    fn equal_scores_rank_by_code_and_constant_criteria_normalise_to_zero() {
        let u = units(&[("B", 1.0), ("A", 1.0)]);
        for how in [Normalisation::MinMax, Normalisation::ZScore] {
            let r = ranking(how, 1.0, 1.0)
                .rank(&u, &[vec![3.0, 3.0], vec![5.0, 5.0]])
                .unwrap();
            assert_eq!(r.normalised, vec![vec![0.0, 0.0], vec![0.0, 0.0]]);
            assert_eq!(r.placed[1].rank, 1);
            assert_eq!(r.placed[0].rank, 2);
        }
    }

    #[test]
    fn ranking_settings_are_checked() {
        let mut r = ranking(Normalisation::MinMax, 0.0, 0.0);
        assert!(r.validate().is_err());
        r.criteria[0].weight = 1.0;
        assert!(r.validate().is_ok());
        r.classes[1].population_share = 0.9;
        assert!(r.validate().is_err());
        r.classes[1].population_share = 0.1;
        r.classes[1].name = "outside".into();
        assert!(r.validate().is_err());
    }

    #[test]
    fn share_classes_by_hand() {
        // Nurses' APL, lowest first: N2 40 (pop 30), N1 50 (10), N4 60 (40), N3 70 (20);
        // total 100. Very under-served quota 5: N2 (0 < 5) in, 30 filled; N1 (30 ≥ 5) starts
        // under-served, quota 25: N1 in (10), N4 (10 < 25) in (50); N3 (50 ≥ 25) → other.
        // Cumulative shares: N2 .3, N1 .4, N4 .8, N3 1.
        let u = units(&[("N1", 10.0), ("N2", 30.0), ("N3", 20.0), ("N4", 40.0)]);
        let s = ShareClasses {
            name: "nurses".into(),
            column: "apl_nurses".into(),
            direction: Direction::HigherIsBetter,
            classes: vec![
                QuotaClass {
                    name: "very-under-served".into(),
                    population_share: 0.05,
                },
                QuotaClass {
                    name: "under-served".into(),
                    population_share: 0.25,
                },
            ],
            rest: "other".into(),
        };
        let p = s.classify(&u, &[50.0, 40.0, 70.0, 60.0]).unwrap();
        let got: Vec<(usize, usize)> = p.iter().map(|p| (p.rank, p.class)).collect();
        assert_eq!(got, vec![(2, 1), (1, 0), (4, 2), (3, 1)]);
        let shares: Vec<f64> = p.iter().filter_map(|p| p.cumulative_share).collect();
        assert!(close(shares[0], 0.4) && close(shares[1], 0.3) && close(shares[3], 0.8));
        let totals = class_totals(
            &["very-under-served".to_string(), "under-served".to_string()],
            "other",
            &p.iter().map(|p| p.class).collect::<Vec<_>>(),
            &u,
        );
        let summary: Vec<(usize, f64)> = totals.iter().map(|t| (t.units, t.population)).collect();
        assert_eq!(summary, vec![(1, 30.0), (2, 50.0), (1, 20.0)]);
    }

    #[test]
    fn config_reads_from_toml_with_defaults_and_denies_unknown_fields() {
        let c: ZonageConfig = toml::from_str(
            "[rule_2017]\nzac_population = 1000\n[[shares]]\nname = \"nurses\"\ncolumn = \"apl_nurses\"\nclasses = [{ name = \"very\", population_share = 0.053 }]\n",
        )
        .unwrap();
        let rule = c.rule_2017.as_ref().unwrap();
        assert_eq!(
            (rule.zip_max, rule.vivier_max, rule.zac_population),
            (2.5, 4.0, 1000.0)
        );
        assert_eq!(c.shares[0].direction, Direction::HigherIsBetter);
        assert_eq!(
            c.columns(),
            vec!["apl".to_string(), "apl_nurses".to_string()]
        );
        assert!(c.validate().is_ok());
        assert!(toml::from_str::<ZonageConfig>("[rule_2017]\nzip_mx = 2\n").is_err());
        assert!(ZonageConfig::default().validate().is_err());
    }

    /// Up to 30 units with whole populations and APL in 0.1 steps from 0 to 8.
    fn arb_units() -> impl Strategy<Value = (Vec<Unit>, Vec<f64>)> {
        prop::collection::vec((0u32..1000, 0u32..80), 1..30).prop_map(|v| {
            let u = v
                .iter()
                .enumerate()
                .map(|(i, &(p, _))| Unit {
                    code: format!("u{i:02}"),
                    population: f64::from(p),
                })
                .collect();
            (u, v.iter().map(|&(_, a)| f64::from(a) / 10.0).collect())
        })
    }

    /// For each class: population ≤ quota + population of its largest (hence of its last) unit.
    fn within_quota(units: &[Unit], class: &[usize], c: usize, quota: f64) -> bool {
        let members: Vec<f64> = units
            .iter()
            .zip(class)
            .filter(|(_, &k)| k == c)
            .map(|(u, _)| u.population)
            .collect();
        let largest = members.iter().copied().fold(0.0, f64::max);
        members.is_empty() || members.iter().sum::<f64>() - largest < quota
    }

    proptest! {
        #[test]
        fn rule_2017_partitions_fills_within_quota_and_is_monotone(
            (u, apl) in arb_units(),
            quotas in (0u32..3000, 0u32..3000, 0u32..=10),
            pick in 0usize..30,
            raise in 1u32..40,
        ) {
            let rule = Rule2017 {
                zip_b_population: f64::from(quotas.0),
                zac_population: f64::from(quotas.1),
                outside_eligible_share: f64::from(quotas.2) / 100.0,
                ..Rule2017::default()
            };
            let c = rule.classify(&u, &apl).unwrap();
            let index: Vec<usize> = c.iter().map(|k| *k as usize).collect();
            let names: Vec<String> = Class2017::ALL[..5].iter().map(|k| k.label().to_string()).collect();
            let totals = class_totals(&names, "outside", &index, &u);
            prop_assert_eq!(totals.iter().map(|t| t.units).sum::<usize>(), u.len());
            let pop: f64 = u.iter().map(|x| x.population).sum();
            prop_assert_eq!(totals.iter().map(|t| t.population).sum::<f64>(), pop);
            prop_assert!(within_quota(&u, &index, Class2017::ZipB as usize, rule.zip_b_population));
            prop_assert!(within_quota(&u, &index, Class2017::Zac as usize, rule.zac_population));
            let j = pick % u.len();
            let mut raised = apl.clone();
            raised[j] += f64::from(raise) / 10.0;
            let after = rule.classify(&u, &raised).unwrap();
            prop_assert!(after[j] >= c[j], "{:?} → {:?}", c[j], after[j]);
        }

        #[test]
        fn ranking_and_shares_partition_and_fill_within_quota(
            (u, apl) in arb_units(),
            share in (0u32..=50, 0u32..=50),
            z in any::<bool>(),
        ) {
            let old: Vec<f64> = apl.iter().map(|a| (a * 7.0) % 3.0).collect();
            let mut r = ranking(
                if z { Normalisation::ZScore } else { Normalisation::MinMax },
                1.0,
                2.0,
            );
            r.classes[0].population_share = f64::from(share.0) / 100.0;
            r.classes[1].population_share = f64::from(share.1) / 100.0;
            let res = r.rank(&u, &[apl.clone(), old]).unwrap();
            let class: Vec<usize> = res.placed.iter().map(|p| p.class).collect();
            let mut ranks: Vec<usize> = res.placed.iter().map(|p| p.rank).collect();
            ranks.sort_unstable();
            prop_assert_eq!(ranks, (1..=u.len()).collect::<Vec<_>>());
            let pop: f64 = u.iter().map(|x| x.population).sum();
            let totals = class_totals(&["zip".to_string(), "zac".to_string()], "outside", &class, &u);
            prop_assert_eq!(totals.iter().map(|t| t.units).sum::<usize>(), u.len());
            for (c, q) in r.classes.iter().enumerate() {
                prop_assert!(within_quota(&u, &class, c, q.population_share * pop));
            }
            let s = ShareClasses {
                name: "n".into(),
                column: "apl".into(),
                direction: Direction::HigherIsBetter,
                classes: r.classes.clone(),
                rest: "other".into(),
            };
            let placed = s.classify(&u, &apl).unwrap();
            let class: Vec<usize> = placed.iter().map(|p| p.class).collect();
            for (c, q) in r.classes.iter().enumerate() {
                prop_assert!(within_quota(&u, &class, c, q.population_share * pop));
            }
        }
    }
}
