//! One training step: forward, backward, optimizer, as a framework's memory planner sees it.

use bufpack::{Offset, Problem};

use super::trace::{fit_batch, padded, small_workspace, Trace};
use super::Rng;

/// Tensors outside the layers: input batch, labels, loss and its gradient.
const OVERHEAD: usize = 4;

/// The trace of one training step of a convolutional network, with about `buffers` tensors.
///
/// Forward: conv, batch-norm and ReLU layers in four stages (the same few shapes repeat).
/// Each activation is read again by the backward op of its layer or the next one, so
/// activations stay alive from the forward pass into the backward pass and are released in
/// reverse order: nested lifetimes, the shape that makes training memory peak at the turn.
/// Backward: each op makes a short-lived input gradient (read by the next backward op) and,
/// for layers with weights, a weight gradient that lives until that layer's optimizer step at
/// the end. Optimizer steps sometimes take a scratch buffer. Depth grows with `buffers` (2 to
/// 6 tensors a layer, whole layers only): `buffers` to `buffers + 20` tensors.
pub fn training(rng: &mut Rng, buffers: usize) -> Problem {
    let dtype = rng.pick(&[4, 2, 2]);
    let resolution = rng.pick(&[112, 224]);
    let base = rng.pick(&[32, 64]);
    // The largest tensors are the first stage's activations (at half the resolution).
    let largest = base * (resolution / 2) * (resolution / 2) * dtype;
    let model = Model {
        batch: fit_batch(rng.pick(&[8, 16, 32, 64]), largest),
        dtype,
        resolution,
        base,
        // A conv-bn-relu unit brings about 11 tensors; four stages.
        units_per_stage: (buffers / 44).max(1),
    };
    let layers = model.plan(rng, buffers);
    emit(rng, &model, &layers)
}

/// The shape parameters of one drawn network.
struct Model {
    batch: i64,
    dtype: i64,
    resolution: i64,
    base: i64,
    units_per_stage: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Conv,
    BatchNorm,
    Relu,
}

/// One layer, decided before any tensor is emitted so that the count can be planned.
struct Layer {
    kind: Kind,
    /// Bytes of the layer's output activation (and of the gradient flowing into it).
    output: Offset,
    /// Bytes of weights (and of their gradient), if the layer has any.
    weights: Option<Offset>,
    /// Something else kept for backward: batch-norm statistics, a dropout mask.
    saved: Option<Offset>,
    forward_workspace: Option<Offset>,
    backward_workspace: Option<Offset>,
    optimizer_scratch: Option<Offset>,
}

impl Layer {
    /// Tensors the layer will bring: output, input gradient, and the optional ones.
    fn count(&self) -> usize {
        2 + [
            self.weights,
            self.saved,
            self.forward_workspace,
            self.backward_workspace,
            self.optimizer_scratch,
        ]
        .iter()
        .filter(|x| x.is_some())
        .count()
    }
}

impl Model {
    fn input_bytes(&self) -> Offset {
        padded(
            self.batch * 3 * self.resolution * self.resolution,
            self.dtype,
        )
    }

    /// Layers until they and the overhead reach `buffers` tensors.
    fn plan(&self, rng: &mut Rng, buffers: usize) -> Vec<Layer> {
        let (batch, dtype) = (self.batch, self.dtype);
        let mut layers = Vec::new();
        let mut planned = OVERHEAD;
        let mut channels = 3;
        let mut hw = self.resolution;
        while planned < buffers {
            let unit = layers.len() / 3;
            let stage = (unit / self.units_per_stage).min(3);
            let kind = [Kind::Conv, Kind::BatchNorm, Kind::Relu][layers.len() % 3];
            let mut layer = Layer {
                kind,
                output: 0,
                weights: None,
                saved: None,
                forward_workspace: None,
                backward_workspace: None,
                optimizer_scratch: None,
            };
            if kind == Kind::Conv {
                let out_channels = self.base << stage;
                // The first conv halves the input; each new stage halves again.
                let out_hw = (self.resolution / 2) >> stage;
                let weights = channels * out_channels * 9;
                layer.weights = Some(padded(weights, dtype));
                layer.forward_workspace = rng.chance(30).then(|| small_workspace(rng));
                layer.backward_workspace = rng
                    .chance(50)
                    .then(|| padded(batch * channels * out_hw * out_hw, dtype));
                layer.optimizer_scratch = rng.chance(50).then(|| padded(weights, 4));
                channels = out_channels;
                hw = out_hw;
            }
            let activation = padded(batch * channels * hw * hw, dtype);
            layer.output = activation;
            match kind {
                Kind::Conv => {}
                Kind::BatchNorm => {
                    // gamma and beta, and the batch mean and inverse deviation, in fp32.
                    layer.weights = Some(padded(2 * channels, 4));
                    layer.saved = Some(padded(2 * channels, 4));
                    layer.optimizer_scratch = rng.chance(50).then(|| padded(2 * channels, 4));
                }
                Kind::Relu => {
                    layer.saved = rng
                        .chance(20)
                        .then(|| padded(batch * channels * hw * hw, 1));
                }
            }
            planned += layer.count();
            layers.push(layer);
        }
        layers
    }
}

/// Handles of what a layer's backward op reads.
struct Saved {
    input: usize,
    output: usize,
    extra: Option<usize>,
}

fn emit(rng: &mut Rng, model: &Model, layers: &[Layer]) -> Problem {
    let mut trace = Trace::new();
    let t = trace.op();
    let input = trace.tensor(rng, "input", t, model.input_bytes());
    let labels = trace.tensor(rng, "labels", t, padded(model.batch, 4));

    let mut saved = Vec::with_capacity(layers.len());
    let mut x = input;
    for layer in layers {
        let t = trace.op();
        trace.read(x, t);
        let output = trace.tensor(rng, name(layer.kind), t, layer.output);
        let extra = layer
            .saved
            .map(|bytes| trace.tensor(rng, "saved", t, bytes));
        if let Some(bytes) = layer.forward_workspace {
            trace.scratch(rng, "workspace", t, bytes);
        }
        saved.push(Saved {
            input: x,
            output,
            extra,
        });
        x = output;
    }

    let t = trace.op();
    trace.read(x, t);
    trace.read(labels, t);
    let loss = trace.tensor(rng, "loss", t, padded(1, 4));
    let t = trace.op();
    trace.read(loss, t);
    let mut gradient = trace.tensor(rng, "loss_grad", t, layers.last().map_or(64, |l| l.output));

    let mut weight_gradients = vec![None; layers.len()];
    for (index, layer) in layers.iter().enumerate().rev() {
        let t = trace.op();
        let Saved {
            input,
            output,
            extra,
        } = saved[index];
        trace.read(gradient, t);
        // Conv and batch-norm differentiate through their input; ReLU through its output.
        trace.read(
            if layer.kind == Kind::Relu {
                output
            } else {
                input
            },
            t,
        );
        if let Some(extra) = extra {
            trace.read(extra, t);
        }
        if let Some(bytes) = layer.weights {
            weight_gradients[index] = Some(trace.tensor(rng, "weight_grad", t, bytes));
        }
        if let Some(bytes) = layer.backward_workspace {
            trace.scratch(rng, "workspace", t, bytes);
        }
        let input_bytes = match index {
            0 => model.input_bytes(),
            _ => layers[index - 1].output,
        };
        gradient = trace.tensor(rng, "input_grad", t, input_bytes);
    }
    // The gradient of the input batch has no reader; it dies where it is made.

    for (layer, weight_gradient) in layers.iter().zip(weight_gradients) {
        let Some(weight_gradient) = weight_gradient else {
            continue;
        };
        let t = trace.op();
        trace.read(weight_gradient, t);
        if let Some(bytes) = layer.optimizer_scratch {
            trace.scratch(rng, "optimizer_scratch", t, bytes);
        }
    }
    trace.into_problem()
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Conv => "conv",
        Kind::BatchNorm => "batchnorm",
        Kind::Relu => "relu",
    }
}
