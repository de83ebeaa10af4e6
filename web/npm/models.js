// TensorFlow Lite Micro models from bytes, over web/src/models.rs: the model's tensor arena
// as a Problem (solve or minimise it like any other), TensorFlow Lite Micro's own greedy
// plan for comparison, and a plan written back into the model as its
// OfflineMemoryAllocation metadata, only when it saves arena. Every call is stateless on
// the wasm side: a TfliteModel keeps its own copy of the bytes and hands them in again.
//
// The model support is a .wasm of its own (bufpack_models_wasm), loaded by the platform
// (index.js, node.js) on the first call: a page that only solves CSV never fetches it. So
// `readModel` and `planModel` are async; a TfliteModel's methods are not (the module is
// loaded by then).

import { callModule, Problem } from './core.js';
import { checkKeys, integer, invalid, object, optionsObject, refused } from './checks.js';
import { onFirstUse, platform } from './platform.js';
import { solveInWorker } from './workers.js';

/** The models module's functions, loaded once; a failed load is retried on the next call. */
const models = onFirstUse(() => platform().loadModels(), 'load the model support (bufpack_models_wasm)');

/** Calls a function of the models module, errors as BufpackErrors (a panic resets that module). */
function call(glue, name, ...args) {
  return callModule(glue.__wbg_reset_state, glue[name], ...args);
}

/** The file identifier every TensorFlow Lite flatbuffer carries at bytes 4..8. */
const IDENTIFIER = [0x54, 0x46, 0x4c, 0x33]; // "TFL3"

/** Whether `bytes` (a Uint8Array, another view or an ArrayBuffer) look like a .tflite file: `TFL3` at bytes 4..8. */
export function isTfliteModel(bytes) {
  let view;
  if (bytes instanceof ArrayBuffer) view = new Uint8Array(bytes);
  else if (ArrayBuffer.isView(bytes)) view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else return false;
  return view.length >= 8 && IDENTIFIER.every((byte, i) => view[4 + i] === byte);
}

/** The model's bytes as a Uint8Array over the caller's memory (not copied), or an "invalid" error at `path`. */
function modelBytes(bytes, path = 'bytes') {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw invalid(path, "the model's bytes (a Uint8Array or an ArrayBuffer)", bytes);
}

/** Kernel scratch buffers `[{ subgraph, operator, bytes }]`, checked; none when not given. */
function scratchOption(scratch, path = 'options.scratch') {
  if (scratch === undefined || scratch === null) return [];
  if (!Array.isArray(scratch)) throw invalid(path, 'an array of { subgraph, operator, bytes }', scratch);
  return scratch.map((entry, i) => {
    const at = `${path}[${i}]`;
    object(entry, at, 'a scratch buffer { subgraph, operator, bytes }');
    checkKeys(entry, ['subgraph', 'operator', 'bytes'], at);
    return {
      subgraph: integer(entry.subgraph ?? 0, `${at}.subgraph`, { min: 0 }),
      operator: integer(entry.operator, `${at}.operator`, { min: 0 }),
      bytes: integer(entry.bytes, `${at}.bytes`, { min: 0 }),
    };
  });
}

/** `{ scratch }`: the only option of tflmGreedy and planModel. */
function planOptions(options) {
  optionsObject(options);
  checkKeys(options ?? {}, ['scratch'], 'options');
  return scratchOption(options?.scratch);
}

/** A plan's offsets as wasm takes them: a Solution, `{ offsets }`, an array or a typed array of non-negative integers. */
function planOffsets(plan, path = 'plan') {
  let offsets = plan;
  let at = path;
  if (!Array.isArray(plan) && !(ArrayBuffer.isView(plan) && !(plan instanceof DataView))) {
    object(plan, path, 'a Solution, { offsets } or an array of offsets');
    offsets = plan.offsets;
    at = `${path}.offsets`;
    if (!Array.isArray(offsets) && !(ArrayBuffer.isView(offsets) && !(offsets instanceof DataView))) {
      throw invalid(at, 'an array of offsets', offsets);
    }
  }
  const checked = new Float64Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) checked[i] = integer(offsets[i], `${at}[${i}]`, { min: 0 });
  return checked;
}

/**
 * A TensorFlow Lite model read for planning. `problem` holds one buffer per tensor
 * TensorFlow Lite Micro places in its arena (ids are tensor names; times are steps, see
 * `steps`); `tensors[i]` says which tensor buffer i is. Made by `readModel`.
 */
export class TfliteModel {
  constructor(glue, bytes, shape) {
    Object.defineProperty(this, 'glue', { value: glue });
    /** The model file (the package's own copy). */
    this.bytes = bytes;
    this.problem = Problem.trusted(shape.problem);
    this.tensors = shape.tensors;
    this.steps = shape.steps;
    this.operators = shape.operators;
    this.tensorCount = shape.tensorCount;
    this.subgraphCount = shape.subgraphCount;
    this.constants = shape.constants;
    this.variables = shape.variables;
    this.variableBytes = shape.variableBytes;
    this.offlinePlan = shape.offlinePlan;
  }

  /** TensorFlow Lite Micro's greedy plan for these tensors (and `scratch`): `{ offsets, scratchOffsets, arena }`. */
  tflmGreedy(options) {
    return call(this.glue, 'tflmGreedy', this.bytes, planOptions(options));
  }

  /** Checks a plan (a Solution of `problem`, or its offsets): the arena it needs, or an "invalid-plan" error naming the clash. */
  checkPlan(plan) {
    return call(this.glue, 'checkModelPlan', this.bytes, planOffsets(plan));
  }

  /** `planModel` of this model's bytes (synchronous: the module is loaded). */
  plan(plan, options) {
    return planWith(this.glue, this.bytes, plan, options);
  }
}

/**
 * Reads a .tflite model from its bytes into a TfliteModel (async: the model support loads on
 * first use). Bytes that are not a model
 * bufpack can plan throw a BufpackError with code "invalid-model", a message that says what
 * and where, `byteOffset`, `table`, `field` and `location` (the table's place from the
 * model's root) when known.
 */
export async function readModel(bytes) {
  const copy = modelBytes(bytes).slice();
  const glue = await models();
  return new TfliteModel(glue, copy, call(glue, 'readModel', copy));
}

/**
 * (Async, like readModel.) Writes a plan into the model when TensorFlow Lite Micro then needs less arena than for
 * the model as it is (its greedy plan, or the offline plan the model carries), with the
 * kernel scratch buffers of `options.scratch` placed in both cases:
 * `{ status: 'planned', model: Uint8Array, arena, before, savedBytes }` or
 * `{ status: 'unchanged', model: null, arena, before, savedBytes: 0 }`. A plan that does
 * not fit the model (count, alignment, two live tensors overlapping) throws
 * "invalid-plan" and is never written.
 */
export async function planModel(bytes, plan, options) {
  return planWith(await models(), bytes, plan, options);
}

function planWith(glue, bytes, plan, options) {
  const model = modelBytes(bytes);
  const offsets = planOffsets(plan);
  const scratch = planOptions(options);
  const result = call(glue, 'planModel', model, offsets, scratch);
  result.savedBytes = result.status === 'planned' ? result.before - result.arena : 0;
  return result;
}

/**
 * Reads a model, minimises its arena in workers (`solveInWorker`) and plans it, in one
 * call: `{ model: TfliteModel, solution, tflm, plan }` where `tflm` is TensorFlow Lite
 * Micro's greedy plan and `plan` what `planModel` decided. Options: `scratch` and those of
 * `solveInWorker` (`timeoutSeconds`, `onProgress`, `signal`, `parallel`, solver switches).
 */
export async function minimizeModel(bytes, options) {
  const given = optionsObject(options);
  const { scratch, ...rest } = given;
  for (const key of ['capacity', 'minimize', 'returnProblem']) {
    if (Object.hasOwn(rest, key)) throw refused(`options.${key}`, 'not an option of minimizeModel (it minimises the arena)');
  }
  const checkedScratch = scratchOption(scratch);
  const model = await readModel(bytes);
  const solution = await solveInWorker(model.problem, { ...rest, minimize: true });
  return {
    model,
    solution,
    tflm: model.tflmGreedy({ scratch: checkedScratch }),
    plan: model.plan(solution, { scratch: checkedScratch }),
  };
}

