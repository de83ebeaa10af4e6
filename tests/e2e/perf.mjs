// Measures the web app in Chromium for BENCHMARKS.md (not a test: nothing is asserted).
//   cargo xtask dist && node tests/e2e/perf.mjs [--million] [--no-redraw]
// Prints: first load to interactive; the bytes a first visit downloads, gzipped; then for
// generated inputs of ~10,000 and ~100,000 buffers (and 1,000,000 with --million), each in a
// fresh browser context (a new renderer, cold code, as when a user opens the page and drops a
// file):
// - the longest task on the page's main thread from giving the file to the chart drawn, and
//   how many took 50 ms or more, from a Chromium trace (RunTask events of the renderer's main
//   thread; tasks under 50 ms are invisible to the Long Tasks API), with what the longest was
//   busy with;
// - the time from giving the file to the chart drawn;
// - the renderer process's peak resident memory (VmHWM of /proc: page, app, workers and
//   solver);
// - chart redraws: 15 alternating wheel zooms, each from the wheel event to the frame drawn
//   (the chart's data-drawn-at; large views build their scene in slices first), and of that
//   the scene's build (data-scene-ms, wall time, sliced or not) and the paint (data-draw-ms);
// - the longest main-thread task of a few interactions (select on the chart and in the
//   table, sort the table, change the colouring, search), traced the same way.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, serve } from '../../web/test/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = process.env.BUFPACK_DIST ?? path.join(root, 'dist');
const work = path.join(root, 'target/e2e');
mkdirSync(work, { recursive: true });
const million = process.argv.includes('--million');
// Builds from before the chart recorded data-drawn-at: measure loading only.
const noRedraw = process.argv.includes('--no-redraw');

function generate(family, buffers) {
  const out = path.join(work, `${family}-${buffers}.csv`);
  if (existsSync(out)) return out;
  execFileSync('cargo', ['xtask', 'gen', '--family', family, '--buffers', String(buffers), '--seed', '1', '--out', out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

function firstVisitBytes() {
  const files = ['index.html', 'style.css', 'app.js', 'app_bg.wasm'].map((f) => path.join(dist, f));
  const pkg = readdirSync(path.join(dist, 'bufpack'))
    // Not the viewer, nor the two modules loaded on first use (model support, search recorder).
    .filter((f) => /\.(js|wasm)$/.test(f) && !/^(view\.|bufpack_view|bufpack_models_wasm|bufpack_trace_wasm)/.test(f))
    .map((f) => path.join(dist, 'bufpack', f));
  const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
  return {
    app: files.reduce((t, f) => t + gz(f), 0),
    solver: pkg.reduce((t, f) => t + gz(f), 0),
    appRaw: files.reduce((t, f) => t + statSync(f).size, 0),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Chromium's renderer processes (pid -> command line), Linux only. */
function renderers() {
  const found = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('--type=renderer')) found.set(pid, cmd);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The highest peak resident memory of the live renderers: the page under test's (earlier
 * pages' contexts are closed, and any spare renderer holds next to nothing). */
function peakMemoryMB() {
  let peak = 0;
  for (const pid of renderers().keys()) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // gone meanwhile
    }
  }
  return peak;
}

/** The resident memory of the largest live renderer now (VmRSS). */
function residentMB() {
  let largest = 0;
  for (const pid of renderers().keys()) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      largest = Math.max(largest, Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // gone meanwhile
    }
  }
  return largest;
}

const server = await serve({ mounts: { '/': dist } });
const browser = await launchChromium();

const loads = [];
{
  const { page, context } = await openPage(browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  for (let i = 0; i < 5; i++) {
    await page.goto(`${server.url}/`, { waitUntil: 'commit' });
    await page.waitForSelector('#examples:not([disabled])');
    loads.push(await page.evaluate(() => performance.now()));
  }
  await context.close();
}

/** The main thread's tasks in a trace, longest first, each with what it spent time on. */
function mainThreadTasks(trace) {
  const { traceEvents } = JSON.parse(trace.toString());
  const mains = new Set(
    traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const events = traceEvents.filter((e) => mains.has(`${e.pid}:${e.tid}`) && e.ph === 'X');
  const tasks = events.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  // Nested RunTask events describe one task: keep the outermost.
  const outer = tasks.filter((t) => !tasks.some((o) => o !== t && o.ts <= t.ts && o.ts + o.dur >= t.ts + t.dur && o.dur > t.dur));
  return outer
    .map((task) => {
      const inside = events
        .filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && e.dur >= 2000 && !/RunTask/.test(e.name))
        .slice(0, 4)
        .map((e) => `${e.name}${e.args?.data?.type ? ` (${e.args.data.type})` : ''} ${(e.dur / 1000).toFixed(0)} ms`);
      return { ms: task.dur / 1000, inside };
    })
    .sort((a, b) => b.ms - a.ms);
}

async function solveFile(file, timeout) {
  const { page, context } = await openPage(browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#examples:not([disabled])');
  await page.fill('#capacity', '');
  await page.press('#capacity', 'Tab');
  await page.fill('#timeout', String(timeout));
  await page.press('#timeout', 'Tab');
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const started = Date.now();
  await page.setInputFiles('#file', file);
  await page.waitForFunction(
    (name) => document.querySelector('#chart-title')?.textContent === name && document.querySelector('canvas.chart-canvas[data-drawn="true"]'),
    path.basename(file),
    { timeout: 300_000, polling: 20 },
  );
  const drawnAfter = (Date.now() - started) / 1000;
  const tasks = mainThreadTasks(await browser.stopTracing());
  const memory = peakMemoryMB();
  const resident = residentMB();
  const box = await page.locator('canvas.chart-canvas').boundingBox();
  const latencies = [];
  const paints = [];
  const scenes = [];
  for (let i = 0; i < (noRedraw ? 0 : 15); i++) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const drawnBefore = await page.getAttribute('canvas.chart-canvas', 'data-drawn-at');
    const wheelAt = await page.evaluate(() => performance.now());
    await page.mouse.wheel(0, i % 2 ? 120 : -120);
    await page.waitForFunction(
      (previous) => {
        const canvas = document.querySelector('canvas.chart-canvas');
        return canvas.getAttribute('data-drawn-at') !== previous && canvas.getAttribute('data-pending') !== 'true';
      },
      drawnBefore,
      { timeout: 30_000, polling: 'raf' },
    );
    const drawnAt = Number(await page.getAttribute('canvas.chart-canvas', 'data-drawn-at'));
    latencies.push(drawnAt - wheelAt);
    paints.push(Number(await page.getAttribute('canvas.chart-canvas', 'data-draw-ms')));
    scenes.push(Number(await page.getAttribute('canvas.chart-canvas', 'data-scene-ms')));
    await page.waitForTimeout(100);
  }
  const rects = await page.getAttribute('canvas.chart-canvas', 'data-rects-drawn');
  // Interactions: the longest main-thread task of each, traced as above.
  const interactions = [];
  const actions = [
    ['select a buffer on the chart', () => page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.8)],
    ['select a table row', () => page.click('table.buffers tbody tr:nth-child(5)')],
    ['sort the table by size', () => page.click('table.buffers th:nth-child(4) button')],
    ['sort the table by id', () => page.click('table.buffers th:nth-child(1) button')],
    ['colour by id', () => page.selectOption('select[aria-label="Colour by"]', 'id')],
    ['find a buffer by id', () => page.fill('input[type=search]', 'no such id')],
  ];
  for (const [name, act] of noRedraw ? [] : actions) {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    await act();
    await page.waitForTimeout(1500);
    const [longest] = mainThreadTasks(await browser.stopTracing());
    interactions.push(`${name} ${longest ? longest.ms.toFixed(0) : 0} ms`);
  }
  await context.close();
  return {
    longest: tasks[0],
    next: tasks.slice(1, 3),
    resident,
    over50: tasks.filter((t) => t.ms >= 50).length,
    drawnAfter,
    memory,
    redraw: latencies.length ? median(latencies) : NaN,
    paint: latencies.length ? median(paints) : NaN,
    scene: latencies.length ? median(scenes) : NaN,
    slowest: latencies.length ? Math.max(...latencies) : NaN,
    rects,
    interactions,
  };
}

const inputs = [
  ['training', 10_000, 2],
  ['huge', 100_000, 2],
];
if (million) inputs.push(['huge', 1_000_000, 2]);
const rows = [];
for (const [family, buffers, timeout] of inputs) {
  const file = generate(family, buffers);
  rows.push({ input: `${family}, ${buffers.toLocaleString('en')} buffers`, ...(await solveFile(file, timeout)) });
}
const bytes = firstVisitBytes();
await browser.close();
await server.close();

const kb = (n) => (n / 1024).toFixed(1);
console.log(`- first load to interactive (navigation to the app's controls enabled), median of 5: ${median(loads).toFixed(0)} ms`);
console.log(`- first visit downloads ${kb(bytes.app + bytes.solver)} KB gzipped: app ${kb(bytes.app)} KB (raw ${kb(bytes.appRaw)} KB), solver package and worker ${kb(bytes.solver)} KB`);
console.log('');
console.log('| input | longest main-thread task, file to chart | tasks of 50 ms or more | file given to chart drawn | renderer memory: peak, after drawn | wheel zoom to frame drawn, median of 15 (slowest) | of which the scene, the paint (medians) | rectangles drawn |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.input} | ${r.longest.ms.toFixed(0)} ms | ${r.over50} | ${r.drawnAfter.toFixed(1)} s | ${r.memory.toFixed(0)} MB, ${r.resident.toFixed(0)} MB | ${r.redraw.toFixed(0)} ms (${r.slowest.toFixed(0)} ms) | ${r.scene.toFixed(1)} ms, ${r.paint.toFixed(1)} ms | ${r.rects} |`,
  );
}
console.log('');
for (const r of rows) {
  if (r.interactions.length) console.log(`- ${r.input}, longest task of: ${r.interactions.join(', ')}`);
}
for (const r of rows) {
  const what = (t) => `${t.ms.toFixed(0)} ms (${t.inside.join(', ') || 'no part over 2 ms'})`;
  console.log(`- ${r.input}: longest tasks ${[r.longest, ...r.next].map(what).join('; ')}`);
}
