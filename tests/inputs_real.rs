//! Supply and demand points from the shared real data (skipped when absent): IRIS and QPV
//! populations placed in their polygons, Filosofi cells as origins, hospitals as sites.

mod common;

use common::shared_file;
use recours::inputs::demand::areal::{
    place_population, read_population_csv, Placement, PopulationColumns,
};
use recours::inputs::demand::filosofi::read_filosofi;
use recours::inputs::demand::origins::cell_origins;
use recours::inputs::points_layer::{read_sites, PointColumns};
use recours::inputs::territory::{read_units, UnitIndex, UnitLayer};
use recours::support::rejects::Rejects;
use std::fmt::Write as _;

/// Every origin lies in the unit its id names.
fn check_inside(layer: &UnitLayer, origins: &[recours::inputs::demand::Origin]) {
    let index = UnitIndex::new(layer);
    for o in origins {
        let code = o.id.split(':').next().unwrap();
        let units = index.units_of(o.lon, o.lat);
        assert!(
            units.iter().any(|&u| layer.units[u].code == code),
            "{} at ({}, {}) is not in {code}",
            o.id,
            o.lon,
            o.lat
        );
    }
}

#[test]
fn bondy_iris_populations_at_interior_points_and_on_a_grid() {
    let Some(iris) = shared_file("iris/bondy_iris_wgs84.geojson") else {
        return;
    };
    let mut rejects = Rejects::default();
    let layer = read_units(&iris, None, "iris", None, None, None, &mut rejects).unwrap();
    assert_eq!(layer.units.len(), 20);
    // An INSEE-like table: `;`, decimal commas, one IRIS missing, one code from elsewhere.
    let mut csv = String::from("IRIS;LIBIRIS;P19_POP\n");
    for (k, u) in layer.units.iter().enumerate().skip(1) {
        writeln!(csv, "{};{};{},5", u.code, u.name, 2000 + 10 * k).unwrap();
    }
    csv.push_str("930460101;Livry;1800\n");
    let dir = tempfile::tempdir().unwrap();
    let pop = dir.path().join("pop_iris.csv");
    std::fs::write(&pop, csv).unwrap();
    let cols = PopulationColumns {
        code: "IRIS".into(),
        population: "P19_POP".into(),
    };
    let rows = read_population_csv(&pop, &cols, None, &mut rejects).unwrap();
    assert_eq!(rows.len(), 20);
    let file = pop.display().to_string();
    let points = place_population(
        &layer,
        "bondy_iris",
        &rows,
        &file,
        Placement::InteriorPoint,
        &mut rejects,
    )
    .unwrap();
    assert_eq!(points.len(), 19);
    check_inside(&layer, &points);
    let reasons: Vec<&str> = rejects.items.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(reasons, ["930460101", layer.units[0].code.as_str()]);
    let total: f64 = rows[..19].iter().map(|r| r.population).sum();
    let mut again = Rejects::default();
    let grid = place_population(
        &layer,
        "bondy_iris",
        &rows,
        &file,
        Placement::Grid { cell_m: 100.0 },
        &mut again,
    )
    .unwrap();
    check_inside(&layer, &grid);
    let placed: f64 = grid.iter().map(|o| o.population).sum();
    assert!((placed - total).abs() < 1e-6, "{placed} vs {total}");
    println!(
        "Bondy IRIS: 19 interior points, {} grid points at 100 m for {total} inhabitants",
        grid.len()
    );
    assert!(grid.len() > 300, "{}", grid.len());
}

#[test]
fn qpv_with_an_invalid_polygon_gets_grid_points_inside() {
    let Some(qpv) = shared_file("qpv/qpv_idf_sample_3_from_les-emplois.geojson") else {
        return;
    };
    let mut rejects = Rejects::default();
    let layer = read_units(&qpv, None, "qpv", None, None, None, &mut rejects).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pop = dir.path().join("qpv.csv");
    let mut csv = String::from("code,population\n");
    for u in &layer.units {
        writeln!(csv, "{},5000", u.code).unwrap();
    }
    std::fs::write(&pop, csv).unwrap();
    let rows =
        read_population_csv(&pop, &PopulationColumns::default(), None, &mut rejects).unwrap();
    let origins = place_population(
        &layer,
        "qpv",
        &rows,
        "qpv.csv",
        Placement::Grid { cell_m: 200.0 },
        &mut rejects,
    )
    .unwrap();
    assert!(rejects.is_empty(), "{rejects:?}");
    check_inside(&layer, &origins);
    for u in &layer.units {
        let sum: f64 = origins
            .iter()
            .filter(|o| o.id.split(':').next() == Some(u.code.as_str()))
            .map(|o| o.population)
            .sum();
        assert!((sum - 5000.0).abs() < 1e-6, "{}: {sum}", u.code);
    }
}

#[test]
fn filosofi_geopackage_cells_become_origins() {
    let Some(gpkg) = shared_file("population/bondy_filosofi2019_200m.gpkg") else {
        return;
    };
    let mut rejects = Rejects::default();
    let cells = read_filosofi(&gpkg, Some("bondy"), None, &mut rejects).unwrap();
    let origins = cell_origins(&cells, &gpkg.display().to_string());
    assert_eq!(origins.len(), 164);
    let people: f64 = origins.iter().map(|o| o.population).sum();
    let aged: f64 = origins
        .iter()
        .map(|o| o.ages.unwrap().iter().sum::<f64>())
        .sum();
    assert!(people > 10_000.0, "{people}");
    assert!((aged - people).abs() < 0.02 * people, "{aged} vs {people}");
    assert!(origins
        .iter()
        .all(|o| o.income.unwrap() > 0.0 || o.population < 1.0));
}

#[test]
fn hospitals_as_sites_from_geometry_and_from_lambert93_columns() {
    let Some(h) = shared_file("health/paris_public_hospitals_historic.geojson") else {
        return;
    };
    let mut rejects = Rejects::default();
    let spec = PointColumns {
        fixed_category: Some("hospital".into()),
        capacity: Some("capacity".into()),
        ..PointColumns::default()
    };
    let by_geometry = read_sites(&h, &spec, &mut rejects).unwrap();
    assert_eq!(by_geometry.items.len(), 18);
    let by_columns = read_sites(
        &h,
        &PointColumns {
            x: Some("x_l93".into()),
            y: Some("y_l93".into()),
            crs: Some("EPSG:2154".into()),
            ..spec
        },
        &mut rejects,
    )
    .unwrap();
    assert!(rejects.is_empty(), "{rejects:?}");
    let beds: f64 = by_geometry.items.iter().map(|s| s.capacity).sum();
    assert!(beds > 1000.0, "{beds}");
    for (a, b) in by_geometry.items.iter().zip(&by_columns.items) {
        let dx = (a.lon - b.lon) * 73_000.0;
        let dy = (a.lat - b.lat) * 111_000.0;
        assert!(dx.hypot(dy) < 100.0, "{}: {:?} vs {:?}", a.id, a, b);
    }
}
