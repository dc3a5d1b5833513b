//! Exception objects made and read by compiled code: `raise E(msg, n)`
//! with run-time arguments builds one, `str(e)` of a caught one formats
//! it as Python's `BaseException.__str__` does.

use oxjit_abi::desc::{Desc, Kind};
use oxjit_abi::exc::{ExcArg, ExcSpec};

use super::floats::float_repr;
use super::format::{quote, value_at, Value};
use super::strs::write_str;
use super::{raise, Args, Result};
use crate::exceptions::{class_name, is_subclass, new_object, object_spec};
use crate::memory::MemInfo;

/// The value of type `t` at `p` as an exception argument.
unsafe fn arg_at(p: *const u8, t: Desc) -> Result<ExcArg> {
    if t.kind() == Kind::Tuple {
        let items = t.items();
        let offsets = t.repr().field_offsets();
        return Ok(ExcArg::Tuple(
            items
                .iter()
                .zip(offsets)
                .map(|(item, off)| arg_at(p.add(off), *item))
                .collect::<Result<_>>()?,
        ));
    }
    Ok(match value_at(p, t)? {
        Value::Bool(b) => ExcArg::Bool(b),
        Value::Int(v) => ExcArg::Int(i64::try_from(v).map_err(|_| {
            raise(
                "OverflowError",
                "an exception argument does not fit in int64",
            )
        })?),
        Value::Float(v, _) => ExcArg::Float(v),
        Value::Str(s) => ExcArg::Str(s.into()),
        Value::None => ExcArg::None,
        Value::Complex(..) => {
            return Err(raise(
                "TypeError",
                "complex exception arguments are not supported",
            ))
        }
    })
}

/// `(class, args)`: an `int64` class id and a tuple → a new exception
/// object of that class with those arguments.
pub(crate) unsafe fn new(out: *mut u8, args: &Args, _: Desc) -> Result {
    let id = args.value(0).cast::<i64>().read_unaligned() as u64;
    let class = class_name(id)
        .ok_or_else(|| raise("SystemError", format!("unknown exception class id {id}")))?;
    let ExcArg::Tuple(items) = arg_at(args.value(1), args.ty(1))? else {
        unreachable!("the arguments are a tuple")
    };
    let e = new_object(ExcSpec { class, args: items });
    if e.is_null() {
        return Err(raise("MemoryError", "cannot allocate an exception"));
    }
    out.cast::<*mut MemInfo>().write_unaligned(e);
    Ok(())
}

/// `str(a)` (or `repr(a)`) of one exception argument, as Python prints it.
fn text(a: &ExcArg, repr: bool) -> Result<String> {
    Ok(match a {
        ExcArg::Int(v) => v.to_string(),
        ExcArg::Float(v) => float_repr(*v, false)?,
        ExcArg::Bool(b) => if *b { "True" } else { "False" }.into(),
        ExcArg::Str(s) if repr => quote(s, false),
        ExcArg::Str(s) => s.clone(),
        ExcArg::None => "None".into(),
        ExcArg::Tuple(items) => tuple_text(items)?,
    })
}

/// A tuple's repr: `(a, b)`, `(a,)`, `()`.
fn tuple_text(items: &[ExcArg]) -> Result<String> {
    let parts = items
        .iter()
        .map(|x| text(x, true))
        .collect::<Result<Vec<_>>>()?;
    Ok(match parts.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", parts.join(", ")),
    })
}

/// `str(e)` of exception object `e`: `''` without arguments, the argument's
/// str for one (its repr for a `KeyError`, as Python does), else the
/// arguments' tuple.
pub(crate) fn str_of(spec: &ExcSpec) -> Result<String> {
    match spec.args.as_slice() {
        [] => Ok(String::new()),
        [one] => text(one, is_subclass(&spec.class, "KeyError")),
        many => tuple_text(many),
    }
}

/// `(e)` an exception object → `str(e)`.
pub(crate) unsafe fn str_fn(out: *mut u8, args: &Args, _: Desc) -> Result {
    let e = args.value(0).cast::<*mut MemInfo>().read_unaligned();
    write_str(out, &[&str_of(object_spec(e))?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_follows_base_exception_str() {
        let spec = |class: &str, args| ExcSpec {
            class: class.into(),
            args,
        };
        let s = |a: &str| ExcArg::Str(a.into());
        assert_eq!(str_of(&spec("ValueError", vec![])).unwrap(), "");
        assert_eq!(str_of(&spec("ValueError", vec![s("bad")])).unwrap(), "bad");
        assert_eq!(str_of(&spec("KeyError", vec![s("k")])).unwrap(), "'k'");
        assert_eq!(
            str_of(&spec(
                "ValueError",
                vec![s("n"), ExcArg::Int(3), ExcArg::Float(0.5)]
            ))
            .unwrap(),
            "('n', 3, 0.5)"
        );
        assert_eq!(
            str_of(&spec("E", vec![ExcArg::Tuple(vec![ExcArg::None])])).unwrap(),
            "(None,)"
        );
    }
}
