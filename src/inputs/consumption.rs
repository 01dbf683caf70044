//! Readers for the tables behind the ICC (DOMAIN.md, "ICC"): observed consumption, population
//! by stratum, and reference rates.
//!
//! All three are CSV with one header line, UTF-8 (a BOM is skipped), separated by `;` when the
//! header holds more `;` than `,`, else by `,`; numbers accept a decimal comma (`12,5`). Columns
//! are found by name (compared ignoring case, other columns ignored); the names are those of
//! [`ConsumptionColumns`], [`PopulationColumns`] and [`RateColumns`], whose defaults are:
//!
//! - **consumption**: `code,specialty,age_band,sex,count[,sector]`, one row per unit ×
//!   specialty × stratum (× sector): `code` an INSEE commune code (`93055`, `2A004`) or an IRIS
//!   code (commune code + 4 digits, `930550101`); `count` acts or distinct consumers, ≥ 0;
//!   `sector` `liberal` / `hospital` (also `libéral`, `lib`, `L`, `hospitalier`, `hôpital`,
//!   `hosp`, `H`). `age_band` and `sex` may be absent (then only crude ratios are possible).
//! - **population**: `code,age_band,sex,population`, one row per unit × stratum, in the same
//!   codes and age-band labels as the consumption; `sex` may be absent (Filosofi cells summed
//!   per commune give ages only), and so may `age_band`.
//! - **reference rates**: `specialty,age_band,sex,rate[,sector]`, `rate` in consumption per
//!   inhabitant of the stratum (acts or consumers per person per period).
//!
//! Sex is read as `M` (`M`, `H`, `1`, `homme`, `male`) or `F` (`F`, `2`, `femme`, `female`),
//! INSEE's `1`/`2` included. Age bands are labels, compared as written (trimmed): no
//! re-banding. Rejected rows (unknown or malformed codes, codes absent from the population
//! table, age bands absent from it, negative counts, unparseable numbers, strata given twice,
//! unknown sectors or sexes) go to [`Rejects`] with file, line and reason.

use crate::inputs::table::{Table, TableError};
use crate::inputs::territory::membership::is_commune_code;
use crate::support::rejects::Rejects;
use serde::{Deserialize, Serialize};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A reader that cannot go on: file unreadable, not UTF-8, or a required column missing.
#[derive(Debug, thiserror::Error)]
pub enum ConsumptionError {
    /// The file could not be read, is not UTF-8 or has no header.
    #[error(transparent)]
    Table(#[from] TableError),
    /// A required column is absent.
    #[error("{file}: column {column:?} not found (configurable); header is {header:?}")]
    Column {
        /// File given.
        file: String,
        /// Column expected.
        column: String,
        /// Header found.
        header: Vec<String>,
    },
}

/// Column names of the consumption table (study-file section, defaults as in the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumptionColumns {
    /// Commune or IRIS code.
    pub code: String,
    /// Specialty label.
    pub specialty: String,
    /// Age-band label (optional column).
    pub age_band: String,
    /// Sex (optional column).
    pub sex: String,
    /// Observed acts or consumers.
    pub count: String,
    /// Liberal / hospital (optional column).
    pub sector: String,
}

impl Default for ConsumptionColumns {
    fn default() -> Self {
        Self {
            code: "code".into(),
            specialty: "specialty".into(),
            age_band: "age_band".into(),
            sex: "sex".into(),
            count: "count".into(),
            sector: "sector".into(),
        }
    }
}

/// Column names of the population table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PopulationColumns {
    /// Commune or IRIS code.
    pub code: String,
    /// Age-band label (optional column).
    pub age_band: String,
    /// Sex (optional column).
    pub sex: String,
    /// Inhabitants of the stratum.
    pub population: String,
}

impl Default for PopulationColumns {
    fn default() -> Self {
        Self {
            code: "code".into(),
            age_band: "age_band".into(),
            sex: "sex".into(),
            population: "population".into(),
        }
    }
}

/// Column names of the reference-rate table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateColumns {
    /// Specialty label.
    pub specialty: String,
    /// Age-band label (optional column).
    pub age_band: String,
    /// Sex (optional column).
    pub sex: String,
    /// Consumption per inhabitant of the stratum.
    pub rate: String,
    /// Liberal / hospital (optional column).
    pub sector: String,
}

impl Default for RateColumns {
    fn default() -> Self {
        Self {
            specialty: "specialty".into(),
            age_band: "age_band".into(),
            sex: "sex".into(),
            rate: "rate".into(),
            sector: "sector".into(),
        }
    }
}

/// Where consumption took place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sector {
    /// Liberal (office-based) care.
    Liberal,
    /// Hospital care.
    Hospital,
}

impl Sector {
    /// The sector a cell names, if any (see the module doc for the spellings).
    pub fn parse(v: &str) -> Option<Sector> {
        match v.trim().to_lowercase().as_str() {
            "liberal" | "libéral" | "lib" | "l" => Some(Sector::Liberal),
            "hospital" | "hospitalier" | "hôpital" | "hopital" | "hosp" | "h" => {
                Some(Sector::Hospital)
            }
            _ => None,
        }
    }

    /// `liberal` or `hospital`.
    pub fn label(self) -> &'static str {
        match self {
            Sector::Liberal => "liberal",
            Sector::Hospital => "hospital",
        }
    }
}

/// An age band × sex stratum; a part is empty when the table does not split by it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stratum {
    /// Age-band label, `""` when not split by age.
    pub age_band: String,
    /// `M`, `F`, or `""` when not split by sex.
    pub sex: String,
}

impl Stratum {
    /// This stratum with the parts not in `dims` emptied.
    pub fn project(&self, dims: Dims) -> Stratum {
        Stratum {
            age_band: if dims.age {
                self.age_band.clone()
            } else {
                String::new()
            },
            sex: if dims.sex {
                self.sex.clone()
            } else {
                String::new()
            },
        }
    }
}

/// Which stratification a table carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dims {
    /// Split by age band.
    pub age: bool,
    /// Split by sex.
    pub sex: bool,
}

impl Dims {
    /// The stratification both `self` and `other` carry.
    pub fn common(self, other: Dims) -> Dims {
        Dims {
            age: self.age && other.age,
            sex: self.sex && other.sex,
        }
    }

    /// `age×sex`, `age`, `sex` or `crude`, as written in outputs.
    pub fn label(self) -> &'static str {
        match (self.age, self.sex) {
            (true, true) => "age×sex",
            (true, false) => "age",
            (false, true) => "sex",
            (false, false) => "crude",
        }
    }
}

/// One usable consumption row.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumptionRow {
    /// Commune or IRIS code as given.
    pub code: String,
    /// Specialty label.
    pub specialty: String,
    /// Sector, when the table has the column.
    pub sector: Option<Sector>,
    /// Stratum.
    pub stratum: Stratum,
    /// Acts or consumers observed.
    pub count: f64,
    /// 1-based line in the file.
    pub line: u64,
}

/// The consumption table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Consumption {
    /// File read.
    pub source: String,
    /// Stratification it carries.
    pub dims: Dims,
    /// Whether it splits liberal and hospital care.
    pub has_sector: bool,
    /// Its usable rows, in file order.
    pub rows: Vec<ConsumptionRow>,
}

/// The population table: inhabitants per unit and stratum.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Population {
    /// File read.
    pub source: String,
    /// Stratification it carries.
    pub dims: Dims,
    /// Inhabitants per (unit code, stratum).
    pub cells: BTreeMap<(String, Stratum), f64>,
}

impl Population {
    /// Unit codes present.
    pub fn codes(&self) -> BTreeSet<&str> {
        self.cells.keys().map(|(c, _)| c.as_str()).collect()
    }

    /// Age-band labels present.
    pub fn age_bands(&self) -> BTreeSet<&str> {
        self.cells
            .keys()
            .map(|(_, s)| s.age_band.as_str())
            .collect()
    }
}

/// Reference rates per (specialty, sector or `None` for all care, stratum).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateTable {
    /// File read.
    pub source: String,
    /// Stratification it carries.
    pub dims: Dims,
    /// Rate per inhabitant of the stratum.
    pub rates: BTreeMap<(String, Option<Sector>, Stratum), f64>,
}

/// Whether `code` is a commune code or an IRIS code (commune code + 4 digits).
pub fn is_unit_code(code: &str) -> bool {
    is_commune_code(code)
        || (code.len() == 9
            && code.is_char_boundary(5)
            && is_commune_code(&code[..5])
            && code[5..].bytes().all(|b| b.is_ascii_digit()))
}

/// The commune a unit code lies in (the code itself, or an IRIS code's first five characters).
pub fn commune_of(code: &str) -> &str {
    code.get(..5).unwrap_or(code)
}

/// The column `name` of `t`, or an error naming it and the header.
fn require(t: &Table, name: &str) -> Result<usize, ConsumptionError> {
    t.col(name).ok_or_else(|| ConsumptionError::Column {
        file: t.file.clone(),
        column: name.to_string(),
        header: t.headers.clone(),
    })
}

/// The number ≥ 0 in column `col` of `row` of `t`, read by the input contract
/// ([`Table::number`]); `Err` names `what` and says why not.
pub fn non_negative(
    t: &Table,
    row: &csv::StringRecord,
    col: usize,
    what: &str,
) -> Result<f64, String> {
    let x = t.number(row, col).map_err(|e| format!("{what}: {e}"))?;
    if x < 0.0 {
        return Err(format!(
            "{what} is negative: {}",
            row.get(col).unwrap_or("")
        ));
    }
    Ok(x)
}

/// `M` or `F` from the spellings of the module doc.
fn sex(v: &str) -> Result<String, String> {
    match v.trim().to_lowercase().as_str() {
        "m" | "h" | "1" | "homme" | "hommes" | "male" => Ok("M".into()),
        "f" | "2" | "femme" | "femmes" | "female" => Ok("F".into()),
        _ => Err(format!("unknown sex {v:?} (expected M/H/1 or F/2)")),
    }
}

/// Reads the stratum of a row from the optional age and sex columns.
fn stratum(
    r: &csv::StringRecord,
    age: Option<usize>,
    sx: Option<usize>,
) -> Result<Stratum, String> {
    let age_band = match age {
        Some(c) => {
            let v = r.get(c).unwrap_or("").trim();
            if v.is_empty() {
                return Err("missing age band".into());
            }
            v.to_string()
        }
        None => String::new(),
    };
    let sex = match sx {
        Some(c) => sex(r.get(c).unwrap_or(""))?,
        None => String::new(),
    };
    Ok(Stratum { age_band, sex })
}

/// Reads the population table.
pub fn read_population(
    path: &Path,
    cols: &PopulationColumns,
    rejects: &mut Rejects,
) -> Result<Population, ConsumptionError> {
    let t = Table::read(path, true, rejects)?;
    t.require_rows()?;
    let (cc, cp) = (require(&t, &cols.code)?, require(&t, &cols.population)?);
    let (ca, cs) = (t.col(&cols.age_band), t.col(&cols.sex));
    let mut out = Population {
        source: t.file.clone(),
        dims: Dims {
            age: ca.is_some(),
            sex: cs.is_some(),
        },
        cells: BTreeMap::new(),
    };
    for (line, r) in &t.rows {
        let code = r.get(cc).unwrap_or("").to_ascii_uppercase();
        let parsed = (|| {
            if !is_unit_code(&code) {
                return Err(format!("{code:?} is not a commune or IRIS code"));
            }
            let s = stratum(r, ca, cs)?;
            let p = non_negative(&t, r, cp, "population")?;
            Ok((s, p))
        })();
        match parsed {
            Ok((s, p)) => {
                let key = (code.clone(), s);
                match out.cells.entry(key) {
                    Entry::Vacant(e) => {
                        e.insert(p);
                    }
                    Entry::Occupied(_) => {
                        rejects.push(&t.file, *line, &code, "stratum given twice for this code")
                    }
                }
            }
            Err(e) => rejects.push(&t.file, *line, &code, e),
        }
    }
    Ok(out)
}

/// The age-band labels the consumption table uses (non-empty cells of its age column), or
/// `None` when it has no age column: what a population built from cells is banded into.
/// Bad rows are not reported here: [`read_consumption`] reports them.
pub fn read_age_bands(
    path: &Path,
    cols: &ConsumptionColumns,
) -> Result<Option<BTreeSet<String>>, ConsumptionError> {
    let t = Table::read(path, true, &mut Rejects::default())?;
    Ok(t.col(&cols.age_band).map(|c| {
        t.rows
            .iter()
            .filter_map(|(_, r)| r.get(c).map(str::trim).filter(|v| !v.is_empty()))
            .map(str::to_string)
            .collect()
    }))
}

/// Reads the consumption table; codes and age bands must be in `population`.
pub fn read_consumption(
    path: &Path,
    cols: &ConsumptionColumns,
    population: &Population,
    rejects: &mut Rejects,
) -> Result<Consumption, ConsumptionError> {
    let t = Table::read(path, true, rejects)?;
    let cc = require(&t, &cols.code)?;
    let csp = require(&t, &cols.specialty)?;
    let cn = require(&t, &cols.count)?;
    let (ca, cs, cse) = (t.col(&cols.age_band), t.col(&cols.sex), t.col(&cols.sector));
    let codes = population.codes();
    let bands = population.age_bands();
    let mut seen = BTreeSet::new();
    let mut out = Consumption {
        source: t.file.clone(),
        dims: Dims {
            age: ca.is_some(),
            sex: cs.is_some(),
        },
        has_sector: cse.is_some(),
        rows: Vec::new(),
    };
    for (line, r) in &t.rows {
        let code = r.get(cc).unwrap_or("").to_ascii_uppercase();
        let parsed = (|| {
            if !is_unit_code(&code) {
                return Err(format!("{code:?} is not a commune or IRIS code"));
            }
            if !codes.contains(code.as_str()) {
                return Err(format!("code {code} is not in the population table"));
            }
            let specialty = r.get(csp).unwrap_or("").trim().to_string();
            if specialty.is_empty() {
                return Err("missing specialty".to_string());
            }
            let s = stratum(r, ca, cs)?;
            if population.dims.age && !s.age_band.is_empty() && !bands.contains(s.age_band.as_str())
            {
                return Err(format!(
                    "age band {:?} is not in the population table",
                    s.age_band
                ));
            }
            let sector = match cse {
                Some(c) => {
                    let v = r.get(c).unwrap_or("");
                    Some(Sector::parse(v).ok_or_else(|| {
                        format!("unknown sector {v:?} (expected liberal or hospital)")
                    })?)
                }
                None => None,
            };
            let count = non_negative(&t, r, cn, "count")?;
            if !seen.insert((code.clone(), specialty.clone(), sector, s.clone())) {
                return Err("stratum given twice for this code, specialty and sector".into());
            }
            Ok(ConsumptionRow {
                code: code.clone(),
                specialty,
                sector,
                stratum: s,
                count,
                line: *line,
            })
        })();
        match parsed {
            Ok(row) => out.rows.push(row),
            Err(e) => rejects.push(&t.file, *line, &code, e),
        }
    }
    Ok(out)
}

/// Reads the reference-rate table.
pub fn read_rates(
    path: &Path,
    cols: &RateColumns,
    rejects: &mut Rejects,
) -> Result<RateTable, ConsumptionError> {
    let t = Table::read(path, true, rejects)?;
    let csp = require(&t, &cols.specialty)?;
    let cr = require(&t, &cols.rate)?;
    let (ca, cs, cse) = (t.col(&cols.age_band), t.col(&cols.sex), t.col(&cols.sector));
    let mut out = RateTable {
        source: t.file.clone(),
        dims: Dims {
            age: ca.is_some(),
            sex: cs.is_some(),
        },
        rates: BTreeMap::new(),
    };
    for (line, r) in &t.rows {
        let specialty = r.get(csp).unwrap_or("").trim().to_string();
        let parsed = (|| {
            if specialty.is_empty() {
                return Err("missing specialty".to_string());
            }
            let s = stratum(r, ca, cs)?;
            let sector = match cse.map(|c| r.get(c).unwrap_or("").trim()) {
                None | Some("") | Some("all") => None,
                Some(v) => Some(Sector::parse(v).ok_or_else(|| {
                    format!("unknown sector {v:?} (expected liberal, hospital or all)")
                })?),
            };
            let rate = non_negative(&t, r, cr, "rate")?;
            Ok(((specialty.clone(), sector, s), rate))
        })();
        match parsed {
            Ok((key, rate)) => match out.rates.entry(key) {
                Entry::Vacant(e) => {
                    e.insert(rate);
                }
                Entry::Occupied(_) => {
                    rejects.push(&t.file, *line, &specialty, "stratum given twice")
                }
            },
            Err(e) => rejects.push(&t.file, *line, &specialty, e),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn unit_codes() {
        assert!(is_unit_code("93055"));
        assert!(is_unit_code("930550101"));
        assert!(is_unit_code("2A0040000"));
        assert!(!is_unit_code("9305501"));
        assert!(!is_unit_code("93055010X"));
        assert_eq!(commune_of("930550101"), "93055");
    }

    #[test]
    fn population_with_semicolons_insee_sexes_and_rejects() {
        let f = file(
            "code;age_band;sex;population\n\
             93055;0-59;1;100,5\n93055;0-59;2;110\n93055;0-59;F;3\n\
             9305;0-59;1;5\n93001;60+;X;4\n93001;60+;1;-2\n",
        );
        let mut r = Rejects::default();
        let p = read_population(f.path(), &PopulationColumns::default(), &mut r).unwrap();
        assert_eq!(
            p.dims,
            Dims {
                age: true,
                sex: true
            }
        );
        assert_eq!(p.cells.len(), 2);
        let k = (
            "93055".to_string(),
            Stratum {
                age_band: "0-59".into(),
                sex: "M".into(),
            },
        );
        assert_eq!(p.cells[&k], 100.5);
        let lines: Vec<u64> = r.items.iter().map(|x| x.line).collect();
        assert_eq!(lines, [4, 5, 6, 7]);
        assert!(r.items[0].reason.contains("twice"));
        assert!(r.items[2].reason.contains("unknown sex"));
        assert!(r.items[3].reason.contains("negative"));
    }

    #[test]
    fn consumption_checks_codes_bands_sectors_and_duplicates() {
        let p = file("code,age_band,population\n93055,0-59,10\n93055,60+,5\n");
        let mut r = Rejects::default();
        let pop = read_population(p.path(), &PopulationColumns::default(), &mut r).unwrap();
        assert_eq!(
            pop.dims,
            Dims {
                age: true,
                sex: false
            }
        );
        let c = file(
            "CODE,Specialty,age_band,count,sector\n\
             93055,cardio,0-59,4,libéral\n93055,cardio,0-59,1,H\n\
             93001,cardio,0-59,4,L\n93055,cardio,80+,4,L\n93055,cardio,60+,4,X\n\
             93055,cardio,60+,abc,L\n93055,cardio,0-59,2,liberal\n93055,,60+,1,L\n",
        );
        let cons =
            read_consumption(c.path(), &ConsumptionColumns::default(), &pop, &mut r).unwrap();
        assert!(cons.has_sector);
        assert_eq!(cons.rows.len(), 2);
        assert_eq!(cons.rows[1].sector, Some(Sector::Hospital));
        let reasons: Vec<&str> = r.items.iter().map(|x| x.reason.as_str()).collect();
        assert_eq!(reasons.len(), 6, "{reasons:?}");
        assert!(reasons[0].contains("not in the population"));
        assert!(reasons[1].contains("age band"));
        assert!(reasons[2].contains("sector"));
        assert!(reasons[3].contains("not a number"));
        assert!(reasons[4].contains("twice"));
        assert!(reasons[5].contains("specialty"));
    }

    #[test]
    fn configurable_column_names_and_missing_column_error() {
        let p = file("insee,pop\n93055,10\n");
        let cols = PopulationColumns {
            code: "insee".into(),
            population: "pop".into(),
            ..PopulationColumns::default()
        };
        let pop = read_population(p.path(), &cols, &mut Rejects::default()).unwrap();
        assert_eq!(pop.dims, Dims::default());
        let e = read_population(
            p.path(),
            &PopulationColumns::default(),
            &mut Rejects::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("\"code\""), "{e}");
    }

    #[test]
    fn age_bands_of_the_consumption() {
        let c = file("code,specialty,age_band,count\n93055,a,0-14,1\n93055,a,15+,2\n93001,a,0-14,3\n93001,a,,3\n");
        let b = read_age_bands(c.path(), &ConsumptionColumns::default()).unwrap();
        assert_eq!(b.unwrap().into_iter().collect::<Vec<_>>(), ["0-14", "15+"]);
        let c = file("code,specialty,count\n93055,a,1\n");
        assert_eq!(
            read_age_bands(c.path(), &ConsumptionColumns::default()).unwrap(),
            None
        );
    }

    #[test]
    fn rates_with_optional_sector() {
        let f = file(
            "specialty,sex,rate,sector\ncardio,M,0.5,\ncardio,M,0.2,liberal\ncardio,M,0.3,all\n",
        );
        let mut r = Rejects::default();
        let t = read_rates(f.path(), &RateColumns::default(), &mut r).unwrap();
        assert_eq!(t.rates.len(), 2);
        assert_eq!(r.len(), 1);
        assert_eq!(r.items[0].line, 4);
    }
}
