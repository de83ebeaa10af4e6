//! A small, bounds-checked flatbuffer reader: tables, scalars, vectors and strings.
//!
//! Every read checks its bytes against the file's length with checked arithmetic, so a
//! truncated or corrupted file gives a `ModelError` naming the byte offset, table and field,
//! never a panic or an out-of-bounds read. Nothing is assumed about alignment (values are
//! assembled with `from_le_bytes`), so a misaligned file reads as well as TFLite's would.
//!
//! Flatbuffers may share one vector between many tables, so a small file could make a
//! naive reader visit the same data millions of times. Every table opened and every vector
//! element read is charged to a budget proportional to the file's length; running out is
//! an error, not a hang.

use std::cell::Cell;

use crate::error::{ModelError, ModelErrorKind};

/// Items (tables and vector elements) a file may make the reader visit per byte of its
/// length, plus a constant for tiny files. Real models visit fewer items than they have
/// bytes; only shared data read again and again can come near this.
const BUDGET_PER_BYTE: usize = 4;
const BUDGET_BASE: usize = 1 << 16;

/// The whole file, and what is left of the visit budget.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    budget: Cell<usize>,
}

/// One table: where it starts, where its vtable is, how many fields the vtable lists.
#[derive(Clone, Copy)]
pub(crate) struct Table<'r, 'a> {
    reader: &'r Reader<'a>,
    /// The schema's name for the table, for errors.
    pub(crate) name: &'static str,
    /// Byte offset of the table (its soffset to the vtable).
    pub(crate) pos: usize,
    vtable: usize,
    fields: usize,
    size: usize,
}

/// A vector's elements: `len` items of `width` bytes from byte `start`.
#[derive(Clone, Copy)]
pub(crate) struct Vector<'r, 'a> {
    reader: &'r Reader<'a>,
    table: &'static str,
    field: &'static str,
    pub(crate) start: usize,
    pub(crate) len: usize,
    width: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        let budget = bytes
            .len()
            .saturating_mul(BUDGET_PER_BYTE)
            .saturating_add(BUDGET_BASE);
        Reader {
            bytes,
            budget: Cell::new(budget),
        }
    }

    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// `n` bytes at `pos`, or an error naming the table and field being read.
    pub(crate) fn slice(
        &self,
        pos: usize,
        n: usize,
        table: &'static str,
        field: &'static str,
    ) -> Result<&'a [u8], ModelError> {
        pos.checked_add(n)
            .and_then(|end| self.bytes.get(pos..end))
            .ok_or_else(|| {
                ModelError::new(
                    Some(pos),
                    table,
                    field,
                    ModelErrorKind::OutOfBounds {
                        needed: n,
                        len: self.bytes.len(),
                    },
                )
            })
    }

    pub(crate) fn u16_at(
        &self,
        pos: usize,
        t: &'static str,
        f: &'static str,
    ) -> Result<u16, ModelError> {
        let b = self.slice(pos, 2, t, f)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32_at(
        &self,
        pos: usize,
        t: &'static str,
        f: &'static str,
    ) -> Result<u32, ModelError> {
        let b = self.slice(pos, 4, t, f)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn charge(
        &self,
        items: usize,
        pos: usize,
        t: &'static str,
        f: &'static str,
    ) -> Result<(), ModelError> {
        let left = self.budget.get();
        if items > left {
            return Err(ModelError::new(
                Some(pos),
                t,
                f,
                ModelErrorKind::TooLarge(
                    "the file makes the reader visit its data far more often than its size allows (shared vectors repeated)".into(),
                ),
            ));
        }
        self.budget.set(left - items);
        Ok(())
    }

    /// The target of the unsigned offset stored at `pos` (flatbuffer offsets point forward).
    pub(crate) fn follow(
        &self,
        pos: usize,
        t: &'static str,
        f: &'static str,
    ) -> Result<usize, ModelError> {
        let offset = self.u32_at(pos, t, f)? as usize;
        let target = pos.checked_add(offset).filter(|&p| p < self.bytes.len());
        target.ok_or_else(|| {
            ModelError::new(
                Some(pos),
                t,
                f,
                ModelErrorKind::OutOfBounds {
                    needed: offset,
                    len: self.bytes.len(),
                },
            )
        })
    }

    /// The table at byte `pos`, its vtable checked to lie in the file.
    pub(crate) fn table<'r>(
        &'r self,
        pos: usize,
        name: &'static str,
    ) -> Result<Table<'r, 'a>, ModelError> {
        self.charge(1, pos, name, "")?;
        let soffset = self.u32_at(pos, name, "")? as i32;
        let vtable = (pos as i64) - i64::from(soffset);
        let bad = |why: String| ModelError::new(Some(pos), name, "", ModelErrorKind::BadTable(why));
        let vtable = usize::try_from(vtable).map_err(|_| {
            bad(format!(
                "its vtable would start at byte {vtable}, before the file"
            ))
        })?;
        let vtable_size = self.u16_at(vtable, name, "vtable")? as usize;
        let size = self.u16_at(vtable + 2, name, "vtable")? as usize;
        if vtable_size < 4 || !vtable_size.is_multiple_of(2) {
            return Err(bad(format!(
                "vtable at byte {vtable} has size {vtable_size}"
            )));
        }
        if size < 4 {
            return Err(bad(format!(
                "the table's size is {size}, less than its own header"
            )));
        }
        self.slice(vtable, vtable_size, name, "vtable")?;
        self.slice(pos, size, name, "")?;
        Ok(Table {
            reader: self,
            name,
            pos,
            vtable,
            fields: (vtable_size - 4) / 2,
            size,
        })
    }
}

impl<'r, 'a> Table<'r, 'a> {
    /// Byte offset of field `index` (`width` bytes) when the vtable lists it.
    pub(crate) fn field_pos(
        &self,
        index: usize,
        width: usize,
        field: &'static str,
    ) -> Result<Option<usize>, ModelError> {
        if index >= self.fields {
            return Ok(None);
        }
        let at = self
            .reader
            .u16_at(self.vtable + 4 + 2 * index, self.name, field)? as usize;
        if at == 0 {
            return Ok(None);
        }
        if at < 4 || at + width > self.size {
            return Err(ModelError::new(
                Some(self.pos),
                self.name,
                field,
                ModelErrorKind::BadTable(format!(
                    "field at table offset {at} ({width} bytes) lies outside the table's {} bytes",
                    self.size
                )),
            ));
        }
        Ok(Some(self.pos + at))
    }

    /// How many fields the vtable lists (present or not).
    pub(crate) fn field_count(&self) -> usize {
        self.fields
    }

    fn scalar<const N: usize>(
        &self,
        index: usize,
        field: &'static str,
    ) -> Result<Option<[u8; N]>, ModelError> {
        let Some(pos) = self.field_pos(index, N, field)? else {
            return Ok(None);
        };
        let bytes = self.reader.slice(pos, N, self.name, field)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(Some(out))
    }

    pub(crate) fn u8(
        &self,
        index: usize,
        field: &'static str,
        default: u8,
    ) -> Result<u8, ModelError> {
        Ok(self.scalar::<1>(index, field)?.map_or(default, |b| b[0]))
    }

    pub(crate) fn i32(
        &self,
        index: usize,
        field: &'static str,
        default: i32,
    ) -> Result<i32, ModelError> {
        Ok(self
            .scalar::<4>(index, field)?
            .map_or(default, i32::from_le_bytes))
    }

    pub(crate) fn u32(
        &self,
        index: usize,
        field: &'static str,
        default: u32,
    ) -> Result<u32, ModelError> {
        Ok(self
            .scalar::<4>(index, field)?
            .map_or(default, u32::from_le_bytes))
    }

    pub(crate) fn u64(
        &self,
        index: usize,
        field: &'static str,
        default: u64,
    ) -> Result<u64, ModelError> {
        Ok(self
            .scalar::<8>(index, field)?
            .map_or(default, u64::from_le_bytes))
    }

    /// Where the offset field `index` points, when present.
    pub(crate) fn offset(
        &self,
        index: usize,
        field: &'static str,
    ) -> Result<Option<usize>, ModelError> {
        match self.field_pos(index, 4, field)? {
            Some(pos) => Ok(Some(self.reader.follow(pos, self.name, field)?)),
            None => Ok(None),
        }
    }

    /// The sub-table field `index`, when present.
    pub(crate) fn table(
        &self,
        index: usize,
        field: &'static str,
        name: &'static str,
    ) -> Result<Option<Table<'r, 'a>>, ModelError> {
        match self.offset(index, field)? {
            Some(pos) => Ok(Some(self.reader.table(pos, name)?)),
            None => Ok(None),
        }
    }

    /// The vector field `index` of `width`-byte elements, when present.
    pub(crate) fn vector(
        &self,
        index: usize,
        field: &'static str,
        width: usize,
    ) -> Result<Option<Vector<'r, 'a>>, ModelError> {
        let Some(pos) = self.offset(index, field)? else {
            return Ok(None);
        };
        let len = self.reader.u32_at(pos, self.name, field)? as usize;
        let bytes = len.checked_mul(width).ok_or_else(|| {
            ModelError::new(
                Some(pos),
                self.name,
                field,
                ModelErrorKind::TooLarge(format!("{len} elements")),
            )
        })?;
        let start = pos + 4;
        self.reader.slice(start, bytes, self.name, field)?;
        Ok(Some(Vector {
            reader: self.reader,
            table: self.name,
            field,
            start,
            len,
            width,
        }))
    }

    /// The `[int]` field `index` (empty when absent).
    pub(crate) fn i32s(&self, index: usize, field: &'static str) -> Result<Vec<i32>, ModelError> {
        match self.vector(index, field, 4)? {
            Some(vector) => vector.i32s(),
            None => Ok(Vec::new()),
        }
    }

    /// The string field `index` (empty when absent); bytes that are not UTF-8 are replaced,
    /// since names only ever serve as labels here.
    pub(crate) fn string(&self, index: usize, field: &'static str) -> Result<String, ModelError> {
        match self.vector(index, field, 1)? {
            Some(vector) => Ok(String::from_utf8_lossy(vector.bytes()?).into_owned()),
            None => Ok(String::new()),
        }
    }
}

impl<'r, 'a> Vector<'r, 'a> {
    /// The raw bytes of the elements.
    pub(crate) fn bytes(&self) -> Result<&'a [u8], ModelError> {
        self.reader
            .charge(self.len, self.start, self.table, self.field)?;
        self.reader
            .slice(self.start, self.len * self.width, self.table, self.field)
    }

    pub(crate) fn i32s(&self) -> Result<Vec<i32>, ModelError> {
        let bytes = self.bytes()?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// The table element `i` of a vector of tables.
    pub(crate) fn table(&self, i: usize, name: &'static str) -> Result<Table<'r, 'a>, ModelError> {
        let pos = self.element_pos(i);
        let target = self.reader.follow(pos, self.table, self.field)?;
        self.reader.table(target, name)
    }

    /// Byte offset of element `i` (`i < len`).
    pub(crate) fn element_pos(&self, i: usize) -> usize {
        debug_assert!(i < self.len);
        self.start + i * self.width
    }
}
