//! Code generation tests as data: each `tests/filetests/*.tir` holds typed
//! IR in its text form (one or more functions; the first is the entry) and
//! directives in `;` comments:
//!
//! - `; run: f(3, 2.5, [1.0, 2.0]) == 7.5` calls the entry with scalar and
//!   1-d array arguments (memory forms built from the parameter types) and
//!   compares the result exactly (NaN equals NaN); `; run: f(0) raises`
//!   expects a non-zero status, `raises 10` that status;
//! - `; check: text` / `; check-not: text` require the optimised LLVM IR
//!   to contain / not to contain `text`.
//!
//! Symbols are prefixed with the file's name, so every file's functions
//! are distinct in the process-wide JIT.

use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::{parse_functions, verify};

use crate::support::*;

/// One argument or result value as a directive writes it.
#[derive(Clone, Debug)]
enum Value {
    Num(f64),
    Int(i128),
    Bool(bool),
    List(Vec<Value>),
}

fn value(text: &str) -> Value {
    let t = text.trim();
    if let Some(items) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return Value::List(
            items
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(value)
                .collect(),
        );
    }
    match t {
        "True" => Value::Bool(true),
        "False" => Value::Bool(false),
        "nan" => Value::Num(f64::NAN),
        "inf" => Value::Num(f64::INFINITY),
        "-inf" => Value::Num(f64::NEG_INFINITY),
        t => t
            .parse::<i128>()
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Num(t.parse().unwrap_or_else(|_| panic!("value {t}")))),
    }
}

/// Splits `a, [b, c], d` at top-level commas.
fn split_args(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, vec![]);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(&text[start..]);
    }
    out
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Num(x) => *x,
        Value::Int(i) => *i as f64,
        Value::Bool(b) => *b as u8 as f64,
        Value::List(_) => panic!("a list where a number is expected"),
    }
}

fn as_int(v: &Value) -> i128 {
    match v {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i128,
        other => panic!("{other:?} where an integer is expected"),
    }
}

/// The memory form of a scalar of type `s` (8 bytes; narrower types use
/// the first bytes, little-endian).
fn scalar_bytes(v: &Value, s: Scalar) -> Vec<u8> {
    match s.strong() {
        Scalar::F64 => as_f64(v).to_le_bytes().to_vec(),
        Scalar::F32 => (as_f64(v) as f32).to_le_bytes().to_vec(),
        s if s.is_int() || s == Scalar::Bool => encode(wrap(as_int(v), s)).to_vec(),
        s => panic!("arguments of type {s} are not supported in filetests"),
    }
}

/// An argument's memory form, and the element data an array points into.
struct Arg {
    mem: Vec<u8>,
    _data: Box<dyn std::any::Any>,
}

/// A 1-d C-contiguous array argument of `values`.
fn array_of<T: 'static>(mut values: Vec<T>) -> Arg {
    let n = values.len() as i64;
    let form = c_array(&mut values, &[n]);
    Arg {
        mem: form.iter().flat_map(|w| w.to_le_bytes()).collect(),
        _data: Box::new(values),
    }
}

fn argument(v: &Value, ty: &Type) -> Arg {
    match (v, ty) {
        (Value::List(items), Type::Array(a)) if a.ndim == 1 => match a.dtype {
            Scalar::F64 => array_of(items.iter().map(as_f64).collect::<Vec<f64>>()),
            Scalar::I64 => array_of(items.iter().map(|x| as_int(x) as i64).collect::<Vec<i64>>()),
            d => panic!("arrays of {d} are not supported in filetests"),
        },
        (v, Type::Scalar(s)) => Arg {
            mem: scalar_bytes(v, *s),
            _data: Box::new(()),
        },
        (v, t) => panic!("cannot pass {v:?} as {t}"),
    }
}

/// The result of type `ty` at the start of `out`.
fn result(out: &[u8], ty: &Type) -> Value {
    match ty {
        Type::Scalar(s) => match s.strong() {
            Scalar::F64 => Value::Num(f64::from_le_bytes(out[..8].try_into().unwrap())),
            Scalar::F32 => Value::Num(f32::from_le_bytes(out[..4].try_into().unwrap()) as f64),
            Scalar::Bool => Value::Bool(out[0] != 0),
            s if s.is_int() => Value::Int(decode(out, s)),
            s => panic!("results of type {s} are not supported in filetests"),
        },
        t => panic!("results of type {t} are not supported in filetests"),
    }
}

fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Num(a), b) => {
            let b = as_f64(b);
            a == &b || (a.is_nan() && b.is_nan())
        }
        (Value::Int(a), b) => *a == as_int(b),
        (Value::Bool(a), Value::Bool(b)) => a == b,
        _ => false,
    }
}

fn run_file(path: &std::path::Path) {
    let name = path
        .file_stem()
        .unwrap()
        .to_str()
        .unwrap()
        .replace('-', "_");
    let mut text = std::fs::read_to_string(path).unwrap();
    // Make the symbols (the function names) unique in the process.
    let defs: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("def "))
        .map(|l| l[..l.find('(').unwrap()].to_string())
        .collect();
    for d in &defs {
        text = text.replace(&format!("call {d}("), &format!("call ft_{name}_{d}("));
    }
    let mut funcs = parse_functions(&text).unwrap_or_else(|e| panic!("{}:{e}", path.display()));
    for f in &mut funcs {
        f.symbol = format!("ft_{name}_{}", f.name);
        verify(f).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    }
    let refs: Vec<_> = funcs.iter().collect();
    let (wrapper, ir) = compile_ir(&refs);
    let entry = &funcs[0];
    let params: Vec<Type> = entry.param_types().cloned().collect();
    let mut ran = 0;
    for line in text
        .lines()
        .filter_map(|l| l.strip_prefix(';'))
        .map(str::trim)
    {
        if let Some(want) = line.strip_prefix("check:") {
            assert!(
                ir.contains(want.trim()),
                "{}: no `{}` in\n{ir}",
                path.display(),
                want.trim()
            );
        } else if let Some(unwanted) = line.strip_prefix("check-not:") {
            assert!(
                !ir.contains(unwanted.trim()),
                "{}: `{}` in\n{ir}",
                path.display(),
                unwanted.trim()
            );
        } else if let Some(call) = line.strip_prefix("run:") {
            let open = call.find('(').unwrap();
            let close = call.rfind(')').unwrap();
            let args: Vec<Value> = split_args(&call[open + 1..close])
                .into_iter()
                .map(value)
                .collect();
            assert_eq!(args.len(), params.len(), "{}: `{call}`", path.display());
            let args: Vec<Arg> = args
                .iter()
                .zip(&params)
                .map(|(v, t)| argument(v, t))
                .collect();
            let ptrs: Vec<*const u8> = args.iter().map(|a| a.mem.as_ptr()).collect();
            let outcome = run::<[u8; 64]>(wrapper, &ptrs);
            let expect = call[close + 1..].trim();
            match (outcome, expect.strip_prefix("raises")) {
                (Err(status), Some(id)) => {
                    if !id.trim().is_empty() {
                        assert_eq!(
                            status.to_string(),
                            id.trim(),
                            "{}: `{call}`",
                            path.display()
                        );
                    }
                }
                (Ok(out), None) => {
                    let want = value(expect.strip_prefix("==").expect("`== value` or `raises`"));
                    let got = result(&out, &entry.ret);
                    assert!(
                        same(&got, &want),
                        "{}: `{call}` gave {got:?}",
                        path.display()
                    );
                }
                (outcome, _) => panic!("{}: `{call}` gave {outcome:?}", path.display()),
            }
            ran += 1;
        }
    }
    assert!(
        ran > 0 || text.contains("; check"),
        "{}: no directives",
        path.display()
    );
}

#[test]
fn filetests() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/filetests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tir"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no filetests in {}", dir.display());
    for f in files {
        run_file(&f);
    }
}
