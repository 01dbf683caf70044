//! Coverage, or cumulative opportunities: for each origin and each threshold *T* (minutes),
//! how many sites and how much capacity it reaches within *T*, all thresholds in one sweep
//! of the catchments at the largest threshold:
//!
//! ```text
//! N_i(T) = #{ j : t_ij ≤ T }        C_i(T) = Σ_{j : t_ij ≤ T} S_j
//! ```
//!
//! An origin *covered* at *T* reaches at least one site (`N_i(T) ≥ 1`). Default thresholds:
//! 5, 10, 15, 20, 30, 45 and 60 minutes. Capacity sums are exact (in billionths of a unit), so
//! results depend neither on the number of threads nor on the order sites are counted in.

use super::catchment::{sweep, Catchments, Reach};
use crate::routing::dijkstra::SearchError;
use rayon::prelude::*;
use std::collections::BTreeMap;

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

/// Capacity is summed in billionths of a unit (`i64`), so that sums are exact, free of
/// order, and the same after sites are added and taken out one by one
/// ([`CoverageCounter::count_all`]) as when computed afresh. Capacities are thus rounded to
/// 10⁻⁹ unit, and a coverage sum is exact up to 9.2 × 10⁹ units.
const NANO: f64 = 1e9;

/// Accumulates coverage one site at a time: lets a sweep made for other indicators (the
/// floating-catchment passes) count coverage on the way, and scenarios add or take out the
/// sites they change ([`CoverageCounter::count_all`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CoverageCounter {
    /// Thresholds, minutes, increasing.
    thresholds: Vec<f64>,
    /// Sites within each threshold, per origin (row-major like [`Coverage::sites`]).
    sites: Vec<u32>,
    /// Capacity within each threshold, per origin, billionths of a unit.
    nano: Vec<i64>,
}

impl CoverageCounter {
    /// A counter for `origins` origins and thresholds in minutes (sorted and deduplicated
    /// here; non-finite or negative ones dropped).
    pub fn new(origins: usize, thresholds: &[f64]) -> Self {
        let mut th: Vec<f64> = thresholds
            .iter()
            .copied()
            .filter(|t| t.is_finite() && *t >= 0.0)
            .collect();
        th.sort_by(f64::total_cmp);
        th.dedup();
        let m = th.len();
        CoverageCounter {
            sites: vec![0; origins * m],
            nano: vec![0; origins * m],
            thresholds: th,
        }
    }

    /// The radius a sweep must reach for this counter, minutes (`None`: no threshold).
    pub fn radius(&self) -> Option<f64> {
        self.thresholds.last().copied()
    }

    /// Counts a site of `capacity` (supply units) for the origins of its `reach`.
    pub fn add(&mut self, capacity: f64, reach: &Reach) {
        self.count_all(&[(capacity, reach)], true);
    }

    /// Counts (`add`) or takes back several sites `(capacity, reach)` at once, in parallel
    /// over stripes of origins (counts are exact, so the split changes nothing).
    pub fn count_all(&mut self, sites: &[(f64, &Reach)], add: bool) {
        let sign = if add { 1 } else { -1 };
        let m = self.thresholds.len();
        if m == 0 {
            return;
        }
        let stripe = super::fca::stripe_len(self.sites.len() / m);
        let thresholds = &self.thresholds;
        self.sites
            .par_chunks_mut(stripe * m)
            .zip(self.nano.par_chunks_mut(stripe * m))
            .enumerate()
            .for_each(|(s, (counts, nano))| {
                let (lo, hi) = ((s * stripe) as u32, (s * stripe + counts.len() / m) as u32);
                for (capacity, reach) in sites {
                    let nanos = (capacity * NANO).round() as i64 * sign;
                    let first = reach.partition_point(|p| p.0 < lo);
                    for &(i, t) in &reach[first..] {
                        if i >= hi {
                            break;
                        }
                        let row = (i - lo) as usize * m;
                        for k in thresholds.partition_point(|&b| b < t)..m {
                            counts[row + k] = if add {
                                counts[row + k].saturating_add(1)
                            } else {
                                counts[row + k].saturating_sub(1)
                            };
                            nano[row + k] = nano[row + k].saturating_add(nanos);
                        }
                    }
                }
            });
    }

    /// Writes into `cov` (this counter's [`CoverageCounter::coverage`]) the rows of the
    /// origins that sites `(capacity, reach, add)` change (taken back when `add` is false),
    /// as [`CoverageCounter::count_all`] would leave them, without changing the counter;
    /// returns the number of origins rewritten.
    pub fn patch(&self, cov: &mut Coverage, sites: &[(f64, &Reach, bool)]) -> usize {
        let m = self.thresholds.len();
        let mut touched: BTreeMap<u32, (Vec<u32>, Vec<i64>)> = BTreeMap::new();
        for &(capacity, reach, add) in sites {
            let nanos = (capacity * NANO).round() as i64 * if add { 1 } else { -1 };
            for &(i, t) in reach {
                let row = i as usize * m;
                let (counts, nano) = touched.entry(i).or_insert_with(|| {
                    (
                        self.sites[row..row + m].to_vec(),
                        self.nano[row..row + m].to_vec(),
                    )
                });
                for k in self.thresholds.partition_point(|&b| b < t)..m {
                    counts[k] = if add {
                        counts[k].saturating_add(1)
                    } else {
                        counts[k].saturating_sub(1)
                    };
                    nano[k] = nano[k].saturating_add(nanos);
                }
            }
        }
        for (&i, (counts, nano)) in &touched {
            let row = i as usize * m;
            cov.sites[row..row + m].copy_from_slice(counts);
            for (c, &n) in cov.capacity[row..row + m].iter_mut().zip(nano) {
                *c = n as f64 / NANO;
            }
        }
        touched.len()
    }

    /// The counts so far.
    pub fn coverage(&self) -> Coverage {
        Coverage {
            thresholds: self.thresholds.clone(),
            sites: self.sites.clone(),
            capacity: self.nano.iter().map(|&n| n as f64 / NANO).collect(),
        }
    }

    /// The counts.
    pub fn finish(self) -> Coverage {
        Coverage {
            capacity: self.nano.iter().map(|&n| n as f64 / NANO).collect(),
            thresholds: self.thresholds,
            sites: self.sites,
        }
    }
}

/// Counts, for every origin, the sites and capacity within each of `thresholds` (minutes;
/// sorted and deduplicated here). `capacity` has one value per site.
pub fn coverage<C: Catchments + ?Sized>(
    catchments: &C,
    capacity: &[f64],
    thresholds: &[f64],
) -> Result<Coverage, SearchError> {
    let mut counter = CoverageCounter::new(catchments.origin_count(), thresholds);
    if let Some(radius) = counter.radius() {
        sweep(catchments, radius, |j, reach| {
            counter.add(capacity.get(j).copied().unwrap_or(0.0), reach)
        })?;
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
