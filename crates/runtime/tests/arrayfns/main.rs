//! Tests of the runtime array functions through their `extern "C"` ABI,
//! against results computed with NumPy 2.4 (hard-coded). A separate test
//! binary: the allocation counters and the random generator are
//! process-global, so these tests must not share a process with other
//! tests that allocate.

mod testing;

mod dot;
mod join;
mod random;
mod scan;
mod select;
mod sets;
mod sort;
