//! Reads the text form back (`print_function`'s output, or a hand-written
//! file in the same form): for tests of code generation as data. A file
//! holds one or more functions; a function's symbol is its name, and
//! `call name(...)` calls another function of the file. Spans are the byte
//! offsets of the text.

use crate::*;

/// Why a text could not be read: where, and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

type P<T> = Result<T, ParseError>;

/// Every function in `text`, in order.
pub fn parse_functions(text: &str) -> P<Vec<Function>> {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .scan(0usize, |offset, (n, raw)| {
            let start = *offset;
            *offset += raw.len() + 1;
            Some((n, raw, start))
        })
        .filter(|(_, raw, _)| !raw.trim().is_empty() && !raw.trim_start().starts_with(';'))
        .map(|(n, raw, start)| {
            let body = raw.trim_start();
            Line {
                number: n + 1,
                indent: raw.len() - body.len(),
                text: body,
                offset: start + raw.len() - body.len(),
            }
        })
        .collect();
    let mut funcs = vec![];
    let mut at = 0;
    while at < lines.len() {
        let (f, next) = function(&lines, at)?;
        funcs.push(f);
        at = next;
    }
    Ok(funcs)
}

#[derive(Clone, Copy)]
struct Line<'a> {
    number: usize,
    indent: usize,
    text: &'a str,
    /// Byte offset of `text` in the file.
    offset: usize,
}

impl Line<'_> {
    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.number,
            column: self.indent + 1,
            message: message.into(),
        }
    }
}

/// The function starting at `lines[at]`, and the index after it.
fn function(lines: &[Line], at: usize) -> P<(Function, usize)> {
    let head = lines[at];
    if head.indent != 0 {
        return Err(head.error("expected `def` at the start of a line"));
    }
    let mut c = Cursor::new(head);
    c.word("def")?;
    let name = c.ident()?;
    c.punct("(")?;
    let mut locals: Vec<Local> = vec![];
    let params = c.items(")", |c| {
        let (name, id) = c.local_name()?;
        c.punct(":")?;
        Ok((name, id, c.ty()?))
    })?;
    for (name, id, ty) in params {
        if id != locals.len() {
            return Err(c.error(format!("parameter {id} out of order")));
        }
        locals.push(Local { name, ty });
    }
    let nparams = locals.len();
    c.punct("->")?;
    let ret = c.ty()?;
    c.punct(":")?;
    c.end()?;
    let mut next = at + 1;
    let mut flags = Flags::default();
    // The flags line and the locals' declarations: `# name$i: type`.
    while let Some(l) = lines
        .get(next)
        .filter(|l| l.indent > 0 && l.text.starts_with('#'))
    {
        let mut c = Cursor::new(*l);
        c.punct("#")?;
        if c.eat_word("flags") {
            c.punct(":")?;
            flags = c.flags()?;
        } else {
            let (lname, id) = c.local_name()?;
            if id != locals.len() {
                return Err(c.error(format!("local {id} out of order")));
            }
            c.punct(":")?;
            let ty = c.ty()?;
            c.end()?;
            locals.push(Local { name: lname, ty });
        }
        next += 1;
    }
    let mut f = Function {
        symbol: name.clone(),
        name,
        nparams,
        locals,
        ret,
        body: vec![],
        flags,
    };
    let (body, end) = Block { lines, f: &f }.stmts(next, 4)?;
    f.body = body;
    Ok((f, end))
}

struct Block<'a> {
    lines: &'a [Line<'a>],
    f: &'a Function,
}

impl Block<'_> {
    /// The statements at `indent` from `lines[at]`, and the index after them.
    fn stmts(&self, mut at: usize, indent: usize) -> P<(Vec<Stmt>, usize)> {
        let mut out = vec![];
        let first = at;
        while let Some(l) = self.lines.get(at).filter(|l| l.indent >= indent) {
            if l.indent > indent {
                return Err(l.error("unexpected indentation"));
            }
            if l.text == "pass" {
                at += 1;
                continue;
            }
            let (s, next) = self.stmt(at, indent)?;
            out.push(s);
            at = next;
        }
        if at == first {
            let l = self.lines.get(at.min(self.lines.len().saturating_sub(1)));
            return Err(l.map_or_else(
                || ParseError {
                    line: 0,
                    column: 0,
                    message: "expected a block".into(),
                },
                |l| l.error("expected an indented block"),
            ));
        }
        Ok((out, at))
    }

    /// An optional `else:` block after a compound statement.
    fn orelse(&self, at: usize, indent: usize) -> P<(Vec<Stmt>, usize)> {
        match self.lines.get(at) {
            Some(l) if l.indent == indent && l.text == "else:" => self.stmts(at + 1, indent + 4),
            _ => Ok((vec![], at)),
        }
    }

    fn stmt(&self, at: usize, indent: usize) -> P<(Stmt, usize)> {
        let l = self.lines[at];
        let mut c = Cursor::new(l).with(self.f);
        let span = Span::new(l.offset as u32, (l.offset + l.text.len()) as u32);
        let st = |kind| Stmt { kind, span };
        if c.eat_word("if") {
            let cond = c.expr()?;
            c.punct(":")?;
            c.end()?;
            let (then, next) = self.stmts(at + 1, indent + 4)?;
            let (orelse, next) = self.orelse(next, indent)?;
            return Ok((st(StmtKind::If { cond, then, orelse }), next));
        }
        if c.eat_word("while") {
            let cond = c.expr()?;
            c.punct(":")?;
            c.end()?;
            let (body, next) = self.stmts(at + 1, indent + 4)?;
            let (orelse, next) = self.orelse(next, indent)?;
            return Ok((st(StmtKind::While { cond, body, orelse }), next));
        }
        if c.eat_word("for") {
            return self.for_range(c, at, indent, span);
        }
        if c.eat_word("try") {
            return self.try_stmt(c, at, indent, span);
        }
        let kind = if c.eat_word("break") {
            StmtKind::Break
        } else if c.eat_word("continue") {
            StmtKind::Continue
        } else if c.eat_word("return") {
            StmtKind::Return(c.expr()?)
        } else if c.eat_word("raise") {
            c.skip_space();
            if c.rest().starts_with("exception#") {
                StmtKind::Raise(c.exception()?)
            } else {
                StmtKind::RaiseValue(c.expr()?)
            }
        } else if c.at_local_assign() {
            let (_, id) = c.local_name()?;
            c.punct("=")?;
            StmtKind::Assign(LocalId(id as u32), c.expr()?)
        } else {
            match c.expr_or_target()? {
                Parsed::Expr(e) => StmtKind::Expr(e),
                Parsed::Target(array, indices) => {
                    c.punct("=")?;
                    let value = c.expr()?;
                    let boundscheck = c.eat("#");
                    if boundscheck {
                        c.word("boundscheck")?;
                    }
                    StmtKind::Store {
                        array,
                        indices,
                        value,
                        boundscheck,
                    }
                }
            }
        };
        c.end()?;
        Ok((st(kind), at + 1))
    }

    /// `try:` and its `except`, `else:` and `finally:` blocks.
    fn try_stmt(&self, mut c: Cursor, at: usize, indent: usize, span: Span) -> P<(Stmt, usize)> {
        c.punct(":")?;
        c.end()?;
        let (body, mut next) = self.stmts(at + 1, indent + 4)?;
        let mut handlers = vec![];
        while let Some(l) = self
            .lines
            .get(next)
            .filter(|l| l.indent == indent && l.text.starts_with("except"))
        {
            let mut h = Cursor::new(*l).with(self.f);
            h.word("except")?;
            h.skip_space();
            let mut classes = vec![];
            let class = |h: &mut Cursor| -> P<String> {
                h.skip_space();
                let r = h.rest();
                let n = r
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                    .unwrap_or(r.len());
                if n == 0 {
                    return Err(h.error("expected an exception class"));
                }
                h.pos += n;
                Ok(r[..n].to_string())
            };
            if h.eat("(") {
                loop {
                    classes.push(class(&mut h)?);
                    if !h.eat(",") {
                        break;
                    }
                }
                h.punct(")")?;
            } else if !h.rest().starts_with(':') {
                classes.push(class(&mut h)?);
            }
            let bind = if h.eat_word("as") {
                Some(LocalId(h.local_name()?.1 as u32))
            } else {
                None
            };
            h.punct(":")?;
            h.end()?;
            let (hbody, after) = self.stmts(next + 1, indent + 4)?;
            handlers.push(Handler {
                classes,
                bind,
                body: hbody,
            });
            next = after;
        }
        let (orelse, next) = self.orelse(next, indent)?;
        let (finally, next) = match self.lines.get(next) {
            Some(l) if l.indent == indent && l.text == "finally:" => {
                self.stmts(next + 1, indent + 4)?
            }
            _ => (vec![], next),
        };
        let kind = StmtKind::Try {
            body,
            handlers,
            orelse,
            finally,
        };
        Ok((Stmt { kind, span }, next))
    }

    fn for_range(&self, mut c: Cursor, at: usize, indent: usize, span: Span) -> P<(Stmt, usize)> {
        let (_, var) = c.local_name()?;
        c.word("in")?;
        let parallel = if c.eat_word("prange") {
            true
        } else {
            c.word("range")?;
            false
        };
        c.punct("(")?;
        let start = c.expr()?;
        c.punct(",")?;
        let stop = c.expr()?;
        c.punct(",")?;
        let step = c.expr()?;
        c.punct(")")?;
        c.punct(":")?;
        let dynamic = parallel && {
            c.punct("#")?;
            if c.eat_word("dynamic") {
                true
            } else {
                c.word("static")?;
                false
            }
        };
        c.end()?;
        let mut next = at + 1;
        let mut reductions = vec![];
        while let Some(l) = self
            .lines
            .get(next)
            .filter(|l| parallel && l.indent == indent + 4 && l.text.starts_with("reduce "))
        {
            let mut r = Cursor::new(*l).with(self.f);
            r.word("reduce")?;
            let (_, local) = r.local_name()?;
            let op = r.reduction_op()?;
            r.word("from")?;
            let identity = r.expr()?;
            r.word("with")?;
            let (_, partial) = r.local_name()?;
            r.punct(":")?;
            r.end()?;
            let (combine, after) = self.stmts(next + 1, indent + 8)?;
            reductions.push(ParReduction {
                local: LocalId(local as u32),
                op,
                identity,
                partial: LocalId(partial as u32),
                combine,
            });
            next = after;
        }
        let (body, next) = match self.lines.get(next) {
            // A body of reductions only ends at its `pass` or dedent.
            Some(l) if l.indent <= indent && !reductions.is_empty() => (vec![], next),
            _ => self.stmts(next, indent + 4)?,
        };
        let (orelse, next) = self.orelse(next, indent)?;
        let kind = StmtKind::ForRange {
            var: LocalId(var as u32),
            start,
            stop,
            step,
            body,
            orelse,
            parallel: parallel.then(|| {
                Box::new(Parallel {
                    reductions,
                    dynamic,
                })
            }),
        };
        Ok((Stmt { kind, span }, next))
    }
}

/// An expression, or an indexed target of a store (`a[i] = ...`).
enum Parsed {
    Expr(Expr),
    Target(Expr, Vec<Expr>),
}

/// A position in one line.
struct Cursor<'a> {
    line: Line<'a>,
    pos: usize,
    f: Option<&'a Function>,
}

impl<'a> Cursor<'a> {
    fn new(line: Line<'a>) -> Cursor<'a> {
        Cursor {
            line,
            pos: 0,
            f: None,
        }
    }

    fn with(mut self, f: &'a Function) -> Cursor<'a> {
        self.f = Some(f);
        self
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line.number,
            column: self.line.indent + self.pos + 1,
            message: message.into(),
        }
    }

    fn rest(&self) -> &'a str {
        &self.line.text[self.pos..]
    }

    fn skip_space(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }

    fn span(&self, start: usize) -> Span {
        let base = self.line.offset;
        Span::new((base + start) as u32, (base + self.pos) as u32)
    }

    fn end(&mut self) -> P<()> {
        self.skip_space();
        if self.rest().is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("unexpected `{}`", self.rest())))
        }
    }

    fn eat(&mut self, p: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(p) {
            self.pos += p.len();
            true
        } else {
            false
        }
    }

    fn punct(&mut self, p: &str) -> P<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{p}`")))
        }
    }

    /// The identifier-like token at the cursor (not consumed).
    fn peek_word(&mut self) -> &'a str {
        self.skip_space();
        let r = self.rest();
        let n = r
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(r.len());
        &r[..n]
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek_word() == w {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    fn word(&mut self, w: &str) -> P<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{w}`")))
        }
    }

    fn ident(&mut self) -> P<String> {
        let w = self.peek_word();
        if w.is_empty() {
            return Err(self.error("expected a name"));
        }
        self.pos += w.len();
        Ok(w.to_string())
    }

    /// `name$id`: a local's name and index.
    fn local_name(&mut self) -> P<(String, usize)> {
        let w = self.ident()?;
        let bad = || self.error(format!("`{w}` is not a local (name$index)"));
        let (name, id) = w.rsplit_once('$').ok_or_else(bad)?;
        let id = id.parse().map_err(|_| bad())?;
        Ok((name.to_string(), id))
    }

    /// Whether the line is `name$id = ...`.
    fn at_local_assign(&mut self) -> bool {
        let w = self.peek_word();
        let after = self.rest()[w.len()..].trim_start();
        w.contains('$') && after.starts_with('=') && !after.starts_with("==")
    }

    /// A non-negative integer (a count, an axis, an id).
    fn digits(&mut self) -> P<usize> {
        self.skip_space();
        let r = self.rest();
        let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        let v = r[..n]
            .parse()
            .map_err(|_| self.error("expected a number"))?;
        self.pos += n;
        Ok(v)
    }

    /// An integer or float literal as `print_function` writes them (`-3`,
    /// `2.5`, `1e-300`, `inf`, `NaN`).
    fn number(&mut self) -> P<ConstValue> {
        self.skip_space();
        let r = self.rest();
        let exponent_sign = |i: usize| r[..i].ends_with('e');
        let n = r
            .char_indices()
            .find(|&(i, c)| {
                let sign = (c == '-' && i == 0) || ((c == '-' || c == '+') && exponent_sign(i));
                !(c.is_ascii_alphanumeric() || c == '.' || sign)
            })
            .map_or(r.len(), |(i, _)| i);
        let text = &r[..n];
        self.pos += n;
        if let Ok(i) = text.parse::<i64>() {
            return Ok(ConstValue::Int(i));
        }
        text.parse::<f64>()
            .map(ConstValue::Float)
            .map_err(|_| self.error(format!("bad number `{text}`")))
    }

    fn exception(&mut self) -> P<u32> {
        self.word("exception")?;
        self.punct("#")?;
        let id = self.digits()?;
        u32::try_from(id).map_err(|_| self.error("expected an exception id"))
    }

    fn reduction_op(&mut self) -> P<&'static str> {
        const OPS: [&str; 7] = ["+", "*", "|", "&", "^", "min", "max"];
        self.skip_space();
        let op = OPS
            .into_iter()
            .find(|op| self.rest().starts_with(op))
            .ok_or_else(|| self.error("expected a reduction operator"))?;
        self.pos += op.len();
        Ok(op)
    }

    fn flags(&mut self) -> P<Flags> {
        let mut flags = Flags::default();
        loop {
            match self.ident()?.as_str() {
                "boundscheck" => flags.boundscheck = true,
                "parallel" => flags.parallel = true,
                "inline_always" => flags.inline_always = true,
                "error_model" => {
                    self.punct("=")?;
                    self.word("numpy")?;
                    flags.error_model = ErrorModel::Numpy;
                }
                "fastmath" => {
                    self.punct("=")?;
                    flags.fastmath = FastMath(self.digits()? as u32);
                }
                other => return Err(self.error(format!("unknown flag `{other}`"))),
            }
            if !self.eat(",") {
                self.end()?;
                return Ok(flags);
            }
        }
    }

    fn ty(&mut self) -> P<Type> {
        self.skip_space();
        let (t, n) = oxjit_types::parse_ir_type_prefix(self.rest()).map_err(|e| self.error(e))?;
        self.pos += n;
        Ok(t)
    }

    fn local(&self, id: usize) -> P<&'a Local> {
        self.f
            .and_then(|f| f.locals.get(id))
            .ok_or_else(|| self.error(format!("no local {id}")))
    }

    /// `body: type`, then any `[...]` postfixes.
    fn expr(&mut self) -> P<Expr> {
        match self.expr_or_target()? {
            Parsed::Expr(e) => Ok(e),
            Parsed::Target(..) => Err(self.error("expected `:` and the index's type")),
        }
    }

    fn expr_or_target(&mut self) -> P<Parsed> {
        let start = {
            self.skip_space();
            self.pos
        };
        let kind = self.body()?;
        self.punct(":")?;
        let ty = self.ty()?;
        let mut e = Expr::new(kind, ty, self.span(start));
        while self.eat("[") {
            let kind = if self
                .rest()
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
                && self.peek_tuple_index()
            {
                let i = self.digits()?;
                self.punct("]")?;
                ExprKind::TupleGet(Box::new(e), i)
            } else {
                let indices = self.list("]")?;
                let boundscheck = self.eat("!");
                if !self.rest().trim_start().starts_with(':') {
                    return Ok(Parsed::Target(e, indices));
                }
                ExprKind::Index {
                    array: Box::new(e),
                    indices,
                    boundscheck,
                }
            };
            self.punct(":")?;
            let ty = self.ty()?;
            e = Expr::new(kind, ty, self.span(start));
        }
        Ok(Parsed::Expr(e))
    }

    /// Whether the bracket holds only an integer (a tuple item).
    fn peek_tuple_index(&self) -> bool {
        let r = self.rest().trim_start();
        let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        r[n..].trim_start().starts_with(']')
    }

    /// A string in Rust's `{:?}` form (how the printer writes one).
    fn string(&mut self) -> P<String> {
        let r = self.rest();
        let mut out = String::new();
        let mut chars = r.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let (_, e) = chars
                        .next()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '0' => '\0',
                        'u' => {
                            let hex: String = chars
                                .by_ref()
                                .map(|(_, c)| c)
                                .skip(1)
                                .take_while(|&c| c != '}')
                                .collect();
                            u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.error("bad \\u escape"))?
                        }
                        other => other,
                    });
                }
                c => out.push(c),
            }
        }
        Err(self.error("unterminated string"))
    }

    /// Comma-separated items up to `close` (consumed).
    fn items<T>(&mut self, close: &str, mut item: impl FnMut(&mut Self) -> P<T>) -> P<Vec<T>> {
        let mut out = vec![];
        while !self.eat(close) {
            if !out.is_empty() {
                self.punct(",")?;
            }
            out.push(item(self)?);
        }
        Ok(out)
    }

    /// Comma-separated expressions up to `close` (consumed).
    fn list(&mut self, close: &str) -> P<Vec<Expr>> {
        self.items(close, Self::expr)
    }

    fn body(&mut self) -> P<ExprKind> {
        self.skip_space();
        let r = self.rest();
        let first = r
            .chars()
            .next()
            .ok_or_else(|| self.error("expected an expression"))?;
        if first.is_ascii_digit()
            || (first == '-' && r[1..].starts_with(|c: char| c.is_ascii_digit() || c == 'i'))
        {
            return Ok(ExprKind::Const(self.number()?));
        }
        if first == '"' {
            return Ok(ExprKind::Const(ConstValue::Str(self.string()?)));
        }
        if first == '(' {
            self.pos += 1;
            if self.at_set_local() {
                let (_, id) = self.local_name()?;
                self.punct(":=")?;
                let x = self.expr()?;
                self.punct(")")?;
                return Ok(ExprKind::SetLocal(LocalId(id as u32), Box::new(x)));
            }
            let then = self.expr()?;
            self.word("if")?;
            let cond = self.expr()?;
            self.word("else")?;
            let orelse = self.expr()?;
            self.punct(")")?;
            return Ok(ExprKind::IfExp(
                Box::new(cond),
                Box::new(then),
                Box::new(orelse),
            ));
        }
        let w = self.ident()?;
        let boxed = |e: Expr| Box::new(e);
        Ok(match w.as_str() {
            "True" => ExprKind::Const(ConstValue::Bool(true)),
            "False" => ExprKind::Const(ConstValue::Bool(false)),
            "None" | "unit" => ExprKind::Const(ConstValue::Unit),
            "inf" | "NaN" => {
                self.pos -= w.len();
                ExprKind::Const(self.number()?)
            }
            "uninit" => ExprKind::Uninit,
            "complex" => {
                self.punct("(")?;
                let (re, im) = (self.number()?, {
                    self.punct(",")?;
                    self.number()?
                });
                self.punct(")")?;
                let f = |c| match c {
                    ConstValue::Float(x) => Ok(x),
                    _ => Err(self.error("expected a float")),
                };
                ExprKind::Const(ConstValue::Complex(f(re)?, f(im)?))
            }
            "cast" | "truth" => {
                self.punct("(")?;
                let x = self.expr()?;
                self.punct(")")?;
                if w == "cast" {
                    ExprKind::Cast(boxed(x))
                } else {
                    ExprKind::Truth(boxed(x))
                }
            }
            "tuple" => {
                self.punct("(")?;
                ExprKind::Tuple(self.list(")")?)
            }
            "call" => {
                let symbol = self.ident()?;
                self.punct("(")?;
                ExprKind::CallFunc {
                    symbol,
                    args: self.list(")")?,
                }
            }
            "runtime" => {
                let name = self.ident()?;
                let func = RuntimeFn::ALL
                    .iter()
                    .copied()
                    .find(|f| f.name() == name)
                    .ok_or_else(|| self.error(format!("unknown runtime function `{name}`")))?;
                self.punct("(")?;
                ExprKind::RuntimeCall {
                    func,
                    args: self.list(")")?,
                }
            }
            "elementwise" => self.elementwise()?,
            "view" => {
                self.punct("(")?;
                let array = self.expr()?;
                self.punct(",")?;
                self.punct("[")?;
                let dims = self.items("]", Self::view_dim)?;
                self.punct(")")?;
                ExprKind::View {
                    array: boxed(array),
                    dims,
                    boundscheck: self.eat("!"),
                }
            }
            "transpose" => {
                self.punct("(")?;
                let array = self.expr()?;
                self.punct(",")?;
                self.punct("[")?;
                let axes = self.items("]", Self::digits)?;
                self.punct(")")?;
                ExprKind::Transpose {
                    array: boxed(array),
                    axes,
                }
            }
            "reshape" => {
                self.punct("(")?;
                let array = self.expr()?;
                self.punct(",")?;
                self.punct("(")?;
                let shape = self.list(")")?;
                self.punct(")")?;
                ExprKind::Reshape {
                    array: boxed(array),
                    shape,
                }
            }
            w if w.starts_with("guard_") => {
                let name = &w["guard_".len()..];
                let check = by_name(Check::ALL, name)
                    .ok_or_else(|| self.error(format!("unknown check `{name}`")))?;
                self.punct("(")?;
                let value = self.expr()?;
                self.punct(",")?;
                let exc = self.exception()?;
                self.punct(")")?;
                ExprKind::Guard {
                    value: boxed(value),
                    check,
                    exc,
                }
            }
            w if elem_operand(w, "in").is_some() => {
                ExprKind::ElemInput(elem_operand(w, "in").unwrap())
            }
            w if elem_operand(w, "idx").is_some() => {
                ExprKind::ElemIndex(elem_operand(w, "idx").unwrap())
            }
            w if w.contains('$') => {
                self.pos -= w.len();
                let (name, id) = self.local_name()?;
                let l = self.local(id)?;
                if l.name != name {
                    return Err(self.error(format!("local {id} is `{}`, not `{name}`", l.name)));
                }
                ExprKind::Local(LocalId(id as u32))
            }
            op => self.operation(op)?,
        })
    }

    fn at_set_local(&mut self) -> bool {
        let w = self.peek_word();
        w.contains('$') && self.rest()[w.len()..].trim_start().starts_with(":=")
    }

    fn elementwise(&mut self) -> P<ExprKind> {
        self.punct("(")?;
        self.word("inputs")?;
        self.punct("=")?;
        self.punct("[")?;
        let inputs = self.list("]")?;
        self.punct(",")?;
        self.word("body")?;
        self.punct("=")?;
        let body = Box::new(self.expr()?);
        let (mut shape, mut out) = (None, None);
        while self.eat(",") {
            if self.eat_word("shape") {
                self.punct("=")?;
                self.punct("(")?;
                shape = Some(self.list(")")?);
            } else {
                self.word("out")?;
                self.punct("=")?;
                out = Some(Box::new(self.expr()?));
            }
        }
        self.punct(")")?;
        Ok(ExprKind::Elementwise {
            inputs,
            body,
            shape,
            out,
        })
    }

    fn view_dim(&mut self) -> P<ViewDim> {
        if self.eat_word("newaxis") {
            return Ok(ViewDim::NewAxis);
        }
        let part = |c: &mut Self, ends: &[&str]| -> P<Option<Expr>> {
            let r = c.rest().trim_start();
            if ends.iter().any(|e| r.starts_with(e)) {
                Ok(None)
            } else {
                c.expr().map(Some)
            }
        };
        let start = part(self, &[":"])?;
        if !self.eat(":") {
            return start
                .map(ViewDim::Index)
                .ok_or_else(|| self.error("expected an index"));
        }
        let stop = part(self, &[":"])?;
        self.punct(":")?;
        let step = part(self, &[",", "]"])?;
        Ok(ViewDim::Slice { start, stop, step })
    }

    /// `Op(args)`: an operator, an intrinsic or a reduction by its name.
    fn operation(&mut self, name: &str) -> P<ExprKind> {
        let intrinsic = match name {
            "Math" | "Math2" | "Dim" => Some(self.intrinsic_with_payload(name)?),
            _ => by_name(Intrinsic::UNITS, name),
        };
        self.punct("(")?;
        let mut args = vec![];
        let mut axis = None;
        let mut ddof = None;
        while !self.eat(")") {
            if !args.is_empty() {
                self.punct(",")?;
            }
            if self.eat_word("axis") {
                self.punct("=")?;
                axis = Some(if self.eat_word("None") {
                    None
                } else {
                    self.word("Some")?;
                    self.punct("(")?;
                    let a = self.digits()?;
                    self.punct(")")?;
                    Some(a)
                });
            } else if self.eat_word("ddof") {
                self.punct("=")?;
                ddof = Some(Box::new(self.expr()?));
            } else {
                args.push(self.expr()?);
            }
        }
        if let Some(axis) = axis {
            let op = by_name(ReduceOp::ALL, name)
                .ok_or_else(|| self.error(format!("unknown reduction `{name}`")))?;
            let [array] = <[Expr; 1]>::try_from(args)
                .map_err(|_| self.error("a reduction takes one array"))?;
            return Ok(ExprKind::Reduce {
                op,
                array: Box::new(array),
                axis,
                ddof,
            });
        }
        let two = |args: Vec<Expr>, c: &Self| -> P<(Box<Expr>, Box<Expr>)> {
            let [a, b] = <[Expr; 2]>::try_from(args)
                .map_err(|_| c.error(format!("{name} takes two operands")))?;
            Ok((Box::new(a), Box::new(b)))
        };
        if let Some(op) = by_name(BinOp::ALL, name) {
            let (a, b) = two(args, self)?;
            return Ok(ExprKind::Binary(op, a, b));
        }
        if let Some(op) = by_name(CmpOp::ALL, name) {
            let (a, b) = two(args, self)?;
            return Ok(ExprKind::Compare(op, a, b));
        }
        match (by_name(UnaryOp::ALL, name), intrinsic) {
            (Some(op), _) if args.len() == 1 => Ok(ExprKind::Unary(op, Box::new(args.remove(0)))),
            (_, Some(i)) => Ok(ExprKind::Call(i, args)),
            _ => Err(self.error(format!("unknown operation `{name}`"))),
        }
    }

    /// `Math(Sqrt)`, `Math2(Atan2)`, `Dim(0)`: the intrinsic before its
    /// argument list.
    fn intrinsic_with_payload(&mut self, name: &str) -> P<Intrinsic> {
        self.punct("(")?;
        let i = if name == "Dim" {
            Some(Intrinsic::Dim(self.digits()?))
        } else {
            let f = self.ident()?;
            match name {
                "Math" => by_name(MathFn::ALL, &f).map(Intrinsic::Math),
                _ => by_name(MathFn2::ALL, &f).map(Intrinsic::Math2),
            }
        };
        let i = i.ok_or_else(|| self.error(format!("unknown {name} function")))?;
        self.punct(")")?;
        Ok(i)
    }
}

/// `in3` → 3 (`prefix` "in"), `idx1` → 1.
fn elem_operand(w: &str, prefix: &str) -> Option<usize> {
    w.strip_prefix(prefix)
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
}

/// The variant of `all` whose `Debug` name is `name`.
fn by_name<T: std::fmt::Debug + Copy>(all: &[T], name: &str) -> Option<T> {
    all.iter().copied().find(|v| format!("{v:?}") == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_intrinsic_is_readable() {
        use Intrinsic::*;
        // Exhaustive, so that a new variant must be given a name here.
        let readable = |i: Intrinsic| match i {
            Math(_) | Math2(_) | Dim(_) => true,
            IsNan | IsInf | IsFinite | Abs | Min | Max | RoundEven | RoundDigits | IntTrueDiv
            | Ldexp | FrexpMantissa | FrexpExponent | Real | Imag | Conjugate | MakeComplex
            | Size | Len | IsNone | ThreadId | NumThreads => Intrinsic::UNITS.contains(&i),
        };
        assert!(Intrinsic::UNITS.iter().all(|&i| readable(i)));
        assert!(readable(NumThreads) && readable(IsNan));
    }

    #[test]
    fn a_hand_written_function_round_trips() {
        let text = "\
def f($arg_n$0: int64, $arg_a$1: array(float64, 1d, C)) -> float64:
    # flags: boundscheck, parallel
    # s$2: float64
    # i$3: int64
    # p$4: float64
    s$2 = 0.0: float64
    for i$3 in prange(0: int64, $arg_n$0: int64, 1: int64):  # static
        reduce s$2 + from 0.0: float64 with p$4:
            s$2 = Add(s$2: float64, p$4: float64): float64
        s$2 = Add(s$2: float64, $arg_a$1: array(float64, 1d, C)[i$3: int64]!: float64): float64
    if Lt(s$2: float64, -1.5e-7: float64): bool:
        raise exception#17
    else:
        pass
    return (s$2: float64 if truth(s$2: float64): bool else Math(Sqrt)(NaN: float64): float64): float64
";
        let funcs = parse_functions(text).unwrap();
        assert_eq!(funcs.len(), 1);
        assert_eq!(
            print_function(&funcs[0]),
            text.replace("    else:\n        pass\n", "")
        );
    }

    #[test]
    fn errors_say_where() {
        let e = parse_functions("def f() -> int64:\n    return 1: pyint +\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unexpected"), "{e}");
    }
}
