// Measures the web app in Chromium for BENCHMARKS.md (not a test: nothing is asserted).
//   cargo xtask dist && node tests/e2e/perf.mjs
// Prints: first load to interactive; the bytes a first visit downloads, gzipped; chart redraws
// of ~10,000 and ~100,000 buffers (median of 15 redraws after wheel zooms, read from the
// canvas's data-draw-ms, which the chart sets from performance.now() around each draw); the
// longest main-thread task (PerformanceObserver 'longtask') while a large input is parsed and
// solved in the worker.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, serve } from '../../web/test/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = process.env.BUFPACK_DIST ?? path.join(root, 'dist');
const work = path.join(root, 'target/e2e');
mkdirSync(work, { recursive: true });

function generate(family, buffers) {
  const out = path.join(work, `${family}-${buffers}.csv`);
  execFileSync('cargo', ['xtask', 'gen', '--family', family, '--buffers', String(buffers), '--seed', '1', '--out', out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

function firstVisitBytes() {
  const files = ['index.html', 'style.css', 'app.js', 'app_bg.wasm'].map((f) => path.join(dist, f));
  const pkg = readdirSync(path.join(dist, 'bufpack'))
    .filter((f) => /\.(js|wasm)$/.test(f))
    .map((f) => path.join(dist, 'bufpack', f));
  const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
  return {
    app: files.reduce((t, f) => t + gz(f), 0),
    solver: pkg.reduce((t, f) => t + gz(f), 0),
    appRaw: files.reduce((t, f) => t + statSync(f).size, 0),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serve({ mounts: { '/': dist } });
const browser = await launchChromium();
const { page } = await openPage(browser);
await page.setViewportSize({ width: 1280, height: 900 });

const loads = [];
for (let i = 0; i < 5; i++) {
  await page.goto(`${server.url}/`, { waitUntil: 'commit' });
  await page.waitForSelector('#examples:not([disabled])');
  loads.push(await page.evaluate(() => performance.now()));
}

async function solveFile(file, capacity, timeout) {
  await page.fill('#capacity', capacity);
  await page.press('#capacity', 'Tab');
  await page.fill('#timeout', String(timeout));
  await page.press('#timeout', 'Tab');
  await page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
    }).observe({ type: 'longtask' });
  });
  const before = await page.evaluate(() => document.querySelector('#chart-title')?.textContent);
  await page.setInputFiles('#file', file);
  await page.waitForFunction((name) => document.querySelector('#chart-title')?.textContent === name && document.querySelector('canvas.chart-canvas[data-drawn="true"]'), path.basename(file), { timeout: 120_000 });
  void before;
  const longest = await page.evaluate(() => window.__longest);
  const box = await page.locator('canvas.chart-canvas').boundingBox();
  const draws = [];
  for (let i = 0; i < 15; i++) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, i % 2 ? 120 : -120);
    await page.waitForTimeout(150);
    draws.push(Number(await page.getAttribute('canvas.chart-canvas', 'data-draw-ms')));
  }
  const rects = await page.getAttribute('canvas.chart-canvas', 'data-rects-drawn');
  return { longest, draw: median(draws), max: Math.max(...draws), rects };
}

const rows = [];
for (const [family, buffers] of [['training', 10_000], ['huge', 100_000]]) {
  const file = generate(family, buffers);
  const result = await solveFile(file, '', 2);
  rows.push({ input: `${family}, ${buffers} buffers`, ...result });
}
const bytes = firstVisitBytes();
await browser.close();
await server.close();

const kb = (n) => (n / 1024).toFixed(1);
console.log(`- first load to interactive (navigation to the app's controls enabled), median of 5: ${median(loads).toFixed(0)} ms`);
console.log(`- first visit downloads ${kb(bytes.app + bytes.solver)} KB gzipped: app ${kb(bytes.app)} KB (raw ${kb(bytes.appRaw)} KB), solver package and worker ${kb(bytes.solver)} KB`);
console.log('');
console.log('| input | chart redraw, median of 15 | slowest redraw | rectangles drawn | longest main-thread task while parsing and solving |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.input} | ${r.draw.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.rects} | ${r.longest.toFixed(0)} ms |`);
