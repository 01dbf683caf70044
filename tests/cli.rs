//! The `recours` binary on a small drawn town: `network build`, `network info`, `table` with
//! bad rows and unsnappable points, byte-identical tables whatever the thread count, and
//! clear errors for bad invocations.

mod common;

use common::grid_osm;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn recours(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args)
        .output()
        .expect("running recours")
}

fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "recours failed:\n{stderr}");
    stderr
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Town {
    _dir: tempfile::TempDir,
    osm: PathBuf,
    graph: PathBuf,
    homes: PathBuf,
    gps: PathBuf,
}

fn town() -> Town {
    let dir = tempfile::tempdir().unwrap();
    let osm = dir.path().join("grid.osm");
    std::fs::write(&osm, grid_osm()).unwrap();
    let homes = dir.path().join("homes.csv");
    let mut h = String::from("id,lon,lat\n");
    for k in 0..40 {
        let (lon, lat) = (2.4705 + 0.00027 * k as f64, 48.9003 + 0.00026 * k as f64);
        writeln!(h, "h{k:02},{lon:.6},{lat:.6}").unwrap();
    }
    // Bad rows: a missing coordinate, a latitude out of range, a repeated id, and a point
    // 30 km away that cannot be snapped.
    h += "bad1,2.471,\nbad2,2.471,95.0\nh00,2.471,48.901\nfar,2.9,48.9\n";
    std::fs::write(&homes, h).unwrap();
    let gps = dir.path().join("gps.csv");
    std::fs::write(
        &gps,
        "id,lon,lat\ngp-a,2.4712,48.9021\ngp-b,2.4788,48.9089\ngp-c,2.4755,48.9048\n",
    )
    .unwrap();
    let graph = dir.path().join("grid.rgraph");
    Town {
        osm,
        graph,
        homes,
        gps,
        _dir: dir,
    }
}

#[test]
fn build_info_and_table_through_the_binary() {
    let t = town();
    let build = ok(&recours(&[
        "network",
        "build",
        "--osm",
        s(&t.osm),
        "--profile",
        "car",
        "--out",
        s(&t.graph),
    ]));
    assert!(build.contains("144 nodes"), "{build}");
    assert!(build.contains("residential"), "{build}");
    let info = recours(&["network", "info", "--graph", s(&t.graph)]);
    let info_out = String::from_utf8_lossy(&info.stdout).into_owned();
    ok(&info);
    assert!(info_out.contains("nodes 144"), "{info_out}");

    let dir = t.graph.parent().unwrap();
    let mut tables = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.join(format!("times-{threads}.csv"));
        let stderr = ok(&recours(&[
            "--threads",
            threads,
            "table",
            "--graph",
            s(&t.graph),
            "--sources",
            s(&t.homes),
            "--destinations",
            s(&t.gps),
            "--out",
            s(&out),
        ]));
        assert!(stderr.contains("sources: 41 read, 40 snapped"), "{stderr}");
        tables.push((
            std::fs::read(&out).unwrap(),
            std::fs::read(dir.join(format!("times-{threads}.rejects.csv"))).unwrap(),
        ));
    }
    assert_eq!(
        tables[0], tables[1],
        "outputs differ between 1 and 2 threads"
    );
    let times = String::from_utf8(tables[0].0.clone()).unwrap();
    assert_eq!(times.lines().count(), 1 + 40 * 3, "{times}");
    let rejects = String::from_utf8(tables[0].1.clone()).unwrap();
    for (id, why) in [
        ("bad1", "lat"),
        ("bad2", "lat"),
        ("h00", "duplicate"),
        ("far", "snap radius"),
    ] {
        let line = rejects
            .lines()
            .find(|l| l.contains(&format!(",{id},")))
            .unwrap_or_else(|| panic!("{id} not in rejects:\n{rejects}"));
        assert!(line.to_lowercase().contains(why), "{line}");
    }
}

#[test]
fn building_from_osm_directly_gives_the_same_table_as_the_saved_graph() {
    let t = town();
    ok(&recours(&[
        "network",
        "build",
        "--osm",
        s(&t.osm),
        "--out",
        s(&t.graph),
    ]));
    let dir = t.graph.parent().unwrap();
    let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
    ok(&recours(&[
        "table",
        "--graph",
        s(&t.graph),
        "--sources",
        s(&t.homes),
        "--destinations",
        s(&t.gps),
        "--out",
        s(&a),
    ]));
    ok(&recours(&[
        "table",
        "--osm",
        s(&t.osm),
        "--sources",
        s(&t.homes),
        "--destinations",
        s(&t.gps),
        "--out",
        s(&b),
    ]));
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn bad_invocations_fail_with_a_clear_message() {
    let t = town();
    let missing = recours(&[
        "network",
        "build",
        "--osm",
        "/nonexistent/x.osm.pbf",
        "--out",
        s(&t.graph),
    ]);
    assert!(!missing.status.success());
    let msg = String::from_utf8_lossy(&missing.stderr);
    assert!(msg.contains("/nonexistent/x.osm.pbf"), "{msg}");

    let junk = t.graph.with_extension("junk");
    std::fs::write(&junk, b"not a graph").unwrap();
    let bad = recours(&["network", "info", "--graph", s(&junk)]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error:"));

    let profile = recours(&[
        "network",
        "build",
        "--osm",
        s(&t.osm),
        "--profile",
        "bicycle-nope",
        "--out",
        s(&t.graph),
    ]);
    assert!(!profile.status.success());
    assert!(String::from_utf8_lossy(&profile.stderr).contains("bicycle-nope"));

    // A layer with no road at all is an error naming what was left out, not an empty graph.
    let polygons = t.graph.with_file_name("polygons.geojson");
    std::fs::write(
        &polygons,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"park"},"geometry":{"type":"Polygon","coordinates":[[[2.47,48.9],[2.48,48.9],[2.48,48.91],[2.47,48.9]]]}}]}"#,
    )
    .unwrap();
    let empty = recours(&[
        "network",
        "build",
        "--lines",
        s(&polygons),
        "--out",
        s(&t.graph),
    ]);
    assert!(!empty.status.success());
    let msg = String::from_utf8_lossy(&empty.stderr);
    assert!(
        msg.contains("no road usable") && msg.contains("polygons.geojson"),
        "{msg}"
    );

    let help = recours(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("network") && text.contains("table") && text.contains("demo"),
        "{text}"
    );
}

#[test]
fn fca_from_a_given_times_table_with_apl_rules() {
    let dir = tempfile::tempdir().unwrap();
    let w = |n: &str, t: &str| {
        let p = dir.path().join(n);
        std::fs::write(&p, t).unwrap();
        p
    };
    // Two communes 12 minutes apart; GPs in A: 4,000 acts, 7,000 (capped at 6,000), and one
    // aged 67 (left out at ≤ 65, counted with --max-age none).
    let times = w(
        "t.csv",
        "origin,destination,minutes\nA,g1,0\nA,g2,0\nA,g3,0\nB,g1,12\nB,g2,12\nB,g3,12\n",
    );
    let demand = w("d.csv", "id,population\nA,1000\nB,500\n");
    let supply = w(
        "s.csv",
        "id,capacity,activity,age\ng1,1,4000,50\ng2,1,7000,50\ng3,1,5000,67\n",
    );
    let out = dir.path().join("apl.csv");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "fca",
            "--method",
            "apl",
            "--times",
            s(&times),
            "--demand",
            s(&demand),
            "--supply",
            s(&supply),
            "--out",
            s(&out),
        ];
        args.extend_from_slice(extra);
        let stderr = ok(&recours(&args));
        (std::fs::read_to_string(&out).unwrap(), stderr)
    };
    // R = 10,000 / (1,000 + 500 · 2/3) = 7.5; APL(B) = 2/3 · 7.5 = 5.
    let (csv, stderr) = run(&[]);
    assert_eq!(csv, "origin,access,in_catchment\nA,7.5,true\nB,5,true\n");
    assert!(
        stderr.contains("1 GPs left out by the age limit"),
        "{stderr}"
    );
    // With no age limit: R = 15,000 / (1,000 + 333.33…) = 11.25; B: 7.5.
    let (csv, _) = run(&["--max-age", "none"]);
    assert_eq!(
        csv,
        "origin,access,in_catchment\nA,11.25,true\nB,7.5,true\n"
    );
    let sites = std::fs::read_to_string(dir.path().join("apl.sites.csv")).unwrap();
    assert!(
        sites.starts_with("site,weighted_demand,ratio,counted_acts\ng1,"),
        "{sites}"
    );
    let bad = recours(&[
        "fca",
        "--method",
        "3sfca",
        "--times",
        s(&times),
        "--demand",
        s(&demand),
        "--supply",
        s(&supply),
        "--out",
        s(&out),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown method \"3sfca\""));
}
