//! Territories defined as lists of communes (CPTS, TVS, EPT…) and their polygons, the union
//! of their member communes' polygons.
//!
//! Table layouts read by [`read_membership_csv`], recognised by their header (names compared
//! ignoring case; other columns are ignored; the separator sniffed from the header by the
//! input contract, [`crate::inputs::text::separator`]):
//! - **named long**: one row per (territory, commune), the territory column named after its
//!   kind (`cpts`, `tvs`, `ept`, `territoire`) and the commune's INSEE code in `code_insee`,
//!   as the shared CPTS table `cpts,code_insee,commune,basis` (screening-centre report 2023,
//!   where a CPTS has no code: its name is its code);
//! - **generic long**: `territory_code,territory_name,commune_code` (`territory_name`
//!   optional);
//! - **wide**: `code;name;communes`, one row per territory, the communes separated by `|` or
//!   `,` inside the field (quoted when it holds the separator).
//!
//! [`read_ept_json`] reads the EPT list of `@etalab/decoupage-administratif` (6.0.0,
//! `data/epci.json` filtered on `type = "EPT"`): an array of `{code, nom, type, membres:
//! [{code, nom, …}]}`.
//!
//! Tables are decoded by the input contract ([`crate::inputs::text::decode`]: UTF-8, a BOM
//! skipped, other lines Windows-1252 or ISO-8859-15, named in a warning). A commune may belong
//! to several territories. A commune code must be an INSEE code, five
//! characters, digits except `2A` / `2B` for Corsica; other rows are rejected.

use super::{TerritoryError, Unit, UnitLayer};
use crate::inputs::error::InputError;
use crate::support::rejects::Rejects;
use geo::orient::Direction;
use geo::{unary_union, Orient};
use std::collections::HashSet;
use std::path::Path;

/// One member commune of a territory and where it was listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// INSEE code of the commune.
    pub commune: String,
    /// 1-based line of the table that listed it (0 in a JSON document).
    pub line: u64,
}

/// A territory and its member communes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Territory {
    /// Its code (its name when the table gives none).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its member communes, in table order, each once.
    pub members: Vec<Member>,
}

/// Territories of one kind read from a table, in order of first appearance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    /// Kind of territory (`cpts`, `ept`, … or `territory` when the table does not say).
    pub kind: String,
    /// File the table came from.
    pub source: String,
    /// The territories.
    pub territories: Vec<Territory>,
}

/// Layouts named in the error when a header matches none.
const EXPECTED: &str = "named long `cpts|tvs|ept|territoire,code_insee[,commune,…]`; \
generic long `territory_code[,territory_name],commune_code`; \
wide `code;name;communes` (communes separated by `|` or `,`)";

/// Territory column names of the named long layout.
const NAMED_KINDS: [&str; 4] = ["cpts", "tvs", "ept", "territoire"];

/// Whether `code` looks like an INSEE commune code (`93010`, `2A004`).
pub fn is_commune_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && b[0].is_ascii_digit()
        && (b[1].is_ascii_digit() || b[1] == b'A' || b[1] == b'B')
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// How the columns of a table map to territories and communes.
enum Layout {
    /// One row per (territory, commune).
    Long {
        code: usize,
        name: Option<usize>,
        commune: usize,
    },
    /// One row per territory, communes in one field.
    Wide {
        code: usize,
        name: usize,
        communes: usize,
    },
}

/// The layout and kind of territory a header describes.
fn detect(header: &[String]) -> Option<(Layout, String)> {
    let col = |n: &str| header.iter().position(|h| h.eq_ignore_ascii_case(n));
    if let (Some(kind), Some(commune)) = (
        NAMED_KINDS.iter().find(|k| col(k).is_some()),
        col("code_insee"),
    ) {
        let code = col(kind)?;
        let layout = Layout::Long {
            code,
            name: None,
            commune,
        };
        return Some((layout, kind.to_string()));
    }
    if let (Some(code), Some(commune)) = (col("territory_code"), col("commune_code")) {
        let name = col("territory_name");
        return Some((
            Layout::Long {
                code,
                name,
                commune,
            },
            "territory".into(),
        ));
    }
    if let (Some(code), Some(name), Some(communes)) = (col("code"), col("name"), col("communes")) {
        return Some((
            Layout::Wide {
                code,
                name,
                communes,
            },
            "territory".into(),
        ));
    }
    None
}

/// Collects territories in order of first appearance.
#[derive(Default)]
struct Builder {
    territories: Vec<Territory>,
    seen: HashSet<(String, String)>,
}

impl Builder {
    /// Adds `commune` to territory `code` (created with `name` if new), or says why not.
    fn add(&mut self, code: &str, name: &str, commune: &str, line: u64) -> Result<(), String> {
        if code.is_empty() {
            return Err("no territory code".into());
        }
        let commune = commune.trim().to_ascii_uppercase();
        if !is_commune_code(&commune) {
            return Err(format!("{commune:?} is not an INSEE commune code"));
        }
        if !self.seen.insert((code.to_string(), commune.clone())) {
            return Err(format!("commune {commune} listed twice for {code}"));
        }
        let t = match self.territories.iter().position(|t| t.code == code) {
            Some(i) => &mut self.territories[i],
            None => {
                self.territories.push(Territory {
                    code: code.to_string(),
                    name: if name.is_empty() { code } else { name }.to_string(),
                    members: Vec::new(),
                });
                self.territories.last_mut().expect("just pushed")
            }
        };
        t.members.push(Member { commune, line });
        Ok(())
    }
}

/// Reads a "territory → communes" table in one of the layouts of the module documentation.
pub fn read_membership_csv(
    path: &Path,
    rejects: &mut Rejects,
) -> Result<Membership, TerritoryError> {
    let file = path.display().to_string();
    let open_err = |e: std::io::Error| InputError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let bytes = std::fs::read(path).map_err(open_err)?;
    let decoded = crate::inputs::text::decode(&bytes);
    if let Some(note) = decoded.note() {
        tracing::warn!("{file}: {note}");
    }
    let text = decoded.text.as_ref();
    let first = text.lines().next().unwrap_or("");
    let delimiter = crate::inputs::text::separator(first);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let parse_err = |line: u64, e: csv::Error| TerritoryError::Parse {
        file: path.to_path_buf(),
        line,
        reason: e.to_string(),
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| parse_err(1, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let (layout, kind) = detect(&header).ok_or_else(|| TerritoryError::Layout {
        file: path.to_path_buf(),
        header: first.to_string(),
        expected: EXPECTED.to_string(),
    })?;
    let mut b = Builder::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            parse_err(line, e)
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        match layout {
            Layout::Long {
                code,
                name,
                commune,
            } => {
                let name = name.map_or("", field);
                if let Err(reason) = b.add(field(code), name, field(commune), line) {
                    rejects.push(&file, line, field(code), reason);
                }
            }
            Layout::Wide {
                code,
                name,
                communes,
            } => {
                let list: Vec<&str> = field(communes)
                    .split(['|', ','])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect();
                if list.is_empty() {
                    rejects.push(&file, line, field(code), "territory without communes");
                }
                for commune in list {
                    if let Err(reason) = b.add(field(code), field(name), commune, line) {
                        rejects.push(&file, line, field(code), reason);
                    }
                }
            }
        }
    }
    Ok(Membership {
        kind,
        source: file,
        territories: b.territories,
    })
}

/// One EPT of `@etalab/decoupage-administratif`.
#[derive(serde::Deserialize)]
struct EtalabGroup {
    code: String,
    nom: String,
    membres: Vec<EtalabMember>,
}

/// One member commune of an EPT.
#[derive(serde::Deserialize)]
struct EtalabMember {
    code: String,
}

/// Reads the EPT of `@etalab/decoupage-administratif` (`etalab_ept.json`): kind `ept`, code
/// the EPT's SIREN, members the communes' INSEE codes.
pub fn read_ept_json(path: &Path, rejects: &mut Rejects) -> Result<Membership, TerritoryError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InputError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let groups: Vec<EtalabGroup> =
        serde_json::from_slice(&bytes).map_err(|e| TerritoryError::Parse {
            file: path.to_path_buf(),
            line: e.line() as u64,
            reason: e.to_string(),
        })?;
    let mut b = Builder::default();
    for g in &groups {
        if g.membres.is_empty() {
            rejects.push(&file, 0, &g.code, "territory without communes");
        }
        for m in &g.membres {
            if let Err(reason) = b.add(g.code.trim(), g.nom.trim(), &m.code, 0) {
                rejects.push(&file, 0, &g.code, reason);
            }
        }
    }
    Ok(Membership {
        kind: "ept".into(),
        source: file,
        territories: b.territories,
    })
}

/// Territories made polygons, and the member communes that had none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dissolved {
    /// One unit per territory with at least one known commune; population the sum of its
    /// members' when all of them have one.
    pub layer: UnitLayer,
    /// `(territory code, commune code)` of members absent from the commune layer.
    pub missing: Vec<(String, String)>,
}

/// Unions the polygons of each territory's member communes (looked up by code in
/// `communes`). Members absent from `communes` are listed in [`Dissolved::missing`] and
/// rejected; a territory with no known member is rejected whole.
pub fn dissolve(membership: &Membership, communes: &UnitLayer, rejects: &mut Rejects) -> Dissolved {
    let by_code: std::collections::HashMap<&str, &Unit> = communes
        .units
        .iter()
        .map(|u| (u.code.as_str(), u))
        .collect();
    let mut out = Dissolved {
        layer: UnitLayer {
            kind: membership.kind.clone(),
            ..UnitLayer::default()
        },
        missing: Vec::new(),
    };
    for t in &membership.territories {
        let mut parts = Vec::with_capacity(t.members.len());
        for m in &t.members {
            match by_code.get(m.commune.as_str()) {
                Some(u) => parts.push(*u),
                None => {
                    out.missing.push((t.code.clone(), m.commune.clone()));
                    rejects.push(
                        &membership.source,
                        m.line,
                        &t.code,
                        format!("member commune {} absent from the commune layer", m.commune),
                    );
                }
            }
        }
        if parts.is_empty() {
            rejects.push(
                &membership.source,
                0,
                &t.code,
                "no member commune in the commune layer: territory left without polygon",
            );
            continue;
        }
        let geometry = unary_union(parts.iter().map(|u| &u.geometry)).orient(Direction::Default);
        let population = parts.iter().map(|u| u.population).sum::<Option<f64>>();
        out.layer.units.push(Unit {
            kind: membership.kind.clone(),
            code: t.code.clone(),
            name: t.name.clone(),
            geometry,
            population,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area, MultiPolygon};
    use std::io::Write;

    fn table(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    fn codes(m: &Membership, t: usize) -> Vec<&str> {
        m.territories[t]
            .members
            .iter()
            .map(|x| x.commune.as_str())
            .collect()
    }

    #[test]
    fn commune_codes() {
        assert!(is_commune_code("93010"));
        assert!(is_commune_code("2A004"));
        assert!(!is_commune_code("9301"));
        assert!(!is_commune_code("2C004"));
        assert!(!is_commune_code("Bondy"));
    }

    #[test]
    fn named_long_layout_of_the_cpts_table() {
        let f = table(
            "cpts,code_insee,commune,basis\n\
             CPTS BLLR,93006,Bagnolet,listed\n\
             CPTS BLLR,93045,Les Lilas,listed\n\
             CPTS Pantin,93055,Pantin,listed\n\
             CPTS Pantin,93055,Pantin,name\n\
             CPTS Pantin,Pantin,Pantin,name\n",
        );
        let mut r = Rejects::default();
        let m = read_membership_csv(f.path(), &mut r).unwrap();
        assert_eq!(m.kind, "cpts");
        assert_eq!(m.territories.len(), 2);
        assert_eq!(m.territories[0].code, "CPTS BLLR");
        assert_eq!(m.territories[0].name, "CPTS BLLR");
        assert_eq!(codes(&m, 0), ["93006", "93045"]);
        assert_eq!(m.territories[0].members[1].line, 3);
        assert_eq!(codes(&m, 1), ["93055"]);
        assert_eq!(r.len(), 2);
        assert_eq!(r.items[0].line, 5);
        assert!(r.items[0].reason.contains("twice"));
        assert!(r.items[1].reason.contains("not an INSEE"));
    }

    #[test]
    fn generic_long_layout_with_a_commune_in_two_territories() {
        let f = table(
            "\u{feff}territory_code,territory_name,commune_code\n\
             T1,Nord,93001\nT2,Sud,93001\nT1,Nord,93066\n,Vide,93010\n",
        );
        let mut r = Rejects::default();
        let m = read_membership_csv(f.path(), &mut r).unwrap();
        assert_eq!(m.kind, "territory");
        assert_eq!(m.territories.len(), 2);
        assert_eq!(codes(&m, 0), ["93001", "93066"]);
        assert_eq!(codes(&m, 1), ["93001"]);
        assert_eq!(m.territories[1].name, "Sud");
        assert_eq!(r.len(), 1);
        assert_eq!(r.items[0].line, 5);
    }

    #[test]
    fn wide_layout_with_pipes_or_quoted_commas() {
        let f = table(
            "code;name;communes\n\
             C1;Est;93010|93046\n\
             C2;Ouest;\"93001, 93066,93070\"\n\
             C3;Rien;\n",
        );
        let mut r = Rejects::default();
        let m = read_membership_csv(f.path(), &mut r).unwrap();
        assert_eq!(m.territories.len(), 2);
        assert_eq!(codes(&m, 0), ["93010", "93046"]);
        assert_eq!(codes(&m, 1), ["93001", "93066", "93070"]);
        assert_eq!(r.len(), 1);
        assert_eq!(r.items[0].id, "C3");
    }

    #[test]
    fn latin1_tables_are_decoded() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"cpts;code_insee\nCPTS Fant\xf4me;93010\n")
            .unwrap();
        let m = read_membership_csv(f.path(), &mut Rejects::default()).unwrap();
        assert_eq!(m.territories[0].code, "CPTS Fantôme");
    }

    #[test]
    fn unknown_header_lists_the_layouts() {
        let f = table("a,b,c\n1,2,3\n");
        let e = read_membership_csv(f.path(), &mut Rejects::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("\"a,b,c\""), "{msg}");
        assert!(
            msg.contains("territory_code") && msg.contains("code;name;communes"),
            "{msg}"
        );
    }

    fn square(code: &str, x: f64, pop: Option<f64>) -> Unit {
        Unit {
            kind: "commune".into(),
            code: code.into(),
            name: code.into(),
            geometry: MultiPolygon(vec![polygon![
                (x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0), (x: x, y: 0.0)
            ]]),
            population: pop,
        }
    }

    #[test]
    fn dissolve_merges_adjacent_squares_and_reports_missing_communes() {
        let communes = UnitLayer {
            kind: "commune".into(),
            units: vec![
                square("93001", 0.0, Some(10.0)),
                square("93002", 1.0, Some(5.0)),
                square("93003", 5.0, None),
            ],
            repaired: vec![],
        };
        let m = Membership {
            kind: "cpts".into(),
            source: "t.csv".into(),
            territories: vec![
                Territory {
                    code: "A".into(),
                    name: "A".into(),
                    members: ["93001", "93002", "93099"]
                        .iter()
                        .enumerate()
                        .map(|(i, c)| Member {
                            commune: c.to_string(),
                            line: i as u64 + 2,
                        })
                        .collect(),
                },
                Territory {
                    code: "B".into(),
                    name: "B".into(),
                    members: vec![Member {
                        commune: "93098".into(),
                        line: 5,
                    }],
                },
                Territory {
                    code: "C".into(),
                    name: "C".into(),
                    members: vec![
                        Member {
                            commune: "93002".into(),
                            line: 6,
                        },
                        Member {
                            commune: "93003".into(),
                            line: 7,
                        },
                    ],
                },
            ],
        };
        let mut r = Rejects::default();
        let d = dissolve(&m, &communes, &mut r);
        assert_eq!(d.layer.kind, "cpts");
        assert_eq!(d.layer.units.len(), 2);
        let a = &d.layer.units[0];
        assert_eq!(a.geometry.0.len(), 1, "{:?}", a.geometry);
        assert!(a.geometry.0[0].interiors().is_empty());
        assert!((a.geometry.unsigned_area() - 2.0).abs() < 1e-12);
        assert_eq!(a.population, Some(15.0));
        let c = &d.layer.units[1];
        assert_eq!(c.geometry.0.len(), 2);
        assert_eq!(c.population, None);
        assert_eq!(
            d.missing,
            vec![("A".into(), "93099".into()), ("B".into(), "93098".into())]
        );
        assert_eq!(r.len(), 3);
        assert_eq!(r.items[0].line, 4);
        assert!(r.items[2].reason.contains("without polygon"));
    }
}
