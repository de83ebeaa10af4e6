// The parallel race of solveInWorker, with scripted workers in place of real ones: which
// decision wins is fixed by the places the lanes report (see `Monitor::racing`), never by
// which message arrives first. Real workers are tested in worker.test.mjs; here the message
// orders that real timing makes rare are played on purpose.
import test from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { bufpack, fixture, packageDir } from './package.mjs';

const { platform, setPlatform } = await import(pathToFileURL(path.join(packageDir, 'platform.js')).href);
const real = platform();
const example = bufpack.Problem.fromCsv(fixture('examples/input.12.csv'), { capacity: 12 });

/** A packing message for `lane` (its first offset tells which lane sent it). */
const solved = (lane) => ({
  type: 'result',
  result: { solution: { offsets: [lane], height: 12, status: 'solved', nodes: 10, backtracks: 1, elapsedSeconds: 0 } },
});
const failed = (code) => ({ type: 'error', error: { code, message: `${code} (scripted)`, nodes: 5, backtracks: 1 } });
const at = (place) => ({ type: 'progress', progress: { nodes: 1, backtracks: 0, elapsedSeconds: 0, place } });

/**
 * Runs solveInWorker with one scripted worker per lane: `scripts[lane]` is a list of
 * `[milliseconds, message]` sent after the job arrives. Returns the answer (or the error)
 * and the lanes terminated, in order (settling terminates every lane last).
 */
async function race(scripts) {
  const terminated = [];
  setPlatform({
    ...real,
    createWorker() {
      let listener;
      let lane;
      const timers = [];
      return {
        post(message) {
          lane = message.share?.part ?? 0;
          for (const [delay, scripted] of scripts[lane]) timers.push(setTimeout(() => listener(scripted), delay));
        },
        listen(onMessage) {
          listener = onMessage;
        },
        terminate() {
          terminated.push(lane);
          timers.forEach(clearTimeout);
        },
      };
    },
  });
  try {
    const answer = await bufpack.solveInWorker(example, { capacity: 12, parallel: scripts.length }).then(
      (solution) => ({ solution }),
      (error) => ({ error }),
    );
    return { ...answer, terminated };
  } finally {
    setPlatform(real);
  }
}

test('the decision at the least place wins, even when it arrives last', async () => {
  const { solution } = await race([
    [[0, at(3)], [40, at(4)], [60, solved(0)]],
    [[0, at(5)], [5, solved(1)]],
  ]);
  assert.deepEqual(solution.offsets, [0]);
});

test('a lane past the earliest decision is ended at once, and the race settles', async () => {
  const { solution, terminated } = await race([
    [[0, at(2)], [10, at(7)], [5000, solved(0)]],
    [[0, at(5)], [5, solved(1)]],
    [[0, at(1)], [20, at(9)], [5000, solved(2)]],
  ]);
  assert.deepEqual(solution.offsets, [1]);
  // Lane 0 as soon as it reports place 7, lane 2 at 9; then all three as the race settles.
  assert.deepEqual(terminated, [0, 2, 0, 1, 2]);
});

test('a lane yet to report a place is waited for', async () => {
  const { solution } = await race([
    [[0, at(4)], [5, solved(0)]],
    [[50, at(1)], [60, solved(1)]],
  ]);
  assert.deepEqual(solution.offsets, [1]);
});

test('an idle lane (nothing to run) gives way at once', async () => {
  const { solution } = await race([
    [[0, at(0)], [30, solved(0)]],
    [[0, failed('timeout')]],
  ]);
  assert.deepEqual(solution.offsets, [0]);
});

test('a proof at an earlier place beats a packing at a later one, and the other way round', async () => {
  const proof = await race([
    [[0, at(8)], [5, solved(0)]],
    [[0, at(3)], [30, failed('infeasible')]],
  ]);
  assert.equal(proof.error?.code, 'infeasible');
  const packing = await race([
    [[0, at(2)], [30, solved(0)]],
    [[0, at(3)], [5, failed('infeasible')]],
  ]);
  assert.deepEqual(packing.solution?.offsets, [0]);
});

test('a decision before any search (every lane gives it) settles once each lane answers', async () => {
  const { error } = await race([
    [[0, failed('undecided')]],
    [[10, failed('undecided')]],
  ]);
  assert.equal(error.code, 'undecided');
});

test('a time limit in every lane is a timeout; in some, the others still decide', async () => {
  const all = await race([[[0, at(1)], [5, failed('timeout')]], [[0, at(2)], [10, failed('timeout')]]]);
  assert.equal(all.error?.code, 'timeout');
  assert.equal(all.error.nodes, 10, 'the effort of both lanes');
  const some = await race([
    [[0, at(1)], [5, failed('timeout')]],
    [[0, at(2)], [10, solved(1)]],
  ]);
  assert.deepEqual(some.solution?.offsets, [1]);
});
