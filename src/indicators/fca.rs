//! The floating-catchment family: 2SFCA (Luo & Wang 2003, *Environment and Planning B*
//! 30(6)), E2SFCA (Luo & Qi 2009, *Health & Place* 15(4)), kernel variants, and APL's core
//! (see [`super::apl`]):
//!
//! ```text
//! R_j = S_j / Σ_i f(t_ij) · D_i        supply-to-demand ratio of site j
//! A_i = Σ_j f(t_ij) · R_j              accessibility of origin i
//! ```
//!
//! with *S_j* the capacity of site *j* (professionals, ETP, acts a year…), *D_i* the demand
//! of origin *i* (inhabitants, plain or age-standardised), *t_ij* the trip in minutes and
//! *f* a [`Kernel`]. *A_i* is in capacity units per unit of demand (doctors per
//! inhabitant; consultations a year per standardised inhabitant for APL).
//!
//! A site reached by no demand (Σ f·D = 0) has no ratio and gives nothing; an origin within
//! no catchment has *A_i* = 0 and is flagged (`reached = false`) so that it is reported,
//! not mistaken for a computed zero. Supply is conserved: when every site with capacity is
//! reached by some demand, Σ_i D_i · A_i = Σ_j S_j.
//!
//! Worked example (asserted in the tests): origins D = (100, 200, 300), sites
//! S = (2, 1), times o0→s0 10 min, o1→s0 20, o1→s1 25, o2→s1 5, o0→s1 40.
//! - 2SFCA at 30 min: R0 = 2 / (100 + 200) = 1/150, R1 = 1 / (200 + 300) = 1/500;
//!   A = (1/150, 1/150 + 1/500, 1/500) = (0.006667, 0.008667, 0.002);
//!   Σ D·A = 0.6667 + 1.7333 + 0.6 = 3 = S0 + S1.
//! - E2SFCA 1 / 0.68 / 0.22 over 10 / 20 / 30 min (bounds inclusive):
//!   R0 = 2 / (100 + 0.68·200) = 2/236, R1 = 1 / (0.22·200 + 300) = 1/344;
//!   A = (2/236, 0.68·2/236 + 0.22/344, 1/344) = (0.008475, 0.006402, 0.002907).
//!
//! Both sums run in a fixed order (sites in index order, origins in index order within a
//! site) whatever the number of threads, so results are bit-identical across runs.

use super::catchment::{sweep, Catchments};
use super::coverage::CoverageCounter;
use super::kernel::{Kernel, KernelError};
use crate::routing::dijkstra::SearchError;

/// One floating-catchment computation: a kernel, a capacity per site and a demand per
/// origin.
#[derive(Clone, Debug, PartialEq)]
pub struct FcaSpec {
    /// Distance decay and catchment radius.
    pub kernel: Kernel,
    /// Capacity *S_j* of each site, in the study's supply unit.
    pub supply: Vec<f64>,
    /// Demand *D_i* of each origin (inhabitants, plain or standardised).
    pub demand: Vec<f64>,
}

/// Results of one [`FcaSpec`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FcaResult {
    /// *A_i* per origin, supply units per unit of demand (0 when `reached[i]` is false).
    pub access: Vec<f64>,
    /// Whether origin *i* lies in the catchment (weight > 0) of at least one site.
    pub reached: Vec<bool>,
    /// Weighted demand Σ_i f(t_ij)·D_i reaching each site.
    pub site_demand: Vec<f64>,
    /// *R_j* per site; `None` when no demand reaches the site.
    pub ratio: Vec<Option<f64>>,
}

/// Why a floating-catchment computation could not run.
#[derive(Debug, thiserror::Error)]
pub enum FcaError {
    /// The kernel's parameters are unusable.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// Supply or demand vector of the wrong length, or a negative / non-finite value.
    #[error("floating catchment: {0}")]
    Input(String),
    /// A network search failed.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Computes every spec of `specs` over `catchments` in two sweeps shared by all of them
/// (radius = the largest of their kernels): the first sums each site's weighted demand, the
/// second shares each site's ratio out to the origins of its catchment.
pub fn floating_catchment<C: Catchments + ?Sized>(
    catchments: &C,
    specs: &[FcaSpec],
) -> Result<Vec<FcaResult>, FcaError> {
    floating_catchment_and(catchments, specs, None)
}

/// As [`floating_catchment`], also counting coverage during the second sweep (whose radius
/// then covers the counter's largest threshold): one pair of sweeps for both.
pub fn floating_catchment_and<C: Catchments + ?Sized>(
    catchments: &C,
    specs: &[FcaSpec],
    mut coverage: Option<&mut CoverageCounter>,
) -> Result<Vec<FcaResult>, FcaError> {
    let (n_o, n_s) = (catchments.origin_count(), catchments.site_count());
    for spec in specs {
        check(spec, n_o, n_s)?;
    }
    let radius = specs
        .iter()
        .map(|s| s.kernel.max_minutes())
        .fold(0.0, f64::max);
    let second_radius = coverage
        .as_ref()
        .and_then(|c| c.radius())
        .map_or(radius, |r| r.max(radius));
    let mut out: Vec<FcaResult> = specs
        .iter()
        .map(|_| FcaResult {
            access: vec![0.0; n_o],
            reached: vec![false; n_o],
            site_demand: vec![0.0; n_s],
            ratio: vec![None; n_s],
        })
        .collect();
    if !specs.is_empty() {
        sweep(catchments, radius, |j, reach| {
            for (spec, res) in specs.iter().zip(&mut out) {
                let mut d = 0.0;
                for &(i, t) in reach {
                    d += spec.kernel.weight(t) * spec.demand[i as usize];
                }
                res.site_demand[j] = d;
                res.ratio[j] = (d > 0.0).then(|| spec.supply[j] / d);
            }
        })?;
    }
    if specs.is_empty() && coverage.is_none() {
        return Ok(out);
    }
    sweep(catchments, second_radius, |j, reach| {
        if let Some(c) = coverage.as_mut() {
            c.visit(j, reach);
        }
        for (spec, res) in specs.iter().zip(&mut out) {
            let r = res.ratio[j];
            for &(i, t) in reach {
                if t > spec.kernel.max_minutes() {
                    continue;
                }
                let w = spec.kernel.weight(t);
                if w > 0.0 {
                    res.reached[i as usize] = true;
                    if let Some(r) = r {
                        res.access[i as usize] += w * r;
                    }
                }
            }
        }
    })?;
    Ok(out)
}

/// Checks a spec's lengths and values.
fn check(spec: &FcaSpec, origins: usize, sites: usize) -> Result<(), FcaError> {
    spec.kernel.validate()?;
    if spec.supply.len() != sites {
        return Err(FcaError::Input(format!(
            "{} capacities for {sites} sites",
            spec.supply.len()
        )));
    }
    if spec.demand.len() != origins {
        return Err(FcaError::Input(format!(
            "{} demands for {origins} origins",
            spec.demand.len()
        )));
    }
    let bad = |v: &f64| !(v.is_finite() && *v >= 0.0);
    if let Some(j) = spec.supply.iter().position(bad) {
        return Err(FcaError::Input(format!(
            "site {j}: capacity {} is not a finite number ≥ 0",
            spec.supply[j]
        )));
    }
    if let Some(i) = spec.demand.iter().position(bad) {
        return Err(FcaError::Input(format!(
            "origin {i}: demand {} is not a finite number ≥ 0",
            spec.demand[i]
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::catchment::TimesCatchments;
    use proptest::prelude::*;

    /// The worked example of the module documentation.
    fn example() -> TimesCatchments {
        TimesCatchments::new(
            3,
            2,
            &[
                (0, 0, 10.0),
                (1, 0, 20.0),
                (1, 1, 25.0),
                (2, 1, 5.0),
                (0, 1, 40.0),
            ],
        )
    }

    fn spec(kernel: Kernel) -> FcaSpec {
        FcaSpec {
            kernel,
            supply: vec![2.0, 1.0],
            demand: vec![100.0, 200.0, 300.0],
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
    }

    #[test]
    fn worked_example_2sfca() {
        let r = &floating_catchment(&example(), &[spec(Kernel::binary(30.0))]).unwrap()[0];
        let want = [1.0 / 150.0, 1.0 / 150.0 + 1.0 / 500.0, 1.0 / 500.0];
        for (a, w) in r.access.iter().zip(want) {
            assert!(close(*a, w), "{a} vs {w}");
        }
        assert_eq!(r.site_demand, vec![300.0, 500.0]);
        assert_eq!(r.ratio, vec![Some(2.0 / 300.0), Some(1.0 / 500.0)]);
        assert_eq!(r.reached, vec![true; 3]);
        let total: f64 = r
            .access
            .iter()
            .zip([100.0, 200.0, 300.0])
            .map(|(a, d)| a * d)
            .sum();
        assert!(close(total, 3.0));
    }

    #[test]
    fn worked_example_e2sfca() {
        let r = &floating_catchment(&example(), &[spec(Kernel::e2sfca(30.0))]).unwrap()[0];
        let want = [2.0 / 236.0, 0.68 * 2.0 / 236.0 + 0.22 / 344.0, 1.0 / 344.0];
        for (a, w) in r.access.iter().zip(want) {
            assert!(close(*a, w), "{a} vs {w}");
        }
    }

    #[test]
    fn outside_every_catchment_is_zero_and_flagged() {
        let r = &floating_catchment(&example(), &[spec(Kernel::binary(8.0))]).unwrap()[0];
        assert_eq!(r.reached, vec![false, false, true]);
        assert_eq!(r.access[..2], [0.0, 0.0]);
        assert_eq!(r.ratio[0], None);
        assert!(close(r.access[2], 1.0 / 300.0));
    }

    #[test]
    fn several_specs_share_the_sweeps_and_match_single_runs() {
        let specs = [spec(Kernel::binary(30.0)), spec(Kernel::apl())];
        let both = floating_catchment(&example(), &specs).unwrap();
        for (k, s) in specs.iter().enumerate() {
            let alone = floating_catchment(&example(), std::slice::from_ref(s)).unwrap();
            assert_eq!(both[k], alone[0]);
        }
    }

    #[test]
    fn coverage_counted_in_the_second_sweep_equals_its_own_sweep() {
        let c = example();
        let capacity = [2.0, 1.0];
        let alone =
            crate::indicators::coverage::coverage(&c, &capacity, &[5.0, 25.0, 45.0]).unwrap();
        let mut counter = CoverageCounter::new(3, &capacity, &[5.0, 25.0, 45.0]);
        let with =
            floating_catchment_and(&c, &[spec(Kernel::binary(30.0))], Some(&mut counter)).unwrap();
        assert_eq!(counter.finish(), alone);
        // The wider coverage radius (45 min) does not leak into the 30-minute catchments.
        assert_eq!(
            with,
            floating_catchment(&c, &[spec(Kernel::binary(30.0))]).unwrap()
        );
        assert_eq!(alone.sites_within(0, 2), 2);
    }

    #[test]
    fn bad_inputs_are_refused() {
        let mut s = spec(Kernel::binary(30.0));
        s.supply.pop();
        assert!(floating_catchment(&example(), &[s])
            .unwrap_err()
            .to_string()
            .contains("1 capacities for 2 sites"));
        let mut s = spec(Kernel::binary(30.0));
        s.demand[1] = f64::NAN;
        assert!(floating_catchment(&example(), &[s])
            .unwrap_err()
            .to_string()
            .contains("origin 1"));
    }

    /// A random instance: `(origins, sites, pairs, demand, supply)`.
    type Instance = (usize, usize, Vec<(u32, u32, f64)>, Vec<f64>, Vec<f64>);

    /// Random catchments.
    fn instance() -> impl Strategy<Value = Instance> {
        (1usize..12, 1usize..6).prop_flat_map(|(o, s)| {
            (
                Just(o),
                Just(s),
                proptest::collection::vec((0..o as u32, 0..s as u32, 0.0f64..45.0), 0..40),
                proptest::collection::vec(0.0f64..1000.0, o),
                proptest::collection::vec(0.0f64..10.0, s),
            )
        })
    }

    /// Brute force over a dense matrix, straight from the formulas.
    fn dense(
        o: usize,
        s: usize,
        pairs: &[(u32, u32, f64)],
        d: &[f64],
        sup: &[f64],
        k: &Kernel,
    ) -> Vec<f64> {
        let mut t = vec![vec![f64::INFINITY; s]; o];
        for &(i, j, m) in pairs {
            let c = &mut t[i as usize][j as usize];
            *c = c.min(m);
        }
        let r: Vec<f64> = (0..s)
            .map(|j| {
                let den: f64 = (0..o).map(|i| k.weight(t[i][j]) * d[i]).sum();
                if den > 0.0 {
                    sup[j] / den
                } else {
                    0.0
                }
            })
            .collect();
        (0..o)
            .map(|i| (0..s).map(|j| k.weight(t[i][j]) * r[j]).sum())
            .collect()
    }

    proptest! {
        #[test]
        fn matches_the_dense_formula_and_conserves_supply((o, s, pairs, d, sup) in instance()) {
            let c = TimesCatchments::new(o, s, &pairs);
            for k in [Kernel::binary(30.0), Kernel::e2sfca(30.0), Kernel::Gaussian { sigma_minutes: 12.0, max_minutes: 30.0 }] {
                let spec = FcaSpec { kernel: k.clone(), supply: sup.clone(), demand: d.clone() };
                let r = &floating_catchment(&c, &[spec]).unwrap()[0];
                let want = dense(o, s, &pairs, &d, &sup, &k);
                for (a, w) in r.access.iter().zip(&want) {
                    prop_assert!((a - w).abs() <= 1e-9 * w.abs().max(1e-12), "{} vs {}", a, w);
                }
                let distributed: f64 = r.access.iter().zip(&d).map(|(a, d)| a * d).sum();
                let served: f64 = (0..s).filter(|&j| r.ratio[j].is_some()).map(|j| sup[j]).sum();
                prop_assert!((distributed - served).abs() <= 1e-9 * served.max(1.0));
                for i in 0..o {
                    if !r.reached[i] {
                        prop_assert_eq!(r.access[i], 0.0);
                    }
                }
            }
        }

        #[test]
        fn more_supply_at_a_site_never_lowers_anyone((o, s, pairs, d, sup) in instance(), j in 0usize..6, extra in 0.0f64..5.0) {
            let c = TimesCatchments::new(o, s, &pairs);
            let j = j % s;
            let base = FcaSpec { kernel: Kernel::binary(30.0), supply: sup.clone(), demand: d.clone() };
            let mut more = base.clone();
            more.supply[j] += extra;
            let r = floating_catchment(&c, &[base, more]).unwrap();
            for i in 0..o {
                prop_assert!(r[1].access[i] >= r[0].access[i] - 1e-12);
            }
        }
    }
}
