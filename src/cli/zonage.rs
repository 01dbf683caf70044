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
//! Input: a table read by the input contract ([`crate::inputs::table`]: a delimited text of
//! any of `,` `;` tab `|`, decimal comma and thousands separators, or a workbook sheet chosen
//! by name, such as the DREES APL workbook), its code and population columns named by
//! [`UnitColumns`], header names compared lower-cased. A row is
//! rejected (file, line, code, reason) for an empty code, a code already seen, a population
//! or criterion that is not a finite number, a negative population, or a wrong field count.
//!
//! Number formats: population whole `{:.0}` else `{:.3}`; raw values as read (shortest
//! round-trip form); normalised values and scores `{:.6}`; shares `{:.6}`.

use crate::indicators::zonage::{
    class_totals, Class2017, ClassTotal, Placed, RankingResult, Unit, ZonageConfig,
};
use crate::inputs::table::Table;
use crate::support::rejects::Rejects;
use anyhow::{bail, Context};
use std::collections::BTreeMap;
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

/// Units read from a CSV, sorted by code, with the values of the asked columns.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitTable {
    /// The accepted units, by code.
    pub units: Vec<Unit>,
    /// Values per column name (lower case), indexed like `units`.
    pub values: BTreeMap<String, Vec<f64>>,
    /// Line of each unit in the file (header = 1), indexed like `units`.
    pub lines: Vec<u64>,
}

/// One classification's classes, units and population, for the summary.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemeSummary {
    /// `rule_2017`, `ranking` or a share classification's name.
    pub scheme: String,
    /// Its classes in order, the rest last.
    pub classes: Vec<ClassTotal>,
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

/// Where a units table keeps its codes and populations, and which sheet holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitColumns {
    /// Sheet of a workbook (`.xlsx`, `.ods`) to read; `None`: its only sheet.
    pub sheet: Option<String>,
    /// Column of unit codes (default `code`), compared ignoring case.
    pub code: String,
    /// Column of populations (default `population`), compared ignoring case.
    pub population: String,
}

impl Default for UnitColumns {
    fn default() -> Self {
        UnitColumns {
            sheet: None,
            code: "code".into(),
            population: "population".into(),
        }
    }
}

/// Reads the units table (a delimited text or a workbook sheet, by the input contract of
/// [`crate::inputs::table`]), keeping the columns `columns`; bad rows go to `rejects`.
/// Fails when the file cannot be read or a column is missing.
pub fn read_units(
    path: &Path,
    names: &UnitColumns,
    columns: &[String],
    rejects: &mut Rejects,
) -> anyhow::Result<UnitTable> {
    read_table(path, names, true, columns, rejects)
}

/// Reads a table of per-unit values `code,<columns…>` (no population column: every
/// unit's population is 0), as [`read_units`] otherwise.
pub fn read_unit_values(
    path: &Path,
    names: &UnitColumns,
    columns: &[String],
    rejects: &mut Rejects,
) -> anyhow::Result<UnitTable> {
    read_table(path, names, false, columns, rejects)
}

/// [`read_units`], with or without a population column.
fn read_table(
    path: &Path,
    names: &UnitColumns,
    with_population: bool,
    columns: &[String],
    rejects: &mut Rejects,
) -> anyhow::Result<UnitTable> {
    let columns: Vec<String> = columns
        .iter()
        .map(|c| c.to_lowercase())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let t = Table::read_sheet(path, true, names.sheet.as_deref(), rejects)?;
    t.require_rows()?;
    let file = t.file.clone();
    let header = &t.headers;
    let position = |name: &str| -> anyhow::Result<usize> {
        let name = name.trim().to_lowercase();
        let found: Vec<usize> = (0..header.len()).filter(|&i| header[i] == name).collect();
        match found.as_slice() {
            [i] => Ok(*i),
            [] => bail!("{file}: no column {name:?}; columns: {header:?}"),
            _ => bail!("{file}: column {name:?} appears more than once"),
        }
    };
    let code_at = position(&names.code)?;
    let pop_at = if with_population {
        Some(position(&names.population)?)
    } else {
        None
    };
    let value_at: Vec<usize> = columns
        .iter()
        .map(|c| position(c))
        .collect::<anyhow::Result<_>>()?;
    let mut rows: BTreeMap<String, (u64, f64, Vec<f64>)> = BTreeMap::new();
    for (line, r) in &t.rows {
        let line = *line;
        if r.len() != header.len() {
            let reason = format!(
                "unreadable row: {} fields where the header has {}",
                r.len(),
                header.len()
            );
            rejects.push(&file, line, "", reason);
            continue;
        }
        let code = r.get(code_at).unwrap_or("").to_string();
        if code.is_empty() {
            rejects.push(&file, line, "", "empty code");
            continue;
        }
        if let Some((first_line, _, _)) = rows.get(&code) {
            let reason = format!("code given twice (first on line {first_line})");
            rejects.push(&file, line, &code, reason);
            continue;
        }
        let population = match pop_at.map(|i| t.number(r, i)) {
            None => Ok(0.0),
            Some(Ok(p)) if p < 0.0 => Err(format!("negative population {p}")),
            Some(Ok(p)) => Ok(p),
            Some(Err(e)) => Err(format!("population: {e}")),
        };
        let values: Result<Vec<f64>, String> = columns
            .iter()
            .zip(&value_at)
            .map(|(c, &i)| t.number(r, i).map_err(|e| format!("{c}: {e}")))
            .collect();
        match (population, values) {
            (Ok(p), Ok(v)) => {
                rows.insert(code, (line, p, v));
            }
            (Err(e), _) | (_, Err(e)) => rejects.push(&file, line, &code, e),
        }
    }
    let mut values: BTreeMap<String, Vec<f64>> = columns
        .iter()
        .map(|c| (c.clone(), Vec::with_capacity(rows.len())))
        .collect();
    let mut units = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len());
    for (code, (line, population, v)) in rows {
        units.push(Unit { code, population });
        lines.push(line);
        for (c, x) in columns.iter().zip(v) {
            if let Some(col) = values.get_mut(c) {
                col.push(x);
            }
        }
    }
    Ok(UnitTable {
        units,
        values,
        lines,
    })
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
    let mut header = vec!["code".to_string(), "population".to_string()];
    let mut cells: Vec<Vec<String>> = units
        .iter()
        .map(|u| vec![u.code.clone(), amount(u.population)])
        .collect();
    let mut schemes = Vec::new();
    if let Some(rule) = &job.config.rule_2017 {
        let apl = column(&rule.column);
        let classes = rule.classify(units, &apl)?;
        header.extend(["rule_2017_apl".into(), "rule_2017_class".into()]);
        for ((row, a), c) in cells.iter_mut().zip(&apl).zip(&classes) {
            row.extend([a.to_string(), c.label().to_string()]);
        }
        let names: Vec<String> = Class2017::ALL[..5]
            .iter()
            .map(|c| c.label().to_string())
            .collect();
        let index: Vec<usize> = classes.iter().map(|&c| c as usize).collect();
        schemes.push(SchemeSummary {
            scheme: "rule_2017".into(),
            classes: class_totals(&names, Class2017::Outside.label(), &index, units),
        });
    }
    if let Some(ranking) = &job.config.ranking {
        let values: Vec<Vec<f64>> = ranking.criteria.iter().map(|c| column(&c.column)).collect();
        let res = ranking.rank(units, &values)?;
        for c in &ranking.criteria {
            let name = c.column.to_lowercase();
            header.extend([name.clone(), format!("{name}_norm")]);
        }
        header.extend(["score", "rank", "class", "cumulative_population_share"].map(String::from));
        let names: Vec<String> = ranking.classes.iter().map(|c| c.name.clone()).collect();
        for (i, row) in cells.iter_mut().enumerate() {
            row.extend(ranking_cells(&res, &values, i, &names, &ranking.rest));
        }
        let index: Vec<usize> = res.placed.iter().map(|p| p.class).collect();
        schemes.push(SchemeSummary {
            scheme: "ranking".into(),
            classes: class_totals(&names, &ranking.rest, &index, units),
        });
    }
    for s in &job.config.shares {
        let values = column(&s.column);
        let placed = s.classify(units, &values)?;
        let n = &s.name;
        header.extend([
            format!("{n}_value"),
            format!("{n}_rank"),
            format!("{n}_class"),
            format!("{n}_cumulative_population_share"),
        ]);
        let names: Vec<String> = s.classes.iter().map(|c| c.name.clone()).collect();
        for ((row, v), p) in cells.iter_mut().zip(&values).zip(&placed) {
            row.push(v.to_string());
            row.extend(placed_cells(p, &names, &s.rest));
        }
        let index: Vec<usize> = placed.iter().map(|p| p.class).collect();
        schemes.push(SchemeSummary {
            scheme: n.clone(),
            classes: class_totals(&names, &s.rest, &index, units),
        });
    }
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

/// A population: whole numbers without decimals.
fn amount(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
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
    crate::export::csv::write_table(path, &header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_rejects_bad_rows_and_keeps_the_first_of_a_duplicated_code() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.csv");
        std::fs::write(
            &p,
            "Code;Population;APL\nB;100;2,5\nA;50;x\nB;10;3\nC;-4;3\n;5;3\nD;20\nE;1 000;4,25\n",
        )
        .unwrap();
        let mut rejects = Rejects::default();
        let t = read_units(
            &p,
            &UnitColumns::default(),
            &["apl".to_string()],
            &mut rejects,
        )
        .unwrap();
        let codes: Vec<&str> = t.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes, vec!["B", "E"]);
        assert_eq!(t.values["apl"], vec![2.5, 4.25]);
        assert_eq!(t.units[1].population, 1000.0);
        let got: Vec<(u64, &str)> = rejects
            .items
            .iter()
            .map(|r| (r.line, r.id.as_str()))
            .collect();
        assert_eq!(got, vec![(3, "A"), (4, "B"), (5, "C"), (6, ""), (7, "")]);
        assert_eq!(
            rejects.items[1].reason,
            "code given twice (first on line 2)"
        );
        assert_eq!(rejects.items[2].reason, "negative population -4");
        assert!(read_units(
            &p,
            &UnitColumns::default(),
            &["density".to_string()],
            &mut rejects
        )
        .is_err());
        assert_eq!(t.lines, vec![2, 8]);
    }

    #[test]
    fn values_table_needs_no_population() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, "code,name,ald\nB,Bondy,0.25\nA,Aulnay,x\n").unwrap();
        let mut rejects = Rejects::default();
        let t = read_unit_values(
            &p,
            &UnitColumns::default(),
            &["ALD".to_string()],
            &mut rejects,
        )
        .unwrap();
        assert_eq!(
            t.units,
            vec![Unit {
                code: "B".into(),
                population: 0.0
            }]
        );
        assert_eq!(
            (t.values["ald"].clone(), t.lines.clone()),
            (vec![0.25], vec![2])
        );
        assert_eq!(rejects.items[0].line, 3);
        assert_eq!(rejects.items[0].reason, "ald: \"x\" is not a number");
    }
}
