//! The demo territory end to end through the real binary: generation, PBF, graph build,
//! snapping, table, nearest GP, and byte-identical outputs whatever the number of threads.

use std::path::Path;
use std::process::Command;

fn run_demo(out: &Path, threads: usize) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["--threads", &threads.to_string(), "demo", "--out"])
        .arg(out)
        .output()
        .expect("running recours demo");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "recours demo failed:\n{stderr}");
    stderr
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_demo_runs_and_is_identical_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let stderr = run_demo(&one, 1);
    run_demo(&two, 2);

    for file in [
        "input/territory.osm.pbf",
        "input/population.csv",
        "input/gp_practices.csv",
        "network/car.rgraph",
        "times_to_gp.csv",
        "times_to_gp.rejects.csv",
        "nearest_gp.csv",
        "summary.txt",
    ] {
        // The rejects and the summary name the output folder; everything else must match.
        let (a, b) = (read(&one.join(file)), read(&two.join(file)));
        let a = String::from_utf8_lossy(&a).replace(one.to_str().unwrap(), "OUT");
        let b = String::from_utf8_lossy(&b).replace(two.to_str().unwrap(), "OUT");
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }

    // The table has rows with plausible times, and every population point but the one at
    // sea has a nearest GP.
    let times = String::from_utf8(read(&one.join("times_to_gp.csv"))).unwrap();
    let mut lines = times.lines();
    assert_eq!(lines.next(), Some("source_id,destination_id,minutes,km"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() > 1000, "{} rows", rows.len());
    for r in &rows {
        let minutes: f64 = r[2].parse().unwrap();
        let km: f64 = r[3].parse().unwrap();
        assert!((0.0..=60.0).contains(&minutes), "{r:?}");
        // No road journey averages more than 130 km/h.
        assert!(km <= 130.0 * minutes / 60.0 + 0.5, "{r:?}");
    }
    let population = String::from_utf8(read(&one.join("input/population.csv"))).unwrap();
    let points = population.lines().count() - 1;
    let nearest = String::from_utf8(read(&one.join("nearest_gp.csv"))).unwrap();
    assert!(!nearest.contains("SEA-0001"));
    assert!(
        nearest.lines().count() > points * 9 / 10,
        "most points reach a GP within 60 min"
    );

    // The point at sea is reported with its reason, not dropped.
    let rejects = String::from_utf8(read(&one.join("times_to_gp.rejects.csv"))).unwrap();
    let sea = rejects
        .lines()
        .find(|l| l.contains("SEA-0001"))
        .expect("the point at sea is in the rejects");
    assert!(sea.contains("snap radius"), "{sea}");
    assert!(stderr.contains("median time to the nearest GP"), "{stderr}");
}
