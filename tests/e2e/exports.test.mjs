// The web app's links, exports and recovery end to end in Debian's Chromium
// (playwright-core): a share link reopens the same problem with the same result; the PNG
// export is a PNG of the chart's size; the SVG export parses, holds a rectangle per buffer and
// shows the chart's current view; a worker that fails to start is reported and the next solve
// works; a double click fits the view without touching the selection.
//
// Run after `cargo xtask dist`:  node --test tests/e2e/   ($BUFPACK_DIST: another build)
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage } from '../../web/test/browser.mjs';
import { assertNoProblems, closeSite, fixture, openSite } from './site.mjs';

// Five buffers over times 0..21, packed in 12.
const small = fixture('examples/input.12.csv');

let site;
let page;

before(async () => {
  site = await openSite({ ready: '#examples:not([disabled])' });
  ({ page } = site);
});

after(() => closeSite(site));

afterEach(() => assertNoProblems(site));

async function setCapacity(value) {
  await page.fill('#capacity', value);
  await page.press('#capacity', 'Tab');
}

// Each solve of the small problem goes by a name of its own, which the chart's title shows
// once its result is in. Under the one name, the previous test's result (the same title and
// height) satisfied the wait at once, and the test went on with this solve still running:
// its end then re-rendered the page in the middle of the test's next steps (the selection a
// click had made was cleared by the new result; a capacity being typed was undone).
let smallSolves = 0;

async function solveSmall() {
  const name = `input.12.${++smallSolves}.csv`;
  await setCapacity('12');
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(small) });
  await waitForResult(page, 12, name);
}

async function waitForResult(on, height, title) {
  await on.waitForFunction(
    ([h, t]) =>
      document.querySelector('#height')?.textContent.replace(/\D/g, '') === String(h) &&
      document.querySelector('#chart-title')?.textContent === t &&
      !document.querySelector('.progress'),
    [height, title],
    { timeout: 60_000 },
  );
  await on.waitForSelector('canvas.chart-canvas[data-drawn="true"]', { timeout: 30_000 });
}

async function download(button) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return readFileSync(await file.path());
}

/** An SVG text parsed by the browser: whether it is an SVG document, its size and its rects. */
function parseSvg(text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: svg.localName,
      namespace: svg.namespaceURI,
      width: Number(svg.getAttribute('width')),
      height: Number(svg.getAttribute('height')),
      rects: [...doc.querySelectorAll('rect')].map((r) => ({
        fill: r.getAttribute('fill'),
        x: Number(r.getAttribute('x')),
        y: Number(r.getAttribute('y')),
        width: Number(r.getAttribute('width')),
        height: Number(r.getAttribute('height')),
      })),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent.trim()),
    };
  }, text);
}

test('a share link opens the same problem, solved to the same height', async () => {
  await solveSmall();
  await page.click('#share');
  await page.waitForFunction(() => location.hash.startsWith('#csv='));
  const link = page.url();
  assert.match(link, /#csv=[A-Za-z0-9_-]+&capacity=12$/);
  // Opened afresh, as whoever receives the link would.
  const { context: other, page: opened, problems: seen } = await openPage(site.browser);
  try {
    await opened.goto(link);
    await waitForResult(opened, 12, 'shared link');
    assert.equal(await opened.inputValue('#capacity'), '12');
    assert.match(await opened.textContent('#status'), /solved/);
    assert.equal(await opened.locator('table.buffers tbody tr').count(), 5);
    assert.deepEqual(seen, []);
  } finally {
    await other.close();
  }
});

test('the PNG export is a PNG of the chart', async () => {
  await solveSmall();
  const png = await download('#export-png');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  const canvas = await page.evaluate(() => {
    const c = document.querySelector('canvas.chart-canvas');
    return [c.width, c.height];
  });
  assert.deepEqual([width, height], canvas, 'the canvas at its size');
  assert.ok(width >= 300 && height >= 200, `${width}x${height}`);
  assert.ok(png.length > 2000, `${png.length} bytes: more than a blank image`);
});

test('the SVG export parses, draws every buffer, and shows the current view', async () => {
  await solveSmall();
  const whole = await parseSvg((await download('#export-svg')).toString('utf8'));
  assert.equal(whole.error, null);
  assert.equal(whole.root, 'svg');
  assert.equal(whole.namespace, 'http://www.w3.org/2000/svg');
  assert.ok(whole.width >= 320 && whole.height >= 200, `${whole.width}x${whole.height}`);
  // The background, then one rectangle per buffer (no gaps here), inside the image.
  const [background, ...buffers] = whole.rects;
  assert.deepEqual([background.x, background.y, background.width, background.height], [0, 0, whole.width, whole.height]);
  assert.equal(buffers.length, 5);
  for (const r of buffers) {
    assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.width <= whole.width && r.y + r.height <= whole.height, JSON.stringify(r));
    assert.notEqual(r.fill, background.fill);
  }
  assert.ok(whole.texts.includes('time') && whole.texts.includes('offset'), 'axis names');
  assert.ok(whole.texts.some((t) => /^capacity 12/.test(t)), 'the capacity line');
  // Zoomed in about the middle (times ~8 to ~13, a fifth of the offsets), some buffers
  // are out of view: the export shows what the chart shows.
  await page.focus('canvas.chart-canvas');
  for (let i = 0; i < 7; i++) await page.keyboard.press('+');
  await page.waitForSelector('canvas.chart-canvas[data-zoomed="true"]');
  const zoomed = await parseSvg((await download('#export-svg')).toString('utf8'));
  assert.equal(zoomed.error, null);
  const inView = zoomed.rects.length - 1;
  assert.ok(inView >= 1 && inView < 5, `${inView} buffers in view`);
  assert.notDeepEqual(zoomed.texts, whole.texts, 'other axis ticks');
  await page.keyboard.press('0');
});

test('a worker that fails is reported, the result stays, and the next solve works', async () => {
  await solveSmall();
  // The solver's worker script throws as it starts, once.
  await page.route(
    '**/bufpack/worker.js',
    (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: 'throw new Error("simulated worker crash");' }),
    { times: 1 },
  );
  await setCapacity('1048576');
  await page.setInputFiles('#file', { name: 'K.csv', mimeType: 'text/csv', buffer: Buffer.from(fixture('challenging/K.1048576.csv')) });
  const error = page.locator('.error');
  await error.waitFor({ timeout: 30_000 });
  assert.match(await error.textContent(), /The solver worker failed/);
  assert.match(await error.textContent(), /previous result is still shown/);
  assert.equal(await page.locator('.progress').count(), 0, 'not left running');
  assert.equal((await page.textContent('#height')).replace(/\D/g, ''), '12');
  // The page may log the worker's own uncaught error; nothing else.
  const seen = site.problems.splice(0).filter((p) => !/simulated worker crash/.test(p));
  assert.deepEqual(seen, []);
  // Solve again: a new worker, and it works.
  await page.click('button.primary');
  await waitForResult(page, 1048576, 'K.csv');
  assert.equal(await page.locator('.error').count(), 0);
});

test('a double click fits the view and leaves the selection as it was', async () => {
  await solveSmall();
  const box = await page.locator('canvas.chart-canvas').boundingBox();
  const selectedIds = () => page.$$eval('table.buffers tr.selected td:first-child', (cells) => cells.map((c) => c.textContent));
  // Select b5 (offset 0, times 0..21): the bottom band of the plot, left of the middle.
  const bottom = { x: box.x + box.width * 0.3, y: box.y + box.height - 60 };
  await page.mouse.click(bottom.x, bottom.y);
  await page.waitForFunction(() => document.querySelectorAll('table.buffers tr.selected').length === 1);
  const selected = await selectedIds();
  assert.equal(selected.length, 1);
  // Zoom in, then double-click empty space just under the plot's top (above the packing):
  // fitted again, selection untouched.
  await page.focus('canvas.chart-canvas');
  await page.keyboard.press('+');
  await page.waitForSelector('canvas.chart-canvas[data-zoomed="true"]');
  await page.keyboard.press('0');
  await page.waitForSelector('canvas.chart-canvas[data-zoomed="false"]');
  await page.keyboard.press('+');
  await page.waitForSelector('canvas.chart-canvas[data-zoomed="true"]');
  const empty = { x: box.x + box.width * 0.5, y: box.y + 20 };
  await page.mouse.dblclick(empty.x, empty.y);
  await page.waitForSelector('canvas.chart-canvas[data-zoomed="false"]');
  await page.waitForTimeout(200);
  assert.deepEqual(await selectedIds(), selected, 'the selection after a double click on empty space');
  // On another buffer as well (b3, above b5 at offsets 4..8 in the left half, or whichever
  // lies there): still the same selection.
  await page.mouse.dblclick(box.x + box.width * 0.2, box.y + box.height * 0.55);
  await page.waitForTimeout(200);
  assert.deepEqual(await selectedIds(), selected, 'the selection after a double click on a buffer');
  // A single click on empty space still clears it.
  await page.mouse.click(empty.x, empty.y);
  await page.waitForFunction(() => document.querySelectorAll('table.buffers tr.selected').length === 0);
});
