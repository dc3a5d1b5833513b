//! Type-based alias tags: the runtime's bookkeeping words (a meminfo's data
//! pointer, a list's or set's header) never share memory with the items
//! they describe, nor a set's table with arrays or lists, and saying so
//! lets LLVM keep them in
//! registers across item stores — a loop of `l[j] = x` then tests and loads
//! the header once, as a loop over an array does. Accesses left untagged
//! alias everything, so a tag is only ever a promise about the one access.

use inkwell::values::{BasicMetadataValueEnum, InstructionValue, MetadataValue};

use crate::module::ModuleCx;

/// The disjoint kinds of memory compiled code tags.
#[derive(Clone, Copy)]
pub(crate) enum Memory {
    /// The fields of a `MemInfo` (compiled code reads only its data pointer).
    MemInfo,
    /// The words of a `ListHeader`.
    ListHeader,
    /// The items of a list's buffer.
    ListItems,
    /// The entries and state bytes of a set's table.
    SetTable,
}

impl<'ctx> ModuleCx<'ctx> {
    /// Tags `inst` (a load or store) as touching only `memory`.
    pub fn tag(&self, inst: InstructionValue<'ctx>, memory: Memory) {
        let name = match memory {
            Memory::MemInfo => "oxjit meminfo",
            Memory::ListHeader => "oxjit list header",
            Memory::ListItems => "oxjit list items",
            Memory::SetTable => "oxjit set table",
        };
        let zero: BasicMetadataValueEnum = self.ctx.i64_type().const_zero().into();
        let node = |parts: &[BasicMetadataValueEnum<'ctx>]| -> MetadataValue<'ctx> {
            self.ctx.metadata_node(parts)
        };
        // LLVM uniques metadata nodes, so building them per access is cheap.
        let root = node(&[self.ctx.metadata_string("oxjit tbaa").into()]);
        let ty = node(&[self.ctx.metadata_string(name).into(), root.into(), zero]);
        let access = node(&[ty.into(), ty.into(), zero]);
        inst.set_metadata(access, self.ctx.get_kind_id("tbaa"))
            .expect("a tbaa tag is valid metadata");
    }
}
