//! Applies a scenario's supply edits to the baseline's sites, in the order of the file's
//! sections: removals, moves, capacity changes, then new sites and outreach sites. The
//! result is a [`Variant`]: the baseline's sites still there, in baseline order (moved or
//! changed ones carrying their new position or supply), then the new sites.
//!
//! An identifier matches a site's own (`10003456789#2`) or, for a professional with several
//! practices, the professional's (`10003456789` matches `10003456789#1` and `#2`). An edit
//! naming an identifier that matches nothing, a site without a place, or an address that
//! cannot be geocoded is an error naming the scenario and the edit: a scenario that does not
//! do what it says is never run.

use super::config::{PlaceAddress, RemoveEdit, ScenarioConfig};
use crate::access::Variant;
use crate::indicators::apl::FULL_TIME_ACTS;
use crate::inputs::geocode::ban::BanIndex;
use crate::inputs::geocode::{Address, Precision};
use crate::inputs::supply::Site;

/// Half-days in a full-time week: an outreach site of *h* half-days has capacity *h* / 10.
pub const HALF_DAYS_PER_WEEK: f64 = 10.0;

/// Why a scenario cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// An edit is malformed or matches nothing.
    #[error("scenario {scenario:?}, {edit}: {reason}")]
    Edit {
        /// Scenario name.
        scenario: String,
        /// Which edit (`remove #2`, `add #1`…).
        edit: String,
        /// What is wrong.
        reason: String,
    },
}

/// The variant and what each edit did.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// The scenario's sites.
    pub variant: Variant,
    /// One line per edit, e.g. `remove #1 (gp, aged 60+): 41 sites; 3 of unknown age kept`.
    pub log: Vec<String>,
}

/// Applies `scenario` to `base`; addresses are geocoded with `ban` (an address without
/// it is an error).
pub fn apply_edits(
    scenario: &ScenarioConfig,
    base: &[Site],
    ban: Option<&BanIndex>,
) -> Result<Applied, EditError> {
    let err = |edit: String, reason: String| EditError::Edit {
        scenario: scenario.name.clone(),
        edit,
        reason,
    };
    let mut kept: Vec<Option<Site>> = base.iter().cloned().map(Some).collect();
    let mut log = Vec::new();
    for (n, r) in scenario.remove.iter().enumerate() {
        let edit = format!("remove #{}", n + 1);
        if r.ids.is_empty() && r.category.is_none() && r.min_age.is_none() {
            return Err(err(
                edit,
                "no criterion: give ids, category or min_age".into(),
            ));
        }
        for id in &r.ids {
            if !base.iter().any(|s| matches_id(s, id)) {
                return Err(err(edit, format!("no site has the identifier {id:?}")));
            }
        }
        let (mut removed, mut unknown_age) = (0, 0);
        for slot in kept.iter_mut() {
            let Some(s) = slot else { continue };
            match removes(r, s) {
                Some(true) => {
                    *slot = None;
                    removed += 1;
                }
                Some(false) => {}
                None => unknown_age += 1,
            }
        }
        let mut line = format!("{edit} ({}): {removed} sites", describe_remove(r));
        if unknown_age > 0 {
            line.push_str(&format!("; {unknown_age} of unknown age kept"));
        }
        log.push(line);
    }
    for (n, m) in scenario.moves.iter().enumerate() {
        let edit = format!("move #{}", n + 1);
        let (lon, lat, how) = locate(m.lon, m.lat, m.address.as_ref(), ban)
            .map_err(|reason| err(edit.clone(), reason))?;
        let count = update_matching(&mut kept, base, &m.id, |s| {
            s.lon = lon;
            s.lat = lat;
        })
        .map_err(|reason| err(edit.clone(), reason))?;
        log.push(format!("{edit} ({}): {count} sites to {how}", m.id));
    }
    for (n, c) in scenario.capacity.iter().enumerate() {
        let edit = format!("capacity #{}", n + 1);
        check_amount(c.capacity, "capacity").map_err(|r| err(edit.clone(), r))?;
        check_amount(c.activity, "activity").map_err(|r| err(edit.clone(), r))?;
        let count = update_matching(&mut kept, base, &c.id, |s| {
            if let Some(x) = c.capacity {
                s.capacity = x;
            }
            if let Some(x) = c.activity {
                s.activity = Some(x);
            }
        })
        .map_err(|reason| err(edit.clone(), reason))?;
        log.push(format!("{edit} ({}): {count} sites", c.id));
    }
    let mut variant = Variant::default();
    for (b, s) in kept.into_iter().enumerate() {
        if let Some(s) = s {
            variant.sites.push(s);
            variant.from_base.push(Some(b));
        }
    }
    let source = format!("scenario {}", scenario.name);
    for (n, a) in scenario.add.iter().enumerate() {
        let edit = format!("add #{}", n + 1);
        check_amount(Some(a.capacity), "capacity").map_err(|r| err(edit.clone(), r))?;
        check_amount(a.activity, "activity").map_err(|r| err(edit.clone(), r))?;
        if a.professionals == 0 {
            return Err(err(edit, "professionals must be at least 1".into()));
        }
        let (lon, lat, how) = locate(a.lon, a.lat, a.address.as_ref(), ban)
            .map_err(|reason| err(edit.clone(), reason))?;
        let id =
            a.id.clone()
                .unwrap_or_else(|| format!("{}-add-{}", scenario.name, n + 1));
        for k in 1..=a.professionals {
            variant.sites.push(Site {
                id: if a.professionals > 1 {
                    format!("{id}#{k}")
                } else {
                    id.clone()
                },
                category: a.category.clone(),
                lon,
                lat,
                capacity: a.capacity,
                activity: a.activity,
                age: a.age,
                source: source.clone(),
            });
            variant.from_base.push(None);
        }
        log.push(format!(
            "{edit} ({id}): {} {} at {how}",
            a.professionals, a.category
        ));
    }
    for (n, o) in scenario.outreach.iter().enumerate() {
        let edit = format!("outreach #{}", n + 1);
        if !(o.half_days.is_finite() && o.half_days > 0.0 && o.half_days <= HALF_DAYS_PER_WEEK) {
            return Err(err(
                edit,
                format!("half_days {} must lie in (0, 10]", o.half_days),
            ));
        }
        check_amount(o.activity, "activity").map_err(|r| err(edit.clone(), r))?;
        let (lon, lat, how) = locate(o.lon, o.lat, o.address.as_ref(), ban)
            .map_err(|reason| err(edit.clone(), reason))?;
        let capacity = o.half_days / HALF_DAYS_PER_WEEK;
        let id =
            o.id.clone()
                .unwrap_or_else(|| format!("{}-outreach-{}", scenario.name, n + 1));
        variant.sites.push(Site {
            id: id.clone(),
            category: o.category.clone(),
            lon,
            lat,
            capacity,
            activity: Some(o.activity.unwrap_or(capacity * FULL_TIME_ACTS)),
            age: None,
            source: source.clone(),
        });
        variant.from_base.push(None);
        log.push(format!(
            "{edit} ({id}): {} half-days a week of {} at {how}",
            o.half_days, o.category
        ));
    }
    Ok(Applied { variant, log })
}

/// Whether site `s` has identifier `id`, or belongs to the professional `id`.
fn matches_id(s: &Site, id: &str) -> bool {
    s.id == id || s.id.split_once('#').is_some_and(|(p, _)| p == id)
}

/// Whether `r` takes out `s`: `None` when only its unknown age keeps it.
fn removes(r: &RemoveEdit, s: &Site) -> Option<bool> {
    if !r.ids.is_empty() && !r.ids.iter().any(|id| matches_id(s, id)) {
        return Some(false);
    }
    if r.category.as_ref().is_some_and(|c| *c != s.category) {
        return Some(false);
    }
    match (r.min_age, s.age) {
        (Some(min), Some(age)) => Some(age >= min),
        (Some(_), None) => None,
        (None, _) => Some(true),
    }
}

fn describe_remove(r: &RemoveEdit) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &r.category {
        parts.push(c.clone());
    }
    if let Some(a) = r.min_age {
        parts.push(format!("aged {a}+"));
    }
    if !r.ids.is_empty() {
        parts.push(format!("{} identifiers", r.ids.len()));
    }
    parts.join(", ")
}

/// Applies `f` to the sites still there matching `id`; the count, or why none.
fn update_matching(
    kept: &mut [Option<Site>],
    base: &[Site],
    id: &str,
    f: impl Fn(&mut Site),
) -> Result<usize, String> {
    if !base.iter().any(|s| matches_id(s, id)) {
        return Err(format!("no site has the identifier {id:?}"));
    }
    let mut count = 0;
    for s in kept.iter_mut().flatten().filter(|s| matches_id(s, id)) {
        f(s);
        count += 1;
    }
    if count == 0 {
        return Err(format!("the sites of {id:?} were removed by this scenario"));
    }
    Ok(count)
}

/// A non-negative finite amount, when given.
fn check_amount(x: Option<f64>, what: &str) -> Result<(), String> {
    match x {
        Some(v) if !(v.is_finite() && v >= 0.0) => {
            Err(format!("{what} {v} is not a finite number ≥ 0"))
        }
        _ => Ok(()),
    }
}

/// Coordinates from `lon`/`lat` or a geocoded address, and how they were found.
fn locate(
    lon: Option<f64>,
    lat: Option<f64>,
    address: Option<&PlaceAddress>,
    ban: Option<&BanIndex>,
) -> Result<(f64, f64, String), String> {
    match (lon, lat, address) {
        (Some(lon), Some(lat), None) => {
            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
                Ok((lon, lat, format!("{lon:.5}, {lat:.5}")))
            } else {
                Err(format!(
                    "({lon}, {lat}) is not a WGS84 longitude and latitude"
                ))
            }
        }
        (None, None, Some(a)) => {
            let ban = ban.ok_or_else(|| {
                "an address needs BAN files: give `ban` in an annuaire [[supply]] of the study"
                    .to_string()
            })?;
            let g = ban.geocode(&Address {
                number: a.number.clone(),
                street: a.street.clone(),
                postcode: a.postcode.clone(),
                commune_code: a.commune_code.clone(),
                commune_name: a.commune.clone(),
                ..Address::default()
            });
            if g.precision == Precision::Failed {
                return Err(format!("address not geocoded: {}", g.matched));
            }
            Ok((
                g.lon,
                g.lat,
                format!("{} ({})", g.matched, g.precision.as_str()),
            ))
        }
        _ => Err("give either lon and lat, or address".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::config::{AddEdit, CapacityEdit, MoveEdit, OutreachEdit};

    fn gp(id: &str, age: Option<u32>) -> Site {
        Site {
            id: id.into(),
            category: "gp".into(),
            lon: 2.47,
            lat: 48.9,
            capacity: 1.0,
            activity: Some(4_000.0),
            age,
            source: "a.txt:2".into(),
        }
    }

    fn base() -> Vec<Site> {
        vec![
            gp("1001", Some(64)),
            gp("1002#1", Some(45)),
            gp("1002#2", Some(45)),
            gp("1003", None),
            Site {
                category: "radiology".into(),
                ..gp("2001", Some(70))
            },
        ]
    }

    #[test]
    fn retiring_gps_by_age_keeps_unknown_ages_and_other_categories() {
        let s = ScenarioConfig {
            name: "retire".into(),
            remove: vec![RemoveEdit {
                category: Some("gp".into()),
                min_age: Some(60),
                ..RemoveEdit::default()
            }],
            ..ScenarioConfig::default()
        };
        let a = apply_edits(&s, &base(), None).unwrap();
        assert_eq!(
            a.variant.from_base,
            vec![Some(1), Some(2), Some(3), Some(4)]
        );
        assert_eq!(
            a.log,
            vec!["remove #1 (gp, aged 60+): 1 sites; 1 of unknown age kept"]
        );
    }

    #[test]
    fn a_professional_id_matches_all_their_sites() {
        let s = ScenarioConfig {
            name: "x".into(),
            remove: vec![RemoveEdit {
                ids: vec!["1002".into()],
                ..RemoveEdit::default()
            }],
            capacity: vec![CapacityEdit {
                id: "1001".into(),
                capacity: Some(0.5),
                activity: None,
            }],
            moves: vec![MoveEdit {
                id: "2001".into(),
                lon: Some(2.5),
                lat: Some(48.95),
                address: None,
            }],
            ..ScenarioConfig::default()
        };
        let a = apply_edits(&s, &base(), None).unwrap();
        assert_eq!(a.variant.from_base, vec![Some(0), Some(3), Some(4)]);
        assert_eq!(a.variant.sites[0].capacity, 0.5);
        assert_eq!(
            (a.variant.sites[2].lon, a.variant.sites[2].lat),
            (2.5, 48.95)
        );
    }

    #[test]
    fn new_sites_come_last_one_per_professional() {
        let s = ScenarioConfig {
            name: "msp".into(),
            add: vec![AddEdit {
                id: None,
                category: "gp".into(),
                lon: Some(2.48),
                lat: Some(48.91),
                address: None,
                professionals: 4,
                capacity: 1.0,
                activity: Some(3_600.0),
                age: None,
            }],
            outreach: vec![OutreachEdit {
                id: Some("cardio-mairie".into()),
                category: "cardiology".into(),
                lon: Some(2.49),
                lat: Some(48.92),
                address: None,
                half_days: 2.0,
                activity: None,
            }],
            ..ScenarioConfig::default()
        };
        let a = apply_edits(&s, &base(), None).unwrap();
        let new: Vec<&Site> = a.variant.sites[5..].iter().collect();
        assert_eq!(new.len(), 5);
        assert_eq!(new[0].id, "msp-add-1#1");
        assert_eq!(new[3].id, "msp-add-1#4");
        assert!(new[..4].iter().all(|s| s.activity == Some(3_600.0)));
        assert_eq!(new[4].capacity, 0.2);
        assert_eq!(new[4].activity, Some(0.2 * 5_400.0));
        assert_eq!(&a.variant.from_base[5..], &[None; 5]);
    }

    #[test]
    fn edits_that_cannot_be_done_are_errors_naming_them() {
        let unknown = ScenarioConfig {
            name: "s".into(),
            remove: vec![RemoveEdit {
                ids: vec!["9999".into()],
                ..RemoveEdit::default()
            }],
            ..ScenarioConfig::default()
        };
        let e = apply_edits(&unknown, &base(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("remove #1") && e.contains("9999"), "{e}");
        let no_place = ScenarioConfig {
            name: "s".into(),
            add: vec![AddEdit {
                category: "gp".into(),
                professionals: 1,
                ..AddEdit::default()
            }],
            ..ScenarioConfig::default()
        };
        let e = apply_edits(&no_place, &base(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("add #1") && e.contains("lon and lat"), "{e}");
        let address = ScenarioConfig {
            name: "s".into(),
            moves: vec![MoveEdit {
                id: "1001".into(),
                lon: None,
                lat: None,
                address: Some(PlaceAddress::default()),
            }],
            ..ScenarioConfig::default()
        };
        let e = apply_edits(&address, &base(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("BAN"), "{e}");
    }
}
