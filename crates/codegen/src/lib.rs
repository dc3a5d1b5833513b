//! Typed IR to LLVM IR: the only compiler crate that builds LLVM IR.
//!
//! [`emit_module`] puts an entry function and every compiled callee it
//! reaches into one module, for a [`Target`] the backend describes; it
//! knows nothing of how the module becomes machine code.
//!
//! Calling convention of every compiled function:
//! `i32 @symbol(ptr %ret_out, <params by value>)` returns 0 after storing the
//! result (register form, see `types`) to `%ret_out`, or the non-zero id of
//! the exception it raised; a callee's non-zero status is raised on (returned
//! unchanged, unless a `try` around the call catches it).
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
mod exceptions;
mod expr;
mod func;
mod intrinsics;
mod list;
mod loops;
mod module;
mod moments;
mod nrt;
mod optional;
mod parallel;
mod reduce;
mod runtime_call;
mod set;
mod stmt;
mod tbaa;
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

/// What code generation must know about the machine the code will run on
/// (the backend provides it: `oxjit_jit` for the host).
#[derive(Clone, Debug)]
pub struct Target {
    pub triple: String,
    pub data_layout: String,
    /// The glibc libmvec vector ISAs calls may use, as (vector-function ABI
    /// ISA letter, vector bits); empty when there is no libmvec.
    pub vector_isas: Vec<(char, u32)>,
}

/// Emits `funcs` (an entry function and every compiled callee it reaches,
/// each with a unique `symbol`) into one module for `target`. The entry
/// function gets external linkage, the others internal; additionally an
/// entry wrapper `<entry.symbol>__wrap` with C signature
/// `i32 (const *const u8 args[], *mut u8 ret)`.
pub fn emit_module<'ctx>(
    ctx: &'ctx Context,
    target: &Target,
    funcs: &[&oxjit_tir::Function],
    entry: usize,
) -> std::result::Result<Module<'ctx>, String> {
    emit(ctx, target, funcs, entry).map_err(|Error(msg)| msg)
}

/// The wrapper's symbol for an entry symbol.
pub fn wrapper_symbol(entry_symbol: &str) -> String {
    format!("{entry_symbol}__wrap")
}

fn emit<'ctx>(
    ctx: &'ctx Context,
    target: &Target,
    funcs: &[&Function],
    entry: usize,
) -> Result<Module<'ctx>> {
    let Some(entry_fn) = funcs.get(entry) else {
        return unsupported(format!(
            "entry index {entry} out of {} functions",
            funcs.len()
        ));
    };
    let mut cx = ModuleCx::new(ctx, target, &entry_fn.symbol);
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
