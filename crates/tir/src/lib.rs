//! Typed IR: the output of type inference and the input of code generation.
//!
//! Every expression carries its `Type`; every operation is resolved, and all
//! implicit conversions are explicit `Cast`s, so code generation never decides
//! a type. Operands of `Binary` share the result type (except shifts and the
//! integer power, whose right operand is `int64`), operands of `Compare` share
//! one type. Runtime checks that raise (division by zero, negative integer
//! power) are explicit `Guard` nodes; raising statements name the exception
//! descriptor id registered with the runtime. A function returns an `i32`
//! status in compiled code: 0, or the id of the exception it raised.

mod print;
mod verify;

pub use print::print_function;
pub use verify::verify;

use oxjit_diag::Span;
use oxjit_types::{Scalar, Type};

pub use oxjit_types;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Type,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ErrorModel {
    /// Division by zero raises `ZeroDivisionError`, as in Python.
    #[default]
    Python,
    /// Division by zero gives inf/nan (floats) or 0 (integers), as in NumPy.
    Numpy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Flags {
    pub boundscheck: bool,
    pub error_model: ErrorModel,
    pub fastmath: bool,
}

#[derive(Clone, Debug)]
pub struct Function {
    /// The Python name, for messages.
    pub name: String,
    /// Unique symbol of the compiled function.
    pub symbol: String,
    /// Parameter `i` is `LocalId(i)`.
    pub nparams: usize,
    pub locals: Vec<Local>,
    pub ret: Type,
    pub body: Vec<Stmt>,
    pub flags: Flags,
}

impl Function {
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }
    pub fn param_types(&self) -> impl Iterator<Item = &Type> {
        self.locals[..self.nparams].iter().map(|l| &l.ty)
    }
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// The value's type equals the local's type.
    Assign(LocalId, Expr),
    /// `array[indices] = value`; `value` has the array's dtype.
    Store { array: Expr, indices: Vec<Expr>, value: Expr, boundscheck: bool },
    Expr(Expr),
    If { cond: Expr, then: Vec<Stmt>, orelse: Vec<Stmt> },
    /// `orelse` runs when the loop ends without `break`.
    While { cond: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    /// `for var in range(start, stop, step)`: all of `var`'s integer type.
    /// `step` is non-zero (guarded). `var` keeps its last value after the loop.
    ForRange { var: LocalId, start: Expr, stop: Expr, step: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    Break,
    Continue,
    /// The value has the function's return type.
    Return(Expr),
    /// Raise the exception whose descriptor id is given.
    Raise(u32),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

/// A constant; integers are stored as their two's-complement bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConstValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Complex(f64, f64),
    None,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(ConstValue),
    Local(LocalId),
    /// Assigns the local and yields the value (used for evaluate-once temporaries).
    SetLocal(LocalId, Box<Expr>),
    /// Numeric conversion of a scalar to `self.ty` (Python/NumPy semantics:
    /// float→int truncates, int→bool and float→bool test non-zero, complex→real
    /// takes the real part).
    Cast(Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Both operands have the same scalar type; the result is `bool`.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Non-zero test of a scalar: `bool`.
    Truth(Box<Expr>),
    /// `then if cond else orelse`, evaluating only the chosen branch.
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Evaluates the value; raises exception `exc` if `check` fails on it.
    Guard { value: Box<Expr>, check: Check, exc: u32 },
    Call(Intrinsic, Vec<Expr>),
    /// A call to another compiled function (emitted into the same module).
    CallFunc { symbol: String, args: Vec<Expr> },
    Tuple(Vec<Expr>),
    TupleGet(Box<Expr>, usize),
    /// `array[indices]` with one integer index per dimension; negative indices
    /// count from the end.
    Index { array: Box<Expr>, indices: Vec<Expr>, boundscheck: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    NonZero,
    NonNegative,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Arithmetic negation (ints wrap).
    Neg,
    /// Logical not of a `bool`.
    Not,
    /// Bitwise not of an integer (or logical not of a `bool`).
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// True division; operands are float or complex.
    Div,
    /// Python floor division (ints and floats).
    FloorDiv,
    /// Python modulo: the result has the divisor's sign.
    Mod,
    /// Power. Floats/complex: `pow`. Integers: repeated squaring with
    /// wrap-around; the exponent is `int64` and guarded non-negative.
    Pow,
    /// Shifts: the right operand is `int64`; shifting by ≥ the width gives 0
    /// (or -1 for right-shifting a negative signed value), as NumPy does.
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Built-in operations with fixed semantics. Argument types: see each variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intrinsic {
    /// One float argument, result of the same float type.
    Math(MathFn),
    /// Two float arguments of one type, result of that type.
    Math2(MathFn2),
    /// Float argument, `bool` result.
    IsNan,
    IsInf,
    IsFinite,
    /// `abs` of an int (wraps for the minimum), float (fabs) or complex (hypot of parts → float).
    Abs,
    /// Two arguments of one scalar type. As Python's `min`/`max`, the first
    /// argument wins ties and unordered (NaN) comparisons: `Min(a, b)` is
    /// `b if b < a else a`.
    Min,
    Max,
    /// Round half to even of a float, result of the same float type.
    RoundEven,
    /// `round(x, ndigits)`: a float or `int64` and an `int64`; result of the
    /// first argument's type (CPython's exact decimal rounding).
    RoundDigits,
    /// Python's `int / int`: two `int64`, the correctly rounded float quotient
    /// (float64 of the result type).
    IntTrueDiv,
    /// Complex argument, float component result.
    Real,
    Imag,
    /// Complex argument and result.
    Conjugate,
    /// Two float arguments of the component type; complex result.
    MakeComplex,
    /// Array argument; `int64` result: extent of dimension k.
    Dim(usize),
    /// Array argument; `int64` result: number of elements.
    Size,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn {
    Sqrt,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Floor,
    Ceil,
    Trunc,
    Fabs,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
    Cbrt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn2 {
    Atan2,
    Hypot,
    Pow,
    Copysign,
    Fmod,
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }
    pub fn scalar(&self) -> Option<Scalar> {
        self.ty.scalar()
    }
}
