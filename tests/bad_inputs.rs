//! The bad-input corpus: every case of `tests/fixtures/bad_inputs/README.md` run through the
//! real binary with the command that reads its file. Each case must end as its table says —
//! `ok` (exit 0, no reject naming the file), `reject: …` (exit 0, a reject of that file whose
//! reason holds the text) or `error: …` (exit 1 or 2, stderr naming the file and holding the
//! text) — and no case may panic (101), abort (134) or print more than 64 KiB.
//!
//! The README's tables are the cases: a section per family (`## Files` here; `## Settings` is
//! left to the settings checks). `RECOURS_BAD_INPUTS_SHOW=1` prints what each case gives
//! instead of checking it, to write a new row.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Output allowed per case, bytes (stdout + stderr): no bad line is echoed whole.
const MAX_OUTPUT: usize = 64 * 1024;
/// Size of the generated file without a newline, bytes.
const HUGE_LINE_BYTES: usize = 200 << 20;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// One row of the README table.
struct Case {
    file: String,
    command: String,
    expect: String,
}

/// The rows of the `## Files` table of the README.
fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("bad_inputs/README.md")).unwrap();
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("Files"))
        .expect("a `## Files` section");
    section
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|c| c.len() == 4 && c[0] != "case" && !c[0].starts_with('-'))
        .map(|c| Case {
            file: c[1].clone(),
            command: c[2].clone(),
            expect: c[3].clone(),
        })
        .collect()
}

/// The arguments running `command` on `file`, outputs under `out`.
fn args(command: &str, file: &str, out: &Path) -> Vec<String> {
    let files = fixtures().join("bad_inputs/files");
    let f = |n: &str| files.join(n).display().to_string();
    let icc = fixtures().join("icc");
    let o = out.join("out.csv").display().to_string();
    let a: Vec<String> = match command {
        "inspect" => vec!["inspect".into(), file.into()],
        "table" => vec![
            "table".into(),
            "--osm".into(),
            fixtures().join("tiny.osm").display().to_string(),
            "--min-component".into(),
            "1".into(),
            "--sources".into(),
            file.into(),
            "--destinations".into(),
            f("good_destinations.csv"),
            "--out".into(),
            o,
        ],
        "fca --demand" => vec![
            "fca".into(),
            "--times".into(),
            f("good_times.csv"),
            "--demand".into(),
            file.into(),
            "--supply".into(),
            f("good_supply.csv"),
            "--out".into(),
            o,
        ],
        "fca --supply" => vec![
            "fca".into(),
            "--times".into(),
            f("good_times.csv"),
            "--demand".into(),
            f("good_demand.csv"),
            "--supply".into(),
            file.into(),
            "--out".into(),
            o,
        ],
        c if c.starts_with("fca --times") => {
            let mut a = vec![
                "fca".into(),
                "--times".into(),
                file.into(),
                "--demand".into(),
                f("good_demand.csv"),
                "--supply".into(),
                f("good_supply.csv"),
                "--out".into(),
                o,
            ];
            if let Some(unit) = c.strip_prefix("fca --times --time-unit ") {
                a.extend(["--time-unit".into(), unit.into()]);
            }
            a
        }
        "zonage" => vec![
            "zonage".into(),
            "--units".into(),
            file.into(),
            "--config".into(),
            f("zonage.toml"),
            "--out".into(),
            o,
        ],
        c if c.starts_with("zonage --sheet") => {
            let sheet = c
                .strip_prefix("zonage --sheet ")
                .unwrap()
                .trim_matches('"')
                .to_string();
            vec![
                "zonage".into(),
                "--units".into(),
                file.into(),
                "--sheet".into(),
                sheet,
                "--code-column".into(),
                "Code commune".into(),
                "--population-column".into(),
                "Population".into(),
                "--config".into(),
                f("zonage_xlsx.toml"),
                "--out".into(),
                o,
            ]
        }
        "icc" => vec![
            "icc".into(),
            "--consumption".into(),
            icc.join("consumption.csv").display().to_string(),
            "--territories".into(),
            icc.join("territories.csv").display().to_string(),
            "--population".into(),
            file.into(),
            "--reference".into(),
            "all".into(),
            "--out".into(),
            o,
        ],
        other => panic!("unknown command {other:?} in the README"),
    };
    a
}

/// What a case gave: `ok`, `reject: <reason>`, `error: <message>`, and the checks that
/// the file is named.
struct Outcome {
    code: i32,
    summary: String,
    names_file: bool,
    output_len: usize,
    all: String,
}

fn run(case: &Case, path: &Path) -> Outcome {
    let out = tempfile::tempdir().unwrap();
    let file = path.display().to_string();
    let res = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args(&case.command, &file, out.path()))
        .output()
        .unwrap();
    let code = res.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&res.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let all = format!("{stdout}{stderr}");
    let output_len = res.stdout.len() + res.stderr.len();
    if code != 0 {
        let line = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or(stderr.lines().next().unwrap_or(""))
            .to_string();
        return Outcome {
            code,
            names_file: stderr.contains(&name),
            summary: format!("error: {line}"),
            output_len,
            all,
        };
    }
    let rejects: Vec<String> = if case.command == "inspect" {
        let rejected = stdout
            .lines()
            .find_map(|l| l.trim().split("rejected ").nth(1))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let reason = stdout
            .lines()
            .skip_while(|l| !l.contains("rejected "))
            .nth(1)
            .unwrap_or("")
            .trim();
        if rejected == 0 {
            Vec::new()
        } else {
            vec![reason.to_string()]
        }
    } else {
        let p = out.path().join("out.rejects.csv");
        let mut rdr = csv::Reader::from_path(&p).unwrap();
        rdr.records()
            .map(Result::unwrap)
            .filter(|r| r.get(0).is_some_and(|f| f.contains(&name)))
            .map(|r| {
                format!(
                    "{} (line {})",
                    r.get(3).unwrap_or(""),
                    r.get(1).unwrap_or("")
                )
            })
            .collect()
    };
    match rejects.first() {
        None => Outcome {
            code,
            summary: "ok".into(),
            names_file: true,
            output_len,
            all,
        },
        Some(r) => Outcome {
            code,
            summary: format!("reject: {}", r.lines().last().unwrap_or("")),
            names_file: true,
            output_len,
            all: format!("{all}{}", rejects.join("\n")),
        },
    }
}

/// The generated 200 MB file without a newline (not kept in the repository).
fn huge_line(dir: &Path) -> PathBuf {
    let p = dir.join("huge_line.csv");
    let mut bytes = b"id,code,lon,lat,population,apl ".to_vec();
    bytes.resize(HUGE_LINE_BYTES, b'x');
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn every_bad_input_ends_as_the_corpus_says() {
    let cases = cases();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let show = std::env::var_os("RECOURS_BAD_INPUTS_SHOW").is_some();
    let tmp = tempfile::tempdir().unwrap();
    let mut huge = None;
    let mut failures = Vec::new();
    for case in &cases {
        let path = if case.file == "(generated) huge_line.csv" {
            huge.get_or_insert_with(|| huge_line(tmp.path())).clone()
        } else {
            fixtures().join("bad_inputs/files").join(&case.file)
        };
        let got = run(case, &path);
        if show {
            println!("| {} | {} | {}", case.file, case.command, got.summary);
            continue;
        }
        let mut why = Vec::new();
        if got.code == 101 || got.code == 134 || got.code < 0 {
            why.push(format!("exit {} (panic or abort)", got.code));
        }
        if got.output_len > MAX_OUTPUT {
            why.push(format!("{} bytes of output", got.output_len));
        }
        let (class, text) = case
            .expect
            .split_once(": ")
            .unwrap_or((case.expect.as_str(), ""));
        let got_class = got.summary.split(':').next().unwrap_or("");
        if class != got_class {
            why.push(format!("expected {}, got {}", case.expect, got.summary));
        } else if !got.all.contains(text) {
            why.push(format!("expected text {text:?} in:\n{}", got.all));
        }
        if class == "error" && ![1, 2].contains(&got.code) {
            why.push(format!("error with exit {}", got.code));
        }
        if class != "ok" && !got.names_file {
            why.push(format!(
                "the message does not name the file: {}",
                got.summary
            ));
        }
        if !why.is_empty() {
            failures.push(format!(
                "{} via `{}`: {}",
                case.file,
                case.command,
                why.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
