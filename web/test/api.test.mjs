// The package's synchronous API, on the built package, in Node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { bufpack, fixture, CHALLENGING, HARD, randomProblem, raw, core } from './package.mjs';

const { Buffer, BufpackError, Gap, Problem, Solution, Solver, SolverParams } = bufpack;
const example = fixture('examples/input.12.csv');

function assertValid(problem, solution) {
  assert.deepEqual(bufpack.validateSolution(problem, solution), { valid: true });
}

test('the example packs at 12 and round-trips through CSV', () => {
  const problem = Problem.fromCsv(example, { capacity: 12 });
  const solution = new Solver().solve(problem);
  assert.ok(solution instanceof Solution);
  assert.equal(solution.height, 12);
  assert.equal(solution.status, 'solved');
  assert.equal(solution.lowerBound, 12);
  assert.equal(solution.gapPercent, 0);
  assertValid(problem, solution);
  const written = problem.toCsv(solution);
  assert.match(written, /^id,lower,upper,size,offset\n/);
  const reread = Problem.fromCsv(written, { capacity: 12 });
  assert.deepEqual(reread.buffers.map((b) => b.offset), solution.offsets);
});

test('objects built by hand solve like CSV ones', () => {
  const problem = new Problem(
    [
      new Buffer({ id: 'a', lifespan: { lower: 0, upper: 10 }, size: 4 }),
      new Buffer({ id: 'b', lower: 0, upper: 10, size: 4, alignment: 4 }),
      { id: 'c', lifespan: [2, 8], size: 8, gaps: [new Gap({ lifespan: [3, 5] })] },
      { id: 'f', lifespan: [0, 1], size: 2, offset: 6 },
    ],
    { capacity: 16 },
  );
  const solution = new Solver().solve(problem);
  assertValid(problem, solution);
  assert.equal(solution.offsets[3], 6, 'the fixed buffer stays put');
  assert.equal(solution.offsets[1] % 4, 0, 'alignment holds');
});

test('every challenging instance is solved in wasm, and each packing validates', () => {
  for (const name of CHALLENGING) {
    const text = fixture(name);
    const solution = bufpack.solveFromCsv(text, { capacity: 1048576, timeoutSeconds: 60 });
    assert.equal(solution.status, 'solved', name);
    assert.ok(solution.height <= 1048576, name);
    assertValid(Problem.fromCsv(text, { capacity: 1048576 }), solution);
  }
});

test('minimize proves the optimum of C and reports its bound', () => {
  const problem = Problem.fromCsv(fixture('challenging/C.1048576.csv'));
  const solution = bufpack.minimize(problem, { timeoutSeconds: 60 });
  assert.equal(solution.status, 'optimal');
  assert.equal(solution.height, 1039360);
  assert.equal(solution.lowerBound, 1039360);
  assert.equal(solution.boundReason.kind, 'load');
  assertValid(problem, solution);
});

test('minimize under a time limit returns the best packing and its gap', () => {
  const problem = Problem.fromCsv(fixture('challenging/D.1048576.csv'));
  const solution = bufpack.minimize(problem, { timeoutSeconds: 0.5 });
  assert.equal(solution.status, 'feasible');
  assert.equal(solution.stopped, true);
  assert.ok(solution.gapPercent > 0);
  assert.ok(solution.height > solution.lowerBound);
  assertValid(problem, solution);
});

test('a CSV error is a BufpackError with code, line, column and field', () => {
  const text = 'id,lower,upper,size\nb1,0,3,4\nb2,0,x,4\n';
  assert.throws(() => Problem.fromCsv(text), (error) => {
    assert.ok(error instanceof BufpackError);
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'parse');
    assert.equal(error.line, 3);
    assert.equal(error.column, 6);
    assert.equal(error.field, 'upper');
    assert.match(error.message, /^line 3, column 6 \(upper\): expected/);
    return true;
  });
  assert.throws(() => bufpack.solveFromCsv('', { capacity: 4 }), { code: 'parse', line: 1 });
  assert.throws(() => bufpack.solveFromCsv('id,lower,upper,size\n"b1,0,3,4\n'), { code: 'parse', line: 2 });
});

test('an infeasible capacity throws code "infeasible" with the reason', () => {
  const problem = Problem.fromCsv(example, { capacity: 11 });
  assert.throws(() => new Solver().solve(problem), (error) => {
    assert.equal(error.code, 'infeasible');
    assert.deepEqual(error.reason, { kind: 'load', time: 0, load: 12 });
    return true;
  });
  const tooLarge = new Problem([{ id: 'big', lifespan: [0, 1], size: 20 }], { capacity: 10 });
  assert.throws(() => new Solver().solve(tooLarge), { code: 'infeasible', id: 'big' });
});

test('a time limit throws code "timeout" with the effort spent', () => {
  const problem = Problem.fromCsv(HARD.text, { capacity: HARD.capacity });
  assert.throws(() => new Solver().solve(problem, { timeoutSeconds: 0.2 }), (error) => {
    assert.equal(error.code, 'timeout');
    assert.ok(error.nodes > 0);
    assert.ok(error.elapsedSeconds >= 0.2);
    return true;
  });
});

test('malformed objects and options are refused with code "invalid" and a path', () => {
  const cases = [
    [() => new Buffer({ id: 'a', lifespan: [0, 1], size: -1 }), /buffer\.size: expected a non-negative integer, found -1/],
    [() => new Buffer({ id: 'a', lifespan: [0, 1], size: 1.5 }), /size/],
    [() => new Problem([{ id: 'a', lifespan: { lower: 0 }, size: 1 }]), /buffers\[0\]\.lifespan\.upper/],
    [() => new Problem('nope'), /buffers: expected an array/],
    [() => new SolverParams({ sectionInferance: false }), /sectionInferance/],
    [() => new Solver({ preorderingHeuristics: ['WXQ'] }).solve(Problem.fromCsv(example, { capacity: 12 })), /^params\.preorderingHeuristics: unknown key 'X'/],
    [() => bufpack.solveFromCsv(example, { capacity: -3 }), /capacity/],
    [() => bufpack.solveFromCsv(example, { capacity: 12, timeoutSeconds: -1 }), /timeoutSeconds/],
    [() => new Solver().solve(new Problem([{ id: 'a', lifespan: [5, 1], size: 1 }], { capacity: 4 })), /buffer "a" \(#1\)/],
    [() => new Solver().solve(new Problem([{ id: 'a', lifespan: [0, 1], size: 1 }])), /capacity/],
    [() => bufpack.runHeuristic(Problem.fromCsv(example), 'nope'), /crowding\/skyline/],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (error) => {
      assert.ok(error instanceof BufpackError, String(error));
      assert.equal(error.code, 'invalid');
      assert.match(error.message, message);
      return true;
    });
  }
});

test('a duplicate id names the buffer by index and id', () => {
  const problem = new Problem(
    [
      { id: 'a', lifespan: [0, 1], size: 1 },
      { id: 'a', lifespan: [0, 1], size: 1 },
    ],
    { capacity: 4 },
  );
  assert.throws(() => new Solver().solve(problem), { code: 'invalid', buffer: 1, id: 'a' });
});

test('validateSolution names what is wrong', () => {
  const problem = Problem.fromCsv(example, { capacity: 12 });
  const overlapping = { offsets: [0, 0, 0, 0, 0] };
  const verdict = bufpack.validateSolution(problem, overlapping);
  assert.equal(verdict.valid, false);
  assert.match(verdict.message, /both occupy/);
  assert.throws(() => bufpack.validateSolution(problem, { offsets: [0, 'x', 0, 0, 0] }), { code: 'invalid', path: 'solution.offsets[1]' });
  // A wrong count is the validator's verdict, not an error.
  assert.deepEqual(bufpack.validateSolution(problem, { offsets: [0, 'x'] }), { valid: false, message: 'expected 5 offsets, found 2' });
});

test('progress arrives and a throwing callback stops the solve with its own error', () => {
  const problem = Problem.fromCsv(HARD.text, { capacity: HARD.capacity });
  const seen = [];
  assert.throws(() => new Solver().solve(problem, { timeoutSeconds: 0.5, onProgress: (p) => seen.push(p) }), { code: 'timeout' });
  assert.ok(seen.length >= 2, `${seen.length} progress reports`);
  assert.ok(seen.every((p, i) => i === 0 || p.nodes >= seen[i - 1].nodes));
  const mine = new Error('stop here');
  assert.throws(() => new Solver().solve(problem, { onProgress: () => { throw mine; } }), (error) => error === mine);
});

test('the default switches come from the solver and every switch can be turned off', () => {
  const params = new SolverParams();
  assert.deepEqual(params.preorderingHeuristics, ['WAT', 'TAW', 'TWA']);
  assert.equal(params.sectionInference, true);
  assert.deepEqual(Object.keys(params), [
    'canonicalOnly', 'sectionInference', 'dynamicOrdering', 'checkDominance', 'unallocatedFloor',
    'staticPreordering', 'dynamicDecomposition', 'monotonicFloor', 'hatlessPruning',
    'canonicalFloor', 'fillHoles', 'ledges', 'orderedStacks', 'limitedDiscrepancy',
    'flatLoad', 'releaseFloors', 'alignedStacks', 'timeOrderings', 'handovers', 'widenWindows', 'peakWindows', 'layers', 'hotParts', 'preorderingHeuristics',
  ]);
  assert.ok(Object.values(params).filter((v) => typeof v === 'boolean').every((on) => on));
  const problem = Problem.fromCsv(example, { capacity: 12 });
  const off = Object.fromEntries(Object.keys(params).filter((k) => typeof params[k] === 'boolean').map((k) => [k, false]));
  const solution = new Solver(off).solve(problem);
  assertValid(problem, solution);
});

test('SolverParams.reference() is MiniMalloc\'s search: bufpack\'s own switches off, and more nodes on a perfect packing', () => {
  const reference = SolverParams.reference();
  assert.ok(reference instanceof SolverParams);
  assert.deepEqual({ ...reference }, { ...new SolverParams(), canonicalFloor: false, fillHoles: false, ledges: false, orderedStacks: false, limitedDiscrepancy: false, flatLoad: false, releaseFloors: false, alignedStacks: false, timeOrderings: false, handovers: false, widenWindows: false, peakWindows: false, layers: false, hotParts: false });
  const perfect = Problem.fromCsv(fixture('teaching/perfect.11.csv'), { capacity: 11 });
  const one = { preorderingHeuristics: ['WAT'] };
  const ours = new Solver(one).solve(perfect);
  const theirs = new Solver({ ...reference, ...one }).solve(perfect);
  assertValid(perfect, ours);
  assertValid(perfect, theirs);
  assert.ok(ours.nodes < theirs.nodes, `${ours.nodes} < ${theirs.nodes}`);
});

test('heuristics and the lower bound agree with the validator on random problems', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const problem = new Problem(randomProblem(seed).buffers);
    const bound = bufpack.lowerBound(problem);
    for (const name of bufpack.heuristicNames()) {
      const solution = bufpack.runHeuristic(problem, name);
      assertValid(problem, solution);
      assert.ok(solution.height >= bound.height, `${name} below the bound on seed ${seed}`);
    }
    const best = bufpack.minimize(problem);
    assert.equal(best.status, 'optimal');
    assertValid(problem, best);
    assert.equal(Math.max(...bound.profile.map(([, load]) => load)), bound.load);
  }
});

test("a worker's share of the searches: one part of two, and a share that is no part refused", () => {
  const problem = Problem.fromCsv(fixture('teaching/perfect.11.csv'), { capacity: 11 });
  const call = (share) => core.callWasm(raw.solve, problem, new SolverParams(), { share });
  // Part 0 holds the first ordering's search, which decides; part 1 of 2 decides too.
  for (const share of [{ part: 0, parts: 2 }, { part: 1, parts: 2 }, undefined]) {
    assertValid(problem, new Solution(call(share)));
  }
  // The most workers worth starting: three orderings and the two time orderings (with
  // alignment, fixed buffers or raised windows), and the four lanes or (on a flat load
  // below the capacity) the orderings and the lanes again at its height; with handovers,
  // the merged problem's orderings and lanes too.
  assert.equal(core.callWasm(raw.mostSearches, new SolverParams()), 5 + 5 + 4 + (5 + 4));
  assert.equal(core.callWasm(raw.mostSearches, new SolverParams({ handovers: false })), 5 + 5 + 4);
  assert.equal(core.callWasm(raw.mostSearches, new SolverParams({ limitedDiscrepancy: false, flatLoad: false })), 2 * 5);
  assert.equal(core.callWasm(raw.mostSearches, new SolverParams({ limitedDiscrepancy: false, flatLoad: false, timeOrderings: false, handovers: false })), 3);
  // Part 23 of 24 has none (a plan holds at most the 23 counted above): without layers it
  // decides nothing, like a time limit. Layers pack perfect.11 before any search, in every
  // share alike.
  const lastShare = { share: { part: 23, parts: 24 } };
  assert.throws(() => core.callWasm(raw.solve, problem, new SolverParams({ layers: false }), lastShare), { code: 'timeout' });
  assertValid(problem, new Solution(call(lastShare.share)));
  for (const share of [{ part: 2, parts: 2 }, { part: -1, parts: 2 }, { part: 0.5, parts: 2 }, { part: 0, parts: 0 }]) {
    assert.throws(() => call(share), (error) => {
      assert.equal(error.code, 'invalid');
      assert.equal(error.path, 'options.share');
      return true;
    });
  }
  assert.throws(() => core.callWasm(raw.minimize, problem, new SolverParams(), { share: { part: 0, parts: 2 } }), {
    code: 'invalid',
    path: 'options.share',
  });
});

test('the module reads problems, switches and options itself, and refuses bad ones with their path', () => {
  // Called without the wrapper, which puts every value in shape first: the module's own
  // readers (field by field, not serde) are the last line, and must name where.
  const buffer = (fields = {}) => ({ id: 'a', lifespan: { lower: 0, upper: 2 }, size: 3, ...fields });
  const problem = (buffers) => ({ buffers });
  const ok = core.callWasm(raw.minimize, {
    buffers: [
      buffer(),
      buffer({ id: 'b', alignment: 2, gaps: [{ lifespan: { lower: 3, upper: 4 }, window: { lower: 0, upper: 1 } }], lifespan: { lower: 1, upper: 6 } }),
      buffer({ id: 'c', offset: 8, hint: null }),
    ],
    capacity: 20,
  }, { layers: false, preorderingHeuristics: ['WAT'] }, { timeoutSeconds: 5 });
  // b, aligned to 2, above a; c where it is fixed.
  assert.deepEqual([ok.offsets, ok.height, ok.status], [[0, 4, 8], 11, 'optimal']);
  const refused = [
    [() => raw.minimize(5, {}, {}), 'problem'],
    [() => raw.minimize(problem(5), {}, {}), 'problem.buffers'],
    [() => raw.minimize(problem([5]), {}, {}), 'problem.buffers[0]'],
    [() => raw.minimize(problem([buffer({ id: 7 })]), {}, {}), 'problem.buffers[0].id'],
    [() => raw.minimize(problem([buffer({ size: 1.5 })]), {}, {}), 'problem.buffers[0].size'],
    [() => raw.minimize(problem([buffer({ lifespan: [0, 2] })]), {}, {}), 'problem.buffers[0].lifespan.lower'],
    [() => raw.minimize(problem([buffer({ alignment: 'x' })]), {}, {}), 'problem.buffers[0].alignment'],
    [() => raw.minimize(problem([buffer({ gaps: {} })]), {}, {}), 'problem.buffers[0].gaps'],
    [() => raw.minimize(problem([buffer({ gaps: [{ lifespan: { lower: 0, upper: 1 }, window: 3 }] })]), {}, {}), 'problem.buffers[0].gaps[0].window'],
    [() => raw.minimize({ buffers: [buffer()], capacity: NaN }, {}, {}), 'problem.capacity'],
    [() => raw.minimize(problem([buffer()]), { fillHole: true }, {}), 'params.fillHole'],
    [() => raw.minimize(problem([buffer()]), { layers: 1 }, {}), 'params.layers'],
    [() => raw.minimize(problem([buffer()]), { preorderingHeuristics: 'WAT' }, {}), 'params.preorderingHeuristics'],
    [() => raw.minimize(problem([buffer()]), { preorderingHeuristics: ['WAT', 3] }, {}), 'params.preorderingHeuristics[1]'],
    [() => raw.minimize(problem([buffer()]), 'fast', {}), 'params'],
    [() => raw.minimize(problem([buffer()]), {}, { timeoutSeconds: 'soon' }), 'options.timeoutSeconds'],
    [() => raw.validate(problem([buffer()]), { offsets: [0.5] }), 'solution.offsets[0]'],
    [() => raw.validate(problem([buffer()]), { offsets: 0 }), 'solution.offsets'],
    [() => raw.validate(problem([buffer()]), { offsets: [2 ** 60] }), 'solution.offsets[0]'],
    [() => raw.minimize(problem([buffer({ size: 2 ** 53 })]), {}, {}), 'problem.buffers[0].size'],
    [() => raw.solve({ buffers: [buffer()], capacity: 9 }, {}, { share: 5 }), 'options.share'],
  ];
  for (const [call, path] of refused) {
    assert.throws(() => core.callWasm(call), (error) => {
      assert.ok(error instanceof BufpackError, `${path}: ${error}`);
      assert.equal(error.code, 'invalid', `${path}: ${error.message}`);
      assert.equal(error.path, path, error.message);
      return true;
    });
  }
  // Offsets as a typed array read as a plain one.
  assert.equal(core.callWasm(raw.validate, problem([buffer()]), { offsets: new Float64Array([0]) }).valid, true);
  // Numbers in the module's messages are written as JavaScript writes them.
  assert.throws(() => core.callWasm(raw.minimize, problem([buffer()]), {}, { timeoutSeconds: -Infinity }), /found -Infinity/);
  assert.throws(() => core.callWasm(raw.solve, { buffers: [buffer()], capacity: 9 }, {}, { share: { part: 0.5, parts: 2 } }), /found part 0\.5 of 2/);
});

test('a panic is reported as code "internal" and the instance keeps working', () => {
  for (let round = 0; round < 3; round++) {
    assert.throws(() => core.callWasm(raw.__panicForTests, 'on purpose'), (error) => {
      assert.ok(error instanceof BufpackError);
      assert.equal(error.code, 'internal');
      assert.match(error.message, /on purpose/);
      return true;
    });
    assert.equal(bufpack.solveFromCsv(example, { capacity: 12 }).height, 12);
  }
});

test('memory stops growing over 1000 solves', () => {
  const problem = Problem.fromCsv(fixture('challenging/K.1048576.csv'), { capacity: 1048576 });
  const small = Problem.fromCsv(example, { capacity: 12 });
  const sizes = [];
  for (let i = 0; i < 1000; i++) {
    new Solver().solve(i % 10 === 0 ? problem : small);
    if (i === 99 || i === 999) sizes.push(raw.__memoryBytes());
  }
  assert.equal(sizes[1], sizes[0], `memory grew from ${sizes[0]} to ${sizes[1]} bytes`);
});
