//! NumPy's shape errors, formatted for compiled code, and the resolution of
//! `reshape` targets. Each function that reports an error stores a
//! `ValueError` with NumPy's exact message (see `exceptions::raise_dynamic`)
//! and returns the status [`DYNAMIC`] for the compiled code to pass up.

use std::slice;

#[cfg(doc)]
use crate::exceptions::DYNAMIC;
use crate::exceptions::{raise_dynamic, ExcSpec};

/// A shape as NumPy prints it in messages (`convert_shape_to_string`):
/// `(3,)`, `(2,3)`, `()`; negative extents print as `newaxis`, except
/// leading ones, which are dropped.
fn shape_str(dims: &[i64]) -> String {
    let first = dims.iter().position(|&d| d >= 0);
    let Some(first) = first else {
        return "()".into();
    };
    let mut s = dims[first].to_string();
    for &d in &dims[first + 1..] {
        if d < 0 {
            s.push_str(",newaxis");
        } else {
            s.push_str(&format!(",{d}"));
        }
    }
    if dims.len() == 1 {
        format!("({s},)")
    } else {
        format!("({s})")
    }
}

/// # Safety
/// `p` must point to `n` readable values (any pointer if `n` is 0).
unsafe fn dims<'a>(p: *const i64, n: i64) -> &'a [i64] {
    if n <= 0 {
        &[]
    } else {
        slice::from_raw_parts(p, n as usize)
    }
}

fn value_error(message: String) -> u32 {
    raise_dynamic(ExcSpec::with_message("ValueError", &message))
}

/// `operands could not be broadcast together with shapes (3,) (4,) ` (each
/// shape followed by a space, as NumPy prints it). The `n` shapes are
/// concatenated in `shapes`; `ndims[i]` is the length of shape `i`.
///
/// # Safety
/// `ndims` has `n` entries and `shapes` their sum.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_broadcast_error(
    shapes: *const i64,
    ndims: *const i64,
    n: i64,
) -> u32 {
    let mut message = String::from("operands could not be broadcast together with shapes ");
    let mut at = 0;
    for &nd in dims(ndims, n) {
        message.push_str(&shape_str(dims(shapes.add(at), nd)));
        message.push(' ');
        at += nd.max(0) as usize;
    }
    value_error(message)
}

/// `could not broadcast input array from shape (4,) into shape (3,)`: an
/// assignment whose value does not broadcast to its target.
///
/// # Safety
/// Each pointer has as many entries as its length says.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_broadcast_into_error(
    from: *const i64,
    from_nd: i64,
    into: *const i64,
    into_nd: i64,
) -> u32 {
    value_error(format!(
        "could not broadcast input array from shape {} into shape {}",
        shape_str(dims(from, from_nd)),
        shape_str(dims(into, into_nd))
    ))
}

/// `non-broadcastable output operand with shape (3,) doesn't match the
/// broadcast shape (2,3)`: an in-place operation whose operands broadcast
/// to a larger shape than its output.
///
/// # Safety
/// Each pointer has as many entries as its length says.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_output_shape_error(
    out: *const i64,
    out_nd: i64,
    broadcast: *const i64,
    broadcast_nd: i64,
) -> u32 {
    value_error(format!(
        "non-broadcastable output operand with shape {} doesn't match the broadcast shape {}",
        shape_str(dims(out, out_nd)),
        shape_str(dims(broadcast, broadcast_nd))
    ))
}

/// Resolves the target shape of reshaping an array of `size` elements, in
/// place: one negative extent (NumPy accepts any negative value) is
/// inferred. Returns 0, or [`DYNAMIC`] with NumPy's `ValueError` when there
/// are several unknown extents or the sizes differ.
///
/// # Safety
/// `shape` points to `nd` writable values.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_reshape_shape(size: i64, shape: *mut i64, nd: i64) -> u32 {
    let shape: &mut [i64] = if nd <= 0 {
        &mut []
    } else {
        slice::from_raw_parts_mut(shape, nd as usize)
    };
    let mut unknown = None;
    let mut known: i64 = 1;
    for (i, &d) in shape.iter().enumerate() {
        if d < 0 {
            if unknown.is_some() {
                return value_error("can only specify one unknown dimension".into());
            }
            unknown = Some(i);
        } else {
            known = match known.checked_mul(d) {
                Some(k) => k,
                None => return value_error("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.".into()),
            };
        }
    }
    let fits = match unknown {
        Some(_) => known != 0 && size % known == 0,
        None => known == size,
    };
    if !fits {
        return value_error(format!(
            "cannot reshape array of size {size} into shape {}",
            shape_str(shape)
        ));
    }
    if let Some(i) = unknown {
        shape[i] = size / known;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exceptions::{take_dynamic, DYNAMIC};

    fn message() -> String {
        match take_dynamic() {
            Some(ExcSpec { class, args }) => {
                assert_eq!(class, "ValueError");
                match &args[..] {
                    [crate::exceptions::ExcArg::Str(s)] => s.clone(),
                    other => panic!("{other:?}"),
                }
            }
            None => panic!("no exception stored"),
        }
    }

    /// Expected messages from NumPy 2.
    #[test]
    fn messages_match_numpy() {
        let shapes = [3, 2, 3, 4];
        let status = unsafe { oxjit_rt_broadcast_error(shapes.as_ptr(), [1, 2, 1, 0].as_ptr(), 4) };
        assert_eq!(status, DYNAMIC);
        assert_eq!(
            message(),
            "operands could not be broadcast together with shapes (3,) (2,3) (4,) () "
        );
        unsafe { oxjit_rt_broadcast_into_error([4].as_ptr(), 1, [2, 3].as_ptr(), 2) };
        assert_eq!(
            message(),
            "could not broadcast input array from shape (4,) into shape (2,3)"
        );
        unsafe { oxjit_rt_output_shape_error([3].as_ptr(), 1, [2, 3].as_ptr(), 2) };
        assert_eq!(message(), "non-broadcastable output operand with shape (3,) doesn't match the broadcast shape (2,3)");
    }

    #[test]
    fn reshape_targets() {
        let resolve = |size: i64, mut shape: Vec<i64>| {
            let status =
                unsafe { oxjit_rt_reshape_shape(size, shape.as_mut_ptr(), shape.len() as i64) };
            if status == 0 {
                Ok(shape)
            } else {
                Err(message())
            }
        };
        assert_eq!(resolve(6, vec![2, -1]), Ok(vec![2, 3]));
        assert_eq!(resolve(6, vec![-2, 3]), Ok(vec![2, 3]));
        assert_eq!(resolve(6, vec![1, -1, 2]), Ok(vec![1, 3, 2]));
        assert_eq!(resolve(1, vec![]), Ok(vec![]));
        assert_eq!(
            resolve(6, vec![4]),
            Err("cannot reshape array of size 6 into shape (4,)".into())
        );
        assert_eq!(
            resolve(6, vec![4, 2, -1]),
            Err("cannot reshape array of size 6 into shape (4,2,newaxis)".into())
        );
        assert_eq!(
            resolve(0, vec![-1, 0]),
            Err("cannot reshape array of size 0 into shape (0)".into())
        );
        assert_eq!(
            resolve(6, vec![]),
            Err("cannot reshape array of size 6 into shape ()".into())
        );
        assert_eq!(
            resolve(6, vec![-1, -1]),
            Err("can only specify one unknown dimension".into())
        );
    }
}
