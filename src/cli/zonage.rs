//! `recours zonage`: reads a table of units (`code,population,<criteria…>`) and a TOML file of
//! zonage settings ([`ZonageConfig`]), classifies the units ([`crate::indicators::zonage`])
//! and writes, byte-deterministically:
//!
//! - `--out`: one row per accepted unit, sorted by code: `code,population`, then for the
//!   2017 rule `rule_2017_apl,rule_2017_class`; for the ranking, each criterion raw
//!   (`<column>`) and normalised (`<column>_norm`), then `score,rank,class,
//!   cumulative_population_share`; for each share classification *n*: `<n>_value,<n>_rank,
//!   <n>_class,<n>_cumulative_population_share`;
//! - `<out>.summary.csv`: `scheme,class,units,population,population_share`, every class of
//!   every scheme in order (empty classes included);
//! - `<out>.rejects.csv`: every rejected row.
//!
//! Input: a units table read by [`crate::inputs::units`], its code and population columns
//! named by [`UnitColumns`]; the schemes run by [`apply_schemes`].
//!
//! Number formats: populations with one decimal (as in the study's outputs: a population
//! summed from 200 m cells is fractional, and a fixed number of decimals keeps a total that
//! lands on a whole number from being written differently); raw values as read (shortest
//! round-trip form); normalised values and scores `{:.6}`; shares `{:.6}`.

use crate::export::columns::Format;
use crate::indicators::zonage::{Placed, RankingResult, ZonageConfig};
use crate::indicators::zonage_schemes::{apply_schemes, Decision, SchemeSummary};
use crate::inputs::units::{read_units, UnitColumns};
use crate::support::rejects::Rejects;
use anyhow::Context;
use std::fmt;
use std::path::{Path, PathBuf};

/// What to classify and where to write it.
#[derive(Clone, Debug)]
pub struct ZonageJob {
    /// Units table `code,population,<criteria…>` (CSV or workbook sheet).
    pub units: PathBuf,
    /// Its code and population columns and sheet.
    pub columns: UnitColumns,
    /// Settings.
    pub config: ZonageConfig,
    /// Main output CSV; the others are written beside it.
    pub out: PathBuf,
}

impl ZonageJob {
    /// `<out stem>.<suffix>.csv` beside the output.
    pub fn beside(&self, suffix: &str) -> PathBuf {
        crate::support::atomic::beside(&self.out, suffix)
    }
}

/// What a job did.
#[derive(Clone, Debug, PartialEq)]
pub struct ZonageRunSummary {
    /// Units classified.
    pub units: usize,
    /// Their population, inhabitants.
    pub population: f64,
    /// Per-scheme class totals.
    pub schemes: Vec<SchemeSummary>,
    /// Rows rejected.
    pub rejected: usize,
    /// Files written.
    pub files: Vec<PathBuf>,
}

impl fmt::Display for ZonageRunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "units: {}; population: {}; rejected rows: {}",
            self.units,
            amount(self.population),
            self.rejected
        )?;
        for s in &self.schemes {
            for c in &s.classes {
                writeln!(
                    f,
                    "{} {}: {} units, population {}",
                    s.scheme,
                    c.class,
                    c.units,
                    amount(c.population)
                )?;
            }
        }
        let files: Vec<String> = self
            .files
            .iter()
            .map(|p| format!("wrote {}", p.display()))
            .collect();
        write!(f, "{}", files.join("\n"))
    }
}

/// Reads and checks a TOML settings file (unknown keys are errors).
pub fn read_config(path: &Path) -> anyhow::Result<ZonageConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let config: ZonageConfig =
        toml::from_str(&text).with_context(|| format!("{}: invalid settings", path.display()))?;
    config
        .validate()
        .with_context(|| format!("{}: invalid settings", path.display()))?;
    Ok(config)
}

/// Runs `job`; rejects are recorded in `rejects` and written beside the output.
pub fn run_zonage_job(job: &ZonageJob, rejects: &mut Rejects) -> anyhow::Result<ZonageRunSummary> {
    job.config.validate()?;
    let table = read_units(&job.units, &job.columns, &job.config.columns(), rejects)?;
    let column = |name: &str| -> Vec<f64> {
        table
            .values
            .get(&name.to_lowercase())
            .cloned()
            .unwrap_or_default()
    };
    let units = &table.units;
    let runs = apply_schemes(&job.config, |_, scheme| {
        let values = scheme.columns.iter().map(|c| column(c)).collect();
        (units.clone(), values)
    })
    .map_err(|e| e.source)?;
    let mut header = vec!["code".to_string(), "population".to_string()];
    let mut cells: Vec<Vec<String>> = units
        .iter()
        .map(|u| vec![u.code.clone(), amount(u.population)])
        .collect();
    for run in &runs {
        let (names, rest) = (&run.class_names, run.rest.as_str());
        match &run.decision {
            Decision::Rule2017 { apl, classes } => {
                header.extend(["rule_2017_apl".into(), "rule_2017_class".into()]);
                for ((row, a), c) in cells.iter_mut().zip(apl).zip(classes) {
                    row.extend([a.to_string(), c.label().to_string()]);
                }
            }
            Decision::Ranking { raw, result } => {
                for c in &run.columns {
                    let c = c.to_lowercase();
                    header.extend([c.clone(), format!("{c}_norm")]);
                }
                header.extend(
                    ["score", "rank", "class", "cumulative_population_share"].map(String::from),
                );
                for (i, row) in cells.iter_mut().enumerate() {
                    row.extend(ranking_cells(result, raw, i, names, rest));
                }
            }
            Decision::Shares { values, placed } => {
                let n = &run.summary.scheme;
                header.extend([
                    format!("{n}_value"),
                    format!("{n}_rank"),
                    format!("{n}_class"),
                    format!("{n}_cumulative_population_share"),
                ]);
                for ((row, v), p) in cells.iter_mut().zip(values).zip(placed) {
                    row.push(v.to_string());
                    row.extend(placed_cells(p, names, rest));
                }
            }
        }
    }
    let schemes: Vec<SchemeSummary> = runs.into_iter().map(|r| r.summary).collect();
    crate::export::csv::write_table(&job.out, &header, &cells)?;
    let population: f64 = units.iter().map(|u| u.population).sum();
    let summary_path = job.beside("summary");
    write_summary(&summary_path, &schemes, population)?;
    let rejects_path = job.beside("rejects");
    rejects.write_csv(&rejects_path)?;
    Ok(ZonageRunSummary {
        units: units.len(),
        population,
        schemes,
        rejected: rejects.len(),
        files: vec![job.out.clone(), summary_path, rejects_path],
    })
}

/// Raw and normalised criteria, score, rank, class and cumulative share of unit `i`.
fn ranking_cells(
    res: &RankingResult,
    values: &[Vec<f64>],
    i: usize,
    names: &[String],
    rest: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for (raw, norm) in values.iter().zip(&res.normalised) {
        out.extend([raw[i].to_string(), format!("{:.6}", norm[i])]);
    }
    out.push(format!("{:.6}", res.score[i]));
    out.extend(placed_cells(&res.placed[i], names, rest));
    out
}

/// Rank, class name and cumulative share.
fn placed_cells(p: &Placed, names: &[String], rest: &str) -> [String; 3] {
    [
        p.rank.to_string(),
        names.get(p.class).map_or(rest, String::as_str).to_string(),
        p.cumulative_share
            .map(|s| format!("{s:.6}"))
            .unwrap_or_default(),
    ]
}

/// A population, inhabitants with one decimal, as every population column of the study.
fn amount(x: f64) -> String {
    Format::Fixed(1).write(x)
}

fn write_summary(path: &Path, schemes: &[SchemeSummary], total: f64) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for s in schemes {
        for c in &s.classes {
            rows.push(vec![
                s.scheme.clone(),
                c.class.clone(),
                c.units.to_string(),
                amount(c.population),
                if total > 0.0 {
                    format!("{:.6}", c.population / total)
                } else {
                    String::new()
                },
            ]);
        }
    }
    let header = ["scheme", "class", "units", "population", "population_share"].map(String::from);
    Ok(crate::export::csv::write_table(path, &header, &rows)?)
}
