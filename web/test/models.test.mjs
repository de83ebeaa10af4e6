// TensorFlow Lite Micro models through the package: every fixture read, TFLite Micro's
// greedy plan, a plan written only when it saves arena and read back, invalid plans
// refused, and bad bytes (truncated, random, flipped) rejected with "invalid-model" and a
// message that says where, never a crash.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bufpack, rng, root } from './package.mjs';

const { BufpackError, readModel, planModel, minimizeModel, isTfliteModel, validateSolution, lowerBound, minimize } = bufpack;

const DIR = path.join(root, 'models/tests/fixtures/tflite');
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.tflite'))
  .sort();
const model = (name) => new Uint8Array(readFileSync(path.join(DIR, name)));

/** The arenas TFLite Micro itself reports for these models (models/tests/fixtures.rs). */
const TFLM_REPORTS = {
  'person_detect.tflite': 55_296,
  'micro_speech_quantized.tflite': 5_968,
  'hello_world_int8.tflite': 32,
  'keyword_scrambled.tflite': 288,
  'greedy_trap.tflite': 832,
};

/** Calls `fn` and returns the BufpackError it throws or rejects with; fails on a result or anything else. */
async function refusal(fn, what) {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof BufpackError, `${what}: threw ${error?.constructor?.name}: ${error?.message ?? error}`);
    return error;
  }
  assert.fail(`${what}: no error`);
}

test('every fixture is read: one buffer per arena tensor, steps named, greedy plan valid', async () => {
  assert.ok(FIXTURES.length >= 10, `fixtures in ${DIR}: ${FIXTURES}`);
  for (const name of FIXTURES) {
    const bytes = model(name);
    assert.ok(isTfliteModel(bytes), name);
    const read = await readModel(bytes);
    const { buffers } = read.problem;
    assert.ok(read.problem instanceof bufpack.Problem, name);
    assert.equal(read.problem.capacity, undefined, `${name}: no capacity, to minimise`);
    assert.ok(buffers.length > 0, name);
    assert.equal(read.tensors.length, buffers.length, name);
    assert.ok(read.tensorCount >= buffers.length + read.constants + read.variables, name);
    assert.deepEqual(read.tensors.map((t) => t.planIndex), [...new Set(read.tensors.map((t) => t.planIndex))], `${name}: plan indexes distinct`);
    assert.equal(new Set(buffers.map((b) => b.id)).size, buffers.length, `${name}: ids unique`);
    for (const [i, b] of buffers.entries()) {
      assert.equal(b.alignment, 16, `${name} ${b.id}`);
      assert.equal(b.size % 16, 0, `${name} ${b.id}`);
      assert.ok(b.size >= read.tensors[i].bytes && b.size - read.tensors[i].bytes < 16, `${name} ${b.id}: size rounded up to 16`);
      assert.ok(b.lifespan.lower < b.lifespan.upper && b.lifespan.upper <= read.steps.length, `${name} ${b.id}: ${JSON.stringify(b.lifespan)} in ${read.steps.length} steps`);
    }
    assert.ok(read.steps.length >= 2 && read.steps.every((s) => typeof s === 'string' && s.length > 0), `${name}: ${read.steps}`);
    assert.ok(read.operators.length > 0 && read.operators.every((o) => o.lower < o.upper && o.upper <= read.steps.length), name);
    assert.ok(['none', 'valid', 'broken'].includes(read.offlinePlan.kind), name);

    const greedy = read.tflmGreedy();
    assert.equal(greedy.offsets.length, buffers.length, name);
    assert.deepEqual(greedy.scratchOffsets, [], name);
    assert.deepEqual(validateSolution(read.problem, greedy), { valid: true }, `${name}: TFLite Micro's greedy plan is a packing`);
    assert.equal(greedy.arena, Math.max(...buffers.map((b, i) => greedy.offsets[i] + b.size)), name);
    assert.equal(read.checkPlan(greedy.offsets), greedy.arena, name);
    assert.ok(greedy.arena >= lowerBound(read.problem).height, name);
    if (name in TFLM_REPORTS) assert.equal(greedy.arena, TFLM_REPORTS[name], `${name}: what TFLite Micro reports`);
  }
  // The steps of a known model: its inputs, then each operator by name.
  const hello = await readModel(model('hello_world_int8.tflite'));
  assert.deepEqual(hello.steps, ['(before the model runs)', 'inputs', 'FULLY_CONNECTED', 'FULLY_CONNECTED', 'FULLY_CONNECTED']);
});

test('greedy_trap: bufpack needs 640 bytes where TFLite Micro needs 832; the planned model reads back with the plan', async () => {
  const bytes = model('greedy_trap.tflite');
  const read = await readModel(bytes);
  const solution = minimize(read.problem, { timeoutSeconds: 30 });
  assert.equal(solution.status, 'optimal');
  assert.equal(solution.height, 640);
  assert.deepEqual(validateSolution(read.problem, solution), { valid: true });
  assert.equal(read.tflmGreedy().arena, 832);

  const plan = await planModel(bytes, solution);
  assert.equal(plan.status, 'planned');
  assert.equal(plan.arena, 640);
  assert.equal(plan.before, 832);
  assert.equal(plan.savedBytes, 192);
  assert.ok(plan.model instanceof Uint8Array);
  assert.ok(isTfliteModel(plan.model));
  assert.notDeepEqual(plan.model, bytes);

  const again = await readModel(plan.model);
  assert.deepEqual(again.problem.buffers, read.problem.buffers, 'the same tensors and lifetimes');
  assert.deepEqual(again.steps, read.steps);
  assert.equal(again.offlinePlan.kind, 'valid');
  assert.equal(again.offlinePlan.offsets.length, read.tensorCount);
  // Buffer i's tensor carries buffer i's offset; every other tensor -1.
  for (const [i, t] of read.tensors.entries()) {
    assert.equal(again.offlinePlan.offsets[t.planIndex], solution.offsets[i], read.problem.buffers[i].id);
  }
  assert.equal(again.offlinePlan.offsets.filter((o) => o >= 0).length, read.problem.buffers.length);
  // The input is left as it was, and planning the planned model again saves nothing more.
  assert.deepEqual(bytes, model('greedy_trap.tflite'));
  const replanned = await planModel(plan.model, solution);
  assert.deepEqual(replanned, { status: 'unchanged', model: null, arena: 640, before: 640, savedBytes: 0 });
  // The same through the model object, and from an ArrayBuffer.
  assert.equal(read.plan(solution.offsets).status, 'planned');
  assert.equal((await planModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), solution)).savedBytes, 192);
});

test('models TFLite Micro already packs optimally are left unchanged, model null', async () => {
  for (const name of ['hello_world_int8.tflite', 'keyword_scrambled.tflite', 'micro_speech_quantized.tflite']) {
    const bytes = model(name);
    const read = await readModel(bytes);
    const solution = minimize(read.problem, { timeoutSeconds: 30 });
    assert.deepEqual(validateSolution(read.problem, solution), { valid: true }, name);
    const plan = await planModel(bytes, solution);
    assert.equal(plan.status, 'unchanged', name);
    assert.equal(plan.model, null, name);
    assert.equal(plan.savedBytes, 0, name);
    assert.equal(plan.before, read.tflmGreedy().arena, name);
    assert.equal(plan.arena, solution.height, name);
    assert.ok(plan.arena >= plan.before, name);
  }
});

test('minimizeModel reads, minimises in workers and plans in one call', async () => {
  const result = await minimizeModel(model('greedy_trap.tflite'), { timeoutSeconds: 30 });
  assert.ok(result.model instanceof bufpack.TfliteModel);
  assert.equal(result.solution.height, 640);
  assert.equal(result.tflm.arena, 832);
  assert.equal(result.plan.status, 'planned');
  assert.equal(result.plan.savedBytes, 192);
  await assert.rejects(minimizeModel(model('greedy_trap.tflite'), { capacity: 640 }), (e) => e.code === 'invalid' && e.path === 'options.capacity');
  await assert.rejects(minimizeModel(new Uint8Array(16)), (e) => e.code === 'invalid-model');
});

test('kernel scratch buffers are placed around both plans', async () => {
  const bytes = model('greedy_trap.tflite');
  const read = await readModel(bytes);
  const scratch = [{ subgraph: 0, operator: 0, bytes: 1000 }];
  const greedy = read.tflmGreedy({ scratch });
  assert.equal(greedy.scratchOffsets.length, 1);
  assert.ok(greedy.arena >= 1008, `${greedy.arena}`);
  const solution = minimize(read.problem, { timeoutSeconds: 30 });
  const plan = await planModel(bytes, solution, { scratch });
  assert.equal(plan.before, greedy.arena);
  assert.ok(plan.arena >= 640 + 0 && plan.arena >= 1008, JSON.stringify(plan));
  assert.equal(plan.savedBytes, plan.status === 'planned' ? plan.before - plan.arena : 0);
  // A scratch buffer of an operator the model lacks is refused, not guessed.
  const missing = await refusal(() => read.tflmGreedy({ scratch: [{ subgraph: 0, operator: 9999, bytes: 16 }] }), 'missing operator');
  assert.equal(missing.code, 'invalid-plan');
  assert.match(missing.message, /operator 9999 in subgraph 0, which the model does not have/);
  const bad = await refusal(() => read.tflmGreedy({ scratch: [{ operator: 0, bytes: -1 }] }), 'negative bytes');
  assert.equal(bad.path, 'options.scratch[0].bytes');
  const typo = await refusal(() => planModel(bytes, solution, { scratch: [{ operator: 0, byte: 16 }] }), 'misspelt');
  assert.equal(typo.path, 'options.scratch[0].byte');
  assert.match(typo.message, /did you mean bytes\?/);
  assert.equal((await refusal(() => planModel(bytes, solution, { scrach: [] }), 'option')).path, 'options.scrach');
});

test('invalid plans are refused and never written', async () => {
  const bytes = model('greedy_trap.tflite');
  const read = await readModel(bytes);
  const n = read.problem.buffers.length;
  const overlap = await refusal(() => planModel(bytes, new Array(n).fill(0)), 'all at 0');
  assert.equal(overlap.code, 'invalid-plan');
  assert.match(overlap.message, /are live together and overlap/);
  const ids = read.problem.buffers.map((b) => b.id);
  assert.ok(ids.filter((id) => overlap.message.includes(`"${id}"`)).length >= 2, overlap.message);

  const short = await refusal(() => planModel(bytes, [0]), 'one offset');
  assert.equal(short.code, 'invalid-plan');
  assert.match(short.message, new RegExp(`1 offsets for ${n} buffers`));

  const greedy = read.tflmGreedy();
  const misaligned = greedy.offsets.map((o, i) => (i === 0 ? o + 8 : o));
  const aligned = await refusal(() => planModel(bytes, misaligned), 'misaligned');
  assert.equal(aligned.code, 'invalid-plan');
  assert.match(aligned.message, /not a multiple of its alignment 16/);
  assert.equal((await refusal(() => read.checkPlan(misaligned), 'checkPlan')).code, 'invalid-plan');

  const negative = await refusal(() => planModel(bytes, [-16, ...greedy.offsets.slice(1)]), 'negative');
  assert.equal(negative.code, 'invalid');
  assert.equal(negative.path, 'plan[0]');
  assert.equal((await refusal(() => planModel(bytes, { offsets: [0.5] }), 'fraction')).path, 'plan.offsets[0]');
  assert.equal((await refusal(() => planModel(bytes, 'offsets'), 'a string')).path, 'plan');
  assert.equal((await refusal(() => planModel('model', greedy), 'bytes as a string')).path, 'bytes');
  assert.equal((await refusal(() => readModel([1, 2, 3]), 'an array')).path, 'bytes');
});

/** Reads `bytes`; if that works, plans with TFLite Micro's own offsets. Only results or "invalid-model"/"invalid-plan" errors are allowed. */
async function survives(bytes, what) {
  let read;
  try {
    read = await readModel(bytes);
  } catch (error) {
    assert.ok(error instanceof BufpackError, `${what}: ${error}`);
    assert.equal(error.code, 'invalid-model', `${what}: ${error.message}`);
    assert.ok(error.message.length > 10 && typeof error.table === 'string', `${what}: ${JSON.stringify(error)}`);
    return 'refused';
  }
  try {
    const greedy = read.tflmGreedy();
    await planModel(bytes, greedy.offsets);
  } catch (error) {
    assert.ok(error instanceof BufpackError && ['invalid-model', 'invalid-plan'].includes(error.code), `${what}: ${error}`);
  }
  return 'read';
}

test('bad bytes: truncated, random, flipped: "invalid-model" with where, never a crash', async () => {
  const bytes = model('micro_speech_quantized.tflite');

  const empty = await refusal(() => readModel(new Uint8Array(0)), 'empty');
  assert.equal(empty.code, 'invalid-model');
  const notModel = await refusal(() => readModel(new TextEncoder().encode('id,lower,upper,size\na,0,1,4\n')), 'CSV');
  assert.equal(notModel.code, 'invalid-model');
  assert.match(notModel.message, /not a TensorFlow Lite model \(no 'TFL3' file identifier at byte 4\)/);
  const cut = await refusal(() => readModel(bytes.subarray(0, 200)), 'truncated at 200');
  assert.equal(cut.code, 'invalid-model');
  assert.match(cut.message, /^at byte \d+, /);
  assert.match(cut.message, /past the end of the 200-byte file \(truncated or corrupt\)/);
  assert.equal(typeof cut.byteOffset, 'number');

  const outcomes = { read: 0, refused: 0 };
  const count = (outcome) => outcomes[outcome]++;
  // Every truncation in steps, and near the end byte by byte.
  for (let length = 0; length < bytes.length; length += length < 64 ? 1 : 97) count(await survives(bytes.subarray(0, length), `first ${length} bytes`));
  for (let length = bytes.length - 64; length < bytes.length; length++) count(await survives(bytes.subarray(0, length), `first ${length} bytes`));
  // Random bytes, with and without the identifier.
  const next = rng(16);
  for (let i = 0; i < 200; i++) {
    const random = Uint8Array.from({ length: 8 + next(2000) }, () => next(256));
    if (i % 2 === 0) random.set([0x54, 0x46, 0x4c, 0x33], 4);
    count(await survives(random, `random #${i}`));
  }
  // Single and multiple bit flips of real models.
  for (const name of ['micro_speech_quantized.tflite', 'greedy_trap.tflite', 'hello_world_int8.tflite']) {
    const good = model(name);
    for (let i = 0; i < 300; i++) {
      const flipped = good.slice();
      const flips = 1 + next(4);
      for (let f = 0; f < flips; f++) {
        // Most of a model is weights; aim half the flips at its first KB (tables, vtables).
        const at = i % 2 === 0 ? next(Math.min(1024, good.length)) : next(good.length);
        flipped[at] ^= 1 << next(8);
      }
      count(await survives(flipped, `${name} with ${flips} flips (#${i})`));
    }
  }
  assert.ok(outcomes.refused > 300 && outcomes.read > 100, JSON.stringify(outcomes));
  // The instance still works.
  assert.equal((await readModel(model('greedy_trap.tflite'))).tflmGreedy().arena, 832);
});
