//! The compile driver: runs the pipeline (source → AST → HIR → typed IR →
//! LLVM → machine code) for one specialisation, typing jitted callees on
//! demand (the typeck `Oracle`), and emitting the entry function together
//! with every callee it reaches into one module.
//!
//! All compile state sits behind one lock. Compilation calls back into
//! Python (source, globals), which may switch threads, so the lock is taken
//! without holding the GIL while waiting; a thread that finds the
//! specialisation made by another while it waited uses that one.

use crate::env::{constant, PyEnv};
use crate::errors::CompileError;
use crate::timing::{self, StageTimes};
use crate::typeof_::code;
use oxjit_abi::exc::ExcSpec;
use oxjit_abi::hash::StableHash;
use oxjit_diag::SourceFile;
use oxjit_hir as hir;
use oxjit_tir::{self as tir, Flags};
use oxjit_typeck::{typecheck, CalleeSig, Oracle, Param, Request, Typed};
use oxjit_types::Type;
use pyo3::prelude::*;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, TryLockError};
use std::time::{Duration, Instant};

/// The entry wrapper every specialisation exposes (see `oxjit-codegen`).
pub type WrapFn = unsafe extern "C" fn(*const *const u8, *mut u8) -> i32;

/// One compiled specialisation. Never freed: its machine code lives as long
/// as the process.
pub struct Spec {
    pub key: Vec<u64>,
    pub args: Vec<Type>,
    pub ret: Type,
    pub wrapper: WrapFn,
    pub tir: tir::Function,
    pub llvm_ir: String,
    /// How to unbox each argument and box the result.
    pub arg_plans: Vec<crate::boxing::Plan>,
    pub ret_plan: crate::boxing::Plan,
    /// Whether an argument holds a list or a str (released after the call,
    /// lists reflected).
    pub refs_in_args: bool,
    /// Word offset of each argument in the argument buffer, and its total size.
    pub arg_offsets: Vec<usize>,
    pub arg_words: usize,
    pub ret_words: usize,
}

/// The parsed and lowered function, made once per dispatcher.
pub struct HirInfo {
    pub hir: hir::Function,
    pub source: String,
    pub filename: String,
    pub first_line: u32,
    pub params: Vec<Param>,
    /// The ids of the functions defined in this one (`hir.closures`), each
    /// registered as a jitted function of its own.
    pub closure_ids: Vec<u64>,
}

impl HirInfo {
    pub fn source_file(&self) -> SourceFile<'_> {
        SourceFile {
            path: &self.filename,
            text: &self.source,
            first_line: self.first_line,
        }
    }
}

/// Everything the driver knows of one jitted function.
pub struct FuncInfo {
    pub id: u64,
    pub py_func: Py<PyAny>,
    /// The lines of the function's file as they were when it was defined
    /// (`capture_source`), so that compiling later reads what was imported.
    pub source_lines: Option<Py<PyAny>>,
    pub name: String,
    pub flags: Flags,
    /// Variable types declared with `locals={...}`.
    pub declared_locals: Vec<(String, Type)>,
    pub nogil: bool,
    pub nparams: usize,
    pub specs: RwLock<Vec<&'static Spec>>,
    pub compile_enabled: AtomicBool,
    pub hir: Mutex<Option<Arc<HirInfo>>>,
    /// `inspect.Signature` of the function, for binding keyword arguments.
    pub signature: std::sync::OnceLock<Py<PyAny>>,
}

static REGISTRY: RwLock<Vec<Arc<FuncInfo>>> = RwLock::new(Vec::new());

pub fn register(make: impl FnOnce(u64) -> FuncInfo) -> Arc<FuncInfo> {
    let mut reg = REGISTRY.write().unwrap();
    let info = Arc::new(make(reg.len() as u64));
    reg.push(info.clone());
    info
}

fn lookup(id: u64) -> Arc<FuncInfo> {
    REGISTRY.read().unwrap()[id as usize].clone()
}

/// A specialisation request: function, argument types, declared return type.
type Key = (u64, Vec<Type>, Option<Type>);

#[derive(Default)]
struct State {
    typed: HashMap<Key, tir::Function>,
    in_progress: HashSet<Key>,
    symbols: HashMap<Key, String>,
    keys: HashMap<String, Key>,
    /// Return types assumed for callees that were still being inferred.
    guessed: HashMap<String, Type>,
}

impl State {
    /// The symbol of specialisation `key` of `info` (whose source is
    /// `source`): its name and a stable hash of its identity (qualified
    /// name, source text, options, argument and declared return types), so
    /// the same specialisation has the same symbol in every process. A
    /// different function with the same identity in this process (a closure
    /// made again by its factory, a function redefined with the same text)
    /// takes the next salted hash.
    fn symbol(&mut self, key: &Key, info: &FuncInfo, source: &str) -> String {
        if let Some(s) = self.symbols.get(key) {
            return s.clone();
        }
        let mut h = StableHash::new();
        h.str(&info.name)
            .str(source)
            .str(&format!("{:?} {:?}", info.flags, info.declared_locals));
        key.1.iter().for_each(|t| {
            h.str(&t.to_string());
        });
        h.str(&key.2.as_ref().map_or(String::new(), Type::to_string));
        let name: String = info
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let s = (0u64..)
            .map(|salt| format!("oxjit_{name}_{:016x}", h.u64(salt).finish()))
            .find(|s| !self.keys.contains_key(s))
            .expect("an unbounded salt range always finds a free symbol");
        self.symbols.insert(key.clone(), s.clone());
        self.keys.insert(s.clone(), key.clone());
        s
    }
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// Takes the compile lock, releasing the GIL while it waits.
fn lock_state(py: Python<'_>) -> MutexGuard<'static, Option<State>> {
    loop {
        match STATE.try_lock() {
            Ok(g) => return g,
            Err(TryLockError::Poisoned(p)) => return p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                py.detach(|| std::thread::sleep(std::time::Duration::from_micros(50)))
            }
        }
    }
}

fn type_list(args: &[Type]) -> String {
    let a: Vec<String> = args.iter().map(|t| t.to_string()).collect();
    a.join(", ")
}

fn header(name: &str, args: &[Type]) -> String {
    format!(
        "Failed to compile '{name}' for argument types ({}):",
        type_list(args)
    )
}

thread_local! {
    /// Time spent reading sources and lowering them to HIR since the last
    /// [`take_hir_time`], so that a compilation can report it apart from
    /// type inference (which asks for callees' HIR as it goes).
    static HIR_TIME: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

fn take_hir_time() -> Duration {
    HIR_TIME.with(|t| t.replace(Duration::ZERO))
}

/// Parses and lowers a function once; errors are not cached.
fn hir_of(py: Python<'_>, info: &FuncInfo) -> Result<Arc<HirInfo>, CompileError> {
    let mut slot = info.hir.lock().unwrap();
    if let Some(h) = slot.as_ref() {
        return Ok(h.clone());
    }
    let t0 = Instant::now();
    let r = lower_source(py, info);
    HIR_TIME.with(|t| t.set(t.get() + t0.elapsed()));
    let h = r?;
    *slot = Some(h.clone());
    Ok(h)
}

/// The lines of `func`'s file now, as `linecache` has them (one read per
/// file, shared by the file's functions); `None` when Python has none.
pub fn capture_source(func: &Bound<'_, PyAny>) -> Option<Py<PyAny>> {
    let py = func.py();
    let code = func.getattr("__code__").ok()?;
    let filename = code.getattr("co_filename").ok()?;
    let globals = func.getattr("__globals__").ok()?;
    let lines = py
        .import("linecache")
        .and_then(|l| l.call_method1("getlines", (filename, globals)))
        .ok()?;
    (lines.len().ok()? > 0).then(|| lines.unbind())
}

/// The source lines of `func` and the line number of the first: from the
/// lines captured when it was defined (an edit of the file since does not
/// change what compiles), else from `inspect`.
fn source_lines(py: Python<'_>, info: &FuncInfo) -> PyResult<(Vec<String>, u32)> {
    let func = info.py_func.bind(py);
    let inspect = py.import("inspect")?;
    if let Some(lines) = &info.source_lines {
        let first: u32 = func
            .getattr("__code__")?
            .getattr("co_firstlineno")?
            .extract()?;
        let from = lines.bind(py).get_item(pyo3::types::PySlice::new(
            py,
            first.saturating_sub(1) as isize,
            isize::MAX,
            1,
        ))?;
        let block: Vec<String> = inspect.call_method1("getblock", (from,))?.extract()?;
        if !block.is_empty() {
            return Ok((block, first));
        }
    }
    inspect.call_method1("getsourcelines", (func,))?.extract()
}

/// Reads `info`'s source and lowers it to HIR.
fn lower_source(py: Python<'_>, info: &FuncInfo) -> Result<Arc<HirInfo>, CompileError> {
    let pyerr = |e: PyErr| {
        CompileError::plain(
            format!("cannot compile '{}': {e}", info.name),
            true,
            "OX002",
        )
    };
    let func = info.py_func.bind(py);
    let inspect = py.import("inspect").map_err(pyerr)?;
    let (lines, first_line) = source_lines(py, info).map_err(|e| {
        CompileError::plain(
            format!(
                "cannot compile '{}': its source code is not available ({e}); define it in a file",
                info.name
            ),
            true,
            "OX002",
        )
    })?;
    let source = lines.concat();
    let filename: String = inspect
        .call_method1("getsourcefile", (func,))
        .ok()
        .and_then(|f| f.extract::<Option<String>>().ok().flatten())
        .unwrap_or_else(|| {
            func.getattr("__code__")
                .and_then(|c| c.getattr("co_filename"))
                .and_then(|f| f.extract())
                .unwrap_or_default()
        });
    let src = SourceFile {
        path: &filename,
        text: &source,
        first_line: first_line.max(1),
    };
    let head = format!("Failed to compile '{}':", info.name);
    let parsed = oxjit_syntax::parse_function(&source)
        .map_err(|d| CompileError::from_diags(&src, &head, &[d]))?;
    let mut env = PyEnv::new(func, info.id).map_err(pyerr)?;
    let (lowered, diags) = hir::lower_function(&parsed, &mut env);
    let Some(lowered) = lowered else {
        return Err(CompileError::from_diags(&src, &head, &diags));
    };
    // The file on disk may have changed since the function was defined.
    let names: Vec<String> = lowered
        .params()
        .map(|id| lowered.local(id).name.clone())
        .collect();
    if names != code_params(func).map_err(pyerr)? {
        return Err(CompileError::plain(
            format!(
                "cannot compile '{}': its source in {filename} no longer matches the function (was the file edited after it was loaded?); reload the module",
                info.name
            ),
            true,
            "OX002",
        ));
    }
    let params = params_of(func, &lowered).map_err(pyerr)?;
    Ok(Arc::new(HirInfo {
        closure_ids: register_closures(py, info, &lowered, &source, &filename, first_line),
        hir: lowered,
        source: source.clone(),
        filename: filename.clone(),
        first_line: first_line.max(1),
        params,
    }))
}

/// Registers the functions defined in `f` (of `parent`) as jitted
/// functions whose HIR is already known; returns their ids by position.
fn register_closures(
    py: Python<'_>,
    parent: &FuncInfo,
    f: &hir::Function,
    source: &str,
    filename: &str,
    first_line: u32,
) -> Vec<u64> {
    f.closures
        .iter()
        .map(|c| {
            let params = c
                .params()
                .skip(c.ncaptures)
                .map(|id| Param {
                    name: c.local(id).name.clone(),
                    default: None,
                })
                .collect();
            let info = register(|id| FuncInfo {
                id,
                py_func: parent.py_func.clone_ref(py),
                source_lines: parent.source_lines.as_ref().map(|l| l.clone_ref(py)),
                name: format!("{}.<locals>.{}", parent.name, c.name),
                flags: parent.flags,
                declared_locals: Vec::new(),
                nogil: parent.nogil,
                nparams: c.nparams - c.ncaptures,
                specs: RwLock::new(Vec::new()),
                compile_enabled: AtomicBool::new(true),
                hir: Mutex::new(None),
                signature: std::sync::OnceLock::new(),
            });
            let closure_ids = register_closures(py, &info, c, source, filename, first_line);
            *info.hir.lock().unwrap() = Some(Arc::new(HirInfo {
                hir: c.clone(),
                source: source.to_owned(),
                filename: filename.to_owned(),
                first_line: first_line.max(1),
                params,
                closure_ids,
            }));
            info.id
        })
        .collect()
}

/// The parameter names of `func`'s code object.
fn code_params(func: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let code = func.getattr("__code__")?;
    let n: usize = code.getattr("co_argcount")?.extract::<usize>()?
        + code.getattr("co_kwonlyargcount")?.extract::<usize>()?;
    let names: Vec<String> = code.getattr("co_varnames")?.extract()?;
    Ok(names.into_iter().take(n).collect())
}

/// Parameter names with their default values (constants only).
fn params_of(func: &Bound<'_, PyAny>, f: &hir::Function) -> PyResult<Vec<Param>> {
    let names: Vec<String> = f.params().map(|id| f.local(id).name.clone()).collect();
    let code = func.getattr("__code__")?;
    let npos: usize = code.getattr("co_argcount")?.extract()?;
    let mut defaults: Vec<Option<hir::Const>> = vec![None; names.len()];
    let d = func.getattr("__defaults__")?;
    if !d.is_none() {
        let d: Vec<Bound<'_, PyAny>> = d.extract()?;
        for (i, v) in d.iter().enumerate() {
            defaults[npos - d.len() + i] = constant(v);
        }
    }
    let kw = func.getattr("__kwdefaults__")?;
    if !kw.is_none() {
        for (i, n) in names.iter().enumerate() {
            if let Ok(v) = kw.get_item(n) {
                defaults[i] = constant(&v);
            }
        }
    }
    Ok(names
        .into_iter()
        .zip(defaults)
        .map(|(name, default)| Param { name, default })
        .collect())
}

enum Outcome {
    Done(String, Type),
    Pending(String, Option<Type>),
}

fn type_function(py: Python<'_>, st: &mut State, key: &Key) -> Result<Outcome, CompileError> {
    if let Some(f) = st.typed.get(key) {
        return Ok(Outcome::Done(f.symbol.clone(), f.ret.clone()));
    }
    let info = lookup(key.0);
    let h = hir_of(py, &info)?;
    let symbol = st.symbol(key, &info, &h.source);
    let req = Request {
        hir: &h.hir,
        args: &key.1,
        id: key.0,
        symbol: symbol.clone(),
        flags: info.flags,
        declared_ret: key.2.clone(),
        declared_locals: &info.declared_locals,
    };
    // A function whose callees wait for it (mutual recursion entered here)
    // is typed once more with the return type it has so far, which the
    // callees then assume (once: callees typed against the assumption are
    // kept, so the final type must equal it).
    let result = loop {
        st.in_progress.insert(key.clone());
        let result = typecheck(&req, &mut DriverOracle { py, st: &mut *st });
        st.in_progress.remove(key);
        match result {
            Typed::Pending(Some(g)) if !st.guessed.contains_key(&symbol) => {
                st.guessed.insert(symbol.clone(), g);
            }
            r => break r,
        }
    };
    match result {
        Typed::Done(f) => {
            if let Some(g) = st.guessed.get(&symbol).filter(|g| **g != f.ret) {
                return Err(CompileError::plain(
                    format!(
                        "mutually recursive '{}' returns {} but was assumed to return {g}",
                        f.name, f.ret
                    ),
                    false,
                    "OX107",
                ));
            }
            if cfg!(debug_assertions) {
                tir::verify(&f).map_err(|e| {
                    CompileError::plain(format!("internal compiler error: {e}"), false, "OX999")
                })?;
            }
            let ret = f.ret.clone();
            st.typed.insert(key.clone(), f);
            Ok(Outcome::Done(symbol, ret))
        }
        Typed::Pending(guess) => Ok(Outcome::Pending(symbol, guess)),
        Typed::Failed(diags) => Err(CompileError::from_diags(
            &h.source_file(),
            &header(&info.name, &key.1),
            &diags,
        )),
    }
}

struct DriverOracle<'a, 'py> {
    py: Python<'py>,
    st: &'a mut State,
}

impl Oracle for DriverOracle<'_, '_> {
    fn name(&mut self, id: u64) -> String {
        lookup(id).name.clone()
    }

    fn params(&mut self, id: u64) -> Result<Vec<Param>, String> {
        let info = lookup(id);
        hir_of(self.py, &info)
            .map(|h| h.params.clone())
            .map_err(|e| e.message)
    }

    fn callee(&mut self, id: u64, args: &[Type]) -> Result<Option<CalleeSig>, String> {
        let key = (id, args.to_vec(), None);
        if self.st.in_progress.contains(&key) {
            // Still being inferred: its return type so far, if assumed.
            let symbol = self.st.symbols.get(&key).cloned();
            return Ok(symbol.and_then(|symbol| {
                let ret = self.st.guessed.get(&symbol)?.clone();
                Some(CalleeSig { symbol, ret })
            }));
        }
        match type_function(self.py, self.st, &key) {
            Ok(Outcome::Done(symbol, ret)) => Ok(Some(CalleeSig { symbol, ret })),
            Ok(Outcome::Pending(symbol, Some(ret))) => {
                self.st.guessed.insert(symbol.clone(), ret.clone());
                Ok(Some(CalleeSig { symbol, ret }))
            }
            Ok(Outcome::Pending(_, None)) => Ok(None),
            Err(e) => Err(e.message),
        }
    }

    fn exception(&mut self, spec: ExcSpec) -> u32 {
        oxjit_runtime::exceptions::register(spec)
    }

    fn closure(&mut self, parent: u64, index: usize) -> Result<u64, String> {
        let h = hir_of(self.py, &lookup(parent)).map_err(|e| e.message)?;
        Ok(h.closure_ids[index])
    }
}

/// The entry function and every function it reaches, entry first. Callees
/// typed against a guessed return type are typed again now that the
/// functions they depended on are done (and must return what was guessed).
fn reachable(
    py: Python<'_>,
    st: &mut State,
    entry: &Key,
) -> Result<Vec<tir::Function>, CompileError> {
    let mut order = vec![st.typed[entry].symbol.clone()];
    let mut seen: HashSet<String> = order.iter().cloned().collect();
    let mut i = 0;
    while i < order.len() {
        let key = st.keys[&order[i]].clone();
        if !st.typed.contains_key(&key) {
            if let Outcome::Pending(..) = type_function(py, st, &key)? {
                return Err(CompileError::plain(
                    format!(
                        "cannot type infer runaway recursion: mutually recursive '{}' has no return type",
                        lookup(key.0).name
                    ),
                    false,
                    "OX107",
                ));
            }
            // (`type_function` has checked it against any assumed return type.)
        }
        for c in st.typed[&key].callees() {
            if seen.insert(c.to_string()) {
                order.push(c.to_string());
            }
        }
        i += 1;
    }
    Ok(order
        .iter()
        .map(|s| st.typed[&st.keys[s]].clone())
        .collect())
}

/// Compiles `info` for argument types `args` (and an optional declared
/// return type) and records the specialisation.
/// Compiles `info` for `args` (and an explicit return type). A panic in
/// the compiler is a bug, but it reaches the user as an internal compiler
/// error naming where it happened, never as a Rust panic; the compilations
/// it interrupted are forgotten so that they can be retried.
pub fn compile(
    py: Python<'_>,
    info: &Arc<FuncInfo>,
    args: Vec<Type>,
    declared: Option<Type>,
) -> Result<&'static Spec, CompileError> {
    crate::panics::guarded(
        || compile_unguarded(py, info, args, declared),
        |message| {
            if let Some(st) = lock_state(py).as_mut() {
                st.in_progress.clear();
            }
            CompileError::plain(
                format!(
                    "internal compiler error while compiling '{}': {message} (this is a bug in oxjit; please report it)",
                    info.name
                ),
                false,
                "OX999",
            )
        },
    )
}

fn compile_unguarded(
    py: Python<'_>,
    info: &Arc<FuncInfo>,
    args: Vec<Type>,
    declared: Option<Type>,
) -> Result<&'static Spec, CompileError> {
    let mut guard = lock_state(py);
    let st = guard.get_or_insert_with(State::default);
    let key: Vec<u64> = args.iter().map(code).collect();
    if declared.is_none() {
        if let Some(s) = info.specs.read().unwrap().iter().find(|s| s.key == key) {
            return Ok(s);
        }
    }
    let _watch = timing::start(format!("'{}' for ({})", info.name, type_list(&args)));
    let t0 = Instant::now();
    take_hir_time();
    let k: Key = (info.id, args.clone(), declared);
    match type_function(py, st, &k)? {
        Outcome::Done(..) => {}
        Outcome::Pending(..) => {
            return Err(CompileError::plain(
                format!(
                    "cannot type infer runaway recursion: '{}' and the functions it calls have no return type",
                    info.name
                ),
                false,
                "OX107",
            ))
        }
    }
    let funcs = reachable(py, st, &k)?;
    let hir_time = take_hir_time();
    let mut times = StageTimes(vec![("hir", hir_time), ("typeck", t0.elapsed() - hir_time)]);
    let refs: Vec<&tir::Function> = funcs.iter().collect();
    let compiled = crate::backend::compile(&refs, 0).map_err(|e| {
        CompileError::plain(
            format!(
                "internal compiler error while generating code for '{}': {e}",
                info.name
            ),
            false,
            "OX999",
        )
    })?;
    times.0.extend(compiled.phases.iter().copied());
    if timing::report_wanted() {
        eprintln!(
            "oxjit: compiled '{}' for ({}) in {:.2} ms: {}",
            info.name,
            type_list(&args),
            times.total().as_secs_f64() * 1e3,
            times.render()
        );
    }
    let f = funcs.into_iter().next().unwrap();
    let mut arg_offsets = Vec::new();
    let mut words = 0;
    for t in &args {
        arg_offsets.push(words);
        words += crate::boxing::words(t).max(1);
    }
    let arg_plans: Vec<_> = args.iter().map(crate::boxing::Plan::of).collect();
    let spec = Box::leak(Box::new(Spec {
        key,
        refs_in_args: arg_plans.iter().any(crate::boxing::owns_references),
        arg_plans,
        ret_plan: crate::boxing::Plan::of(&f.ret),
        ret: f.ret.clone(),
        ret_words: crate::boxing::words(&f.ret).max(1),
        args,
        // SAFETY: the codegen contract: the wrapper has this C signature.
        wrapper: unsafe { std::mem::transmute::<usize, WrapFn>(compiled.address) },
        llvm_ir: compiled.llvm_ir,
        tir: f,
        arg_offsets,
        arg_words: words,
    }));
    info.specs.write().unwrap().push(spec);
    Ok(spec)
}

/// The error for an argument whose Python type compiled code cannot take,
/// pointing at the parameter in the source.
pub fn argument_error(
    py: Python<'_>,
    info: &FuncInfo,
    args: &Bound<'_, pyo3::types::PyTuple>,
    index: usize,
    msg: &str,
) -> CompileError {
    let _compiling = lock_state(py);
    let names: Vec<String> = args
        .iter()
        .map(|a| {
            crate::typeof_::type_of(&a)
                .map(|t| t.to_string())
                .unwrap_or_else(|_| crate::typeof_::type_name(&a))
        })
        .collect();
    let header = format!(
        "Failed to compile '{}' for argument types ({}):",
        info.name,
        names.join(", ")
    );
    let h = match hir_of(py, info) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let param = h.hir.local(hir::LocalId(index as u32));
    let is_list = args
        .get_item(index)
        .is_ok_and(|a| a.is_instance_of::<pyo3::types::PyList>());
    let hint = if is_list {
        "pass a NumPy array instead of a list: np.asarray(...)"
    } else {
        "compiled code takes ints, floats, complex numbers, bools, strs, NumPy scalars, arrays of numeric dtypes, and lists, sets and tuples of these"
    };
    let d = oxjit_diag::Diagnostic::new(
        oxjit_diag::Code::UnsupportedArgType,
        param.span,
        format!("argument '{}': {msg}", param.name),
    )
    .with_hint(hint);
    CompileError::from_diags(&h.source_file(), &header, &[d])
}

/// `(line, variable, type)` for every assignment to a named local, for
/// `inspect_types`.
pub fn line_types(py: Python<'_>, info: &FuncInfo, spec: &Spec) -> Vec<(u32, String, String)> {
    let Ok(h) = hir_of(py, info) else {
        return Vec::new();
    };
    let src = h.source_file();
    let mut out = Vec::new();
    let mut found = Vec::new();
    hir::walk_stmts(&h.hir.body, &mut |s| {
        for t in s.targets() {
            t.visit_locals(&mut |id, span| found.push((id, span)));
        }
    });
    for (id, span) in found {
        let (line, _) = src.line_col(span.start);
        let l = &spec.tir.locals[spec.tir.nparams + id.0 as usize];
        out.push((line, l.name.clone(), l.ty.to_string()));
    }
    out
}

/// One `prange` loop of a specialisation, for `parallel_diagnostics`.
pub struct ParallelLoopReport {
    pub line: u32,
    pub dynamic: bool,
    /// (variable, combining operation)
    pub reductions: Vec<(String, String)>,
    /// Named variables private to each iteration.
    pub private: Vec<String>,
}

/// The `prange` loops that run in parallel in `spec`, outermost first.
pub fn parallel_loops(py: Python<'_>, info: &FuncInfo, spec: &Spec) -> Vec<ParallelLoopReport> {
    let Ok(h) = hir_of(py, info) else {
        return Vec::new();
    };
    let src = h.source_file();
    let f = &spec.tir;
    let named =
        |id: &oxjit_tir::LocalId| Some(f.local(*id).name.clone()).filter(|n| !n.starts_with('$'));
    f.parallel_loops()
        .into_iter()
        .map(|(span, p, body)| (span, p, oxjit_tir::assigned(body)))
        .map(|(span, p, ids)| ParallelLoopReport {
            line: src.line_col(span.start).0,
            dynamic: p.dynamic,
            reductions: p
                .reductions
                .iter()
                .filter_map(|r| Some((named(&r.local)?, r.op.to_string())))
                .collect(),
            private: ids
                .iter()
                .filter(|id| !p.reductions.iter().any(|r| r.local == **id))
                .filter_map(named)
                .collect(),
        })
        .collect()
}
