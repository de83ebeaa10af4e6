// The Worker API on the built package, in Node (worker_threads).
import test from 'node:test';
import assert from 'node:assert/strict';
import { bufpack, fixture, HARD } from './package.mjs';

const { BufpackError, Problem } = bufpack;
const example = fixture('examples/input.12.csv');
const D = fixture('challenging/D.1048576.csv');

test('solves CSV and Problem objects off the calling thread', async () => {
  const fromCsv = await bufpack.solveInWorker(example, { capacity: 12 });
  assert.equal(fromCsv.height, 12);
  const problem = Problem.fromCsv(example);
  const minimised = await bufpack.solveInWorker(problem);
  assert.equal(minimised.status, 'optimal');
  assert.deepEqual(bufpack.validateSolution(problem, minimised), { valid: true });
  const withProblem = await bufpack.solveInWorker(example, { returnProblem: true });
  assert.ok(withProblem.problem instanceof Problem);
  assert.equal(withProblem.problem.buffers.length, 5);
});

test('errors cross the worker boundary with their code and position', async () => {
  await assert.rejects(bufpack.solveInWorker('id,lower,upper,size\nb,0,1,x\n', { capacity: 4 }), (error) => {
    assert.ok(error instanceof BufpackError);
    assert.equal(error.code, 'parse');
    assert.equal(error.line, 2);
    assert.equal(error.column, 7);
    return true;
  });
  await assert.rejects(bufpack.solveInWorker(example, { capacity: 11 }), { code: 'infeasible' });
  await assert.rejects(bufpack.solveInWorker(example, { capacity: 12, nope: true }), { code: 'invalid' });
  await assert.rejects(bufpack.solveInWorker(HARD.text, { capacity: HARD.capacity, timeoutSeconds: 0.3 }), { code: 'timeout' });
});

test('progress events arrive from the worker, and abort stops it', async () => {
  const controller = new AbortController();
  const seen = [];
  const running = bufpack.solveInWorker(HARD.text, {
    capacity: HARD.capacity,
    signal: controller.signal,
    onProgress(progress) {
      seen.push(progress);
      if (seen.length === 3) controller.abort();
    },
  });
  // Without the abort this search runs far beyond any test's patience.
  await assert.rejects(running, (error) => {
    assert.equal(error.code, 'aborted');
    assert.equal(error.name, 'AbortError');
    return true;
  });
  assert.equal(seen.length, 3, 'no progress after the abort');
  assert.ok(seen[2].nodes > 0);
});

test('an abort while minimising hands back the best packing so far', async () => {
  const controller = new AbortController();
  const running = bufpack.solveInWorker(D, {
    signal: controller.signal,
    onProgress(progress) {
      if (progress.bestHeight !== undefined && progress.lowerBound !== undefined) controller.abort();
    },
  });
  const error = await running.then(() => assert.fail('resolved'), (e) => e);
  assert.equal(error.code, 'aborted');
  assert.ok(error.best, 'the best packing is kept');
  assert.ok(error.best.gapPercent > 0);
  assert.deepEqual(bufpack.validateSolution(Problem.fromCsv(D), error.best), { valid: true });
  await assert.rejects(bufpack.solveInWorker(example, { signal: AbortSignal.abort() }), { code: 'aborted' });
});

test('parallel lanes race: first decisive answer wins, bounds combine', async () => {
  const solved = await bufpack.solveInWorker(fixture('challenging/A.1048576.csv'), { capacity: 1048576, parallel: true });
  assert.equal(solved.status, 'solved');
  await assert.rejects(bufpack.solveInWorker(example, { capacity: 11, parallel: 2 }), { code: 'infeasible' });
  const minimised = await bufpack.solveInWorker(D, { parallel: true, timeoutSeconds: 0.5 });
  assert.equal(minimised.status, 'feasible');
  assert.ok(minimised.lowerBound > 0 && minimised.height >= minimised.lowerBound);
  await assert.rejects(bufpack.solveInWorker(example, { parallel: 0 }), { code: 'invalid' });
});

test('solving in parallel deals out the searches: parts beyond them give way, the race still decides', async () => {
  // A perfect packing: three orderings' searches and four lanes. Asked for 14 workers, the
  // package starts 10 (the most searches a portfolio runs): three have nothing to run and
  // end at once without deciding, and the others decide.
  const perfect = fixture('teaching/perfect.11.csv');
  const problem = Problem.fromCsv(perfect, { capacity: 11 });
  for (const parallel of [2, 7, 14]) {
    const solved = await bufpack.solveInWorker(perfect, { capacity: 11, parallel });
    assert.equal(solved.status, 'solved', `parallel: ${parallel}`);
    assert.deepEqual(bufpack.validateSolution(problem, solved), { valid: true });
  }
  await assert.rejects(bufpack.solveInWorker(example, { capacity: 11, parallel: 14 }), { code: 'infeasible' });
});

test('workers sharing out a solve give the one-worker packing, however many', async () => {
  // Decided by TAW's lanes and orderings other than the first, in later rounds: a race
  // that kept the first answer to arrive would often differ from one worker's.
  for (const name of ['rect/rect-329-seed55.1048576.csv', 'rect/rect-100-seed0.1048576.csv', 'teaching/perfect.11.csv']) {
    const csv = fixture(name);
    const capacity = name.startsWith('teaching') ? 11 : 1048576;
    const one = bufpack.solveFromCsv(csv, { capacity });
    const problem = Problem.fromCsv(csv, { capacity });
    assert.deepEqual(bufpack.validateSolution(problem, one), { valid: true });
    for (const parallel of [2, 3, 5]) {
      const many = await bufpack.solveInWorker(csv, { capacity, parallel });
      assert.deepEqual(many.offsets, one.offsets, `${name}, parallel: ${parallel}`);
    }
  }
});

test("returnProblem: 'columns' hands back typed arrays, ids as UTF-8 bytes that columnIds decodes", async () => {
  const csv = 'id,lower,upper,size\nα,0,4,2\nb2,2,6,3\n"x,y",4,8,1\n';
  const solution = await bufpack.solveInWorker(csv, { capacity: 8, returnProblem: 'columns' });
  const { columns } = solution;
  assert.ok(columns.idBytes instanceof Uint8Array);
  assert.ok(columns.idEnds instanceof Uint32Array);
  assert.deepEqual(bufpack.columnIds(columns), ['α', 'b2', 'x,y']);
  assert.deepEqual(Array.from(columns.size), [2, 3, 1]);
  assert.deepEqual(Array.from(columns.offsets), solution.offsets);
  const problem = Problem.fromCsv(csv, { capacity: 8 });
  assert.deepEqual(bufpack.validateSolution(problem, solution), { valid: true });
});

test('an onProgress that throws stops the workers and rejects with its own exception', async () => {
  for (const parallel of [false, true]) {
    const mine = new Error('stop here');
    let calls = 0;
    const running = bufpack.solveInWorker(HARD.text, {
      capacity: HARD.capacity,
      parallel,
      onProgress() {
        calls++;
        throw mine;
      },
    });
    // Without the stop this search runs far beyond any test's patience.
    await assert.rejects(running, (error) => error === mine);
    const seen = calls;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(calls, seen, 'no progress after the throw');
    assert.equal(seen, 1);
  }
  const mine = new Error('trace stops here');
  await assert.rejects(
    bufpack.traceInWorker(HARD.text, { capacity: HARD.capacity, onProgress: () => { throw mine; } }),
    (error) => error === mine,
  );
});

test('solveInWorker works under node --input-type=module -e (workers do not inherit execArgv)', async () => {
  const { execFile } = await import('node:child_process');
  const { pathToFileURL } = await import('node:url');
  const path = await import('node:path');
  const { packageDir } = await import('./package.mjs');
  const entry = pathToFileURL(path.join(packageDir, 'node.js')).href;
  const script = `
    import { solveInWorker, traceInWorker } from ${JSON.stringify(entry)};
    const csv = 'id,lower,upper,size\\na,0,2,4\\nb,1,3,4\\n';
    const solved = await solveInWorker(csv, { capacity: 8 });
    const traced = await traceInWorker(csv, { capacity: 8 });
    console.log(solved.height, traced.outcome);
  `;
  const { stdout } = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout }),
    );
  });
  assert.equal(stdout.trim(), '8 solved');
});
