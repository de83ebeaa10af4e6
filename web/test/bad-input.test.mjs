// What the package does with bad input, as a table: each case is a call, the error code it
// must throw or reject with, a fragment of the message and, for "invalid", the path it
// must name. The accepted cases at the edges (2^53 - 1) follow. Every error is a
// BufpackError: never a raw string, a TypeError, serde's or Reflect's own words, or a crash.
import test from 'node:test';
import assert from 'node:assert/strict';
import { bufpack, fixture } from './package.mjs';

const { BufpackError, Problem, Solver } = bufpack;
const MAX = 2 ** 53 - 1;
const example = fixture('examples/input.12.csv');
const small = () => Problem.fromCsv(example, { capacity: 12 });
const one = (fields = {}) => ({ id: 'a', lifespan: [0, 2], size: 3, ...fields });
/** Two buffers of the largest size live together: their total passes 2^53 - 1. */
const twoHuge = () => ({
  buffers: [
    { id: 'a', lifespan: [0, 2], size: MAX },
    { id: 'b', lifespan: [1, 3], size: MAX },
  ],
});
const hugeCsv = `id,lower,upper,size\na,0,2,${MAX}\nb,1,3,${MAX}\n`;
/** Windowed gaps beyond the search's enumeration budget, infeasible at 524288: undecided. */
const undecidedCsv = 'id,lower,upper,size,gaps\nb1,0,10,524288,2-5@131072:393216\nx,2,5,131073,\ny,2,5,131071,\n';

const mutated = (change) => {
  const problem = new Problem([one()], { capacity: 8 });
  change(problem);
  return problem;
};

// [what, call, code, message fragment, path (for "invalid")]
const REFUSED = [
  // Totals beyond 2^53 - 1 (issue 12): the buffers are named.
  ['minimize: two buffers of 2^53 - 1 live together', () => bufpack.minimize(twoHuge()), 'invalid', /"a" and "b" are live together at time 1 and need 18014398509481982 units/],
  ['Solver.solve at 2^53 - 1 with the same', () => new Solver().solve({ ...twoHuge(), capacity: MAX }), 'invalid', /"a" and "b"/],
  ['solveInWorker with the same', () => bufpack.solveInWorker(twoHuge()), 'invalid', /"a" and "b"/],
  ['solveInWorker, CSV, with the same', () => bufpack.solveInWorker(hugeCsv), 'invalid', /"a" and "b"/],
  ['solveFromCsv with the same', () => bufpack.solveFromCsv(hugeCsv), 'invalid', /"a" and "b"/],
  ['lowerBound with the same', () => bufpack.lowerBound(twoHuge()), 'invalid', /"a" and "b"/],
  ['runHeuristic with the same', () => bufpack.runHeuristic(twoHuge(), 'crowding/skyline'), 'invalid', /"a" and "b"/],
  ['traceSearch with the same', () => bufpack.traceSearch(twoHuge(), { capacity: MAX }), 'invalid', /"a" and "b"/],
  [
    'LOAD past 2^63 (1100 buffers of 2^53 - 1)',
    () => bufpack.lowerBound({ buffers: Array.from({ length: 1100 }, (_, i) => ({ id: `b${i}`, lifespan: [0, 1], size: MAX })) }),
    'invalid',
    /"b0", "b1", "b2" and 1097 more are live together at time 0/,
  ],
  ['a fixed buffer ending past 2^53 - 1', () => bufpack.minimize({ buffers: [one({ id: 'f', size: MAX, offset: MAX })] }), 'invalid', /buffer "f" \(#1\): its fixed offset 9007199254740991 plus its size 9007199254740991 ends at 18014398509481982/],

];

for (const [what, call, code, message, path] of REFUSED) {
  test(`refused: ${what}`, async () => {
    await assert.rejects(async () => call(), (error) => {
      assert.ok(error instanceof BufpackError, `not a BufpackError: ${typeof error} ${error}`);
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /Reflect|invalid type:|TypeError|Error: /, 'serde or JavaScript internals');
      if (path !== undefined) assert.equal(error.path, path, error.message);
      return true;
    });
  });
}

const ACCEPTED = [
  ['capacity 2^53 - 1 in Solver.solve', () => new Solver().solve({ buffers: [one()], capacity: MAX }), (s) => assert.equal(s.height, 3)],
  ['capacity 2^53 - 1 in traceSearch', () => bufpack.traceSearch({ buffers: [one()], capacity: MAX }), (t) => assert.equal(t.outcome, 'solved')],
  ['capacity 2^53 - 1 in traceSearch options', () => bufpack.traceSearch(new Problem([one()]), { capacity: MAX }), (t) => assert.equal(t.outcome, 'solved')],
  ['capacity 2^53 - 1 in solveFromCsv', () => bufpack.solveFromCsv(example, { capacity: MAX }), (s) => assert.equal(s.status, 'solved')],
  ['capacity 2^53 - 1 in solveInWorker', () => bufpack.solveInWorker(new Problem([one()], { capacity: MAX })), (s) => assert.equal(s.status, 'solved')],
  ['capacity 2^53 - 1 in traceInWorker', () => bufpack.traceInWorker(example, { capacity: MAX }), (t) => assert.equal(t.outcome, 'solved')],
  ['two buffers of 2^53 - 1 at different times', () => bufpack.minimize({ buffers: [one({ size: MAX }), one({ id: 'b', lifespan: [2, 4], size: MAX })] }), (s) => assert.equal(s.height, MAX)],
  [
    'two buffers of 2^53 - 1 whose overlap is a gap',
    () => bufpack.minimize({ buffers: [one({ lifespan: [0, 4], size: MAX, gaps: [{ lifespan: [1, 3] }] }), one({ id: 'b', lifespan: [1, 3], size: MAX })] }),
    (s) => assert.equal(s.height, MAX),
  ],
];

for (const [what, call, check] of ACCEPTED) {
  test(`accepted: ${what}`, async () => check(await call()));
}

test('undecided: an error with its code on the calling thread, an outcome in a trace, a flag when minimising', () => {
  assert.throws(() => bufpack.solveFromCsv(undecidedCsv, { capacity: 524288 }), (error) => {
    assert.ok(error instanceof BufpackError);
    assert.equal(error.code, 'undecided');
    assert.match(error.message, /no proof either/);
    assert.ok(error.nodes > 0);
    return true;
  });
  const problem = Problem.fromCsv(undecidedCsv);
  const trace = bufpack.traceSearch(problem, { capacity: 524288 });
  assert.equal(trace.outcome, 'undecided');
  assert.match(trace.message, /no proof either/);
  const best = bufpack.minimize(problem);
  assert.equal(best.status, 'feasible');
  assert.equal(best.incomplete, true);
  assert.equal(bufpack.minimize(small()).incomplete, false);
});

test('undecided in workers: decisive like a proof, as in the solver\'s own portfolio', async () => {
  // The orderings search the same placements, so one lane's exhausted search speaks for all
  // (the solver's portfolio stops there too): the race need not wait for the others.
  for (const parallel of [false, true]) {
    const error = await bufpack.solveInWorker(undecidedCsv, { capacity: 524288, parallel }).then(assert.fail, (e) => e);
    assert.ok(error instanceof BufpackError);
    assert.equal(error.code, 'undecided');
    assert.match(error.message, /no proof either/);
  }
  const minimised = await bufpack.solveInWorker(undecidedCsv, { parallel: true });
  assert.equal(minimised.status, 'feasible');
  assert.equal(minimised.incomplete, true);
});
