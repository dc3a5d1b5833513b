//! The HIR's `Env` over a Python function: closure cells, then module
//! globals, then builtins, each value classified into what compiled code can
//! use. Values are read when the function is first compiled and frozen, as
//! in Numba.

use crate::dispatcher::Dispatcher;
use oxjit_hir::{Const, Env, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyDict, PyFloat, PyInt, PyModule, PyString, PyTuple, PyType};
use std::collections::HashMap;
use std::sync::Mutex;

pub struct PyEnv<'py> {
    pub globals: Bound<'py, PyDict>,
    pub builtins: Bound<'py, PyAny>,
    pub closure: HashMap<String, Bound<'py, PyAny>>,
    /// The function's own name and dispatcher id: a call by that name
    /// before the name is bound (an eager `@jit(sig)` compiling at
    /// decoration) is self-recursion, as Numba resolves it.
    pub own: (String, u64),
}

impl<'py> PyEnv<'py> {
    pub fn new(func: &Bound<'py, PyAny>, id: u64) -> PyResult<PyEnv<'py>> {
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
        let name = func.getattr("__name__")?.extract()?;
        Ok(PyEnv {
            globals,
            builtins,
            closure,
            own: (name, id),
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
        match self.lookup(name) {
            Some(v) => Some(classify(&v, name)),
            None if name == self.own.0 => Some(Value::Dispatcher(self.own.1)),
            None => None,
        }
    }

    fn attribute(&mut self, module: &str, name: &str) -> Option<Value> {
        let py = self.globals.py();
        let m = py.import(module).ok()?;
        let v = m.getattr(name).ok()?;
        Some(classify(&v, &format!("{module}.{name}")))
    }

    fn suggest(&mut self, module: &str, name: &str) -> Option<String> {
        oxjit_typeck::library::library().close_to(&format!("{module}.{name}"))
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

/// The registry path of a library object, found by identity: every path
/// the registry declares is resolved to its Python object, so an object is
/// recognised however the user reached it (`np.abs`, `from numpy import
/// absolute`), and a different object of the same name (`np.emath.sqrt`, a
/// user's `len`) is not mistaken for it. A module's paths are resolved once
/// it has been imported (by anyone): importing it here would cost every
/// first compilation the import (18 ms for `numpy.random`), and an object
/// of a module not imported yet cannot be in the user's hands.
fn library_path(v: &Bound<'_, PyAny>) -> Option<&'static str> {
    type Objects = HashMap<usize, (Py<PyAny>, &'static str)>;
    /// The resolved objects, and the paths by module not imported yet.
    static RESOLVED: Mutex<Option<(Objects, ModulePaths)>> = Mutex::new(None);
    let py = v.py();
    // No Python runs under the lock (a thread waiting for it would hold
    // the GIL that this one needs); resolving a module twice is harmless.
    let pending = {
        let mut guard = RESOLVED.lock().unwrap_or_else(|e| e.into_inner());
        let (_, pending) = guard.get_or_insert_with(|| (HashMap::new(), paths_by_module()));
        pending.clone()
    };
    if !pending.is_empty() {
        let modules = py.import("sys").and_then(|s| s.getattr("modules")).ok();
        let mut found = vec![];
        let mut done = vec![];
        for (module, paths) in pending {
            let loaded = modules
                .as_ref()
                .is_some_and(|d| d.contains(module).unwrap_or(false));
            let Some(m) = loaded.then(|| py.import(module).ok()).flatten() else {
                continue;
            };
            done.push(module);
            for path in paths {
                // Missing in this Python's or NumPy's version: skipped.
                if let Ok(obj) = m.getattr(path.rsplit_once('.').unwrap().1) {
                    found.push((obj.unbind(), path));
                }
            }
        }
        let mut guard = RESOLVED.lock().unwrap_or_else(|e| e.into_inner());
        let (objects, pending) = guard.as_mut().unwrap();
        pending.retain(|(m, _)| !done.contains(m));
        for (obj, path) in found {
            // The first path wins where two name one object (aliases).
            objects.entry(obj.as_ptr() as usize).or_insert((obj, path));
        }
    }
    let guard = RESOLVED.lock().unwrap_or_else(|e| e.into_inner());
    let (objects, _) = guard.as_ref().unwrap();
    objects.get(&(v.as_ptr() as usize)).map(|(_, p)| *p)
}

/// Registry paths grouped by module.
type ModulePaths = Vec<(&'static str, Vec<&'static str>)>;

fn paths_by_module() -> ModulePaths {
    let mut groups: ModulePaths = vec![];
    for path in oxjit_typeck::library::library().paths() {
        let module = path.rsplit_once('.').unwrap().0;
        match groups.iter_mut().find(|(m, _)| *m == module) {
            Some((_, paths)) => paths.push(path),
            None => groups.push((module, vec![path])),
        }
    }
    groups
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
    if let Some(path) = library_path(v) {
        return Value::Function(path.to_string());
    }
    // A Numba-style type object (`types.int64`): its printed form.
    let is_type = v.py().import("oxjit.types").and_then(|m| m.getattr("Type"));
    if is_type.is_ok_and(|t| v.is_instance(&t).unwrap_or(false)) {
        if let Ok(text) = v.str() {
            return Value::Type(text.to_string());
        }
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
        let is_exc = v.py().get_type::<pyo3::exceptions::PyBaseException>();
        if t.is_subclass(&is_exc).unwrap_or(false) {
            let module: String = t
                .getattr("__module__")
                .and_then(|m| m.extract())
                .unwrap_or_default();
            let qual: String = t
                .getattr("__name__")
                .and_then(|m| m.extract())
                .unwrap_or_default();
            if module == "builtins" {
                return Value::ExceptionClass(qual);
            }
            return user_exception_class(t, &module);
        }
    }
    if v.is_callable() {
        // A library function the registry does not have, named by the
        // path it was reached through (`numpy.linalg.inv`, never a
        // flattened `numpy.inv`), so the error names it exactly.
        let module: Option<String> = v.getattr("__module__").ok().and_then(|m| m.extract().ok());
        let fname: Option<String> = v.getattr("__name__").ok().and_then(|m| m.extract().ok());
        let path = match (module, fname) {
            _ if name.contains('.') => Some(name.to_string()),
            (Some(m), Some(f)) => Some(format!("{m}.{f}")),
            _ => None,
        };
        let library = ["numpy", "math", "cmath", "builtins", "operator", "oxjit"];
        if let Some(path) = path.filter(|p| library.contains(&p.split('.').next().unwrap())) {
            return Value::Function(path);
        }
        // `@register_jitable`: compiled where compiled code calls it.
        if let Ok(d) = v.getattr("__oxjit_jitable__") {
            if let Ok(d) = d.cast::<Dispatcher>() {
                return Value::Dispatcher(d.get().id());
            }
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

/// A user exception class (`class ParseError(ValueError)`), named
/// `module.qualname` and registered with its ancestors, so compiled code
/// can raise and catch it and its statuses become instances of it.
fn user_exception_class(t: &Bound<'_, PyType>, module: &str) -> Value {
    let name_of = |c: &Bound<'_, PyAny>| -> Option<String> {
        let m: String = c.getattr("__module__").ok()?.extract().ok()?;
        let q: String = c.getattr("__qualname__").ok()?.extract().ok()?;
        Some(if m == "builtins" {
            q
        } else {
            format!("{m}.{q}")
        })
    };
    let Some(name) = name_of(t.as_any()) else {
        return Value::Opaque(format!("the exception class in module '{module}'"));
    };
    let mut ancestors = Vec::new();
    if let Ok(mro) = t.getattr("__mro__") {
        if let Ok(items) = mro.try_iter() {
            for c in items.flatten().skip(1) {
                if let Some(n) = name_of(&c).filter(|n| n != "object") {
                    // Ancestors that are user classes are registered too, so
                    // a status of one of them matches its own ancestors.
                    if c.getattr("__module__")
                        .and_then(|m| m.extract::<String>())
                        .is_ok_and(|m| m != "builtins")
                    {
                        if let Ok(ct) = c.cast::<PyType>() {
                            user_exception_class(ct, module);
                        }
                    }
                    ancestors.push(n);
                }
            }
        }
    }
    crate::errors::register_user_class(&name, t.as_any(), ancestors);
    Value::ExceptionClass(name)
}
