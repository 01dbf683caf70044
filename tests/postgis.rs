//! PostGIS in and out against a live server (a throw-away cluster, `common::postgis`): the
//! demo study written to a schema and checked against its files; a kill in the middle of
//! the write leaving the previous tables as they were; bad targets refused before any
//! computation; inputs read back from the database giving the same results as the files;
//! `table --out postgresql://…#schema.table`.

mod common;

use common::postgis::{Cluster, PASSWORD};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The rows of a CSV file, each a map from column to value.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let (headers, rows) = common::csv_rows(path);
    rows.into_iter()
        .map(|r| headers.iter().cloned().zip(r).collect())
        .collect()
}

/// Generates the demo into `dir` and returns its study file.
fn demo(dir: &Path) -> PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["--threads", "2", "demo", "--out"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("study.toml")
}

/// Appends `lines` to the `[output]` section (the study file's last section).
fn with_output(study: &Path, lines: &str) -> PathBuf {
    let text = std::fs::read_to_string(study).unwrap();
    assert!(text.contains("[output]"));
    let p = study.with_file_name(format!("study-{}.toml", lines.len()));
    let text = text.replacen("[output]\n", &format!("[output]\n{lines}\n"), 1);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `recours run` on `study`; (success, stdout + stderr).
fn run(pg: &Cluster, study: &Path) -> (bool, String) {
    let out = pg
        .recours()
        .args(["--threads", "2", "run"])
        .arg(study)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn count(pg: &Cluster, db: &str, sql: &str) -> usize {
    pg.psql(db, sql).parse().unwrap()
}

#[test]
fn the_demo_goes_to_postgis_in_one_transaction_and_matches_its_files() {
    let Some(pg) = Cluster::start() else { return };
    let Some(()) = pg.create_db("agency", true) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let to_pg = with_output(
        &study,
        &format!(
            "postgis = \"{}\"\npostgis_schema = \"acces\"",
            pg.url("agency")
        ),
    );
    let (ok, log) = run(&pg, &to_pg);
    assert!(ok, "{log}");
    let out = dir.path().join("results");

    // Row counts against the files.
    let origins = csv_rows(&out.join("origins.csv"));
    assert_eq!(
        count(&pg, "agency", "SELECT count(*) FROM acces.origins"),
        origins.len()
    );
    let sites = csv_rows(&out.join("sites.csv"));
    assert_eq!(
        count(&pg, "agency", "SELECT count(*) FROM acces.sites"),
        sites.len()
    );
    let rejects = csv_rows(&out.join("rejects.csv"));
    assert_eq!(
        count(&pg, "agency", "SELECT count(*) FROM acces.rejects"),
        rejects.len()
    );
    let gaps = csv_rows(&out.join("qpv_gap_gp_minutes.csv"));
    assert_eq!(
        count(
            &pg,
            "agency",
            "SELECT count(*) FROM acces.qpv_gap_gp_minutes"
        ),
        gaps.len()
    );

    // Geometry columns: types, SRIDs, one GiST index each.
    let geoms = pg.psql(
        "agency",
        "SELECT f_table_name || ':' || type || ':' || srid FROM geometry_columns \
         WHERE f_table_schema = 'acces' AND f_table_name IN ('origins', 'sites', 'commune', 'qpv', 'cpts') \
         ORDER BY 1",
    );
    assert_eq!(
        geoms,
        "commune:MULTIPOLYGON:4326\ncpts:MULTIPOLYGON:4326\norigins:POINT:4326\nqpv:MULTIPOLYGON:4326\nsites:POINT:4326"
    );
    let with_geometry = count(
        &pg,
        "agency",
        "SELECT count(*) FROM geometry_columns WHERE f_table_schema = 'acces'",
    );
    let gist = count(
        &pg,
        "agency",
        "SELECT count(*) FROM pg_indexes WHERE schemaname = 'acces' AND indexdef LIKE '%USING gist%'",
    );
    assert_eq!(gist, with_geometry);

    // Column types: numbers as numbers, codes as text.
    let types = pg.psql(
        "agency",
        "SELECT column_name || ':' || data_type FROM information_schema.columns \
         WHERE table_schema = 'acces' AND table_name = 'commune__gp_minutes' \
         AND column_name IN ('code', 'origins', 'mean') ORDER BY 1",
    );
    assert_eq!(
        types,
        "code:character varying\nmean:double precision\norigins:bigint"
    );

    // A few values against the files.
    let header: Vec<&str> = origins[0].keys().map(String::as_str).collect();
    assert!(header.contains(&"gp_minutes"));
    let csv_sum: f64 = origins
        .iter()
        .filter_map(|r| r["gp_minutes"].parse::<f64>().ok())
        .sum();
    let db_sum: f64 = pg
        .psql("agency", "SELECT sum(gp_minutes) FROM acces.origins")
        .parse()
        .unwrap();
    assert!(
        (csv_sum - db_sum).abs() < 1e-6 * csv_sum.abs().max(1.0),
        "{csv_sum} vs {db_sum}"
    );
    let first = &origins[0];
    let (lon, lat): (f64, f64) = (first["lon"].parse().unwrap(), first["lat"].parse().unwrap());
    let xy = pg.psql(
        "agency",
        &format!(
            "SELECT ST_X(geom) || ' ' || ST_Y(geom) FROM acces.origins WHERE id = '{}'",
            first["id"]
        ),
    );
    let (x, y) = xy.split_once(' ').unwrap();
    assert!(
        (x.parse::<f64>().unwrap() - lon).abs() < 1e-6,
        "{xy} vs {lon}"
    );
    assert!(
        (y.parse::<f64>().unwrap() - lat).abs() < 1e-6,
        "{xy} vs {lat}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        pg.psql(
            "agency",
            "SELECT value FROM acces.manifest WHERE key = '/counts/origins'"
        ),
        manifest["counts"]["origins"].to_string()
    );

    // Column comments give the unit and the meaning.
    let comment = pg.psql(
        "agency",
        "SELECT col_description('acces.origins'::regclass, \
         (SELECT attnum FROM pg_attribute WHERE attrelid = 'acces.origins'::regclass AND attname = 'gp_minutes'))",
    );
    assert!(
        comment.starts_with("gp_minutes — minutes: time to the nearest site"),
        "{comment}"
    );

    // The password is in no file, no log line and no table.
    let mut everything = log.clone();
    for f in walk(&out) {
        everything.push_str(&String::from_utf8_lossy(&std::fs::read(f).unwrap()));
    }
    everything.push_str(&pg.psql(
        "agency",
        "SELECT string_agg(value, ' ') FROM acces.manifest",
    ));
    assert!(!everything.contains(PASSWORD));
    assert!(
        everything.contains(&pg.url("agency")),
        "the URL is recorded in the manifest"
    );

    // An existing schema is refused unless asked, before any computation.
    let (ok, log) = run(&pg, &to_pg);
    assert!(!ok);
    assert!(
        log.contains("already exists") && log.contains("postgis_if_exists"),
        "{log}"
    );
    assert!(!log.contains("timings"), "refused before computing: {log}");

    // Replace, killed in the middle of the write: the previous tables are untouched.
    pg.psql("agency", "CREATE TABLE acces.analyst_notes (note text); INSERT INTO acces.analyst_notes VALUES ('kept')");
    let tables_before = count(
        &pg,
        "agency",
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'acces'",
    );
    let replace = with_output(
        &study,
        &format!(
            "postgis = \"{}\"\npostgis_schema = \"acces\"\npostgis_if_exists = \"replace\"",
            pg.url("agency")
        ),
    );
    let mut child = pg
        .recours()
        .args(["--threads", "2", "run"])
        .arg(&replace)
        .env("RECOURS_POSTGIS_TEST_PAUSE", "20")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut paused = false;
    for line in stderr.lines() {
        if line
            .unwrap()
            .contains("PostGIS write paused after 20 tables")
        {
            paused = true;
            break;
        }
    }
    assert!(paused, "the writer never reached its pause");
    let staging_seen = count(
        &pg,
        "agency",
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'",
    );
    assert_eq!(staging_seen, 1, "the write is one open transaction");
    child.kill().unwrap();
    child.wait().unwrap();
    // The server notices the lost client and rolls back.
    for _ in 0..50 {
        if count(
            &pg,
            "agency",
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'",
        ) == 0
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        pg.psql("agency", "SELECT note FROM acces.analyst_notes"),
        "kept"
    );
    assert_eq!(
        count(
            &pg,
            "agency",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'acces'"
        ),
        tables_before
    );
    assert_eq!(
        count(&pg, "agency", "SELECT count(*) FROM acces.origins"),
        origins.len()
    );
    assert_eq!(
        count(
            &pg,
            "agency",
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'recours_staging%'"
        ),
        0
    );

    // Replace, completed: the whole schema is the new run's.
    let (ok, log) = run(&pg, &replace);
    assert!(ok, "{log}");
    assert_eq!(
        count(
            &pg,
            "agency",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'acces'"
        ),
        tables_before - 1
    );
    assert!(pg
        .try_psql("agency", "SELECT * FROM acces.analyst_notes")
        .is_err());
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn bad_targets_are_refused_before_any_computation() {
    let Some(pg) = Cluster::start() else { return };
    let Some(()) = pg.create_db("agency", true) else {
        return;
    };
    let Some(()) = pg.create_db("plain", false) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    std::fs::remove_dir_all(dir.path().join("results")).unwrap();
    let closed = format!("postgresql://recours@127.0.0.1:{}/agency", pg.port + 1);
    let cases: Vec<(String, &str)> = vec![
        (format!("postgis = \"{closed}\"\npostgis_schema = \"acces\""), "server unreachable"),
        (
            format!("postgis = \"{}\"\npostgis_schema = \"acces\"", pg.url("plain")),
            "PostGIS extension is not installed",
        ),
        (
            format!("postgis = \"{}\"\npostgis_schema = \"Acces\"", pg.url("agency")),
            "lower-case name",
        ),
        (
            format!(
                "postgis = \"postgresql://recours:{PASSWORD}@127.0.0.1:{}/agency\"\npostgis_schema = \"acces\"",
                pg.port
            ),
            "holds a password",
        ),
        (format!("postgis = \"{}\"", pg.url("agency")), "needs postgis_schema"),
    ];
    for (lines, expected) in &cases {
        let s = with_output(&study, lines);
        let (ok, log) = run(&pg, &s);
        assert!(!ok, "{lines}");
        assert!(log.contains(expected), "{lines}: {log}");
        assert!(!log.contains(PASSWORD), "{log}");
        assert!(
            !dir.path().join("results").exists(),
            "nothing computed or written: {lines}"
        );
    }
    // A wrong password.
    let s = with_output(
        &study,
        &format!(
            "postgis = \"{}\"\npostgis_schema = \"acces\"",
            pg.url("agency")
        ),
    );
    let out = pg
        .recours()
        .env("PGPASSWORD", "wrong")
        .arg("run")
        .arg(&s)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(log.contains("authentication failed"), "{log}");
    assert!(!dir.path().join("results").exists());
}

#[test]
fn inputs_read_from_postgis_give_the_same_results_as_the_files() {
    let Some(pg) = Cluster::start() else { return };
    let Some(()) = pg.create_db("inputs", true) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let input = dir.path().join("input");
    // The territories go to the database through the library's own writer of tables.
    for (file, table) in [("communes.geojson", "communes"), ("qpv.geojson", "qpv")] {
        load_layer(&pg, &input.join(file), table);
    }
    let text = std::fs::read_to_string(&study).unwrap();
    let ds = format!("PG:{}", pg.url("inputs"));
    let text = text
        .replace(
            "path = \"input/communes.geojson\"",
            &format!("path = \"{ds}\"\nlayer = \"territories.communes\""),
        )
        .replace(
            "path = \"input/qpv.geojson\"",
            &format!("path = \"{ds}\"\nlayer = \"territories.qpv\""),
        )
        .replace("dir = \"results\"", "dir = \"from_db\"");
    let from_db = dir.path().join("study-db.toml");
    std::fs::write(&from_db, text).unwrap();
    let (ok, log) = run(&pg, &from_db);
    assert!(ok, "{log}");
    let (a, b) = (dir.path().join("results"), dir.path().join("from_db"));
    for f in [
        "origins.csv",
        "commune/gp_minutes.csv",
        "qpv/apl.csv",
        "cpts/gp_minutes.csv",
        "qpv_gap_gp_minutes.csv",
    ] {
        assert_eq!(
            std::fs::read_to_string(a.join(f)).unwrap(),
            std::fs::read_to_string(b.join(f)).unwrap(),
            "{f} differs when the territories come from PostGIS"
        );
    }
    // `recours inspect` reads the table too.
    let out = pg.recours().arg("inspect").arg(&ds).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("territories.communes"), "{text}");
    // A missing table is named before any computation.
    let missing = std::fs::read_to_string(&from_db)
        .unwrap()
        .replace("territories.qpv", "territories.nope");
    let m = dir.path().join("study-missing.toml");
    std::fs::write(&m, missing).unwrap();
    let (ok, log) = run(&pg, &m);
    assert!(!ok);
    assert!(log.contains("territories.nope"), "{log}");
    assert!(!log.contains("timings"), "{log}");
}

/// Loads the layer file `path` into table `territories.{table}` with GDAL (the library's
/// reader of layers, so nothing outside the project is needed).
fn load_layer(pg: &Cluster, path: &Path, table: &str) {
    pg.psql("inputs", "CREATE SCHEMA IF NOT EXISTS territories");
    let out = Command::new("ogr2ogr")
        .env("PGPASSWORD", PASSWORD)
        .args(["-f", "PostgreSQL", "-nln", &format!("territories.{table}")])
        .arg(format!("PG:{}", pg.url("inputs")))
        .arg(path)
        .output();
    match out {
        Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => panic!("ogr2ogr (gdal-bin) is needed to load the test layers: {e}"),
    }
}

/// Writes `id,lon,lat` of the first `n` rows of `from` to `to`.
fn points(from: &Path, to: &Path, n: usize) {
    let rows = csv_rows(from);
    let mut text = String::from("id,lon,lat\n");
    for r in rows.iter().take(n) {
        text.push_str(&format!("{},{},{}\n", r["id"], r["lon"], r["lat"]));
    }
    std::fs::write(to, text).unwrap();
}

#[test]
fn a_table_goes_to_postgis_with_out_url() {
    let Some(pg) = Cluster::start() else { return };
    let Some(()) = pg.create_db("tables", true) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let results = dir.path().join("results");
    let (sources, destinations) = (dir.path().join("s.csv"), dir.path().join("d.csv"));
    points(&results.join("origins.csv"), &sources, 40);
    points(&results.join("sites.csv"), &destinations, 1000);
    let pbf = dir.path().join("input/territory.osm.pbf");
    let table = |out: &str| {
        let o = pg
            .recours()
            .args(["table", "--osm"])
            .arg(&pbf)
            .arg("--sources")
            .arg(&sources)
            .arg("--destinations")
            .arg(&destinations)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{log}");
    };
    let file = dir.path().join("times.csv");
    table(file.to_str().unwrap());
    table(&format!("{}#times.car", pg.url("tables")));
    let from_file = csv_rows(&file);
    assert_eq!(
        count(&pg, "tables", "SELECT count(*) FROM times.car"),
        from_file.len()
    );
    let types = pg.psql(
        "tables",
        "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) \
         FROM information_schema.columns WHERE table_schema = 'times' AND table_name = 'car'",
    );
    assert!(types.contains("source_id:character varying"), "{types}");
    assert!(types.contains("minutes:double precision"), "{types}");
    let csv_sum: f64 = from_file
        .iter()
        .map(|r| r["minutes"].parse::<f64>().unwrap())
        .sum();
    let db_sum: f64 = pg
        .psql("tables", "SELECT sum(minutes) FROM times.car")
        .parse()
        .unwrap();
    assert!((csv_sum - db_sum).abs() < 1e-6 * csv_sum.max(1.0));
    // A second run replaces the table, in one transaction.
    table(&format!("{}#times.car", pg.url("tables")));
    assert_eq!(
        count(&pg, "tables", "SELECT count(*) FROM times.car"),
        from_file.len()
    );
}
