//! File-based snapshots of type inference: each `cases/*.py` starts with
//! `# args: T1; T2; ...` (Numba type strings, or `pyint`/`pyfloat`/`pycomplex`
//! for Python scalars). The snapshot is the typed IR (which must pass the
//! verifier, and reads back through `parse_functions` to the same text) or
//! the rendered diagnostics. Bless with `INSTA_UPDATE=always`.

use oxjit_abi::exc::ExcSpec;
use oxjit_diag::SourceFile;
use oxjit_hir::Value;
use oxjit_hir::{lower_function, TableEnv};
use oxjit_tir::{parse_functions, print_function, verify, Flags};
use oxjit_typeck::{typecheck, CalleeSig, Oracle, Param, Request, Typed};
use oxjit_types::{parse_ir_type_prefix, parse_type, Type};

fn arg_type(s: &str) -> Type {
    match parse_ir_type_prefix(s.trim()) {
        // The printed forms, weak scalars included, or a Numba type string.
        Ok((t, n)) if n == s.trim().len() => t,
        _ => parse_type(s.trim()).unwrap(),
    }
}

/// The function may call itself (id 0) and nothing else.
struct SelfOnly(Vec<Param>);

impl Oracle for SelfOnly {
    fn name(&mut self, _id: u64) -> String {
        "f".into()
    }
    fn params(&mut self, _id: u64) -> Result<Vec<Param>, String> {
        Ok(self.0.clone())
    }
    fn callee(&mut self, _id: u64, args: &[Type]) -> Result<Option<CalleeSig>, String> {
        Err(format!("no specialisation for ({args:?})"))
    }
    fn exception(&mut self, spec: ExcSpec) -> u32 {
        spec.content_id(0)
    }
    fn closure(&mut self, _parent: u64, index: usize) -> Result<u64, String> {
        Ok(100 + index as u64)
    }
}

fn run(text: &str, name: &str) -> String {
    let header = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# args:"))
        .expect("first line: # args: ...");
    let header = header.split(" #").next().unwrap();
    let args: Vec<Type> = header
        .split(';')
        .filter(|s| !s.trim().is_empty())
        .map(arg_type)
        .collect();
    let flags = Flags {
        boundscheck: text.contains("# boundscheck"),
        parallel: text.contains("# parallel"),
        ..Flags::default()
    };
    let src = SourceFile {
        path: name,
        text,
        first_line: 1,
    };
    let parsed = match oxjit_syntax::parse_function(text) {
        Ok(p) => p,
        Err(d) => return src.render(&d),
    };
    let mut env = TableEnv::default();
    env.globals
        .insert(parsed.def.name.to_string(), Value::Dispatcher(0));
    let (hir, diags) = lower_function(&parsed, &mut env);
    let Some(hir) = hir else {
        return diags.iter().map(|d| src.render(d)).collect();
    };
    let req = Request {
        hir: &hir,
        args: &args,
        id: 0,
        symbol: "f".into(),
        flags,
        declared_ret: None,
        declared_locals: &[],
    };
    let params = hir.locals[..hir.nparams]
        .iter()
        .map(|l| Param {
            name: l.name.clone(),
            default: None,
        })
        .collect();
    match typecheck(&req, &mut SelfOnly(params)) {
        Typed::Done(f) => {
            verify(&f).unwrap();
            let text = print_function(&f);
            let back = parse_functions(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            verify(&back[0]).unwrap();
            assert_eq!(
                print_function(&back[0]),
                text,
                "{name}: the text form reads back"
            );
            text
        }
        Typed::Pending(_) => unreachable!("no callees"),
        Typed::Failed(diags) => diags.iter().map(|d| src.render(d)).collect(),
    }
}

#[test]
fn typeck_cases() {
    insta::glob!("cases/*.py", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(run(&text, path.file_name().unwrap().to_str().unwrap()));
    });
}
