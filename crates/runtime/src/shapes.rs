//! NumPy's shape errors, formatted for compiled code, and the resolution of
//! `reshape` targets. Each function that reports an error stores a
//! `ValueError` with NumPy's exact message (see `exceptions::raise_dynamic`)
//! and returns the status [`DYNAMIC`] for the compiled code to pass up.

use std::slice;

use crate::exceptions::raise_dynamic;
use oxjit_abi::exc::ExcSpec;
#[cfg(doc)]
use oxjit_abi::exc::DYNAMIC;

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

/// How an elementwise operation's `out` takes part in broadcasting.
const NO_OUT: i64 = 0;
/// `a op= b`: `out` is also an operand, and the result must have its shape.
const IN_PLACE: i64 = 1;
/// `a[...] = value`: the value must broadcast into `out`'s shape.
const ASSIGN: i64 = 2;

/// The loop shape of an elementwise operation, written to `result` (`nd`
/// extents): NumPy's broadcast of the `n` operand shapes (concatenated in
/// `dims`, `ndims[i]` long), folded left to right so that a conflict names
/// the shapes NumPy names for the equivalent chain of binary operations,
/// then checked against `out` (`out_nd` extents) as `role` says. Returns
/// 0, or [`DYNAMIC`] with NumPy's `ValueError`. Compiled code calls this
/// only when the shapes are not all equal (its inline fast path), so that
/// each array statement carries one call instead of the whole check.
///
/// # Safety
/// Each pointer has as many entries as its length says; `result` is
/// writable. Without `out`, no operand has more than `nd` dimensions.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_broadcast(
    result: *mut i64,
    nd: i64,
    dims_all: *const i64,
    ndims: *const i64,
    n: i64,
    out: *const i64,
    out_nd: i64,
    role: i64,
) -> u32 {
    let mut shapes: Vec<&[i64]> = Vec::with_capacity(n.max(0) as usize + 1);
    let mut at = 0;
    for &k in dims(ndims, n) {
        shapes.push(dims(dims_all.add(at), k));
        at += k.max(0) as usize;
    }
    let out = dims(out, out_nd);
    if role == IN_PLACE {
        shapes.push(out);
    }
    let nd = nd.max(0) as usize;
    let width = shapes.iter().map(|s| s.len()).max().unwrap_or(0).max(nd);
    let mut acc = vec![1i64; width];
    let mut acc_nd = 0;
    for (k, s) in shapes.iter().enumerate() {
        let before = acc[width - acc_nd..].to_vec();
        let mut ok = true;
        for (j, &x) in s.iter().enumerate() {
            let d = width - s.len() + j;
            let a = acc[d];
            ok &= a == x || a == 1 || x == 1;
            if a == 1 {
                acc[d] = x;
            }
        }
        if k > 0 && !ok {
            let named: Vec<&[i64]> = if role == IN_PLACE {
                shapes.clone()
            } else {
                vec![&before, s]
            };
            return broadcast_error(&named);
        }
        acc_nd = acc_nd.max(s.len());
    }
    let target: &[i64] = if role == NO_OUT { &acc } else { out };
    if role != NO_OUT {
        let broadcast = &acc[width - acc_nd..];
        // An in-place result must have exactly `out`'s shape.
        let mut ok = !(role == IN_PLACE && acc_nd > nd);
        for (d, &x) in acc.iter().enumerate().skip(width - acc_nd) {
            ok &= match (d + nd).checked_sub(width) {
                None => x == 1,
                Some(od) if role == ASSIGN => x == out[od] || x == 1,
                Some(od) => x == out[od],
            };
        }
        if !ok {
            return if role == IN_PLACE {
                output_shape_error(out, broadcast)
            } else {
                broadcast_into_error(broadcast, out)
            };
        }
    }
    slice::from_raw_parts_mut(result, nd).copy_from_slice(&target[target.len() - nd..]);
    0
}

/// `operands could not be broadcast together with shapes (3,) (4,) ` (each
/// shape followed by a space, as NumPy prints it).
fn broadcast_error(shapes: &[&[i64]]) -> u32 {
    let mut message = String::from("operands could not be broadcast together with shapes ");
    for s in shapes {
        message.push_str(&shape_str(s));
        message.push(' ');
    }
    value_error(message)
}

/// `could not broadcast input array from shape (4,) into shape (3,)`: an
/// assignment whose value does not broadcast to its target.
fn broadcast_into_error(from: &[i64], into: &[i64]) -> u32 {
    value_error(format!(
        "could not broadcast input array from shape {} into shape {}",
        shape_str(from),
        shape_str(into)
    ))
}

/// `non-broadcastable output operand with shape (3,) doesn't match the
/// broadcast shape (2,3)`: an in-place operation whose operands broadcast
/// to a larger shape than its output.
fn output_shape_error(out: &[i64], broadcast: &[i64]) -> u32 {
    value_error(format!(
        "non-broadcastable output operand with shape {} doesn't match the broadcast shape {}",
        shape_str(out),
        shape_str(broadcast)
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
    use crate::exceptions::take_dynamic;
    use oxjit_abi::exc::{ExcSpec, DYNAMIC};

    fn message() -> String {
        match take_dynamic() {
            Some(ExcSpec { class, args }) => {
                assert_eq!(class, "ValueError");
                match &args[..] {
                    [oxjit_abi::exc::ExcArg::Str(s)] => s.clone(),
                    other => panic!("{other:?}"),
                }
            }
            None => panic!("no exception stored"),
        }
    }

    /// Expected messages from NumPy 2.
    #[test]
    fn messages_match_numpy() {
        let status = broadcast_error(&[&[3], &[2, 3], &[4], &[]]);
        assert_eq!(status, DYNAMIC);
        assert_eq!(
            message(),
            "operands could not be broadcast together with shapes (3,) (2,3) (4,) () "
        );
        broadcast_into_error(&[4], &[2, 3]);
        assert_eq!(
            message(),
            "could not broadcast input array from shape (4,) into shape (2,3)"
        );
        output_shape_error(&[3], &[2, 3]);
        assert_eq!(message(), "non-broadcastable output operand with shape (3,) doesn't match the broadcast shape (2,3)");
    }

    /// `oxjit_rt_broadcast` over `shapes`: the result or the message.
    fn broadcast(
        shapes: &[&[i64]],
        nd: usize,
        out: Option<(&[i64], i64)>,
    ) -> Result<Vec<i64>, String> {
        let all: Vec<i64> = shapes.iter().flat_map(|s| s.iter().copied()).collect();
        let ndims: Vec<i64> = shapes.iter().map(|s| s.len() as i64).collect();
        let (o, role) = out.unwrap_or((&[], NO_OUT));
        let mut result = vec![0; nd];
        // SAFETY: every buffer has the length passed with it.
        let status = unsafe {
            oxjit_rt_broadcast(
                result.as_mut_ptr(),
                nd as i64,
                all.as_ptr(),
                ndims.as_ptr(),
                shapes.len() as i64,
                o.as_ptr(),
                o.len() as i64,
                role,
            )
        };
        match status {
            0 => Ok(result),
            _ => Err(message()),
        }
    }

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast(&[&[3, 1], &[4]], 2, None), Ok(vec![3, 4]));
        assert_eq!(
            broadcast(&[&[2, 1, 5], &[3, 1], &[1]], 3, None),
            Ok(vec![2, 3, 5])
        );
        assert_eq!(broadcast(&[&[0], &[1]], 1, None), Ok(vec![0]));
        assert_eq!(
            broadcast(&[&[3], &[4], &[5]], 1, None),
            Err("operands could not be broadcast together with shapes (3,) (4,) ".into())
        );
        // The fold names what was accumulated so far, as chained binary operations do.
        assert_eq!(
            broadcast(&[&[2, 1], &[1, 3], &[4]], 2, None),
            Err("operands could not be broadcast together with shapes (2,3) (4,) ".into())
        );
        // `a[...] = v`: v may have extra leading extents of 1.
        assert_eq!(broadcast(&[&[1, 3]], 1, Some((&[3], ASSIGN))), Ok(vec![3]));
        assert_eq!(
            broadcast(&[&[1]], 2, Some((&[2, 5], ASSIGN))),
            Ok(vec![2, 5])
        );
        assert_eq!(
            broadcast(&[&[4]], 1, Some((&[3], ASSIGN))),
            Err("could not broadcast input array from shape (4,) into shape (3,)".into())
        );
        // `a op= b`: the result must be a's shape; all shapes are named.
        assert_eq!(
            broadcast(&[&[3, 4], &[4]], 2, Some((&[3, 4], IN_PLACE))),
            Ok(vec![3, 4])
        );
        assert_eq!(
            broadcast(&[&[3], &[2, 3]], 1, Some((&[3], IN_PLACE))),
            Err("non-broadcastable output operand with shape (3,) doesn't match the broadcast shape (2,3)".into())
        );
        assert_eq!(
            broadcast(&[&[3], &[4]], 1, Some((&[3], IN_PLACE))),
            Err("operands could not be broadcast together with shapes (3,) (4,) (3,) ".into())
        );
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
