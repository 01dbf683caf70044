//! Floating-catchment indicators on a travel-time table the analyst brings (the pairs as
//! index arrays), through the same code as `recours fca` ([`recours::indicators::fca`],
//! [`recours::indicators::apl`]).

use crate::to_py;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use recours::indicators::apl::apl;
use recours::indicators::catchment::TimesCatchments;
use recours::indicators::fca::{floating_catchment, FcaSpec};
use recours::indicators::kernel::BoundSide;
use recours::indicators::method::{method_from, FcaMethod, MethodParams};
use recours::inputs::supply::Site;

/// Method parameters as Python passes them: a dict with every key (`None`: the method's
/// default).
#[derive(FromPyObject, Default)]
#[pyo3(from_item_all)]
pub struct Params {
    /// Catchment radius, minutes.
    pub max_minutes: Option<f64>,
    /// Step bands `to:weight,…`.
    pub bands: Option<String>,
    /// `upper_inclusive` (default) or `upper_exclusive`.
    pub side: Option<String>,
    /// Gaussian σ, minutes.
    pub sigma_minutes: Option<f64>,
    /// Exponential β, per minute.
    pub beta_per_minute: Option<f64>,
    /// Gravity power.
    pub power: Option<f64>,
    /// Gravity floor, minutes.
    pub min_minutes: Option<f64>,
    /// Gravity time unit, minutes.
    pub scale_minutes: Option<f64>,
    /// APL age limit, years; 0 = no limit.
    pub max_age: Option<u32>,
}

/// The method `name` with `p`'s parameters, as the command line builds it.
pub fn method(name: &str, p: &Params) -> PyResult<FcaMethod> {
    let side = match p.side.as_deref() {
        None | Some("upper_inclusive") => BoundSide::UpperInclusive,
        Some("upper_exclusive") => BoundSide::UpperExclusive,
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "side {other:?}: expected upper_inclusive or upper_exclusive"
            )))
        }
    };
    let params = MethodParams {
        max_minutes: p.max_minutes,
        bands: p.bands.clone(),
        side,
        sigma_minutes: p.sigma_minutes,
        beta_per_minute: p.beta_per_minute,
        power: p.power,
        min_minutes: p.min_minutes,
        scale_minutes: p.scale_minutes,
        max_age: p.max_age.map(|a| (a > 0).then_some(a)),
    };
    method_from(name, &params).map_err(to_py)
}

/// Per-origin access and in-catchment flag, per-site weighted demand and ratio (NaN when
/// no demand reaches the site).
type FcaArrays<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// Floating-catchment access from `(origin, site, minutes)` pairs given as index arrays
/// into `demand` (inhabitants or standardised demand per origin) and `capacity` (supply per
/// site); `activity` (acts a year, NaN unknown) and `age` (years, negative unknown) are
/// used by the APL. Access is in supply units per unit of demand.
#[pyfunction]
#[pyo3(signature = (origin, site, minutes, demand, capacity, method_name, params, activity=None, age=None))]
#[allow(clippy::too_many_arguments)]
pub fn fca_pairs<'py>(
    py: Python<'py>,
    origin: PyReadonlyArray1<'py, u32>,
    site: PyReadonlyArray1<'py, u32>,
    minutes: PyReadonlyArray1<'py, f64>,
    demand: PyReadonlyArray1<'py, f64>,
    capacity: PyReadonlyArray1<'py, f64>,
    method_name: &str,
    params: Params,
    activity: Option<PyReadonlyArray1<'py, f64>>,
    age: Option<PyReadonlyArray1<'py, i64>>,
) -> PyResult<FcaArrays<'py>> {
    let m = method(method_name, &params)?;
    let (o, s, t) = (origin.as_array(), site.as_array(), minutes.as_array());
    if o.len() != s.len() || o.len() != t.len() {
        return Err(PyValueError::new_err(
            "origin, site and minutes differ in length",
        ));
    }
    let demand = demand.as_array().to_vec();
    let capacity = capacity.as_array().to_vec();
    let (n_o, n_s) = (demand.len(), capacity.len());
    let mut pairs = Vec::with_capacity(o.len());
    for k in 0..o.len() {
        let (i, j, m) = (o[k], s[k], t[k]);
        if i as usize >= n_o || j as usize >= n_s {
            return Err(PyValueError::new_err(format!(
                "pair {k}: origin {i} or site {j} out of range"
            )));
        }
        if !(m.is_finite() && m >= 0.0) {
            return Err(PyValueError::new_err(format!(
                "pair {k}: minutes {m} is not a non-negative number"
            )));
        }
        pairs.push((i, j, m));
    }
    // The APL's supply rules read each site's activity and age.
    let sites: Vec<Site> = if matches!(m, FcaMethod::Apl(_)) {
        let act = activity.as_ref().map(|a| a.as_array().to_vec());
        let ages = age.as_ref().map(|a| a.as_array().to_vec());
        (0..n_s)
            .map(|j| Site {
                id: j.to_string(),
                category: String::new(),
                lon: f64::NAN,
                lat: f64::NAN,
                capacity: capacity[j],
                activity: act.as_ref().map(|a| a[j]).filter(|v| v.is_finite()),
                age: ages
                    .as_ref()
                    .map(|a| a[j])
                    .filter(|&v| v >= 0)
                    .map(|v| v as u32),
                source: format!("site {j}"),
            })
            .collect()
    } else {
        Vec::new()
    };
    let result = py
        .allow_threads(move || -> anyhow::Result<_> {
            let catchments = TimesCatchments::new(n_o, n_s, &pairs);
            Ok(match &m {
                FcaMethod::Apl(rules) => apl(&catchments, &sites, demand, rules)?.0,
                FcaMethod::Kernel(k) => {
                    let spec = FcaSpec {
                        kernel: k.clone(),
                        supply: capacity,
                        demand,
                    };
                    floating_catchment(&catchments, &[spec])?.remove(0)
                }
            })
        })
        .map_err(to_py)?;
    let ratio: Vec<f64> = result.ratio.iter().map(|r| r.unwrap_or(f64::NAN)).collect();
    Ok((
        PyArray1::from_vec(py, result.access),
        PyArray1::from_vec(py, result.reached),
        PyArray1::from_vec(py, result.site_demand),
        PyArray1::from_vec(py, ratio),
    ))
}
