//! End to end: hand-built typed IR → `emit_module` → O3 → object file →
//! process JIT → call through the entry wrapper, compared with Python's and
//! NumPy's semantics. One test binary, because each links all of LLVM.
//!
//! All tests share the process-global JIT, so every symbol is unique.

mod arith;
mod array_exprs;
mod arrays;
mod calls;
mod control;
mod filetests;
mod memory;
mod python_tables;
mod reductions;
mod support;
mod views;
