//! The example Bondy study (`docs/examples/bondy/study.toml`) on the real shared data: the
//! Overpass road export as a line network, the Filosofi 2019 cells (Lambert-93 without a
//! declared CRS), IRIS, QPV and the public facilities (polygons, read at their interior
//! point) as supply. The report draws every cell, names the nearest street of the
//! worst-served places and compares each QPV with the rest of its communes.

mod common;

use std::process::Command;

#[test]
fn the_bondy_report_names_the_streets_of_the_worst_served_cells() {
    let Some(data) = common::shared_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/examples/bondy/study.toml"
    ))
    .unwrap();
    let study = dir.path().join("study.toml");
    std::fs::write(
        &study,
        example.replace("../../../../shared/data", data.to_str().unwrap()),
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args([
            "run",
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("population: 164 origins, 65548 inhabitants; 0 not snapped"),
        "{stderr}"
    );
    assert!(stderr.contains("Santé 6"), "{stderr}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // Every cell has a position and a value for the click panel.
    let facts = html.split("id=\"cell-facts\">").nth(1).unwrap();
    let facts: serde_json::Value =
        serde_json::from_str(&facts[..facts.find("</script>").unwrap()]).unwrap();
    assert_eq!(facts["id"].as_array().unwrap().len(), 164);
    // The worst-served places table names a street for each of its rows.
    let table = html
        .split("<caption>Lieux habités les moins bien desservis")
        .nth(1)
        .unwrap();
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr><td>CRS3035RES200m").count(), 15);
    for row in table.split("<tr><td>CRS3035RES200m").skip(1) {
        let street = row.split("<td>").nth(2).unwrap();
        assert!(street.len() > "</td>".len(), "a street named: {row}");
    }
    assert!(
        html.contains("des habitants du QPV Marnaudes"),
        "QPV sentence"
    );
    assert!(html.contains("© les contributeurs d&#39;OpenStreetMap, ODbL (bondy_highways_overpass_2023-07-27.geojson)"));
}
