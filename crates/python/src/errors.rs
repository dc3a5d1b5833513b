//! Compile errors and runtime exceptions as Python exceptions: diagnostics
//! render with the source line and a caret into `oxjit.errors.TypingError`
//! or `UnsupportedError`; a compiled function's non-zero status becomes the
//! exception its descriptor names (a builtin, NumPy's, or a user class the
//! compiled code named).

use std::collections::HashMap;

use oxjit_abi::exc::{ExcArg, ExcSpec, DYNAMIC};
use oxjit_diag::{Diagnostic, SourceFile};
use oxjit_runtime::exceptions;
use pyo3::exceptions::PySystemError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString, PyTuple};

/// A failed compilation, ready to be raised.
#[derive(Clone, Debug)]
pub struct CompileError {
    pub message: String,
    pub unsupported: bool,
    pub code: String,
    pub filename: String,
    pub lineno: u32,
    pub col: u32,
}

impl CompileError {
    /// Renders diagnostics of one function under a header line.
    pub fn from_diags(src: &SourceFile, header: &str, diags: &[Diagnostic]) -> CompileError {
        let first = &diags[0];
        let (lineno, col) = src.line_col(first.span.start);
        let mut message = format!("{header}\n");
        for d in diags {
            message.push_str(&src.render(d));
        }
        CompileError {
            message: message.trim_end().to_string(),
            unsupported: first.code.is_unsupported(),
            code: first.code.as_str().to_string(),
            filename: src.path.to_string(),
            lineno,
            col,
        }
    }

    /// An error without a source position (e.g. the source is unavailable).
    pub fn plain(message: String, unsupported: bool, code: &str) -> CompileError {
        CompileError {
            message,
            unsupported,
            code: code.to_string(),
            filename: String::new(),
            lineno: 0,
            col: 0,
        }
    }

    pub fn to_pyerr(&self, py: Python<'_>) -> PyErr {
        let make = || -> PyResult<PyErr> {
            let module = py.import("oxjit.errors")?;
            let cls = module.getattr(if self.unsupported {
                "UnsupportedError"
            } else {
                "TypingError"
            })?;
            let exc = cls.call1((self.message.clone(),))?;
            exc.setattr("code", &self.code)?;
            exc.setattr("filename", &self.filename)?;
            exc.setattr("lineno", self.lineno)?;
            exc.setattr("col", self.col)?;
            Ok(PyErr::from_value(exc))
        };
        make().unwrap_or_else(|e| e)
    }
}

/// User exception classes compiled code may raise or catch, by the name
/// it knows them by (`module.qualname`): what a status of that class
/// becomes in Python.
static USER_CLASSES: std::sync::LazyLock<std::sync::Mutex<HashMap<String, Py<PyAny>>>> =
    std::sync::LazyLock::new(Default::default);

/// Makes user exception class `cls` known under `name`, to the runtime
/// (with its ancestors, for `except` clauses) and to [`exception_instance`].
pub fn register_user_class(name: &str, cls: &Bound<'_, PyAny>, ancestors: Vec<String>) {
    exceptions::register_class(name, ancestors);
    USER_CLASSES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_owned(), cls.clone().unbind());
}

/// The Python exception for a compiled function's non-zero status.
pub fn exception_from_status(py: Python<'_>, status: i32) -> PyErr {
    let spec = if status as u32 == DYNAMIC {
        exceptions::take_dynamic()
    } else {
        exceptions::get(status as u32)
    };
    let Some(spec) = spec else {
        return PySystemError::new_err(format!("compiled code returned unknown status {status}"));
    };
    match exception_instance(py, &spec) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// The Python exception object a descriptor stands for.
pub fn exception_instance<'py>(py: Python<'py>, spec: &ExcSpec) -> PyResult<Bound<'py, PyAny>> {
    let user = USER_CLASSES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&spec.class)
        .map(|c| c.bind(py).clone());
    // User classes by registration, builtins by name, others (NumPy's
    // AxisError) by module path.
    let cls = match (user, spec.class.rsplit_once('.')) {
        (Some(cls), _) => cls,
        (None, Some((module, name))) => py.import(module)?.getattr(name)?,
        (None, None) => py.import("builtins")?.getattr(spec.class.as_str())?,
    };
    fn arg<'py>(py: Python<'py>, a: &ExcArg) -> PyResult<Bound<'py, PyAny>> {
        Ok(match a {
            ExcArg::Int(i) => PyInt::new(py, *i).into_any(),
            ExcArg::Float(x) => PyFloat::new(py, *x).into_any(),
            ExcArg::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            ExcArg::Str(s) => PyString::new(py, s).into_any(),
            ExcArg::None => py.None().into_bound(py),
            ExcArg::Tuple(items) => {
                let items = items
                    .iter()
                    .map(|x| arg(py, x))
                    .collect::<PyResult<Vec<_>>>()?;
                PyTuple::new(py, items)?.into_any()
            }
        })
    }
    let args = spec
        .args
        .iter()
        .map(|a| arg(py, a))
        .collect::<PyResult<Vec<_>>>()?;
    cls.call1(PyTuple::new(py, args)?)
}
