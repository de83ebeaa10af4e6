// Entry point for Node 18+: `import { Problem, solveInWorker } from 'bufpack'`. Compiles the
// .wasm from disk synchronously (no top-level await needed) and runs workers on
// worker_threads.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { initSync } from './bufpack_wasm.js';
import { setPlatform } from './platform.js';

const module = new WebAssembly.Module(readFileSync(new URL('./bufpack_wasm_bg.wasm', import.meta.url)));
initSync({ module });

setPlatform({
  module,
  // TensorFlow Lite Micro models: a .wasm of its own, compiled on first use.
  async loadModels() {
    const glue = await import('./bufpack_models_wasm.js');
    glue.initSync({ module: new WebAssembly.Module(readFileSync(new URL('./bufpack_models_wasm_bg.wasm', import.meta.url))) });
    return glue;
  },
  // The search recorder (traceSearch, traceInWorker): a .wasm of its own, compiled on the
  // first trace.
  async compileTrace() {
    return new WebAssembly.Module(readFileSync(new URL('./bufpack_trace_wasm_bg.wasm', import.meta.url)));
  },
  createWorker() {
    // execArgv: [] — a worker inherits the process's Node options by default, and some make
    // no sense for a worker file: under `node --input-type=module -e ...` every worker
    // failed to start. The solver worker needs none of them.
    const worker = new Worker(new URL('./worker-node.js', import.meta.url), { execArgv: [] });
    let answered = false;
    return {
      post: (message) => worker.postMessage(message),
      listen(onMessage, onFailure) {
        worker.on('message', (message) => {
          if (message?.type === 'result' || message?.type === 'error') answered = true;
          onMessage(message);
        });
        worker.on('error', (error) => onFailure(error?.message ?? String(error)));
        worker.on('messageerror', () => onFailure('a message could not be read'));
        worker.on('exit', (code) => {
          if (!answered) onFailure(`the worker exited (code ${code}) before answering`);
        });
      },
      terminate: () => {
        answered = true;
        return worker.terminate();
      },
    };
  },
});

export * from './api.js';
