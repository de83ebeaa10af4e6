// The Learn view (teaching mode) end to end in Debian's Chromium: record the search of a
// small problem, step forward and back (the picture and the placements come back exactly),
// play to the end (every buffer placed, as the solver's own trace says), read a pruning in
// words with its section highlighted in the side panel, a curated example, the heuristics
// comparison and the ablation table. Screenshots go to target/e2e/.
//
// Run after `cargo xtask dist`:  node --test tests/e2e/   ($BUFPACK_DIST: another build)
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { assertNoProblems, closeSite, dist, fixture, loadPackage, openSite, shots } from './site.mjs';

// The package the site ships, run in Node: the reference for what the page must show.
const bufpack = await loadPackage();
// The Learn view teaches MiniMalloc's search: bufpack's own techniques off.
const MINIMALLOC = { canonicalFloor: false, fillHoles: false };

let site;
let page;
const requested = [];
let beforeLearn;

before(async () => {
  site = await openSite({
    height: 1000,
    beforeGoto: (page) => page.on('request', (request) => requested.push(new URL(request.url()).pathname)),
  });
  ({ page } = site);
  await page.waitForLoadState('networkidle');
  beforeLearn = [...requested];
  await page.click('#view-learn');
  // The Learn view is its own bundle, loaded on first use.
  await page.waitForSelector('#learn-examples', { timeout: 30_000 });
});

after(() => closeSite(site));

afterEach(() => assertNoProblems(site));

test('the Learn bundle is fetched only when its tab is opened', () => {
  assert.ok(beforeLearn.includes('/app_bg.wasm'), `first visit: ${beforeLearn}`);
  assert.ok(!beforeLearn.some((p) => p.startsWith('/learn')), `first visit: ${beforeLearn}`);
  // The search recorder (bufpack_trace_wasm) is the package's, loaded on the first trace.
  assert.ok(!beforeLearn.some((p) => p.includes('bufpack_trace_wasm')), `first visit: ${beforeLearn}`);
  assert.ok(requested.includes('/learn_bg.wasm'));
  // Nor does the app load the embeddable viewer (bufpack/view), which its footer links to.
  assert.ok(!requested.some((p) => p.includes('bufpack_view') || p.endsWith('/view.js')), `${requested}`);
});

test("the footer links to the viewer's example page, which the site ships", async () => {
  assert.equal(await page.locator('footer a[href="view.html"]').count(), 1);
  assert.ok(readdirSync(dist).includes('view.html'));
  assert.ok(readdirSync(path.join(dist, 'bufpack')).includes('bufpack_view_bg.wasm'));
});

const step = () => page.$eval('#learn-canvas', (c) => Number(c.dataset.step));
const placed = () => page.$eval('#learn-canvas', (c) => Number(c.dataset.placed));
const pixels = () => page.$eval('#learn-canvas', (c) => c.toDataURL());

async function record(csv, capacity) {
  await page.evaluate(() => (document.querySelector('details.own').open = true));
  await page.fill('#learn-csv', csv);
  await page.fill('#learn-capacity', capacity === undefined ? '' : String(capacity));
  await page.click('#learn-own');
  await page.waitForFunction(() => document.querySelector('#learn-canvas')?.dataset.step === '0', null, { timeout: 30_000 });
}

test('a recorded search steps forward and back to exactly the same pictures', async () => {
  const csv = fixture('examples/input.12.csv');
  await record(csv, 12);
  const expected = await bufpack.traceSearch(bufpack.Problem.fromCsv(csv), { capacity: 12, ...MINIMALLOC });
  const total = Number(await page.$eval('#learn-scrub', (s) => s.max));
  assert.equal(total, expected.events.length, 'the page holds the whole trace');
  const before = [await pixels()];
  const placedBefore = [await placed()];
  for (let i = 1; i <= Math.min(6, total); i++) {
    await page.click('#learn-forward');
    assert.equal(await step(), i);
    before.push(await pixels());
    placedBefore.push(await placed());
  }
  assert.notEqual(before[0], before.at(-1), 'the chart changes as buffers are placed');
  // Back to the start: every picture and count comes back.
  for (let i = before.length - 2; i >= 0; i--) {
    await page.click('#learn-back');
    assert.equal(await step(), i);
    assert.equal(await placed(), placedBefore[i]);
    assert.equal(await pixels(), before[i], `picture at step ${i}`);
  }
  // Keys step too.
  await page.focus('main.learn');
  await page.keyboard.press('ArrowRight');
  assert.equal(await step(), 1);
  await page.keyboard.press('End');
  assert.equal(await step(), total);
  assert.equal(await placed(), 5, 'all five buffers placed at the end');
  assert.match(await page.textContent('#learn-ending'), /Solved: a packing of height 12/);
  await page.screenshot({ path: path.join(shots, 'learn-example.png'), fullPage: true });
});

test('play runs to the end by itself, and the speed slider is read', async () => {
  await page.click('#learn-first');
  assert.equal(await step(), 0);
  await page.fill('#learn-speed', '5.9'); // about 60 steps a second
  await page.click('#learn-play');
  const total = Number(await page.$eval('#learn-scrub', (s) => s.max));
  await page.waitForFunction((t) => Number(document.querySelector('#learn-canvas').dataset.step) === t, total, { timeout: 30_000 });
  assert.equal(await page.textContent('#learn-play'), 'Play', 'stopped at the end');
});

test('the infeasible example: a section pruning is told in words, its technique lit, the end says why', async () => {
  const csv = fixture('teaching/infeasible.6.csv');
  const trace = await bufpack.traceSearch(bufpack.Problem.fromCsv(csv), { capacity: 6, ...MINIMALLOC });
  assert.equal(trace.outcome, 'infeasible');
  const first = trace.events.findIndex((e) => e.kind === 'prune' && e.rule === 'section');
  assert.ok(first >= 0, 'the example prunes by section inference');
  const prune = trace.events[first];
  const index = await page.$eval('#learn-examples', (select) =>
    [...select.options].find((o) => o.textContent.startsWith('Infeasible')).value);
  await page.selectOption('#learn-examples', index);
  await page.waitForFunction(() => document.querySelector('#stage-title')?.textContent.startsWith('Infeasible'), null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('#learn-canvas')?.dataset.step === '0');
  assert.equal(Number(await page.$eval('#learn-scrub', (s) => s.max)), trace.events.length);
  await page.fill('#learn-scrub', String(first + 1));
  assert.equal(await step(), first + 1);
  const words = await page.textContent('#learn-step');
  assert.match(words, /Section inference/);
  assert.match(words, new RegExp(`just before time ${prune.time}`));
  assert.match(words, new RegExp(`${prune.floor} \\+ ${prune.total} = ${prune.floor + prune.total} > capacity 6`));
  const lit = await page.$$eval('.technique.active', (els) => els.map((e) => e.dataset.technique));
  assert.deepEqual(lit, ['section']);
  await page.screenshot({ path: path.join(shots, 'learn-prune.png'), fullPage: true });
  await page.click('#learn-last');
  assert.match(await page.textContent('#learn-ending'), /Infeasible: no packing exists/);
});

test('a curated example loads from the menu with its idea', async () => {
  const files = readdirSync(path.join(dist, 'examples/teaching')).filter((f) => f.endsWith('.csv'));
  assert.ok(files.length >= 5, `curated examples shipped: ${files}`);
  const options = await page.$$eval('#learn-examples option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.equal(options.length, files.length, 'each shipped example is in the menu');
  const before = await page.$eval('#stage-title', (h) => h.textContent);
  await page.selectOption('#learn-examples', options[0]);
  await page.waitForFunction((b) => document.querySelector('#stage-title')?.textContent !== b, before, { timeout: 30_000 });
  assert.ok((await page.textContent('.idea')).length > 20);
});

test('the comparison shows the heuristics above or at LOAD and the exact packing lowest', async () => {
  await page.click('#compare-run');
  await page.waitForSelector('#compare-results figure.exact', { timeout: 30_000 });
  const heights = await page.$$eval('#compare-results figure', (fs) => fs.map((f) => [f.classList.contains('exact'), Number(f.dataset.height)]));
  const exact = heights.find(([e]) => e)[1];
  assert.ok(heights.length >= 5);
  for (const [, h] of heights) assert.ok(h >= exact, 'no heuristic beats the optimum');
  await page.screenshot({ path: path.join(shots, 'learn-compare.png'), fullPage: true });
});

test('the ablation table runs every technique off in turn', async () => {
  await page.click('#ablation-each');
  await page.waitForFunction(() => document.querySelectorAll('#ablation-table tbody tr').length === 10, null, { timeout: 60_000 });
  await page.waitForFunction(() => !document.querySelector('#ablation-each').disabled, null, { timeout: 60_000 });
  const rows = await page.$$eval('#ablation-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.match(rows[0][0], /All on/);
  const nodes = rows.map((r) => Number(r[2]));
  assert.ok(nodes.every((n) => n > 0), `${nodes}`);
  // Switches change the effort, never the answer (a run may hit its 10 s limit).
  const outcomes = new Set(rows.map((r) => r[1]).filter((o) => o !== 'stopped'));
  assert.equal(outcomes.size, 1, `every configuration agrees on the answer: ${[...outcomes]}`);
});

test('the Learn view follows the page theme', async () => {
  const corner = () => page.$eval('#learn-canvas', (c) => Array.from(c.getContext('2d').getImageData(2, 2, 1, 1).data.slice(0, 3)));
  const light = await corner();
  await page.click('button[title="Switch between light and dark"]');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.waitForFunction(
    () => {
      const [r, g, b] = document.querySelector('#learn-canvas').getContext('2d').getImageData(2, 2, 1, 1).data;
      return r + g + b < 200;
    },
    null,
    { timeout: 10_000 },
  );
  assert.ok(light.reduce((a, b) => a + b) > 600, `light background ${light}`);
  await page.screenshot({ path: path.join(shots, 'learn-dark.png'), fullPage: false });
  await page.click('button[title="Switch between light and dark"]');
});

test('the search recorder was fetched once, for the traces', () => {
  const fetched = requested.filter((p) => p.endsWith('/bufpack/bufpack_trace_wasm_bg.wasm'));
  assert.equal(fetched.length, 1, `${requested}`);
});
