//! The HIR's `Env` over a Python function: closure cells, then module
//! globals, then builtins, each value classified into what compiled code can
//! use. Values are read when the function is first compiled and frozen, as
//! in Numba.

use crate::dispatcher::Dispatcher;
use oxjit_hir::{Const, Env, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyDict, PyFloat, PyInt, PyModule, PyString, PyTuple, PyType};
use std::collections::HashMap;

pub struct PyEnv<'py> {
    pub globals: Bound<'py, PyDict>,
    pub builtins: Bound<'py, PyAny>,
    pub closure: HashMap<String, Bound<'py, PyAny>>,
}

impl<'py> PyEnv<'py> {
    pub fn new(func: &Bound<'py, PyAny>) -> PyResult<PyEnv<'py>> {
        let py = func.py();
        let globals = func.getattr("__globals__")?.cast_into::<PyDict>()?;
        let builtins = match globals.get_item("__builtins__")? {
            Some(b) => b,
            None => py.import("builtins")?.into_any(),
        };
        let mut closure = HashMap::new();
        let cells = func.getattr("__closure__")?;
        if !cells.is_none() {
            let names = func.getattr("__code__")?.getattr("co_freevars")?;
            for (name, cell) in names.try_iter()?.zip(cells.try_iter()?) {
                let name: String = name?.extract()?;
                if let Ok(v) = cell?.getattr("cell_contents") {
                    closure.insert(name, v);
                }
            }
        }
        Ok(PyEnv {
            globals,
            builtins,
            closure,
        })
    }

    fn lookup(&self, name: &str) -> Option<Bound<'py, PyAny>> {
        if let Some(v) = self.closure.get(name) {
            return Some(v.clone());
        }
        if let Ok(Some(v)) = self.globals.get_item(name) {
            return Some(v);
        }
        match self.builtins.cast::<PyDict>() {
            Ok(d) => d.get_item(name).ok().flatten(),
            Err(_) => self.builtins.getattr(name).ok(),
        }
    }
}

impl Env for PyEnv<'_> {
    fn global(&mut self, name: &str) -> Option<Value> {
        self.lookup(name).map(|v| classify(&v, name))
    }

    fn attribute(&mut self, module: &str, name: &str) -> Option<Value> {
        let py = self.globals.py();
        let m = py.import(module).ok()?;
        let v = m.getattr(name).ok()?;
        Some(classify(&v, &format!("{module}.{name}")))
    }
}

/// A Python constant value, if it is one compiled code can embed.
pub fn constant(v: &Bound<'_, PyAny>) -> Option<Const> {
    if v.is_none() {
        return Some(Const::None);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Some(Const::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        return v.extract::<i64>().ok().map(Const::Int);
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Some(Const::Float(f.value()));
    }
    if let Ok(c) = v.cast::<PyComplex>() {
        return Some(Const::Complex(c.real(), c.imag()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return s.to_str().ok().map(|s| Const::Str(s.to_string()));
    }
    if let Ok(t) = v.cast::<PyTuple>() {
        return t
            .iter()
            .map(|x| constant(&x))
            .collect::<Option<Vec<_>>>()
            .map(Const::Tuple);
    }
    // NumPy scalars freeze as Python numbers of the same kind.
    if crate::typeof_::is_numpy_scalar(v.py(), v.as_ptr()) {
        let item = v.call_method0("item").ok()?;
        if item.is_instance_of::<PyInt>()
            || item.is_instance_of::<PyFloat>()
            || item.is_instance_of::<PyComplex>()
            || item.is_instance_of::<PyBool>()
        {
            return constant(&item);
        }
    }
    None
}

/// What a global value is to compiled code.
pub fn classify(v: &Bound<'_, PyAny>, name: &str) -> Value {
    if let Some(c) = constant(v) {
        return Value::Const(c);
    }
    if let Ok(d) = v.cast::<Dispatcher>() {
        return Value::Dispatcher(d.get().id());
    }
    if let Ok(m) = v.cast::<PyModule>() {
        return Value::Module(m.name().map(|n| n.to_string()).unwrap_or_default());
    }
    // A dtype object (`np.dtype("f8")`) stands for its scalar type.
    let ty = v.get_type();
    if ty
        .getattr("__module__")
        .and_then(|m| m.extract::<String>())
        .is_ok_and(|m| m == "numpy.dtypes")
    {
        if let Ok(n) = v.getattr("name").and_then(|n| n.extract::<String>()) {
            return Value::Function(format!("numpy.{n}"));
        }
    }
    if let Ok(t) = v.cast::<PyType>() {
        let py = v.py();
        let is_exc = py.get_type::<pyo3::exceptions::PyBaseException>();
        let module: String = t
            .getattr("__module__")
            .and_then(|m| m.extract())
            .unwrap_or_default();
        let qual: String = t
            .getattr("__name__")
            .and_then(|m| m.extract())
            .unwrap_or_default();
        if t.is_subclass(&is_exc).unwrap_or(false) {
            if module == "builtins" {
                return Value::ExceptionClass(qual);
            }
            return Value::Opaque(format!(
                "the exception class '{qual}' (only builtin exceptions can be raised)"
            ));
        }
        if matches!(module.as_str(), "builtins" | "numpy" | "oxjit") {
            return Value::Function(format!("{module}.{qual}"));
        }
    }
    if v.is_callable() {
        let module: Option<String> = v.getattr("__module__").ok().and_then(|m| m.extract().ok());
        let fname: Option<String> = v.getattr("__name__").ok().and_then(|m| m.extract().ok());
        let is_ufunc = v.get_type().name().map(|n| n == "ufunc").unwrap_or(false);
        match (module.as_deref(), fname) {
            (_, Some(f)) if is_ufunc => return Value::Function(format!("numpy.{f}")),
            (Some(m @ ("math" | "builtins" | "cmath" | "oxjit")), Some(f)) => {
                return Value::Function(format!("{m}.{f}"))
            }
            (Some(m), Some(f)) if m.starts_with("numpy.random") => {
                return Value::Function(format!("numpy.random.{f}"))
            }
            (Some(m), Some(f)) if m == "numpy" || m.starts_with("numpy.") => {
                return Value::Function(format!("numpy.{f}"))
            }
            (None, Some(f)) if name.starts_with("math.") => {
                return Value::Function(format!("math.{f}"))
            }
            _ => {}
        }
        if v.hasattr("__code__").unwrap_or(false) {
            return Value::Opaque(format!(
                "the Python function '{name}' (it is not compiled; decorate it with @njit to call it from compiled code)"
            ));
        }
    }
    let ty = crate::typeof_::type_name(v);
    Value::Opaque(format!("the global '{name}' of type '{ty}'"))
}
