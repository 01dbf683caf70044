//! The file-based jobs of the engine, run as the command line runs them: ICC, zonage, a
//! study file, the demo territory. They read the published layouts and write their CSV and
//! layer outputs; the Python layer reads those back into (Geo)DataFrames.

use crate::to_py;
use anyhow::Context;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use recours::cli::zonage::{run_zonage_job, ZonageJob};
use recours::indicators::icc::{CiMethod, IccConfig};
use recours::indicators::zonage::ZonageConfig;
use recours::inputs::units::UnitColumns;
use recours::study::icc_job::{
    parse_acts_per_fte, run_icc_job, AccessInput, IccJob, PopulationSource, Typology,
};
use recours::support::rejects::Rejects;
use std::path::PathBuf;

/// Writes `files` and `rejected` of a finished job into a dict with its printed summary.
fn summary<'py>(
    py: Python<'py>,
    text: String,
    files: &[PathBuf],
    rejected: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("summary", text)?;
    d.set_item(
        "files",
        files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>(),
    )?;
    d.set_item("rejected", rejected)?;
    Ok(d)
}

/// ICC per territory and specialty (`recours icc`): consumption, population and
/// territories CSV files in the published layouts; rates from a CSV or from every unit
/// (`rates=None`); writes `out`, `<out>.summary.csv`, `<out>.rejects.csv` and, with an
/// access table and a typology rule, `<out>.typology.csv`.
#[pyfunction]
#[pyo3(signature = (consumption, population, territories, out, rates=None, acts_per_fte=None, secrecy=10.0, ci="exact", ci_threshold=recours::indicators::icc::DEFAULT_AUTO_THRESHOLD, level=0.95, access=None, typology=None))]
#[allow(clippy::too_many_arguments)]
pub fn run_icc<'py>(
    py: Python<'py>,
    consumption: PathBuf,
    population: PathBuf,
    territories: PathBuf,
    out: PathBuf,
    rates: Option<PathBuf>,
    acts_per_fte: Option<String>,
    secrecy: f64,
    ci: &str,
    ci_threshold: u32,
    level: f64,
    access: Option<PathBuf>,
    typology: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let run = || -> anyhow::Result<(String, Vec<PathBuf>, usize)> {
        let config = IccConfig {
            level,
            ci: CiMethod::parse(ci, ci_threshold)
                .with_context(|| format!("ci {ci:?}: expected exact, byar, normal or auto"))?,
            secrecy_threshold: secrecy,
            acts_per_fte: acts_per_fte
                .as_deref()
                .map(parse_acts_per_fte)
                .transpose()?
                .unwrap_or_default(),
        };
        let access = match (access, typology.as_deref()) {
            (Some(p), Some(t)) => Some((AccessInput::File(p), vec![Typology::parse(t)?])),
            (None, None) => None,
            _ => anyhow::bail!("access and typology go together"),
        };
        let job = IccJob {
            consumption,
            population: PopulationSource::Csv(population),
            rates,
            territories,
            columns: Default::default(),
            config,
            access,
            out,
        };
        let mut rejects = Rejects::default();
        let s = run_icc_job(&job, &mut rejects)?;
        Ok((s.to_string(), s.files.clone(), s.rejected))
    };
    let (text, files, rejected) = py.allow_threads(run).map_err(to_py)?;
    summary(py, text, &files, rejected)
}

/// Zonage of units (`recours zonage`): a units CSV `code,population,<criteria…>` and the
/// settings as TOML text (`[rule_2017]`, `[ranking]`, `[[shares]]`); writes `out`,
/// `<out>.summary.csv` and `<out>.rejects.csv`.
#[pyfunction]
pub fn run_zonage<'py>(
    py: Python<'py>,
    units: PathBuf,
    config: &str,
    out: PathBuf,
) -> PyResult<Bound<'py, PyDict>> {
    let run = || -> anyhow::Result<(String, Vec<PathBuf>, usize)> {
        let config: ZonageConfig = toml::from_str(config).context("zonage settings")?;
        config.validate().context("zonage settings")?;
        let job = ZonageJob {
            units,
            columns: UnitColumns::default(),
            config,
            out,
        };
        let mut rejects = Rejects::default();
        let s = run_zonage_job(&job, &mut rejects)?;
        Ok((s.to_string(), s.files.clone(), s.rejected))
    };
    let (text, files, rejected) = py.allow_threads(run).map_err(to_py)?;
    summary(py, text, &files, rejected)
}

/// Runs a study file (`recours run`), into `out` instead of its `[output] dir` when given;
/// returns the printed summary, the output folder, the files written and the
/// population-weighted means.
#[pyfunction]
#[pyo3(signature = (path, out=None))]
pub fn run_study<'py>(
    py: Python<'py>,
    path: PathBuf,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let run = py
        .allow_threads(|| recours::study::run_study(&path, out.as_deref()))
        .map_err(to_py)?;
    let s = &run.summary;
    let d = summary(py, s.to_string(), &s.files, s.rejected)?;
    d.set_item("out", s.out.display().to_string())?;
    d.set_item("means", s.means.clone())?;
    d.set_item("timings", s.timings.clone())?;
    Ok(d)
}

/// Generates the demo territory into `out` and runs its study (`recours demo`); returns
/// the printed summary.
#[pyfunction]
pub fn run_demo(py: Python<'_>, out: PathBuf) -> PyResult<String> {
    py.allow_threads(|| recours::cli::demo::run_demo(&out))
        .map(|s| s.to_string())
        .map_err(to_py)
}
