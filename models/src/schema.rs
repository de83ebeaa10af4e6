//! The parts of TFLite's schema (`schema.fbs`) the planner needs, read into plain data.
//!
//! Field numbers are the vtable slots of `schema.fbs`; a union takes two slots (its type tag,
//! then its value). Fields the planner does not need are never read, so a file whose other
//! parts are damaged still plans, as it would still load in TFLite Micro, which reads lazily.

use crate::error::{ModelError, ModelErrorKind};
use crate::flatbuf::{Reader, Table};
use crate::ops;

/// TFLite's file identifier, bytes 4..8 of every model.
pub(crate) const IDENTIFIER: &[u8; 4] = b"TFL3";

/// The metadata name under which TFLite Micro looks for an offline plan.
pub(crate) const OFFLINE_METADATA: &str = "OfflineMemoryAllocation";

/// `Model` vtable slots.
pub(crate) mod model {
    pub(crate) const OPERATOR_CODES: usize = 1;
    pub(crate) const SUBGRAPHS: usize = 2;
    pub(crate) const BUFFERS: usize = 4;
    pub(crate) const METADATA_BUFFER: usize = 5;
    pub(crate) const METADATA: usize = 6;
    /// Slots 0..=9 in the schema this crate knows (`version` .. `external_buffers`); slot 0
    /// is the only scalar, the others are offsets.
    pub(crate) const KNOWN_FIELDS: usize = 10;
}

/// A model read into plain data: only what planning and writing need.
#[derive(Debug)]
pub(crate) struct Model {
    /// Byte offset of the root `Model` table.
    pub(crate) root: usize,
    /// Per operator code: its builtin code (`max(deprecated_builtin_code, builtin_code)`, as
    /// TFLite's `GetBuiltinCode`) and its custom name.
    pub(crate) codes: Vec<(i32, String)>,
    pub(crate) subgraphs: Vec<Subgraph>,
    /// Per buffer: where its data lies in the file (byte offset, length), when it has a
    /// `data` vector. A tensor whose buffer holds bytes is a constant.
    pub(crate) buffer_data: Vec<Option<(usize, usize)>>,
    pub(crate) metadata: Vec<Metadata>,
    /// Buffer indices named by the deprecated `metadata_buffer` field.
    pub(crate) metadata_buffer: Vec<i32>,
}

#[derive(Debug)]
pub(crate) struct Subgraph {
    pub(crate) tensors: Vec<Tensor>,
    pub(crate) inputs: Vec<i32>,
    pub(crate) outputs: Vec<i32>,
    pub(crate) operators: Vec<Operator>,
}

#[derive(Debug)]
pub(crate) struct Tensor {
    pub(crate) name: String,
    pub(crate) shape: Vec<i32>,
    pub(crate) kind: u8,
    pub(crate) buffer: u32,
    pub(crate) is_variable: bool,
    /// Byte offset of the tensor's table, for errors.
    pub(crate) pos: usize,
}

#[derive(Debug)]
pub(crate) struct Operator {
    pub(crate) opcode: u32,
    pub(crate) inputs: Vec<i32>,
    pub(crate) outputs: Vec<i32>,
    /// Subgraphs a control-flow operator runs, in TFLite Micro's order (then/else,
    /// cond/body, init).
    pub(crate) calls: Vec<i32>,
    pub(crate) pos: usize,
}

#[derive(Debug)]
pub(crate) struct Metadata {
    pub(crate) name: String,
    pub(crate) buffer: u32,
    /// Byte offset of the entry's table.
    pub(crate) pos: usize,
}

/// Reads the model at the start of `reader`'s bytes.
pub(crate) fn read(reader: &Reader<'_>) -> Result<Model, ModelError> {
    let identifier = reader.slice(4, 4, "Model", "file_identifier")?;
    if identifier != IDENTIFIER {
        return Err(ModelError::new(
            Some(4),
            "Model",
            "file_identifier",
            ModelErrorKind::NotTflite,
        ));
    }
    let root = reader.follow(0, "Model", "root")?;
    let table = reader.table(root, "Model")?;

    let mut codes = Vec::new();
    if let Some(vector) = table.vector(model::OPERATOR_CODES, "operator_codes", 4)? {
        for i in 0..vector.len {
            let code = vector.table(i, "OperatorCode")?;
            let read = || -> Result<(i32, String), ModelError> {
                let deprecated = code.u8(0, "deprecated_builtin_code", 0)? as i8;
                let builtin = code.i32(3, "builtin_code", 0)?;
                Ok((
                    builtin.max(i32::from(deprecated)),
                    code.string(1, "custom_code")?,
                ))
            };
            codes.push(read().map_err(|e| e.within(|| format!("operator_codes[{i}]")))?);
        }
    }

    let mut buffer_data = Vec::new();
    if let Some(vector) = table.vector(model::BUFFERS, "buffers", 4)? {
        for i in 0..vector.len {
            let buffer = vector.table(i, "Buffer")?;
            buffer_data
                .push(read_buffer(&buffer).map_err(|e| e.within(|| format!("buffers[{i}]")))?);
        }
    }

    let mut subgraphs = Vec::new();
    if let Some(vector) = table.vector(model::SUBGRAPHS, "subgraphs", 4)? {
        for i in 0..vector.len {
            let subgraph = vector.table(i, "SubGraph")?;
            subgraphs.push(
                read_subgraph(&subgraph, &codes)
                    .map_err(|e| e.within(|| format!("subgraphs[{i}]")))?,
            );
        }
    }

    let mut metadata = Vec::new();
    if let Some(vector) = table.vector(model::METADATA, "metadata", 4)? {
        for i in 0..vector.len {
            let entry = vector.table(i, "Metadata")?;
            let read = || -> Result<Metadata, ModelError> {
                Ok(Metadata {
                    name: entry.string(0, "name")?,
                    buffer: entry.u32(1, "buffer", 0)?,
                    pos: entry.pos,
                })
            };
            metadata.push(read().map_err(|e| e.within(|| format!("metadata[{i}]")))?);
        }
    }
    let metadata_buffer = table.i32s(model::METADATA_BUFFER, "metadata_buffer")?;

    Ok(Model {
        root,
        codes,
        subgraphs,
        buffer_data,
        metadata,
        metadata_buffer,
    })
}

/// Where a buffer's data lies (byte offset, length). Data stored past the flatbuffer (the > 2 GB layout, whose
/// absolute file offsets a rewrite would have to move) is refused rather than guessed at.
fn read_buffer(buffer: &Table<'_, '_>) -> Result<Option<(usize, usize)>, ModelError> {
    let outside = buffer.u64(1, "offset", 0)?;
    if outside > 1 {
        return Err(ModelError::new(
            Some(buffer.pos),
            "Buffer",
            "offset",
            ModelErrorKind::Unsupported(
                "buffer data stored outside the flatbuffer (models over 2 GB)".into(),
            ),
        ));
    }
    Ok(buffer
        .vector(0, "data", 1)?
        .map(|data| (data.start, data.len)))
}

fn read_subgraph(table: &Table<'_, '_>, codes: &[(i32, String)]) -> Result<Subgraph, ModelError> {
    let mut tensors = Vec::new();
    if let Some(vector) = table.vector(0, "tensors", 4)? {
        for i in 0..vector.len {
            let tensor = vector.table(i, "Tensor")?;
            tensors.push(read_tensor(&tensor).map_err(|e| e.within(|| format!("tensors[{i}]")))?);
        }
    }
    let mut operators = Vec::new();
    if let Some(vector) = table.vector(3, "operators", 4)? {
        for i in 0..vector.len {
            let operator = vector.table(i, "Operator")?;
            operators.push(
                read_operator(&operator, codes)
                    .map_err(|e| e.within(|| format!("operators[{i}]")))?,
            );
        }
    }
    Ok(Subgraph {
        tensors,
        inputs: table.i32s(1, "inputs")?,
        outputs: table.i32s(2, "outputs")?,
        operators,
    })
}

fn read_tensor(table: &Table<'_, '_>) -> Result<Tensor, ModelError> {
    Ok(Tensor {
        shape: table.i32s(0, "shape")?,
        kind: table.u8(1, "type", 0)?,
        buffer: table.u32(2, "buffer", 0)?,
        name: table.string(3, "name")?,
        is_variable: table.u8(5, "is_variable", 0)? != 0,
        pos: table.pos,
    })
}

fn read_operator(table: &Table<'_, '_>, codes: &[(i32, String)]) -> Result<Operator, ModelError> {
    let opcode = table.u32(0, "opcode_index", 0)?;
    let builtin = match codes.get(opcode as usize) {
        Some(&(builtin, _)) => builtin,
        None => {
            return Err(ModelError::new(
                Some(table.pos),
                "Operator",
                "opcode_index",
                ModelErrorKind::IndexOutOfRange {
                    index: i64::from(opcode),
                    count: codes.len(),
                },
            ))
        }
    };
    Ok(Operator {
        opcode,
        inputs: table.i32s(1, "inputs")?,
        outputs: table.i32s(2, "outputs")?,
        calls: read_calls(table, builtin)?,
        pos: table.pos,
    })
}

/// The subgraphs a control-flow operator runs, read from its options as TFLite Micro's
/// `MarkSubgraphLifetimesIfNecessary` does.
fn read_calls(table: &Table<'_, '_>, builtin: i32) -> Result<Vec<i32>, ModelError> {
    let (tag, fields): (u8, &[(usize, &'static str)]) = match builtin {
        ops::IF => (
            ops::IF_OPTIONS,
            &[(0, "then_subgraph_index"), (1, "else_subgraph_index")],
        ),
        ops::WHILE => (
            ops::WHILE_OPTIONS,
            &[(0, "cond_subgraph_index"), (1, "body_subgraph_index")],
        ),
        ops::CALL_ONCE => (ops::CALL_ONCE_OPTIONS, &[(0, "init_subgraph_index")]),
        _ => return Ok(Vec::new()),
    };
    let found = table.u8(3, "builtin_options_type", 0)?;
    let options = match table.table(4, "builtin_options", "options")? {
        Some(options) if found == tag => options,
        _ => {
            return Err(ModelError::new(
                Some(table.pos),
                "Operator",
                "builtin_options",
                ModelErrorKind::BadTable(format!(
                "a control-flow operator without its options (union tag {found}, expected {tag})"
            )),
            ))
        }
    };
    fields
        .iter()
        .map(|&(slot, name)| options.i32(slot, name, 0))
        .collect()
}
