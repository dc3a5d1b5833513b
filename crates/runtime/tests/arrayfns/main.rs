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
mod sort;

/// One symbol per `RuntimeFn` (`oxjit_rt_af_` + its `name()`).
#[test]
fn symbols_list_every_runtime_function() {
    let mut names: Vec<&str> = oxjit_runtime::arrayfns::symbols()
        .iter()
        .map(|(n, a)| {
            assert_ne!(*a, 0);
            *n
        })
        .collect();
    names.sort_unstable();
    let mut want: Vec<String> = [
        "sort",
        "argsort",
        "nonzero",
        "compress",
        "mask_assign",
        "take",
        "take_assign",
        "cumsum",
        "cumprod",
        "dot",
        "concatenate",
        "stack",
        "roll",
        "tile",
        "random_seed",
        "random_sample",
        "random_normal",
        "random_uniform",
        "random_int",
        "random_shuffle",
        "random_permutation",
        "random_choice",
    ]
    .iter()
    .map(|n| format!("oxjit_rt_af_{n}"))
    .collect();
    want.sort_unstable();
    assert_eq!(names, want);
}
