//! The typed IR's text form: Python-like statements with every expression's
//! type after a colon, weak Python scalars marked (`pyint`, `pyfloat`).
//! `parse` reads it back: the form is complete (flags, locals, parallel
//! reductions with their combining statements), so printing a parsed
//! function gives the text again.

use crate::*;
use std::fmt::Write;

pub fn print_function(f: &Function) -> String {
    let p = Printer { f };
    let params: Vec<String> = (0..f.nparams)
        .map(|i| format!("{}: {:#}", p.local(LocalId(i as u32)), f.locals[i].ty))
        .collect();
    let mut out = format!("def {}({}) -> {:#}:\n", f.name, params.join(", "), f.ret);
    let flags = flags_text(&f.flags);
    if !flags.is_empty() {
        let _ = writeln!(out, "    # flags: {flags}");
    }
    for (i, l) in f.locals.iter().enumerate().skip(f.nparams) {
        let _ = writeln!(out, "    # {}${i}: {:#}", l.name, l.ty);
    }
    p.block(&mut out, &f.body, 1);
    out
}

/// The flags that differ from the defaults, as `parse` reads them.
pub(crate) fn flags_text(flags: &Flags) -> String {
    let mut items = vec![];
    if flags.boundscheck {
        items.push("boundscheck".to_string());
    }
    if flags.error_model == ErrorModel::Numpy {
        items.push("error_model=numpy".into());
    }
    if flags.fastmath.any() {
        items.push(format!("fastmath={}", flags.fastmath.0));
    }
    if flags.parallel {
        items.push("parallel".into());
    }
    if flags.inline_always {
        items.push("inline_always".into());
    }
    items.join(", ")
}

struct Printer<'a> {
    f: &'a Function,
}

impl Printer<'_> {
    fn local(&self, id: LocalId) -> String {
        format!("{}${}", self.f.local(id).name, id.0)
    }

    fn block(&self, out: &mut String, stmts: &[Stmt], depth: usize) {
        if stmts.is_empty() {
            let _ = writeln!(out, "{}pass", "    ".repeat(depth));
        }
        for s in stmts {
            self.stmt(out, s, depth);
        }
    }

    fn stmt(&self, out: &mut String, s: &Stmt, depth: usize) {
        let ind = "    ".repeat(depth);
        match &s.kind {
            StmtKind::Assign(id, e) => {
                let _ = writeln!(out, "{ind}{} = {}", self.local(*id), self.expr(e));
            }
            StmtKind::Store {
                array,
                indices,
                value,
                boundscheck,
            } => {
                let idx: Vec<String> = indices.iter().map(|i| self.expr(i)).collect();
                let bc = if *boundscheck { " # boundscheck" } else { "" };
                let _ = writeln!(
                    out,
                    "{ind}{}[{}] = {}{bc}",
                    self.expr(array),
                    idx.join(", "),
                    self.expr(value)
                );
            }
            StmtKind::Expr(e) => {
                let _ = writeln!(out, "{ind}{}", self.expr(e));
            }
            StmtKind::If { cond, then, orelse } => {
                let _ = writeln!(out, "{ind}if {}:", self.expr(cond));
                self.block(out, then, depth + 1);
                if !orelse.is_empty() {
                    let _ = writeln!(out, "{ind}else:");
                    self.block(out, orelse, depth + 1);
                }
            }
            StmtKind::While { cond, body, orelse } => {
                let _ = writeln!(out, "{ind}while {}:", self.expr(cond));
                self.block(out, body, depth + 1);
                self.orelse(out, orelse, depth);
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
                orelse,
                parallel,
            } => {
                let (kind, note) = match parallel {
                    None => ("range", ""),
                    Some(p) if p.dynamic => ("prange", "  # dynamic"),
                    Some(_) => ("prange", "  # static"),
                };
                let _ = writeln!(
                    out,
                    "{ind}for {} in {kind}({}, {}, {}):{note}",
                    self.local(*var),
                    self.expr(start),
                    self.expr(stop),
                    self.expr(step)
                );
                // Each reduction, then its combining statements, open the body.
                for r in parallel.iter().flat_map(|p| &p.reductions) {
                    let _ = writeln!(
                        out,
                        "{ind}    reduce {} {} from {} with {}:",
                        self.local(r.local),
                        r.op,
                        self.expr(&r.identity),
                        self.local(r.partial)
                    );
                    self.block(out, &r.combine, depth + 2);
                }
                self.block(out, body, depth + 1);
                self.orelse(out, orelse, depth);
            }
            StmtKind::Break => out.push_str(&format!("{ind}break\n")),
            StmtKind::Continue => out.push_str(&format!("{ind}continue\n")),
            StmtKind::Return(e) => out.push_str(&format!("{ind}return {}\n", self.expr(e))),
            StmtKind::Raise(id) => out.push_str(&format!("{ind}raise exception#{id}\n")),
            StmtKind::RaiseValue(e) => out.push_str(&format!("{ind}raise {}\n", self.expr(e))),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                let _ = writeln!(out, "{ind}try:");
                self.block(out, body, depth + 1);
                for h in handlers {
                    let classes = match h.classes.as_slice() {
                        [] => String::new(),
                        [one] => format!(" {one}"),
                        many => format!(" ({})", many.join(", ")),
                    };
                    let bind = h.bind.map(|id| format!(" as {}", self.local(id)));
                    let _ = writeln!(out, "{ind}except{classes}{}:", bind.unwrap_or_default());
                    self.block(out, &h.body, depth + 1);
                }
                self.orelse(out, orelse, depth);
                if !finally.is_empty() {
                    let _ = writeln!(out, "{ind}finally:");
                    self.block(out, finally, depth + 1);
                }
            }
        }
    }

    fn orelse(&self, out: &mut String, orelse: &[Stmt], depth: usize) {
        if !orelse.is_empty() {
            let _ = writeln!(out, "{}else:", "    ".repeat(depth));
            self.block(out, orelse, depth + 1);
        }
    }

    fn list(&self, xs: &[Expr]) -> String {
        xs.iter()
            .map(|x| self.expr(x))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr(&self, e: &Expr) -> String {
        let body = match &e.kind {
            ExprKind::Const(c) => match c {
                ConstValue::Int(i) => i.to_string(),
                ConstValue::Float(x) => format!("{x:?}"),
                ConstValue::Bool(b) => if *b { "True" } else { "False" }.to_string(),
                ConstValue::Complex(re, im) => format!("complex({re:?}, {im:?})"),
                ConstValue::Str(s) => format!("{s:?}"),
                ConstValue::Unit if e.ty == Type::None => "None".to_string(),
                ConstValue::Unit => "unit".to_string(),
            },
            ExprKind::Local(id) => self.local(*id),
            ExprKind::SetLocal(id, x) => format!("({} := {})", self.local(*id), self.expr(x)),
            ExprKind::Cast(x) => format!("cast({})", self.expr(x)),
            ExprKind::Unary(op, x) => format!("{op:?}({})", self.expr(x)),
            ExprKind::Binary(op, a, b) => format!("{op:?}({}, {})", self.expr(a), self.expr(b)),
            ExprKind::Compare(op, a, b) => format!("{op:?}({}, {})", self.expr(a), self.expr(b)),
            ExprKind::Truth(x) => format!("truth({})", self.expr(x)),
            ExprKind::IfExp(c, t, f) => format!(
                "({} if {} else {})",
                self.expr(t),
                self.expr(c),
                self.expr(f)
            ),
            ExprKind::Guard { value, check, exc } => {
                format!("guard_{check:?}({}, exception#{exc})", self.expr(value))
            }
            ExprKind::Call(i, args) => format!("{i:?}({})", self.list(args)),
            ExprKind::CallFunc { symbol, args } => format!("call {symbol}({})", self.list(args)),
            ExprKind::Tuple(xs) => format!("tuple({})", self.list(xs)),
            ExprKind::TupleGet(x, i) => format!("{}[{i}]", self.expr(x)),
            ExprKind::Index {
                array,
                indices,
                boundscheck,
            } => {
                format!(
                    "{}[{}]{}",
                    self.expr(array),
                    self.list(indices),
                    if *boundscheck { "!" } else { "" }
                )
            }
            ExprKind::Elementwise {
                inputs,
                body,
                shape,
                out,
            } => {
                let mut s = format!(
                    "elementwise(inputs=[{}], body={}",
                    self.list(inputs),
                    self.expr(body)
                );
                if let Some(shape) = shape {
                    s.push_str(&format!(", shape=({})", self.list(shape)));
                }
                if let Some(out) = out {
                    s.push_str(&format!(", out={}", self.expr(out)));
                }
                s + ")"
            }
            ExprKind::ElemInput(k) => format!("in{k}"),
            ExprKind::ElemIndex(d) => format!("idx{d}"),
            ExprKind::Uninit => "uninit".into(),
            ExprKind::View {
                array,
                dims,
                boundscheck,
            } => {
                let opt = |x: &Option<Expr>| x.as_ref().map_or(String::new(), |x| self.expr(x));
                let dims: Vec<String> = dims
                    .iter()
                    .map(|d| match d {
                        ViewDim::Index(i) => self.expr(i),
                        ViewDim::Slice { start, stop, step } => {
                            format!("{}:{}:{}", opt(start), opt(stop), opt(step))
                        }
                        ViewDim::NewAxis => "newaxis".to_string(),
                    })
                    .collect();
                format!(
                    "view({}, [{}]){}",
                    self.expr(array),
                    dims.join(", "),
                    if *boundscheck { "!" } else { "" }
                )
            }
            ExprKind::Transpose { array, axes } => {
                format!("transpose({}, {axes:?})", self.expr(array))
            }
            ExprKind::Reshape { array, shape } => {
                format!("reshape({}, ({}))", self.expr(array), self.list(shape))
            }
            ExprKind::RuntimeCall { func, args } => {
                format!("runtime {}({})", func.name(), self.list(args))
            }
            ExprKind::Reduce {
                op,
                array,
                axis,
                ddof,
            } => {
                let ddof = ddof
                    .as_ref()
                    .map_or(String::new(), |d| format!(", ddof={}", self.expr(d)));
                format!("{op:?}({}, axis={axis:?}{ddof})", self.expr(array))
            }
        };
        format!("{body}: {:#}", e.ty)
    }
}
