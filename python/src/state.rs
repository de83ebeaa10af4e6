//! A problem as bytes, for pickling: exact (ids, gaps, windows, hints and fixed offsets as
//! they are), compact, and read back in one pass.
//!
//! ```text
//! "BPK1" | capacity set: u8 | capacity: i64 | buffers: u64 | buffer*
//! buffer = id length: u32 | id: UTF-8 | lower, upper, size, alignment: i64
//!        | has offset, has hint: u8 (bits 0, 1) | offset: i64? | hint: i64?
//!        | gaps: u32 | (lower, upper: i64 | has window: u8 | lower, upper: i64?)*
//! ```
//! All integers little-endian. The reader checks lengths and UTF-8; the problem's own
//! checks run afterwards, as for any other input.

use bufpack::{Buffer, Gap, Lifespan, Problem, Window};

const MAGIC: &[u8; 4] = b"BPK1";

/// `problem` as bytes; `capacity_set` is kept so that "no capacity" survives the trip.
pub(crate) fn encode(problem: &Problem, capacity_set: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + problem.buffers.len() * 56);
    out.extend_from_slice(MAGIC);
    out.push(u8::from(capacity_set));
    put(&mut out, problem.capacity);
    out.extend_from_slice(&(problem.buffers.len() as u64).to_le_bytes());
    for buffer in &problem.buffers {
        out.extend_from_slice(&(buffer.id.len() as u32).to_le_bytes());
        out.extend_from_slice(buffer.id.as_bytes());
        for value in [
            buffer.lifespan.lower,
            buffer.lifespan.upper,
            buffer.size,
            buffer.alignment,
        ] {
            put(&mut out, value);
        }
        out.push(u8::from(buffer.offset.is_some()) | u8::from(buffer.hint.is_some()) << 1);
        buffer
            .offset
            .into_iter()
            .chain(buffer.hint)
            .for_each(|v| put(&mut out, v));
        out.extend_from_slice(&(buffer.gaps.len() as u32).to_le_bytes());
        for gap in &buffer.gaps {
            put(&mut out, gap.lifespan.lower);
            put(&mut out, gap.lifespan.upper);
            out.push(u8::from(gap.window.is_some()));
            if let Some(window) = gap.window {
                put(&mut out, window.lower);
                put(&mut out, window.upper);
            }
        }
    }
    out
}

fn put(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// The problem and whether its capacity was set, or why the bytes are not a problem.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Problem, bool), &'static str> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(4)? != MAGIC {
        return Err("not a bufpack problem state (wrong header)");
    }
    let capacity_set = reader.byte()? != 0;
    let capacity = reader.int()?;
    let count = usize::try_from(reader.u64()?).map_err(|_| "too many buffers")?;
    // Each buffer takes at least 41 bytes: refuse a count the input cannot hold before
    // reserving memory for it.
    if count > bytes.len() / 41 {
        return Err("truncated problem state");
    }
    let mut buffers = Vec::with_capacity(count);
    for _ in 0..count {
        let id_len = reader.u32()? as usize;
        let id = std::str::from_utf8(reader.take(id_len)?)
            .map_err(|_| "an id is not UTF-8")?
            .to_owned();
        let lower = reader.int()?;
        let upper = reader.int()?;
        let size = reader.int()?;
        let alignment = reader.int()?;
        let flags = reader.byte()?;
        let offset = if flags & 1 != 0 {
            Some(reader.int()?)
        } else {
            None
        };
        let hint = if flags & 2 != 0 {
            Some(reader.int()?)
        } else {
            None
        };
        let gap_count = reader.u32()? as usize;
        let mut gaps = Vec::with_capacity(gap_count.min(bytes.len() / 17));
        for _ in 0..gap_count {
            let lifespan = Lifespan::new(reader.int()?, reader.int()?);
            let window = if reader.byte()? != 0 {
                Some(Window {
                    lower: reader.int()?,
                    upper: reader.int()?,
                })
            } else {
                None
            };
            gaps.push(Gap { lifespan, window });
        }
        buffers.push(Buffer {
            id,
            lifespan: Lifespan::new(lower, upper),
            size,
            alignment,
            gaps,
            offset,
            hint,
        });
    }
    if reader.at != bytes.len() {
        return Err("trailing bytes after the problem state");
    }
    Ok((Problem::new(buffers, capacity), capacity_set))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], &'static str> {
        let end = self.at.checked_add(len).ok_or("truncated problem state")?;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or("truncated problem state")?;
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, &'static str> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, &'static str> {
        let mut word = [0u8; 4];
        word.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(word))
    }

    fn u64(&mut self) -> Result<u64, &'static str> {
        let mut word = [0u8; 8];
        word.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(word))
    }

    fn int(&mut self) -> Result<i64, &'static str> {
        Ok(self.u64()? as i64)
    }
}
