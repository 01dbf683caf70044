//! Parity with PySAL `access` (the reference floating-catchment implementation): the golden
//! files of `tests/fixtures/pysal_fca` were produced once by `pysal_golden.py` there (see
//! its README for versions and PySAL's exact semantics); recours must give the same access
//! and site ratios to 1e-9 relative. An origin PySAL leaves at NaN (in no catchment) must be
//! one recours flags `in_catchment = false`.

use recours::cli::fca::{run_fca_job, FcaJob};
use recours::indicators::kernel::{Band, BoundSide, Kernel};
use recours::indicators::method::FcaMethod;
use recours::support::rejects::Rejects;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pysal_fca")
        .join(name)
}

/// Reads a two-column golden file into id → value (NaN kept).
fn golden(name: &str, value_col: &str) -> BTreeMap<String, f64> {
    let mut rdr = csv::Reader::from_path(fixture(name)).unwrap();
    let h = rdr.headers().unwrap().clone();
    let c = h.iter().position(|x| x == value_col).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[c].parse().unwrap())
        })
        .collect()
}

/// Reads one column of a recours output into id → Some(value) or None (empty cell).
fn output(path: &Path, col: &str) -> BTreeMap<String, Option<f64>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let h = rdr.headers().unwrap().clone();
    let c = h.iter().position(|x| x == col).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[c].parse().ok())
        })
        .collect()
}

fn assert_close(case: &str, what: &str, id: &str, got: f64, want: f64) {
    let tol = 1e-9 * want.abs().max(1e-300);
    assert!(
        (got - want).abs() <= tol,
        "{case}: {what} of {id}: recours {got} vs PySAL {want}"
    );
}

/// Runs `method` on a fixture and compares access (and site ratios when `ratios` is given)
/// with the golden files.
fn check(case: &str, set: &str, method: Kernel, normalize: bool, ratios: bool) {
    let dir = tempfile::tempdir().unwrap();
    let suffix = if set == "bounds" { "_bounds" } else { "" };
    let job = FcaJob {
        times: fixture(&format!("times{suffix}.csv")),
        demand: fixture(&format!("demand{suffix}.csv")),
        supply: fixture(&format!("supply{suffix}.csv")),
        method: FcaMethod::Kernel(method),
        age_weights: None,
        normalize,
        out: dir.path().join("access.csv"),
        sites_out: dir.path().join("sites.csv"),
        rejects: dir.path().join("rejects.csv"),
    };
    let mut rejects = Rejects::default();
    run_fca_job(&job, &mut rejects).unwrap();
    assert!(rejects.is_empty(), "{case}: {:?}", rejects.items);
    let col = if normalize {
        "access_normalized"
    } else {
        "access"
    };
    let got = output(&job.out, col);
    let want = golden(&format!("expected_{case}.csv"), "access");
    assert_eq!(got.len(), want.len(), "{case}: origin count");
    for (id, w) in &want {
        match got[id] {
            None => assert!(w.is_nan(), "{case}: {id} in no catchment here, PySAL {w}"),
            Some(g) => assert_close(case, "access", id, g, *w),
        }
    }
    if ratios {
        let got = output(&job.sites_out, "ratio");
        let demand = output(&job.sites_out, "weighted_demand");
        let want = golden(&format!("expected_{case}_site_ratios.csv"), "ratio");
        let want_d = golden(
            &format!("expected_{case}_site_ratios.csv"),
            "weighted_demand",
        );
        for (id, g) in &got {
            match (g, want.get(id)) {
                (Some(g), Some(w)) => {
                    assert_close(case, "ratio", id, *g, *w);
                    assert_close(case, "weighted demand", id, demand[id].unwrap(), want_d[id]);
                }
                (None, None) => {}
                (g, w) => panic!("{case}: site {id}: recours {g:?}, PySAL {w:?}"),
            }
        }
    }
}

fn steps(bounds: &[(f64, f64)]) -> Kernel {
    Kernel::Step {
        bands: bounds
            .iter()
            .map(|&(to_minutes, weight)| Band { to_minutes, weight })
            .collect(),
        side: BoundSide::UpperInclusive,
    }
}

#[test]
fn two_step_fca_matches_pysal() {
    check("2sfca_30", "main", Kernel::binary(30.0), false, true);
    check("2sfca_20", "main", Kernel::binary(20.0), false, true);
    check(
        "2sfca_30_normalized",
        "main",
        Kernel::binary(30.0),
        true,
        false,
    );
}

#[test]
fn enhanced_two_step_fca_matches_pysal() {
    check("e2sfca_step_30", "main", Kernel::e2sfca(30.0), false, true);
}

#[test]
fn continuous_kernels_match_pysal() {
    let gaussian = Kernel::Gaussian {
        sigma_minutes: 10.0,
        max_minutes: 30.0,
    };
    check("gaussian_s10_30", "main", gaussian, false, true);
    let gravity = Kernel::Gravity {
        power: 1.5,
        min_minutes: 5.0,
        scale_minutes: 10.0,
        max_minutes: 30.0,
    };
    check("gravity_s10_a-1.5_min5_30", "main", gravity, false, true);
}

#[test]
fn times_on_band_bounds_fall_where_pysal_puts_them() {
    for max in [10.0, 20.0, 30.0] {
        check(
            &format!("bounds_2sfca_{max}"),
            "bounds",
            Kernel::binary(max),
            false,
            true,
        );
    }
    check(
        "bounds_e2sfca_step_20",
        "bounds",
        steps(&[(10.0, 1.0), (20.0, 0.68)]),
        false,
        true,
    );
    check(
        "bounds_e2sfca_step_30",
        "bounds",
        Kernel::e2sfca(30.0),
        false,
        true,
    );
}

#[test]
fn kernel_weights_match_pysal() {
    let mut rdr = csv::Reader::from_path(fixture("expected_weights.csv")).unwrap();
    let e2 = Kernel::e2sfca(30.0);
    let g = Kernel::Gaussian {
        sigma_minutes: 10.0,
        max_minutes: f64::MAX,
    };
    let gr = Kernel::Gravity {
        power: 1.5,
        min_minutes: 5.0,
        scale_minutes: 10.0,
        max_minutes: f64::MAX,
    };
    let mut rows = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let v = |k: usize| r[k].parse::<f64>().unwrap();
        let t = v(0);
        assert_close("weights", "step", &r[0], e2.weight(t) + 1.0, v(1) + 1.0);
        assert_close("weights", "gaussian", &r[0], g.weight(t), v(2));
        assert_close("weights", "gravity", &r[0], gr.weight(t), v(3));
        rows += 1;
    }
    assert!(rows >= 10);
}
