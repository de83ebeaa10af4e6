// The public API of the `bufpack` package, over the wasm-bindgen functions of
// web/src/api.rs. The entry points (index.js for browsers and bundlers, node.js for Node)
// start the WebAssembly instance and tell `platform.js` how to make workers; everything
// else lives here and is the same everywhere.

import * as raw from './bufpack_wasm.js';
import { BufpackError, PANIC_PREFIX } from './errors.js';
import { solveInWorker, traceInWorker } from './workers.js';

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
  try {
    return fn(...args);
  } catch (thrown) {
    throw toError(thrown);
  }
}

function toError(thrown) {
  if (thrown instanceof BufpackError) return thrown;
  if (isErrorShape(thrown)) return new BufpackError(thrown);
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const panicked = message.startsWith(PANIC_PREFIX);
  if (panicked || thrown instanceof WebAssembly.RuntimeError) {
    raw.__wbg_reset_state();
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

// ---------------------------------------------------------------------------
// Checking arguments: a clear error naming the path, before anything reaches wasm

function invalid(path, expected, found) {
  let shown;
  try {
    shown = typeof found === 'string' ? JSON.stringify(found) : String(found);
  } catch {
    shown = typeof found;
  }
  return new BufpackError({
    code: 'invalid',
    message: `${path}: expected ${expected}, found ${shown}`,
    path,
  });
}

const MAX_MAGNITUDE = 2 ** 53 - 1;

function integer(value, path, { min = -MAX_MAGNITUDE, optional = false } = {}) {
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw invalid(path, 'an integer', value);
  }
  if (typeof value === 'bigint') value = Number(value);
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(path, min === 0 ? 'a non-negative integer' : 'an integer', value);
  }
  return value;
}

function range(value, path) {
  if (Array.isArray(value) && value.length === 2) {
    return { lower: integer(value[0], `${path}[0]`), upper: integer(value[1], `${path}[1]`) };
  }
  if (value === null || typeof value !== 'object') {
    throw invalid(path, 'an object { lower, upper }', value);
  }
  return { lower: integer(value.lower, `${path}.lower`), upper: integer(value.upper, `${path}.upper`) };
}

// ---------------------------------------------------------------------------
// The object model (MiniMalloc's Python bindings, in JavaScript)

/** A time interval `[lower, upper)` in which a buffer is idle, optionally keeping a window of its memory. */
export class Gap {
  constructor({ lifespan, window } = {}, path = 'gap') {
    this.lifespan = range(lifespan, `${path}.lifespan`);
    if (window !== undefined && window !== null) this.window = range(window, `${path}.window`);
  }
}

/** One buffer: an id, a lifespan `[lower, upper)`, a size, and optional alignment, gaps, fixed offset, hint. */
export class Buffer {
  constructor(fields, path = 'buffer') {
    if (fields === null || typeof fields !== 'object') throw invalid(path, 'an object', fields);
    const { id, lifespan, lower, upper, size, alignment = 1, gaps = [], offset, hint } = fields;
    if (typeof id !== 'string' && typeof id !== 'number') throw invalid(`${path}.id`, 'a string', id);
    this.id = String(id);
    this.lifespan =
      lifespan !== undefined ? range(lifespan, `${path}.lifespan`) : range({ lower, upper }, path);
    this.size = integer(size, `${path}.size`, { min: 0 });
    this.alignment = integer(alignment, `${path}.alignment`, { min: 1 });
    if (!Array.isArray(gaps)) throw invalid(`${path}.gaps`, 'an array', gaps);
    this.gaps = gaps.map((gap, i) => (gap instanceof Gap ? gap : new Gap(gap, `${path}.gaps[${i}]`)));
    const fixed = integer(offset, `${path}.offset`, { min: 0, optional: true });
    if (fixed !== undefined) this.offset = fixed;
    const preferred = integer(hint, `${path}.hint`, { min: 0, optional: true });
    if (preferred !== undefined) this.hint = preferred;
  }
}

function capacityOption(capacity, path = 'capacity') {
  return integer(capacity, path, { min: 0, optional: true });
}

/** Buffers and, optionally, the memory's capacity (none: no limit, for minimisation). */
export class Problem {
  constructor(buffers, { capacity } = {}) {
    if (!Array.isArray(buffers)) throw invalid('buffers', 'an array of buffers', buffers);
    this.buffers = buffers.map((b, i) => (b instanceof Buffer ? b : new Buffer(b, `buffers[${i}]`)));
    const limit = capacityOption(capacity);
    if (limit !== undefined) this.capacity = limit;
  }

  /** Reads MiniMalloc CSV (`id,lower,upper,size` and optional columns); errors carry `line` and `column`. */
  static fromCsv(text, { capacity } = {}) {
    if (typeof text !== 'string') throw invalid('text', 'a string of CSV', typeof text);
    const shape = callWasm(raw.parseCsv, text, capacityOption(capacity));
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
    return callWasm(raw.toCsv, this, solution === undefined ? undefined : offsetsOf(solution));
  }
}

function problemArgument(problem, path = 'problem') {
  if (problem instanceof Problem) return problem;
  if (problem !== null && typeof problem === 'object' && Array.isArray(problem.buffers)) {
    return new Problem(problem.buffers, { capacity: problem.capacity });
  }
  throw invalid(path, 'a Problem or { buffers, capacity }', problem);
}

function offsetsOf(solution, path = 'solution') {
  if (solution === null || typeof solution !== 'object' || !solution.offsets) {
    throw invalid(path, 'a Solution or { offsets }', solution);
  }
  const offsets = Array.from(solution.offsets, (o, i) => integer(o, `${path}.offsets[${i}]`));
  return solution.height === undefined ? { offsets } : { offsets, height: solution.height };
}

/** A packing and its figures: status, lower bound and why, LOAD, gap, search effort, time. */
export class Solution {
  constructor(shape) {
    Object.assign(this, shape);
    if (!Array.isArray(this.offsets)) this.offsets = Array.from(this.offsets ?? []);
  }
}

let defaults;

/** Every switch of the solver, camelCase, with the solver's defaults (read from the solver itself). */
export class SolverParams {
  constructor(overrides = {}) {
    defaults ??= callWasm(raw.defaultParams);
    Object.assign(this, structuredClone(defaults));
    if (overrides === null || typeof overrides !== 'object') {
      throw invalid('params', 'an object of switches', overrides);
    }
    for (const [key, value] of Object.entries(overrides)) {
      if (!(key in defaults)) {
        throw invalid('params', `one of ${Object.keys(defaults).join(', ')}`, key);
      }
      if (value !== undefined) this[key] = value;
    }
  }
}

/** Options a call takes that are not solver switches. */
const CONTROL_KEYS = new Set([
  'capacity',
  'timeoutSeconds',
  'onProgress',
  'signal',
  'parallel',
  'minimize',
  'returnProblem',
  'maxEvents',
]);

/** Splits `{ capacity, timeoutSeconds, onProgress, ...switches }` into control and params. */
export function splitOptions(options = {}) {
  if (options === null || typeof options !== 'object') throw invalid('options', 'an object', options);
  const control = {};
  const params = {};
  for (const [key, value] of Object.entries(options)) {
    if (CONTROL_KEYS.has(key)) control[key] = value;
    else params[key] = value;
  }
  if (control.timeoutSeconds !== undefined && (typeof control.timeoutSeconds !== 'number' || !(control.timeoutSeconds >= 0))) {
    throw invalid('timeoutSeconds', 'a non-negative number of seconds', control.timeoutSeconds);
  }
  if (control.onProgress !== undefined && typeof control.onProgress !== 'function') {
    throw invalid('onProgress', 'a function', control.onProgress);
  }
  if (control.maxEvents !== undefined) integer(control.maxEvents, 'maxEvents', { min: 0 });
  return { control, params: new SolverParams(params) };
}

function wasmControl({ timeoutSeconds, onProgress, onImproved }) {
  return { timeoutSeconds, onProgress, onImproved };
}

/** Solves or minimises with a set of switches. */
export class Solver {
  constructor(params = new SolverParams()) {
    this.params = params instanceof SolverParams ? params : new SolverParams(params);
  }

  /**
   * Finds a packing within `problem.capacity` or throws: code "infeasible" (with `reason`),
   * "timeout", "invalid". Runs on the calling thread; use `solveInWorker` in a page.
   */
  solve(problem, { timeoutSeconds, onProgress } = {}) {
    const { control } = splitOptions({ timeoutSeconds, onProgress });
    const shape = callWasm(raw.solve, problemArgument(problem), this.params, wasmControl(control));
    return new Solution(shape);
  }

  /**
   * The lowest height, never above `problem.capacity` if set. With a time limit, the best
   * packing found (status "feasible") and its gap to the proven bound.
   */
  minimize(problem, { timeoutSeconds, onProgress } = {}) {
    const { control } = splitOptions({ timeoutSeconds, onProgress });
    const shape = callWasm(raw.minimize, problemArgument(problem), this.params, wasmControl(control));
    return new Solution(shape);
  }
}

/** Minimises the peak: `minimize(problem, { timeoutSeconds, onProgress, ...switches })`. */
export function minimize(problem, options = {}) {
  const { control, params } = splitOptions(options);
  return new Solver(params).minimize(problem, control);
}

/**
 * Reads CSV and solves it: `{ capacity, timeoutSeconds, onProgress, minimize, ...switches }`.
 * Without `capacity`, minimises. The CSV never becomes JavaScript objects on the way.
 */
export function solveFromCsv(text, options = {}) {
  if (typeof text !== 'string') throw invalid('text', 'a string of CSV', typeof text);
  const { control, params } = splitOptions(options);
  const capacity = capacityOption(control.capacity);
  const minimise = control.minimize ?? capacity === undefined;
  const result = callWasm(raw.solveCsv, text, capacity, minimise, 'none', params, wasmControl(control));
  return new Solution(result.solution);
}

/**
 * Solves at the capacity with one search (the first ordering) and records it for teaching:
 * `{ outcome, solution?, reason?, message?, events, counts, truncated, sections, ordering,
 * nodes, backtracks, elapsedSeconds }`. Options: `capacity` (else the problem's),
 * `maxEvents` (default 20000; the rest are only counted), `timeoutSeconds`, `onProgress`,
 * and any solver switch. An infeasible problem or a time limit is an outcome, not an error.
 */
export function traceSearch(problem, options = {}) {
  const { control, params } = splitOptions(options);
  const shape = problemArgument(problem);
  const capacity = capacityOption(control.capacity) ?? shape.capacity;
  if (capacity === undefined) throw invalid('capacity', 'a capacity to trace the search at', undefined);
  return callWasm(raw.traceSearch, { buffers: shape.buffers, capacity }, params, control.maxEvents, wasmControl(control));
}

/** The ids of a `returnProblem: 'columns'` answer as strings. */
export function columnIds(columns) {
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
  return callWasm(raw.validate, problemArgument(problem), offsetsOf(solution));
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
  if (typeof name !== 'string') throw invalid('name', `one of ${heuristicNames().join(', ')}`, name);
  return new Solution(callWasm(raw.runHeuristic, problemArgument(problem), name));
}

export { problemArgument, wasmControl, capacityOption, invalid };
