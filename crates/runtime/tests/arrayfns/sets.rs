use std::collections::HashSet;

use crate::testing::{balanced, call, message, reference, scalar, tuple, Ty};
use oxjit_abi::desc::tag;
use oxjit_runtime::arrayfns::*;
use oxjit_runtime::list::List;
use oxjit_runtime::memory::{oxjit_rt_meminfo_decref, MemInfo};
use oxjit_runtime::set::Set;
use oxjit_runtime::str::Str;

fn str_ty() -> Ty {
    Ty(vec![tag::STR])
}

fn set_ty(item: &Ty) -> Ty {
    Ty([&[tag::SET][..], &item.0].concat())
}

fn release(mi: *mut MemInfo) {
    // SAFETY: the test owns the reference.
    unsafe { oxjit_rt_meminfo_decref(mi) }
}

/// Calls `f` with a new str holding `t`, then releases it.
fn with_str<R>(t: &str, f: impl FnOnce(&crate::testing::Arg) -> R) -> R {
    let s = Str::new(t).unwrap();
    let r = f(&reference(s.meminfo(), str_ty()));
    release(s.meminfo());
    r
}

/// `{texts...}`, through `set_new`.
fn str_set(texts: &[&str]) -> *mut MemInfo {
    let strs: Vec<Str> = texts.iter().map(|t| Str::new(t).unwrap()).collect();
    let items = tuple(
        strs.iter()
            .map(|s| reference(s.meminfo(), str_ty()))
            .collect(),
    );
    let s = call(
        oxjit_rt_af_set_new,
        &[&items, &scalar(0i64)],
        set_ty(&str_ty()),
    )
    .unwrap()
    .reference();
    // The set holds its own references.
    strs.into_iter().for_each(|s| release(s.meminfo()));
    s
}

/// The items of a set of strs, through `set_list`.
fn texts(s: *mut MemInfo) -> Vec<String> {
    let list_ty = Ty(vec![tag::LIST, tag::STR]);
    let l = call(oxjit_rt_af_set_list, &[&set_arg(s)], list_ty)
        .unwrap()
        .reference();
    // SAFETY: a list of strs.
    let l = unsafe { List::from_meminfo(l) };
    let out = (0..l.len())
        .map(|i| unsafe { Str::from_meminfo(l.at(i).cast::<*mut MemInfo>().read()) })
        .map(|s| s.as_str().to_string())
        .collect();
    release(l.meminfo());
    out
}

fn set_arg(s: *mut MemInfo) -> crate::testing::Arg {
    reference(s, set_ty(&str_ty()))
}

fn len(s: *mut MemInfo) -> usize {
    // SAFETY: a live set.
    unsafe { Set::from_meminfo(s).len() }
}

fn bool_ty() -> Ty {
    Ty::scalar(b'?')
}

/// Python's loop over `s`: `set_iterating` and `set_entry` per item.
fn walk(s: *mut MemInfo) -> Result<Vec<String>, String> {
    let n = len(s) as i64;
    let mut out = Vec::new();
    for pos in 0.. {
        let more = call(
            oxjit_rt_af_set_iterating,
            &[&set_arg(s), &scalar(pos), &scalar(n)],
            bool_ty(),
        )
        .map_err(message)?;
        if more.scalar::<Bool>() == Bool(0) {
            break;
        }
        let item = call(
            oxjit_rt_af_set_entry,
            &[&set_arg(s), &scalar(pos)],
            str_ty(),
        )
        .unwrap()
        .reference();
        // SAFETY: the loop's item, with its own reference.
        out.push(unsafe { Str::from_meminfo(item) }.as_str().to_string());
        release(item);
    }
    Ok(out)
}

#[test]
fn str_sets_through_the_abi_free_everything() {
    balanced(|| {
        let s = str_set(&["a", "b", "c", "wörd", "b"]);
        assert_eq!(len(s), 4);
        let contains = |t: &str| {
            with_str(t, |x| {
                call(oxjit_rt_af_set_contains, &[&set_arg(s), x], bool_ty())
                    .unwrap()
                    .scalar::<Bool>()
            })
        };
        assert_eq!((contains("b"), contains("z")), (Bool(1), Bool(0)));
        let unit = Ty(vec![tag::NONE]);
        let step = |f: oxjit_runtime::abi::ArrayFn, t: &str| {
            with_str(t, |x| call(f, &[&set_arg(s), x], unit.clone()).map(|_| ()))
        };
        step(oxjit_rt_af_set_add, "z").unwrap();
        step(oxjit_rt_af_set_discard, "nope").unwrap();
        step(oxjit_rt_af_set_remove, "a").unwrap();
        assert_eq!(
            step(oxjit_rt_af_set_remove, "a").map_err(message),
            Err("KeyError: a".into())
        );
        assert_eq!(len(s), 4);
        let all = texts(s);
        assert_eq!(walk(s), Ok(all.clone()));
        let popped = call(oxjit_rt_af_set_pop, &[&set_arg(s)], str_ty())
            .unwrap()
            .reference();
        // SAFETY: the popped item, with its reference.
        assert!(all.contains(&unsafe { Str::from_meminfo(popped) }.as_str().to_string()));
        release(popped);
        // A loop whose set changes size.
        let n = len(s) as i64;
        step(oxjit_rt_af_set_add, "new").unwrap();
        let r = call(
            oxjit_rt_af_set_iterating,
            &[&set_arg(s), &scalar(0i64), &scalar(n)],
            bool_ty(),
        );
        assert_eq!(
            r.map(|_| ()).map_err(message),
            Err("RuntimeError: Set changed size during iteration".into())
        );

        let t = str_set(&["b", "c", "x", "new"]);
        let (sa, ta) = (set_arg(s), set_arg(t));
        let mut results = Vec::new();
        for op in 0..4i64 {
            let r = call(
                oxjit_rt_af_set_op,
                &[&sa, &ta, &scalar(op)],
                set_ty(&str_ty()),
            )
            .unwrap()
            .reference();
            results.push(len(r));
            release(r);
            let c = call(oxjit_rt_af_set_copy, &[&sa], set_ty(&str_ty()))
                .unwrap()
                .reference();
            call(
                oxjit_rt_af_set_op_update,
                &[&set_arg(c), &ta, &scalar(op)],
                unit.clone(),
            )
            .unwrap();
            results.push(len(c));
            release(c);
            let cmp = call(oxjit_rt_af_set_compare, &[&sa, &ta, &scalar(op)], bool_ty())
                .unwrap()
                .scalar::<Bool>();
            results.push(cmp.0 as usize);
        }
        // The sizes and truths Python's operators give on the same items.
        let (x, y): (HashSet<String>, HashSet<String>) = (
            texts(s).into_iter().collect(),
            texts(t).into_iter().collect(),
        );
        let sizes = [
            x.union(&y).count(),
            x.intersection(&y).count(),
            x.difference(&y).count(),
            x.symmetric_difference(&y).count(),
        ];
        let truths = [
            x == y,
            x.is_subset(&y),
            x.is_subset(&y) && x != y,
            x.is_disjoint(&y),
        ];
        let want: Vec<usize> = (0..4)
            .flat_map(|k| [sizes[k], sizes[k], truths[k] as usize])
            .collect();
        assert_eq!(results, want);
        call(oxjit_rt_af_set_clear, &[&sa], unit.clone()).unwrap();
        assert_eq!(
            call(oxjit_rt_af_set_pop, &[&sa], str_ty())
                .map(|_| ())
                .map_err(message),
            Err("KeyError: pop from an empty set".into())
        );
        release(s);
        release(t);
    });
}

#[test]
fn number_sets_through_the_abi_keep_pythons_order() {
    balanced(|| {
        let int = Ty::scalar(b'q');
        // A display of constants goes through a frozenset, as CPython's:
        // python3 -c 'print(list({1, 2, 3, 4, 16}))'
        let items = tuple([1i64, 2, 3, 4, 16].map(scalar).into());
        let s = call(oxjit_rt_af_set_new, &[&items, &scalar(1i64)], set_ty(&int))
            .unwrap()
            .reference();
        let set = unsafe { oxjit_runtime::set::Set::from_meminfo(s) };
        let got: Vec<i64> = set
            .iter()
            .map(|p| unsafe { p.cast::<i64>().read() })
            .collect();
        assert_eq!(got, [16, 1, 2, 3, 4]);
        release(s);
        let items = tuple([16i64, 3, 1, 2, 3, -1].map(scalar).into());
        let s = call(oxjit_rt_af_set_new, &[&items, &scalar(0i64)], set_ty(&int))
            .unwrap()
            .reference();
        let list_ty = Ty(vec![tag::LIST, tag::SCALAR, b'q' as u64]);
        let l = call(
            oxjit_rt_af_set_list,
            &[&reference(s, set_ty(&int))],
            list_ty,
        )
        .unwrap()
        .reference();
        // SAFETY: a list of int64s.
        let l = unsafe { List::from_meminfo(l) };
        let got: Vec<i64> = (0..l.len())
            .map(|i| unsafe { l.at(i).cast::<i64>().read() })
            .collect();
        // python3 -c 's = set(); [s.add(x) for x in (16, 3, 1, 2, 3, -1)]; print(list(s))'
        assert_eq!(got, [1, 2, 3, 16, -1]);
        release(l.meminfo());
        let e = call(
            oxjit_rt_af_set_entry,
            &[&reference(s, set_ty(&int)), &scalar(4i64)],
            int.clone(),
        );
        assert_eq!(e.unwrap().scalar::<i64>(), -1);
        let e = call(
            oxjit_rt_af_set_entry,
            &[&reference(s, set_ty(&int)), &scalar(5i64)],
            int.clone(),
        );
        assert_eq!(
            e.map(|_| ()).map_err(message),
            Err("RuntimeError: Set changed size during iteration".into())
        );
        release(s);
        // Every operation on small and larger sets, then clear: nothing
        // leaks (the balance check).
        let unit = Ty(vec![tag::NONE]);
        let of = |n: i64, step: i64| {
            let items = tuple((0..n).map(|k| scalar(k * step)).collect());
            let s = call(oxjit_rt_af_set_new, &[&items, &scalar(0i64)], set_ty(&int)).unwrap();
            reference(s.reference(), set_ty(&int))
        };
        for (n, m) in [(0, 3), (3, 0), (3, 40), (40, 3), (100, 100)] {
            let (a, b) = (of(n, 3), of(m, 2));
            for op in 0..4i64 {
                let r = call(oxjit_rt_af_set_op, &[&a, &b, &scalar(op)], set_ty(&int)).unwrap();
                release(r.reference());
                let c = call(oxjit_rt_af_set_copy, &[&a], set_ty(&int)).unwrap();
                let c = reference(c.reference(), set_ty(&int));
                call(
                    oxjit_rt_af_set_op_update,
                    &[&c, &b, &scalar(op)],
                    unit.clone(),
                )
                .unwrap();
                call(oxjit_rt_af_set_clear, &[&c], unit.clone()).unwrap();
                release(c.reference_arg());
            }
            call(
                oxjit_rt_af_set_op_update,
                &[&a, &a, &scalar(1i64)],
                unit.clone(),
            )
            .unwrap();
            release(a.reference_arg());
            release(b.reference_arg());
        }
    });
}
