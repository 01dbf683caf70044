//! Annuaire Santé extraction of the demo territory
//! (`PS_LibreAcces_Personne_activite_demo.txt`, layout of the published file as read by
//! [`crate::inputs::supply::annuaire`]: `|`-separated, trailing `|`, the 56-column header of the
//! 2025 releases).
//!
//! Per commune with BAN addresses, of population P (its Filosofi cells): `P / 1,100` GPs
//! (SM54; salaried in a centre de santé, SA05, one time in ten), `P / 9,000` radiologists
//! (SM44), `P / 18,000` gastro-enterologists (SM24), `P / 12,000` gynaecologists (SM20),
//! `P / 13,000` ophthalmologists (SM38), `P / 2,800` pharmacists (profession 21) and
//! `P / 9,000` midwives (profession 50), each rounded, at a random BAN address of the
//! commune. One doctor in sixteen has a second activity in another commune. Five rows are
//! deliberately broken, appended at the end: one without address (rejected), one without
//! `Identifiant PP` (rejected), one with the unknown savoir-faire `SM99` (outside the
//! categories), one on a street the BAN does not know (geocoded at the commune) and one
//! exact repetition of the first row (a duplicate).

use super::super::rng::SplitMix64;
use super::addresses::BanAddress;
use super::cells::Grid;
use super::communes::CommuneMap;

/// File name of the extraction.
pub const ANNUAIRE_FILE: &str = "PS_LibreAcces_Personne_activite_demo.txt";

/// File name of the extraction ten years earlier (the demo's snapshot `2016`).
pub const ANNUAIRE_2016_FILE: &str = "PS_LibreAcces_Personne_activite_2016_demo.txt";

/// The header of the published extraction (2025 releases).
pub const HEADER: [&str; 56] = [
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
    "Code rôle",
    "Libellé rôle",
    "Code genre activité",
    "Libellé genre activité",
];

/// Kinds of professional: profession code, savoir-faire code and label, inhabitants per
/// professional.
const KINDS: [(&str, &str, &str, &str, f64); 7] = [
    ("10", "Médecin", "SM54", "Médecine Générale", 1_100.0),
    ("10", "Médecin", "SM44", "Radio-diagnostic", 9_000.0),
    (
        "10",
        "Médecin",
        "SM24",
        "Gastro-entérologie et hépatologie",
        18_000.0,
    ),
    ("10", "Médecin", "SM20", "Gynécologie-obstétrique", 12_000.0),
    ("10", "Médecin", "SM38", "Ophtalmologie", 13_000.0),
    ("21", "Pharmacien", "", "", 2_800.0),
    ("50", "Sage-Femme", "", "", 9_000.0),
];

/// Family names drawn for the professionals.
const SURNAMES: [&str; 16] = [
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
    "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID",
];
/// First names drawn for the professionals.
const FIRST_NAMES: [&str; 12] = [
    "CLAIRE", "LUC", "SOPHIE", "KARIM", "NADIA", "PIERRE", "ANNE", "YANN", "INÈS", "PAUL", "FATOU",
    "JULIE",
];
/// Street types split off the BAN name as the extraction gives them: label and code.
const STREET_TYPES: [(&str, &str); 4] = [
    ("Rue", "R"),
    ("Avenue", "AV"),
    ("Impasse", "IMP"),
    ("Allée", "ALL"),
];

/// The extraction's data rows, each a field per [`HEADER`] column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extraction {
    /// Rows in file order.
    pub rows: Vec<Vec<String>>,
    /// How many of them are deliberately broken (the last ones).
    pub broken: usize,
}

/// One activity's values, by column name.
struct Activity<'a> {
    pp: String,
    surname: &'a str,
    first: &'a str,
    kind: (&'a str, &'a str, &'a str, &'a str, f64),
    salaried: bool,
    address: Option<&'a BanAddress>,
}

/// Lays out the professionals and their activities.
pub fn professionals(map: &CommuneMap, grid: &Grid, ban: &[BanAddress], seed: u64) -> Extraction {
    let pops = grid.population_by_commune(map.communes.len());
    let mut by_commune: Vec<Vec<&BanAddress>> = vec![Vec::new(); map.communes.len()];
    for a in ban {
        by_commune[a.commune].push(a);
    }
    let served: Vec<usize> = (0..map.communes.len())
        .filter(|&c| !by_commune[c].is_empty())
        .collect();
    let mut rng = SplitMix64::derive(seed, 900_000_003);
    let mut out = Extraction::default();
    let mut n = 0;
    for &c in &served {
        for kind in KINDS {
            let count = (pops[c] / kind.4).round() as usize;
            for _ in 0..count {
                n += 1;
                let address = *rng.pick(&by_commune[c]);
                let act = Activity {
                    pp: format!("1099{n:07}"),
                    surname: rng.pick::<&str>(&SURNAMES),
                    first: rng.pick::<&str>(&FIRST_NAMES),
                    kind,
                    salaried: kind.2 == "SM54" && rng.chance(0.1),
                    address: Some(address),
                };
                out.rows.push(row(map, &act, None));
                if kind.0 == "10" && served.len() > 1 && rng.chance(1.0 / 16.0) {
                    let other = served[(served.iter().position(|&s| s == c).unwrap_or(0)
                        + 1
                        + rng.below(served.len() as u64 - 1) as usize)
                        % served.len()];
                    let second = Activity {
                        address: Some(*rng.pick(&by_commune[other])),
                        salaried: false,
                        ..act
                    };
                    out.rows.push(row(map, &second, None));
                }
            }
        }
    }
    let Some(first) = out.rows.first().cloned() else {
        return out;
    };
    let gp = |pp: String, address| Activity {
        pp,
        surname: "DEMO",
        first: "CAS",
        kind: KINDS[0],
        salaried: false,
        address,
    };
    let some_address = ban.first();
    out.rows
        .push(row(map, &gp(format!("1099{:07}", n + 1), None), None));
    out.rows
        .push(row(map, &gp(String::new(), some_address), None));
    let mut unknown = gp(format!("1099{:07}", n + 2), some_address);
    unknown.kind = ("10", "Médecin", "SM99", "Savoir-faire inconnu", 0.0);
    out.rows.push(row(map, &unknown, None));
    out.rows.push(row(
        map,
        &gp(format!("1099{:07}", n + 3), some_address),
        Some("RUE IMAGINAIRE"),
    ));
    out.rows.push(first);
    out.broken = 5;
    out
}

/// The extraction ten years earlier, derived from today's `ex`: the GPs who settled since
/// are not in it (every GP whose identifier is a multiple of 6), and GPs who have retired
/// since are (one for each GP whose identifier is 1 modulo 4, practising at that GP's
/// first address under the identifier `1098…` of the same number). Other professions and
/// the broken rows are as today.
pub fn earlier(ex: &Extraction) -> Extraction {
    const PP: usize = 1;
    const NATIONAL: usize = 2;
    const SURNAME: usize = 7;
    const SAVOIR_FAIRE: usize = 15;
    let data = ex.rows.len() - ex.broken;
    let number = |row: &[String]| row[PP].get(4..).and_then(|n| n.parse::<u64>().ok());
    let gp = |row: &[String]| row[SAVOIR_FAIRE] == "SM54";
    let mut out = Extraction {
        rows: Vec::new(),
        broken: ex.broken,
    };
    let mut retired = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for row in &ex.rows[..data] {
        let n = number(row);
        if gp(row) && n.is_some_and(|n| n % 6 == 0) {
            continue;
        }
        out.rows.push(row.clone());
        if let Some(n) = n.filter(|&n| gp(row) && n % 4 == 1 && seen.insert(n)) {
            let mut r = row.clone();
            r[PP] = format!("1098{n:07}");
            r[NATIONAL] = format!("81098{n:07}");
            r[SURNAME] = format!("{} AINE", row[SURNAME]);
            retired.push(r);
        }
    }
    out.rows.extend(retired);
    out.rows.extend(ex.rows[data..].iter().cloned());
    out
}

/// The fields of one activity; `street` overrides the street label.
fn row(map: &CommuneMap, a: &Activity, street: Option<&str>) -> Vec<String> {
    let (profession, profession_label, sf, sf_label, _) = a.kind;
    let doctor = profession == "10";
    let mut number = String::new();
    let mut rep = String::new();
    let mut type_code = "";
    let mut type_label = "";
    let mut voie = String::new();
    let mut postcode = String::new();
    let mut code = String::new();
    let mut commune = String::new();
    let mut bureau = String::new();
    if let Some(b) = a.address {
        let c = &map.communes[b.commune];
        number = b.number.to_string();
        rep = if b.rep.is_empty() {
            String::new()
        } else {
            "B".into()
        };
        voie = b.name.to_uppercase();
        for (label, short) in STREET_TYPES {
            if let Some(rest) = b.name.strip_prefix(label).and_then(|r| r.strip_prefix(' ')) {
                type_code = short;
                type_label = label;
                voie = rest.to_uppercase();
            }
        }
        if let Some(s) = street {
            type_code = "";
            type_label = "";
            voie = s.to_string();
        }
        postcode = c.postcode.clone();
        code = c.code.clone();
        commune = c.name.to_uppercase();
        bureau = format!("{} {}", c.postcode, commune);
    }
    let (sector, sector_label) = if a.salaried {
        ("SA05", "Centre de santé")
    } else if profession == "21" {
        ("SA33", "Pharmacie d'officine")
    } else {
        ("SA07", "Cabinet individuel")
    };
    let structure = format!("C{}00", a.pp);
    let value = |column: &str| -> String {
        match column {
            "Type d'identifiant PP" => "8".into(),
            "Identifiant PP" => a.pp.clone(),
            "Identification nationale PP" => format!("8{}", a.pp),
            "Code civilité d'exercice" if doctor => "DR".into(),
            "Libellé civilité d'exercice" if doctor => "Docteur".into(),
            "Nom d'exercice" => a.surname.into(),
            "Prénom d'exercice" => a.first.into(),
            "Code profession" => profession.into(),
            "Libellé profession" => profession_label.into(),
            "Code catégorie professionnelle" => "C".into(),
            "Libellé catégorie professionnelle" => "Civil".into(),
            "Code type savoir-faire" if !sf.is_empty() => "S".into(),
            "Libellé type savoir-faire" if !sf.is_empty() => "Spécialité ordinale".into(),
            "Code savoir-faire" => sf.into(),
            "Libellé savoir-faire" => sf_label.into(),
            "Code mode exercice" => if a.salaried { "S" } else { "L" }.into(),
            "Libellé mode exercice" => if a.salaried { "Salarié" } else { "Libéral" }.into(),
            "Identifiant technique de la structure" => structure.clone(),
            "Raison sociale site" | "Enseigne commerciale site" => {
                format!("CABINET {} {}", a.first, a.surname)
            }
            "Numéro Voie (coord. structure)" => number.clone(),
            "Indice répétition voie (coord. structure)" => rep.clone(),
            "Code type de voie (coord. structure)" => type_code.into(),
            "Libellé type de voie (coord. structure)" => type_label.into(),
            "Libellé Voie (coord. structure)" => voie.clone(),
            "Bureau cedex (coord. structure)" => bureau.clone(),
            "Code postal (coord. structure)" => postcode.clone(),
            "Code commune (coord. structure)" => code.clone(),
            "Libellé commune (coord. structure)" => commune.clone(),
            "Code pays (coord. structure)" => "99000".into(),
            "Libellé pays (coord. structure)" => "France".into(),
            "Code Département (structure)" => super::DEPARTEMENT.into(),
            "Libellé Département (structure)" => "Seine-Saint-Denis".into(),
            "Ancien identifiant de la structure" => format!("0{structure}"),
            "Autorité d'enregistrement" => "CNOM/CNOM/CNOM".into(),
            "Code secteur d'activité" => sector.into(),
            "Libellé secteur d'activité" => sector_label.into(),
            "Code genre activité" => "GENR01".into(),
            "Libellé genre activité" => "Activité standard de soin ou de pharmacien".into(),
            _ => String::new(),
        }
    };
    HEADER.iter().map(|c| value(c)).collect()
}

/// The extraction's text: header and rows, `|`-separated with a trailing `|`.
pub fn annuaire_txt(ex: &Extraction) -> Vec<u8> {
    let mut s = String::new();
    for line in std::iter::once(HEADER.map(String::from).to_vec()).chain(ex.rows.iter().cloned()) {
        s.push_str(&line.join("|"));
        s.push_str("|\n");
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_without_address_has_every_column_and_blank_address_fields() {
        let map_free = Activity {
            pp: "10990000001".into(),
            surname: "DEMO",
            first: "CAS",
            kind: KINDS[0],
            salaried: true,
            address: None,
        };
        let l93 = crate::support::crs::Reprojector::from_epsg(2154).unwrap();
        let map = CommuneMap {
            communes: Vec::new(),
            bbox: [0.0, 0.0, 1.0, 1.0],
            towns: Vec::new(),
            l93,
        };
        let r = row(&map, &map_free, None);
        assert_eq!(r.len(), HEADER.len());
        let at = |c: &str| &r[HEADER.iter().position(|h| *h == c).unwrap()];
        assert_eq!(at("Identifiant PP"), "10990000001");
        assert_eq!(at("Code savoir-faire"), "SM54");
        assert_eq!(at("Code mode exercice"), "S");
        assert_eq!(at("Code secteur d'activité"), "SA05");
        assert_eq!(at("Code commune (coord. structure)"), "");
        assert_eq!(at("Code postal (coord. structure)"), "");
    }

    #[test]
    fn ten_years_earlier_some_gps_were_not_there_yet_and_others_not_retired() {
        let row = |pp: &str, sf: &str| {
            let mut r = vec![String::new(); HEADER.len()];
            r[1] = pp.to_string();
            r[15] = sf.to_string();
            r
        };
        let today = Extraction {
            rows: vec![
                row("10990000001", "SM54"),
                row("10990000006", "SM54"),
                row("10990000012", "SM44"),
                row("10990000001", "SM54"),
                row("", "SM54"),
            ],
            broken: 1,
        };
        let then = earlier(&today);
        let ids: Vec<&str> = then.rows.iter().map(|r| r[1].as_str()).collect();
        // GP 6 settled since; GP 1 (two activities) had a colleague, retired since.
        assert_eq!(
            ids,
            [
                "10990000001",
                "10990000012",
                "10990000001",
                "10980000001",
                ""
            ]
        );
        assert_eq!(then.rows[3][2], "810980000001");
        assert_eq!(then.broken, 1);
    }
}
