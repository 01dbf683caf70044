//! `recours fca --times`: the floating-catchment indicators from a travel-time table the
//! analyst brings (INSEE Metric, OSRM, Valhalla exports), through the same code as the
//! network-based computation once the searches are done ([`crate::indicators`]).
//!
//! Inputs, tables with a header read by the input contract ([`crate::inputs::table`]: any
//! of `,` `;` tab `|`, decimal comma, thousands separators, UTF-8 or Latin-1, or a sheet of
//! an `.xlsx` / `.ods` workbook), columns by name in any order:
//! - times: an origin, a destination and a time column as [`crate::inputs::times`] names
//!   them: `origin,destination,minutes`, `recours table`'s own
//!   `source_id,destination_id,minutes,km`, OSRM / Valhalla-like `source,target,duration_s`,
//!   INSEE Metric-like `idSrc,idDst,duree` (a bare `duration` / `duree` with `--time-unit`);
//! - demand: `id,population`, and optionally Filosofi's ten age-band columns
//!   (`ind_0_3` … `ind_80p`) used when age weights are given;
//! - supply: `id,capacity`, and optionally `activity` (acts a year) and `age` (years), used
//!   by APL.
//!
//! Rows that cannot be used (unknown ids, a pair given twice, unparseable or negative
//! numbers, duplicated ids) are rejected with file, line and reason and written to the
//! rejects CSV; nothing is dropped silently.
//!
//! Outputs: per origin `origin,access,in_catchment[,access_normalized]` (access empty when
//! the origin lies in no catchment: not a computed zero); per site
//! `site,weighted_demand,ratio[,counted_acts]`.

use crate::indicators::apl::{apl, AplSupply};
use crate::indicators::catchment::TimesCatchments;
use crate::indicators::fca::{floating_catchment, FcaResult, FcaSpec};
use crate::indicators::method::FcaMethod;
use crate::inputs::consumption::non_negative;
use crate::inputs::demand::standardise::AgeWeights;
use crate::inputs::demand::AGE_COLUMNS;
use crate::inputs::supply::Site;
use crate::inputs::table::{Table, TableError};
use crate::inputs::times::{TimeColumns, TimeUnit};
use crate::support::rejects::Rejects;
use anyhow::{bail, Context};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Parses ten comma-separated age-band weights (`ind_0_3` … `ind_80p`).
pub fn parse_age_weights(text: &str) -> anyhow::Result<AgeWeights> {
    let w: Vec<f64> = text
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .with_context(|| format!("age weight {v:?} is not a number ≥ 0"))
        })
        .collect::<anyhow::Result<_>>()?;
    let w: [f64; 10] = w.try_into().map_err(|w: Vec<f64>| {
        anyhow::anyhow!(
            "expected 10 age weights ({}), got {}",
            AGE_COLUMNS.join(", "),
            w.len()
        )
    })?;
    Ok(AgeWeights(w))
}

/// What to compute, from which files, and where to write it.
#[derive(Clone, Debug)]
pub struct FcaJob {
    /// Travel-time table (columns of [`crate::inputs::times`]).
    pub times: PathBuf,
    /// Unit of its time column when the name does not tell it, or to override it.
    pub time_unit: Option<TimeUnit>,
    /// Sheet to read in workbooks given as tables.
    pub sheet: Option<String>,
    /// `id,population[,age bands]` CSV.
    pub demand: PathBuf,
    /// `id,capacity[,activity,age]` CSV.
    pub supply: PathBuf,
    /// Method and its parameters.
    pub method: FcaMethod,
    /// Age-band weights standardising demand, when given.
    pub age_weights: Option<AgeWeights>,
    /// Also write access divided by its population-weighted mean (PySAL `normalize`).
    pub normalize: bool,
    /// Per-origin output CSV.
    pub out: PathBuf,
    /// Per-site output CSV.
    pub sites_out: PathBuf,
    /// Rejects CSV.
    pub rejects: PathBuf,
}

/// What an FCA job did.
#[derive(Clone, Debug, PartialEq)]
pub struct FcaSummary {
    /// Origins read, and of them in no catchment.
    pub origins: (usize, usize),
    /// Sites read, and of them reached by no demand.
    pub sites: (usize, usize),
    /// Usable pairs of the table.
    pub pairs: usize,
    /// Rows rejected, all files.
    pub rejected_rows: usize,
    /// Origins whose demand fell back to plain population for want of age bands.
    pub plain_demand: usize,
    /// APL supply assumptions, for an APL job.
    pub apl: Option<AplSupply>,
    /// Population-weighted mean access over all origins (the normalisation divisor).
    pub mean_access: f64,
    /// Files written.
    pub files: Vec<PathBuf>,
}

impl fmt::Display for FcaSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "origins: {} ({} in no catchment); sites: {} ({} reached by no demand); pairs: {}",
            self.origins.0, self.origins.1, self.sites.0, self.sites.1, self.pairs
        )?;
        writeln!(f, "population-weighted mean access: {}", self.mean_access)?;
        if self.plain_demand > 0 {
            writeln!(
                f,
                "{} origins without age bands counted at their plain population",
                self.plain_demand
            )?;
        }
        if let Some(a) = &self.apl {
            writeln!(
                f,
                "APL supply: {} GPs left out by the age limit, {} of unknown age kept, {} with activity assumed (capacity × 5,400 acts)",
                a.excluded_for_age, a.unknown_age, a.assumed_activity
            )?;
        }
        write!(f, "rejected rows: {}", self.rejected_rows)?;
        for p in &self.files {
            write!(f, "\nwrote {}", p.display())?;
        }
        Ok(())
    }
}

/// One demand row.
struct DemandRow {
    id: String,
    population: f64,
    ages: Option<[f64; 10]>,
}

/// Runs `job`; rejected rows go to `rejects` and to the job's rejects file.
pub fn run_fca_job(job: &FcaJob, rejects: &mut Rejects) -> anyhow::Result<FcaSummary> {
    let sheet = job.sheet.as_deref();
    let demand = read_demand(&job.demand, sheet, rejects)?;
    let sites = read_supply(&job.supply, sheet, rejects)?;
    let origin_ix: HashMap<&str, u32> = demand
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i as u32))
        .collect();
    let site_ix: HashMap<&str, u32> = sites
        .iter()
        .enumerate()
        .map(|(j, s)| (s.id.as_str(), j as u32))
        .collect();
    let pairs = read_times(job, &origin_ix, &site_ix, rejects)?;
    let catchments = TimesCatchments::new(demand.len(), sites.len(), &pairs);
    let mut plain_demand = 0;
    let d: Vec<f64> = demand
        .iter()
        .map(|r| match (&job.age_weights, &r.ages) {
            (Some(w), Some(a)) => w.demand(a),
            (Some(_), None) => {
                plain_demand += 1;
                r.population
            }
            (None, _) => r.population,
        })
        .collect();
    let (result, apl_supply) = match &job.method {
        FcaMethod::Kernel(k) => {
            let spec = FcaSpec {
                kernel: k.clone(),
                supply: sites.iter().map(|s| s.capacity).collect(),
                demand: d.clone(),
            };
            (floating_catchment(&catchments, &[spec])?.remove(0), None)
        }
        FcaMethod::Apl(rules) => {
            let (r, s) = apl(&catchments, &sites, d.clone(), rules)?;
            (r, Some(s))
        }
    };
    let mean_access = weighted_mean_access(&result, &d);
    write_origins(job, &demand, &result, mean_access)?;
    write_sites(&job.sites_out, &sites, &result, apl_supply.as_ref())?;
    rejects.write_csv(&job.rejects)?;
    Ok(FcaSummary {
        origins: (demand.len(), result.reached.iter().filter(|r| !**r).count()),
        sites: (
            sites.len(),
            result.ratio.iter().filter(|r| r.is_none()).count(),
        ),
        pairs: pairs.len(),
        rejected_rows: rejects.len(),
        plain_demand,
        apl: apl_supply,
        mean_access,
        files: vec![job.out.clone(), job.sites_out.clone(), job.rejects.clone()],
    })
}

/// `Σ_i D_i·A_i / Σ_i D_i` over every origin (origins in no catchment count with A = 0 in
/// the numerator and with their demand in the denominator, as PySAL's `normalize` does).
pub fn weighted_mean_access(r: &FcaResult, demand: &[f64]) -> f64 {
    let total: f64 = demand.iter().sum();
    let num: f64 = r.access.iter().zip(demand).map(|(a, d)| a * d).sum();
    if total > 0.0 {
        num / total
    } else {
        0.0
    }
}

/// Reads the table `path` ([`crate::inputs::table`], rows of any length).
fn read_table(path: &Path, sheet: Option<&str>, rejects: &mut Rejects) -> anyhow::Result<Table> {
    let t =
        Table::read_sheet(path, true, sheet, rejects).and_then(|t| t.require_rows().map(|()| t));
    t.map_err(|e| match e {
        TableError::Open { .. } => {
            anyhow::Error::new(e).context(format!("reading {}", path.display()))
        }
        e => e.into(),
    })
}

/// The columns `names` of `t`, all required: an error naming what was expected and found.
fn require<const N: usize>(t: &Table, names: [&str; N]) -> anyhow::Result<[usize; N]> {
    let found: Vec<Option<usize>> = names.iter().map(|n| t.col(n)).collect();
    if found.iter().any(Option::is_none) {
        bail!(
            "{}: expected columns {}; found {:?}",
            t.file,
            names.join(","),
            t.headers
        );
    }
    Ok(std::array::from_fn(|k| found[k].unwrap_or_default()))
}

fn read_demand(
    path: &Path,
    sheet: Option<&str>,
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<DemandRow>> {
    let t = read_table(path, sheet, rejects)?;
    let [ci, cp] = require(&t, ["id", "population"])?;
    let age_cols: Vec<Option<usize>> = AGE_COLUMNS.iter().map(|a| t.col(a)).collect();
    let has_ages = age_cols.iter().all(Option::is_some);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (line, r) in &t.rows {
        let id = r.get(ci).unwrap_or("");
        let parsed = (|| {
            if id.is_empty() {
                return Err("missing id".to_string());
            }
            let population = non_negative(&t, r, cp, "population")?;
            let ages = if has_ages {
                let mut a = [0.0; 10];
                for (k, c) in age_cols.iter().enumerate() {
                    a[k] = non_negative(&t, r, c.unwrap_or_default(), AGE_COLUMNS[k])?;
                }
                Some(a)
            } else {
                None
            };
            if !seen.insert(id.to_string()) {
                return Err("duplicated id".to_string());
            }
            Ok(DemandRow {
                id: id.to_string(),
                population,
                ages,
            })
        })();
        match parsed {
            Ok(d) => out.push(d),
            Err(e) => rejects.push(&t.file, *line, id, e),
        }
    }
    Ok(out)
}

fn read_supply(
    path: &Path,
    sheet: Option<&str>,
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<Site>> {
    let t = read_table(path, sheet, rejects)?;
    let [ci, cc] = require(&t, ["id", "capacity"])?;
    let (ca, cg) = (t.col("activity"), t.col("age"));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (line, r) in &t.rows {
        let id = r.get(ci).unwrap_or("");
        let optional = |c: Option<usize>| c.and_then(|c| r.get(c)).filter(|v| !v.is_empty());
        let parsed = (|| {
            if id.is_empty() {
                return Err("missing id".to_string());
            }
            let capacity = non_negative(&t, r, cc, "capacity")?;
            let activity = optional(ca)
                .and(ca)
                .map(|c| non_negative(&t, r, c, "activity"))
                .transpose()?;
            let age = optional(cg)
                .map(|v| {
                    v.parse::<u32>()
                        .map_err(|_| format!("age is not a whole number of years: {v:?}"))
                })
                .transpose()?;
            if !seen.insert(id.to_string()) {
                return Err("duplicated id".to_string());
            }
            Ok(Site {
                id: id.to_string(),
                category: String::new(),
                lon: f64::NAN,
                lat: f64::NAN,
                capacity,
                activity,
                age,
                source: format!("{}:{line}", t.file),
            })
        })();
        match parsed {
            Ok(s) => out.push(s),
            Err(e) => rejects.push(&t.file, *line, id, e),
        }
    }
    Ok(out)
}

fn read_times(
    job: &FcaJob,
    origins: &HashMap<&str, u32>,
    sites: &HashMap<&str, u32>,
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<(u32, u32, f64)>> {
    let t = read_table(&job.times, job.sheet.as_deref(), rejects)?;
    let cols = TimeColumns::find(&t, job.time_unit).map_err(anyhow::Error::msg)?;
    let (co, cd, cm) = (cols.origin, cols.destination, cols.time);
    let unit = format!("{:?}", cols.unit).to_lowercase();
    let what = if t.headers[cm] == unit {
        unit
    } else {
        format!("{} ({unit})", t.headers[cm])
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (line, r) in &t.rows {
        let o = r.get(co).unwrap_or("");
        let d = r.get(cd).unwrap_or("");
        let parsed = (|| {
            let i = *origins
                .get(o)
                .ok_or_else(|| format!("origin {o:?} is not in the demand file"))?;
            let j = *sites
                .get(d)
                .ok_or_else(|| format!("destination {d:?} is not in the supply file"))?;
            let m = non_negative(&t, r, cm, &what)? * cols.unit.minutes();
            if !seen.insert((i, j)) {
                return Err(format!("pair {o} → {d} given twice"));
            }
            Ok((i, j, m))
        })();
        match parsed {
            Ok(p) => out.push(p),
            Err(e) => rejects.push(&t.file, *line, &format!("{o}→{d}"), e),
        }
    }
    Ok(out)
}

fn write_origins(
    job: &FcaJob,
    demand: &[DemandRow],
    r: &FcaResult,
    mean: f64,
) -> anyhow::Result<()> {
    Ok(crate::support::atomic::write_with(&job.out, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header = vec!["origin", "access", "in_catchment"];
        if job.normalize {
            header.push("access_normalized");
        }
        csv.write_record(&header)?;
        for (i, d) in demand.iter().enumerate() {
            let reached = r.reached[i];
            let value = |x: f64| {
                if reached {
                    x.to_string()
                } else {
                    String::new()
                }
            };
            let mut row = vec![d.id.clone(), value(r.access[i]), reached.to_string()];
            if job.normalize {
                row.push(if mean > 0.0 {
                    value(r.access[i] / mean)
                } else {
                    String::new()
                });
            }
            csv.write_record(&row)?;
        }
        csv.flush()?;
        Ok(())
    })?)
}

fn write_sites(
    path: &Path,
    sites: &[Site],
    r: &FcaResult,
    apl: Option<&AplSupply>,
) -> anyhow::Result<()> {
    Ok(crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header = vec!["site", "weighted_demand", "ratio"];
        if apl.is_some() {
            header.push("counted_acts");
        }
        csv.write_record(&header)?;
        for (j, s) in sites.iter().enumerate() {
            let mut row = vec![
                s.id.clone(),
                r.site_demand[j].to_string(),
                r.ratio[j].map(|x| x.to_string()).unwrap_or_default(),
            ];
            if let Some(a) = apl {
                row.push(a.acts[j].to_string());
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
    use crate::indicators::method::{method_from, MethodParams};

    #[test]
    fn bad_rows_are_rejected_with_line_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let w = |n: &str, t: &str| {
            let p = dir.path().join(n);
            std::fs::write(&p, t).unwrap();
            p
        };
        let job = FcaJob {
            times: w(
                "t.csv",
                "origin;destination;minutes\na;s;5\na;s;6\nz;s;1\na;q;2\nb;s;-1\nb;s;7,5\n",
            ),
            time_unit: None,
            sheet: None,
            demand: w("d.csv", "id,population\na,100\nb,50\na,3\nc,x\n"),
            supply: w("s.csv", "id,capacity,age\ns,2,70\nt,1,abc\n"),
            method: method_from("2sfca", &MethodParams::default()).unwrap(),
            age_weights: None,
            normalize: true,
            out: dir.path().join("o.csv"),
            sites_out: dir.path().join("o.sites.csv"),
            rejects: dir.path().join("o.rejects.csv"),
        };
        let mut rejects = Rejects::default();
        let s = run_fca_job(&job, &mut rejects).unwrap();
        let got: Vec<(u64, &str)> = rejects
            .items
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, "duplicated id"),
                (5, "population: \"x\" is not a number"),
                (3, "age is not a whole number of years: \"abc\""),
                (3, "pair a → s given twice"),
                (4, "origin \"z\" is not in the demand file"),
                (5, "destination \"q\" is not in the supply file"),
                (6, "minutes is negative: -1"),
            ]
        );
        assert_eq!((s.pairs, s.origins, s.sites), (2, (2, 0), (1, 0)));
        // R = 2 / 150; both origins get it; the weighted mean is R itself → normalised 1.
        let out = std::fs::read_to_string(&job.out).unwrap();
        let r = 2.0f64 / 150.0;
        assert_eq!(
            out,
            format!("origin,access,in_catchment,access_normalized\na,{r},true,1\nb,{r},true,1\n")
        );
        let rej = std::fs::read_to_string(&job.rejects).unwrap();
        assert!(
            rej.contains("t.csv,4,z→s,\"origin \"\"z\"\" is not in the demand file\""),
            "{rej}"
        );
    }
}
