// TensorFlow Lite Micro models in the app, end to end in Chromium: a dropped .tflite is
// solved like a CSV, the figures compare TFLM's arena with bufpack's, the time axis and the
// tooltips name the operators, the planned model downloads (and reads back with its plan),
// a model TFLM already packs optimally says so with the download disabled, and a corrupted
// model is an error that keeps the result on screen. The package's model support is not
// fetched until a model is dropped. Screenshots go to target/e2e/.
//
// Run after `cargo xtask dist`:  node --test tests/e2e/models.test.mjs
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assertNoProblems, closeSite, dist, loadPackage, openSite, root, shots } from './site.mjs';

const bufpack = await loadPackage();
const model = (name) => readFileSync(path.join(root, 'models/tests/fixtures/tflite', name));

let site;
let page;
/** Every URL the page requested. */
const requested = [];

before(async () => {
  site = await openSite({ beforeGoto: (p) => p.on('request', (request) => requested.push(new URL(request.url()).pathname)) });
  ({ page } = site);
});

after(() => closeSite(site));

afterEach(() => assertNoProblems(site));

/** Drops a file of `bytes` on the page, as a user would. */
async function dropBytes(name, bytes) {
  await page.evaluate(
    ([name, data]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], name, { type: 'application/octet-stream' }));
      const target = document.querySelector('.app');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    [name, [...bytes]],
  );
}

async function waitForModel(name) {
  await page.waitForFunction(
    (title) => document.querySelector('#chart-title')?.textContent === title && document.querySelector('#model-summary') && !document.querySelector('.progress'),
    name,
    { timeout: 60_000 },
  );
  await page.waitForSelector('canvas.chart-canvas[data-drawn="true"]', { timeout: 30_000 });
}

async function download(button) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** Moves the pointer across the middle of the chart until a tooltip matches `pattern`; the tooltips seen. */
async function tooltips(pattern) {
  const box = await page.locator('canvas.chart-canvas').boundingBox();
  const seen = [];
  for (let fx = 0.1; fx < 0.98; fx += 0.04) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.5);
    const tip = page.locator('.chart-tooltip:not([hidden])');
    if (!(await tip.count())) continue;
    seen.push(await tip.textContent());
    if (pattern.test(seen.at(-1))) break;
  }
  return seen.join(' | ');
}

test('the first visit fetches neither the model support nor the search recorder, and stays under 400 KB gzipped', () => {
  assert.ok(requested.includes('/bufpack/bufpack_wasm_bg.wasm'), requested.join(' '));
  assert.ok(!requested.some((p) => p.includes('bufpack_models_wasm')), requested.join(' '));
  assert.ok(!requested.some((p) => p.includes('bufpack_trace_wasm')), requested.join(' '));
  const files = [...new Set(requested.map((p) => (p === '/' ? '/index.html' : p)))].filter((p) => existsSync(path.join(dist, p)));
  const gzipped = files.reduce((total, p) => total + gzipSync(readFileSync(path.join(dist, p)), { level: 9 }).length, 0);
  assert.ok(files.includes('/app_bg.wasm') && files.includes('/index.html'), files.join(' '));
  assert.ok(gzipped < 400 * 1024, `first visit: ${(gzipped / 1024).toFixed(1)} KB gzipped in ${files.join(', ')}`);
});

test('greedy_trap.tflite: TFLM needs 832 bytes, bufpack 640; the planned model downloads', async () => {
  const input = model('greedy_trap.tflite');
  await dropBytes('greedy_trap.tflite', input);
  await waitForModel('greedy_trap.tflite');
  assert.ok(requested.some((p) => p.endsWith('/bufpack/bufpack_models_wasm_bg.wasm')), 'the model support loads on first use');
  assert.equal((await page.textContent('#height')).replace(/\D/g, ''), '640');
  const summary = await page.textContent('#model-summary');
  assert.equal(summary, 'TFLM greedy: 832 bytes, bufpack: 640 bytes (optimal), lower bound 640; saves 192 bytes (23.1%)');

  // The operators by name: under the time axis (the SVG export draws what the canvas does)
  // and in the tooltip.
  const svg = (await download('#export-svg')).bytes.toString('utf8');
  assert.equal(svg.match(/>\s*FULLY_CONNECTED\s*</g)?.length, 6, 'six FULLY_CONNECTED steps named on the axis');
  assert.match(svg, />\s*inputs\s*</);
  assert.match(await tooltips(/FULLY_CONNECTED/), /FULLY_CONNECTED/);
  // A tensor's tooltip says which operators it lives through.
  assert.match(await tooltips(/from \S+ \(step \d+\) to \S+ \(step \d+\)/), /from (inputs|FULLY_CONNECTED) \(step \d+\) to FULLY_CONNECTED \(step \d+\)/);
  await page.screenshot({ path: path.join(shots, 'model-greedy-trap.png') });

  // The planned model: a TensorFlow Lite file, not the input, carrying the plan.
  const planned = await download('#export-model');
  assert.equal(planned.name, 'greedy_trap.planned.tflite');
  assert.equal(planned.bytes.subarray(4, 8).toString('latin1'), 'TFL3');
  assert.notDeepEqual(planned.bytes, input);
  const again = await bufpack.readModel(planned.bytes);
  assert.equal(again.offlinePlan.kind, 'valid');
  const original = await bufpack.readModel(input);
  assert.deepEqual(again.problem.buffers, original.problem.buffers);
  const offsets = again.tensors.map((t) => again.offlinePlan.offsets[t.planIndex]);
  assert.equal(again.checkPlan(offsets), 640);

  // The CSV export still holds the buffers and their offsets.
  const csv = (await download('#export-csv')).bytes.toString('utf8');
  assert.match(csv, /^id,lower,upper,size,alignment,offset\n/);
  const problem = bufpack.Problem.fromCsv(csv);
  const fromCsv = problem.buffers.map((b) => b.offset);
  assert.deepEqual(fromCsv, offsets);
});

test('a model TFLM already packs optimally: no saving, download disabled with the reason', async () => {
  await dropBytes('hello_world_int8.tflite', model('hello_world_int8.tflite'));
  await waitForModel('hello_world_int8.tflite');
  const summary = await page.textContent('#model-summary');
  assert.match(summary, /^TFLM greedy: 32 bytes, bufpack: 32 bytes \(optimal\), lower bound 32; no saving: TFLM's plan is already as small$/);
  const button = page.locator('#export-model');
  assert.equal(await button.isDisabled(), true);
  assert.match(await button.getAttribute('title'), /^No saving: TFLM already needs only 32 bytes/);
  await page.screenshot({ path: path.join(shots, 'model-no-saving.png') });

  // A larger model: too many steps to name on the axis at this width, named in the tooltip.
  await dropBytes('person_detect.tflite', model('person_detect.tflite'));
  await waitForModel('person_detect.tflite');
  assert.match(await page.textContent('#model-summary'), /TFLM greedy: 55\u2009296 bytes, bufpack: 55\u2009296 bytes \(optimal\).*no saving/);
  assert.match(await tooltips(/CONV_2D/), /CONV_2D/);
  await page.screenshot({ path: path.join(shots, 'model-person-detect.png') });
});

test('a corrupted model shows what is wrong and where, and keeps the result', async () => {
  const truncated = model('greedy_trap.tflite').subarray(0, 300);
  await dropBytes('broken.tflite', truncated);
  const error = page.locator('.error');
  await error.waitFor({ timeout: 30_000 });
  const text = await error.textContent();
  assert.match(text, /Cannot read this model/);
  assert.match(text, /at byte \d+, .*past the end of the 300-byte file \(truncated or corrupt\)/);
  assert.match(text, /previous result is still shown/);
  assert.equal(await page.textContent('#chart-title'), 'person_detect.tflite');
  assert.ok(await page.isVisible('#model-summary'));
  await page.screenshot({ path: path.join(shots, 'model-error.png') });

  // Flipped bytes in the tables: read or refused, never a crash (afterEach checks the console).
  const flipped = Buffer.from(model('greedy_trap.tflite'));
  flipped[20] ^= 0xff;
  flipped[21] ^= 0xff;
  await dropBytes('flipped.tflite', flipped);
  await page.waitForFunction(
    (before) => (document.querySelector('.error')?.textContent ?? before) !== before || document.querySelector('#chart-title')?.textContent === 'flipped.tflite',
    text,
    { timeout: 60_000 },
  );
});
