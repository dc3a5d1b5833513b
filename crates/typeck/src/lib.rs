//! Type inference: HIR + concrete argument types → typed IR, or diagnostics.
//!
//! Inference runs the checker over the whole body repeatedly, widening each
//! local's type by unification with every value assigned to it, until nothing
//! changes; a last pass with diagnostics enabled emits the typed IR with all
//! conversions explicit. Expressions whose type is not known yet (a local not
//! yet assigned in this pass, a recursive call whose return type is still
//! being inferred) are skipped until a later pass.
//!
//! The checker never compiles a callee: it asks the `Oracle` (the driver) for
//! the signature of jitted callees and for exception descriptor ids.

mod arrays;
mod calls;
mod check;
mod closures;
mod comprehensions;
mod dicts;
mod exceptions;
mod expr;
mod iteration;
pub mod library;
mod lists;
mod ops;
mod optionals;
mod prange;
mod ranges;
mod runtime_fns;
mod sets;
mod strs;
mod tuples;

use oxjit_abi::exc::ExcSpec;
use oxjit_diag::Diagnostic;
use oxjit_hir::Const;
use oxjit_tir::Flags;
use oxjit_types::Type;

/// A jitted callee's compiled signature.
#[derive(Clone, Debug, PartialEq)]
pub struct CalleeSig {
    pub symbol: String,
    pub ret: Type,
}

/// A jitted function's parameter, for binding keyword and default arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub default: Option<Const>,
}

/// What the checker needs from the driver.
pub trait Oracle {
    /// The Python name of jitted function `id`, for messages.
    fn name(&mut self, id: u64) -> String;
    /// The parameters of jitted function `id`.
    fn params(&mut self, id: u64) -> Result<Vec<Param>, String>;
    /// The signature of `id` specialised for `args`; `Ok(None)` while its
    /// return type is still being inferred (mutual recursion). `Err` carries
    /// the callee's rendered compile error.
    fn callee(&mut self, id: u64, args: &[Type]) -> Result<Option<CalleeSig>, String>;
    /// The id of an exception descriptor: its content id
    /// (`ExcSpec::content_id`), registered for the extension to raise.
    fn exception(&mut self, spec: ExcSpec) -> u32;
    /// The id of function `index` defined inside function `parent`
    /// (`hir::Function::closures`): a jitted function like the others,
    /// whose first parameters are its captured values.
    fn closure(&mut self, parent: u64, index: usize) -> Result<u64, String>;
}

/// Which function is being typed, for self-recursion and error messages.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub hir: &'a oxjit_hir::Function,
    pub args: &'a [Type],
    /// The dispatcher id of the function itself.
    pub id: u64,
    pub symbol: String,
    pub flags: Flags,
    /// The return type of an explicit signature: every returned value is
    /// converted to it.
    pub declared_ret: Option<Type>,
    /// Types declared for variables by name (`locals={...}`): the variable
    /// has that type, and every value assigned to it is converted to it.
    pub declared_locals: &'a [(String, Type)],
}

#[derive(Debug)]
pub enum Typed {
    Done(oxjit_tir::Function),
    /// Depends on a callee whose return type is still being inferred; carries
    /// this function's return type as far as it is known.
    Pending(Option<Type>),
    Failed(Vec<Diagnostic>),
}

pub fn typecheck(req: &Request, oracle: &mut dyn Oracle) -> Typed {
    check::run(req, oracle)
}
