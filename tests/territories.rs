//! Territorial units: fixtures in the published layouts (ADMIN EXPRESS in Lambert-93, ANCT
//! QPV 2015 and 2024, CPTS and wide territory tables), then the real files of the shared
//! data folder when present (`../shared/data`, or `RECOURS_SHARED_DATA`).

mod common;
use common::shared_dir;

use geo::{Area, Centroid, Contains, Point};
use recours::inputs::error::InputError;
use recours::inputs::territory::{
    dissolve, read_ept_json, read_membership_csv, read_units, TerritoryError, UnitIndex, UnitLayer,
};
use recours::support::rejects::Rejects;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/territory"
    ))
    .join(name)
}

fn codes(layer: &UnitLayer) -> Vec<&str> {
    layer.units.iter().map(|u| u.code.as_str()).collect()
}

fn admin_express(rejects: &mut Rejects) -> UnitLayer {
    read_units(
        &fixture("communes_admin_express_l93.geojson"),
        None,
        "commune",
        None,
        None,
        None,
        rejects,
    )
    .unwrap()
}

#[test]
fn admin_express_communes_in_lambert93() {
    let mut r = Rejects::default();
    let communes = admin_express(&mut r);
    assert_eq!(codes(&communes), ["93010", "93046"]);
    let bondy = &communes.units[0];
    assert_eq!(bondy.name, "Bondy");
    assert_eq!(bondy.population, Some(53353.0));
    let c = bondy.geometry.centroid().unwrap();
    // `echo 661500 6866500 | gdaltransform -s_srs EPSG:2154 -t_srs EPSG:4326`:
    // 2.474875 48.897354 (the square's centre; its WGS84 centroid is within a metre).
    assert!(
        (c.x() - 2.474875).abs() < 1e-4 && (c.y() - 48.897354).abs() < 1e-4,
        "{c:?}"
    );
    let reasons: Vec<(u64, &str)> = r
        .items
        .iter()
        .map(|x| (x.line, x.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].0 == 3 && reasons[0].1.contains("duplicate code"));
    assert!(reasons[1].0 == 4 && reasons[1].1.contains("not a polygon"));
    assert!(reasons[2].0 == 5 && reasons[2].1.contains("population"));
    assert!(reasons[3].0 == 6 && reasons[3].1.contains("without geometry"));
}

#[test]
fn qpv_2015_and_2024_layouts_with_repair() {
    let mut r = Rejects::default();
    let qpv = read_units(
        &fixture("qpv2015_anct.geojson"),
        None,
        "qpv",
        None,
        None,
        None,
        &mut r,
    )
    .unwrap();
    assert_eq!(codes(&qpv), ["QP093012", "QP093013"]);
    assert_eq!(qpv.units[0].name, "Quartier Nord");
    // The hole is kept.
    assert!(!qpv.units[0].geometry.contains(&Point::new(2.475, 48.905)));
    assert!(qpv.units[0].geometry.contains(&Point::new(2.471, 48.905)));
    assert_eq!(qpv.repaired.len(), 1);
    assert_eq!(qpv.repaired[0].code, "QP093013");
    assert_eq!(qpv.units[1].geometry.0.len(), 2);
    assert_eq!(r.len(), 2, "{:?}", r.items);
    assert!(r.items[0].id == "QP093014" && r.items[0].reason.contains("without area"));
    assert!(r.items[1].line == 4 && r.items[1].reason.contains("no code"));

    let qn = read_units(
        &fixture("qpv2024_anct.geojson"),
        None,
        "qpv",
        None,
        None,
        None,
        &mut r,
    )
    .unwrap();
    assert_eq!(codes(&qn), ["QN09301M"]);
    assert_eq!(qn.units[0].name, "Quartier Nord");
}

#[test]
fn missing_fields_and_layers_are_explained() {
    let mut r = Rejects::default();
    let p = fixture("qpv2024_anct.geojson");
    let e = read_units(&p, None, "iris", None, None, None, &mut r).unwrap_err();
    assert!(matches!(e, TerritoryError::Field { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("CODE_IRIS") && msg.contains("code_qp"),
        "{msg}"
    );
    let e = read_units(&p, Some("nope"), "qpv", None, None, None, &mut r).unwrap_err();
    assert!(e.to_string().contains("no layer \"nope\""), "{e}");
    let e = read_units(&p, None, "qpv", Some("ID"), None, None, &mut r).unwrap_err();
    assert!(e.to_string().contains("tried ID"), "{e}");
    let ok = read_units(
        &p,
        None,
        "zone",
        Some("insee_com"),
        Some("lib_com"),
        None,
        &mut r,
    )
    .unwrap();
    assert_eq!(
        (ok.units[0].code.as_str(), ok.units[0].name.as_str()),
        ("93010", "Bondy")
    );
}

#[test]
fn a_layer_without_crs_needs_an_assumed_one() {
    use gdal::vector::LayerAccess;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no_crs.shp");
    {
        let driver = gdal::DriverManager::get_driver_by_name("ESRI Shapefile").unwrap();
        let mut ds = driver.create_vector_only(&path).unwrap();
        let layer = ds
            .create_layer(gdal::vector::LayerOptions {
                name: "no_crs",
                ty: gdal::vector::OGRwkbGeometryType::wkbPolygon,
                ..Default::default()
            })
            .unwrap();
        let field =
            gdal::vector::FieldDefn::new("INSEE_COM", gdal::vector::OGRFieldType::OFTString)
                .unwrap();
        field.add_to_layer(&layer).unwrap();
        let geom = gdal::vector::Geometry::from_wkt(
            "POLYGON ((661000 6866000,662000 6866000,662000 6867000,661000 6867000,661000 6866000))",
        )
        .unwrap();
        let mut f = gdal::vector::Feature::new(layer.defn()).unwrap();
        f.set_geometry(geom).unwrap();
        f.set_field_string(0, "93010").unwrap();
        f.create(&layer).unwrap();
    }
    let mut r = Rejects::default();
    let e = read_units(&path, None, "commune", None, None, None, &mut r).unwrap_err();
    assert!(
        matches!(e, TerritoryError::Input(InputError::NoCrs { .. })),
        "{e}"
    );
    assert!(e.to_string().contains("no_crs.shp, layer no_crs"), "{e}");
    let l = read_units(
        &path,
        None,
        "commune",
        None,
        None,
        Some("EPSG:2154"),
        &mut r,
    )
    .unwrap();
    let c = l.units[0].geometry.centroid().unwrap();
    assert!(
        (c.x() - 2.474875).abs() < 1e-4 && (c.y() - 48.897354).abs() < 1e-4,
        "{c:?}"
    );
    assert!(r.is_empty());
}

#[test]
fn cpts_and_wide_tables_dissolved_over_communes() {
    let mut r = Rejects::default();
    let communes = admin_express(&mut r);
    let mut r = Rejects::default();
    let cpts = read_membership_csv(&fixture("cpts_named_long.csv"), &mut r).unwrap();
    assert!(r.is_empty());
    assert_eq!(cpts.kind, "cpts");
    let d = dissolve(&cpts, &communes, &mut r);
    assert_eq!(codes(&d.layer), ["CPTS Bondy", "CPTS Est"]);
    let est = &d.layer.units[1];
    assert_eq!(est.geometry.0.len(), 1);
    assert_eq!(est.population, Some(53353.0 + 45178.0));
    let bondy_area = d.layer.units[0].geometry.unsigned_area();
    assert!((est.geometry.unsigned_area() / bondy_area - 2.0).abs() < 1e-3);
    assert_eq!(
        d.missing,
        vec![
            ("CPTS Est".to_string(), "93057".to_string()),
            ("CPTS Fantôme".to_string(), "93999".to_string())
        ]
    );
    assert_eq!(r.len(), 3);
    // Bondy belongs to both CPTS.
    let idx = UnitIndex::new(&d.layer);
    assert_eq!(idx.units_of(2.4749, 48.8974), vec![0, 1]);

    let mut r = Rejects::default();
    let tvs = read_membership_csv(&fixture("territories_wide.csv"), &mut r).unwrap();
    let d = dissolve(&tvs, &communes, &mut r);
    assert_eq!(codes(&d.layer), ["TVS01", "TVS02"]);
    assert_eq!(d.layer.units[0].name, "Bondy-Livry");
    assert_eq!(d.missing, vec![("TVS02".to_string(), "93077".to_string())]);
    assert_eq!(r.items[0].line, 3);
}

#[test]
fn shared_communes_iris_and_qpv() {
    let Some(data) = shared_dir() else { return };
    let mut r = Rejects::default();
    let communes = read_units(
        &data.join("communes/communes-93-seine-saint-denis.geojson"),
        None,
        "commune",
        None,
        None,
        None,
        &mut r,
    )
    .unwrap();
    assert_eq!(communes.units.len(), 40);
    let bondy = communes.position("93010").expect("Bondy present");
    assert_eq!(communes.units[bondy].name, "Bondy");
    println!(
        "communes-93: {} repaired, {} rejected",
        communes.repaired.len(),
        r.len()
    );

    let iris = read_units(
        &data.join("iris/iris2022_dept93_wgs84.geojson"),
        None,
        "iris",
        None,
        None,
        None,
        &mut r,
    )
    .unwrap();
    assert_eq!(iris.units.len(), 614);
    println!(
        "iris 93: {} repaired {:?}",
        iris.repaired.len(),
        iris.repaired
    );

    let mut rq = Rejects::default();
    let qpv = read_units(
        &data.join("qpv/qpv_2015_def_bondy_area_3_from_beababa_wgs84.geojson"),
        None,
        "qpv",
        None,
        None,
        None,
        &mut rq,
    )
    .unwrap();
    assert_eq!(qpv.units.len(), 3);
    assert!(qpv.units.iter().all(|u| u.code.starts_with("QP093")));
    assert!(qpv.repaired.is_empty() && rq.is_empty());
    let sample = read_units(
        &data.join("qpv/qpv_idf_sample_3_from_les-emplois.geojson"),
        None,
        "qpv",
        None,
        None,
        None,
        &mut rq,
    )
    .unwrap();
    let fixed: Vec<&str> = sample.repaired.iter().map(|x| x.code.as_str()).collect();
    let rejected: Vec<&str> = rq.items.iter().map(|x| x.id.as_str()).collect();
    println!(
        "QPV sample: repaired {:?}, rejected {:?}",
        sample.repaired, rq.items
    );
    assert!(
        fixed == ["QP075019"] || rejected == ["QP075019"],
        "QP075019 must be repaired or rejected with a reason"
    );
    if let Some(i) = sample.position("QP075019") {
        // `ogrinfo -dialect SQLite -sql "select ST_Area(ST_MakeValid(geometry)) …"`:
        // 76.27794e-6 square degrees, the published ring's own area to 1e-8.
        let a = sample.units[i].geometry.unsigned_area() * 1e6;
        assert!((a - 76.27794).abs() < 1e-3, "{a}");
    }
    assert!(sample.units.iter().any(|u| u.code == "QP094025"));
    assert!(sample.units.iter().any(|u| u.code == "QP093028"));
    assert_eq!(sample.units[0].name, "Les Portes Du Vingtième");
}

#[test]
fn shared_geopackage_in_lambert93() {
    let Some(data) = shared_dir() else { return };
    let gpkg = data.join("iris/bondy_limits_l93.gpkg");
    let mut r = Rejects::default();
    let bondy = read_units(&gpkg, Some("bondy"), "commune", None, None, None, &mut r).unwrap();
    assert_eq!(codes(&bondy), ["93010"]);
    let c = bondy.units[0].geometry.centroid().unwrap();
    println!("Bondy centroid from Lambert-93: {:.5} {:.5}", c.x(), c.y());
    assert!(
        (c.x() - 2.48).abs() < 0.01 && (c.y() - 48.90).abs() < 0.01,
        "{c:?}"
    );
    // ADMIN EXPRESS fields, POPULATION as Integer64.
    let ign = read_units(
        &gpkg,
        Some("admin_express_IGN"),
        "commune",
        None,
        None,
        None,
        &mut r,
    )
    .unwrap();
    assert_eq!(codes(&ign), ["93010"]);
    assert_eq!(ign.units[0].name, "Bondy");
    assert_eq!(ign.units[0].population, Some(53353.0));
    let c2 = ign.units[0].geometry.centroid().unwrap();
    assert!(
        (c2.x() - c.x()).abs() < 0.005 && (c2.y() - c.y()).abs() < 0.005,
        "{c2:?}"
    );
    // The layer named EPT holds Bagnolet, population as Real.
    let ept = read_units(&gpkg, Some("EPT"), "commune", None, None, None, &mut r).unwrap();
    assert_eq!(codes(&ept), ["93006"]);
    assert_eq!(ept.units[0].population, Some(35674.0));
    let iris = read_units(&gpkg, Some("iris"), "iris", None, None, None, &mut r).unwrap();
    assert_eq!(iris.units.len(), 20);
    assert!(iris.units.iter().all(|u| u.code.starts_with("93010")));
    // Declares "Undefined geographic SRS" over Lambert-93 coordinates: refused, then read
    // with the CRS assumed.
    let e = read_units(
        &gpkg,
        Some("communesEPT"),
        "commune",
        None,
        None,
        None,
        &mut r,
    )
    .unwrap_err();
    assert!(
        matches!(e, TerritoryError::Input(InputError::NoCrs { .. })),
        "{e}"
    );
    let ce = read_units(
        &gpkg,
        Some("communesEPT"),
        "commune",
        None,
        None,
        Some("EPSG:2154"),
        &mut r,
    )
    .unwrap();
    assert_eq!(ce.units.len(), 9);
    assert!(r.is_empty(), "{:?}", r.items);
    let e = read_units(&gpkg, None, "commune", None, None, None, &mut r).unwrap_err();
    assert!(e.to_string().contains("name the one to read"), "{e}");
}

#[test]
fn shared_cpts_and_ept_dissolved_over_communes_93() {
    let Some(data) = shared_dir() else { return };
    let mut r = Rejects::default();
    let communes = read_units(
        &data.join("communes/communes-93-seine-saint-denis.geojson"),
        None,
        "commune",
        None,
        None,
        None,
        &mut r,
    )
    .unwrap();
    let mut r = Rejects::default();
    let cpts = read_membership_csv(&data.join("cpts/cpts_93_partial_2024.csv"), &mut r).unwrap();
    assert!(r.is_empty(), "{:?}", r.items);
    let t0 = Instant::now();
    let d = dissolve(&cpts, &communes, &mut r);
    println!(
        "CPTS 93: {} territories dissolved in {:?}, missing communes {:?}",
        d.layer.units.len(),
        t0.elapsed(),
        d.missing
    );
    assert_eq!(d.layer.units.len(), cpts.territories.len());
    assert_eq!(r.len(), d.missing.len());
    let bllr = &d.layer.units[d.layer.position("CPTS BLLR").unwrap()];
    let members: f64 = ["93006", "93045", "93061", "93063"]
        .iter()
        .map(|c| {
            communes.units[communes.position(c).unwrap()]
                .geometry
                .unsigned_area()
        })
        .sum();
    assert!((bllr.geometry.unsigned_area() / members - 1.0).abs() < 1e-6);

    let mut r = Rejects::default();
    let ept = read_ept_json(&data.join("communes/etalab_ept.json"), &mut r).unwrap();
    assert_eq!(ept.territories.len(), 11);
    assert!(r.is_empty());
    let d = dissolve(&ept, &communes, &mut r);
    // Only the EPT with communes in Seine-Saint-Denis get a polygon.
    println!(
        "EPT over communes-93: {} with a polygon ({:?}), {} member communes outside 93",
        d.layer.units.len(),
        d.layer
            .units
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        d.missing.len()
    );
    let plaine = d.layer.position("200057867").expect("Plaine Commune");
    assert_eq!(d.layer.units[plaine].name, "Plaine Commune");
}

#[test]
fn shared_points_assigned_to_communes_and_iris() {
    let Some(data) = shared_dir() else { return };
    let mut r = Rejects::default();
    let read = |path: &str, kind: &str, r: &mut Rejects| {
        read_units(&data.join(path), None, kind, None, None, None, r).unwrap()
    };
    let communes = read(
        "communes/communes-93-seine-saint-denis.geojson",
        "commune",
        &mut r,
    );
    let bondy_iris = read("iris/bondy_iris_wgs84.geojson", "iris", &mut r);
    assert_eq!(bondy_iris.units.len(), 20);
    let idx = UnitIndex::new(&communes);
    let centroids: Vec<(f64, f64)> = bondy_iris
        .units
        .iter()
        .map(|u| {
            let c = u.geometry.centroid().unwrap();
            (c.x(), c.y())
        })
        .collect();
    let bondy = communes.position("93010").unwrap();
    for (u, units) in bondy_iris.units.iter().zip(idx.assign_points(&centroids)) {
        assert_eq!(units, vec![bondy], "IRIS {}", u.code);
    }

    let iris = read("iris/iris2022_dept93_wgs84.geojson", "iris", &mut r);
    let t0 = Instant::now();
    let iris_idx = UnitIndex::new(&iris);
    let build = t0.elapsed();
    // 100,000 pseudo-random points over the IRIS extent (xorshift, fixed seed).
    let (x0, y0, x1, y1) = (2.2883, 48.8072, 2.6034, 49.0124);
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let points: Vec<(f64, f64)> = (0..100_000)
        .map(|_| (x0 + (x1 - x0) * next(), y0 + (y1 - y0) * next()))
        .collect();
    let t1 = Instant::now();
    let assigned = iris_idx.assign_points(&points);
    let elapsed = t1.elapsed();
    let outside = assigned.iter().filter(|a| a.is_empty()).count();
    let multi = assigned.iter().filter(|a| a.len() > 1).count();
    println!(
        "614 IRIS: index built in {build:?}; 100,000 points assigned in {elapsed:?} \
         ({} threads), {outside} in no IRIS, {multi} in several",
        rayon::current_num_threads()
    );
    assert!(outside > 0 && outside < 100_000);
    // Every point in an IRIS is in exactly one: the IRIS partition the département.
    assert_eq!(multi, 0);
    // Same answer point by point.
    for (p, a) in points.iter().zip(&assigned).step_by(97) {
        assert_eq!(&iris_idx.units_of(p.0, p.1), a);
    }
}
