//! Up-front checks of a study's settings, before any computation: every name that becomes a
//! path (territory kinds, FCA, suggestion, scenario and typology names), every number's range, contradictory keys, and — once the supply is read, before the
//! network — every category named against the categories present (aliases resolved,
//! nearest name offered), `kth` against the sites of its categories, and empty inputs.
//!
//! Each failure is one sentence naming the section, the key and the value, with the nearest
//! valid value where one exists.

use super::config::{FcaConfig, Study};
use crate::inputs::demand::Origin;
use crate::inputs::supply::vocabulary;
use crate::inputs::supply::Site;
use std::collections::{BTreeMap, BTreeSet};

/// Checks that `name` can become a file or folder name inside the output folder: letters,
/// digits, `-` and `_` only (so no `..`, no separator, never absolute). `what` names the key.
pub fn check_output_name(what: &str, name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{what} = {name:?}: it names output files; use letters, digits, '-' and '_' only"
        ))
    }
}

/// Checks that `value` is a finite number above zero.
fn positive(what: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{what} = {value}: expected a finite number above 0"
        ))
    }
}

/// Checks that `value` is a finite number, zero or above.
fn non_negative(what: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{what} = {value}: expected a finite number, 0 or above"
        ))
    }
}

/// Checks the names of `items` are unique; `what` names the section.
fn unique<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(format!(
                "{what} {n:?} given twice: each names its own output columns and files"
            ));
        }
    }
    Ok(())
}

/// Checks one `[[indicators.fca]]` entry's numbers and keys.
fn check_fca(f: &FcaConfig) -> Result<(), String> {
    let at = |key: &str| format!("[[indicators.fca]] {}: {key}", f.name);
    if f.bands.is_some() && f.max_minutes.is_some() {
        return Err(format!(
            "{}: max_minutes and bands given together; the bands end the catchment, so drop max_minutes",
            at("bands")
        ));
    }
    let numbers = [
        ("max_minutes", f.max_minutes),
        ("sigma_minutes", f.sigma_minutes),
        ("beta_per_minute", f.beta_per_minute),
        ("power", f.power),
        ("min_minutes", f.min_minutes),
        ("scale_minutes", f.scale_minutes),
    ];
    for (key, value) in numbers {
        if let Some(v) = value {
            positive(&at(key), v)?;
        }
    }
    for t in &f.thresholds {
        positive(&at("thresholds"), *t)?;
    }
    Ok(())
}

/// Checks every setting that needs no input read: names, numbers, contradictory keys.
pub(crate) fn check_settings(study: &Study) -> Result<(), String> {
    let snap = study.network.max_snap_m;
    positive("[network] max_snap_m", snap)?;
    for t in &study.territories {
        check_output_name("[[territories]] kind", &t.kind)?;
    }
    unique(
        "[[territories]] kind",
        study.territories.iter().map(|t| t.kind.as_str()),
    )?;
    let ind = &study.indicators;
    for f in &ind.fca {
        check_output_name("[[indicators.fca]] name", &f.name)?;
        check_fca(f)?;
    }
    unique(
        "[[indicators.fca]] name",
        ind.fca.iter().map(|f| f.name.as_str()),
    )?;
    for s in &study.suggest {
        check_output_name("[[suggest]] name", &s.name)?;
        if s.budget == 0 {
            return Err(format!(
                "[[suggest]] {}: budget = 0: nothing to add; give 1 or more",
                s.name
            ));
        }
        if let Some(m) = s.minutes {
            positive(&format!("[[suggest]] {}: minutes", s.name), m)?;
        }
        if let Some(c) = s.cap {
            positive(&format!("[[suggest]] {}: cap", s.name), c)?;
        }
    }
    unique(
        "[[suggest]] name",
        study.suggest.iter().map(|s| s.name.as_str()),
    )?;
    for s in &study.scenario {
        check_output_name("[[scenario]] name", &s.name)?;
    }
    for t in &study.typology {
        check_output_name("[[typology]] name", &t.name)?;
    }
    unique(
        "[[typology]] name",
        study.typology.iter().map(|t| t.name.as_str()),
    )?;
    for t in &ind.thresholds {
        positive("[indicators] thresholds", *t)?;
    }
    if ind.kth == Some(0) {
        return Err(
            "[indicators] kth = 0: the k-th nearest counts from 1 (kth = 3: the 3rd nearest)"
                .into(),
        );
    }
    if let Some(m) = ind.nearest_max_minutes {
        positive("[indicators] nearest_max_minutes", m)?;
    }
    if let Some(w) = &ind.age_weights {
        for x in w {
            non_negative("[indicators] age_weights", *x)?;
        }
    }
    let share = study.output.min_unit_coverage;
    if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
        return Err(format!(
            "[output] min_unit_coverage = {share}: expected a share between 0 and 1"
        ));
    }
    for (k, s) in study.supply.iter().enumerate() {
        if let super::config::SupplyInput::Points { columns, .. } = s {
            if columns.category.is_some() && columns.fixed_category.is_some() {
                return Err(format!(
                    "[[supply]] #{}: columns.category and columns.fixed_category contradict each other; keep one",
                    k + 1
                ));
            }
        }
    }
    if let super::config::PopulationInput::Areal {
        grid_m: Some(g), ..
    } = &study.population
    {
        positive("[population] grid_m", *g)?;
    }
    Ok(())
}

/// Sites per category, sorted by name.
fn per_category(sites: &[Site]) -> BTreeMap<&str, usize> {
    let mut out = BTreeMap::new();
    for s in sites {
        *out.entry(s.category.as_str()).or_default() += 1;
    }
    out
}

/// Checks the study against what its inputs hold, once read: each category named resolves
/// to a category present in the supply (aliases replaced by it in `study`), `kth` is no
/// larger than the sites of the categories searched, and neither the supply nor the
/// population is empty — unless `[indicators] allow_empty = true`, which lets a category
/// with no site, a population of no inhabitant or an empty supply run (with a warning).
pub(crate) fn check_against_inputs(
    study: &mut Study,
    origins: &[Origin],
    sites: &[Site],
) -> Result<(), String> {
    let allow = study.indicators.allow_empty;
    let counts = per_category(sites);
    let present: Vec<String> = counts.keys().map(|c| c.to_string()).collect();
    let listed = || {
        let list: Vec<String> = counts.iter().map(|(c, n)| format!("{c} ({n})")).collect();
        if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        }
    };
    let empty = |what: String| -> Result<(), String> {
        if allow {
            tracing::warn!("{what} (allowed by [indicators] allow_empty)");
            Ok(())
        } else {
            Err(format!(
                "{what}; set [indicators] allow_empty = true to run anyway"
            ))
        }
    };
    if sites.is_empty() {
        empty("the supply files hold no site".into())?;
    }
    let inhabitants: f64 = origins.iter().map(|o| o.population).sum();
    if origins.is_empty() || inhabitants <= 0.0 {
        empty(format!(
            "the population holds no inhabitant ({} origins, total {inhabitants})",
            origins.len()
        ))?;
    }
    let fix = |key: String, name: &mut String| -> Result<(), String> {
        match vocabulary::resolve(name, &present) {
            Some(c) if c != name.as_str() => {
                tracing::info!("{key}: {name:?} read as the category {c:?}");
                *name = c.to_string();
                Ok(())
            }
            Some(_) => Ok(()),
            None => {
                let hint = vocabulary::nearest(name, &present)
                    .map(|c| format!("; did you mean {c:?}?"))
                    .unwrap_or_default();
                empty(format!(
                    "{key}: category {name:?} has no site in the supply (categories present: {}){hint}",
                    listed()
                ))
            }
        }
    };
    let ind = &mut study.indicators;
    for n in &mut ind.nearest {
        fix("[indicators] nearest".into(), n)?;
    }
    for n in &mut ind.coverage {
        fix("[indicators] coverage".into(), n)?;
    }
    for f in &mut ind.fca {
        fix(
            format!("[[indicators.fca]] {}: category", f.name),
            &mut f.category,
        )?;
    }
    for s in &mut study.suggest {
        fix(format!("[[suggest]] {}: category", s.name), &mut s.category)?;
    }
    if let Some(k) = study.indicators.kth {
        let searched: Vec<&str> = if study.indicators.nearest.is_empty() {
            counts.keys().copied().collect()
        } else {
            study
                .indicators
                .nearest
                .iter()
                .map(String::as_str)
                .collect()
        };
        let most = searched
            .iter()
            .map(|c| counts.get(c).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        if k > most && !allow {
            return Err(format!(
                "[indicators] kth = {k}: the categories searched have at most {most} sites (categories present: {}); give kth ≤ {most}",
                listed()
            ));
        }
        if k > most.max(1) {
            study.indicators.kth = Some(most.max(1));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_leave_the_output_folder_are_refused() {
        for bad in ["../x", "a/b", "/etc", "", "a b", "..", "c:\\x"] {
            assert!(check_output_name("k", bad).is_err(), "{bad:?}");
        }
        for good in ["commune", "apl_2022", "tvs-93"] {
            assert!(check_output_name("k", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn numbers_must_be_finite_and_in_range() {
        assert!(positive("x", 1.0).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = positive("x", bad).unwrap_err();
            assert!(e.contains("finite number above 0"), "{e}");
        }
        assert!(non_negative("x", 0.0).is_ok());
        assert!(non_negative("x", -0.5).is_err());
    }

    #[test]
    fn a_name_given_twice_is_named() {
        let e = unique("[[indicators.fca]] name", ["a", "b", "a"].into_iter()).unwrap_err();
        assert!(e.contains("\"a\" given twice"), "{e}");
    }
}
