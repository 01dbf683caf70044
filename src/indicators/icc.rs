//! ICC — indice comparatif de consommation — per territory and specialty, by indirect
//! standardisation (DOMAIN.md, "ICC"; Breslow & Day, *Statistical Methods in Cancer
//! Research* II, 1987, ch. 2, the SMR):
//!
//! ```text
//! E_u   = Σ_k r_k · P_{u,k}        expected consumption of unit u, k = age band × sex
//! ICC_u = 100 · O_u / E_u          O_u observed acts or consumers
//! ```
//!
//! Reference rates `r_k` come from a table, or from a reference set of units (every unit of
//! the population table: `r_k = Σ_u O_{u,k} / Σ_u P_{u,k}`, so that Σ O = Σ E over that set).
//! The strata are those both the consumption and the population (and the rate table) carry:
//! without age and sex the ratio is crude, and the output says so ([`Dims::label`]).
//!
//! The confidence interval on O is Poisson, divided by E:
//! - **exact** (Garwood 1936; Ulm 1990, *Am. J. Epidemiol.* 131): `[χ²_{α/2}(2O)/2,
//!   χ²_{1−α/2}(2O+2)/2]`, i.e. the α/2 quantile of Gamma(O, 1) and the 1 − α/2 quantile of
//!   Gamma(O + 1, 1); the lower bound is 0 for O = 0. This is the default whatever O: it is
//!   exact for small counts and costs nothing for large ones. For O = 0, 1, 10 at 95 % it
//!   gives [0, 3.689], [0.0253, 5.572], [4.795, 18.39] (Ulm's table).
//! - **Byar** (Breslow & Day 1987, eq. 2.13): `O·(1 − 1/(9O) − z/(3√O))³` and
//!   `(O+1)·(1 − 1/(9(O+1)) + z/(3√(O+1)))³`, within 1 % of the exact bounds from O ≈ 5.
//! - **normal** (log-normal approximation: ln O is about normal with variance 1/O, Rothman,
//!   Greenland & Lash, *Modern Epidemiology*, 3rd ed. 2008, ch. 14, the usual large-count
//!   interval of an SMR): `[O·exp(−z/√O), O·exp(z/√O)]`, i.e. `ICC·exp(±z/√O)`; it never
//!   goes below 0 and its relative gap to the exact bounds falls like 1/√O (under 0.5 %
//!   from O = 1,000). Undefined at O = 0, where the exact interval is used.
//! - **auto**: exact below a count threshold (default [`DEFAULT_AUTO_THRESHOLD`] = 100),
//!   normal from it. Each row names the method actually used ([`IccCell::method`]).
//!
//! A unit is flagged `below` (`above`) when the whole interval lies under (over) 100.
//! Missing consumption = max(E − O, 0); missing full-time doctors = that / acts per full-time
//! specialist of the specialty. A territory counts all its member communes; a commune in
//! several territories counts in each. Totals (`total` rows) are over the distinct communes
//! of all territories. Statistical secrecy: a cell with O below the threshold (default 10)
//! publishes neither O, ICC, interval, flag nor missing consumption (which would reveal O),
//! only the reason; E and population stay.
//!
//! Hand-worked example (two units, two age bands, two sexes; reference = both units):
//!
//! | unit | young M | young F | old M | old F | O |
//! |---|---|---|---|---|---|
//! | population A | 100 | 100 | 50 | 50 | |
//! | population B | 200 | 200 | 25 | 25 | |
//! | consumption A | 10 | 20 | 30 | 40 | 100 |
//! | consumption B | 10 | 30 | 10 | 10 | 60 |
//!
//! Rates: 20/300 = 1/15, 50/300 = 1/6, 40/75 = 8/15, 50/75 = 2/3. E_A = 100/15 + 100/6 +
//! 50·8/15 + 50·2/3 = 83.333, E_B = 76.667 (Σ E = 160 = Σ O); ICC_A = 120, ICC_B = 78.26;
//! missing consumption of B = 16.667, i.e. 3.333 doctors at 5 acts each. Crude (no strata):
//! rate 160/750, E_A = 64, E_B = 96, ratios 156.25 and 62.5.

use crate::inputs::consumption::{
    commune_of, Consumption, Dims, Population, RateTable, Sector, Stratum,
};
use crate::inputs::territory::Membership;
use crate::support::rejects::Rejects;
use std::collections::{BTreeMap, BTreeSet};

/// Count from which `auto` switches from the exact to the normal interval.
pub const DEFAULT_AUTO_THRESHOLD: u32 = 100;

/// How the interval on O is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CiMethod {
    /// Exact Poisson (Garwood), from gamma quantiles.
    #[default]
    Exact,
    /// Byar's approximation.
    Byar,
    /// Log-normal approximation `O·exp(±z/√O)`.
    Normal,
    /// Exact below `threshold` observations, normal from it.
    Auto {
        /// Count (acts or consumers) from which the normal interval is used.
        threshold: u32,
    },
}

impl CiMethod {
    /// Name written in outputs (for `Auto`, the rule; rows name the method resolved).
    pub fn label(self) -> &'static str {
        match self {
            CiMethod::Exact => "exact Poisson (Garwood)",
            CiMethod::Byar => "Byar",
            CiMethod::Normal => "log-normal",
            CiMethod::Auto { .. } => "auto (exact below the threshold, log-normal above)",
        }
    }

    /// Parses `exact`, `byar`, `normal` or `auto` (with `threshold` for `auto`).
    pub fn parse(text: &str, threshold: u32) -> Option<CiMethod> {
        match text {
            "exact" => Some(CiMethod::Exact),
            "byar" => Some(CiMethod::Byar),
            "normal" => Some(CiMethod::Normal),
            "auto" => Some(CiMethod::Auto { threshold }),
            _ => None,
        }
    }

    /// The method used for a count `o`: `Auto` resolved, and exact for the normal
    /// interval at O = 0 (where it is undefined).
    pub fn resolve(self, o: f64) -> CiMethod {
        match self {
            CiMethod::Auto { threshold } if o < f64::from(threshold) => CiMethod::Exact,
            CiMethod::Auto { .. } | CiMethod::Normal if o > 0.0 => CiMethod::Normal,
            CiMethod::Auto { .. } | CiMethod::Normal => CiMethod::Exact,
            m => m,
        }
    }
}

/// What the ICC computation is asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct IccConfig {
    /// Confidence level of the interval (0.95).
    pub level: f64,
    /// Interval method.
    pub ci: CiMethod,
    /// Cells with fewer observations are suppressed (10).
    pub secrecy_threshold: f64,
    /// Acts (or consumers) per full-time specialist and year, per specialty.
    pub acts_per_fte: BTreeMap<String, f64>,
}

impl Default for IccConfig {
    fn default() -> Self {
        Self {
            level: 0.95,
            ci: CiMethod::Exact,
            secrecy_threshold: 10.0,
            acts_per_fte: BTreeMap::new(),
        }
    }
}

/// Errors that stop the computation.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IccError {
    /// The rate table is split by a dimension the population or consumption lacks.
    #[error("{file}: rates are split by {what}, which the consumption or population table lacks: give rates by {common} or compute them with --reference all")]
    RateDims {
        /// Rate file.
        file: String,
        /// `age band` or `sex`.
        what: &'static str,
        /// Stratification available.
        common: &'static str,
    },
    /// Confidence level outside (0, 1).
    #[error("confidence level {0} is not in (0, 1)")]
    Level(f64),
}

/// Reference rates per (specialty, sector — `None` for all care —, stratum).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rates {
    /// Stratification used.
    pub dims: Dims,
    /// Consumption per inhabitant of the stratum.
    pub rates: BTreeMap<(String, Option<Sector>, Stratum), f64>,
}

/// Where reference rates come from.
#[derive(Clone, Copy, Debug)]
pub enum RateSource<'a> {
    /// A table (national or regional rates).
    Table(&'a RateTable),
    /// Every unit of the population table.
    Reference,
}

/// Whether an interval lies wholly on one side of 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// Upper bound < 100.
    Below,
    /// Lower bound > 100.
    Above,
    /// The interval holds 100.
    None,
}

impl Flag {
    /// `below`, `above` or empty.
    pub fn label(self) -> &'static str {
        match self {
            Flag::Below => "below",
            Flag::Above => "above",
            Flag::None => "",
        }
    }
}

/// The publishable part of a cell.
#[derive(Clone, Debug, PartialEq)]
pub struct IccCell {
    /// O, acts or consumers.
    pub observed: f64,
    /// 100 · O / E.
    pub icc: f64,
    /// Interval on the ICC, same scale.
    pub ci: (f64, f64),
    /// Side of 100 the interval lies on.
    pub flag: Flag,
    /// max(E − O, 0), acts or consumers.
    pub missing: f64,
    /// Missing full-time doctors, when acts per FTE are known for the specialty.
    pub missing_fte: Option<f64>,
    /// Interval method actually used (never `Auto`).
    pub method: CiMethod,
}

/// Why a cell is not published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Withheld {
    /// Fewer observations than the secrecy threshold.
    Secrecy,
    /// E = 0 (no population in the strata with rates).
    NoExpected,
}

impl Withheld {
    /// The reason column's text.
    pub fn reason(&self, threshold: f64) -> String {
        match self {
            Withheld::Secrecy => {
                format!("statistical secrecy: fewer than {threshold} observations")
            }
            Withheld::NoExpected => "no expected consumption (E = 0)".into(),
        }
    }
}

/// One territory (or the total) × specialty × sector.
#[derive(Clone, Debug, PartialEq)]
pub struct IccRow {
    /// Territory code, or `TOTAL`.
    pub territory: String,
    /// Territory name.
    pub name: String,
    /// Whether this is the total over all territories' distinct communes.
    pub total: bool,
    /// Specialty.
    pub specialty: String,
    /// Sector, `None` for all care.
    pub sector: Option<Sector>,
    /// Inhabitants.
    pub population: f64,
    /// E, acts or consumers.
    pub expected: f64,
    /// The published values, or why there are none.
    pub cell: Result<IccCell, Withheld>,
}

/// URPS summary per specialty × sector over territory rows (totals excluded).
#[derive(Clone, Debug, PartialEq)]
pub struct IccSummary {
    /// Specialty.
    pub specialty: String,
    /// Sector, `None` for all care.
    pub sector: Option<Sector>,
    /// Territories.
    pub territories: usize,
    /// Of them suppressed by secrecy.
    pub suppressed: usize,
    /// Of them with E = 0.
    pub undefined: usize,
    /// max − min ICC over published territories, points.
    pub spread: Option<f64>,
    /// Published territories with ICC < 100 (at two decimals, [`published_icc`]).
    pub under_100: usize,
    /// Their population over that of all territories (a commune in several counts in each).
    pub population_share_under_100: Option<f64>,
}

/// Everything computed.
#[derive(Clone, Debug, PartialEq)]
pub struct IccResult {
    /// Stratification used.
    pub dims: Dims,
    /// Territory rows then total rows, per specialty and sector.
    pub rows: Vec<IccRow>,
    /// One per specialty × sector.
    pub summaries: Vec<IccSummary>,
}

/// Lower regularised incomplete gamma P(a, x), for a > 0, x ≥ 0.
fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    statrs::function::gamma::checked_gamma_lr(a, x).unwrap_or(f64::NAN)
}

/// The p-quantile of Gamma(shape, 1) by bisection on P(shape, ·) to full precision.
pub fn gamma_quantile(shape: f64, p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0_f64, shape.max(1.0));
    while gamma_p(shape, hi) < p {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if gamma_p(shape, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Two-sided normal quantile z for `level` (1.959964 at 0.95).
fn z_of(level: f64) -> f64 {
    std::f64::consts::SQRT_2 * statrs::function::erf::erf_inv(level)
}

/// Interval `[lower, upper]` on a Poisson count observed as `o`, at `level`, by `method`
/// resolved for `o` ([`CiMethod::resolve`]).
///
/// The exact (Garwood) 95 % interval on 10 observed events is 4.795–18.390:
///
/// ```
/// use recours::indicators::icc::{poisson_interval, CiMethod};
///
/// let (lower, upper) = poisson_interval(10.0, 0.95, CiMethod::Exact);
/// assert!((lower - 4.7954).abs() < 1e-4 && (upper - 18.3904).abs() < 1e-4);
/// // Nothing observed: the lower bound is 0, the upper −ln(0.025) = 3.689.
/// let (lower, upper) = poisson_interval(0.0, 0.95, CiMethod::Exact);
/// assert_eq!(lower, 0.0);
/// assert!((upper - 3.6889).abs() < 1e-4);
/// ```
pub fn poisson_interval(o: f64, level: f64, method: CiMethod) -> (f64, f64) {
    let alpha = 1.0 - level;
    match method.resolve(o) {
        CiMethod::Exact => {
            let lower = if o > 0.0 {
                gamma_quantile(o, alpha / 2.0)
            } else {
                0.0
            };
            (lower, gamma_quantile(o + 1.0, 1.0 - alpha / 2.0))
        }
        CiMethod::Byar => {
            let z = z_of(level);
            let lower = if o > 0.0 {
                o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3)
            } else {
                0.0
            };
            let n = o + 1.0;
            (
                lower.max(0.0),
                n * (1.0 - 1.0 / (9.0 * n) + z / (3.0 * n.sqrt())).powi(3),
            )
        }
        CiMethod::Normal | CiMethod::Auto { .. } => {
            let f = (z_of(level) / o.sqrt()).exp();
            (o / f, o * f)
        }
    }
}

/// Population per (commune, stratum projected on `dims`).
fn projected_population(pop: &Population, dims: Dims) -> BTreeMap<(String, Stratum), f64> {
    let mut out = BTreeMap::new();
    for ((code, s), p) in &pop.cells {
        *out.entry((commune_of(code).to_string(), s.project(dims)))
            .or_insert(0.0) += p;
    }
    out
}

/// Observed counts per (commune, specialty, sector, projected stratum); sector `None` = all.
type Observed = BTreeMap<(String, String, Option<Sector>, Stratum), f64>;

/// Observed counts of `cons` per commune, specialty, sector (and all care) and stratum.
fn observed(cons: &Consumption, dims: Dims) -> Observed {
    let mut out = Observed::new();
    for r in &cons.rows {
        let s = r.stratum.project(dims);
        let c = commune_of(&r.code).to_string();
        *out.entry((c.clone(), r.specialty.clone(), None, s.clone()))
            .or_insert(0.0) += r.count;
        if let Some(sec) = r.sector {
            *out.entry((c, r.specialty.clone(), Some(sec), s))
                .or_insert(0.0) += r.count;
        }
    }
    out
}

/// Rates from the reference set (every unit of the tables): Σ O_k / Σ P_k per specialty,
/// sector and stratum. Strata with consumption but no population are rejected (`file`
/// line 0): they would break Σ O = Σ E.
pub fn reference_rates(
    cons: &Consumption,
    pop: &Population,
    dims: Dims,
    rejects: &mut Rejects,
) -> Rates {
    let mut p_k: BTreeMap<Stratum, f64> = BTreeMap::new();
    for ((_, s), p) in projected_population(pop, dims) {
        *p_k.entry(s).or_insert(0.0) += p;
    }
    let mut o_k: BTreeMap<(String, Option<Sector>, Stratum), f64> = BTreeMap::new();
    for ((_, spec, sec, s), o) in observed(cons, dims) {
        *o_k.entry((spec, sec, s)).or_insert(0.0) += o;
    }
    let mut rates = BTreeMap::new();
    for ((spec, sec, s), o) in o_k {
        match p_k.get(&s).filter(|p| **p > 0.0) {
            Some(p) => {
                rates.insert((spec.clone(), sec, s.clone()), o / p);
            }
            None if o > 0.0 => rejects.push(
                &cons.source,
                0,
                &spec,
                format!(
                    "stratum {:?}/{:?} has consumption but no population in the reference set: no rate",
                    s.age_band, s.sex
                ),
            ),
            None => {}
        }
    }
    Rates { dims, rates }
}

/// Rates of a table, after checking its stratification fits `dims`.
fn table_rates(t: &RateTable, dims: Dims) -> Result<Rates, IccError> {
    let common = dims.common(t.dims);
    for (has, what) in [
        (t.dims.age && !dims.age, "age band"),
        (t.dims.sex && !dims.sex, "sex"),
    ] {
        if has {
            return Err(IccError::RateDims {
                file: t.source.clone(),
                what,
                common: common.label(),
            });
        }
    }
    Ok(Rates {
        dims: common,
        rates: t.rates.clone(),
    })
}

/// O and E (and population) of a set of communes for every specialty × sector with rates.
struct Sums {
    population: f64,
    observed: BTreeMap<(String, Option<Sector>), f64>,
    expected: BTreeMap<(String, Option<Sector>), f64>,
}

/// Sums population, O and E over `communes` (each counted once per listing).
fn sums<'a>(
    communes: impl Iterator<Item = &'a str> + Clone,
    pop: &BTreeMap<(String, Stratum), f64>,
    obs: &Observed,
    rates: &Rates,
    keys: &BTreeSet<(String, Option<Sector>)>,
) -> Sums {
    let mut p_k: BTreeMap<&Stratum, f64> = BTreeMap::new();
    let mut population = 0.0;
    for c in communes.clone() {
        for ((_, s), p) in pop
            .range((c.to_string(), Stratum::default())..)
            .take_while(|((cc, _), _)| cc == c)
        {
            *p_k.entry(s).or_insert(0.0) += p;
            population += p;
        }
    }
    let mut observed = BTreeMap::new();
    for c in communes {
        for ((_, spec, sec, _), o) in obs
            .range((c.to_string(), String::new(), None, Stratum::default())..)
            .take_while(|((cc, ..), _)| cc == c)
        {
            *observed.entry((spec.clone(), *sec)).or_insert(0.0) += o;
        }
    }
    let mut expected = BTreeMap::new();
    for (spec, sec) in keys {
        let e = p_k.iter().fold(0.0, |e, (s, p)| {
            let r = rates.rates.get(&(spec.clone(), *sec, (*s).clone()));
            e + r.copied().unwrap_or(0.0) * p
        });
        expected.insert((spec.clone(), *sec), e);
    }
    Sums {
        population,
        observed,
        expected,
    }
}

/// An ICC rounded to the two decimals it is published with: what "under 100" and the
/// typology compare, so that a unit at exactly 100 up to rounding error is not "under".
pub fn published_icc(icc: f64) -> f64 {
    (icc * 100.0).round() / 100.0
}

/// The cell of one territory × specialty × sector.
fn cell(o: f64, e: f64, specialty: &str, cfg: &IccConfig) -> Result<IccCell, Withheld> {
    if o < cfg.secrecy_threshold {
        return Err(Withheld::Secrecy);
    }
    if e <= 0.0 {
        return Err(Withheld::NoExpected);
    }
    let (lo, hi) = poisson_interval(o, cfg.level, cfg.ci);
    let ci = (100.0 * lo / e, 100.0 * hi / e);
    let flag = if ci.1 < 100.0 {
        Flag::Below
    } else if ci.0 > 100.0 {
        Flag::Above
    } else {
        Flag::None
    };
    let missing = (e - o).max(0.0);
    Ok(IccCell {
        observed: o,
        icc: 100.0 * o / e,
        ci,
        flag,
        missing,
        missing_fte: cfg
            .acts_per_fte
            .get(specialty)
            .filter(|a| **a > 0.0)
            .map(|a| missing / a),
        method: cfg.ci.resolve(o),
    })
}

/// Rows of one set of communes, one per specialty × sector of `keys`.
fn rows_of(
    (code, name, total): (&str, &str, bool),
    s: &Sums,
    keys: &BTreeSet<(String, Option<Sector>)>,
    cfg: &IccConfig,
) -> Vec<IccRow> {
    keys.iter()
        .map(|k| {
            let o = s.observed.get(k).copied().unwrap_or(0.0);
            let e = s.expected.get(k).copied().unwrap_or(0.0);
            IccRow {
                territory: code.to_string(),
                name: name.to_string(),
                total,
                specialty: k.0.clone(),
                sector: k.1,
                population: s.population,
                expected: e,
                cell: cell(o, e, &k.0, cfg),
            }
        })
        .collect()
}

/// Rates for a table source: strata with population and no rate are reported (line 0).
fn check_table_rates(
    rates: &Rates,
    keys: &BTreeSet<(String, Option<Sector>)>,
    pop: &BTreeMap<(String, Stratum), f64>,
    source: &str,
    rejects: &mut Rejects,
) {
    let strata: BTreeSet<&Stratum> = pop
        .iter()
        .filter(|(_, p)| **p > 0.0)
        .map(|((_, s), _)| s)
        .collect();
    for (spec, sec) in keys {
        for s in &strata {
            if !rates
                .rates
                .contains_key(&(spec.clone(), *sec, (*s).clone()))
            {
                rejects.push(
                    source,
                    0,
                    spec,
                    format!(
                        "no rate for sector {}, stratum {:?}/{:?}: its population counts 0 in E",
                        sec.map_or("all", Sector::label),
                        s.age_band,
                        s.sex
                    ),
                );
            }
        }
    }
}

/// Computes ICC rows and summaries for every territory of `membership` (communes absent
/// from the population table are rejected, line of the membership table) and the total.
pub fn compute_icc(
    cons: &Consumption,
    pop: &Population,
    source: RateSource<'_>,
    membership: &Membership,
    cfg: &IccConfig,
    rejects: &mut Rejects,
) -> Result<IccResult, IccError> {
    if !(cfg.level > 0.0 && cfg.level < 1.0) {
        return Err(IccError::Level(cfg.level));
    }
    let dims = cons.dims.common(pop.dims);
    let rates = match source {
        RateSource::Table(t) => table_rates(t, dims)?,
        RateSource::Reference => reference_rates(cons, pop, dims, rejects),
    };
    let dims = rates.dims;
    let ppop = projected_population(pop, dims);
    let obs = observed(cons, dims);
    let keys: BTreeSet<(String, Option<Sector>)> = rates
        .rates
        .keys()
        .map(|(sp, sec, _)| (sp.clone(), *sec))
        .collect();
    let mut orphan: BTreeSet<(String, Option<Sector>)> = BTreeSet::new();
    for (_, sp, sec, _) in obs.keys() {
        if !keys.contains(&(sp.clone(), *sec)) && orphan.insert((sp.clone(), *sec)) {
            rejects.push(
                &cons.source,
                0,
                sp,
                format!(
                    "no reference rate for sector {}: not computed",
                    sec.map_or("all", Sector::label)
                ),
            );
        }
    }
    if let RateSource::Table(t) = source {
        check_table_rates(&rates, &keys, &ppop, &t.source, rejects);
    }
    let known: BTreeSet<&str> = ppop.keys().map(|(c, _)| c.as_str()).collect();
    let mut rows = Vec::new();
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for t in &membership.territories {
        let mut members = Vec::new();
        for m in &t.members {
            if known.contains(m.commune.as_str()) {
                members.push(m.commune.as_str());
                all.insert(m.commune.as_str());
            } else {
                rejects.push(
                    &membership.source,
                    m.line,
                    &t.code,
                    format!("commune {} is not in the population table", m.commune),
                );
            }
        }
        let s = sums(members.iter().copied(), &ppop, &obs, &rates, &keys);
        rows.extend(rows_of((&t.code, &t.name, false), &s, &keys, cfg));
    }
    let s = sums(all.iter().copied(), &ppop, &obs, &rates, &keys);
    rows.extend(rows_of(("TOTAL", "all territories", true), &s, &keys, cfg));
    let summaries = keys.iter().map(|k| summarise(&rows, k)).collect();
    Ok(IccResult {
        dims,
        rows,
        summaries,
    })
}

/// The URPS summary of one specialty × sector.
fn summarise(rows: &[IccRow], key: &(String, Option<Sector>)) -> IccSummary {
    let of: Vec<&IccRow> = rows
        .iter()
        .filter(|r| !r.total && r.specialty == key.0 && r.sector == key.1)
        .collect();
    let published: Vec<(&IccRow, &IccCell)> = of
        .iter()
        .filter_map(|r| r.cell.as_ref().ok().map(|c| (*r, c)))
        .collect();
    let icc = published.iter().map(|(_, c)| c.icc);
    let spread = icc
        .clone()
        .fold(None, |m: Option<(f64, f64)>, x| {
            Some(m.map_or((x, x), |(lo, hi)| (lo.min(x), hi.max(x))))
        })
        .map(|(lo, hi)| hi - lo);
    let under: Vec<&IccRow> = published
        .iter()
        .filter(|(_, c)| published_icc(c.icc) < 100.0)
        .map(|(r, _)| *r)
        .collect();
    let total_pop = of.iter().fold(0.0, |a, r| a + r.population);
    let under_pop = under.iter().fold(0.0, |a, r| a + r.population);
    IccSummary {
        specialty: key.0.clone(),
        sector: key.1,
        territories: of.len(),
        suppressed: of
            .iter()
            .filter(|r| r.cell == Err(Withheld::Secrecy))
            .count(),
        undefined: of
            .iter()
            .filter(|r| r.cell == Err(Withheld::NoExpected))
            .count(),
        spread,
        under_100: under.len(),
        population_share_under_100: (total_pop > 0.0).then(|| under_pop / total_pop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::consumption::ConsumptionRow;
    use crate::inputs::territory::membership::{Member, Territory};

    fn st(a: &str, s: &str) -> Stratum {
        Stratum {
            age_band: a.into(),
            sex: s.into(),
        }
    }

    const STRATA: [(&str, &str); 4] = [("young", "M"), ("young", "F"), ("old", "M"), ("old", "F")];

    /// The hand-worked example of the module doc; `scale` multiplies every count and person.
    fn example(scale: f64) -> (Consumption, Population, Membership) {
        let pops = [
            ("93001", [100.0, 100.0, 50.0, 50.0]),
            ("93002", [200.0, 200.0, 25.0, 25.0]),
        ];
        let counts = [
            ("93001", [10.0, 20.0, 30.0, 40.0]),
            ("93002", [10.0, 30.0, 10.0, 10.0]),
        ];
        let both = Dims {
            age: true,
            sex: true,
        };
        let mut pop = Population {
            source: "p.csv".into(),
            dims: both,
            ..Population::default()
        };
        for (c, v) in pops {
            for (k, (a, s)) in STRATA.iter().enumerate() {
                pop.cells.insert((c.into(), st(a, s)), v[k] * scale);
            }
        }
        let mut cons = Consumption {
            source: "c.csv".into(),
            dims: both,
            ..Consumption::default()
        };
        for (c, v) in counts {
            for (k, (a, s)) in STRATA.iter().enumerate() {
                cons.rows.push(ConsumptionRow {
                    code: c.into(),
                    specialty: "cardio".into(),
                    sector: None,
                    stratum: st(a, s),
                    count: v[k] * scale,
                    line: 0,
                });
            }
        }
        let terr = |code: &str, communes: &[&str]| Territory {
            code: code.into(),
            name: code.into(),
            members: communes
                .iter()
                .map(|c| Member {
                    commune: c.to_string(),
                    line: 2,
                })
                .collect(),
        };
        let m = Membership {
            kind: "cpts".into(),
            source: "t.csv".into(),
            territories: vec![
                terr("A", &["93001"]),
                terr("B", &["93002"]),
                terr("AB", &["93001", "93002"]),
            ],
        };
        (cons, pop, m)
    }

    fn cfg() -> IccConfig {
        IccConfig {
            acts_per_fte: [("cardio".to_string(), 5.0)].into(),
            ..IccConfig::default()
        }
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn hand_worked_example() {
        let (c, p, m) = example(1.0);
        let mut r = Rejects::default();
        let res = compute_icc(&c, &p, RateSource::Reference, &m, &cfg(), &mut r).unwrap();
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(res.dims.label(), "age×sex");
        assert_eq!(res.rows.len(), 4);
        let a = res.rows[0].cell.as_ref().unwrap();
        assert!(close(res.rows[0].expected, 250.0 / 3.0, 1e-9));
        assert!(close(a.icc, 120.0, 1e-9));
        assert_eq!(a.missing, 0.0);
        let b = res.rows[1].cell.as_ref().unwrap();
        assert!(close(res.rows[1].expected, 230.0 / 3.0, 1e-9));
        assert!(close(b.icc, 6000.0 / (230.0 / 3.0), 1e-9));
        assert!(close(b.missing, 50.0 / 3.0, 1e-9));
        assert!(close(b.missing_fte.unwrap(), 10.0 / 3.0, 1e-9));
        assert_eq!(b.flag, Flag::None);
        // Σ O = Σ E over the reference set: the union and the total sit at 100.
        for row in &res.rows[2..] {
            assert!(close(row.cell.as_ref().unwrap().icc, 100.0, 1e-9));
            assert_eq!(row.population, 750.0);
        }
        assert!(res.rows[3].total);
        let s = &res.summaries[0];
        assert_eq!((s.territories, s.under_100, s.suppressed), (3, 1, 0));
        assert!(close(
            s.spread.unwrap(),
            120.0 - 6000.0 / (230.0 / 3.0),
            1e-9
        ));
        assert!(close(
            s.population_share_under_100.unwrap(),
            450.0 / 1500.0,
            1e-12
        ));
    }

    #[test]
    fn crude_ratio_without_strata() {
        let (mut c, mut p, m) = example(1.0);
        c.dims = Dims::default();
        for row in &mut c.rows {
            row.stratum = Stratum::default();
        }
        let mut cells = BTreeMap::new();
        for ((code, _), v) in &p.cells {
            *cells
                .entry((code.clone(), Stratum::default()))
                .or_insert(0.0) += v;
        }
        p.cells = cells;
        let mut r = Rejects::default();
        let res = compute_icc(&c, &p, RateSource::Reference, &m, &cfg(), &mut r).unwrap();
        assert_eq!(res.dims.label(), "crude");
        assert!(close(res.rows[0].expected, 64.0, 1e-9));
        assert!(close(res.rows[0].cell.as_ref().unwrap().icc, 156.25, 1e-9));
        assert!(close(res.rows[1].cell.as_ref().unwrap().icc, 62.5, 1e-9));
        assert_eq!(res.rows[1].cell.as_ref().unwrap().flag, Flag::Below);
    }

    #[test]
    fn units_at_reference_rates_are_all_100() {
        let (c, p, m) = example(1.0);
        let mut r = Rejects::default();
        let rates = reference_rates(
            &c,
            &p,
            Dims {
                age: true,
                sex: true,
            },
            &mut r,
        );
        let table = RateTable {
            source: "r.csv".into(),
            dims: rates.dims,
            rates: rates.rates.clone(),
        };
        // Observed = rate × population, stratum by stratum, in every unit.
        let mut c2 = c.clone();
        for row in &mut c2.rows {
            let rate = rates.rates[&("cardio".to_string(), None, row.stratum.clone())];
            row.count = rate * p.cells[&(row.code.clone(), row.stratum.clone())];
        }
        let res = compute_icc(&c2, &p, RateSource::Table(&table), &m, &cfg(), &mut r).unwrap();
        assert!(r.is_empty(), "{r:?}");
        for row in &res.rows {
            assert!(close(row.cell.as_ref().unwrap().icc, 100.0, 1e-9));
        }
    }

    #[test]
    fn secrecy_suppresses_small_cells_and_is_counted() {
        let (c, p, m) = example(1.0);
        let cfg = IccConfig {
            secrecy_threshold: 61.0,
            ..cfg()
        };
        let res = compute_icc(
            &c,
            &p,
            RateSource::Reference,
            &m,
            &cfg,
            &mut Rejects::default(),
        )
        .unwrap();
        assert_eq!(res.rows[1].cell, Err(Withheld::Secrecy));
        assert_eq!(res.summaries[0].suppressed, 1);
        assert_eq!(res.summaries[0].under_100, 0);
        assert!(Withheld::Secrecy.reason(61.0).contains("fewer than 61"));
    }

    #[test]
    fn sectors_are_kept_apart_and_summed() {
        let (mut c, p, m) = example(1.0);
        c.has_sector = true;
        let mut hosp = c.rows.clone();
        for row in &mut c.rows {
            row.sector = Some(Sector::Liberal);
        }
        for row in &mut hosp {
            row.sector = Some(Sector::Hospital);
            row.count *= 2.0;
        }
        c.rows.extend(hosp);
        let res = compute_icc(
            &c,
            &p,
            RateSource::Reference,
            &m,
            &cfg(),
            &mut Rejects::default(),
        )
        .unwrap();
        let a: Vec<(Option<Sector>, f64)> = res
            .rows
            .iter()
            .filter(|r| r.territory == "A")
            .map(|r| (r.sector, r.cell.as_ref().unwrap().observed))
            .collect();
        assert_eq!(
            a,
            [
                (None, 300.0),
                (Some(Sector::Liberal), 100.0),
                (Some(Sector::Hospital), 200.0)
            ]
        );
        assert!(res
            .rows
            .iter()
            .filter(|r| r.territory == "A")
            .all(|r| close(r.cell.as_ref().unwrap().icc, 120.0, 1e-9)));
    }

    #[test]
    fn table_rates_missing_a_stratum_are_reported_and_wider_dims_refused() {
        let (c, p, m) = example(1.0);
        let mut t = RateTable {
            source: "r.csv".into(),
            dims: Dims {
                age: true,
                sex: true,
            },
            rates: BTreeMap::new(),
        };
        t.rates
            .insert(("cardio".into(), None, st("young", "M")), 0.1);
        let mut r = Rejects::default();
        compute_icc(&c, &p, RateSource::Table(&t), &m, &cfg(), &mut r).unwrap();
        assert_eq!(r.len(), 3);
        assert!(r.items[0].reason.contains("no rate"));
        let mut c2 = c.clone();
        c2.dims = Dims {
            age: true,
            sex: false,
        };
        let e = compute_icc(&c2, &p, RateSource::Table(&t), &m, &cfg(), &mut r).unwrap_err();
        assert!(e.to_string().contains("sex"), "{e}");
    }

    #[test]
    fn exact_poisson_matches_published_values() {
        let cases = [
            (0.0, 0.0, 3.689),
            (1.0, 0.0253, 5.572),
            (10.0, 4.795, 18.39),
        ];
        for (o, lo, hi) in cases {
            let (l, h) = poisson_interval(o, 0.95, CiMethod::Exact);
            assert!(close(l, lo, 5e-4), "O={o}: {l}");
            assert!(close(h, hi, 5e-3), "O={o}: {h}");
        }
        // O = 0 upper bound is −ln(0.025) exactly.
        let (_, h) = poisson_interval(0.0, 0.95, CiMethod::Exact);
        assert!(close(h, -(0.025f64).ln(), 1e-10));
    }

    #[test]
    fn byar_matches_its_formula_and_the_exact_bounds() {
        let (l, h) = poisson_interval(10.0, 0.95, CiMethod::Byar);
        assert!(close(l, 4.7874, 1e-3), "{l}");
        assert!(close(h, 18.3915, 1e-3), "{h}");
        for o in [20.0, 50.0, 200.0] {
            let (el, eh) = poisson_interval(o, 0.95, CiMethod::Exact);
            let (bl, bh) = poisson_interval(o, 0.95, CiMethod::Byar);
            assert!((el - bl).abs() / el < 0.005 && (eh - bh).abs() / eh < 0.005);
        }
    }

    #[test]
    fn intervals_shrink_as_counts_grow() {
        let mut last = f64::INFINITY;
        for o in [5.0, 10.0, 50.0, 100.0, 1000.0, 10000.0] {
            for m in [CiMethod::Exact, CiMethod::Byar] {
                let (l, h) = poisson_interval(o, 0.95, m);
                assert!(l < o && o < h);
            }
            let (l, h) = poisson_interval(o, 0.95, CiMethod::Exact);
            let rel = (h - l) / o;
            assert!(rel < last);
            last = rel;
        }
        let (c, p, m) = example(10.0);
        let res = compute_icc(
            &c,
            &p,
            RateSource::Reference,
            &m,
            &cfg(),
            &mut Rejects::default(),
        )
        .unwrap();
        let b = res.rows[1].cell.as_ref().unwrap();
        assert!(close(b.icc, 6000.0 / (230.0 / 3.0), 1e-9));
        assert_eq!(b.flag, Flag::Below);
    }

    #[test]
    fn normal_interval_matches_hand_values_and_converges_to_exact() {
        // O = 100, z = 1.959964: exp(0.1959964) = 1.216523, so [82.2015, 121.6523].
        let (l, h) = poisson_interval(100.0, 0.95, CiMethod::Normal);
        assert!(close(l, 82.2015, 1e-3), "{l}");
        assert!(close(h, 121.6523, 1e-3), "{h}");
        // O = 400: exp(1.959964 / 20) = 1.102961, so [362.6602, 441.1843].
        let (l, h) = poisson_interval(400.0, 0.95, CiMethod::Normal);
        assert!(close(l, 362.6602, 1e-3), "{l}");
        assert!(close(h, 441.1843, 1e-3), "{h}");
        // At O = 0 the normal interval is undefined: the exact one is used and named.
        assert_eq!(CiMethod::Normal.resolve(0.0), CiMethod::Exact);
        assert_eq!(
            poisson_interval(0.0, 0.95, CiMethod::Normal),
            poisson_interval(0.0, 0.95, CiMethod::Exact)
        );
        let mut last = f64::INFINITY;
        for o in [100.0, 1_000.0, 10_000.0, 100_000.0] {
            let (el, eh) = poisson_interval(o, 0.95, CiMethod::Exact);
            let (nl, nh) = poisson_interval(o, 0.95, CiMethod::Normal);
            let gap = ((el - nl).abs() / el).max((eh - nh).abs() / eh);
            assert!(gap < last, "O={o}: {gap}");
            last = gap;
        }
        assert!(last < 1e-4, "{last}");
    }

    #[test]
    fn auto_uses_exact_below_the_threshold_and_names_the_method() {
        let auto = CiMethod::Auto { threshold: 100 };
        assert_eq!(auto.resolve(99.0), CiMethod::Exact);
        assert_eq!(auto.resolve(100.0), CiMethod::Normal);
        assert_eq!(
            poisson_interval(50.0, 0.95, auto),
            poisson_interval(50.0, 0.95, CiMethod::Exact)
        );
        assert_eq!(
            poisson_interval(150.0, 0.95, auto),
            poisson_interval(150.0, 0.95, CiMethod::Normal)
        );
        assert_eq!(
            CiMethod::parse("auto", 30),
            Some(CiMethod::Auto { threshold: 30 })
        );
        assert_eq!(CiMethod::parse("wald", 30), None);
        // The hand-worked example scaled by 10: A has O = 1000 (normal), B 600 (normal);
        // with a threshold of 700, B is exact.
        let (c, p, m) = example(10.0);
        let cfg = IccConfig {
            ci: CiMethod::Auto { threshold: 700 },
            ..cfg()
        };
        let res = compute_icc(
            &c,
            &p,
            RateSource::Reference,
            &m,
            &cfg,
            &mut Rejects::default(),
        )
        .unwrap();
        let methods: Vec<CiMethod> = res.rows[..2]
            .iter()
            .map(|r| r.cell.as_ref().unwrap().method)
            .collect();
        assert_eq!(methods, [CiMethod::Normal, CiMethod::Exact]);
    }
}
