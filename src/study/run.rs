//! `recours run STUDY.toml`: the main job, once through the engine — read and check every
//! input, build (or load) the network, compute the indicators, summarise them per
//! territory, write the layers, tables, rejects and a manifest.
//!
//! Outputs in the study's output folder:
//! - `origins.csv`, `origins.geojson`: every origin with its indicators
//!   ([`crate::export::columns`]);
//! - `sites.csv`, `sites.geojson`: every site with its category, capacity and snap distance;
//! - `{level}.geojson` (polygons with `{indicator}_mean`, `_median`, `_min`, `_max` and the
//!   shares) and `{level}/{indicator}.csv` (the full summaries) per territorial level;
//! - `qpv_gap_{indicator}.csv` when the study has `qpv` and `commune` levels, and
//!   `cpts_worst_qpv_{indicator}.csv` (each CPTS's QPV, worst served first) with a `cpts`
//!   level;
//! - `inequality.csv`: Gini of each indicator, and its concentration index against income
//!   per inhabitant when the population carries income (Filosofi `ind_snv`);
//! - `{level}/supply.csv`, `{level}/external.csv`, `groups.csv`, `typology_{name}.csv`
//!   ([`super::published`]) and `icc.deficit.csv` ([`super::icc`]);
//! - `zonage_{level}.csv`, `zonage_summary.csv` with a `[zonage]` section
//!   ([`super::zonage`]);
//! - `scenarios/` with `[[scenario]]` sections ([`super::scenarios`]);
//! - `suggest_{name}.csv` per `[[suggest]]` section ([`super::suggest`]);
//! - `results.gpkg`: all the layers above in one GeoPackage;
//! - `report.html`: maps, tables, sources ([`super::report`]);
//! - `rejects.csv` (every row, point or feature left out, with file, line and reason),
//!   `summary.txt`, `manifest.json` (inputs with size and hash, parameters, version,
//!   timings).

use super::checks::check_against_inputs;
use super::config::{IccInput, PopulationInput, Study, StudyError};
use super::coverage::coverage_columns;
use super::findings::People as Residents;
use super::inputs::{read_population, read_supply, read_territories};
use super::levels::{
    access_spec, commune_level_columns, file_and_line, summaries, summarised, summary_columns,
    weighted_mean, CommuneTimesCache, People, Summarised,
};
use super::published::Tables;
use super::report::{
    backdrop_roads, credits, write_report, CellsInput, Headline, ReportInput, ScenarioReport,
    ZonageReport,
};
use super::scenarios::{
    run_scenarios, shown as scenario_shown, BaselineRun, ScenarioOutcome, ScenarioShown,
};
use super::streets::Streets;
use super::suggest::{run_suggest, SuggestContext, SuggestOutcome};
use super::zonage::StudyZonage;
use crate::access::{AccessEngine, AccessResults, Baseline};
use crate::aggregate::{
    concentration_index, gini, overlaps, qpv_gaps, worst_first, write_qpv_gaps,
    write_summaries_csv, Assignment, Indicator, Polarity, QpvGap, Thresholds,
};
use crate::export::columns::{origin_columns, Column, Format, Values};
use crate::export::csv::write_origins_csv;
use crate::export::geojson::{write_origins_geojson, write_units_geojson};
use crate::export::gpkg::GpkgWriter;
use crate::export::report::cells::{Backdrop, CellLayer, Outline, OutlineStyle};
use crate::export::report::lang::Lang;
use crate::inputs::demand::filosofi::CELL_SIDE_M;
use crate::inputs::demand::Origin;
use crate::inputs::supply::Site;
use crate::inputs::territory::{UnitIndex, UnitLayer};
use crate::network::builder::BuildOptions;
use crate::network::graph::Graph;
use crate::network::source::{obtain_graph, NetworkSource};
use crate::support::rejects::Rejects;
use crate::support::staging::Staging;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a run did.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// Study name.
    pub name: String,
    /// Output folder.
    pub out: PathBuf,
    /// Graph size: nodes, directed edges.
    pub graph: (usize, usize),
    /// Origins read and their population.
    pub origins: (usize, f64),
    /// Sites read per category.
    pub sites: Vec<(String, usize)>,
    /// Origins and sites that could not be snapped.
    pub unsnapped: (usize, usize),
    /// Rows, points and features rejected, all inputs.
    pub rejected: usize,
    /// Territorial levels and their unit counts.
    pub levels: Vec<(String, usize)>,
    /// Population-weighted mean of each indicator over all origins.
    pub means: Vec<(String, Option<f64>)>,
    /// Further lines of the summary: outside tables joined, snapshots compared.
    pub notes: Vec<String>,
    /// Seconds per stage.
    pub timings: Vec<(String, f64)>,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// The results part of a [`RunSummary`]: everything but the output folder and the
/// timings, so the same inputs give the same text (`summary.txt`, the report).
pub struct SummaryResults<'a>(&'a RunSummary);

impl RunSummary {
    /// The summary without the output folder and the timings.
    pub fn results(&self) -> SummaryResults<'_> {
        SummaryResults(self)
    }
}

impl fmt::Display for SummaryResults<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        writeln!(f, "{}", s.name)?;
        writeln!(
            f,
            "network: {} nodes, {} directed edges",
            s.graph.0, s.graph.1
        )?;
        writeln!(
            f,
            "population: {} origins, {:.0} inhabitants; {} not snapped",
            s.origins.0, s.origins.1, s.unsnapped.0
        )?;
        let sites: Vec<String> = s.sites.iter().map(|(c, n)| format!("{c} {n}")).collect();
        writeln!(
            f,
            "sites: {}; {} not snapped",
            sites.join(", "),
            s.unsnapped.1
        )?;
        let levels: Vec<String> = s.levels.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(f, "territories: {}", levels.join(", "))?;
        for (name, mean) in &s.means {
            match mean {
                Some(m) => writeln!(f, "  {name:<28} population-weighted mean {m:.4}")?,
                None => writeln!(f, "  {name:<28} no value")?,
            }
        }
        for note in &s.notes {
            writeln!(f, "{note}")?;
        }
        write!(f, "rejected: {} (see rejects.csv)", s.rejected)
    }
}

impl fmt::Display for RunSummary {
    /// The results, then the output folder and the timings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.results())?;
        writeln!(f, "written to {}", self.out.display())?;
        let t: Vec<String> = self
            .timings
            .iter()
            .map(|(s, x)| format!("{s} {x:.2} s"))
            .collect();
        write!(f, "timings: {}", t.join(", "))
    }
}

/// Everything a run produced in memory, for reports and tests.
pub struct RunOutput {
    /// The summary printed.
    pub summary: RunSummary,
    /// Origins read.
    pub origins: Vec<Origin>,
    /// Sites read.
    pub sites: Vec<Site>,
    /// Indicators computed.
    pub access: AccessResults,
    /// Territorial levels.
    pub levels: Vec<UnitLayer>,
    /// Everything left out.
    pub rejects: Rejects,
}

/// Runs the study at `path` (output folder overridden by `out` when given).
pub fn run_study(path: &Path, out: Option<&Path>) -> anyhow::Result<RunOutput> {
    run_study_in(path, out, None)
}

/// Runs the study at `path`, output folder overridden by `out` and the report's language
/// by `lang` when given.
pub fn run_study_in(
    path: &Path,
    out: Option<&Path>,
    lang: Option<Lang>,
) -> anyhow::Result<RunOutput> {
    let t0 = Instant::now();
    let mut study = load_study(path, out, lang)?;
    let postgis = study.output.postgis_target().map_err(anyhow::Error::msg)?;
    if let Some(target) = &postgis {
        target.check()?;
    }
    let staging = Staging::begin(&study.output.dir)?;
    let dir = staging.path().to_path_buf();
    let mut timings = Vec::new();
    let mut rejects = Rejects::default();

    let t = Instant::now();
    let (levels, origins, sites) = read_inputs(path, &mut study, &mut rejects)?;
    timings.push(("inputs".to_string(), t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let source = network_source(&study)?;
    let graph = obtain_graph(&source, &study.network.profile, &BuildOptions::default())?.graph;
    timings.push(("network".to_string(), t.elapsed().as_secs_f64()));

    let spec = access_spec(&study)?;
    let engine = AccessEngine::new(&graph, &origins, &spec)?;
    let baseline = engine.baseline(&sites)?;
    let access = &baseline.results;
    let a = &access.timings;
    timings.extend([
        ("snapping".to_string(), a.snap),
        ("nearest".to_string(), a.nearest),
        ("catchments".to_string(), a.fca),
    ]);
    reject_unsnapped(access, &origins, &sites, &mut rejects);

    let t = Instant::now();
    let columns = origin_columns(access, &sites);
    let site_columns = site_columns(&sites, access);
    let mut files = write_points(&study, &dir, (&origins, &columns), (&sites, &site_columns))?;

    let ctx = RunContext {
        path,
        study: &study,
        graph: &graph,
        levels: &levels,
        origins: &origins,
        sites: &sites,
        access,
        dir: &dir,
    };
    let lv = level_stage(&ctx, &columns, &mut files, &mut rejects)?;
    let mut notes = lv.tables.notes.clone();
    let snapshots = snapshot_stage(&ctx, &engine, &lv, &mut timings)?;
    files.extend(snapshots.files);
    notes.extend(snapshots.notes);
    let (scenarios, shown) =
        scenario_stage(&ctx, &engine, &baseline, &lv, &mut files, &mut timings)?;
    let suggestions = run_suggestions(&ctx, &lv.memberships, &mut rejects)?;
    files.extend(suggestions.iter().map(|o| o.file.clone()));
    files.extend(write_layers(
        &study,
        &dir,
        (&origins, &columns),
        (&sites, &site_columns),
        (&levels, &lv.level_columns),
    )?);
    timings.push(("outputs".to_string(), t.elapsed().as_secs_f64()));

    rejects.relative_to(path.parent().unwrap_or(Path::new("")));
    let p = dir.join("rejects.csv");
    rejects.write_csv(&p)?;
    files.push(p);
    timings.push(("total".to_string(), t0.elapsed().as_secs_f64()));
    let mut summary = RunSummary {
        name: study.name.clone(),
        out: staging.target().to_path_buf(),
        graph: (graph.node_count(), graph.edge_count()),
        origins: (origins.len(), lv.weights.iter().sum()),
        sites: Vec::new(),
        unsnapped: (
            access.unsnapped_origins().len(),
            access.unsnapped_sites().len(),
        ),
        rejected: rejects.len(),
        levels: Vec::new(),
        means: Vec::new(),
        notes,
        timings,
        files,
    };
    summary.count(&sites, &levels, &lv.summarised, &lv.weights);
    let p = dir.join("summary.txt");
    crate::support::atomic::write_with(&p, |w| Ok(writeln!(w, "{}", summary.results())?))?;
    if study.output.report {
        write_study_report(
            &dir,
            &Computed {
                study: &study,
                graph: &graph,
                origins: &origins,
                sites: &sites,
                points: &lv.points,
                weights: &lv.weights,
                levels: &levels,
                memberships: &lv.memberships,
                summarised: &lv.summarised,
                zonage: lv.zonage.as_ref(),
                gap_rows: &lv.gap_rows,
                scenarios: &scenarios,
                shown: &shown,
                snapshots: &snapshots.changes,
                suggestions: &suggestions,
            },
            lv.level_columns,
            &rejects,
            &summary,
        )?;
    }
    super::manifest::write_manifest(&dir, path, &study, &summary)?;
    if let Some(target) = &postgis {
        publish_postgis(&dir, target)?;
    }
    let summary = publish(staging, summary, study.output.report)?;
    Ok(RunOutput {
        summary,
        origins,
        sites,
        access: baseline.results,
        levels,
        rejects,
    })
}

/// What a run reads once its baseline is computed: the study, its inputs and indicators,
/// and the staged output folder.
struct RunContext<'a> {
    path: &'a Path,
    study: &'a Study,
    graph: &'a Graph,
    levels: &'a [UnitLayer],
    origins: &'a [Origin],
    sites: &'a [Site],
    access: &'a AccessResults,
    dir: &'a Path,
}

/// What the run derived for its territorial levels: the summarised indicators and the
/// origins' weights (inhabitants) and points (lon, lat), each level's membership of the
/// origins and per-unit columns (summaries, commune times, ICC, published tables, zonage),
/// the QPV gap rows, the published reference tables and the baseline's zonage.
struct LevelResults<'a> {
    summarised: Vec<Summarised>,
    weights: Vec<f64>,
    points: Vec<(f64, f64)>,
    memberships: Vec<Vec<Vec<usize>>>,
    level_columns: Vec<Vec<Column>>,
    commune_times: CommuneTimesCache,
    gap_rows: Vec<Vec<String>>,
    tables: Tables,
    zonage: Option<StudyZonage<'a>>,
}

/// The level stage: per-unit summaries, commune times, QPV gaps, inequality, ICC, the
/// published tables and the zonage of the baseline, their files appended to `files`.
fn level_stage<'a>(
    ctx: &RunContext<'a>,
    columns: &[Column],
    files: &mut Vec<PathBuf>,
    rejects: &mut Rejects,
) -> anyhow::Result<LevelResults<'a>> {
    let RunContext {
        path,
        study,
        graph,
        levels,
        origins,
        sites,
        access,
        dir,
    } = *ctx;
    let summarised = summarised(study, access, columns);
    let weights: Vec<f64> = origins.iter().map(|o| o.population).collect();
    let points: Vec<(f64, f64)> = origins.iter().map(|o| (o.lon, o.lat)).collect();
    let memberships: Vec<Vec<Vec<usize>>> = levels
        .iter()
        .map(|l| UnitIndex::new(l).assign_points(&points))
        .collect();
    let mut level_columns = write_level_summaries(
        study,
        levels,
        &memberships,
        &summarised,
        &weights,
        dir,
        files,
    )?;
    let mut commune_times = CommuneTimesCache::new();
    if let Some(c) = levels.iter().position(|l| l.kind == "commune") {
        let extra = commune_level_columns(
            study,
            graph,
            &levels[c],
            People {
                membership: &memberships[c],
                origins,
                demand: &access.demand,
            },
            sites,
            &CommuneTimesCache::new(),
            &mut commune_times,
            rejects,
        )?;
        level_columns[c].extend(extra);
    }
    let (gap_files, gap_rows) =
        write_qpv_gap_tables(dir, levels, &memberships, &summarised, &weights)?;
    files.extend(gap_files);
    let p = dir.join("inequality.csv");
    write_inequality(&p, &summarised, &weights, origins)?;
    files.push(p);
    if let Some(icc) = &study.icc {
        files.extend(icc_stage(
            icc,
            study,
            levels,
            &mut level_columns,
            sites,
            dir,
            rejects,
        )?);
    }
    let published = super::published::run_published(
        &super::published::Published {
            study,
            levels,
            memberships: &memberships,
            origins,
            sites,
            summarised: &summarised,
            dir,
            known: None,
        },
        &mut level_columns,
        rejects,
    )?;
    files.extend(published.files);
    let zonage = match &study.zonage {
        Some(z) => {
            let base = path.parent().unwrap_or(Path::new("."));
            let (zonage, written) =
                StudyZonage::baseline(z, base, levels, &level_columns, dir, rejects)?;
            files.extend(written);
            level_columns[zonage.level].extend(zonage.baseline.columns.iter().cloned());
            Some(zonage)
        }
        None => None,
    };
    Ok(LevelResults {
        summarised,
        weights,
        points,
        memberships,
        level_columns,
        commune_times,
        gap_rows,
        tables: published.tables,
        zonage,
    })
}

/// The study's `[[snapshot]]`s compared with the baseline (`lv`: its level results); the
/// stage's time in seconds is added to `timings` when the study has snapshots.
fn snapshot_stage(
    ctx: &RunContext,
    engine: &AccessEngine,
    lv: &LevelResults,
    timings: &mut Vec<(String, f64)>,
) -> anyhow::Result<super::snapshots::SnapshotsOutput> {
    let t = Instant::now();
    let snapshots = super::snapshots::run_snapshots(&super::snapshots::SnapshotBase {
        study: ctx.study,
        graph: ctx.graph,
        engine,
        access: ctx.access,
        origins: ctx.origins,
        sites: ctx.sites,
        levels: ctx.levels,
        memberships: &lv.memberships,
        commune_times: &lv.commune_times,
        tables: &lv.tables,
        dir: ctx.dir,
        study_dir: ctx.path.parent().unwrap_or(Path::new("")),
    })?;
    if !ctx.study.snapshot.is_empty() {
        timings.push(("snapshots".to_string(), t.elapsed().as_secs_f64()));
    }
    Ok(snapshots)
}

/// The study's `[[scenario]]`s run from the baseline's state, their files appended to
/// `files` and the stage's time in seconds to `timings`; returns each scenario's outcome
/// and what the report shows of it.
fn scenario_stage(
    ctx: &RunContext,
    engine: &AccessEngine,
    baseline: &Baseline,
    lv: &LevelResults,
    files: &mut Vec<PathBuf>,
    timings: &mut Vec<(String, f64)>,
) -> anyhow::Result<(Vec<ScenarioOutcome>, Vec<ScenarioShown>)> {
    let t = Instant::now();
    let baseline_run = BaselineRun {
        study: ctx.study,
        graph: ctx.graph,
        engine,
        baseline,
        origins: ctx.origins,
        sites: ctx.sites,
        levels: ctx.levels,
        memberships: &lv.memberships,
        level_columns: &lv.level_columns,
        summarised: &lv.summarised,
        zonage: lv.zonage.as_ref(),
        commune_times: &lv.commune_times,
    };
    let scenarios = run_scenarios(&baseline_run, &ctx.study.scenario, ctx.dir)?;
    let shown = scenario_shown(&baseline_run, &scenarios);
    for s in &scenarios {
        files.extend(s.files.iter().cloned());
    }
    if !scenarios.is_empty() {
        files.push(ctx.dir.join("scenarios").join("runs.csv"));
        files.push(ctx.dir.join("scenarios").join("means.csv"));
        timings.push(("scenarios".to_string(), t.elapsed().as_secs_f64()));
    }
    Ok((scenarios, shown))
}

/// Writes the staged run folder `dir` into `target`'s PostGIS schema, in one transaction.
fn publish_postgis(dir: &Path, target: &crate::export::postgis::Target) -> anyhow::Result<()> {
    let t = Instant::now();
    let written = crate::export::postgis::publish_folder(dir, target)?;
    tracing::info!(
        "PostGIS: {} tables written to schema {} in {:.1} s",
        written.tables.len(),
        target.schema,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The study at `path`, its output folder and language replaced when given.
fn load_study(path: &Path, out: Option<&Path>, lang: Option<Lang>) -> anyhow::Result<Study> {
    let mut study = Study::load(path)?;
    if let Some(o) = out {
        study.output.dir = o.to_path_buf();
    }
    if let Some(l) = lang {
        study.output.lang = l;
    }
    Ok(study)
}

/// The study's territorial levels, origins and sites, read through the real-format
/// readers and checked against the settings (an error names the first reject, which is
/// often the cause).
fn read_inputs(
    path: &Path,
    study: &mut Study,
    rejects: &mut Rejects,
) -> anyhow::Result<(Vec<UnitLayer>, Vec<Origin>, Vec<Site>)> {
    let levels = read_territories(study, rejects)?;
    let origins = read_population(study, &levels, rejects)?;
    let sites = read_supply(study, rejects)?;
    check_against_inputs(study, &origins, &sites).map_err(|reason| {
        let why = match rejects.items.first() {
            Some(r) => format!(
                "{reason}\n{} rows, points or features were rejected while reading; the first: {}:{}: {}",
                rejects.len(),
                r.file,
                r.line,
                r.reason
            ),
            None => reason,
        };
        StudyError::Invalid {
            file: path.display().to_string(),
            reason: why,
        }
    })?;
    Ok((levels, origins, sites))
}

/// Every `[[suggest]]` of the study, in order, each written into the output folder;
/// `memberships` are the run's levels' memberships of the origins (the QPV level's tells
/// which origins live in a QPV).
fn run_suggestions(
    ctx: &RunContext,
    memberships: &[Vec<Vec<usize>>],
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<SuggestOutcome>> {
    let in_qpv: Option<Vec<bool>> = ctx
        .levels
        .iter()
        .position(|l| l.kind == "qpv")
        .map(|q| memberships[q].iter().map(|u| !u.is_empty()).collect());
    let context = SuggestContext {
        graph: ctx.graph,
        origins: ctx.origins,
        sites: ctx.sites,
        access: ctx.access,
        in_qpv: in_qpv.as_deref(),
        max_snap_m: ctx.study.network.max_snap_m,
        study_dir: ctx.path.parent().unwrap_or(Path::new(".")),
    };
    let mut suggestions = Vec::new();
    for cfg in &ctx.study.suggest {
        let outcome = run_suggest(cfg, &context, ctx.dir, rejects)?;
        tracing::info!("suggestion: {outcome}");
        suggestions.push(outcome);
    }
    Ok(suggestions)
}

/// Moves the staged results into place; `summary` then lists every file written, under
/// the output folder (the summary, the report when written and the manifest included).
fn publish(staging: Staging, mut summary: RunSummary, report: bool) -> anyhow::Result<RunSummary> {
    let dir = staging.path().to_path_buf();
    let target = staging.target().to_path_buf();
    staging.publish()?;
    summary.files.push(dir.join("summary.txt"));
    if report {
        summary.files.push(dir.join("report.html"));
    }
    summary
        .files
        .push(dir.join(crate::support::staging::MARKER));
    summary.files = summary
        .files
        .iter()
        .map(|f| target.join(f.strip_prefix(&dir).unwrap_or(f)))
        .collect();
    Ok(summary)
}

/// Writes `origins.csv` and `sites.csv` (and their GeoJSON when asked) into `dir`, each
/// point with its columns; returns the files written.
fn write_points(
    study: &Study,
    dir: &Path,
    (origins, columns): (&[Origin], &[Column]),
    (sites, site_columns): (&[Site], &[Column]),
) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let p = dir.join("origins.csv");
    write_origins_csv(&p, origins, columns)?;
    files.push(p);
    if study.output.geojson {
        let p = dir.join("origins.geojson");
        write_origins_geojson(&p, origins, columns)?;
        files.push(p);
    }
    files.extend(write_sites(dir, sites, site_columns, study.output.geojson)?);
    Ok(files)
}

impl RunSummary {
    /// Fills the counts: sites per category (sorted), units per level, and each
    /// indicator's population-weighted mean (`weights` per origin).
    fn count(
        &mut self,
        sites: &[Site],
        levels: &[UnitLayer],
        summarised: &[Summarised],
        weights: &[f64],
    ) {
        let mut per_category: std::collections::BTreeMap<String, usize> = Default::default();
        for s in sites {
            *per_category.entry(s.category.clone()).or_default() += 1;
        }
        self.sites = per_category.into_iter().collect();
        self.levels = levels
            .iter()
            .map(|l| (l.kind.clone(), l.units.len()))
            .collect();
        self.means = summarised
            .iter()
            .map(|s| (s.name.clone(), weighted_mean(&s.values, weights)))
            .collect();
    }
}

/// Everything the run computed that the report shows.
struct Computed<'a> {
    study: &'a Study,
    graph: &'a Graph,
    origins: &'a [Origin],
    sites: &'a [Site],
    points: &'a [(f64, f64)],
    weights: &'a [f64],
    levels: &'a [UnitLayer],
    memberships: &'a [Vec<Vec<usize>>],
    summarised: &'a [Summarised],
    zonage: Option<&'a StudyZonage<'a>>,
    gap_rows: &'a [Vec<String>],
    scenarios: &'a [ScenarioOutcome],
    shown: &'a [ScenarioShown],
    snapshots: &'a [super::snapshots::Change],
    suggestions: &'a [SuggestOutcome],
}

/// Writes `report.html` into `dir` from what the run computed (`c`), each level with its
/// columns (`level_columns`), the rejects and the summary.
fn write_study_report(
    dir: &Path,
    c: &Computed,
    level_columns: Vec<Vec<Column>>,
    rejects: &Rejects,
    summary: &RunSummary,
) -> anyhow::Result<()> {
    let with_columns: Vec<(UnitLayer, Vec<Column>)> =
        c.levels.iter().cloned().zip(level_columns).collect();
    let headlines: Vec<Headline> = c
        .summarised
        .iter()
        .filter(|s| s.polarity == Polarity::HigherIsBetter || s.name.ends_with("_minutes"))
        .filter(|s| !s.name.contains("rd_minutes") && !s.name.contains("th_minutes"))
        .map(|s| Headline {
            name: &s.name,
            polarity: s.polarity,
            values: &s.values,
        })
        .collect();
    let lang = c.study.output.lang;
    let ids: Vec<String> = c.origins.iter().map(|o| o.id.clone()).collect();
    let first_unit = |kind: &str| {
        c.levels.iter().position(|l| l.kind == kind).map(|k| {
            let of: Vec<Option<usize>> = c.memberships[k]
                .iter()
                .map(|u| u.first().copied())
                .collect();
            (&c.levels[k], of)
        })
    };
    let communes = first_unit("commune");
    let places: Vec<String> = match &communes {
        Some((l, of)) => of
            .iter()
            .map(|u| u.map(|u| l.units[u].name.clone()).unwrap_or_default())
            .collect(),
        None => vec![String::new(); c.origins.len()],
    };
    let cell_layer = CellLayer {
        centres: c.points,
        ids: &ids,
        population: c.weights,
        places: &places,
        side_m: match c.study.population {
            PopulationInput::Filosofi { .. } => 200.0,
            _ => 0.0,
        },
    };
    let roads = backdrop_roads(c.graph, c.points);
    let streets = match &c.study.network.lines {
        Some(p) => Some(Streets::read(p, c.study.network.layer.as_deref())?),
        None => None,
    };
    let credits = credits(c.study, lang);
    let outlines: Vec<Outline> = c
        .levels
        .iter()
        .filter_map(|l| match l.kind.as_str() {
            "commune" | "iris" => Some(Outline {
                layer: l,
                style: OutlineStyle::Boundary,
            }),
            "qpv" => Some(Outline {
                layer: l,
                style: OutlineStyle::Emphasis,
            }),
            _ => None,
        })
        .collect();
    let cells = (!c.origins.is_empty()).then(|| CellsInput {
        layer: cell_layer,
        backdrop: Backdrop {
            roads: &roads,
            outlines,
            credits: &credits,
        },
        people: Residents {
            weights: c.weights,
            ids: &ids,
            communes,
            qpv: first_unit("qpv"),
            centres: c.points,
            streets: streets.as_ref(),
        },
    });
    let sites_of = |category: &str| -> Vec<(f64, f64)> {
        c.sites
            .iter()
            .filter(|s| s.category == category)
            .map(|s| (s.lon, s.lat))
            .collect()
    };
    let scenario_reports: Vec<ScenarioReport> = c
        .shown
        .iter()
        .zip(c.scenarios)
        .map(|(sh, o)| ScenarioReport {
            name: &o.config.name,
            description: &o.config.description,
            layer: &c.levels[sh.level],
            indicator: &sh.label,
            unit: &sh.unit,
            polarity: sh.polarity,
            decimals: sh.decimals,
            before: &sh.before,
            after: &sh.after,
            headline_rows: &sh.rows,
            class_changes: &o.class_changes,
        })
        .collect();
    write_report(
        &dir.join("report.html"),
        &ReportInput {
            study: c.study,
            levels: &with_columns,
            headlines: &headlines,
            cells,
            sites_of: &sites_of,
            qpv_gaps: c.gap_rows,
            rejects,
            summary,
            zonage: c.zonage.map(|z| ZonageReport {
                layer: &c.levels[z.level],
                zonage: &z.baseline,
            }),
            scenarios: &scenario_reports,
            snapshots: &super::report::snapshot_reports(c.snapshots, c.levels),
            suggestions: c.suggestions,
        },
    )?;
    Ok(())
}

/// Records the origins and sites that could not be snapped in `rejects`.
fn reject_unsnapped(
    access: &AccessResults,
    origins: &[Origin],
    sites: &[Site],
    rejects: &mut Rejects,
) {
    for (i, why) in access.unsnapped_origins() {
        let (file, line) = file_and_line(&origins[i].source);
        rejects.push(
            file,
            line,
            &origins[i].id,
            format!("origin not snapped: {why}"),
        );
    }
    for (j, why) in access.unsnapped_sites() {
        let (file, line) = file_and_line(&sites[j].source);
        rejects.push(file, line, &sites[j].id, format!("site not snapped: {why}"));
    }
}

/// Per level, the unit coverage columns and the summaries of every indicator, each
/// written to `{level}/{indicator}.csv` (added to `files`); returns the columns.
fn write_level_summaries(
    study: &Study,
    levels: &[UnitLayer],
    memberships: &[Vec<Vec<usize>>],
    summarised: &[Summarised],
    weights: &[f64],
    dir: &Path,
    files: &mut Vec<PathBuf>,
) -> anyhow::Result<Vec<Vec<Column>>> {
    let mut level_columns: Vec<Vec<Column>> = Vec::new();
    let cell_area_m2 = match study.population {
        PopulationInput::Filosofi { .. } => Some(f64::from(CELL_SIDE_M).powi(2)),
        _ => None,
    };
    for (level, units_of) in levels.iter().zip(memberships) {
        let assignment = Assignment::new(units_of, level.units.len())?;
        let level_dir = dir.join(&level.kind);
        std::fs::create_dir_all(&level_dir)?;
        let mut unit_columns = coverage_columns(
            level,
            units_of,
            weights,
            cell_area_m2,
            study.output.min_unit_coverage,
        );
        for s in summarised {
            let sums = summaries(s, weights, &assignment)?;
            let p = level_dir.join(format!("{}.csv", s.name));
            write_summaries_csv(&p, level, &sums)?;
            files.push(p);
            unit_columns.extend(summary_columns(&s.name, &sums));
        }
        level_columns.push(unit_columns);
    }
    Ok(level_columns)
}

/// The `[icc]` section: the ICC files in `dir`, its columns on the level whose commune
/// lists it used (and the deficits when asked); returns the files written.
fn icc_stage(
    icc: &IccInput,
    study: &Study,
    levels: &[UnitLayer],
    level_columns: &mut [Vec<Column>],
    sites: &[Site],
    dir: &Path,
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<PathBuf>> {
    let level = study
        .territories
        .iter()
        .find(|t| t.members.as_ref() == Some(&icc.territories))
        .and_then(|t| levels.iter().position(|l| l.kind == t.kind));
    let communes = levels.iter().find(|l| l.kind == "commune");
    let of_level = level.map(|k| (&levels[k], level_columns[k].as_slice()));
    let out = super::icc::run_icc(icc, &study.population, communes, of_level, dir, rejects)?;
    let mut files = out.files;
    if let Some(k) = level {
        level_columns[k].extend(out.columns);
        if !icc.acts_per_fte.is_empty() {
            files.push(super::icc::write_deficits(icc, dir, &levels[k], sites)?);
        }
    }
    Ok(files)
}

/// Each level's GeoJSON layer once, with every column computed for it, and the GeoPackage
/// of every layer, as the study asks; returns the files written.
fn write_layers(
    study: &Study,
    dir: &Path,
    (origins, columns): (&[Origin], &[Column]),
    (sites, site_columns): (&[Site], &[Column]),
    (levels, level_columns): (&[UnitLayer], &[Vec<Column>]),
) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if study.output.geojson {
        for (level, unit_columns) in levels.iter().zip(level_columns) {
            let p = dir.join(format!("{}.geojson", level.kind));
            write_units_geojson(&p, level, unit_columns)?;
            files.push(p);
        }
    }
    if study.output.gpkg {
        let p = dir.join("results.gpkg");
        write_gpkg(
            &p,
            origins,
            columns,
            sites,
            site_columns,
            levels,
            level_columns,
        )?;
        files.push(p);
    }
    Ok(files)
}

/// The network source of the study.
pub(crate) fn network_source(study: &Study) -> anyhow::Result<NetworkSource> {
    let n = &study.network;
    Ok(match (&n.osm, &n.graph, &n.lines) {
        (Some(p), _, _) => NetworkSource::Osm(p.clone()),
        (_, Some(p), _) => NetworkSource::Graph(p.clone()),
        (_, _, Some(p)) => NetworkSource::Lines {
            path: p.clone(),
            layer: n.layer.clone(),
        },
        _ => anyhow::bail!("[network] has no source"),
    })
}

/// Sites as points (no population) for the point writers.
fn site_points(sites: &[Site]) -> Vec<Origin> {
    sites
        .iter()
        .map(|s| Origin {
            id: s.id.clone(),
            lon: s.lon,
            lat: s.lat,
            population: 0.0,
            ages: None,
            income: None,
            source: s.source.clone(),
        })
        .collect()
}

/// Per-site columns: category, capacity, activity, age, snap distance or why not snapped.
fn site_columns(sites: &[Site], access: &AccessResults) -> Vec<Column> {
    let n = sites.len();
    vec![
        Column {
            name: "category".into(),
            values: Values::Text(sites.iter().map(|s| Some(s.category.clone())).collect()),
        },
        Column {
            name: "capacity".into(),
            values: Values::Number(
                sites.iter().map(|s| Some(s.capacity)).collect(),
                Format::Shortest,
            ),
        },
        Column {
            name: "activity".into(),
            values: Values::Number(sites.iter().map(|s| s.activity).collect(), Format::Shortest),
        },
        Column {
            name: "age".into(),
            values: Values::Number(
                sites.iter().map(|s| s.age.map(f64::from)).collect(),
                Format::Fixed(0),
            ),
        },
        Column {
            name: "snap_m".into(),
            values: Values::Number(
                (0..n)
                    .map(|j| access.site_snaps[j].as_ref().ok().map(|s| s.distance_m))
                    .collect(),
                Format::Fixed(1),
            ),
        },
        Column {
            name: "not_snapped_because".into(),
            values: Values::Text(
                (0..n)
                    .map(|j| access.site_snaps[j].as_ref().err().map(|e| e.to_string()))
                    .collect(),
            ),
        },
    ]
}

/// Writes `sites.csv` (and `sites.geojson`).
fn write_sites(
    dir: &Path,
    sites: &[Site],
    columns: &[Column],
    geojson: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let points = site_points(sites);
    let mut files = vec![dir.join("sites.csv")];
    write_origins_csv(&files[0], &points, columns)?;
    if geojson {
        let p = dir.join("sites.geojson");
        write_origins_geojson(&p, &points, columns)?;
        files.push(p);
    }
    Ok(files)
}

/// Writes every layer into one GeoPackage: origins, sites, each territorial level.
fn write_gpkg(
    path: &Path,
    origins: &[Origin],
    origin_columns: &[Column],
    sites: &[Site],
    site_columns: &[Column],
    levels: &[UnitLayer],
    level_columns: &[Vec<Column>],
) -> anyhow::Result<()> {
    let mut g = GpkgWriter::create(path)?;
    let coords: Vec<(f64, f64)> = origins.iter().map(|o| (o.lon, o.lat)).collect();
    let ids: Vec<String> = origins.iter().map(|o| o.id.clone()).collect();
    let mut columns = vec![Column {
        name: "population".into(),
        values: Values::Number(
            origins.iter().map(|o| Some(o.population)).collect(),
            Format::Shortest,
        ),
    }];
    columns.extend(origin_columns.iter().cloned());
    g.add_points("origins", &coords, &ids, &columns)?;
    let coords: Vec<(f64, f64)> = sites.iter().map(|s| (s.lon, s.lat)).collect();
    let ids: Vec<String> = sites.iter().map(|s| s.id.clone()).collect();
    g.add_points("sites", &coords, &ids, site_columns)?;
    for (level, columns) in levels.iter().zip(level_columns) {
        g.add_units(&level.kind, level, columns)?;
    }
    g.finish()?;
    Ok(())
}

/// QPV beside the rest of their communes, one table per indicator.
fn write_qpv_gap_tables(
    dir: &Path,
    levels: &[UnitLayer],
    memberships: &[Vec<Vec<usize>>],
    summarised: &[Summarised],
    weights: &[f64],
) -> anyhow::Result<(Vec<PathBuf>, Vec<Vec<String>>)> {
    let find = |kind: &str| levels.iter().position(|l| l.kind == kind);
    let (Some(q), Some(c)) = (find("qpv"), find("commune")) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut rows = Vec::new();
    let qpv = Assignment::new(&memberships[q], levels[q].units.len())?;
    let communes = Assignment::new(&memberships[c], levels[c].units.len())?;
    let mut files = Vec::new();
    for s in summarised {
        let indicator = Indicator::new(&s.values, weights)?;
        let thresholds = Thresholds::new(&s.thresholds, s.polarity)?;
        let gaps = qpv_gaps(&indicator, &qpv, &communes, None, &thresholds)?;
        if rows.is_empty() && s.polarity == Polarity::LowerIsBetter {
            let f = |x: Option<f64>| x.map_or_else(String::new, |x| format!("{x:.1}"));
            for g in &gaps {
                let u = &levels[q].units[g.qpv];
                let names: Vec<&str> = g
                    .communes
                    .iter()
                    .map(|&k| levels[c].units[k].name.as_str())
                    .collect();
                rows.push(vec![
                    format!("{} {}", u.code, u.name),
                    names.join(", "),
                    f(g.inside.mean),
                    f(g.rest.mean),
                    f(g.mean_gap),
                ]);
            }
        }
        if let Some(k) = find("cpts") {
            files.push(write_worst_qpv(
                dir,
                s,
                &levels[q],
                &levels[k],
                &qpv,
                &memberships[k],
                &gaps,
            )?);
        }
        let p = dir.join(format!("qpv_gap_{}.csv", s.name));
        crate::support::atomic::write_with(&p, |w| {
            Ok(write_qpv_gaps(
                w,
                &levels[q],
                &levels[c],
                &gaps,
                &thresholds,
            )?)
        })?;
        files.push(p);
    }
    Ok((files, rows))
}

/// For each CPTS, its QPV worst served first: `cpts_worst_qpv_{indicator}.csv`
/// (`cpts,rank,qpv_code,qpv_name,mean`).
fn write_worst_qpv(
    dir: &Path,
    s: &Summarised,
    qpv_layer: &UnitLayer,
    cpts_layer: &UnitLayer,
    qpv: &Assignment,
    cpts_membership: &[Vec<usize>],
    gaps: &[QpvGap],
) -> anyhow::Result<PathBuf> {
    let cpts = Assignment::new(cpts_membership, cpts_layer.units.len())?;
    let groups = overlaps(&cpts, qpv)?;
    let mut inside: Vec<Option<&QpvGap>> = vec![None; qpv_layer.units.len()];
    for g in gaps {
        inside[g.qpv] = Some(g);
    }
    let summaries: Vec<crate::aggregate::Summary> = inside
        .iter()
        .map(|g| {
            g.map(|g| g.inside.clone())
                .unwrap_or_else(|| empty_summary(s.thresholds.len()))
        })
        .collect();
    let order = worst_first(&groups, &summaries, qpv_layer, s.polarity)?;
    let p = dir.join(format!("cpts_worst_qpv_{}.csv", s.name));
    crate::support::atomic::write_with(&p, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(["cpts", "rank", "qpv_code", "qpv_name", "mean"])?;
        for (c, list) in order.iter().enumerate() {
            for (rank, &q) in list.iter().enumerate() {
                let u = &qpv_layer.units[q];
                let mean = summaries[q]
                    .mean
                    .map(|m| Format::Fixed(4).write(m))
                    .unwrap_or_default();
                csv.write_record([
                    cpts_layer.units[c].code.as_str(),
                    &(rank + 1).to_string(),
                    &u.code,
                    &u.name,
                    &mean,
                ])?;
            }
        }
        csv.flush()?;
        Ok(())
    })?;
    Ok(p)
}

/// A summary of no origin.
fn empty_summary(thresholds: usize) -> crate::aggregate::Summary {
    crate::aggregate::Summary {
        origins: 0,
        population: 0.0,
        origins_without_value: 0,
        population_without_value: 0.0,
        mean: None,
        median: None,
        min: None,
        max: None,
        shares: vec![
            crate::aggregate::Share {
                of_valued: None,
                of_all: None
            };
            thresholds
        ],
    }
}

/// Gini of each indicator and concentration index against income per inhabitant.
fn write_inequality(
    path: &Path,
    summarised: &[Summarised],
    weights: &[f64],
    origins: &[Origin],
) -> anyhow::Result<()> {
    let income: Vec<Option<f64>> = origins
        .iter()
        .map(|o| {
            o.income
                .filter(|_| o.population > 0.0)
                .map(|i| i / o.population)
        })
        .collect();
    let has_income = income.iter().any(Option::is_some);
    Ok(crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "indicator",
            "gini",
            "concentration_index_income",
            "population",
            "population_left_out",
        ])?;
        for s in summarised {
            let indicator = Indicator::new(&s.values, weights)?;
            let g = gini(&indicator)?;
            let c = if has_income {
                concentration_index(&indicator, &income)?.index
            } else {
                None
            };
            let f = |x: Option<f64>| x.map(|x| Format::Fixed(6).write(x)).unwrap_or_default();
            csv.write_record([
                s.name.clone(),
                f(g.index),
                f(c),
                Format::Fixed(1).write(g.population),
                Format::Fixed(1).write(g.population_left_out),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?)
}
