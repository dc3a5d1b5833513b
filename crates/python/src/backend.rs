//! The backend boundary: typed IR in, callable machine code out.
//!
//! The driver hands the functions of one specialisation to [`compile`];
//! today the host backend (`oxjit_codegen` for the [`host`] target, then
//! `oxjit_jit`) turns them into machine code in this process. A disk cache
//! (loading object files) and other targets (PTX) plug in here, without
//! code generation or the driver knowing.

use std::sync::OnceLock;

use oxjit_codegen::{emit_module, wrapper_symbol, Target};
use oxjit_jit::Machine;
use oxjit_tir::Function;

/// This machine, as code generation must know it.
fn host() -> &'static Target {
    static HOST: OnceLock<Target> = OnceLock::new();
    HOST.get_or_init(|| {
        let (triple, data_layout) = oxjit_jit::host_triple_and_layout();
        Target {
            triple,
            data_layout,
            vector_isas: oxjit_jit::vector_math_isas(),
        }
    })
}

/// Compiles `funcs` (an entry and every callee it reaches, as for
/// `emit_module`) to machine code in the process; the address is that of
/// the entry's C wrapper (`oxjit_codegen::wrapper_symbol`).
pub fn compile(funcs: &[&Function], entry: usize) -> Result<Machine, String> {
    let symbol = wrapper_symbol(&funcs.get(entry).ok_or("no entry function")?.symbol);
    oxjit_jit::compile(&symbol, |ctx| emit_module(ctx, host(), funcs, entry))
}
