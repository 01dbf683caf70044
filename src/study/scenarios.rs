//! The study's what-if scenarios ([`crate::scenario`]), run after the baseline: each
//! scenario's sites are derived from the baseline's ([`apply_edits`]), its indicators
//! recomputed from the baseline's state ([`AccessEngine::update`]: only the catchments of
//! the sites it changes are searched) — or from scratch on a rebuilt network when it changes
//! the travel profile — and summarised per territory exactly as the baseline is.
//!
//! Written in `scenarios/`:
//! - `runs.csv`: one row per scenario — edits, sites removed / added / changed, catchment
//!   searches, categories updated or swept afresh, seconds;
//! - `means.csv`: per scenario and indicator, the population-weighted mean before and after,
//!   and the population whose value got better, worse, or stayed;
//! - `{name}/origins.csv`: per origin whose values moved (every origin with `[output]
//!   scenario_layers = "full"`), each indicator before (`_base`), after, and the
//!   difference (`_delta`, after − before);
//! - `{name}/sites.csv`: every site of the baseline and the scenario with its status
//!   (`kept`, `changed`, `removed`, `new`);
//! - `{name}/{level}.csv` (and `.geojson`): per unit whose values moved (every unit with
//!   `full`), each indicator's mean and each commune-level indicator before, after and
//!   delta, and the zonage classes before and after;
//! - `{name}/edits.txt`: what each edit did; `{name}/rejects.csv`: what the scenario could
//!   not place (new sites off the network…).

use super::config::{ScenarioLayers, Study};
use super::levels::{
    access_spec, commune_level_columns, summaries, summarised, summary_columns, weighted_mean,
    CommuneTimesCache, People, Summarised,
};
use super::zonage::{write_changes_csv, write_level_csv, ClassChange, StudyZonage};
use crate::access::{AccessEngine, AccessResults, AccessSpec, Baseline, UpdateStats, Variant};
use crate::aggregate::{Assignment, Polarity};
use crate::export::columns::{origin_columns, Column, Format, Values};
use crate::export::csv::{write_origins_csv, write_table};
use crate::export::geojson::write_units_geojson;
use crate::export::report::lang::Lang;
use crate::inputs::demand::Origin;
use crate::inputs::geocode::ban::BanIndex;
use crate::inputs::supply::Site;
use crate::inputs::territory::UnitLayer;
use crate::network::builder::BuildOptions;
use crate::network::graph::Graph;
use crate::network::source::obtain_graph;
use crate::scenario::config::ScenarioConfig;
use crate::scenario::edits::apply_edits;
use crate::support::rejects::Rejects;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The baseline every scenario starts from.
pub(crate) struct BaselineRun<'a> {
    /// The study.
    pub study: &'a Study,
    /// Its network.
    pub graph: &'a Graph,
    /// The engine the baseline was computed with.
    pub engine: &'a AccessEngine<'a>,
    /// The baseline.
    pub baseline: &'a Baseline,
    /// Where people live.
    pub origins: &'a [Origin],
    /// The baseline's sites.
    pub sites: &'a [Site],
    /// Territorial levels.
    pub levels: &'a [UnitLayer],
    /// Units of each level holding each origin.
    pub memberships: &'a [Vec<Vec<usize>>],
    /// The baseline's per-unit columns, per level.
    pub level_columns: &'a [Vec<Column>],
    /// The baseline's summarised indicators.
    pub summarised: &'a [Summarised],
    /// The baseline's zonage, when the study has one.
    pub zonage: Option<&'a StudyZonage<'a>>,
    /// The baseline's commune-to-commune times.
    pub commune_times: &'a CommuneTimesCache,
}

/// One scenario computed.
pub(crate) struct ScenarioOutcome {
    /// Its settings.
    pub config: ScenarioConfig,
    /// What each edit did.
    pub log: Vec<String>,
    /// What was recomputed.
    pub stats: UpdateStats,
    /// Per-unit columns of each level, named as the baseline's.
    pub level_columns: Vec<Vec<Column>>,
    /// Population-weighted mean of each indicator: `(name, before, after)`.
    pub means: Vec<(String, Option<f64>, Option<f64>)>,
    /// Each indicator per origin after the scenario.
    pub after: Vec<Summarised>,
    /// Units whose zonage class changes, when the study has a zonage.
    pub class_changes: Vec<ClassChange>,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// Runs every scenario of the study, writing into `dir/scenarios/`.
pub(crate) fn run_scenarios(
    base: &BaselineRun,
    scenarios: &[ScenarioConfig],
    dir: &Path,
) -> anyhow::Result<Vec<ScenarioOutcome>> {
    if scenarios.is_empty() {
        return Ok(Vec::new());
    }
    let root = dir.join("scenarios");
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    let ban = ban_index(base.study, scenarios)?;
    let mut out = Vec::new();
    for s in scenarios {
        let progress = crate::support::progress::spinner(&format!("scenario {}", s.name));
        let outcome = run_one(base, s, ban.as_ref(), &root.join(&s.name))
            .with_context(|| format!("scenario {:?}", s.name))?;
        progress.finish_and_clear();
        tracing::info!(
            scenario = %s.name,
            seconds = outcome.stats.seconds,
            searches = outcome.stats.searches,
            "scenario computed"
        );
        out.push(outcome);
    }
    write_runs(&root.join("runs.csv"), &out)?;
    write_means(&root.join("means.csv"), &out, base)?;
    Ok(out)
}

/// The BAN index, read when a scenario places a site by address.
fn ban_index(study: &Study, scenarios: &[ScenarioConfig]) -> anyhow::Result<Option<BanIndex>> {
    let by_address = scenarios.iter().any(|s| {
        s.add.iter().any(|a| a.address.is_some())
            || s.moves.iter().any(|m| m.address.is_some())
            || s.outreach.iter().any(|o| o.address.is_some())
    });
    if !by_address {
        return Ok(None);
    }
    let files: Vec<PathBuf> = study
        .supply
        .iter()
        .filter_map(|s| match s {
            super::config::SupplyInput::Annuaire { ban, .. } => Some(ban.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    if files.is_empty() {
        return Ok(None);
    }
    // The BAN rows left out were reported when the supply was read.
    let mut seen = Rejects::default();
    Ok(Some(
        BanIndex::from_csv(&files, &mut seen).context("reading the BAN files for scenarios")?,
    ))
}

/// The study as the scenario sees it: its indicator parameters overridden.
fn scenario_study(study: &Study, s: &ScenarioConfig) -> anyhow::Result<Study> {
    let mut out = study.clone();
    for o in &s.fca {
        let Some(f) = out.indicators.fca.iter_mut().find(|f| f.name == o.name) else {
            let names: Vec<&str> = study
                .indicators
                .fca
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            anyhow::bail!(
                "[[scenario.fca]] {:?}: no such indicator in the study (there are: {})",
                o.name,
                names.join(", ")
            );
        };
        f.max_minutes = o.max_minutes.or(f.max_minutes);
        f.bands = o.bands.clone().or(f.bands.take());
        f.sigma_minutes = o.sigma_minutes.or(f.sigma_minutes);
        f.beta_per_minute = o.beta_per_minute.or(f.beta_per_minute);
        f.power = o.power.or(f.power);
        f.max_age = o.max_age.or(f.max_age);
    }
    if let Some(t) = &s.thresholds {
        out.indicators.thresholds = t.clone();
    }
    Ok(out)
}

/// Computes scenario `s` against the baseline `base` and writes its files into `dir`.
fn run_one(
    base: &BaselineRun,
    s: &ScenarioConfig,
    ban: Option<&BanIndex>,
    dir: &Path,
) -> anyhow::Result<ScenarioOutcome> {
    check_name(&s.name)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let study = scenario_study(base.study, s)?;
    let spec = access_spec(&study)?;
    let applied = apply_edits(s, base.sites, ban)?;
    let variant = &applied.variant;
    let mut rejects = Rejects::default();
    let (rebuilt, results, stats) = recompute(base, s, &study, &spec, variant)?;
    let graph = rebuilt.as_ref().unwrap_or(base.graph);
    for (j, why) in results.unsnapped_sites() {
        if variant.from_base[j].is_none() {
            let site = &variant.sites[j];
            rejects.push(
                &site.source,
                0,
                &site.id,
                format!("site not snapped: {why}"),
            );
        }
    }
    let columns = origin_columns(&results, &variant.sites);
    let after = summarised(&study, &results, &columns);
    // The baseline's commune times hold on its network only.
    let no_times = CommuneTimesCache::new();
    let shared_times = if s.profile.is_none() {
        base.commune_times
    } else {
        &no_times
    };
    let mut level_columns = scenario_level_columns(
        base,
        &study,
        graph,
        &results,
        &variant.sites,
        &after,
        shared_times,
        &mut rejects,
    )?;
    let (mut files, class_changes) = match base.zonage {
        Some(z) => scenario_zonage(base, z, dir, &mut level_columns, &mut rejects)?,
        None => (Vec::new(), Vec::new()),
    };
    let p = dir.join("edits.txt");
    crate::support::atomic::write_with(&p, |w| {
        for line in &applied.log {
            writeln!(w, "{line}")?;
        }
        Ok(())
    })?;
    files.push(p);
    let p = dir.join("origins.csv");
    let deltas = origin_deltas(base.summarised, &after, &columns);
    match study.output.scenario_layers {
        ScenarioLayers::Full => write_origins_csv(&p, base.origins, &deltas)?,
        ScenarioLayers::Changes => {
            let rows = moved_rows(&deltas, base.origins.len());
            let origins: Vec<Origin> = rows.iter().map(|&i| base.origins[i].clone()).collect();
            write_origins_csv(&p, &origins, &select_rows(&deltas, &rows))?;
        }
    }
    files.push(p);
    files.push(write_site_status(
        dir,
        base.sites,
        &variant.sites,
        &variant.from_base,
        &results,
    )?);
    files.extend(write_unit_deltas(base, &study, &level_columns, dir)?);
    let p = dir.join("rejects.csv");
    rejects.write_csv(&p)?;
    files.push(p);
    let weights: Vec<f64> = base.origins.iter().map(|o| o.population).collect();
    let means = base
        .summarised
        .iter()
        .map(|b| {
            let a = after.iter().find(|a| a.name == b.name);
            (
                b.name.clone(),
                weighted_mean(&b.values, &weights),
                a.and_then(|a| weighted_mean(&a.values, &weights)),
            )
        })
        .collect();
    Ok(ScenarioOutcome {
        config: s.clone(),
        log: applied.log,
        stats,
        level_columns,
        means,
        after,
        class_changes,
        files,
    })
}

/// Fails unless `name` is letters, digits, `-` and `_` (it names a folder).
fn check_name(name: &str) -> anyhow::Result<()> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    anyhow::ensure!(
        valid,
        "scenario name {name:?}: use letters, digits, '-' and '_' only"
    );
    Ok(())
}

/// The scenario's indicators: an incremental update of the baseline on its network, or,
/// when the scenario changes the travel profile, a new baseline on the network rebuilt
/// with it (returned too).
fn recompute(
    base: &BaselineRun,
    s: &ScenarioConfig,
    study: &Study,
    spec: &AccessSpec,
    variant: &Variant,
) -> anyhow::Result<(Option<Graph>, AccessResults, UpdateStats)> {
    let Some(profile) = &s.profile else {
        let u = base
            .engine
            .update(base.baseline, base.sites, variant, Some(spec))?;
        return Ok((None, u.results, u.stats));
    };
    let t = Instant::now();
    let source = super::run::network_source(study)?;
    anyhow::ensure!(
        !matches!(source, crate::network::source::NetworkSource::Graph(_)),
        "changing the travel profile needs an `osm` or `lines` network, not a saved graph"
    );
    let rebuilt = obtain_graph(&source, profile, &BuildOptions::default())?.graph;
    let engine = AccessEngine::new(&rebuilt, base.origins, spec)?;
    let results = engine.baseline(&variant.sites)?.results;
    let stats = UpdateStats {
        reswept: spec
            .fca
            .iter()
            .map(|r| r.category.clone())
            .chain(spec.coverage.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        searches: variant.sites.len(),
        seconds: t.elapsed().as_secs_f64(),
        ..UpdateStats::default()
    };
    drop(engine);
    Ok((Some(rebuilt), results, stats))
}

/// The per-unit columns of each level after the scenario: the summaries of the indicators
/// `after`, and on the commune level the commune-to-commune indicators on `graph`.
#[allow(clippy::too_many_arguments)]
fn scenario_level_columns(
    base: &BaselineRun,
    study: &Study,
    graph: &Graph,
    results: &AccessResults,
    sites: &[Site],
    after: &[Summarised],
    shared_times: &CommuneTimesCache,
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<Vec<Column>>> {
    let weights: Vec<f64> = base.origins.iter().map(|o| o.population).collect();
    let mut level_columns = Vec::new();
    for (k, (level, units_of)) in base.levels.iter().zip(base.memberships).enumerate() {
        let assignment = Assignment::new(units_of, level.units.len())?;
        let mut cols = Vec::new();
        for a in after {
            cols.extend(summary_columns(
                &a.name,
                &summaries(a, &weights, &assignment)?,
            ));
        }
        if level.kind == "commune" {
            cols.extend(commune_level_columns(
                study,
                graph,
                level,
                People {
                    membership: &base.memberships[k],
                    origins: base.origins,
                    demand: &results.demand,
                },
                sites,
                shared_times,
                &mut CommuneTimesCache::new(),
                rejects,
            )?);
        }
        level_columns.push(cols);
    }
    Ok(level_columns)
}

/// The zonage `z` of the level after the scenario: writes `zonage_{level}.csv` and the class
/// changes into `dir`, adds the classes to the level's columns; returns the files written
/// and the changes.
fn scenario_zonage(
    base: &BaselineRun,
    z: &StudyZonage,
    dir: &Path,
    level_columns: &mut [Vec<Column>],
    rejects: &mut Rejects,
) -> anyhow::Result<(Vec<PathBuf>, Vec<ClassChange>)> {
    let level = &base.levels[z.level];
    let (after, changes) = z.scenario(level, &level_columns[z.level], rejects)?;
    let p = dir.join(format!("zonage_{}.csv", level.kind));
    write_level_csv(&p, level, &z.population, &after)?;
    let mut files = vec![p];
    files.extend(write_changes_csv(
        &dir.join("zonage_changes.csv"),
        &changes,
    )?);
    level_columns[z.level].extend(after.columns.iter().cloned());
    Ok((files, changes))
}

/// Writes `{level}.csv` (and `.geojson` when asked) into `dir`: each level's columns
/// before, after and the difference; returns the files written.
fn write_unit_deltas(
    base: &BaselineRun,
    study: &Study,
    level_columns: &[Vec<Column>],
    dir: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let commune_level: Vec<&str> = study
        .indicators
        .fca
        .iter()
        .filter(|f| f.level.as_deref() == Some("commune"))
        .map(|f| f.name.as_str())
        .collect();
    let mut files = Vec::new();
    for (k, level) in base.levels.iter().enumerate() {
        let cols = unit_deltas(
            &base.level_columns[k],
            &level_columns[k],
            base.summarised,
            &commune_level,
        );
        let (level, cols) = match study.output.scenario_layers {
            ScenarioLayers::Full => (std::borrow::Cow::Borrowed(level), cols),
            ScenarioLayers::Changes => {
                let rows = moved_rows(&cols, level.units.len());
                let moved = UnitLayer {
                    kind: level.kind.clone(),
                    units: rows.iter().map(|&u| level.units[u].clone()).collect(),
                    repaired: Vec::new(),
                };
                (std::borrow::Cow::Owned(moved), select_rows(&cols, &rows))
            }
        };
        let p = dir.join(format!("{}.csv", level.kind));
        write_units_csv(&p, &level, &cols)?;
        files.push(p);
        if study.output.geojson {
            let p = dir.join(format!("{}.geojson", level.kind));
            write_units_geojson(&p, &level, &cols)?;
            files.push(p);
        }
    }
    Ok(files)
}

/// Per origin, each indicator before, after and after − before, in the number format of
/// `origins.csv` (`columns`).
fn origin_deltas(before: &[Summarised], after: &[Summarised], columns: &[Column]) -> Vec<Column> {
    let mut out = Vec::new();
    for b in before {
        let Some(a) = after.iter().find(|a| a.name == b.name) else {
            continue;
        };
        let format = match columns.iter().find(|c| c.name == b.name).map(|c| &c.values) {
            Some(Values::Number(_, f)) => *f,
            _ => Format::Fixed(6),
        };
        let delta = b
            .values
            .iter()
            .zip(&a.values)
            .map(|(b, a)| Some(a.as_ref()? - b.as_ref()?))
            .collect();
        out.extend([
            Column {
                name: format!("{}_base", b.name),
                values: Values::Number(b.values.clone(), format),
            },
            Column {
                name: b.name.clone(),
                values: Values::Number(a.values.clone(), format),
            },
            Column {
                name: format!("{}_delta", b.name),
                values: Values::Number(delta, format),
            },
        ]);
    }
    out
}

/// The rows (of `n`) where a column `{x}_base` and its column `{x}` are written
/// differently: a value that changed in its written decimals, appeared or disappeared (a
/// change below the decimals written is not shown as a move with equal values).
fn moved_rows(columns: &[Column], n: usize) -> Vec<usize> {
    let pairs: Vec<(&Values, &Values)> = columns
        .iter()
        .filter_map(|b| {
            let name = b.name.strip_suffix("_base")?;
            let a = columns.iter().find(|a| a.name == name)?;
            Some((&b.values, &a.values))
        })
        .collect();
    let differs = |i: usize| {
        pairs.iter().any(|(b, a)| match (b, a) {
            (Values::Number(b, f), Values::Number(a, _)) => match (b[i], a[i]) {
                (Some(x), Some(y)) => x.to_bits() != y.to_bits() && f.write(x) != f.write(y),
                (x, y) => x.is_some() != y.is_some(),
            },
            (Values::Text(b), Values::Text(a)) => b[i] != a[i],
            _ => true,
        })
    };
    (0..n).filter(|&i| differs(i)).collect()
}

/// The `rows` of each column, in that order.
fn select_rows(columns: &[Column], rows: &[usize]) -> Vec<Column> {
    columns
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            values: match &c.values {
                Values::Number(v, f) => Values::Number(rows.iter().map(|&i| v[i]).collect(), *f),
                Values::Text(v) => Values::Text(rows.iter().map(|&i| v[i].clone()).collect()),
            },
        })
        .collect()
}

/// Per unit, before / after / delta of each indicator's mean and of each commune-level
/// indicator, and the zonage classes before and after.
fn unit_deltas(
    before: &[Column],
    after: &[Column],
    summarised: &[Summarised],
    commune_level: &[&str],
) -> Vec<Column> {
    let mut out = Vec::new();
    for b in before {
        if let (Values::Text(bt), true) = (&b.values, b.name.starts_with("zonage_")) {
            if let Some(a) = after.iter().find(|a| a.name == b.name) {
                out.push(Column {
                    name: format!("{}_base", b.name),
                    values: Values::Text(bt.clone()),
                });
                out.push(a.clone());
            }
            continue;
        }
        let keep = summarised
            .iter()
            .any(|s| b.name == format!("{}_mean", s.name))
            || commune_level.contains(&b.name.as_str());
        let (Some(bv), Some(av)) = (
            b.numbers(),
            after
                .iter()
                .find(|a| a.name == b.name)
                .and_then(Column::numbers),
        ) else {
            continue;
        };
        if !keep {
            continue;
        }
        let delta = bv
            .iter()
            .zip(av)
            .map(|(b, a)| Some(a.as_ref()? - b.as_ref()?))
            .collect();
        out.extend([
            Column {
                name: format!("{}_base", b.name),
                values: Values::Number(bv.to_vec(), Format::Fixed(4)),
            },
            Column {
                name: b.name.clone(),
                values: Values::Number(av.to_vec(), Format::Fixed(4)),
            },
            Column {
                name: format!("{}_delta", b.name),
                values: Values::Number(delta, Format::Fixed(4)),
            },
        ]);
    }
    out
}

/// `{level}.csv`: `code,name` then the columns.
fn write_units_csv(path: &Path, level: &UnitLayer, columns: &[Column]) -> anyhow::Result<()> {
    let mut header = vec!["code".to_string(), "name".to_string()];
    header.extend(columns.iter().map(|c| c.name.clone()));
    let rows: Vec<Vec<String>> = level
        .units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let mut row = vec![unit.code.clone(), unit.name.clone()];
            row.extend(columns.iter().map(|c| c.text(u)));
            row
        })
        .collect();
    Ok(write_table(path, &header, &rows)?)
}

/// `sites.csv` of a scenario: every baseline and scenario site with its status.
fn write_site_status(
    dir: &Path,
    base: &[Site],
    sites: &[Site],
    from_base: &[Option<usize>],
    results: &AccessResults,
) -> anyhow::Result<PathBuf> {
    let p = dir.join("sites.csv");
    let mut kept = vec![false; base.len()];
    crate::support::atomic::write_with(&p, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "id", "category", "lon", "lat", "capacity", "activity", "age", "status", "snapped",
        ])?;
        let f = |x: Option<f64>| x.map(|x| Format::Shortest.write(x)).unwrap_or_default();
        let mut row = |s: &Site, status: &str, snapped: &str| {
            csv.write_record([
                s.id.as_str(),
                &s.category,
                &Format::Fixed(6).write(s.lon),
                &Format::Fixed(6).write(s.lat),
                &Format::Shortest.write(s.capacity),
                &f(s.activity),
                &s.age.map(|a| a.to_string()).unwrap_or_default(),
                status,
                snapped,
            ])
        };
        for (j, s) in sites.iter().enumerate() {
            let status = match from_base[j] {
                Some(b) => {
                    kept[b] = true;
                    if *s == base[b] {
                        "kept"
                    } else {
                        "changed"
                    }
                }
                None => "new",
            };
            let snapped = match &results.site_snaps[j] {
                Ok(_) => "yes".to_string(),
                Err(e) => format!("no: {e}"),
            };
            row(s, status, &snapped)?;
        }
        for (b, s) in base.iter().enumerate() {
            if !kept[b] {
                row(s, "removed", "")?;
            }
        }
        csv.flush()?;
        Ok(())
    })?;
    Ok(p)
}

/// `runs.csv`: what each scenario did and took.
fn write_runs(path: &Path, out: &[ScenarioOutcome]) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = out
        .iter()
        .map(|o| {
            vec![
                o.config.name.clone(),
                o.config.description.clone(),
                o.log.join(" | "),
                o.stats.removed.to_string(),
                o.stats.added.to_string(),
                o.stats.changed.to_string(),
                o.stats.searches.to_string(),
                o.stats.updated.join(" "),
                o.stats.reswept.join(" "),
            ]
        })
        .collect();
    Ok(write_table(
        path,
        &[
            "scenario",
            "description",
            "edits",
            "sites_removed",
            "sites_added",
            "sites_changed",
            "catchment_searches",
            "categories_updated",
            "categories_reswept",
        ],
        &rows,
    )?)
}

/// `means.csv`: per scenario and indicator, the mean before and after and who gained.
fn write_means(path: &Path, out: &[ScenarioOutcome], base: &BaselineRun) -> anyhow::Result<()> {
    let weights: Vec<f64> = base.origins.iter().map(|o| o.population).collect();
    Ok(crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "scenario",
            "indicator",
            "mean_base",
            "mean_scenario",
            "mean_delta",
            "population_better",
            "population_worse",
            "population_same",
        ])?;
        let f = |x: Option<f64>| x.map(|x| Format::Fixed(6).write(x)).unwrap_or_default();
        for o in out {
            for (name, before, after) in &o.means {
                let (mut better, mut worse, mut same) = (0.0, 0.0, 0.0);
                let b = base.summarised.iter().find(|s| &s.name == name);
                let a = o.after.iter().find(|s| &s.name == name);
                if let (Some(b), Some(a)) = (b, a) {
                    let higher_better = b.polarity == Polarity::HigherIsBetter;
                    for ((x, y), w) in b.values.iter().zip(&a.values).zip(&weights) {
                        match (x, y) {
                            (Some(x), Some(y)) if x == y => same += w,
                            (Some(x), Some(y)) if (y > x) == higher_better => better += w,
                            (Some(_), Some(_)) => worse += w,
                            // Reached before, not any more (or the reverse).
                            (Some(_), None) => worse += w,
                            (None, Some(_)) => better += w,
                            (None, None) => same += w,
                        }
                    }
                }
                csv.write_record([
                    o.config.name.clone(),
                    name.clone(),
                    f(*before),
                    f(*after),
                    f(after.zip(*before).map(|(a, b)| a - b)),
                    Format::Fixed(1).write(better),
                    Format::Fixed(1).write(worse),
                    Format::Fixed(1).write(same),
                ])?;
            }
        }
        csv.flush()?;
        Ok(())
    })?)
}

/// What the report shows of one scenario, owned (the report borrows it).
pub(crate) struct ScenarioShown {
    /// Level mapped (index among the run's levels).
    pub level: usize,
    /// The indicator mapped (a per-unit column), in words in the report's language.
    pub label: String,
    /// Unit shown in the legends.
    pub unit: String,
    /// Which side is better.
    pub polarity: Polarity,
    /// Decimals of the values.
    pub decimals: usize,
    /// Per unit, before and after.
    pub before: Vec<Option<f64>>,
    /// Per unit, after.
    pub after: Vec<Option<f64>>,
    /// `[what, value]` rows.
    pub rows: Vec<Vec<String>>,
}

/// The map and figures of each scenario for the report: the zonage's 2017 indicator on
/// its level when the study has one, else the first floating-catchment indicator's mean
/// (or the first indicator's) on the commune level (or the first level).
pub(crate) fn shown(base: &BaselineRun, outcomes: &[ScenarioOutcome]) -> Vec<ScenarioShown> {
    let lang = base.study.output.lang;
    let level = base
        .zonage
        .map(|z| z.level)
        .or_else(|| base.levels.iter().position(|l| l.kind == "commune"))
        .unwrap_or(0);
    let zonage_column = base
        .zonage
        .and_then(|z| z.section.settings.rule_2017.as_ref())
        .map(|r| r.column.clone());
    let first = base
        .summarised
        .iter()
        .find(|s| s.polarity == Polarity::HigherIsBetter)
        .or(base.summarised.first());
    let (indicator, polarity) = match (zonage_column, first) {
        (Some(c), _) => (c, Polarity::HigherIsBetter),
        (None, Some(s)) => (format!("{}_mean", s.name), s.polarity),
        (None, None) => return Vec::new(),
    };
    let values = |cols: &[Column]| -> Option<Vec<Option<f64>>> {
        Some(
            cols.iter()
                .find(|c| c.name == indicator)?
                .numbers()?
                .to_vec(),
        )
    };
    let Some(before) = base.level_columns.get(level).and_then(|c| values(c)) else {
        return Vec::new();
    };
    let largest = before.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
    let decimals = if largest > 0.0 {
        (2.0 - largest.log10().floor()).clamp(0.0, 8.0) as usize
    } else {
        2
    };
    let label = super::report::indicator_title(base.study, &indicator, lang);
    let unit = if indicator.contains("_minutes") {
        "minutes".to_string()
    } else {
        label.clone()
    };
    outcomes
        .iter()
        .filter_map(|o| {
            let after = values(o.level_columns.get(level)?)?;
            let mut rows = vec![
                vec![
                    lang.pick(
                        "modifications (journal, comme dans runs.csv)",
                        "edits (log, as in runs.csv)",
                    )
                    .to_string(),
                    o.log.join("; "),
                ],
                vec![
                    lang.pick(
                        "sites retirés / ajoutés / modifiés",
                        "sites removed / added / changed",
                    )
                    .to_string(),
                    format!(
                        "{} / {} / {}",
                        o.stats.removed, o.stats.added, o.stats.changed
                    ),
                ],
                vec![
                    lang.pick("recherches d'aires refaites", "catchment searches")
                        .to_string(),
                    format!(
                        "{} ({} {} ; {} {})",
                        o.stats.searches,
                        lang.pick("catégories mises à jour :", "categories updated:"),
                        list(&o.stats.updated, lang),
                        lang.pick("recalculées en entier :", "swept afresh:"),
                        list(&o.stats.reswept, lang)
                    ),
                ],
            ];
            for (name, b, a) in &o.means {
                let f = |x: &Option<f64>| x.map_or("–".to_string(), |x| lang.figure(x));
                rows.push(vec![
                    format!(
                        "{}{}",
                        super::report::indicator_title(base.study, name, lang),
                        lang.pick(
                            " (moyenne pondérée par la population)",
                            " (population-weighted mean)"
                        )
                    ),
                    format!("{} → {}", f(b), f(a)),
                ]);
            }
            let moved: f64 = o
                .class_changes
                .iter()
                .filter(|c| c.scheme == "rule_2017")
                .map(|c| c.population)
                .sum();
            if base.zonage.is_some() {
                rows.push(vec![
                    lang.pick(
                        "population dont la classe de zonage 2017 change",
                        "population whose 2017 zonage class changes",
                    )
                    .to_string(),
                    lang.count(moved),
                ]);
            }
            Some(ScenarioShown {
                level,
                label: label.clone(),
                unit: unit.clone(),
                polarity,
                decimals,
                before: before.clone(),
                after,
                rows,
            })
        })
        .collect()
}

/// The names of `v` joined, or "none" in the report's language.
fn list(v: &[String], lang: Lang) -> String {
    if v.is_empty() {
        lang.pick("aucune", "none").into()
    } else {
        v.join(", ")
    }
}
