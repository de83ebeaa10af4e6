// The recorded search, for teaching: `traceSearch` on the calling thread (`traceInWorker`,
// in workers.js, runs the same in a worker). Recording is a second copy of the search
// engine, so it is a .wasm of its own (bufpack_trace_wasm, web/src/trace.rs), loaded by the
// platform (index.js, node.js) on the first trace: a page that only solves never fetches
// it. Hence `traceSearch` is async.

import { callModule, OPTIONS, problemArgument, refused, splitOptions, wasmControl } from './core.js';
import { onFirstUse, platform } from './platform.js';

/**
 * The trace module compiled, once, for this thread and for workers (traceInWorker hands it
 * to its worker). A failed load is retried on the next call.
 */
export const traceModule = onFirstUse(() => platform().compileTrace(), 'load the search recorder (bufpack_trace_wasm)');

/** The trace module's functions on this thread, instantiated on the first traceSearch. */
const traceFunctions = onFirstUse(async () => {
  const module = await traceModule();
  try {
    const glue = await import('./bufpack_trace_wasm.js');
    await glue.default({ module_or_path: module });
    return glue;
  } catch (error) {
    // A module that does not start here would not in a worker either: compile anew.
    traceModule.forget();
    throw error;
  }
}, 'start the search recorder (bufpack_trace_wasm)');

/**
 * Solves at the capacity with one search (the first ordering) and records it for teaching.
 * Resolves to `{ outcome, solution?, reason?, message?, events, counts, truncated, sections,
 * ordering, nodes, backtracks, elapsedSeconds }`. Options: `capacity` (else the problem's),
 * `maxEvents` (default 20000; the rest are only counted), `timeoutSeconds`, `onProgress`,
 * and any solver switch. An infeasible problem, an undecided search or a time limit is an
 * outcome, not an error.
 */
export async function traceSearch(problem, options) {
  const { control, params } = splitOptions(options, OPTIONS.traceSearch);
  const shape = problemArgument(problem);
  const capacity = control.capacity ?? shape.capacity;
  if (capacity === undefined) throw refused('options.capacity', 'expected a capacity to trace the search at');
  const glue = await traceFunctions();
  return callModule(glue.__wbg_reset_state, glue.traceSearch, { buffers: shape.buffers, capacity }, params, control.maxEvents, wasmControl(control));
}
