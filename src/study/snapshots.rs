//! Years compared (`[[snapshot]]`): the same study on the inputs of other dates — the
//! supply of 2016 against today's, two screening campaigns — and the change per unit.
//!
//! Each snapshot is the study as written with some inputs replaced: `[[snapshot.supply]]`
//! (the whole supply), `[snapshot.population]`, `[[snapshot.external]]` (an outside table
//! by name). An input a snapshot does not replace is the study's, read once: its origins,
//! sites, snapping, outside tables and reference tables are reused; only what a replaced
//! input changes is computed again (a snapshot replacing nothing reuses the study's
//! results as they are).
//!
//! Per snapshot, in `snapshots/{name}/`: `{level}.csv` (every per-unit column of the level
//! — the summaries of each indicator, the commune-level FCA, supply and densities, outside
//! indicators, group populations), `{level}/supply.csv`, `{level}/external.csv`,
//! `groups.csv`, `typology_{name}.csv` as for the study ([`super::published`]), and
//! `rejects.csv` (what the snapshot's own inputs left out).
//!
//! The snapshots are compared in the order given: every later snapshot B against the first,
//! A. Per level, `snapshots/{A}_to_{B}/{level}.csv` (and `.geojson`, and a layer
//! `{level}_{A}_to_{B}` of `snapshots/changes.gpkg`) give, for each column both hold,
//! `{column}_{A}`, `{column}_{B}`, `{column}_change` = B − A and `{column}_change_pct` =
//! 100 × (B − A) / A when A > 0 and the column is not a share (a share's change is read in
//! points). Each indicator's minimum, maximum and populations are not repeated.

use super::config::{PopulationInput, Study, SupplyInput};
use super::inputs::{read_population, read_supply};
use super::levels::{
    commune_level_columns, file_and_line, summaries, summarised, summary_columns,
    CommuneTimesCache, People, Summarised,
};
use super::published::{run_published, Published, Tables};
use crate::access::{AccessEngine, AccessResults};
use crate::aggregate::{Assignment, Polarity};
use crate::export::columns::{origin_columns, Column, Format, Values};
use crate::export::geojson::write_units_geojson;
use crate::export::gpkg::GpkgWriter;
use crate::inputs::demand::Origin;
use crate::inputs::supply::Site;
use crate::inputs::territory::{UnitIndex, UnitLayer};
use crate::network::graph::Graph;
use crate::support::rejects::Rejects;
use serde::Deserialize;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// One `[[snapshot]]`: the study on other inputs.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotConfig {
    /// Name (letters, digits, `-`, `_`): folder `snapshots/{name}/`, column suffix `_{name}`.
    pub name: String,
    /// What the snapshot is, in words.
    #[serde(default)]
    pub description: String,
    /// Supply files replacing the study's `[[supply]]` (absent: the study's).
    pub supply: Option<Vec<SupplyInput>>,
    /// Population replacing the study's `[population]` (absent: the study's).
    pub population: Option<PopulationInput>,
    /// Outside tables replacing the study's, by `[[indicators.external]]` name.
    #[serde(default)]
    pub external: Vec<ExternalOverride>,
}

/// Another file for one `[[indicators.external]]` table (same columns and settings).
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalOverride {
    /// The `name` of the `[[indicators.external]]` replaced.
    pub name: String,
    /// Its file for this snapshot.
    pub path: PathBuf,
}

impl SnapshotConfig {
    /// Every file the snapshot reads.
    pub fn paths(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = self
            .supply
            .iter()
            .flatten()
            .flat_map(|s| s.paths())
            .collect();
        out.extend(self.population.as_ref().map(PopulationInput::path));
        out.extend(self.external.iter().map(|e| e.path.as_path()));
        out
    }

    /// Makes the snapshot's relative paths relative to `base`.
    pub(crate) fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        for s in self.supply.iter_mut().flatten() {
            match s {
                SupplyInput::Annuaire { path, ban } => {
                    fix(path);
                    ban.iter_mut().for_each(fix);
                }
                SupplyInput::Finess { path } | SupplyInput::Points { path, .. } => fix(path),
            }
        }
        if let Some(
            PopulationInput::Filosofi { path, .. }
            | PopulationInput::Points { path, .. }
            | PopulationInput::Areal { path, .. },
        ) = &mut self.population
        {
            fix(path);
        }
        for e in &mut self.external {
            fix(&mut e.path);
        }
    }
}

/// Checks the `[[snapshot]]` sections against the study (before any work).
pub fn check(study: &Study) -> Result<(), String> {
    let snapshots = &study.snapshot;
    if snapshots.len() == 1 {
        return Err(format!(
            "[[snapshot]] {}: snapshots are compared with each other; name at least two (one may replace nothing: the study as written)",
            snapshots[0].name
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for s in snapshots {
        super::checks::check_output_name("[[snapshot]] name", &s.name)?;
        if !seen.insert(s.name.as_str()) {
            return Err(format!("[[snapshot]] {:?} given twice", s.name));
        }
        for e in &s.external {
            if !study.indicators.external.iter().any(|x| x.name == e.name) {
                let names: Vec<&str> = study
                    .indicators
                    .external
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect();
                return Err(format!(
                    "[[snapshot]] {}: [[snapshot.external]] name = {:?} is no [[indicators.external]] (names: {})",
                    s.name,
                    e.name,
                    names.join(", ")
                ));
            }
        }
        if let Some(p) = &s.population {
            if !p.groups().is_empty() {
                return Err(format!(
                    "[[snapshot]] {}: the target groups are the study's [[population.groups]]; give none in [snapshot.population]",
                    s.name
                ));
            }
            let filosofi = matches!(p, PopulationInput::Filosofi { .. });
            if !study.population.groups().is_empty() && !filosofi {
                return Err(format!(
                    "[[snapshot]] {}: the study's [[population.groups]] need Filosofi cells in [snapshot.population]",
                    s.name
                ));
            }
            if let PopulationInput::Areal { units, .. } = p {
                if !study.territories.iter().any(|t| &t.kind == units) {
                    return Err(format!(
                        "[[snapshot]] {}: [snapshot.population] units = {units:?} names no [[territories]] kind",
                        s.name
                    ));
                }
            }
        }
        if s.supply.as_ref().is_some_and(Vec::is_empty) {
            return Err(format!(
                "[[snapshot]] {}: supply = [] leaves nothing to measure access to",
                s.name
            ));
        }
    }
    Ok(())
}

/// What the study's run hands to the snapshots: everything a snapshot may reuse.
pub(crate) struct SnapshotBase<'a> {
    /// The study as written (aliases of categories resolved).
    pub study: &'a Study,
    /// The network.
    pub graph: &'a Graph,
    /// The study's origins snapped.
    pub engine: &'a AccessEngine<'a>,
    /// The study's indicators.
    pub access: &'a AccessResults,
    /// The study's origins.
    pub origins: &'a [Origin],
    /// The study's sites.
    pub sites: &'a [Site],
    /// Territorial levels.
    pub levels: &'a [UnitLayer],
    /// Units of each origin, per level.
    pub memberships: &'a [Vec<Vec<usize>>],
    /// Commune-to-commune times already searched.
    pub commune_times: &'a CommuneTimesCache,
    /// Outside and reference tables already read.
    pub tables: &'a Tables,
    /// Output folder.
    pub dir: &'a Path,
    /// Folder of the study file (the rejects' paths are given relative to it).
    pub study_dir: &'a Path,
}

/// One comparison A → B of one level's column, for the report's map of the change.
pub(crate) struct Change {
    /// Name of snapshot A.
    pub from: String,
    /// Name of snapshot B.
    pub to: String,
    /// Index of the level mapped.
    pub level: usize,
    /// Column mapped.
    pub indicator: String,
    /// Whether higher values are better.
    pub polarity: Polarity,
    /// Value per unit in A.
    pub before: Vec<Option<f64>>,
    /// Value per unit in B.
    pub after: Vec<Option<f64>>,
    /// Headline figures, `[what, value]`.
    pub rows: Vec<Vec<String>>,
}

/// What the snapshots wrote.
pub(crate) struct SnapshotsOutput {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Summary lines, one per snapshot and comparison.
    pub notes: Vec<String>,
    /// The change mapped per comparison.
    pub changes: Vec<Change>,
}

/// The inputs a snapshot replaced, read.
struct Replaced {
    origins: Option<Vec<Origin>>,
    sites: Option<Vec<Site>>,
    rejects: Rejects,
}

/// A snapshot computed: its per-unit columns per level.
struct Computed {
    columns: Vec<Vec<Column>>,
    /// The per-origin indicators summarised.
    summarised: Vec<Summarised>,
}

/// Computes every snapshot and the changes; nothing when the study names none.
pub(crate) fn run_snapshots(base: &SnapshotBase) -> anyhow::Result<SnapshotsOutput> {
    let mut out = SnapshotsOutput {
        files: Vec::new(),
        notes: Vec::new(),
        changes: Vec::new(),
    };
    if base.study.snapshot.is_empty() {
        return Ok(out);
    }
    let mut replaced = Vec::new();
    for cfg in &base.study.snapshot {
        let study = snapshot_study(base.study, cfg, &[]);
        let mut rejects = Rejects::default();
        let origins = match cfg.population {
            Some(_) => Some(read_population(&study, base.levels, &mut rejects)?),
            None => None,
        };
        let sites = match &cfg.supply {
            Some(supply) => Some(snapshot_sites(base, supply, &mut rejects)?),
            None => None,
        };
        replaced.push(Replaced {
            origins,
            sites,
            rejects,
        });
    }
    // Every snapshot gets the columns of every category of any of them.
    let mut categories = base.study.densities.categories.clone();
    if categories.is_empty() {
        let all = base
            .sites
            .iter()
            .chain(replaced.iter().flat_map(|r| r.sites.iter().flatten()));
        categories = all.map(|s| s.category.clone()).collect();
        categories.sort();
        categories.dedup();
    }
    let mut computed = Vec::new();
    for (cfg, r) in base.study.snapshot.iter().zip(&mut replaced) {
        let dir = base.dir.join("snapshots").join(&cfg.name);
        std::fs::create_dir_all(&dir)?;
        let c = compute(base, cfg, r, &categories, &dir, &mut out.files)?;
        r.rejects.relative_to(base.study_dir);
        let p = dir.join("rejects.csv");
        r.rejects.write_csv(&p)?;
        out.files.push(p);
        let origins = r.origins.as_deref().unwrap_or(base.origins);
        let sites = r.sites.as_deref().unwrap_or(base.sites);
        out.notes.push(format!(
            "snapshot {}: {} origins ({:.0} inhabitants), {} sites{}; {} rejected (snapshots/{}/rejects.csv)",
            cfg.name,
            origins.len(),
            origins.iter().map(|o| o.population).sum::<f64>(),
            sites.len(),
            replaced_list(cfg),
            r.rejects.len(),
            cfg.name
        ));
        computed.push(c);
    }
    let (first, rest) = base.study.snapshot.split_first().expect("two snapshots");
    let mut gpkg = match base.study.output.gpkg {
        true => Some(GpkgWriter::create(
            &base.dir.join("snapshots").join("changes.gpkg"),
        )?),
        false => None,
    };
    for (cfg, c) in rest.iter().zip(&computed[1..]) {
        let folder = format!("{}_to_{}", first.name, cfg.name);
        let dir = base.dir.join("snapshots").join(&folder);
        std::fs::create_dir_all(&dir)?;
        let skipped = skipped_columns(&computed[0].summarised);
        for (k, level) in base.levels.iter().enumerate() {
            let columns = change_columns(
                &computed[0].columns[k],
                &c.columns[k],
                (&first.name, &cfg.name),
                &skipped,
            );
            let p = dir.join(format!("{}.csv", level.kind));
            write_unit_columns(&p, level, &columns)?;
            out.files.push(p);
            if base.study.output.geojson {
                let p = dir.join(format!("{}.geojson", level.kind));
                write_units_geojson(&p, level, &columns)?;
                out.files.push(p);
            }
            if let Some(g) = &mut gpkg {
                g.add_units(&format!("{}_{folder}", level.kind), level, &columns)?;
            }
        }
        if let Some(change) = mapped_change(base, (first, &computed[0]), (cfg, c)) {
            out.notes.push(format!(
                "snapshots {} → {}: {}",
                first.name,
                cfg.name,
                change
                    .rows
                    .iter()
                    .map(|r| r.join(" "))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            out.changes.push(change);
        }
    }
    if let Some(g) = gpkg {
        g.finish()?;
        out.files
            .push(base.dir.join("snapshots").join("changes.gpkg"));
    }
    Ok(out)
}

/// The sites of a snapshot's `[[snapshot.supply]]`: an entry identical to one of the
/// study's `[[supply]]` gives the study's sites of that file (read once); the others are
/// read.
fn snapshot_sites(
    base: &SnapshotBase,
    supply: &[SupplyInput],
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<Site>> {
    let mut sites = Vec::new();
    for entry in supply {
        let same = |s: &SupplyInput| format!("{s:?}") == format!("{entry:?}");
        if base.study.supply.iter().any(same) {
            let file = entry.paths()[0].display().to_string();
            sites.extend(
                base.sites
                    .iter()
                    .filter(|s| file_and_line(&s.source).0 == file)
                    .cloned(),
            );
        } else {
            let mut one = base.study.clone();
            one.supply = vec![entry.clone()];
            sites.extend(read_supply(&one, rejects)?);
        }
    }
    Ok(sites)
}

/// `; replaces supply, population, external participation` or nothing.
fn replaced_list(cfg: &SnapshotConfig) -> String {
    let mut what = Vec::new();
    if cfg.supply.is_some() {
        what.push("supply".to_string());
    }
    if cfg.population.is_some() {
        what.push("population".to_string());
    }
    what.extend(cfg.external.iter().map(|e| format!("external {}", e.name)));
    match what.is_empty() {
        true => " (the study's inputs)".to_string(),
        false => format!(" (replaces {})", what.join(", ")),
    }
}

/// The study with the snapshot's inputs in place of its own, and only the sections a
/// snapshot computes.
fn snapshot_study(study: &Study, cfg: &SnapshotConfig, categories: &[String]) -> Study {
    let mut s = study.clone();
    if let Some(supply) = &cfg.supply {
        s.supply = supply.clone();
    }
    if let Some(population) = &cfg.population {
        let groups = study.population.groups().to_vec();
        s.population = population.clone();
        if let PopulationInput::Filosofi { groups: g, .. } = &mut s.population {
            *g = groups;
        }
    }
    for e in &mut s.indicators.external {
        if let Some(o) = cfg.external.iter().find(|o| o.name == e.name) {
            e.path = o.path.clone();
        }
    }
    if !categories.is_empty() {
        s.densities.categories = categories.to_vec();
    }
    s.scenario.clear();
    s.suggest.clear();
    s.zonage = None;
    s.icc = None;
    s.snapshot.clear();
    s
}

/// One snapshot's per-unit columns, with its tables written into `dir`.
fn compute(
    base: &SnapshotBase,
    cfg: &SnapshotConfig,
    replaced: &mut Replaced,
    categories: &[String],
    dir: &Path,
    files: &mut Vec<PathBuf>,
) -> anyhow::Result<Computed> {
    let study = snapshot_study(base.study, cfg, categories);
    let origins = replaced.origins.as_deref().unwrap_or(base.origins);
    let sites = replaced.sites.as_deref().unwrap_or(base.sites);
    let rejects = &mut replaced.rejects;
    let own_engine = match replaced.origins {
        Some(_) => Some(AccessEngine::new(base.graph, origins, base.engine.spec())?),
        None => None,
    };
    let engine = own_engine.as_ref().unwrap_or(base.engine);
    let own_access = match (&replaced.origins, &replaced.sites) {
        (None, None) => None,
        _ => Some(engine.baseline(sites)?.results),
    };
    let access = own_access.as_ref().unwrap_or(base.access);
    if replaced.origins.is_some() {
        for (i, why) in access.unsnapped_origins() {
            let (file, line) = file_and_line(&origins[i].source);
            rejects.push(
                file,
                line,
                &origins[i].id,
                format!("origin not snapped: {why}"),
            );
        }
    }
    if replaced.sites.is_some() {
        for (j, why) in access.unsnapped_sites() {
            let (file, line) = file_and_line(&sites[j].source);
            rejects.push(file, line, &sites[j].id, format!("site not snapped: {why}"));
        }
    }
    let columns = origin_columns(access, sites);
    let summarised = summarised(&study, access, &columns);
    let weights: Vec<f64> = origins.iter().map(|o| o.population).collect();
    let memberships: Cow<[Vec<Vec<usize>>]> = match replaced.origins {
        Some(_) => {
            let points: Vec<(f64, f64)> = origins.iter().map(|o| (o.lon, o.lat)).collect();
            Cow::Owned(
                base.levels
                    .iter()
                    .map(|l| UnitIndex::new(l).assign_points(&points))
                    .collect(),
            )
        }
        None => Cow::Borrowed(base.memberships),
    };
    let mut level_columns: Vec<Vec<Column>> = Vec::new();
    for (level, units_of) in base.levels.iter().zip(memberships.iter()) {
        let assignment = Assignment::new(units_of, level.units.len())?;
        let mut unit_columns = Vec::new();
        for s in &summarised {
            let sums = summaries(s, &weights, &assignment)?;
            unit_columns.extend(summary_columns(&s.name, &sums));
        }
        level_columns.push(unit_columns);
    }
    if let Some(c) = base.levels.iter().position(|l| l.kind == "commune") {
        let mut own_times = CommuneTimesCache::new();
        let extra = commune_level_columns(
            &study,
            base.graph,
            &base.levels[c],
            People {
                membership: &memberships[c],
                origins,
                demand: &access.demand,
            },
            sites,
            base.commune_times,
            &mut own_times,
            rejects,
        )?;
        level_columns[c].extend(extra);
    }
    let published = run_published(
        &Published {
            study: &study,
            levels: base.levels,
            memberships: &memberships,
            origins,
            sites,
            summarised: &summarised,
            dir,
            known: Some(base.tables),
        },
        &mut level_columns,
        rejects,
    )?;
    files.extend(published.files);
    for (level, columns) in base.levels.iter().zip(&level_columns) {
        let p = dir.join(format!("{}.csv", level.kind));
        write_unit_columns(&p, level, columns)?;
        files.push(p);
    }
    Ok(Computed {
        columns: level_columns,
        summarised,
    })
}

/// The columns not repeated in the changes: each indicator's minimum, maximum and
/// populations.
fn skipped_columns(summarised: &[Summarised]) -> Vec<String> {
    summarised
        .iter()
        .flat_map(|s| {
            ["min", "max", "population", "population_with_value"]
                .map(|suffix| format!("{}_{suffix}", s.name))
        })
        .collect()
}

/// `{c}_{A}`, `{c}_{B}`, `{c}_change`, `{c}_change_pct` for each number column of `a` that
/// `b` holds too, in `a`'s order.
fn change_columns(
    a: &[Column],
    b: &[Column],
    (name_a, name_b): (&str, &str),
    skipped: &[String],
) -> Vec<Column> {
    let mut out = Vec::new();
    for ca in a.iter().filter(|c| !skipped.contains(&c.name)) {
        let Some(va) = ca.numbers() else { continue };
        let Some(cb) = b.iter().find(|c| c.name == ca.name) else {
            continue;
        };
        let Some(vb) = cb.numbers() else { continue };
        let format = match &ca.values {
            Values::Number(_, f) => *f,
            Values::Text(_) => Format::Shortest,
        };
        let change: Vec<Option<f64>> = va
            .iter()
            .zip(vb)
            .map(|(x, y)| Some((*y)? - (*x)?))
            .collect();
        let pct: Vec<Option<f64>> = va
            .iter()
            .zip(vb)
            .map(|(x, y)| match (*x, *y) {
                (Some(x), Some(y)) if x > 0.0 => Some(100.0 * (y - x) / x),
                _ => None,
            })
            .collect();
        let number = |suffix: &str, v: Vec<Option<f64>>, f: Format| Column {
            name: format!("{}_{suffix}", ca.name),
            values: Values::Number(v, f),
        };
        out.push(number(name_a, va.to_vec(), format));
        out.push(number(name_b, vb.to_vec(), format));
        let change_format = match format {
            Format::Fixed(d) => Format::Fixed(d),
            _ => Format::Fixed(4),
        };
        out.push(number("change", change, change_format));
        if !ca.name.contains("share") {
            out.push(number("change_pct", pct, Format::Fixed(1)));
        }
    }
    out
}

/// The change the report maps: on the commune level (else the first), the first of the
/// densities, the indicators' means and the outside indicators whose value changes in some
/// unit.
fn mapped_change(
    base: &SnapshotBase,
    (a, ca): (&SnapshotConfig, &Computed),
    (b, cb): (&SnapshotConfig, &Computed),
) -> Option<Change> {
    let level = base
        .levels
        .iter()
        .position(|l| l.kind == "commune")
        .unwrap_or(0);
    let mut candidates: Vec<(String, Polarity)> = ca.columns[level]
        .iter()
        .filter(|c| c.name.ends_with("_density"))
        .map(|c| (c.name.clone(), Polarity::HigherIsBetter))
        .collect();
    candidates.extend(
        ca.summarised
            .iter()
            .map(|s| (format!("{}_mean", s.name), s.polarity)),
    );
    candidates.extend(base.study.indicators.external.iter().map(|e| {
        let polarity = match e.lower_is_better {
            true => Polarity::LowerIsBetter,
            false => Polarity::HigherIsBetter,
        };
        (e.name.clone(), polarity)
    }));
    let values = |columns: &[Column], name: &str| {
        columns
            .iter()
            .find(|c| c.name == name)
            .and_then(Column::numbers)
            .map(<[Option<f64>]>::to_vec)
    };
    candidates.into_iter().find_map(|(name, polarity)| {
        let before = values(&ca.columns[level], &name)?;
        let after = values(&cb.columns[level], &name)?;
        if before == after {
            return None;
        }
        let count = |up: bool| {
            before
                .iter()
                .zip(&after)
                .filter(|(x, y)| matches!((x, y), (Some(x), Some(y)) if (y > x) == up && y != x))
                .count()
        };
        let rows = vec![
            vec![
                "indicator mapped".to_string(),
                format!("{name} per {}", base.levels[level].kind),
            ],
            vec![
                format!("units up / down, {} → {}", a.name, b.name),
                format!("{} / {} of {}", count(true), count(false), before.len()),
            ],
        ];
        Some(Change {
            from: a.name.clone(),
            to: b.name.clone(),
            level,
            indicator: name,
            polarity,
            before,
            after,
            rows,
        })
    })
}

/// Writes `code,name,<columns…>`, one row per unit.
fn write_unit_columns(path: &Path, level: &UnitLayer, columns: &[Column]) -> anyhow::Result<()> {
    crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header = vec!["code".to_string(), "name".into()];
        header.extend(columns.iter().map(|c| c.name.clone()));
        csv.write_record(&header)?;
        for (i, u) in level.units.iter().enumerate() {
            let mut row = vec![u.code.clone(), u.name.clone()];
            row.extend(columns.iter().map(|c| c.text(i)));
            csv.write_record(&row)?;
        }
        csv.flush()?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(name: &str, v: &[Option<f64>], f: Format) -> Column {
        Column {
            name: name.into(),
            values: Values::Number(v.to_vec(), f),
        }
    }

    #[test]
    fn changes_are_b_minus_a_with_a_relative_change_except_for_shares() {
        let a = [
            number(
                "gp_density",
                &[Some(8.0), Some(0.0), None],
                Format::Fixed(2),
            ),
            number(
                "gp_minutes_share_beyond_10",
                &[Some(0.25), Some(0.5), Some(0.0)],
                Format::Fixed(4),
            ),
            number("gp_minutes_min", &[Some(1.0); 3], Format::Fixed(4)),
            number("only_in_a", &[Some(1.0); 3], Format::Fixed(4)),
        ];
        let b = [
            number(
                "gp_density",
                &[Some(6.0), Some(2.0), Some(1.0)],
                Format::Fixed(2),
            ),
            number(
                "gp_minutes_share_beyond_10",
                &[Some(0.5), Some(0.5), Some(0.1)],
                Format::Fixed(4),
            ),
            number("gp_minutes_min", &[Some(2.0); 3], Format::Fixed(4)),
        ];
        let out = change_columns(&a, &b, ("2016", "2026"), &["gp_minutes_min".to_string()]);
        let names: Vec<&str> = out.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "gp_density_2016",
                "gp_density_2026",
                "gp_density_change",
                "gp_density_change_pct",
                "gp_minutes_share_beyond_10_2016",
                "gp_minutes_share_beyond_10_2026",
                "gp_minutes_share_beyond_10_change",
            ]
        );
        // 8 → 6: −2, −25 %; 0 → 2: +2, no relative change from 0; none → 1: nothing.
        assert_eq!(out[2].numbers().unwrap(), [Some(-2.0), Some(2.0), None]);
        assert_eq!(out[3].numbers().unwrap(), [Some(-25.0), None, None]);
        assert_eq!(out[2].text(0), "-2.00");
        assert_eq!(
            out[6].numbers().unwrap(),
            [Some(0.25), Some(0.0), Some(0.1)]
        );
    }

    #[test]
    fn snapshots_are_checked_before_any_work() {
        let study = |snapshots: &str| {
            Study::parse(&format!(
                "[network]\nosm = \"a.pbf\"\n[population]\nkind = \"filosofi\"\npath = \"c.csv\"\n[[supply]]\nkind = \"points\"\npath = \"s.csv\"\n{snapshots}"
            ))
            .unwrap()
        };
        let one = study("[[snapshot]]\nname = \"2016\"\n");
        assert!(check(&one).unwrap_err().contains("at least two"));
        let twice = study("[[snapshot]]\nname = \"2016\"\n[[snapshot]]\nname = \"2016\"\n");
        assert!(check(&twice).unwrap_err().contains("given twice"));
        let unknown = study(
            "[[snapshot]]\nname = \"a\"\n[[snapshot.external]]\nname = \"apl\"\npath = \"x.csv\"\n[[snapshot]]\nname = \"b\"\n",
        );
        assert!(check(&unknown)
            .unwrap_err()
            .contains("name = \"apl\" is no [[indicators.external]]"));
        let ok = study(
            "[[snapshot]]\nname = \"2016\"\n[[snapshot.supply]]\nkind = \"points\"\npath = \"s2016.csv\"\n[[snapshot]]\nname = \"2026\"\n",
        );
        check(&ok).unwrap();
        assert_eq!(ok.snapshot[0].paths(), [Path::new("s2016.csv")]);
        assert_eq!(replaced_list(&ok.snapshot[0]), " (replaces supply)");
        assert_eq!(replaced_list(&ok.snapshot[1]), " (the study's inputs)");
    }
}
