//! Control flow: `range` loops with any step, `break`/`continue`/`else`,
//! `while`, and compile time of a small function.

use std::time::Instant;

use oxjit_tir::oxjit_types::{Scalar, Type};
use oxjit_tir::{BinOp, CmpOp, ConstValue, StmtKind};

use crate::support::*;

/// Python's `range(start, stop, step)`.
fn py_range(start: i128, stop: i128, step: i128) -> Vec<i128> {
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0 && x < stop) || (step < 0 && x > stop) {
        out.push(x);
        x += step;
    }
    out
}

/// `v = 99; for v in range(start, stop, step): total += v; count += 1`,
/// returning `(total, v, count)`: trip counts (including zero trips and
/// ranges spanning the whole type), negative steps, and `v` after the loop.
#[test]
fn range_loops_follow_python() {
    let grids: [(Scalar, Vec<i128>, Vec<i128>); 3] = [
        (Scalar::I64, vec![-10, -3, 0, 5, 10], vec![-3, -1, 1, 2, 7]),
        (
            Scalar::I8,
            vec![-128, -1, 0, 5, 127],
            vec![-128, -3, 1, 100, 127],
        ),
        (Scalar::U8, vec![0, 3, 250, 255], vec![1, 3, 255]),
    ];
    for (s, bounds, steps) in grids {
        let t = scalar(s);
        let mut fb = Fb::new(&[
            ("start", t.clone()),
            ("stop", t.clone()),
            ("step", t.clone()),
        ]);
        let v = fb.local("v", t.clone());
        let total = fb.local("total", t.clone());
        let count = fb.local("count", Type::I64);
        let body = vec![
            fb.set(total, bin(BinOp::Add, fb.get(total), fb.get(v))),
            fb.set(count, bin(BinOp::Add, fb.get(count), int(1))),
        ];
        let result = tuple(vec![fb.get(total), fb.get(v), fb.get(count)]);
        let ret_ty = result.ty.clone();
        let stmts = vec![
            fb.set(v, cnst(ConstValue::Int(99), t.clone())),
            st(StmtKind::ForRange {
                var: v,
                start: fb.p(0),
                stop: fb.p(1),
                step: fb.p(2),
                body,
                orelse: vec![],
                parallel: None,
            }),
            ret(result),
        ];
        let f = fb.finish(&format!("t_range_{s}"), ret_ty.clone(), stmts);
        let w = compile(&[&f]);
        let Type::Tuple(items) = &ret_ty else {
            unreachable!()
        };
        let offsets = Type::field_offsets(items);

        let (min, max) = int_range(s);
        let mut cases: Vec<(i128, i128, i128)> = Vec::new();
        for &a in &bounds {
            for &b in &bounds {
                cases.extend(steps.iter().map(|&c| (a, b, c)));
            }
        }
        // Ranges over the whole type, whose length does not fit it signed.
        let big = max / 3 + 1;
        cases.extend([
            (min, max, big),
            (max, min, -big),
            (min, max, max),
            (max, min, min),
        ]);
        if s.bits() <= 16 {
            cases.extend([(min, max, 1), (max, min, -1)]);
        }
        let cases = cases
            .into_iter()
            .filter(|&(_, _, c)| (min..=max).contains(&c) && c != 0);
        for (a, b, c) in cases {
            let out: [u8; 24] = run(
                w,
                &[encode(a).as_ptr(), encode(b).as_ptr(), encode(c).as_ptr()],
            )
            .unwrap();
            let values = py_range(a, b, c);
            let want_total = values.iter().fold(0, |acc, x| wrap(acc + x, s));
            let want = (
                want_total,
                *values.last().unwrap_or(&99),
                values.len() as i128,
            );
            let got = (
                decode(&out[offsets[0]..], s),
                decode(&out[offsets[1]..], s),
                decode(&out[offsets[2]..], Scalar::I64),
            );
            assert_eq!(got, want, "{s}: range({a}, {b}, {c})");
        }
    }
}

/// `for i in range(n): if i == k: break / else: found = 1`, plus a nested
/// loop whose inner `break` leaves only the inner loop.
#[test]
fn break_skips_the_else_clause() {
    let mut fb = Fb::new(&[("n", Type::I64), ("k", Type::I64)]);
    let (i, j) = (fb.local("i", Type::I64), fb.local("j", Type::I64));
    let (found, pairs) = (fb.local("found", Type::I64), fb.local("pairs", Type::I64));
    let range = |var, stop, body, orelse| {
        st(StmtKind::ForRange {
            var,
            start: int(0),
            stop,
            step: int(1),
            body,
            orelse,
            parallel: None,
        })
    };
    let inner = range(
        j,
        fb.p(0),
        vec![
            if_(
                cmp(CmpOp::Eq, fb.get(j), fb.get(i)),
                vec![st(StmtKind::Break)],
                vec![],
            ),
            fb.set(pairs, bin(BinOp::Add, fb.get(pairs), int(1))),
        ],
        vec![],
    );
    let stmts = vec![
        fb.set(i, int(-1)),
        range(
            i,
            fb.p(0),
            vec![if_(
                cmp(CmpOp::Eq, fb.get(i), fb.p(1)),
                vec![st(StmtKind::Break)],
                vec![],
            )],
            vec![fb.set(found, int(1))],
        ),
        range(i, fb.p(0), vec![inner], vec![]),
        ret(tuple(vec![fb.get(found), fb.get(pairs)])),
    ];
    let f = fb.finish("t_break_else", Type::Tuple(vec![Type::I64; 2]), stmts);
    let w = compile(&[&f]);
    for (n, k, found) in [(5i64, 2i64, 0i64), (5, 9, 1), (0, 0, 1), (3, 2, 0)] {
        let got: [i64; 2] = run(w, &[arg(&n), arg(&k)]).unwrap();
        assert_eq!(got, [found, n * (n - 1) / 2], "n={n} k={k}");
    }
}

/// `while i < n: i += 1; if i % 2 == 0: continue; s += i; if s > limit: break
/// / else: s = -s`.
#[test]
fn while_with_continue_break_and_else() {
    let mut fb = Fb::new(&[("n", Type::I64), ("limit", Type::I64)]);
    let (i, s) = (fb.local("i", Type::I64), fb.local("s", Type::I64));
    let body = vec![
        fb.set(i, bin(BinOp::Add, fb.get(i), int(1))),
        if_(
            cmp(CmpOp::Eq, bin(BinOp::Mod, fb.get(i), int(2)), int(0)),
            vec![st(StmtKind::Continue)],
            vec![],
        ),
        fb.set(s, bin(BinOp::Add, fb.get(s), fb.get(i))),
        if_(
            cmp(CmpOp::Gt, fb.get(s), fb.p(1)),
            vec![st(StmtKind::Break)],
            vec![],
        ),
    ];
    let stmts = vec![
        st(StmtKind::While {
            cond: cmp(CmpOp::Lt, fb.get(i), fb.p(0)),
            body,
            orelse: vec![fb.set(s, bin(BinOp::Sub, int(0), fb.get(s)))],
        }),
        ret(fb.get(s)),
    ];
    let f = fb.finish("t_while", Type::I64, stmts);
    let w = compile(&[&f]);
    let reference = |n: i64, limit: i64| {
        let (mut i, mut s) = (0, 0);
        while i < n {
            i += 1;
            if i % 2 == 0 {
                continue;
            }
            s += i;
            if s > limit {
                return s;
            }
        }
        -s
    };
    for (n, limit) in [(0, 100), (10, 100), (10, 10), (1000, 500)] {
        assert_eq!(
            run::<i64>(w, &[arg(&n), arg(&limit)]),
            Ok(reference(n, limit)),
            "n={n} limit={limit}"
        );
    }
}

/// Prints what emitting, optimising and assembling a small function costs.
#[test]
fn collatz_compile_time() {
    let mut fb = Fb::new(&[("n", Type::I64)]);
    let n = oxjit_tir::LocalId(0);
    let steps = fb.local("steps", Type::I64);
    let body = vec![
        if_(
            cmp(CmpOp::Eq, bin(BinOp::Mod, fb.get(n), int(2)), int(0)),
            vec![fb.set(n, bin(BinOp::FloorDiv, fb.get(n), int(2)))],
            vec![fb.set(
                n,
                bin(BinOp::Add, bin(BinOp::Mul, int(3), fb.get(n)), int(1)),
            )],
        ),
        fb.set(steps, bin(BinOp::Add, fb.get(steps), int(1))),
    ];
    let stmts = vec![
        st(StmtKind::While {
            cond: cmp(CmpOp::Ne, fb.get(n), int(1)),
            body,
            orelse: vec![],
        }),
        ret(fb.get(steps)),
    ];
    let f = fb.finish("t_collatz", Type::I64, stmts);

    let ctx = inkwell::context::Context::create();
    let t0 = Instant::now();
    let module = oxjit_codegen::emit_module(&ctx, &crate::support::target(), &[&f], 0).unwrap();
    let t1 = Instant::now();
    oxjit_jit::optimize(&module, oxjit_jit::OptLevel::O3).unwrap();
    let t2 = Instant::now();
    let obj = oxjit_jit::emit_object(&module).unwrap();
    let t3 = Instant::now();
    eprintln!(
        "collatz: emit {:?}, optimize O3 {:?}, object {:?}, total {:?}",
        t1 - t0,
        t2 - t1,
        t3 - t2,
        t3 - t0
    );
    oxjit_jit::jit().add_object(&obj).unwrap();
    let addr = oxjit_jit::jit()
        .lookup(&oxjit_codegen::wrapper_symbol("t_collatz"))
        .unwrap();
    // SAFETY: the wrapper's C signature.
    let w = unsafe { std::mem::transmute::<usize, Wrapper>(addr) };
    assert_eq!(run::<i64>(w, &[arg(&27i64)]), Ok(111));
}
