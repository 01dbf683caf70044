//! The study's `[zonage]` section: the zonage classifications of
//! [`crate::indicators::zonage`] (2017 rule, multi-criteria ranking, population-share
//! classes) applied to one territorial level of the run, on the per-unit columns the run
//! computed for it (`apl` — the commune-level DREES APL —, `gp_e2sfca_30_mean`,
//! `gp_minutes_mean`…) and on extra criteria read from a CSV joined by unit code (ALD share,
//! share without a médecin traitant…).
//!
//! - [`classify_level`] classifies the units of the level; a unit lacking a value a scheme
//!   needs is left out of that scheme (recorded in the rejects with its code and the
//!   missing column) and gets no class, never a made-up one; quotas are shares of the
//!   population of the units classified by the scheme.
//! - [`class_changes`] compares two classifications of the same level (baseline and a
//!   scenario): each unit whose class changes, with its population, and [`change_totals`]
//!   the population whose class changes per scheme and per (before → after) pair.
//! - Writers, byte-deterministic and atomic: `zonage_{level}.csv` ([`write_level_csv`]),
//!   `zonage_summary.csv` ([`write_summary_csv`]), `zonage_changes.csv` and
//!   `zonage_changes.summary.csv` ([`write_changes_csv`]). Layouts in `docs/outputs.md`.

use crate::export::columns::{Column, Format, Values};
use crate::indicators::zonage::{Placed, Unit, ZonageConfig};
use crate::indicators::zonage_schemes::{
    apply_schemes, Decision, SchemeError, SchemeRun, SchemeSummary,
};
use crate::inputs::territory::UnitLayer;
use crate::inputs::units::{read_unit_values, UnitColumns, UnitTable};
use crate::support::rejects::Rejects;
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Class written in `zonage_summary.csv` for the units a scheme left out (no value).
pub const NO_VALUE: &str = "(no value)";

/// The `[zonage]` section of a study. The classifications sit in the same table:
/// `[zonage.rule_2017]`, `[zonage.ranking]` (with `[[zonage.ranking.criteria]]`),
/// `[[zonage.shares]]`, as in the settings file of `recours zonage`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ZonageSection {
    /// The `kind` of the `[[territories]]` level classified (`tvs`, `commune`…).
    pub level: String,
    /// Extra per-unit criteria, a table `code,<columns…>` (CSV or workbook) joined by unit
    /// code (relative to the study file's folder).
    pub criteria: Option<PathBuf>,
    /// Sheet of a criteria workbook (`.xlsx`, `.ods`) to read.
    #[serde(default)]
    pub sheet: Option<String>,
    /// The classifications; their columns name per-unit columns of the level or columns of
    /// the criteria file.
    #[serde(flatten)]
    pub settings: ZonageConfig,
}

impl ZonageSection {
    /// Checks the settings and that `levels` (the study's `[[territories]]` kinds) holds the
    /// level; the criteria file must exist (relative to `base`, the study file's folder).
    pub fn check(&self, levels: &[&str], base: &Path) -> Result<(), String> {
        self.settings
            .validate()
            .map_err(|e| format!("[zonage]: {e}"))?;
        if !levels.contains(&self.level.as_str()) {
            return Err(format!(
                "[zonage] level = {:?} names no [[territories]] kind (have {levels:?})",
                self.level
            ));
        }
        match self.criteria_path(base) {
            Some(p) if !p.exists() => Err(format!("input not found: {}", p.display())),
            _ => Ok(()),
        }
    }

    /// The criteria file, relative paths taken from `base`.
    pub fn criteria_path(&self, base: &Path) -> Option<PathBuf> {
        self.criteria.as_ref().map(|p| base.join(p))
    }
}

/// The classes of one scheme for every unit of the level.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemeClasses {
    /// `rule_2017`, `ranking` or the share classification's name.
    pub scheme: String,
    /// Index of each unit's class in `summary.classes`; `None` when left out.
    pub class: Vec<Option<usize>>,
    /// Class totals of the units classified, classes in order, the rest last.
    pub summary: SchemeSummary,
    /// Units left out for a missing value and their population, inhabitants.
    pub left_out: (usize, f64),
}

impl SchemeClasses {
    /// The classes of `run`, whose units are the units `kept` of the level (of
    /// `population.len()`, `population[u]` inhabitants): the others are left out.
    pub fn of(run: &SchemeRun, kept: &[usize], population: &[f64]) -> SchemeClasses {
        let mut class = vec![None; population.len()];
        for (&u, &c) in kept.iter().zip(&run.class) {
            class[u] = Some(c);
        }
        let left: Vec<usize> = (0..class.len()).filter(|&u| class[u].is_none()).collect();
        SchemeClasses {
            scheme: run.summary.scheme.clone(),
            class,
            summary: run.summary.clone(),
            left_out: (left.len(), left.iter().map(|&u| population[u]).sum()),
        }
    }

    /// Name of the text column of the classes: `zonage_{scheme}`.
    pub fn column(&self) -> String {
        format!("zonage_{}", self.scheme)
    }

    /// Class label of each unit, `None` when left out.
    pub fn labels(&self) -> Vec<Option<String>> {
        self.class
            .iter()
            .map(|c| c.map(|k| self.summary.classes[k].class.clone()))
            .collect()
    }

    /// Rows `scheme, class, units, population, share` of every class in order, then the
    /// units left out ([`NO_VALUE`]); `population` and `share` format a population and its
    /// share.
    pub fn summary_rows(
        &self,
        population: &dyn Fn(f64) -> String,
        share: &dyn Fn(f64) -> String,
    ) -> Vec<Vec<String>> {
        let row = |class: &str, units: usize, p: f64| {
            vec![
                self.scheme.clone(),
                class.to_string(),
                units.to_string(),
                population(p),
                share(p),
            ]
        };
        let mut rows: Vec<Vec<String>> = self
            .summary
            .classes
            .iter()
            .map(|c| row(&c.class, c.units, c.population))
            .collect();
        rows.push(row(NO_VALUE, self.left_out.0, self.left_out.1));
        rows
    }

    /// Class names in order (most under-served first, the rest last).
    pub fn class_names(&self) -> Vec<String> {
        self.summary
            .classes
            .iter()
            .map(|c| c.class.clone())
            .collect()
    }
}

/// A unit left out of some schemes for want of a value.
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    /// Index of the unit in the layer.
    pub unit: usize,
    /// The column without a value.
    pub column: String,
    /// The schemes needing it.
    pub schemes: Vec<String>,
}

/// The zonage of one level.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelZonage {
    /// The level's kind.
    pub level: String,
    /// Each scheme's classes, in the order rule 2017, ranking, shares.
    pub schemes: Vec<SchemeClasses>,
    /// Per-unit output columns (values, normalised criteria, score, rank, class,
    /// cumulative population share), indexed like the layer's units.
    pub columns: Vec<Column>,
    /// Units left out, per missing column.
    pub left_out: Vec<LeftOut>,
}

/// Reads the criteria file of `section` (if any): the columns its settings name that
/// `level_columns` lacks, joined to `layer` by code. Rows of codes that are not units of
/// the layer, and bad rows, go to `rejects`. Fails when the file cannot be read or lacks a
/// needed column (the error lists the columns available in both places).
pub fn read_criteria(
    section: &ZonageSection,
    base: &Path,
    layer: &UnitLayer,
    level_columns: &[Column],
    rejects: &mut Rejects,
) -> anyhow::Result<Option<UnitTable>> {
    let Some(path) = section.criteria_path(base) else {
        return Ok(None);
    };
    let wanted: Vec<String> = section
        .settings
        .columns()
        .into_iter()
        .filter(|c| level_number_column(level_columns, c).is_none())
        .collect();
    let names = UnitColumns {
        sheet: section.sheet.clone(),
        ..UnitColumns::default()
    };
    let table = read_unit_values(&path, &names, &wanted, rejects).with_context(|| {
        format!(
            "[zonage] criteria: columns {wanted:?} are not per-unit columns of level {:?} ({})",
            layer.kind,
            number_column_names(level_columns).join(", ")
        )
    })?;
    let file = path.display().to_string();
    let known: BTreeSet<&str> = layer.units.iter().map(|u| u.code.as_str()).collect();
    let mut kept = UnitTable {
        units: Vec::new(),
        values: table
            .values
            .keys()
            .map(|k| (k.clone(), Vec::new()))
            .collect(),
        lines: Vec::new(),
    };
    for (i, u) in table.units.iter().enumerate() {
        if !known.contains(u.code.as_str()) {
            let reason = format!("no unit with this code in level {:?}", layer.kind);
            rejects.push(&file, table.lines[i], &u.code, reason);
            continue;
        }
        kept.units.push(u.clone());
        kept.lines.push(table.lines[i]);
        for (k, v) in &table.values {
            if let Some(col) = kept.values.get_mut(k) {
                col.push(v[i]);
            }
        }
    }
    Ok(Some(kept))
}

/// The numbers of the per-unit column `name` (case ignored), if the level has it.
fn level_number_column<'a>(columns: &'a [Column], name: &str) -> Option<&'a [Option<f64>]> {
    columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .and_then(Column::numbers)
}

/// Names of the numeric columns.
fn number_column_names(columns: &[Column]) -> Vec<String> {
    columns
        .iter()
        .filter(|c| c.numbers().is_some())
        .map(|c| c.name.clone())
        .collect()
}

/// The value of column `name` for every unit of `layer`: from the level's columns, else
/// from the criteria table (joined by code); `None` when neither has it.
fn values_of(
    name: &str,
    layer: &UnitLayer,
    columns: &[Column],
    extra: Option<&UnitTable>,
) -> Option<Vec<Option<f64>>> {
    if let Some(v) = level_number_column(columns, name) {
        return Some(v.to_vec());
    }
    let t = extra?;
    let v = t.values.get(&name.to_lowercase())?;
    let by_code: BTreeMap<&str, f64> = t
        .units
        .iter()
        .zip(v)
        .map(|(u, x)| (u.code.as_str(), *x))
        .collect();
    Some(
        layer
            .units
            .iter()
            .map(|u| by_code.get(u.code.as_str()).copied())
            .collect(),
    )
}

/// Classifies the units of `layer` (`population[u]` inhabitants of unit `u`) by every
/// scheme of `section`, on the level's per-unit `columns` and the criteria table `extra`
/// ([`read_criteria`]). Units lacking a value are left out of the schemes needing it and
/// recorded in `rejects` (one row per unit and column). Fails on a column found nowhere
/// (listing the columns available), invalid settings or populations.
pub fn classify_level(
    section: &ZonageSection,
    layer: &UnitLayer,
    population: &[f64],
    columns: &[Column],
    extra: Option<&UnitTable>,
    rejects: &mut Rejects,
) -> anyhow::Result<LevelZonage> {
    let level = &layer.kind;
    let settings = &section.settings;
    settings
        .validate()
        .with_context(|| format!("[zonage] on level {level:?}"))?;
    check_populations(layer, population)?;
    let values = scheme_values(section, layer, columns, extra)?;
    let n = layer.units.len();
    let (members, left_out) = complete_units(settings, &values, n);
    for l in &left_out {
        rejects.push(
            &format!("zonage {level}"),
            0,
            &layer.units[l.unit].code,
            format!(
                "no value for {}: left out of {}",
                l.column,
                l.schemes.join(", ")
            ),
        );
    }
    let subset = |kept: &[usize]| -> Vec<Unit> {
        kept.iter()
            .map(|&u| Unit {
                code: layer.units[u].code.clone(),
                population: population[u],
            })
            .collect()
    };
    let runs = apply_schemes(settings, |i, scheme| {
        let kept = &members[i];
        let read = |c: &&str| {
            kept.iter()
                .map(|&u| values[*c][u].unwrap_or_default())
                .collect()
        };
        (subset(kept), scheme.columns.iter().map(read).collect())
    })
    .map_err(|SchemeError { label, source }| {
        anyhow::Error::new(source).context(format!("[zonage] {label} on level {level:?}"))
    })?;
    let mut out = LevelZonage {
        level: level.clone(),
        schemes: Vec::new(),
        columns: Vec::new(),
        left_out,
    };
    for (run, kept) in runs.into_iter().zip(&members) {
        let classes = SchemeClasses::of(&run, kept, population);
        out.columns.extend(scheme_columns(&run, &classes, kept, n));
        out.schemes.push(classes);
    }
    Ok(out)
}

/// Fails unless `population` gives one number ≥ 0 per unit of `layer`.
fn check_populations(layer: &UnitLayer, population: &[f64]) -> anyhow::Result<()> {
    let (level, n) = (&layer.kind, layer.units.len());
    if population.len() != n {
        bail!(
            "[zonage] level {level:?}: {} populations for {n} units",
            population.len()
        );
    }
    if let Some(u) = (0..n).find(|&u| !(population[u].is_finite() && population[u] >= 0.0)) {
        bail!(
            "[zonage] level {level:?}, unit {}: population {} is not a number ≥ 0",
            layer.units[u].code,
            population[u]
        );
    }
    Ok(())
}

/// The values of every column the settings read, for every unit of `layer` (`None`:
/// missing); fails on a column found nowhere, listing the columns available.
fn scheme_values(
    section: &ZonageSection,
    layer: &UnitLayer,
    columns: &[Column],
    extra: Option<&UnitTable>,
) -> anyhow::Result<BTreeMap<String, Vec<Option<f64>>>> {
    let mut values = BTreeMap::new();
    for name in section.settings.columns() {
        let v = values_of(&name, layer, columns, extra).with_context(|| {
            let mut available = number_column_names(columns);
            if let Some(t) = extra {
                available.extend(t.values.keys().cloned());
            }
            format!(
                "[zonage]: column {name:?} is neither a per-unit column of level {:?} nor \
                 a column of the criteria file; available: {}",
                layer.kind,
                available.join(", ")
            )
        })?;
        values.insert(name, v);
    }
    Ok(values)
}

/// For each scheme of `settings` (in their order), the units (of `n`) with a value in
/// every column it reads; and each (unit, column) without a value, with the schemes that
/// needed it, sorted by unit then column.
fn complete_units(
    settings: &ZonageConfig,
    values: &BTreeMap<String, Vec<Option<f64>>>,
    n: usize,
) -> (Vec<Vec<usize>>, Vec<LeftOut>) {
    let mut missing: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for s in settings.schemes() {
        let mut complete = vec![true; n];
        for c in &s.columns {
            for (u, v) in values[*c].iter().enumerate() {
                if v.is_none() {
                    complete[u] = false;
                    missing
                        .entry((u, c.to_string()))
                        .or_default()
                        .push(s.name.clone());
                }
            }
        }
        members.push((0..n).filter(|&u| complete[u]).collect());
    }
    let left_out = missing
        .into_iter()
        .map(|((unit, column), schemes)| LeftOut {
            unit,
            column,
            schemes,
        })
        .collect();
    (members, left_out)
}

/// The per-unit output columns of one scheme's `run` over the units `kept` (of `n`):
/// the values it read, the ranking's normalised criteria and score, ranks, classes and
/// cumulative population shares; empty for the units left out.
fn scheme_columns(run: &SchemeRun, s: &SchemeClasses, kept: &[usize], n: usize) -> Vec<Column> {
    let spread = |v: &[f64]| -> Vec<Option<f64>> {
        let mut all = vec![None; n];
        for (&u, x) in kept.iter().zip(v) {
            all[u] = Some(*x);
        }
        all
    };
    let mut out = Vec::new();
    match &run.decision {
        Decision::Rule2017 { apl, .. } => {
            out.push(number("rule_2017_apl", spread(apl), Format::Fixed(4)));
            out.push(text(s.column(), s.labels()));
        }
        Decision::Ranking { raw, result } => {
            for ((name, r), norm) in run.columns.iter().zip(raw).zip(&result.normalised) {
                let name = name.to_lowercase();
                let raw_name = format!("ranking_{name}");
                out.push(number(&raw_name, spread(r), Format::Fixed(4)));
                let norm_name = format!("ranking_{name}_norm");
                out.push(number(&norm_name, spread(norm), Format::Fixed(6)));
            }
            out.push(number(
                "ranking_score",
                spread(&result.score),
                Format::Fixed(6),
            ));
            out.extend(placed_columns("ranking", s, kept, &result.placed, n));
        }
        Decision::Shares { values, placed } => {
            let name = &run.summary.scheme;
            let value_name = format!("{name}_value");
            out.push(number(&value_name, spread(values), Format::Fixed(4)));
            out.extend(placed_columns(name, s, kept, placed, n));
        }
    }
    out
}

/// A number column.
fn number(name: &str, values: Vec<Option<f64>>, format: Format) -> Column {
    Column {
        name: name.to_string(),
        values: Values::Number(values, format),
    }
}

/// A text column.
fn text(name: String, values: Vec<Option<String>>) -> Column {
    Column {
        name,
        values: Values::Text(values),
    }
}

/// `{prefix}_rank`, `zonage_{scheme}`, `{prefix}_cumulative_population_share` of the units
/// `kept` (placed in that order), empty for the others.
fn placed_columns(
    prefix: &str,
    s: &SchemeClasses,
    kept: &[usize],
    placed: &[Placed],
    n: usize,
) -> Vec<Column> {
    let mut rank = vec![None; n];
    let mut share = vec![None; n];
    for (&u, p) in kept.iter().zip(placed) {
        rank[u] = Some(p.rank as f64);
        share[u] = p.cumulative_share;
    }
    vec![
        number(&format!("{prefix}_rank"), rank, Format::Fixed(0)),
        text(s.column(), s.labels()),
        number(
            &format!("{prefix}_cumulative_population_share"),
            share,
            Format::Fixed(6),
        ),
    ]
}

/// One unit whose class differs between two classifications.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassChange {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Scheme (`rule_2017`, `ranking`, a share classification).
    pub scheme: String,
    /// Class before, `None` when the unit had none (left out).
    pub before: Option<String>,
    /// Class after, `None` when it has none.
    pub after: Option<String>,
    /// Its population, inhabitants.
    pub population: f64,
}

/// Every (scheme, unit) whose class differs between `before` and `after` (two
/// classifications of `layer`, e.g. baseline and scenario), schemes in `before`'s order
/// (then any only in `after`), units in layer order. A scheme missing on one side counts
/// as no class there.
pub fn class_changes(
    layer: &UnitLayer,
    population: &[f64],
    before: &LevelZonage,
    after: &LevelZonage,
) -> Vec<ClassChange> {
    let mut names: Vec<&str> = before.schemes.iter().map(|s| s.scheme.as_str()).collect();
    for s in &after.schemes {
        if !names.contains(&s.scheme.as_str()) {
            names.push(&s.scheme);
        }
    }
    let labels = |z: &LevelZonage, name: &str| -> Vec<Option<String>> {
        z.schemes
            .iter()
            .find(|s| s.scheme == name)
            .map(SchemeClasses::labels)
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (labels(before, name), labels(after, name));
        for (u, unit) in layer.units.iter().enumerate() {
            let (cb, ca) = (b.get(u).cloned().flatten(), a.get(u).cloned().flatten());
            if cb != ca {
                out.push(ClassChange {
                    code: unit.code.clone(),
                    name: unit.name.clone(),
                    scheme: name.to_string(),
                    before: cb,
                    after: ca,
                    population: population.get(u).copied().unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// Units and population whose class changes: per scheme (`pair` = `None`) and per
/// (before, after) pair of classes.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeTotal {
    /// Scheme.
    pub scheme: String,
    /// Class before and after (`None` inside: no class); `None`: every change of the scheme.
    pub pair: Option<(Option<String>, Option<String>)>,
    /// Units changing class.
    pub units: usize,
    /// Their population, inhabitants.
    pub population: f64,
}

/// Totals of `changes`: for each scheme (in order of appearance) its total, then its pairs
/// sorted by class names (no class first).
pub fn change_totals(changes: &[ClassChange]) -> Vec<ChangeTotal> {
    let mut schemes: Vec<&str> = Vec::new();
    for c in changes {
        if !schemes.contains(&c.scheme.as_str()) {
            schemes.push(&c.scheme);
        }
    }
    let mut out = Vec::new();
    for s in schemes {
        let mine: Vec<&ClassChange> = changes.iter().filter(|c| c.scheme == s).collect();
        out.push(ChangeTotal {
            scheme: s.to_string(),
            pair: None,
            units: mine.len(),
            population: mine.iter().map(|c| c.population).sum(),
        });
        let mut pairs: BTreeMap<(Option<String>, Option<String>), (usize, f64)> = BTreeMap::new();
        for c in mine {
            let e = pairs
                .entry((c.before.clone(), c.after.clone()))
                .or_default();
            e.0 += 1;
            e.1 += c.population;
        }
        out.extend(
            pairs
                .into_iter()
                .map(|(pair, (units, population))| ChangeTotal {
                    scheme: s.to_string(),
                    pair: Some(pair),
                    units,
                    population,
                }),
        );
    }
    out
}

/// A population, one decimal.
fn inhabitants(x: f64) -> String {
    Format::Fixed(1).write(x)
}

/// Writes `zonage_{level}.csv`: one row per unit of `layer`, sorted by code: `code,name,
/// population`, then every column of `z.columns`.
pub fn write_level_csv(
    path: &Path,
    layer: &UnitLayer,
    population: &[f64],
    z: &LevelZonage,
) -> anyhow::Result<()> {
    let mut header = vec!["code", "name", "population"];
    header.extend(z.columns.iter().map(|c| c.name.as_str()));
    let mut order: Vec<usize> = (0..layer.units.len()).collect();
    order.sort_by(|&a, &b| layer.units[a].code.cmp(&layer.units[b].code));
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&u| {
            let unit = &layer.units[u];
            let mut r = vec![
                unit.code.clone(),
                unit.name.clone(),
                inhabitants(population.get(u).copied().unwrap_or_default()),
            ];
            r.extend(z.columns.iter().map(|c| c.text(u)));
            r
        })
        .collect();
    Ok(crate::export::csv::write_table(path, &header, &rows)?)
}

/// Writes `zonage_summary.csv`: `scheme,class,units,population,population_share`, every
/// class of every scheme in order (empty ones included), then a [`NO_VALUE`] row for the
/// units the scheme left out; shares of the level's whole population (`total`).
pub fn write_summary_csv(path: &Path, z: &LevelZonage, total: f64) -> anyhow::Result<()> {
    let share = |p: f64| {
        if total > 0.0 {
            Format::Fixed(6).write(p / total)
        } else {
            String::new()
        }
    };
    let rows: Vec<Vec<String>> = z
        .schemes
        .iter()
        .flat_map(|s| s.summary_rows(&inhabitants, &share))
        .collect();
    Ok(crate::export::csv::write_table(
        path,
        &["scheme", "class", "units", "population", "population_share"],
        &rows,
    )?)
}

/// Writes `changes` to `path` (`zonage_changes.csv`: `scheme,code,name,before,after,
/// population`, empty class = none) and their [`change_totals`] beside it
/// (`zonage_changes.summary.csv`: `scheme,kind,before,after,units,population`, `kind` =
/// `total` or `pair`). Returns the files written.
pub fn write_changes_csv(path: &Path, changes: &[ClassChange]) -> anyhow::Result<Vec<PathBuf>> {
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            vec![
                c.scheme.clone(),
                c.code.clone(),
                c.name.clone(),
                c.before.clone().unwrap_or_default(),
                c.after.clone().unwrap_or_default(),
                inhabitants(c.population),
            ]
        })
        .collect();
    crate::export::csv::write_table(
        path,
        &["scheme", "code", "name", "before", "after", "population"],
        &rows,
    )?;
    let totals: Vec<Vec<String>> = change_totals(changes)
        .into_iter()
        .map(|t| {
            let (kind, b, a) = match t.pair {
                None => ("total", String::new(), String::new()),
                Some((b, a)) => ("pair", b.unwrap_or_default(), a.unwrap_or_default()),
            };
            vec![
                t.scheme,
                kind.to_string(),
                b,
                a,
                t.units.to_string(),
                inhabitants(t.population),
            ]
        })
        .collect();
    let summary = crate::support::atomic::beside(path, "summary");
    crate::export::csv::write_table(
        &summary,
        &["scheme", "kind", "before", "after", "units", "population"],
        &totals,
    )?;
    Ok(vec![path.to_path_buf(), summary])
}

/// The study's zonage of its baseline, kept to classify every scenario the same way.
pub(crate) struct StudyZonage<'a> {
    /// The section.
    pub section: &'a ZonageSection,
    /// Index of the level classified among the run's levels.
    pub level: usize,
    /// Population of each unit of the level, inhabitants.
    pub population: Vec<f64>,
    /// Extra criteria read from the section's file.
    pub extra: Option<UnitTable>,
    /// The baseline's classes.
    pub baseline: LevelZonage,
}

impl<'a> StudyZonage<'a> {
    /// Classifies the baseline: `levels` and their per-unit `columns` as the run computed
    /// them; criteria paths relative to `base`. Returns the zonage and the files written
    /// into `dir` (`zonage_{level}.csv`, `zonage_summary.csv`).
    pub(crate) fn baseline(
        section: &'a ZonageSection,
        base: &Path,
        levels: &[UnitLayer],
        columns: &[Vec<Column>],
        dir: &Path,
        rejects: &mut Rejects,
    ) -> anyhow::Result<(StudyZonage<'a>, Vec<PathBuf>)> {
        let kinds: Vec<&str> = levels.iter().map(|l| l.kind.as_str()).collect();
        section.check(&kinds, base).map_err(anyhow::Error::msg)?;
        let level = levels
            .iter()
            .position(|l| l.kind == section.level)
            .with_context(|| format!("[zonage] level {:?}: no such level", section.level))?;
        let layer = &levels[level];
        // The whole population of each unit: any indicator's `_population` summary column.
        let population: Vec<f64> = columns[level]
            .iter()
            .find(|c| c.name.ends_with("_population"))
            .and_then(Column::numbers)
            .map(|v| v.iter().map(|x| x.unwrap_or(0.0)).collect())
            .unwrap_or_else(|| vec![0.0; layer.units.len()]);
        let extra = read_criteria(section, base, layer, &columns[level], rejects)?;
        let baseline = classify_level(
            section,
            layer,
            &population,
            &columns[level],
            extra.as_ref(),
            rejects,
        )?;
        let mut files = Vec::new();
        let p = dir.join(format!("zonage_{}.csv", section.level));
        write_level_csv(&p, layer, &population, &baseline)?;
        files.push(p);
        let p = dir.join("zonage_summary.csv");
        write_summary_csv(&p, &baseline, population.iter().sum())?;
        files.push(p);
        Ok((
            StudyZonage {
                section,
                level,
                population,
                extra,
                baseline,
            },
            files,
        ))
    }

    /// Classifies a scenario's `columns` of the level and compares with the baseline.
    /// Units left out for a missing value were reported with the baseline; a scenario's
    /// own are in `rejects`.
    pub(crate) fn scenario(
        &self,
        layer: &UnitLayer,
        columns: &[Column],
        rejects: &mut Rejects,
    ) -> anyhow::Result<(LevelZonage, Vec<ClassChange>)> {
        let after = classify_level(
            self.section,
            layer,
            &self.population,
            columns,
            self.extra.as_ref(),
            rejects,
        )?;
        let changes = class_changes(layer, &self.population, &self.baseline, &after);
        Ok((after, changes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::zonage::{Direction, QuotaClass, Rule2017, ShareClasses};
    use geo::{polygon, MultiPolygon};

    /// Four TVS T1…T4 (populations 100, 50, 40, 30) in a row of 0.1° squares.
    fn layer() -> UnitLayer {
        let units = (0..4)
            .map(|i| {
                let x0 = 2.0 + 0.1 * f64::from(i);
                crate::inputs::territory::Unit {
                    kind: "tvs".into(),
                    code: format!("T{}", i + 1),
                    name: format!("TVS {}", i + 1),
                    geometry: MultiPolygon(vec![polygon![
                        (x: x0, y: 48.0), (x: x0 + 0.1, y: 48.0), (x: x0 + 0.1, y: 48.1),
                        (x: x0, y: 48.1), (x: x0, y: 48.0)
                    ]]),
                    population: None,
                }
            })
            .collect();
        UnitLayer {
            kind: "tvs".into(),
            units,
            repaired: vec![],
        }
    }

    const POPULATION: [f64; 4] = [100.0, 50.0, 40.0, 30.0];

    fn apl(values: [Option<f64>; 4]) -> Vec<Column> {
        vec![number("apl", values.to_vec(), Format::Fixed(4))]
    }

    /// ALD share of T1, T2, T3 (T4 absent from the criteria file).
    fn ald() -> UnitTable {
        UnitTable {
            units: ["T1", "T2", "T3"]
                .iter()
                .map(|c| Unit {
                    code: c.to_string(),
                    population: 0.0,
                })
                .collect(),
            values: BTreeMap::from([("ald".to_string(), vec![0.10, 0.30, 0.20])]),
            lines: vec![2, 3, 4],
        }
    }

    fn section() -> ZonageSection {
        ZonageSection {
            level: "tvs".into(),
            criteria: Some("criteria.csv".into()),
            sheet: None,
            settings: ZonageConfig {
                rule_2017: Some(Rule2017 {
                    zip_b_population: 50.0,
                    ..Rule2017::default()
                }),
                ranking: None,
                shares: vec![ShareClasses {
                    name: "ald_share".into(),
                    column: "ALD".into(),
                    direction: Direction::HigherIsWorse,
                    classes: vec![QuotaClass {
                        name: "high".into(),
                        population_share: 0.25,
                    }],
                    rest: "other".into(),
                }],
            },
        }
    }

    fn labels(z: &LevelZonage, scheme: usize) -> Vec<Option<&str>> {
        z.schemes[scheme]
            .class
            .iter()
            .map(|c| c.map(|k| z.schemes[scheme].summary.classes[k].class.as_str()))
            .collect()
    }

    fn baseline(rejects: &mut Rejects) -> LevelZonage {
        let columns = apl([Some(2.0), Some(3.0), None, Some(3.5)]);
        classify_level(
            &section(),
            &layer(),
            &POPULATION,
            &columns,
            Some(&ald()),
            rejects,
        )
        .unwrap()
    }

    #[test]
    fn classify_level_reproduces_the_2017_rule_and_share_classes_by_hand() {
        // 2017 rule, ZIP B quota 50, ZAC quota 0: T1 (2.0) ZIP A; T3 has no APL, left out;
        // vivier T2 (3.0, 50), T4 (3.5, 30): T2 fills ZIP B (0 < 50), T4 (50 ≥ 50) finds
        // an empty ZAC quota → vigilance.
        // ALD share (higher is worse), T4 left out: total 190, "high" quota 0.25 × 190 =
        // 47.5: T2 (0.30) in, 50 filled; T3 (0.20) and T1 (0.10) → other.
        let mut rejects = Rejects::default();
        let z = baseline(&mut rejects);
        assert_eq!(
            labels(&z, 0),
            vec![Some("zip-a"), Some("zip-b"), None, Some("vigilance")]
        );
        assert_eq!(
            labels(&z, 1),
            vec![Some("other"), Some("high"), Some("other"), None]
        );
        let totals: Vec<(&str, usize, f64)> = z.schemes[0]
            .summary
            .classes
            .iter()
            .map(|c| (c.class.as_str(), c.units, c.population))
            .collect();
        assert_eq!(
            totals,
            vec![
                ("zip-a", 1, 100.0),
                ("zip-b", 1, 50.0),
                ("zac", 0, 0.0),
                ("vigilance", 1, 30.0),
                ("outside-eligible", 0, 0.0),
                ("outside", 0, 0.0)
            ]
        );
        assert_eq!(z.schemes[0].left_out, (1, 40.0));
        assert_eq!(z.schemes[1].left_out, (1, 30.0));
        let got: Vec<(&str, &str, &str)> = rejects
            .items
            .iter()
            .map(|r| (r.file.as_str(), r.id.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "zonage tvs",
                    "T3",
                    "no value for apl: left out of rule_2017"
                ),
                (
                    "zonage tvs",
                    "T4",
                    "no value for ALD: left out of ald_share"
                ),
            ]
        );
        let names: Vec<&str> = z.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "rule_2017_apl",
                "zonage_rule_2017",
                "ald_share_value",
                "ald_share_rank",
                "zonage_ald_share",
                "ald_share_cumulative_population_share"
            ]
        );
        let row = |u: usize| -> Vec<String> { z.columns.iter().map(|c| c.text(u)).collect() };
        assert_eq!(
            row(1),
            vec!["3.0000", "zip-b", "0.3000", "1", "high", "0.263158"]
        );
        assert_eq!(row(2), vec!["", "", "0.2000", "2", "other", "0.473684"]);
        assert_eq!(row(3), vec!["3.5000", "vigilance", "", "", "", ""]);
    }

    #[test]
    fn a_column_found_nowhere_lists_the_available_ones() {
        let mut s = section();
        if let Some(r) = &mut s.settings.rule_2017 {
            r.column = "apl_62".into();
        }
        let columns = apl([Some(2.0); 4]);
        let e = classify_level(
            &s,
            &layer(),
            &POPULATION,
            &columns,
            Some(&ald()),
            &mut Rejects::default(),
        )
        .unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains("column \"apl_62\""), "{e}");
        assert!(e.contains("available: apl, ald"), "{e}");
        let e = classify_level(
            &section(),
            &layer(),
            &POPULATION[..3],
            &columns,
            None,
            &mut Rejects::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("3 populations for 4 units"), "{e}");
    }

    #[test]
    fn class_changes_and_their_totals_by_hand() {
        // After: T2's APL falls to 2.4 → ZIP A; the vivier is then T4 alone → ZIP B.
        let mut rejects = Rejects::default();
        let before = baseline(&mut rejects);
        let columns = apl([Some(2.0), Some(2.4), None, Some(3.5)]);
        let after = classify_level(
            &section(),
            &layer(),
            &POPULATION,
            &columns,
            Some(&ald()),
            &mut rejects,
        )
        .unwrap();
        let changes = class_changes(&layer(), &POPULATION, &before, &after);
        type Row<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, f64);
        let got: Vec<Row> = changes
            .iter()
            .map(|c| {
                (
                    c.scheme.as_str(),
                    c.code.as_str(),
                    c.before.as_deref(),
                    c.after.as_deref(),
                    c.population,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("rule_2017", "T2", Some("zip-b"), Some("zip-a"), 50.0),
                ("rule_2017", "T4", Some("vigilance"), Some("zip-b"), 30.0),
            ]
        );
        let totals = change_totals(&changes);
        let pair = |b: &str, a: &str| Some((Some(b.to_string()), Some(a.to_string())));
        assert_eq!(
            totals,
            vec![
                ChangeTotal {
                    scheme: "rule_2017".into(),
                    pair: None,
                    units: 2,
                    population: 80.0
                },
                ChangeTotal {
                    scheme: "rule_2017".into(),
                    pair: pair("vigilance", "zip-b"),
                    units: 1,
                    population: 30.0
                },
                ChangeTotal {
                    scheme: "rule_2017".into(),
                    pair: pair("zip-b", "zip-a"),
                    units: 1,
                    population: 50.0
                },
            ]
        );
        assert!(class_changes(&layer(), &POPULATION, &before, &before).is_empty());
    }

    #[test]
    fn files_are_written_as_documented_and_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let z = baseline(&mut Rejects::default());
        let l = layer();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        write_level_csv(&a, &l, &POPULATION, &z).unwrap();
        write_level_csv(&b, &l, &POPULATION, &z).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let text = std::fs::read_to_string(&a).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "code,name,population,rule_2017_apl,zonage_rule_2017,ald_share_value,ald_share_rank,\
             zonage_ald_share,ald_share_cumulative_population_share"
        );
        assert_eq!(lines[4], "T4,TVS 4,30.0,3.5000,vigilance,,,,");
        let p = dir.path().join("zonage_summary.csv");
        write_summary_csv(&p, &z, 220.0).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("scheme,class,units,population,population_share\n"));
        assert!(
            text.contains("rule_2017,zip-a,1,100.0,0.454545\n"),
            "{text}"
        );
        assert!(
            text.contains("rule_2017,(no value),1,40.0,0.181818\n"),
            "{text}"
        );
        assert!(
            text.contains("ald_share,other,2,140.0,0.636364\n"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 1 + 7 + 3);
        let changes = vec![ClassChange {
            code: "T2".into(),
            name: "TVS 2".into(),
            scheme: "rule_2017".into(),
            before: Some("zip-b".into()),
            after: None,
            population: 50.0,
        }];
        let p = dir.path().join("zonage_changes.csv");
        let files = write_changes_csv(&p, &changes).unwrap();
        assert_eq!(
            std::fs::read_to_string(&files[0]).unwrap(),
            "scheme,code,name,before,after,population\nrule_2017,T2,TVS 2,zip-b,,50.0\n"
        );
        assert_eq!(
            std::fs::read_to_string(&files[1]).unwrap(),
            "scheme,kind,before,after,units,population\nrule_2017,total,,,1,50.0\n\
             rule_2017,pair,zip-b,,1,50.0\n"
        );
        assert!(files[1].ends_with("zonage_changes.summary.csv"));
    }

    #[test]
    fn criteria_file_rows_of_unknown_units_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("criteria.csv"),
            "code;ald;apl\nT1;0,1;9\nX9;0,5;9\nT2;0,3;9\n",
        )
        .unwrap();
        let mut rejects = Rejects::default();
        let columns = apl([Some(2.0); 4]);
        let t = read_criteria(&section(), dir.path(), &layer(), &columns, &mut rejects)
            .unwrap()
            .unwrap();
        assert_eq!(t.values.keys().collect::<Vec<_>>(), vec!["ald"]);
        assert_eq!(t.values["ald"], vec![0.1, 0.3]);
        assert_eq!(rejects.items.len(), 1);
        assert_eq!(
            (rejects.items[0].line, rejects.items[0].id.as_str()),
            (3, "X9")
        );
        let mut s = section();
        s.settings.shares[0].column = "cmu".into();
        let e = read_criteria(&s, dir.path(), &layer(), &columns, &mut rejects).unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains("no column \"cmu\""), "{e}");
        assert!(e.contains("level \"tvs\" (apl)"), "{e}");
    }

    #[test]
    fn the_study_reads_a_zonage_section_and_refuses_unknown_keys() {
        let base = r#"
[network]
graph = "g.bin"
[population]
kind = "filosofi"
path = "cells.csv"
[[territories]]
kind = "tvs"
path = "tvs.geojson"
[zonage]
level = "tvs"
criteria = "criteria.csv"
[zonage.rule_2017]
zac_population = 1000
[[zonage.shares]]
name = "nurses"
column = "nurse_apl_mean"
classes = [{ name = "very", population_share = 0.053 }]
"#;
        let s = crate::study::Study::parse(base).unwrap();
        let z = s.zonage.as_ref().unwrap();
        assert_eq!(z.level, "tvs");
        assert_eq!(
            z.settings.rule_2017.as_ref().unwrap().zac_population,
            1000.0
        );
        assert_eq!(z.settings.columns(), vec!["apl", "nurse_apl_mean"]);
        let dir = tempfile::tempdir().unwrap();
        let e = z.check(&["tvs"], dir.path()).unwrap_err();
        assert!(
            e.contains("input not found") && e.contains("criteria.csv"),
            "{e}"
        );
        std::fs::write(dir.path().join("criteria.csv"), "code\n").unwrap();
        assert!(z.check(&["tvs"], dir.path()).is_ok());
        let e = z.check(&["commune"], dir.path()).unwrap_err();
        assert!(e.contains("names no [[territories]] kind"), "{e}");
        let e = crate::study::Study::parse(&base.replace("criteria = ", "critera = ")).unwrap_err();
        assert!(e.contains("unknown field `critera`"), "{e}");
        assert!(crate::study::Study::parse(&base.replace("zac_population", "zac_pop")).is_err());
    }
}
