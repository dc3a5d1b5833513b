//! `np.sort` (along the last axis) and `np.argsort` (1-d, stable), in
//! NumPy's order: NaNs last, complex numbers by real then imaginary part.

use super::{normalize_axis, with_dtype, Args, Elem, NewArray, Result};
use oxjit_abi::desc::Desc;

pub unsafe fn sort(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let a = args.array(0);
    // NumPy sorts along axis -1, which a 0-d array lacks.
    normalize_axis(-1, a.ndim())?;
    with_dtype!(a.dtype, T => {
        let mut r = NewArray::alloc(a.dtype, a.shape.to_vec())?;
        a.gather(r.data().cast::<T>())?;
        let elems = r.slice_mut::<T>();
        let n = a.shape[a.ndim() - 1] as usize;
        if n > 1 {
            for row in elems.chunks_exact_mut(n) {
                row.sort_unstable_by(T::sort_cmp);
            }
        }
        r.write(out);
        Ok(())
    })
}

pub unsafe fn argsort(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let a = args.array(0);
    with_dtype!(a.dtype, T => {
        let values = a.to_vec::<T>()?;
        let mut r = NewArray::alloc(b'q', vec![values.len() as i64])?;
        for k in 0..values.len() {
            r.data().cast::<i64>().add(k).write(k as i64);
        }
        let order = r.slice_mut::<i64>();
        // `sort_by` is stable: equal elements keep their index order.
        order.sort_by(|&i, &j| values[i as usize].sort_cmp(&values[j as usize]));
        r.write(out);
        Ok(())
    })
}
