//! What the trace families share: a builder that records tensors op by op, and the sizes and
//! alignments real compilers hand a packer.

use bufpack::{Buffer, Offset, Problem, Time, MAX_MAGNITUDE};

use super::Rng;

/// Allocation granularity: most tensors are padded up to a multiple of this.
const GRANULE: Offset = 64;

/// A trace under construction: tensors with the op that makes them and the last op that
/// reads them. Times are op indices; a tensor made by op `p` and last read by op `c` is live
/// in `[p, c + 1)`.
pub(crate) struct Trace {
    buffers: Vec<Buffer>,
    /// Tensors that live to the end of the trace, whenever it ends (weights, caches).
    to_end: Vec<usize>,
    next_op: Time,
}

impl Trace {
    pub(crate) fn new() -> Trace {
        Trace {
            buffers: Vec::new(),
            to_end: Vec::new(),
            next_op: 0,
        }
    }

    /// Starts the next op and returns its index.
    pub(crate) fn op(&mut self) -> Time {
        self.next_op += 1;
        self.next_op - 1
    }

    /// How many tensors the trace holds so far.
    pub(crate) fn len(&self) -> usize {
        self.buffers.len()
    }

    /// A tensor of `bytes` made by op `op`, read by nothing yet; returns its handle.
    ///
    /// The id is `name.N` with N the tensor's index, so ids are unique whatever the names.
    /// A few percent of tensors ask for an alignment of 256 or 4096, as DMA or page-mapped
    /// buffers do.
    pub(crate) fn tensor(&mut self, rng: &mut Rng, name: &str, op: Time, bytes: Offset) -> usize {
        let index = self.buffers.len();
        let alignment = match rng.range(0, 999) {
            0..=4 => 4096,
            5..=29 => 256,
            _ => 1,
        };
        let id = format!("{name}.{index}");
        self.buffers
            .push(Buffer::new(id, op, op + 1, bytes).with_alignment(alignment));
        index
    }

    /// A tensor used only by the op that makes it (scratch, workspace).
    pub(crate) fn scratch(&mut self, rng: &mut Rng, name: &str, op: Time, bytes: Offset) {
        self.tensor(rng, name, op, bytes);
    }

    /// Records that op `op` reads `tensor`: it stays live at least through `op`.
    pub(crate) fn read(&mut self, tensor: usize, op: Time) {
        let lifespan = &mut self.buffers[tensor].lifespan;
        lifespan.upper = lifespan.upper.max(op + 1);
    }

    /// Keeps `tensor` live to the end of the trace.
    pub(crate) fn keep_to_end(&mut self, tensor: usize) {
        self.to_end.push(tensor);
    }

    /// The finished problem, tensors in creation order, capacity [`MAX_MAGNITUDE`]: a trace
    /// asks for the least peak, not whether a given memory suffices.
    pub(crate) fn into_problem(mut self) -> Problem {
        let end = self.next_op;
        for &tensor in &self.to_end {
            self.buffers[tensor].lifespan.upper = end;
        }
        Problem::new(self.buffers, MAX_MAGNITUDE)
    }
}

/// `elements` of `dtype` bytes each, padded to the allocation granule.
pub(crate) fn padded(elements: i64, dtype: i64) -> Offset {
    let bytes = elements * dtype;
    (bytes + GRANULE - 1) / GRANULE * GRANULE
}

/// `batch`, halved until `per_item` bytes per item stay within 64 MiB (or down to 1): keeps
/// the biggest tensor of a drawn model in the tens of megabytes, as on a real accelerator.
pub(crate) fn fit_batch(batch: i64, per_item: Offset) -> i64 {
    let mut batch = batch;
    while batch > 1 && batch * per_item > 64 << 20 {
        batch /= 2;
    }
    batch
}

/// A small workspace, 64 B to 64 KiB, as kernels ask for (reduction partials, tile buffers).
pub(crate) fn small_workspace(rng: &mut Rng) -> Offset {
    GRANULE << rng.range(0, 10)
}
