// `bufpack/view` end to end in Debian's Chromium: a plain HTML page (no bundler) with two
// <bufpack-layout> elements, one inside another component's shadow root, one mounted with
// mountLayout, and bad inputs. Each draws (pixels read back), hover shows a tooltip, a click
// fires `select`, a resize redraws, a missing `src`, a malformed CSV and a solution that
// does not fit its problem show their errors in place, and `destroy` leaves no listener or
// observer behind. Screenshots go to target/e2e/view*.png.
//
// Run after `cargo xtask dist`:  node --test tests/e2e/   ($BUFPACK_DIST: another build)
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openPage, serve } from '../../web/test/browser.mjs';
import { dist, fixture, loadPackage, root, shots } from './site.mjs';
import { INSTRUMENT, assertNoProblems, census as censusOf, errorIn, openViewPage } from './view-page.mjs';

const bufpack = await loadPackage();
const input = fixture('examples/input.12.csv');
// The optimum of the example, as the solver's CSV with an offset column.
const problem = bufpack.Problem.fromCsv(input);
const solution = bufpack.minimize(problem);
const layoutCsv = problem.toCsv(solution);
assert.equal(bufpack.validateSolution(problem, solution).valid, true);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bufpack/view test</title><link rel="icon" href="data:,">
${INSTRUMENT}
<style>
  body { margin: 0; font: 14px system-ui, sans-serif; }
  .row { display: flex; gap: 8px; padding: 8px; }
  .row > * { flex: 1 1 0; min-width: 0; }
  #resizable { width: 640px; padding: 8px; }
  bufpack-layout { height: 280px; }
  #mounted { height: 220px; }
</style></head>
<body>
  <div class="row">
    <bufpack-layout id="from-src" src="/fixtures/layout.csv" capacity="12"></bufpack-layout>
    <div id="host"></div>
  </div>
  <div id="resizable"><bufpack-layout id="dark" theme="dark" colour="id"></bufpack-layout></div>
  <div class="row">
    <bufpack-layout id="missing" src="/fixtures/missing.csv"></bufpack-layout>
    <bufpack-layout id="malformed"></bufpack-layout>
    <bufpack-layout id="overlap"></bufpack-layout>
  </div>
  <div id="mounted"></div>
  <script>
    window.selected = [];
    document.addEventListener('select', (event) => window.selected.push(event.detail));
    // Before any view exists (module scripts run after this one).
    window.baseline = window.leaks();
  </script>
  <script type="module">
    import { Problem, minimize } from '/bufpack/index.js';
    import { mountLayout } from '/bufpack/view.js';
    // Inside another component's shadow root.
    const shadow = document.getElementById('host').attachShadow({ mode: 'open' });
    shadow.innerHTML = '<style>bufpack-layout { height: 280px; }</style><bufpack-layout id="inner" theme="light"></bufpack-layout>';
    shadow.getElementById('inner').setAttribute('csv', ${JSON.stringify(layoutCsv)});
    // From the package's own objects.
    const problem = Problem.fromCsv(${JSON.stringify(input)});
    const solution = minimize(problem);
    document.getElementById('dark').layout = { problem, solution };
    document.getElementById('malformed').setAttribute('csv', 'id,lower,upper,size,offset\\na,0,4,2,0\\nb,2,x,3,2\\n');
    const overlap = { ...solution, offsets: solution.offsets.map(() => 0) };
    document.getElementById('overlap').layout = { problem, solution: overlap };
    window.handle = mountLayout(document.getElementById('mounted'), { csv: ${JSON.stringify(layoutCsv)}, theme: 'dark' });
    window.ready = true;
  </script>
</body></html>`;

let opened; // { browser, page, problems, close }
let page;

before(async () => {
  const fixtures = path.join(root, 'target/e2e-view-fixtures');
  mkdirSync(fixtures, { recursive: true });
  writeFileSync(path.join(fixtures, 'layout.csv'), layoutCsv);
  opened = await openViewPage(PAGE, { width: 1200, height: 1100, mounts: { '/fixtures/': fixtures } });
  ({ page } = opened);
});

after(() => opened?.close());

afterEach(() => assertNoProblems(opened.problems));

/** The canvas of a view (`selector` may pierce shadow roots, as Playwright's CSS does). */
const canvas = (selector) => page.locator(`${selector} canvas`);

async function drawn(selector) {
  await page.waitForFunction(
    (sel) => {
      const find = (rootNode) => {
        const el = rootNode.querySelector(sel);
        if (el) return el;
        for (const host of rootNode.querySelectorAll('*')) {
          if (host.shadowRoot) {
            const found = find(host.shadowRoot);
            if (found) return found;
          }
        }
        return null;
      };
      const element = find(document);
      return element?.shadowRoot?.querySelector('canvas')?.dataset.drawn === 'true' ||
        element?.querySelector?.('canvas')?.dataset.drawn === 'true';
    },
    selector,
    { timeout: 30_000 },
  );
}

/** Colours in the view's canvas and how many pixels are not the background. */
const census = (selector) => censusOf(canvas(selector));

test('every view on the page draws: from src, in a shadow root, from objects, mounted', async () => {
  for (const selector of ['#from-src', '#inner', '#dark', '#mounted']) {
    await drawn(selector);
    const { colours, ink, size } = await census(selector);
    assert.ok(colours > 8, `${selector}: ${colours} colours`);
    assert.ok(ink > size * 0.05, `${selector}: ${ink} of ${size} pixels drawn`);
  }
  const light = await census('#from-src');
  const dark = await census('#dark');
  assert.ok(light.bg.every((v) => v > 200), `light background ${light.bg}`);
  assert.ok(dark.bg.every((v) => v < 60), `dark background ${dark.bg}`);
  const figures = await page.locator('#from-src .bp-figures').textContent();
  assert.match(figures, new RegExp(`^${problem.buffers.length} buffers · peak 12 · LOAD 12 · capacity 12$`));
  await page.screenshot({ path: path.join(shots, 'view.png'), fullPage: true });
});

/** A point (page coordinates) over a buffer of the view: a pixel of the most common ink colour inside the plot. */
async function overBuffer(selector) {
  const box = await canvas(selector).boundingBox();
  const point = await canvas(selector).evaluate((c) => {
    const { width, height } = c;
    const data = c.getContext('2d').getImageData(0, 0, width, height).data;
    const bg = [data[0], data[1], data[2]];
    const counts = new Map();
    for (let y = Math.floor(height * 0.2); y < height * 0.8; y += 3) {
      for (let x = Math.floor(width * 0.2); x < width * 0.9; x += 3) {
        const i = (y * width + x) * 4;
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        const grey = Math.abs(r - g) < 12 && Math.abs(g - b) < 12;
        if (grey || (r === bg[0] && g === bg[1] && b === bg[2])) continue;
        const k = (r << 16) | (g << 8) | b;
        const seen = counts.get(k) ?? { n: 0, x, y };
        seen.n += 1;
        counts.set(k, seen);
      }
    }
    const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
    return best && { x: best.x / devicePixelRatio, y: best.y / devicePixelRatio };
  });
  assert.ok(point, `${selector}: a buffer's colour on the canvas`);
  return { x: box.x + point.x, y: box.y + point.y };
}

test('hover shows a tooltip and a click fires select, also inside a shadow root', async () => {
  for (const selector of ['#from-src', '#inner']) {
    const { x, y } = await overBuffer(selector);
    await page.mouse.move(x, y);
    const tip = page.locator(`${selector} .chart-tooltip:not([hidden])`);
    await tip.waitFor({ timeout: 10_000 });
    const text = await tip.textContent();
    assert.match(text, /size \d+/);
    assert.match(text, /offset \d+/);
    const before = await page.evaluate(() => window.selected.length);
    await page.mouse.click(x, y);
    await page.waitForFunction((n) => window.selected.length > n, before);
    const detail = await page.evaluate(() => window.selected.at(-1));
    assert.ok(text.includes(detail.id), `the tooltip (${text}) names the selected buffer ${detail.id}`);
    const buffer = problem.buffers[detail.index];
    assert.equal(buffer.id, detail.id);
    assert.equal(detail.offset, solution.offsets[detail.index]);
    await page.mouse.move(0, 0);
  }
  await page.screenshot({ path: path.join(shots, 'view-selected.png'), fullPage: true });
});

test('zoom (wheel), pan (drag) and Fit change and restore the view', async () => {
  const pixels = () => canvas('#from-src').evaluate((c) => c.toDataURL());
  const fitted = await pixels();
  const box = await canvas('#from-src').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForFunction(() => document.querySelector('#from-src').shadowRoot.querySelector('canvas').dataset.zoomed === 'true');
  assert.notEqual(await pixels(), fitted);
  await page.locator('#from-src .bp-fit').click();
  await page.waitForFunction(() => document.querySelector('#from-src').shadowRoot.querySelector('canvas').dataset.zoomed === 'false');
  await page.waitForFunction((expected) => document.querySelector('#from-src').shadowRoot.querySelector('canvas').toDataURL() === expected, fitted);
  // The colour mode changes the picture.
  await page.locator('#from-src select').selectOption('id');
  await page.waitForFunction((expected) => document.querySelector('#from-src').shadowRoot.querySelector('canvas').toDataURL() !== expected, fitted);
});

test('a resize of the container redraws at the new size', async () => {
  const before = await census('#dark');
  await page.evaluate(() => (document.getElementById('resizable').style.width = '420px'));
  await page.waitForFunction(
    (width) => document.querySelector('#dark').shadowRoot.querySelector('canvas').width < width,
    before.width,
  );
  await drawn('#dark');
  const after = await census('#dark');
  assert.ok(after.width < before.width, `${after.width} < ${before.width}`);
  assert.ok(after.ink > after.size * 0.05, `redrawn: ${after.ink} of ${after.size}`);
});

test('bad input shows what and where in the element, and the others keep working', async () => {
  const error = (selector) => errorIn(page, selector);
  assert.match(await error('#missing'), /cannot load \/fixtures\/missing\.csv: HTTP 404/);
  assert.match(await error('#malformed'), /csv: line 3, column 5 \(upper\)/);
  const overlap = await error('#overlap');
  assert.match(overlap, /layout: the offsets are not a valid packing/);
  assert.equal(await page.locator('#missing canvas').count(), 0);
  await drawn('#from-src');
  await page.screenshot({ path: path.join(shots, 'view-errors.png'), fullPage: true });
});

test('accessible: the element is a labelled figure, the canvas a labelled, focusable image', async () => {
  assert.equal(await page.locator('#from-src').getAttribute('role'), 'figure');
  assert.ok(await page.locator('#from-src').getAttribute('aria-label'));
  const c = canvas('#from-src');
  assert.equal(await c.getAttribute('role'), 'img');
  assert.match(await c.getAttribute('aria-label'), new RegExp(`${problem.buffers.length} buffers, height 12, capacity 12`));
  assert.equal(await c.getAttribute('tabindex'), '0');
  assert.equal(await page.locator('#from-src select').getAttribute('aria-label'), 'Colour buffers by');
});

test('a src still loading is fetched once, whatever changes meanwhile', async () => {
  // The server answers after a while; attribute changes and an update come first.
  let requests = 0;
  await page.route('**/fixtures/slow.csv', async (route) => {
    requests += 1;
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.fulfill({ status: 200, contentType: 'text/csv', body: layoutCsv }).catch(() => {});
  });
  await page.evaluate(() => {
    const element = document.createElement('bufpack-layout');
    element.id = 'slow';
    element.setAttribute('src', '/fixtures/slow.csv');
    document.body.append(element);
  });
  // Once the fetch is under way: changes that each render the view again.
  while (requests === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  await page.evaluate(() => {
    const element = document.getElementById('slow');
    element.setAttribute('colour', 'lifetime');
    element.setAttribute('theme', 'dark');
    element.setAttribute('capacity', '12');
  });
  await drawn('#slow');
  assert.equal(requests, 1, 'one request for the src, not one per change');
  await page.evaluate(() => document.getElementById('slow').remove());
  await page.unroute('**/fixtures/slow.csv');
});

test('destroy removes the view and every listener and observer it added', async () => {
  await drawn('#mounted');
  const during = await page.evaluate(() => window.leaks());
  const baseline = await page.evaluate(() => window.baseline);
  assert.ok(during.observers > baseline.observers, 'the mounted view observes its size');
  assert.ok(during.types.includes('resize') && during.types.includes('change'), `seen: ${during.types}`);
  await page.evaluate(() => window.handle.destroy());
  assert.equal(await page.locator('#mounted').evaluate((e) => e.childNodes.length), 0);
  // The elements' views are torn down when they leave the page, the same way.
  await page.evaluate(() => {
    for (const id of ['from-src', 'dark', 'missing', 'malformed', 'overlap']) document.getElementById(id).remove();
    document.getElementById('host').shadowRoot.getElementById('inner').remove();
  });
  const left = await page.evaluate(() => window.leaks());
  assert.deepEqual(left, baseline, 'listeners and observers after every view is gone');
});

test("the site's example page (dist/view.html) draws its layouts and replays", async () => {
  const site = await serve({ mounts: { '/': dist } });
  const { context, page: example, problems: seen } = await openPage(opened.browser);
  try {
    await example.setViewportSize({ width: 1000, height: 1400 });
    await example.goto(`${site.url}/view.html`);
    await example.waitForFunction(
      () => [...document.querySelectorAll('bufpack-layout')].every((e) => e.shadowRoot.querySelector('canvas')?.dataset.drawn === 'true'),
      null,
      { timeout: 30_000 },
    );
    assert.equal(await example.locator('bufpack-layout').count(), 2);
    // Its two replays: one recorded from src in the worker, one of a trace made on the page.
    await example.waitForFunction(
      () => [...document.querySelectorAll('bufpack-replay')].every((e) => e.shadowRoot.querySelector('canvas.bp-step')?.dataset.step === '0'),
      null,
      { timeout: 30_000 },
    );
    assert.equal(await example.locator('bufpack-replay').count(), 2);
    assert.match(await example.locator('#traced .bp-figures').textContent(), /^capacity \d+ · \d+ buffers · 0 placed · step 0 of [1-9]/);
    assert.match(await example.locator('#solved .bp-figures').textContent(), /^\d+ buffers · peak \d+/);
    await example.screenshot({ path: path.join(shots, 'view-example.png'), fullPage: true });
    assert.deepEqual(seen, [], 'no console errors or page errors');
  } finally {
    await context.close();
    await site.close();
  }
});
