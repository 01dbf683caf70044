//! Categories of care defined from Annuaire Santé (RPPS) codes: a profession code and,
//! optionally, a list of savoir-faire (specialty) codes.
//!
//! The mapping is data, not code: it is read from the study file (TOML, `[[category]]`
//! tables) and [`CategoryMap::default_french`] ships the defaults of the project's domain notes
//! (`DOMAIN.md`, "Categories of care from the published codes"): médecin = profession 10 with
//! the savoir-faire of each specialty (general practice SM26/SM53/SM54, radiology
//! SM44/SM55/SM74, …), and the other professions by their code alone (21 pharmacien,
//! 40 chirurgien-dentiste, 50 sage-femme, 60 infirmier, 70 masseur-kinésithérapeute,
//! 91 orthophoniste).
//!
//! A row belongs to the first category, in the order they are listed, whose profession list
//! holds its profession code and whose savoir-faire list is empty or holds its savoir-faire.

use serde::{Deserialize, Serialize};

/// Errors in a category mapping.
#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    /// The TOML text could not be parsed.
    #[error("category mapping: {0}")]
    Toml(#[from] toml::de::Error),
    /// Two categories share a name.
    #[error("category mapping: category {0:?} is defined twice")]
    Duplicate(String),
    /// A category lists no profession code.
    #[error("category mapping: category {0:?} lists no profession code")]
    NoProfession(String),
    /// A category has an empty name.
    #[error("category mapping: a category has an empty name")]
    EmptyName,
}

/// One category of care.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Name used in outputs ("gp", "radiology").
    pub name: String,
    /// RPPS profession codes ("10" médecin, "21" pharmacien…).
    pub professions: Vec<String>,
    /// Savoir-faire codes ("SM26"…); empty = any savoir-faire, or none.
    #[serde(default)]
    pub savoir_faire: Vec<String>,
}

impl Category {
    fn matches(&self, profession: &str, savoir_faire: Option<&str>) -> bool {
        self.professions.iter().any(|p| p == profession)
            && (self.savoir_faire.is_empty()
                || savoir_faire.is_some_and(|sf| self.savoir_faire.iter().any(|c| c == sf)))
    }
}

/// Ordered list of categories of care. Serialised as `[[category]]` TOML tables.
/// An empty map puts no condition: every row is kept, with no category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryMap {
    /// The categories, in matching order.
    #[serde(rename = "category", default)]
    pub categories: Vec<Category>,
}

impl CategoryMap {
    /// The defaults of the domain notes: gp, radiology, gastroenterology, gynaecology,
    /// ophthalmology, cardiology, dermatology (profession 10 + savoir-faire), then pharmacist
    /// (21), dentist (40), midwife (50), nurse (60), physiotherapist (70), speech_therapist (91).
    pub fn default_french() -> Self {
        let doctor = |name: &str, sf: &[&str]| Category {
            name: name.to_string(),
            professions: vec!["10".to_string()],
            savoir_faire: sf.iter().map(|s| s.to_string()).collect(),
        };
        let profession = |name: &str, code: &str| Category {
            name: name.to_string(),
            professions: vec![code.to_string()],
            savoir_faire: Vec::new(),
        };
        CategoryMap {
            categories: vec![
                doctor("gp", &["SM26", "SM53", "SM54"]),
                doctor("radiology", &["SM44", "SM55", "SM74"]),
                doctor("gastroenterology", &["SM24"]),
                doctor("gynaecology", &["SM19", "SM20", "SM51", "SM52"]),
                doctor("ophthalmology", &["SM38", "SM85"]),
                doctor("cardiology", &["SM04", "SM73", "SM79", "SM80", "SM81"]),
                doctor("dermatology", &["SM15"]),
                profession("pharmacist", "21"),
                profession("dentist", "40"),
                profession("midwife", "50"),
                profession("nurse", "60"),
                profession("physiotherapist", "70"),
                profession("speech_therapist", "91"),
            ],
        }
    }

    /// Parses and checks a mapping written as `[[category]]` TOML tables.
    pub fn from_toml_str(text: &str) -> Result<Self, CategoryError> {
        let map: CategoryMap = toml::from_str(text)?;
        map.validate()?;
        Ok(map)
    }

    /// Checks that names are non-empty and unique and that each category lists a profession.
    pub fn validate(&self) -> Result<(), CategoryError> {
        let mut seen = std::collections::HashSet::new();
        for c in &self.categories {
            if c.name.trim().is_empty() {
                return Err(CategoryError::EmptyName);
            }
            if !seen.insert(c.name.as_str()) {
                return Err(CategoryError::Duplicate(c.name.clone()));
            }
            if c.professions.is_empty() {
                return Err(CategoryError::NoProfession(c.name.clone()));
            }
        }
        Ok(())
    }

    /// Whether the map has no category (every row kept, uncategorised).
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    /// Name of the first category a (profession, savoir-faire) pair belongs to.
    pub fn category_of(&self, profession: &str, savoir_faire: Option<&str>) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.matches(profession, savoir_faire))
            .map(|c| c.name.as_str())
    }

    /// Why a pair belongs to no category, as a counting key: `"profession 26"` when no
    /// category lists the profession, else `"profession 10, savoir-faire SM49"` (or
    /// `"…, no savoir-faire"`).
    pub fn unmapped_reason(&self, profession: &str, savoir_faire: Option<&str>) -> String {
        if self
            .categories
            .iter()
            .any(|c| c.professions.iter().any(|p| p == profession))
        {
            match savoir_faire {
                Some(sf) => format!("profession {profession}, savoir-faire {sf}"),
                None => format!("profession {profession}, no savoir-faire"),
            }
        } else {
            format!("profession {profession}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mapping_follows_the_domain_notes() {
        let m = CategoryMap::default_french();
        m.validate().unwrap();
        let cases = [
            ("10", Some("SM54"), Some("gp")),
            ("10", Some("SM26"), Some("gp")),
            ("10", Some("SM44"), Some("radiology")),
            ("10", Some("SM24"), Some("gastroenterology")),
            ("10", Some("SM51"), Some("gynaecology")),
            ("10", Some("SM85"), Some("ophthalmology")),
            ("10", Some("SM79"), Some("cardiology")),
            ("10", Some("SM15"), Some("dermatology")),
            ("10", Some("SM49"), None),
            ("10", None, None),
            ("21", None, Some("pharmacist")),
            ("21", Some("ANY"), Some("pharmacist")),
            ("40", None, Some("dentist")),
            ("50", None, Some("midwife")),
            ("60", None, Some("nurse")),
            ("70", None, Some("physiotherapist")),
            ("91", None, Some("speech_therapist")),
            ("26", None, None),
        ];
        for (p, sf, want) in cases {
            assert_eq!(m.category_of(p, sf), want, "{p} {sf:?}");
        }
        assert_eq!(m.unmapped_reason("26", None), "profession 26");
        assert_eq!(
            m.unmapped_reason("10", Some("SM49")),
            "profession 10, savoir-faire SM49"
        );
        assert_eq!(
            m.unmapped_reason("10", None),
            "profession 10, no savoir-faire"
        );
    }

    #[test]
    fn first_listed_category_wins() {
        let m = CategoryMap::from_toml_str(
            r#"
            [[category]]
            name = "mammography"
            professions = ["10"]
            savoir_faire = ["SM44"]

            [[category]]
            name = "any_doctor"
            professions = ["10"]
            "#,
        )
        .unwrap();
        assert_eq!(m.category_of("10", Some("SM44")), Some("mammography"));
        assert_eq!(m.category_of("10", Some("SM54")), Some("any_doctor"));
        assert_eq!(m.category_of("10", None), Some("any_doctor"));
    }

    #[test]
    fn toml_round_trip_and_checks() {
        let m = CategoryMap::default_french();
        let text = toml::to_string(&m).unwrap();
        assert!(text.contains("[[category]]\nname = \"gp\""), "{text}");
        assert_eq!(CategoryMap::from_toml_str(&text).unwrap(), m);
        let dup = "[[category]]\nname='a'\nprofessions=['10']\n[[category]]\nname='a'\nprofessions=['21']\n";
        assert!(
            matches!(CategoryMap::from_toml_str(dup), Err(CategoryError::Duplicate(n)) if n == "a")
        );
        let none = "[[category]]\nname='a'\nprofessions=[]\n";
        assert!(matches!(
            CategoryMap::from_toml_str(none),
            Err(CategoryError::NoProfession(_))
        ));
        assert!(matches!(
            CategoryMap::from_toml_str("[[category]]\nname=1"),
            Err(CategoryError::Toml(_))
        ));
        assert!(CategoryMap::from_toml_str("").unwrap().is_empty());
    }
}
