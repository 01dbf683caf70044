//! Coverage, or cumulative opportunities: for each origin and each threshold *T* (minutes),
//! how many sites and how much capacity it reaches within *T*, all thresholds in one sweep
//! of the catchments at the largest threshold:
//!
//! ```text
//! N_i(T) = #{ j : t_ij ≤ T }        C_i(T) = Σ_{j : t_ij ≤ T} S_j
//! ```
//!
//! An origin *covered* at *T* reaches at least one site (`N_i(T) ≥ 1`). Default thresholds:
//! 5, 10, 15, 20, 30, 45 and 60 minutes. Capacity sums run in site order, so results do not
//! depend on the number of threads.

use super::catchment::{sweep, Catchments, Reach};
use crate::routing::dijkstra::SearchError;

/// The thresholds used when the study names none, minutes.
pub const DEFAULT_THRESHOLDS: [f64; 7] = [5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0];

/// Sites and capacity within each threshold, per origin.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// Thresholds, minutes, increasing.
    pub thresholds: Vec<f64>,
    /// `sites[i * thresholds.len() + k]`: sites origin *i* reaches within threshold *k*.
    pub sites: Vec<u32>,
    /// `capacity[i * thresholds.len() + k]`: their capacity, in the supply unit.
    pub capacity: Vec<f64>,
}

impl Coverage {
    /// Sites origin `i` reaches within threshold number `k`.
    pub fn sites_within(&self, i: usize, k: usize) -> u32 {
        self.sites[i * self.thresholds.len() + k]
    }

    /// Capacity origin `i` reaches within threshold number `k`.
    pub fn capacity_within(&self, i: usize, k: usize) -> f64 {
        self.capacity[i * self.thresholds.len() + k]
    }

    /// Whether origin `i` reaches at least one site within threshold number `k`.
    pub fn covered(&self, i: usize, k: usize) -> bool {
        self.sites_within(i, k) > 0
    }
}

/// Accumulates coverage one site at a time, in site order: lets a sweep made for other
/// indicators (the floating-catchment passes) count coverage on the way.
#[derive(Clone, Debug)]
pub struct CoverageCounter<'a> {
    capacity: &'a [f64],
    out: Coverage,
}

impl<'a> CoverageCounter<'a> {
    /// A counter for `origins` origins, sites of `capacity`, thresholds in minutes (sorted
    /// and deduplicated here; non-finite or negative ones dropped).
    pub fn new(origins: usize, capacity: &'a [f64], thresholds: &[f64]) -> Self {
        let mut th: Vec<f64> = thresholds
            .iter()
            .copied()
            .filter(|t| t.is_finite() && *t >= 0.0)
            .collect();
        th.sort_by(f64::total_cmp);
        th.dedup();
        let m = th.len();
        CoverageCounter {
            capacity,
            out: Coverage {
                sites: vec![0; origins * m],
                capacity: vec![0.0; origins * m],
                thresholds: th,
            },
        }
    }

    /// The radius a sweep must reach for this counter, minutes (`None`: no threshold).
    pub fn radius(&self) -> Option<f64> {
        self.out.thresholds.last().copied()
    }

    /// Counts site `j` for the origins of its `reach`.
    pub fn visit(&mut self, j: usize, reach: &Reach) {
        let s = self.capacity.get(j).copied().unwrap_or(0.0);
        let m = self.out.thresholds.len();
        for &(i, t) in reach {
            let first = self.out.thresholds.partition_point(|&b| b < t);
            let row = i as usize * m;
            for k in first..m {
                self.out.sites[row + k] += 1;
                self.out.capacity[row + k] += s;
            }
        }
    }

    /// The counts.
    pub fn finish(self) -> Coverage {
        self.out
    }
}

/// Counts, for every origin, the sites and capacity within each of `thresholds` (minutes;
/// sorted and deduplicated here). `capacity` has one value per site.
pub fn coverage<C: Catchments + ?Sized>(
    catchments: &C,
    capacity: &[f64],
    thresholds: &[f64],
) -> Result<Coverage, SearchError> {
    let mut counter = CoverageCounter::new(catchments.origin_count(), capacity, thresholds);
    if let Some(radius) = counter.radius() {
        sweep(catchments, radius, |j, reach| counter.visit(j, reach))?;
    }
    Ok(counter.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::catchment::TimesCatchments;

    #[test]
    fn counts_by_hand() {
        // Origin 0 reaches site 0 in 4 min and site 1 in 10 min (exactly on the bound);
        // origin 1 reaches site 1 in 25 min; origin 2 nothing.
        let c = TimesCatchments::new(3, 2, &[(0, 0, 4.0), (0, 1, 10.0), (1, 1, 25.0)]);
        let cov = coverage(&c, &[2.0, 0.5], &[30.0, 5.0, 10.0, 5.0]).unwrap();
        assert_eq!(cov.thresholds, vec![5.0, 10.0, 30.0]);
        assert_eq!(cov.sites, vec![1, 2, 2, 0, 0, 1, 0, 0, 0]);
        assert_eq!(
            cov.capacity,
            vec![2.0, 2.5, 2.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]
        );
        assert!(cov.covered(1, 2) && !cov.covered(1, 1) && !cov.covered(2, 2));
        assert_eq!(cov.capacity_within(0, 1), 2.5);
    }
}
