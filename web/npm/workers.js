// solveInWorker: the solver off the calling thread, in one Web Worker (worker_threads in
// Node) per lane. With `parallel`, several lanes race (the native `--threads` idea):
// solving, each lane runs a share of the portfolio's searches and the race ends with the
// one-lane answer; minimising, each runs a minimisation with a share of the orderings.
// Cancelling terminates the workers, which stops them at once whatever they are doing; the
// best packing a minimisation had reported is kept and handed back.

import { BufpackError } from './errors.js';
import * as raw from './bufpack_wasm.js';
import { callWasm, invalid, mustMinimize, OPTIONS, problemArgument, Problem, refused, Solution, splitOptions } from './core.js';
import { platform } from './platform.js';
import { traceModule } from './trace.js';

/**
 * Solves (with a capacity) or minimises (without, or with `minimize: true`) a Problem or
 * CSV text in workers. Options: `capacity`, `minimize`, `timeoutSeconds`, `onProgress`,
 * `signal`, `parallel` (true: as many workers as orderings; a number: that many workers,
 * at most one per search when solving and one per ordering when minimising),
 * `returnProblem` (CSV input: also return the parsed problem, as a Problem, or with
 * "columns" as typed arrays), and any solver switch.
 * Resolves to a Solution (with `.problem` when asked); rejects with a BufpackError.
 */
export async function solveInWorker(input, options) {
  const { control, params } = splitOptions(options, OPTIONS.solveInWorker);
  checkSignal(control.signal);
  const { capacity } = control;
  let job;
  if (typeof input === 'string') {
    job = {
      kind: 'csv',
      text: input,
      capacity,
      minimize: mustMinimize(control, capacity),
      problemForm: problemForm(control.returnProblem),
    };
  } else {
    const problem = problemArgument(input);
    if (control.returnProblem !== undefined && control.returnProblem !== false) {
      throw refused('options.returnProblem', 'only with CSV input: a problem given as objects is already yours');
    }
    const limit = capacity ?? problem.capacity;
    job = { kind: 'problem', problem: { buffers: problem.buffers, capacity: limit }, minimize: mustMinimize(control, limit) };
  }
  return race(job, lanes(params, control.parallel, job.minimize), control);
}

/**
 * Records one search in a worker, for teaching (see `traceSearch`): a Problem or CSV text,
 * options `capacity` (needed for CSV without one in the problem), `maxEvents`,
 * `timeoutSeconds`, `onProgress`, `signal` and any solver switch. Resolves to the trace,
 * with `.problem` (a Problem) when the input was CSV; rejects with a BufpackError.
 */
export async function traceInWorker(input, options) {
  const { control, params } = splitOptions(options, OPTIONS.traceInWorker);
  checkSignal(control.signal);
  if (control.parallel) throw invalid('options.parallel', 'false: a trace follows one search', control.parallel);
  const { capacity } = control;
  const job = { kind: 'trace', capacity, maxEvents: control.maxEvents };
  const noCapacity = () => refused('options.capacity', 'expected a capacity to trace the search at');
  if (typeof input === 'string') {
    if (capacity === undefined) throw noCapacity();
    job.text = input;
  } else {
    const problem = problemArgument(input);
    job.capacity = capacity ?? problem.capacity;
    if (job.capacity === undefined) throw noCapacity();
    job.problem = { buffers: problem.buffers, capacity: job.capacity };
  }
  // The recorder is a .wasm of its own: compiled here once, started in the worker. An abort
  // does not wait for the compile (which carries on, cached, for the next trace).
  job.traceModule = await untilAborted(traceModule(), control.signal);
  return race(job, [{ params: { ...params } }], control);
}

/**
 * With "columns" the offsets travel once, as `columns.offsets` (a plain array of a million
 * numbers costs the page tens of milliseconds to receive); `solution.offsets` is made from
 * them the first time it is read.
 */
function attachColumns(solution, columns) {
  solution.columns = columns;
  Object.defineProperty(solution, 'offsets', {
    configurable: true,
    enumerable: true,
    get() {
      const offsets = Array.from(columns.offsets);
      Object.defineProperty(this, 'offsets', { value: offsets, writable: true, enumerable: true, configurable: true });
      return offsets;
    },
    set(value) {
      Object.defineProperty(this, 'offsets', { value, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** `returnProblem` (checked): false (nothing), true or "objects" (a Problem), "columns" (typed arrays). */
function problemForm(returnProblem) {
  if (returnProblem === true || returnProblem === 'objects') return 'objects';
  return returnProblem === 'columns' ? 'columns' : 'none';
}

/** `promise`, or an `aborted` rejection as soon as `signal` fires first. */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted(signal, undefined));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Refuses a signal already aborted (splitOptions checked that it is one). */
function checkSignal(signal) {
  if (signal?.aborted) throw aborted(signal, undefined);
}

/**
 * What each lane (worker) runs, `{ params, share }` (`parallel` checked). Solving at a
 * capacity, the portfolio's searches are dealt out round-robin (`share`: the native
 * `--threads` split, so every search one worker would run still runs, however many
 * workers); minimising, each lane minimises with its own orderings, and the first also
 * with the time orderings (`timeOrderings`) rather than every lane with them.
 */
function lanes(params, parallel, minimize) {
  const orderings = params.preorderingHeuristics;
  let count = 1;
  if (parallel === true) count = orderings.length;
  else if (typeof parallel === 'number') count = Math.min(parallel, minimize ? orderings.length : callWasm(raw.mostSearches, params));
  if (count <= 1) return [{ params: { ...params } }];
  return Array.from({ length: count }, (_, lane) =>
    minimize
      ? {
          params: {
            ...params,
            preorderingHeuristics: orderings.filter((_, i) => i % count === lane),
            timeOrderings: params.timeOrderings && lane === 0,
          },
        }
      : { params: { ...params }, share: { part: lane, parts: count } },
  );
}

function aborted(signal, best) {
  return new BufpackError({
    code: 'aborted',
    message: best
      ? `aborted; the best packing found so far (height ${best.height}) is in error.best`
      : 'aborted before any packing was found',
    cause: signal.reason,
    best,
  });
}

/**
 * Runs one worker per lane and settles with the decisive answer. Lanes sharing out a solve's
 * searches (`share`) settle as one worker would: each reports the place of the search it
 * runs (its round, then its index in the portfolio's plan: the order one worker runs them
 * in), and the decision at the least place wins once every other lane has passed it or
 * ended. So the packing is the same for any number of workers. Other lanes settle with the
 * first decisive answer.
 */
function race(job, laneRuns, control) {
  const { signal, onProgress, timeoutSeconds } = control;
  const { module, createWorker } = platform();
  return new Promise((resolve, reject) => {
    const workers = [];
    const progress = laneRuns.map(() => undefined);
    const finished = laneRuns.map(() => undefined); // { result } or { error }
    let best; // { offsets, height } from minimisation's improvements
    let settled = false;
    const racing = laneRuns.some((run) => run.share !== undefined);
    // Racing: the place each lane has reached (-1 before its first search), the lanes
    // ended because they passed the earliest decision, and the decision at the least
    // place so far: { lane, place, settleWith, value }.
    const places = laneRuns.map(() => -1);
    const passed = laneRuns.map(() => false);
    const byLane = [];
    let earliest;

    const settle = (settleWith, value) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const worker of workers) worker.terminate();
      settleWith(value);
    };
    const onAbort = () => settle(reject, aborted(signal, bestSolution()));
    signal?.addEventListener('abort', onAbort, { once: true });

    const merged = () => mergeProgress(progress, best);
    const bestSolution = () => {
      if (!best) return undefined;
      const figures = merged();
      return new Solution({
        offsets: Array.from(best.offsets),
        height: best.height,
        status: figures.lowerBound !== undefined && best.height <= figures.lowerBound ? 'optimal' : 'feasible',
        lowerBound: figures.lowerBound,
        gapPercent: figures.gapPercent,
        nodes: figures.nodes,
        backtracks: figures.backtracks,
        elapsedSeconds: figures.elapsedSeconds,
        stopped: true,
        // Undecided heights are not reported as the search goes: none known.
        incomplete: false,
      });
    };

    const onResult = (lane, result) => {
      finished[lane] = { result };
      if (job.kind === 'trace') {
        if (result.problem) result.trace.problem = Problem.trusted(result.problem);
        return settle(resolve, result.trace);
      }
      const solution = new Solution(result.solution);
      if (result.problem) solution.problem = Problem.trusted(result.problem);
      if (result.columns) attachColumns(solution, result.columns);
      if (racing) return decided(lane, resolve, solution);
      if (!job.minimize || solution.status === 'optimal' || laneRuns.length === 1) {
        return settle(resolve, withBound(solution, finished));
      }
      maybeDone();
    };
    const onError = (lane, error) => {
      finished[lane] = { error };
      // Infeasible is a proof, and bad input is bad for every lane: no need to wait. So is
      // undecided: every ordering tries the same placements (the solver's own portfolio
      // stops at the first ordering that exhausts them), and an input too large for the
      // search is too large in every lane. Only a time limit leaves the others a chance.
      // Racing, a proof and undecided are decisions at a place like a packing.
      if (racing && (error.code === 'infeasible' || error.code === 'undecided')) {
        return decided(lane, reject, new BufpackError(error));
      }
      if (error.code !== 'timeout') return settle(reject, new BufpackError(error));
      if (racing && earliest) return settleRace();
      maybeDone();
    };
    // A lane decided, at the last place it reported (its report comes before its answer).
    const decided = (lane, settleWith, value) => {
      const place = places[lane];
      if (!earliest || place < earliest.place) earliest = { lane, place, settleWith, value };
      settleRace();
    };
    // Settles with the earliest decision once no other lane can still reach an earlier one.
    // A lane past it is ended at once (as a native thread stops), so that it does not take
    // the processor from a lane still short of it.
    const settleRace = () => {
      let waiting = false;
      places.forEach((place, lane) => {
        if (lane === earliest.lane || finished[lane] !== undefined || passed[lane]) return;
        if (place > earliest.place) {
          passed[lane] = true;
          byLane[lane]?.terminate();
        } else {
          waiting = true;
        }
      });
      if (waiting) return;
      const { settleWith, value } = earliest;
      settle(settleWith, settleWith === resolve ? withBound(value, finished) : value);
    };
    const maybeDone = () => {
      if (finished.some((f) => f === undefined)) return;
      const results = finished.filter((f) => f.result).map((f) => f.result);
      if (results.length === 0) {
        const errors = finished.map((f) => f.error);
        const sum = (key) => errors.reduce((total, e) => total + (e[key] ?? 0), 0);
        return settle(reject, new BufpackError({ ...errors[0], nodes: sum('nodes'), backtracks: sum('backtracks') }));
      }
      results.sort((a, b) => a.solution.height - b.solution.height);
      const solution = new Solution(results[0].solution);
      if (results[0].problem) solution.problem = Problem.trusted(results[0].problem);
      if (results[0].columns) attachColumns(solution, results[0].columns);
      settle(resolve, withBound(solution, finished));
    };

    laneRuns.forEach(({ params, share }, lane) => {
      if (settled) return;
      let worker;
      try {
        worker = createWorker();
      } catch (error) {
        return settle(reject, new BufpackError({ code: 'worker', message: `could not start a worker: ${error?.message ?? error}` }));
      }
      workers.push(worker);
      byLane[lane] = worker;
      worker.listen(
        (message) => {
          if (settled) return;
          switch (message.type) {
            case 'progress':
              progress[lane] = message.progress;
              if (racing && message.progress.place !== undefined) {
                places[lane] = message.progress.place;
                if (earliest) settleRace();
                if (settled) break;
              }
              if (onProgress) {
                // The caller's exception stops the solve and is the answer, as on the
                // calling thread; thrown from this listener it would be uncaught.
                try {
                  onProgress(merged());
                } catch (thrown) {
                  settle(reject, thrown);
                }
              }
              break;
            case 'improved':
              if (!best || message.height < best.height) best = message;
              break;
            case 'result':
              onResult(lane, message.result);
              break;
            case 'error':
              onError(lane, message.error);
              break;
          }
        },
        (reason) =>
          settle(reject, new BufpackError({ code: 'worker', message: `a solver worker failed: ${reason}` })),
      );
      try {
        worker.post({
          type: 'run',
          module,
          job,
          params,
          share,
          timeoutSeconds,
          // Minimising, the page tracks the bound even unasked: a cancel hands back the best
          // packing with its gap. Racing, it needs each lane's place.
          wantProgress: typeof onProgress === 'function' || job.minimize || share !== undefined,
        });
      } catch (error) {
        settle(reject, new BufpackError({ code: 'worker', message: `could not send the job to a worker: ${error?.message ?? error}` }));
      }
    });
  });
}

/** Each lane's latest figures, combined: effort adds up, the best height is the lowest, the bound the highest (each is a proof). */
function mergeProgress(progress, best) {
  const seen = progress.filter(Boolean);
  const sum = (key) => seen.reduce((total, p) => total + (p[key] ?? 0), 0);
  const heights = seen.map((p) => p.bestHeight).filter((h) => h !== undefined);
  if (best) heights.push(best.height);
  const bounds = seen.map((p) => p.lowerBound).filter((b) => b !== undefined);
  const figures = {
    nodes: sum('nodes'),
    backtracks: sum('backtracks'),
    elapsedSeconds: Math.max(0, ...seen.map((p) => p.elapsedSeconds ?? 0)),
  };
  if (heights.length) figures.bestHeight = Math.min(...heights);
  if (bounds.length) figures.lowerBound = Math.max(...bounds);
  if (figures.bestHeight !== undefined && figures.lowerBound !== undefined) {
    figures.gapPercent = gapPercent(figures.bestHeight, figures.lowerBound);
  }
  return figures;
}

function gapPercent(height, bound) {
  return bound <= 0 ? 0 : (100 * Math.max(0, height - bound)) / bound;
}

/** The solution with the highest bound any lane proved, and the effort of all lanes. */
function withBound(solution, finished) {
  const lanes = finished.filter(Boolean).map((f) => f.result?.solution ?? f.error);
  if (lanes.length <= 1) return solution;
  for (const lane of lanes) {
    if (lane.lowerBound !== undefined && lane.lowerBound > solution.lowerBound) {
      solution.lowerBound = lane.lowerBound;
      solution.boundReason = lane.boundReason;
    }
  }
  solution.gapPercent = gapPercent(solution.height, solution.lowerBound);
  if (solution.status === 'feasible' && solution.height <= solution.lowerBound) solution.status = 'optimal';
  // A lane that met a height it could not decide did not raise its bound there; proven
  // optimal, that no longer matters.
  solution.incomplete = solution.status !== 'optimal' && lanes.some((lane) => lane.incomplete === true);
  solution.nodes = lanes.reduce((total, lane) => total + (lane.nodes ?? 0), 0);
  solution.backtracks = lanes.reduce((total, lane) => total + (lane.backtracks ?? 0), 0);
  return solution;
}
