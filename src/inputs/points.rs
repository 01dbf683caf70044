//! Plain point files: a CSV with header `id,lon,lat` (WGS84 degrees), as taken by
//! `recours table` for its sources and destinations.
//!
//! Extra columns are allowed and ignored; the three named columns may come in any order.
//! A row with a missing id, an unparseable or out-of-range coordinate, or an id already seen
//! is rejected with its line number and reason ([`crate::support::rejects`]); a file without the
//! three columns is an error naming what was expected and what was found.

use crate::support::rejects::Rejects;
use anyhow::{bail, Context};
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

/// Reads an `id,lon,lat` CSV. Rejected rows go to `rejects`.
pub fn read_points_csv(path: &Path, rejects: &mut Rejects) -> anyhow::Result<Vec<NamedPoint>> {
    let file = path.display().to_string();
    let data = std::fs::read(path).with_context(|| format!("reading {file}"))?;
    let text = String::from_utf8(data).map_err(|e| {
        anyhow::anyhow!(
            "{file}: not UTF-8 (byte {}): re-save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .with_context(|| format!("{file}: reading the header"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(ci), Some(cx), Some(cy)) = (col("id"), col("lon"), col("lat")) else {
        let found: Vec<&str> = headers.iter().collect();
        if found.len() == 1 && found[0].contains([';', '\t', '|']) {
            bail!("{file}: expected comma-separated columns id,lon,lat; the header looks separated by another character: {:?}", found[0]);
        }
        bail!("{file}: expected columns id,lon,lat; found {found:?}");
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                rejects.push(&file, line, "", format!("unreadable row: {e}"));
                continue;
            }
        };
        let id = rec.get(ci).unwrap_or("").to_string();
        if id.is_empty() {
            rejects.push(&file, line, "", "missing id");
            continue;
        }
        let lon = parse_coord(rec.get(cx), -180.0, 180.0, "longitude");
        let lat = parse_coord(rec.get(cy), -90.0, 90.0, "latitude");
        match (lon, lat) {
            (Ok(lon), Ok(lat)) => {
                if !seen.insert(id.clone()) {
                    rejects.push(&file, line, &id, "duplicated id");
                    continue;
                }
                out.push(NamedPoint { id, line, lon, lat });
            }
            (Err(e), _) | (_, Err(e)) => rejects.push(&file, line, &id, e),
        }
    }
    Ok(out)
}

/// Parses a coordinate in degrees within `[min, max]`; a decimal comma is accepted.
fn parse_coord(v: Option<&str>, min: f64, max: f64, what: &str) -> Result<f64, String> {
    let v = v.unwrap_or("");
    if v.is_empty() {
        return Err(format!("missing {what}"));
    }
    let x: f64 = v
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("{what} is not a number: {v:?}"))?;
    if !x.is_finite() || x < min || x > max {
        return Err(format!("{what} out of range [{min}, {max}]: {v}"));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (anyhow::Result<Vec<NamedPoint>>, Rejects) {
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
                (3, "longitude is not a number: \"abc\""),
                (4, "latitude out of range [-90, 90]: 95"),
                (5, "missing id"),
                (6, "duplicated id"),
            ]
        );
    }

    #[test]
    fn wrong_separator_is_a_clear_file_error() {
        let (pts, _) = read("id;lon;lat\na;2.4;48.9\n");
        let e = pts.unwrap_err().to_string();
        assert!(e.contains("separated by another character"), "{e}");
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
