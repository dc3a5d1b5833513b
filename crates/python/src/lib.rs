//! `oxjit._core`, the extension module behind the `oxjit` package: the
//! `Dispatcher` (argument typing, specialisation table, calls into machine
//! code), the compile driver that runs the pipeline stages, and the
//! conversions between Python objects and compiled values. This is the only
//! crate that knows PyO3.

mod backend;
mod boxing;
mod dispatcher;
mod driver;
mod env;
mod errors;
mod timing;
mod typeof_;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The type string oxjit infers for a value (`typeof(1) == 'int64'`).
#[pyfunction(name = "typeof")]
fn typeof_py(value: &Bound<'_, PyAny>) -> PyResult<String> {
    typeof_::type_of(value)
        .map(|t| t.to_string())
        .map_err(pyo3::exceptions::PyValueError::new_err)
}

/// The runtime's allocation counters, for leak checks in tests.
#[pyfunction]
fn alloc_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let s = oxjit_runtime::memory::stats();
    let d = PyDict::new(py);
    d.set_item("allocs", s.allocs)?;
    d.set_item("frees", s.frees)?;
    d.set_item("meminfo_allocs", s.meminfo_allocs)?;
    d.set_item("meminfo_frees", s.meminfo_frees)?;
    Ok(d)
}

/// Sets the number of threads `parallel=True` code launched from this
/// thread uses (1 to the pool size, `OXJIT_NUM_THREADS` or the core count).
#[pyfunction]
fn set_num_threads(n: i64) -> PyResult<()> {
    let n = usize::try_from(n).unwrap_or(0);
    oxjit_runtime::parallel::set_num_threads(n).map_err(pyo3::exceptions::PyValueError::new_err)
}

/// The number of threads `parallel=True` code launched from this thread uses.
#[pyfunction]
fn get_num_threads() -> usize {
    oxjit_runtime::parallel::get_num_threads()
}

/// The index of the calling thread in the parallel region it runs (0 outside one).
#[pyfunction]
fn get_thread_id() -> usize {
    oxjit_runtime::parallel::get_thread_id()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<dispatcher::Dispatcher>()?;
    m.add_class::<boxing::MemInfoOwner>()?;
    m.add_function(wrap_pyfunction!(typeof_py, m)?)?;
    m.add_function(wrap_pyfunction!(alloc_stats, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_thread_id, m)?)?;
    Ok(())
}
