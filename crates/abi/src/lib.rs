//! What compiled code, the runtime and the compiler agree on, in one crate
//! that depends on nothing: exception descriptors and their
//! content-addressed ids ([`exc`]), the process-independent hash those ids
//! and compiled symbol names use ([`hash`]), and the signatures of the
//! runtime functions compiled code calls ([`sig`]), and type descriptors
//! with the memory representation of every kind of type ([`desc`]).
//!
//! The front end (typeck) names exceptions through [`exc::ExcSpec`] without
//! knowing the runtime; the runtime implements the functions [`sig`]
//! describes; code generation declares them from the same descriptions.

pub mod desc;
pub mod exc;
pub mod hash;
pub mod sig;
