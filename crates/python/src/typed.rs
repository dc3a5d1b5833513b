//! `oxjit.typed.List` and `oxjit.typed.Dict`: Python objects that hold a
//! runtime list or dict (one reference to its meminfo) and are passed to
//! compiled code as that value, shared, with no conversion — what compiled
//! code changes, Python sees. Each operation from Python works on the
//! runtime value directly (an item is boxed or unboxed with the boxing
//! plan of its type), so indexing and iterating from Python costs a
//! boxing, not a call into compiled code. A list or dict made as one of
//! these is marked typed in its header, so a compiled function returning
//! it gives back such an object; any other list or dict it returns becomes
//! a new Python list or dict.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use oxjit_abi::desc::Desc;
use oxjit_runtime::dict::Dict;
use oxjit_runtime::list::List;
use oxjit_runtime::memory::{oxjit_rt_meminfo_decref, oxjit_rt_meminfo_incref, MemInfo};
use oxjit_types::Type;
use pyo3::exceptions::{PyIndexError, PyKeyError, PyMemoryError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PySlice, PyType};

use crate::boxing::{box_value, release, unbox, Plan};

/// A descriptor that lives as long as the process: a list's header points
/// at its item descriptor, and a typed list may outlive every object that
/// made it. One copy per distinct type.
fn interned(words: Vec<u64>) -> &'static [u64] {
    static TABLE: OnceLock<Mutex<HashMap<Vec<u64>, &'static [u64]>>> = OnceLock::new();
    let mut t = TABLE.get_or_init(Default::default).lock().unwrap();
    t.entry(words.clone())
        .or_insert_with(|| Box::leak(words.into_boxed_slice()))
}

/// How the values of one type cross: its plan and memory size.
struct Part {
    ty: Type,
    plan: Plan,
    size: usize,
}

impl Part {
    fn new(ty: Type) -> PyResult<Arc<Part>> {
        fn borrowed(t: &Type) -> bool {
            match t {
                Type::Array(_) => true,
                Type::Tuple(items) => items.iter().any(borrowed),
                Type::List(item) | Type::Set(item) => borrowed(item),
                Type::Dict(k, v) => borrowed(k) || borrowed(v),
                _ => false,
            }
        }
        if borrowed(&ty) {
            return Err(PyTypeError::new_err(format!(
                "typed containers of {ty} are not supported yet: their items would borrow NumPy arrays"
            )));
        }
        // Numbers come back as Python's (an int64 item is an int), as
        // Numba's typed containers give them.
        Ok(Arc::new(Part {
            plan: Plan::of(&ty.weakened()),
            size: ty.size_align().0,
            ty,
        }))
    }

    fn scratch(&self) -> Vec<u64> {
        vec![0u64; self.size.div_ceil(8).max(1)]
    }

    /// `obj` converted, in a buffer that owns the references it holds.
    fn unbox(&self, obj: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
        let mut buf = self.scratch();
        // SAFETY: the buffer has room for a value of the type.
        unsafe { unbox(obj.py(), obj.as_ptr(), &self.plan, buf.as_mut_ptr().cast())? };
        Ok(buf)
    }

    /// Drops the references a buffer from `unbox` holds.
    fn release(&self, mut buf: Vec<u64>) {
        // SAFETY: `buf` holds a value of the type with its own references.
        unsafe { release(&self.plan, buf.as_mut_ptr().cast()) };
    }

    /// The Python object for the value at `p`, which holds references of
    /// its own for boxing to take over.
    fn boxed(&self, py: Python<'_>, p: *const u8) -> PyResult<Py<PyAny>> {
        // SAFETY: `p` holds a value of the type.
        unsafe { box_value(py, &self.plan, p) }
    }
}

/// The type a type object stands for: a Numba-style type (by its printed
/// form) or one of Python's `int float bool complex str`.
fn type_arg(t: &Bound<'_, PyAny>) -> PyResult<Type> {
    let py = t.py();
    let builtins = py.import("builtins")?;
    for (name, ty) in [
        ("int", "int64"),
        ("float", "float64"),
        ("bool", "boolean"),
        ("complex", "complex128"),
        ("str", "unicode_type"),
    ] {
        if t.is(&builtins.getattr(name)?) {
            return Ok(oxjit_types::parse_type(ty).unwrap());
        }
    }
    let text = t.str()?.to_string();
    oxjit_types::parse_type(&text)
        .map_err(|e| PyTypeError::new_err(format!("not a type: {text} ({e})")))
}

fn no_memory() -> PyErr {
    PyMemoryError::new_err("cannot allocate a typed container")
}

/// `oxjit.typed.List`: a list of one item type, shared with compiled code.
#[pyclass(module = "oxjit.typed", name = "List", sequence)]
pub struct TypedList {
    /// The list's meminfo (one reference); 0 until the item type is known
    /// (`List()` before its first item).
    mi: usize,
    item: Option<Arc<Part>>,
}

impl Drop for TypedList {
    fn drop(&mut self) {
        if self.mi != 0 {
            // SAFETY: the object holds one reference to a live list.
            unsafe { oxjit_rt_meminfo_decref(self.mi as *mut MemInfo) };
        }
    }
}

impl TypedList {
    /// A new empty typed list of `item`s.
    fn of_type(item: Type) -> PyResult<TypedList> {
        let part = Part::new(item)?;
        let desc = interned(part.ty.descriptor());
        // SAFETY: the descriptor lives as long as the process.
        let list = unsafe { List::new(desc.as_ptr(), 0) }.ok_or_else(no_memory)?;
        list.mark_typed();
        Ok(TypedList {
            mi: list.meminfo() as usize,
            item: Some(part),
        })
    }

    /// The object for a typed list compiled code returned (taking over its
    /// reference).
    pub fn wrap(py: Python<'_>, mi: *mut MemInfo, item: &Type) -> PyResult<Py<PyAny>> {
        let l = TypedList {
            mi: mi as usize,
            item: Some(Part::new(item.clone())?),
        };
        Ok(Py::new(py, l)?.into_any())
    }

    /// The list and its item part; for an untyped `List()`, an empty view.
    fn parts(&self) -> Option<(List, &Arc<Part>)> {
        let item = self.item.as_ref()?;
        // SAFETY: the object holds a reference to a live list.
        Some((unsafe { List::from_meminfo(self.mi as *mut MemInfo) }, item))
    }

    fn len_(&self) -> usize {
        self.parts().map_or(0, |(l, _)| l.len())
    }

    /// Types an untyped `List()` by its first item.
    fn typed_by(&mut self, x: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.item.is_none() {
            let t = crate::typeof_::type_of(x).map_err(PyTypeError::new_err)?;
            *self = TypedList::of_type(t)?;
        }
        Ok(())
    }

    /// Position `i` (negative from the end) checked against the length.
    fn position(&self, i: isize) -> PyResult<usize> {
        let n = self.len_() as isize;
        let k = if i < 0 { i + n } else { i };
        if !(0..n).contains(&k) {
            return Err(PyIndexError::new_err("list index out of range"));
        }
        Ok(k as usize)
    }

    fn item_at(&self, py: Python<'_>, i: usize) -> PyResult<Py<PyAny>> {
        let (l, part) = self.parts().expect("a non-empty list is typed");
        // Boxing takes over references: give it its own.
        l.retain_item(i);
        part.boxed(py, l.at(i))
    }

    fn items(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        (0..self.len_()).map(|i| self.item_at(py, i)).collect()
    }

    /// The list's meminfo, for passing it to compiled code.
    pub fn meminfo(obj: &Bound<'_, PyAny>) -> Option<*mut MemInfo> {
        let l = obj.cast::<TypedList>().ok()?;
        let l = l.borrow();
        (l.mi != 0).then_some(l.mi as *mut MemInfo)
    }

    /// The type compiled code sees (None for an untyped `List()`).
    pub fn type_of(obj: &Bound<'_, PyAny>) -> Option<Result<Type, String>> {
        let l = obj.cast::<TypedList>().ok()?;
        let l = l.borrow();
        Some(match &l.item {
            Some(p) => Ok(Type::List(Box::new(p.ty.clone()))),
            None => Err("an empty typed List whose item type is unknown cannot be passed to compiled code (make it with List.empty_list(item_type))".into()),
        })
    }
}

#[pymethods]
impl TypedList {
    #[new]
    #[pyo3(signature = (iterable=None))]
    fn py_new(iterable: Option<&Bound<'_, PyAny>>) -> PyResult<TypedList> {
        let mut l = TypedList { mi: 0, item: None };
        if let Some(it) = iterable {
            for x in it.try_iter()? {
                l.append(&x?)?;
            }
        }
        Ok(l)
    }

    /// `List.empty_list(item_type)`: an empty list of that item type.
    #[classmethod]
    #[pyo3(signature = (item_type, allocated=0))]
    fn empty_list(
        _cls: &Bound<'_, PyType>,
        item_type: &Bound<'_, PyAny>,
        allocated: usize,
    ) -> PyResult<TypedList> {
        let _ = allocated;
        TypedList::of_type(type_arg(item_type)?)
    }

    fn __len__(&self) -> usize {
        self.len_()
    }

    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if let Ok(s) = index.cast::<PySlice>() {
            let ind = s.indices(self.len_() as isize)?;
            let mut out = match &self.item {
                Some(p) => TypedList::of_type(p.ty.clone())?,
                None => TypedList { mi: 0, item: None },
            };
            let mut i = ind.start;
            for _ in 0..ind.slicelength {
                let x = self.item_at(py, i as usize)?;
                out.append(x.bind(py))?;
                i += ind.step;
            }
            return Ok(Py::new(py, out)?.into_any());
        }
        let i = self.position(index.extract()?)?;
        self.item_at(py, i)
    }

    fn __setitem__(&mut self, i: isize, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let k = self.position(i)?;
        let (l, part) = self.parts().unwrap();
        let buf = part.unbox(x)?;
        // SAFETY: `k < len`; the buffer holds an item.
        unsafe { l.replace(k, buf.as_ptr().cast()) };
        part.release(buf);
        Ok(())
    }

    fn __delitem__(&mut self, i: isize) -> PyResult<()> {
        let k = self.position(i)?;
        let (l, part) = self.parts().unwrap();
        let mut buf = part.scratch();
        // SAFETY: `k < len`; the item moves to the buffer with its references.
        unsafe { l.take(k, buf.as_mut_ptr().cast()) };
        part.release(buf);
        Ok(())
    }

    fn append(&mut self, x: &Bound<'_, PyAny>) -> PyResult<()> {
        self.typed_by(x)?;
        let n = self.len_();
        self.insert_at(n, x)
    }

    fn insert(&mut self, i: isize, x: &Bound<'_, PyAny>) -> PyResult<()> {
        self.typed_by(x)?;
        let n = self.len_() as isize;
        let k = if i < 0 { (i + n).max(0) } else { i.min(n) };
        self.insert_at(k as usize, x)
    }

    fn extend(&mut self, iterable: &Bound<'_, PyAny>) -> PyResult<()> {
        let items: Vec<_> = iterable.try_iter()?.collect::<PyResult<_>>()?;
        items.iter().try_for_each(|x| self.append(x))
    }

    #[pyo3(signature = (i=-1))]
    fn pop(&mut self, py: Python<'_>, i: isize) -> PyResult<Py<PyAny>> {
        if self.len_() == 0 {
            return Err(PyIndexError::new_err("pop from empty list"));
        }
        let k = self.position(i)?;
        let (l, part) = self.parts().unwrap();
        let mut buf = part.scratch();
        // SAFETY: `k < len`; boxing takes over the moved item's references.
        unsafe { l.take(k, buf.as_mut_ptr().cast()) };
        part.boxed(py, buf.as_ptr().cast())
    }

    fn clear(&mut self) {
        if let Some((l, _)) = self.parts() {
            l.clear();
        }
    }

    fn reverse(&mut self) {
        if let Some((l, _)) = self.parts() {
            l.reverse();
        }
    }

    fn copy(&self, py: Python<'_>) -> PyResult<TypedList> {
        let mut out = match &self.item {
            Some(p) => TypedList::of_type(p.ty.clone())?,
            None => TypedList { mi: 0, item: None },
        };
        for x in self.items(py)? {
            out.append(x.bind(py))?;
        }
        Ok(out)
    }

    #[pyo3(signature = (*, key=None, reverse=false))]
    fn sort(
        &mut self,
        py: Python<'_>,
        key: Option<&Bound<'_, PyAny>>,
        reverse: bool,
    ) -> PyResult<()> {
        let items = PyList::new(py, self.items(py)?)?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("key", key)?;
        kwargs.set_item("reverse", reverse)?;
        items.call_method("sort", (), Some(&kwargs))?;
        self.clear();
        items.iter().try_for_each(|x| self.append(&x))
    }

    fn index(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<usize> {
        for i in 0..self.len_() {
            if self.item_at(py, i)?.bind(py).eq(x)? {
                return Ok(i);
            }
        }
        Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{} is not in list",
            x.repr()?
        )))
    }

    fn count(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<usize> {
        let mut n = 0;
        for i in 0..self.len_() {
            n += self.item_at(py, i)?.bind(py).eq(x)? as usize;
        }
        Ok(n)
    }

    fn remove(&mut self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let i = self.index(py, x)?;
        self.__delitem__(i as isize)
    }

    fn __contains__(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<bool> {
        for i in 0..self.len_() {
            if self.item_at(py, i)?.bind(py).eq(x)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn __iter__(&self) -> TypedListIter {
        if self.mi != 0 {
            // SAFETY: the iterator holds a reference of its own.
            unsafe { oxjit_rt_meminfo_incref(self.mi as *mut MemInfo) };
        }
        TypedListIter {
            mi: self.mi,
            item: self.item.clone(),
            pos: 0,
        }
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let theirs: Vec<Py<PyAny>> = match other.cast::<TypedList>() {
            Ok(o) => o.borrow().items(py)?,
            Err(_) => match other.cast::<PyList>() {
                Ok(l) => l.iter().map(|x| x.unbind()).collect(),
                Err(_) => return Ok(py.NotImplemented()),
            },
        };
        let ours = self.items(py)?;
        let same = ours.len() == theirs.len()
            && ours
                .iter()
                .zip(&theirs)
                .try_fold(true, |acc, (a, b)| Ok::<_, PyErr>(acc && a.bind(py).eq(b)?))?;
        Ok(same.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let items = self
            .items(py)?
            .iter()
            .map(|x| Ok(x.bind(py).repr()?.to_string()))
            .collect::<PyResult<Vec<_>>>()?;
        let ty = self
            .item
            .as_ref()
            .map_or("undefined".to_string(), |p| p.ty.to_string());
        Ok(format!("ListType[{ty}]([{}])", items.join(", ")))
    }
}

impl TypedList {
    fn insert_at(&mut self, k: usize, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let (l, part) = self.parts().unwrap();
        let buf = part.unbox(x)?;
        // SAFETY: `k <= len`; the list takes its own references.
        let ok = unsafe { l.insert(k, buf.as_ptr().cast()) };
        part.release(buf);
        if ok {
            Ok(())
        } else {
            Err(no_memory())
        }
    }
}

/// Iterates a typed list by position, as Python's list iterator does
/// (items added meanwhile are seen; it stops at the current end).
#[pyclass(module = "oxjit.typed")]
pub struct TypedListIter {
    mi: usize,
    item: Option<Arc<Part>>,
    pos: usize,
}

impl Drop for TypedListIter {
    fn drop(&mut self) {
        if self.mi != 0 {
            // SAFETY: the iterator holds one reference.
            unsafe { oxjit_rt_meminfo_decref(self.mi as *mut MemInfo) };
        }
    }
}

#[pymethods]
impl TypedListIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let Some(part) = &self.item else {
            return Ok(None);
        };
        // SAFETY: the iterator holds a reference to a live list.
        let l = unsafe { List::from_meminfo(self.mi as *mut MemInfo) };
        if self.pos >= l.len() {
            return Ok(None);
        }
        l.retain_item(self.pos);
        let x = part.boxed(py, l.at(self.pos))?;
        self.pos += 1;
        Ok(Some(x))
    }
}

/// `oxjit.typed.Dict`: a dict of one key and one value type, shared with
/// compiled code.
#[pyclass(module = "oxjit.typed", name = "Dict", mapping)]
pub struct TypedDict {
    /// The dict's meminfo (one reference); 0 until the types are known.
    mi: usize,
    parts: Option<(Arc<Part>, Arc<Part>)>,
}

impl Drop for TypedDict {
    fn drop(&mut self) {
        if self.mi != 0 {
            // SAFETY: the object holds one reference to a live dict.
            unsafe { oxjit_rt_meminfo_decref(self.mi as *mut MemInfo) };
        }
    }
}

type DictParts<'a> = (Dict, &'a Arc<Part>, &'a Arc<Part>);

impl TypedDict {
    fn of_types(key: Type, value: Type) -> PyResult<TypedDict> {
        let (k, v) = (Part::new(key)?, Part::new(value)?);
        let desc = Type::Dict(Box::new(k.ty.clone()), Box::new(v.ty.clone())).descriptor();
        let d = Dict::new(Desc::new(&desc)).ok_or_else(no_memory)?;
        d.mark_typed();
        Ok(TypedDict {
            mi: d.meminfo() as usize,
            parts: Some((k, v)),
        })
    }

    /// The object for a typed dict compiled code returned (taking over its
    /// reference).
    pub fn wrap(py: Python<'_>, mi: *mut MemInfo, key: &Type, value: &Type) -> PyResult<Py<PyAny>> {
        let d = TypedDict {
            mi: mi as usize,
            parts: Some((Part::new(key.clone())?, Part::new(value.clone())?)),
        };
        Ok(Py::new(py, d)?.into_any())
    }

    fn parts(&self) -> Option<DictParts<'_>> {
        let (k, v) = self.parts.as_ref()?;
        // SAFETY: the object holds a reference to a live dict.
        Some((unsafe { Dict::from_meminfo(self.mi as *mut MemInfo) }, k, v))
    }

    /// The entry holding `key` (None: absent, or not a key of this type).
    fn find(&self, key: &Bound<'_, PyAny>) -> Option<usize> {
        let (d, k, _) = self.parts()?;
        let buf = k.unbox(key).ok()?;
        // SAFETY: the buffer holds a key of the dict's type.
        let pos = unsafe { d.find(buf.as_ptr().cast()) };
        k.release(buf);
        pos
    }

    fn value_at(&self, py: Python<'_>, pos: usize) -> PyResult<Py<PyAny>> {
        let (d, _, v) = self.parts().unwrap();
        let (_, at) = d.entry_parts(pos).unwrap();
        let mut buf = v.scratch();
        // SAFETY: a live entry's value, copied with new references.
        unsafe { d.copy_value(at, buf.as_mut_ptr().cast()) };
        v.boxed(py, buf.as_ptr().cast())
    }

    fn key_at(&self, py: Python<'_>, pos: usize) -> PyResult<Py<PyAny>> {
        let (d, k, _) = self.parts().unwrap();
        let (at, _) = d.entry_parts(pos).unwrap();
        let mut buf = k.scratch();
        // SAFETY: a live entry's key, copied with new references.
        unsafe { d.copy_key(at, buf.as_mut_ptr().cast()) };
        k.boxed(py, buf.as_ptr().cast())
    }

    /// The live entry positions, in insertion order.
    fn positions(&self) -> Vec<usize> {
        self.parts().map_or(vec![], |(d, _, _)| {
            (0..d.used())
                .filter(|&p| d.entry_parts(p).is_some())
                .collect()
        })
    }

    fn len_(&self) -> usize {
        self.parts().map_or(0, |(d, _, _)| d.len())
    }

    /// The dict's meminfo, for passing it to compiled code.
    pub fn meminfo(obj: &Bound<'_, PyAny>) -> Option<*mut MemInfo> {
        let d = obj.cast::<TypedDict>().ok()?;
        let d = d.borrow();
        (d.mi != 0).then_some(d.mi as *mut MemInfo)
    }

    /// The type compiled code sees (None for an untyped `Dict()`).
    pub fn type_of(obj: &Bound<'_, PyAny>) -> Option<Result<Type, String>> {
        let d = obj.cast::<TypedDict>().ok()?;
        let d = d.borrow();
        Some(match &d.parts {
            Some((k, v)) => Ok(Type::Dict(Box::new(k.ty.clone()), Box::new(v.ty.clone()))),
            None => Err("an empty typed Dict whose types are unknown cannot be passed to compiled code (make it with Dict.empty(key_type, value_type))".into()),
        })
    }
}

#[pymethods]
impl TypedDict {
    #[new]
    fn py_new() -> TypedDict {
        TypedDict { mi: 0, parts: None }
    }

    /// `Dict.empty(key_type, value_type)`: an empty dict of those types.
    #[classmethod]
    #[pyo3(signature = (key_type, value_type, n_keys=0))]
    fn empty(
        _cls: &Bound<'_, PyType>,
        key_type: &Bound<'_, PyAny>,
        value_type: &Bound<'_, PyAny>,
        n_keys: usize,
    ) -> PyResult<TypedDict> {
        let _ = n_keys;
        TypedDict::of_types(type_arg(key_type)?, type_arg(value_type)?)
    }

    fn __len__(&self) -> usize {
        self.len_()
    }

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        match self.find(key) {
            Some(pos) => self.value_at(py, pos),
            None => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    fn __setitem__(&mut self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.parts.is_none() {
            let t = |x| crate::typeof_::type_of(x).map_err(PyTypeError::new_err);
            *self = TypedDict::of_types(t(key)?, t(value)?)?;
        }
        let (d, k, v) = self.parts().unwrap();
        let kb = k.unbox(key)?;
        let vb = match v.unbox(value) {
            Ok(b) => b,
            Err(e) => {
                k.release(kb);
                return Err(e);
            }
        };
        // SAFETY: the buffers hold a key and a value of the dict's types.
        let ok = unsafe { d.set(kb.as_ptr().cast(), vb.as_ptr().cast()) };
        k.release(kb);
        v.release(vb);
        if ok {
            Ok(())
        } else {
            Err(no_memory())
        }
    }

    fn __delitem__(&mut self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let pos = self
            .find(key)
            .ok_or_else(|| PyKeyError::new_err(key.clone().unbind()))?;
        let (d, _, _) = self.parts().unwrap();
        // SAFETY: a live entry; its value is released.
        unsafe { d.remove_at(pos, std::ptr::null_mut()) };
        Ok(())
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        self.find(key).is_some()
    }

    #[pyo3(signature = (key, default=None))]
    fn get(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        match self.find(key) {
            Some(pos) => self.value_at(py, pos),
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    #[pyo3(signature = (key, *default))]
    fn pop(
        &mut self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: &Bound<'_, pyo3::types::PyTuple>,
    ) -> PyResult<Py<PyAny>> {
        match self.find(key) {
            Some(pos) => {
                let v = self.value_at(py, pos)?;
                self.__delitem__(key)?;
                Ok(v)
            }
            None if !default.is_empty() => Ok(default.get_item(0)?.unbind()),
            None => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    #[pyo3(signature = (key, default=None))]
    fn setdefault(
        &mut self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if let Some(pos) = self.find(key) {
            return self.value_at(py, pos);
        }
        let Some(v) = default else {
            return Err(PyTypeError::new_err(
                "setdefault() needs a default of the value type",
            ));
        };
        self.__setitem__(key, v)?;
        self.__getitem__(py, key)
    }

    fn popitem(&mut self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let Some(&pos) = self.positions().last() else {
            return Err(PyKeyError::new_err("popitem(): dictionary is empty"));
        };
        let (k, v) = (self.key_at(py, pos)?, self.value_at(py, pos)?);
        self.__delitem__(k.bind(py))?;
        Ok((k, v))
    }

    fn keys(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.positions()
            .into_iter()
            .map(|p| self.key_at(py, p))
            .collect()
    }

    fn values(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.positions()
            .into_iter()
            .map(|p| self.value_at(py, p))
            .collect()
    }

    fn items(&self, py: Python<'_>) -> PyResult<Vec<(Py<PyAny>, Py<PyAny>)>> {
        self.positions()
            .into_iter()
            .map(|p| Ok((self.key_at(py, p)?, self.value_at(py, p)?)))
            .collect()
    }

    fn update(&mut self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        let pairs = match other.cast::<TypedDict>() {
            Ok(o) => o.borrow().items(py)?,
            Err(_) => other
                .call_method0("items")?
                .try_iter()?
                .map(|kv| kv?.extract::<(Py<PyAny>, Py<PyAny>)>())
                .collect::<PyResult<_>>()?,
        };
        pairs
            .iter()
            .try_for_each(|(k, v)| self.__setitem__(k.bind(py), v.bind(py)))
    }

    fn clear(&mut self) {
        if let Some((d, _, _)) = self.parts() {
            d.clear();
        }
    }

    fn copy(&self, py: Python<'_>) -> PyResult<TypedDict> {
        let mut out = match &self.parts {
            Some((k, v)) => TypedDict::of_types(k.ty.clone(), v.ty.clone())?,
            None => TypedDict::py_new(),
        };
        for (k, v) in self.items(py)? {
            out.__setitem__(k.bind(py), v.bind(py))?;
        }
        Ok(out)
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        // A snapshot of the keys, checked against the size at each step as
        // Python's dict iterator is.
        let keys = PyList::new(py, self.keys(py)?)?;
        Ok(keys.try_iter()?.into_any().unbind())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let theirs = match other.cast::<TypedDict>() {
            Ok(o) => o.borrow().as_dict(py)?,
            Err(_) if other.is_instance_of::<pyo3::types::PyDict>() => other.clone().unbind(),
            Err(_) => return Ok(py.NotImplemented()),
        };
        let same = self.as_dict(py)?.bind(py).eq(theirs.bind(py))?;
        Ok(same.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (k, v) = self
            .parts
            .as_ref()
            .map_or(("undefined".into(), "undefined".into()), |(k, v)| {
                (k.ty.to_string(), v.ty.to_string())
            });
        Ok(format!(
            "DictType[{k},{v}]({})",
            self.as_dict(py)?.bind(py).repr()?
        ))
    }
}

impl TypedDict {
    /// A Python dict of the items (for comparisons and printing).
    fn as_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let d = pyo3::types::PyDict::new(py);
        for (k, v) in self.items(py)? {
            d.set_item(k, v)?;
        }
        Ok(d.into_any().unbind())
    }
}
