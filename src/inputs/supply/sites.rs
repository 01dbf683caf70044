//! From the supply readers to [`Site`]s: Annuaire Santé activities once geocoded
//! ([`activity_sites`]) and FINESS structures ([`finess_sites`]).
//!
//! Annuaire: one site per activity located by [`crate::inputs::geocode`] (house number, street or
//! commune centre: the precision stays with the geocoding results); an activity whose
//! geocoding failed is a reject with the geocoder's reason, never dropped silently. The id is
//! the `Identifiant PP` when the professional has one activity in the list, else
//! `<pp_id>#<rank>`, rank 1, 2… in file order over all of the professional's activities
//! (located or not), so an id does not change when another address fails. Capacity is 1 per
//! activity (one professional at one address); activity and age are unknown in the
//! extraction.
//!
//! FINESS: one site per structure with coordinates and a category of care, id the
//! `nofinesset`, capacity 1. A structure without coordinates, or whose `categetab` is in no
//! category, is a reject. [`crate::inputs::supply::finess::read_finess`] already lists structures
//! without coordinates as "no coordinates (…)"; they are recorded again here as "not a site:
//! no coordinates", the stage that leaves them out of the supply.

use super::annuaire::Activity;
use super::finess::Structure;
use super::Site;
use crate::inputs::geocode::{Geocoded, Precision};
use crate::support::rejects::Rejects;
use std::collections::HashMap;

/// Why activities and geocoding results cannot be paired.
#[derive(Debug, thiserror::Error)]
pub enum SitesError {
    /// The two lists differ in length.
    #[error(
        "{file}: {activities} activities but {geocoded} geocoding results: geocode the same list"
    )]
    Mismatch {
        /// Annuaire file.
        file: String,
        /// Activities given.
        activities: usize,
        /// Results given.
        geocoded: usize,
    },
}

/// Sites of the Annuaire activities read from `file`, `geocoded[i]` being where
/// `activities[i]` was located (as [`crate::inputs::geocode::ban::BanIndex::geocode_all`] returns
/// them). Activities without category or location go to `rejects`.
pub fn activity_sites(
    activities: &[Activity],
    geocoded: &[Geocoded],
    file: &str,
    rejects: &mut Rejects,
) -> Result<Vec<Site>, SitesError> {
    if activities.len() != geocoded.len() {
        return Err(SitesError::Mismatch {
            file: file.to_string(),
            activities: activities.len(),
            geocoded: geocoded.len(),
        });
    }
    let mut per_person: HashMap<&str, u32> = HashMap::new();
    for a in activities {
        *per_person.entry(a.pp_id.as_str()).or_default() += 1;
    }
    let mut rank: HashMap<&str, u32> = HashMap::new();
    let mut out = Vec::with_capacity(activities.len());
    for (a, g) in activities.iter().zip(geocoded) {
        let r = rank.entry(a.pp_id.as_str()).or_default();
        *r += 1;
        let id = if per_person[a.pp_id.as_str()] > 1 {
            format!("{}#{}", a.pp_id, r)
        } else {
            a.pp_id.clone()
        };
        let Some(category) = a.category.clone() else {
            rejects.push(file, a.line, &id, "not a site: no category of care");
            continue;
        };
        if g.precision == Precision::Failed || !g.lon.is_finite() || !g.lat.is_finite() {
            rejects.push(file, a.line, &id, format!("not geocoded: {}", g.matched));
            continue;
        }
        out.push(Site {
            id,
            category,
            lon: g.lon,
            lat: g.lat,
            capacity: 1.0,
            activity: None,
            age: None,
            source: format!("{file}:{}", a.line),
        });
    }
    Ok(out)
}

/// Sites of the FINESS structures read from `file`; structures without coordinates or
/// category go to `rejects`.
pub fn finess_sites(structures: &[Structure], file: &str, rejects: &mut Rejects) -> Vec<Site> {
    let mut out = Vec::with_capacity(structures.len());
    for s in structures {
        let (Some(lon), Some(lat)) = (s.lon, s.lat) else {
            rejects.push(file, s.line, &s.finess, "not a site: no coordinates");
            continue;
        };
        let Some(category) = s.category.clone() else {
            let reason = format!(
                "not a site: categetab {} ({}) is in no category of care",
                s.category_code, s.category_label
            );
            rejects.push(file, s.line, &s.finess, reason);
            continue;
        };
        out.push(Site {
            id: s.finess.clone(),
            category,
            lon,
            lat,
            capacity: 1.0,
            activity: None,
            age: None,
            source: format!("{file}:{}", s.line),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::geocode::Address;
    use crate::inputs::supply::annuaire::PracticeMode;

    fn activity(pp: &str, line: u64, category: Option<&str>) -> Activity {
        Activity {
            pp_id: pp.into(),
            profession_code: "10".into(),
            savoir_faire: None,
            mode: PracticeMode::Liberal,
            sector: None,
            finess_site: None,
            address: Address::default(),
            category: category.map(str::to_string),
            line,
        }
    }

    fn at(lon: f64, precision: Precision) -> Geocoded {
        Geocoded {
            lon,
            lat: 48.9,
            precision,
            matched: String::new(),
            fuzzy: None,
        }
    }

    #[test]
    fn ranks_several_addresses_and_rejects_failures() {
        let acts = [
            activity("810001", 2, Some("gp")),
            activity("810002", 3, Some("gp")),
            activity("810001", 4, Some("gp")),
            activity("810001", 5, Some("gp")),
            activity("810003", 6, None),
        ];
        let geo = [
            at(2.47, Precision::HouseNumber),
            at(2.48, Precision::Street),
            Geocoded::failed("commune 99999 unknown"),
            at(2.49, Precision::Commune),
            at(2.5, Precision::HouseNumber),
        ];
        let mut r = Rejects::default();
        let sites = activity_sites(&acts, &geo, "ps.txt", &mut r).unwrap();
        let ids: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["810001#1", "810002", "810001#3"]);
        assert_eq!(sites[2].source, "ps.txt:5");
        assert_eq!(sites[2].lon, 2.49);
        let why: Vec<(u64, &str, &str)> = r
            .items
            .iter()
            .map(|x| (x.line, x.id.as_str(), x.reason.as_str()))
            .collect();
        assert_eq!(
            why,
            [
                (4, "810001#2", "not geocoded: commune 99999 unknown"),
                (6, "810003", "not a site: no category of care")
            ]
        );
        assert!(activity_sites(&acts, &geo[..2], "ps.txt", &mut r).is_err());
    }

    #[test]
    fn finess_structures_need_coordinates_and_category() {
        let text = "structureet;930019484;930000106;CMS;CMS;;;12;AV;GALLIENI;;;010;93;SEINE SAINT DENIS;93140 BONDY;;;124;Centre de Santé;1104;x;;;;;;;;;2023-11-20\n\
                    geolocalisation;930019484;661401.3;6866817.2;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2023-11-20\n\
                    structureet;930024567;930024559;MSP;MSP;;;3;RUE;REPUBLIQUE;;;010;93;SEINE SAINT DENIS;93140 BONDY;;;603;Maison de santé;1101;x;;;;;;;;;2023-11-20\n\
                    structureet;930000001;930000106;X;X;;;1;RUE;A;;;010;93;SEINE SAINT DENIS;93140 BONDY;;;999;Autre;1;x;;;;;;;;;2023-11-20\n\
                    geolocalisation;930000001;661401.3;6866817.2;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2023-11-20\n";
        let mut r = Rejects::default();
        let cats = crate::inputs::supply::finess::FinessCategories::default_french();
        let (structures, _) =
            crate::inputs::supply::finess::parse_finess(text, "f.csv", &cats, &mut r);
        assert_eq!(structures.len(), 3);
        let before = r.len();
        let sites = finess_sites(&structures, "f.csv", &mut r);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].id, "930019484");
        assert_eq!(sites[0].category, "health_centre");
        assert!((sites[0].lon - 2.4735).abs() < 1e-3, "{:?}", sites[0]);
        let new: Vec<&str> = r.items[before..]
            .iter()
            .map(|x| x.reason.as_str())
            .collect();
        assert_eq!(
            new,
            [
                "not a site: no coordinates",
                "not a site: categetab 999 (Autre) is in no category of care"
            ]
        );
    }
}
