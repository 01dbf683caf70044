//! The indicators of a study per territorial level: which per-origin indicators are
//! summarised (`summarised`), their per-unit summary columns (`summary_columns`), and
//! the floating-catchment indicators computed between communes (DREES convention,
//! `commune_level_columns`) — for the baseline and for every scenario alike.

use super::config::Study;
use crate::access::{AccessResults, AccessSpec, FcaRequest};
use crate::aggregate::{summarize, Assignment, Indicator, Polarity, Summaries, Thresholds};
use crate::export::columns::{kth_column, Column, Format, Values};
use crate::indicators::apl::apl_supply;
use crate::indicators::commune_level::CommuneTimes;
use crate::indicators::kernel::Kernel;
use crate::indicators::method::{method_from, FcaMethod, MethodParams};
use crate::inputs::demand::standardise::AgeWeights;
use crate::inputs::demand::Origin;
use crate::inputs::supply::Site;
use crate::inputs::territory::{UnitIndex, UnitLayer};
use crate::support::rejects::Rejects;
use anyhow::Context;
use std::collections::BTreeMap;

/// One per-origin indicator summarised per territory.
pub(crate) struct Summarised {
    /// Indicator name (`gp_minutes`, `gp_e2sfca_30`…).
    pub name: String,
    /// Which side is better.
    pub polarity: Polarity,
    /// Thresholds of the shares, in the indicator's unit.
    pub thresholds: Vec<f64>,
    /// Per origin (`None`: no value).
    pub values: Vec<Option<f64>>,
}

/// Splits a `file:line` source into its parts (line 0 when there is none).
pub(crate) fn file_and_line(source: &str) -> (&str, u64) {
    match source.rsplit_once(':') {
        Some((file, line)) if !file.is_empty() => match line.parse() {
            Ok(n) => (file, n),
            Err(_) => (source, 0),
        },
        _ => (source, 0),
    }
}

/// The floating-catchment request of one `[[indicators.fca]]` entry.
pub(crate) fn access_spec_request(f: &super::config::FcaConfig) -> anyhow::Result<FcaRequest> {
    let params = MethodParams {
        max_minutes: f.max_minutes,
        bands: f.bands.as_ref().map(|b| {
            b.iter()
                .map(|b| format!("{}:{}", b.to_minutes, b.weight))
                .collect::<Vec<_>>()
                .join(",")
        }),
        side: f.side,
        sigma_minutes: f.sigma_minutes,
        beta_per_minute: f.beta_per_minute,
        power: f.power,
        min_minutes: f.min_minutes,
        scale_minutes: f.scale_minutes,
        max_age: f.max_age.map(|a| (a > 0).then_some(a)),
    };
    Ok(FcaRequest {
        name: f.name.clone(),
        category: f.category.clone(),
        method: method_from(&f.method, &params)
            .with_context(|| format!("[[indicators.fca]] {}", f.name))?,
    })
}

/// The access computation a study asks for.
pub(crate) fn access_spec(study: &Study) -> anyhow::Result<AccessSpec> {
    let ind = &study.indicators;
    let fca = ind
        .fca
        .iter()
        .filter(|f| f.level.is_none())
        .map(access_spec_request)
        .collect::<anyhow::Result<_>>()?;
    let age_weights = match &ind.age_weights {
        Some(w) => {
            Some(AgeWeights(w.as_slice().try_into().map_err(|_| {
                anyhow::anyhow!("age_weights: 10 weights expected")
            })?))
        }
        None => None,
    };
    Ok(AccessSpec {
        nearest: ind.nearest.clone(),
        kth: ind.kth,
        nearest_max_minutes: ind.nearest_max_minutes,
        coverage: ind.coverage.clone(),
        thresholds: ind.thresholds.clone(),
        fca,
        age_weights,
        max_snap_m: study.network.max_snap_m,
    })
}

/// The indicators summarised per territory: times to the nearest site (and k-th) of each
/// category, and each floating-catchment indicator.
pub(crate) fn summarised(
    study: &Study,
    access: &AccessResults,
    columns: &[Column],
) -> Vec<Summarised> {
    let numbers = |name: &str| {
        columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.numbers())
            .map(<[Option<f64>]>::to_vec)
    };
    let mut out = Vec::new();
    for layer in &access.nearest {
        let mut names = vec![format!("{}_minutes", layer.category)];
        if let Some(k) = access.kth {
            names.push(kth_column(&layer.category, k));
        }
        for name in names {
            if let Some(values) = numbers(&name) {
                out.push(Summarised {
                    name,
                    polarity: Polarity::LowerIsBetter,
                    thresholds: study.indicators.thresholds.clone(),
                    values,
                });
            }
        }
    }
    for f in study.indicators.fca.iter().filter(|f| f.level.is_none()) {
        if let Some(values) = numbers(&f.name) {
            out.push(Summarised {
                name: f.name.clone(),
                polarity: Polarity::HigherIsBetter,
                thresholds: f.thresholds.clone(),
                values,
            });
        }
    }
    out
}

pub(crate) fn summaries(
    s: &Summarised,
    weights: &[f64],
    units: &Assignment,
) -> anyhow::Result<Summaries> {
    let indicator = Indicator::new(&s.values, weights)?;
    let thresholds = Thresholds::new(&s.thresholds, s.polarity)?;
    Ok(summarize(&indicator, units, &thresholds)?)
}

/// Per-unit columns of a summary: mean, median, min, max, population (all the origins of
/// the unit), population with a value, and one share per threshold (of all the population,
/// unreached counted on the bad side).
pub(crate) fn summary_columns(name: &str, s: &Summaries) -> Vec<Column> {
    let col = |suffix: &str, v: Vec<Option<f64>>, f: Format| Column {
        name: format!("{name}_{suffix}"),
        values: Values::Number(v, f),
    };
    let u = &s.units;
    let mut cols = vec![
        col("mean", u.iter().map(|x| x.mean).collect(), Format::Fixed(4)),
        col(
            "median",
            u.iter().map(|x| x.median).collect(),
            Format::Fixed(4),
        ),
        col("min", u.iter().map(|x| x.min).collect(), Format::Fixed(4)),
        col("max", u.iter().map(|x| x.max).collect(), Format::Fixed(4)),
        col(
            "population",
            u.iter()
                .map(|x| Some(x.population + x.population_without_value))
                .collect(),
            Format::Fixed(1),
        ),
        col(
            "population_with_value",
            u.iter().map(|x| Some(x.population)).collect(),
            Format::Fixed(1),
        ),
    ];
    let side = match s.thresholds.polarity() {
        Polarity::LowerIsBetter => "share_beyond",
        Polarity::HigherIsBetter => "share_at_most",
    };
    for (k, t) in s.thresholds.values().iter().enumerate() {
        cols.push(col(
            &format!("{side}_{}", Format::Shortest.write(*t)),
            u.iter().map(|x| x.shares[k].of_all).collect(),
            Format::Fixed(4),
        ));
    }
    cols
}

pub(crate) fn weighted_mean(values: &[Option<f64>], weights: &[f64]) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for (v, w) in values.iter().zip(weights) {
        if let Some(v) = v {
            num += v * w;
            den += w;
        }
    }
    (den > 0.0).then(|| num / den)
}

/// Commune-to-commune times per radius (the key: the radius's bits), searched once per
/// network and shared by the baseline and its scenarios.
pub(crate) type CommuneTimesCache = BTreeMap<u64, CommuneTimes>;

/// The origins as a commune-level computation needs them.
pub(crate) struct People<'a> {
    /// Communes containing each origin.
    pub membership: &'a [Vec<usize>],
    /// The origins.
    pub origins: &'a [Origin],
    /// Demand of each origin.
    pub demand: &'a [f64],
}

/// The floating-catchment indicators asked at commune level (DREES convention), one column
/// per indicator on the commune level (`{name}`, and `{name}_ratio` per commune). Times are
/// taken from `shared` (the baseline's, on the same network) or searched into `own`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn commune_level_columns(
    study: &Study,
    graph: &crate::network::graph::Graph,
    communes: &UnitLayer,
    people: People,
    sites: &[Site],
    shared: &CommuneTimesCache,
    own: &mut CommuneTimesCache,
    rejects: &mut Rejects,
) -> anyhow::Result<Vec<Column>> {
    let People {
        membership,
        origins,
        demand,
    } = people;
    let n = communes.units.len();
    let mut demand_of = vec![0.0; n];
    // Chef-lieu: the commune's most populated origin (first of equals).
    let mut centre: Vec<Option<(f64, f64, f64)>> = vec![None; n];
    for ((units, d), o) in membership.iter().zip(demand).zip(origins) {
        if let Some(&c) = units.first() {
            demand_of[c] += d;
            if centre[c].is_none_or(|(_, _, p)| o.population > p) {
                centre[c] = Some((o.lon, o.lat, o.population));
            }
        }
    }
    let centres: Vec<Option<(f64, f64)>> =
        centre.iter().map(|c| c.map(|(x, y, _)| (x, y))).collect();
    let index = UnitIndex::new(communes);
    let mut out = Vec::new();
    for f in study
        .indicators
        .fca
        .iter()
        .filter(|f| f.level.as_deref() == Some("commune"))
    {
        let of_category: Vec<&Site> = sites.iter().filter(|s| s.category == f.category).collect();
        let request = access_spec_request(f)?;
        let (kernel, capacity): (Kernel, Vec<f64>) = match &request.method {
            FcaMethod::Kernel(k) => (k.clone(), of_category.iter().map(|s| s.capacity).collect()),
            FcaMethod::Apl(rules) => {
                let owned: Vec<Site> = of_category.iter().map(|s| (*s).clone()).collect();
                (rules.kernel.clone(), apl_supply(&owned, rules).acts)
            }
        };
        let mut supply_of = vec![0.0; n];
        for (s, cap) in of_category.iter().zip(&capacity) {
            match index.units_of(s.lon, s.lat).first() {
                Some(&c) => supply_of[c] += cap,
                None => {
                    let (file, line) = file_and_line(&s.source);
                    rejects.push(file, line, &s.id, format!("{}: site in no commune", f.name));
                }
            }
        }
        let key = kernel.max_minutes().to_bits();
        if !shared.contains_key(&key) && !own.contains_key(&key) {
            let times = CommuneTimes::new(
                graph,
                communes,
                &centres,
                kernel.max_minutes(),
                study.network.max_snap_m,
            )?;
            own.insert(key, times);
        }
        let times = shared
            .get(&key)
            .or_else(|| own.get(&key))
            .context("commune times")?;
        let result = times.fca(&demand_of, &supply_of, &kernel)?;
        // A commune with neither people nor supply is not part of the computation.
        for (c, why) in times
            .unsnapped
            .iter()
            .filter(|(c, _)| demand_of[*c] > 0.0 || supply_of[*c] > 0.0)
        {
            rejects.push(
                "commune level",
                0,
                &communes.units[*c].code,
                format!("{}: chef-lieu not snapped: {why}", f.name),
            );
        }
        out.push(Column {
            name: f.name.clone(),
            values: Values::Number(
                (0..n)
                    .map(|c| (demand_of[c] > 0.0).then_some(result.access[c]))
                    .collect(),
                Format::Fixed(4),
            ),
        });
        out.push(Column {
            name: format!("{}_ratio", f.name),
            values: Values::Number(result.ratio, Format::Shortest),
        });
    }
    Ok(out)
}
