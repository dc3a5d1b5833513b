//! NumPy's type promotion (`np.result_type`) for scalars, with NEP 50's weak
//! Python scalars, and the unification of a variable's types across its
//! assignments (int then float gives float64, as in Numba).

use crate::{Kind, Scalar, Type};

/// The type two scalar operands are converted to before an arithmetic
/// operation, as NumPy 2 computes it.
pub fn common_scalar(a: Scalar, b: Scalar) -> Scalar {
    use Scalar::*;
    if a == b {
        return a;
    }
    // Python bool in arithmetic with another Python scalar acts as an int.
    let a = if a == Bool && b.is_weak() { PyInt } else { a };
    let b = if b == Bool && a.is_weak() { PyInt } else { b };
    match (a.is_weak(), b.is_weak()) {
        (true, true) => a.max(b),
        (true, false) => weak_with_strong(a, b),
        (false, true) => weak_with_strong(b, a),
        (false, false) => strong_pair(a, b),
    }
}

/// NEP 50: the weak operand adopts the strong operand's type unless its kind
/// is higher; then it keeps the strong float precision where one exists.
fn weak_with_strong(weak: Scalar, strong: Scalar) -> Scalar {
    use Scalar::*;
    if weak.kind() <= strong.kind() {
        return strong;
    }
    match (weak.kind(), strong) {
        (Kind::Float, _) => F64,
        (Kind::Complex, F32) => C64,
        (Kind::Complex, _) => C128,
        _ => strong,
    }
}

fn strong_pair(a: Scalar, b: Scalar) -> Scalar {
    use Scalar::*;
    if a == Bool {
        return b;
    }
    if b == Bool {
        return a;
    }
    let (lo, hi) = if a.kind() <= b.kind() { (a, b) } else { (b, a) };
    match (lo.kind(), hi.kind()) {
        (Kind::Int, Kind::Int) => int_pair(a, b),
        (Kind::Int, Kind::Float) => {
            if hi == F32 && lo.bits() <= 16 {
                F32
            } else {
                F64
            }
        }
        (Kind::Int, Kind::Complex) => {
            if hi == C64 && lo.bits() <= 16 {
                C64
            } else {
                C128
            }
        }
        (Kind::Float, Kind::Float) | (Kind::Complex, Kind::Complex) => {
            if a.bits() >= b.bits() {
                a
            } else {
                b
            }
        }
        (Kind::Float, Kind::Complex) => {
            if lo == F64 || hi == C128 {
                C128
            } else {
                C64
            }
        }
        _ => unreachable!("kinds are ordered"),
    }
}

fn int_of(bits: u32, signed: bool) -> Scalar {
    use Scalar::*;
    match (bits, signed) {
        (8, true) => I8,
        (16, true) => I16,
        (32, true) => I32,
        (64, true) => I64,
        (8, false) => U8,
        (16, false) => U16,
        (32, false) => U32,
        _ => U64,
    }
}

fn int_pair(a: Scalar, b: Scalar) -> Scalar {
    if a.is_signed() == b.is_signed() {
        return int_of(a.bits().max(b.bits()), a.is_signed());
    }
    let (s, u) = if a.is_signed() { (a, b) } else { (b, a) };
    if s.bits() > u.bits() {
        s
    } else if u.bits() < 64 {
        int_of(u.bits() * 2, true)
    } else {
        Scalar::F64
    }
}

/// The type of a variable assigned values of types `a` and `b`, or `None` if
/// no type holds both.
/// `Optional(t)` if `t` may be optional.
fn optional_of(t: Type) -> Option<Type> {
    t.optional_ok().then(|| Type::Optional(Box::new(t)))
}

pub fn unify(a: &Type, b: &Type) -> Option<Type> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        // A function defined once, whose captured values widened.
        (Type::Closure(x), Type::Closure(y)) if x.0 == y.0 && x.1.len() == y.1.len() => {
            let items = x.1.iter().zip(&y.1).map(|(x, y)| unify(x, y));
            Some(Type::Closure(Box::new((
                x.0,
                items.collect::<Option<_>>()?,
            ))))
        }
        (Type::Scalar(x), Type::Scalar(y)) => {
            // A variable holding both a Python int and a float is a float64, as
            // in Numba; weak types stay weak only if both are.
            Some(Type::Scalar(common_scalar(*x, *y)))
        }
        // Arrays of one dtype and ndim but different layouts unify to the
        // general layout, as in Numba; read-only if either is.
        (Type::Array(x), Type::Array(y)) if x.dtype == y.dtype && x.ndim == y.ndim => {
            Some(Type::Array(crate::ArrayType {
                layout: if x.layout == y.layout {
                    x.layout
                } else {
                    crate::Layout::A
                },
                readonly: x.readonly || y.readonly,
                ..*x
            }))
        }
        // An empty list literal (or `set()`) takes the item type of the other list; lists
        // are shared, so otherwise their items must agree up to weakness
        // (a Python int list is an int64 list), which keeps the memory form.
        (Type::List(x), Type::List(y)) | (Type::Set(x), Type::Set(y)) => match (&**x, &**y) {
            (Type::Undefined, _) => Some(b.clone()),
            (_, Type::Undefined) => Some(a.clone()),
            _ => unify(x, y)
                .filter(|t| t.repr() == x.repr() && t.repr() == y.repr())
                .map(|t| match a {
                    Type::Set(_) => Type::Set(Box::new(t)),
                    _ => Type::List(Box::new(t)),
                }),
        },
        // As lists: undefined parts take the other's, defined ones agree.
        (Type::Dict(k1, v1), Type::Dict(k2, v2)) => {
            let part = |x: &Type, y: &Type| match (x, y) {
                (Type::Undefined, t) | (t, Type::Undefined) => Some(t.clone()),
                _ => unify(x, y).filter(|t| t.repr() == x.repr() && t.repr() == y.repr()),
            };
            Some(Type::Dict(Box::new(part(k1, k2)?), Box::new(part(v1, v2)?)))
        }
        // A variable (or a function's result) that is None on one path
        // and a value on another is optional, as in Numba.
        (Type::None, Type::Optional(_)) => Some(b.clone()),
        (Type::Optional(_), Type::None) => Some(a.clone()),
        (Type::None, t) | (t, Type::None) if t.optional_ok() => {
            Some(Type::Optional(Box::new(t.clone())))
        }
        (Type::Optional(x), Type::Optional(y)) => optional_of(unify(x, y)?),
        (Type::Optional(x), t) | (t, Type::Optional(x)) => optional_of(unify(x, t)?),
        (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => xs
            .iter()
            .zip(ys)
            .map(|(x, y)| unify(x, y))
            .collect::<Option<Vec<_>>>()
            .map(Type::Tuple),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Scalar::*;

    #[test]
    fn numpy_promotion_table() {
        // Expected values are np.result_type on NumPy 2 (NEP 50).
        let cases = [
            (I8, U8, I16),
            (I64, U64, F64),
            (U32, I32, I64),
            (I16, F32, F32),
            (I32, F32, F64),
            (F32, C64, C64),
            (F64, C64, C128),
            (Bool, I8, I8),
            (PyInt, I8, I8),
            (PyFloat, F32, F32),
            (PyFloat, I8, F64),
            (PyComplex, F32, C64),
            (PyComplex, I32, C128),
            (PyInt, PyFloat, PyFloat),
            (PyInt, U64, U64),
            (Bool, PyInt, PyInt),
        ];
        for (a, b, want) in cases {
            assert_eq!(common_scalar(a, b), want, "{a:?} {b:?}");
            assert_eq!(common_scalar(b, a), want, "{b:?} {a:?}");
        }
    }

    #[test]
    fn unify_int_then_float() {
        assert_eq!(unify(&Type::INT, &Type::FLOAT), Some(Type::FLOAT));
        assert_eq!(unify(&Type::INT, &Type::Tuple(vec![])), None);
    }
}
