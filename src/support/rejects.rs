//! Rows, points and features left out of a computation, with where they came from and why.
//!
//! Nothing is dropped silently: every reader and every stage that skips something records a
//! [`Reject`] here; the CLI prints a summary and writes them all to a rejects CSV
//! (`file,line,id,reason`) beside the outputs.

use serde::Serialize;
use std::path::Path;

/// One thing left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// Input file (or stage) it came from.
    pub file: String,
    /// 1-based line number in that file (header = line 1), 0 when not line-based.
    pub line: u64,
    /// Identifier of the row or point, when it had one.
    pub id: String,
    /// Why it was left out.
    pub reason: String,
}

/// A run stopped because something was rejected under `--strict`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{count} rejected (--strict makes any reject fatal); first: {}",
    list(first)
)]
pub struct StrictError {
    /// Number of rejects.
    pub count: usize,
    /// The first ones, in the order found.
    pub first: Vec<Reject>,
}

/// Rejects as `file:line [id]: reason`, separated by `; `.
fn list(rejects: &[Reject]) -> String {
    rejects
        .iter()
        .map(|r| format!("{}:{} [{}]: {}", r.file, r.line, r.id, r.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// All rejects of a run, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rejects {
    /// The rejects.
    pub items: Vec<Reject>,
}

impl Rejects {
    /// Records one reject.
    pub fn push(&mut self, file: &str, line: u64, id: &str, reason: impl Into<String>) {
        self.items.push(Reject {
            file: file.to_string(),
            line,
            id: id.to_string(),
            reason: reason.into(),
        });
    }

    /// Number of rejects.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was rejected.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Counts per (file, reason), sorted, for a summary; numbers in reasons are shown as
    /// `#` so that "road 1,203 m away" and "road 1,517 m away" count together.
    pub fn summary(&self) -> Vec<(String, String, usize)> {
        let shapes: Vec<String> = self.items.iter().map(|r| shape(&r.reason)).collect();
        let mut keys: Vec<(&str, &str)> = self
            .items
            .iter()
            .zip(&shapes)
            .map(|(r, s)| (r.file.as_str(), s.as_str()))
            .collect();
        keys.sort_unstable();
        let mut out: Vec<(String, String, usize)> = Vec::new();
        for (f, r) in keys {
            match out.last_mut() {
                Some(last) if last.0 == f && last.1 == r => last.2 += 1,
                _ => out.push((f.to_string(), r.to_string(), 1)),
            }
        }
        out
    }

    /// `Ok` when nothing was rejected; else a [`StrictError`] with the count and the first
    /// `shown` rejects (for `--strict` runs, where any reject is fatal).
    pub fn ensure_empty(&self, shown: usize) -> Result<(), StrictError> {
        if self.items.is_empty() {
            return Ok(());
        }
        Err(StrictError {
            count: self.items.len(),
            first: self.items.iter().take(shown).cloned().collect(),
        })
    }

    /// Writes the rejects as CSV with header `file,line,id,reason`.
    pub fn write_csv(&self, path: &Path) -> anyhow::Result<()> {
        crate::support::atomic::write_with(path, |w| {
            let mut csv = csv::Writer::from_writer(w);
            if self.items.is_empty() {
                csv.write_record(["file", "line", "id", "reason"])?;
            }
            for r in &self.items {
                csv.serialize(r)?;
            }
            csv.flush()?;
            Ok(())
        })
    }
}

/// `reason` with every number (digits, with `,` or `.` between digits) replaced by `#`.
fn shape(reason: &str) -> String {
    let chars: Vec<char> = reason.chars().collect();
    let mut out = String::with_capacity(reason.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], ',' | '.')
                        && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            out.push('#');
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_groups_by_file_and_reason() {
        let mut r = Rejects::default();
        r.push("b.csv", 3, "x", "bad lon");
        r.push("a.csv", 2, "y", "bad lon");
        r.push("b.csv", 5, "z", "bad lon");
        assert_eq!(
            r.summary(),
            vec![
                ("a.csv".to_string(), "bad lon".to_string(), 1),
                ("b.csv".to_string(), "bad lon".to_string(), 2)
            ]
        );
    }

    #[test]
    fn strict_reports_count_and_first_rejects() {
        let mut r = Rejects::default();
        assert!(r.ensure_empty(2).is_ok());
        r.push("a.csv", 2, "x", "missing id");
        r.push("a.csv", 3, "y", "bad lon");
        r.push("a.csv", 4, "z", "bad lat");
        let e = r.ensure_empty(2).unwrap_err();
        assert_eq!(e.count, 3);
        assert_eq!(
            e.to_string(),
            "3 rejected (--strict makes any reject fatal); first: a.csv:2 [x]: missing id; a.csv:3 [y]: bad lon"
        );
    }

    #[test]
    fn summary_counts_reasons_that_differ_only_by_numbers_together() {
        let mut r = Rejects::default();
        r.push("p.csv", 3, "x", "road 1,203 m away, beyond 1,000 m");
        r.push("p.csv", 9, "y", "road 2,517.5 m away, beyond 1,000 m");
        assert_eq!(
            r.summary(),
            vec![(
                "p.csv".to_string(),
                "road # m away, beyond # m".to_string(),
                2
            )]
        );
    }

    #[test]
    fn csv_has_a_header_even_when_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rejects.csv");
        Rejects::default().write_csv(&p).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "file,line,id,reason\n"
        );
        let mut r = Rejects::default();
        r.push("s.csv", 4, "p1", "latitude out of range");
        r.write_csv(&p).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "file,line,id,reason\ns.csv,4,p1,latitude out of range\n"
        );
    }
}
