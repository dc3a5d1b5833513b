//! Source text → Python AST with byte ranges, via ruff's parser.
//!
//! Function sources come from `inspect.getsource` and may be indented (methods,
//! nested functions). Instead of dedenting, which would shift columns, the text
//! is parsed inside an `if 1:` block; the AST's ranges are then
//! `PREFIX.len()` bytes past the user's text, which `ParsedFunction::offset`
//! records so later stages can map ranges back exactly.

use oxjit_diag::{Code, Diagnostic, Span};
pub use ruff_python_ast as ast;
use ruff_python_ast::{Mod, Stmt};
use ruff_python_parser::{parse, Mode, ParseOptions};
pub use ruff_text_size::{Ranged, TextRange};

const PREFIX: &str = "if 1:\n";

/// The first function definition found in a source text.
#[derive(Debug)]
pub struct ParsedFunction {
    pub def: ast::StmtFunctionDef,
    /// Subtract from AST offsets to get offsets into the original text.
    pub offset: u32,
}

impl ParsedFunction {
    pub fn span(&self, r: TextRange) -> Span {
        let s = u32::from(r.start()).saturating_sub(self.offset);
        let e = u32::from(r.end()).saturating_sub(self.offset);
        Span::new(s, e)
    }
}

/// Parses `source` (one `def`, possibly decorated and indented).
pub fn parse_function(source: &str) -> Result<ParsedFunction, Diagnostic> {
    let indented = source.starts_with([' ', '\t']);
    let (text, offset) = if indented {
        (format!("{PREFIX}{source}"), PREFIX.len() as u32)
    } else {
        (source.to_string(), 0)
    };
    let parsed = parse(&text, ParseOptions::from(Mode::Module)).map_err(|e| {
        let r = e.location;
        let s = u32::from(r.start()).saturating_sub(offset);
        Diagnostic::new(
            Code::Syntax,
            Span::new(s, u32::from(r.end()).saturating_sub(offset).max(s + 1)),
            format!("invalid syntax: {}", e.error),
        )
    })?;
    let Mod::Module(module) = parsed.into_syntax() else {
        unreachable!("parsed in module mode")
    };
    let mut stmts = module.body;
    if indented {
        if let Some(Stmt::If(block)) = stmts.pop() {
            stmts = block.body.into_iter().collect();
        }
    }
    let end = source.len() as u32;
    stmts
        .into_iter()
        .find_map(|s| match s {
            Stmt::FunctionDef(def) => Some(ParsedFunction { def, offset }),
            _ => None,
        })
        .ok_or_else(|| {
            Diagnostic::new(
                Code::UnsupportedSyntax,
                Span::new(0, end.min(1)),
                "no function definition found in the source",
            )
            .with_hint("oxjit compiles functions defined with `def`; lambdas are not supported")
        })
}

/// The AST's text form for snapshot tests: the range offset, then the
/// body's nodes with the parser's ranges.
pub fn dump(f: &ParsedFunction) -> String {
    format!("offset: {}\n{:#?}", f.offset, f.def.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_source_keeps_offsets() {
        let src = "    def f(x):\n        return x\n";
        let f = parse_function(src).unwrap();
        assert_eq!(f.def.name.as_str(), "f");
        let sp = f.span(f.def.body[0].range());
        assert_eq!(&src[sp.start as usize..sp.end as usize], "return x");
    }

    #[test]
    fn syntax_error_is_a_diagnostic() {
        let d = parse_function("def f(:\n  pass\n").unwrap_err();
        assert_eq!(d.code, Code::Syntax);
    }
}
