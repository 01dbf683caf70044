//! A small table read whole: the common reader of the engine's keyed tables (consumption,
//! population and rate tables of [`crate::inputs::consumption`], the demand, supply and
//! travel-time tables of [`crate::cli::fca`], the access table of [`crate::study::icc_job`], the
//! units of [`crate::inputs::units`], areal populations, point tables).
//!
//! A delimited text follows the contract of [`crate::inputs::text`] (encoding with a
//! fallback naming its lines, separator sniffed from the header, a trailing separator
//! opening no column, numbers read per column); a spreadsheet (`.xlsx`, `.ods`…) is read by
//! [`crate::inputs::spreadsheet`], its sheet chosen by name. Fields are trimmed; rows may be
//! shorter or longer than the header (`flexible`) or must match it. Column names are
//! lower-cased and looked up ignoring case ([`Table::col`]). Each row keeps its 1-based line
//! (the line it starts on, or its sheet row); a row that cannot be read, or longer than
//! [`MAX_LINE_BYTES`], or holding non-empty fields beyond the header's (a separator inside
//! an unquoted field), goes to [`Rejects`] with its line and a bounded echo; a column name
//! given twice is an error. A first line
//! longer than [`MAX_LINE_BYTES`] is not a table: the file is refused before it is read whole;
//! so is UTF-16 text (a UTF-16 byte-order mark) and binary data (a NUL byte in the first MiB).

use crate::inputs::spreadsheet;
use crate::inputs::text::{self, echo, NumberMarks, MAX_LINE_BYTES};
use crate::support::rejects::Rejects;
use std::io::Read;
use std::path::Path;

/// Why a table cannot be read at all (bad rows are rejects, not errors).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    /// The file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Open {
        /// File given.
        file: String,
        /// The underlying message.
        reason: String,
    },
    /// Empty, no readable header, not a table, or a sheet missing.
    #[error("{file}: {reason}")]
    Format {
        /// File given.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

/// A table, header lower-cased, rows with their lines, and what each column says of its
/// numbers' marks.
#[derive(Clone, Debug)]
pub struct Table {
    /// File read, as shown in rejects and errors.
    pub file: String,
    /// Column names, lower-cased.
    pub headers: Vec<String>,
    /// Rows read, with the 1-based line each starts on.
    pub rows: Vec<(u64, csv::StringRecord)>,
    /// Per column, the evidence its values give about `,` and `.` ([`NumberMarks`]).
    marks: Vec<NumberMarks>,
}

impl Table {
    /// Reads `path` (a delimited text, or the only sheet of a spreadsheet); `flexible`
    /// accepts rows of another length than the header.
    pub fn read(path: &Path, flexible: bool, rejects: &mut Rejects) -> Result<Table, TableError> {
        Table::read_sheet(path, flexible, None, rejects)
    }

    /// Reads `path`, taking the sheet named `sheet` when it is a spreadsheet.
    pub fn read_sheet(
        path: &Path,
        flexible: bool,
        sheet: Option<&str>,
        rejects: &mut Rejects,
    ) -> Result<Table, TableError> {
        let file = path.display().to_string();
        if spreadsheet::is_spreadsheet(path) {
            return Table::from_sheet(file, path, flexible, sheet, rejects);
        }
        let open = |e: std::io::Error| TableError::Open {
            file: file.clone(),
            reason: e.to_string(),
        };
        if path.is_dir() {
            return Err(TableError::Format {
                file,
                reason: "is a folder, not a table".into(),
            });
        }
        let mut f = std::fs::File::open(path).map_err(open)?;
        let mut bytes = Vec::new();
        (&mut f)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(open)?;
        if bytes.len() > MAX_LINE_BYTES && !bytes.contains(&b'\n') {
            let head = text::decode(&bytes[..200]);
            return Err(TableError::Format {
                file,
                reason: format!(
                    "line 1 is longer than {} MiB: not a table (it starts {})",
                    MAX_LINE_BYTES >> 20,
                    echo(&head.text)
                ),
            });
        }
        f.read_to_end(&mut bytes).map_err(open)?;
        Table::parse(file, bytes, flexible, rejects)
    }

    /// Reads a delimited text from `bytes`, named `file` in rejects and errors.
    pub fn parse(
        file: String,
        bytes: Vec<u8>,
        flexible: bool,
        rejects: &mut Rejects,
    ) -> Result<Table, TableError> {
        let format = |reason: String| TableError::Format {
            file: file.clone(),
            reason,
        };
        if let Some(why) = text::refuse_head(&bytes[..bytes.len().min(MAX_LINE_BYTES)]) {
            return Err(format(why));
        }
        let decoded = text::decode(&bytes);
        if let Some(note) = decoded.note() {
            tracing::warn!("{file}: {note}");
        }
        let text = decoded.text.as_ref();
        let first = text.lines().next().unwrap_or("");
        if first.trim().is_empty() {
            return Err(format(if text.trim().is_empty() {
                "empty file, expected a header line".into()
            } else {
                "line 1 is blank, expected a header line".into()
            }));
        }
        if first.len() > MAX_LINE_BYTES {
            return Err(format(format!(
                "line 1 is longer than {} MiB: not a table (it starts {})",
                MAX_LINE_BYTES >> 20,
                echo(first)
            )));
        }
        let sep = text::separator(first);
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(sep)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut headers: Vec<String> = rdr
            .headers()
            .map_err(|e| format(e.to_string()))?
            .iter()
            .map(str::to_lowercase)
            .collect();
        let trailing = headers.len() > 1 && headers.last().is_some_and(String::is_empty);
        if trailing {
            headers.pop();
        }
        duplicate_columns(&headers).map_err(format)?;
        let mut rows = Vec::new();
        for rec in rdr.records() {
            match rec {
                Ok(mut r) => {
                    let line = r.position().map_or(0, |p| p.line());
                    if r.as_slice().len() > MAX_LINE_BYTES {
                        let start: String = r.iter().collect::<Vec<_>>().join(" ");
                        let reason = format!(
                            "row longer than {} MiB, not read (it starts {})",
                            MAX_LINE_BYTES >> 20,
                            echo(&start)
                        );
                        rejects.push(&file, line, "", reason);
                        continue;
                    }
                    if r.len() > headers.len() && r.iter().skip(headers.len()).all(str::is_empty) {
                        r.truncate(headers.len());
                    }
                    if r.len() > headers.len() {
                        let reason = format!(
                            "{} fields where the header has {} (a separator inside an unquoted \
                             field?)",
                            r.len(),
                            headers.len()
                        );
                        rejects.push(&file, line, r.get(0).unwrap_or(""), reason);
                        continue;
                    }
                    if !flexible && r.len() != headers.len() {
                        let reason = format!(
                            "unreadable row: {} fields where the header has {}",
                            r.len(),
                            headers.len()
                        );
                        rejects.push(&file, line, "", reason);
                        continue;
                    }
                    rows.push((line, r));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    rejects.push(&file, line, "", format!("unreadable row: {e}"));
                }
            }
        }
        Ok(Table::new(file, headers, rows))
    }

    /// Reads the sheet `sheet` of the spreadsheet at `path`.
    fn from_sheet(
        file: String,
        path: &Path,
        flexible: bool,
        sheet: Option<&str>,
        rejects: &mut Rejects,
    ) -> Result<Table, TableError> {
        let s = spreadsheet::read_sheet(path, sheet).map_err(|reason| TableError::Format {
            file: file.clone(),
            reason,
        })?;
        let headers: Vec<String> = s.headers.iter().map(|h| h.to_lowercase()).collect();
        duplicate_columns(&headers).map_err(|reason| TableError::Format {
            file: file.clone(),
            reason,
        })?;
        let mut rows = Vec::with_capacity(s.rows.len());
        for (line, mut cells) in s.rows {
            if cells.len() > headers.len() && cells[headers.len()..].iter().all(String::is_empty) {
                cells.truncate(headers.len());
            }
            if !flexible && cells.len() != headers.len() {
                let reason = format!(
                    "unreadable row: {} cells where the header has {}",
                    cells.len(),
                    headers.len()
                );
                rejects.push(&file, line, "", reason);
                continue;
            }
            rows.push((line, csv::StringRecord::from(cells)));
        }
        Ok(Table::new(format!("{file} [{}]", s.name), headers, rows))
    }

    /// A table of `rows`, the marks of each column scanned from its values.
    fn new(file: String, headers: Vec<String>, rows: Vec<(u64, csv::StringRecord)>) -> Table {
        let marks = (0..headers.len())
            .map(|k| NumberMarks::scan(rows.iter().filter_map(|(_, r)| r.get(k))))
            .collect();
        Table {
            file,
            headers,
            rows,
            marks,
        }
    }

    /// Fails when the table has no data row: a table given as input must hold one.
    pub fn require_rows(&self) -> Result<(), TableError> {
        if self.rows.is_empty() {
            return Err(TableError::Format {
                file: self.file.clone(),
                reason: "no data row below the header".into(),
            });
        }
        Ok(())
    }

    /// Index of the column `name` (compared ignoring case), if any.
    pub fn col(&self, name: &str) -> Option<usize> {
        let name = name.to_lowercase();
        self.headers.iter().position(|h| *h == name)
    }

    /// The number in column `col` of `row` by [`text::parse_number`], an ambiguous mark
    /// settled by the column's other values; `Err` says why not (`empty` when blank).
    pub fn number(&self, row: &csv::StringRecord, col: usize) -> Result<f64, String> {
        let v = row.get(col).unwrap_or("");
        text::parse_number(v, self.marks.get(col).unwrap_or(&NumberMarks::default()))
    }
}

/// `Err` naming a non-empty column name that `headers` hold twice.
fn duplicate_columns(headers: &[String]) -> Result<(), String> {
    for (k, h) in headers.iter().enumerate() {
        if let Some(j) = headers[..k].iter().position(|o| o == h && !h.is_empty()) {
            return Err(format!(
                "column {h:?} appears twice (columns {} and {}): rename one",
                j + 1,
                k + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8], flexible: bool) -> (Result<Table, TableError>, Rejects) {
        let mut r = Rejects::default();
        let t = Table::parse("t.csv".into(), text.to_vec(), flexible, &mut r);
        (t, r)
    }

    #[test]
    fn numbers_follow_their_column() {
        let text = "id,pop,rate\na,\"1,000\",\"0,5\"\nb,12,\"1,000\"\nc,\"12 000\",2\n";
        let (t, _) = parse(text.as_bytes(), false);
        let t = t.unwrap();
        let n = |row: usize, col: usize| t.number(&t.rows[row].1, col);
        assert!(n(0, 1).unwrap_err().contains("ambiguous"));
        assert_eq!(n(2, 1), Ok(12000.0));
        assert_eq!(n(1, 2), Ok(1.0));
        assert_eq!(n(0, 2), Ok(0.5));
        assert_eq!(n(0, 0), Err("\"a\" is not a number".into()));
    }

    #[test]
    fn trailing_separators_latin1_and_huge_lines() {
        let (t, r) = parse(b"a|b|c|\n1|2|3|\n4|5|6\nx|y\n", false);
        let t = t.unwrap();
        assert_eq!(t.headers, ["a", "b", "c"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(r.items[0].line, 4);
        let (t, _) = parse(b"nom;pop\nCr\xe9teil;3\n", false);
        assert_eq!(&t.unwrap().rows[0].1[0], "Créteil");
        let mut big = b"a,b\n1,\"".to_vec();
        big.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        big.extend(b"\"\n2,3\n");
        let (t, r) = parse(&big, false);
        assert_eq!(t.unwrap().rows.len(), 1);
        assert!(r.items[0].reason.len() < 400 && r.items[0].reason.contains("longer than"));
    }

    #[test]
    fn a_huge_first_line_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("one_line.csv");
        std::fs::write(&p, vec![b'x'; 3 * MAX_LINE_BYTES]).unwrap();
        let e = Table::read(&p, true, &mut Rejects::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("longer than 1 MiB") && e.len() < 600, "{e}");
        let e = Table::read(dir.path(), true, &mut Rejects::default()).unwrap_err();
        assert!(e.to_string().contains("is a folder"));
    }

    #[test]
    fn separator_bom_case_and_lines() {
        let (t, r) = parse(
            "\u{feff}Code; Pop ;x\n93001;1,5;a\n\"93\n002\";2;b\n93003;3\n".as_bytes(),
            true,
        );
        let t = t.unwrap();
        assert_eq!(t.headers, ["code", "pop", "x"]);
        assert_eq!(t.col("POP"), Some(1));
        assert_eq!(t.col("none"), None);
        let lines: Vec<u64> = t.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert_eq!(&t.rows[0].1[1], "1,5");
        assert!(r.is_empty());
    }

    #[test]
    fn strict_rows_bad_encoding_and_empty_files() {
        let (t, r) = parse(b"a,b\n1,2\n1\n3,4\n", false);
        assert_eq!(t.unwrap().rows.len(), 2);
        assert_eq!(r.items[0].line, 3);
        assert!(r.items[0].reason.starts_with("unreadable row"));
        let (t, _) = parse(b"\n", true);
        assert!(t.unwrap_err().to_string().contains("empty file"));
    }
}
