//! Runtime support for oxjit-compiled code.
//!
//! Everything here is either plain Rust used by the Python extension (the
//! exception registry, allocation statistics) or an `extern "C"` function that
//! JIT-compiled code calls by address. This crate knows nothing about LLVM or
//! PyO3, so both the compiler and the extension can depend on it.

pub mod abi;
pub mod arrayfns;
pub mod dict;
pub mod exceptions;
pub mod list;
pub mod memory;
pub mod pairwise;
pub mod parallel;
pub mod pyhash;
pub mod rounding;
pub mod set;
pub mod shapes;
pub mod str;
pub mod symbols;
pub mod unicode;
