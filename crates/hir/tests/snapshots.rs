//! File-based snapshots: every `cases/*.py` is parsed and lowered; the
//! snapshot is the HIR text form, or the rendered diagnostics if lowering
//! fails. Bless changes with `INSTA_UPDATE=always cargo test` (or
//! `cargo insta review`); never edit snapshots by hand.

use oxjit_diag::SourceFile;
use oxjit_hir::{lower_function, print_function, TableEnv};

#[test]
fn hir_cases() {
    insta::glob!("cases/*.py", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let src = SourceFile {
            path: path.file_name().unwrap().to_str().unwrap(),
            text: &text,
            first_line: 1,
        };
        let out = match oxjit_syntax::parse_function(&text) {
            Err(d) => src.render(&d),
            Ok(parsed) => match lower_function(&parsed, &mut TableEnv::default()) {
                (Some(f), _) => print_function(&f),
                (None, diags) => diags.iter().map(|d| src.render(d)).collect(),
            },
        };
        insta::assert_snapshot!(out);
    });
}
