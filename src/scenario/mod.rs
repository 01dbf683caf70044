//! What-if scenarios: edits of the baseline's supply ("GPs aged 60 and over retire", "a
//! maison de santé with 4 GPs opens here", "a cardiologist holds 2 half-days a week at the
//! town hall") and of the indicators' parameters, written in the study file
//! ([`config`]) and applied to the baseline's sites ([`edits`]). The indicators of a
//! scenario are recomputed from the baseline's state, touching only the catchments of the
//! sites it changes ([`crate::access::AccessEngine::update`]); the study run writes each
//! scenario's layers beside the baseline's ([`crate::study::scenarios`]).

pub mod config;
pub mod edits;
