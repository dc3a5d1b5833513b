//! `np.concatenate` and `np.stack` of a tuple of arrays along an axis, and
//! `np.roll` of the flattened array. Inputs are copied into strided views
//! of the C-contiguous result, so their own layouts do not matter.

use super::{itemsize, normalize_axis, raise, with_itemsize, Args, Array, NewArray, Result};
use crate::abi::TypeCode;

pub unsafe fn concatenate(out: *mut u8, args: &Args, _: TypeCode) -> Result {
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

pub unsafe fn stack(out: *mut u8, args: &Args, _: TypeCode) -> Result {
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

pub unsafe fn roll(out: *mut u8, args: &Args, _: TypeCode) -> Result {
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
