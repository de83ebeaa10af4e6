// What the tests of `bufpack/view` (view.test.mjs, replay.test.mjs) share: the script that
// counts what a view could leave behind, one test page served with the package and opened in
// Chromium, the console check, the pixel census of a canvas and the inline error of a view.
// Not a test file itself (node --test skips it).
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchChromium, openPage, serve } from '../../web/test/browser.mjs';
import { dist } from './site.mjs';

/**
 * For the page's <head>, before any module runs: counts what could outlive a view. Listeners
 * the package's files (/bufpack/) add to window, document and media queries (Playwright's own
 * listeners, for its mouse, are not the views'), ResizeObservers not disconnected, and Workers
 * not terminated (a replay's recording). `window.leaks()` reads the counts;
 * `window.workersStarted` counts every Worker made; `window.onWorker`, when set, runs once
 * just after the next Worker starts (so, while it works).
 */
export const INSTRUMENT = `
<script>
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const entries = [];
  const tracked = (target) => target === window || target === document || target instanceof MediaQueryList;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    const ours = (new Error().stack ?? '').includes('/bufpack/');
    if (ours && tracked(this) && listener && !entries.some(([t, y, l]) => t === this && y === type && l === listener)) entries.push([this, type, listener]);
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const at = entries.findIndex(([t, y, l]) => t === this && y === type && l === listener);
    if (at >= 0) entries.splice(at, 1);
    return remove.call(this, type, listener, options);
  };
  let observers = 0;
  const Observer = window.ResizeObserver;
  window.ResizeObserver = class extends Observer {
    #on = false;
    observe(...args) { if (!this.#on) { this.#on = true; observers += 1; } return super.observe(...args); }
    disconnect() { if (this.#on) { this.#on = false; observers -= 1; } return super.disconnect(); }
  };
  let workers = 0;
  window.workersStarted = 0;
  const PageWorker = window.Worker;
  window.Worker = class extends PageWorker {
    #live = true;
    constructor(...args) {
      super(...args);
      workers += 1;
      window.workersStarted += 1;
      const hook = window.onWorker;
      window.onWorker = null;
      if (hook) queueMicrotask(hook);
    }
    terminate() { if (this.#live) { this.#live = false; workers -= 1; } return super.terminate(); }
  };
  window.leaks = () => ({ listeners: entries.length, observers, workers, types: entries.map(([, type]) => type) });
</script>`;

/**
 * Serves `html` at `/` with the built package at `/bufpack/` (and `mounts`), opens it in
 * Chromium at `width` × `height` and waits for the page to set `window.ready`. Returns
 * `{ server, browser, page, problems, close }`.
 */
export async function openViewPage(html, { width, height, mounts = {} }) {
  const server = await serve({ mounts: { '/bufpack/': path.join(dist, 'bufpack'), ...mounts }, pages: { '/': html } });
  let browser;
  try {
    browser = await launchChromium();
    const { page, problems } = await openPage(browser);
    await page.setViewportSize({ width, height });
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
    const close = async () => {
      await browser.close();
      await server.close();
    };
    return { server, browser, page, problems, close };
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}

/**
 * For `afterEach`: no console errors or page errors since the last call. The 404 of a
 * missing.csv the page asks for on purpose is the browser's own report of the request.
 */
export function assertNoProblems(problems) {
  const seen = problems.splice(0).filter((p) => !(p.includes('404') && p.includes('missing.csv')));
  assert.deepEqual(seen, [], 'no console errors or page errors');
}

/**
 * The colours on a canvas (a Playwright locator) and how many pixels are not the
 * background (the top-left pixel): `{ colours, ink, size, width, bg }`.
 */
export const census = (canvas) =>
  canvas.evaluate((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let ink = 0;
    const bg = [data[0], data[1], data[2]];
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      if (data[i] !== bg[0] || data[i + 1] !== bg[1] || data[i + 2] !== bg[2]) ink += 1;
    }
    return { colours: colours.size, ink, size: c.width * c.height, width: c.width, bg };
  });

/** Waits for the inline error of the view at `selector` (shadow roots pierced), checks it is an alert, returns its text. */
export async function errorIn(page, selector) {
  const box = page.locator(`${selector} .bp-error`);
  await box.waitFor({ timeout: 30_000 });
  assert.equal(await box.getAttribute('role'), 'alert');
  return box.textContent();
}
