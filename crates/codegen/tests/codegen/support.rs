//! Typed-IR construction shorthands, the compile-and-call harness, array
//! arguments and results in memory form, and the allocation-balance check.

use std::mem::MaybeUninit;
use std::sync::Mutex;

use oxjit_codegen::{emit_module, wrapper_symbol, Target};
use oxjit_diag::Span;
use oxjit_runtime::memory::{oxjit_rt_meminfo_decref, stats, MemInfo};
use oxjit_tir::oxjit_types::{ArrayType, Layout, Scalar, Type};
use oxjit_tir::*;

pub fn e(kind: ExprKind, ty: Type) -> Expr {
    Expr::new(kind, ty, Span::default())
}

pub fn st(kind: StmtKind) -> Stmt {
    Stmt {
        kind,
        span: Span::default(),
    }
}

pub fn int(v: i64) -> Expr {
    e(ExprKind::Const(ConstValue::Int(v)), Type::I64)
}

pub fn cnst(c: ConstValue, ty: Type) -> Expr {
    e(ExprKind::Const(c), ty)
}

pub fn scalar(s: Scalar) -> Type {
    Type::Scalar(s)
}

/// `a op b` with `a`'s type.
pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    e(ExprKind::Binary(op, Box::new(a), Box::new(b)), ty)
}

pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    e(ExprKind::Compare(op, Box::new(a), Box::new(b)), Type::BOOL)
}

pub fn cast(x: Expr, to: Scalar) -> Expr {
    e(ExprKind::Cast(Box::new(x)), Type::Scalar(to))
}

pub fn intrinsic(i: Intrinsic, args: Vec<Expr>, ty: Type) -> Expr {
    e(ExprKind::Call(i, args), ty)
}

pub fn tuple(items: Vec<Expr>) -> Expr {
    let ty = Type::Tuple(items.iter().map(|x| x.ty.clone()).collect());
    e(ExprKind::Tuple(items), ty)
}

pub fn call(symbol: &str, args: Vec<Expr>, ty: Type) -> Expr {
    e(
        ExprKind::CallFunc {
            symbol: symbol.into(),
            args,
        },
        ty,
    )
}

pub fn arr(dtype: Scalar, ndim: u8, layout: Layout) -> Type {
    Type::Array(ArrayType::new(dtype, ndim, layout))
}

pub fn f64c(ndim: u8) -> Type {
    arr(Scalar::F64, ndim, Layout::C)
}

pub fn float(x: f64) -> Expr {
    cnst(ConstValue::Float(x), Type::F64)
}

pub fn input(k: usize, s: Scalar) -> Expr {
    e(ExprKind::ElemInput(k), Type::Scalar(s))
}

pub fn elem_index(d: usize) -> Expr {
    e(ExprKind::ElemIndex(d), Type::I64)
}

/// A new array of type `ty` computing `body` over `inputs`.
pub fn elementwise(inputs: Vec<Expr>, body: Expr, ty: Type) -> Expr {
    e(
        ExprKind::Elementwise {
            inputs,
            body: Box::new(body),
            shape: None,
            out: None,
        },
        ty,
    )
}

/// A new array of type `ty` and the given extents.
pub fn filled(shape: Vec<Expr>, inputs: Vec<Expr>, body: Expr, ty: Type) -> Expr {
    e(
        ExprKind::Elementwise {
            inputs,
            body: Box::new(body),
            shape: Some(shape),
            out: None,
        },
        ty,
    )
}

/// `body` over `inputs` written into `out`.
pub fn write_into(out: Expr, inputs: Vec<Expr>, body: Expr) -> Expr {
    e(
        ExprKind::Elementwise {
            inputs,
            body: Box::new(body),
            shape: None,
            out: Some(Box::new(out)),
        },
        Type::None,
    )
}

pub fn view(array: Expr, dims: Vec<ViewDim>, ty: Type) -> Expr {
    e(
        ExprKind::View {
            array: Box::new(array),
            dims,
            boundscheck: true,
        },
        ty,
    )
}

pub fn slice(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> ViewDim {
    ViewDim::Slice {
        start: start.map(int),
        stop: stop.map(int),
        step: step.map(int),
    }
}

pub fn index(array: Expr, indices: Vec<Expr>) -> Expr {
    let ty = Type::Scalar(array.ty.array().expect("an array").dtype);
    e(
        ExprKind::Index {
            array: Box::new(array),
            indices,
            boundscheck: true,
        },
        ty,
    )
}

pub fn ret(x: Expr) -> Stmt {
    st(StmtKind::Return(x))
}

pub fn if_(cond: Expr, then: Vec<Stmt>, orelse: Vec<Stmt>) -> Stmt {
    st(StmtKind::If { cond, then, orelse })
}

/// Builds a function's locals; parameters first.
pub struct Fb {
    locals: Vec<Local>,
    nparams: usize,
}

impl Fb {
    pub fn new(params: &[(&str, Type)]) -> Fb {
        let locals = params
            .iter()
            .map(|(n, t)| Local {
                name: n.to_string(),
                ty: t.clone(),
            })
            .collect();
        Fb {
            locals,
            nparams: params.len(),
        }
    }

    pub fn local(&mut self, name: &str, ty: Type) -> LocalId {
        self.locals.push(Local {
            name: name.into(),
            ty,
        });
        LocalId(self.locals.len() as u32 - 1)
    }

    pub fn get(&self, id: LocalId) -> Expr {
        e(ExprKind::Local(id), self.locals[id.0 as usize].ty.clone())
    }

    /// Parameter `i`.
    pub fn p(&self, i: u32) -> Expr {
        self.get(LocalId(i))
    }

    pub fn set(&self, id: LocalId, x: Expr) -> Stmt {
        st(StmtKind::Assign(id, x))
    }

    pub fn finish(self, symbol: &str, ret: Type, body: Vec<Stmt>) -> Function {
        let f = Function {
            name: symbol.into(),
            symbol: symbol.into(),
            nparams: self.nparams,
            locals: self.locals,
            ret,
            body,
            flags: Flags {
                boundscheck: true,
                error_model: ErrorModel::Numpy,
                fastmath: Default::default(),
                parallel: false,
                inline_always: false,
            },
        };
        verify(&f).unwrap_or_else(|err| panic!("{err}\n{}", print_function(&f)));
        f
    }
}

pub type Wrapper = extern "C" fn(*const *const u8, *mut u8) -> i32;

/// The host, as the host backend describes it to code generation.
pub fn target() -> Target {
    let (triple, data_layout) = oxjit_jit::host_triple_and_layout();
    Target {
        triple,
        data_layout,
        vector_isas: oxjit_jit::vector_math_isas(),
    }
}

/// Compiles `funcs` (the entry first) and returns the entry's wrapper and
/// the optimised LLVM IR.
pub fn compile_ir(funcs: &[&Function]) -> (Wrapper, String) {
    let machine = oxjit_jit::compile(&wrapper_symbol(&funcs[0].symbol), |ctx| {
        emit_module(ctx, &target(), funcs, 0)
    })
    .unwrap();
    // SAFETY: the wrapper has exactly this C signature.
    (
        unsafe { std::mem::transmute::<usize, Wrapper>(machine.address) },
        machine.llvm_ir,
    )
}

/// Compiles `funcs` (the entry first) and returns the entry's wrapper.
pub fn compile(funcs: &[&Function]) -> Wrapper {
    compile_ir(funcs).0
}

/// A pointer to an argument's memory form.
pub fn arg<T>(x: &T) -> *const u8 {
    (x as *const T).cast()
}

/// Calls `w`; the result (whose memory form must be `R`) or the status.
pub fn run<R: Copy>(w: Wrapper, args: &[*const u8]) -> Result<R, i32> {
    let mut out = MaybeUninit::<R>::uninit();
    match w(args.as_ptr(), out.as_mut_ptr().cast()) {
        // SAFETY: status 0 means the wrapper wrote the result.
        0 => Ok(unsafe { out.assume_init() }),
        status => Err(status),
    }
}

/// `v` wrapped into the range of the integer type `s`.
pub fn wrap(v: i128, s: Scalar) -> i128 {
    let bits = s.bits();
    let m = v.rem_euclid(1 << bits);
    if s.is_signed() && m >= 1 << (bits - 1) {
        m - (1 << bits)
    } else {
        m
    }
}

/// The integer of type `s` stored at the start of `bytes`.
pub fn decode(bytes: &[u8], s: Scalar) -> i128 {
    let mut buf = [0u8; 16];
    buf[..s.size()].copy_from_slice(&bytes[..s.size()]);
    wrap(i128::from_le_bytes(buf), s)
}

/// The memory form of an integer of at most 64 bits (little-endian, so its
/// first `size` bytes are the narrower forms).
pub fn encode(v: i128) -> [u8; 8] {
    (v as u128 as u64).to_le_bytes()
}

/// The smallest and largest value of the integer type `s`.
pub fn int_range(s: Scalar) -> (i128, i128) {
    let bits = s.bits();
    if s.is_signed() {
        (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    } else {
        (0, (1 << bits) - 1)
    }
}

/// An array argument's memory form over `data`: meminfo (null: the memory
/// is the caller's), parent, nitems, itemsize, data, shape, strides (bytes).
pub fn array_arg<T>(data: &mut [T], shape: &[i64], strides: &[i64]) -> Vec<i64> {
    let mut v = vec![
        0,
        0,
        shape.iter().product(),
        size_of::<T>() as i64,
        data.as_mut_ptr() as i64,
    ];
    v.extend(shape);
    v.extend(strides);
    v
}

/// `array_arg` with C strides.
pub fn c_array<T>(data: &mut [T], shape: &[i64]) -> Vec<i64> {
    let mut strides = vec![size_of::<T>() as i64; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * shape[k + 1];
    }
    array_arg(data, shape, &strides)
}

/// An `N`-d array result in memory form.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ArrayOut<const N: usize> {
    pub meminfo: *mut MemInfo,
    pub parent: *mut u8,
    pub nitems: i64,
    pub itemsize: i64,
    pub data: *mut u8,
    pub shape: [i64; N],
    pub strides: [i64; N],
}

impl<const N: usize> ArrayOut<N> {
    /// The elements in C order, read through the strides.
    pub fn values<T: Copy>(&self) -> Vec<T> {
        let n: i64 = self.shape.iter().product();
        assert_eq!(n, self.nitems, "nitems is the product of the shape");
        (0..n)
            .map(|mut flat| {
                let mut offset = 0;
                for k in (0..N).rev() {
                    offset += (flat % self.shape[k]) * self.strides[k];
                    flat /= self.shape[k];
                }
                // SAFETY: the array's elements are readable at these offsets.
                unsafe {
                    self.data
                        .offset(offset as isize)
                        .cast::<T>()
                        .read_unaligned()
                }
            })
            .collect()
    }

    /// Drops the caller's reference (what the Python boxing code does when
    /// the ndarray dies).
    pub fn release(self) {
        // SAFETY: the caller owns one reference to the result.
        unsafe { oxjit_rt_meminfo_decref(self.meminfo) }
    }
}

/// The allocation counters are process-global: tests that run compiled
/// code allocating arrays hold this lock so their checks do not interleave.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` and checks that every block and meminfo allocated meanwhile
/// was freed; returns `f`'s result and the number of meminfos allocated.
/// glibc's malloc is told to scribble over fresh and freed memory (blocks
/// beyond its per-thread cache, above 1 KiB), so that reading an array
/// after its release gives garbage rather than the old values.
pub fn balanced<R>(f: impl FnOnce() -> R) -> (R, usize) {
    extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    const M_PERTURB: std::ffi::c_int = -6;
    static PERTURB: std::sync::Once = std::sync::Once::new();
    // SAFETY: sets a malloc tuning parameter.
    PERTURB.call_once(|| assert_eq!(unsafe { mallopt(M_PERTURB, 0xA5) }, 1));
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = stats();
    let r = f();
    let after = stats();
    let allocated = after.meminfo_allocs - before.meminfo_allocs;
    assert_eq!(
        allocated,
        after.meminfo_frees - before.meminfo_frees,
        "meminfos leaked or freed twice"
    );
    assert_eq!(
        after.allocs - before.allocs,
        after.frees - before.frees,
        "blocks leaked or freed twice"
    );
    (r, allocated)
}

/// The message of the exception a `DYNAMIC` status or a descriptor id stands for.
pub fn exception(status: i32) -> (String, String) {
    use oxjit_abi::exc::{ExcArg, DYNAMIC};
    use oxjit_runtime::exceptions::{get, take_dynamic};
    let spec = if status as u32 == DYNAMIC {
        take_dynamic()
    } else {
        get(status as u32)
    };
    let spec = spec.unwrap_or_else(|| panic!("no exception for status {status}"));
    match &spec.args[..] {
        [ExcArg::Str(m)] => (spec.class.clone(), m.clone()),
        args => panic!("unexpected exception arguments {args:?}"),
    }
}
