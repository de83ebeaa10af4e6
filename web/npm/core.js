// The public API of the `bufpack` package, over the wasm-bindgen functions of
// web/src/api.rs. The entry points (index.js for browsers and bundlers, node.js for Node)
// start the WebAssembly instance and tell `platform.js` how to make workers; everything
// else lives here and is the same everywhere.

import * as raw from './bufpack_wasm.js';
import { BufpackError, PANIC_PREFIX } from './errors.js';
import { solveInWorker, traceInWorker } from './workers.js';
import {
  invalid,
  refused,
  shown,
  MAX_TRACE_EVENTS,
  integer,
  boolean,
  object,
  optionsObject,
  checkKeys,
  unknownKey,
  closest,
  gapFields,
  bufferFields,
  isCheckedBuffer,
} from './checks.js';

export { BufpackError, solveInWorker, traceInWorker };

/** The package version, as released. */
export const version = '__VERSION__';

// ---------------------------------------------------------------------------
// Calling into wasm

/**
 * Calls a wasm function and turns what it throws into a `BufpackError`. A panic (a bug)
 * arrives as an `Error` whose message starts with PANIC_PREFIX, or as a WebAssembly trap;
 * the instance is then reset, since the abandoned Rust frames left it unusable, and the
 * caller gets code "internal". Anything else (an exception from the caller's own
 * `onProgress`) passes through unchanged.
 */
export function callWasm(fn, ...args) {
  return callModule(raw.__wbg_reset_state, fn, ...args);
}

/** `callWasm` for a function of another module of the package (trace.js, models.js), reset with its own `reset`. */
export function callModule(reset, fn, ...args) {
  try {
    return fn(...args);
  } catch (thrown) {
    throw toError(thrown, reset);
  }
}

function toError(thrown, reset) {
  if (thrown instanceof BufpackError) return thrown;
  if (isErrorShape(thrown)) return new BufpackError(thrown);
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const panicked = message.startsWith(PANIC_PREFIX);
  if (panicked || thrown instanceof WebAssembly.RuntimeError) {
    reset();
    return new BufpackError({
      code: 'internal',
      message: panicked
        ? `internal error (please report it): ${message.slice(PANIC_PREFIX.length)}`
        : `internal error (please report it): WebAssembly ${message}`,
    });
  }
  return thrown;
}

function isErrorShape(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Error) &&
    typeof value.code === 'string' &&
    typeof value.message === 'string'
  );
}

/** `buffers` checked: the same array when every buffer passes as it is, else a copy with the others converted to Buffers. */
function checkedBuffers(buffers, path) {
  if (!Array.isArray(buffers)) throw invalid(path, 'an array of buffers', buffers);
  let checked = buffers;
  for (let i = 0; i < buffers.length; i++) {
    if (isCheckedBuffer(buffers[i])) continue;
    if (checked === buffers) checked = buffers.slice();
    checked[i] = new Buffer(buffers[i], `${path}[${i}]`);
  }
  return checked;
}

// ---------------------------------------------------------------------------
// The object model (MiniMalloc's Python bindings, in JavaScript)

/** A time interval `[lower, upper)` in which a buffer is idle, optionally keeping a window of its memory. */
export class Gap {
  constructor(init, path = 'gap') {
    Object.assign(this, gapFields(init, path));
  }
}

/** One buffer: an id, a lifespan `[lower, upper)`, a size, and optional alignment, gaps, fixed offset, hint. */
export class Buffer {
  constructor(init, path = 'buffer') {
    Object.assign(this, bufferFields(init, path));
    this.gaps = this.gaps.map((gap) => Object.assign(Object.create(Gap.prototype), gap));
  }
}

function capacityOption(capacity, path = 'options.capacity') {
  return integer(capacity, path, { min: 0, optional: true });
}

/** Buffers and, optionally, the memory's capacity (none: no limit, for minimisation). */
export class Problem {
  constructor(buffers, options) {
    if (!Array.isArray(buffers)) throw invalid('buffers', 'an array of buffers', buffers);
    this.buffers = buffers.map((b, i) => (b instanceof Buffer && isCheckedBuffer(b) ? b : new Buffer(b, `buffers[${i}]`)));
    const limit = problemOptions(options);
    if (limit !== undefined) this.capacity = limit;
  }

  /** Reads MiniMalloc CSV (`id,lower,upper,size` and optional columns); errors carry `line` and `column`. */
  static fromCsv(text, options) {
    if (typeof text !== 'string') throw invalid('text', 'a string of CSV', text);
    const shape = callWasm(raw.parseCsv, text, problemOptions(options));
    return Problem.trusted(shape);
  }

  /** A problem from a shape the solver produced (already checked). */
  static trusted(shape) {
    const problem = Object.create(Problem.prototype);
    problem.buffers = shape.buffers.map((b) => Object.assign(Object.create(Buffer.prototype), b));
    if (shape.capacity !== undefined) problem.capacity = shape.capacity;
    return problem;
  }

  /** MiniMalloc CSV of the problem; with a solution, with its `offset` column. */
  toCsv(solution) {
    const problem = problemArgument(this);
    const offsets = solution === undefined ? undefined : offsetsOf(solution);
    if (offsets !== undefined && offsets.length !== problem.buffers.length) {
      throw refused('solution.offsets', `expected ${problem.buffers.length} offsets (one per buffer), found ${offsets.length}`);
    }
    return callWasm(raw.toCsv, problem, offsets === undefined ? undefined : offsetsShape(solution, offsets));
  }
}

/** `{ capacity }` of `new Problem` and `Problem.fromCsv`: the capacity, checked. */
function problemOptions(options) {
  optionsObject(options);
  checkKeys(options ?? {}, ['capacity'], 'options');
  return capacityOption(options?.capacity);
}

/**
 * A Problem or `{ buffers, capacity? }`, checked, as the wasm functions take it: the same
 * object when everything in it passes as it is.
 */
function problemArgument(problem, path = 'problem') {
  object(problem, path, 'a Problem or { buffers, capacity? }');
  checkKeys(problem, ['buffers', 'capacity'], path);
  const buffers = checkedBuffers(problem.buffers, `${path}.buffers`);
  const capacity = capacityOption(problem.capacity, `${path}.capacity`);
  if (problem instanceof Problem && buffers === problem.buffers && capacity === problem.capacity) return problem;
  const checked = Object.create(Problem.prototype);
  checked.buffers = buffers;
  if (capacity !== undefined) checked.capacity = capacity;
  return checked;
}

/** The offsets of a solution, checked (a plain array or typed array; not copied when too many). */
function offsetsOf(solution, path = 'solution') {
  object(solution, path, 'a Solution or { offsets, height? }');
  const { offsets } = solution;
  if (!Array.isArray(offsets) && !(ArrayBuffer.isView(offsets) && !(offsets instanceof DataView))) {
    throw invalid(`${path}.offsets`, 'an array of offsets', offsets);
  }
  return offsets;
}

/** `{ offsets, height? }` as wasm takes it: every offset an integer. */
function offsetsShape(solution, offsets, path = 'solution') {
  const checked = Array.from(offsets, (o, i) => integer(o, `${path}.offsets[${i}]`));
  const height = integer(solution.height, `${path}.height`, { optional: true });
  return height === undefined ? { offsets: checked } : { offsets: checked, height };
}

/** A packing and its figures: status, lower bound and why, LOAD, gap, search effort, time. */
export class Solution {
  constructor(shape) {
    Object.assign(this, shape);
    if (!Array.isArray(this.offsets)) this.offsets = Array.from(this.offsets ?? []);
  }
}

let defaults;

function defaultParams() {
  defaults ??= callWasm(raw.defaultParams);
  return defaults;
}

/** Every switch of the solver, camelCase, with the solver's defaults (read from the solver itself). */
export class SolverParams {
  constructor(overrides, path = 'params') {
    const known = defaultParams();
    const given = overrides === undefined ? {} : object(overrides, path, 'an object of switches');
    Object.assign(this, structuredClone(known));
    for (const key in given) {
      if (!Object.hasOwn(given, key)) continue;
      if (!Object.hasOwn(known, key)) throw unknownKey(path, key, Object.keys(known), 'switch');
      const value = switchValue(given[key], `${path}.${key}`, known[key]);
      if (value !== undefined) this[key] = value;
    }
  }

  /** MiniMalloc's search: its techniques on, bufpack's own (`canonicalFloor` to `hotParts`) off. */
  static reference() {
    return new SolverParams(callWasm(raw.referenceParams));
  }
}

/** A switch's value, of its default's type: a boolean, or the orderings (an array of key strings). */
function switchValue(value, path, known) {
  if (typeof known === 'boolean') return boolean(value, path);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid(path, 'an array of key strings such as ["WAT", "TAW"]', value);
  return value.map((keys, i) => {
    if (typeof keys !== 'string') throw invalid(`${path}[${i}]`, 'a key string such as "WAT"', keys);
    return keys;
  });
}

/** The options every run takes; each call adds its own (see `OPTIONS`). */
const RUN_KEYS = ['timeoutSeconds', 'onProgress'];

/** The options each function takes besides solver switches. */
export const OPTIONS = {
  run: RUN_KEYS,
  minimize: RUN_KEYS,
  solveFromCsv: [...RUN_KEYS, 'capacity', 'minimize'],
  traceSearch: [...RUN_KEYS, 'capacity', 'maxEvents'],
  solveInWorker: [...RUN_KEYS, 'capacity', 'minimize', 'signal', 'parallel', 'returnProblem'],
  traceInWorker: [...RUN_KEYS, 'capacity', 'maxEvents', 'signal', 'parallel'],
};

/**
 * Splits `{ capacity, timeoutSeconds, onProgress, ...switches }` into the options of the
 * call (`keys`, checked and converted) and its SolverParams; refuses keys that are neither,
 * naming the closest. Without `switches`, solver switches are refused too (Solver.solve:
 * the Solver holds them).
 */
export function splitOptions(options, keys, { switches = true } = {}) {
  optionsObject(options);
  const known = defaultParams();
  const control = {};
  const params = {};
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue;
    if (keys.includes(key)) control[key] = options[key];
    else if (switches && Object.hasOwn(known, key)) params[key] = options[key];
    else if (Object.hasOwn(known, key)) {
      throw refused(`options.${key}`, `a solver switch: give it to the Solver (new Solver({ ${key} }))`);
    } else {
      throw unknownKey('options', key, switches ? [...keys, ...Object.keys(known)] : keys);
    }
  }
  return { control: checkControl(control), params: new SolverParams(params, 'options') };
}

/** The options that are not switches, checked and converted; absent ones stay absent. */
function checkControl(given) {
  const control = {};
  const path = (key) => `options.${key}`;
  if ('capacity' in given) control.capacity = capacityOption(given.capacity);
  if ('minimize' in given) control.minimize = boolean(given.minimize, path('minimize'));
  const { timeoutSeconds, onProgress, maxEvents, parallel, returnProblem, signal } = given;
  if (timeoutSeconds !== undefined && timeoutSeconds !== null) {
    if (typeof timeoutSeconds !== 'number' || !(timeoutSeconds >= 0)) {
      throw invalid(path('timeoutSeconds'), 'a non-negative number of seconds', timeoutSeconds);
    }
    control.timeoutSeconds = timeoutSeconds;
  }
  if (onProgress !== undefined && onProgress !== null) {
    if (typeof onProgress !== 'function') throw invalid(path('onProgress'), 'a function', onProgress);
    control.onProgress = onProgress;
  }
  if (maxEvents !== undefined && maxEvents !== null) {
    control.maxEvents = integer(maxEvents, path('maxEvents'), { min: 0 });
    if (control.maxEvents > MAX_TRACE_EVENTS) {
      throw invalid(path('maxEvents'), `a whole number of at most ${MAX_TRACE_EVENTS}`, maxEvents);
    }
  }
  if (parallel !== undefined && parallel !== null && parallel !== false) {
    if (parallel !== true && !(typeof parallel === 'number' && Number.isInteger(parallel) && parallel >= 1)) {
      throw invalid(path('parallel'), 'true, false or a whole number of workers', parallel);
    }
    control.parallel = parallel;
  }
  if (returnProblem !== undefined && returnProblem !== null) {
    if (![true, false, 'objects', 'columns'].includes(returnProblem)) {
      throw invalid(path('returnProblem'), 'true, false, "objects" or "columns"', returnProblem);
    }
    control.returnProblem = returnProblem;
  }
  if (signal !== undefined && signal !== null) {
    if (!isAbortSignal(signal)) throw invalid(path('signal'), 'an AbortSignal', signal);
    control.signal = signal;
  }
  return control;
}

function isAbortSignal(value) {
  return value !== null && typeof value === 'object' && 'aborted' in value && typeof value.addEventListener === 'function';
}

/** What the wasm monitor takes (web/src/monitor.rs): only checked values. */
function wasmControl({ timeoutSeconds, onProgress, onImproved }) {
  return { timeoutSeconds, onProgress, onImproved };
}

/** Solves or minimises with a set of switches. */
export class Solver {
  constructor(params) {
    this.params = params instanceof SolverParams ? params : new SolverParams(params);
  }

  /**
   * Finds a packing within `problem.capacity` or throws: code "infeasible" (with `reason`),
   * "timeout", "undecided", "invalid". Runs on the calling thread; use `solveInWorker` in
   * a page.
   */
  solve(problem, options) {
    const { control } = splitOptions(options, OPTIONS.run, { switches: false });
    return run(raw.solve, problem, this.params, control);
  }

  /**
   * The lowest height, never above `problem.capacity` if set. With a time limit, the best
   * packing found (status "feasible") and its gap to the proven bound.
   */
  minimize(problem, options) {
    const { control } = splitOptions(options, OPTIONS.run, { switches: false });
    return run(raw.minimize, problem, this.params, control);
  }
}

/** One call of `solve` or `minimize` with checked options; the params are checked again (a Solver's may have changed since). */
function run(fn, problem, params, control) {
  const checked = problemArgument(problem);
  return new Solution(callWasm(fn, checked, new SolverParams(params), wasmControl(control)));
}

/** Minimises the peak: `minimize(problem, { timeoutSeconds, onProgress, ...switches })`. */
export function minimize(problem, options) {
  const { control, params } = splitOptions(options, OPTIONS.minimize);
  return run(raw.minimize, problem, params, control);
}

/**
 * Reads CSV and solves it: `{ capacity, timeoutSeconds, onProgress, minimize, ...switches }`.
 * Without `capacity`, minimises. The CSV never becomes JavaScript objects on the way.
 */
export function solveFromCsv(text, options) {
  if (typeof text !== 'string') throw invalid('text', 'a string of CSV', text);
  const { control, params } = splitOptions(options, OPTIONS.solveFromCsv);
  const minimise = mustMinimize(control, control.capacity);
  const result = callWasm(raw.solveCsv, text, control.capacity, minimise, 'none', params, wasmControl(control));
  return new Solution(result.solution);
}

/** Whether a call minimises: `minimize` if given, else when there is no capacity; solving needs one. */
function mustMinimize(control, capacity) {
  const minimise = control.minimize ?? capacity === undefined;
  if (!minimise && capacity === undefined) {
    throw refused('options.capacity', 'expected a capacity to solve against (or minimize: true)');
  }
  return minimise;
}

/** The ids of a `returnProblem: 'columns'` answer as strings. */
export function columnIds(columns) {
  if (columns === null || typeof columns !== 'object' || !(columns.idBytes instanceof Uint8Array) || !ArrayBuffer.isView(columns.idEnds)) {
    throw invalid('columns', "the columns of a solution (solveInWorker with returnProblem: 'columns')", columns);
  }
  const decoder = new TextDecoder();
  const ids = new Array(columns.idEnds.length);
  let start = 0;
  for (let i = 0; i < ids.length; i++) {
    const end = columns.idEnds[i];
    ids[i] = decoder.decode(columns.idBytes.subarray(start, end));
    start = end;
  }
  return ids;
}

/** `{ valid: true }` or `{ valid: false, message }` naming the first rule the solution breaks. */
export function validateSolution(problem, solution) {
  const checked = problemArgument(problem);
  const offsets = offsetsOf(solution);
  if (offsets.length !== checked.buffers.length) {
    // The validator's own verdict (solver/src/validate.rs, WrongCount), without copying
    // offsets that are not this problem's, however many, into the instance.
    return { valid: false, message: `expected ${checked.buffers.length} offsets, found ${offsets.length}` };
  }
  return callWasm(raw.validate, checked, offsetsShape(solution, offsets));
}

/** The proven lower bound on the height, why it holds, and the load over time (for drawing). */
export function lowerBound(problem) {
  return callWasm(raw.lowerBound, problemArgument(problem));
}

/** The names `runHeuristic` takes, the minimiser's favourites first. */
export function heuristicNames() {
  return callWasm(raw.heuristicNames);
}

/** Packs with one fast heuristic, ignoring the capacity. */
export function runHeuristic(problem, name) {
  const names = heuristicNames();
  if (!names.includes(name)) {
    const near = typeof name === 'string' ? closest(name, names) : undefined;
    if (near !== undefined) throw refused('name', `unknown heuristic ${shown(name)}; did you mean ${near}?`);
    throw invalid('name', `one of ${names.join(', ')}`, name);
  }
  return new Solution(callWasm(raw.runHeuristic, problemArgument(problem), name));
}

export { problemArgument, wasmControl, invalid, refused, mustMinimize };
