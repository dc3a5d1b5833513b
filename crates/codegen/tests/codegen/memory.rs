//! Reference counting: every allocation is freed exactly once, on normal
//! returns and when an exception leaves in the middle of a statement or a
//! loop; views, tuples, locals and callees share and hand over references;
//! reading a local array in a loop does no counting.

use oxjit_abi::exc::{INDEX_OUT_OF_BOUNDS, ZERO_DIV_INT};
use oxjit_runtime::memory::stats;
use oxjit_tir::oxjit_types::{Layout, Scalar, Type};
use oxjit_tir::{BinOp, Check, CmpOp, Expr, ExprKind, LocalId, StmtKind};

use crate::array_exprs::{add, mul};
use crate::support::*;

/// The memory form of a `(array, int64)` result.
#[repr(C)]
#[derive(Clone, Copy)]
struct ArrayAndInt {
    array: ArrayOut<1>,
    n: i64,
}

fn ones(n: Expr) -> Expr {
    filled(vec![n], vec![], float(1.0), f64c(1))
}

/// An exception after an allocation, from a bounds check, from a callee in
/// the middle of building a tuple, and from the body of an elementwise
/// loop, frees everything allocated.
#[test]
fn exceptions_free_what_was_allocated() {
    // x = ones(n); return x[n]
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let x = fb.local("x", f64c(1));
    let body = vec![
        fb.set(x, ones(fb.p(0))),
        ret(index(fb.get(x), vec![fb.p(0)])),
    ];
    let w = compile(&[&fb.finish("t_mem_bounds", Type::F64, body)]);
    let (status, allocated) = balanced(|| run::<f64>(w, &[arg(&3i64)]));
    assert_eq!((status, allocated), (Err(INDEX_OUT_OF_BOUNDS as i32), 1));

    // g(n): t = ones(n); if n > 2: raise; return n
    // f(n): return (ones(n), g(n))
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let t = fb.local("t", f64c(1));
    let body = vec![
        fb.set(t, ones(fb.p(0))),
        if_(
            cmp(CmpOp::Gt, fb.p(0), int(2)),
            vec![st(StmtKind::Raise(77))],
            vec![],
        ),
        ret(fb.p(0)),
    ];
    let g = fb.finish("t_mem_raiser", Type::I64, body);
    let fb = Fb::new(&[("n", Type::I64)]);
    let pair = tuple(vec![
        ones(fb.p(0)),
        call("t_mem_raiser", vec![fb.p(0)], Type::I64),
    ]);
    let ty = pair.ty.clone();
    let f = fb.finish("t_mem_tuple_raise", ty, vec![ret(pair)]);
    let w = compile(&[&f, &g]);
    let call =
        |n: i64| balanced(|| run::<ArrayAndInt>(w, &[arg(&n)]).map(|r| (r.array.release(), r.n).1));
    assert_eq!(call(3), (Err(77), 2));
    assert_eq!(call(2), (Ok(2), 2));

    // return 12 // a (Python error model: a zero divisor raises mid-loop)
    let fb = Fb::new(&[("a", arr(Scalar::I64, 1, Layout::C))]);
    let divisor = e(
        ExprKind::Guard {
            value: Box::new(input(0, Scalar::I64)),
            check: Check::NonZero,
            exc: ZERO_DIV_INT,
        },
        Type::I64,
    );
    let quotient = elementwise(
        vec![fb.p(0)],
        bin(BinOp::FloorDiv, int(12), divisor),
        arr(Scalar::I64, 1, Layout::C),
    );
    let w = compile(&[&fb.finish(
        "t_mem_loop_raise",
        arr(Scalar::I64, 1, Layout::C),
        vec![ret(quotient)],
    )]);
    let mut a = vec![4i64, 3, 0, 2];
    let aa = c_array(&mut a, &[4]);
    let (status, allocated) =
        balanced(|| run::<ArrayOut<1>>(w, &[aa.as_ptr().cast()]).map(ArrayOut::release));
    assert_eq!((status, allocated), (Err(ZERO_DIV_INT as i32), 1));
}

/// A returned view keeps its (otherwise released) source alive until the
/// caller drops it; a tuple holds a reference per item.
#[test]
fn views_and_tuples_share_memory() {
    // x = ones(n); v = x[1:]; return (v, x)
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let x = fb.local("x", f64c(1));
    let v = fb.local("v", arr(Scalar::F64, 1, Layout::A));
    let pair = tuple(vec![fb.get(v), fb.get(x)]);
    let ty = pair.ty.clone();
    let body = vec![
        fb.set(x, ones(fb.p(0))),
        fb.set(
            v,
            view(
                fb.get(x),
                vec![slice(Some(1), None, None)],
                arr(Scalar::F64, 1, Layout::A),
            ),
        ),
        ret(pair),
    ];
    let w = compile(&[&fb.finish("t_mem_view", ty, body)]);
    let ((), allocated) = balanced(|| {
        let before = stats();
        let [v, x] = run::<[ArrayOut<1>; 2]>(w, &[arg(&4i64)]).unwrap();
        assert_eq!(v.meminfo, x.meminfo, "the view shares the meminfo");
        assert_eq!(unsafe { v.data.offset_from(x.data) }, 8);
        assert_eq!(v.values::<f64>(), vec![1.0; 3]);
        x.release();
        assert_eq!(
            stats().meminfo_frees,
            before.meminfo_frees,
            "the view keeps the memory"
        );
        v.release();
    });
    assert_eq!(allocated, 1);
}

/// Callees borrow their arguments and return owned results; a parameter
/// the callee reassigns is released like a local, the caller's value is not.
#[test]
fn calls_hand_over_references() {
    // double(a): a = a * 2.0; return a
    let fb = Fb::new(&[("a", f64c(1))]);
    let twice = elementwise(
        vec![fb.p(0)],
        mul(input(0, Scalar::F64), float(2.0)),
        f64c(1),
    );
    let body = vec![fb.set(LocalId(0), twice), ret(fb.p(0))];
    let double = fb.finish("t_mem_double", f64c(1), body);
    // same(a): return a
    let fb = Fb::new(&[("a", f64c(1))]);
    let r = ret(fb.p(0));
    let same = fb.finish("t_mem_same", f64c(1), vec![r]);
    // f(n): x = ones(n); y = double(double(x)); return same(y)[0] + x[0]
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let x = fb.local("x", f64c(1));
    let y = fb.local("y", f64c(1));
    let twice_twice = call(
        "t_mem_double",
        vec![call("t_mem_double", vec![fb.get(x)], f64c(1))],
        f64c(1),
    );
    let body = vec![
        fb.set(x, ones(fb.p(0))),
        fb.set(y, twice_twice),
        ret(add(
            index(call("t_mem_same", vec![fb.get(y)], f64c(1)), vec![int(0)]),
            index(fb.get(x), vec![int(0)]),
        )),
    ];
    let f = fb.finish("t_mem_calls", Type::F64, body);
    let w = compile(&[&f, &double, &same]);
    let (result, allocated) = balanced(|| run::<f64>(w, &[arg(&3i64)]));
    assert_eq!((result, allocated), (Ok(5.0), 3));
}

/// Conditional values, discarded values and `SetLocal` temporaries.
#[test]
fn expressions_of_arrays() {
    // t = ones(n) if n > 2 else ones(1); ones(n); return (tmp := ones(n))[0] + t[0]
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let t = fb.local("t", f64c(1));
    let tmp = fb.local("tmp", f64c(1));
    let choice = e(
        ExprKind::IfExp(
            Box::new(cmp(CmpOp::Gt, fb.p(0), int(2))),
            Box::new(ones(fb.p(0))),
            Box::new(ones(int(1))),
        ),
        f64c(1),
    );
    let walrus = e(ExprKind::SetLocal(tmp, Box::new(ones(fb.p(0)))), f64c(1));
    let body = vec![
        fb.set(t, choice),
        st(StmtKind::Expr(ones(fb.p(0)))),
        ret(add(
            index(walrus, vec![int(0)]),
            index(fb.get(t), vec![int(-1)]),
        )),
    ];
    let w = compile(&[&fb.finish("t_mem_exprs", Type::F64, body)]);
    for n in [1i64, 5] {
        let (result, allocated) = balanced(|| run::<f64>(w, &[arg(&n)]));
        assert_eq!((result, allocated), (Ok(2.0), 3));
    }
}

/// The blocks of `symbol`'s definition in `ir` that belong to a loop
/// (between a back edge's target and its source, in layout order).
fn loop_blocks<'a>(ir: &'a str, symbol: &str) -> Vec<&'a str> {
    let start = ir
        .find(&format!("@{symbol}("))
        .expect("the function is defined");
    let body = &ir[start..];
    let body = &body[..body.find("\n}\n").expect("the definition ends")];
    let mut blocks: Vec<(&str, &str)> = Vec::new();
    let mut rest = &body[body.find('\n').unwrap() + 1..];
    let mut name = "entry";
    loop {
        let next = rest.find("\n\n").map(|i| i + 2);
        let text = &rest[..next.unwrap_or(rest.len())];
        let label = text.split(':').next().unwrap_or("").trim();
        if !label.contains(' ') && !label.is_empty() && text.trim_start().starts_with(label) {
            name = label;
        }
        blocks.push((name, text));
        match next {
            Some(i) => rest = &rest[i..],
            None => break,
        }
    }
    let position = |label: &str| blocks.iter().position(|(n, _)| *n == label);
    let mut inside = Vec::new();
    for (i, (_, text)) in blocks.iter().enumerate() {
        for target in text.split("label %").skip(1) {
            let target = target.split([',', ' ', '\n', ']']).next().unwrap();
            if let Some(j) = position(target).filter(|&j| j <= i) {
                inside.extend(blocks[j..=i].iter().map(|(_, t)| *t));
            }
        }
    }
    inside
}

/// `for i in range(n): s += x[i]` over a local array does no reference
/// counting in the loop: `x[i]` is a plain load.
#[test]
fn loops_over_local_arrays_do_not_count_references() {
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let x = fb.local("x", f64c(1));
    let s = fb.local("s", Type::F64);
    let i = fb.local("i", Type::I64);
    let body = vec![
        fb.set(
            x,
            filled(
                vec![fb.p(0)],
                vec![],
                cast(elem_index(0), Scalar::F64),
                f64c(1),
            ),
        ),
        fb.set(s, float(0.0)),
        st(StmtKind::ForRange {
            var: i,
            start: int(0),
            stop: fb.p(0),
            step: int(1),
            body: vec![fb.set(s, add(fb.get(s), index(fb.get(x), vec![fb.get(i)])))],
            orelse: vec![],
            parallel: None,
        }),
        ret(fb.get(s)),
    ];
    let (w, ir) = compile_ir(&[&fb.finish("t_mem_loop", Type::F64, body)]);
    let loops = loop_blocks(&ir, "t_mem_loop");
    assert!(
        loops.iter().any(|b| b.contains("load double")),
        "the summing loop:\n{ir}"
    );
    for b in &loops {
        assert!(
            !b.contains("oxjit_rt_meminfo_incref") && !b.contains("oxjit_rt_meminfo_decref"),
            "counting in a loop:\n{b}"
        );
    }
    assert_eq!(balanced(|| run::<f64>(w, &[arg(&100i64)])).0, Ok(4950.0));
}

/// `first(x, (x := x * 2.0))` and `x + (x := x * 2.0)`: the old value of
/// `x`, borrowed by the first operand, lives until the use ends (`balanced`
/// has malloc scribble over freed blocks of this size).
#[test]
fn reassigning_a_borrowed_local_defers_its_release() {
    let fb = Fb::new(&[("a", f64c(1)), ("b", f64c(1))]);
    let r = ret(add(
        index(fb.p(0), vec![int(0)]),
        index(fb.p(1), vec![int(0)]),
    ));
    let first = fb.finish("t_mem_first", Type::F64, vec![r]);
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let x = fb.local("x", f64c(1));
    let y = fb.local("y", f64c(1));
    let doubled = |fb: &Fb| {
        e(
            ExprKind::SetLocal(
                x,
                Box::new(elementwise(
                    vec![fb.get(x)],
                    mul(input(0, Scalar::F64), float(2.0)),
                    f64c(1),
                )),
            ),
            f64c(1),
        )
    };
    let sum = elementwise(
        vec![fb.get(x), doubled(&fb)],
        add(input(0, Scalar::F64), input(1, Scalar::F64)),
        f64c(1),
    );
    let body = vec![
        fb.set(x, ones(fb.p(0))),
        fb.set(y, sum),
        ret(add(
            call("t_mem_first", vec![fb.get(x), doubled(&fb)], Type::F64),
            index(fb.get(y), vec![int(-1)]),
        )),
    ];
    let w = compile(&[&fb.finish("t_mem_walrus", Type::F64, body), &first]);
    // y = 1 + 2; first(2, 4) = 6.
    let (result, allocated) = balanced(|| run::<f64>(w, &[arg(&1000i64)]));
    assert_eq!((result, allocated), (Ok(9.0), 4));
}
