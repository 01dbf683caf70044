//! `[[suggest]]` on a small drawn study: the 12 × 12 street grid near Bondy, 30 origins on
//! its diagonal (and one 30 km away, off the network), one GP in the south-west, a QPV square, candidate sites in a point file
//! (one at sea). The baseline is computed as `recours run` does, then each section runs and
//! is checked against independent computations: travel times from `recours table`'s code
//! ([`recours::routing::points::point_table`]) for coverage, and a full floating-catchment
//! recomputation with the picked site added for the access gain.

mod common;

use common::{csv_rows, grid_osm};
use recours::access::{compute_access, AccessSpec, FcaRequest};
use recours::indicators::method::{method_from, MethodParams};
use recours::inputs::points::NamedPoint;
use recours::inputs::territory::UnitIndex;
use recours::network::builder::BuildOptions;
use recours::network::source::{obtain_graph, NetworkSource};
use recours::study::inputs::{read_population, read_supply, read_territories};
use recours::study::suggest::{run_suggest, SuggestContext};
use recours::study::Study;
use recours::support::rejects::Rejects;
use std::path::Path;

/// Threshold of the coverage sections, minutes.
const T: f64 = 0.5;

fn write_study(dir: &Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w("grid.osm", &grid_osm());
    let mut pop = String::from("id,lon,lat,population\n");
    for k in 0..30 {
        let (lon, lat) = (2.4705 + 0.00035 * k as f64, 48.9003 + 0.00034 * k as f64);
        pop += &format!("p{k:02},{lon:.6},{lat:.6},{}\n", 10 + k);
    }
    // 30 km east, off the drawn network: not snapped.
    pop += "far,2.9,48.9,50\n";
    w("population.csv", &pop);
    w("sites.csv", "id,lon,lat,category\ngp-a,2.4712,48.9021,gp\n");
    w(
        "candidates.csv",
        "id;lon;lat\n\
         c-centre;2,4755;48,9050\n\
         c-north-east;2,4790;48,9090\n\
         c-south;2,4730;48,9005\n\
         c-sea;2,9;48,9\n\
         c-east;2,4800;48,9020\n",
    );
    w(
        "qpv.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\
         \"properties\":{\"code_qp\":\"QN09301M\",\"lib_qp\":\"Les Grilles\"},\
         \"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[2.4760,48.9055],[2.4820,48.9055],\
         [2.4820,48.9120],[2.4760,48.9120],[2.4760,48.9055]]]}}]}",
    );
    w(
        "study.toml",
        &format!(
            r#"
name = "suggest study"
[network]
osm = "grid.osm"
[population]
kind = "points"
path = "population.csv"
[[supply]]
kind = "points"
path = "sites.csv"
columns = {{ category = "category" }}
[[territories]]
kind = "qpv"
path = "qpv.geojson"
[indicators]
nearest = ["gp"]
[[indicators.fca]]
name = "gp_2sfca"
category = "gp"
method = "2sfca"
max_minutes = 1
[[suggest]]
name = "cover"
category = "gp"
budget = 3
objective = "coverage"
minutes = {T}
candidates = "candidates.csv"
[[suggest]]
name = "cover_qpv"
category = "gp"
budget = 2
objective = "qpv_coverage"
minutes = {T}
candidates = "candidates.csv"
[[suggest]]
name = "gain"
category = "gp"
budget = 2
objective = "access_gain"
indicator = "gp_2sfca"
cap = 0.02
capacity = 2
candidates = "candidates.csv"
[[suggest]]
name = "grid"
category = "gp"
budget = 2
objective = "coverage"
minutes = {T}
grid_m = 150
"#
        ),
    );
}

fn spec() -> AccessSpec {
    AccessSpec {
        nearest: vec!["gp".into()],
        kth: None,
        nearest_max_minutes: None,
        coverage: Vec::new(),
        thresholds: vec![T],
        fca: vec![FcaRequest {
            name: "gp_2sfca".into(),
            category: "gp".into(),
            method: method_from(
                "2sfca",
                &MethodParams {
                    max_minutes: Some(1.0),
                    ..MethodParams::default()
                },
            )
            .unwrap(),
        }],
        age_weights: None,
        max_snap_m: 1_000.0,
    }
}

#[test]
fn suggestions_on_a_small_study() {
    let dir = tempfile::tempdir().unwrap();
    write_study(dir.path());
    let study = Study::load(&dir.path().join("study.toml")).unwrap();
    assert_eq!(study.suggest.len(), 4);
    let mut rejects = Rejects::default();
    let levels = read_territories(&study, &mut rejects).unwrap();
    let origins = read_population(&study, &levels, &mut rejects).unwrap();
    let sites = read_supply(&study, &mut rejects).unwrap();
    let graph = obtain_graph(
        &NetworkSource::Osm(dir.path().join("grid.osm")),
        "car",
        &BuildOptions::default(),
    )
    .unwrap()
    .graph;
    let access = compute_access(&graph, &origins, &sites, &spec()).unwrap();
    let points: Vec<(f64, f64)> = origins.iter().map(|o| (o.lon, o.lat)).collect();
    let in_qpv: Vec<bool> = UnitIndex::new(&levels[0])
        .assign_points(&points)
        .iter()
        .map(|u| !u.is_empty())
        .collect();
    assert!(in_qpv.iter().any(|&q| q) && in_qpv.iter().any(|&q| !q));
    let ctx = SuggestContext {
        graph: &graph,
        origins: &origins,
        sites: &sites,
        access: &access,
        in_qpv: Some(&in_qpv),
        max_snap_m: 1_000.0,
        study_dir: dir.path(),
    };
    let out = dir.path().join("out");
    let before = rejects.len();
    let cover = run_suggest(&study.suggest[0], &ctx, &out, &mut rejects).unwrap();

    // The candidate at sea is rejected with why, the four others considered.
    assert_eq!((cover.candidates, cover.rejected), (4, 1));
    assert_eq!(rejects.len(), before + 1);
    let r = &rejects.items[before];
    assert!(r.file.ends_with("candidates.csv"), "{r:?}");
    assert_eq!((r.line, r.id.as_str()), (5, "c-sea"));
    assert!(r.reason.contains("candidate not snapped"), "{r:?}");

    // Independent times (the `recours table` code) from every origin to the GP and to the
    // first pick; the first pick's gain is the population of the origins farther than T
    // from the GP and within T of the pick.
    let first = &cover.picks[0];
    let named = |id: &str, lon: f64, lat: f64| NamedPoint {
        id: id.into(),
        line: 0,
        lon,
        lat,
    };
    let sources: Vec<NamedPoint> = origins.iter().map(|o| named(&o.id, o.lon, o.lat)).collect();
    let destinations = [
        named("gp-a", sites[0].lon, sites[0].lat),
        named(&first.id, first.lon, first.lat),
    ];
    let table =
        recours::routing::points::point_table(&graph, &sources, &destinations, None, 1_000.0)
            .unwrap();
    let max_ms = (T * 60_000.0).floor() as u32;
    let within = |i: usize, d: usize| {
        table
            .cells
            .iter()
            .any(|&(s, t, ms, _)| s == i && t == d && ms <= max_ms)
    };
    let uncovered: Vec<usize> = (0..origins.len()).filter(|&i| !within(i, 0)).collect();
    let want: f64 = uncovered
        .iter()
        .filter(|&&i| within(i, 1))
        .map(|&i| origins[i].population)
        .sum();
    assert!(want > 0.0);
    assert_eq!(first.gain, want);
    let covered: f64 = (0..origins.len())
        .filter(|&i| within(i, 0))
        .map(|i| origins[i].population)
        .sum();
    assert_eq!(cover.baseline, covered);
    // The origin off the network cannot be reached: left out, and said so.
    let total: f64 = origins.iter().map(|o| o.population).sum();
    assert_eq!(cover.population_left_out, 50.0);
    assert_eq!(cover.ceiling, total - 50.0);
    // Objective values rise pick after pick, each by its gain.
    let mut last = cover.baseline;
    for p in &cover.picks {
        assert!(p.gain > 0.0 && p.objective > last);
        assert!((p.objective - last - p.gain).abs() < 1e-9);
        last = p.objective;
    }
    assert!(cover.evaluations <= cover.plain_evaluations);
    // The CSV: header, baseline row, one row per pick.
    let (h, rows) = csv_rows(&cover.file);
    assert_eq!(
        h,
        [
            "pick",
            "candidate",
            "lon",
            "lat",
            "marginal_gain",
            "objective",
            "objective_share",
            "gap_closed"
        ]
    );
    assert_eq!(rows.len(), cover.picks.len() + 1);
    assert_eq!(rows[0][..2], ["0", "baseline"]);
    assert_eq!(rows[1][1], first.id);
    assert_eq!(rows[1][4].parse::<f64>().unwrap(), want);
    let text = cover.to_string();
    assert!(
        text.contains("greedy") && text.contains("gain evaluations"),
        "{text}"
    );

    // QPV coverage counts only the QPV origins.
    let qpv = run_suggest(&study.suggest[1], &ctx, &out, &mut rejects).unwrap();
    let qpv_pop: f64 = (0..origins.len())
        .filter(|&i| in_qpv[i])
        .map(|i| origins[i].population)
        .sum();
    assert_eq!(qpv.ceiling, qpv_pop);
    let q_uncovered: f64 = uncovered
        .iter()
        .filter(|&&i| in_qpv[i])
        .map(|&i| origins[i].population)
        .sum();
    let gained: f64 = qpv.picks.iter().map(|p| p.gain).sum();
    assert!(
        gained > 0.0 && gained <= q_uncovered,
        "{gained} {q_uncovered}"
    );

    // Access gain: recomputed with the first pick added as a GP site of capacity 2.
    let gain = run_suggest(&study.suggest[2], &ctx, &out, &mut rejects).unwrap();
    let pick = &gain.picks[0];
    let mut more = sites.clone();
    more.push(recours::inputs::supply::Site {
        id: pick.id.clone(),
        lon: pick.lon,
        lat: pick.lat,
        capacity: 2.0,
        ..sites[0].clone()
    });
    let after = compute_access(&graph, &origins, &more, &spec()).unwrap();
    let f = |a: &[f64]| -> f64 {
        a.iter()
            .zip(&origins)
            .map(|(a, o)| o.population * a.min(0.02))
            .sum()
    };
    let (f0, f1) = (
        f(&access.fca[0].result.access),
        f(&after.fca[0].result.access),
    );
    assert!(
        (gain.baseline - f0).abs() < 1e-9,
        "{} vs {f0}",
        gain.baseline
    );
    assert!(
        (pick.gain - (f1 - f0)).abs() < 1e-9,
        "{} vs {}",
        pick.gain,
        f1 - f0
    );

    // A grid of candidates: cells off the network are dropped and counted.
    let grid = run_suggest(&study.suggest[3], &ctx, &out, &mut rejects).unwrap();
    assert!(grid.candidates > 0 && grid.grid_dropped > 0, "{grid}");
    assert_eq!(grid.rejected, 0);
    assert_eq!(
        (grid.baseline, grid.ceiling),
        (cover.baseline, cover.ceiling)
    );
    let mut last = grid.baseline;
    for p in &grid.picks {
        assert!(p.id.starts_with("grid-") && p.gain > 0.0 && p.objective > last);
        last = p.objective;
    }
    assert!(!grid.picks.is_empty() && last <= grid.ceiling);
    println!("{cover}\n{qpv}\n{gain}\n{grid}");
}
