//! A small delimited table read whole: the common reader of the engine's keyed CSV inputs
//! (consumption, population and rate tables of [`crate::inputs::consumption`], the demand, supply
//! and travel-time tables of [`crate::cli::fca`], the access table of [`crate::cli::icc`]).
//!
//! Layout: UTF-8 (a BOM is skipped), one header line, separated by `;` when the header holds
//! more `;` than `,`, else by `,` ([`separator`]); fields trimmed; rows may be shorter or
//! longer than the header (`flexible`) or must match it. Column names are lower-cased and
//! looked up ignoring case ([`Table::col`]). Each row keeps its 1-based line (the line it
//! starts on); a row the CSV parser cannot read goes to [`Rejects`] with its line.

use crate::support::rejects::Rejects;
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
    /// Not UTF-8, empty, or no readable header.
    #[error("{file}: {reason}")]
    Format {
        /// File given.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

/// `;` when `header` holds more `;` than `,`, else `,`.
pub fn separator(header: &str) -> u8 {
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// A delimited table, header lower-cased, rows with their lines.
#[derive(Clone, Debug)]
pub struct Table {
    /// File read, as shown in rejects and errors.
    pub file: String,
    /// Column names, lower-cased.
    pub headers: Vec<String>,
    /// Rows read, with the 1-based line each starts on.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// Reads `path`; `flexible` accepts rows of another length than the header.
    pub fn read(path: &Path, flexible: bool, rejects: &mut Rejects) -> Result<Table, TableError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| TableError::Open {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        Table::parse(file, bytes, flexible, rejects)
    }

    /// Reads a table from `bytes`, named `file` in rejects and errors.
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
        let text = String::from_utf8(bytes).map_err(|e| {
            format(format!(
                "not UTF-8 (byte {}): re-save it as UTF-8",
                e.utf8_error().valid_up_to()
            ))
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let first = text.lines().next().unwrap_or("");
        if first.trim().is_empty() {
            return Err(format("empty file, expected a header line".into()));
        }
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(separator(first))
            .flexible(flexible)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| format(e.to_string()))?
            .iter()
            .map(str::to_lowercase)
            .collect();
        let mut rows = Vec::new();
        for rec in rdr.records() {
            match rec {
                Ok(r) => rows.push((r.position().map_or(0, |p| p.line()), r)),
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    rejects.push(&file, line, "", format!("unreadable row: {e}"));
                }
            }
        }
        Ok(Table {
            file,
            headers,
            rows,
        })
    }

    /// Index of the column `name` (compared ignoring case), if any.
    pub fn col(&self, name: &str) -> Option<usize> {
        let name = name.to_lowercase();
        self.headers.iter().position(|h| *h == name)
    }
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
        assert_eq!(separator("a,b;c"), b',');
        assert_eq!(separator("a;b;c,d"), b';');
    }

    #[test]
    fn strict_rows_bad_encoding_and_empty_files() {
        let (t, r) = parse(b"a,b\n1,2\n1\n3,4\n", false);
        assert_eq!(t.unwrap().rows.len(), 2);
        assert_eq!(r.items[0].line, 3);
        assert!(r.items[0].reason.starts_with("unreadable row"));
        let (t, _) = parse(b"a,b\n\xe9,1\n", true);
        assert!(t.unwrap_err().to_string().contains("not UTF-8 (byte 4)"));
        let (t, _) = parse(b"\n", true);
        assert!(t.unwrap_err().to_string().contains("empty file"));
    }
}
