//! End-to-end tests: inkwell module → optimize → object → global JIT → call.
//!
//! All tests share the process-global JIT, so every symbol name is unique.

use std::time::Instant;

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::targets::{TargetData, TargetTriple};
use inkwell::values::{BasicMetadataValueEnum, BasicValue, BasicValueEnum, FunctionValue};
use inkwell::AddressSpace;
use oxjit_jit::{
    emit_object, has_libmvec, host_target_machine, host_triple_and_layout, jit, optimize, OptLevel,
};

/// Puts the host's triple and data layout on `module`, as codegen does.
fn configure_module(module: &Module) {
    let (triple, layout) = host_triple_and_layout();
    module.set_triple(&TargetTriple::create(&triple));
    module.set_data_layout(&TargetData::create(&layout).get_data_layout());
}

/// Optimises, emits and adds `module`, then looks up `name`.
fn load(module: &Module, name: &str) -> usize {
    optimize(module, OptLevel::O3).unwrap();
    let obj = emit_object(module).unwrap();
    jit().add_object(&obj).unwrap();
    jit().lookup(name).unwrap()
}

/// `define i64 @name(i64 %a, i64 %b) { ret (a + b) }`
fn add_module<'c>(ctx: &'c Context, name: &str) -> Module<'c> {
    let module = ctx.create_module(name);
    configure_module(&module);
    let i64t = ctx.i64_type();
    let f = module.add_function(name, i64t.fn_type(&[i64t.into(), i64t.into()], false), None);
    let b = ctx.create_builder();
    b.position_at_end(ctx.append_basic_block(f, "entry"));
    let a = f.get_nth_param(0).unwrap().into_int_value();
    let c = f.get_nth_param(1).unwrap().into_int_value();
    b.build_return(Some(&b.build_int_add(a, c, "sum").unwrap()))
        .unwrap();
    module
}

#[test]
fn add_two_integers() {
    let ctx = Context::create();
    let module = add_module(&ctx, "oxjit_test_add");
    let addr = load(&module, "oxjit_test_add");
    let f: extern "C" fn(i64, i64) -> i64 = unsafe { std::mem::transmute(addr) };
    assert_eq!(f(40, 2), 42);
    assert_eq!(f(i64::MAX, 1), i64::MIN, "wraps like Numba's int64");
}

#[test]
fn configured_module_uses_host_layout() {
    let ctx = Context::create();
    let module = ctx.create_module("layout");
    configure_module(&module);
    let tm = host_target_machine();
    assert_eq!(module.get_triple(), tm.get_triple());
    assert_eq!(
        module.get_data_layout().as_str(),
        tm.get_target_data().get_data_layout().as_str()
    );
}

#[test]
fn invalid_ir_is_an_error_not_a_crash() {
    let ctx = Context::create();
    let module = ctx.create_module("invalid");
    configure_module(&module);
    let f = module.add_function(
        "oxjit_test_invalid",
        ctx.i64_type().fn_type(&[], false),
        None,
    );
    ctx.append_basic_block(f, "entry"); // no terminator
    let err = optimize(&module, OptLevel::O3).unwrap_err();
    assert!(err.contains("invalid LLVM IR"), "{err}");
}

/// Ulps between two finite doubles of the same sign region.
fn ulp_distance(a: f64, b: f64) -> u64 {
    let key = |x: f64| {
        let bits = x.to_bits() as i64;
        if bits < 0 {
            i64::MIN - bits
        } else {
            bits
        }
    };
    key(a).abs_diff(key(b))
}

/// The scalar→vector mapping that LLVM 19's loop vectoriser accepts for a
/// libmvec function: VFABI mangled name (`d` = AVX2, `N` = unmasked, `4`
/// lanes, `v` = one vector argument), then the symbol in parentheses.
const TANH_VARIANT: &str = "_ZGVdN4v_tanh(_ZGVdN4v_tanh)";

/// `void @oxjit_test_vtanh(ptr %out, ptr %in, i64 %n)`: out[i] = tanh(in[i]).
fn vtanh_module<'c>(ctx: &'c Context) -> Module<'c> {
    let module = ctx.create_module("vtanh");
    configure_module(&module);
    let f64t = ctx.f64_type();
    let i64t = ctx.i64_type();
    let ptr = ctx.ptr_type(AddressSpace::default());

    let attr = |name: &str| ctx.create_enum_attribute(Attribute::get_named_enum_kind_id(name), 0);
    // `memory(none)` is the int attribute `memory` with value 0 (no effects).
    let tanh = module.add_function("tanh", f64t.fn_type(&[f64t.into()], false), None);
    for a in ["memory", "nounwind", "willreturn"] {
        tanh.add_attribute(AttributeLoc::Function, attr(a));
    }
    let v4 = f64t.vec_type(4);
    let vtanh = module.add_function("_ZGVdN4v_tanh", v4.fn_type(&[v4.into()], false), None);
    // Keeps the otherwise unused declaration alive until the vectoriser
    // looks for it.
    let used = module.add_global(ptr.array_type(1), None, "llvm.compiler.used");
    used.set_linkage(Linkage::Appending);
    used.set_section(Some("llvm.metadata"));
    used.set_initializer(&ptr.const_array(&[vtanh.as_global_value().as_pointer_value()]));

    let f = module.add_function(
        "oxjit_test_vtanh",
        ctx.void_type()
            .fn_type(&[ptr.into(), ptr.into(), i64t.into()], false),
        None,
    );
    let out = f.get_nth_param(0).unwrap().into_pointer_value();
    let inp = f.get_nth_param(1).unwrap().into_pointer_value();
    let n = f.get_nth_param(2).unwrap().into_int_value();
    let entry = ctx.append_basic_block(f, "entry");
    let body = ctx.append_basic_block(f, "loop");
    let exit = ctx.append_basic_block(f, "exit");
    let b = ctx.create_builder();

    b.position_at_end(entry);
    let nonempty = b
        .build_int_compare(inkwell::IntPredicate::SGT, n, i64t.const_zero(), "nonempty")
        .unwrap();
    b.build_conditional_branch(nonempty, body, exit).unwrap();

    b.position_at_end(body);
    let i = b.build_phi(i64t, "i").unwrap();
    let iv = i.as_basic_value().into_int_value();
    let src = unsafe { b.build_in_bounds_gep(f64t, inp, &[iv], "src") }.unwrap();
    let x = b.build_load(f64t, src, "x").unwrap();
    let call = b.build_direct_call(tanh, &[x.into()], "y").unwrap();
    call.add_attribute(
        AttributeLoc::Function,
        ctx.create_string_attribute("vector-function-abi-variant", TANH_VARIANT),
    );
    let y = call.try_as_basic_value().basic().unwrap();
    let dst = unsafe { b.build_in_bounds_gep(f64t, out, &[iv], "dst") }.unwrap();
    b.build_store(dst, y).unwrap();
    let next = b
        .build_int_nsw_add(iv, i64t.const_int(1, false), "next")
        .unwrap();
    let done = b
        .build_int_compare(inkwell::IntPredicate::EQ, next, n, "done")
        .unwrap();
    b.build_conditional_branch(done, exit, body).unwrap();
    i.add_incoming(&[(&i64t.const_zero(), entry), (&next, body)]);

    b.position_at_end(exit);
    b.build_return(None).unwrap();
    module
}

#[test]
fn libmvec_vector_variant_is_used_and_accurate() {
    let host_has_avx2 = host_target_machine()
        .get_feature_string()
        .to_string_lossy()
        .split(',')
        .any(|f| f == "+avx2");
    if !host_has_avx2 || !has_libmvec() {
        eprintln!("skipped: needs AVX2 and libmvec.so.1");
        return;
    }
    let ctx = Context::create();
    let module = vtanh_module(&ctx);
    optimize(&module, OptLevel::O3).unwrap();
    let ir = module.print_to_string().to_string();
    assert!(
        ir.lines()
            .any(|l| l.contains("call") && l.contains("<4 x double> @_ZGVdN4v_tanh(")),
        "vector variant not called after O3:\n{ir}"
    );
    let obj = emit_object(&module).unwrap();
    jit().add_object(&obj).unwrap();
    let addr = jit().lookup("oxjit_test_vtanh").unwrap();
    let vtanh: extern "C" fn(*mut f64, *const f64, i64) = unsafe { std::mem::transmute(addr) };

    // 1003: not a multiple of the vector width, so the scalar tail runs too.
    let input: Vec<f64> = (0..1003).map(|k| (k as f64 - 501.0) * 0.0271).collect();
    let mut output = vec![0.0; input.len()];
    vtanh(output.as_mut_ptr(), input.as_ptr(), input.len() as i64);
    for (x, y) in input.iter().zip(&output) {
        let want = x.tanh();
        assert!(
            ulp_distance(*y, want) <= 4,
            "tanh({x}) = {y}, libm says {want}"
        );
    }
}

#[test]
fn compiled_code_calls_runtime_symbols() {
    let ctx = Context::create();
    let module = ctx.create_module("rt");
    configure_module(&module);
    let i64t = ctx.i64_type();
    let ptr = ctx.ptr_type(AddressSpace::default());
    let alloc = module.add_function(
        "oxjit_rt_meminfo_alloc",
        ptr.fn_type(&[i64t.into(), i64t.into()], false),
        None,
    );
    let data = module.add_function(
        "oxjit_rt_meminfo_data",
        ptr.fn_type(&[ptr.into()], false),
        None,
    );
    let decref = module.add_function(
        "oxjit_rt_meminfo_decref",
        ctx.void_type().fn_type(&[ptr.into()], false),
        None,
    );
    let lgamma = module.add_function(
        "oxjit_rt_lgamma",
        ctx.f64_type().fn_type(&[ctx.f64_type().into()], false),
        None,
    );
    // i64 f(i64 v): store v in a fresh allocation, read it back, free, and
    // add lgamma(1.0) (= 0) converted to an integer.
    let f = module.add_function("oxjit_test_rt", i64t.fn_type(&[i64t.into()], false), None);
    let b = ctx.create_builder();
    b.position_at_end(ctx.append_basic_block(f, "entry"));
    let v = f.get_nth_param(0).unwrap().into_int_value();
    fn call<'c>(
        b: &Builder<'c>,
        func: FunctionValue<'c>,
        args: &[BasicMetadataValueEnum<'c>],
    ) -> Option<BasicValueEnum<'c>> {
        b.build_direct_call(func, args, "")
            .unwrap()
            .try_as_basic_value()
            .basic()
    }
    let mi = call(
        &b,
        alloc,
        &[
            i64t.const_int(8, false).into(),
            i64t.const_int(32, false).into(),
        ],
    )
    .unwrap();
    let p = call(&b, data, &[mi.into()]).unwrap().into_pointer_value();
    // Volatile so the optimiser keeps the round trip through the buffer.
    b.build_store(p, v).unwrap().set_volatile(true).unwrap();
    let back = b.build_load(i64t, p, "back").unwrap();
    back.as_instruction_value()
        .unwrap()
        .set_volatile(true)
        .unwrap();
    call(&b, decref, &[mi.into()]);
    let g = call(&b, lgamma, &[ctx.f64_type().const_float(1.0).into()])
        .unwrap()
        .into_float_value();
    let gi = b.build_float_to_signed_int(g, i64t, "gi").unwrap();
    b.build_return(Some(
        &b.build_int_add(back.into_int_value(), gi, "r").unwrap(),
    ))
    .unwrap();

    let addr = load(&module, "oxjit_test_rt");
    let f: extern "C" fn(i64) -> i64 = unsafe { std::mem::transmute(addr) };
    let before = oxjit_runtime::memory::stats();
    assert_eq!(f(1234), 1234);
    let after = oxjit_runtime::memory::stats();
    assert!(after.meminfo_allocs > before.meminfo_allocs);
    assert!(after.meminfo_frees > before.meminfo_frees);
}

#[test]
fn second_object_calls_first() {
    let ctx = Context::create();
    let i64t = ctx.i64_type();
    let first = add_module(&ctx, "oxjit_test_callee");
    let obj = {
        optimize(&first, OptLevel::O3).unwrap();
        emit_object(&first).unwrap()
    };
    jit().add_object(&obj).unwrap();

    let second = ctx.create_module("caller");
    configure_module(&second);
    let fty = i64t.fn_type(&[i64t.into(), i64t.into()], false);
    let callee = second.add_function("oxjit_test_callee", fty, None);
    let f = second.add_function(
        "oxjit_test_caller",
        i64t.fn_type(&[i64t.into()], false),
        None,
    );
    let b = ctx.create_builder();
    b.position_at_end(ctx.append_basic_block(f, "entry"));
    let x = f.get_nth_param(0).unwrap().into_int_value();
    let r = b
        .build_direct_call(callee, &[x.into(), x.into()], "r")
        .unwrap();
    b.build_return(Some(&r.try_as_basic_value().basic().unwrap()))
        .unwrap();
    let addr = load(&second, "oxjit_test_caller");
    let f: extern "C" fn(i64) -> i64 = unsafe { std::mem::transmute(addr) };
    assert_eq!(f(21), 42);

    // Defining the same symbol again is refused, not silently shadowed.
    let dup = add_module(&ctx, "oxjit_test_callee");
    let err = jit().add_object(&emit_object(&dup).unwrap()).unwrap_err();
    assert!(err.contains("oxjit_test_callee"), "{err}");
}

#[test]
fn unresolved_symbols_are_errors() {
    assert!(jit().lookup("oxjit_test_never_defined").is_err());

    let ctx = Context::create();
    let module = ctx.create_module("dangling");
    configure_module(&module);
    let i64t = ctx.i64_type();
    let missing = module.add_function("oxjit_test_missing_callee", i64t.fn_type(&[], false), None);
    let f = module.add_function("oxjit_test_dangling", i64t.fn_type(&[], false), None);
    let b = ctx.create_builder();
    b.position_at_end(ctx.append_basic_block(f, "entry"));
    let r = b.build_direct_call(missing, &[], "r").unwrap();
    b.build_return(Some(&r.try_as_basic_value().basic().unwrap()))
        .unwrap();
    optimize(&module, OptLevel::O3).unwrap();
    jit().add_object(&emit_object(&module).unwrap()).unwrap();
    let err = jit().lookup("oxjit_test_dangling").unwrap_err();
    assert!(err.contains("oxjit_test_missing_callee"), "{err}");
}

#[test]
fn timing_of_a_tiny_function() {
    let _ = jit(); // exclude one-time JIT creation
    let t = Instant::now();
    drop(host_target_machine());
    let tm_time = t.elapsed();

    let ctx = Context::create();
    for (round, name) in ["oxjit_test_timing_a", "oxjit_test_timing_b"]
        .iter()
        .enumerate()
    {
        let t0 = Instant::now();
        let module = add_module(&ctx, name);
        let t1 = Instant::now();
        optimize(&module, OptLevel::O3).unwrap();
        let t2 = Instant::now();
        let obj = emit_object(&module).unwrap();
        let t3 = Instant::now();
        jit().add_object(&obj).unwrap();
        jit().lookup(name).unwrap();
        let t4 = Instant::now();
        eprintln!(
            "round {round}: build {:?}, O3 {:?}, emit {:?}, add+lookup {:?}, total {:?} \
             (target machine {tm_time:?})",
            t1 - t0,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            t4 - t0
        );
    }
}

#[test]
fn compiles_concurrently_from_several_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<oxjit_jit::Jit>();

    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                for k in 0..3 {
                    let name = format!("oxjit_test_thread_{t}_{k}");
                    let ctx = Context::create();
                    let module = add_module(&ctx, &name);
                    let f: extern "C" fn(i64, i64) -> i64 =
                        unsafe { std::mem::transmute(load(&module, &name)) };
                    assert_eq!(f(t, k), t + k);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
