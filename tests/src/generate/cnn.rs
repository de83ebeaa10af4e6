//! ResNet-like inference: the trace of a convolutional network run forward once.

use bufpack::Problem;

use super::trace::{fit_batch, padded, small_workspace, Trace};
use super::Rng;

/// Tensors the head adds after the last block (pool, logits, probabilities).
const HEAD: usize = 3;

/// The trace of a ResNet-like (bottleneck) network's inference, with about `buffers` tensors.
///
/// A chain of ops: a stem, then residual blocks in four stages (spatial size halves and
/// channels double from one stage to the next, so a handful of tensor shapes repeat block
/// after block), then a classifier head. Each block's input is also its skip connection, so
/// it lives across the whole block; convolutions sometimes take a workspace for one op; a few
/// weight-like constants live throughout. Depth grows with `buffers` (about five tensors a
/// block, whole blocks only): `buffers` to `buffers + 20` tensors.
pub fn inference_cnn(rng: &mut Rng, buffers: usize) -> Problem {
    let dtype = rng.pick(&[4, 2, 2, 1]); // fp32, fp16/bf16, int8
    let resolution = rng.pick(&[224, 256, 320]);
    let base = rng.pick(&[64, 64, 96]);
    // The largest tensor is the first stage's 3x3 im2col workspace.
    let largest = 9 * base * (resolution / 4) * (resolution / 4) * dtype;
    let batch = fit_batch(rng.pick(&[1, 1, 2, 4, 8]), largest);
    let constants = rng.range(2, 6);
    let blocks_per_stage = (buffers / 20).max(1);

    let mut trace = Trace::new();
    let start = trace.op();
    let image = padded(batch * 3 * resolution * resolution, dtype);
    let input = trace.tensor(rng, "input", start, image);
    let final_channels = 4 * (base << 3);
    let fc_weights = trace.tensor(
        rng,
        "fc_weights",
        start,
        padded(final_channels * 1000, dtype),
    );
    trace.keep_to_end(fc_weights);
    for _ in 1..constants {
        let bytes = rng.range(16, 4096) * 1024;
        let constant = trace.tensor(rng, "constant", start, bytes);
        trace.keep_to_end(constant);
    }

    let stem_hw = resolution / 2;
    let t = trace.op();
    trace.read(input, t);
    let stem = trace.tensor(
        rng,
        "stem",
        t,
        padded(batch * base * stem_hw * stem_hw, dtype),
    );
    let t = trace.op();
    trace.read(stem, t);
    let mut hw = stem_hw / 2;
    let mut x = trace.tensor(rng, "maxpool", t, padded(batch * base * hw * hw, dtype));
    let mut channels = base;

    let mut block = 0;
    while trace.len() + HEAD < buffers {
        let stage = (block / blocks_per_stage).min(3);
        let mid = base << stage;
        let out_hw = (resolution / 4) >> stage;
        let shape = Block {
            batch,
            dtype,
            in_channels: channels,
            in_hw: hw,
            mid,
            out_hw,
        };
        x = shape.emit(rng, &mut trace, x);
        channels = 4 * mid;
        hw = out_hw;
        block += 1;
    }

    let t = trace.op();
    trace.read(x, t);
    let pool = trace.tensor(rng, "avgpool", t, padded(batch * channels, dtype));
    let t = trace.op();
    trace.read(pool, t);
    trace.read(fc_weights, t);
    // Logits and probabilities are fp32 rows of 1000 classes, unpadded.
    let logits = trace.tensor(rng, "logits", t, batch * 1000 * 4);
    let t = trace.op();
    trace.read(logits, t);
    let probs = trace.tensor(rng, "softmax", t, batch * 1000 * 4);
    let t = trace.op(); // copy-out
    trace.read(probs, t);
    trace.into_problem()
}

/// One bottleneck block: 1x1 down to `mid` channels, 3x3 (strided when the stage shrinks),
/// 1x1 up to `4 * mid`, plus a projection of the skip when the shape changes.
struct Block {
    batch: i64,
    dtype: i64,
    in_channels: i64,
    in_hw: i64,
    mid: i64,
    out_hw: i64,
}

impl Block {
    /// Emits the block's ops reading `x`; returns the block's output.
    fn emit(&self, rng: &mut Rng, trace: &mut Trace, x: usize) -> usize {
        let Block {
            batch, dtype, mid, ..
        } = *self;
        let out = 4 * mid;
        let in_area = self.in_hw * self.in_hw;
        let out_area = self.out_hw * self.out_hw;

        let t = trace.op();
        trace.read(x, t);
        let a1 = trace.tensor(rng, "conv1x1", t, padded(batch * mid * in_area, dtype));
        self.maybe_workspace(rng, trace, t, mid, in_area);
        let t = trace.op();
        trace.read(a1, t);
        let a2 = trace.tensor(rng, "conv3x3", t, padded(batch * mid * out_area, dtype));
        self.maybe_workspace(rng, trace, t, 9 * mid, out_area);
        let t = trace.op();
        trace.read(a2, t);
        let a3 = trace.tensor(rng, "conv1x1", t, padded(batch * out * out_area, dtype));
        self.maybe_workspace(rng, trace, t, mid, out_area);

        let skip = if self.in_channels != out || self.in_hw != self.out_hw {
            let t = trace.op();
            trace.read(x, t);
            trace.tensor(rng, "projection", t, padded(batch * out * out_area, dtype))
        } else {
            x
        };
        let t = trace.op();
        trace.read(a3, t);
        trace.read(skip, t);
        if rng.chance(10) {
            // Per-channel quantisation parameters for the add, unpadded: 64 B to 512 B.
            let bytes = rng.range(16, 128) * 4;
            trace.scratch(rng, "qparams", t, bytes);
        }
        trace.tensor(rng, "add_relu", t, padded(batch * out * out_area, dtype))
    }

    /// A convolution's workspace, one op long, a quarter of the time: either a small kernel
    /// scratch or an im2col buffer of `channels * area` elements per image.
    fn maybe_workspace(&self, rng: &mut Rng, trace: &mut Trace, t: i64, channels: i64, area: i64) {
        if !rng.chance(25) {
            return;
        }
        let bytes = if rng.chance(50) {
            small_workspace(rng)
        } else {
            padded(self.batch * channels * area, self.dtype)
        };
        trace.scratch(rng, "workspace", t, bytes);
    }
}
