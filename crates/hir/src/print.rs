//! The HIR's text form: Python-like, one statement per line, locals shown as
//! `name$id` so that resolution is visible in snapshots.

use crate::*;
use std::fmt::Write;

pub fn print_function(f: &Function) -> String {
    let p = Printer { f };
    let params: Vec<String> = f.params().map(|id| p.local(id)).collect();
    let mut out = format!("def {}({}):\n", f.name, params.join(", "));
    p.block(&mut out, &f.body, 1);
    // The functions defined in it, after it; a closure's captured
    // parameters come first.
    for (i, c) in f.closures.iter().enumerate() {
        let _ = writeln!(out, "# closure#{i} of {}, {} captured", f.name, c.ncaptures);
        out.push_str(&print_function(c));
    }
    out
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
            StmtKind::Assign { targets, value } => {
                let ts: Vec<String> = targets.iter().map(|t| self.target(t)).collect();
                let _ = writeln!(out, "{ind}{} = {}", ts.join(" = "), self.expr(value));
            }
            StmtKind::AugAssign { target, op, value } => {
                let _ = writeln!(
                    out,
                    "{ind}{} {}= {}",
                    self.target(target),
                    op.symbol(),
                    self.expr(value)
                );
            }
            StmtKind::Expr(e) => {
                let _ = writeln!(out, "{ind}{}", self.expr(e));
            }
            StmtKind::If { test, body, orelse } => {
                let _ = writeln!(out, "{ind}if {}:", self.expr(test));
                self.block(out, body, depth + 1);
                if !orelse.is_empty() {
                    let _ = writeln!(out, "{ind}else:");
                    self.block(out, orelse, depth + 1);
                }
            }
            StmtKind::While { test, body, orelse } => {
                let _ = writeln!(out, "{ind}while {}:", self.expr(test));
                self.block(out, body, depth + 1);
                self.orelse(out, orelse, depth);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                let _ = writeln!(
                    out,
                    "{ind}for {} in {}:",
                    self.target(target),
                    self.expr(iter)
                );
                self.block(out, body, depth + 1);
                self.orelse(out, orelse, depth);
            }
            StmtKind::Break => out.push_str(&format!("{ind}break\n")),
            StmtKind::Continue => out.push_str(&format!("{ind}continue\n")),
            StmtKind::Pass => out.push_str(&format!("{ind}pass\n")),
            StmtKind::Return(v) => match v {
                Some(v) => out.push_str(&format!("{ind}return {}\n", self.expr(v))),
                None => out.push_str(&format!("{ind}return\n")),
            },
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                let _ = writeln!(out, "{ind}try:");
                self.block(out, body, depth + 1);
                for h in handlers {
                    let class = h.class.as_ref().map(|c| format!(" {}", self.expr(c)));
                    let name = h.name.map(|n| format!(" as {}", self.local(n)));
                    let _ = writeln!(
                        out,
                        "{ind}except{}{}:",
                        class.unwrap_or_default(),
                        name.unwrap_or_default()
                    );
                    self.block(out, &h.body, depth + 1);
                }
                self.orelse(out, orelse, depth);
                if !finalbody.is_empty() {
                    let _ = writeln!(out, "{ind}finally:");
                    self.block(out, finalbody, depth + 1);
                }
            }
            StmtKind::Raise(v) => match v {
                Some(v) => out.push_str(&format!("{ind}raise {}\n", self.expr(v))),
                None => out.push_str(&format!("{ind}raise\n")),
            },
        }
    }

    fn orelse(&self, out: &mut String, orelse: &[Stmt], depth: usize) {
        if !orelse.is_empty() {
            let _ = writeln!(out, "{}else:", "    ".repeat(depth));
            self.block(out, orelse, depth + 1);
        }
    }

    fn target(&self, t: &Target) -> String {
        match t {
            Target::Local(id, _) => self.local(*id),
            Target::Tuple(items, _) => {
                let inner: Vec<String> = items.iter().map(|t| self.target(t)).collect();
                format!("({})", inner.join(", "))
            }
            Target::Subscript { base, index, .. } => {
                format!("{}[{}]", self.expr(base), self.expr(index))
            }
        }
    }

    fn expr(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Const(c) => c.to_string(),
            ExprKind::Local(id) => self.local(*id),
            ExprKind::Global(v) => v.to_string(),
            ExprKind::Unary(op, x) => format!("({}{})", op.symbol(), self.expr(x)),
            ExprKind::Binary(op, a, b) => {
                format!("({} {} {})", self.expr(a), op.symbol(), self.expr(b))
            }
            ExprKind::Compare(first, rest) => {
                let mut s = format!("({}", self.expr(first));
                for (op, x) in rest {
                    s.push_str(&format!(" {} {}", op.symbol(), self.expr(x)));
                }
                s + ")"
            }
            ExprKind::BoolOp(op, xs) => {
                let sep = match op {
                    BoolOp::And => " and ",
                    BoolOp::Or => " or ",
                };
                let inner: Vec<String> = xs.iter().map(|x| self.expr(x)).collect();
                format!("({})", inner.join(sep))
            }
            ExprKind::IfExp { test, body, orelse } => {
                format!(
                    "({} if {} else {})",
                    self.expr(body),
                    self.expr(test),
                    self.expr(orelse)
                )
            }
            ExprKind::Call { func, args, kwargs } => {
                let mut parts: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                parts.extend(
                    kwargs
                        .iter()
                        .map(|k| format!("{}={}", k.name, self.expr(&k.value))),
                );
                format!("{}({})", self.expr(func), parts.join(", "))
            }
            ExprKind::Attribute(x, name) => format!("{}.{name}", self.expr(x)),
            ExprKind::Subscript(x, i) => format!("{}[{}]", self.expr(x), self.expr(i)),
            ExprKind::List(items) => {
                let inner: Vec<String> = items.iter().map(|x| self.expr(x)).collect();
                format!("[{}]", inner.join(", "))
            }
            ExprKind::Dict(pairs) => {
                let inner: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.expr(k), self.expr(v)))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            ExprKind::FString(parts) => {
                let inner: Vec<String> = parts
                    .iter()
                    .map(|p| match p {
                        FStringPart::Literal(s, _) => format!("{s:?}"),
                        FStringPart::Field {
                            value,
                            conversion,
                            spec,
                        } => {
                            let mut s = format!("{{{}", self.expr(value));
                            if let Some(c) = conversion {
                                s.push_str(&format!("!{c}"));
                            }
                            if let Some(spec) = spec {
                                s.push_str(&format!(":{}", self.expr(spec)));
                            }
                            s + "}"
                        }
                    })
                    .collect();
                format!("f[{}]", inner.join(", "))
            }
            ExprKind::ThisClosure => "this_closure".into(),
            ExprKind::Closure { index, captures } => {
                let captures: Vec<String> = captures.iter().map(|c| self.local(*c)).collect();
                format!("closure#{index}({})", captures.join(", "))
            }
            ExprKind::Set(items) => {
                let inner: Vec<String> = items.iter().map(|x| self.expr(x)).collect();
                format!("{{{}}}", inner.join(", "))
            }
            ExprKind::Comprehension {
                kind,
                result,
                elt,
                value,
                generators,
            } => {
                let (open, close) = match kind {
                    CompKind::List => ("[", "]"),
                    CompKind::Set | CompKind::Dict => ("{", "}"),
                    CompKind::Generator => ("(", ")"),
                };
                let mut s = format!("{} := {open}{}", self.local(*result), self.expr(elt));
                if let Some(v) = value {
                    s.push_str(&format!(": {}", self.expr(v)));
                }
                for g in generators {
                    s.push_str(&format!(
                        " for {} in {}",
                        self.target(&g.target),
                        self.expr(&g.iter)
                    ));
                    for c in &g.ifs {
                        s.push_str(&format!(" if {}", self.expr(c)));
                    }
                }
                s + close
            }
            ExprKind::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(|x| self.expr(x)).collect();
                format!(
                    "({}{})",
                    inner.join(", "),
                    if items.len() == 1 { "," } else { "" }
                )
            }
            ExprKind::Slice { lower, upper, step } => {
                let part =
                    |x: &Option<Box<Expr>>| x.as_ref().map_or(String::new(), |x| self.expr(x));
                match step {
                    Some(_) => format!("{}:{}:{}", part(lower), part(upper), part(step)),
                    None => format!("{}:{}", part(lower), part(upper)),
                }
            }
        }
    }
}
