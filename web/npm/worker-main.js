// The body of a solver worker, the same in browsers and Node: start the instance from the
// module the page already compiled, run one job, post progress, improvements and the
// answer. The page terminates the worker when it is done with it.

import { initSync, minimize, parseCsv, solve, solveCsv } from './bufpack_wasm.js';
import { BufpackError } from './errors.js';
import { callModule, callWasm } from './core.js';

/** `port` posts messages to the page; `listen` gets the page's. */
export function serve(port, listen) {
  listen((message) => {
    if (message?.type !== 'run') return;
    const answer = (result) => {
      // Typed arrays move to the page without a copy.
      const transfer = result.columns
        ? Object.values(result.columns).filter(ArrayBuffer.isView).map((array) => array.buffer)
        : [];
      port.post({ type: 'result', result }, transfer);
    };
    const fail = (thrown) => {
      const error =
        thrown instanceof BufpackError
          ? thrown.toJSON()
          : { code: 'internal', message: `internal error (please report it): ${thrown?.message ?? thrown}` };
      port.post({ type: 'error', error });
    };
    try {
      const result = run(message, port);
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    } catch (thrown) {
      fail(thrown);
    }
  });
}

function run({ module, job, params, share, timeoutSeconds, wantProgress }, port) {
  initSync({ module });
  const control = {
    timeoutSeconds,
    // This lane's part of the portfolio's searches when solving in parallel.
    share,
    onProgress: wantProgress ? (progress) => port.post({ type: 'progress', progress }) : undefined,
    // Every lower packing goes to the page at once, so a cancel (which kills this worker
    // mid-search) still leaves the page the best one.
    onImproved: job.minimize
      ? ({ offsets, height }) => port.post({ type: 'improved', offsets, height }, [offsets.buffer])
      : undefined,
  };
  if (job.kind === 'trace') return trace(job, params, control);
  if (job.kind === 'csv') {
    return callWasm(solveCsv, job.text, job.capacity, job.minimize, job.problemForm, params, control);
  }
  return { solution: callWasm(job.minimize ? minimize : solve, job.problem, params, control) };
}

/** A trace job: the recorder is a .wasm of its own (web/npm/trace.js), loaded only here. */
async function trace(job, params, control) {
  const parsed = job.text === undefined ? undefined : callWasm(parseCsv, job.text, job.capacity);
  const problem = parsed ?? job.problem;
  if (!(job.traceModule instanceof WebAssembly.Module)) {
    throw new BufpackError({ code: 'internal', message: 'internal error (please report it): a trace job without the recorder module' });
  }
  let recorder;
  try {
    recorder = await import('./bufpack_trace_wasm.js');
    recorder.initSync({ module: job.traceModule });
  } catch (error) {
    throw new BufpackError({ code: 'worker', message: `could not start the search recorder (bufpack_trace_wasm) in the worker: ${error?.message ?? error}` });
  }
  const trace = callModule(recorder.__wbg_reset_state, recorder.traceSearch, { buffers: problem.buffers, capacity: job.capacity }, params, job.maxEvents, control);
  return { trace, problem: parsed };
}
