//! Reader of the Annuaire Santé extraction `PS_LibreAcces_Personne_activite_*.txt`: one line
//! per professional activity (a doctor with two practices has two lines), no coordinates.
//!
//! Layout as published: `|`-separated with a trailing `|` (so an empty last field), one
//! header line, no quoting, UTF-8 (a byte-order mark is tolerated). A line that is not valid
//! UTF-8 is decoded by the input contract's fallback ([`crate::inputs::text::fallback_for`]), and a
//! warning says how many lines were. Column names vary between releases ("Code commune
//! (coord. structure)", "Code commune (coord.structure)", "Code_commune_coord_structure"):
//! they are compared through [`normalize_header`]. Columns are found by name, so older
//! 52-column and newer 56-column releases both read.
//!
//! The practice address is `Numéro Voie`, `Indice répétition voie`, `Libellé type de voie`
//! (or `Code type de voie` when the label is blank), `Libellé Voie`, `Code postal`,
//! `Code commune` and `Libellé commune` (or, when blank, `Bureau cedex`, which holds
//! "93140 BONDY" in many rows), all "(coord. structure)".
//!
//! Per row: a wrong field count or a missing `Identifiant PP` is a reject (file, line, id,
//! reason); a row outside every category of the [`CategoryMap`] is counted by reason in
//! [`ReadSummary::unmapped`] (not a reject: the file lists every profession); a row with
//! neither commune code nor postcode is a reject ("no address"); a row repeating an
//! activity already read (same professional, same address, same category) is counted in
//! [`ReadSummary::duplicates`] and the first one kept.

use super::categories::CategoryMap;
use crate::inputs::error::InputError;
use crate::inputs::geocode::normalize::fold;
use crate::inputs::geocode::Address;
use crate::support::rejects::Rejects;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// Mode of practice (`Code mode exercice`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PracticeMode {
    /// `L`, libéral.
    Liberal,
    /// `S`, salarié.
    Salaried,
    /// Any other code (`B` bénévole…), verbatim.
    Other(String),
}

impl PracticeMode {
    /// Mode from its RPPS code.
    pub fn from_code(code: &str) -> Self {
        match code {
            "L" => PracticeMode::Liberal,
            "S" => PracticeMode::Salaried,
            other => PracticeMode::Other(other.to_string()),
        }
    }
}

/// One professional activity at one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    /// `Identifiant PP` (RPPS number, or ADELI for professions not yet in the RPPS).
    pub pp_id: String,
    /// `Code profession` ("10" médecin, "21" pharmacien…).
    pub profession_code: String,
    /// `Code savoir-faire` (specialty, "SM54"…), when given.
    pub savoir_faire: Option<String>,
    /// `Code mode exercice`.
    pub mode: PracticeMode,
    /// `Code secteur d'activité` ("SA07" individual practice…), when given.
    pub sector: Option<String>,
    /// `Numéro FINESS site`, when given.
    pub finess_site: Option<String>,
    /// Practice address (coord. structure).
    pub address: Address,
    /// Category of care from the [`CategoryMap`]; `None` only when the map is empty.
    pub category: Option<String>,
    /// 1-based line in the file (header = line 1).
    pub line: u64,
}

impl AsRef<Address> for Activity {
    fn as_ref(&self) -> &Address {
        &self.address
    }
}

/// What reading an extraction did with its rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Data rows read.
    pub rows: u64,
    /// Activities kept.
    pub kept: u64,
    /// Rows rejected (see the rejects).
    pub rejected: u64,
    /// Rows repeating an activity already kept.
    pub duplicates: u64,
    /// Rows outside every category, by reason (see [`CategoryMap::unmapped_reason`]).
    pub unmapped: BTreeMap<String, u64>,
    /// Lines that were not UTF-8 and were decoded by the single-byte fallback.
    pub non_utf8_lines: u64,
}

impl fmt::Display for ReadSummary {
    /// First line with the totals, then one indented line per unmapped reason.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outside: u64 = self.unmapped.values().sum();
        write!(
            f,
            "annuaire: {} rows → {} activities kept, {} rejected, {} duplicates, {} outside the categories",
            self.rows, self.kept, self.rejected, self.duplicates, outside
        )?;
        if self.non_utf8_lines > 0 {
            write!(f, ", {} lines decoded as Windows-1252", self.non_utf8_lines)?;
        }
        for (reason, n) in &self.unmapped {
            write!(f, "\n  {reason}: {n}")?;
        }
        Ok(())
    }
}

/// Comparable form of a column name: accents folded, lower case, punctuation and spaces as
/// `_`, elided and short articles (d, l, de, du, des, la, le) dropped.
/// `"Code secteur d'activité"` → `"code_secteur_activite"`;
/// `"Code commune (coord.structure)"` → `"code_commune_coord_structure"`.
pub fn normalize_header(name: &str) -> String {
    let folded = fold(name.trim_start_matches('\u{feff}')).to_ascii_lowercase();
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !matches!(*w, "d" | "l" | "de" | "du" | "des" | "la" | "le"))
        .collect();
    words.join("_")
}

/// Columns read, by their published names; `false` marks the optional ones.
const COLUMNS: [(&str, bool); 15] = [
    ("Identifiant PP", true),
    ("Code profession", true),
    ("Code savoir-faire", true),
    ("Code mode exercice", true),
    ("Numéro FINESS site", true),
    ("Numéro Voie (coord. structure)", true),
    ("Indice répétition voie (coord. structure)", false),
    ("Code type de voie (coord. structure)", false),
    ("Libellé type de voie (coord. structure)", true),
    ("Libellé Voie (coord. structure)", true),
    ("Code postal (coord. structure)", true),
    ("Code commune (coord. structure)", true),
    ("Libellé commune (coord. structure)", true),
    ("Code secteur d'activité", true),
    ("Bureau cedex (coord. structure)", false),
];
const PP: usize = 0;
const PROFESSION: usize = 1;
const SAVOIR_FAIRE: usize = 2;
const MODE: usize = 3;
const FINESS: usize = 4;
const NUMBER: usize = 5;
const REP: usize = 6;
const TYPE_CODE: usize = 7;
const TYPE_LABEL: usize = 8;
const STREET: usize = 9;
const POSTCODE: usize = 10;
const COMMUNE_CODE: usize = 11;
const COMMUNE_NAME: usize = 12;
const SECTOR: usize = 13;
const BUREAU: usize = 14;

/// Decodes one field: as UTF-8 when the line is, else by the input contract's fallback
/// ([`crate::inputs::text::fallback_for`] the whole line).
fn decode<'a>(bytes: &'a [u8], line: &[u8], utf8: bool) -> Cow<'a, str> {
    if utf8 {
        String::from_utf8_lossy(bytes)
    } else {
        crate::inputs::text::fallback_for(line)
            .0
            .decode_without_bom_handling(bytes)
            .0
    }
}

/// Field count without a trailing empty field.
fn core_len(rec: &csv::ByteRecord) -> usize {
    match rec.iter().next_back() {
        Some([]) => rec.len() - 1,
        _ => rec.len(),
    }
}

/// Reads an extraction, keeps the activities of the map's categories, and logs a
/// [`ReadSummary`] (info) — see [`read_annuaire_with_summary`].
pub fn read_annuaire(
    path: &Path,
    categories: &CategoryMap,
    rejects: &mut Rejects,
) -> Result<Vec<Activity>, InputError> {
    let (activities, summary) = read_annuaire_with_summary(path, categories, rejects)?;
    tracing::info!("{}: {summary}", path.display());
    Ok(activities)
}

/// Reads an extraction, keeps the activities of the map's categories (every row when the
/// map is empty), in file order; bad rows go to `rejects`. Also returns what was done with
/// every row.
pub fn read_annuaire_with_summary(
    path: &Path,
    categories: &CategoryMap,
    rejects: &mut Rejects,
) -> Result<(Vec<Activity>, ReadSummary), InputError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| InputError::Open {
        path: PathBuf::from(name.clone()),
        reason: source.to_string(),
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b'|')
        .quoting(false)
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let csv_err = |source: csv::Error| InputError::Csv {
        path: PathBuf::from(name.clone()),
        line: source.position().map_or(1, |p| p.line()),
        reason: source.to_string(),
    };
    let header = rdr.byte_headers().map_err(csv_err)?.clone();
    let header_utf8 = std::str::from_utf8(header.as_slice()).is_ok();
    let found: Vec<String> = header
        .iter()
        .map(|h| {
            decode(h, header.as_slice(), header_utf8)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect();
    let keys: Vec<String> = found.iter().map(|h| normalize_header(h)).collect();
    let mut cols = [None; COLUMNS.len()];
    for (slot, (column, required)) in cols.iter_mut().zip(COLUMNS) {
        let want = normalize_header(column);
        *slot = keys.iter().position(|k| *k == want);
        if slot.is_none() && required {
            return Err(InputError::MissingColumn {
                path: PathBuf::from(name),
                column: column.to_string(),
                found,
            });
        }
    }
    let expected = core_len(&header);
    let mut summary = ReadSummary {
        non_utf8_lines: u64::from(!header_utf8),
        ..Default::default()
    };
    let mut first_non_utf8 = if header_utf8 { 0 } else { 1 };
    let mut seen: HashSet<(String, Address, Option<String>)> = HashSet::new();
    let mut out = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
        summary.rows += 1;
        let line = rec.position().map_or(0, |p| p.line());
        let utf8 = std::str::from_utf8(rec.as_slice()).is_ok();
        if !utf8 {
            summary.non_utf8_lines += 1;
            if first_non_utf8 == 0 {
                first_non_utf8 = line;
            }
        }
        let get = |c: usize| -> String {
            cols[c].and_then(|i| rec.get(i)).map_or(String::new(), |b| {
                decode(b, rec.as_slice(), utf8).trim().to_string()
            })
        };
        let pp_id = get(PP);
        if core_len(&rec) != expected {
            let reason = format!("expected {expected} fields, found {}", core_len(&rec));
            rejects.push(&name, line, &pp_id, reason);
            summary.rejected += 1;
            continue;
        }
        if pp_id.is_empty() {
            rejects.push(&name, line, "", "missing Identifiant PP");
            summary.rejected += 1;
            continue;
        }
        let profession_code = get(PROFESSION);
        let savoir_faire = Some(get(SAVOIR_FAIRE)).filter(|s| !s.is_empty());
        let category = if categories.is_empty() {
            None
        } else if let Some(c) = categories.category_of(&profession_code, savoir_faire.as_deref()) {
            Some(c.to_string())
        } else {
            let reason = categories.unmapped_reason(&profession_code, savoir_faire.as_deref());
            *summary.unmapped.entry(reason).or_default() += 1;
            continue;
        };
        let street_type = Some(get(TYPE_LABEL))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| get(TYPE_CODE));
        let address = Address {
            number: get(NUMBER),
            rep: get(REP),
            street_type,
            street: get(STREET),
            postcode: get(POSTCODE),
            commune_code: get(COMMUNE_CODE),
            commune_name: Some(get(COMMUNE_NAME))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| get(BUREAU)),
        };
        if address.commune_code.is_empty() && address.postcode.is_empty() {
            rejects.push(
                &name,
                line,
                &pp_id,
                "no address: neither commune code nor postcode",
            );
            summary.rejected += 1;
            continue;
        }
        if !seen.insert((pp_id.clone(), address.clone(), category.clone())) {
            summary.duplicates += 1;
            continue;
        }
        out.push(Activity {
            pp_id,
            profession_code,
            savoir_faire,
            mode: PracticeMode::from_code(&get(MODE)),
            sector: Some(get(SECTOR)).filter(|s| !s.is_empty()),
            finess_site: Some(get(FINESS)).filter(|s| !s.is_empty()),
            address,
            category,
            line,
        });
    }
    summary.kept = out.len() as u64;
    if summary.non_utf8_lines > 0 {
        tracing::warn!(
            "{name}: {} lines are not UTF-8 (first: line {first_non_utf8}); decoded as Windows-1252 or ISO-8859-15 (input contract)",
            summary.non_utf8_lines
        );
    }
    Ok((out, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact header with the required columns in another order and older spellings.
    const HEADER: &str = "Identifiant_PP|Code profession|Code savoir-faire|Code mode exercice|Numero FINESS site|Numéro Voie (coord.structure)|Indice répétition voie (coord. Structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code secteur activite|";

    fn read(
        lines: &[&str],
        map: &CategoryMap,
    ) -> (Result<(Vec<Activity>, ReadSummary), InputError>, Rejects) {
        read_bytes(
            format!("{HEADER}\n{}\n", lines.join("\n")).into_bytes(),
            map,
        )
    }

    fn read_bytes(
        bytes: Vec<u8>,
        map: &CategoryMap,
    ) -> (Result<(Vec<Activity>, ReadSummary), InputError>, Rejects) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir
            .path()
            .join("PS_LibreAcces_Personne_activite_202501010000.txt");
        std::fs::write(&p, bytes).unwrap();
        let mut r = Rejects::default();
        (read_annuaire_with_summary(&p, map, &mut r), r)
    }

    #[test]
    fn header_variants_normalise_alike() {
        let same = [
            "Code commune (coord. structure)",
            "Code commune (coord.structure)",
            "Code_commune_coord_structure",
            "CODE COMMUNE (COORD. STRUCTURE)",
            "\u{feff}Code commune (coord. structure)",
        ];
        for h in same {
            assert_eq!(normalize_header(h), "code_commune_coord_structure", "{h:?}");
        }
        assert_eq!(
            normalize_header("Code secteur d'activité"),
            normalize_header("Code_secteur_activite")
        );
        assert_eq!(
            normalize_header("Libellé type de voie (coord. structure)"),
            "libelle_type_voie_coord_structure"
        );
        assert_eq!(
            normalize_header("Numéro FINESS site"),
            normalize_header("Numero_FINESS_site")
        );
    }

    #[test]
    fn rows_are_kept_counted_or_rejected() {
        let rows = [
            "10001|10|SM54|L||12||AV|GALLIENI|93140|93010|BONDY|SA07|",
            "10002|10|SM49|S||1||R|DE PARIS|93140|93010|BONDY|SA01|",
            "10003|26||L||1||R|DE PARIS|93140|93010|BONDY|SA42|",
            "10004|10|SM54|L||1||R|DE PARIS|93140|93010|BONDY|",
            "|10|SM54|L||1||R|DE PARIS|93140|93010|BONDY|SA07|",
            "10005|10|SM44|L||1||R|DE PARIS|||PARIS|SA07|",
            "10001|10|SM54|L||12||AV|GALLIENI|93140|93010|BONDY|SA07|",
            "10001|10|SM54|L||12|B|AV|GALLIENI|93140|93010|BONDY|SA07|",
            "10006|21||L|930001234|2||PL|DE L EGLISE|93500|93055|PANTIN|SA07",
        ];
        let (res, r) = read(&rows, &CategoryMap::default_french());
        let (acts, s) = res.unwrap();
        let got: Vec<(u64, &str, Option<&str>)> = acts
            .iter()
            .map(|a| (a.line, a.pp_id.as_str(), a.category.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "10001", Some("gp")),
                (9, "10001", Some("gp")),
                (10, "10006", Some("pharmacist"))
            ]
        );
        let rejects: Vec<(u64, &str, &str)> = r
            .items
            .iter()
            .map(|x| (x.line, x.id.as_str(), x.reason.as_str()))
            .collect();
        assert_eq!(
            rejects,
            vec![
                (5, "10004", "expected 13 fields, found 12"),
                (6, "", "missing Identifiant PP"),
                (7, "10005", "no address: neither commune code nor postcode"),
            ]
        );
        assert_eq!((s.rows, s.kept, s.rejected, s.duplicates), (9, 3, 3, 1));
        assert_eq!(
            s.unmapped,
            BTreeMap::from([
                ("profession 10, savoir-faire SM49".to_string(), 1),
                ("profession 26".to_string(), 1)
            ])
        );
        let a = &acts[0];
        assert_eq!(a.mode, PracticeMode::Liberal);
        assert_eq!(a.sector.as_deref(), Some("SA07"));
        assert_eq!(a.finess_site, None);
        assert_eq!(acts[2].finess_site.as_deref(), Some("930001234"));
        assert_eq!(
            a.address,
            Address {
                number: "12".into(),
                rep: String::new(),
                street_type: "AV".into(),
                street: "GALLIENI".into(),
                postcode: "93140".into(),
                commune_code: "93010".into(),
                commune_name: "BONDY".into(),
            }
        );
        let text = s.to_string();
        assert!(text.starts_with("annuaire: 9 rows → 3 activities kept, 3 rejected, 1 duplicates, 2 outside the categories"), "{text}");
        assert!(text.contains("\n  profession 26: 1"), "{text}");
    }

    #[test]
    fn empty_map_keeps_every_row_uncategorised() {
        let (res, _) = read(
            &["10003|26||S||1||R|DE PARIS|93140|93010|BONDY|SA42|"],
            &CategoryMap::default(),
        );
        let (acts, _) = res.unwrap();
        assert_eq!(acts.len(), 1);
        assert_eq!(
            (acts[0].category.clone(), acts[0].mode.clone()),
            (None, PracticeMode::Salaried)
        );
    }

    #[test]
    fn bom_and_windows_1252_lines_are_read() {
        let mut bytes = format!("\u{feff}{HEADER}\n").into_bytes();
        bytes.extend_from_slice(b"10001|10|SM54|L||3||R|DE L'\xc9GLISE|93500|93055|PANTIN|SA07|\n");
        bytes.extend_from_slice(
            "10002|10|SM54|L||4||R|DE L'ÉGLISE|93500|93055|PANTIN|SA07|\n".as_bytes(),
        );
        let (res, r) = read_bytes(bytes, &CategoryMap::default_french());
        let (acts, s) = res.unwrap();
        assert!(r.is_empty());
        assert_eq!(acts[0].address.street, "DE L'ÉGLISE");
        assert_eq!(acts[1].address.street, "DE L'ÉGLISE");
        assert_eq!(s.non_utf8_lines, 1);
        assert!(s.to_string().contains("1 lines decoded as Windows-1252"));
    }

    #[test]
    fn type_code_stands_in_for_a_missing_type_label() {
        let header = "Identifiant PP|Code profession|Code savoir-faire|Code mode exercice|Numéro FINESS site|Numéro Voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code secteur d'activité|";
        let text = format!("{header}\n1|60||L||5|BD||DE LA REPUBLIQUE|93140|93010|BONDY|SA07|\n");
        let (res, _) = read_bytes(text.into_bytes(), &CategoryMap::default_french());
        let (acts, _) = res.unwrap();
        assert_eq!(
            (
                acts[0].address.street_type.as_str(),
                acts[0].address.rep.as_str()
            ),
            ("BD", "")
        );
    }

    #[test]
    fn missing_column_names_it_and_the_header() {
        let text = "Identifiant PP|Code profession|\n1|10|\n";
        let (res, _) = read_bytes(text.as_bytes().to_vec(), &CategoryMap::default_french());
        let e = res.unwrap_err().to_string();
        assert!(
            e.contains("missing column \"Code savoir-faire\"; header found: [\"Identifiant PP\", \"Code profession\", \"\"]"),
            "{e}"
        );
    }
}
