//! Parsing of Numba-style type and signature strings:
//! `"float64(float64[:], int64)"`, `"f8(f8[:, ::1])"`, `"void(i8[::1])"`,
//! `"UniTuple(int64 x 2)(float64)"`, and the printed forms such as
//! `"array(float64, 2d, C)"`.

use crate::{ArrayType, Layout, Scalar, Type};

/// A compiled function's signature; `ret` is `None` when it is inferred.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    pub args: Vec<Type>,
    pub ret: Option<Type>,
}

fn scalar_named(name: &str) -> Option<Scalar> {
    use Scalar::*;
    Some(match name {
        "bool" | "boolean" | "bool_" | "b1" => Bool,
        "int8" | "i1" | "byte" => I8,
        "int16" | "i2" => I16,
        "int32" | "i4" | "intc" => I32,
        "int64" | "i8" | "intp" | "int_" => I64,
        "uint8" | "u1" | "uchar" => U8,
        "uint16" | "u2" => U16,
        "uint32" | "u4" | "uintc" => U32,
        "uint64" | "u8" | "uintp" => U64,
        "float32" | "f4" | "single" => F32,
        "float64" | "f8" | "double" | "float_" => F64,
        "complex64" | "c8" => C64,
        "complex128" | "c16" => C128,
        _ => return None,
    })
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    /// The printed form in compiler dumps: weak Python scalars (`pyint`)
    /// and no `float64[:]` array syntax (a `[` after a type is an index).
    ir: bool,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }
    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.s[self.pos..].starts_with(tok.as_bytes()) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, tok: &str) -> Result<(), String> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(format!("expected '{tok}' at position {}", self.pos))
        }
    }
    fn ident(&mut self) -> Result<&'a str, String> {
        self.ws();
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
        {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(format!("expected a type name at position {start}"));
        }
        Ok(std::str::from_utf8(&self.s[start..self.pos]).unwrap())
    }
    fn number(&mut self) -> Result<usize, String> {
        let id = self.ident()?;
        id.parse()
            .map_err(|_| format!("expected a number, found '{id}'"))
    }

    /// `type := name [ '[' dims ']' ] | Tuple(...) | UniTuple(t x n) | array(dt, Nd, L) | none
    /// | dtype(dt) | class(dt) | optional(t)`
    fn ty(&mut self) -> Result<Type, String> {
        let mut name = self.ident()?;
        let readonly = name == "readonly";
        if readonly {
            name = self.ident()?;
            if name != "array" {
                return Err("'readonly' qualifies an array type".into());
            }
        }
        // Numba's name for a list or set argument; ours are all reflected.
        if name == "reflected" {
            name = self.ident()?;
            if name != "list" && name != "set" {
                return Err("'reflected' qualifies a list or set type".into());
            }
        }
        let base = match name {
            "none" | "void" => return Ok(Type::None),
            "unicode_type" | "string" => return Ok(Type::Str),
            "range_state64" => return Ok(Type::Range),
            "exception" if self.ir => return Ok(Type::Exception),
            "function" if self.ir => {
                self.expect("(")?;
                self.expect("#")?;
                let id = self.number()?;
                self.expect(")")?;
                return Ok(Type::Function(id as u64));
            }
            "closure" if self.ir => {
                self.expect("(")?;
                self.expect("#")?;
                let id = self.number()? as u64;
                self.expect(";")?;
                let mut captures = vec![];
                while !self.eat(")") {
                    if !captures.is_empty() {
                        self.expect(",")?;
                    }
                    captures.push(self.ty()?);
                }
                return Ok(Type::Closure(Box::new((id, captures))));
            }
            "pyint" if self.ir => return Ok(Type::Scalar(Scalar::PyInt)),
            "pyfloat" if self.ir => return Ok(Type::Scalar(Scalar::PyFloat)),
            "pycomplex" if self.ir => return Ok(Type::Scalar(Scalar::PyComplex)),
            "dtype" | "class" => {
                self.expect("(")?;
                let dtype = self.ident()?;
                let dtype =
                    scalar_named(dtype).ok_or_else(|| format!("unknown dtype '{dtype}'"))?;
                self.expect(")")?;
                return Ok(if name == "dtype" {
                    Type::DType(dtype)
                } else {
                    Type::Class(dtype)
                });
            }
            "undefined" if self.ir => return Ok(Type::Undefined),
            "list" | "set" | "optional" | "OptionalType" => {
                self.expect("(")?;
                let item = Box::new(self.ty()?);
                self.expect(")")?;
                return Ok(match name {
                    "list" => Type::List(item),
                    "set" => Type::Set(item),
                    _ if item.optional_ok() => Type::Optional(item),
                    _ => return Err(format!("{item} cannot be optional")),
                });
            }
            "dict" => {
                self.expect("(")?;
                let key = self.ty()?;
                self.expect(",")?;
                let value = self.ty()?;
                self.expect(")")?;
                return Ok(Type::Dict(Box::new(key), Box::new(value)));
            }
            "UniTuple" => {
                self.expect("(")?;
                let t = self.ty()?;
                self.expect("x")?;
                let n = self.number()?;
                self.expect(")")?;
                Type::Tuple(vec![t; n])
            }
            "Tuple" => {
                self.expect("(")?;
                let items = self.list(")")?;
                Type::Tuple(items)
            }
            "array" => {
                self.expect("(")?;
                let dtype = self.ident()?;
                let dtype =
                    scalar_named(dtype).ok_or_else(|| format!("unknown dtype '{dtype}'"))?;
                self.expect(",")?;
                let nd = self.ident()?;
                let ndim = nd
                    .strip_suffix('d')
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("bad ndim '{nd}'"))?;
                self.expect(",")?;
                let layout = match self.ident()? {
                    "C" => Layout::C,
                    "F" => Layout::F,
                    "A" => Layout::A,
                    l => return Err(format!("bad layout '{l}'")),
                };
                self.expect(")")?;
                Type::Array(ArrayType {
                    readonly,
                    ..ArrayType::new(dtype, ndim, layout)
                })
            }
            _ => Type::Scalar(scalar_named(name).ok_or_else(|| format!("unknown type '{name}'"))?),
        };
        if self.ir || !self.eat("[") {
            return Ok(base);
        }
        let dtype = base
            .scalar()
            .ok_or("only scalar types can be array element types")?;
        let mut contiguous = Vec::new();
        loop {
            if self.eat("::1") {
                contiguous.push(true);
            } else if self.eat(":") {
                contiguous.push(false);
            } else {
                return Err(format!(
                    "expected ':' or '::1' in array type at position {}",
                    self.pos
                ));
            }
            if self.eat("]") {
                break;
            }
            self.expect(",")?;
        }
        let n = contiguous.len();
        let layout = match contiguous.iter().filter(|c| **c).count() {
            0 => Layout::A,
            1 if contiguous[n - 1] => Layout::C,
            1 if contiguous[0] => Layout::F,
            _ => return Err("'::1' may mark only the first or last dimension".into()),
        };
        Ok(Type::Array(ArrayType::new(dtype, n as u8, layout)))
    }

    fn list(&mut self, close: &str) -> Result<Vec<Type>, String> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            items.push(self.ty()?);
            if self.eat(close) {
                return Ok(items);
            }
            self.expect(",")?;
            // A trailing comma, as in Python's `(int64,)`.
            if self.eat(close) {
                return Ok(items);
            }
        }
    }

    fn end(&mut self) -> Result<(), String> {
        self.ws();
        if self.pos == self.s.len() {
            Ok(())
        } else {
            Err(format!("unexpected text at position {}", self.pos))
        }
    }
}

pub fn parse_type(text: &str) -> Result<Type, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        ir: false,
    };
    let t = p.ty()?;
    p.end()?;
    Ok(t)
}

/// The type the printed form of a compiler dump (`{:#}`) starts `text`
/// with, and the bytes it spans.
pub fn parse_ir_type_prefix(text: &str) -> Result<(Type, usize), String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        ir: true,
    };
    let t = p.ty()?;
    Ok((t, p.pos))
}

/// `ret(args...)` or `(args...)` (return type inferred).
pub fn parse_signature(text: &str) -> Result<Signature, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        ir: false,
    };
    let ret = if p.eat("(") { None } else { Some(p.ty()?) };
    if ret.is_some() {
        p.expect("(")?;
    }
    let args = p.list(")")?;
    p.end()?;
    Ok(Signature { args, ret })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_printed_forms_of_dumps() {
        let text = "readonly array(float64, 1d, C)[i$3: int64]";
        let (t, n) = parse_ir_type_prefix(text).unwrap();
        assert_eq!(t.to_string(), "readonly array(float64, 1d, C)");
        assert_eq!(&text[n..], "[i$3: int64]");
        let (t, _) = parse_ir_type_prefix("UniTuple(pyint x 2)[0]").unwrap();
        assert_eq!(format!("{t:#}"), "UniTuple(pyint x 2)");
        for t in ["dtype(float32)", "class(int8)", "list(UniTuple(int64 x 2))"] {
            assert_eq!(parse_type(t).unwrap().to_string(), t);
        }
        assert!(
            parse_type("pyint").is_err(),
            "weak scalars are no user types"
        );
    }

    #[test]
    fn parses_numba_signatures() {
        let s = parse_signature("float64(float64[:], float64)").unwrap();
        assert_eq!(s.ret, Some(Type::F64));
        assert_eq!(s.args[0].to_string(), "array(float64, 1d, A)");
        let s = parse_signature("f8(f8[:, ::1], i8[::1, :])").unwrap();
        assert_eq!(s.args[0].to_string(), "array(float64, 2d, C)");
        assert_eq!(s.args[1].to_string(), "array(int64, 2d, F)");
        let s = parse_signature("UniTuple(int64 x 2)(int64)").unwrap();
        assert_eq!(s.ret.unwrap().to_string(), "UniTuple(int64 x 2)");
        assert_eq!(parse_signature("(int32, bool)").unwrap().ret, None);
        assert_eq!(parse_signature("(complex128,)").unwrap().args.len(), 1);
        assert_eq!(
            parse_type("array(float32, 3d, A)").unwrap().to_string(),
            "array(float32, 3d, A)"
        );
        assert!(parse_signature("float64(strange)")
            .unwrap_err()
            .contains("unknown type 'strange'"));
    }
}
