//! `np.cumsum` and `np.cumprod`: of the flattened array (C order), or along
//! an axis. The accumulator is the result's dtype (as for `sum`: integers
//! at least 64 bits, `bool` as `int64`), each step `out[i] = out[i-1] op
//! a[i]` as NumPy's `accumulate` does it, so float results match exactly.

use super::{normalize_axis, with_dtype, Args, Elem, NewArray, Result};
use oxjit_abi::desc::Desc;

pub unsafe fn cumsum(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    accumulate(out, args, out_ty, false)
}

pub unsafe fn cumprod(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    accumulate(out, args, out_ty, true)
}

unsafe fn accumulate(out: *mut u8, args: &Args, out_ty: Desc<'_>, product: bool) -> Result {
    let a = args.array(0);
    // The ABI passes no argument count: an axis argument is present when
    // the result keeps `a`'s dimensions. For a 1-d `a` both forms give the
    // same values, so it is not read there (checking it is the caller's).
    let (shape, axis) = if out_ty.ndim() == a.ndim() && a.ndim() > 1 {
        (
            a.shape.to_vec(),
            Some(normalize_axis(args.scalar::<i64>(1)?, a.ndim())?),
        )
    } else {
        (vec![a.size() as i64], None)
    };
    // Elements per step along the axis, and steps per block.
    let (inner, steps) = match axis {
        Some(k) => (
            a.shape[k + 1..].iter().product::<i64>() as usize,
            a.shape[k] as usize,
        ),
        None => (1, a.size()),
    };
    with_dtype!(out_ty.dtype(), D => {
        let mut r = NewArray::alloc(out_ty.dtype(), shape)?;
        a.gather(r.data().cast::<D>())?;
        let v = r.slice_mut::<D>();
        let op = if product { D::mul } else { D::add };
        if !v.is_empty() {
            for block in v.chunks_exact_mut(inner * steps) {
                for i in inner..block.len() {
                    block[i] = op(block[i - inner], block[i]);
                }
            }
        }
        r.write(out);
        Ok(())
    })
}
