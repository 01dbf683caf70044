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

    /// Counts per (file, reason), sorted, for a summary. Reasons that differ only by their
    /// numbers count together, and keep them: a number the same in every reason of the group
    /// is shown as is, one that varies as its range (`road 1,203–2,517.5 m away, beyond
    /// 1,000 m`).
    pub fn summary(&self) -> Vec<(String, String, usize)> {
        let shapes: Vec<(String, Vec<&str>)> =
            self.items.iter().map(|r| shape(&r.reason)).collect();
        let mut keys: Vec<(&str, &str, &[&str])> = self
            .items
            .iter()
            .zip(&shapes)
            .map(|(r, (s, n))| (r.file.as_str(), s.as_str(), n.as_slice()))
            .collect();
        keys.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let mut groups: Vec<(&str, &str, Vec<&[&str]>)> = Vec::new();
        for (f, r, numbers) in keys {
            match groups.last_mut() {
                Some(last) if last.0 == f && last.1 == r => last.2.push(numbers),
                _ => groups.push((f, r, vec![numbers])),
            }
        }
        groups
            .into_iter()
            .map(|(f, r, numbers)| (f.to_string(), with_ranges(r, &numbers), numbers.len()))
            .collect()
    }

    /// Makes the `file` of every reject relative to `base` when it lies under it (the
    /// study file's folder), so the rejects do not depend on how paths were typed.
    pub fn relative_to(&mut self, base: &Path) {
        for r in &mut self.items {
            if let Ok(rel) = Path::new(&r.file).strip_prefix(base) {
                if !rel.as_os_str().is_empty() {
                    r.file = rel.display().to_string();
                }
            }
        }
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
    pub fn write_csv(&self, path: &Path) -> Result<(), crate::support::atomic::WriteError> {
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

/// `reason` with every number (digits, with `,` or `.` between digits) replaced by `#`,
/// and the numbers in order.
fn shape(reason: &str) -> (String, Vec<&str>) {
    let mut out = String::with_capacity(reason.len());
    let mut numbers = Vec::new();
    let bytes = reason.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || (matches!(bytes[i], b',' | b'.')
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            numbers.push(&reason[start..i]);
            out.push('#');
        } else {
            let c = reason[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    (out, numbers)
}

/// The value of a number as written in a reason (`,` as thousands separator).
fn value(number: &str) -> f64 {
    number.replace(',', "").parse().unwrap_or(f64::NAN)
}

/// `shape` with each `#` replaced by its number, or by `min–max` where the group's numbers
/// differ.
fn with_ranges(shape: &str, numbers: &[&[&str]]) -> String {
    let mut out = String::with_capacity(shape.len() + 8);
    let mut k = 0;
    for c in shape.chars() {
        if c != '#' {
            out.push(c);
            continue;
        }
        let at: Vec<&str> = numbers.iter().filter_map(|n| n.get(k).copied()).collect();
        k += 1;
        let lo = at.iter().min_by(|a, b| value(a).total_cmp(&value(b)));
        let hi = at.iter().max_by(|a, b| value(a).total_cmp(&value(b)));
        match (lo, hi) {
            (Some(lo), Some(hi)) if value(lo) == value(hi) => out.push_str(lo),
            (Some(lo), Some(hi)) => {
                out.push_str(lo);
                out.push('–');
                out.push_str(hi);
            }
            _ => out.push('#'),
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
                "road 1,203–2,517.5 m away, beyond 1,000 m".to_string(),
                2
            )]
        );
    }

    #[test]
    fn a_number_shared_by_the_whole_group_is_kept() {
        let mut r = Rejects::default();
        r.push("s.csv", 3, "x", "beyond the 1000 m snap radius");
        r.push("s.csv", 4, "y", "beyond the 1000 m snap radius");
        r.push("s.csv", 5, "z", "left out of rule_2");
        assert_eq!(
            r.summary(),
            vec![
                (
                    "s.csv".to_string(),
                    "beyond the 1000 m snap radius".to_string(),
                    2
                ),
                ("s.csv".to_string(), "left out of rule_2".to_string(), 1)
            ]
        );
    }

    #[test]
    fn files_under_the_study_folder_become_relative() {
        let mut r = Rejects::default();
        r.push("data/cells.csv", 3, "x", "bad");
        r.push("/elsewhere/b.csv", 1, "y", "bad");
        r.relative_to(Path::new("data"));
        assert_eq!(r.items[0].file, "cells.csv");
        assert_eq!(r.items[1].file, "/elsewhere/b.csv");
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
