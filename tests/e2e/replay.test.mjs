// `<bufpack-replay>` and `mountReplay` (npm subpath `bufpack/view`) end to end in Debian's
// Chromium: a plain HTML page with a replay of a trace the page recorded (`traceSearch`), one
// that records its own search from a `csv` attribute in the package's worker, one inside
// another component's shadow root at the optimum (no capacity), one mounted with
// mountReplay, and bad inputs. Each draws (pixels read back); stepping forward then back
// gives the same pictures; play advances and pause stops; the narration follows; bad input
// shows its error in place; `destroy` leaves no listener, observer or worker behind.
// Screenshots go to target/e2e/replay*.png.
//
// Run after `cargo xtask dist`:  node --test tests/e2e/   ($BUFPACK_DIST: another build)
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fixture, loadPackage, shots } from './site.mjs';
import { INSTRUMENT, assertNoProblems, census as censusOf, errorIn, openViewPage } from './view-page.mjs';

const bufpack = await loadPackage();
const input = fixture('examples/input.12.csv');
const teaching = fixture('teaching/perfect.11.csv');
const problem = bufpack.Problem.fromCsv(input);
// The search the page will record, recorded here too: its length and its ending.
const reference = await bufpack.traceSearch(bufpack.Problem.fromCsv(input), { capacity: 12 });
assert.ok(reference.events.length > 10, `a trace to step through (${reference.events.length} events)`);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bufpack-replay test</title><link rel="icon" href="data:,">
${INSTRUMENT}
<style>
  body { margin: 0; font: 14px system-ui, sans-serif; }
  .row { display: flex; gap: 8px; padding: 8px; }
  .row > * { flex: 1 1 0; min-width: 0; }
  bufpack-replay { height: 400px; }
  #mounted { height: 360px; }
</style></head>
<body>
  <div class="row">
    <bufpack-replay id="from-trace" capacity="12"></bufpack-replay>
    <bufpack-replay id="from-csv" capacity="11"></bufpack-replay>
  </div>
  <div class="row">
    <div id="host"></div>
    <div id="mounted"></div>
  </div>
  <div class="row">
    <bufpack-replay id="malformed"></bufpack-replay>
    <bufpack-replay id="wrong"></bufpack-replay>
    <bufpack-replay id="promised" capacity="12"></bufpack-replay>
    <bufpack-replay id="missing" src="/missing.csv" capacity="5"></bufpack-replay>
    <bufpack-replay id="no-capacity"></bufpack-replay>
  </div>
  <div id="late"></div>
  <script>window.baseline = window.leaks();</script>
  <script type="module">
    import { Problem, traceSearch } from '/bufpack/index.js';
    import { mountReplay } from '/bufpack/view.js';
    const problem = Problem.fromCsv(${JSON.stringify(input)});
    const fromTrace = document.getElementById('from-trace');
    fromTrace.problem = problem;
    fromTrace.trace = await traceSearch(problem, { capacity: 12 });
    document.getElementById('from-csv').setAttribute('csv', ${JSON.stringify(teaching)});
    // Inside another component's shadow root, at the optimum (no capacity).
    const shadow = document.getElementById('host').attachShadow({ mode: 'open' });
    shadow.innerHTML = '<style>bufpack-replay { height: 400px; }</style><bufpack-replay id="inner" theme="dark"></bufpack-replay>';
    shadow.getElementById('inner').setAttribute('csv', ${JSON.stringify(teaching)});
    window.handle = mountReplay(document.getElementById('mounted'), { trace: await traceSearch(problem, { capacity: 12 }), problem, capacity: 12, theme: 'dark' });
    document.getElementById('malformed').setAttribute('csv', 'id,lower,upper,size\\na,0,4,2\\nb,2,x,3\\n');
    // A trace of the 12-buffer problem, given a 2-buffer problem.
    const wrong = document.getElementById('wrong');
    wrong.problem = Problem.fromCsv('id,lower,upper,size\\na,0,4,2\\nb,2,6,3\\n');
    wrong.setAttribute('capacity', '5');
    wrong.trace = fromTrace.trace;
    // traceSearch without its await: the promise itself.
    const promised = document.getElementById('promised');
    promised.problem = problem;
    promised.trace = traceSearch(problem, { capacity: 12 });
    // A trace without the capacity it was recorded at (the problem has none).
    const noCapacity = document.getElementById('no-capacity');
    noCapacity.problem = problem;
    noCapacity.trace = fromTrace.trace;
    window.ready = true;
  </script>
</body></html>`;

let opened; // { browser, page, problems, close }
let page;

before(async () => {
  opened = await openViewPage(PAGE, { width: 1200, height: 1300 });
  ({ page } = opened);
});

after(() => opened?.close());

afterEach(() => assertNoProblems(opened.problems));

/** The replay's canvas; `selector` pierces shadow roots (Playwright's CSS does). */
const canvas = (selector) => page.locator(`${selector} canvas.bp-step`);

/** Waits until the replay's canvas shows step `step` (any step when undefined). */
async function atStep(selector, step) {
  const c = canvas(selector);
  await c.waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    ([element, wanted]) => element.dataset.step !== undefined && (wanted === null || element.dataset.step === String(wanted)),
    [await c.elementHandle(), step ?? null],
    { timeout: 60_000 },
  );
}

const step = async (selector) => Number(await canvas(selector).getAttribute('data-step'));
const picture = (selector) => canvas(selector).evaluate((c) => c.toDataURL());
const narration = (selector) => page.locator(`${selector} .bp-narration`).textContent();

/** Colours in the replay's canvas and how many pixels are not the background. */
const census = (selector) => censusOf(canvas(selector));

test('every replay draws: from a trace, recorded from csv, in a shadow root at the optimum, mounted', async () => {
  for (const selector of ['#from-trace', '#from-csv', '#inner', '#mounted']) {
    await atStep(selector, 0);
    const { colours, ink, size } = await census(selector);
    assert.ok(colours > 4, `${selector}: ${colours} colours`);
    assert.ok(ink > size * 0.02, `${selector}: ${ink} of ${size} pixels drawn`);
  }
  assert.ok((await census('#from-trace')).bg.every((v) => v > 200), 'light background');
  assert.ok((await census('#inner')).bg.every((v) => v < 60), 'dark background');
  const figures = await page.locator('#from-trace .bp-figures').textContent();
  assert.equal(figures, `capacity 12 · ${problem.buffers.length} buffers · 0 placed · step 0 of ${reference.events.length}`);
  assert.match(await narration('#from-trace'), new RegExp(`^Before the search: ${problem.buffers.length} buffers to place under capacity 12\\.`));
  // Recorded in the worker at the capacity given, and at the optimum without one.
  assert.match(await page.locator('#from-csv .bp-figures').textContent(), /^capacity 11 · 7 buffers · 0 placed · step 0 of [1-9]\d*/);
  assert.match(await page.locator('#inner .bp-figures').textContent(), /^capacity 11 · 7 buffers/);
  await page.screenshot({ path: path.join(shots, 'replay.png'), fullPage: true });
});

test('stepping forward then back gives identical pictures, and the words follow', async () => {
  for (const selector of ['#from-trace', '#from-csv']) {
    await atStep(selector, 0);
    const pictures = [await picture(selector)];
    const words = [await narration(selector)];
    for (let i = 1; i <= 6; i += 1) {
      await page.locator(`${selector} .bp-forward`).click();
      await atStep(selector, i);
      pictures.push(await picture(selector));
      words.push(await narration(selector));
    }
    if (selector === '#from-trace') await page.screenshot({ path: path.join(shots, 'replay-stepped.png'), fullPage: true });
    assert.ok(new Set(pictures).size > 2, `${selector}: the steps change the picture`);
    assert.ok(new Set(words).size > 2, `${selector}: the steps change the words`);
    for (let i = 5; i >= 0; i -= 1) {
      await page.locator(`${selector} .bp-back`).click();
      await atStep(selector, i);
      assert.equal(await picture(selector), pictures[i], `${selector}: step ${i} again`);
      assert.equal(await narration(selector), words[i], `${selector}: the words of step ${i} again`);
    }
  }
});

test('seek (the slider, End, Start) and the keyboard move the cursor', async () => {
  const selector = '#from-trace';
  const scrub = page.locator(`${selector} .bp-scrub`);
  await scrub.evaluate((input) => {
    input.value = '7';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await atStep(selector, 7);
  await page.locator(`${selector} .bp-last`).click();
  await atStep(selector, reference.events.length);
  assert.equal(await page.locator(`${selector} .bp-forward`).isDisabled(), true);
  const placed = await page.locator(`${selector} .bp-figures`).textContent();
  if (reference.outcome === 'solved') {
    assert.match(placed, new RegExp(`${problem.buffers.length} placed`), 'every buffer placed at the end of a solved search');
  }
  await page.locator(`${selector} .bp-first`).click();
  await atStep(selector, 0);
  await page.locator(`${selector} .bp-stage`).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await atStep(selector, 2);
  await page.keyboard.press('ArrowLeft');
  await atStep(selector, 1);
});

test('play advances, pause stops', async () => {
  const selector = '#from-csv';
  await atStep(selector);
  if ((await step(selector)) !== 0) await page.locator(`${selector} .bp-first`).click();
  await atStep(selector, 0);
  // The fastest speed, so the test does not wait long.
  await page.locator(`${selector} .bp-speed input`).evaluate((input) => {
    input.value = input.max;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const play = page.locator(`${selector} .bp-play`);
  await play.click();
  assert.equal(await play.getAttribute('aria-pressed'), 'true');
  await page.waitForFunction((element) => Number(element.dataset.step) >= 3, await canvas(selector).elementHandle(), { timeout: 30_000 });
  await play.click();
  assert.equal(await play.getAttribute('aria-pressed'), 'false');
  assert.equal(await play.textContent(), 'Play');
  // Paused: stepping back from here is exact, as anywhere.
  const at = await step(selector);
  const here = await picture(selector);
  await page.locator(`${selector} .bp-forward`).click();
  await atStep(selector, at + 1);
  await page.locator(`${selector} .bp-back`).click();
  await atStep(selector, at);
  assert.equal(await picture(selector), here);
});

test('bad input shows what and where in the element, and the others keep working', async () => {
  const error = (selector) => errorIn(page, selector);
  assert.match(await error('#malformed'), /csv: line 3, column 5 \(upper\)/);
  assert.match(await error('#wrong'), /trace: event \d+ names buffer \d+, but problem has 2 buffers/);
  assert.match(await error('#promised'), /trace: a promise; give what it resolves to \(element\.trace = await traceSearch/);
  assert.match(await error('#missing'), /cannot load \/missing\.csv: HTTP 404/);
  assert.match(await error('#no-capacity'), /^Cannot replay this searchcapacity: /);
  assert.equal(await page.locator('#malformed canvas').count(), 0);
  await atStep('#from-trace');
  await page.screenshot({ path: path.join(shots, 'replay-errors.png'), fullPage: true });
});

test('destroy removes the replay and every listener, observer and worker, also while recording', async () => {
  await atStep('#mounted');
  const baseline = await page.evaluate(() => window.baseline);
  const during = await page.evaluate(() => window.leaks());
  assert.ok(during.observers > baseline.observers, 'a replay observes its size');
  await page.evaluate(() => window.handle.destroy());
  assert.equal(await page.locator('#mounted').evaluate((e) => e.childNodes.length), 0);
  // A replay destroyed while its worker records: the worker is terminated.
  const started = await page.evaluate(() => window.workersStarted);
  await page.evaluate(async (csv) => {
    const { mountReplay } = await import('/bufpack/view.js');
    window.destroyed = false;
    window.onWorker = () => {
      window.late.destroy();
      window.destroyed = true;
    };
    window.late = mountReplay(document.getElementById('late'), { csv });
  }, input);
  await page.waitForFunction(() => window.destroyed === true, null, { timeout: 30_000 });
  assert.ok((await page.evaluate(() => window.workersStarted)) > started, 'the recording started a worker');
  assert.equal(await page.locator('#late').evaluate((e) => e.childNodes.length), 0);
  await page.evaluate(() => {
    for (const id of ['from-trace', 'from-csv', 'malformed', 'wrong', 'promised', 'missing', 'no-capacity']) document.getElementById(id).remove();
    document.getElementById('host').shadowRoot.getElementById('inner').remove();
  });
  const left = await page.evaluate(() => window.leaks());
  assert.deepEqual(left, { ...baseline, workers: 0 }, 'listeners, observers and workers after every replay is gone');
});
