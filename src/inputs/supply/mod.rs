//! Care supply from the published French directories: the Annuaire Santé / RPPS extraction
//! ([`annuaire`]) sorted into categories of care ([`categories`]). Practices have no
//! coordinates there; [`crate::inputs::geocode`] locates them against the Base Adresse Nationale.
//! [`finess`] reads FINESS establishments; [`sites`] turns both into [`Site`]s.

pub mod annuaire;
pub mod categories;
pub mod finess;
pub mod site;
pub mod sites;
pub mod vocabulary;

pub use annuaire::{
    read_annuaire, read_annuaire_with_summary, Activity, PracticeMode, ReadSummary,
};
pub use categories::{Category, CategoryError, CategoryMap};
pub use site::Site;
