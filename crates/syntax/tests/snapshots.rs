//! File-based snapshots of the parse stage: the AST of every `cases/*.py`
//! (with the parser's byte ranges and the offset mapping them back to the
//! user's text), or the rendered syntax error. Bless with `INSTA_UPDATE=always cargo test`.

use oxjit_diag::SourceFile;

#[test]
fn parse_cases() {
    insta::glob!("cases/*.py", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let src = SourceFile {
            path: path.file_name().unwrap().to_str().unwrap(),
            text: &text,
            first_line: 1,
        };
        let out = match oxjit_syntax::parse_function(&text) {
            Ok(f) => oxjit_syntax::dump(&f),
            Err(d) => src.render(&d),
        };
        insta::assert_snapshot!(out);
    });
}
