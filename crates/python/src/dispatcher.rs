//! The `Dispatcher` Python class: types the arguments of each call, finds
//! (or compiles) the specialisation for those types, unboxes the arguments,
//! calls the machine code and boxes the result. The hit path allocates
//! nothing on the heap for scalar and array arguments.

use crate::boxing::{after_call, box_value, unbox};
use crate::driver::{self, FuncInfo, Spec};
use crate::errors::exception_from_status;
use crate::typeof_::{code, type_of};
use oxjit_tir::{ErrorModel, FastMath, Flags};
use oxjit_types::{parse_signature, parse_type, Layout, Type};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

#[pyclass(subclass, frozen, module = "oxjit._core")]
pub struct Dispatcher {
    info: Arc<FuncInfo>,
}

impl Dispatcher {
    pub fn id(&self) -> u64 {
        self.info.id
    }

    fn spec(&self, i: usize) -> PyResult<&'static Spec> {
        self.info
            .specs
            .read()
            .unwrap()
            .get(i)
            .copied()
            .ok_or_else(|| pyo3::exceptions::PyIndexError::new_err("no such signature"))
    }
}

fn option<'py, T: pyo3::conversion::FromPyObjectOwned<'py>>(
    opts: Option<&Bound<'py, PyDict>>,
    name: &str,
    default: T,
) -> PyResult<T> {
    match opts.map(|o| o.get_item(name)).transpose()?.flatten() {
        Some(v) if !v.is_none() => v.extract().map_err(Into::into),
        _ => Ok(default),
    }
}

/// How well a value of type `from` converts to a signature's type `to`:
/// `None` if it cannot; lower is better.
fn conversion_cost(from: &Type, to: &Type) -> Option<u32> {
    if from == to {
        return Some(0);
    }
    match (from, to) {
        // Towards a higher kind or a wider type is cheap; narrowing within a
        // kind is allowed at a cost; a lower kind (complex → float) never.
        (Type::Scalar(a), Type::Scalar(b)) => match a.kind().cmp(&b.kind()) {
            std::cmp::Ordering::Less => Some(1),
            std::cmp::Ordering::Equal if a.strong().bits() <= b.strong().bits() => Some(1),
            std::cmp::Ordering::Equal => Some(10),
            std::cmp::Ordering::Greater => None,
        },
        (Type::Array(a), Type::Array(b))
            if a.dtype == b.dtype && a.ndim == b.ndim && b.layout == Layout::A =>
        {
            Some(1)
        }
        (Type::Tuple(a), Type::Tuple(b)) if a.len() == b.len() => {
            a.iter().zip(b).map(|(x, y)| conversion_cost(x, y)).sum()
        }
        // An optional parameter takes None or its value.
        (Type::None, Type::Optional(_)) => Some(1),
        (t, Type::Optional(v)) => conversion_cost(t, v).map(|c| c + 1),
        _ => None,
    }
}

/// Raw pointers handed to compiled code while the GIL is released.
struct CallArgs(usize, usize);

#[pymethods]
impl Dispatcher {
    #[new]
    #[pyo3(signature = (py_func, options = None))]
    fn new(py_func: &Bound<'_, PyAny>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let error_model = match option(options, "error_model", "python".to_string())?.as_str() {
            "python" => ErrorModel::Python,
            "numpy" => ErrorModel::Numpy,
            other => {
                return Err(PyValueError::new_err(format!(
                    "error_model must be 'python' or 'numpy', not {other:?}"
                )))
            }
        };
        let fastmath = match options
            .map(|o| o.get_item("fastmath"))
            .transpose()?
            .flatten()
        {
            None => FastMath::default(),
            Some(v) => match v.extract::<bool>() {
                Ok(all) => {
                    if all {
                        FastMath::ALL
                    } else {
                        FastMath::default()
                    }
                }
                Err(_) => {
                    let names: Vec<String> = v.extract()?;
                    FastMath(
                        FastMath::NAMES
                            .iter()
                            .filter(|(n, _)| names.iter().any(|x| x == n))
                            .map(|(_, bit)| bit)
                            .sum(),
                    )
                }
            },
        };
        let flags = Flags {
            boundscheck: option(options, "boundscheck", false)?,
            error_model,
            fastmath,
            parallel: option(options, "parallel", false)?,
            inline_always: option(options, "inline", String::new())? == "always",
        };
        let nogil = option(options, "nogil", false)?;
        // `locals`: variable name → type string (the Python layer prints
        // the type objects).
        let declared: HashMap<String, String> = option(options, "locals", HashMap::new())?;
        let mut declared_locals = declared
            .into_iter()
            .map(|(name, t)| {
                parse_type(&t).map(|t| (name.clone(), t)).map_err(|e| {
                    PyTypeError::new_err(format!("locals: bad type for '{name}': {e}"))
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        declared_locals.sort_by(|a, b| a.0.cmp(&b.0));
        let code = py_func.getattr("__code__")?;
        let nparams: usize = code.getattr("co_argcount")?.extract::<usize>()?
            + code.getattr("co_kwonlyargcount")?.extract::<usize>()?;
        let name: String = py_func.getattr("__name__")?.extract()?;
        let func = py_func.clone().unbind();
        let source_lines = driver::capture_source(py_func);
        let info = driver::register(|id| FuncInfo {
            id,
            source_lines,
            py_func: func,
            name,
            flags,
            declared_locals,
            nogil,
            nparams,
            specs: RwLock::new(Vec::new()),
            compile_enabled: AtomicBool::new(true),
            hir: Mutex::new(None),
            signature: OnceLock::new(),
        });
        Ok(Dispatcher { info })
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let info = &self.info;
        let bound;
        let args = if kwargs.is_none_or(|k| k.is_empty()) && args.len() == info.nparams {
            args
        } else {
            bound = self.bind(py, args, kwargs)?;
            &bound
        };
        let mut types: SmallVec<[Type; 6]> = SmallVec::new();
        let mut key: SmallVec<[u64; 6]> = SmallVec::new();
        for (i, a) in args.iter().enumerate() {
            let t = type_of(&a)
                .map_err(|m| driver::argument_error(py, info, args, i, &m).to_pyerr(py))?;
            key.push(code(&t));
            types.push(t);
        }
        let hit = info
            .specs
            .read()
            .unwrap()
            .iter()
            .find(|s| s.key.as_slice() == key.as_slice())
            .copied();
        let spec = match hit {
            Some(s) => s,
            None if info.compile_enabled.load(Ordering::Acquire) => {
                driver::compile(py, info, types.to_vec(), None).map_err(|e| e.to_pyerr(py))?
            }
            None => self.convertible(&types)?,
        };
        call(py, spec, args, info.nogil)
    }

    /// Compiles eagerly for a signature string such as `"float64(float64[:])"`.
    fn compile(&self, py: Python<'_>, sig: &str) -> PyResult<()> {
        let s = parse_signature(sig)
            .map_err(|e| PyTypeError::new_err(format!("invalid signature {sig:?}: {e}")))?;
        if s.args.len() != self.info.nparams {
            return Err(PyTypeError::new_err(format!(
                "signature mismatch: {sig:?} gives {} argument type(s), but '{}' takes {} argument(s)",
                s.args.len(),
                self.info.name,
                self.info.nparams
            )));
        }
        // Results box as Numba boxes them: int64/float64/complex128 as Python
        // numbers.
        driver::compile(py, &self.info, s.args, s.ret.map(|t| t.weakened()))
            .map_err(|e| e.to_pyerr(py))?;
        Ok(())
    }

    /// Stops compiling new specialisations (after explicit signatures).
    fn disable_compile(&self) {
        self.info.compile_enabled.store(false, Ordering::Release);
    }

    /// Argument types of each specialisation, as type strings.
    #[getter]
    fn signatures(&self) -> Vec<Vec<String>> {
        self.info
            .specs
            .read()
            .unwrap()
            .iter()
            .map(|s| s.args.iter().map(|t| t.to_string()).collect())
            .collect()
    }

    fn _typed_ir(&self, i: usize) -> PyResult<String> {
        Ok(oxjit_tir::print_function(&self.spec(i)?.tir))
    }

    fn _llvm_ir(&self, i: usize) -> PyResult<String> {
        Ok(self.spec(i)?.llvm_ir.clone())
    }

    fn _return_type(&self, i: usize) -> PyResult<String> {
        Ok(self.spec(i)?.ret.to_string())
    }

    fn _local_types(&self, i: usize) -> PyResult<HashMap<String, String>> {
        let s = self.spec(i)?;
        Ok(s.tir
            .locals
            .iter()
            .filter(|l| !l.name.starts_with('$'))
            .map(|l| (l.name.clone(), l.ty.to_string()))
            .collect())
    }

    /// `(line, dynamic, [(variable, op)], [private variables])` of each
    /// parallel loop of specialisation `i`.
    #[allow(clippy::type_complexity)]
    fn _parallel_loops(
        &self,
        py: Python<'_>,
        i: usize,
    ) -> PyResult<Vec<(u32, bool, Vec<(String, String)>, Vec<String>)>> {
        Ok(driver::parallel_loops(py, &self.info, self.spec(i)?)
            .into_iter()
            .map(|l| (l.line, l.dynamic, l.reductions, l.private))
            .collect())
    }

    fn _line_types(&self, py: Python<'_>, i: usize) -> PyResult<Vec<(u32, String, String)>> {
        Ok(driver::line_types(py, &self.info, self.spec(i)?))
    }
}

impl Dispatcher {
    /// Binds keyword and default arguments like Python does.
    fn bind<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let sig = match self.info.signature.get() {
            Some(s) => s.bind(py).clone(),
            None => {
                let s = py
                    .import("inspect")?
                    .call_method1("signature", (self.info.py_func.bind(py),))?;
                let _ = self.info.signature.set(s.clone().unbind());
                s
            }
        };
        let ba = sig.call_method("bind", args, kwargs)?;
        ba.call_method0("apply_defaults")?;
        let values = ba.getattr("arguments")?.call_method0("values")?;
        PyTuple::new(py, values.try_iter()?.collect::<PyResult<Vec<_>>>()?)
    }

    /// The best explicit signature the arguments convert to.
    fn convertible(&self, types: &[Type]) -> PyResult<&'static Spec> {
        let specs = self.info.specs.read().unwrap();
        let best = specs
            .iter()
            .filter(|s| s.args.len() == types.len())
            .filter_map(|s| {
                types
                    .iter()
                    .zip(&s.args)
                    .map(|(a, b)| conversion_cost(a, b))
                    .sum::<Option<u32>>()
                    .map(|c| (c, *s))
            })
            .min_by_key(|(c, _)| *c);
        match best {
            Some((_, s)) => Ok(s),
            None => {
                let got: Vec<String> = types.iter().map(|t| t.to_string()).collect();
                let have: Vec<String> = specs
                    .iter()
                    .map(|s| {
                        format!(
                            "  ({})",
                            s.args
                                .iter()
                                .map(|t| t.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                    .collect();
                Err(PyTypeError::new_err(format!(
                    "No matching definition for argument type(s) {} in '{}'; the compiled signatures are:\n{}",
                    got.join(", "),
                    self.info.name,
                    have.join("\n")
                )))
            }
        }
    }
}

/// Unboxes `args` for `spec`, runs its machine code and boxes the result.
fn call(
    py: Python<'_>,
    spec: &Spec,
    args: &Bound<'_, PyTuple>,
    nogil: bool,
) -> PyResult<Py<PyAny>> {
    let mut buf: SmallVec<[u64; 32]> = SmallVec::from_elem(0, spec.arg_words);
    let mut ptrs: SmallVec<[*const u8; 8]> = SmallVec::new();
    let base = buf.as_mut_ptr();
    let arg = |i: usize| unsafe { ffi::PyTuple_GET_ITEM(args.as_ptr(), i as isize) };
    // Lists and strs unboxed so far, released (lists reflected) whatever
    // happens next.
    let finish = |n: usize, ptrs: &[*const u8]| -> PyResult<()> {
        let mut done = Ok(());
        for (i, t) in spec.arg_plans[..n].iter().enumerate() {
            if spec.refs_in_args {
                // SAFETY: `ptrs[i]` holds what `unbox` wrote for argument `i`.
                done = done.and(unsafe { after_call(py, arg(i), t, ptrs[i] as *mut u8) });
            }
        }
        done
    };
    for (i, (t, off)) in spec.arg_plans.iter().zip(&spec.arg_offsets).enumerate() {
        // SAFETY: `args` has one item per parameter (checked by the caller's
        // type key), and the buffer has `arg_words` words laid out by offsets.
        unsafe {
            let p = base.add(*off) as *mut u8;
            if let Err(e) = unbox(py, arg(i), t, p) {
                let _ = finish(i, &ptrs);
                return Err(e);
            }
            ptrs.push(p);
        }
    }
    let mut ret: SmallVec<[u64; 8]> = SmallVec::from_elem(0, spec.ret_words);
    let wrapper = spec.wrapper;
    let run = |a: CallArgs| unsafe { wrapper(a.0 as *const *const u8, a.1 as *mut u8) };
    let a = CallArgs(ptrs.as_ptr() as usize, ret.as_mut_ptr() as usize);
    let status = if nogil {
        py.detach(move || run(a))
    } else {
        run(a)
    };
    let reflected = finish(ptrs.len(), &ptrs);
    if status != 0 {
        return Err(exception_from_status(py, status));
    }
    // SAFETY: the wrapper wrote a value of type `spec.ret` into `ret`.
    let value = unsafe { box_value(py, &spec.ret_plan, ret.as_ptr() as *const u8) };
    reflected.and(value)
}
