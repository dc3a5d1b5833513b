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
mod panics;
mod timing;
mod typed;
mod typeof_;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

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

/// The library registry as data, for tests and documentation: one dict
/// per entry (path, aliases, params as (name, has_default, default,
/// positional_only, keyword_only), rest, method, method_aliases, lowering).
#[pyfunction]
fn library(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    use oxjit_hir::Const;
    let out = PyList::empty(py);
    for e in oxjit_typeck::library::library().entries() {
        let d = PyDict::new(py);
        d.set_item("path", &e.path)?;
        d.set_item("aliases", &e.aliases)?;
        let params = PyList::empty(py);
        let sig = &e.signature;
        for (i, p) in sig.params.iter().enumerate() {
            let default = match &p.default {
                None | Some(Const::None) => py.None(),
                Some(Const::Bool(b)) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
                Some(Const::Int(i)) => i.into_pyobject(py)?.into_any().unbind(),
                Some(Const::Float(x)) => x.into_pyobject(py)?.into_any().unbind(),
                Some(Const::Str(s)) => s.into_pyobject(py)?.into_any().unbind(),
                Some(Const::Tuple(items)) if items.is_empty() => {
                    pyo3::types::PyTuple::empty(py).into_any().unbind()
                }
                Some(c) => format!("{c:?}").into_pyobject(py)?.into_any().unbind(),
            };
            let item = (
                p.name.as_str(),
                p.default.is_some(),
                default,
                i < sig.positional_only,
                i >= sig.positional,
            );
            params.append(item)?;
        }
        d.set_item("params", params)?;
        d.set_item("rest", sig.rest.as_deref())?;
        d.set_item("method", format!("{:?}", e.method))?;
        d.set_item("method_aliases", &e.method_aliases)?;
        d.set_item("lowering", format!("{:?}", e.lowering()))?;
        out.append(d)?;
    }
    Ok(out)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    oxjit_runtime::memory::init();
    m.add_class::<dispatcher::Dispatcher>()?;
    m.add_class::<boxing::MemInfoOwner>()?;
    m.add_class::<typed::TypedList>()?;
    m.add_class::<typed::TypedDict>()?;
    m.add_function(wrap_pyfunction!(typeof_py, m)?)?;
    m.add_function(wrap_pyfunction!(alloc_stats, m)?)?;
    m.add_function(wrap_pyfunction!(library, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_thread_id, m)?)?;
    Ok(())
}
