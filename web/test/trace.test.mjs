// The search trace (teaching mode) through the built package, in Node: on the calling
// thread and in a worker.
import test from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { bufpack, core, fixture, HARD, packageDir, randomProblem } from './package.mjs';

const { BufpackError, Problem } = bufpack;
const example = fixture('examples/input.12.csv');

/** Applies place and unplace events; checks a placement never doubles and an undo matches. */
function replay(events) {
  const placed = new Map();
  for (const event of events) {
    if (event.kind === 'place') {
      assert.ok(!placed.has(event.buffer), `buffer ${event.buffer} placed twice`);
      placed.set(event.buffer, event.offset);
    } else if (event.kind === 'unplace') {
      assert.equal(placed.get(event.buffer), event.offset, 'undo of a placement that is not there');
      placed.delete(event.buffer);
    }
  }
  return placed;
}

test('a trace of the example replays to the packing it reports', async () => {
  const problem = Problem.fromCsv(example, { capacity: 12 });
  const trace = await bufpack.traceSearch(problem);
  assert.equal(trace.outcome, 'solved');
  assert.equal(trace.truncated, false);
  assert.equal(trace.solution.height, 12);
  assert.deepEqual(bufpack.validateSolution(problem, trace.solution), { valid: true });
  const placed = replay(trace.events);
  assert.equal(placed.size, 5);
  for (const [buffer, offset] of placed) assert.equal(trace.solution.offsets[buffer], offset);
  assert.equal(trace.counts.nodes, trace.nodes);
  assert.equal(trace.ordering, 'WAT');
  assert.ok(trace.sections.length > 0 && trace.sections.every(Number.isInteger));
  assert.deepEqual(Object.keys(trace.counts.prunes).sort(), ['canonical', 'capacity', 'dominance', 'hatless', 'section']);
  // Every event has a known kind, and prunes name their technique.
  const kinds = new Set(['enter', 'candidates', 'place', 'unplace', 'prune', 'split', 'backtrack']);
  for (const event of trace.events) {
    assert.ok(kinds.has(event.kind), event.kind);
    if (event.kind === 'prune') assert.ok(event.technique in trace.counts.prunes);
  }
});

test('random problems: replay matches, prunes carry their facts, counts add up', async () => {
  let prunes = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const problem = new Problem(randomProblem(seed, 10).buffers);
    const height = bufpack.minimize(problem).height;
    for (const capacity of [height, height - 1]) {
      const trace = await bufpack.traceSearch(problem, { capacity });
      const placed = replay(trace.events);
      if (trace.outcome === 'solved') {
        assert.deepEqual(bufpack.validateSolution({ ...problem, capacity }, trace.solution), { valid: true });
        for (const [buffer, offset] of placed) assert.equal(trace.solution.offsets[buffer], offset);
      } else {
        assert.equal(trace.outcome, 'infeasible');
        assert.equal(placed.size, 0);
        assert.ok(trace.message.length > 0);
      }
      for (const event of trace.events.filter((e) => e.kind === 'prune')) {
        prunes++;
        if (event.rule === 'section') assert.ok(event.floor + event.total > capacity);
        if (event.rule === 'capacity') assert.ok(event.top > capacity);
        if (event.rule === 'dominance') assert.ok(event.dropped.every((c) => c.offset >= event.top));
      }
      const recorded = trace.events.filter((e) => e.kind === 'backtrack').length;
      assert.equal(recorded, trace.counts.backtracks);
    }
  }
  assert.ok(prunes > 0);
});

test('maxEvents bounds the events and the rest are counted', async () => {
  const problem = Problem.fromCsv(HARD.text, { capacity: HARD.capacity });
  const trace = await bufpack.traceSearch(problem, { maxEvents: 500, timeoutSeconds: 0.3 });
  assert.equal(trace.events.length, 500);
  assert.equal(trace.truncated, true);
  assert.equal(trace.outcome, 'stopped');
  assert.ok(trace.counts.placements > 500);
  const none = await bufpack.traceSearch(Problem.fromCsv(example), { capacity: 12, maxEvents: 0 });
  assert.equal(none.events.length, 0);
  assert.equal(none.outcome, 'solved');
  assert.ok(none.counts.nodes > 0);
});

test('a switch turned off leaves its technique out of the trace', async () => {
  const problem = Problem.fromCsv(HARD.text, { capacity: HARD.capacity });
  const on = await bufpack.traceSearch(problem, { maxEvents: 0, timeoutSeconds: 0.2 });
  assert.ok(on.counts.prunes.section > 0);
  const off = await bufpack.traceSearch(problem, { maxEvents: 0, timeoutSeconds: 0.2, sectionInference: false });
  assert.equal(off.counts.prunes.section, 0);
});

test('MiniMalloc\'s search (bufpack\'s own switches off) gives the teaching examples\' node counts', async () => {
  // The table of tests/fixtures/teaching/README.md: | name | `file` | capacity | LOAD | optimum | nodes |
  const rows = fixture('teaching/README.md').split('\n')
    .map((line) => line.match(/^\|[^|]*\| `([^`]+\.csv)` \| (\d+) \|[^|]*\|[^|]*\| (\d+) \|$/))
    .filter(Boolean);
  assert.equal(rows.length, 5);
  for (const [, file, capacity, nodes] of rows) {
    const problem = Problem.fromCsv(fixture(`teaching/${file}`));
    const trace = await bufpack.traceSearch(problem, { capacity: Number(capacity), canonicalFloor: false, fillHoles: false });
    assert.equal(trace.nodes, Number(nodes), file);
    assert.equal(trace.truncated, false);
  }
});

test('bufpack\'s own switches reach the solver: each saves nodes on a teaching example', async () => {
  const count = async (file, capacity, switches) =>
    (await bufpack.traceSearch(Problem.fromCsv(fixture(`teaching/${file}`)), { capacity, maxEvents: 0, ...switches })).nodes;
  // perfect.11 is full in every section: fillHoles branches on its holes.
  assert.ok((await count('perfect.11.csv', 11, {})) < (await count('perfect.11.csv', 11, { fillHoles: false })));
  // infeasible.6 has sections below 6, so fillHoles stays idle: canonicalFloor prunes earlier.
  assert.ok((await count('infeasible.6.csv', 6, {})) < (await count('infeasible.6.csv', 6, { canonicalFloor: false })));
});

test('bad arguments are refused with code "invalid"', async () => {
  const problem = Problem.fromCsv(example);
  await assert.rejects(bufpack.traceSearch(problem), (e) => e instanceof BufpackError && e.code === 'invalid' && /capacity/.test(e.message));
  await assert.rejects(bufpack.traceSearch(problem, { capacity: 12, maxEvents: -1 }), { code: 'invalid' });
  await assert.rejects(bufpack.traceSearch(problem, { capacity: 12, maxEvents: 2.5 }), { code: 'invalid' });
  await assert.rejects(bufpack.traceSearch(problem, { capacity: 12, nope: true }), { code: 'invalid' });
});

test('an infeasible capacity is an outcome with its reason, not an error', async () => {
  const trace = await bufpack.traceSearch(Problem.fromCsv(example), { capacity: 11 });
  assert.equal(trace.outcome, 'infeasible');
  assert.equal(trace.reason.kind, 'load');
  assert.match(trace.message, /time/);
  assert.equal(trace.events.length, 0);
});

test('traceInWorker parses CSV in the worker and returns the problem with the trace', async () => {
  const trace = await bufpack.traceInWorker(example, { capacity: 12 });
  assert.equal(trace.outcome, 'solved');
  assert.ok(trace.problem instanceof Problem);
  assert.equal(trace.problem.buffers.length, 5);
  assert.equal(replay(trace.events).size, 5);
  const local = await bufpack.traceSearch(trace.problem, { capacity: 12 });
  assert.deepEqual(trace.events, local.events, 'the same search in the worker and here');
  await assert.rejects(bufpack.traceInWorker('id,lower,upper,size\nb,0,1,x\n', { capacity: 4 }), { code: 'parse', line: 2 });
  await assert.rejects(bufpack.traceInWorker(example), { code: 'invalid' });
  const controller = new AbortController();
  const running = bufpack.traceInWorker(HARD.text, { capacity: HARD.capacity, signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(running, { code: 'aborted' });
});

test('the recorder is a module of its own: a panic there resets it, and both keep working', async () => {
  await bufpack.traceSearch(Problem.fromCsv(example), { capacity: 12 });
  // The same glue the package loaded on the first trace (one URL, one module).
  const recorder = await import(pathToFileURL(path.join(packageDir, 'bufpack_trace_wasm.js')).href);
  for (let round = 0; round < 3; round++) {
    assert.throws(() => core.callModule(recorder.__wbg_reset_state, recorder.__panicForTests, 'on purpose'), (error) => {
      assert.ok(error instanceof BufpackError);
      assert.equal(error.code, 'internal');
      assert.match(error.message, /on purpose/);
      return true;
    });
    assert.equal((await bufpack.traceSearch(Problem.fromCsv(example), { capacity: 12 })).outcome, 'solved');
    assert.equal(bufpack.solveFromCsv(example, { capacity: 12 }).height, 12);
  }
});

test('a recorder that cannot start in the worker is a "worker" error, not an internal one', async () => {
  const { Worker } = await import('node:worker_threads');
  const { readFileSync } = await import('node:fs');
  const compiled = (name) => new WebAssembly.Module(readFileSync(path.join(packageDir, name)));
  const worker = new Worker(new URL(pathToFileURL(path.join(packageDir, 'worker-node.js')).href), { execArgv: [] });
  try {
    const answer = new Promise((resolve) => worker.on('message', (message) => message.type === 'error' && resolve(message.error)));
    const problem = Problem.fromCsv(example, { capacity: 12 });
    worker.postMessage({
      type: 'run',
      module: compiled('bufpack_wasm_bg.wasm'),
      // Another module of the package where the recorder's belongs: its imports do not link.
      job: { kind: 'trace', problem: { buffers: problem.buffers, capacity: 12 }, capacity: 12, traceModule: compiled('bufpack_models_wasm_bg.wasm') },
      params: { ...new bufpack.SolverParams() },
    });
    const error = await answer;
    assert.equal(error.code, 'worker');
    assert.match(error.message, /could not start the search recorder \(bufpack_trace_wasm\) in the worker/);
  } finally {
    await worker.terminate();
  }
});
