//! Floating-catchment indicators between communes, the DREES convention for the APL
//! (DREES, *Les dossiers de la DREES* 2020): every commune's demand and supply stand at
//! one point, its chef-lieu (given by the caller — a study takes the commune's most
//! populated 200 m cell, its village centre — or, failing that, the polygon's interior
//! point, which always lies inside it), trips are chef-lieu to chef-lieu on the road network, and
//! the trip within a commune takes 0 minutes (also for a commune whose point could not be
//! placed on the network: it then only serves itself, and is reported).
//!
//! The commune-to-commune times come from one bounded table ([`crate::routing::points::point_table`])
//! within the kernel's radius ([`CommuneTimes`], searched once and reused by every supply:
//! the baseline and each scenario); then the same code as every other FCA
//! ([`super::fca::floating_catchment`] over [`super::catchment::TimesCatchments`]).

use super::catchment::TimesCatchments;
use super::fca::{floating_catchment, FcaError, FcaResult, FcaSpec};
use super::kernel::Kernel;
use crate::inputs::points::NamedPoint;
use crate::inputs::territory::UnitLayer;
use crate::network::graph::Graph;
use crate::routing::points::{point_table, PointTableError};
use geo::InteriorPoint;

/// Why an FCA between communes could not run.
#[derive(Debug, thiserror::Error)]
pub enum CommuneFcaError {
    /// The kernel reaches beyond the radius the times were searched within.
    #[error("commune times searched within {searched} min, kernel reaches {kernel} min")]
    BeyondRadius {
        /// Radius of the times, minutes.
        searched: f64,
        /// Radius of the kernel, minutes.
        kernel: f64,
    },
    /// The floating catchment itself failed.
    #[error(transparent)]
    Fca(#[from] FcaError),
}

/// The times between the communes' chef-lieux within a radius (0 minutes within a
/// commune), computed once per network and radius and shared by every computation on them
/// (the baseline and each scenario of a study).
#[derive(Clone, Debug)]
pub struct CommuneTimes {
    /// Commune-to-commune catchments.
    catchments: TimesCatchments,
    /// Radius the times were searched within, minutes.
    max_minutes: f64,
    /// Communes whose chef-lieu could not be placed on the network, with why.
    pub unsnapped: Vec<(usize, String)>,
}

impl CommuneTimes {
    /// Searches the times within `max_minutes` between the communes of `communes`, each
    /// at its chef-lieu `centres[c]` (`(lon, lat)` degrees; `None`: the polygon's interior
    /// point), on `graph`.
    pub fn new(
        graph: &Graph,
        communes: &UnitLayer,
        centres: &[Option<(f64, f64)>],
        max_minutes: f64,
        max_snap_m: f64,
    ) -> Result<CommuneTimes, PointTableError> {
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
        let max_ms = (max_minutes * 60_000.0).floor() as u32;
        let table = point_table(graph, &points, &points, Some(max_ms), max_snap_m)?;
        let mut pairs: Vec<(u32, u32, f64)> = table
            .cells
            .iter()
            .filter(|c| c.0 != c.1)
            .map(|&(i, j, ms, _)| (i as u32, j as u32, f64::from(ms) / 60_000.0))
            .collect();
        pairs.extend((0..n as u32).map(|c| (c, c, 0.0)));
        Ok(CommuneTimes {
            catchments: TimesCatchments::new(n, n, &pairs),
            max_minutes,
            unsnapped: table
                .unsnapped_sources
                .iter()
                .map(|(c, why)| (*c, why.to_string()))
                .collect(),
        })
    }

    /// Radius of the times, minutes.
    pub fn max_minutes(&self) -> f64 {
        self.max_minutes
    }

    /// `kernel`'s FCA between the communes, with `demand[c]` and `supply[c]` the commune
    /// totals (inhabitants, supply units); the kernel must fit within the radius.
    pub fn fca(
        &self,
        demand: &[f64],
        supply: &[f64],
        kernel: &Kernel,
    ) -> Result<FcaResult, CommuneFcaError> {
        if kernel.max_minutes() > self.max_minutes {
            return Err(CommuneFcaError::BeyondRadius {
                searched: self.max_minutes,
                kernel: kernel.max_minutes(),
            });
        }
        let spec = FcaSpec {
            kernel: kernel.clone(),
            supply: supply.to_vec(),
            demand: demand.to_vec(),
        };
        Ok(floating_catchment(&self.catchments, &[spec])?.remove(0))
    }
}
