//! `recours icc`: reads the consumption, population, rate and territory tables
//! ([`crate::consumption`], [`crate::territory::read_membership_csv`]), computes the ICC
//! ([`crate::indicators::icc`]) and writes, byte-deterministically:
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
//!   the same territory (CSV `code,<indicators…>`) and a typology `low ICC & far`,
//!   `low ICC & near`, `high ICC & far`, `high ICC & near` ([`Typology`]), empty when the
//!   cell is withheld or the territory has no access row.
//!
//! Number formats: population and counts `{:.0}` when whole else `{:.3}`, E and missing
//! consumption `{:.3}`, ICC and bounds `{:.2}`, FTE `{:.3}`, shares `{:.4}`.

use crate::consumption::{
    non_negative, read_consumption, read_population, read_rates, ConsumptionColumns,
    PopulationColumns, RateColumns, Sector,
};
use crate::indicators::icc::{
    compute_icc, published_icc, IccConfig, IccResult, IccRow, RateSource,
};
use crate::rejects::Rejects;
use crate::territory::read_membership_csv;
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

/// What to compute and where to write it.
#[derive(Clone, Debug)]
pub struct IccJob {
    /// Consumption CSV.
    pub consumption: PathBuf,
    /// Population CSV.
    pub population: PathBuf,
    /// Rate CSV; `None` = rates from every unit of the population table.
    pub rates: Option<PathBuf>,
    /// Territory → communes table.
    pub territories: PathBuf,
    /// Column names.
    pub columns: IccColumns,
    /// Interval, secrecy and FTE settings.
    pub config: IccConfig,
    /// Access indicators `code,<indicators>` and the typology, when asked.
    pub access: Option<(PathBuf, Typology)>,
    /// Main output CSV; the others are written beside it.
    pub out: PathBuf,
}

impl IccJob {
    /// `<out stem>.<suffix>.csv` beside the output.
    pub fn beside(&self, suffix: &str) -> PathBuf {
        crate::atomic::beside(&self.out, suffix)
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
        let files: Vec<String> = self
            .files
            .iter()
            .map(|p| format!("wrote {}", p.display()))
            .collect();
        write!(f, "{}", files.join("\n"))
    }
}

/// Parses `specialty=acts,…` (decimal point).
pub fn parse_acts_per_fte(text: &str) -> anyhow::Result<BTreeMap<String, f64>> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .with_context(|| format!("{p:?}: expected `specialty=acts`"))?;
            let x = non_negative(v, "acts per FTE").map_err(anyhow::Error::msg)?;
            if x == 0.0 {
                bail!("{p:?}: acts per FTE must be > 0");
            }
            Ok((k.trim().to_string(), x))
        })
        .collect()
}

/// Runs `job`; rejects are recorded in `rejects` and written beside the output.
pub fn run_icc_job(job: &IccJob, rejects: &mut Rejects) -> anyhow::Result<IccRunSummary> {
    let pop = read_population(&job.population, &job.columns.population, rejects)?;
    let cons = read_consumption(&job.consumption, &job.columns.consumption, &pop, rejects)?;
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
    if let Some((path, typology)) = &job.access {
        let out = job.beside("typology");
        write_typology(&out, path, typology, &res, &job.config, rejects)?;
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
        files,
    })
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
                cfg.ci.label().into(),
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
    crate::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(HEADER)?;
        for r in &res.rows {
            csv.write_record(fields(r, res, cfg))?;
        }
        csv.flush()?;
        Ok(())
    })
}

fn write_summaries(path: &Path, res: &IccResult) -> anyhow::Result<()> {
    crate::atomic::write_with(path, |w| {
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
    })
}

/// Access indicators per territory code: header (after `code`) and values as written.
type Access = (Vec<String>, BTreeMap<String, Vec<String>>);

fn read_access(path: &Path, rejects: &mut Rejects) -> anyhow::Result<Access> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {file}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap_or("");
    let sep = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sep)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers()?.iter().map(str::to_lowercase).collect();
    if header.first().map(String::as_str) != Some("code") {
        bail!("{file}: expected a first column `code`, found {header:?}");
    }
    let mut rows = BTreeMap::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let code = r.get(0).unwrap_or("").to_string();
                let values: Vec<String> = r.iter().skip(1).map(str::to_string).collect();
                match rows.entry(code) {
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(values);
                    }
                    std::collections::btree_map::Entry::Occupied(e) => {
                        rejects.push(&file, line, e.key(), "territory given twice")
                    }
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rejects.push(&file, line, "", format!("unreadable row: {e}"));
            }
        }
    }
    Ok((header[1..].to_vec(), rows))
}

fn write_typology(
    out: &Path,
    access_path: &Path,
    typology: &Typology,
    res: &IccResult,
    cfg: &IccConfig,
    rejects: &mut Rejects,
) -> anyhow::Result<()> {
    let (names, access) = read_access(access_path, rejects)?;
    let Some(col) = names.iter().position(|n| *n == typology.indicator) else {
        bail!(
            "{}: no column {:?} for the typology; columns: {names:?}",
            access_path.display(),
            typology.indicator
        );
    };
    let file = access_path.display().to_string();
    for code in access.keys() {
        if !res.rows.iter().any(|r| &r.territory == code) {
            rejects.push(&file, 0, code, "territory not in the territory table");
        }
    }
    crate::atomic::write_with(out, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
        header.extend(names.iter().cloned());
        header.push("typology".into());
        csv.write_record(&header)?;
        for r in res.rows.iter().filter(|r| !r.total) {
            let mut row = fields(r, res, cfg);
            let values = access.get(&r.territory);
            row.extend(
                values
                    .cloned()
                    .unwrap_or_else(|| vec![String::new(); names.len()]),
            );
            let value = values
                .and_then(|v| v.get(col))
                .and_then(|v| v.trim().replace(',', ".").parse::<f64>().ok());
            let class = match (&r.cell, value) {
                (Ok(c), Some(v)) => typology.class(c.icc, v),
                _ => "",
            };
            row.push(class.into());
            csv.write_record(&row)?;
        }
        csv.flush()?;
        Ok(())
    })
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
