//! Spreadsheets as published (`.xlsx`, `.xlsm`, `.xls`, `.ods`), read with `calamine` into
//! the same rows as a delimited text ([`crate::inputs::table`]).
//!
//! The sheet is chosen by name; without a name, a workbook of one sheet gives it, and a
//! workbook of several is refused with the list of its sheets (a missing name lists them
//! too). Publishers put titles and notes above the table (the DREES APL workbook opens with
//! a title and a source line): the **header row** is the first row whose filled cells are
//! at least half the sheet's widest row and at least two, every one of them text; rows just
//! under it that are all text with an empty first cell (a line of units) belong to it. Rows
//! after it keep their sheet row number (1-based) as their line; rows with no filled cell
//! are skipped. Numeric cells become text with `.` decimals, written so that no value looks
//! ambiguous to [`crate::inputs::text::parse_number`] (`1.942` is written `1.9420`).

use calamine::{open_workbook_auto, Data, Reader};
use std::path::Path;

/// Extensions read as spreadsheets, lower case.
pub const EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Whether `path` names a spreadsheet by its extension.
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A sheet as text: its name, header and rows with their sheet row numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// Name of the sheet read.
    pub name: String,
    /// Cells of the header row, trimmed.
    pub headers: Vec<String>,
    /// Rows below the header with their 1-based sheet row number.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// The names of the sheets of the workbook at `path`.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, String> {
    let wb = open_workbook_auto(path).map_err(|e| format!("not a readable workbook: {e}"))?;
    Ok(wb.sheet_names())
}

/// Reads the sheet `sheet` (or the only sheet) of the workbook at `path`; `Err` says why not.
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<Sheet, String> {
    let mut wb = open_workbook_auto(path).map_err(|e| format!("not a readable workbook: {e}"))?;
    let names = wb.sheet_names();
    let listed = || {
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(s.trim()))
            })
            .ok_or_else(|| format!("no sheet {s:?}; the workbook has {}", listed()))?
            .clone(),
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(format!(
                "{} sheets, name one with --sheet (or `sheet = \"…\"`): {}",
                names.len(),
                listed()
            ))
        }
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| format!("sheet {name:?}: {e}"))?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r));
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    let filled = |r: &[String]| r.iter().filter(|c| !c.is_empty()).count();
    let widest = cells.iter().map(|r| filled(r)).max().unwrap_or(0);
    let texts = |r: &[String], raw: &[Data]| {
        r.iter()
            .zip(raw)
            .all(|(c, d)| c.is_empty() || matches!(d, Data::String(_)))
    };
    let raw: Vec<&[Data]> = range.rows().collect();
    let header_at = (0..cells.len())
        .find(|&k| {
            let n = filled(&cells[k]);
            n >= 2 && 2 * n >= widest && texts(&cells[k], raw[k])
        })
        .ok_or_else(|| format!("sheet {name:?}: no header row (a row of column names)"))?;
    let mut headers = cells[header_at].clone();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    // Lines of units under the header (DREES: "En nombre d'habitants"), all text with an
    // empty first cell, belong to the header.
    let notes = (header_at + 1..cells.len())
        .take_while(|&k| {
            filled(&cells[k]) > 0
                && cells[k].first().is_none_or(String::is_empty)
                && texts(&cells[k], raw[k])
        })
        .count();
    let rows = cells
        .into_iter()
        .enumerate()
        .skip(header_at + 1 + notes)
        .filter(|(_, r)| filled(r) > 0)
        .map(|(k, r)| (first_row + k as u64 + 1, r))
        .collect();
    Ok(Sheet {
        name,
        headers,
        rows,
    })
}

/// A cell as text: strings trimmed, numbers with `.` decimals never ambiguous, booleans as
/// written, dates as their serial number, errors as their code.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(x) => float_text(*x),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(x) => float_text(x.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// `x` in the shortest form that reads back, a `0` added when exactly three decimals
/// follow a short integer part (`1.942` → `1.9420`) so the mark cannot read as thousands.
fn float_text(x: f64) -> String {
    let s = x.to_string();
    match s.split_once('.') {
        Some((int, frac))
            if frac.len() == 3
                && (1..=3).contains(&int.trim_start_matches('-').len())
                && !int.trim_start_matches('-').starts_with('0') =>
        {
            format!("{s}0")
        }
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_never_ambiguous() {
        assert_eq!(float_text(1.942), "1.9420");
        assert_eq!(float_text(-12.5), "-12.5");
        assert_eq!(float_text(832.0), "832");
        assert_eq!(float_text(0.125), "0.125");
        assert_eq!(float_text(1234.567), "1234.567");
        for x in [1.942, 838.154, -1.001] {
            let t = float_text(x);
            assert_eq!(crate::inputs::text::parse_lone_number(&t), Ok(x));
        }
    }

    #[test]
    fn spreadsheet_extensions() {
        assert!(is_spreadsheet(Path::new("a/APL.XLSX")));
        assert!(is_spreadsheet(Path::new("t.ods")));
        assert!(!is_spreadsheet(Path::new("t.csv")));
    }
}
