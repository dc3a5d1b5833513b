//! `np.concatenate` and `np.stack` of a tuple of arrays along an axis, and
//! `np.roll` of the flattened array. Inputs are copied into strided views
//! of the C-contiguous result, so their own layouts do not matter.

use super::{itemsize, normalize_axis, raise, with_itemsize, Args, Array, NewArray, Result};
use oxjit_abi::desc::Desc;

pub unsafe fn concatenate(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let arrays = args.arrays(0);
    let Some(first) = arrays.first() else {
        return Err(raise(
            "ValueError",
            "need at least one array to concatenate",
        ));
    };
    let ndim = first.ndim();
    if ndim == 0 {
        return Err(raise(
            "ValueError",
            "zero-dimensional arrays cannot be concatenated",
        ));
    }
    let axis = normalize_axis(args.scalar(1)?, ndim)?;
    let mut shape = first.shape.to_vec();
    shape[axis] = 0;
    for (j, x) in arrays.iter().enumerate() {
        if let Some(d) = (0..ndim).find(|&d| d != axis && x.shape[d] != first.shape[d]) {
            return Err(raise(
                "ValueError",
                format!(
                    "all the input array dimensions except for the concatenation axis must match exactly, but along dimension {d}, the array at index 0 has size {} and the array at index {j} has size {}",
                    first.shape[d], x.shape[d]
                ),
            ));
        }
        shape[axis] += x.shape[axis];
    }
    let r = NewArray::alloc(first.dtype, shape)?;
    let strides = r.strides();
    let mut offset = 0;
    for x in &arrays {
        let dst = Array {
            data: r.data().offset((offset * strides[axis]) as isize),
            strides: &strides,
            ..*x
        };
        x.copy_to(&dst)?;
        offset += x.shape[axis];
    }
    r.write(out);
    Ok(())
}

pub unsafe fn stack(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let arrays = args.arrays(0);
    let Some(first) = arrays.first() else {
        return Err(raise("ValueError", "need at least one array to stack"));
    };
    if arrays.iter().any(|x| x.shape != first.shape) {
        return Err(raise(
            "ValueError",
            "all input arrays must have the same shape",
        ));
    }
    let axis = normalize_axis(args.scalar(1)?, first.ndim() + 1)?;
    let mut shape = first.shape.to_vec();
    shape.insert(axis, arrays.len() as i64);
    let r = NewArray::alloc(first.dtype, shape)?;
    let mut strides = r.strides();
    let step = strides.remove(axis);
    for (j, x) in arrays.iter().enumerate() {
        let dst = Array {
            data: r.data().offset(j as isize * step as isize),
            strides: &strides,
            ..*x
        };
        x.copy_to(&dst)?;
    }
    r.write(out);
    Ok(())
}

pub unsafe fn roll(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let a = args.array(0);
    let shift: i64 = args.scalar(1)?;
    let r = NewArray::alloc(a.dtype, a.shape.to_vec())?;
    let n = a.size();
    if n > 0 {
        with_itemsize!(itemsize(a.dtype)?, T => {
            let dst = r.data().cast::<T>();
            // Element k of the flattened input lands at (k + shift) mod n.
            let mut k = shift.rem_euclid(n as i64) as usize;
            a.for_each_ptr(|p| {
                dst.add(k).write_unaligned(p.cast::<T>().read_unaligned());
                k = if k + 1 == n { 0 } else { k + 1 };
            });
        });
    }
    r.write(out);
    Ok(())
}

/// `np.tile(a, reps)`: argument 1 counts the repetitions that follow it.
/// Shorter of shape and reps is padded with leading ones; every tile is a
/// strided view of the result that receives a copy of `a`.
pub unsafe fn tile(out: *mut u8, args: &Args, out_ty: Desc<'_>) -> Result {
    let a = args.array(0);
    let nreps: i64 = args.scalar(1)?;
    let ndim = out_ty.ndim();
    let mut reps = vec![1i64; ndim];
    for k in 0..nreps as usize {
        reps[ndim - nreps as usize + k] = args.scalar(2 + k)?;
    }
    if reps.iter().any(|&r| r < 0) {
        return Err(raise("ValueError", "negative dimensions are not allowed"));
    }
    let lead = ndim - a.ndim();
    let a_shape: Vec<i64> = (0..ndim)
        .map(|d| if d < lead { 1 } else { a.shape[d - lead] })
        .collect();
    let a_strides: Vec<i64> = (0..ndim)
        .map(|d| if d < lead { 0 } else { a.strides[d - lead] })
        .collect();
    let shape: Vec<i64> = a_shape.iter().zip(&reps).map(|(n, r)| n * r).collect();
    let r = NewArray::alloc(a.dtype, shape)?;
    let strides = r.strides();
    let src = Array {
        shape: &a_shape,
        strides: &a_strides,
        ..a
    };
    let tiles: i64 = reps.iter().product();
    for t in 0..tiles {
        // Tile number `t` in C order over `reps`, as a byte offset.
        let (mut rest, mut offset) = (t, 0);
        for d in (0..ndim).rev() {
            offset += (rest % reps[d]) * a_shape[d] * strides[d];
            rest /= reps[d];
        }
        let dst = Array {
            data: r.data().offset(offset as isize),
            strides: &strides,
            ..src
        };
        src.copy_to(&dst)?;
    }
    r.write(out);
    Ok(())
}
