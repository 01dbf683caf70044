//! The units table of the zonage: one row per territorial unit, `code,population,<criteria…>`
//! (or `code,<values…>` for per-unit criteria joined by code), read by the input contract
//! ([`crate::inputs::table`]: a delimited text of any of `,` `;` tab `|`, decimal comma and
//! thousands separators, or a workbook sheet chosen by name, such as the DREES APL
//! workbook). Header names are compared lower-cased. A row is rejected (file, line, code,
//! reason) for an empty code, a code already seen, a population or criterion that is not a
//! finite number, a negative population, or a wrong field count; a missing or repeated
//! column is an error.

use crate::inputs::table::{Table, TableError};
use crate::support::rejects::Rejects;
use std::collections::BTreeMap;
use std::path::Path;

/// A unit to classify (TVS, commune, bassin de vie…).
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Its code (unique; breaks ties in every ordering).
    pub code: String,
    /// Its population, inhabitants (≥ 0).
    pub population: f64,
}

/// Units read from a table, sorted by code, with the values of the asked columns.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitTable {
    /// The accepted units, by code.
    pub units: Vec<Unit>,
    /// Values per column name (lower case), indexed like `units`.
    pub values: BTreeMap<String, Vec<f64>>,
    /// Line of each unit in the file (header = 1), indexed like `units`.
    pub lines: Vec<u64>,
}

/// Where a units table keeps its codes and populations, and which sheet holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitColumns {
    /// Sheet of a workbook (`.xlsx`, `.ods`) to read; `None`: its only sheet.
    pub sheet: Option<String>,
    /// Column of unit codes (default `code`), compared ignoring case.
    pub code: String,
    /// Column of populations (default `population`), compared ignoring case.
    pub population: String,
}

impl Default for UnitColumns {
    fn default() -> Self {
        UnitColumns {
            sheet: None,
            code: "code".into(),
            population: "population".into(),
        }
    }
}

/// Reads the units table (a delimited text or a workbook sheet, by the input contract of
/// [`crate::inputs::table`]), keeping the columns `columns`; bad rows go to `rejects`.
/// Fails when the file cannot be read or a column is missing.
pub fn read_units(
    path: &Path,
    names: &UnitColumns,
    columns: &[String],
    rejects: &mut Rejects,
) -> Result<UnitTable, TableError> {
    read_table(path, names, true, columns, rejects)
}

/// Reads a table of per-unit values `code,<columns…>` (no population column: every
/// unit's population is 0), as [`read_units`] otherwise.
pub fn read_unit_values(
    path: &Path,
    names: &UnitColumns,
    columns: &[String],
    rejects: &mut Rejects,
) -> Result<UnitTable, TableError> {
    read_table(path, names, false, columns, rejects)
}

/// [`read_units`], with or without a population column.
fn read_table(
    path: &Path,
    names: &UnitColumns,
    with_population: bool,
    columns: &[String],
    rejects: &mut Rejects,
) -> Result<UnitTable, TableError> {
    let columns: Vec<String> = columns
        .iter()
        .map(|c| c.to_lowercase())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let t = Table::read_sheet(path, true, names.sheet.as_deref(), rejects)?;
    t.require_rows()?;
    let file = t.file.clone();
    let header = &t.headers;
    let position = |name: &str| -> Result<usize, TableError> {
        let name = name.trim().to_lowercase();
        let found: Vec<usize> = (0..header.len()).filter(|&i| header[i] == name).collect();
        let reason = match found.as_slice() {
            [i] => return Ok(*i),
            [] => format!("no column {name:?}; columns: {header:?}"),
            _ => format!("column {name:?} appears more than once"),
        };
        Err(TableError::Format {
            file: file.clone(),
            reason,
        })
    };
    let code_at = position(&names.code)?;
    let pop_at = if with_population {
        Some(position(&names.population)?)
    } else {
        None
    };
    let value_at: Vec<usize> = columns
        .iter()
        .map(|c| position(c))
        .collect::<Result<_, TableError>>()?;
    let mut rows: BTreeMap<String, (u64, f64, Vec<f64>)> = BTreeMap::new();
    for (line, r) in &t.rows {
        let line = *line;
        if r.len() != header.len() {
            let reason = format!(
                "unreadable row: {} fields where the header has {}",
                r.len(),
                header.len()
            );
            rejects.push(&file, line, "", reason);
            continue;
        }
        let code = r.get(code_at).unwrap_or("").to_string();
        if code.is_empty() {
            rejects.push(&file, line, "", "empty code");
            continue;
        }
        if let Some((first_line, _, _)) = rows.get(&code) {
            let reason = format!("code given twice (first on line {first_line})");
            rejects.push(&file, line, &code, reason);
            continue;
        }
        let population = match pop_at.map(|i| t.number(r, i)) {
            None => Ok(0.0),
            Some(Ok(p)) if p < 0.0 => Err(format!("negative population {p}")),
            Some(Ok(p)) => Ok(p),
            Some(Err(e)) => Err(format!("population: {e}")),
        };
        let values: Result<Vec<f64>, String> = columns
            .iter()
            .zip(&value_at)
            .map(|(c, &i)| t.number(r, i).map_err(|e| format!("{c}: {e}")))
            .collect();
        match (population, values) {
            (Ok(p), Ok(v)) => {
                rows.insert(code, (line, p, v));
            }
            (Err(e), _) | (_, Err(e)) => rejects.push(&file, line, &code, e),
        }
    }
    let mut values: BTreeMap<String, Vec<f64>> = columns
        .iter()
        .map(|c| (c.clone(), Vec::with_capacity(rows.len())))
        .collect();
    let mut units = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len());
    for (code, (line, population, v)) in rows {
        units.push(Unit { code, population });
        lines.push(line);
        for (c, x) in columns.iter().zip(v) {
            if let Some(col) = values.get_mut(c) {
                col.push(x);
            }
        }
    }
    Ok(UnitTable {
        units,
        values,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_rejects_bad_rows_and_keeps_the_first_of_a_duplicated_code() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.csv");
        std::fs::write(
            &p,
            "Code;Population;APL\nB;100;2,5\nA;50;x\nB;10;3\nC;-4;3\n;5;3\nD;20\nE;1 000;4,25\n",
        )
        .unwrap();
        let mut rejects = Rejects::default();
        let t = read_units(
            &p,
            &UnitColumns::default(),
            &["apl".to_string()],
            &mut rejects,
        )
        .unwrap();
        let codes: Vec<&str> = t.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes, vec!["B", "E"]);
        assert_eq!(t.values["apl"], vec![2.5, 4.25]);
        assert_eq!(t.units[1].population, 1000.0);
        let got: Vec<(u64, &str)> = rejects
            .items
            .iter()
            .map(|r| (r.line, r.id.as_str()))
            .collect();
        assert_eq!(got, vec![(3, "A"), (4, "B"), (5, "C"), (6, ""), (7, "")]);
        assert_eq!(
            rejects.items[1].reason,
            "code given twice (first on line 2)"
        );
        assert_eq!(rejects.items[2].reason, "negative population -4");
        assert!(read_units(
            &p,
            &UnitColumns::default(),
            &["density".to_string()],
            &mut rejects
        )
        .is_err());
        assert_eq!(t.lines, vec![2, 8]);
    }

    #[test]
    fn values_table_needs_no_population() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, "code,name,ald\nB,Bondy,0.25\nA,Aulnay,x\n").unwrap();
        let mut rejects = Rejects::default();
        let t = read_unit_values(
            &p,
            &UnitColumns::default(),
            &["ALD".to_string()],
            &mut rejects,
        )
        .unwrap();
        assert_eq!(
            t.units,
            vec![Unit {
                code: "B".into(),
                population: 0.0
            }]
        );
        assert_eq!(
            (t.values["ald"].clone(), t.lines.clone()),
            (vec![0.25], vec![2])
        );
        assert_eq!(rejects.items[0].line, 3);
        assert_eq!(rejects.items[0].reason, "ald: \"x\" is not a number");
    }
}
