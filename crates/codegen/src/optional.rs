//! Optional values (`OptionalType(T)`): the value, zeroed when None, and
//! an `i1` saying whether there is one (`Type::optional_fields`). Making
//! one from a value or from None, and reading its value back (raising
//! `TypeError` when it is None), are `Cast`s; `IsNone` reads the flag.
//! A None optional of a managed type holds null references, which
//! reference counting ignores, so optionals are counted as their value.

use inkwell::values::BasicValueEnum;
use oxjit_abi::exc::NONE_AS_VALUE;
use oxjit_tir::oxjit_types::Type;
use oxjit_tir::Expr;

use crate::func::FnEmitter;
use crate::types::reg_type;
use crate::Result;

impl<'ctx> FnEmitter<'_, 'ctx> {
    /// `x` (a value, None, or an optional) converted to `to`.
    pub fn optional_cast(&mut self, x: &Expr, to: &Type) -> Result<BasicValueEnum<'ctx>> {
        let ctx = self.cx.ctx;
        let mark = self.mark();
        let v = match (&x.ty, to) {
            (Type::None, _) => {
                self.expr(x)?;
                reg_type(ctx, to).const_zero()
            }
            (Type::Optional(_), _) => {
                let o = self.borrow(x)?.into_struct_value();
                let present = self.b.build_extract_value(o, 1, "")?.into_int_value();
                self.raise_unless(present, NONE_AS_VALUE)?;
                let v = self.b.build_extract_value(o, 0, "")?;
                if to.is_managed() {
                    self.incref(v, to)?;
                }
                self.release_to(mark)?;
                self.hold(v, to)?;
                return Ok(v);
            }
            _ => {
                let v = self.expr(x)?;
                let t = reg_type(ctx, to).into_struct_type();
                let with = self.b.build_insert_value(t.get_undef(), v, 0, "")?;
                let yes = ctx.bool_type().const_int(1, false);
                self.b
                    .build_insert_value(with, yes, 1, "")?
                    .into_struct_value()
                    .into()
            }
        };
        // The value's references move into the optional.
        self.forget_to(mark)?;
        self.hold(v, to)?;
        Ok(v)
    }
}
