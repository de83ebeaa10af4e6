// The web app end to end in Debian's Chromium (playwright-core): load the page, load CSVs by
// the file input and by a simulated drop, wait for the result, check the chart has drawn,
// hover for a tooltip, show a malformed CSV's line and keep the previous chart, cancel a long
// solve (also one that replaced another), keep what is typed into a field while a solve runs,
// export a CSV the validator accepts. Screenshots go to target/e2e/ (CI artifacts).
//
// Run after `cargo xtask dist`:  node --test tests/e2e/   ($BUFPACK_DIST: another build)
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assertNoProblems, closeSite, fixture, loadPackage, openSite, shots } from './site.mjs';

// The validator of the package the site ships, run in Node.
const bufpack = await loadPackage();

let site;
let page;

before(async () => {
  site = await openSite();
  ({ page } = site);
});

after(() => closeSite(site));

afterEach(() => assertNoProblems(site));

async function loadByInput(name, text) {
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

async function dropFile(name, text) {
  await page.evaluate(
    ([name, text]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: 'text/csv' }));
      const target = document.querySelector('.app');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    [name, text],
  );
}

async function setCapacity(value) {
  await page.fill('#capacity', value);
  await page.press('#capacity', 'Tab');
}

async function waitForResult(height) {
  await page.waitForFunction((h) => document.querySelector('#height')?.textContent.replace(/\D/g, '') === String(h), height, {
    timeout: 60_000,
  });
  await page.waitForSelector('canvas.chart-canvas[data-drawn="true"]', { timeout: 30_000 });
}

/** How many distinct colours the chart's canvas shows: a drawn chart has many. */
async function canvasColours() {
  return page.evaluate(() => {
    const canvas = document.querySelector('canvas.chart-canvas');
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 97) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
}

test('the page loads and offers its inputs', async () => {
  assert.equal(await page.title(), 'bufpack: static buffer packing');
  assert.ok(await page.isVisible('text=Drop a buffer CSV'));
  assert.ok(await page.isEnabled('#examples'));
});

test('a CSV from the file input is solved and drawn', async () => {
  await setCapacity('12');
  await loadByInput('input.12.csv', fixture('examples/input.12.csv'));
  await waitForResult(12);
  assert.ok((await canvasColours()) > 4, 'the chart has drawn rectangles');
  assert.match(await page.textContent('#status'), /solved/);
  await page.screenshot({ path: path.join(shots, 'example.png') });
});

test('hovering a buffer shows its tooltip', async () => {
  const box = await page.locator('canvas.chart-canvas').boundingBox();
  let text = null;
  // Sweep a column through the middle of the plot until a buffer is under the pointer.
  for (let y = 0.15; y < 0.95 && !text; y += 0.05) {
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * y);
    text = await page
      .waitForSelector('.chart-tooltip', { state: 'visible', timeout: 300 })
      .then((e) => e.textContent())
      .catch(() => null);
  }
  assert.ok(text, 'a tooltip appeared');
  assert.match(text, /b[1-5]/);
  assert.match(text, /size/i);
});

test('a dropped CSV replaces the layout', async () => {
  await setCapacity('1048576');
  await dropFile('K.1048576.csv', fixture('challenging/K.1048576.csv'));
  await waitForResult(1048576);
  assert.match(await page.textContent('#chart-title'), /K\.1048576\.csv/);
  await page.screenshot({ path: path.join(shots, 'dropped-K.png') });
});

test('a malformed CSV shows its line and column and keeps the previous chart', async () => {
  await loadByInput('bad.csv', 'id,lower,upper,size\nb1,0,3,4\nb2,0,x,4\n');
  const error = page.locator('.error');
  await error.waitFor({ timeout: 30_000 });
  assert.match(await error.textContent(), /Line 3, column 6/);
  assert.match(await error.textContent(), /previous result is still shown/);
  assert.equal((await page.textContent('#height')).replace(/\D/g, ''), '1048576');
  assert.ok(await page.isVisible('canvas.chart-canvas'));
  await page.screenshot({ path: path.join(shots, 'parse-error.png') });
});

test('Cancel stops a long solve and keeps the previous result', async () => {
  // D at 990000 lies between its proven bound and its best known packing: minutes of search.
  await setCapacity('990000');
  await page.fill('#timeout', '600');
  await page.press('#timeout', 'Tab');
  await dropFile('D.990000.csv', fixture('challenging/D.1048576.csv'));
  await page.waitForSelector('.progress', { timeout: 30_000 });
  await page.waitForFunction(() => /nodes/.test(document.querySelector('.progress')?.textContent ?? ''));
  await page.click('#cancel');
  await page.waitForSelector('.notice', { timeout: 5_000 });
  assert.match(await page.textContent('.notice'), /Cancelled/);
  assert.equal(await page.locator('.progress').count(), 0);
  assert.equal((await page.textContent('#height')).replace(/\D/g, ''), '1048576');
});

/** Starts D at 990000 (minutes of search, see above) under `name` and waits for its progress. */
async function startLongSolve(name) {
  await setCapacity('990000');
  await page.fill('#timeout', '600');
  await page.press('#timeout', 'Tab');
  await dropFile(name, fixture('challenging/D.1048576.csv'));
  await page.waitForFunction(
    (name) => {
      const text = document.querySelector('.progress')?.textContent ?? '';
      return text.includes(name) && /nodes/.test(text);
    },
    name,
    { timeout: 30_000 },
  );
}

test('what is typed into a field stays while a running solve updates the page', async () => {
  await startLongSolve('D.typing.csv');
  // Typed, not yet committed (that is the change event, on Enter or on leaving the field),
  // while each progress report renders the controls again.
  const reports = async (count) => {
    for (let report = 0; report < count; report++) {
      const shown = await page.textContent('.progress .figures');
      await page.waitForFunction((shown) => document.querySelector('.progress .figures')?.textContent !== shown, shown);
    }
  };
  await page.fill('#capacity', '1048576');
  await reports(3);
  assert.equal(await page.inputValue('#capacity'), '1048576');
  await page.fill('#timeout', '7');
  await reports(3);
  assert.equal(await page.inputValue('#timeout'), '7');
  await page.click('#cancel');
  await page.waitForSelector('.notice', { timeout: 5_000 });
  // Leaving the fields committed them; they still show what was typed.
  assert.equal(await page.inputValue('#capacity'), '1048576');
  assert.equal(await page.inputValue('#timeout'), '7');
});

test('Cancel stops a solve that replaced another', async () => {
  await startLongSolve('D.first.csv');
  await startLongSolve('D.second.csv');
  await page.click('#cancel');
  await page.waitForSelector('.notice', { timeout: 5_000 });
  assert.match(await page.textContent('.notice'), /Cancelled/);
  assert.equal(await page.locator('.progress').count(), 0);
  assert.equal((await page.textContent('#height')).replace(/\D/g, ''), '1048576');
  // Neither search is left running.
  const deadline = Date.now() + 5_000;
  while (page.workers().length > 0 && Date.now() < deadline) await page.waitForTimeout(50);
  assert.equal(page.workers().length, 0, 'solver workers still running');
});

test('the exported CSV is a solution the validator accepts', async () => {
  await setCapacity('');
  await loadByInput('input.12.csv', fixture('examples/input.12.csv'));
  await waitForResult(12);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /^id,lower,upper,size,offset\n/);
  const problem = bufpack.Problem.fromCsv(text);
  const offsets = problem.buffers.map((b) => b.offset);
  assert.deepEqual(bufpack.validateSolution(problem, { offsets }), { valid: true });
  assert.equal(Math.max(...problem.buffers.map((b) => b.offset + b.size)), 12);
});

test('the Advanced panel lists every switch, bufpack\'s own marked, and sends them to the solver', async () => {
  await page.click('details.advanced summary');
  const labels = await page.$$eval('details.advanced label.check', (ls) => ls.map((l) => l.textContent.trim()));
  const own = labels.filter((l) => /bufpack's own/.test(l));
  assert.deepEqual(own, [
    "Canonical floor (bufpack's own)",
    "Fill holes (bufpack's own)",
    "Ledges (bufpack's own)",
    "Ordered stacks (bufpack's own)",
    "Limited discrepancy (bufpack's own)",
    "Flat load (bufpack's own)",
    "Release floors (bufpack's own)",
    "Aligned stacks (bufpack's own)",
    "Time orderings (bufpack's own)",
    "Handovers (bufpack's own)",
    "Widen windows (bufpack's own)",
    "Peak windows (bufpack's own)",
    "Layers (bufpack's own)",
    "Hot parts (bufpack's own)",
  ]);
  assert.equal(labels.length, 23, `${labels}`);
  await page.screenshot({ path: path.join(shots, 'advanced.png'), fullPage: true });
  // Record the options the app gives the package (its namespace is read-only: a copy with
  // solveInWorker wrapped stands in), then solve with Fill holes off.
  await page.evaluate(() => {
    const original = globalThis.bufpack;
    globalThis.originalBufpack = original;
    globalThis.bufpack = {
      ...original,
      solveInWorker: (input, options) => {
        globalThis.lastSolveOptions = { ...options };
        return original.solveInWorker(input, options).finally(() => (globalThis.lastSolveDone = true));
      },
    };
  });
  const fillHoles = page.locator('details.advanced label.check', { hasText: 'Fill holes' }).locator('input');
  await fillHoles.uncheck();
  await setCapacity('12');
  await loadByInput('input.12.csv', fixture('examples/input.12.csv'));
  await page.waitForFunction(() => globalThis.lastSolveDone === true, null, { timeout: 60_000 });
  await waitForResult(12);
  const sent = await page.evaluate(() => globalThis.lastSolveOptions);
  assert.equal(sent.fillHoles, false);
  assert.equal(sent.canonicalFloor, true);
  assert.equal(sent.ledges, true);
  assert.equal(sent.orderedStacks, true);
  assert.equal(sent.limitedDiscrepancy, true);
  assert.equal(sent.flatLoad, true);
  assert.equal(sent.releaseFloors, true);
  assert.equal(sent.alignedStacks, true);
  assert.equal(sent.timeOrderings, true);
  assert.equal(sent.handovers, true);
  assert.equal(sent.widenWindows, true);
  assert.equal(sent.peakWindows, true);
  assert.equal(sent.layers, true);
  assert.equal(sent.hotParts, true);
  assert.equal(sent.hatlessPruning, true);
  await fillHoles.check();
  await page.evaluate(() => (globalThis.bufpack = globalThis.originalBufpack));
  await page.click('details.advanced summary');
});
