//! The ICC job, shared by `recours icc` and the study's `[icc]` section ([`super::icc`]):
//! reads the consumption, population, rate and territory tables
//! ([`crate::inputs::consumption`], [`crate::inputs::territory::read_membership_csv`]),
//! computes the ICC ([`crate::indicators::icc`]) and writes, byte-deterministically:
//!
//! - `--out`: `territory,name,level,specialty,sector,standardisation,population,observed,
//!   expected,icc,ci_low,ci_high,ci_method,flag,missing_consumption,missing_fte,withheld`,
//!   one row per territory × specialty × sector (`all`, `liberal`, `hospital`) then the
//!   `TOTAL` rows; withheld cells have every value revealing O empty and the reason in
//!   `withheld`;
//! - `<out>.summary.csv`: `specialty,sector,territories,suppressed,undefined,spread,under_100,
//!   population_share_under_100`;
//! - `<out>.rejects.csv`: every rejected row;
//! - with `--access`: `<out>.typology.csv`, the ICC rows joined with the access indicators of
//!   the same territory (CSV `code,<indicators…>`, or a study level's per-unit columns,
//!   [`AccessTable`]) and a typology `low ICC & far`, `low ICC & near`, `high ICC & far`,
//!   `high ICC & near` ([`Typology`]), empty when the cell is withheld or the territory has
//!   no access value; one column `typology` for one rule, `typology_<indicator>` per rule
//!   for several.
//!
//! The population is an INSEE-style CSV, or Filosofi 200 m cells summed per commune and
//! re-banded into the consumption's age bands ([`crate::inputs::icc_filosofi`]): then the ICC is
//! standardised on age only and consumption rows split by sex are summed over sex, both
//! said in the run summary with the inhabitants apportioned within Filosofi bands.
//!
//! Number formats: population and counts `{:.0}` when whole else `{:.3}`, E and missing
//! consumption `{:.3}`, ICC and bounds `{:.2}`, FTE `{:.3}`, shares `{:.4}`.

use crate::export::columns::Column;
use crate::indicators::icc::{
    compute_icc, published_icc, IccConfig, IccResult, IccRow, RateSource,
};
use crate::inputs::consumption::{
    read_age_bands, read_consumption, read_population, read_rates, ConsumptionColumns, Population,
    PopulationColumns, RateColumns, Sector,
};
use crate::inputs::demand::filosofi::read_filosofi;
use crate::inputs::icc_filosofi::{population_from_cells, CellStats};
use crate::inputs::table::Table;
use crate::inputs::territory::read_membership_csv;
use crate::inputs::territory::UnitLayer;
use crate::inputs::text::{parse_lone_number, parse_number, NumberMarks};
use crate::support::rejects::Rejects;
use anyhow::{bail, Context};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Column names of the three input tables (a study-file section).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct IccColumns {
    /// Consumption table.
    pub consumption: ConsumptionColumns,
    /// Population table.
    pub population: PopulationColumns,
    /// Rate table.
    pub rates: RateColumns,
}

/// Which side of a threshold an access indicator is "far" (poor access) on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FarWhen {
    /// Larger is worse (a travel time).
    Above,
    /// Smaller is worse (APL, density).
    Below,
}

/// The cumulative-difficulty typology: ICC below `icc_below` is "low"; the indicator on its
/// worse side of `threshold` is "far".
#[derive(Clone, Debug, PartialEq)]
pub struct Typology {
    /// Access column deciding far / near.
    pub indicator: String,
    /// Its threshold (a value equal to it is "near").
    pub threshold: f64,
    /// Side that is "far".
    pub far_when: FarWhen,
    /// ICC threshold (100).
    pub icc_below: f64,
}

impl Typology {
    /// Parses `indicator:threshold[:above|below]` (default `above`), ICC threshold 100.
    pub fn parse(text: &str) -> anyhow::Result<Typology> {
        let parts: Vec<&str> = text.split(':').collect();
        let far_when = match parts.get(2).copied() {
            None | Some("above") => FarWhen::Above,
            Some("below") => FarWhen::Below,
            Some(o) => bail!("typology {text:?}: side {o:?} is neither `above` nor `below`"),
        };
        let (Some(indicator), Some(t)) = (parts.first(), parts.get(1)) else {
            bail!("typology {text:?}: expected `indicator:threshold[:above|below]`");
        };
        Ok(Typology {
            indicator: indicator.trim().to_lowercase(),
            threshold: t
                .trim()
                .parse()
                .with_context(|| format!("typology threshold {t:?}"))?,
            far_when,
            icc_below: 100.0,
        })
    }

    /// The class of an ICC (compared at two decimals) and an indicator value.
    pub fn class(&self, icc: f64, value: f64) -> &'static str {
        let far = match self.far_when {
            FarWhen::Above => value > self.threshold,
            FarWhen::Below => value < self.threshold,
        };
        match (published_icc(icc) < self.icc_below, far) {
            (true, true) => "low ICC & far",
            (true, false) => "low ICC & near",
            (false, true) => "high ICC & far",
            (false, false) => "high ICC & near",
        }
    }
}

/// Where the population by commune and stratum comes from.
#[derive(Clone, Debug)]
pub enum PopulationSource {
    /// INSEE-style CSV `code,age_band,sex,population`.
    Csv(PathBuf),
    /// Filosofi 200 m cells summed per commune, by age only ([`crate::inputs::icc_filosofi`]).
    Filosofi {
        /// Cell file (CSV or GeoPackage).
        cells: PathBuf,
        /// Layer of a multi-layer file.
        layer: Option<String>,
        /// CRS of a layer declaring none.
        crs: Option<String>,
        /// Commune polygons placing the cells; `None`: each cell's `lcog_geo`.
        communes: Option<UnitLayer>,
        /// Whether rows the Filosofi reader refuses are recorded (false when the study's
        /// `[population]` reading of the same file already recorded them).
        record_rejects: bool,
    },
}

/// Access indicators per territory code, the left side of the typology join.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessTable {
    /// Where they come from (a file, or a study level), for rejects and messages.
    pub source: String,
    /// Indicator names, lower-cased.
    pub names: Vec<String>,
    /// Values as written, per territory code, in `names` order.
    pub rows: BTreeMap<String, Vec<String>>,
    /// Per indicator, what its values say of `,` and `.` ([`NumberMarks`]).
    pub marks: Vec<NumberMarks>,
}

impl AccessTable {
    /// The per-unit columns of a study level as an access table (codes of `level`).
    pub fn from_columns(level: &UnitLayer, columns: &[Column]) -> AccessTable {
        AccessTable {
            source: format!("{} level", level.kind),
            names: columns.iter().map(|c| c.name.to_lowercase()).collect(),
            rows: level
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| (u.code.clone(), columns.iter().map(|c| c.text(i)).collect()))
                .collect(),
            marks: vec![NumberMarks::point_decimals(); columns.len()],
        }
    }
}

/// Where the access indicators come from.
#[derive(Clone, Debug)]
pub enum AccessInput {
    /// CSV `code,<indicators…>`.
    File(PathBuf),
    /// Built in memory.
    Table(AccessTable),
}

/// What to compute and where to write it.
#[derive(Clone, Debug)]
pub struct IccJob {
    /// Consumption CSV.
    pub consumption: PathBuf,
    /// Population by commune and stratum.
    pub population: PopulationSource,
    /// Rate CSV; `None` = rates from every unit of the population table.
    pub rates: Option<PathBuf>,
    /// Territory → communes table.
    pub territories: PathBuf,
    /// Column names.
    pub columns: IccColumns,
    /// Interval, secrecy and FTE settings.
    pub config: IccConfig,
    /// Access indicators and the typology rules, when asked.
    pub access: Option<(AccessInput, Vec<Typology>)>,
    /// Main output CSV; the others are written beside it.
    pub out: PathBuf,
}

impl IccJob {
    /// `<out stem>.<suffix>.csv` beside the output.
    pub fn beside(&self, suffix: &str) -> PathBuf {
        crate::support::atomic::beside(&self.out, suffix)
    }
}

/// What a job did.
#[derive(Clone, Debug, PartialEq)]
pub struct IccRunSummary {
    /// `age×sex`, `age`, `sex` or `crude`.
    pub standardisation: &'static str,
    /// Rows written (territories and totals).
    pub rows: usize,
    /// Cells suppressed by secrecy.
    pub suppressed: usize,
    /// Rows rejected, all files.
    pub rejected: usize,
    /// Consumption rows split by sex summed over sex (the population has no sex).
    pub summed_over_sex: usize,
    /// How the population was built from Filosofi cells, when it was.
    pub cells: Option<CellStats>,
    /// Files written.
    pub files: Vec<PathBuf>,
}

impl fmt::Display for IccRunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "standardisation: {}; rows: {}; cells suppressed by statistical secrecy: {}; rejected rows: {}",
            self.standardisation, self.rows, self.suppressed, self.rejected
        )?;
        if self.standardisation == "crude" {
            writeln!(
                f,
                "no age or sex strata in common: ratios are crude, not standardised"
            )?;
        }
        if let Some(c) = &self.cells {
            writeln!(
                f,
                "population from {} Filosofi cells, by age only (no sex): {:.1} inhabitants apportioned by years within cut Filosofi age bands (ages assumed uniform within a band); {:.1} inhabitants of rejected cells; {:.1} of unknown age left out",
                c.cells, c.apportioned, c.rejected, c.unknown_age
            )?;
        }
        if self.summed_over_sex > 0 {
            writeln!(
                f,
                "{} consumption rows split by sex summed over sex: standardised on {} only",
                self.summed_over_sex, self.standardisation
            )?;
        }
        let files: Vec<String> = self
            .files
            .iter()
            .map(|p| format!("wrote {}", p.display()))
            .collect();
        write!(f, "{}", files.join("\n"))
    }
}

/// Parses `specialty=acts,…` (each number by the input contract, [`parse_lone_number`]).
pub fn parse_acts_per_fte(text: &str) -> anyhow::Result<BTreeMap<String, f64>> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .with_context(|| format!("{p:?}: expected `specialty=acts`"))?;
            let x =
                parse_lone_number(v).map_err(|e| anyhow::anyhow!("{p:?}: acts per FTE: {e}"))?;
            if x <= 0.0 {
                bail!("{p:?}: acts per FTE must be > 0");
            }
            Ok((k.trim().to_string(), x))
        })
        .collect()
}

/// Runs `job`; rejects are recorded in `rejects` and written beside the output.
pub fn run_icc_job(job: &IccJob, rejects: &mut Rejects) -> anyhow::Result<IccRunSummary> {
    let (pop, cells) = population(job, rejects)?;
    let cons = read_consumption(&job.consumption, &job.columns.consumption, &pop, rejects)?;
    let summed_over_sex = if cons.dims.sex && !pop.dims.sex {
        cons.rows.len()
    } else {
        0
    };
    let table = job
        .rates
        .as_deref()
        .map(|p| read_rates(p, &job.columns.rates, rejects))
        .transpose()?;
    let membership = read_membership_csv(&job.territories, rejects)?;
    let source = table
        .as_ref()
        .map_or(RateSource::Reference, RateSource::Table);
    let res = compute_icc(&cons, &pop, source, &membership, &job.config, rejects)?;
    let mut files = vec![job.out.clone()];
    write_rows(&job.out, &res, &job.config)?;
    let summary_path = job.beside("summary");
    write_summaries(&summary_path, &res)?;
    files.push(summary_path);
    if let Some((input, rules)) = &job.access {
        let access = match input {
            AccessInput::File(path) => read_access(path, rejects)?,
            AccessInput::Table(t) => t.clone(),
        };
        let out = job.beside("typology");
        write_typology(&out, &access, rules, &res, &job.config, rejects)?;
        files.push(out);
    }
    let rejects_path = job.beside("rejects");
    rejects.write_csv(&rejects_path)?;
    files.push(rejects_path);
    Ok(IccRunSummary {
        standardisation: res.dims.label(),
        rows: res.rows.len(),
        suppressed: res.summaries.iter().map(|s| s.suppressed).sum(),
        rejected: rejects.len(),
        summed_over_sex,
        cells,
        files,
    })
}

/// Reads or builds the population of `job` (cells re-banded into the consumption's bands).
fn population(
    job: &IccJob,
    rejects: &mut Rejects,
) -> anyhow::Result<(Population, Option<CellStats>)> {
    match &job.population {
        PopulationSource::Csv(path) => Ok((
            read_population(path, &job.columns.population, rejects)?,
            None,
        )),
        PopulationSource::Filosofi {
            cells,
            layer,
            crs,
            communes,
            record_rejects,
        } => {
            let mut scratch = Rejects::default();
            let read = if *record_rejects {
                &mut *rejects
            } else {
                &mut scratch
            };
            let list = read_filosofi(cells, layer.as_deref(), crs.as_deref(), read)
                .with_context(|| format!("reading Filosofi cells {}", cells.display()))?;
            let bands = read_age_bands(&job.consumption, &job.columns.consumption)?;
            let (pop, stats) = population_from_cells(
                &list,
                bands.as_ref(),
                communes.as_ref(),
                &cells.display().to_string(),
                rejects,
            )
            .with_context(|| {
                format!(
                    "re-banding Filosofi cells into the age bands of {}",
                    job.consumption.display()
                )
            })?;
            Ok((pop, Some(stats)))
        }
    }
}

/// A count or population: whole numbers without decimals.
fn amount(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// Header of the main output.
const HEADER: [&str; 17] = [
    "territory",
    "name",
    "level",
    "specialty",
    "sector",
    "standardisation",
    "population",
    "observed",
    "expected",
    "icc",
    "ci_low",
    "ci_high",
    "ci_method",
    "flag",
    "missing_consumption",
    "missing_fte",
    "withheld",
];

/// The main output's fields of one row.
fn fields(r: &IccRow, res: &IccResult, cfg: &IccConfig) -> Vec<String> {
    let mut row = vec![
        r.territory.clone(),
        r.name.clone(),
        if r.total { "total" } else { "territory" }.into(),
        r.specialty.clone(),
        r.sector.map_or("all", Sector::label).into(),
        res.dims.label().into(),
        amount(r.population),
        String::new(),
        format!("{:.3}", r.expected),
    ];
    match &r.cell {
        Ok(c) => {
            row[7] = amount(c.observed);
            row.extend([
                format!("{:.2}", c.icc),
                format!("{:.2}", c.ci.0),
                format!("{:.2}", c.ci.1),
                c.method.label().into(),
                c.flag.label().into(),
                format!("{:.3}", c.missing),
                c.missing_fte.map(|x| format!("{x:.3}")).unwrap_or_default(),
                String::new(),
            ]);
        }
        Err(w) => {
            row.extend(std::iter::repeat_n(String::new(), 7));
            row.push(w.reason(cfg.secrecy_threshold));
        }
    }
    row
}

fn write_rows(path: &Path, res: &IccResult, cfg: &IccConfig) -> anyhow::Result<()> {
    Ok(crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(HEADER)?;
        for r in &res.rows {
            csv.write_record(fields(r, res, cfg))?;
        }
        csv.flush()?;
        Ok(())
    })?)
}

fn write_summaries(path: &Path, res: &IccResult) -> anyhow::Result<()> {
    Ok(crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "specialty",
            "sector",
            "territories",
            "suppressed",
            "undefined",
            "spread",
            "under_100",
            "population_share_under_100",
        ])?;
        for s in &res.summaries {
            csv.write_record([
                s.specialty.clone(),
                s.sector.map_or("all", Sector::label).into(),
                s.territories.to_string(),
                s.suppressed.to_string(),
                s.undefined.to_string(),
                s.spread.map(|x| format!("{x:.2}")).unwrap_or_default(),
                s.under_100.to_string(),
                s.population_share_under_100
                    .map(|x| format!("{x:.4}"))
                    .unwrap_or_default(),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?)
}

/// Reads an access CSV `code,<indicators…>` ([`crate::inputs::table`], rows as long as the header).
fn read_access(path: &Path, rejects: &mut Rejects) -> anyhow::Result<AccessTable> {
    let t = Table::read(path, false, rejects)?;
    if t.headers.first().map(String::as_str) != Some("code") {
        bail!(
            "{}: expected a first column `code`, found {:?}",
            t.file,
            t.headers
        );
    }
    let mut rows = BTreeMap::new();
    for (line, r) in &t.rows {
        let code = r.get(0).unwrap_or("").to_string();
        let values: Vec<String> = r.iter().skip(1).map(str::to_string).collect();
        match rows.entry(code) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(values);
            }
            std::collections::btree_map::Entry::Occupied(e) => {
                rejects.push(&t.file, *line, e.key(), "territory given twice")
            }
        }
    }
    let marks = (1..t.headers.len())
        .map(|k| {
            NumberMarks::scan(
                rows.values()
                    .filter_map(|v: &Vec<String>| v.get(k - 1))
                    .map(String::as_str),
            )
        })
        .collect();
    Ok(AccessTable {
        source: t.file,
        names: t.headers[1..].to_vec(),
        rows,
        marks,
    })
}

fn write_typology(
    out: &Path,
    access: &AccessTable,
    rules: &[Typology],
    res: &IccResult,
    cfg: &IccConfig,
    rejects: &mut Rejects,
) -> anyhow::Result<()> {
    let names = &access.names;
    let cols = rules
        .iter()
        .map(|t| {
            names
                .iter()
                .position(|n| *n == t.indicator)
                .with_context(|| {
                    format!(
                        "{}: no column {:?} for the typology; columns: {names:?}",
                        access.source, t.indicator
                    )
                })
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    for code in access.rows.keys() {
        if !res.rows.iter().any(|r| &r.territory == code) {
            rejects.push(
                &access.source,
                0,
                code,
                "territory not in the territory table",
            );
        }
    }
    Ok(crate::support::atomic::write_with(out, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
        header.extend(names.iter().cloned());
        match rules {
            [_] => header.push("typology".into()),
            _ => header.extend(rules.iter().map(|t| format!("typology_{}", t.indicator))),
        }
        csv.write_record(&header)?;
        for r in res.rows.iter().filter(|r| !r.total) {
            let mut row = fields(r, res, cfg);
            let values = access.rows.get(&r.territory);
            row.extend(
                values
                    .cloned()
                    .unwrap_or_else(|| vec![String::new(); names.len()]),
            );
            for (t, col) in rules.iter().zip(&cols) {
                let value = values.and_then(|v| v.get(*col)).and_then(|v| {
                    let marks = access.marks.get(*col).copied().unwrap_or_default();
                    parse_number(v, &marks).ok()
                });
                let class = match (&r.cell, value) {
                    (Ok(c), Some(v)) => t.class(c.icc, v),
                    _ => "",
                };
                row.push(class.into());
            }
            csv.write_record(&row)?;
        }
        csv.flush()?;
        Ok(())
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typology_classes_and_parsing() {
        let t = Typology::parse("minutes:20").unwrap();
        assert_eq!(t.class(80.0, 25.0), "low ICC & far");
        assert_eq!(t.class(80.0, 20.0), "low ICC & near");
        assert_eq!(t.class(100.0, 30.0), "high ICC & far");
        let apl = Typology::parse("APL:2.5:below").unwrap();
        assert_eq!(apl.indicator, "apl");
        assert_eq!(apl.class(120.0, 2.0), "high ICC & far");
        assert_eq!(apl.class(90.0, 3.0), "low ICC & near");
        assert!(Typology::parse("apl:x").is_err());
        assert!(Typology::parse("apl:2:sideways").is_err());
    }

    #[test]
    fn acts_per_fte_parsing() {
        let m = parse_acts_per_fte("cardio=4500, radio=6000.5").unwrap();
        assert_eq!(m["cardio"], 4500.0);
        assert_eq!(m["radio"], 6000.5);
        assert!(parse_acts_per_fte("cardio").is_err());
        assert!(parse_acts_per_fte("cardio=0").is_err());
        assert!(parse_acts_per_fte("cardio=-3").is_err());
    }

    #[test]
    fn amounts_are_whole_or_three_decimals() {
        assert_eq!(amount(12.0), "12");
        assert_eq!(amount(12.5), "12.500");
    }
}
