//! The schemes of one zonage settings file applied in turn — the 2017 rule, the
//! multi-criteria ranking, then each population-share classification, as
//! [`super::zonage`] defines them — with the class totals of each: the one loop behind
//! `recours zonage` (every unit of the table) and the study's `[zonage]` section (for each
//! scheme, the units that have every value it reads).

use super::zonage::{
    class_totals, Class2017, ClassTotal, Placed, Ranking, RankingResult, Rule2017, ShareClasses,
    Unit, ZonageConfig, ZonageError,
};

/// Which classification a scheme is, with its settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SchemeKind<'a> {
    /// The 2017 rule.
    Rule2017(&'a Rule2017),
    /// The multi-criteria ranking.
    Ranking(&'a Ranking),
    /// A population-share classification.
    Shares(&'a ShareClasses),
}

/// A scheme of the settings: its name and the columns it reads, in the settings' order.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheme<'a> {
    /// The classification and its settings.
    pub kind: SchemeKind<'a>,
    /// `rule_2017`, `ranking` or a share classification's name.
    pub name: String,
    /// How an error names it: `rule_2017`, `ranking`, `shares "<name>"`.
    pub label: String,
    /// Columns it reads (one, or the ranking's criteria in order).
    pub columns: Vec<&'a str>,
}

/// One classification's classes, units and population, for the summary.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemeSummary {
    /// `rule_2017`, `ranking` or a share classification's name.
    pub scheme: String,
    /// Its classes in order, the rest last.
    pub classes: Vec<ClassTotal>,
}

/// What a scheme decided for the units it classified, with the values it read (indexed like
/// those units).
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// The 2017 rule on the APL.
    Rule2017 {
        /// The APL read.
        apl: Vec<f64>,
        /// Each unit's class.
        classes: Vec<Class2017>,
    },
    /// The multi-criteria ranking.
    Ranking {
        /// Each criterion's raw values, criteria in order.
        raw: Vec<Vec<f64>>,
        /// Normalised criteria, scores and places.
        result: RankingResult,
    },
    /// A population-share classification.
    Shares {
        /// The values read.
        values: Vec<f64>,
        /// Each unit's rank, class and cumulative share.
        placed: Vec<Placed>,
    },
}

/// One scheme applied to its units.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemeRun {
    /// Name and class totals (units and inhabitants per class, the rest last).
    pub summary: SchemeSummary,
    /// Class names in order, without the rest.
    pub class_names: Vec<String>,
    /// The rest class's name.
    pub rest: String,
    /// Columns it read, as the settings name them.
    pub columns: Vec<String>,
    /// Index of each unit's class in `summary.classes` (the rest = `class_names.len()`).
    pub class: Vec<usize>,
    /// The scheme's own results.
    pub decision: Decision,
}

/// Why a scheme could not classify its units.
#[derive(Debug, thiserror::Error)]
#[error("{label}")]
pub struct SchemeError {
    /// The scheme, as [`Scheme::label`].
    pub label: String,
    /// What went wrong.
    #[source]
    pub source: ZonageError,
}

impl ZonageConfig {
    /// The schemes of the settings in the order they run: the 2017 rule, the ranking, then
    /// each share classification.
    pub fn schemes(&self) -> Vec<Scheme<'_>> {
        let mut out = Vec::new();
        if let Some(r) = &self.rule_2017 {
            out.push(Scheme {
                kind: SchemeKind::Rule2017(r),
                name: "rule_2017".into(),
                label: "rule_2017".into(),
                columns: vec![r.column.as_str()],
            });
        }
        if let Some(r) = &self.ranking {
            out.push(Scheme {
                kind: SchemeKind::Ranking(r),
                name: "ranking".into(),
                label: "ranking".into(),
                columns: r.criteria.iter().map(|c| c.column.as_str()).collect(),
            });
        }
        for s in &self.shares {
            out.push(Scheme {
                kind: SchemeKind::Shares(s),
                name: s.name.clone(),
                label: format!("shares {:?}", s.name),
                columns: vec![s.column.as_str()],
            });
        }
        out
    }
}

/// Applies every scheme of `config` in the order of [`ZonageConfig::schemes`];
/// `inputs(i, scheme)` gives the units scheme `i` classifies and the values of each of its
/// columns for those units (columns in the scheme's order, values indexed like the units).
pub fn apply_schemes(
    config: &ZonageConfig,
    mut inputs: impl FnMut(usize, &Scheme<'_>) -> (Vec<Unit>, Vec<Vec<f64>>),
) -> Result<Vec<SchemeRun>, SchemeError> {
    let schemes = config.schemes();
    let mut runs = Vec::with_capacity(schemes.len());
    for (i, scheme) in schemes.iter().enumerate() {
        let (units, mut values) = inputs(i, scheme);
        let fail = |source| SchemeError {
            label: scheme.label.clone(),
            source,
        };
        let (class_names, rest, class, decision): (Vec<String>, String, Vec<usize>, Decision) =
            match scheme.kind {
                SchemeKind::Rule2017(rule) => {
                    let apl = values.pop().unwrap_or_default();
                    let classes = rule.classify(&units, &apl).map_err(fail)?;
                    let names = Class2017::ALL[..5]
                        .iter()
                        .map(|c| c.label().to_string())
                        .collect();
                    let index = classes.iter().map(|&c| c as usize).collect();
                    let rest = Class2017::Outside.label().to_string();
                    (names, rest, index, Decision::Rule2017 { apl, classes })
                }
                SchemeKind::Ranking(ranking) => {
                    let result = ranking.rank(&units, &values).map_err(fail)?;
                    let names = ranking.classes.iter().map(|c| c.name.clone()).collect();
                    let index = result.placed.iter().map(|p| p.class).collect();
                    let decision = Decision::Ranking {
                        raw: values,
                        result,
                    };
                    (names, ranking.rest.clone(), index, decision)
                }
                SchemeKind::Shares(share) => {
                    let values = values.pop().unwrap_or_default();
                    let placed = share.classify(&units, &values).map_err(fail)?;
                    let names = share.classes.iter().map(|c| c.name.clone()).collect();
                    let index = placed.iter().map(|p| p.class).collect();
                    (
                        names,
                        share.rest.clone(),
                        index,
                        Decision::Shares { values, placed },
                    )
                }
            };
        runs.push(SchemeRun {
            summary: SchemeSummary {
                scheme: scheme.name.clone(),
                classes: class_totals(&class_names, &rest, &class, &units),
            },
            class_names,
            rest,
            columns: scheme.columns.iter().map(|c| c.to_string()).collect(),
            class,
            decision,
        });
    }
    Ok(runs)
}
