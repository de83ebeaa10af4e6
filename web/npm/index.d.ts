// Type declarations of the `bufpack` package (hand-written; the JavaScript is web/npm/*.js).
// All numbers are integers of at most 2^53 - 1 in magnitude unless they say seconds or
// percent; so are totals (the sizes live at one time, a fixed buffer's offset plus size).
// Objects given to the package are checked: an unknown key, a value of the wrong type, a
// fraction or a number beyond 2^53 - 1 is refused with code "invalid" and its path.

/**
 * An integer given to the package: a number, or a BigInt that is exactly representable as
 * one (within ±(2^53 - 1); others are refused, never rounded).
 */
export type Integer = number | bigint;

/** `[lower, upper)`: a lifespan in time, or a window of memory inside a buffer. */
export interface Range {
  lower: number;
  upper: number;
}

/** A range as given: `{ lower, upper }` or `[lower, upper]`. */
export type RangeInit = { lower: Integer; upper: Integer } | [Integer, Integer];

export interface GapInit {
  lifespan: RangeInit;
  /** The part of the buffer `[lower, upper)` (relative to its offset) still used during the gap; none: all of it is free. */
  window?: RangeInit | null;
}

/** A time interval in which a buffer is idle, optionally keeping a window of its memory. */
export class Gap {
  constructor(init: GapInit);
  lifespan: Range;
  window?: Range;
}

/** A buffer as given. No other keys: a misspelt one is refused, not ignored. */
export interface BufferInit {
  /** Unique; numbers are turned into strings. */
  id: string | number | bigint;
  /** When the buffer is live, `[lower, upper)`. Or give `lower` and `upper` directly (not both). */
  lifespan?: RangeInit;
  lower?: Integer;
  upper?: Integer;
  size: Integer;
  /** The offset must be a multiple of it: a positive integer. Default 1. */
  alignment?: Integer | null;
  gaps?: Array<Gap | GapInit> | null;
  /** A fixed offset: the buffer must sit exactly there. */
  offset?: Integer | null;
  /** A preferred offset, tried first. */
  hint?: Integer | null;
}

/** One buffer: an id, a lifespan, a size, and optional alignment, gaps, fixed offset and hint. */
export class Buffer {
  constructor(init: BufferInit);
  id: string;
  lifespan: Range;
  size: number;
  alignment: number;
  gaps: Gap[];
  offset?: number;
  hint?: number;
}

export interface ProblemOptions {
  /** The memory size, up to 2^53 - 1. Leave it out to minimise without a limit. */
  capacity?: Integer | null;
}

/** A problem as the functions take it: a Problem, or plain buffers and a capacity. */
export type ProblemInit = Problem | { buffers: Array<Buffer | BufferInit>; capacity?: Integer | null };

/** The buffers to place and, optionally, the memory's capacity. */
export class Problem {
  constructor(buffers: Array<Buffer | BufferInit>, options?: ProblemOptions);
  /**
   * Reads MiniMalloc CSV: a header naming `id`, `lower`, `upper`, `size` (aliases `start`,
   * `end` (inclusive), `begin`, `buffer`) and optionally `alignment`, `hint`, `offset`,
   * `gaps`. Throws a BufpackError with code "parse", `line` and `column` on bad input.
   */
  static fromCsv(text: string, options?: ProblemOptions): Problem;
  buffers: Buffer[];
  capacity?: number;
  /** MiniMalloc CSV of the problem; with a solution, with its `offset` column. */
  toCsv(solution?: { offsets: ArrayLike<Integer>; height?: Integer | null }): string;
}

/** Why a lower bound holds. */
export type BoundReason =
  | { kind: 'load'; time: number; message: string }
  | { kind: 'buffer'; id: string; message: string }
  | { kind: 'search'; message: string }
  /** The load at `time` and the bytes of buffer `id` outside its window (in a gap) that the buffers live then cannot fill (`widenWindows`). */
  | { kind: 'spare'; time: number; id: string; message: string };

/** A packing and its figures. */
export class Solution {
  /** One offset per buffer, in the problem's order. */
  offsets: number[];
  /** The highest `offset + size`. */
  height: number;
  /**
   * "solved": fits the capacity (Solver.solve). "optimal": proven lowest (minimize).
   * "feasible": the best found before the time limit; the optimum is between
   * `lowerBound` and `height`.
   */
  status: 'solved' | 'optimal' | 'feasible';
  /** A proven lower bound on the height of any packing. */
  lowerBound: number;
  boundReason?: BoundReason;
  /** LOAD: the largest total size live at one instant. */
  load?: number;
  /** `100 * (height - lowerBound) / lowerBound`. */
  gapPercent: number;
  /** Search nodes and backtracks (0 when heuristics alone settled it). */
  nodes: number;
  backtracks: number;
  elapsedSeconds: number;
  /** The ordering (key string) whose search decided, if one did. */
  ordering?: string;
  /** Which method produced the packing, e.g. "heuristic crowding/skyline". */
  foundBy?: string;
  /** Minimisation was stopped by its time limit (or an abort) before the height was proven. */
  stopped: boolean;
  /**
   * Minimisation met a height it could neither pack nor rule out (windowed gaps allowing
   * more placements than the exact search tries), so its bound did not rise there: with
   * status "feasible", more time may not close the gap. Always false otherwise.
   */
  incomplete: boolean;
  /** The parsed problem, from solveInWorker(csv, { returnProblem: true }). */
  problem?: Problem;
  /** The problem and offsets as typed arrays, from solveInWorker(csv, { returnProblem: 'columns' }). */
  columns?: Columns;
}

/**
 * A problem and its packing as typed arrays (transferred from the worker without a copy):
 * per buffer, and per gap. NaN marks "none" (a movable buffer's `fixed`, a plain gap's window).
 */
export interface Columns {
  /** The ids as UTF-8, one after another: id i is bytes idEnds[i-1] (0 for the first) to idEnds[i]. See `columnIds`. */
  idBytes: Uint8Array;
  idEnds: Uint32Array;
  lower: Float64Array;
  upper: Float64Array;
  size: Float64Array;
  alignment: Float64Array;
  fixed: Float64Array;
  offsets: Float64Array;
  gapBuffer: Uint32Array;
  gapLower: Float64Array;
  gapUpper: Float64Array;
  gapWindowLower: Float64Array;
  gapWindowUpper: Float64Array;
}

/** The solver's switches; every one defaults to the solver's own default. */
export interface SolverParamsInit {
  /** Place buffers in non-decreasing (offset, rank) order so each packing is visited once. */
  canonicalOnly?: boolean;
  /** Prune when a section's floor plus its unplaced sizes exceeds the capacity. */
  sectionInference?: boolean;
  /** Try candidates by (lowest offset, rank) at every node. */
  dynamicOrdering?: boolean;
  /** Skip a candidate at or above the lowest top among candidates. */
  checkDominance?: boolean;
  /** Raise a section's floor to the lowest offset its unplaced members can take. */
  unallocatedFloor?: boolean;
  /** Rank buffers by `preorderingHeuristics`; otherwise input order. */
  staticPreordering?: boolean;
  /** Split into independent subproblems when nothing spans a section boundary. */
  dynamicDecomposition?: boolean;
  /** Raise every section's floor to the offset being placed. */
  monotonicFloor?: boolean;
  /** When a buffer with no unplaced neighbours fails, skip its siblings. */
  hatlessPruning?: boolean;
  /**
   * With `unallocatedFloor`, a buffer that sorts before the canonical level at its lowest
   * offset counts as reaching only past it. Needs `canonicalOnly`. bufpack's own, not in
   * MiniMalloc.
   */
  canonicalFloor?: boolean;
  /**
   * In a subproblem full to the capacity in every section (a perfect packing), branch on
   * which buffer fills the lowest hole that fewest buffers can fill. Needs `sectionInference`;
   * buffers without gaps, windows or fixed neighbours only. bufpack's own, not in MiniMalloc.
   */
  fillHoles?: boolean;
  /**
   * With `fillHoles`, prune when some section's floor can never be covered: every buffer
   * that could rest there needs room beneath it that no subset of the sizes that fit there
   * fills exactly. bufpack's own, not in MiniMalloc.
   */
  ledges?: boolean;
  /**
   * With `fillHoles`, stack buffers with the same sections in one order only (a pair on
   * top of each other can always swap). bufpack's own, not in MiniMalloc.
   */
  orderedStacks?: boolean;
  /**
   * On a perfect packing (full to the capacity everywhere), also run the first two orderings
   * as limited discrepancy searches (iterations that start over with a growing limit on how
   * far a path may stray from the first candidates), the first also with each run of a split
   * starting afresh, and the second as a search trying flush hole fillers first. bufpack's
   * own, not in MiniMalloc.
   */
  limitedDiscrepancy?: boolean;
  /**
   * With `fillHoles`, when the load is the same at every time and below the capacity, also
   * search at that height (a perfect packing, where no room may be wasted): a packing found
   * there fits, a failure there proves nothing. bufpack's own, not in MiniMalloc.
   */
  flatLoad?: boolean;
  /**
   * With `fillHoles`, where no room may be wasted: the buffers that can rest only at some
   * level or higher (raised there by a higher floor elsewhere in their lives) must fit
   * between it and the capacity. bufpack's own, not in MiniMalloc.
   */
  releaseFloors?: boolean;
  /**
   * Where a time has less room to spare than one of its buffers' alignment
   * (or none, or a fixed buffer is in the way), its unplaced buffers must stack in its room
   * in some order, each at a legal offset at or above its lowest, or the node is pruned.
   * bufpack's own, not in MiniMalloc.
   */
  alignedStacks?: boolean;
  /**
   * With alignment, fixed buffers or raised windows: the portfolio also runs searches with
   * the buffers ranked latest end first ("UWA") and latest start first ("LWA"), after
   * `preorderingHeuristics`. bufpack's own, not in MiniMalloc.
   */
  timeOrderings?: boolean;
  /**
   * At a capacity: the portfolio also searches the problem with the buffers that form one
   * rectangle in every packing (where memory is full just before a time, one ends there and
   * those starting then fill exactly its room and end together, or the mirror) merged into
   * one. Problems with gaps are left as they are. bufpack's own, not in MiniMalloc.
   */
  handovers?: boolean;
  /**
   * During a gap, a buffer's bytes outside its window can be used only by buffers never live
   * in full while it is; at the gap's times when none of those is live, it counts in full.
   * The same packings, a higher load and lower bound (minimisation too). bufpack's own, not
   * in MiniMalloc.
   */
  widenWindows?: boolean;
  /**
   * In a minimisation that the heuristics leave above the lower bound: the buffers live in
   * windows of time doubling around the load's peak are packed at the bound first (stacked,
   * else by the exact search within a counted budget), then kept there while the fast passes
   * fill in the rest around them. A packing found is kept only when lower; failing proves
   * nothing. bufpack's own, not in MiniMalloc (which does not minimise).
   */
  peakWindows?: boolean;
  /**
   * On a problem whose load is the same at every time (a perfect packing, if any), before the
   * search: split it into layers, sets of buffers whose own load is the same at every time,
   * stacked one on another and split again, down to leaves the exact search packs within a
   * counted budget; in a decision, and in a minimisation whose bound is the load. A packing
   * found is validated; failing proves nothing. Problems with alignment, fixed buffers or
   * gaps are left alone. bufpack's own, not in MiniMalloc.
   */
  layers?: boolean;
  /**
   * In a minimisation too large for the exact search whole: a part of the peaks pass's hot
   * set (buffers live where the load is near its peak, whose lives meet) that no skyline
   * order packs at the load is minimised on its own by the exact search within a counted
   * budget, and packed that way when lower. bufpack's own, not in MiniMalloc (which does not
   * minimise).
   */
  hotParts?: boolean;
  /** The portfolio of orderings, as key strings (default ["WAT", "TAW", "TWA"]). */
  preorderingHeuristics?: string[];
}

export class SolverParams implements Required<SolverParamsInit> {
  /** Throws code "invalid" for an unknown switch (naming the closest) or a value of the wrong type. */
  constructor(overrides?: SolverParamsInit);
  canonicalOnly: boolean;
  sectionInference: boolean;
  dynamicOrdering: boolean;
  checkDominance: boolean;
  unallocatedFloor: boolean;
  staticPreordering: boolean;
  dynamicDecomposition: boolean;
  monotonicFloor: boolean;
  hatlessPruning: boolean;
  canonicalFloor: boolean;
  fillHoles: boolean;
  ledges: boolean;
  orderedStacks: boolean;
  limitedDiscrepancy: boolean;
  flatLoad: boolean;
  releaseFloors: boolean;
  alignedStacks: boolean;
  timeOrderings: boolean;
  handovers: boolean;
  widenWindows: boolean;
  peakWindows: boolean;
  layers: boolean;
  hotParts: boolean;
  preorderingHeuristics: string[];
  /**
   * MiniMalloc's search: its nine techniques on, bufpack's own (`canonicalFloor`,
   * `fillHoles`, `ledges`, `orderedStacks`, `limitedDiscrepancy`, `flatLoad`, `releaseFloors`, `alignedStacks`, `timeOrderings`, `handovers`, `widenWindows`, `peakWindows`, `layers`, `hotParts`) off. For comparing with MiniMalloc node for node; the defaults are faster on
   * perfect packings.
   */
  static reference(): SolverParams;
}

/** Live figures; `bestHeight`, `lowerBound` and `gapPercent` when minimising. */
export interface Progress {
  nodes: number;
  backtracks: number;
  elapsedSeconds: number;
  bestHeight?: number;
  lowerBound?: number;
  gapPercent?: number;
}

/** Options of a run. Each function takes only its own (and solver switches where it says so): others are refused. */
export interface RunOptions {
  /** Stop after this many seconds (Infinity: no limit). */
  timeoutSeconds?: number | null;
  /**
   * Called with fresh figures about every 100 ms while the search runs. Throwing stops the
   * solve (workers are terminated) and the call throws or rejects with that exception.
   */
  onProgress?: ((progress: Progress) => void) | null;
}

export class Solver {
  constructor(params?: SolverParams | SolverParamsInit);
  params: SolverParams;
  /**
   * A packing within `problem.capacity`, on the calling thread. Throws code "infeasible"
   * (with `reason`), "timeout", "undecided" or "invalid". Options are the run's only: the
   * Solver holds the switches.
   */
  solve(problem: ProblemInit, options?: RunOptions): Solution;
  /** The lowest height (never above `problem.capacity`, if set), on the calling thread. */
  minimize(problem: ProblemInit, options?: RunOptions): Solution;
}

export type Options = RunOptions & SolverParamsInit;

/** Minimises the peak on the calling thread. */
export function minimize(problem: ProblemInit, options?: Options): Solution;

export interface CsvOptions extends Options {
  /** Solve against this capacity; without it, minimise. */
  capacity?: Integer | null;
  /** Minimise even with a capacity (then an upper limit). A boolean. */
  minimize?: boolean | null;
}

/** Reads CSV and solves (or minimises) it on the calling thread. */
export function solveFromCsv(text: string, options?: CsvOptions): Solution;

/**
 * What `signal` needs of an AbortSignal, declared here so that the types need neither the
 * DOM library nor @types/node; a real AbortSignal fits.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface WorkerOptions extends CsvOptions {
  /** Aborting rejects at once with code "aborted" (name "AbortError"), `best` holding the best packing so far when minimising. */
  signal?: AbortSignalLike | null;
  /**
   * true: as many workers as orderings; a number: that many workers (at most one per search
   * of the portfolio when solving, one per ordering when minimising). Solving, the workers
   * share the portfolio's searches as the native `--threads` do, and the answer is the one
   * a single worker gives.
   */
  parallel?: boolean | number | null;
  /**
   * CSV input only: also return the parsed problem, as `solution.problem` (true or
   * "objects"), or as typed arrays in `solution.columns` ("columns": for large results,
   * nothing to copy).
   */
  returnProblem?: boolean | 'objects' | 'columns' | null;
}

/** Solves or minimises a problem or CSV text in Web Workers (worker_threads in Node); the calling thread stays free. */
export function solveInWorker(input: string | ProblemInit, options?: WorkerOptions): Promise<Solution>;

export interface TraceOptions extends Options {
  /** Trace at this capacity (else the problem's; CSV needs one). */
  capacity?: Integer | null;
  /** Keep the first this many events (default 20000, at most 1000000); the rest are only counted. */
  maxEvents?: Integer | null;
}

/** A buffer the search will try, at the offset it would take. */
export interface TraceCandidate {
  /** Index into the problem's buffers. */
  buffer: number;
  offset: number;
}

/** A pruning and the facts behind it. */
export type TracePrune =
  /** The buffer's lowest legal offset puts its top (`top`) above the capacity. */
  | { kind: 'prune'; technique: 'capacity'; rule: 'capacity'; buffer: number; offset: number; top: number }
  /** The buffer would sort before the last placement and nothing can push it up. */
  | { kind: 'prune'; technique: 'canonical'; rule: 'canonical'; buffer: number; offset: number }
  /** At the instant just before `time`, `floor` plus the `total` still unplaced exceeds the capacity. */
  | { kind: 'prune'; technique: 'section'; rule: 'section'; section: number; time: number; floor: number; total: number }
  /** `dropped` sit at or above `top`, the lowest top buffer `buffer` can reach. */
  | { kind: 'prune'; technique: 'dominance'; rule: 'dominance'; buffer?: number; top: number; dropped: TraceCandidate[] }
  /** `buffer` has no unplaced neighbour: the candidates after it (`dropped`) are cut. */
  | { kind: 'prune'; technique: 'hatless'; rule: 'hatless'; buffer: number; dropped: TraceCandidate[] }
  /** `buffer` had no unplaced neighbour and failed: its `skipped` siblings would fail too. */
  | { kind: 'prune'; technique: 'hatless'; rule: 'hatless-failed'; buffer: number; skipped: number };

/** One step of a recorded search. Sections index `SearchTrace.sections`. */
export type TraceEvent =
  | { kind: 'enter'; firstSection: number; lastSection: number }
  | { kind: 'candidates'; candidates: TraceCandidate[] }
  | { kind: 'place'; buffer: number; offset: number }
  | { kind: 'unplace'; buffer: number; offset: number }
  | { kind: 'split'; runs: Array<[number, number]> }
  | { kind: 'backtrack' }
  | TracePrune;

export type Technique = 'capacity' | 'canonical' | 'section' | 'dominance' | 'hatless';

/** One search, recorded: what `traceSearch` and `traceInWorker` resolve to. */
export interface SearchTrace {
  /**
   * "undecided": the search tried every placement it tries and found none, which proves
   * nothing here (windowed gaps allow more), or the input is too large for the exact search
   * (no events, no nodes: nothing to record); `message` says which.
   */
  outcome: 'solved' | 'infeasible' | 'stopped' | 'undecided';
  /** When solved. */
  solution?: Solution;
  /** When infeasible: how we know. */
  reason?: Infeasibility;
  /** When infeasible or undecided: why, in words. */
  message?: string;
  /** The first `maxEvents` events. */
  events: TraceEvent[];
  /** Every event of the search, recorded or not. */
  counts: {
    nodes: number;
    placements: number;
    unplacements: number;
    splits: number;
    backtracks: number;
    prunes: Record<Technique, number>;
  };
  /** Events were left out (only counted). */
  truncated: boolean;
  /** End time of each section: section s holds the pieces live just before sections[s]. */
  sections: number[];
  /** The ordering the search ranked buffers by (absent: input order). */
  ordering?: string;
  nodes: number;
  backtracks: number;
  elapsedSeconds: number;
  /** The parsed problem, when `traceInWorker` was given CSV. */
  problem?: Problem;
}

/**
 * Records one search (the first ordering) at the capacity, on the calling thread, for
 * teaching. The recorder is a .wasm of its own, fetched and compiled on the first trace
 * (hence the promise); a page that only solves never downloads it.
 */
export function traceSearch(problem: ProblemInit, options?: TraceOptions): Promise<SearchTrace>;

/** `traceSearch` in a worker; CSV input is parsed there. */
export function traceInWorker(
  input: string | ProblemInit,
  options?: TraceOptions & { signal?: AbortSignalLike | null; parallel?: false | null },
): Promise<SearchTrace>;

/** The ids of a `Columns` answer as strings (decodes them all: call it off the page's busy moments for large answers). */
export function columnIds(columns: Columns): string[];

export type Validity = { valid: true } | { valid: false; message: string };

/**
 * Checks the count of offsets, alignment, capacity, fixed offsets, overlaps in time and
 * memory (gaps honoured) and the stated height. Offsets that are not integers throw code
 * "invalid".
 */
export function validateSolution(
  problem: ProblemInit,
  solution: { offsets: ArrayLike<Integer>; height?: Integer | null },
): Validity;

export interface Bound {
  /** No packing is lower. */
  height: number;
  /** LOAD. */
  load: number;
  reason: BoundReason;
  /** `[time, load]` steps: the live total from each time to the next step. */
  profile: Array<[number, number]>;
}

/** The proven lower bound on the height and the load over time. */
export function lowerBound(problem: ProblemInit): Bound;

/** The names runHeuristic takes, e.g. "crowding/skyline", "size/best-fit", "online/best-fit". */
export function heuristicNames(): string[];

/** Packs with one fast heuristic, ignoring the capacity. */
export function runHeuristic(problem: ProblemInit, name: string): Solution;

/**
 * "undecided": neither a packing nor a proof that none exists (windowed gaps allowing more
 * placements than the exact search tries, or an input too large for the exact search whose
 * heuristics found nothing within the capacity); the message says which.
 */
/**
 * "invalid-model": bytes that are not a TensorFlow Lite model bufpack can plan (truncated,
 * corrupt, not a .tflite, dynamic shapes, unsupported types); "invalid-plan": offsets that
 * are no valid plan for the model (count, alignment, live tensors overlapping), never
 * written into it.
 */
export type ErrorCode =
  | 'parse'
  | 'invalid'
  | 'infeasible'
  | 'timeout'
  | 'undecided'
  | 'aborted'
  | 'worker'
  | 'internal'
  | 'invalid-model'
  | 'invalid-plan';

/** Why no packing fits. */
export type Infeasibility =
  | { kind: 'tooLarge'; id: string; end: number }
  | { kind: 'fixedClash'; detail: string }
  | { kind: 'load'; time: number; load: number }
  | { kind: 'exhausted' };

/** Every error the package throws or rejects with. */
export class BufpackError extends Error {
  name: 'BufpackError' | 'AbortError';
  code: ErrorCode;
  /** "parse": 1-based line and character column, and the column's header name. */
  line?: number;
  column?: number;
  /** "parse": the CSV column's header name; "invalid-model": the flatbuffer field being read ("shape", "inputs"). */
  field?: string;
  /** "invalid-model": the byte of the file at fault, when the fault sits at one. */
  byteOffset?: number;
  /** "invalid-model": the flatbuffer table being read ("Model", "SubGraph", "Tensor", ...). */
  table?: string;
  /** "invalid-model": where that table sits from the model's root ("subgraphs[0].tensors[12]"). */
  location?: string;
  /**
   * "invalid": the argument path at fault, as written ("buffers[3].size",
   * "problem.buffers[3].alignmnet", "options.capacity", "solution.offsets"), or the buffer's
   * index and id (a malformed buffer found by the solver's own check, or buffers whose
   * total passes 2^53 - 1: the largest of them).
   */
  path?: string;
  buffer?: number;
  id?: string;
  /** "infeasible": how we know. */
  reason?: Infeasibility;
  /** "infeasible", "timeout", "undecided": the search's effort. */
  nodes?: number;
  backtracks?: number;
  elapsedSeconds?: number;
  /** "aborted" while minimising: the best packing found so far. */
  best?: Solution;
}

export const version: string;

// ---------------------------------------------------------------------------
// TensorFlow Lite Micro models

/** Bytes of a model: a Uint8Array (a Node Buffer is one), another typed array's bytes, or an ArrayBuffer. */
export type ModelBytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/** A kernel scratch buffer, requested at run time by an operator (its size depends on the kernels TFLite Micro is built with). */
export interface ScratchBuffer {
  /** The requesting operator's subgraph (default 0). */
  subgraph?: Integer;
  /** The operator's index in its subgraph. */
  operator: Integer;
  /** Bytes requested. */
  bytes: Integer;
}

export interface PlanOptions {
  /** Kernel scratch buffers, placed the way TensorFlow Lite Micro places them around the plan. */
  scratch?: ScratchBuffer[] | null;
}

/** Which tensor a buffer of `TfliteModel.problem` is. */
export interface ModelTensor {
  subgraph: number;
  /** The tensor's index in its subgraph. */
  index: number;
  /** Its byte length before rounding up to TFLite Micro's 16-byte buffer alignment. */
  bytes: number;
  /** Its index in an offline plan (`offlinePlan.offsets`): the tensors of earlier subgraphs come first. */
  planIndex: number;
}

/** An operator's steps `[lower, upper)`: its own and those of the subgraphs it runs. */
export interface ModelOperator {
  subgraph: number;
  index: number;
  lower: number;
  upper: number;
}

/** The offline plan (OfflineMemoryAllocation metadata) a model already carries. */
export type OfflinePlan =
  | { kind: 'none' }
  /** One offset per tensor over all subgraphs; -1 where TensorFlow Lite Micro places the tensor itself. */
  | { kind: 'valid'; offsets: number[] }
  /** An entry TensorFlow Lite Micro would refuse or misread, and why. */
  | { kind: 'broken'; reason: string };

/** TensorFlow Lite Micro's greedy plan: one offset per buffer of the problem, one per scratch buffer, and the arena. */
export interface GreedyPlan {
  offsets: number[];
  scratchOffsets: number[];
  arena: number;
}

/** What `planModel` decided. */
export interface ModelPlan {
  /** "planned": the plan saves arena and is written into `model`; "unchanged": no saving, the model is left as it was. */
  status: 'planned' | 'unchanged';
  /** The planned model, or null when unchanged. */
  model: Uint8Array | null;
  /** Arena TensorFlow Lite Micro needs with the plan (scratch buffers included). */
  arena: number;
  /** Arena it needs for the model as it was (its greedy plan, or the offline plan the model carries). */
  before: number;
  /** `before - arena` when planned, else 0. */
  savedBytes: number;
}

/** A .tflite model read for planning (see `readModel`). */
export class TfliteModel {
  private constructor();
  /** The package's own copy of the model file. */
  readonly bytes: Uint8Array;
  /** One buffer per tensor TensorFlow Lite Micro places in its arena: ids are tensor names, times are steps, sizes rounded to 16 bytes, alignment 16. No capacity: minimise it. */
  problem: Problem;
  /** `tensors[i]` is the tensor of `problem.buffers[i]`. */
  tensors: ModelTensor[];
  /** One label per step: step 0 is before the model runs, then each operator by name (control flow nested in its caller's step). */
  steps: string[];
  operators: ModelOperator[];
  /** Tensors over all subgraphs (constants and variables included). */
  tensorCount: number;
  subgraphCount: number;
  /** Constant tensors: their data is in the file, not the arena. */
  constants: number;
  /** Variable tensors and their bytes: TensorFlow Lite Micro keeps them outside the planned arena. */
  variables: number;
  variableBytes: number;
  offlinePlan: OfflinePlan;
  /** TensorFlow Lite Micro's greedy plan for the tensors (ignoring an offline plan the model carries). */
  tflmGreedy(options?: PlanOptions): GreedyPlan;
  /** The arena a plan needs; throws "invalid-plan" naming the clash if it is not a valid plan. */
  checkPlan(plan: Solution | { offsets: ArrayLike<Integer> } | ArrayLike<Integer>): number;
  /** `planModel(this.bytes, plan, options)`, synchronously. */
  plan(plan: Solution | { offsets: ArrayLike<Integer> } | ArrayLike<Integer>, options?: PlanOptions): ModelPlan;
}

/** Whether the bytes carry TensorFlow Lite's file identifier "TFL3" at bytes 4..8. */
export function isTfliteModel(bytes: unknown): boolean;

/**
 * Reads a .tflite model; rejects with "invalid-model" and the byte offset, table and field at
 * fault. Async: the model support is a .wasm of its own, loaded on the first call (a page
 * that only solves CSV never downloads it); a TfliteModel's methods are synchronous.
 */
export function readModel(bytes: ModelBytes): Promise<TfliteModel>;

/**
 * Writes a plan (a Solution of the model's problem, or its offsets) into the model as its
 * OfflineMemoryAllocation metadata, only when TensorFlow Lite Micro then needs less arena.
 * Rejects with "invalid-plan" for a plan that does not fit, "invalid-model" for bad bytes.
 */
export function planModel(
  bytes: ModelBytes,
  plan: Solution | { offsets: ArrayLike<Integer> } | ArrayLike<Integer>,
  options?: PlanOptions,
): Promise<ModelPlan>;

export interface MinimizeModelOptions extends Options, PlanOptions {
  signal?: AbortSignalLike | null;
  parallel?: boolean | number | null;
}

/** Reads, minimises in workers and plans a model in one call. */
export function minimizeModel(
  bytes: ModelBytes,
  options?: MinimizeModelOptions,
): Promise<{ model: TfliteModel; solution: Solution; tflm: GreedyPlan; plan: ModelPlan }>;
