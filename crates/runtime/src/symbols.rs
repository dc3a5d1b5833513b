//! The table of runtime functions that compiled code may call.
//!
//! The Python extension is linked statically and exports only `PyInit_`, so
//! the JIT cannot find these functions by name in the process: it defines
//! each one at the address listed here instead.
//!
//! Special math functions are wrapped rather than resolved from libm directly
//! so that their behaviour is fixed by us: `lgamma` must use the re-entrant
//! `lgamma_r` (plain `lgamma` writes the global `signgam`, a data race under
//! `parallel=True`).

use std::ffi::c_int;

use crate::memory::{
    oxjit_rt_alloc, oxjit_rt_free, oxjit_rt_meminfo_alloc, oxjit_rt_meminfo_alloc_dtor,
    oxjit_rt_meminfo_data, oxjit_rt_meminfo_decref, oxjit_rt_meminfo_incref, oxjit_rt_meminfo_size,
};
use crate::pairwise::{oxjit_rt_sqdev_pairwise, oxjit_rt_sum_pairwise};
use crate::parallel::{
    oxjit_rt_combine_lock, oxjit_rt_combine_unlock, oxjit_rt_max_threads, oxjit_rt_num_threads,
    oxjit_rt_parallel_for, oxjit_rt_thread_id,
};
use crate::rounding::{oxjit_rt_int_truediv, oxjit_rt_round_float, oxjit_rt_round_int};
use crate::shapes::{oxjit_rt_broadcast, oxjit_rt_reshape_shape};

// libm (always linked by std on Linux); declared here because the `libc`
// crate does not bind the `_r` variants.
extern "C" {
    fn lgamma_r(x: f64, sign: *mut c_int) -> f64;
    fn tgamma(x: f64) -> f64;
    fn erf(x: f64) -> f64;
    fn erfc(x: f64) -> f64;
}

/// `math.lgamma`, thread-safe.
#[no_mangle]
pub extern "C" fn oxjit_rt_lgamma(x: f64) -> f64 {
    let mut sign = 0;
    // SAFETY: `sign` is a valid out-pointer.
    unsafe { lgamma_r(x, &mut sign) }
}

/// `math.gamma`.
#[no_mangle]
pub extern "C" fn oxjit_rt_gamma(x: f64) -> f64 {
    // SAFETY: pure libm function.
    unsafe { tgamma(x) }
}

/// `math.erf`.
#[no_mangle]
pub extern "C" fn oxjit_rt_erf(x: f64) -> f64 {
    // SAFETY: pure libm function.
    unsafe { erf(x) }
}

/// `math.erfc`.
#[no_mangle]
pub extern "C" fn oxjit_rt_erfc(x: f64) -> f64 {
    // SAFETY: pure libm function.
    unsafe { erfc(x) }
}

/// Every `extern "C"` function compiled code may call: (symbol name, address).
pub fn symbols() -> Vec<(&'static str, usize)> {
    let mut all = vec![
        ("oxjit_rt_alloc", oxjit_rt_alloc as *const () as usize),
        ("oxjit_rt_free", oxjit_rt_free as *const () as usize),
        (
            "oxjit_rt_meminfo_alloc",
            oxjit_rt_meminfo_alloc as *const () as usize,
        ),
        (
            "oxjit_rt_meminfo_alloc_dtor",
            oxjit_rt_meminfo_alloc_dtor as *const () as usize,
        ),
        (
            "oxjit_rt_meminfo_incref",
            oxjit_rt_meminfo_incref as *const () as usize,
        ),
        (
            "oxjit_rt_meminfo_decref",
            oxjit_rt_meminfo_decref as *const () as usize,
        ),
        (
            "oxjit_rt_meminfo_data",
            oxjit_rt_meminfo_data as *const () as usize,
        ),
        (
            "oxjit_rt_meminfo_size",
            oxjit_rt_meminfo_size as *const () as usize,
        ),
        ("oxjit_rt_lgamma", oxjit_rt_lgamma as *const () as usize),
        ("oxjit_rt_gamma", oxjit_rt_gamma as *const () as usize),
        ("oxjit_rt_erf", oxjit_rt_erf as *const () as usize),
        ("oxjit_rt_erfc", oxjit_rt_erfc as *const () as usize),
        (
            "oxjit_rt_round_float",
            oxjit_rt_round_float as *const () as usize,
        ),
        (
            "oxjit_rt_round_int",
            oxjit_rt_round_int as *const () as usize,
        ),
        (
            "oxjit_rt_int_truediv",
            oxjit_rt_int_truediv as *const () as usize,
        ),
        (
            "oxjit_rt_broadcast",
            oxjit_rt_broadcast as *const () as usize,
        ),
        (
            "oxjit_rt_reshape_shape",
            oxjit_rt_reshape_shape as *const () as usize,
        ),
        (
            "oxjit_rt_sum_pairwise",
            oxjit_rt_sum_pairwise as *const () as usize,
        ),
        (
            "oxjit_rt_sqdev_pairwise",
            oxjit_rt_sqdev_pairwise as *const () as usize,
        ),
        (
            "oxjit_rt_parallel_for",
            oxjit_rt_parallel_for as *const () as usize,
        ),
        (
            "oxjit_rt_max_threads",
            oxjit_rt_max_threads as *const () as usize,
        ),
        (
            "oxjit_rt_thread_id",
            oxjit_rt_thread_id as *const () as usize,
        ),
        (
            "oxjit_rt_num_threads",
            oxjit_rt_num_threads as *const () as usize,
        ),
        (
            "oxjit_rt_combine_lock",
            oxjit_rt_combine_lock as *const () as usize,
        ),
        (
            "oxjit_rt_combine_unlock",
            oxjit_rt_combine_unlock as *const () as usize,
        ),
        (
            "oxjit_rt_copy_strided",
            crate::arrayfns::oxjit_rt_copy_strided as *const () as usize,
        ),
        (
            "oxjit_rt_random_double",
            crate::arrayfns::oxjit_rt_random_double as *const () as usize,
        ),
        (
            "oxjit_rt_random_gauss",
            crate::arrayfns::oxjit_rt_random_gauss as *const () as usize,
        ),
    ];
    all.extend(crate::arrayfns::symbols());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_unique_and_nonnull() {
        let syms = symbols();
        let mut names: Vec<_> = syms.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), syms.len());
        assert!(syms
            .iter()
            .all(|(n, a)| n.starts_with("oxjit_rt_") && *a != 0));
    }

    #[test]
    fn special_functions_match_python() {
        // Reference values from CPython's math module.
        assert!((oxjit_rt_lgamma(0.5) - 0.5723649429247004).abs() < 1e-15);
        assert!((oxjit_rt_lgamma(-0.5) - 1.265512123484645).abs() < 1e-15);
        assert_eq!(oxjit_rt_gamma(5.0), 24.0);
        assert!((oxjit_rt_erf(0.5) - 0.5204998778130465).abs() < 1e-16);
        assert!((oxjit_rt_erfc(0.5) - 0.4795001221869535).abs() < 1e-16);
    }
}
