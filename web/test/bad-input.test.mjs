// What the package does with bad input, as a table: each case is a call, the error code it
// must throw or reject with, a fragment of the message and, for "invalid", the path it
// must name. The accepted cases at the edges (2^53 - 1, BigInt, -0) follow. Every error is
// a BufpackError: never a raw string, a TypeError, serde's or Reflect's own words, or a
// crash.
import test from 'node:test';
import assert from 'node:assert/strict';
import { bufpack, fixture, raw } from './package.mjs';

const { Buffer, BufpackError, Gap, Problem, Solver, SolverParams } = bufpack;
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

  // Unknown keys: a misspelt field would drop a constraint.
  ['a misspelt buffer field', () => new Problem([one(), one({ id: 'b' }), one({ id: 'c' }), one({ id: 'd', alignmnet: 8 })]), 'invalid', /^buffers\[3\]\.alignmnet: unknown key; did you mean alignment\?$/, 'buffers[3].alignmnet'],
  ['a misspelt gap field', () => new Gap({ lifespan: [0, 1], windw: [0, 1] }), 'invalid', /did you mean window\?/, 'gap.windw'],
  ['a misspelt gap field inside a buffer', () => new Buffer(one({ gaps: [{ lifespan: [0, 1], windw: [0, 1] }] })), 'invalid', /did you mean window\?/, 'buffer.gaps[0].windw'],
  ['a misspelt range field', () => new Buffer(one({ lifespan: { lower: 0, uper: 2 } })), 'invalid', /did you mean upper\?/, 'buffer.lifespan.uper'],
  ['a key nothing resembles', () => new Buffer(one({ colour: 'red' })), 'invalid', /unknown key; expected one of id, lifespan/, 'buffer.colour'],
  ['both lifespan and lower/upper', () => new Buffer(one({ lower: 0, upper: 2 })), 'invalid', /lifespan or lower and upper, not both/, 'buffer'],
  ['a misspelt option of solve', () => new Solver().solve(small(), { timeoutSecond: 1 }), 'invalid', /did you mean timeoutSeconds\?/, 'options.timeoutSecond'],
  ['a switch given to solve instead of the Solver', () => new Solver().solve(small(), { sectionInference: false }), 'invalid', /new Solver\(\{ sectionInference \}\)/, 'options.sectionInference'],
  ['capacity given to minimize', () => bufpack.minimize(small(), { capacity: 20 }), 'invalid', /unknown key/, 'options.capacity'],
  ['a misspelt option of solveFromCsv', () => bufpack.solveFromCsv(example, { capacty: 12 }), 'invalid', /did you mean capacity\?/, 'options.capacty'],
  ['a misspelt option of solveInWorker', () => bufpack.solveInWorker(example, { capacty: 12 }), 'invalid', /did you mean capacity\?/, 'options.capacty'],
  ['a misspelt option of traceInWorker', () => bufpack.traceInWorker(example, { capacity: 12, maxEvent: 5 }), 'invalid', /did you mean maxEvents\?/, 'options.maxEvent'],
  ['a misspelt Problem option', () => new Problem([one()], { capacty: 12 }), 'invalid', /did you mean capacity\?/, 'options.capacty'],
  ['a misspelt Problem.fromCsv option', () => Problem.fromCsv(example, { capacty: 12 }), 'invalid', /did you mean capacity\?/, 'options.capacty'],
  ['a misspelt key of a problem object', () => new Solver().solve({ buffers: [one()], capacty: 12 }), 'invalid', /did you mean capacity\?/, 'problem.capacty'],
  ['a misspelt switch', () => new SolverParams({ sectionInferance: false }), 'invalid', /unknown switch; did you mean sectionInference\?/, 'params.sectionInferance'],
  ['a misspelt switch of bufpack\'s own', () => new SolverParams({ fillHole: false }), 'invalid', /unknown switch; did you mean fillHoles\?/, 'params.fillHole'],
  ['a misspelt switch in options', () => bufpack.minimize(small(), { checkDominanse: false }), 'invalid', /did you mean checkDominance\?/, 'options.checkDominanse'],

  // null, BigInt, booleans, serde's and Reflect's words.
  ['null options to solve', () => new Solver().solve(small(), null), 'invalid', /^options: expected an object/, 'options'],
  ['null options to Problem', () => new Problem([one()], null), 'invalid', /^options: expected an object/, 'options'],
  ['null options to Problem.fromCsv', () => Problem.fromCsv(example, null), 'invalid', /^options: expected an object/, 'options'],
  ['null options to solveInWorker', () => bufpack.solveInWorker(example, null), 'invalid', /^options: expected an object/, 'options'],
  ['null Gap', () => new Gap(null), 'invalid', /^gap: expected/, 'gap'],
  ['array options', () => bufpack.minimize(small(), [1]), 'invalid', /found an array/, 'options'],
  ['a BigInt beyond 2^53 - 1', () => new Buffer(one({ size: 2n ** 60n })), 'invalid', /at most 2\^53 - 1 in magnitude, found 1152921504606846976n/, 'buffer.size'],
  ['a BigInt just beyond', () => new Buffer(one({ lifespan: [-(2n ** 53n), 0n] })), 'invalid', /found -9007199254740992n/, 'buffer.lifespan[0]'],
  ['a negative BigInt size', () => new Buffer(one({ size: -1n })), 'invalid', /non-negative integer, found -1n/, 'buffer.size'],
  ['a number beyond 2^53 - 1', () => new Buffer(one({ size: 2 ** 60 })), 'invalid', /at most 2\^53 - 1 in magnitude/, 'buffer.size'],
  ['minimize: "yes"', () => bufpack.solveFromCsv(example, { capacity: 12, minimize: 'yes' }), 'invalid', /expected true or false, found "yes"/, 'options.minimize'],
  ['minimize: 1 in a worker', () => bufpack.solveInWorker(example, { capacity: 12, minimize: 1 }), 'invalid', /expected true or false/, 'options.minimize'],
  ['a switch that is not a boolean', () => new Solver({ sectionInference: 'no' }), 'invalid', /^params\.sectionInference: expected true or false, found "no"$/, 'params.sectionInference'],
  ['orderings as one string', () => new Solver({ preorderingHeuristics: 'WAT' }), 'invalid', /expected an array of key strings/, 'params.preorderingHeuristics'],
  ['an ordering that is not a string', () => new Solver({ preorderingHeuristics: ['WAT', 3] }), 'invalid', /expected a key string/, 'params.preorderingHeuristics[1]'],
  ['an unknown ordering key', () => new Solver({ preorderingHeuristics: ['WXQ'] }).solve(small()), 'invalid', /unknown key 'X' in preordering "WXQ"/, 'params.preorderingHeuristics'],
  ['no ordering at all', () => bufpack.minimize(small(), { preorderingHeuristics: [] }), 'invalid', /at least one key string/, 'params.preorderingHeuristics'],
  ['a switch changed on a Solver to a non-boolean', () => { const solver = new Solver(); solver.params.checkDominance = 1; return solver.solve(small()); }, 'invalid', /expected true or false, found 1/, 'params.checkDominance'],
  ['a Buffer changed after construction', () => new Solver().solve(mutated((p) => { p.buffers[0].size = 'x'; })), 'invalid', /found "x"/, 'problem.buffers[0].size'],
  ['a Problem whose capacity changed', () => new Solver().solve(mutated((p) => { p.capacity = -1; })), 'invalid', /non-negative integer, found -1/, 'problem.capacity'],
  ['toCsv with too few offsets', () => small().toCsv({ offsets: [0, 0] }), 'invalid', /expected 5 offsets \(one per buffer\), found 2/, 'solution.offsets'],
  ['toCsv with a fractional offset', () => small().toCsv({ offsets: [0, 0, 0, 0.5, 0] }), 'invalid', /expected an integer, found 0.5/, 'solution.offsets[3]'],
  ['offsets as a string', () => bufpack.validateSolution(small(), { offsets: '00000' }), 'invalid', /expected an array of offsets/, 'solution.offsets'],
  ['a height that is not a number', () => bufpack.validateSolution(small(), { offsets: [8, 8, 4, 4, 0], height: 'x' }), 'invalid', /found "x"/, 'solution.height'],

  // Alignment (the solver takes any positive integer).
  ['alignment 0', () => new Buffer(one({ alignment: 0 })), 'invalid', /^buffer\.alignment: expected a positive integer, found 0$/, 'buffer.alignment'],
  ['alignment 0 inside a problem', () => bufpack.minimize({ buffers: [one(), one({ id: 'b', alignment: 0 })] }), 'invalid', /expected a positive integer, found 0/, 'problem.buffers[1].alignment'],

  // The rest of the audit: NaN, Infinity, strings, arrays, shapes.
  ['size NaN', () => new Buffer(one({ size: NaN })), 'invalid', /found NaN/, 'buffer.size'],
  ['size Infinity', () => new Buffer(one({ size: Infinity })), 'invalid', /found Infinity/, 'buffer.size'],
  ['size as a string', () => new Buffer(one({ size: '3' })), 'invalid', /found "3"/, 'buffer.size'],
  ['offset -1', () => new Buffer(one({ offset: -1 })), 'invalid', /non-negative integer, found -1/, 'buffer.offset'],
  ['id NaN', () => new Buffer(one({ id: NaN })), 'invalid', /a string or a finite number, found NaN/, 'buffer.id'],
  ['a buffer given as an array', () => new Problem([[0, 2, 3]]), 'invalid', /found an array/, 'buffers[0]'],
  ['a lifespan of three numbers', () => new Buffer(one({ lifespan: [0, 1, 2] })), 'invalid', /\[lower, upper\] or \{ lower, upper \}, found an array of 3/, 'buffer.lifespan'],
  ['a lifespan as a string', () => new Buffer(one({ lifespan: '0-2' })), 'invalid', /found "0-2"/, 'buffer.lifespan'],
  ['gaps as an object', () => new Buffer(one({ gaps: { lifespan: [0, 1] } })), 'invalid', /expected an array of gaps/, 'buffer.gaps'],
  ['buffers as an object', () => new Problem({ a: one() }), 'invalid', /expected an array of buffers/, 'buffers'],
  ['a problem without buffers', () => bufpack.lowerBound({ capacity: 3 }), 'invalid', /expected an array of buffers/, 'problem.buffers'],
  ['CSV that is not a string', () => Problem.fromCsv(5), 'invalid', /expected a string of CSV, found 5/, 'text'],
  ['capacity -1', () => bufpack.solveFromCsv(example, { capacity: -1 }), 'invalid', /non-negative integer/, 'options.capacity'],
  ['capacity 1.5', () => bufpack.solveFromCsv(example, { capacity: 1.5 }), 'invalid', /found 1.5/, 'options.capacity'],
  ['capacity as a string', () => bufpack.solveInWorker(example, { capacity: '12' }), 'invalid', /found "12"/, 'options.capacity'],
  ['capacity 2^53', () => bufpack.solveFromCsv(example, { capacity: 2 ** 53 }), 'invalid', /at most 2\^53 - 1/, 'options.capacity'],
  ['solving without a capacity', () => bufpack.solveFromCsv(example, { minimize: false }), 'invalid', /a capacity to solve against/, 'options.capacity'],
  ['timeoutSeconds NaN', () => bufpack.solveFromCsv(example, { timeoutSeconds: NaN }), 'invalid', /non-negative number of seconds, found NaN/, 'options.timeoutSeconds'],
  ['timeoutSeconds as a string', () => bufpack.minimize(small(), { timeoutSeconds: '1' }), 'invalid', /found "1"/, 'options.timeoutSeconds'],
  ['onProgress not a function', () => bufpack.solveInWorker(example, { onProgress: 3 }), 'invalid', /expected a function, found 3/, 'options.onProgress'],
  ['maxEvents beyond a million', () => bufpack.traceSearch(small(), { maxEvents: 2e6 }), 'invalid', /at most 1000000/, 'options.maxEvents'],
  ['parallel 0', () => bufpack.solveInWorker(example, { parallel: 0 }), 'invalid', /found 0/, 'options.parallel'],
  ['parallel "yes"', () => bufpack.solveInWorker(example, { parallel: 'yes' }), 'invalid', /found "yes"/, 'options.parallel'],
  ['parallel in a trace', () => bufpack.traceInWorker(example, { capacity: 12, parallel: true }), 'invalid', /one search/, 'options.parallel'],
  ['returnProblem "rows"', () => bufpack.solveInWorker(example, { returnProblem: 'rows' }), 'invalid', /"objects" or "columns"/, 'options.returnProblem'],
  ['returnProblem with a problem', () => bufpack.solveInWorker(small(), { returnProblem: true }), 'invalid', /only with CSV/, 'options.returnProblem'],
  ['signal that is not an AbortSignal', () => bufpack.solveInWorker(example, { signal: {} }), 'invalid', /an AbortSignal/, 'options.signal'],
  ['an unknown heuristic', () => bufpack.runHeuristic(small(), 'crowding/skylin'), 'invalid', /did you mean crowding\/skyline\?/, 'name'],
  ['columnIds of something else', () => bufpack.columnIds({}), 'invalid', /expected the columns of a solution/, 'columns'],
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

// [what, call, check of the result]
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
  ['BigInt values that fit', () => new Buffer({ id: 7n, lifespan: [-(2n ** 53n - 1n), 2n], size: 2n ** 53n - 1n, alignment: 8n }), (b) => assert.deepEqual([b.id, b.lifespan.lower, b.size, b.alignment], ['7', -MAX, MAX, 8])],
  ['a BigInt capacity', () => new Solver().solve(Problem.fromCsv(example, { capacity: 12n })), (s) => assert.equal(s.height, 12)],
  ['-0 is 0', () => new Buffer(one({ size: -0, lifespan: [-0, 2] })), (b) => assert.ok(Object.is(b.size, 0) && Object.is(b.lifespan.lower, 0))],
  ['undefined and null optional fields', () => new Buffer(one({ alignment: undefined, offset: null, hint: undefined, gaps: null })), (b) => assert.deepEqual([b.alignment, b.gaps, 'offset' in b], [1, [], false])],
  ['a Buffer from a Buffer', () => new Problem([new Buffer(one({ gaps: [new Gap({ lifespan: [0, 1] })] }))]), (p) => assert.ok(p.buffers[0].gaps[0] instanceof Gap)],
  ['a Problem spread with a capacity', () => new Solver().solve({ ...Problem.fromCsv(example), capacity: 12 }), (s) => assert.equal(s.height, 12)],
  ['null options where options are optional values', () => bufpack.solveFromCsv(example, { capacity: 12, timeoutSeconds: undefined, onProgress: null }), (s) => assert.equal(s.height, 12)],
];

for (const [what, call, check] of ACCEPTED) {
  test(`accepted: ${what}`, async () => check(await call()));
}

test('offsets far too many are refused before they are copied into the instance', () => {
  const problem = small();
  const offsets = new Float64Array(20_000_000);
  const before = raw.__memoryBytes();
  assert.deepEqual(bufpack.validateSolution(problem, { offsets }), { valid: false, message: 'expected 5 offsets, found 20000000' });
  assert.throws(() => problem.toCsv({ offsets }), { code: 'invalid', path: 'solution.offsets' });
  assert.equal(raw.__memoryBytes(), before, 'the instance grew');
});

test('undecided: an error with its code on the calling thread, an outcome in a trace, a flag when minimising', async () => {
  assert.throws(() => bufpack.solveFromCsv(undecidedCsv, { capacity: 524288 }), (error) => {
    assert.ok(error instanceof BufpackError);
    assert.equal(error.code, 'undecided');
    assert.match(error.message, /no proof either/);
    assert.ok(error.nodes > 0);
    return true;
  });
  const problem = Problem.fromCsv(undecidedCsv);
  const trace = await bufpack.traceSearch(problem, { capacity: 524288 });
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

// A capacity prune's `top` (offset + size) may pass 2^53 - 1 at a capacity near it; it
// crosses as a number (it was code "internal": serde-wasm-bindgen refuses such an i64).
test('a trace at 2^53 - 1 whose capacity prune reaches 2^53', async () => {
  const buffers = [one({ lifespan: [0, 3], size: 1 }), one({ id: 'b', lifespan: [1, 2], size: 2 ** 52, alignment: 2 ** 52 })];
  const trace = await bufpack.traceSearch({ buffers }, { capacity: MAX, staticPreordering: false });
  assert.equal(trace.outcome, 'solved');
});
