//! The commands' glue: each file reads a command's files, calls the engine and writes its
//! outputs (`recours table`, `fca`, `zonage`, `inspect`, `demo`). `run`, and the ICC job
//! shared by `recours icc` and the study's `[icc]` section, live in [`crate::study`].

pub mod demo;
pub mod fca;
pub mod inspect;
pub mod pg_out;
pub mod table;
pub mod zonage;
