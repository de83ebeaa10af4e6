// Loading the search recorder (bufpack_trace_wasm) on the first trace, with the platform's
// compileTrace replaced: a failed load is a "worker" error and is tried again on the next
// call; an abort does not wait for the compile. A file of its own: the package keeps the
// compiled recorder once it has it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bufpack, fixture, packageDir } from './package.mjs';

const { platform, setPlatform } = await import(pathToFileURL(path.join(packageDir, 'platform.js')).href);
const real = platform();
const example = fixture('examples/input.12.csv');
const problem = () => bufpack.Problem.fromCsv(example, { capacity: 12 });

test('a recorder that fails to load is a "worker" error, and the next trace loads it again', async () => {
  let calls = 0;
  setPlatform({ ...real, compileTrace: async () => { calls++; throw new Error('offline'); } });
  try {
    await assert.rejects(bufpack.traceSearch(problem()), (error) => {
      assert.ok(error instanceof bufpack.BufpackError);
      assert.equal(error.code, 'worker');
      assert.match(error.message, /could not load the search recorder \(bufpack_trace_wasm\): offline/);
      return true;
    });
    await assert.rejects(bufpack.traceInWorker(example, { capacity: 12 }), { code: 'worker' });
    assert.equal(calls, 2, 'each call tries again');
    // A module that compiles but does not start (another module of the package).
    const models = new WebAssembly.Module(readFileSync(path.join(packageDir, 'bufpack_models_wasm_bg.wasm')));
    setPlatform({ ...real, compileTrace: async () => { calls++; return models; } });
    await assert.rejects(bufpack.traceSearch(problem()), { code: 'worker', message: /could not start the search recorder \(bufpack_trace_wasm\)/ });
    await assert.rejects(bufpack.traceSearch(problem()), { code: 'worker' });
    assert.equal(calls, 4, 'not kept: compiled again');
  } finally {
    setPlatform(real);
  }
});

test('an abort while the recorder compiles rejects at once; the compile is kept for the next trace', async () => {
  let finish;
  const pending = new Promise((resolve) => (finish = resolve));
  let calls = 0;
  setPlatform({ ...real, compileTrace: () => { calls++; return pending; } });
  try {
    const controller = new AbortController();
    const tracing = bufpack.traceInWorker(example, { capacity: 12, signal: controller.signal });
    controller.abort();
    await assert.rejects(tracing, { code: 'aborted' });
    finish(await real.compileTrace());
    const traced = await bufpack.traceSearch(problem());
    assert.equal(traced.outcome, 'solved');
    assert.equal((await bufpack.traceInWorker(example, { capacity: 12 })).outcome, 'solved');
    assert.equal(calls, 1, 'compiled once');
  } finally {
    setPlatform(real);
  }
});
