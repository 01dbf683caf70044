//! One study, end to end: the study file ([`config`]), its inputs read through the
//! real-format readers ([`inputs`]), the run ([`run`]), its report ([`report`]), its provenance ([`manifest`]) and its zonage ([`zonage`]).

pub mod config;
pub mod inputs;
pub mod manifest;
pub mod report;
pub mod run;
pub mod zonage;

pub use config::{Study, StudyError};
pub use run::{run_study, RunOutput, RunSummary};
