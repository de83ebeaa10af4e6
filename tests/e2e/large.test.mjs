// A large result end to end in Debian's Chromium (playwright-core): after the worker answers,
// the page builds the layout in slices and says so ("Preparing the layout"), Cancel stops the
// preparation mid-way, and the cancelled result never replaces the one on screen.
//
// Run after `cargo xtask dist`:  node --test tests/e2e/   ($BUFPACK_DIST: another build)
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoProblems, closeSite, openSite } from './site.mjs';

/** `n` buffers in a long trace: short lives, sizes over three orders of magnitude. */
function trace(n) {
  const lines = ['id,lower,upper,size'];
  for (let i = 0; i < n; i++) {
    const lower = Math.floor(i / 8);
    lines.push(`t${i},${lower},${lower + 1 + ((i * 7) % 40)},${1 + ((i * 7919) % 4096)}`);
  }
  return lines.join('\n') + '\n';
}

const big = Buffer.from(trace(300_000));

let site;
let page;

before(async () => {
  site = await openSite({ ready: '#examples:not([disabled])' });
  ({ page } = site);
  // Minimise, briefly: the first packing is all this needs.
  await page.fill('#capacity', '');
  await page.press('#capacity', 'Tab');
  await page.fill('#timeout', '1');
  await page.press('#timeout', 'Tab');
});

after(() => closeSite(site));

afterEach(() => assertNoProblems(site));

// Every "Preparing" status the page shows, as the DOM changes (not by polling: a warm
// preparation can be over between two polls); with `cancel` set, Cancel is clicked the moment
// the first one appears.
async function watchPreparing() {
  await page.evaluate(() => {
    window.preparingSeen = [];
    window.cancelWhenPreparing = false;
    new MutationObserver(() => {
      const status = document.querySelector('.progress.preparing');
      if (!status) return;
      window.preparingSeen.push(status.textContent);
      if (window.cancelWhenPreparing) {
        window.cancelWhenPreparing = false;
        document.querySelector('#cancel').click();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

test('a large result is prepared in slices, with its progress shown', async () => {
  await watchPreparing();
  await page.setInputFiles('#file', { name: 'first.csv', mimeType: 'text/csv', buffer: big });
  await page.waitForFunction(() => document.querySelector('#chart-title')?.textContent === 'first.csv', null, { timeout: 120_000 });
  await page.waitForSelector('canvas.chart-canvas[data-drawn="true"]', { timeout: 60_000 });
  const seen = await page.evaluate(() => window.preparingSeen);
  assert.ok(seen.length > 0, 'a preparing status was shown');
  for (const text of seen) assert.match(text, /^Preparing the layout of first\.csv — \d+%$/);
  assert.equal(await page.locator('.progress').count(), 0);
  assert.match(await page.textContent('.figures'), /300\u2009000/, 'all buffers');
});

test('Cancel stops the preparation and keeps the previous result', async () => {
  const height = await page.textContent('#height');
  await watchPreparing();
  await page.evaluate(() => {
    window.cancelWhenPreparing = true;
  });
  await page.setInputFiles('#file', { name: 'second.csv', mimeType: 'text/csv', buffer: big });
  await page.waitForSelector('.notice', { timeout: 120_000 });
  assert.match(await page.textContent('.notice'), /Cancelled/);
  // It was the preparation that was cancelled, not the solve.
  const seen = await page.evaluate(() => window.preparingSeen);
  assert.ok(seen.length > 0 && seen.every((text) => /second\.csv/.test(text)), JSON.stringify(seen));
  assert.equal(await page.locator('.progress').count(), 0);
  // Nothing of the cancelled result arrives later.
  await page.waitForTimeout(1500);
  assert.equal(await page.textContent('#chart-title'), 'first.csv');
  assert.equal(await page.textContent('#height'), height);
});
