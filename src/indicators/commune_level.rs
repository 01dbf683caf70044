//! Floating-catchment indicators between communes, the DREES convention for the APL
//! (DREES, *Les dossiers de la DREES* 2020): every commune's demand and supply stand at
//! one point, its chef-lieu (given by the caller — a study takes the commune's most
//! populated 200 m cell, its village centre — or, failing that, the polygon's interior
//! point, which always lies inside it), trips are chef-lieu to chef-lieu on the road network, and
//! the trip within a commune takes 0 minutes (also for a commune whose point could not be
//! placed on the network: it then only serves itself, and is reported).
//!
//! The commune-to-commune times come from one bounded table ([`crate::odtable::point_table`])
//! within the kernel's radius; then the same code as every other FCA
//! ([`super::fca::floating_catchment`] over [`super::catchment::TimesCatchments`]).

use super::catchment::TimesCatchments;
use super::fca::{floating_catchment, FcaResult, FcaSpec};
use super::kernel::Kernel;
use crate::network::graph::Graph;
use crate::odtable::point_table;
use crate::points::NamedPoint;
use crate::territory::UnitLayer;
use geo::InteriorPoint;

/// A floating-catchment indicator computed commune to commune.
#[derive(Clone, Debug, PartialEq)]
pub struct CommuneLevel {
    /// Access per commune (index of the layer), supply ratio per commune.
    pub result: FcaResult,
    /// Communes whose chef-lieu could not be placed on the network, with why.
    pub unsnapped: Vec<(usize, String)>,
}

/// Computes `kernel`'s FCA between the communes of `communes`, with `demand[c]` and
/// `supply[c]` the commune totals (inhabitants, supply units) and `centres[c]` its
/// chef-lieu (`(lon, lat)` degrees; `None`: the polygon's interior point), on `graph`.
pub fn commune_level_fca(
    graph: &Graph,
    communes: &UnitLayer,
    centres: &[Option<(f64, f64)>],
    demand: &[f64],
    supply: &[f64],
    kernel: &Kernel,
    max_snap_m: f64,
) -> anyhow::Result<CommuneLevel> {
    let n = communes.units.len();
    let points: Vec<NamedPoint> = communes
        .units
        .iter()
        .enumerate()
        .map(|(c, u)| {
            let inner = || u.geometry.interior_point().map(|p| (p.x(), p.y()));
            let (lon, lat) = centres
                .get(c)
                .copied()
                .flatten()
                .or_else(inner)
                .unwrap_or((f64::NAN, f64::NAN));
            NamedPoint {
                id: u.code.clone(),
                line: c as u64,
                lon,
                lat,
            }
        })
        .collect();
    let max_ms = (kernel.max_minutes() * 60_000.0).floor() as u32;
    let table = point_table(graph, &points, &points, Some(max_ms), max_snap_m)?;
    let mut pairs: Vec<(u32, u32, f64)> = table
        .cells
        .iter()
        .filter(|c| c.0 != c.1)
        .map(|&(i, j, ms, _)| (i as u32, j as u32, f64::from(ms) / 60_000.0))
        .collect();
    pairs.extend((0..n as u32).map(|c| (c, c, 0.0)));
    let catchments = TimesCatchments::new(n, n, &pairs);
    let spec = FcaSpec {
        kernel: kernel.clone(),
        supply: supply.to_vec(),
        demand: demand.to_vec(),
    };
    let result = floating_catchment(&catchments, &[spec])?.remove(0);
    Ok(CommuneLevel {
        result,
        unsnapped: table
            .unsnapped_sources
            .iter()
            .map(|(c, why)| (*c, why.to_string()))
            .collect(),
    })
}
