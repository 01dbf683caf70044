//! One study, end to end: the study file ([`config`]) and its settings checked up front
//! ([`checks`]), its inputs read through the real-format readers ([`inputs`]), the run
//! ([`run`]) with its per-territory summaries ([`levels`]) and unit coverage ([`coverage`]),
//! what the field publishes beside access ([`published`]: densities, reference rows,
//! outside indicators, target groups, typologies), the ICC ([`icc`], on the job [`icc_job`]
//! that `recours icc` runs too), zonage ([`zonage`]), what-if scenarios ([`scenarios`]),
//! years compared ([`snapshots`]) and supply
//! suggestions ([`suggest`]), its report ([`report`]) and its provenance ([`manifest`]).

pub mod checks;
pub mod config;
pub mod coverage;
pub mod findings;
pub mod icc;
pub mod icc_job;
pub mod inputs;
pub mod levels;
pub mod manifest;
pub mod published;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod snapshots;
pub mod streets;
pub mod suggest;
pub mod zonage;

pub use config::{Study, StudyError};
pub use run::{run_study, run_study_in, RunOutput, RunSummary};
