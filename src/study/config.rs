//! The study file (TOML): inputs, indicators and outputs of one run of `recours run`.
//! Every key is documented in `docs/study.md`; an unknown key is an error naming it and the
//! nearest valid key. Relative paths are relative to the study file's folder.

use super::published::GroupConfig;
use crate::indicators::kernel::{Band, BoundSide};
use crate::inputs::demand::areal::PopulationColumns;
use crate::inputs::points_layer::PointColumns;
use crate::scenario::config::ScenarioConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A whole study.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Name shown in reports.
    #[serde(default = "default_name")]
    pub name: String,
    /// Road network.
    pub network: NetworkInput,
    /// Where people live.
    pub population: PopulationInput,
    /// Care supply files, all read and concatenated.
    #[serde(default)]
    pub supply: Vec<SupplyInput>,
    /// Territorial levels summaries are computed for.
    #[serde(default)]
    pub territories: Vec<TerritoryInput>,
    /// What to compute.
    #[serde(default)]
    pub indicators: IndicatorsConfig,
    /// Specialist consumption compared with reference rates (ICC), when given.
    pub icc: Option<IccInput>,
    /// What-if scenarios, each run after the baseline (`docs/study.md`, "Scenarios").
    #[serde(default)]
    pub scenario: Vec<ScenarioConfig>,
    /// Files holding further `[[scenario]]` sections.
    #[serde(default)]
    pub scenario_files: Vec<PathBuf>,
    /// What to write.
    #[serde(default)]
    pub output: OutputConfig,
    /// Where to add supply: greedy choices of candidate sites (`suggest_{name}.csv`).
    #[serde(default)]
    pub suggest: Vec<crate::study::suggest::SuggestConfig>,
    /// Zonage classification of one territorial level, when given.
    #[serde(default)]
    pub zonage: Option<super::zonage::ZonageSection>,
    /// Supply counts and densities of every level.
    #[serde(default)]
    pub densities: super::published::DensitiesConfig,
    /// Larger areas whose rows end every per-unit table (département, region, France).
    #[serde(default)]
    pub reference: Vec<super::published::ReferenceConfig>,
    /// Units of a level classified on two per-unit indicators.
    #[serde(default)]
    pub typology: Vec<super::published::TypologyConfig>,
    /// Years compared: the study on other inputs, and the change per unit.
    #[serde(default)]
    pub snapshot: Vec<super::snapshots::SnapshotConfig>,
}

/// A file of `[[scenario]]` sections.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    scenario: Vec<ScenarioConfig>,
}

fn default_name() -> String {
    "recours study".into()
}

/// The road network: exactly one of `osm`, `graph`, `lines`.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkInput {
    /// OpenStreetMap file (`.osm.pbf`, `.osm`, `.osm.gz`).
    pub osm: Option<PathBuf>,
    /// Graph saved by `recours network build`.
    pub graph: Option<PathBuf>,
    /// Any GDAL line layer (BD TOPO, ROUTE 500, Overpass GeoJSON).
    pub lines: Option<PathBuf>,
    /// Layer of a multi-layer `lines` file.
    pub layer: Option<String>,
    /// Travel profile: `car`, `walk`, or a profile TOML file.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Snap radius, metres (default 1,000).
    #[serde(default = "default_snap")]
    pub max_snap_m: f64,
}

fn default_profile() -> String {
    "car".into()
}

fn default_snap() -> f64 {
    crate::snap::DEFAULT_MAX_DISTANCE_M
}

/// Where people live.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PopulationInput {
    /// INSEE Filosofi 200 m cells (CSV or GeoPackage).
    Filosofi {
        /// File.
        path: PathBuf,
        /// Layer of a GeoPackage with several.
        layer: Option<String>,
        /// CRS of a layer declaring none (never guessed).
        crs: Option<String>,
        /// Target populations (`[[population.groups]]`) cut from the cells' age bands.
        #[serde(default)]
        groups: Vec<GroupConfig>,
    },
    /// Any weighted point file.
    Points {
        /// File.
        path: PathBuf,
        /// Columns and coordinates.
        #[serde(default)]
        columns: Box<PointColumns>,
        /// Target populations: refused, points carry no age bands.
        #[serde(default)]
        groups: Vec<GroupConfig>,
    },
    /// IRIS or commune populations (CSV keyed by code) placed in the polygons of a
    /// territory level of the study.
    Areal {
        /// Population table (CSV or workbook).
        path: PathBuf,
        /// The `kind` of the `[[territories]]` entry holding the polygons.
        units: String,
        /// Columns of the CSV.
        #[serde(default)]
        columns: PopulationColumns,
        /// Sheet to read when the table is a workbook (`.xlsx`, `.ods`).
        #[serde(default)]
        sheet: Option<String>,
        /// Spread over an inner grid of this size, metres; absent: at the interior point.
        grid_m: Option<f64>,
        /// Target populations: refused, unit populations carry no age bands.
        #[serde(default)]
        groups: Vec<GroupConfig>,
    },
}

impl PopulationInput {
    /// The file read.
    pub fn path(&self) -> &Path {
        match self {
            PopulationInput::Filosofi { path, .. }
            | PopulationInput::Points { path, .. }
            | PopulationInput::Areal { path, .. } => path,
        }
    }

    /// The target populations of `[[population.groups]]`, in the order given.
    pub fn groups(&self) -> &[GroupConfig] {
        match self {
            PopulationInput::Filosofi { groups, .. }
            | PopulationInput::Points { groups, .. }
            | PopulationInput::Areal { groups, .. } => groups,
        }
    }
}

/// One supply file.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SupplyInput {
    /// Annuaire Santé extraction, geocoded against BAN files.
    Annuaire {
        /// `PS_LibreAcces_Personne_activite_*.txt`.
        path: PathBuf,
        /// BAN CSV files of the départements covered.
        ban: Vec<PathBuf>,
    },
    /// FINESS etalab extraction.
    Finess {
        /// File.
        path: PathBuf,
    },
    /// Any point file of sites.
    Points {
        /// File.
        path: PathBuf,
        /// Columns and coordinates.
        #[serde(default)]
        columns: Box<PointColumns>,
    },
}

impl SupplyInput {
    /// Every file read.
    pub fn paths(&self) -> Vec<&Path> {
        match self {
            SupplyInput::Annuaire { path, ban } => std::iter::once(path.as_path())
                .chain(ban.iter().map(PathBuf::as_path))
                .collect(),
            SupplyInput::Finess { path } | SupplyInput::Points { path, .. } => vec![path],
        }
    }
}

/// One territorial level: a polygon layer, or a membership table dissolved from the
/// `commune` level.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TerritoryInput {
    /// Level name: `commune`, `iris`, `qpv`, `cpts`, `tvs`, `ept`, or any.
    pub kind: String,
    /// Polygon layer (GeoJSON, GeoPackage, Shapefile).
    pub path: Option<PathBuf>,
    /// Layer of a multi-layer file.
    pub layer: Option<String>,
    /// Code field, when not one of the published names.
    pub code_field: Option<String>,
    /// Name field.
    pub name_field: Option<String>,
    /// CRS of a layer declaring none.
    pub crs: Option<String>,
    /// "Territory → communes" table, dissolved from the commune level's polygons.
    pub members: Option<PathBuf>,
}

/// One floating-catchment indicator.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FcaConfig {
    /// Output column name.
    pub name: String,
    /// Category of care.
    pub category: String,
    /// `2sfca`, `e2sfca`, `apl`, `gaussian`, `exponential`, `linear`, `gravity`.
    pub method: String,
    /// Catchment radius, minutes.
    pub max_minutes: Option<f64>,
    /// Step bands.
    pub bands: Option<Vec<Band>>,
    /// Side of band bounds.
    #[serde(default)]
    pub side: BoundSide,
    /// Gaussian σ, minutes.
    pub sigma_minutes: Option<f64>,
    /// Exponential β, per minute.
    pub beta_per_minute: Option<f64>,
    /// Gravity power.
    pub power: Option<f64>,
    /// Gravity floor, minutes.
    pub min_minutes: Option<f64>,
    /// Gravity unit, minutes.
    pub scale_minutes: Option<f64>,
    /// APL age limit, years; 0 = none.
    pub max_age: Option<u32>,
    /// Thresholds of the shares in the per-territory summaries (APL: 2.5 and 4, the
    /// zonage bounds), in the indicator's unit.
    #[serde(default)]
    pub thresholds: Vec<f64>,
    /// `commune`: computed between communes, chef-lieu to chef-lieu, intra-commune time 0
    /// (the DREES convention for the APL); absent: per origin (200 m cells…).
    pub level: Option<String>,
}

/// What to compute.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorsConfig {
    /// Categories whose nearest site is searched (empty: all present).
    #[serde(default)]
    pub nearest: Vec<String>,
    /// Also the k-th nearest.
    pub kth: Option<usize>,
    /// Search limit for nearest sites, minutes.
    pub nearest_max_minutes: Option<f64>,
    /// Categories whose coverage is counted.
    #[serde(default)]
    pub coverage: Vec<String>,
    /// Time thresholds, minutes (coverage counts and shares beyond).
    #[serde(default = "default_thresholds")]
    pub thresholds: Vec<f64>,
    /// Ten age-band weights standardising demand (`ind_0_3` … `ind_80p`).
    pub age_weights: Option<Vec<f64>>,
    /// Floating-catchment indicators.
    #[serde(default)]
    pub fca: Vec<FcaConfig>,
    /// Run even when a category named has no site, the population no inhabitant or the
    /// supply no site (each otherwise an error before any computation).
    #[serde(default)]
    pub allow_empty: bool,
    /// Outside indicator tables joined to a level (screening participation, official APL).
    #[serde(default)]
    pub external: Vec<super::published::ExternalConfig>,
}

impl Default for IndicatorsConfig {
    fn default() -> Self {
        IndicatorsConfig {
            nearest: Vec::new(),
            kth: None,
            nearest_max_minutes: None,
            coverage: Vec::new(),
            thresholds: default_thresholds(),
            age_weights: None,
            fca: Vec::new(),
            allow_empty: false,
            external: Vec::new(),
        }
    }
}

fn default_thresholds() -> Vec<f64> {
    crate::indicators::coverage::DEFAULT_THRESHOLDS.to_vec()
}

/// ICC per territory and specialty (`recours icc` with the same inputs).
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct IccInput {
    /// Consumption CSV `code,specialty,age_band,sex,count[,sector]`.
    pub consumption: PathBuf,
    /// Population CSV `code,age_band,sex,population` (or give `population_from`).
    pub population: Option<PathBuf>,
    /// `"filosofi"`: the population is the study's `[population]` Filosofi cells, summed
    /// per commune and re-banded into the consumption's age bands (age only).
    pub population_from: Option<String>,
    /// Reference rates CSV `specialty,age_band,sex,rate`; absent: rates of all the units.
    pub rates: Option<PathBuf>,
    /// Territory → communes table the ICC is computed for (CPTS…).
    pub territories: PathBuf,
    /// Acts per full-time specialist a year, per specialty.
    #[serde(default)]
    pub acts_per_fte: std::collections::BTreeMap<String, f64>,
    /// Cells with fewer observations are suppressed (statistical secrecy).
    #[serde(default = "default_secrecy")]
    pub secrecy: f64,
    /// Interval: `exact` (Garwood), `byar`, `normal` (log-normal) or `auto`.
    #[serde(default = "default_ci")]
    pub ci: String,
    /// With `ci = "auto"`: counts from which the normal interval is used.
    #[serde(default = "default_ci_threshold")]
    pub ci_threshold: u32,
    /// Typology rules joining the ICC with the access columns of its level.
    #[serde(default)]
    pub typology: Vec<IccTypologyInput>,
    /// Supply category of each specialty whose name differs (`gastro = "gastroenterology"`):
    /// the FTE present of the deficit shares.
    #[serde(default)]
    pub supply_categories: std::collections::BTreeMap<String, String>,
}

fn default_ci_threshold() -> u32 {
    crate::indicators::icc::DEFAULT_AUTO_THRESHOLD
}

/// One `[[icc.typology]]` rule: low / high ICC × far / near on one access column.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct IccTypologyInput {
    /// Per-unit column of the ICC's level (`radiology_minutes_mean`, `apl_mean`…).
    pub indicator: String,
    /// Its threshold (a value equal to it is "near").
    pub threshold: f64,
    /// `above` (larger is worse, a time) or `below` (smaller is worse, an APL).
    #[serde(default = "default_far_when")]
    pub far_when: String,
    /// ICC under this is "low" (points).
    #[serde(default = "default_icc_below")]
    pub icc_below: f64,
}

fn default_far_when() -> String {
    "above".into()
}

fn default_icc_below() -> f64 {
    100.0
}

fn default_secrecy() -> f64 {
    10.0
}

fn default_ci() -> String {
    "exact".into()
}

/// What to write.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Output folder (relative to the study file).
    #[serde(default = "default_out")]
    pub dir: PathBuf,
    /// Write GeoJSON layers.
    #[serde(default = "yes")]
    pub geojson: bool,
    /// Write all layers into one GeoPackage, `results.gpkg`.
    #[serde(default = "yes")]
    pub gpkg: bool,
    /// Write the HTML report, `report.html`.
    #[serde(default = "yes")]
    pub report: bool,
    /// Units whose covered share of population (or area) is below this are flagged
    /// `barely_covered` and left out of worst-served rankings (share, 0–1).
    #[serde(default = "default_min_unit_coverage")]
    pub min_unit_coverage: f64,
    /// Language of the report: `fr` (default) or `en`.
    #[serde(default)]
    pub lang: crate::export::report::lang::Lang,
    /// PostgreSQL database the layers are also written to (`postgresql://user@host:port/db`,
    /// no password: `PGPASSWORD` or `~/.pgpass`), see `docs/postgis.md`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgis: Option<String>,
    /// Schema of that database the run's tables go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgis_schema: Option<String>,
    /// What to do when that schema exists: `fail` (default) or `replace`.
    #[serde(default)]
    pub postgis_if_exists: crate::export::postgis::IfExists,
    /// What each scenario writes per origin and per unit: `changes` (only those whose
    /// values moved) or `full` (every one).
    #[serde(default)]
    pub scenario_layers: ScenarioLayers,
}

/// The rows of a scenario's per-origin and per-unit files (`scenarios/{name}/origins.csv`,
/// `{level}.csv`, `{level}.geojson`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScenarioLayers {
    /// Only the origins and units with at least one value that differs from the baseline
    /// (a value appearing or disappearing included): a national scenario touching a few
    /// catchments writes thousands of rows, not millions.
    #[default]
    Changes,
    /// Every origin and unit.
    Full,
}

impl OutputConfig {
    /// The PostGIS destination, when `postgis` is set; `Err` when the schema is missing.
    pub fn postgis_target(&self) -> Result<Option<crate::export::postgis::Target>, String> {
        match (&self.postgis, &self.postgis_schema) {
            (None, None) => Ok(None),
            (Some(url), Some(schema)) => Ok(Some(crate::export::postgis::Target {
                url: url.clone(),
                schema: schema.clone(),
                if_exists: self.postgis_if_exists,
            })),
            (Some(_), None) => Err(
                "[output] postgis needs postgis_schema: the schema the run's tables go to".into(),
            ),
            (None, Some(_)) => {
                Err("[output] postgis_schema needs postgis: the database URL".into())
            }
        }
    }
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: default_out(),
            geojson: true,
            gpkg: true,
            report: true,
            min_unit_coverage: default_min_unit_coverage(),
            lang: crate::export::report::lang::Lang::Fr,
            postgis: None,
            postgis_schema: None,
            postgis_if_exists: crate::export::postgis::IfExists::Fail,
            scenario_layers: ScenarioLayers::Changes,
        }
    }
}

fn default_out() -> PathBuf {
    PathBuf::from("out")
}

fn default_min_unit_coverage() -> f64 {
    0.8
}

fn yes() -> bool {
    true
}

/// Why a study file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The file cannot be read.
    #[error("{file}: cannot read: {reason}")]
    Read {
        /// Study file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The TOML is invalid or has unknown keys.
    #[error("{file}: {reason}")]
    Parse {
        /// Study file.
        file: String,
        /// What is wrong, with a suggestion for an unknown key.
        reason: String,
    },
    /// A value is unusable or an input missing.
    #[error("{file}: {reason}")]
    Invalid {
        /// Study file.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

impl Study {
    /// Reads and checks the study file at `path`; relative paths are resolved against its
    /// folder and every input file must exist (checked before any computation).
    pub fn load(path: &Path) -> Result<Study, StudyError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| StudyError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        let mut study = Study::parse(&text).map_err(|reason| StudyError::Parse {
            file: file.clone(),
            reason,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        study.resolve(base);
        for f in std::mem::take(&mut study.scenario_files) {
            let shown = f.display().to_string();
            let text = std::fs::read_to_string(&f).map_err(|e| StudyError::Read {
                file: shown.clone(),
                reason: e.to_string(),
            })?;
            let parsed: ScenarioFile = toml::from_str(&text).map_err(|e| StudyError::Parse {
                file: shown.clone(),
                reason: suggest(&e.to_string()),
            })?;
            study.scenario.extend(parsed.scenario);
            study.scenario_files.push(f);
        }
        for s in &mut study.scenario {
            if let Some(p) = s.profile.as_mut().filter(|p| p.ends_with(".toml")) {
                let q = PathBuf::from(&*p);
                if q.is_relative() {
                    *p = base.join(q).display().to_string();
                }
            }
        }
        study
            .check()
            .map_err(|reason| StudyError::Invalid { file, reason })?;
        Ok(study)
    }

    /// Parses study TOML; an unknown key's error names the nearest valid key.
    pub fn parse(text: &str) -> Result<Study, String> {
        toml::from_str(text).map_err(|e| {
            let message = e.to_string();
            if message.contains("unknown field `population_groups`") {
                "`[[population_groups]]` is written `[[population.groups]]`: the target populations are an array `groups` inside [population] (same keys: name, ages)".to_string()
            } else {
                suggest(&message)
            }
        })
    }

    /// Makes every relative path relative to `base`.
    fn resolve(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() && !crate::support::pg::is_database_path(p) {
                *p = base.join(&*p);
            }
        };
        let n = &mut self.network;
        for p in [&mut n.osm, &mut n.graph, &mut n.lines]
            .into_iter()
            .flatten()
        {
            fix(p);
        }
        if n.profile.ends_with(".toml") {
            let mut p = PathBuf::from(&n.profile);
            fix(&mut p);
            n.profile = p.display().to_string();
        }
        match &mut self.population {
            PopulationInput::Filosofi { path, .. }
            | PopulationInput::Points { path, .. }
            | PopulationInput::Areal { path, .. } => fix(path),
        }
        for s in &mut self.supply {
            match s {
                SupplyInput::Annuaire { path, ban } => {
                    fix(path);
                    ban.iter_mut().for_each(fix);
                }
                SupplyInput::Finess { path } | SupplyInput::Points { path, .. } => fix(path),
            }
        }
        for t in &mut self.territories {
            for p in [&mut t.path, &mut t.members].into_iter().flatten() {
                fix(p);
            }
        }
        if let Some(icc) = &mut self.icc {
            fix(&mut icc.consumption);
            icc.population.iter_mut().for_each(fix);
            fix(&mut icc.territories);
            if let Some(r) = &mut icc.rates {
                fix(r);
            }
        }
        self.scenario_files.iter_mut().for_each(fix);
        for e in &mut self.indicators.external {
            fix(&mut e.path);
        }
        for r in &mut self.reference {
            r.table.iter_mut().for_each(fix);
        }
        for s in &mut self.snapshot {
            s.resolve(base);
        }
        fix(&mut self.output.dir);
    }

    /// Checks values ([`super::checks::check_settings`]) and that every input exists.
    fn check(&self) -> Result<(), String> {
        super::checks::check_settings(self)?;
        let n = &self.network;
        let sources = [&n.osm, &n.graph, &n.lines]
            .iter()
            .filter(|p| p.is_some())
            .count();
        if sources != 1 {
            return Err(format!(
                "[network] needs exactly one of osm, graph, lines; {sources} given"
            ));
        }
        let mut files: Vec<&Path> = [&n.osm, &n.graph, &n.lines]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .collect();
        files.push(self.population.path());
        for s in &self.supply {
            files.extend(s.paths());
        }
        for t in &self.territories {
            match (&t.path, &t.members) {
                (Some(p), None) | (None, Some(p)) => files.push(p),
                _ => {
                    return Err(format!(
                    "[[territories]] {}: give either path (polygons) or members (commune lists)",
                    t.kind
                ))
                }
            }
            if t.members.is_some() && !self.territories.iter().any(|c| c.kind == "commune") {
                return Err(format!(
                    "[[territories]] {}: members are dissolved from the commune level, which the study lacks",
                    t.kind
                ));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for s in &self.scenario {
            if !names.insert(s.name.as_str()) {
                return Err(format!("[[scenario]] {:?} given twice", s.name));
            }
        }
        if let PopulationInput::Areal { units, .. } = &self.population {
            if !self.territories.iter().any(|t| &t.kind == units) {
                return Err(format!(
                    "[population] units = {units:?} names no [[territories]] kind"
                ));
            }
        }
        if let Some(icc) = &self.icc {
            files.extend([&icc.consumption, &icc.territories].map(PathBuf::as_path));
            files.extend(icc.rates.as_deref());
            files.extend(icc.population.as_deref());
            super::icc::check(icc, &self.population)?;
        }
        files.extend(self.indicators.external.iter().map(|e| e.path.as_path()));
        files.extend(self.reference.iter().filter_map(|r| r.table.as_deref()));
        super::published::check(self)?;
        super::snapshots::check(self)?;
        for s in &self.snapshot {
            files.extend(s.paths());
        }
        let (databases, files): (Vec<&Path>, Vec<&Path>) = files
            .into_iter()
            .partition(|p| crate::support::pg::is_database_path(p));
        if let Some(missing) = files.iter().find(|p| !p.exists()) {
            return Err(format!("input not found: {}", missing.display()));
        }
        let mut checked = std::collections::BTreeSet::new();
        for db in databases {
            let name = db.to_string_lossy();
            if crate::support::pg::has_password(&name) {
                return Err(format!(
                    "input {}: the connection string holds a password; set PGPASSWORD or ~/.pgpass instead (it would be written to the manifest and the logs)",
                    crate::support::pg::redact(&name)
                ));
            }
            if checked.insert(name.clone()) {
                crate::support::pg::open(&name, false)
                    .map_err(|reason| format!("input {name}: {reason}"))?;
            }
        }
        if self.supply.is_empty() {
            return Err("no [[supply]] file: nothing to measure access to".into());
        }
        for f in &self.indicators.fca {
            match f.level.as_deref() {
                None => {}
                Some("commune") if self.territories.iter().any(|t| t.kind == "commune") => {}
                Some("commune") => {
                    return Err(format!(
                        "[[indicators.fca]] {}: level = \"commune\" needs a commune level in [[territories]]",
                        f.name
                    ))
                }
                Some(other) => {
                    return Err(format!(
                        "[[indicators.fca]] {}: level = {other:?}; only \"commune\" is known",
                        f.name
                    ))
                }
            }
        }
        if let Some(w) = &self.indicators.age_weights {
            if w.len() != 10 {
                return Err(format!(
                    "[indicators] age_weights: 10 weights expected (ind_0_3 … ind_80p), {} given",
                    w.len()
                ));
            }
        }
        Ok(())
    }
}

/// Adds "did you mean …?" to serde's "unknown field `x`, expected one of `a`, `b`".
fn suggest(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return message.to_string();
    };
    let Some((unknown, tail)) = rest.split_once('`') else {
        return message.to_string();
    };
    let valid: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    let best = valid
        .iter()
        .map(|v| (strsim::jaro_winkler(unknown, v), *v))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, v)) => format!("{}\ndid you mean `{v}`?", message.trim_end()),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_study_templates_of_the_docs_parse() {
        let readme = include_str!("../../datasets/README.md");
        let from = readme.find("```toml").expect("a TOML block") + "```toml".len();
        let block = &readme[from..from + readme[from..].find("```").expect("its end")];
        let study = Study::parse(block).unwrap_or_else(|e| panic!("datasets/README.md: {e}"));
        assert_eq!(study.scenario.len(), 1);
        assert_eq!(study.suggest.len(), 1);
        assert!(study.zonage.is_some());
        let demo = Study::parse(crate::cli::demo::DEMO_STUDY).unwrap();
        assert_eq!(demo.scenario.len(), 4);
    }

    const MINIMAL: &str = r#"
name = "t"
[network]
osm = "a.osm.pbf"
[population]
kind = "filosofi"
path = "cells.csv"
[[supply]]
kind = "points"
path = "gp.csv"
columns = { fixed_category = "gp" }
[[territories]]
kind = "commune"
path = "communes.geojson"
[[territories]]
kind = "cpts"
members = "cpts.csv"
[indicators]
nearest = ["gp"]
[[indicators.fca]]
name = "apl"
category = "gp"
method = "apl"
thresholds = [2.5, 4]
"#;

    #[test]
    fn a_minimal_study_reads_with_defaults() {
        let s = Study::parse(MINIMAL).unwrap();
        assert_eq!(s.network.profile, "car");
        assert_eq!(s.indicators.thresholds, default_thresholds());
        assert_eq!(s.indicators.fca[0].thresholds, vec![2.5, 4.0]);
        assert_eq!(s.output.dir, PathBuf::from("out"));
        assert!(matches!(s.population, PopulationInput::Filosofi { .. }));
    }

    #[test]
    fn unknown_keys_name_the_nearest_valid_one() {
        let e = Study::parse(&MINIMAL.replace("nearest = [", "neerest = [")).unwrap_err();
        assert!(e.contains("unknown field `neerest`"), "{e}");
        assert!(e.contains("did you mean `nearest`?"), "{e}");
    }

    #[test]
    fn missing_inputs_fail_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("study.toml");
        std::fs::write(&p, MINIMAL).unwrap();
        let e = Study::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("input not found") && e.contains("a.osm.pbf"),
            "{e}"
        );
        std::fs::write(&p, MINIMAL.replace("osm = \"a.osm.pbf\"", "")).unwrap();
        let e = Study::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("exactly one of osm, graph, lines; 0 given"),
            "{e}"
        );
    }
}
