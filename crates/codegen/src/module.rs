//! The module being built ([`ModuleCx`]: compiled functions by symbol and
//! declarations of intrinsics and external math functions) and [`Ir`], a
//! builder positioned somewhere in it. The value-level emitters (`arith`,
//! `complex`, `types`, the math of `intrinsics`) are defined on `Ir` so that
//! code outside a compiled function's body (the wrapper, helper functions)
//! can use them too.

use std::collections::HashMap;

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::targets::{TargetData, TargetTriple};
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, BasicValueEnum, FloatValue, FunctionValue, IntValue,
    PointerValue,
};
use oxjit_abi::sig::{AbiTy, Effect, RtFn};
use oxjit_tir::Function;

use crate::{types, unsupported, Result, Target};

/// LLVM's `MemoryEffects` encodings (two mod/ref bits per location):
/// `memory(none)`, and `memory(inaccessiblemem: readwrite)` (inaccessible
/// memory is location 1).
const MEMORY_NONE: u64 = 0;
const MEMORY_INACCESSIBLE_READ_WRITE: u64 = 3 << 2;

pub(crate) struct ModuleCx<'ctx> {
    pub ctx: &'ctx Context,
    module: Module<'ctx>,
    compiled: HashMap<String, FunctionValue<'ctx>>,
    /// Declared SIMD variants of math functions, kept in `llvm.compiler.used`
    /// so they survive until the loop vectoriser looks for them.
    vector_variants: std::cell::RefCell<Vec<FunctionValue<'ctx>>>,
    /// The libmvec ISAs calls may use (`Target::vector_isas`).
    vector_isas: Vec<(char, u32)>,
    /// Calls of scalar libm functions emitted so far (see [`Ir::unroll_hint`]).
    pub scalar_calls: std::cell::Cell<u32>,
    /// The type descriptors emitted so far, by their words.
    descriptors: std::cell::RefCell<HashMap<Vec<u64>, PointerValue<'ctx>>>,
    /// The string literals emitted so far, by their text.
    strings: std::cell::RefCell<HashMap<String, PointerValue<'ctx>>>,
}

impl<'ctx> ModuleCx<'ctx> {
    pub fn new(ctx: &'ctx Context, target: &Target, name: &str) -> ModuleCx<'ctx> {
        let module = ctx.create_module(name);
        // Triple and data layout first, so type sizes agree with the machine code.
        module.set_triple(&TargetTriple::create(&target.triple));
        module.set_data_layout(&TargetData::create(&target.data_layout).get_data_layout());
        ModuleCx {
            ctx,
            module,
            vector_isas: target.vector_isas.clone(),
            compiled: HashMap::new(),
            vector_variants: std::cell::RefCell::new(Vec::new()),
            scalar_calls: std::cell::Cell::new(0),
            descriptors: Default::default(),
            strings: Default::default(),
        }
    }

    /// The meminfo of the string literal `text`: a global holding an
    /// immortal meminfo, then the runtime's `StrHeader` and the bytes
    /// (`oxjit_runtime::str`), one per distinct text. Writable, because
    /// counting references writes the count (which never reaches zero).
    pub fn str_literal(&self, text: &str) -> PointerValue<'ctx> {
        use oxjit_runtime::str::{BYTES_OFFSET, IMMORTAL};
        if let Some(p) = self.strings.borrow().get(text) {
            return *p;
        }
        let (i64t, ptr) = (self.ctx.i64_type(), self.ctx.ptr_type(Default::default()));
        let bytes = self.ctx.const_string(text.as_bytes(), false);
        let ty = self.ctx.struct_type(
            &[
                i64t.into(),
                ptr.into(),
                i64t.into(),
                ptr.into(),
                i64t.array_type((BYTES_OFFSET / 8) as u32).into(),
                bytes.get_type().into(),
            ],
            false,
        );
        let g = self.module.add_global(ty, None, "oxjit.str");
        let header = unsafe {
            g.as_pointer_value().const_gep(
                ty,
                &[i64t.const_zero(), self.ctx.i32_type().const_int(4, false)],
            )
        };
        let int = |v: u64| i64t.const_int(v, false);
        // The header: lengths, then the hash and the cursor, zero.
        let mut words = vec![int(text.chars().count() as u64), int(text.len() as u64)];
        words.resize(BYTES_OFFSET / 8, int(0));
        let init = ty.const_named_struct(&[
            int(IMMORTAL).into(),
            header.into(),
            int((BYTES_OFFSET + text.len()) as u64).into(),
            ptr.const_null().into(),
            i64t.const_array(&words).into(),
            bytes.into(),
        ]);
        g.set_initializer(&init);
        g.set_linkage(Linkage::Private);
        g.set_alignment(8);
        let p = g.as_pointer_value();
        self.strings.borrow_mut().insert(text.to_string(), p);
        p
    }

    /// A pointer to the runtime type descriptor of `ty` (`oxjit_abi::desc`):
    /// a private constant of the module, one per distinct descriptor.
    pub fn descriptor(&self, ty: &oxjit_tir::oxjit_types::Type) -> PointerValue<'ctx> {
        let words = ty.descriptor();
        if let Some(p) = self.descriptors.borrow().get(&words) {
            return *p;
        }
        let i64t = self.ctx.i64_type();
        let init: Vec<_> = words.iter().map(|w| i64t.const_int(*w, false)).collect();
        let init = i64t.const_array(&init);
        let g = self.module.add_global(init.get_type(), None, "oxjit.type");
        g.set_initializer(&init);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.set_unnamed_addr(true);
        let p = g.as_pointer_value();
        self.descriptors.borrow_mut().insert(words, p);
        p
    }

    pub fn into_module(self) -> Module<'ctx> {
        let used = self.vector_variants.borrow();
        if !used.is_empty() {
            let ptr = self.ctx.ptr_type(inkwell::AddressSpace::default());
            let g = self.module.add_global(
                ptr.array_type(used.len() as u32),
                None,
                "llvm.compiler.used",
            );
            g.set_linkage(Linkage::Appending);
            g.set_section(Some("llvm.metadata"));
            let ptrs: Vec<_> = used
                .iter()
                .map(|f| f.as_global_value().as_pointer_value())
                .collect();
            g.set_initializer(&ptr.const_array(&ptrs));
        }
        drop(used);
        self.module
    }

    /// The glibc libmvec variants of a libm function the host can run
    /// (`_ZGVdN4v_tanh`, `_ZGVeN8v_tanh`), declared; returns the value of
    /// LLVM's `vector-function-abi-variant` call-site attribute naming them,
    /// from which the loop vectoriser picks the one of its vector width.
    pub fn vector_variants(
        &self,
        scalar: &str,
        args: usize,
        t: inkwell::types::FloatType<'ctx>,
    ) -> Option<String> {
        const ONE: &[&str] = &[
            "acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "cos", "cosh", "exp",
            "exp2", "expm1", "log", "log10", "log1p", "log2", "sin", "sinh", "tan", "tanh",
        ];
        const TWO: &[&str] = &["atan2", "hypot"];
        let f32 = t == self.ctx.f32_type();
        let base = if f32 {
            scalar.strip_suffix('f')?
        } else {
            scalar
        };
        let known = match args {
            1 => ONE.contains(&base),
            2 => TWO.contains(&base) && !f32,
            _ => false,
        };
        if !known || self.vector_isas.is_empty() {
            return None;
        }
        let params = "v".repeat(args);
        let abis: Vec<String> = self
            .vector_isas
            .iter()
            .map(|&(isa, bits)| {
                let lanes = bits / if f32 { 32 } else { 64 };
                let variant = format!("_ZGV{isa}N{lanes}{params}_{scalar}");
                if self.module.get_function(&variant).is_none() {
                    let v = t.vec_type(lanes);
                    let ps: Vec<BasicMetadataTypeEnum> = (0..args).map(|_| v.into()).collect();
                    let f = self.add_function(&variant, v.fn_type(&ps, false), Linkage::External);
                    self.vector_variants.borrow_mut().push(f);
                }
                format!("_ZGV_LLVM_N{lanes}{params}_{scalar}({variant})")
            })
            .collect();
        Some(abis.join(","))
    }

    pub fn module(&self) -> &Module<'ctx> {
        &self.module
    }

    pub fn attr(&self, name: &str) -> Attribute {
        self.ctx
            .create_enum_attribute(Attribute::get_named_enum_kind_id(name), 0)
    }

    /// Adds a function definition-to-be with the `nounwind` attribute.
    pub fn add_function(
        &self,
        name: &str,
        ty: FunctionType<'ctx>,
        linkage: Linkage,
    ) -> FunctionValue<'ctx> {
        let f = self.module.add_function(name, ty, Some(linkage));
        f.add_attribute(AttributeLoc::Function, self.attr("nounwind"));
        f
    }

    pub fn declare_compiled(&mut self, f: &Function, linkage: Linkage) -> Result<()> {
        if self.compiled.contains_key(&f.symbol) {
            return unsupported(format!("two functions with symbol {}", f.symbol));
        }
        let value = self.add_function(&f.symbol, types::fn_type(self.ctx, f), linkage);
        // `%ret_out` is the caller's private slot, which helps when not inlined.
        for attr in ["noalias", "nocapture"] {
            value.add_attribute(AttributeLoc::Param(0), self.attr(attr));
        }
        if f.flags.inline_always {
            value.add_attribute(AttributeLoc::Function, self.attr("alwaysinline"));
        }
        self.compiled.insert(f.symbol.clone(), value);
        Ok(())
    }

    /// The compiled function `symbol`, one of those given to `emit_module`.
    pub fn compiled(&self, symbol: &str) -> Result<FunctionValue<'ctx>> {
        match self.compiled.get(symbol) {
            Some(f) => Ok(*f),
            None => unsupported(format!(
                "call of {symbol}, which is not among the module's functions"
            )),
        }
    }

    /// An LLVM intrinsic, e.g. `llvm.sqrt` overloaded on `[f64]`.
    pub fn intrinsic(
        &self,
        name: &str,
        overloads: &[BasicTypeEnum<'ctx>],
    ) -> Result<FunctionValue<'ctx>> {
        match Intrinsic::find(name).and_then(|i| i.get_declaration(&self.module, overloads)) {
            Some(f) => Ok(f),
            None => unsupported(format!("no LLVM intrinsic {name} for {overloads:?}")),
        }
    }

    /// The declaration of runtime function `f`, typed and attributed from
    /// its description (the only way codegen declares one, so declaration
    /// and definition agree by construction).
    pub fn rt(&self, f: &RtFn) -> FunctionValue<'ctx> {
        if let Some(decl) = self.module.get_function(f.name) {
            return decl;
        }
        let params: Vec<BasicMetadataTypeEnum> = f
            .params
            .iter()
            .map(|&p| self.abi_type(p).expect("a parameter is never void").into())
            .collect();
        let ty = match self.abi_type(f.ret) {
            Some(ret) => ret.fn_type(&params, false),
            None => self.ctx.void_type().fn_type(&params, false),
        };
        let decl = self.add_function(f.name, ty, Linkage::External);
        match f.effect {
            Effect::Pure => self.set_memory(decl, MEMORY_NONE),
            Effect::Private => self.set_memory(decl, MEMORY_INACCESSIBLE_READ_WRITE),
            Effect::Any => {}
        }
        decl
    }

    /// The LLVM type of an ABI class; `None` for void.
    fn abi_type(&self, t: AbiTy) -> Option<BasicTypeEnum<'ctx>> {
        Some(match t {
            AbiTy::Void => return None,
            AbiTy::I8 => self.ctx.i8_type().into(),
            AbiTy::I32 => self.ctx.i32_type().into(),
            AbiTy::I64 => self.ctx.i64_type().into(),
            AbiTy::F32 => self.ctx.f32_type().into(),
            AbiTy::F64 => self.ctx.f64_type().into(),
            AbiTy::Ptr => self.ctx.ptr_type(inkwell::AddressSpace::default()).into(),
        })
    }

    /// Marks `f` as returning and touching only the memory `effects` says
    /// (LLVM's `MemoryEffects` encoding).
    fn set_memory(&self, f: FunctionValue<'ctx>, effects: u64) {
        f.add_attribute(AttributeLoc::Function, self.attr("willreturn"));
        let kind = Attribute::get_named_enum_kind_id("memory");
        f.add_attribute(
            AttributeLoc::Function,
            self.ctx.create_enum_attribute(kind, effects),
        );
    }

    /// An external libm function without side effects, declared as clang
    /// does with `-fno-math-errno` so that LLVM may hoist, fold and
    /// vectorise calls to it.
    pub fn pure_extern(&self, name: &str, ty: FunctionType<'ctx>) -> FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let f = self.add_function(name, ty, Linkage::External);
        self.set_memory(f, MEMORY_NONE);
        f
    }
}

/// A builder in a module; see the module docs.
#[derive(Clone, Copy)]
pub(crate) struct Ir<'a, 'ctx> {
    pub cx: &'a ModuleCx<'ctx>,
    pub b: &'a Builder<'ctx>,
}

impl<'ctx> Ir<'_, 'ctx> {
    pub fn ctx(&self) -> &'ctx Context {
        self.cx.ctx
    }

    /// A new block at the end of the current function.
    pub fn append_block(&self, name: &str) -> BasicBlock<'ctx> {
        let func = self
            .b
            .get_insert_block()
            .and_then(|bb| bb.get_parent())
            .expect("builder is positioned in a function");
        self.ctx().append_basic_block(func, name)
    }

    pub fn call(
        &self,
        f: FunctionValue<'ctx>,
        args: &[BasicValueEnum<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        let args: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
        let site = self.b.build_call(f, &args, "")?;
        match site.try_as_basic_value().basic() {
            Some(v) => Ok(v),
            None => unsupported("call of a void function"),
        }
    }

    /// Calls a float intrinsic overloaded on its first argument's type.
    pub fn float_intrinsic(
        &self,
        name: &str,
        args: &[FloatValue<'ctx>],
    ) -> Result<FloatValue<'ctx>> {
        let f = self.cx.intrinsic(name, &[args[0].get_type().into()])?;
        let args: Vec<BasicValueEnum> = args.iter().map(|&a| a.into()).collect();
        Ok(self.call(f, &args)?.into_float_value())
    }

    /// Calls libm's `name` (`namef` for float32) on float arguments of one type.
    pub fn libm(&self, name: &str, args: &[FloatValue<'ctx>]) -> Result<FloatValue<'ctx>> {
        self.libm_call(name, args, false)
    }

    /// Calls libm's `name`; with `vectorize`, the call names glibc's SIMD
    /// variant so that a vectorised loop calls it (libmvec's functions are
    /// accurate to 4 ULP, scalar libm's to 1).
    pub fn libm_call(
        &self,
        name: &str,
        args: &[FloatValue<'ctx>],
        vectorize: bool,
    ) -> Result<FloatValue<'ctx>> {
        let t = args[0].get_type();
        let name = if t == self.ctx().f32_type() {
            format!("{name}f")
        } else {
            name.to_owned()
        };
        let params: Vec<BasicMetadataTypeEnum> = args.iter().map(|a| a.get_type().into()).collect();
        let f = self.cx.pure_extern(&name, t.fn_type(&params, false));
        let margs: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
        let site = self.b.build_call(f, &margs, "")?;
        match vectorize
            .then(|| self.cx.vector_variants(&name, args.len(), t))
            .flatten()
        {
            Some(abi) => site.add_attribute(
                AttributeLoc::Function,
                self.ctx()
                    .create_string_attribute("vector-function-abi-variant", &abi),
            ),
            None => self.cx.scalar_calls.set(self.cx.scalar_calls.get() + 1),
        }
        match site.try_as_basic_value().basic() {
            Some(v) => Ok(v.into_float_value()),
            None => unsupported("call of a void libm function"),
        }
    }

    /// Marks the loop whose latch ends in `branch` for unrolling by `count`
    /// (`llvm.loop.unroll.count`, which LLVM applies also to loops with an
    /// unknown trip count). LLVM's cost model never unrolls loops that call
    /// functions, but independent libm calls overlap better when several
    /// iterations are in flight.
    pub fn unroll_hint(&self, branch: inkwell::values::InstructionValue<'ctx>, count: u32) {
        use inkwell::values::AsValueRef;
        use llvm_sys::core::*;
        let key = "llvm.loop.unroll.count";
        // SAFETY: plain LLVM-C metadata construction in this module's
        // context; the temporary node is replaced (and freed) by the
        // self-reference that a loop ID must have.
        unsafe {
            let ctx = self.ctx().raw();
            let int = self.ctx().i32_type().const_int(count as u64, false);
            let mut pair = [
                LLVMMDStringInContext2(ctx, key.as_ptr().cast(), key.len()),
                LLVMValueAsMetadata(int.as_value_ref()),
            ];
            let unroll = LLVMMDNodeInContext2(ctx, pair.as_mut_ptr(), 2);
            let temp = llvm_sys::debuginfo::LLVMTemporaryMDNode(ctx, std::ptr::null_mut(), 0);
            let mut ops = [temp, unroll];
            let id = LLVMMDNodeInContext2(ctx, ops.as_mut_ptr(), 2);
            llvm_sys::debuginfo::LLVMMetadataReplaceAllUsesWith(temp, id);
            let kind = LLVMGetMDKindIDInContext(ctx, "llvm.loop".as_ptr().cast(), 9);
            LLVMSetMetadata(branch.as_value_ref(), kind, LLVMMetadataAsValue(ctx, id));
        }
    }

    /// `freeze x`: an arbitrary but fixed value where `x` is poison (inkwell
    /// has no wrapper for the instruction).
    pub fn freeze(&self, x: IntValue<'ctx>) -> IntValue<'ctx> {
        use inkwell::values::AsValueRef;
        // SAFETY: builds one instruction at the builder's position from a
        // value of this context; the result is an integer like `x`.
        unsafe {
            IntValue::new(llvm_sys::core::LLVMBuildFreeze(
                self.b.as_mut_ptr(),
                x.as_value_ref(),
                c"".as_ptr(),
            ))
        }
    }

    pub fn select<V: BasicValue<'ctx>>(
        &self,
        c: IntValue<'ctx>,
        a: V,
        b: V,
    ) -> Result<BasicValueEnum<'ctx>> {
        // LLVM's builder folds a select only when all three operands are
        // constant; a constant condition (a constant slice step, a static
        // layout) is common and costs the optimiser work on every select.
        match c.get_zero_extended_constant() {
            Some(0) => Ok(b.as_basic_value_enum()),
            Some(_) => Ok(a.as_basic_value_enum()),
            None => Ok(self.b.build_select(c, a, b, "")?),
        }
    }

    pub fn fselect(
        &self,
        c: IntValue<'ctx>,
        a: FloatValue<'ctx>,
        b: FloatValue<'ctx>,
    ) -> Result<FloatValue<'ctx>> {
        Ok(self.select(c, a, b)?.into_float_value())
    }

    pub fn iselect(
        &self,
        c: IntValue<'ctx>,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> Result<IntValue<'ctx>> {
        Ok(self.select(c, a, b)?.into_int_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxjit_runtime::symbols;
    use oxjit_tir::RuntimeFn;

    fn llvm_name(t: AbiTy) -> &'static str {
        match t {
            AbiTy::Void => "void",
            AbiTy::I8 => "i8",
            AbiTy::I32 => "i32",
            AbiTy::I64 => "i64",
            AbiTy::F32 => "float",
            AbiTy::F64 => "double",
            AbiTy::Ptr => "ptr",
        }
    }

    /// Every runtime function, declared as codegen declares it, has the
    /// LLVM signature its table row (checked against its Rust definition)
    /// describes, and pure functions may be moved freely.
    #[test]
    fn declarations_agree_with_the_runtime_table() {
        let ctx = Context::create();
        let target = Target {
            triple: String::new(),
            data_layout: String::new(),
            vector_isas: Vec::new(),
        };
        let cx = ModuleCx::new(&ctx, &target, "abi");
        for f in symbols::all() {
            let decl = cx.rt(f);
            let want = format!(
                "{} ({})",
                llvm_name(f.ret),
                f.params
                    .iter()
                    .map(|&p| llvm_name(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            assert_eq!(
                decl.get_type().to_string().trim_matches('"'),
                want,
                "{}",
                f.name
            );
            let memory = decl.get_enum_attribute(
                AttributeLoc::Function,
                Attribute::get_named_enum_kind_id("memory"),
            );
            assert_eq!(memory.is_some(), f.effect != Effect::Any, "{}", f.name);
        }
    }

    /// Every array function the typed IR can name exists in the runtime.
    #[test]
    fn every_runtime_call_has_a_runtime_function() {
        for &f in RuntimeFn::ALL {
            assert!(symbols::array_fn(f.name()).is_some(), "{f:?}");
        }
    }

    /// Code generation declares runtime functions only through
    /// [`ModuleCx::rt`]: no symbol name is spelled out in its sources.
    #[test]
    fn no_runtime_symbol_is_spelled_out() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            assert!(
                !code.contains(concat!("\"", "oxjit_rt_")),
                "{} names a runtime symbol; declare it with ModuleCx::rt",
                path.display()
            );
        }
    }
}
