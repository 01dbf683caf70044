//! The study's `[icc]` section run ([`super::icc_job`] with the study's inputs): the ICC
//! into `icc.csv` (summary and rejects beside it), its population from an INSEE-style CSV
//! or from the study's `[population]` Filosofi cells (`population_from = "filosofi"`,
//! placed in the study's commune level when it has one, else by `lcog_geo`), the typology
//! `[[icc.typology]]` against the per-unit columns the run computed for the ICC's level
//! (`icc.typology.csv`), one column `icc_{specialty}` per specialty for that level, and
//! with `acts_per_fte` the missing specialists as a share of the FTE present
//! (`icc.deficit.csv`, [`crate::indicators::deficit`]).

use super::config::{IccInput, IccTypologyInput, PopulationInput};
use super::icc_job::{
    run_icc_job, AccessInput, AccessTable, FarWhen, IccJob, PopulationSource, Typology,
};
use crate::aggregate::supply_counts::count_supply;
use crate::export::columns::{Column, Format, Values};
use crate::indicators::deficit::{deficits, DeficitCell, ALL};
use crate::indicators::icc::{CiMethod, IccConfig};
use crate::inputs::supply::Site;
use crate::inputs::territory::{UnitIndex, UnitLayer};
use crate::support::rejects::Rejects;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// What the ICC run wrote and gives the level.
#[derive(Clone, Debug, PartialEq)]
pub struct IccOutputs {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// `icc_{specialty}` columns (ICC, all sectors, two decimals) per unit of the level;
    /// empty without a level.
    pub columns: Vec<Column>,
}

/// Checks the `[icc]` values the study file reader cannot: the interval method, the
/// population source, and the typology sides.
pub fn check(icc: &IccInput, population: &PopulationInput) -> Result<(), String> {
    if CiMethod::parse(&icc.ci, icc.ci_threshold).is_none() {
        return Err(format!(
            "[icc] ci = {:?}: expected \"exact\", \"byar\", \"normal\" or \"auto\"",
            icc.ci
        ));
    }
    match (&icc.population, icc.population_from.as_deref()) {
        (Some(_), None) => {}
        (None, Some("filosofi")) => {
            if !matches!(population, PopulationInput::Filosofi { .. }) {
                return Err(
                    "[icc] population_from = \"filosofi\" needs [population] kind = \"filosofi\""
                        .into(),
                );
            }
        }
        (None, Some(other)) => {
            return Err(format!(
                "[icc] population_from = {other:?}: the only source is \"filosofi\""
            ))
        }
        _ => {
            return Err(
                "[icc] give exactly one of population (a CSV) or population_from = \"filosofi\""
                    .into(),
            )
        }
    }
    for t in &icc.typology {
        far_when(t)?;
    }
    Ok(())
}

/// The side of a typology rule.
fn far_when(t: &IccTypologyInput) -> Result<FarWhen, String> {
    match t.far_when.as_str() {
        "above" => Ok(FarWhen::Above),
        "below" => Ok(FarWhen::Below),
        o => Err(format!(
            "[[icc.typology]] {}: far_when = {o:?}: expected \"above\" or \"below\"",
            t.indicator
        )),
    }
}

/// Runs the ICC into `dir/icc.csv`. `communes` places Filosofi cells; `level` is the
/// territory level the ICC's territories are (its per-unit columns feed the typology).
pub fn run_icc(
    icc: &IccInput,
    population: &PopulationInput,
    communes: Option<&UnitLayer>,
    level: Option<(&UnitLayer, &[Column])>,
    dir: &Path,
    rejects: &mut Rejects,
) -> anyhow::Result<IccOutputs> {
    let population = match (&icc.population, population) {
        (Some(p), _) => PopulationSource::Csv(p.clone()),
        (
            None,
            PopulationInput::Filosofi {
                path, layer, crs, ..
            },
        ) => PopulationSource::Filosofi {
            cells: path.clone(),
            layer: layer.clone(),
            crs: crs.clone(),
            communes: communes.cloned(),
            record_rejects: false,
        },
        (None, _) => anyhow::bail!("[icc] population_from = \"filosofi\" needs Filosofi cells"),
    };
    let rules = icc
        .typology
        .iter()
        .map(|t| {
            Ok(Typology {
                indicator: t.indicator.to_lowercase(),
                threshold: t.threshold,
                far_when: far_when(t).map_err(anyhow::Error::msg)?,
                icc_below: t.icc_below,
            })
        })
        .collect::<anyhow::Result<Vec<Typology>>>()?;
    let access = match (rules.is_empty(), level) {
        (true, _) => None,
        (false, Some((layer, columns))) => Some((
            AccessInput::Table(AccessTable::from_columns(layer, columns)),
            rules,
        )),
        (false, None) => anyhow::bail!(
            "[[icc.typology]] needs the [icc] territories to be a [[territories]] level (members = the same file)"
        ),
    };
    let job = IccJob {
        consumption: icc.consumption.clone(),
        population,
        rates: icc.rates.clone(),
        territories: icc.territories.clone(),
        columns: Default::default(),
        config: IccConfig {
            ci: CiMethod::parse(&icc.ci, icc.ci_threshold)
                .with_context(|| format!("[icc] ci = {:?}", icc.ci))?,
            secrecy_threshold: icc.secrecy,
            acts_per_fte: icc.acts_per_fte.clone(),
            ..IccConfig::default()
        },
        access,
        out: dir.join("icc.csv"),
    };
    let summary = run_icc_job(&job, rejects).context("computing the ICC")?;
    tracing::info!("ICC: {summary}");
    let columns = match level {
        Some((layer, _)) => icc_columns(&job.out, layer)?,
        None => Vec::new(),
    };
    Ok(IccOutputs {
        files: summary.files,
        columns,
    })
}

/// One column `icc_{specialty}` per specialty (all sectors) from the ICC table just
/// written, per unit of `level` (matched by code; withheld cells stay empty).
fn icc_columns(path: &Path, level: &UnitLayer) -> anyhow::Result<Vec<Column>> {
    let mut rdr =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let h = rdr.headers()?.clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x == name)
            .with_context(|| format!("{}: no column {name}", path.display()))
    };
    let (ct, cl, cs, cx, ci) = (
        col("territory")?,
        col("level")?,
        col("specialty")?,
        col("sector")?,
        col("icc")?,
    );
    let mut by: std::collections::BTreeMap<String, Vec<Option<f64>>> = Default::default();
    for rec in rdr.records() {
        let rec = rec?;
        if &rec[cl] != "territory" || &rec[cx] != "all" {
            continue;
        }
        let Some(u) = level.position(&rec[ct]) else {
            continue;
        };
        let values = by
            .entry(rec[cs].to_string())
            .or_insert_with(|| vec![None; level.units.len()]);
        values[u] = rec[ci].parse().ok();
    }
    Ok(by
        .into_iter()
        .map(|(specialty, values)| Column {
            name: format!("icc_{specialty}"),
            values: Values::Number(values, Format::Fixed(2)),
        })
        .collect())
}

/// Writes `icc.deficit.csv` (`territory,name,specialty,missing_fte,present_fte,
/// deficit_share,withheld_cells`) from the ICC table just written: the missing full-time
/// specialists of each territory × specialty with `acts_per_fte` against the FTE of the
/// study's sites of that category (`supply_categories` renames a specialty) in the unit of
/// `level`, then per territory, per specialty and in total ([`deficits`]).
pub fn write_deficits(
    icc: &IccInput,
    dir: &Path,
    level: &UnitLayer,
    sites: &[Site],
) -> anyhow::Result<PathBuf> {
    let table = dir.join("icc.csv");
    let mut rdr =
        csv::Reader::from_path(&table).with_context(|| format!("reading {}", table.display()))?;
    let h = rdr.headers()?.clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x == name)
            .with_context(|| format!("{}: no column {name}", table.display()))
    };
    let (ct, cl, cs, cx, cm) = (
        col("territory")?,
        col("level")?,
        col("specialty")?,
        col("sector")?,
        col("missing_fte")?,
    );
    let points: Vec<(f64, f64)> = sites.iter().map(|s| (s.lon, s.lat)).collect();
    let of = UnitIndex::new(level).assign_points(&points);
    let counts = count_supply(sites, &of, level.units.len(), 0);
    let mut cells = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        if &rec[cl] != "territory" || &rec[cx] != "all" || !icc.acts_per_fte.contains_key(&rec[cs])
        {
            continue;
        }
        let Some(u) = level.position(&rec[ct]) else {
            continue;
        };
        let category = icc
            .supply_categories
            .get(&rec[cs])
            .map_or(&rec[cs], String::as_str);
        cells.push(DeficitCell {
            territory: rec[ct].to_string(),
            specialty: rec[cs].to_string(),
            missing_fte: rec[cm].parse().ok(),
            present_fte: counts[u].get(category).map_or(0.0, |c| c.fte),
        });
    }
    let path = dir.join("icc.deficit.csv");
    crate::support::atomic::write_with(&path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "territory",
            "name",
            "specialty",
            "missing_fte",
            "present_fte",
            "deficit_share",
            "withheld_cells",
        ])?;
        for d in deficits(&cells) {
            let name = level
                .position(&d.territory)
                .map_or(ALL, |u| level.units[u].name.as_str());
            csv.write_record([
                d.territory.as_str(),
                name,
                &d.specialty,
                &Format::Fixed(3).write(d.missing_fte),
                &Format::Fixed(3).write(d.present_fte),
                &d.share
                    .map(|x| Format::Fixed(4).write(x))
                    .unwrap_or_default(),
                &d.withheld.to_string(),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?;
    Ok(path)
}
