//! Diagnostics as values: every front-end stage returns its result together
//! with `Diagnostic`s that carry a stable code, a byte span into the function's
//! source, a message and a hint. Rendering (source line + caret) lives here too
//! so that Rust snapshot tests and the Python error messages agree exactly.

use std::fmt;

/// A half-open byte range into the source text of one function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// What went wrong, in kinds users can look up. The code string is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// Python syntax error in the function source.
    Syntax,
    /// A statement or expression form that oxjit does not compile.
    UnsupportedSyntax,
    /// A global or builtin name that cannot be resolved or used.
    UnknownName,
    /// A global value whose Python type cannot be used in compiled code.
    UnsupportedGlobal,
    /// An argument type that cannot be compiled.
    UnsupportedArgType,
    /// An operator applied to operand types it does not accept.
    BadOperand,
    /// A function or method called with types it does not accept.
    BadCall,
    /// A module attribute, function or method that oxjit does not provide.
    UnknownAttribute,
    /// A variable whose assignments have types that do not unify.
    CannotUnify,
    /// Indexing with a bad index or into a non-indexable value.
    BadIndex,
    /// A variable read that is never assigned.
    Unassigned,
    /// A return type that cannot be determined (e.g. recursion without base case).
    UnresolvedReturn,
    /// A `raise` whose exception cannot be compiled.
    BadRaise,
    /// An assignment target that is not supported.
    BadTarget,
    /// A `prange` loop that cannot run its iterations in parallel.
    ParallelLoop,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "OX001",
            Code::UnsupportedSyntax => "OX002",
            Code::UnknownName => "OX003",
            Code::UnsupportedGlobal => "OX004",
            Code::UnsupportedArgType => "OX005",
            Code::BadOperand => "OX101",
            Code::BadCall => "OX102",
            Code::UnknownAttribute => "OX103",
            Code::CannotUnify => "OX104",
            Code::BadIndex => "OX105",
            Code::Unassigned => "OX106",
            Code::UnresolvedReturn => "OX107",
            Code::BadRaise => "OX108",
            Code::BadTarget => "OX109",
            Code::ParallelLoop => "OX110",
        }
    }

    /// Whether this is reported as `UnsupportedError` (a construct oxjit does
    /// not implement) rather than `TypingError` (types that do not fit).
    pub fn is_unsupported(self) -> bool {
        matches!(
            self,
            Code::Syntax | Code::UnsupportedSyntax | Code::BadTarget
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            span,
            message: message.into(),
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}

/// Where a function's source text sits in its file, for rendering.
#[derive(Clone, Debug)]
pub struct SourceFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
    /// 1-based line number of the first line of `text` in the file.
    pub first_line: u32,
}

impl SourceFile<'_> {
    /// (1-based line in file, 1-based column in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = (offset as usize).min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() as u32;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() as u32 + 1;
        (self.first_line + line, col)
    }

    /// Renders a diagnostic the way users see it:
    ///
    /// ```text
    /// OX101: unsupported operand types for +: int64 and array(float64, 1d, C)
    ///   --> file.py:12:9
    ///    |
    /// 12 |     return x + a
    ///    |            ^^^^^
    ///    = hint: ...
    /// ```
    pub fn render(&self, d: &Diagnostic) -> String {
        let (line_no, col) = self.line_col(d.span.start);
        let start = (d.span.start as usize).min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = &self.text[line_start..line_end];
        let end = (d.span.end as usize).clamp(start, line_end);
        let lead = self.text[line_start..start].chars().count();
        let width = self.text[start..end].chars().count().max(1);
        let gutter = line_no.to_string().len();
        let pad = " ".repeat(gutter);
        let mut out = format!(
            "{}: {}\n{pad}--> {}:{}:{}\n{pad} |\n{} | {}\n{pad} | {}{}\n",
            d.code.as_str(),
            d.message,
            self.path,
            line_no,
            col,
            line_no,
            line,
            " ".repeat(lead),
            "^".repeat(width)
        );
        if let Some(h) = &d.hint {
            out.push_str(&format!("{pad} = hint: {h}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} @{}..{}",
            self.code.as_str(),
            self.message,
            self.span.start,
            self.span.end
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let text = "def f(x):\n    return x + y\n";
        let src = SourceFile {
            path: "m.py",
            text,
            first_line: 10,
        };
        let start = text.find("x + y").unwrap() as u32;
        let d = Diagnostic::new(Code::BadOperand, Span::new(start, start + 5), "bad")
            .with_hint("do better");
        let r = src.render(&d);
        assert_eq!(
            r,
            "OX101: bad\n  --> m.py:11:12\n   |\n11 |     return x + y\n   |            ^^^^^\n   = hint: do better\n"
        );
    }
}
