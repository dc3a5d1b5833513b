//! The methods of strs (paths `str.*`) and the builtins that make or read
//! strings (`str`, `repr`, `format`, `ord`, `chr`). Every one is a
//! runtime call (`RuntimeFn::Str*`) with Python's semantics; `int(s)` and
//! `float(s)` are the `int`/`float` builtins (`builtins.rs`) given a str.

use super::lists::bound;
use super::{Call, Defs, Lowering};
use crate::check::{error, Checker, R};
use crate::expr::konst;
use crate::runtime_fns::call;
use crate::strs::str_const;
use oxjit_diag::Code;
use oxjit_hir as hir;
use oxjit_tir::ExprKind as TK;
use oxjit_tir::{self as tir, ConstValue, RuntimeFn};
use oxjit_types::Type;

/// Argument `i`, which must be a str.
fn str_at(ck: &mut Checker, c: &mut Call, i: usize) -> R<tir::Expr> {
    let x = c.expr(ck, i)?;
    ck.str_arg(x, &format!("the argument of {}()", c.name))
}

/// Argument `i` as a str, or None kept as the value None (the runtime's
/// "absent": whitespace for `split`/`strip`).
fn str_or_none(ck: &mut Checker, c: &mut Call, i: usize) -> R<tir::Expr> {
    match c.opt(ck, i)? {
        Some(x) => ck.str_arg(x, &format!("the argument of {}()", c.name)),
        None => Ok(konst(ConstValue::Unit, Type::None, c.span)),
    }
}

fn int_at(ck: &mut Checker, c: &mut Call, i: usize) -> R<tir::Expr> {
    let x = c.expr(ck, i)?;
    ck.int_index(x)
}

/// A `prefix`/`suffix` argument: a str or a tuple of strs.
fn affix(ck: &mut Checker, c: &mut Call, i: usize) -> R<tir::Expr> {
    let x = c.expr(ck, i)?;
    match &x.ty {
        Type::Str => Ok(x),
        Type::Tuple(items) if items.iter().all(|t| t == &Type::Str) => Ok(x),
        t => Err(error(
            Code::BadCall,
            x.span,
            format!("{}() takes a str or a tuple of strs, not {t}", c.name),
            "pass a str or a tuple of strs",
        )),
    }
}

/// The receiver and the other arguments, in order, by their readers.
type Reader = fn(&mut Checker, &mut Call, usize) -> R<tir::Expr>;

/// Declares `str.<name>` as the runtime call `f` of the receiver and the
/// arguments read by `readers`, with result type `ty`.
fn method(
    d: &mut Defs,
    name: &str,
    params: &str,
    f: RuntimeFn,
    readers: &'static [Reader],
    ty: Type,
) {
    d.def(format!("str.{name}"), params)
        .rule(Lowering::Runtime, move |ck, c| {
            let mut args = vec![c.expr(ck, 0)?];
            for (i, read) in readers.iter().enumerate() {
                args.push(read(ck, c, i + 1)?);
            }
            Ok(call(f, args, ty.clone(), c.span))
        });
}

pub(super) fn define(d: &mut Defs) {
    use RuntimeFn as F;
    let list = Type::List(Box::new(Type::Str));
    let search: &[Reader] = &[str_at, bound, bound];
    for (name, f) in [
        ("find", F::StrFind),
        ("rfind", F::StrRFind),
        ("index", F::StrIndex),
        ("rindex", F::StrRIndex),
        ("count", F::StrCount),
    ] {
        method(
            d,
            name,
            "self, sub, start=None, end=None, /",
            f,
            search,
            Type::INT,
        );
    }
    for (name, f) in [
        ("startswith", F::StrStartsWith),
        ("endswith", F::StrEndsWith),
    ] {
        let readers: &[Reader] = &[affix, bound, bound];
        method(
            d,
            name,
            "self, prefix, start=None, end=None, /",
            f,
            readers,
            Type::BOOL,
        );
    }
    for (name, f) in [("split", F::StrSplit), ("rsplit", F::StrRSplit)] {
        let readers: &[Reader] = &[str_or_none, int_at];
        method(
            d,
            name,
            "self, /, sep=None, maxsplit=-1",
            f,
            readers,
            list.clone(),
        );
    }
    d.def("str.splitlines", "self, /, keepends=False")
        .rule(Lowering::Runtime, |ck, c| {
            let s = c.expr(ck, 0)?;
            let keep = c.expr(ck, 1)?;
            let keep = ck.truth(keep)?;
            let ty = Type::List(Box::new(Type::Str));
            Ok(call(F::StrSplitLines, vec![s, keep], ty, c.span))
        });
    d.def("str.join", "self, iterable, /")
        .rule(Lowering::Runtime, |ck, c| {
            let sep = c.expr(ck, 0)?;
            let items = c.expr(ck, 1)?;
            let ok = match &items.ty {
                Type::List(item) => **item == Type::Str,
                Type::Tuple(items) => items.iter().all(|t| t == &Type::Str),
                _ => false,
            };
            if !ok {
                return Err(error(
                    Code::BadCall,
                    items.span,
                    format!("join() takes a list or tuple of strs, not {}", items.ty),
                    "convert the items first, e.g. sep.join([str(x) for x in xs])",
                ));
            }
            Ok(call(F::StrJoin, vec![sep, items], Type::Str, c.span))
        });
    for (name, f) in [
        ("strip", F::StrStrip),
        ("lstrip", F::StrLStrip),
        ("rstrip", F::StrRStrip),
    ] {
        method(d, name, "self, chars=None, /", f, &[str_or_none], Type::Str);
    }
    method(
        d,
        "replace",
        "self, old, new, count=-1, /",
        F::StrReplace,
        &[str_at, str_at, int_at],
        Type::Str,
    );
    for (name, f) in [
        ("upper", F::StrUpper),
        ("lower", F::StrLower),
        ("casefold", F::StrCaseFold),
        ("swapcase", F::StrSwapCase),
        ("title", F::StrTitle),
        ("capitalize", F::StrCapitalize),
    ] {
        method(d, name, "self, /", f, &[], Type::Str);
    }
    for (name, f) in [
        ("isdigit", F::StrIsDigit),
        ("isdecimal", F::StrIsDecimal),
        ("isnumeric", F::StrIsNumeric),
        ("isalpha", F::StrIsAlpha),
        ("isalnum", F::StrIsAlnum),
        ("isspace", F::StrIsSpace),
        ("isupper", F::StrIsUpper),
        ("islower", F::StrIsLower),
        ("istitle", F::StrIsTitle),
        ("isascii", F::StrIsAscii),
        ("isidentifier", F::StrIsIdentifier),
    ] {
        method(d, name, "self, /", f, &[], Type::BOOL);
    }
    method(
        d,
        "zfill",
        "self, width, /",
        F::StrZFill,
        &[int_at],
        Type::Str,
    );
    for (name, f) in [
        ("center", F::StrCenter),
        ("ljust", F::StrLJust),
        ("rjust", F::StrRJust),
    ] {
        method(
            d,
            name,
            "self, width, fillchar=' ', /",
            f,
            &[int_at, str_at],
            Type::Str,
        );
    }
    for (name, f) in [
        ("partition", F::StrPartition),
        ("rpartition", F::StrRPartition),
    ] {
        let ty = Type::Tuple(vec![Type::Str; 3]);
        method(d, name, "self, sep, /", f, &[str_at], ty);
    }
    method(
        d,
        "expandtabs",
        "self, /, tabsize=8",
        F::StrExpandTabs,
        &[int_at],
        Type::Str,
    );
    d.def("builtins.str", "object='', /")
        .rule(Lowering::Runtime, |ck, c| {
            let x = c.expr(ck, 0)?;
            ck.str_of(x, c.span)
        });
    d.def("builtins.repr", "obj, /")
        .rule(Lowering::Runtime, |ck, c| {
            let x = c.expr(ck, 0)?;
            ck.formattable(&x)?;
            Ok(call(F::StrRepr, vec![x], Type::Str, c.span))
        });
    d.def("builtins.format", "value, format_spec='', /")
        .rule(Lowering::Runtime, |ck, c| {
            let x = c.expr(ck, 0)?;
            ck.formattable(&x)?;
            let spec = match c.opt(ck, 1)? {
                Some(s) => ck.str_arg(s, "format()'s spec")?,
                None => str_const("", c.span),
            };
            Ok(call(F::StrFormat, vec![x, spec], Type::Str, c.span))
        });
    d.def("builtins.ord", "c, /")
        .rule(Lowering::Runtime, |ck, c| {
            let s = str_at(ck, c, 0)?;
            Ok(call(F::StrOrd, vec![s], Type::INT, c.span))
        });
    d.def("builtins.chr", "i, /")
        .rule(Lowering::Runtime, |ck, c| {
            let i = int_at(ck, c, 0)?;
            Ok(call(F::StrChr, vec![i], Type::Str, c.span))
        });
}

/// The pieces of a `str.format` template (Python's format-string
/// grammar): literal text with `{{`/`}}` unescaped, and fields of an
/// argument position (auto-numbered when empty), a conversion and a spec.
/// `Err` names what is not supported or malformed.
fn template(fmt: &str) -> Result<Vec<Piece>, String> {
    let mut out = vec![];
    let mut text = String::new();
    let mut next = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '}' => return Err("Single '}' encountered in format string".into()),
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') => {
                            return Err("nested fields in a format spec are not supported".into())
                        }
                        Some(c) => field.push(c),
                        None => return Err("Single '{' encountered in format string".into()),
                    }
                }
                let (head, spec) = field.split_once(':').unwrap_or((&field, ""));
                let (name, conversion) = match head.split_once('!') {
                    Some((n, c)) if c.len() == 1 && "rsa".contains(c) => (n, c.chars().next()),
                    Some(_) => return Err("conversions are !r, !s and !a".into()),
                    None => (head, None),
                };
                let index = if name.is_empty() {
                    next += 1;
                    next - 1
                } else {
                    name.parse::<usize>()
                        .map_err(|_| format!("the field '{name}' (only positions are supported)"))?
                };
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Field(index, conversion, spec.to_string()));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

enum Piece {
    Text(String),
    Field(usize, Option<char>, String),
}

/// `"...".format(*args)` of a literal template: the f-string it stands
/// for, each argument evaluated once.
pub(super) fn define_format(d: &mut Defs) {
    d.def("str.format", "self, /, *args")
        .rule(Lowering::Runtime, |ck, c| {
            let fmt = c.expr(ck, 0)?;
            let TK::Const(ConstValue::Str(text)) = &fmt.kind else {
                return Err(error(
                    Code::BadCall,
                    fmt.span,
                    "format() needs a literal template in compiled code",
                    "write the template as a string literal, or use an f-string",
                ));
            };
            let pieces = template(text).map_err(|m| {
                error(
                    Code::BadCall,
                    fmt.span,
                    format!("format(): {m}"),
                    "use {} or {0} fields",
                )
            })?;
            let args = c
                .rest
                .iter()
                .map(|a| {
                    let v = ck.expr(a)?;
                    Ok(ck.stash(v))
                })
                .collect::<R<Vec<_>>>()?;
            let mut parts = vec![];
            for p in pieces {
                parts.push(match p {
                    Piece::Text(t) => hir::FStringPart::Literal(t, c.span),
                    Piece::Field(i, conversion, spec) => {
                        let value = args.get(i).cloned().ok_or_else(|| {
                            error(
                                Code::BadCall,
                                c.span,
                                format!(
                                    "format(): replacement index {i} out of range for {} arguments",
                                    args.len()
                                ),
                                "pass an argument for every field",
                            )
                        })?;
                        let spec = (!spec.is_empty()).then(|| {
                            Box::new(hir::Expr {
                                kind: hir::ExprKind::Const(hir::Const::Str(spec)),
                                span: c.span,
                            })
                        });
                        hir::FStringPart::Field {
                            value: Box::new(value),
                            conversion,
                            spec,
                        }
                    }
                });
            }
            ck.fstring(&parts, c.span)
        });
}
