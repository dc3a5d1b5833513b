//! LLVM IR to callable machine code, process-wide.
//!
//! Codegen builds an inkwell [`Module`](inkwell::module::Module) (after
//! [`configure_module`]), then the driver runs [`optimize`], [`emit_object`]
//! and hands the object to the global [`Jit`] with [`Jit::add_object`];
//! [`Jit::lookup`] returns the address to call. Going through an object file
//! rather than adding IR to ORC directly means the same bytes can be written
//! to and loaded from the disk cache.
//!
//! Only this crate and codegen know LLVM.

mod orc;
mod target;

pub use orc::{has_libmvec, jit, Jit};
pub use target::{
    configure_module, emit_object, host_target_machine, optimize, vector_math_isas, OptLevel,
};
