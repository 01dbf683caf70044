//! Plain point files: a table with header `id,lon,lat` (WGS84 degrees), as taken by
//! `recours table` for its sources and destinations, read by the input contract
//! ([`crate::inputs::table`]).
//!
//! Extra columns are allowed and ignored; the three named columns may come in any order.
//! A row with a missing id, an unparseable or out-of-range coordinate, or an id already seen
//! is rejected with its line number and reason ([`crate::support::rejects`]); a file without the
//! three columns is an error naming what was expected and what was found.

use crate::inputs::table::{Table, TableError};
use crate::support::rejects::Rejects;
use std::path::Path;

/// A named point in WGS84.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedPoint {
    /// Identifier from the file.
    pub id: String,
    /// 1-based line of the file it was read from (header = line 1).
    pub line: u64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Latitude, degrees.
    pub lat: f64,
}

/// Reads an `id,lon,lat` table by the input contract ([`Table`]: any separator, decimal
/// comma, Latin-1, or a workbook's only sheet). Rejected rows go to `rejects`.
pub fn read_points_csv(path: &Path, rejects: &mut Rejects) -> Result<Vec<NamedPoint>, TableError> {
    let t = Table::read(path, true, rejects)?;
    t.require_rows()?;
    let (Some(ci), Some(cx), Some(cy)) = (t.col("id"), t.col("lon"), t.col("lat")) else {
        return Err(TableError::Format {
            reason: format!("expected columns id,lon,lat; found {:?}", t.headers),
            file: t.file,
        });
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let id = rec.get(ci).unwrap_or("").to_string();
        if id.is_empty() {
            rejects.push(&t.file, line, "", "missing id");
            continue;
        }
        let lon = coord(&t, rec, cx, -180.0, 180.0, "longitude");
        let lat = coord(&t, rec, cy, -90.0, 90.0, "latitude");
        match (lon, lat) {
            (Ok(lon), Ok(lat)) => {
                if !seen.insert(id.clone()) {
                    rejects.push(&t.file, line, &id, "duplicated id");
                    continue;
                }
                out.push(NamedPoint { id, line, lon, lat });
            }
            (Err(e), _) | (_, Err(e)) => rejects.push(&t.file, line, &id, e),
        }
    }
    Ok(out)
}

/// The coordinate in column `col`, degrees within `[min, max]`, read by [`Table::number`].
fn coord(
    t: &Table,
    rec: &csv::StringRecord,
    col: usize,
    min: f64,
    max: f64,
    what: &str,
) -> Result<f64, String> {
    if rec.get(col).unwrap_or("").is_empty() {
        return Err(format!("missing {what}"));
    }
    let x = t.number(rec, col).map_err(|e| format!("{what}: {e}"))?;
    if x < min || x > max {
        return Err(format!(
            "{what} out of range [{min}, {max}]: {}",
            rec.get(col).unwrap_or("")
        ));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Result<Vec<NamedPoint>, TableError>, Rejects) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pts.csv");
        std::fs::write(&p, text).unwrap();
        let mut r = Rejects::default();
        (read_points_csv(&p, &mut r), r)
    }

    #[test]
    fn reads_points_in_any_column_order() {
        let (pts, r) = read("lat,name,id,lon\n48.9,x,a,2.48\n");
        assert_eq!(
            pts.unwrap(),
            vec![NamedPoint {
                id: "a".into(),
                line: 2,
                lon: 2.48,
                lat: 48.9
            }]
        );
        assert!(r.is_empty());
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_reason() {
        let (pts, r) = read("id,lon,lat\na,2.4,48.9\nb,abc,48.9\nc,2.4,95\n,2.4,48.9\na,2.5,48.8\nd,\"2,45\",48.9\n");
        let pts = pts.unwrap();
        assert_eq!(pts.len(), 2);
        assert_eq!(pts[1].lon, 2.45);
        let reasons: Vec<(u64, &str)> = r
            .items
            .iter()
            .map(|x| (x.line, x.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (3, "longitude: \"abc\" is not a number"),
                (4, "latitude out of range [-90, 90]: 95"),
                (5, "missing id"),
                (6, "duplicated id"),
            ]
        );
    }

    #[test]
    fn any_separator_and_latin1_are_read() {
        let (pts, r) = read("id;lon;lat\nCr\u{e9}teil;2,4;48,9\n");
        assert_eq!(pts.unwrap()[0].lon, 2.4);
        assert!(r.is_empty());
    }

    #[test]
    fn missing_columns_name_what_was_found() {
        let (pts, _) = read("name,x,y\na,1,2\n");
        let e = pts.unwrap_err().to_string();
        assert!(
            e.contains("expected columns id,lon,lat; found [\"name\", \"x\", \"y\"]"),
            "{e}"
        );
    }
}
