//! The library registry: one declaration per library function or method
//! compiled code can call — its full dotted path (as Python reaches the
//! object: `numpy.random.seed`, never a flattened `numpy.seed`), its
//! parameters with defaults, whether it is also an array method, and its
//! rule, which states how it lowers:
//!
//! - `elementwise`: a scalar body typed on element proxies; over array
//!   arguments the `elementwise` mechanism makes it one fused loop;
//! - `view`, `reduction`, `creation`, `runtime` (a runtime array function)
//!   or `inline` (scalar code): the rule takes the bound call whole.
//!
//! Calls are bound to parameters here, once, for every entry (Python's
//! rules: positional, keyword, defaults, `*args`), so rules read arguments
//! by position. The driver resolves Python objects to these paths by
//! identity (`paths`), the supported-name hints and the README's list
//! (`markdown`) are generated from the same table.
//!
//! Adding a function is one `def` in the family file it belongs to.

mod builtins;
mod creation;
mod dicts;
mod lists;
mod math;
mod operators;
mod random;
mod reductions;
mod sets;
mod shape;
mod strs;
mod ufuncs;

use crate::check::{error, Checker, Fail, R};
use crate::Param;
use oxjit_diag::{Code, Span};
use oxjit_hir::{self as hir, Const, ExprKind as HK};
use oxjit_tir::{self as tir, ExprKind as TK};
use oxjit_types::Type;
use std::collections::HashMap;
use std::sync::OnceLock;

/// How an entry's result is computed, as its rule states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lowering {
    /// A scalar body; a fused elementwise loop over array arguments.
    Elementwise,
    /// An array creation loop (`Elementwise` node with an explicit shape).
    Creation,
    /// A view of an argument: no copy.
    View,
    /// A reduction or scan loop.
    Reduction,
    /// A call to a runtime array function.
    Runtime,
    /// Scalar code inline.
    Inline,
}

impl Lowering {
    fn describe(self) -> &'static str {
        match self {
            Lowering::Elementwise => "elementwise",
            Lowering::Creation => "creation",
            Lowering::View => "view",
            Lowering::Reduction => "reduction",
            Lowering::Runtime => "runtime",
            Lowering::Inline => "inline",
        }
    }
}

/// What a method is called on: paths `ndarray.*` and functions made
/// methods are array methods, paths `list.*`, `dict.*`, `set.*` and
/// `str.*` the methods of those.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Receiver {
    Array,
    List,
    Dict,
    Set,
    Str,
}

impl Receiver {
    fn of_path(path: &str) -> Receiver {
        if path.starts_with("list.") {
            Receiver::List
        } else if path.starts_with("dict.") {
            Receiver::Dict
        } else if path.starts_with("set.") {
            Receiver::Set
        } else if path.starts_with("str.") {
            Receiver::Str
        } else {
            Receiver::Array
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Receiver::Array => "array methods",
            Receiver::List => "list methods",
            Receiver::Dict => "dict methods",
            Receiver::Set => "set methods",
            Receiver::Str => "str methods",
        }
    }
}

/// Whether an entry is called as a function, an array method, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    No,
    /// Also `a.name(...)`, with `a` bound to the first parameter.
    Also,
    /// Only a method (paths `ndarray.name`, `list.name`).
    Only,
}

type ElemFn = Box<dyn Fn(&mut Checker, &Call, Vec<tir::Expr>) -> R<tir::Expr> + Send + Sync>;
type WholeFn = Box<dyn Fn(&mut Checker, &mut Call) -> R<tir::Expr> + Send + Sync>;

enum Rule {
    Elementwise(ElemFn),
    Whole(Lowering, WholeFn),
}

/// Parameters as Python declares them: `a, axis=None, *args`.
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    pub params: Vec<Param>,
    /// The `*args` parameter's name, collecting extra positional arguments.
    pub rest: Option<String>,
    /// How many leading parameters cannot be passed by keyword (before `/`).
    pub positional_only: usize,
    /// How many leading parameters can be passed by position (those after
    /// `*` or `*args` are keyword-only).
    pub positional: usize,
}

impl Signature {
    /// A jitted function's parameters.
    pub fn of_params(params: Vec<Param>) -> Signature {
        Signature {
            positional: params.len(),
            params,
            rest: None,
            positional_only: 0,
        }
    }

    /// Parses `"x, /, axis=None, *, ddof=0"`; defaults are literals
    /// (None, True, False, ints, floats, quoted strings).
    fn parse(text: &str) -> Signature {
        let mut sig = Signature::of_params(vec![]);
        let mut keyword_only = false;
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "/" {
                sig.positional_only = sig.params.len();
                continue;
            }
            if let Some(name) = item.strip_prefix('*') {
                if !name.is_empty() {
                    sig.rest = Some(name.to_string());
                }
                keyword_only = true;
                continue;
            }
            let (name, default) = match item.split_once('=') {
                None => (item, None),
                Some((n, d)) => (n.trim(), Some(literal(d.trim()))),
            };
            sig.params.push(Param {
                name: name.to_string(),
                default,
            });
            if !keyword_only {
                sig.positional = sig.params.len();
            }
        }
        sig
    }
}

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut items: Vec<String> = self
            .params
            .iter()
            .map(|p| match &p.default {
                None => p.name.clone(),
                Some(c) => format!("{}={}", p.name, const_text(c)),
            })
            .collect();
        let star = match &self.rest {
            Some(r) => Some(format!("*{r}")),
            None if self.positional < self.params.len() => Some("*".into()),
            None => None,
        };
        if let Some(star) = star {
            items.insert(self.positional, star);
        }
        if self.positional_only > 0 {
            items.insert(self.positional_only, "/".into());
        }
        f.write_str(&items.join(", "))
    }
}

fn literal(text: &str) -> Const {
    match text {
        "None" => Const::None,
        "True" => Const::Bool(true),
        "False" => Const::Bool(false),
        "()" => Const::Tuple(vec![]),
        t if t.starts_with('\'') => Const::Str(t.trim_matches('\'').to_string()),
        t => match t.parse::<i64>() {
            Ok(i) => Const::Int(i),
            Err(_) => Const::Float(t.parse().unwrap_or_else(|_| panic!("default {t}"))),
        },
    }
}

fn const_text(c: &Const) -> String {
    match c {
        Const::None => "None".into(),
        Const::Bool(b) => if *b { "True" } else { "False" }.into(),
        Const::Int(i) => i.to_string(),
        Const::Float(x) => format!("{x:?}"),
        Const::Str(s) => format!("'{s}'"),
        Const::Tuple(items) if items.is_empty() => "()".into(),
        other => format!("{other:?}"),
    }
}

/// One library function or method.
pub struct Entry {
    pub path: String,
    pub aliases: Vec<String>,
    pub signature: Signature,
    pub method: Method,
    /// Further method names (`conj` for `conjugate`).
    pub method_aliases: Vec<String>,
    /// A NumPy ufunc: its last parameter is `out`, the array the result is
    /// written into (and returned).
    pub ufunc: bool,
    rule: Rule,
}

impl Entry {
    /// The name messages use: `np.sum`, `math.sqrt`, `len`, `ndarray.fill`.
    pub fn display(&self) -> String {
        display(&self.path)
    }

    /// The method names: the path's last part and the method aliases.
    fn method_names(&self) -> impl Iterator<Item = &str> {
        let own = (self.method != Method::No).then(|| self.path.rsplit('.').next().unwrap());
        own.into_iter()
            .chain(self.method_aliases.iter().map(String::as_str))
    }

    pub fn lowering(&self) -> Lowering {
        match self.rule {
            Rule::Elementwise(_) => Lowering::Elementwise,
            Rule::Whole(l, _) => l,
        }
    }
}

fn display(path: &str) -> String {
    if let Some(f) = path.strip_prefix("builtins.") {
        f.to_string()
    } else if let Some(f) = path.strip_prefix("numpy.") {
        format!("np.{f}")
    } else {
        path.to_string()
    }
}

/// Collects entries; each family file adds its own.
#[derive(Default)]
pub(crate) struct Defs {
    entries: Vec<Entry>,
}

impl Defs {
    /// Declares `path(params)`; the builder's rule call adds it.
    pub(crate) fn def(&mut self, path: impl Into<String>, params: &str) -> Def<'_> {
        let path = path.into();
        let method = if path.starts_with("ndarray.") || Receiver::of_path(&path) != Receiver::Array
        {
            Method::Only
        } else {
            Method::No
        };
        Def {
            defs: self,
            path,
            aliases: vec![],
            signature: Signature::parse(params),
            method,
            method_aliases: vec![],
            ufunc: false,
        }
    }
}

pub(crate) struct Def<'d> {
    defs: &'d mut Defs,
    path: String,
    aliases: Vec<String>,
    signature: Signature,
    method: Method,
    method_aliases: Vec<String>,
    ufunc: bool,
}

impl Def<'_> {
    /// Another path to the same function (`numpy.abs` for `numpy.absolute`).
    pub(crate) fn alias(mut self, path: impl Into<String>) -> Self {
        self.aliases.push(path.into());
        self
    }

    /// Also an array method, the array bound to the first parameter.
    pub(crate) fn method(mut self) -> Self {
        self.method = Method::Also;
        self
    }

    /// Another method name for it.
    pub(crate) fn method_alias(mut self, name: &str) -> Self {
        self.method_aliases.push(name.into());
        self
    }

    /// A NumPy ufunc: takes `out` after its inputs, by position or name.
    pub(crate) fn ufunc(mut self) -> Self {
        let text = format!("{}, out=None", self.signature);
        self.signature = Signature::parse(&text);
        self.ufunc = true;
        self
    }

    fn add(self, rule: Rule) {
        assert!(
            self.method_aliases.is_empty() || self.method != Method::No,
            "{}: method aliases of a function that is no method",
            self.path
        );
        self.defs.entries.push(Entry {
            path: self.path,
            aliases: self.aliases,
            signature: self.signature,
            method: self.method,
            method_aliases: self.method_aliases,
            ufunc: self.ufunc,
            rule,
        });
    }

    /// A scalar function applied elementwise over arrays: `f` types the
    /// scalar operation on the present arguments (in parameter order,
    /// then `*args`; arguments left out or given as None are skipped).
    pub(crate) fn elementwise(
        self,
        f: impl Fn(&mut Checker, &Call, Vec<tir::Expr>) -> R<tir::Expr> + Send + Sync + 'static,
    ) {
        self.add(Rule::Elementwise(Box::new(f)))
    }

    /// A rule that takes the bound call whole.
    pub(crate) fn rule(
        self,
        lowering: Lowering,
        f: impl Fn(&mut Checker, &mut Call) -> R<tir::Expr> + Send + Sync + 'static,
    ) {
        self.add(Rule::Whole(lowering, Box::new(f)))
    }
}

/// The registry: entries by path, alias and method name.
pub struct Library {
    entries: Vec<Entry>,
    by_path: HashMap<String, usize>,
    by_method: HashMap<(Receiver, String), usize>,
}

/// The process-wide registry, built on first use.
pub fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let mut defs = Defs::default();
        builtins::define(&mut defs);
        math::define(&mut defs);
        creation::define(&mut defs);
        shape::define(&mut defs);
        reductions::define(&mut defs);
        random::define(&mut defs);
        ufuncs::define(&mut defs);
        operators::define(&mut defs);
        lists::define(&mut defs);
        dicts::define(&mut defs);
        dicts::define_typed(&mut defs);
        sets::define(&mut defs);
        strs::define(&mut defs);
        strs::define_format(&mut defs);
        let entries = defs.entries;
        let mut by_path = HashMap::new();
        let mut by_method = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            for p in std::iter::once(&e.path).chain(&e.aliases) {
                let dup = by_path.insert(p.clone(), i);
                assert!(dup.is_none(), "library path {p} declared twice");
            }
            for m in e.method_names() {
                let dup = by_method.insert((Receiver::of_path(&e.path), m.to_string()), i);
                assert!(dup.is_none(), "method {m} declared twice");
            }
        }
        Library {
            entries,
            by_path,
            by_method,
        }
    })
}

impl Library {
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.by_path.get(path).map(|&i| &self.entries[i])
    }

    pub fn method(&self, on: Receiver, name: &str) -> Option<&Entry> {
        self.by_method
            .get(&(on, name.to_string()))
            .map(|&i| &self.entries[i])
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every path (and alias) of a function Python code can name: the
    /// driver resolves each to its Python object, to recognise the object
    /// however the user reached it.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.method != Method::Only)
            .flat_map(|e| std::iter::once(&e.path).chain(&e.aliases))
            .map(String::as_str)
    }

    /// The hint for a function that is not in the registry: a supported
    /// function of the same module with a close name, else the README.
    pub fn suggest(&self, path: &str) -> String {
        self.close_to(path).unwrap_or_else(|| {
            "the README lists the supported functions (docs/library.md their parameters)".into()
        })
    }

    /// "did you mean ...?" for a supported function of `path`'s module
    /// whose name is within a small edit distance of `path`'s.
    pub fn close_to(&self, path: &str) -> Option<String> {
        let (module, name) = path.rsplit_once('.').unwrap_or(("", path));
        let close = self
            .by_path
            .keys()
            .filter_map(|p| {
                let (m, n) = p.rsplit_once('.')?;
                let d = edit_distance(n, name);
                (m == module && d <= (name.len() / 4).max(1)).then_some((d, p))
            })
            .min();
        close.map(|(_, p)| format!("did you mean {}?", display(p)))
    }

    /// The method names arrays (or lists) support, for hints.
    pub fn method_names(&self, on: Receiver) -> String {
        let mut names: Vec<&str> = self
            .by_method
            .keys()
            .filter(|(r, _)| *r == on)
            .map(|(_, n)| n.as_str())
            .collect();
        names.sort_unstable();
        names.join(" ")
    }

    /// The entries by module, then name.
    fn sorted(&self) -> Vec<&Entry> {
        let mut sorted: Vec<&Entry> = self.entries.iter().collect();
        sorted.sort_by_key(|e| e.path.rsplit_once('.').unwrap());
        sorted
    }

    /// The README's summary: the supported names, one line per module.
    pub fn summary(&self) -> String {
        let mut groups: Vec<(String, Vec<String>)> = vec![];
        let sorted = self.sorted();
        for e in sorted.into_iter().filter(|e| e.method != Method::Only) {
            let (module, name) = e.path.rsplit_once('.').unwrap();
            let module = format!("`{module}`");
            let names = std::iter::once(name.to_string()).chain(
                e.aliases
                    .iter()
                    .map(|a| a.rsplit('.').next().unwrap().to_string()),
            );
            match groups.last_mut() {
                Some((m, items)) if *m == module => items.extend(names),
                _ => groups.push((module, names.collect())),
            }
        }
        for on in [
            Receiver::Array,
            Receiver::List,
            Receiver::Dict,
            Receiver::Set,
        ] {
            groups.push((on.describe().into(), vec![self.method_names(on)]));
        }
        groups
            .into_iter()
            .map(|(m, names)| format!("- {m}: {}\n", names.join(" ")))
            .collect()
    }

    /// `docs/library.md`'s list: every entry with its parameters, whether
    /// it is also a method, and its lowering, grouped by module.
    pub fn markdown(&self) -> String {
        let mut groups: Vec<(String, Vec<String>)> = vec![];
        let sorted = self.sorted();
        for e in sorted {
            let (module, _) = e.path.rsplit_once('.').unwrap();
            let module = match module {
                "ndarray" | "list" => Receiver::of_path(&e.path).describe().to_string(),
                m => format!("`{m}`"),
            };
            let mut item = format!("`{}({})`", e.display(), e.signature);
            if e.method == Method::Also {
                item.push_str(" (also a method)");
            }
            for a in &e.aliases {
                item.push_str(&format!(" = `{}`", display(a)));
            }
            for m in &e.method_aliases {
                item.push_str(&format!(" (method also `{m}`)"));
            }
            item.push_str(&format!(" — {}", e.lowering().describe()));
            match groups.last_mut() {
                Some((m, items)) if *m == module => items.push(item),
                _ => groups.push((module, vec![item])),
            }
        }
        let mut out = String::new();
        for (module, items) in groups {
            out.push_str(&format!("- {module}:\n"));
            for i in items {
                out.push_str(&format!("  - {i}\n"));
            }
        }
        out
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + (ca != *cb) as usize).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// An argument bound to a parameter.
enum Slot<'a> {
    Absent,
    Given(&'a hir::Expr),
    /// The parameter's default, as an expression at the call's span.
    Default(hir::Expr),
    /// The receiver of a method call, typed already (taken when read).
    Typed(Option<tir::Expr>),
}

/// A call bound to its callee's parameters.
pub(crate) struct Call<'a> {
    /// The callee's name for messages.
    pub name: String,
    pub span: Span,
    slots: Vec<Slot<'a>>,
    /// The arguments collected by `*args`.
    pub rest: &'a [hir::Expr],
}

impl<'a> Call<'a> {
    /// Binds positional and keyword arguments (after a method's receiver)
    /// to `sig` as Python does.
    pub(crate) fn bind(
        name: String,
        sig: &Signature,
        receiver: Option<tir::Expr>,
        args: &'a [hir::Expr],
        kwargs: &'a [hir::Keyword],
        span: Span,
    ) -> R<Call<'a>> {
        let params = &sig.params;
        let mut slots: Vec<Slot<'a>> = params.iter().map(|_| Slot::Absent).collect();
        let first = receiver.is_some() as usize;
        if let Some(r) = receiver {
            slots[0] = Slot::Typed(Some(r));
        }
        let fit = (sig.positional - first).min(args.len());
        if sig.rest.is_none() && args.len() > fit {
            return Err(error(
                Code::BadCall,
                span,
                format!(
                    "{name}() takes {} positional argument(s) but {} were given",
                    sig.positional - first,
                    args.len()
                ),
                "check the call's arguments",
            ));
        }
        for (i, a) in args[..fit].iter().enumerate() {
            slots[first + i] = Slot::Given(a);
        }
        let rest = &args[fit..];
        for kw in kwargs {
            let k = &kw.name;
            let skip = sig.positional_only.max(first);
            let by_name = &params[skip..];
            let Some(i) = by_name.iter().position(|p| &p.name == k) else {
                let names: Vec<&str> = by_name.iter().map(|p| p.name.as_str()).collect();
                return Err(error(
                    Code::BadCall,
                    kw.span,
                    format!("{name}() got an unexpected keyword argument '{k}'"),
                    if names.is_empty() {
                        "it takes no keyword arguments".to_string()
                    } else {
                        format!("its parameters are: {}", names.join(", "))
                    },
                ));
            };
            let i = i + skip;
            if !matches!(slots[i], Slot::Absent) {
                return Err(error(
                    Code::BadCall,
                    kw.span,
                    format!("{name}() got multiple values for argument '{k}'"),
                    "pass each argument once",
                ));
            }
            slots[i] = Slot::Given(&kw.value);
        }
        for (slot, p) in slots.iter_mut().zip(params) {
            if matches!(slot, Slot::Absent) {
                let Some(c) = &p.default else {
                    return Err(error(
                        Code::BadCall,
                        span,
                        format!("{name}() missing required argument '{}'", p.name),
                        "pass a value for every parameter without a default",
                    ));
                };
                *slot = Slot::Default(hir::Expr {
                    kind: HK::Const(c.clone()),
                    span,
                });
            }
        }
        Ok(Call {
            name,
            span,
            slots,
            rest,
        })
    }

    /// The argument of parameter `i` (given or its default); `None` when
    /// it is None (NumPy's "not given") or the typed receiver.
    pub(crate) fn hir(&self, i: usize) -> Option<&hir::Expr> {
        let e = match &self.slots[i] {
            Slot::Given(e) => *e,
            Slot::Default(e) => e,
            Slot::Absent | Slot::Typed(_) => return None,
        };
        (!matches!(e.kind, HK::Const(Const::None))).then_some(e)
    }

    /// Whether parameter `i` was passed explicitly.
    pub(crate) fn given(&self, i: usize) -> bool {
        matches!(self.slots[i], Slot::Given(_) | Slot::Typed(_))
    }

    /// Parameter `i` typed, `None` when it is None.
    pub(crate) fn opt(&mut self, ck: &mut Checker, i: usize) -> R<Option<tir::Expr>> {
        if let Slot::Typed(t) = &mut self.slots[i] {
            return Ok(t.take());
        }
        self.hir(i).map(|e| ck.expr(e)).transpose()
    }

    /// Parameter `i` typed; None is typed as the value None.
    pub(crate) fn expr(&mut self, ck: &mut Checker, i: usize) -> R<tir::Expr> {
        let x = self.expr_opt(ck, i)?;
        Ok(ck.value_of(x))
    }

    /// Parameter `i`'s argument, an optional one kept optional (what a
    /// jitted callee receives).
    pub(crate) fn expr_opt(&mut self, ck: &mut Checker, i: usize) -> R<tir::Expr> {
        if let Slot::Typed(t) = &mut self.slots[i] {
            return Ok(t.take().expect("the receiver is read once"));
        }
        match &self.slots[i] {
            Slot::Given(e) => ck.expr_opt(e),
            Slot::Default(e) => ck.expr_opt(e),
            _ => unreachable!("bound calls have every slot"),
        }
    }

    /// Parameter `i`, which must be an array.
    pub(crate) fn array(&mut self, ck: &mut Checker, i: usize) -> R<tir::Expr> {
        let x = self.expr(ck, i)?;
        if x.ty.array().is_none() {
            return Err(error(
                Code::BadCall,
                x.span,
                format!("{}() needs an array, not {}", self.name, x.ty),
                "pass a NumPy array",
            ));
        }
        Ok(x)
    }

    /// Takes the last parameter's argument out of the call (None when it
    /// is absent or None), so that the rule does not see it.
    fn take_last(&mut self) -> Option<&'a hir::Expr> {
        let last = self.slots.len() - 1;
        let e = match std::mem::replace(&mut self.slots[last], Slot::Absent) {
            Slot::Given(e) => e,
            _ => return None,
        };
        (!matches!(e.kind, HK::Const(Const::None))).then_some(e)
    }

    /// Every present argument typed, in order, then `*args`.
    fn present(&mut self, ck: &mut Checker) -> R<Vec<tir::Expr>> {
        let mut out = vec![];
        for i in 0..self.slots.len() {
            if let Some(x) = self.opt(ck, i)? {
                out.push(x);
            }
        }
        for e in self.rest {
            out.push(ck.expr(e)?);
        }
        Ok(out)
    }
}

impl Checker<'_> {
    /// Calls library entry `e` (a method call when `receiver` is given).
    pub(crate) fn call_entry(
        &mut self,
        e: &'static Entry,
        receiver: Option<tir::Expr>,
        args: &[hir::Expr],
        kwargs: &[hir::Keyword],
        span: Span,
    ) -> R<tir::Expr> {
        let mut call = Call::bind(e.display(), &e.signature, receiver, args, kwargs, span)?;
        let out = if e.ufunc { call.take_last() } else { None };
        let value = match &e.rule {
            Rule::Whole(_, f) => f(self, &mut call),
            Rule::Elementwise(f) => {
                let args = call.present(self)?;
                if args.iter().any(crate::arrays::is_arrayish) {
                    self.elementwise(args, span, |ck, p| f(ck, &call, p))
                } else {
                    f(self, &call, args)
                }
            }
        }?;
        match out {
            Some(out) => self.ufunc_out(value, out, span),
            None => Ok(value),
        }
    }

    /// A ufunc's result written into `out` (broadcast, NumPy's
    /// `same_kind` casting), the call's value being `out` itself.
    fn ufunc_out(&mut self, value: tir::Expr, out: &hir::Expr, span: Span) -> R<tir::Expr> {
        let out = self.expr(out)?;
        let Some(at) = out.ty.array() else {
            return Err(error(
                Code::BadCall,
                out.span,
                format!("out must be an array, not {}", out.ty),
                "pass an array of the result's shape, or leave out= away",
            ));
        };
        let res = match (value.ty.array(), value.ty.scalar()) {
            (Some(a), _) => a.dtype,
            (None, Some(s)) => s.strong(),
            _ => unreachable!("ufuncs make numbers or arrays"),
        };
        if !crate::arrays::same_kind(res, at.dtype) {
            return Err(error(
                Code::BadOperand,
                span,
                format!(
                    "cannot write the {res} result into an {} array out (NumPy's 'same_kind' rule)",
                    at.dtype
                ),
                "pass an out array of the result's dtype or a wider one",
            ));
        }
        let [target, result] = <[tir::Expr; 2]>::try_from(self.shared(out, 2)).unwrap();
        let store = self.assign_into(target, value, span)?;
        // The store, then the array: a tuple's items run in order.
        let ty = Type::Tuple(vec![Type::None, result.ty.clone()]);
        let pair = tir::Expr::new(TK::Tuple(vec![store, result]), ty, span);
        Ok(tir::Expr::new(
            TK::TupleGet(Box::new(pair), 1),
            Type::Array(at),
            span,
        ))
    }

    /// A library function that is not in the registry.
    pub(crate) fn unsupported_function(&self, path: &str, span: Span) -> Fail {
        error(
            Code::UnknownAttribute,
            span,
            format!("function '{path}' is not supported in compiled code"),
            library().suggest(path),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_round_trip() {
        for text in [
            "a, axis=None, ddof=0",
            "*args",
            "self, *shape",
            "x, /, base=2.5, s='C'",
            "a, axis=None, *, ddof=0",
            "self, /, *shape, order='C'",
        ] {
            assert_eq!(Signature::parse(text).to_string(), text);
        }
    }

    #[test]
    fn registry_builds_without_duplicates() {
        let lib = library();
        assert!(lib.get("numpy.flip").is_some());
        assert!(lib.get("numpy.linalg.inv").is_none());
        assert_eq!(
            lib.method(Receiver::Array, "sum").unwrap().path,
            "numpy.sum"
        );
        assert!(lib.paths().all(|p| !p.starts_with("ndarray.")));
    }

    #[test]
    fn suggestions_are_close_names_of_the_same_module() {
        let lib = library();
        assert_eq!(lib.suggest("numpy.sqr"), "did you mean np.sqrt?");
        assert!(lib.suggest("numpy.linalg.inv").contains("README"));
        assert_eq!(lib.close_to("math.modf"), None);
    }

    /// Replaces the text between `<!-- library:begin -->` and
    /// `<!-- library:end -->` in `file` with `want`; fails when it differs,
    /// unless `OXJIT_BLESS=1`.
    fn check_generated(file: &str, want: &str) {
        let path = format!("{}/../../{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let (begin, end) = ("<!-- library:begin -->\n", "<!-- library:end -->");
        let start = text.find(begin).expect("the library markers") + begin.len();
        let stop = text.find(end).unwrap();
        if text[start..stop] != *want {
            if std::env::var("OXJIT_BLESS").is_ok_and(|v| v == "1") {
                let new = format!("{}{want}{}", &text[..start], &text[stop..]);
                std::fs::write(&path, new).unwrap();
            } else {
                panic!("{file}'s library list is stale: run the test with OXJIT_BLESS=1");
            }
        }
    }

    /// The README's and `docs/library.md`'s lists are generated from the
    /// registry.
    #[test]
    fn docs_list_the_registry() {
        check_generated("README.md", &library().summary());
        check_generated("docs/library.md", &library().markdown());
    }
}
