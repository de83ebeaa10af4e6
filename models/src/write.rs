//! Writing a plan into a model: a new root `Model` table whose `buffers` and `metadata`
//! vectors gain the `OfflineMemoryAllocation` entry, everything else left as it was.
//!
//! Flatbuffer offsets are unsigned and point forward, so new tables cannot be appended
//! after the old ones that they must reference. Instead the new objects go at the front,
//! right after the 8-byte header (root offset, `TFL3`), and the whole old content moves up
//! by `K` bytes, a multiple of 16. Offsets inside the old content are relative, so they stay
//! valid; alignment relative to the file's start (16 for buffer data) is kept; only the
//! new objects point into the old content, by offsets computed once `K` is known. The old
//! root table and any replaced plan stay in the file, unreferenced.
//!
//! ```text
//! [root offset, "TFL3"][new Model vtable+table][buffers vector][metadata vector]
//! [Metadata table][name][Buffer table][plan data, 16-aligned][pad to K][old bytes 8..]
//! ```

use crate::error::{ModelError, ModelErrorKind};
use crate::flatbuf::Reader;
use crate::schema::{model, Model, OFFLINE_METADATA};

/// Where a 4-byte offset field in the new block points: at an old object (moved by `K`), or
/// at a new one.
enum Target {
    Old(usize),
    New(usize),
}

/// The new file as it grows, and the offsets to patch once the block's length is known.
struct Out {
    bytes: Vec<u8>,
    patches: Vec<(usize, Target)>,
}

impl Out {
    fn pos(&self) -> usize {
        self.bytes.len()
    }

    fn align(&mut self, to: usize) {
        while !self.bytes.len().is_multiple_of(to) {
            self.bytes.push(0);
        }
    }

    fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    /// A 4-byte offset to `target`, filled in later.
    fn offset(&mut self, target: Target) {
        self.patches.push((self.pos(), target));
        self.u32(0);
    }

    /// A vtable for `fields` slots (`Some(offset within the table)` when present) and the
    /// table's soffset right after it; returns the table's position.
    fn table_start(&mut self, fields: &[Option<u16>], table_size: u16) -> usize {
        self.align(4);
        let vtable = self.pos();
        let vtable_size = 4 + 2 * fields.len();
        self.u16(vtable_size as u16);
        self.u16(table_size);
        for field in fields {
            self.u16(field.unwrap_or(0));
        }
        self.align(4);
        let table = self.pos();
        self.u32((table - vtable) as u32);
        table
    }
}

/// Places of things the rewrite needs from the old file.
struct Old {
    /// Offset fields of the root table, by slot (1..10): their targets.
    fields: Vec<Option<usize>>,
    version: Option<u32>,
    buffers: Vec<usize>,
    metadata: Vec<usize>,
}

fn read_old(reader: &Reader<'_>, model: &Model) -> Result<Old, ModelError> {
    let table = reader.table(model.root, "Model")?;
    for slot in model::KNOWN_FIELDS..table.field_count() {
        if table.field_pos(slot, 0, "")?.is_some() {
            return Err(ModelError::new(
                Some(table.pos),
                "Model",
                "",
                ModelErrorKind::Unsupported(format!(
                    "Model field {slot}, newer than the schema this crate knows: it cannot be copied safely"
                )),
            ));
        }
    }
    let version = match table.field_pos(0, 4, "version")? {
        Some(_) => Some(table.u32(0, "version", 0)?),
        None => None,
    };
    let mut fields = vec![None];
    for slot in 1..model::KNOWN_FIELDS {
        fields.push(table.offset(slot, "")?);
    }
    let mut buffers = Vec::new();
    if let Some(vector) = table.vector(model::BUFFERS, "buffers", 4)? {
        for i in 0..vector.len {
            buffers.push(reader.follow(vector.element_pos(i), "Model", "buffers")?);
        }
    }
    if buffers.is_empty() {
        return Err(ModelError::new(
            Some(table.pos),
            "Model",
            "buffers",
            ModelErrorKind::Unsupported(
                "a model without buffers (not even the empty buffer 0)".into(),
            ),
        ));
    }
    Ok(Old {
        fields,
        version,
        buffers,
        metadata: model.metadata.iter().map(|m| m.pos).collect(),
    })
}

/// The buffer index the new plan takes: the replaced plan's own buffer when nothing else
/// refers to it, else a new one at the end.
fn plan_buffer(model: &Model, buffers: usize) -> usize {
    let Some(entry) = model
        .metadata
        .iter()
        .rposition(|m| m.name == OFFLINE_METADATA)
    else {
        return buffers;
    };
    let b = model.metadata[entry].buffer;
    let shared = b == 0
        || b as usize >= buffers
        || model
            .metadata
            .iter()
            .any(|m| m.name != OFFLINE_METADATA && m.buffer == b)
        || model
            .metadata_buffer
            .iter()
            .any(|&m| m as i64 == i64::from(b))
        || model
            .subgraphs
            .iter()
            .any(|s| s.tensors.iter().any(|t| t.buffer == b));
    if shared {
        buffers
    } else {
        b as usize
    }
}

/// The model with `data` as its `OfflineMemoryAllocation` buffer.
pub(crate) fn rewrite(
    reader: &Reader<'_>,
    model: &Model,
    data: &[u8],
) -> Result<Vec<u8>, ModelError> {
    let old = read_old(reader, model)?;
    let bytes = reader.bytes();
    let plan_index = plan_buffer(model, old.buffers.len());
    let mut out = Out {
        bytes: bytes[..8].to_vec(),
        patches: Vec::new(),
    };

    // The new root Model table: every slot 4 bytes wide, at 4 + 4 * slot.
    let present = |slot: usize| match slot {
        0 => old.version.is_some(),
        model::BUFFERS | model::METADATA => true,
        _ => old.fields[slot].is_some(),
    };
    let vtable: Vec<Option<u16>> = (0..model::KNOWN_FIELDS)
        .map(|slot| present(slot).then_some(4 + 4 * slot as u16))
        .collect();
    let root = out.table_start(&vtable, 4 + 4 * model::KNOWN_FIELDS as u16);
    let mut new_vectors = Vec::new();
    for slot in 0..model::KNOWN_FIELDS {
        match slot {
            0 => out.u32(old.version.unwrap_or(0)),
            model::BUFFERS | model::METADATA => {
                new_vectors.push(out.pos());
                out.u32(0);
            }
            _ => match old.fields[slot] {
                Some(target) => out.offset(Target::Old(target)),
                None => out.u32(0),
            },
        }
    }

    // The buffers vector: the old ones, the plan's in its place or at the end.
    let count = old.buffers.len().max(plan_index + 1);
    out.align(4);
    let buffers_vector = out.pos();
    out.u32(count as u32);
    let mut plan_buffer_slot = 0;
    for i in 0..count {
        if i == plan_index {
            plan_buffer_slot = out.pos();
            out.u32(0);
        } else {
            out.offset(Target::Old(old.buffers[i]));
        }
    }

    // The metadata vector: the old entries but any offline plan, and the new entry where
    // TFLite Micro found the old one (else at the end).
    let replaced = model
        .metadata
        .iter()
        .rposition(|m| m.name == OFFLINE_METADATA);
    let kept: Vec<usize> = (0..old.metadata.len())
        .filter(|&i| model.metadata[i].name != OFFLINE_METADATA || Some(i) == replaced)
        .collect();
    let metadata_vector = out.pos();
    out.u32((kept.len() + usize::from(replaced.is_none())) as u32);
    let mut entry_slot = 0;
    for &i in &kept {
        if Some(i) == replaced {
            entry_slot = out.pos();
            out.u32(0);
        } else {
            out.offset(Target::Old(old.metadata[i]));
        }
    }
    if replaced.is_none() {
        entry_slot = out.pos();
        out.u32(0);
    }

    // The Metadata table { name, buffer } and its name.
    let entry = out.table_start(&[Some(4), Some(8)], 12);
    let name_field = out.pos();
    out.u32(0);
    out.u32(plan_index as u32);
    out.align(4);
    let name = out.pos();
    out.u32(OFFLINE_METADATA.len() as u32);
    out.bytes.extend_from_slice(OFFLINE_METADATA.as_bytes());
    out.bytes.push(0);

    // The Buffer table { data } and the data, 16-aligned as the schema's force_align asks.
    let buffer = out.table_start(&[Some(4)], 8);
    let data_field = out.pos();
    out.u32(0);
    while !(out.pos() + 4).is_multiple_of(16) {
        out.bytes.push(0);
    }
    let data_vector = out.pos();
    out.u32(data.len() as u32);
    out.bytes.extend_from_slice(data);
    out.align(16);

    let shift = out.pos() - 8;
    let new_links = [
        (new_vectors[0], buffers_vector),
        (new_vectors[1], metadata_vector),
        (plan_buffer_slot, buffer),
        (entry_slot, entry),
        (name_field, name),
        (data_field, data_vector),
    ];
    out.patches
        .extend(new_links.iter().map(|&(at, to)| (at, Target::New(to))));
    for (at, target) in std::mem::take(&mut out.patches) {
        let to = match target {
            Target::Old(p) => p + shift,
            Target::New(p) => p,
        };
        let offset = u32::try_from(to - at).map_err(|_| too_large())?;
        out.bytes[at..at + 4].copy_from_slice(&offset.to_le_bytes());
    }
    out.bytes[..4].copy_from_slice(&(root as u32).to_le_bytes());
    out.bytes.extend_from_slice(&bytes[8..]);
    if u32::try_from(out.bytes.len()).is_err() {
        return Err(too_large());
    }
    Ok(out.bytes)
}

fn too_large() -> ModelError {
    ModelError::new(
        None,
        "Model",
        "",
        ModelErrorKind::TooLarge(
            "the planned model would pass 4 GiB, beyond flatbuffer offsets".into(),
        ),
    )
}
