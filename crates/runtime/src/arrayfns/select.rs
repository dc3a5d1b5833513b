//! Selections whose size depends on the data: `np.nonzero`, boolean-mask
//! reads and writes (`a[mask]`, `a[mask] = v`) and 1-d integer-array
//! indexing along axis 0 (`a[idx]`, `a[idx] = v`).

use super::{
    normalize_axis, raise, with_dtype, with_itemsize, Args, Array, Bool, Elem, NewArray, Result,
};
use oxjit_abi::desc::Desc;

const NONZERO_0D: &str =
    "Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead.";

/// Number of true elements of a `bool` array.
unsafe fn count_true(mask: &Array) -> usize {
    let mut count = 0;
    mask.for_each(|b: Bool| count += (b.0 != 0) as usize);
    count
}

pub unsafe fn nonzero(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let a = args.array(0);
    let ndim = a.ndim();
    if ndim == 0 {
        return Err(raise("ValueError", NONZERO_0D));
    }
    with_dtype!(a.dtype, T => {
        let mut count = 0;
        a.for_each(|v: T| count += v.is_nonzero() as usize);
        let results = (0..ndim).map(|_| NewArray::alloc(b'q', vec![count as i64])).collect::<Result<Vec<_>>>()?;
        let columns: Vec<*mut i64> = results.iter().map(|r| r.data().cast()).collect();
        let (last, outer) = columns.split_last().expect("ndim > 0");
        let mut index = vec![0i64; ndim - 1];
        let mut k = 0;
        Array::for_each_run(a.shape, [(a.data, a.strides)], |[p], n, [s]| {
            // Branch-free: every element's index is written at `k`, which
            // only advances past non-zero ones. Once all are found the rest
            // are zero (and `k` is one past the end).
            let first = k;
            for i in 0..n {
                if k == count {
                    break;
                }
                last.add(k).write(i as i64);
                k += p.offset(i as isize * s).cast::<T>().read_unaligned().is_nonzero() as usize;
            }
            for (c, &j) in outer.iter().zip(&index) {
                for q in first..k {
                    c.add(q).write(j);
                }
            }
            // Runs come in C order: advance the index of the outer dimensions.
            for d in (0..ndim - 1).rev() {
                index[d] += 1;
                if index[d] < a.shape[d] {
                    break;
                }
                index[d] = 0;
            }
        });
        let mut at = out;
        for r in results {
            at = r.write(at);
        }
        Ok(())
    })
}

/// NumPy's `IndexError` unless the mask has the array's shape.
fn check_mask(a: &Array, mask: &Array) -> Result {
    match (0..a.ndim()).find(|&d| a.shape[d] != mask.shape[d]) {
        None => Ok(()),
        Some(d) => Err(raise(
            "IndexError",
            format!(
                "boolean index did not match indexed array along axis {d}; size of axis is {} but size of corresponding boolean axis is {}",
                a.shape[d], mask.shape[d]
            ),
        )),
    }
}

pub unsafe fn compress(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let (a, mask) = (args.array(0), args.array(1));
    check_mask(&a, &mask)?;
    let r = NewArray::alloc(a.dtype, vec![count_true(&mask) as i64])?;
    with_itemsize!(super::itemsize(a.dtype)?, T => {
        let dst = r.data().cast::<T>();
        let mut k = 0;
        Array::for_each_run(a.shape, [(a.data, a.strides), (mask.data, mask.strides)], |[p, m], n, [s, ms]| {
            for i in 0..n as isize {
                if *m.offset(i * ms) != 0 {
                    dst.add(k).write_unaligned(p.offset(i * s).cast::<T>().read_unaligned());
                    k += 1;
                }
            }
        });
    });
    r.write(out);
    Ok(())
}

pub unsafe fn mask_assign(_: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let (a, mask) = (args.array(0), args.array(1));
    check_mask(&a, &mask)?;
    let count = count_true(&mask);
    with_dtype!(a.dtype, T => {
        let values = args.values::<T>(2, count, |n| {
            raise(
                "ValueError",
                format!("NumPy boolean array indexing assignment cannot assign {n} input values to the {count} output values where the mask is true"),
            )
        })?;
        let mut k = 0;
        Array::for_each_run(a.shape, [(a.data, a.strides), (mask.data, mask.strides)], |[p, m], n, [s, ms]| {
            for i in 0..n as isize {
                if *m.offset(i * ms) != 0 {
                    p.offset(i * s).cast::<T>().write_unaligned(values.get(k));
                    k += 1;
                }
            }
        });
        Ok(())
    })
}

/// The index argument `i` as positions along an axis of `size` elements:
/// negative indices count from the end; the first out of range raises
/// NumPy's `IndexError`.
unsafe fn positions(args: &Args, i: usize, size: i64) -> Result<Vec<usize>> {
    args.array(i)
        .to_vec::<i64>()?
        .into_iter()
        .map(|j| {
            let k = if j < 0 { j + size } else { j };
            if (0..size).contains(&k) {
                Ok(k as usize)
            } else {
                Err(raise(
                    "IndexError",
                    format!("index {j} is out of bounds for axis 0 with size {size}"),
                ))
            }
        })
        .collect()
}

pub unsafe fn take(out: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let a = args.array(0);
    normalize_axis(0, a.ndim())?;
    let rows = positions(args, 1, a.shape[0])?;
    let mut shape = a.shape.to_vec();
    shape[0] = rows.len() as i64;
    let r = NewArray::alloc(a.dtype, shape)?;
    let strides = r.strides();
    with_itemsize!(super::itemsize(a.dtype)?, E => {
        for (k, &j) in rows.iter().enumerate() {
            let dst = Array { data: r.data().add(k * strides[0] as usize), shape: &a.shape[1..], strides: &strides[1..], ..a };
            a.row(j).copy_as::<E>(&dst);
        }
    });
    r.write(out);
    Ok(())
}

pub unsafe fn take_assign(_: *mut u8, args: &Args, _: Desc<'_>) -> Result {
    let a = args.array(0);
    normalize_axis(0, a.ndim())?;
    let len = args.array(1).size();
    with_dtype!(a.dtype, T => {
        // NumPy checks the value's shape before the indices.
        let values = args.values::<T>(2, len, |n| {
            raise("ValueError", format!("shape mismatch: value array of shape ({n},) could not be broadcast to indexing result of shape ({len},)"))
        })?;
        for (k, j) in positions(args, 1, a.shape[0])?.into_iter().enumerate() {
            a.data.offset(j as isize * a.strides[0] as isize).cast::<T>().write_unaligned(values.get(k));
        }
        Ok(())
    })
}
