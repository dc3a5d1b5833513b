//! The table of runtime functions that compiled code may call: each one's
//! symbol, C signature, effects and address, as an `oxjit_abi::sig::RtFn`
//! constant. Code generation declares a function only from its constant and
//! the JIT defines every symbol from [`all`], so the three cannot disagree;
//! each row is checked against the function's definition by the Rust
//! compiler (`oxjit_abi::runtime_fns!`).
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

use oxjit_abi::sig::RtFn;

use crate::arrayfns::{self, oxjit_rt_copy_strided, oxjit_rt_random_double, oxjit_rt_random_gauss};
use crate::exceptions::*;
use crate::list::oxjit_rt_list_reserve;
use crate::memory::*;
use crate::pairwise::*;
use crate::parallel::*;
use crate::rounding::*;
use crate::set::oxjit_rt_set_add_word;
use crate::shapes::*;

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

oxjit_abi::runtime_fns! {
    pub const FUNCTIONS;
    /// A raw block (parallel frames).
    ALLOC = oxjit_rt_alloc(usize, usize) -> *mut u8, Any;
    FREE = oxjit_rt_free(*mut u8), Any;
    /// A reference-counted block for an array's data.
    MEMINFO_ALLOC = oxjit_rt_meminfo_alloc(usize, usize) -> *mut MemInfo, Any;
    MEMINFO_ALLOC_DTOR = oxjit_rt_meminfo_alloc_dtor(
        usize,
        usize,
        Option<extern "C" fn(*mut u8)>,
    ) -> *mut MemInfo, Any;
    MEMINFO_INCREF = oxjit_rt_meminfo_incref(*mut MemInfo), Any;
    MEMINFO_DECREF = oxjit_rt_meminfo_decref(*mut MemInfo), Any;
    MEMINFO_DATA = oxjit_rt_meminfo_data(*mut MemInfo) -> *mut u8, Any;
    MEMINFO_SIZE = oxjit_rt_meminfo_size(*mut MemInfo) -> usize, Any;
    LGAMMA = oxjit_rt_lgamma(f64) -> f64, Pure;
    GAMMA = oxjit_rt_gamma(f64) -> f64, Pure;
    ERF = oxjit_rt_erf(f64) -> f64, Pure;
    ERFC = oxjit_rt_erfc(f64) -> f64, Pure;
    ROUND_FLOAT = oxjit_rt_round_float(f64, i64) -> f64, Pure;
    ROUND_INT = oxjit_rt_round_int(i64, i64) -> i64, Pure;
    INT_TRUEDIV = oxjit_rt_int_truediv(i64, i64) -> f64, Pure;
    BROADCAST = oxjit_rt_broadcast(
        *mut i64,
        i64,
        *const i64,
        *const i64,
        i64,
        *const i64,
        i64,
        i64,
    ) -> u32, Any;
    RESHAPE_SHAPE = oxjit_rt_reshape_shape(i64, *mut i64, i64) -> u32, Any;
    SUM_PAIRWISE = oxjit_rt_sum_pairwise(
        i32,
        *const u8,
        i64,
        *const i64,
        *const i64,
        *mut u8,
    ), Any;
    SQDEV_PAIRWISE = oxjit_rt_sqdev_pairwise(
        i32,
        *const u8,
        i64,
        *const i64,
        *const i64,
        f64,
        f64,
        *mut u8,
    ), Any;
    PARALLEL_FOR = oxjit_rt_parallel_for(ChunkFn, *mut u8, i64, i32) -> i32, Any;
    MAX_THREADS = oxjit_rt_max_threads() -> i64, Any;
    THREAD_ID = oxjit_rt_thread_id() -> i64, Any;
    NUM_THREADS = oxjit_rt_num_threads() -> i64, Any;
    COMBINE_LOCK = oxjit_rt_combine_lock(), Any;
    COMBINE_UNLOCK = oxjit_rt_combine_unlock(), Any;
    COPY_STRIDED = oxjit_rt_copy_strided(
        *mut u8,
        *const i64,
        *mut u8,
        *const i64,
        *const i64,
        i64,
        i64,
    ), Any;
    /// The slow path of an inline list `append`.
    LIST_RESERVE = oxjit_rt_list_reserve(*mut MemInfo, i64) -> u32, Any;
    /// `s.add(x)` of a set of `int64`s, the item a word.
    SET_ADD_WORD = oxjit_rt_set_add_word(*mut MemInfo, i64) -> u32, Any;
    /// `except`: whether a status is an instance of a class (by id), and
    /// ending, keeping or re-raising the caught exception.
    EXC_MATCHES = oxjit_rt_exc_matches(u32, u64) -> u32, Any;
    EXC_DISCARD = oxjit_rt_exc_discard(u32), Any;
    EXC_CATCH = oxjit_rt_exc_catch(u32) -> *mut MemInfo, Any;
    EXC_RAISE = oxjit_rt_exc_raise(*mut MemInfo) -> u32, Any;
    /// Scalar draws touch only the thread's generator.
    RANDOM_DOUBLE = oxjit_rt_random_double() -> f64, Private;
    RANDOM_GAUSS = oxjit_rt_random_gauss() -> f64, Private;
}

/// The runtime array function `oxjit_rt_af_<name>` (see [`crate::abi`]).
pub fn array_fn(name: &str) -> Option<&'static RtFn> {
    let symbol = format!("oxjit_rt_af_{name}");
    arrayfns::FUNCTIONS.iter().find(|f| f.name == symbol)
}

/// Every function compiled code may call, for the JIT's symbol table.
pub fn all() -> impl Iterator<Item = &'static RtFn> {
    FUNCTIONS.iter().chain(arrayfns::FUNCTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_unique_and_nonnull() {
        let mut names: Vec<_> = all().map(|f| f.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(all().all(|f| f.name.starts_with("oxjit_rt_") && !f.addr.is_null()));
        assert_eq!(array_fn("sort").map(|f| f.params.len()), Some(4));
        assert!(array_fn("no_such_function").is_none());
    }

    /// Every `#[no_mangle]` function of the runtime is in the table, so a
    /// new one cannot be callable yet unknown to the JIT.
    #[test]
    fn every_exported_function_is_in_the_table() {
        let mut missing = Vec::new();
        let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for (i, _) in lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.trim() == "#[no_mangle]")
                {
                    // The function's name on the next line with `fn`.
                    let Some(name) = lines[i + 1..]
                        .iter()
                        .find_map(|l| l.split_once("fn ").map(|(_, rest)| rest))
                        .and_then(|rest| rest.split('(').next())
                    else {
                        continue;
                    };
                    // (`array_fns!` defines its functions from `$symbol`.)
                    if !name.starts_with('$') && all().all(|f| f.name != name) {
                        missing.push(name.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in the symbol table: {missing:?}");
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
