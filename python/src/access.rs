//! Every network indicator at once ([`recours::access`]): nearest sites per category,
//! coverage at thresholds, floating-catchment indicators and the APL, for origins and sites
//! given as arrays. The scenario object reuses the same pieces.

use crate::fca::{method, Params};
use crate::network::Unsnapped;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use recours::access::{AccessResults, AccessSpec, FcaRequest};
use recours::inputs::demand::Origin;
use recours::inputs::supply::Site;

/// One floating-catchment request from Python: output name, category, method, parameters.
pub type FcaArgs = (String, String, String, Params);

/// The specification of an access computation.
#[allow(clippy::too_many_arguments)]
pub fn spec(
    nearest: Vec<String>,
    kth: Option<usize>,
    nearest_max_minutes: Option<f64>,
    coverage: Vec<String>,
    thresholds: Vec<f64>,
    fca: Vec<FcaArgs>,
    age_weights: Option<Vec<f64>>,
    max_snap_m: f64,
) -> PyResult<AccessSpec> {
    let fca = fca
        .into_iter()
        .map(|(name, category, m, p)| {
            Ok(FcaRequest {
                name,
                category,
                method: method(&m, &p)?,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let age_weights = match age_weights {
        None => None,
        Some(w) => {
            let w: [f64; 10] = w.try_into().map_err(|w: Vec<f64>| {
                PyValueError::new_err(format!(
                    "age_weights: 10 weights expected (ind_0_3 … ind_80p), got {}",
                    w.len()
                ))
            })?;
            Some(recours::inputs::demand::standardise::AgeWeights(w))
        }
    };
    Ok(AccessSpec {
        nearest,
        kth,
        nearest_max_minutes,
        coverage,
        thresholds,
        fca,
        age_weights,
        max_snap_m,
    })
}

/// Origins from coordinate (WGS84) and population arrays, with age bands when given
/// (an `n × 10` array in the order of Filosofi's `ind_0_3` … `ind_80p`).
pub fn origins(
    lon: PyReadonlyArray1<'_, f64>,
    lat: PyReadonlyArray1<'_, f64>,
    population: PyReadonlyArray1<'_, f64>,
    ages: Option<numpy::PyReadonlyArray2<'_, f64>>,
) -> PyResult<Vec<Origin>> {
    let (lon, lat, pop) = (lon.as_array(), lat.as_array(), population.as_array());
    if lon.len() != lat.len() || lon.len() != pop.len() {
        return Err(PyValueError::new_err(
            "origin lon, lat and population differ in length",
        ));
    }
    let ages = ages.as_ref().map(|a| a.as_array());
    if let Some(a) = &ages {
        if a.shape() != [lon.len(), 10] {
            return Err(PyValueError::new_err(format!(
                "age bands: shape {:?}, expected ({}, 10)",
                a.shape(),
                lon.len()
            )));
        }
    }
    Ok((0..lon.len())
        .map(|i| Origin {
            id: i.to_string(),
            lon: lon[i],
            lat: lat[i],
            population: pop[i],
            ages: ages.as_ref().map(|a| std::array::from_fn(|k| a[[i, k]])),
            income: None,
            source: format!("origin {i}"),
        })
        .collect())
}

/// Sites from arrays: ids, coordinates (WGS84), categories, capacity, activity (acts a
/// year, NaN unknown), age (years, negative unknown). The ids tell a scenario's kept sites
/// from changed ones.
pub fn sites(
    id: Vec<String>,
    lon: PyReadonlyArray1<'_, f64>,
    lat: PyReadonlyArray1<'_, f64>,
    category: Vec<String>,
    capacity: PyReadonlyArray1<'_, f64>,
    activity: PyReadonlyArray1<'_, f64>,
    age: PyReadonlyArray1<'_, i64>,
) -> PyResult<Vec<Site>> {
    let (lon, lat, cap, act, age) = (
        lon.as_array(),
        lat.as_array(),
        capacity.as_array(),
        activity.as_array(),
        age.as_array(),
    );
    let n = lon.len();
    if [
        id.len(),
        lat.len(),
        category.len(),
        cap.len(),
        act.len(),
        age.len(),
    ]
    .iter()
    .any(|&l| l != n)
    {
        return Err(PyValueError::new_err("site columns differ in length"));
    }
    Ok((0..n)
        .map(|j| Site {
            id: id[j].clone(),
            category: category[j].clone(),
            lon: lon[j],
            lat: lat[j],
            capacity: cap[j],
            activity: Some(act[j]).filter(|v| v.is_finite()),
            age: Some(age[j]).filter(|&v| v >= 0).map(|v| v as u32),
            source: id[j].clone(),
        })
        .collect())
}

fn reasons(u: Vec<(usize, &recours::snap::Unsnapped)>) -> Unsnapped {
    u.into_iter().map(|(i, why)| (i, why.to_string())).collect()
}

/// The results as a dict of NumPy arrays (minutes and km as float, NaN where none; site
/// indices into the sites given, −1 where none):
/// `nearest[cat] = {minutes, km, site[, kth_minutes]}`, `coverage[cat] = {thresholds,
/// sites (n × k), capacity (n × k)}`, `fca[name] = {access (0 in no catchment), in_catchment, sites,
/// ratio, weighted_demand}`, `demand`, `unsnapped_origins`, `unsnapped_sites`.
pub fn to_py<'py>(py: Python<'py>, r: AccessResults) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let n = r.origin_snaps.len();
    out.set_item("unsnapped_origins", reasons(r.unsnapped_origins()))?;
    out.set_item("unsnapped_sites", reasons(r.unsnapped_sites()))?;
    let nearest = PyDict::new(py);
    for layer in r.nearest {
        let d = PyDict::new(py);
        let first = |f: &dyn Fn(&recours::indicators::nearest::Reached) -> f64| -> Vec<f64> {
            layer
                .nearest
                .iter()
                .map(|v| v.first().map_or(f64::NAN, f))
                .collect()
        };
        d.set_item(
            "minutes",
            PyArray1::from_vec(py, first(&|x| f64::from(x.time_ms) / 60_000.0)),
        )?;
        d.set_item(
            "km",
            PyArray1::from_vec(py, first(&|x| f64::from(x.len_dm) / 10_000.0)),
        )?;
        let site: Vec<i64> = layer
            .nearest
            .iter()
            .map(|v| {
                v.first()
                    .map_or(-1, |x| layer.sites[x.site as usize] as i64)
            })
            .collect();
        d.set_item("site", PyArray1::from_vec(py, site))?;
        if let Some(k) = r.kth {
            let kth: Vec<f64> = layer
                .nearest
                .iter()
                .map(|v| {
                    v.get(k - 1)
                        .map_or(f64::NAN, |x| f64::from(x.time_ms) / 60_000.0)
                })
                .collect();
            d.set_item("kth_minutes", PyArray1::from_vec(py, kth))?;
            d.set_item("k", k)?;
        }
        nearest.set_item(&layer.category, d)?;
    }
    out.set_item("nearest", nearest)?;
    let coverage = PyDict::new(py);
    for layer in r.coverage {
        let c = layer.coverage;
        let k = c.thresholds.len();
        let d = PyDict::new(py);
        let shape_err = |e: numpy::ndarray::ShapeError| PyValueError::new_err(e.to_string());
        d.set_item(
            "sites",
            Array2::from_shape_vec((n, k), c.sites)
                .map_err(shape_err)?
                .into_pyarray(py),
        )?;
        d.set_item(
            "capacity",
            Array2::from_shape_vec((n, k), c.capacity)
                .map_err(shape_err)?
                .into_pyarray(py),
        )?;
        d.set_item("thresholds", c.thresholds)?;
        coverage.set_item(&layer.category, d)?;
    }
    out.set_item("coverage", coverage)?;
    let fca = PyDict::new(py);
    for layer in r.fca {
        let d = PyDict::new(py);
        let res = layer.result;
        // As the study writes it: 0 in no catchment, no value when the origin is not snapped.
        let access: Vec<f64> = res
            .access
            .iter()
            .zip(&r.origin_snaps)
            .map(|(&a, snap)| if snap.is_ok() { a } else { f64::NAN })
            .collect();
        d.set_item("access", PyArray1::from_vec(py, access))?;
        d.set_item("in_catchment", PyArray1::from_vec(py, res.reached))?;
        let site_ix: Vec<i64> = layer.sites.iter().map(|&j| j as i64).collect();
        d.set_item("sites", PyArray1::from_vec(py, site_ix))?;
        let ratio: Vec<f64> = res.ratio.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
        d.set_item("ratio", PyArray1::from_vec(py, ratio))?;
        d.set_item("weighted_demand", PyArray1::from_vec(py, res.site_demand))?;
        fca.set_item(&layer.request.name, d)?;
    }
    out.set_item("fca", fca)?;
    out.set_item("demand", PyArray1::from_vec(py, r.demand))?;
    Ok(out)
}
