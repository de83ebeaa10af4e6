// The one error class of the package. Its `code` is stable API:
//   "parse"      CSV that cannot be read (line, column, field say where)
//   "invalid"    a malformed problem, solution or option (path, or buffer and id)
//   "infeasible" no packing fits the capacity (reason says how we know)
//   "timeout"    the time limit passed before an answer
//   "aborted"    the AbortSignal fired (best: the best packing so far, when minimising)
//   "worker"     a worker could not start or died
//   "internal"   a bug in bufpack (a Rust panic); the instance was reset and still works
//   "invalid-model"  bytes that are not a TensorFlow Lite model bufpack can plan (byteOffset,
//                table, field, location say where)
//   "invalid-plan"   offsets that are no valid plan for the model (never written into it)

/** What a Rust panic's message starts with (web/src/panic.rs). */
export const PANIC_PREFIX = 'bufpack panicked: ';

export class BufpackError extends Error {
  constructor(shape) {
    super(shape.message);
    this.name = shape.code === 'aborted' ? 'AbortError' : 'BufpackError';
    for (const [key, value] of Object.entries(shape)) {
      if (key !== 'message' && value !== undefined) this[key] = value;
    }
  }

  /** The plain fields, to send across a worker boundary and rebuild on the other side. */
  toJSON() {
    return { ...this, message: this.message };
  }
}
