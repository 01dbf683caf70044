//! `recours._recours`: the Rust side of the Python package `recours`.
//!
//! Thin bindings over the library: each function takes NumPy arrays or plain values,
//! releases the GIL while the engine computes (`Python::allow_threads`), and hands results
//! back as NumPy arrays that own the engine's vectors (no copy). Library errors become
//! [`RecoursError`] carrying the message the command line prints (`error: …`, the whole
//! context chain). The pandas / GeoPandas layer lives in `recours/__init__.py`.

mod access;
mod fca;
mod jobs;
mod network;
mod scenario;

use pyo3::create_exception;
use pyo3::prelude::*;

create_exception!(
    _recours,
    RecoursError,
    pyo3::exceptions::PyException,
    "An error of the recours engine, with the command line's message."
);

/// The library error as a Python exception, with its whole context chain (`a: b: c`).
pub(crate) fn to_py(e: impl Into<anyhow::Error>) -> PyErr {
    RecoursError::new_err(format!("{:#}", e.into()))
}

#[pymodule]
fn _recours(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RecoursError", m.py().get_type::<RecoursError>())?;
    m.add_class::<network::Network>()?;
    m.add_class::<scenario::Scenario>()?;
    m.add_function(wrap_pyfunction!(fca::fca_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::run_icc, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::run_zonage, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::run_study, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::run_demo, m)?)?;
    Ok(())
}
