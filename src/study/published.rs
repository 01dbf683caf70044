//! What the field publishes beside access, per territorial level of a study:
//!
//! - **supply and densities** ([`crate::aggregate::supply_counts`], `[densities]`): sites,
//!   professionals, FTE, density per `per` inhabitants and the share aged `aged`+ of each
//!   category, as columns of every level and in `{level}/supply.csv`;
//! - **outside indicators** (`[[indicators.external]]`, [`crate::inputs::external`]): joined
//!   to their level, carried to the other levels ([`crate::aggregate::external`]), as
//!   columns and in `{level}/external.csv`;
//! - **reference rows** (`[[reference]]`): each of those tables ends with the rows of the
//!   larger areas the study names, computed from the study's inputs (`computed = true`: the
//!   inputs cover the area) or read from a table `code,indicator,value[,source]`, always
//!   with their `source`;
//! - **target populations** (`[[population.groups]]`, [`crate::inputs::demand::groups`]):
//!   every indicator's summaries with the group's inhabitants as weights,
//!   `{level}/groups/{group}/{indicator}.csv`, a `{group}_population` column per level and
//!   `groups.csv` (each group's population-weighted mean of each indicator);
//! - **typologies** (`[[typology]]`, [`crate::aggregate::typology`]): two per-unit columns
//!   and their thresholds, as a column `typology_{name}` of the level,
//!   `typology_{name}.csv` and `typology_{name}.summary.csv`.

use super::config::{PopulationInput, Study};
use super::levels::{summaries, weighted_mean, Summarised};
use crate::aggregate::external::{overlap, External, Rollup};
use crate::aggregate::supply_counts::{count_supply, density_columns, DensityOptions};
use crate::aggregate::typology::{classify, tally, Axis, WorseWhen};
use crate::aggregate::{write_summaries_csv, Assignment};
use crate::export::columns::{Column, Format, Values};
use crate::inputs::demand::groups::group_population;
use crate::inputs::demand::Origin;
use crate::inputs::external::{read_external, ExternalColumns, OutsideStudy};
use crate::inputs::supply::Site;
use crate::inputs::table::Table;
use crate::inputs::territory::{UnitIndex, UnitLayer};
use crate::support::rejects::Rejects;
use anyhow::Context;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `[densities]`: the supply columns of every level.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DensitiesConfig {
    /// Categories given columns (empty: every category of the supply).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Inhabitants the density is given per.
    #[serde(default = "default_per")]
    pub per: f64,
    /// Age threshold of the aged share, years.
    #[serde(default = "default_aged")]
    pub aged: u32,
}

impl Default for DensitiesConfig {
    fn default() -> Self {
        DensitiesConfig {
            categories: Vec::new(),
            per: default_per(),
            aged: default_aged(),
        }
    }
}

fn default_per() -> f64 {
    10_000.0
}

fn default_aged() -> u32 {
    60
}

/// One `[[reference]]` area: a row at the end of every per-unit table.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceConfig {
    /// Code of the area (`93`, `11`, `FR`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The study's inputs cover the area: its figures are computed from them.
    #[serde(default)]
    pub computed: bool,
    /// Otherwise: a table `code,indicator,value[,source]` holding its published figures.
    pub table: Option<PathBuf>,
}

/// One `[[indicators.external]]` table.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalConfig {
    /// Column name given to the indicator.
    pub name: String,
    /// The table (CSV, `,` or `;`).
    pub path: PathBuf,
    /// The `kind` of the `[[territories]]` level its codes are units of.
    pub level: String,
    /// Code column.
    #[serde(default = "default_code")]
    pub code: String,
    /// Value column.
    #[serde(default = "default_value")]
    pub value: String,
    /// Numerator column of a rate.
    pub numerator: Option<String>,
    /// Denominator column of a rate.
    pub denominator: Option<String>,
    /// Multiplier of numerator / denominator (100 for a percentage).
    #[serde(default = "default_rate_per")]
    pub per: f64,
    /// `rate`, `mean` or `none` (default: `rate` with a numerator and denominator, else
    /// `mean`).
    pub rollup: Option<String>,
    /// Smaller values are better (a share without a *médecin traitant*): the map's colours.
    #[serde(default)]
    pub lower_is_better: bool,
    /// Rows of codes outside the study's départements (a national table): `ignore`
    /// (counted in the run summary) or `reject` (each written to the rejects).
    #[serde(default)]
    pub outside_study: OutsideStudy,
}

fn default_code() -> String {
    "code".into()
}

fn default_value() -> String {
    "value".into()
}

fn default_rate_per() -> f64 {
    1.0
}

impl ExternalConfig {
    /// How the indicator is carried to other levels.
    pub fn rollup(&self) -> Result<Rollup, String> {
        let parts = self.numerator.is_some() && self.denominator.is_some();
        match (self.rollup.as_deref(), parts) {
            (None, true) | (Some("rate"), true) => Ok(Rollup::Rate),
            (None, false) | (Some("mean"), _) => Ok(Rollup::Mean),
            (Some("none"), _) => Ok(Rollup::None),
            (Some("rate"), false) => Err(format!(
                "[[indicators.external]] {}: rollup = \"rate\" needs numerator and denominator",
                self.name
            )),
            (Some(o), _) => Err(format!(
                "[[indicators.external]] {}: rollup = {o:?}: expected \"rate\", \"mean\" or \"none\"",
                self.name
            )),
        }
    }
}

/// One axis of a `[[typology]]`.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AxisConfig {
    /// Per-unit column of the level (`participation`, `radiology_minutes_mean`, `apl_mean`…).
    pub indicator: String,
    /// Threshold in the column's unit (a value equal to it is on the better side).
    pub threshold: f64,
    /// `above` (larger is worse) or `below` (smaller is worse).
    #[serde(default = "default_worse_when")]
    pub worse_when: String,
    /// Labels of the worse and the better side (default `{indicator} worse` / `better`).
    pub labels: Option<[String; 2]>,
}

fn default_worse_when() -> String {
    "above".into()
}

/// One `[[typology]]`: the units of a level classified on two columns.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TypologyConfig {
    /// Output name: column `typology_{name}`, `typology_{name}.csv`.
    pub name: String,
    /// The `kind` of the level classified.
    pub level: String,
    /// First axis.
    pub x: AxisConfig,
    /// Second axis.
    pub y: AxisConfig,
}

/// One `[[population.groups]]` target population.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// Name (letters, digits, `_`, `-`): columns `{name}_population`, folder `groups/{name}`.
    pub name: String,
    /// Ages: `50-74` (50 to 74 inclusive) or `75+`.
    pub ages: String,
}

/// Checks the sections of this module against the study's levels (before any work).
pub fn check(study: &Study) -> Result<(), String> {
    let has = |kind: &str| study.territories.iter().any(|t| t.kind == kind);
    let named = |what: &str, name: &str| {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            Err(format!(
                "{what} name {name:?}: letters, digits, `_` and `-` only"
            ))
        } else {
            Ok(())
        }
    };
    for e in &study.indicators.external {
        named("[[indicators.external]]", &e.name)?;
        if !has(&e.level) {
            return Err(format!(
                "[[indicators.external]] {}: level = {:?} names no [[territories]] kind",
                e.name, e.level
            ));
        }
        e.rollup()?;
    }
    for t in &study.typology {
        named("[[typology]]", &t.name)?;
        if !has(&t.level) {
            return Err(format!(
                "[[typology]] {}: level = {:?} names no [[territories]] kind",
                t.name, t.level
            ));
        }
        for a in [&t.x, &t.y] {
            WorseWhen::parse(&a.worse_when).ok_or_else(|| {
                format!(
                    "[[typology]] {}: worse_when = {:?}: expected \"above\" or \"below\"",
                    t.name, a.worse_when
                )
            })?;
        }
    }
    for r in &study.reference {
        if r.computed == r.table.is_some() {
            return Err(format!(
                "[[reference]] {}: give either computed = true or a table",
                r.code
            ));
        }
    }
    let groups = study.population.groups();
    if !groups.is_empty() && !matches!(study.population, PopulationInput::Filosofi { .. }) {
        return Err(format!(
            "[[population.groups]] {}: groups are cut from Filosofi age bands; this [population] kind has none",
            groups[0].name
        ));
    }
    for g in groups {
        named("[[population.groups]]", &g.name)?;
        crate::inputs::icc_filosofi::AgeSpan::parse(&g.ages)
            .map_err(|e| format!("[[population.groups]] {}: {e}", g.name))?;
    }
    if study.densities.per <= 0.0 {
        return Err("[densities] per must be positive".into());
    }
    Ok(())
}

/// What the sections of this module read from a study's run.
pub(crate) struct Published<'a> {
    /// The study.
    pub study: &'a Study,
    /// Territorial levels.
    pub levels: &'a [UnitLayer],
    /// Units holding each origin, per level.
    pub memberships: &'a [Vec<Vec<usize>>],
    /// Origins.
    pub origins: &'a [Origin],
    /// Sites.
    pub sites: &'a [Site],
    /// Per-origin indicators summarised.
    pub summarised: &'a [Summarised],
    /// Output folder.
    pub dir: &'a Path,
    /// Tables an earlier computation read (a snapshot reuses the study's): an outside
    /// table of the same file and level is not read again, nor are the reference tables.
    pub known: Option<&'a Tables>,
}

/// What [`run_published`] wrote and read.
pub(crate) struct PublishedOutput {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// The outside indicator and reference tables as read (with a line per outside table).
    pub tables: Tables,
}

/// A reference row: its code, name, source and values by column name.
struct ReferenceRow {
    code: String,
    name: String,
    source: String,
    values: BTreeMap<String, f64>,
}

/// Computes and writes everything of this module, adding the per-unit columns to
/// `level_columns`; returns the files written and the tables read.
pub(crate) fn run_published(
    p: &Published,
    level_columns: &mut [Vec<Column>],
    rejects: &mut Rejects,
) -> anyhow::Result<PublishedOutput> {
    let mut files = Vec::new();
    let population: Vec<f64> = p.origins.iter().map(|o| o.population).collect();
    let inhabitants: Vec<Vec<f64>> = p
        .levels
        .iter()
        .zip(p.memberships)
        .map(|(l, m)| per_unit(m, &population, l.units.len()))
        .collect();
    let published = published_tables(p, rejects)?;

    // Supply and densities.
    let mut categories = p.study.densities.categories.clone();
    if categories.is_empty() {
        categories = p.sites.iter().map(|s| s.category.clone()).collect();
        categories.sort();
        categories.dedup();
    }
    let options = DensityOptions {
        categories,
        per: p.study.densities.per,
        aged: p.study.densities.aged,
    };
    let site_points: Vec<(f64, f64)> = p.sites.iter().map(|s| (s.lon, s.lat)).collect();
    let total_population = crate::support::exact_sum::exact_sum(population.iter().copied());
    let mut computed_supply = BTreeMap::new();
    let whole = count_supply(p.sites, &vec![vec![0]; p.sites.len()], 1, options.aged);
    computed_supply.insert("inhabitants".to_string(), total_population);
    for c in &options.categories {
        let values = options.values(whole[0].get(c), total_population);
        for (name, v) in options.names(c).into_iter().zip(values) {
            if let Some(v) = v {
                computed_supply.insert(name, v);
            }
        }
    }
    for (k, level) in p.levels.iter().enumerate() {
        let of = UnitIndex::new(level).assign_points(&site_points);
        let counts = count_supply(p.sites, &of, level.units.len(), options.aged);
        let columns = density_columns(&counts, &inhabitants[k], &options);
        let path = p.dir.join(&level.kind).join("supply.csv");
        let rows = reference_rows(p, &published, &computed_supply, &columns);
        write_unit_table(&path, level, &columns, &rows)?;
        files.push(path);
        level_columns[k].extend(columns);
    }

    // Outside indicators.
    let mut external_columns: Vec<Vec<Column>> = vec![Vec::new(); p.levels.len()];
    let mut computed_external = BTreeMap::new();
    for (cfg, ext) in p.study.indicators.external.iter().zip(&published.external) {
        let (k, ext) = ext;
        let source_population = &inhabitants[*k];
        external_columns[*k].push(number(&cfg.name, ext.values.clone(), Format::Shortest));
        if let Some((num, den)) = &ext.parts {
            for (suffix, v) in [("numerator", num), ("denominator", den)] {
                external_columns[*k].push(number(
                    &format!("{}_{suffix}", cfg.name),
                    v.clone(),
                    Format::Shortest,
                ));
                let sum = crate::support::exact_sum::exact_sum(v.iter().flatten().copied());
                computed_external.insert(format!("{}_{suffix}", cfg.name), sum);
            }
        }
        if let Some(t) = ext.total(source_population) {
            computed_external.insert(cfg.name.clone(), t);
        }
        if ext.rollup == Rollup::None {
            continue;
        }
        for (j, level) in p.levels.iter().enumerate() {
            if j == *k {
                continue;
            }
            let w = overlap(
                &p.memberships[*k],
                &p.memberships[j],
                &population,
                level.units.len(),
            );
            external_columns[j].push(number(
                &cfg.name,
                ext.carried(&w, source_population),
                Format::Fixed(4),
            ));
        }
    }
    for (k, columns) in external_columns.into_iter().enumerate() {
        if columns.is_empty() {
            continue;
        }
        let level = &p.levels[k];
        let path = p.dir.join(&level.kind).join("external.csv");
        let rows = reference_rows(p, &published, &computed_external, &columns);
        write_unit_table(&path, level, &columns, &rows)?;
        files.push(path);
        level_columns[k].extend(columns);
    }

    // Target populations.
    if !p.study.population.groups().is_empty() {
        files.extend(write_groups(p, level_columns)?);
    }

    // Typologies, on every column computed so far.
    for t in &p.study.typology {
        let k = level_of(p.levels, &t.level)?;
        let (path, summary, column) =
            write_typology(t, &p.levels[k], &level_columns[k], &inhabitants[k], p.dir)?;
        files.extend([path, summary]);
        level_columns[k].push(column);
    }
    Ok(PublishedOutput {
        files,
        tables: published,
    })
}

/// The tables read once: outside indicators joined to their level, reference figures.
pub(crate) struct Tables {
    /// Per `[[indicators.external]]`: its level index and values.
    external: Vec<(usize, External)>,
    /// The file of each outside table.
    external_paths: Vec<PathBuf>,
    /// Reference figures by area code: indicator → (value, source).
    reference: BTreeMap<String, BTreeMap<String, (f64, String)>>,
    /// One line per outside table read: rows read, joined, outside the study.
    pub notes: Vec<String>,
}

/// Reads the outside indicator and reference tables.
fn published_tables(p: &Published, rejects: &mut Rejects) -> anyhow::Result<Tables> {
    let mut external = Vec::new();
    let mut external_paths = Vec::new();
    let mut notes = Vec::new();
    for cfg in &p.study.indicators.external {
        let k = level_of(p.levels, &cfg.level)?;
        external_paths.push(cfg.path.clone());
        let known = p.known.and_then(|t| {
            t.external_paths
                .iter()
                .zip(&t.external)
                .find(|(path, (level, _))| **path == cfg.path && *level == k)
        });
        if let Some((_, e)) = known {
            external.push(e.clone());
            continue;
        }
        let columns = ExternalColumns {
            code: cfg.code.clone(),
            value: cfg.value.clone(),
            numerator: cfg.numerator.clone(),
            denominator: cfg.denominator.clone(),
        };
        let rollup = cfg.rollup().map_err(anyhow::Error::msg)?;
        let (ext, counts) = read_external(
            &cfg.path,
            &columns,
            &p.levels[k],
            cfg.per,
            rollup,
            cfg.outside_study,
            rejects,
        )
        .with_context(|| format!("[[indicators.external]] {}", cfg.name))?;
        let note = format!(
            "{}: {} rows, {} joined to the {} units of {} ({} with a value), {} outside the study's départements ignored",
            cfg.name,
            counts.rows,
            counts.joined,
            p.levels[k].units.len(),
            cfg.level,
            counts.units_with_value,
            counts.outside_study
        );
        tracing::info!("{note}");
        notes.push(note);
        external.push((k, ext));
    }
    if let Some(known) = p.known {
        return Ok(Tables {
            external,
            external_paths,
            reference: known.reference.clone(),
            notes,
        });
    }
    let mut reference: BTreeMap<String, BTreeMap<String, (f64, String)>> = BTreeMap::new();
    let mut read: BTreeMap<PathBuf, Table> = BTreeMap::new();
    for r in &p.study.reference {
        let Some(path) = &r.table else { continue };
        if !read.contains_key(path) {
            read.insert(path.clone(), Table::read(path, true, rejects)?);
        }
        let t = &read[path];
        let col = |name: &str| {
            t.col(name)
                .with_context(|| format!("{}: no column {name:?}", t.file))
        };
        let (cc, ci, cv) = (col("code")?, col("indicator")?, col("value")?);
        let cs = t.col("source");
        for (line, rec) in &t.rows {
            if rec.get(cc) != Some(r.code.as_str()) {
                continue;
            }
            let indicator = rec.get(ci).unwrap_or("").to_lowercase();
            match t.number(rec, cv) {
                Ok(v) => {
                    let source = cs
                        .and_then(|c| rec.get(c))
                        .filter(|s| !s.is_empty())
                        .map_or_else(|| t.file.clone(), str::to_string);
                    reference
                        .entry(r.code.clone())
                        .or_default()
                        .insert(indicator, (v, source));
                }
                Err(e) => rejects.push(&t.file, *line, &r.code, format!("value: {e}")),
            }
        }
    }
    Ok(Tables {
        external,
        external_paths,
        reference,
        notes,
    })
}

/// The reference rows of a table with `columns`: computed from the study's inputs, or the
/// published figures of the columns.
fn reference_rows(
    p: &Published,
    tables: &Tables,
    computed: &BTreeMap<String, f64>,
    columns: &[Column],
) -> Vec<ReferenceRow> {
    p.study
        .reference
        .iter()
        .map(|r| {
            let (values, source) = if r.computed {
                let values = columns
                    .iter()
                    .filter_map(|c| computed.get(&c.name).map(|v| (c.name.clone(), *v)))
                    .collect();
                (values, "computed from the study's inputs".to_string())
            } else {
                let figures = tables.reference.get(&r.code);
                let mut sources: Vec<&str> = Vec::new();
                let mut values = BTreeMap::new();
                for c in columns {
                    if let Some((v, s)) = figures.and_then(|f| f.get(&c.name)) {
                        values.insert(c.name.clone(), *v);
                        if !sources.contains(&s.as_str()) {
                            sources.push(s);
                        }
                    }
                }
                (values, sources.join("; "))
            };
            ReferenceRow {
                code: r.code.clone(),
                name: r.name.clone(),
                source,
                values,
            }
        })
        .collect()
}

/// Writes `code,name,source,<columns…>`: the units (source `study`), then the reference rows
/// (in the column's decimals, four for a column written as read).
fn write_unit_table(
    path: &Path,
    level: &UnitLayer,
    columns: &[Column],
    references: &[ReferenceRow],
) -> anyhow::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    Ok(crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header = vec!["code".to_string(), "name".into(), "source".into()];
        header.extend(columns.iter().map(|c| c.name.clone()));
        csv.write_record(&header)?;
        for (i, u) in level.units.iter().enumerate() {
            let mut row = vec![u.code.clone(), u.name.clone(), "study".into()];
            row.extend(columns.iter().map(|c| c.text(i)));
            csv.write_record(&row)?;
        }
        for r in references {
            let mut row = vec![r.code.clone(), r.name.clone(), r.source.clone()];
            row.extend(columns.iter().map(|c| {
                r.values
                    .get(&c.name)
                    .map(|&v| match &c.values {
                        Values::Number(_, Format::Fixed(d)) => Format::Fixed(*d).write(v),
                        _ => Format::Fixed(4).write(v),
                    })
                    .unwrap_or_default()
            }));
            csv.write_record(&row)?;
        }
        csv.flush()?;
        Ok(())
    })?)
}

/// The per-origin summaries of every indicator weighted by each target population.
fn write_groups(p: &Published, level_columns: &mut [Vec<Column>]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut means = Vec::new();
    for g in p.study.population.groups() {
        let weights = group_population(&g.name, &g.ages, p.origins)?;
        for (k, level) in p.levels.iter().enumerate() {
            let assignment = Assignment::new(&p.memberships[k], level.units.len())?;
            let dir = p.dir.join(&level.kind).join("groups").join(&g.name);
            std::fs::create_dir_all(&dir)?;
            for s in p.summarised {
                let sums = summaries(s, &weights, &assignment)?;
                let path = dir.join(format!("{}.csv", s.name));
                write_summaries_csv(&path, level, &sums)?;
                files.push(path);
            }
            level_columns[k].push(number(
                &format!("{}_population", g.name),
                per_unit(&p.memberships[k], &weights, level.units.len())
                    .into_iter()
                    .map(Some)
                    .collect(),
                Format::Fixed(1),
            ));
        }
        let total = crate::support::exact_sum::exact_sum(weights.iter().copied());
        let of: Vec<Option<f64>> = p
            .summarised
            .iter()
            .map(|s| weighted_mean(&s.values, &weights))
            .collect();
        means.push((g, total, of));
    }
    let path = p.dir.join("groups.csv");
    crate::support::atomic::write_with(&path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header = vec!["group".to_string(), "ages".into(), "population".into()];
        header.extend(p.summarised.iter().map(|s| format!("{}_mean", s.name)));
        csv.write_record(&header)?;
        for (g, total, of) in &means {
            let mut row = vec![
                g.name.clone(),
                g.ages.clone(),
                Format::Fixed(1).write(*total),
            ];
            row.extend(
                of.iter()
                    .map(|m| m.map(|m| Format::Fixed(4).write(m)).unwrap_or_default()),
            );
            csv.write_record(&row)?;
        }
        csv.flush()?;
        Ok(())
    })?;
    files.push(path);
    Ok(files)
}

/// Classifies the units of one level; writes the classes and their tally.
fn write_typology(
    t: &TypologyConfig,
    level: &UnitLayer,
    columns: &[Column],
    inhabitants: &[f64],
    dir: &Path,
) -> anyhow::Result<(PathBuf, PathBuf, Column)> {
    let axis = |a: &AxisConfig| -> anyhow::Result<Axis> {
        let column = columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(&a.indicator))
            .and_then(Column::numbers)
            .with_context(|| {
                let names: Vec<&str> = columns
                    .iter()
                    .filter(|c| c.numbers().is_some())
                    .map(|c| c.name.as_str())
                    .collect();
                format!(
                    "[[typology]] {}: no number column {:?} on the {} level (columns: {})",
                    t.name,
                    a.indicator,
                    level.kind,
                    names.join(", ")
                )
            })?;
        let worse_when = WorseWhen::parse(&a.worse_when)
            .with_context(|| format!("[[typology]] {}: worse_when", t.name))?;
        Ok(Axis {
            values: column.to_vec(),
            threshold: a.threshold,
            worse_when,
            labels: a.labels.clone().unwrap_or_else(|| {
                [
                    format!("{} worse", a.indicator),
                    format!("{} better", a.indicator),
                ]
            }),
        })
    };
    let (x, y) = (axis(&t.x)?, axis(&t.y)?);
    let classes = classify(&x, &y);
    let path = dir.join(format!("typology_{}.csv", t.name));
    crate::support::atomic::write_with(&path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(["code", "name", &t.x.indicator, &t.y.indicator, "class"])?;
        for (i, u) in level.units.iter().enumerate() {
            let f = |v: Option<f64>| v.map(|v| Format::Fixed(4).write(v)).unwrap_or_default();
            csv.write_record([
                u.code.clone(),
                u.name.clone(),
                f(x.values[i]),
                f(y.values[i]),
                classes[i].clone().unwrap_or_default(),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?;
    let summary = dir.join(format!("typology_{}.summary.csv", t.name));
    crate::support::atomic::write_with(&summary, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(["class", "units", "population"])?;
        for (class, units, population) in tally(&x, &y, &classes, inhabitants) {
            let shown = if class.is_empty() {
                "unclassified (a value missing)".to_string()
            } else {
                class
            };
            csv.write_record([shown, units.to_string(), Format::Fixed(1).write(population)])?;
        }
        csv.flush()?;
        Ok(())
    })?;
    let column = Column {
        name: format!("typology_{}", t.name),
        values: Values::Text(classes),
    };
    Ok((path, summary, column))
}

/// Index of the level of kind `kind`.
fn level_of(levels: &[UnitLayer], kind: &str) -> anyhow::Result<usize> {
    levels
        .iter()
        .position(|l| l.kind == kind)
        .with_context(|| format!("no [[territories]] level {kind:?}"))
}

/// Σ of `weights` over the origins of each unit.
fn per_unit(membership: &[Vec<usize>], weights: &[f64], units: usize) -> Vec<f64> {
    let mut terms: Vec<Vec<f64>> = vec![Vec::new(); units];
    for (of, &w) in membership.iter().zip(weights) {
        for &u in of {
            terms[u].push(w);
        }
    }
    terms
        .into_iter()
        .map(crate::support::exact_sum::exact_sum)
        .collect()
}

/// A number column.
fn number(name: &str, values: Vec<Option<f64>>, format: Format) -> Column {
    Column {
        name: name.to_string(),
        values: Values::Number(values, format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDY: &str = r#"
[network]
osm = "a.osm.pbf"
[population]
kind = "filosofi"
path = "cells.csv"
[[supply]]
kind = "points"
path = "gp.csv"
[[territories]]
kind = "commune"
path = "communes.geojson"
[[indicators.external]]
name = "participation"
path = "p.csv"
level = "commune"
numerator = "screened"
denominator = "insured"
per = 100
[[reference]]
code = "FR"
name = "France"
table = "reference.csv"
[[population.groups]]
name = "aged_75_plus"
ages = "75+"
[[typology]]
name = "t"
level = "commune"
x = { indicator = "participation", threshold = 40, worse_when = "below" }
y = { indicator = "gp_minutes_mean", threshold = 10 }
"#;

    #[test]
    fn the_sections_read_and_contradictions_are_named() {
        let s = Study::parse(STUDY).unwrap();
        assert_eq!(s.densities.per, 10_000.0);
        assert_eq!(s.densities.aged, 60);
        assert_eq!(s.indicators.external[0].rollup(), Ok(Rollup::Rate));
        assert_eq!(s.typology[0].y.worse_when, "above");
        check(&s).unwrap();
        let bad = |from: &str, to: &str| {
            check(&Study::parse(&STUDY.replace(from, to)).unwrap()).unwrap_err()
        };
        let e = bad(
            "level = \"commune\"\nnumerator",
            "level = \"iris\"\nnumerator",
        );
        assert!(
            e.contains("level = \"iris\" names no [[territories]] kind"),
            "{e}"
        );
        let e = bad(
            "table = \"reference.csv\"",
            "computed = true\ntable = \"r.csv\"",
        );
        assert!(e.contains("[[reference]] FR: give either"), "{e}");
        let e = bad("ages = \"75+\"", "ages = \"old\"");
        assert!(e.contains("[[population.groups]] aged_75_plus"), "{e}");
        let e = Study::parse(&STUDY.replace("[[population.groups]]", "[[population_groups]]"))
            .unwrap_err();
        assert!(e.contains("is written `[[population.groups]]`"), "{e}");
        let e = bad(
            "kind = \"filosofi\"\npath = \"cells.csv\"",
            "kind = \"points\"\npath = \"cells.csv\"",
        );
        assert!(e.contains("groups are cut from Filosofi age bands"), "{e}");
        let e = bad("worse_when = \"below\"", "worse_when = \"under\"");
        assert!(e.contains("worse_when = \"under\""), "{e}");
        let e = bad("per = 100", "per = 100\nrollup = \"sum\"");
        assert!(e.contains("rollup = \"sum\""), "{e}");
        assert_eq!(
            Study::parse(&STUDY.replace("numerator = \"screened\"", ""))
                .unwrap()
                .indicators
                .external[0]
                .rollup(),
            Ok(Rollup::Mean)
        );
    }
}
