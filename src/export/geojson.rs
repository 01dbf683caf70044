//! GeoJSON layers (RFC 7946: WGS84 longitude/latitude, exterior rings counter-clockwise):
//! origins as points with their indicator columns, territorial units as polygons with their
//! summaries. Written feature by feature (a 2 M-origin layer is never held as one JSON
//! value), coordinates with 6 decimals (≈ 0.1 m), properties in column order, numbers in
//! the columns' fixed formats: the same inputs give the same bytes.

use super::columns::{Column, Values};
use crate::inputs::demand::Origin;
use crate::inputs::territory::UnitLayer;
use geo::MultiPolygon;
use std::io::Write;
use std::path::Path;

/// Writes `{"type":"FeatureCollection","features":[…]}` with one feature per item.
fn collection(
    path: &Path,
    count: usize,
    mut feature: impl FnMut(&mut dyn Write, usize) -> std::io::Result<()>,
) -> Result<(), crate::support::atomic::WriteError> {
    crate::support::atomic::write_with(path, |w| {
        w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        for i in 0..count {
            if i > 0 {
                w.write_all(b",\n")?;
            }
            feature(w, i)?;
        }
        w.write_all(b"\n]}\n")?;
        Ok(())
    })
}

/// Writes the properties object of row `i`: fixed leading pairs (text or numbers, as
/// JSON values), then the columns.
fn properties(
    w: &mut dyn Write,
    lead: &[(&str, serde_json::Value)],
    columns: &[Column],
    i: usize,
) -> std::io::Result<()> {
    w.write_all(b"{")?;
    let mut first = true;
    let mut key = |w: &mut dyn Write, k: &str| -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        write!(w, "{}:", serde_json::Value::from(k))
    };
    for (k, v) in lead {
        key(w, k)?;
        write!(w, "{v}")?;
    }
    for c in columns {
        key(w, &c.name)?;
        let text = c.text(i);
        match &c.values {
            Values::Number(..) if !text.is_empty() => w.write_all(text.as_bytes())?,
            Values::Text(_) if !text.is_empty() => write!(w, "{}", serde_json::Value::from(text))?,
            _ => w.write_all(b"null")?,
        }
    }
    w.write_all(b"}")
}

/// Writes origins as a point layer with their indicator columns.
pub fn write_origins_geojson(
    path: &Path,
    origins: &[Origin],
    columns: &[Column],
) -> Result<(), crate::support::atomic::WriteError> {
    collection(path, origins.len(), |w, i| {
        let o = &origins[i];
        write!(
            w,
            "{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{:.6},{:.6}]}},\"properties\":",
            o.lon, o.lat
        )?;
        properties(
            w,
            &[
                ("id", o.id.as_str().into()),
                ("population", o.population.into()),
            ],
            columns,
            i,
        )?;
        w.write_all(b"}")
    })
}

/// Writes a unit layer as polygons with one value per unit per column.
pub fn write_units_geojson(
    path: &Path,
    layer: &UnitLayer,
    columns: &[Column],
) -> Result<(), crate::support::atomic::WriteError> {
    collection(path, layer.units.len(), |w, i| {
        let u = &layer.units[i];
        w.write_all(b"{\"type\":\"Feature\",\"geometry\":")?;
        multipolygon(w, &u.geometry)?;
        w.write_all(b",\"properties\":")?;
        properties(
            w,
            &[
                ("kind", u.kind.as_str().into()),
                ("code", u.code.as_str().into()),
                ("name", u.name.as_str().into()),
            ],
            columns,
            i,
        )?;
        w.write_all(b"}")
    })
}

/// Writes a MultiPolygon geometry object.
fn multipolygon(w: &mut dyn Write, mp: &MultiPolygon<f64>) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"MultiPolygon\",\"coordinates\":[")?;
    for (p, poly) in mp.0.iter().enumerate() {
        if p > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"[")?;
        for (r, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            if r > 0 {
                w.write_all(b",")?;
            }
            w.write_all(b"[")?;
            for (k, c) in ring.0.iter().enumerate() {
                if k > 0 {
                    w.write_all(b",")?;
                }
                write!(w, "[{:.6},{:.6}]", c.x, c.y)?;
            }
            w.write_all(b"]")?;
        }
        w.write_all(b"]")?;
    }
    w.write_all(b"]}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::columns::Format;
    use crate::inputs::territory::Unit;
    use geo::polygon;

    #[test]
    fn points_and_polygons_are_valid_geojson_with_nulls_for_absent_values() {
        let dir = tempfile::tempdir().unwrap();
        let origins = vec![Origin {
            id: "o\"1".into(),
            lon: 2.4512345678,
            lat: 48.9,
            population: 12.5,
            ages: None,
            income: None,
            source: "t".into(),
        }];
        let cols = vec![
            Column {
                name: "gp_minutes".into(),
                values: Values::Number(vec![Some(4.25)], Format::Fixed(3)),
            },
            Column {
                name: "gp_site".into(),
                values: Values::Text(vec![None]),
            },
        ];
        let p = dir.path().join("o.geojson");
        write_origins_geojson(&p, &origins, &cols).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let f = &v["features"][0];
        assert_eq!(f["geometry"]["coordinates"][0], 2.451235);
        assert_eq!(f["properties"]["id"], "o\"1");
        assert_eq!(f["properties"]["population"], 12.5, "a number, not a text");
        assert_eq!(f["properties"]["gp_minutes"], 4.25);
        assert!(f["properties"]["gp_site"].is_null());
        assert!(text.contains("\"gp_minutes\":4.250,"), "{text}");

        let layer = UnitLayer {
            kind: "commune".into(),
            units: vec![Unit {
                kind: "commune".into(),
                code: "93010".into(),
                name: "Bondy".into(),
                geometry: MultiPolygon(vec![
                    polygon![(x: 2.0, y: 48.0), (x: 2.1, y: 48.0), (x: 2.1, y: 48.1), (x: 2.0, y: 48.0)],
                ]),
                population: None,
            }],
            repaired: vec![],
        };
        let p = dir.path().join("u.geojson");
        write_units_geojson(
            &p,
            &layer,
            &[Column {
                name: "gp_minutes_mean".into(),
                values: Values::Number(vec![None], Format::Fixed(3)),
            }],
        )
        .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let f = &v["features"][0];
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        assert_eq!(f["geometry"]["coordinates"][0][0][1][0], 2.1);
        assert_eq!(f["properties"]["code"], "93010");
        assert!(f["properties"]["gp_minutes_mean"].is_null());
    }
}
