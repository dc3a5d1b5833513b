//! Conversions between Python objects and the in-memory form of compiled
//! values (`Type::repr` layout): unboxing arguments into a word buffer
//! and boxing results. Python scalars box to Python objects, NumPy-typed
//! scalars to NumPy scalars, as CPython would produce them. Both walk a
//! [`Plan`], made once per specialisation, so that the call path computes
//! no layout.

use crate::typed::{TypedDict, TypedList};
use crate::typeof_::{array_type, descr_scalar, is_numpy_scalar};
use numpy::npyffi::{self, NPY_TYPES, PY_ARRAY_API};
use oxjit_runtime::dict::Dict;
use oxjit_runtime::list::List;
use oxjit_runtime::memory::MemInfo;
use oxjit_runtime::set::Set;
use oxjit_runtime::str::Str;
use oxjit_types::{ArrayType, Scalar, Type};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::c_void;

/// Words (u64) needed for a value of type `t`.
pub fn words(t: &Type) -> usize {
    t.size_align().0.div_ceil(8)
}

/// A type as boxing walks it: a tuple with the offset of each item in its
/// memory representation.
pub enum Plan {
    Scalar(Scalar),
    Array(ArrayType),
    Tuple(Vec<(Plan, usize)>),
    None,
    /// A dtype value (`class` false) or a NumPy scalar type: no data.
    DType {
        dtype: Scalar,
        class: bool,
    },
    /// A list: its items' plan and type descriptor (which lists unboxed
    /// from Python point at, so it lives as long as the plan).
    List {
        item: Box<Plan>,
        desc: Box<[u64]>,
        itemsize: usize,
        ty: Type,
    },
    /// A str: a copy of the Python string's UTF-8 text (`oxjit_runtime::str`).
    Str,
    /// A set: its items' plan, the set's type descriptor and the item's
    /// size (the Python set it was unboxed from gets its items back when
    /// compiled code changed it, as a list does).
    Set {
        item: Box<Plan>,
        desc: Box<[u64]>,
        itemsize: usize,
    },
    /// A range object: its start, stop and step (`int64`s).
    Range,
    /// An exception object (a result only): the Python exception it stands for.
    Exception,
    /// A value or None: the value's plan and the offset of the byte that
    /// says whether there is one.
    Optional {
        value: Box<Plan>,
        flag_at: usize,
    },
    /// A dict (a result only): the plans of its keys and values and the
    /// offsets of the references each holds.
    Dict {
        key: Box<Plan>,
        value: Box<Plan>,
        key_refs: Vec<usize>,
        value_refs: Vec<usize>,
        types: (Type, Type),
    },
}

impl Plan {
    pub fn of(t: &Type) -> Plan {
        match t {
            Type::Scalar(s) => Plan::Scalar(*s),
            Type::Array(a) => Plan::Array(*a),
            Type::Tuple(items) => Plan::Tuple(
                items
                    .iter()
                    .map(Plan::of)
                    .zip(Type::field_offsets(items))
                    .collect(),
            ),
            Type::None => Plan::None,
            Type::DType(s) => Plan::DType {
                dtype: *s,
                class: false,
            },
            Type::Class(s) => Plan::DType {
                dtype: *s,
                class: true,
            },
            Type::List(item) => Plan::List {
                item: Box::new(Plan::of(item)),
                desc: item.descriptor().into_boxed_slice(),
                itemsize: item.size_align().0,
                ty: (**item).clone(),
            },
            Type::Dict(k, v) => Plan::Dict {
                key: Box::new(Plan::of(k)),
                value: Box::new(Plan::of(v)),
                key_refs: k.repr().meminfo_offsets(),
                value_refs: v.repr().meminfo_offsets(),
                types: ((**k).clone(), (**v).clone()),
            },
            Type::Str => Plan::Str,
            Type::Range => Plan::Range,
            Type::Exception => Plan::Exception,
            Type::Optional(v) => Plan::Optional {
                value: Box::new(Plan::of(v)),
                flag_at: Type::field_offsets(&[(**v).clone(), Type::BOOL])[1],
            },
            Type::Set(item) => Plan::Set {
                item: Box::new(Plan::of(item)),
                desc: t.descriptor().into_boxed_slice(),
                itemsize: item.size_align().0,
            },
            // Zero-sized: the type (the specialisation) says which function.
            // A closure never crosses to Python (typeck rejects returning
            // one, and Python has none to pass).
            Type::Undefined | Type::Function(_) | Type::Closure(..) => Plan::None,
        }
    }
}

fn type_num(s: Scalar) -> NPY_TYPES {
    use Scalar::*;
    match s.strong() {
        Bool => NPY_TYPES::NPY_BOOL,
        I8 => NPY_TYPES::NPY_BYTE,
        I16 => NPY_TYPES::NPY_SHORT,
        I32 => NPY_TYPES::NPY_INT,
        I64 => NPY_TYPES::NPY_LONG,
        U8 => NPY_TYPES::NPY_UBYTE,
        U16 => NPY_TYPES::NPY_USHORT,
        U32 => NPY_TYPES::NPY_UINT,
        U64 => NPY_TYPES::NPY_ULONG,
        F32 => NPY_TYPES::NPY_FLOAT,
        F64 => NPY_TYPES::NPY_DOUBLE,
        C64 => NPY_TYPES::NPY_CFLOAT,
        C128 => NPY_TYPES::NPY_CDOUBLE,
        PyInt | PyFloat | PyComplex => unreachable!("strong() removed weak types"),
    }
}

fn fetch_err(py: Python<'_>) -> PyErr {
    PyErr::take(py).unwrap_or_else(|| PyTypeError::new_err("conversion failed"))
}

/// Writes `obj` converted to `t` at `out` (aligned for `t`).
///
/// # Safety
/// `out` must point to at least `t.size_align().0` writable bytes, and `obj`
/// must outlive every use of the written value (arrays borrow its data).
pub unsafe fn unbox(
    py: Python<'_>,
    obj: *mut ffi::PyObject,
    t: &Plan,
    out: *mut u8,
) -> PyResult<()> {
    match t {
        // A typed dict is shared; typing rejects other dicts first.
        Plan::Dict { .. } => match TypedDict::meminfo(&Bound::from_borrowed_ptr(py, obj)) {
            Some(mi) => {
                oxjit_runtime::memory::oxjit_rt_meminfo_incref(mi);
                *(out as *mut *mut MemInfo) = mi;
                Ok(())
            }
            None => Err(PyTypeError::new_err(
                "a Python dict cannot be passed to compiled code: pass an oxjit.typed.Dict",
            )),
        },
        Plan::Scalar(s) => unbox_scalar(py, obj, *s, out),
        Plan::Array(want) => {
            if npyffi::PyArray_Check(py, obj) == 0 {
                return Err(PyTypeError::new_err("expected a NumPy array"));
            }
            let arr: *mut npyffi::PyArrayObject = obj.cast();
            let got = array_type(arr).map_err(PyTypeError::new_err)?;
            let layout_ok = got.layout == want.layout || want.layout == oxjit_types::Layout::A;
            // A read-only array cannot stand for a writable one.
            let writes_ok = !got.readonly || want.readonly;
            if got.dtype != want.dtype || got.ndim != want.ndim || !layout_ok || !writes_ok {
                return Err(PyTypeError::new_err(
                    "array type does not match the signature",
                ));
            }
            let f = &(*arr).fields;
            let nd = f.nd as usize;
            let w = out as *mut u64;
            let mut nitems: i64 = 1;
            for k in 0..nd {
                let dim = *f.dimensions.add(k) as i64;
                nitems *= dim;
                *w.add(5 + k) = dim as u64;
                *w.add(5 + nd + k) = *f.strides.add(k) as u64;
            }
            *w = 0; // meminfo: the array is owned by Python
            *w.add(1) = obj as u64; // parent
            *w.add(2) = nitems as u64;
            *w.add(3) = want.dtype.size() as u64;
            *w.add(4) = f.data as u64;
            Ok(())
        }
        Plan::Tuple(items) => {
            if ffi::PyTuple_Check(obj) == 0 || ffi::PyTuple_Size(obj) != items.len() as isize {
                return Err(PyTypeError::new_err(format!(
                    "expected a tuple of {} items",
                    items.len()
                )));
            }
            for (i, (item, off)) in items.iter().enumerate() {
                unbox(
                    py,
                    ffi::PyTuple_GetItem(obj, i as isize),
                    item,
                    out.add(*off),
                )?;
            }
            Ok(())
        }
        Plan::None | Plan::DType { .. } => Ok(()),
        Plan::Optional { value, flag_at } => {
            let present = obj != ffi::Py_None();
            if present {
                unbox(py, obj, value, out)?;
            } else {
                out.write_bytes(0, *flag_at);
            }
            *out.add(*flag_at) = present as u8;
            Ok(())
        }
        Plan::Exception => Err(PyTypeError::new_err(
            "exception objects cannot be passed to compiled code",
        )),
        Plan::Range => {
            let obj = Bound::from_borrowed_ptr(py, obj);
            let r = obj
                .cast::<pyo3::types::PyRange>()
                .map_err(|_| PyTypeError::new_err("expected a range"))?;
            use pyo3::types::PyRangeMethods;
            let w = out as *mut i64;
            for (k, part) in [r.start(), r.stop(), r.step()].into_iter().enumerate() {
                *w.add(k) = part? as i64;
            }
            Ok(())
        }
        Plan::Str => {
            if ffi::PyUnicode_Check(obj) == 0 {
                return Err(PyTypeError::new_err("expected a str"));
            }
            let mut n: ffi::Py_ssize_t = 0;
            let p = ffi::PyUnicode_AsUTF8AndSize(obj, &mut n);
            if p.is_null() {
                ffi::PyErr_Clear();
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "a str holding a lone surrogate cannot be passed to compiled code (it has no UTF-8 form)",
                ));
            }
            // SAFETY: CPython's UTF-8 form of the string, valid UTF-8.
            let text =
                std::str::from_utf8_unchecked(std::slice::from_raw_parts(p.cast(), n as usize));
            let Some(s) = Str::new(text) else {
                return Err(pyo3::exceptions::PyMemoryError::new_err(
                    "cannot allocate a str",
                ));
            };
            *(out as *mut *mut MemInfo) = s.meminfo();
            Ok(())
        }
        Plan::Set {
            item,
            desc,
            itemsize,
        } => {
            if ffi::PySet_Check(obj) == 0 {
                return Err(PyTypeError::new_err("expected a set"));
            }
            let Some(set) = Set::new(oxjit_abi::desc::Desc::new(desc)) else {
                return Err(pyo3::exceptions::PyMemoryError::new_err(
                    "cannot allocate a set",
                ));
            };
            let fail = |e| {
                oxjit_runtime::memory::oxjit_rt_meminfo_decref(set.meminfo());
                Err(e)
            };
            let it = ffi::PyObject_GetIter(obj);
            if it.is_null() {
                return fail(fetch_err(py));
            }
            let mut scratch = vec![0u64; itemsize.div_ceil(8).max(1)];
            loop {
                let x = ffi::PyIter_Next(it);
                if x.is_null() {
                    break;
                }
                let at = scratch.as_mut_ptr().cast::<u8>();
                let done = unbox(py, x, item, at);
                ffi::Py_DECREF(x);
                if let Err(e) = done {
                    ffi::Py_DECREF(it);
                    return fail(e);
                }
                let added = set.add(at);
                // The set took its own references to what the item holds.
                release(item, at);
                if !added {
                    ffi::Py_DECREF(it);
                    return fail(pyo3::exceptions::PyMemoryError::new_err(
                        "cannot allocate a set",
                    ));
                }
            }
            ffi::Py_DECREF(it);
            if !ffi::PyErr_Occurred().is_null() {
                return fail(fetch_err(py));
            }
            set.set_clean();
            *(out as *mut *mut MemInfo) = set.meminfo();
            Ok(())
        }
        Plan::List {
            item,
            desc,
            itemsize,
            ..
        } => {
            // A typed list is shared, not converted.
            if let Some(mi) = TypedList::meminfo(&Bound::from_borrowed_ptr(py, obj)) {
                oxjit_runtime::memory::oxjit_rt_meminfo_incref(mi);
                *(out as *mut *mut MemInfo) = mi;
                return Ok(());
            }
            if ffi::PyList_Check(obj) == 0 {
                return Err(PyTypeError::new_err("expected a list"));
            }
            let n = ffi::PyList_Size(obj) as usize;
            let Some(list) = List::new(desc.as_ptr(), n) else {
                return Err(pyo3::exceptions::PyMemoryError::new_err(
                    "cannot allocate a list",
                ));
            };
            let mut scratch = vec![0u64; itemsize.div_ceil(8).max(1)];
            for i in 0..n {
                let x = scratch.as_mut_ptr().cast::<u8>();
                let done = unbox(py, ffi::PyList_GetItem(obj, i as isize), item, x);
                if let Err(e) = done {
                    oxjit_runtime::memory::oxjit_rt_meminfo_decref(list.meminfo());
                    return Err(e);
                }
                list.push(x);
                // The list took its own references to what the item holds.
                release(item, x);
            }
            list.set_clean();
            *(out as *mut *mut MemInfo) = list.meminfo();
            Ok(())
        }
    }
}

/// Drops the references a value unboxed from Python holds (the lists and
/// strs unboxing made), so that only its container keeps them.
///
/// # Safety
/// `p` holds a value of plan `t` whose references the caller owns.
pub(crate) unsafe fn release(t: &Plan, p: *mut u8) {
    match t {
        Plan::List { .. } | Plan::Set { .. } | Plan::Dict { .. } | Plan::Str => {
            oxjit_runtime::memory::oxjit_rt_meminfo_decref(*(p as *mut *mut MemInfo));
        }
        Plan::Tuple(items) => items.iter().for_each(|(it, off)| release(it, p.add(*off))),
        // A None one holds null references, which release ignores.
        Plan::Optional { value, .. } => release(value, p),
        _ => {}
    }
}

/// After a call: writes each list argument's items back into the Python
/// list it was unboxed from (Numba's reflected lists: changes made by
/// compiled code are visible to the caller), then releases the compiled
/// lists unboxing made.
///
/// # Safety
/// `p` holds the value `unbox` wrote for `obj` with plan `t`.
pub unsafe fn after_call(
    py: Python<'_>,
    obj: *mut ffi::PyObject,
    t: &Plan,
    p: *mut u8,
) -> PyResult<()> {
    let done = reflect(py, obj, t, p);
    release(t, p);
    done
}

/// Writes the lists in the value at `p` back into the Python objects they
/// were unboxed from: a changed list gets its new items (boxed from
/// references of their own), an unchanged one passes the call on to the
/// lists nested in its items.
unsafe fn reflect(py: Python<'_>, obj: *mut ffi::PyObject, t: &Plan, p: *mut u8) -> PyResult<()> {
    match t {
        Plan::List { item, .. } => {
            let list = List::from_meminfo(*(p as *mut *mut MemInfo));
            // A typed list is the caller's own object: nothing to write back.
            if list.is_typed() {
                return Ok(());
            }
            if !list.is_dirty() {
                if has_lists(item) {
                    for i in 0..list.len() {
                        reflect(py, ffi::PyList_GetItem(obj, i as isize), item, list.at(i))?;
                    }
                }
                return Ok(());
            }
            let fresh = ffi::PyList_New(list.len() as isize);
            if fresh.is_null() {
                return Err(fetch_err(py));
            }
            let mut done = Ok(());
            for i in 0..list.len() {
                // Boxing takes over references: give it its own.
                list.retain_item(i);
                match box_value(py, item, list.at(i)) {
                    Ok(o) => {
                        ffi::PyList_SetItem(fresh, i as isize, o.into_ptr());
                    }
                    Err(e) => {
                        done = Err(e);
                        break;
                    }
                }
            }
            if done.is_ok() && ffi::PyList_SetSlice(obj, 0, ffi::PyList_Size(obj), fresh) < 0 {
                done = Err(fetch_err(py));
            }
            ffi::Py_DECREF(fresh);
            done
        }
        Plan::Set { item, .. } => {
            let set = Set::from_meminfo(*(p as *mut *mut MemInfo));
            if !set.is_dirty() {
                return Ok(());
            }
            if ffi::PySet_Clear(obj) < 0 {
                return Err(fetch_err(py));
            }
            for at in set.iter() {
                let x = box_value(py, item, set_item_copy(&set, at).as_ptr().cast())?;
                if ffi::PySet_Add(obj, x.as_ptr()) < 0 {
                    return Err(fetch_err(py));
                }
            }
            Ok(())
        }
        Plan::Tuple(items) => {
            for (i, (it, off)) in items.iter().enumerate() {
                reflect(py, ffi::PyTuple_GetItem(obj, i as isize), it, p.add(*off))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A copy of the set item at `at` holding new references (boxing takes
/// them over).
unsafe fn set_item_copy(set: &Set, at: *const u8) -> Vec<u64> {
    let n = set.item_type().repr().size_align().0;
    let mut buf = vec![0u64; n.div_ceil(8).max(1)];
    set.copy_item(at, buf.as_mut_ptr().cast());
    buf
}

/// A Python set of a compiled set's items, taking over the set's
/// reference.
unsafe fn box_set(py: Python<'_>, item: &Plan, mi: *mut MemInfo) -> PyResult<*mut ffi::PyObject> {
    let set = Set::from_meminfo(mi);
    let out = ffi::PySet_New(std::ptr::null_mut());
    let mut done = if out.is_null() {
        Err(fetch_err(py))
    } else {
        Ok(())
    };
    for at in set.iter() {
        if done.is_err() {
            break;
        }
        done = box_value(py, item, set_item_copy(&set, at).as_ptr().cast()).and_then(|x| {
            match ffi::PySet_Add(out, x.as_ptr()) {
                0 => Ok(()),
                _ => Err(fetch_err(py)),
            }
        });
    }
    oxjit_runtime::memory::oxjit_rt_meminfo_decref(mi);
    finish(out, done)
}

/// Whether values of plan `t` hold lists (which `reflect` writes back).
fn has_lists(t: &Plan) -> bool {
    match t {
        Plan::List { .. } => true,
        Plan::Tuple(items) => items.iter().any(|(it, _)| has_lists(it)),
        _ => false,
    }
}

/// Whether values of plan `t` need `after_call`: unboxing made lists or
/// strs for them.
pub fn owns_references(t: &Plan) -> bool {
    match t {
        Plan::List { .. } | Plan::Set { .. } | Plan::Dict { .. } | Plan::Str => true,
        Plan::Tuple(items) => items.iter().any(|(it, _)| owns_references(it)),
        Plan::Optional { value, .. } => owns_references(value),
        _ => false,
    }
}

unsafe fn unbox_scalar(
    py: Python<'_>,
    obj: *mut ffi::PyObject,
    s: Scalar,
    out: *mut u8,
) -> PyResult<()> {
    // A NumPy scalar of exactly the wanted type is copied bit for bit.
    if is_numpy_scalar(py, obj) {
        let descr = PY_ARRAY_API.PyArray_DescrFromScalar(py, obj);
        let same = !descr.is_null() && descr_scalar(descr) == Some(s.strong());
        if !descr.is_null() {
            ffi::Py_DECREF(descr.cast());
        }
        if same {
            PY_ARRAY_API.PyArray_ScalarAsCtype(py, obj, out as *mut c_void);
            return Ok(());
        }
    }
    use Scalar::*;
    match s {
        Bool => {
            let v = ffi::PyObject_IsTrue(obj);
            if v < 0 {
                return Err(fetch_err(py));
            }
            *out = v as u8;
        }
        U64 => {
            let v = ffi::PyLong_AsUnsignedLongLongMask(obj);
            if v == u64::MAX && !ffi::PyErr_Occurred().is_null() {
                return Err(fetch_err(py));
            }
            *(out as *mut u64) = v;
        }
        I8 | I16 | I32 | I64 | U8 | U16 | U32 | PyInt => {
            let v = ffi::PyLong_AsLongLong(obj);
            if v == -1 && !ffi::PyErr_Occurred().is_null() {
                let e = fetch_err(py);
                return Err(
                    if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) {
                        PyValueError::new_err("integer argument does not fit in 64 bits")
                    } else {
                        e
                    },
                );
            }
            match s.size() {
                1 => *out = v as u8,
                2 => *(out as *mut u16) = v as u16,
                4 => *(out as *mut u32) = v as u32,
                _ => *(out as *mut i64) = v,
            }
        }
        F32 | F64 | PyFloat => {
            let v = ffi::PyFloat_AsDouble(obj);
            if v == -1.0 && !ffi::PyErr_Occurred().is_null() {
                return Err(fetch_err(py));
            }
            if s == F32 {
                *(out as *mut f32) = v as f32;
            } else {
                *(out as *mut f64) = v;
            }
        }
        C64 | C128 | PyComplex => {
            let c = ffi::PyComplex_AsCComplex(obj);
            if c.real == -1.0 && !ffi::PyErr_Occurred().is_null() {
                return Err(fetch_err(py));
            }
            if s == C64 {
                *(out as *mut f32) = c.real as f32;
                *(out as *mut f32).add(1) = c.imag as f32;
            } else {
                *(out as *mut f64) = c.real;
                *(out as *mut f64).add(1) = c.imag;
            }
        }
    }
    Ok(())
}

/// Keeps a compiled-code allocation alive for as long as the ndarray that
/// uses it as its base: the ndarray owns the reference the compiled code
/// returned, and releases it when it dies.
#[pyclass(frozen, module = "oxjit._core")]
pub struct MemInfoOwner {
    meminfo: usize,
}

impl Drop for MemInfoOwner {
    fn drop(&mut self) {
        // SAFETY: the owner holds one reference to a live meminfo.
        unsafe {
            oxjit_runtime::memory::oxjit_rt_meminfo_decref(
                self.meminfo as *mut oxjit_runtime::memory::MemInfo,
            )
        };
    }
}

/// An ndarray for a compiled array value (whose reference it takes over):
/// new memory becomes an ndarray owning it without a copy; a view of an
/// argument becomes a view whose base is the argument; the argument itself
/// comes back as the same object.
unsafe fn box_array(
    py: Python<'_>,
    a: &oxjit_types::ArrayType,
    p: *const u8,
) -> PyResult<*mut ffi::PyObject> {
    let w = p as *const u64;
    let nd = a.ndim as usize;
    let meminfo = *w as usize;
    let parent = *w.add(1) as *mut ffi::PyObject;
    let data = *w.add(4) as *mut c_void;
    let mut shape: Vec<npyffi::npy_intp> =
        (0..nd).map(|k| *w.add(5 + k) as npyffi::npy_intp).collect();
    let mut strides: Vec<npyffi::npy_intp> = (0..nd)
        .map(|k| *w.add(5 + nd + k) as npyffi::npy_intp)
        .collect();
    let base: *mut ffi::PyObject = if meminfo != 0 {
        Bound::new(py, MemInfoOwner { meminfo })?.into_ptr()
    } else if parent.is_null() {
        return Err(PyTypeError::new_err(
            "internal error: an array value without memory",
        ));
    } else {
        let pa = &(*(parent as *mut npyffi::PyArrayObject)).fields;
        let same = pa.data as *mut c_void == data
            && pa.nd as usize == nd
            && (0..nd)
                .all(|k| *pa.dimensions.add(k) == shape[k] && *pa.strides.add(k) == strides[k]);
        ffi::Py_INCREF(parent);
        if same {
            return Ok(parent);
        }
        parent
    };
    let descr = PY_ARRAY_API.PyArray_DescrFromType(py, type_num(a.dtype) as i32);
    let subtype = npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type);
    const NPY_ARRAY_WRITEABLE: i32 = 0x400;
    // A view of a read-only array stays read-only.
    let flags = if a.readonly { 0 } else { NPY_ARRAY_WRITEABLE };
    let arr = PY_ARRAY_API.PyArray_NewFromDescr(
        py,
        subtype,
        descr,
        nd as i32,
        shape.as_mut_ptr(),
        strides.as_mut_ptr(),
        data,
        flags,
        std::ptr::null_mut(),
    );
    if arr.is_null() {
        ffi::Py_DECREF(base);
        return Err(fetch_err(py));
    }
    // Steals the reference to `base`, also on failure.
    if PY_ARRAY_API.PyArray_SetBaseObject(py, arr.cast(), base) < 0 {
        ffi::Py_DECREF(arr);
        return Err(fetch_err(py));
    }
    Ok(arr)
}

/// The container `out` when building it succeeded; otherwise it is
/// dropped and the error returned.
unsafe fn finish(out: *mut ffi::PyObject, done: PyResult<()>) -> PyResult<*mut ffi::PyObject> {
    match done {
        Ok(()) => Ok(out),
        Err(e) => {
            if !out.is_null() {
                ffi::Py_DECREF(out);
            }
            Err(e)
        }
    }
}

/// A copy of the `size`-byte value at `p` holding new references at
/// `refs`: what boxing consumes when the container keeps its own.
unsafe fn owned_copy(p: *const u8, size: usize, refs: &[usize]) -> Vec<u64> {
    let mut buf = vec![0u64; size.div_ceil(8).max(1)];
    std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr().cast::<u8>(), size);
    for &off in refs {
        oxjit_runtime::memory::oxjit_rt_meminfo_incref(
            p.add(off).cast::<*mut MemInfo>().read_unaligned(),
        );
    }
    buf
}

/// A Python list of a compiled list's items, taking over the list's
/// reference (its items' references move into the Python objects, unless
/// the list is referenced elsewhere too).
unsafe fn box_list(
    py: Python<'_>,
    item: &Plan,
    ty: &Type,
    mi: *mut MemInfo,
) -> PyResult<*mut ffi::PyObject> {
    let list = List::from_meminfo(mi);
    if list.is_typed() {
        return Ok(TypedList::wrap(py, mi, ty)?.into_ptr());
    }
    let n = list.len();
    let out = ffi::PyList_New(n as isize);
    let mut done = Ok(());
    if out.is_null() {
        done = Err(fetch_err(py));
    }
    // A list referenced elsewhere too (the same list twice in a result)
    // keeps its items: each is boxed from a copy.
    let shared = !oxjit_runtime::memory::is_unique(mi);
    let refs = list.refs();
    let mut moved = 0;
    while done.is_ok() && moved < n {
        let boxed = if shared {
            let copy = owned_copy(list.at(moved), list.itemsize(), &refs);
            box_value(py, item, copy.as_ptr().cast())
        } else {
            box_value(py, item, list.at(moved))
        };
        moved += 1;
        match boxed {
            Ok(o) => {
                ffi::PyList_SetItem(out, moved as isize - 1, o.into_ptr());
            }
            Err(e) => done = Err(e),
        }
    }
    // The boxed items own their references now; the rest stay the list's.
    if !shared {
        list.forget_front(moved);
    }
    oxjit_runtime::memory::oxjit_rt_meminfo_decref(mi);
    finish(out, done)
}

/// A Python dict of a compiled dict's items, taking over the dict's
/// reference: each key and value is boxed from a copy holding new
/// references, and the dict then releases its own.
unsafe fn box_dict(py: Python<'_>, t: &Plan, mi: *mut MemInfo) -> PyResult<*mut ffi::PyObject> {
    let Plan::Dict {
        key,
        value,
        key_refs,
        value_refs,
        types,
    } = t
    else {
        unreachable!("box_dict takes a dict plan")
    };
    let d = Dict::from_meminfo(mi);
    if d.is_typed() {
        return Ok(TypedDict::wrap(py, mi, &types.0, &types.1)?.into_ptr());
    }
    let (kt, vt) = d.desc().dict_types().unwrap();
    let copy = |p, t: oxjit_abi::desc::Desc, refs| owned_copy(p, t.repr().size_align().0, refs);
    let out = ffi::PyDict_New();
    let mut done = if out.is_null() {
        Err(fetch_err(py))
    } else {
        Ok(())
    };
    for pos in 0..d.used() {
        let Some((k, v)) = d.entry_parts(pos).filter(|_| done.is_ok()) else {
            continue;
        };
        let (kc, vc) = (copy(k, kt, key_refs), copy(v, vt, value_refs));
        let bk = box_value(py, key, kc.as_ptr().cast());
        let bv = box_value(py, value, vc.as_ptr().cast());
        done = match (bk, bv) {
            (Ok(bk), Ok(bv)) if ffi::PyDict_SetItem(out, bk.as_ptr(), bv.as_ptr()) == 0 => Ok(()),
            (Err(e), _) | (_, Err(e)) => Err(e),
            _ => Err(fetch_err(py)),
        };
    }
    oxjit_runtime::memory::oxjit_rt_meminfo_decref(mi);
    finish(out, done)
}

/// A Python str of a compiled str's text, taking over its reference.
unsafe fn box_str(mi: *mut MemInfo) -> *mut ffi::PyObject {
    let text = Str::from_meminfo(mi).as_str();
    let out = ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as ffi::Py_ssize_t);
    oxjit_runtime::memory::oxjit_rt_meminfo_decref(mi);
    out
}

/// Builds the Python object for a compiled value of type `t` at `p`.
///
/// # Safety
/// `p` must point to a valid in-memory value of type `t`.
pub unsafe fn box_value(py: Python<'_>, t: &Plan, p: *const u8) -> PyResult<Py<PyAny>> {
    let raw = match t {
        Plan::Scalar(Scalar::PyInt) => ffi::PyLong_FromLongLong(*(p as *const i64)),
        Plan::Scalar(Scalar::PyFloat) => ffi::PyFloat_FromDouble(*(p as *const f64)),
        Plan::Scalar(Scalar::PyComplex) => {
            ffi::PyComplex_FromDoubles(*(p as *const f64), *(p as *const f64).add(1))
        }
        Plan::Scalar(Scalar::Bool) => {
            let b = if *p != 0 {
                ffi::Py_True()
            } else {
                ffi::Py_False()
            };
            ffi::Py_INCREF(b);
            b
        }
        Plan::Scalar(s) => {
            let descr = PY_ARRAY_API.PyArray_DescrFromType(py, type_num(*s) as i32);
            let obj =
                PY_ARRAY_API.PyArray_Scalar(py, p as *mut c_void, descr, std::ptr::null_mut());
            ffi::Py_DECREF(descr.cast());
            obj
        }
        Plan::None => {
            let n = ffi::Py_None();
            ffi::Py_INCREF(n);
            n
        }
        Plan::DType { dtype, class } => {
            let descr = PY_ARRAY_API.PyArray_DescrFromType(py, type_num(*dtype) as i32);
            if descr.is_null() || !*class {
                descr.cast()
            } else {
                // The scalar type: the descriptor's `typeobj`.
                let t = (*descr).fields.typeobj.cast::<ffi::PyObject>();
                ffi::Py_INCREF(t);
                ffi::Py_DECREF(descr.cast());
                t
            }
        }
        Plan::Tuple(items) => {
            let tuple = ffi::PyTuple_New(items.len() as isize);
            if tuple.is_null() {
                return Err(fetch_err(py));
            }
            for (i, (item, off)) in items.iter().enumerate() {
                let item = box_value(py, item, p.add(*off));
                match item {
                    Ok(o) => {
                        ffi::PyTuple_SetItem(tuple, i as isize, o.into_ptr());
                    }
                    Err(e) => {
                        ffi::Py_DECREF(tuple);
                        return Err(e);
                    }
                }
            }
            tuple
        }
        Plan::Array(a) => box_array(py, a, p)?,
        Plan::List { item, ty, .. } => box_list(py, item, ty, *(p as *const *mut MemInfo))?,
        Plan::Dict { .. } => box_dict(py, t, *(p as *const *mut MemInfo))?,
        Plan::Str => box_str(*(p as *const *mut MemInfo)),
        Plan::Optional { value, flag_at } => {
            if *p.add(*flag_at) == 0 {
                return Ok(py.None());
            }
            return box_value(py, value, p);
        }
        Plan::Range => {
            let w = p as *const i64;
            let [start, stop, step] = [0, 1, 2].map(|k| *w.add(k) as isize);
            pyo3::types::PyRange::new_with_step(py, start, stop, step)?.into_ptr()
        }
        Plan::Set { item, .. } => box_set(py, item, *(p as *const *mut MemInfo))?,
        Plan::Exception => {
            let mi = *(p as *const *mut MemInfo);
            let spec = oxjit_runtime::exceptions::object_spec(mi).clone();
            oxjit_runtime::memory::oxjit_rt_meminfo_decref(mi);
            crate::errors::exception_instance(py, &spec)?.into_ptr()
        }
    };
    if raw.is_null() {
        return Err(fetch_err(py));
    }
    Ok(Bound::from_owned_ptr(py, raw).unbind())
}
