//! Travel-time tables as distanciers write them: which columns hold the origin, the
//! destination and the time, and in which unit the time is.
//!
//! Columns are found by name, ignoring case (first match in each list):
//! - origin: `origin`, `source_id` (`recours table`), `origin_id`, `source`, `src`,
//!   `idsrc` (INSEE Metric), `from`, `from_id`;
//! - destination: `destination`, `destination_id` (`recours table`), `target`, `target_id`,
//!   `dst`, `iddst` (INSEE Metric), `to`, `to_id`;
//! - time, its unit told by the name: `minutes`, `min`, `time_min`, `duration_min` →
//!   minutes; `seconds`, `sec`, `time_s`, `duration_s` → seconds; `hours`, `time_h` → hours.
//!   A column named only `duration`, `time`, `duree` or `temps` (OSRM and Valhalla write
//!   seconds, INSEE Metric minutes) needs the unit said ([`TimeUnit`], `--time-unit`).
//!
//! Other columns (`km`, `distance`…) are ignored. Times are read as numbers by the input
//! contract ([`crate::inputs::text`]) and returned in minutes.

use crate::inputs::table::Table;
use serde::{Deserialize, Serialize};

/// Names of the origin column, in order of preference.
const ORIGIN: [&str; 8] = [
    "origin",
    "source_id",
    "origin_id",
    "source",
    "src",
    "idsrc",
    "from",
    "from_id",
];
/// Names of the destination column, in order of preference.
const DESTINATION: [&str; 8] = [
    "destination",
    "destination_id",
    "target",
    "target_id",
    "dst",
    "iddst",
    "to",
    "to_id",
];
/// Time columns whose name tells the unit.
const NAMED_TIMES: [(&str, TimeUnit); 11] = [
    ("minutes", TimeUnit::Minutes),
    ("min", TimeUnit::Minutes),
    ("time_min", TimeUnit::Minutes),
    ("duration_min", TimeUnit::Minutes),
    ("seconds", TimeUnit::Seconds),
    ("sec", TimeUnit::Seconds),
    ("time_s", TimeUnit::Seconds),
    ("duration_s", TimeUnit::Seconds),
    ("hours", TimeUnit::Hours),
    ("time_h", TimeUnit::Hours),
    ("duration_h", TimeUnit::Hours),
];
/// Time columns whose unit must be said.
const BARE_TIMES: [&str; 5] = ["duration", "time", "duree", "durée", "temps"];

/// Unit of a time column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Seconds (OSRM `table`, Valhalla `sources_to_targets`).
    Seconds,
    /// Minutes (`recours table`, INSEE Metric).
    Minutes,
    /// Hours.
    Hours,
}

impl TimeUnit {
    /// Minutes in one of this unit.
    pub fn minutes(self) -> f64 {
        match self {
            TimeUnit::Seconds => 1.0 / 60.0,
            TimeUnit::Minutes => 1.0,
            TimeUnit::Hours => 60.0,
        }
    }
}

/// Where a table's origin, destination and time are, and the time's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeColumns {
    /// Origin column index.
    pub origin: usize,
    /// Destination column index.
    pub destination: usize,
    /// Time column index.
    pub time: usize,
    /// Unit of the time column.
    pub unit: TimeUnit,
}

impl TimeColumns {
    /// Finds the columns of `t` by the module's names; `unit` overrides the unit a name
    /// tells and is required for a bare name. `Err` says what was expected and found.
    pub fn find(t: &Table, unit: Option<TimeUnit>) -> Result<TimeColumns, String> {
        let first = |names: &[&str]| names.iter().find_map(|n| t.col(n));
        let expected = || {
            format!(
                "{}: expected an origin column ({}), a destination column ({}) and a time \
                 column ({}, or {} with --time-unit); found {:?}",
                t.file,
                ORIGIN.join("|"),
                DESTINATION.join("|"),
                NAMED_TIMES.map(|(n, _)| n).join("|"),
                BARE_TIMES.join("|"),
                t.headers
            )
        };
        let (Some(origin), Some(destination)) = (first(&ORIGIN), first(&DESTINATION)) else {
            return Err(expected());
        };
        let named = NAMED_TIMES
            .iter()
            .find_map(|(n, u)| t.col(n).map(|c| (c, *u)));
        let (time, unit) = match (named, unit) {
            (Some((c, u)), given) => (c, given.unwrap_or(u)),
            (None, given) => {
                let Some(c) = first(&BARE_TIMES) else {
                    return Err(expected());
                };
                let Some(u) = given else {
                    return Err(format!(
                        "{}: the unit of column {:?} is not told by its name: say it with \
                         --time-unit seconds|minutes|hours (OSRM and Valhalla write seconds, \
                         INSEE Metric minutes)",
                        t.file, t.headers[c]
                    ));
                };
                (c, u)
            }
        };
        Ok(TimeColumns {
            origin,
            destination,
            time,
            unit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::rejects::Rejects;

    fn table(header: &str) -> Table {
        let text = format!("{header}\n");
        Table::parse(
            "t.csv".into(),
            text.into_bytes(),
            true,
            &mut Rejects::default(),
        )
        .unwrap()
    }

    #[test]
    fn layouts_of_the_distanciers() {
        let c = TimeColumns::find(&table("source_id,destination_id,minutes,km"), None).unwrap();
        assert_eq!(
            (c.origin, c.destination, c.time, c.unit),
            (0, 1, 2, TimeUnit::Minutes)
        );
        let c = TimeColumns::find(&table("from;to;duration_s"), None).unwrap();
        assert_eq!((c.time, c.unit), (2, TimeUnit::Seconds));
        let c = TimeColumns::find(
            &table("idSrc,idDst,duree,distance"),
            Some(TimeUnit::Minutes),
        );
        assert_eq!(c.unwrap().time, 2);
        let e = TimeColumns::find(&table("source,target,duration"), None).unwrap_err();
        assert!(e.contains("--time-unit"), "{e}");
        let e = TimeColumns::find(&table("a,b,c"), None).unwrap_err();
        assert!(
            e.contains("expected an origin column") && e.contains("[\"a\""),
            "{e}"
        );
        let c = TimeColumns::find(&table("origin,destination,minutes"), Some(TimeUnit::Hours));
        assert_eq!(c.unwrap().unit, TimeUnit::Hours);
        assert_eq!(TimeUnit::Seconds.minutes() * 90.0, 1.5);
    }
}
