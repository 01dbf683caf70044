//! The `[[suggest]]` sections of a study: where to add sites of a category of care, chosen
//! greedily among candidates for an objective ([`crate::indicators::suggest`]), after the
//! baseline indicators are computed.
//!
//! Objectives:
//! - `coverage`: population newly brought within `minutes` of a site of the category (the
//!   baseline is the study's nearest-site layer of the category, or a nearest-site search
//!   when the study has none or limited it);
//! - `qpv_coverage`: the same, counting only the origins inside a QPV of the study's `qpv`
//!   level;
//! - `access_gain`: population-weighted gain of a per-origin `[[indicators.fca]]` indicator
//!   counted up to a cap θ (Σ_i p_i · (min(A_i', θ) − min(A_i, θ))). An added site brings
//!   `capacity` (2SFCA, E2SFCA, kernels); for an APL indicator it is `capacity` GPs each
//!   with `activity` acts a year, the activity floored and capped by the APL rules
//!   ([`crate::indicators::apl::apl_supply`]; unknown activity: 5,400 acts).
//!
//! Candidates come from a point file (read like `[[supply]] kind = "points"`) or a regular
//! grid of `grid_m` metres over the bounding box of the origins in the study's metric
//! projection ([`crate::support::crs::MetricCrs::for_graph`]). A file candidate that cannot be snapped
//! is rejected with why; grid cells that cannot be snapped (no road within the snap radius)
//! are dropped and counted. Origins that could not be snapped cannot be reached by any
//! candidate: their population is left out of the objective and counted.
//!
//! Output `suggest_{name}.csv`: `pick,candidate,lon,lat,marginal_gain,objective,
//! objective_share,gap_closed`, a `pick = 0` row for the baseline, then one row per pick
//! (see `docs/outputs.md`).

use crate::access::AccessResults;
use crate::export::columns::Format;
use crate::export::report::lang::{Lang, Phrase};
use crate::indicators::apl::apl_supply;
use crate::indicators::catchment::{sweep, NetworkCatchments, Reach};
use crate::indicators::method::FcaMethod;
use crate::indicators::nearest::nearest_sites;
use crate::indicators::suggest::{lazy_greedy, Greedy, Objective, Problem};
use crate::inputs::demand::Origin;
use crate::inputs::points_layer::{read_sites, PointColumns};
use crate::inputs::supply::Site;
use crate::network::graph::Graph;
use crate::snap::{SnapIndex, SnapOptions, Snapped};
use crate::support::crs::MetricCrs;
use crate::support::rejects::Rejects;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// Most grid cells a `grid_m` may lay out (guards against a grid step in the wrong unit).
pub const MAX_GRID_CELLS: usize = 1_000_000;

/// What a suggestion improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestObjective {
    /// Population newly within `minutes` of a site of the category.
    Coverage,
    /// Population inside a QPV newly within `minutes` of a site of the category.
    QpvCoverage,
    /// Population-weighted gain of a floating-catchment indicator, counted up to `cap`.
    AccessGain,
}

/// One `[[suggest]]` section.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestConfig {
    /// Name of the suggestion: the output is `suggest_{name}.csv`.
    pub name: String,
    /// Category of care of the sites to add (`gp`…).
    pub category: String,
    /// Number of sites to add, *k*.
    pub budget: usize,
    /// `coverage`, `qpv_coverage` or `access_gain`.
    pub objective: SuggestObjective,
    /// Threshold of the coverage objectives, minutes (inclusive).
    pub minutes: Option<f64>,
    /// `access_gain`: name of a per-origin `[[indicators.fca]]` indicator of the study.
    pub indicator: Option<String>,
    /// `access_gain`: cap θ, in the indicator's unit (APL: acts a year per standardised
    /// inhabitant); access above it counts as θ.
    pub cap: Option<f64>,
    /// `access_gain`: capacity of each added site (kernel methods: in the supply unit;
    /// APL: number of GPs); default: the candidate file's capacity column, else 1.
    pub capacity: Option<f64>,
    /// `access_gain` with an APL indicator: yearly acts of each GP of an added site, before
    /// the APL floor and cap; default: the candidate file's activity column, else 5,400.
    pub activity: Option<f64>,
    /// Candidate sites: any point file (CSV or GDAL layer), relative to the study file.
    pub candidates: Option<PathBuf>,
    /// Columns of the candidate file, as for `[[supply]] kind = "points"` (the category is
    /// not needed).
    pub columns: Option<Box<PointColumns>>,
    /// Candidates on a regular grid of this step over the origins' bounding box, metres.
    pub grid_m: Option<f64>,
}

impl SuggestConfig {
    /// Checks that the keys given fit the objective; the message names the section.
    pub fn check(&self) -> Result<(), String> {
        let fail = |why: String| Err(format!("[[suggest]] {}: {why}", self.name));
        match (&self.candidates, self.grid_m) {
            (Some(_), None) => {}
            (None, Some(g)) if g.is_finite() && g > 0.0 => {}
            (None, Some(g)) => return fail(format!("grid_m = {g}: a positive number of metres")),
            _ => return fail("give exactly one of candidates (a point file) or grid_m".into()),
        }
        if self.columns.is_some() && self.candidates.is_none() {
            return fail("columns describe a candidates file, and none is given".into());
        }
        let coverage = self.objective != SuggestObjective::AccessGain;
        let access_keys = [
            ("indicator", self.indicator.is_some()),
            ("cap", self.cap.is_some()),
            ("capacity", self.capacity.is_some()),
            ("activity", self.activity.is_some()),
        ];
        if coverage {
            match self.minutes {
                Some(m) if m.is_finite() && m >= 0.0 => {}
                Some(m) => return fail(format!("minutes = {m}: a number ≥ 0")),
                None => return fail("the coverage objectives need minutes".into()),
            }
            if let Some((key, _)) = access_keys.iter().find(|k| k.1) {
                return fail(format!("{key} applies to objective = \"access_gain\" only"));
            }
        } else {
            if self.minutes.is_some() {
                return fail(
                    "minutes applies to the coverage objectives; access_gain uses the indicator's catchment"
                        .into(),
                );
            }
            if self.indicator.is_none() {
                return fail("access_gain needs indicator (an [[indicators.fca]] name)".into());
            }
            match self.cap {
                Some(c) if c.is_finite() && c > 0.0 => {}
                Some(c) => return fail(format!("cap = {c}: a positive number")),
                None => return fail("access_gain needs cap (θ, in the indicator's unit)".into()),
            }
            for (key, v) in [("capacity", self.capacity), ("activity", self.activity)] {
                if let Some(x) = v.filter(|x| !(x.is_finite() && *x >= 0.0)) {
                    return fail(format!("{key} = {x}: a number ≥ 0"));
                }
            }
        }
        Ok(())
    }
}

/// What a suggestion needs from the study run, after the baseline.
pub struct SuggestContext<'a> {
    /// The road graph.
    pub graph: &'a Graph,
    /// The origins, as given to [`crate::access::compute_access`].
    pub origins: &'a [Origin],
    /// The sites, as given to [`crate::access::compute_access`].
    pub sites: &'a [Site],
    /// The baseline: origin and site snaps, nearest layers, floating-catchment layers,
    /// demand.
    pub access: &'a AccessResults,
    /// Per origin, whether it lies inside a QPV (when the study has a `qpv` level).
    pub in_qpv: Option<&'a [bool]>,
    /// Snap radius, metres.
    pub max_snap_m: f64,
    /// Folder of the study file (relative candidate paths).
    pub study_dir: &'a Path,
}

/// One suggested site.
#[derive(Clone, Debug, PartialEq)]
pub struct SuggestedSite {
    /// Candidate id (file id, or `grid-{row}-{column}`).
    pub id: String,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// Marginal gain when picked, in [`SuggestOutcome::unit`].
    pub gain: f64,
    /// Objective after the pick, in [`SuggestOutcome::unit`].
    pub objective: f64,
}

/// What one suggestion found.
#[derive(Clone, Debug, PartialEq)]
pub struct SuggestOutcome {
    /// Name of the section.
    pub name: String,
    /// What the objective measures, in words.
    pub measure: Phrase,
    /// Unit of the objective and the gains.
    pub unit: Phrase,
    /// Candidates considered (snapped).
    pub candidates: usize,
    /// File candidates rejected (not snapped; also in the rejects).
    pub rejected: usize,
    /// Grid cells dropped for want of a road within the snap radius.
    pub grid_dropped: usize,
    /// Population of the origins not snapped, left out of the objective.
    pub population_left_out: f64,
    /// The picks, in order.
    pub picks: Vec<SuggestedSite>,
    /// Objective at baseline, in `unit`.
    pub baseline: f64,
    /// Objective if every counted origin were covered (or at the cap), in `unit`.
    pub ceiling: f64,
    /// Whether selection stopped before the budget because no candidate had a positive gain.
    pub exhausted: bool,
    /// Gain evaluations made with lazy evaluation.
    pub evaluations: u64,
    /// Gain evaluations plain greedy would have made.
    pub plain_evaluations: u64,
    /// The CSV written.
    pub file: PathBuf,
}

impl SuggestOutcome {
    /// Lines for the report and the summary: method, baseline, each pick, accounting.
    pub fn lines(&self) -> Vec<String> {
        // Inhabitants to the tenth; access sums (often small) to four decimals.
        let n = |x: f64| {
            let decimals = if x.abs() >= 100.0 { 1 } else { 4 };
            Format::Fixed(decimals).write(x)
        };
        let pct = |x: f64| {
            if self.ceiling > 0.0 {
                format!(" ({} %)", Format::Fixed(1).write(100.0 * x / self.ceiling))
            } else {
                String::new()
            }
        };
        let mut out = vec![
            format!(
                "suggest {}: {} — greedy choice with lazy evaluation among {} candidates \
                 (a (1 − 1/e) approximation, not an optimum)",
                self.name, self.measure.en, self.candidates
            ),
            format!(
                "  baseline {} {}{}; attainable {} {}",
                n(self.baseline),
                self.unit.en,
                pct(self.baseline),
                n(self.ceiling),
                self.unit.en
            ),
        ];
        for (k, p) in self.picks.iter().enumerate() {
            out.push(format!(
                "  pick {}: {} ({:.5}, {:.5}) gain {} → {} {}{}",
                k + 1,
                p.id,
                p.lon,
                p.lat,
                n(p.gain),
                n(p.objective),
                self.unit.en,
                pct(p.objective)
            ));
        }
        if self.exhausted {
            out.push("  stopped early: no candidate left with a positive gain".into());
        }
        out.push(format!(
            "  {} gain evaluations (plain greedy: {}); {} candidates rejected, {} grid cells off the network dropped; population not snapped, left out: {}",
            self.evaluations,
            self.plain_evaluations,
            self.rejected,
            self.grid_dropped,
            n(self.population_left_out)
        ));
        out
    }
}

impl fmt::Display for SuggestOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.lines().join("\n"))
    }
}

/// A candidate placed on the network.
struct Candidate {
    id: String,
    lon: f64,
    lat: f64,
    snapped: Snapped,
    capacity: Option<f64>,
    activity: Option<f64>,
}

/// Runs one `[[suggest]]` section against the baseline in `ctx`, writes
/// `suggest_{name}.csv` into `out_dir` and returns what it found. File candidates that
/// cannot be snapped go to `rejects`.
pub fn run_suggest(
    cfg: &SuggestConfig,
    ctx: &SuggestContext,
    out_dir: &Path,
    rejects: &mut Rejects,
) -> anyhow::Result<SuggestOutcome> {
    cfg.check().map_err(anyhow::Error::msg)?;
    let what = || format!("[[suggest]] {}", cfg.name);
    let crs = MetricCrs::for_graph(ctx.graph).context("choosing a metric projection")?;
    let index = SnapIndex::new(ctx.graph, &crs).context("building the snapping index")?;
    let opts = SnapOptions {
        max_distance_m: ctx.max_snap_m,
        ..SnapOptions::for_graph(ctx.graph)
    };
    let (candidates, rejected, grid_dropped) =
        candidates(cfg, ctx, &crs, &index, &opts, rejects).with_context(what)?;
    let placed_origins: Vec<Option<Snapped>> = ctx
        .access
        .origin_snaps
        .iter()
        .map(|s| s.as_ref().ok().copied())
        .collect();
    if placed_origins.len() != ctx.origins.len() {
        anyhow::bail!(
            "{}: {} origin snaps for {} origins",
            what(),
            placed_origins.len(),
            ctx.origins.len()
        );
    }
    let mask = match cfg.objective {
        SuggestObjective::QpvCoverage => Some(ctx.in_qpv.with_context(|| {
            format!(
                "{}: qpv_coverage needs a qpv level in [[territories]]",
                what()
            )
        })?),
        _ => None,
    };
    let population: Vec<f64> = ctx
        .origins
        .iter()
        .zip(&placed_origins)
        .map(|(o, s)| if s.is_some() { o.population } else { 0.0 })
        .collect();
    let population_left_out: f64 = ctx
        .origins
        .iter()
        .enumerate()
        .filter(|&(i, _)| placed_origins[i].is_none() && mask.is_none_or(|m| m[i]))
        .map(|(_, o)| o.population)
        .sum();
    let (objective, measure, unit) = objective(cfg, ctx, &placed_origins, &candidates)?;
    let catchments = NetworkCatchments::new(
        ctx.graph,
        placed_origins,
        candidates.iter().map(|c| Some(c.snapped)).collect(),
    );
    let mut reaches: Vec<Reach> = vec![Vec::new(); candidates.len()];
    sweep(&catchments, objective.radius(), |j, r| {
        reaches[j].clone_from(r)
    })
    .with_context(|| format!("{}: candidate catchments", what()))?;
    let greedy = lazy_greedy(
        &Problem {
            population: &population,
            mask,
            reaches: &reaches,
            objective: &objective,
        },
        cfg.budget,
    )
    .with_context(what)?;
    let file = out_dir.join(format!("suggest_{}.csv", cfg.name));
    write_csv(&file, &greedy, &candidates)?;
    Ok(SuggestOutcome {
        name: cfg.name.clone(),
        measure,
        unit,
        candidates: candidates.len(),
        rejected,
        grid_dropped,
        population_left_out,
        picks: greedy
            .picks
            .iter()
            .map(|p| {
                let c = &candidates[p.candidate];
                SuggestedSite {
                    id: c.id.clone(),
                    lon: c.lon,
                    lat: c.lat,
                    gain: p.gain,
                    objective: p.objective,
                }
            })
            .collect(),
        baseline: greedy.baseline,
        ceiling: greedy.ceiling,
        exhausted: greedy.exhausted,
        evaluations: greedy.evaluations,
        plain_evaluations: greedy.plain_evaluations,
        file,
    })
}

/// The candidates, snapped: `(candidates, file candidates rejected, grid cells dropped)`.
fn candidates(
    cfg: &SuggestConfig,
    ctx: &SuggestContext,
    crs: &MetricCrs,
    index: &SnapIndex,
    opts: &SnapOptions,
    rejects: &mut Rejects,
) -> anyhow::Result<(Vec<Candidate>, usize, usize)> {
    if let Some(path) = &cfg.candidates {
        let path = if path.is_relative() {
            ctx.study_dir.join(path)
        } else {
            path.clone()
        };
        let mut columns = cfg.columns.as_deref().cloned().unwrap_or_default();
        if columns.category.is_none() && columns.fixed_category.is_none() {
            columns.fixed_category = Some(cfg.category.clone());
        }
        let sites = read_sites(&path, &columns, rejects)
            .with_context(|| format!("reading the candidates {}", path.display()))?
            .items;
        let points: Vec<(f64, f64)> = sites.iter().map(|s| (s.lon, s.lat)).collect();
        let snaps = index.snap_all(ctx.graph, &points, opts);
        let mut kept = Vec::new();
        let mut rejected = 0;
        for (s, snap) in sites.into_iter().zip(snaps) {
            match snap {
                Ok(snapped) => kept.push(Candidate {
                    snapped,
                    capacity: columns.capacity.is_some().then_some(s.capacity),
                    activity: s.activity,
                    lon: s.lon,
                    lat: s.lat,
                    id: s.id,
                }),
                Err(why) => {
                    let (file, line) = file_and_line(&s.source);
                    rejects.push(
                        file,
                        line,
                        &s.id,
                        format!("suggest {}: candidate not snapped: {why}", cfg.name),
                    );
                    rejected += 1;
                }
            }
        }
        return Ok((kept, rejected, 0));
    }
    let step = cfg.grid_m.context("no candidates and no grid_m")?;
    let cells = grid(ctx.origins, crs, step)?;
    let points: Vec<(f64, f64)> = cells.iter().map(|c| (c.1, c.2)).collect();
    let snaps = index.snap_all(ctx.graph, &points, opts);
    let mut kept = Vec::new();
    for ((id, lon, lat), snap) in cells.into_iter().zip(snaps) {
        if let Ok(snapped) = snap {
            kept.push(Candidate {
                id,
                lon,
                lat,
                snapped,
                capacity: None,
                activity: None,
            });
        }
    }
    let dropped = points.len() - kept.len();
    Ok((kept, 0, dropped))
}

/// Centres of a `step` metre grid covering the bounding box of `origins` in `crs`, as
/// `(grid-{row}-{column}, lon, lat)`, row by row from the south-west.
fn grid(origins: &[Origin], crs: &MetricCrs, step: f64) -> anyhow::Result<Vec<(String, f64, f64)>> {
    let mut xy: Vec<[f64; 2]> = origins
        .iter()
        .filter(|o| o.lon.is_finite() && o.lat.is_finite())
        .map(|o| [o.lon, o.lat])
        .collect();
    if xy.is_empty() {
        anyhow::bail!("grid_m: no origin to lay a grid over");
    }
    crs.to_metric(&mut xy).context("projecting the origins")?;
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &xy {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let count = |k: usize| (((hi[k] - lo[k]) / step).ceil() as usize).max(1);
    let (cols, rows) = (count(0), count(1));
    if cols.saturating_mul(rows) > MAX_GRID_CELLS {
        anyhow::bail!(
            "grid_m = {step}: {cols} × {rows} cells over the origins, more than {MAX_GRID_CELLS}; use a larger step"
        );
    }
    let mut centres: Vec<[f64; 2]> = Vec::with_capacity(cols * rows);
    for r in 0..rows {
        for c in 0..cols {
            centres.push([
                lo[0] + (c as f64 + 0.5) * step,
                lo[1] + (r as f64 + 0.5) * step,
            ]);
        }
    }
    crs.to_wgs84(&mut centres)
        .context("projecting the grid back to WGS84")?;
    Ok(centres
        .into_iter()
        .enumerate()
        .map(|(k, p)| (format!("grid-{}-{}", k / cols, k % cols), p[0], p[1]))
        .collect())
}

/// The objective of `cfg`, with what it measures and its unit.
fn objective(
    cfg: &SuggestConfig,
    ctx: &SuggestContext,
    origins: &[Option<Snapped>],
    candidates: &[Candidate],
) -> anyhow::Result<(Objective, Phrase, Phrase)> {
    let name = &cfg.name;
    if cfg.objective != SuggestObjective::AccessGain {
        let minutes = cfg.minutes.unwrap_or_default();
        let covered = baseline_coverage(ctx, origins, &cfg.category, minutes)
            .with_context(|| format!("[[suggest]] {name}: baseline coverage"))?;
        let (whom_fr, whom_en) = if cfg.objective == SuggestObjective::QpvCoverage {
            ("population des QPV", "population inside a QPV")
        } else {
            ("population", "population")
        };
        let m = Format::Shortest.write(minutes);
        return Ok((
            Objective::Coverage { minutes, covered },
            Phrase {
                fr: format!(
                    "{whom_fr} à {} min ou moins d'{}",
                    m.replace('.', ","),
                    super::report::care_indefinite(&cfg.category, Lang::Fr)
                ),
                en: format!("{whom_en} within {m} min of a {} site", cfg.category),
            },
            Phrase {
                fr: "habitants".into(),
                en: "inhabitants".into(),
            },
        ));
    }
    let indicator = cfg.indicator.as_deref().unwrap_or_default();
    let layer = ctx
        .access
        .fca
        .iter()
        .find(|l| l.request.name == indicator)
        .with_context(|| {
            format!("[[suggest]] {name}: indicator = {indicator:?} names no per-origin [[indicators.fca]] of the study")
        })?;
    if layer.request.category != cfg.category {
        anyhow::bail!(
            "[[suggest]] {name}: indicator {indicator} is computed on category {}, not {}",
            layer.request.category,
            cfg.category
        );
    }
    let capacity = |c: &Candidate| cfg.capacity.or(c.capacity).unwrap_or(1.0);
    let (kernel, supply): (_, Vec<f64>) = match &layer.request.method {
        FcaMethod::Kernel(k) => {
            if cfg.activity.is_some() || candidates.iter().any(|c| c.activity.is_some()) {
                anyhow::bail!(
                    "[[suggest]] {name}: activity applies to APL indicators; {indicator} shares capacity"
                );
            }
            (k.clone(), candidates.iter().map(capacity).collect())
        }
        FcaMethod::Apl(rules) => {
            let acts_per_gp = |c: &Candidate| {
                let gp = Site {
                    id: c.id.clone(),
                    category: cfg.category.clone(),
                    lon: c.lon,
                    lat: c.lat,
                    capacity: 1.0,
                    activity: cfg.activity.or(c.activity),
                    age: None,
                    source: String::new(),
                };
                apl_supply(&[gp], rules).acts[0]
            };
            (
                rules.kernel.clone(),
                candidates
                    .iter()
                    .map(|c| capacity(c) * acts_per_gp(c))
                    .collect(),
            )
        }
    };
    let cap = cfg.cap.unwrap_or_default();
    Ok((
        Objective::AccessGain {
            kernel,
            supply,
            demand: ctx.access.demand.clone(),
            access: layer.result.access.clone(),
            cap,
        },
        Phrase {
            fr: format!(
                "{indicator} pondéré par la population, compté jusqu'à {}",
                Format::Shortest.write(cap).replace('.', ",")
            ),
            en: format!(
                "population-weighted {indicator} counted up to {}",
                Format::Shortest.write(cap)
            ),
        },
        Phrase {
            fr: format!("habitants × {indicator}"),
            en: format!("inhabitants × {indicator}"),
        },
    ))
}

/// Per origin, whether a site of `category` lies within `minutes`: from the study's
/// nearest layer when it is complete (every snapped origin has its nearest site), else from
/// a nearest-site search bounded at `minutes`.
fn baseline_coverage(
    ctx: &SuggestContext,
    origins: &[Option<Snapped>],
    category: &str,
    minutes: f64,
) -> anyhow::Result<Vec<bool>> {
    let max_ms = (minutes * 60_000.0)
        .floor()
        .clamp(0.0, f64::from(u32::MAX - 2)) as u32;
    let within = |list: &[crate::indicators::nearest::Reached]| {
        list.first().is_some_and(|r| r.time_ms <= max_ms)
    };
    let layer = ctx.access.nearest.iter().find(|l| l.category == category);
    if let Some(l) = layer.filter(|l| {
        l.nearest.len() == origins.len()
            && origins
                .iter()
                .zip(&l.nearest)
                .all(|(o, n)| o.is_none() || !n.is_empty())
    }) {
        return Ok(l.nearest.iter().map(|n| within(n)).collect());
    }
    let sites: Vec<Option<Snapped>> = ctx
        .sites
        .iter()
        .zip(&ctx.access.site_snaps)
        .filter(|(s, _)| s.category == category)
        .map(|(_, snap)| snap.as_ref().ok().copied())
        .collect();
    let nearest = nearest_sites(ctx.graph, origins, &sites, 1, Some(max_ms))?;
    Ok(nearest.iter().map(|n| within(n)).collect())
}

/// Writes `suggest_{name}.csv`: a baseline row (`pick` 0), then one row per pick.
fn write_csv(path: &Path, g: &Greedy, candidates: &[Candidate]) -> anyhow::Result<()> {
    let share = |x: f64| {
        if g.ceiling > 0.0 {
            Format::Fixed(6).write(x / g.ceiling)
        } else {
            String::new()
        }
    };
    let closed = |x: f64| {
        if g.ceiling > g.baseline {
            Format::Fixed(6).write((x - g.baseline) / (g.ceiling - g.baseline))
        } else {
            String::new()
        }
    };
    let num = |x: f64| Format::Fixed(4).write(x);
    Ok(crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record([
            "pick",
            "candidate",
            "lon",
            "lat",
            "marginal_gain",
            "objective",
            "objective_share",
            "gap_closed",
        ])?;
        csv.write_record([
            "0".to_string(),
            "baseline".into(),
            String::new(),
            String::new(),
            String::new(),
            num(g.baseline),
            share(g.baseline),
            closed(g.baseline),
        ])?;
        for (k, p) in g.picks.iter().enumerate() {
            let c = &candidates[p.candidate];
            csv.write_record([
                (k + 1).to_string(),
                c.id.clone(),
                Format::Fixed(6).write(c.lon),
                Format::Fixed(6).write(c.lat),
                num(p.gain),
                num(p.objective),
                share(p.objective),
                closed(p.objective),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?)
}

/// Splits a `file:line` source into its parts (line 0 when there is none).
fn file_and_line(source: &str) -> (&str, u64) {
    match source.rsplit_once(':') {
        Some((file, line)) if !file.is_empty() => match line.parse() {
            Ok(n) => (file, n),
            Err(_) => (source, 0),
        },
        _ => (source, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &str) -> Result<SuggestConfig, String> {
        let text = format!("name = \"s\"\ncategory = \"gp\"\nbudget = 3\n{extra}");
        let cfg: SuggestConfig = toml::from_str(&text).map_err(|e| e.to_string())?;
        cfg.check()?;
        Ok(cfg)
    }

    #[test]
    fn sections_read_and_checked() {
        let c = parse("objective = \"coverage\"\nminutes = 10\ngrid_m = 500").unwrap();
        assert_eq!(c.objective, SuggestObjective::Coverage);
        let c = parse(
            "objective = \"access_gain\"\nindicator = \"apl\"\ncap = 2.5\ncapacity = 4\nactivity = 3600\ncandidates = \"c.csv\"",
        )
        .unwrap();
        assert_eq!((c.capacity, c.activity), (Some(4.0), Some(3600.0)));
        for (extra, want) in [
            (
                "objective = \"coverage\"\nminutes = 10",
                "exactly one of candidates",
            ),
            (
                "objective = \"coverage\"\nminutes = 10\ngrid_m = 500\ncandidates = \"c.csv\"",
                "exactly one of candidates",
            ),
            ("objective = \"qpv_coverage\"\ngrid_m = 500", "need minutes"),
            (
                "objective = \"coverage\"\nminutes = 10\ngrid_m = 500\ncap = 2",
                "cap applies to objective = \"access_gain\" only",
            ),
            (
                "objective = \"access_gain\"\nindicator = \"apl\"\ngrid_m = 500",
                "needs cap",
            ),
            (
                "objective = \"access_gain\"\ncap = 2\nminutes = 5\ngrid_m = 500",
                "minutes applies",
            ),
            ("objective = \"covrage\"\ngrid_m = 500", "unknown variant"),
            (
                "objective = \"coverage\"\nminutes = 10\ngrid_m = 500\nbudjet = 2",
                "unknown field",
            ),
            (
                "objective = \"coverage\"\nminutes = 10\ngrid_m = -5",
                "grid_m = -5",
            ),
        ] {
            let e = parse(extra).unwrap_err();
            assert!(e.contains(want), "{extra}: {e}");
        }
    }

    #[test]
    fn sources_split_into_file_and_line() {
        assert_eq!(file_and_line("a/c.csv:12"), ("a/c.csv", 12));
        assert_eq!(file_and_line("grid"), ("grid", 0));
    }

    #[test]
    fn the_grid_covers_the_origins_bounding_box() {
        let o = |lon: f64, lat: f64| Origin {
            id: "o".into(),
            lon,
            lat,
            population: 1.0,
            ages: None,
            income: None,
            source: String::new(),
        };
        let crs = MetricCrs::from_epsg(2154).unwrap();
        // About 1.46 km east-west and 1.11 km north-south near Bondy.
        let cells = grid(&[o(2.47, 48.90), o(2.49, 48.91)], &crs, 500.0).unwrap();
        assert_eq!(cells.len(), 3 * 3);
        assert_eq!(cells[0].0, "grid-0-0");
        assert_eq!(cells[8].0, "grid-2-2");
        for (_, lon, lat) in &cells {
            assert!((2.465..2.495).contains(lon) && (48.895..48.915).contains(lat));
        }
        let e = grid(&[o(2.47, 48.90), o(2.49, 48.91)], &crs, 0.01).unwrap_err();
        assert!(e.to_string().contains("more than"), "{e}");
    }
}
