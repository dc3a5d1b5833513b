use oxjit_runtime::abi::{ArrayHeader, TypeCode};
use oxjit_runtime::arrayfns::*;
use std::time::Instant;

#[test]
fn nonzero_bench() {
    let n = 5_000_001usize;
    let mut flags = vec![1u8; n];
    flags[0] = 0; flags[1] = 0;
    let mut i = 2;
    while i * i <= n - 1 { if flags[i] != 0 { let mut j = i * i; while j < n { flags[j] = 0; j += i; } } i += 1; }
    let mut mem = vec![0u64; 7];
    unsafe { mem.as_mut_ptr().cast::<ArrayHeader>().write(ArrayHeader { meminfo: std::ptr::null_mut(), parent: std::ptr::null_mut(), nitems: n as i64, itemsize: 1, data: flags.as_mut_ptr() }); }
    mem[5] = n as u64; mem[6] = 1;
    let args = [mem.as_ptr().cast::<u8>()];
    let types = [TypeCode::array(b'?', 1, 0).0];
    let mut out = vec![0u64; 16];
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let t = Instant::now();
        let st = unsafe { oxjit_rt_af_nonzero(out.as_mut_ptr().cast(), args.as_ptr(), types.as_ptr(), TypeCode::tuple_of_arrays(b'q', 1, 1).0) };
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(st, 0);
        assert_eq!(out[5], 348513);
        unsafe { oxjit_runtime::memory::oxjit_rt_meminfo_decref(out[0] as *mut _) };
    }
    eprintln!("nonzero 5M: {:.2} ms", best * 1e3);
}
