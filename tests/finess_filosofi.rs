//! FINESS and Filosofi readers on files in the exact published layouts (fixtures written
//! for these tests) and, when the shared data folder is present, on INSEE's real Filosofi
//! 2019 cells around Bondy.

mod common;
use common::{shared_dir, shared_file};

use gdal::spatial_ref::SpatialRef;
use gdal::vector::{FieldDefn, Geometry, LayerAccess, LayerOptions, OGRFieldType};
use gdal::DriverManager;
use recours::inputs::demand::filosofi::{read_filosofi, Cell, FilosofiError, Idcar, AGE_COLUMNS};
use recours::inputs::supply::finess::{read_finess, FinessCategories, Structure};
use recours::support::rejects::Rejects;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Great-circle distance, metres.
fn distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b[0] - a[0]).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn by_id<'a>(structures: &'a [Structure], id: &str) -> &'a Structure {
    structures.iter().find(|s| s.finess == id).unwrap()
}

#[test]
fn finess_utf8_extraction() {
    let path = fixture("finess/etalab-cs1100507-stock-20240110.csv");
    let mut rejects = Rejects::default();
    let (s, summary) =
        read_finess(&path, &FinessCategories::default_french(), &mut rejects).unwrap();
    println!("{summary}");
    assert_eq!(summary.encoding, "UTF-8");
    assert_eq!(summary.metadata_lines, 1);
    assert_eq!(summary.structure_lines, 8);
    assert_eq!(summary.geolocation_lines, 7);
    assert_eq!(summary.structures, 7);
    assert_eq!(summary.located, 6);
    assert_eq!(summary.without_coordinates, 1);
    assert_eq!(summary.orphan_geolocations, 1);
    assert_eq!(summary.rejected_lines, 1);
    let per: Vec<(&str, u64)> = summary
        .per_category
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        per,
        [
            ("health_centre", 1),
            ("hospital", 2),
            ("laboratory", 1),
            ("msp", 1),
            ("pharmacy", 2)
        ]
    );

    let cms = by_id(&s, "930019484");
    assert_eq!(cms.name, "CMS SALVADOR ALLENDE");
    assert_eq!(cms.category_label, "Centre de Santé");
    assert_eq!(cms.commune_insee, "93010");
    assert_eq!(
        (
            cms.address.number.as_str(),
            cms.address.street_type.as_str()
        ),
        ("12", "AV")
    );
    assert_eq!(cms.address.street, "GALLIENI");
    let p = [cms.lon.unwrap(), cms.lat.unwrap()];
    assert!(distance_m(p, [2.479789, 48.900209]) < 1.0, "{p:?}");

    let ajaccio = by_id(&s, "2A0000123");
    assert_eq!(ajaccio.commune_insee, "2A004");
    let p = [ajaccio.lon.unwrap(), ajaccio.lat.unwrap()];
    assert!(distance_m(p, [8.744986, 41.906483]) < 1.0, "{p:?}");

    let reunion = by_id(&s, "970400123");
    assert_eq!(reunion.commune_insee, "97411");
    assert_eq!(reunion.category.as_deref(), Some("hospital"));
    assert_eq!(reunion.address.postcode, "97405");
    let p = [reunion.lon.unwrap(), reunion.lat.unwrap()];
    assert!(distance_m(p, [55.448917, -20.875795]) < 1.0, "{p:?}");

    let lab = by_id(&s, "930099999");
    assert_eq!((lab.lon, lab.lat, lab.line), (None, None, 8));

    let found: Vec<(u64, &str, &str)> = rejects
        .items
        .iter()
        .map(|r| (r.line, r.id.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                9,
                "930077777",
                "malformed structureet line: 14 fields, expected 31 or 32"
            ),
            (16, "930088888", "geolocalisation without structureet"),
            (8, "930099999", "no coordinates (no geolocalisation line)"),
        ]
    );
}

#[test]
fn finess_iso_8859_15_extraction() {
    let path = fixture("finess/etalab-cs1100507-stock-20150302-iso8859-15.csv");
    let mut rejects = Rejects::default();
    let (s, summary) =
        read_finess(&path, &FinessCategories::default_french(), &mut rejects).unwrap();
    assert_eq!(summary.encoding, "ISO-8859-15");
    assert_eq!((summary.structures, summary.located), (2, 2));
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(s[1].name, "PHARMACIE DU MARCHÉ");
    assert_eq!(s[0].category_label, "Centre de Santé");
    assert_eq!(s[1].category.as_deref(), Some("pharmacy"));
}

#[test]
fn finess_missing_file_is_an_error() {
    let err = read_finess(
        Path::new("/nonexistent/finess.csv"),
        &FinessCategories::default(),
        &mut Rejects::default(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("/nonexistent/finess.csv"));
}

/// Centre of a cell from its identifier, WGS84, independently of the reader.
fn idcar_centre_wgs84(id: &str) -> [f64; 2] {
    let mut p = [Idcar::parse(id).unwrap().centre()];
    recours::support::crs::transform_between("EPSG:3035", "EPSG:4326", &mut p).unwrap();
    p[0]
}

#[test]
fn filosofi_csv_extract() {
    let path = fixture("filosofi/filosofi2019_200m_extract.csv");
    let mut rejects = Rejects::default();
    let cells = read_filosofi(&path, None, None, &mut rejects).unwrap();
    assert_eq!(cells.len(), 5);
    let first = &cells[0];
    assert_eq!(first.id, "CRS3035RES200mN2891800E3770600");
    assert_eq!(first.lcog_geo, "9306493010");
    assert_eq!((first.ind, first.men, first.men_pauv), (3.0, 1.0, 0.1));
    assert_eq!(first.ind_snv, 69318.3);
    assert_eq!(first.ages[6], 0.7);
    assert!(distance_m([first.lon, first.lat], [2.483597, 48.887371]) < 1.0);
    let total: f64 = cells.iter().map(|c| c.ind).sum();
    assert!((total - 423.1).abs() < 1e-9, "{total}");
    let found: Vec<(u64, &str)> = rejects
        .items
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(
        found[0],
        (7, "duplicate idcar_200m (identical to an earlier row)")
    );
    assert_eq!(found[1], (8, "negative ind (-4)"));
    assert!(found[2].1.starts_with("age bands sum to 10 but ind is 40"));
    assert!(found[3].1.starts_with("malformed idcar_200m"));
}

/// Writes `cells` as 200 m squares in Lambert-93, each moved `shift_m[k]` metres east (none
/// when absent), into a GeoPackage layer `cells` declaring `srs`, with an `idcar_200m`
/// column when `with_id`.
fn write_gpkg(
    path: &Path,
    cells: &[Cell],
    srs: Option<&SpatialRef>,
    with_id: bool,
    shift_m: &[f64],
) {
    let driver = DriverManager::get_driver_by_name("GPKG").unwrap();
    let mut ds = driver.create_vector_only(path).unwrap();
    let layer = ds
        .create_layer(LayerOptions {
            name: "cells",
            srs,
            ty: gdal::vector::OGRwkbGeometryType::wkbPolygon,
            options: None,
        })
        .unwrap();
    let columns: Vec<&str> = ["ind", "men", "men_pauv", "ind_snv"]
        .into_iter()
        .chain(AGE_COLUMNS)
        .collect();
    for c in &columns {
        FieldDefn::new(c, OGRFieldType::OFTReal)
            .unwrap()
            .add_to_layer(&layer)
            .unwrap();
    }
    if with_id {
        FieldDefn::new("idcar_200m", OGRFieldType::OFTString)
            .unwrap()
            .add_to_layer(&layer)
            .unwrap();
    }
    for (k, cell) in cells.iter().enumerate() {
        let corner = Idcar::parse(&cell.id).unwrap();
        let (e, n) = (corner.easting, corner.northing);
        let mut ring = [
            [e, n],
            [e + 200.0, n],
            [e + 200.0, n + 200.0],
            [e, n + 200.0],
        ];
        recours::support::crs::transform_between("EPSG:3035", "EPSG:2154", &mut ring).unwrap();
        let shift = shift_m.get(k).copied().unwrap_or(0.0);
        for p in &mut ring {
            p[0] += shift;
        }
        let wkt = format!(
            "POLYGON(({}, {}))",
            ring.iter()
                .map(|p| format!("{} {}", p[0], p[1]))
                .collect::<Vec<_>>()
                .join(", "),
            format_args!("{} {}", ring[0][0], ring[0][1])
        );
        let values: Vec<f64> = [cell.ind, cell.men, cell.men_pauv, cell.ind_snv]
            .into_iter()
            .chain(cell.ages)
            .collect();
        let mut feature = gdal::vector::Feature::new(layer.defn()).unwrap();
        feature
            .set_geometry(Geometry::from_wkt(&wkt).unwrap())
            .unwrap();
        for (k, v) in values.iter().enumerate() {
            feature.set_field_double(k, *v).unwrap();
        }
        if with_id {
            feature.set_field_string(values.len(), &cell.id).unwrap();
        }
        feature.create(&layer).unwrap();
    }
}

#[test]
fn filosofi_layer_without_id_needs_a_crs() {
    let source = read_filosofi(
        &fixture("filosofi/filosofi2019_200m_extract.csv"),
        None,
        None,
        &mut Rejects::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no_crs.gpkg");
    write_gpkg(&path, &source, None, false, &[]);

    let err = read_filosofi(&path, Some("cells"), None, &mut Rejects::default()).unwrap_err();
    assert!(matches!(err, FilosofiError::NoCrs { .. }));
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "layer cells of {} declares no CRS",
            path.display()
        )),
        "{message}"
    );
    assert!(message.contains("crs = \"EPSG:2154\""), "{message}");

    let mut rejects = Rejects::default();
    let cells = read_filosofi(&path, None, Some("EPSG:2154"), &mut rejects).unwrap();
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(cells.len(), source.len());
    for (c, s) in cells.iter().zip(&source) {
        assert_eq!(c.id, format!("fid:{}", c.line));
        assert_eq!((c.ind, c.ages), (s.ind, s.ages));
        let d = distance_m([c.lon, c.lat], [s.lon, s.lat]);
        assert!(d < 1.0, "{}: centroid {d} m from the idcar centre", s.id);
    }

    let err = read_filosofi(&path, Some("nope"), None, &mut Rejects::default()).unwrap_err();
    assert!(err.to_string().contains("no layer \"nope\""), "{err}");
}

/// Log lines written through `tracing` while `f` runs.
fn captured_log<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    (out, text)
}

#[test]
fn filosofi_geometry_far_from_its_identifier_is_reported() {
    let source = read_filosofi(
        &fixture("filosofi/filosofi2019_200m_extract.csv"),
        None,
        None,
        &mut Rejects::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l93.gpkg");
    let srs = SpatialRef::from_epsg(2154).unwrap();
    write_gpkg(&path, &source, Some(&srs), true, &[0.0, 400.0]);
    let mut rejects = Rejects::default();
    let (cells, log) = captured_log(|| read_filosofi(&path, None, None, &mut rejects).unwrap());
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(cells.len(), source.len());
    for (c, s) in cells.iter().zip(&source) {
        assert_eq!((c.id.as_str(), c.ind), (s.id.as_str(), s.ind));
        assert!(distance_m([c.lon, c.lat], [s.lon, s.lat]) < 0.01);
    }
    assert!(
        log.contains(&format!("cell {} (feature 2)", source[1].id)),
        "{log}"
    );
    assert!(log.contains("m from the idcar_200m centre"), "{log}");
    assert!(!log.contains(&source[0].id), "{log}");
    assert_eq!(log.lines().count(), 1, "{log}");
}

/// Reads one CSV column of `path` by name, as text, in file order.
fn csv_column(path: &Path, column: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let k = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[k].to_string())
        .collect()
}

#[test]
fn bondy_filosofi_real_data() {
    let Some(data) = shared_dir() else { return };
    let gpkg = data.join("population/bondy_filosofi2019_200m.gpkg");
    let mut rejects = Rejects::default();
    let cells = read_filosofi(&gpkg, Some("bondy"), None, &mut rejects).unwrap();
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(cells.len(), 164);
    let total: f64 = cells.iter().map(|c| c.ind).sum();
    println!("Bondy layer: {} cells, {total:.1} inhabitants", cells.len());
    assert!((30_000.0..80_000.0).contains(&total), "{total}");
    for c in &cells {
        let d = distance_m([c.lon, c.lat], idcar_centre_wgs84(&c.id));
        assert!(d < 0.01, "{}: {d} m", c.id);
        assert!((2.43..2.52).contains(&c.lon) && (48.87..48.93).contains(&c.lat));
    }

    let with_crs = read_filosofi(&gpkg, Some("bondy"), Some("EPSG:2154"), &mut rejects).unwrap();
    assert_eq!(with_crs, cells);

    // The published layer holds 256 features for 160 cells: 96 repeat an identifier.
    let rest = read_filosofi(&gpkg, Some("resteBondy"), None, &mut rejects).unwrap();
    assert_eq!(rest.len(), 160);
    assert_eq!(rejects.len(), 96);
    assert!(
        rejects
            .items
            .iter()
            .all(|r| r.reason.starts_with("duplicate idcar_200m (")),
        "{:?}",
        rejects.summary()
    );

    for (name, expected, repeats) in [
        (
            "population/bondy_filosofi2019_200m_bondy.csv",
            Some(&cells),
            0,
        ),
        (
            "population/bondy_filosofi2019_200m_surroundings.csv",
            None,
            96,
        ),
    ] {
        let Some(path) = shared_file(name) else {
            continue;
        };
        let mut rejects = Rejects::default();
        let from_csv = read_filosofi(&path, None, None, &mut rejects).unwrap();
        assert_eq!(rejects.len(), repeats, "{name}: {rejects:?}");
        let lon = csv_column(&path, "lon_center");
        let lat = csv_column(&path, "lat_center");
        assert_eq!(from_csv.len() + repeats, lon.len());
        let mut worst: f64 = 0.0;
        for c in &from_csv {
            let row = c.line as usize - 2;
            let published = [
                lon[row].parse::<f64>().unwrap(),
                lat[row].parse::<f64>().unwrap(),
            ];
            worst = worst.max(distance_m([c.lon, c.lat], published));
        }
        println!(
            "{name}: {} cells, worst centre gap {worst:.3} m",
            from_csv.len()
        );
        assert!(worst < 1.0, "{name}: {worst} m");
        if let Some(gpkg_cells) = expected {
            assert_eq!(from_csv.len(), gpkg_cells.len());
            for (a, b) in from_csv.iter().zip(gpkg_cells.iter()) {
                assert_eq!((a.id.as_str(), a.ind), (b.id.as_str(), b.ind));
            }
        }
    }
}
