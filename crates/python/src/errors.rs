//! Compile errors and runtime exceptions as Python exceptions: diagnostics
//! render with the source line and a caret into `oxjit.errors.TypingError`
//! or `UnsupportedError`; a compiled function's non-zero status becomes the
//! builtin exception its descriptor names.

use oxjit_abi::exc::{ExcArg, DYNAMIC};
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
    let make = || -> PyResult<PyErr> {
        // Builtin classes by name; others (NumPy's AxisError) by module path.
        let cls = match spec.class.rsplit_once('.') {
            Some((module, name)) => py.import(module)?.getattr(name)?,
            None => py.import("builtins")?.getattr(spec.class.as_str())?,
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
        let exc = cls.call1(PyTuple::new(py, args)?)?;
        Ok(PyErr::from_value(exc))
    };
    make().unwrap_or_else(|e| e)
}
