//! The process-global ORC LLJIT that links object files into this process.
//!
//! inkwell has no ORC wrapper, so this talks to LLVM's C API directly. One
//! JIT (and one JITDylib) serves the whole process: objects are never
//! removed, and every object must define external symbol names of its own
//! (chosen by the caller), so later objects can call earlier ones by name.
//!
//! Symbols resolve, in order, from objects already added, from the oxjit
//! runtime (defined by address, because the statically linked extension does
//! not export them), and from the process (libm, libc, CPython, libmvec).

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;
use std::sync::{Mutex, OnceLock};

use llvm_sys::core::LLVMCreateMemoryBufferWithMemoryRangeCopy;
use llvm_sys::error::{LLVMDisposeErrorMessage, LLVMErrorRef, LLVMGetErrorMessage};
use llvm_sys::orc2::lljit::{
    LLVMOrcCreateLLJIT, LLVMOrcCreateLLJITBuilder, LLVMOrcLLJITAddObjectFile,
    LLVMOrcLLJITGetExecutionSession, LLVMOrcLLJITGetGlobalPrefix, LLVMOrcLLJITGetMainJITDylib,
    LLVMOrcLLJITLookup, LLVMOrcLLJITMangleAndIntern, LLVMOrcLLJITRef,
};
use llvm_sys::orc2::{
    LLVMJITEvaluatedSymbol, LLVMJITSymbolFlags, LLVMJITSymbolGenericFlags, LLVMOrcAbsoluteSymbols,
    LLVMOrcCSymbolMapPair, LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess,
    LLVMOrcDisposeMaterializationUnit, LLVMOrcExecutionSessionSetErrorReporter,
    LLVMOrcJITDylibAddGenerator, LLVMOrcJITDylibDefine, LLVMOrcJITDylibRef,
};

use crate::target::init_native_target;

/// Turns an `LLVMErrorRef` into `Ok` (null) or its message, consuming it.
fn check(err: LLVMErrorRef) -> Result<(), String> {
    if err.is_null() {
        return Ok(());
    }
    // SAFETY: `err` is a live error; LLVMGetErrorMessage consumes it and the
    // returned message is disposed after copying.
    unsafe {
        let msg = LLVMGetErrorMessage(err);
        let text = CStr::from_ptr(msg).to_string_lossy().into_owned();
        LLVMDisposeErrorMessage(msg);
        Err(text)
    }
}

/// Errors that ORC reports out of band (e.g. the unresolved symbol behind a
/// failed link), collected so `lookup` can return them instead of ORC
/// printing them to stderr. Only touched while the `Jit` lock is held.
static SESSION_ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());

extern "C" fn record_session_error(_ctx: *mut c_void, err: LLVMErrorRef) {
    if let Err(msg) = check(err) {
        SESSION_ERRORS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(msg);
    }
}

/// Takes the collected session errors.
fn take_session_errors() -> Vec<String> {
    std::mem::take(&mut *SESSION_ERRORS.lock().unwrap_or_else(|e| e.into_inner()))
}

/// True if glibc's vector math library `libmvec.so.1` is loaded, so codegen
/// may emit calls to its `_ZGV*` functions (via `vector-function-abi-variant`
/// call-site attributes). The first call loads it into the global symbol
/// namespace, where the JIT's process symbol search finds it.
pub fn has_libmvec() -> bool {
    static LOADED: OnceLock<bool> = OnceLock::new();
    *LOADED.get_or_init(|| {
        // SAFETY: plain dlopen of a system library; the handle is kept open
        // for the life of the process on purpose.
        let handle =
            unsafe { libc::dlopen(c"libmvec.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        !handle.is_null()
    })
}

/// The LLVM objects behind [`Jit`].
struct Raw {
    lljit: LLVMOrcLLJITRef,
    dylib: LLVMOrcJITDylibRef,
    objects_added: u64,
}

// SAFETY: the LLJIT and its JITDylib are heap objects owned by LLVM with no
// thread affinity; `Raw` is only reached through the `Mutex` in `Jit`, so at
// most one thread uses them at a time.
unsafe impl Send for Raw {}

/// The process-global JIT. Get it with [`jit`].
pub struct Jit {
    raw: Mutex<Raw>,
}

/// The JIT, created on first use. Panics if LLVM cannot create a JIT for the
/// host, which means the build itself is broken.
pub fn jit() -> &'static Jit {
    static JIT: OnceLock<Jit> = OnceLock::new();
    JIT.get_or_init(|| Jit::new().unwrap_or_else(|e| panic!("cannot create the LLVM JIT: {e}")))
}

impl Jit {
    fn new() -> Result<Jit, String> {
        init_native_target();
        has_libmvec(); // loaded before any lookup can ask for its symbols
                       // SAFETY: straightforward use of the ORC C API; every object created
                       // here is owned by the LLJIT, which lives for the rest of the process.
        unsafe {
            let mut lljit = ptr::null_mut();
            // LLVMOrcCreateLLJIT takes ownership of the builder.
            check(LLVMOrcCreateLLJIT(&mut lljit, LLVMOrcCreateLLJITBuilder()))?;
            let dylib = LLVMOrcLLJITGetMainJITDylib(lljit);
            LLVMOrcExecutionSessionSetErrorReporter(
                LLVMOrcLLJITGetExecutionSession(lljit),
                record_session_error,
                ptr::null_mut(),
            );

            // Explicit, rather than relying on LLJIT's default process
            // JITDylib, so resolution from the process is our decision.
            let mut generator = ptr::null_mut();
            check(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
                &mut generator,
                LLVMOrcLLJITGetGlobalPrefix(lljit),
                None,
                ptr::null_mut(),
            ))?;
            LLVMOrcJITDylibAddGenerator(dylib, generator);

            let generic = LLVMJITSymbolGenericFlags::LLVMJITSymbolGenericFlagsExported as u8
                | LLVMJITSymbolGenericFlags::LLVMJITSymbolGenericFlagsCallable as u8;
            let mut pairs: Vec<LLVMOrcCSymbolMapPair> = oxjit_runtime::symbols::all()
                .map(|f| {
                    let name = CString::new(f.name).expect("runtime symbol name contains NUL");
                    LLVMOrcCSymbolMapPair {
                        Name: LLVMOrcLLJITMangleAndIntern(lljit, name.as_ptr()),
                        Sym: LLVMJITEvaluatedSymbol {
                            Address: f.addr as u64,
                            Flags: LLVMJITSymbolFlags {
                                GenericFlags: generic,
                                TargetFlags: 0,
                            },
                        },
                    }
                })
                .collect();
            // Takes over the interned names; on failure the unit stays ours.
            let unit = LLVMOrcAbsoluteSymbols(pairs.as_mut_ptr(), pairs.len());
            if let Err(e) = check(LLVMOrcJITDylibDefine(dylib, unit)) {
                LLVMOrcDisposeMaterializationUnit(unit);
                return Err(e);
            }

            Ok(Jit {
                raw: Mutex::new(Raw {
                    lljit,
                    dylib,
                    objects_added: 0,
                }),
            })
        }
    }

    fn raw(&self) -> std::sync::MutexGuard<'_, Raw> {
        // A panic while holding the lock cannot leave LLVM half-updated in a
        // way we could repair, and the JIT stays usable for other symbols.
        self.raw.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a relocatable object file (as made by
    /// [`emit_object`](crate::emit_object)). Its symbols are linked lazily on
    /// the first [`lookup`](Jit::lookup) of any of them; defining a symbol
    /// that is already defined is an error.
    pub fn add_object(&self, obj: &[u8]) -> Result<(), String> {
        let mut raw = self.raw();
        raw.objects_added += 1;
        let name = CString::new(format!("oxjit-object-{}", raw.objects_added))
            .expect("formatted name has no NUL");
        // SAFETY: LLVM copies `obj`; LLVMOrcLLJITAddObjectFile takes
        // ownership of the buffer whatever the outcome.
        unsafe {
            let buffer = LLVMCreateMemoryBufferWithMemoryRangeCopy(
                obj.as_ptr().cast::<c_char>(),
                obj.len(),
                name.as_ptr(),
            );
            check(LLVMOrcLLJITAddObjectFile(raw.lljit, raw.dylib, buffer))
        }
    }

    /// The address of the symbol `name` (unmangled), linking the object that
    /// defines it if needed. Fails if the symbol, or anything it references,
    /// cannot be resolved.
    pub fn lookup(&self, name: &str) -> Result<usize, String> {
        let cname = CString::new(name).map_err(|_| format!("symbol name {name:?} contains NUL"))?;
        let raw = self.raw();
        let mut addr = 0;
        take_session_errors();
        // SAFETY: LLJIT lookup mangles `cname` itself and does not keep it.
        check(unsafe { LLVMOrcLLJITLookup(raw.lljit, &mut addr, cname.as_ptr()) }).map_err(
            |err| {
                // The lookup error only says materialisation failed; the
                // session errors say why.
                let causes = take_session_errors();
                if causes.is_empty() {
                    err
                } else {
                    format!("{err}: {}", causes.join("; "))
                }
            },
        )?;
        usize::try_from(addr).map_err(|_| format!("address of {name} does not fit a pointer"))
    }
}
