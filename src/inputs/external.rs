//! An outside indicator table (`[[indicators.external]]`): one row per unit of a territorial
//! level, `code,value` (column names settable), and for a rate its numerator and denominator
//! columns ([`crate::aggregate::external`]). Separators and decimal commas as in every
//! keyed table ([`crate::inputs::table`]: numbers read by the column's marks,
//! [`crate::inputs::table::Table::number`]).
//!
//! Each row is joined to the unit of the level with its code. A row whose code is no unit of
//! the level, a second row for a unit, or a row whose value is not a number goes to
//! [`Rejects`] with its file, line and reason; an empty cell is a missing value, not a zero.
//! Communes coded as numbers lose their leading zero in spreadsheets (`1001` for `01001`):
//! a 4-digit code is read with its zero restored.
//!
//! A national table (the official APL: 35,000 communes) joined to a study of one
//! département holds mostly codes of other départements. With [`OutsideStudy::Ignore`] a
//! code is **outside the study** when its département — the first two characters of an
//! INSEE commune or IRIS code, three for overseas `97x`/`98x` — is none of the level's
//! units' départements: such rows are counted ([`JoinCounts::outside_study`]), not
//! rejected. A code of one of the study's départements that is no unit stays a reject, and
//! so does every unknown code of a level whose codes are not INSEE codes (`commune` and
//! `iris` only carry a département).

use crate::aggregate::external::{External, Rollup};
use crate::inputs::table::{Table, TableError};
use crate::inputs::territory::UnitLayer;
use crate::support::rejects::Rejects;
use std::collections::HashMap;
use std::path::Path;

/// The columns of an outside indicator table.
#[derive(Clone, Debug, PartialEq)]
pub struct ExternalColumns {
    /// Unit code column.
    pub code: String,
    /// Value column.
    pub value: String,
    /// Numerator column of a rate.
    pub numerator: Option<String>,
    /// Denominator column of a rate.
    pub denominator: Option<String>,
}

/// Why an outside indicator table cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    /// The table cannot be read.
    #[error(transparent)]
    Table(#[from] TableError),
    /// A named column is absent.
    #[error("{file}: no column {column:?} (columns: {found})")]
    Column {
        /// File.
        file: String,
        /// The column asked for.
        column: String,
        /// The header.
        found: String,
    },
}

/// What becomes of a row whose code lies outside the study's territory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutsideStudy {
    /// Counted in [`JoinCounts::outside_study`], not written to the rejects.
    #[default]
    Ignore,
    /// Written to the rejects like any other unknown code.
    Reject,
}

/// The département of an INSEE commune (5 characters) or IRIS (9) code (`93` of `93010`,
/// `974` of `97411`, `2A` of `2A004`), on the levels whose codes are INSEE codes; `None`
/// otherwise or for a code not shaped as one.
fn departement<'a>(code: &'a str, kind: &str) -> Option<&'a str> {
    let length = match kind {
        "commune" => 5,
        "iris" => 9,
        _ => return None,
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let corsica = code.starts_with("2A") || code.starts_with("2B");
    let shaped = code.len() == length
        && code.is_ascii()
        && digits(&code[2..])
        && (corsica || digits(&code[..2]));
    if !shaped {
        return None;
    }
    let n = if code.starts_with("97") || code.starts_with("98") {
        3
    } else {
        2
    };
    Some(&code[..n])
}

/// What joining a table did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JoinCounts {
    /// Data rows read.
    pub rows: usize,
    /// Rows joined to a unit.
    pub joined: usize,
    /// Units of the level given a value.
    pub units_with_value: usize,
    /// Rows of codes outside the study's départements, ignored ([`OutsideStudy::Ignore`]).
    pub outside_study: usize,
}

/// Reads the table at `path` and joins it to `layer`; rejected rows go to `rejects`.
pub fn read_external(
    path: &Path,
    columns: &ExternalColumns,
    layer: &UnitLayer,
    per: f64,
    rollup: Rollup,
    outside: OutsideStudy,
    rejects: &mut Rejects,
) -> Result<(External, JoinCounts), ExternalError> {
    let table = Table::read(path, true, rejects)?;
    join_external(&table, columns, layer, per, rollup, outside, rejects)
}

/// Joins a table already read (see [`read_external`]).
pub fn join_external(
    table: &Table,
    columns: &ExternalColumns,
    layer: &UnitLayer,
    per: f64,
    rollup: Rollup,
    outside: OutsideStudy,
    rejects: &mut Rejects,
) -> Result<(External, JoinCounts), ExternalError> {
    let col = |name: &str| {
        table.col(name).ok_or_else(|| ExternalError::Column {
            file: table.file.clone(),
            column: name.to_string(),
            found: table.headers.join(","),
        })
    };
    let code_col = col(&columns.code)?;
    let value_col = col(&columns.value)?;
    let parts_cols = match (&columns.numerator, &columns.denominator) {
        (Some(n), Some(d)) => Some((col(n)?, col(d)?)),
        _ => None,
    };
    let index: HashMap<&str, usize> = layer
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();
    let study_departements: std::collections::HashSet<&str> = layer
        .units
        .iter()
        .filter_map(|u| departement(&u.code, &layer.kind))
        .collect();
    let n = layer.units.len();
    let mut values = vec![None; n];
    let mut parts = parts_cols.map(|_| (vec![None; n], vec![None; n]));
    let mut taken = vec![false; n];
    let mut counts = JoinCounts::default();
    for (line, rec) in &table.rows {
        counts.rows += 1;
        let raw = rec.get(code_col).unwrap_or("");
        let code = restored_code(raw, &layer.kind);
        let Some(&u) = index.get(code.as_str()) else {
            let elsewhere =
                departement(&code, &layer.kind).is_some_and(|d| !study_departements.contains(d));
            if outside == OutsideStudy::Ignore && elsewhere {
                counts.outside_study += 1;
                continue;
            }
            rejects.push(
                &table.file,
                *line,
                raw,
                format!("code {raw:?} is no unit of the {} level", layer.kind),
            );
            continue;
        };
        if taken[u] {
            rejects.push(
                &table.file,
                *line,
                raw,
                format!("a second row for {} {code}", layer.kind),
            );
            continue;
        }
        let number = |c: usize, what: &str| -> Result<Option<f64>, String> {
            match rec.get(c).unwrap_or("").trim() {
                "" => Ok(None),
                _ => table
                    .number(rec, c)
                    .map(Some)
                    .map_err(|e| format!("{what}: {e}")),
            }
        };
        let read = number(value_col, &columns.value).and_then(|v| match parts_cols {
            Some((a, b)) => Ok((
                v,
                Some((number(a, "numerator")?, number(b, "denominator")?)),
            )),
            None => Ok((v, None)),
        });
        match read {
            Ok((v, p)) => {
                taken[u] = true;
                counts.joined += 1;
                counts.units_with_value += usize::from(v.is_some());
                values[u] = v;
                if let (Some((num, den)), Some((a, b))) = (&mut parts, p) {
                    num[u] = a;
                    den[u] = b;
                }
            }
            Err(reason) => rejects.push(&table.file, *line, raw, reason),
        }
    }
    Ok((
        External {
            values,
            parts,
            per,
            rollup,
        },
        counts,
    ))
}

/// A commune code whose leading zero a spreadsheet dropped (`1001`) restored (`01001`).
fn restored_code(raw: &str, kind: &str) -> String {
    let t = raw.trim();
    if kind == "commune" && t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{t}")
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::territory::Unit;

    fn layer(codes: &[&str]) -> UnitLayer {
        UnitLayer {
            kind: "commune".into(),
            units: codes
                .iter()
                .map(|c| Unit {
                    kind: "commune".into(),
                    code: c.to_string(),
                    name: c.to_string(),
                    geometry: geo::MultiPolygon::new(vec![]),
                    population: None,
                })
                .collect(),
            repaired: Vec::new(),
        }
    }

    #[test]
    fn rows_join_by_code_and_the_rest_are_rejects_with_their_lines() {
        let text = "insee;taux;num;den\n93001;20,4;2015;9888\n1001;;;\n99999;3;1;2\n93001;1;1;1\n93002;x;1;1\n";
        let mut rejects = Rejects::default();
        let table = Table::parse("p.csv".into(), text.into(), true, &mut rejects).unwrap();
        let columns = ExternalColumns {
            code: "insee".into(),
            value: "taux".into(),
            numerator: Some("num".into()),
            denominator: Some("den".into()),
        };
        let (e, counts) = join_external(
            &table,
            &columns,
            &layer(&["93001", "01001", "93002"]),
            100.0,
            Rollup::Rate,
            OutsideStudy::Reject,
            &mut rejects,
        )
        .unwrap();
        assert_eq!(e.values, vec![Some(20.4), None, None]);
        let (num, den) = e.parts.unwrap();
        assert_eq!((num[0], den[0]), (Some(2015.0), Some(9888.0)));
        assert_eq!(
            counts,
            JoinCounts {
                rows: 5,
                joined: 2,
                units_with_value: 1,
                outside_study: 0,
            }
        );
        let reasons: Vec<(u64, String)> = rejects
            .items
            .iter()
            .map(|r| (r.line, r.reason.clone()))
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(reasons[0].0, 4);
        assert!(reasons[0].1.contains("no unit of the commune level"));
        assert!(reasons[1].1.contains("second row"));
        assert!(reasons[2].1.contains("taux"));
        let missing = ExternalColumns {
            value: "rate".into(),
            ..columns
        };
        let e = join_external(
            &table,
            &missing,
            &layer(&[]),
            1.0,
            Rollup::Mean,
            OutsideStudy::Reject,
            &mut rejects,
        )
        .unwrap_err();
        assert!(e.to_string().contains("no column \"rate\""), "{e}");
    }

    #[test]
    fn codes_of_other_departements_are_counted_not_rejected() {
        let text = "code,v\n93001,1\n75056,2\n9301,3\n93999,4\n97411,5\n2A004,6\nCPTS-1,7\n";
        let mut rejects = Rejects::default();
        let table = Table::parse("n.csv".into(), text.into(), true, &mut rejects).unwrap();
        let columns = ExternalColumns {
            code: "code".into(),
            value: "v".into(),
            numerator: None,
            denominator: None,
        };
        let layer = layer(&["93001", "93002"]);
        let (e, counts) = join_external(
            &table,
            &columns,
            &layer,
            1.0,
            Rollup::Mean,
            OutsideStudy::Ignore,
            &mut rejects,
        )
        .unwrap();
        assert_eq!(e.values, vec![Some(1.0), None]);
        // 75056, 97411 (département 974) and 2A004 (2A) lie outside; 9301 restored to
        // 09301 is département 09. 93999 is of the study's département but no unit, and
        // CPTS-1 carries no département: both stay rejects.
        assert_eq!(
            (counts.rows, counts.joined, counts.outside_study),
            (7, 1, 4)
        );
        let ids: Vec<&str> = rejects.items.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["93999", "CPTS-1"]);
        let mut all = Rejects::default();
        let (_, counts) = join_external(
            &table,
            &columns,
            &layer,
            1.0,
            Rollup::Mean,
            OutsideStudy::Reject,
            &mut all,
        )
        .unwrap();
        assert_eq!((counts.outside_study, all.len()), (0, 6));
        assert_eq!(departement("97411", "commune"), Some("974"));
        assert_eq!(departement("930100101", "iris"), Some("93"));
        assert_eq!(departement("93010", "cpts"), None);
        assert_eq!(departement("CPTS-1", "commune"), None);
    }
}
