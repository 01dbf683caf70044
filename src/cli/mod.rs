//! The commands' glue: each file reads a command's files, calls the engine and writes its
//! outputs (`recours table`, `fca`, `icc`, `zonage`, `inspect`, `demo`). `run` lives in
//! [`crate::study`].

pub mod demo;
pub mod fca;
pub mod icc;
pub mod inspect;
pub mod pg_out;
pub mod table;
pub mod zonage;
