//! Typed-IR construction shorthands and the compile-and-call harness.

use std::mem::MaybeUninit;

use inkwell::context::Context;
use oxjit_codegen::{emit_module, wrapper_symbol};
use oxjit_diag::Span;
use oxjit_jit::{emit_object, jit, optimize, OptLevel};
use oxjit_tir::oxjit_types::{Scalar, Type};
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
                fastmath: false,
            },
        };
        verify(&f).unwrap_or_else(|err| panic!("{err}\n{}", print_function(&f)));
        f
    }
}

pub type Wrapper = extern "C" fn(*const *const u8, *mut u8) -> i32;

/// Compiles `funcs` (the entry first) and returns the entry's wrapper.
pub fn compile(funcs: &[&Function]) -> Wrapper {
    let ctx = Context::create();
    let module = emit_module(&ctx, funcs, 0).unwrap();
    optimize(&module, OptLevel::O3)
        .unwrap_or_else(|err| panic!("{err}\n{}", module.print_to_string().to_string_lossy()));
    jit().add_object(&emit_object(&module).unwrap()).unwrap();
    let addr = jit().lookup(&wrapper_symbol(&funcs[0].symbol)).unwrap();
    // SAFETY: the wrapper has exactly this C signature.
    unsafe { std::mem::transmute::<usize, Wrapper>(addr) }
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
