//! The host target machine, the optimisation pipeline and object emission.
//!
//! Code is compiled for the CPU it runs on (name and feature string queried
//! from LLVM), like Numba, so AVX2/AVX-512 are used where present. The disk
//! cache must therefore key entries on [`TargetMachine::get_cpu`] and
//! [`TargetMachine::get_feature_string`].

use std::sync::{Once, OnceLock};

use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple,
};
use inkwell::OptimizationLevel;

/// Optimisation level of the new-pass-manager `default<On>` pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptLevel {
    O0,
    O1,
    O2,
    O3,
}

impl OptLevel {
    fn pipeline(self) -> &'static str {
        match self {
            OptLevel::O0 => "default<O0>",
            OptLevel::O1 => "default<O1>",
            OptLevel::O2 => "default<O2>",
            OptLevel::O3 => "default<O3>",
        }
    }
}

/// Registers the native target with LLVM; every entry point calls this first.
pub(crate) fn init_native_target() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        Target::initialize_native(&InitializationConfig::default())
            .expect("LLVM has no native target for this host");
    });
}

/// What LLVM reports about the host, queried once.
struct Host {
    triple: String,
    cpu: String,
    features: String,
}

fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| {
        init_native_target();
        Host {
            triple: TargetMachine::get_default_triple()
                .as_str()
                .to_string_lossy()
                .into_owned(),
            cpu: TargetMachine::get_host_cpu_name().to_string(),
            features: TargetMachine::get_host_cpu_features().to_string(),
        }
    })
}

/// The glibc libmvec vector ISAs this host can run, as (vector-function ABI
/// ISA letter, vector bits): `d` (AVX2, 256) and `e` (AVX-512, 512). Empty
/// when libmvec cannot be loaded.
pub fn vector_math_isas() -> Vec<(char, u32)> {
    if !crate::has_libmvec() {
        return Vec::new();
    }
    let has = |f: &str| host().features.split(',').any(|x| x == f);
    [('d', 256, "+avx2"), ('e', 512, "+avx512f")]
        .into_iter()
        .filter(|(_, _, f)| has(f))
        .map(|(i, b, _)| (i, b))
        .collect()
}

/// A new target machine for the host CPU.
pub fn host_target_machine() -> TargetMachine {
    let host = host();
    let triple = TargetTriple::create(&host.triple);
    let target = Target::from_triple(&triple)
        .unwrap_or_else(|e| panic!("no LLVM target for {}: {e}", host.triple));
    target
        .create_target_machine(
            &triple,
            &host.cpu,
            &host.features,
            OptimizationLevel::Aggressive,
            RelocMode::PIC,
            CodeModel::JITDefault,
        )
        .unwrap_or_else(|| {
            panic!(
                "cannot create a target machine for {} ({})",
                host.triple, host.cpu
            )
        })
}

/// Runs `f` with this thread's host target machine. LLVM target machines
/// must not be shared between threads, but creating one costs ~0.2 ms, a
/// noticeable part of compiling a small function, so each thread keeps one
/// (ORC likewise reuses one per compile thread).
fn with_host_tm<R>(f: impl FnOnce(&TargetMachine) -> R) -> R {
    thread_local! {
        static TM: TargetMachine = host_target_machine();
    }
    TM.with(f)
}

/// The host's target triple and data layout, which code generation puts on
/// its modules so that type sizes and alignments agree with the machine code.
pub fn host_triple_and_layout() -> (String, String) {
    with_host_tm(|tm| {
        (
            tm.get_triple().as_str().to_string_lossy().into_owned(),
            tm.get_target_data()
                .get_data_layout()
                .as_str()
                .to_string_lossy()
                .into_owned(),
        )
    })
}

/// LLVM's process-wide options, set once: runtime unrolling also of loops
/// with more than one exit, which compiled loops have wherever a check can
/// raise (a float division's zero test, a bounds check), so that such a
/// loop is unrolled as it would be without the check; and no X86 domain
/// reassignment (moving mask arithmetic to AVX-512 mask registers), whose
/// cost grows faster than the function (a tenth of the machine-code time of
/// a large function) for no measured gain.
fn llvm_options() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let args = [
            c"oxjit".as_ptr(),
            c"-unroll-runtime-multi-exit".as_ptr(),
            c"-disable-x86-domain-reassignment".as_ptr(),
        ];
        // SAFETY: NUL-terminated strings that outlive the call; it runs once,
        // before any optimisation reads the options.
        unsafe {
            llvm_sys::support::LLVMParseCommandLineOptions(
                args.len() as i32,
                args.as_ptr(),
                std::ptr::null(),
            )
        };
    });
}

/// Verifies `module` and runs the standard `default<On>` pipeline on it, with
/// loop and SLP vectorisation and unrolling on.
pub fn optimize(module: &Module, level: OptLevel) -> Result<(), String> {
    llvm_options();
    // Invalid IR can crash the optimiser; a codegen bug should be an error.
    module
        .verify()
        .map_err(|e| format!("invalid LLVM IR: {}", e.to_string_lossy()))?;
    let options = PassBuilderOptions::create();
    options.set_loop_vectorization(true);
    options.set_loop_slp_vectorization(true);
    options.set_loop_unrolling(true);
    options.set_loop_interleaving(true);
    with_host_tm(|tm| module.run_passes(level.pipeline(), tm, options))
        .map_err(|e| format!("LLVM optimisation failed: {}", e.to_string_lossy()))
}

/// Compiles `module` to a relocatable host object file.
///
/// Code generation rewrites parts of the IR (CodeGenPrepare), so print the
/// module before calling this if its optimised IR is wanted.
pub fn emit_object(module: &Module) -> Result<Vec<u8>, String> {
    with_host_tm(|tm| tm.write_to_memory_buffer(module, FileType::Object))
        .map(|buf| buf.as_slice().to_vec())
        .map_err(|e| format!("LLVM code generation failed: {}", e.to_string_lossy()))
}
