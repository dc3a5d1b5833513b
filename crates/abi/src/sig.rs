//! Signatures of runtime functions as data.
//!
//! The runtime's symbol table (`oxjit_runtime::symbols`) describes each
//! function it exports with an [`RtFn`], derived by the Rust compiler from the
//! function's own type through [`Abi`]; code generation declares the function
//! from that description. A signature is therefore written once, in the
//! function's definition, and nothing can disagree with it.

/// A parameter or result type at the C ABI level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiTy {
    Void,
    I8,
    I32,
    I64,
    F32,
    F64,
    Ptr,
}

/// What memory a runtime function may touch, which decides how freely LLVM
/// may move, merge or vectorise calls to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A pure function of its arguments (math): `memory(none) willreturn`.
    Pure,
    /// Touches only state compiled code cannot see (a thread's random
    /// generator): `memory(inaccessiblemem: readwrite) willreturn`.
    Private,
    /// May read and write anything reachable from its arguments.
    Any,
}

/// One runtime function: its symbol, C signature, effects and address.
#[derive(Clone, Copy, Debug)]
pub struct RtFn {
    pub name: &'static str,
    pub params: &'static [AbiTy],
    pub ret: AbiTy,
    pub effect: Effect,
    /// The function's address in this process, for the JIT's symbol table.
    pub addr: *const (),
}

// SAFETY: `addr` is the address of a function, immutable and valid in every
// thread.
unsafe impl Sync for RtFn {}
unsafe impl Send for RtFn {}

/// A Rust type's ABI class.
pub trait Abi {
    const TY: AbiTy;
}

macro_rules! abi {
    ($($t:ty => $k:ident),* $(,)?) => {
        $(impl Abi for $t {
            const TY: AbiTy = AbiTy::$k;
        })*
    };
}

abi! {
    () => Void,
    u8 => I8, i8 => I8,
    u32 => I32, i32 => I32,
    u64 => I64, i64 => I64, usize => I64, isize => I64,
    f32 => F32, f64 => F64,
}

impl<T> Abi for *mut T {
    const TY: AbiTy = AbiTy::Ptr;
}

impl<T> Abi for *const T {
    const TY: AbiTy = AbiTy::Ptr;
}

/// Function pointers (callbacks such as a parallel chunk function or a
/// destructor), nullable or not, of up to four parameters.
macro_rules! abi_fn_ptr {
    ($($a:ident),*) => {
        impl<R, $($a),*> Abi for unsafe extern "C" fn($($a),*) -> R {
            const TY: AbiTy = AbiTy::Ptr;
        }
        impl<R, $($a),*> Abi for extern "C" fn($($a),*) -> R {
            const TY: AbiTy = AbiTy::Ptr;
        }
        impl<R, $($a),*> Abi for Option<unsafe extern "C" fn($($a),*) -> R> {
            const TY: AbiTy = AbiTy::Ptr;
        }
        impl<R, $($a),*> Abi for Option<extern "C" fn($($a),*) -> R> {
            const TY: AbiTy = AbiTy::Ptr;
        }
    };
}

abi_fn_ptr!();
abi_fn_ptr!(A);
abi_fn_ptr!(A, B);
abi_fn_ptr!(A, B, C);
abi_fn_ptr!(A, B, C, D);

/// The C signature of a function pointer type.
pub trait AbiSig {
    const PARAMS: &'static [AbiTy];
    const RET: AbiTy;
}

macro_rules! abi_sig {
    ($($a:ident),*) => {
        impl<R: Abi, $($a: Abi),*> AbiSig for unsafe extern "C" fn($($a),*) -> R {
            const PARAMS: &'static [AbiTy] = &[$($a::TY),*];
            const RET: AbiTy = R::TY;
        }
    };
}

abi_sig!();
abi_sig!(A);
abi_sig!(A, B);
abi_sig!(A, B, C);
abi_sig!(A, B, C, D);
abi_sig!(A, B, C, D, E);
abi_sig!(A, B, C, D, E, F);
abi_sig!(A, B, C, D, E, F, G);
abi_sig!(A, B, C, D, E, F, G, H);

impl RtFn {
    /// The description of function `f` of pointer type `F`.
    pub const fn of<F: AbiSig>(name: &'static str, effect: Effect, addr: *const ()) -> RtFn {
        RtFn {
            name,
            params: F::PARAMS,
            ret: F::RET,
            effect,
            addr,
        }
    }
}

/// Declares runtime functions as [`RtFn`] constants plus the list of all of
/// them. Each row names a constant, the function (in scope) and its
/// parameter and result types as the function declares them; the expansion coerces
/// the function to that pointer type, so a row that disagrees with the
/// definition does not compile.
///
/// ```ignore
/// runtime_fns! {
///     pub const ALL;
///     /// `math.lgamma`.
///     LGAMMA = oxjit_rt_lgamma(f64) -> f64, Pure;
/// }
/// ```
#[macro_export]
macro_rules! runtime_fns {
    (
        $vis:vis const $all:ident;
        $(
            $(#[$doc:meta])*
            $konst:ident = $func:ident ($($arg:ty),* $(,)?) $(-> $ret:ty)?, $effect:ident;
        )*
    ) => {
        $(
            $(#[$doc])*
            $vis const $konst: $crate::sig::RtFn = $crate::sig::RtFn::of::<
                unsafe extern "C" fn($($arg),*) -> $crate::runtime_fns!(@ret $($ret)?),
            >(
                stringify!($func),
                $crate::sig::Effect::$effect,
                $func as unsafe extern "C" fn($($arg),*) -> $crate::runtime_fns!(@ret $($ret)?)
                    as *const (),
            );
        )*
        /// Every runtime function above.
        $vis const $all: &[$crate::sig::RtFn] = &[$($konst),*];
    };
    (@ret) => { () };
    (@ret $ret:ty) => { $ret };
}
