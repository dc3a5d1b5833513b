//! Typed IR to LLVM IR: the only compiler crate that builds LLVM IR.
//!
//! [`emit_module`] puts an entry function and every compiled callee it
//! reaches into one module, configured for the host (`oxjit_jit`).
//!
//! Calling convention of every compiled function:
//! `i32 @symbol(ptr %ret_out, <params by value>)` returns 0 after storing the
//! result (register form, see `types`) to `%ret_out`, or the non-zero id of
//! the exception it raised; a callee's non-zero status is returned unchanged.
//! The entry function additionally gets a C-callable wrapper
//! [`wrapper_symbol`]`(entry)`: `i32 (const *const u8 args[], *mut u8 ret)`,
//! reading each argument from `*args[i]` and writing the result to `ret`,
//! both in memory form (C layout of `Type::size_align`, bools as bytes 0/1).
//!
//! Arrays are reference-counted values (`nrt`): arguments are borrowed, a
//! result is owned by the caller (through the wrapper, by Python). Array
//! expressions are fused loops (`elementwise`, over `loops`), views share
//! memory (`view`), reductions follow NumPy bit for bit (`reduce`), and
//! errors whose messages name run-time shapes return
//! `oxjit_runtime::exceptions::DYNAMIC`.

mod arith;
mod array;
mod complex;
mod elementwise;
mod expr;
mod func;
mod intrinsics;
mod loops;
mod module;
mod moments;
mod nrt;
mod parallel;
mod reduce;
mod runtime_call;
mod stmt;
mod types;
mod view;
mod wrapper;

use inkwell::builder::BuilderError;
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use oxjit_tir::Function;

use crate::module::ModuleCx;

/// Why emission failed: a construct the typed IR contract rules out (a bug
/// upstream) or an LLVM builder error.
#[derive(Debug)]
pub(crate) struct Error(String);

impl From<BuilderError> for Error {
    fn from(e: BuilderError) -> Error {
        Error(format!("LLVM builder: {e}"))
    }
}

pub(crate) type Result<T> = std::result::Result<T, Error>;

pub(crate) fn unsupported<T>(what: impl std::fmt::Display) -> Result<T> {
    Err(Error(format!("codegen: {what}")))
}

/// Emits `funcs` (an entry function and every compiled callee it reaches,
/// each with a unique `symbol`) into one module. The entry function gets
/// external linkage, the others internal; additionally an entry wrapper
/// `<entry.symbol>__wrap` with C signature `i32 (const *const u8 args[], *mut u8 ret)`.
pub fn emit_module<'ctx>(
    ctx: &'ctx Context,
    funcs: &[&oxjit_tir::Function],
    entry: usize,
) -> std::result::Result<Module<'ctx>, String> {
    emit(ctx, funcs, entry).map_err(|Error(msg)| msg)
}

/// Machine code for one entry function.
pub struct Compiled {
    /// Address of the entry wrapper.
    pub wrapper: usize,
    /// The optimised LLVM IR, for `inspect_llvm`.
    pub llvm_ir: String,
    /// Wall time of each back-end phase, in pipeline order.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// Compiles `funcs` (as for [`emit_module`]) to machine code in the
/// process JIT.
pub fn compile(
    funcs: &[&oxjit_tir::Function],
    entry: usize,
) -> std::result::Result<Compiled, String> {
    let mut phases = Vec::with_capacity(5);
    let mut clock = std::time::Instant::now();
    let mut lap = |name| {
        let now = std::time::Instant::now();
        phases.push((name, now - clock));
        clock = now;
    };
    let ctx = Context::create();
    let module = emit_module(&ctx, funcs, entry)?;
    lap("codegen");
    if std::env::var_os("OXJIT_DUMP_LLVM").is_some_and(|v| v != "0" && !v.is_empty()) {
        eprintln!("{}", module.print_to_string().to_string());
    }
    oxjit_jit::optimize(&module, oxjit_jit::OptLevel::O3)?;
    lap("llvm-opt");
    // Printed before object emission, which rewrites the module.
    let llvm_ir = module.print_to_string().to_string();
    lap("llvm-print");
    let object = oxjit_jit::emit_object(&module)?;
    lap("llvm-codegen");
    let jit = oxjit_jit::jit();
    jit.add_object(&object)?;
    let wrapper = jit.lookup(&wrapper_symbol(&funcs[entry].symbol))?;
    lap("link");
    Ok(Compiled {
        wrapper,
        llvm_ir,
        phases,
    })
}

/// The wrapper's symbol for an entry symbol.
pub fn wrapper_symbol(entry_symbol: &str) -> String {
    format!("{entry_symbol}__wrap")
}

fn emit<'ctx>(ctx: &'ctx Context, funcs: &[&Function], entry: usize) -> Result<Module<'ctx>> {
    let Some(entry_fn) = funcs.get(entry) else {
        return unsupported(format!(
            "entry index {entry} out of {} functions",
            funcs.len()
        ));
    };
    let mut cx = ModuleCx::new(ctx, &entry_fn.symbol);
    // Everything is declared before any body, so calls in any order
    // (recursion, mutual recursion) find their callee.
    for (i, f) in funcs.iter().enumerate() {
        let linkage = if i == entry {
            Linkage::External
        } else {
            Linkage::Internal
        };
        cx.declare_compiled(f, linkage)?;
    }
    for f in funcs {
        func::emit_function(&cx, f)?;
    }
    wrapper::emit_wrapper(&cx, entry_fn)?;
    Ok(cx.into_module())
}
