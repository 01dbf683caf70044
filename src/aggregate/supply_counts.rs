//! Supply per territorial unit, as the field publishes it: the sites, professionals and
//! full-time equivalents of each category of care, their density per `per` inhabitants and
//! the share of professionals aged `aged` or more among those whose age is known.
//!
//! - **sites**: distinct places (longitude, latitude) of the category in the unit;
//! - **professionals**: distinct identifiers before the address rank (`10003456789#1` and
//!   `10003456789#2` are one professional practising at two addresses; a FINESS site or a
//!   point without `#` is one);
//! - **FTE**: Σ capacity of the category's rows in the unit (the supply's own unit:
//!   professionals, full-time equivalents);
//! - **density** = professionals × `per` / inhabitants (none for a unit without inhabitants);
//! - **aged share** = professionals aged `aged` or more / professionals of known age (none
//!   when no age is known: the Annuaire Santé publishes none).
//!
//! A unit's inhabitants are the population of the origins it holds. A professional
//! practising in two units counts in both (as in the published densities by place of
//! practice).
//!
//! Worked example: in one unit, GP rows `A#1` (capacity 1, age 62) and `A#2` (capacity 0.5,
//! same place as `B`), `B` (capacity 1, age 45), 5,000 inhabitants: 2 sites, 2
//! professionals, 2.5 FTE, density 2 × 10,000 / 5,000 = 4 per 10,000, aged 60+ share 1/2.

use crate::export::columns::{Column, Format, Values};
use crate::inputs::supply::Site;
use std::collections::{BTreeMap, BTreeSet};

/// The supply of one category in one unit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SupplyCount {
    /// Distinct places.
    pub sites: usize,
    /// Distinct professionals.
    pub professionals: usize,
    /// Σ capacity (full-time equivalents or the supply's unit).
    pub fte: f64,
    /// Professionals of known age.
    pub ages_known: usize,
    /// Of them, aged the threshold or more.
    pub aged: usize,
}

impl SupplyCount {
    /// Professionals per `per` inhabitants; `None` without inhabitants.
    pub fn density(&self, inhabitants: f64, per: f64) -> Option<f64> {
        (inhabitants > 0.0).then(|| self.professionals as f64 * per / inhabitants)
    }

    /// Share (0…1) of the professionals of known age aged the threshold or more.
    pub fn aged_share(&self) -> Option<f64> {
        (self.ages_known > 0).then(|| self.aged as f64 / self.ages_known as f64)
    }
}

/// The professional a site row belongs to: its identifier before the address rank `#k`.
pub fn professional_id(site_id: &str) -> &str {
    site_id.split_once('#').map_or(site_id, |(p, _)| p)
}

/// Supply per unit and category: `units_of[j]` lists the units holding site `j` (as
/// [`crate::inputs::territory::UnitIndex::assign_points`] returns them); a professional is
/// aged when some row of theirs gives an age of `aged` years or more.
pub fn count_supply(
    sites: &[Site],
    units_of: &[Vec<usize>],
    units: usize,
    aged: u32,
) -> Vec<BTreeMap<String, SupplyCount>> {
    type Places = BTreeSet<(u64, u64)>;
    type People<'a> = BTreeMap<&'a str, Option<u32>>;
    type Seen<'a> = BTreeMap<&'a str, (Places, People<'a>, Vec<f64>)>;
    let mut seen: Vec<Seen> = vec![BTreeMap::new(); units];
    for (site, of) in sites.iter().zip(units_of) {
        for &u in of {
            let (places, people, fte) = seen[u].entry(site.category.as_str()).or_default();
            places.insert((site.lon.to_bits(), site.lat.to_bits()));
            let age = people.entry(professional_id(&site.id)).or_default();
            *age = (*age).max(site.age);
            fte.push(site.capacity);
        }
    }
    seen.into_iter()
        .map(|by| {
            by.into_iter()
                .map(|(category, (places, people, fte))| {
                    let known: Vec<u32> = people.values().flatten().copied().collect();
                    let count = SupplyCount {
                        sites: places.len(),
                        professionals: people.len(),
                        fte: crate::support::exact_sum::exact_sum(fte),
                        ages_known: known.len(),
                        aged: known.iter().filter(|&&a| a >= aged).count(),
                    };
                    (category.to_string(), count)
                })
                .collect()
        })
        .collect()
}

/// What the per-unit supply columns show.
#[derive(Clone, Debug, PartialEq)]
pub struct DensityOptions {
    /// Categories given columns, in this order.
    pub categories: Vec<String>,
    /// Inhabitants the density is given per (10,000 or 100,000).
    pub per: f64,
    /// Age threshold of the aged share, years.
    pub aged: u32,
}

impl DensityOptions {
    /// The column names of one category, in output order: `{c}_sites`,
    /// `{c}_professionals`, `{c}_fte`, `{c}_density`, `{c}_aged_{age}_share`.
    pub fn names(&self, category: &str) -> [String; 5] {
        [
            format!("{category}_sites"),
            format!("{category}_professionals"),
            format!("{category}_fte"),
            format!("{category}_density"),
            format!("{category}_aged_{}_share", self.aged),
        ]
    }

    /// The values of one count under [`Self::names`] (no count: 0 supply, a density of 0
    /// when the unit has inhabitants).
    pub fn values(&self, count: Option<&SupplyCount>, inhabitants: f64) -> [Option<f64>; 5] {
        let zero = SupplyCount::default();
        let c = count.unwrap_or(&zero);
        [
            Some(c.sites as f64),
            Some(c.professionals as f64),
            Some(c.fte),
            c.density(inhabitants, self.per),
            c.aged_share(),
        ]
    }
}

/// The per-unit columns: `inhabitants`, then [`DensityOptions::names`] per category.
pub fn density_columns(
    counts: &[BTreeMap<String, SupplyCount>],
    inhabitants: &[f64],
    options: &DensityOptions,
) -> Vec<Column> {
    let mut columns = vec![Column {
        name: "inhabitants".into(),
        values: Values::Number(
            inhabitants.iter().map(|&p| Some(p)).collect(),
            Format::Fixed(1),
        ),
    }];
    let formats = [
        Format::Fixed(0),
        Format::Fixed(0),
        Format::Fixed(2),
        Format::Fixed(2),
        Format::Fixed(4),
    ];
    for category in &options.categories {
        let per_unit: Vec<[Option<f64>; 5]> = counts
            .iter()
            .zip(inhabitants)
            .map(|(by, &p)| options.values(by.get(category), p))
            .collect();
        for (k, name) in options.names(category).into_iter().enumerate() {
            columns.push(Column {
                name,
                values: Values::Number(per_unit.iter().map(|v| v[k]).collect(), formats[k]),
            });
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, category: &str, at: (f64, f64), capacity: f64, age: Option<u32>) -> Site {
        Site {
            id: id.into(),
            category: category.into(),
            lon: at.0,
            lat: at.1,
            capacity,
            activity: None,
            age,
            source: "t.csv:1".into(),
        }
    }

    #[test]
    fn the_worked_example_of_the_module_doc() {
        let sites = [
            site("A#1", "gp", (2.0, 48.0), 1.0, Some(62)),
            site("A#2", "gp", (2.1, 48.0), 0.5, None),
            site("B", "gp", (2.1, 48.0), 1.0, Some(45)),
            site("R", "radiology", (2.1, 48.0), 1.0, None),
            site("C", "gp", (9.0, 9.0), 1.0, Some(70)),
        ];
        let units_of = vec![vec![0], vec![0], vec![0], vec![0, 1], vec![]];
        let counts = count_supply(&sites, &units_of, 2, 60);
        let gp = &counts[0]["gp"];
        assert_eq!(
            *gp,
            SupplyCount {
                sites: 2,
                professionals: 2,
                fte: 2.5,
                ages_known: 2,
                aged: 1
            }
        );
        assert_eq!(gp.density(5000.0, 10_000.0), Some(4.0));
        assert_eq!(gp.density(5000.0, 100_000.0), Some(40.0));
        assert_eq!(gp.aged_share(), Some(0.5));
        assert_eq!(counts[1]["radiology"].professionals, 1);
        assert_eq!(counts[1]["radiology"].aged_share(), None);
        assert!(!counts[1].contains_key("gp"));
        let options = DensityOptions {
            categories: vec!["gp".into()],
            per: 10_000.0,
            aged: 60,
        };
        let columns = density_columns(&counts, &[5000.0, 0.0], &options);
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "inhabitants",
                "gp_sites",
                "gp_professionals",
                "gp_fte",
                "gp_density",
                "gp_aged_60_share"
            ]
        );
        let row = |i: usize| -> Vec<String> { columns.iter().map(|c| c.text(i)).collect() };
        assert_eq!(row(0), ["5000.0", "2", "2", "2.50", "4.00", "0.5000"]);
        assert_eq!(row(1), ["0.0", "0", "0", "0.00", "", ""]);
    }

    #[test]
    fn the_oldest_age_given_for_a_professional_counts() {
        let sites = [
            site("A#1", "gp", (0.0, 0.0), 1.0, Some(59)),
            site("A#2", "gp", (1.0, 0.0), 1.0, Some(60)),
        ];
        let counts = count_supply(&sites, &[vec![0], vec![0]], 1, 60);
        assert_eq!(counts[0]["gp"].aged, 1);
        assert_eq!(counts[0]["gp"].ages_known, 1);
        assert_eq!(professional_id("10003456789#12"), "10003456789");
        assert_eq!(professional_id("930000011"), "930000011");
    }
}
