//! The one vocabulary of categories of care used by the defaults, the demo and the docs:
//! the names of [`CategoryMap::default_french`] (Annuaire Santé) and
//! [`FinessCategories::default_french`] (FINESS), and the aliases a study may use for them
//! (`gastro` → `gastroenterology`, `pharmacie` → `pharmacy` or `pharmacist`…).
//!
//! An alias is resolved against the categories actually present in the supply: `pharmacy`
//! names FINESS officines and `pharmacist` Annuaire pharmacists, so either stands for the
//! other only when it is the one present.

use super::finess::FinessCategories;
use super::CategoryMap;

/// Other names of the categories, each with the names it may stand for, in order of
/// preference.
pub const ALIASES: [(&str, &[&str]); 22] = [
    ("gastro", &["gastroenterology"]),
    ("gastro-enterology", &["gastroenterology"]),
    ("gastro_enterology", &["gastroenterology"]),
    ("generaliste", &["gp"]),
    ("general_practice", &["gp"]),
    ("mg", &["gp"]),
    ("radio", &["radiology"]),
    ("radiologie", &["radiology"]),
    ("gyneco", &["gynaecology"]),
    ("gynecology", &["gynaecology"]),
    ("ophtalmo", &["ophthalmology"]),
    ("ophthalmo", &["ophthalmology"]),
    ("ophtalmology", &["ophthalmology"]),
    ("cardio", &["cardiology"]),
    ("dermato", &["dermatology"]),
    ("pharmacie", &["pharmacy", "pharmacist"]),
    ("pharmacy", &["pharmacist"]),
    ("pharmacist", &["pharmacy"]),
    ("dentiste", &["dentist"]),
    ("kine", &["physiotherapist"]),
    ("infirmier", &["nurse"]),
    ("sage_femme", &["midwife"]),
];

/// Every category name of the default mappings, Annuaire Santé first, then FINESS.
pub fn default_names() -> Vec<String> {
    let mut names: Vec<String> = CategoryMap::default_french()
        .categories
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.extend(
        FinessCategories::default_french()
            .categories
            .into_iter()
            .map(|c| c.name),
    );
    names
}

/// The category `name` stands for among `present`: itself when present, else the first
/// present target of its alias (case and surrounding spaces ignored), else `None`.
pub fn resolve<'a>(name: &str, present: &'a [String]) -> Option<&'a str> {
    let key = name.trim().to_lowercase();
    if let Some(p) = present.iter().find(|p| p.to_lowercase() == key) {
        return Some(p);
    }
    let (_, targets) = ALIASES.iter().find(|(a, _)| *a == key)?;
    targets
        .iter()
        .find_map(|t| present.iter().find(|p| p.as_str() == *t))
        .map(String::as_str)
}

/// Jaro–Winkler similarity from which a present name is offered as a "did you mean".
const CLOSE: f64 = 0.8;

/// The name of `present` nearest to `name` (Jaro–Winkler), for a "did you mean" hint;
/// `None` when none is close.
pub fn nearest<'a>(name: &str, present: &'a [String]) -> Option<&'a str> {
    present
        .iter()
        .map(|p| (strsim::jaro_winkler(name, p), p.as_str()))
        .filter(|(score, _)| *score >= CLOSE)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_targets_a_default_category() {
        let names = default_names();
        for (alias, targets) in ALIASES {
            assert!(!targets.is_empty(), "{alias}");
            for t in targets {
                assert!(names.iter().any(|n| n == t), "{alias} → {t}");
            }
        }
    }

    #[test]
    fn an_alias_resolves_only_to_a_present_category() {
        let present = vec!["gp".to_string(), "gastroenterology".to_string()];
        assert_eq!(resolve("gastro", &present), Some("gastroenterology"));
        assert_eq!(resolve(" GP ", &present), Some("gp"));
        assert_eq!(resolve("cardio", &present), None);
        assert_eq!(resolve("dentist", &present), None);
        let finess = vec!["pharmacy".to_string()];
        assert_eq!(resolve("pharmacist", &finess), Some("pharmacy"));
        assert_eq!(resolve("pharmacie", &finess), Some("pharmacy"));
    }

    #[test]
    fn the_nearest_name_is_offered() {
        let present = vec!["gp".to_string(), "radiology".to_string()];
        assert_eq!(nearest("radiolgy", &present), Some("radiology"));
        assert_eq!(nearest("dentist", &present), None);
        assert_eq!(nearest("x", &[]), None);
    }
}
