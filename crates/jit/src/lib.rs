//! LLVM IR to callable machine code, process-wide: the host backend.
//!
//! [`compile`] takes a function that builds an inkwell
//! [`Module`] (code generation, for the target [`host_triple_and_layout`]
//! and [`vector_math_isas`] describe), then runs [`optimize`] and
//! [`emit_object`] and hands the object to the global [`Jit`] with
//! [`Jit::add_object`]; [`Jit::lookup`] returns the address to call. Going
//! through an object file rather than adding IR to ORC directly means the
//! same bytes can be written to and loaded from the disk cache.
//!
//! Only this crate and codegen know LLVM.

mod orc;
mod target;

use std::time::{Duration, Instant};

use inkwell::context::Context;
use inkwell::module::Module;

pub use orc::{has_libmvec, jit, Jit};
pub use target::{
    emit_object, host_target_machine, host_triple_and_layout, optimize, vector_math_isas, OptLevel,
};

/// A compiled module in the process JIT.
pub struct Machine {
    /// Address of the symbol asked for.
    pub address: usize,
    /// The optimised LLVM IR, for `inspect_llvm`.
    pub llvm_ir: String,
    /// Wall time of each phase, in pipeline order: `codegen` (the module
    /// builder), `llvm-opt`, `llvm-print`, `llvm-codegen`, `link`.
    pub phases: Vec<(&'static str, Duration)>,
}

/// Builds a module with `emit`, optimises it at O3, compiles it into the
/// process JIT and returns the address of `symbol`. With `OXJIT_DUMP_LLVM`
/// set, the IR before optimisation goes to stderr.
pub fn compile(
    symbol: &str,
    emit: impl for<'ctx> FnOnce(&'ctx Context) -> Result<Module<'ctx>, String>,
) -> Result<Machine, String> {
    let mut phases = Vec::with_capacity(5);
    let mut clock = Instant::now();
    let mut lap = |name| {
        let now = Instant::now();
        phases.push((name, now - clock));
        clock = now;
    };
    let ctx = Context::create();
    let module = emit(&ctx)?;
    lap("codegen");
    if std::env::var_os("OXJIT_DUMP_LLVM").is_some_and(|v| v != "0" && !v.is_empty()) {
        eprintln!("{}", module.print_to_string().to_string());
    }
    optimize(&module, OptLevel::O3)?;
    lap("llvm-opt");
    // Printed before object emission, which rewrites the module.
    let llvm_ir = module.print_to_string().to_string();
    lap("llvm-print");
    let object = emit_object(&module)?;
    lap("llvm-codegen");
    jit().add_object(&object)?;
    let address = jit().lookup(symbol)?;
    lap("link");
    Ok(Machine {
        address,
        llvm_ir,
        phases,
    })
}
