//! Per-origin indicators as named columns, the common shape of every export (CSV, GeoJSON,
//! GeoPackage) and of the per-territory aggregation.
//!
//! Column names: `{category}_minutes`, `{category}_km`, `{category}_site` (nearest site of
//! the category), `{category}_3rd_minutes` and the like (k-th nearest, [`kth_column`]), `{category}_sites_{T}min` and
//! `{category}_capacity_{T}min` (coverage), and each floating-catchment request's own name.
//! Times in minutes, network lengths in kilometres; empty where the origin reached nothing
//! or was not snapped: never a made-up zero. Floating-catchment values are 0 for a snapped
//! origin outside every catchment (it has no accessible supply: APL's convention) and empty
//! for an origin not snapped.

use crate::access::AccessResults;
use crate::inputs::supply::Site;

/// How a number column is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Fixed number of decimals.
    Fixed(usize),
    /// Shortest text that reads back as the same `f64`.
    Shortest,
}

impl Format {
    /// `x` written in this format.
    pub fn write(self, x: f64) -> String {
        let mut out = Vec::new();
        self.write_to(x, &mut out);
        // The formatters write ASCII only.
        String::from_utf8(out).unwrap_or_default()
    }

    /// `x` written in this format, appended to `out`: [`super::numbers::fixed`] without a
    /// minus sign on zero ("-0.000" and "0.000" are the same value: written one way), or
    /// [`super::numbers::shortest`].
    pub fn write_to(self, x: f64, out: &mut Vec<u8>) {
        match self {
            Format::Fixed(d) => super::numbers::fixed(x, d, true, out),
            Format::Shortest => super::numbers::shortest(x, out),
        }
    }
}

/// The values of one column, one per origin.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Numbers, `None` when absent.
    Number(Vec<Option<f64>>, Format),
    /// Text, `None` when absent.
    Text(Vec<Option<String>>),
}

/// One named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// The values.
    pub values: Values,
}

impl Column {
    /// The value of row `i` as text, empty when absent.
    pub fn text(&self, i: usize) -> String {
        match &self.values {
            Values::Number(v, f) => v[i].map(|x| f.write(x)).unwrap_or_default(),
            Values::Text(v) => v[i].clone().unwrap_or_default(),
        }
    }

    /// The value of row `i` as text appended to `out`, nothing when absent.
    pub fn write_cell(&self, i: usize, out: &mut Vec<u8>) {
        match &self.values {
            Values::Number(v, f) => {
                if let Some(x) = v[i] {
                    f.write_to(x, out);
                }
            }
            Values::Text(v) => {
                if let Some(s) = &v[i] {
                    out.extend_from_slice(s.as_bytes());
                }
            }
        }
    }

    /// The numbers of the column, if it holds numbers.
    pub fn numbers(&self) -> Option<&[Option<f64>]> {
        match &self.values {
            Values::Number(v, _) => Some(v),
            Values::Text(_) => None,
        }
    }
}

/// Name of the column of the time to the `k`-th nearest site of `category`:
/// `gp_2nd_minutes`, `gp_3rd_minutes`, `gp_4th_minutes`…
pub fn kth_column(category: &str, k: usize) -> String {
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{category}_{k}{suffix}_minutes")
}

/// Minutes of a time in ms.
fn minutes(ms: u32) -> f64 {
    f64::from(ms) / 60_000.0
}

/// The per-origin columns of `r` (snapping, nearest, coverage, floating catchments), sites
/// named by their ids in `sites`.
pub fn origin_columns(r: &AccessResults, sites: &[Site]) -> Vec<Column> {
    let n = r.origin_snaps.len();
    let mut cols = vec![
        Column {
            name: "demand".into(),
            values: Values::Number(
                r.demand.iter().map(|d| Some(*d)).collect(),
                Format::Shortest,
            ),
        },
        Column {
            name: "snap_m".into(),
            values: Values::Number(
                r.origin_snaps
                    .iter()
                    .map(|s| s.as_ref().ok().map(|s| s.distance_m))
                    .collect(),
                Format::Fixed(1),
            ),
        },
    ];
    for layer in &r.nearest {
        let first = |i: usize| layer.nearest[i].first();
        let cat = &layer.category;
        cols.push(Column {
            name: format!("{cat}_minutes"),
            values: Values::Number(
                (0..n)
                    .map(|i| first(i).map(|x| minutes(x.time_ms)))
                    .collect(),
                Format::Fixed(3),
            ),
        });
        cols.push(Column {
            name: format!("{cat}_km"),
            values: Values::Number(
                (0..n)
                    .map(|i| first(i).map(|x| f64::from(x.len_dm) / 10_000.0))
                    .collect(),
                Format::Fixed(3),
            ),
        });
        cols.push(Column {
            name: format!("{cat}_site"),
            values: Values::Text(
                (0..n)
                    .map(|i| first(i).map(|x| sites[layer.sites[x.site as usize]].id.clone()))
                    .collect(),
            ),
        });
        if let Some(k) = r.kth {
            cols.push(Column {
                name: kth_column(cat, k),
                values: Values::Number(
                    (0..n)
                        .map(|i| layer.nearest[i].get(k - 1).map(|x| minutes(x.time_ms)))
                        .collect(),
                    Format::Fixed(3),
                ),
            });
        }
    }
    for layer in &r.coverage {
        let c = &layer.coverage;
        for (k, t) in c.thresholds.iter().enumerate() {
            let snapped = |i: usize| r.origin_snaps[i].is_ok();
            cols.push(Column {
                name: format!("{}_sites_{}min", layer.category, Format::Shortest.write(*t)),
                values: Values::Number(
                    (0..n)
                        .map(|i| snapped(i).then(|| f64::from(c.sites_within(i, k))))
                        .collect(),
                    Format::Fixed(0),
                ),
            });
            cols.push(Column {
                name: format!(
                    "{}_capacity_{}min",
                    layer.category,
                    Format::Shortest.write(*t)
                ),
                values: Values::Number(
                    (0..n)
                        .map(|i| snapped(i).then(|| c.capacity_within(i, k)))
                        .collect(),
                    Format::Shortest,
                ),
            });
        }
    }
    for layer in &r.fca {
        let res = &layer.result;
        cols.push(Column {
            name: layer.request.name.clone(),
            values: Values::Number(
                (0..n)
                    .map(|i| r.origin_snaps[i].is_ok().then_some(res.access[i]))
                    .collect(),
                Format::Shortest,
            ),
        });
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_format_has_one_zero() {
        assert_eq!(Format::Fixed(3).write(-0.0001), "0.000");
        assert_eq!(Format::Fixed(3).write(1.23456), "1.235");
        assert_eq!(Format::Fixed(0).write(-0.2), "0");
        assert_eq!(Format::Shortest.write(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(kth_column("gp", 3), "gp_3rd_minutes");
        assert_eq!(kth_column("gp", 2), "gp_2nd_minutes");
        assert_eq!(kth_column("gp", 12), "gp_12th_minutes");
        assert_eq!(kth_column("gp", 21), "gp_21st_minutes");
    }
}
