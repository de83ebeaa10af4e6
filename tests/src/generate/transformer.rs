//! Transformer inference: repeated attention + MLP layers around a residual stream.

use bufpack::Problem;

use super::trace::{fit_batch, padded, small_workspace, Trace};
use super::Rng;

/// Tensors the head adds after the last layer (final norm, logits, sampled tokens).
const HEAD: usize = 3;

/// (hidden size, heads, sequence length): shapes of common models, kept so that one
/// attention-score tensor stays within tens of megabytes at batch 1.
const CONFIGS: [(i64, i64, i64); 6] = [
    (512, 8, 512),
    (768, 12, 512),
    (768, 12, 1024),
    (1024, 16, 1024),
    (2048, 16, 1024),
    (4096, 32, 512),
];

/// The trace of a transformer's forward pass, with about `buffers` tensors.
///
/// Each layer: layer norm, q/k/v projections (fused or not), attention scores and
/// probabilities (heads x queries x keys, large and short-lived), context, output projection
/// and a residual add, then a 4x-wide MLP and a second residual add; the residual stream is
/// read by both adds, so it lives across each half-layer. A drawn model either prefills a
/// whole sequence or decodes one token; with a KV cache (always when decoding), every layer
/// keeps a key and a value cache alive to the end. Depth grows with `buffers` (11 to 16
/// tensors a layer, whole layers only): `buffers` to `buffers + 20` tensors.
pub fn transformer(rng: &mut Rng, buffers: usize) -> Problem {
    let (hidden, heads, seq) = rng.pick(&CONFIGS);
    let dtype = rng.pick(&[2, 2, 4]);
    let decode = rng.chance(40);
    let (queries, keys) = if decode {
        (1, seq * rng.pick(&[1, 2, 4]))
    } else {
        (seq, seq)
    };
    let kv_cache = decode || rng.chance(50);
    let fused_qkv = rng.chance(50);
    let vocab = rng.pick(&[32_000, 32_128, 50_257]);
    let largest = (heads * queries * keys)
        .max(4 * queries * hidden)
        .max(keys * hidden)
        * dtype;
    let batch = fit_batch(rng.pick(&[1, 2, 4, 8]), largest);
    let shape = Layer {
        stream: padded(batch * queries * hidden, dtype),
        scores: padded(batch * heads * queries * keys, dtype),
        mlp: padded(batch * queries * 4 * hidden, dtype),
        cache: kv_cache.then(|| padded(batch * keys * hidden, dtype)),
        fused_qkv,
    };

    let mut trace = Trace::new();
    let t = trace.op();
    let tokens = trace.tensor(rng, "tokens", t, padded(batch * queries, 4));
    let t = trace.op();
    trace.read(tokens, t);
    let mut x = trace.tensor(rng, "embed", t, shape.stream);
    while trace.len() + HEAD < buffers {
        x = shape.emit(rng, &mut trace, x);
    }

    let t = trace.op();
    trace.read(x, t);
    let norm = trace.tensor(rng, "final_norm", t, shape.stream);
    let t = trace.op();
    trace.read(norm, t);
    // Logits of the last position only, fp32 and unpadded, as generation computes them.
    let logits = trace.tensor(rng, "logits", t, batch * vocab * 4);
    let t = trace.op();
    trace.read(logits, t);
    let sampled = trace.tensor(rng, "sampled", t, padded(batch, 4));
    let t = trace.op(); // copy-out
    trace.read(sampled, t);
    trace.into_problem()
}

/// The byte sizes one layer's tensors take, fixed for the whole model.
struct Layer {
    /// Residual stream, norms, q, k, v, context and projections: batch x queries x hidden.
    stream: i64,
    /// Attention scores and probabilities: batch x heads x queries x keys.
    scores: i64,
    /// MLP intermediates: four times the stream.
    mlp: i64,
    /// Each of the key and value caches, when the model keeps them.
    cache: Option<i64>,
    fused_qkv: bool,
}

impl Layer {
    /// Emits one layer reading the residual stream `x`; returns the new stream.
    fn emit(&self, rng: &mut Rng, trace: &mut Trace, x: usize) -> usize {
        let t = trace.op();
        trace.read(x, t);
        let norm = trace.tensor(rng, "attn_norm", t, self.stream);
        let (q, k, v) = if self.fused_qkv {
            let t = trace.op();
            trace.read(norm, t);
            let qkv = trace.tensor(rng, "qkv", t, 3 * self.stream);
            (qkv, qkv, qkv)
        } else {
            let mut project = |name| {
                let t = trace.op();
                trace.read(norm, t);
                trace.tensor(rng, name, t, self.stream)
            };
            (project("q"), project("k"), project("v"))
        };
        let (k, v) = match self.cache {
            // The new keys and values are appended to caches that outlive the layer.
            Some(bytes) => {
                let t = trace.op();
                trace.read(k, t);
                trace.read(v, t);
                let k_cache = trace.tensor(rng, "k_cache", t, bytes);
                let v_cache = trace.tensor(rng, "v_cache", t, bytes);
                trace.keep_to_end(k_cache);
                trace.keep_to_end(v_cache);
                (k_cache, v_cache)
            }
            None => (k, v),
        };
        let t = trace.op();
        trace.read(q, t);
        trace.read(k, t);
        let scores = trace.tensor(rng, "scores", t, self.scores);
        let t = trace.op();
        trace.read(scores, t);
        if rng.chance(30) {
            let bytes = small_workspace(rng);
            trace.scratch(rng, "softmax_partials", t, bytes);
        }
        let probs = trace.tensor(rng, "softmax", t, self.scores);
        let t = trace.op();
        trace.read(probs, t);
        trace.read(v, t);
        let context = trace.tensor(rng, "context", t, self.stream);
        let t = trace.op();
        trace.read(context, t);
        let projected = trace.tensor(rng, "attn_out", t, self.stream);
        let t = trace.op();
        trace.read(x, t);
        trace.read(projected, t);
        let x1 = trace.tensor(rng, "residual", t, self.stream);

        let t = trace.op();
        trace.read(x1, t);
        let norm = trace.tensor(rng, "mlp_norm", t, self.stream);
        let t = trace.op();
        trace.read(norm, t);
        let up = trace.tensor(rng, "mlp_up", t, self.mlp);
        let t = trace.op();
        trace.read(up, t);
        let activated = trace.tensor(rng, "gelu", t, self.mlp);
        let t = trace.op();
        trace.read(activated, t);
        let down = trace.tensor(rng, "mlp_down", t, self.stream);
        let t = trace.op();
        trace.read(x1, t);
        trace.read(down, t);
        trace.tensor(rng, "residual", t, self.stream)
    }
}
