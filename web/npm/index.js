// Entry point for browsers and bundlers: `import { Problem, solveInWorker } from 'bufpack'`.
// Compiles the .wasm once (top-level await), then hands the compiled module to every
// worker. The `new URL(..., import.meta.url)` forms are the ones bundlers (Vite, webpack,
// esbuild) recognise and copy the files for.

import init from './bufpack_wasm.js';
import { setPlatform } from './platform.js';

async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`bufpack: could not fetch ${url}: ${response.status} ${response.statusText}`);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('Content-Type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  // A server that sends another content type: compile from the bytes instead.
  return WebAssembly.compile(await response.arrayBuffer());
}

const module = await compile(new URL('./bufpack_wasm_bg.wasm', import.meta.url));
await init({ module_or_path: module });

setPlatform({
  module,
  // TensorFlow Lite Micro models: a .wasm of its own, fetched and compiled on first use, so
  // a page that only solves CSV never downloads it.
  async loadModels() {
    const glue = await import('./bufpack_models_wasm.js');
    await glue.default({ module_or_path: await compile(new URL('./bufpack_models_wasm_bg.wasm', import.meta.url)) });
    return glue;
  },
  // The search recorder (traceSearch, traceInWorker): a .wasm of its own, compiled on the
  // first trace.
  compileTrace: () => compile(new URL('./bufpack_trace_wasm_bg.wasm', import.meta.url)),
  createWorker() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    return {
      post: (message) => worker.postMessage(message),
      listen(onMessage, onFailure) {
        worker.addEventListener('message', (event) => onMessage(event.data));
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          onFailure(event.message || 'the worker script failed to load or threw');
        });
        worker.addEventListener('messageerror', () => onFailure('a message could not be read'));
      },
      terminate: () => worker.terminate(),
    };
  },
});

export * from './api.js';
