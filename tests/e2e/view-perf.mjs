// Measures `bufpack/view` in Chromium for BENCHMARKS.md (not a test: nothing is asserted).
//   cargo xtask dist && node tests/e2e/view-perf.mjs
// Prints the viewer's files gzipped, then the time from `import('bufpack/view')` to the first
// frame, median of 3 fresh browser contexts (cold code each time), of:
// - a <bufpack-layout> given a CSV with offsets as its `csv` attribute, for generated inputs
//   of ~10,000 and ~100,000 buffers (packed by the package's online heuristic): fetching,
//   compiling and instantiating the .wasm, parsing, validating, laying out, drawing;
// - a <bufpack-replay> of ~50 and ~200 buffers at their optimum (found in Node first), step 0
//   drawn: given a trace recorded beforehand (`traceSearch` in Node, the page reads it as
//   JSON before the clock starts; the `csv` attribute names its problem), and recording the
//   search itself from `csv` + `capacity` (the solver imported, its worker started, the search
//   recorded there and sent back).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium, openPage, serve } from '../../web/test/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = process.env.BUFPACK_DIST ?? path.join(root, 'dist');
const work = path.join(root, 'target/e2e');
mkdirSync(work, { recursive: true });
const bufpack = await import(pathToFileURL(path.join(dist, 'bufpack/node.js')).href);

function layoutFile(family, buffers) {
  const out = path.join(work, `${family}-${buffers}.layout.csv`);
  if (existsSync(out)) return out;
  const input = generated(family, buffers);
  const problem = bufpack.Problem.fromCsv(readFileSync(input, 'utf8'));
  writeFileSync(out, problem.toCsv(bufpack.runHeuristic(problem, 'online/best-fit')));
  return out;
}

/** A generated problem's CSV (made once, kept in target/e2e/). */
function generated(family, buffers) {
  const input = path.join(work, `${family}-${buffers}.csv`);
  if (!existsSync(input)) {
    execFileSync('cargo', ['xtask', 'gen', '--family', family, '--buffers', String(buffers), '--seed', '1', '--out', input], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return input;
}

/**
 * A replay's inputs: the problem's CSV, its optimum (the capacity searched at) and the trace
 * recorded there as `<family>-<buffers>.trace.json`, with the replay's limits (20,000 events).
 */
async function replayFiles(family, buffers) {
  const input = generated(family, buffers);
  const problem = bufpack.Problem.fromCsv(readFileSync(input, 'utf8'));
  const optimum = bufpack.minimize(problem, { timeoutSeconds: 10 });
  if (optimum.status !== 'optimal') throw new Error(`${input}: no proven optimum in 10 s`);
  const trace = await bufpack.traceSearch(problem, { capacity: optimum.height, maxEvents: 20_000, timeoutSeconds: 10 });
  const json = path.join(work, `${family}-${buffers}.trace.json`);
  writeFileSync(json, JSON.stringify(trace));
  return { csv: input, json, capacity: optimum.height, buffers: problem.buffers.length, events: trace.events.length };
}

// ?kind=layout&csv=URL, ?kind=trace&csv=URL&trace=URL&capacity=N, ?kind=record&csv=URL&capacity=N.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<style>bufpack-layout, bufpack-replay { height: 600px; }</style></head><body><script type="module">
  const params = new URLSearchParams(location.search);
  const kind = params.get('kind');
  const csv = await (await fetch(params.get('csv'))).text();
  const trace = kind === 'trace' ? await (await fetch(params.get('trace'))).json() : undefined;
  const started = performance.now();
  await import('/bufpack/view.js');
  const element = document.createElement(kind === 'layout' ? 'bufpack-layout' : 'bufpack-replay');
  element.setAttribute('csv', csv);
  if (params.has('capacity')) element.setAttribute('capacity', params.get('capacity'));
  if (trace) element.trace = trace;
  document.body.append(element);
  const drawn = kind === 'layout'
    ? () => element.shadowRoot.querySelector('canvas')?.dataset.drawn === 'true'
    : () => element.shadowRoot.querySelector('canvas.bp-step')?.dataset.step === '0';
  const failed = () => element.shadowRoot.querySelector('.bp-error')?.textContent;
  while (!drawn() && !failed()) await new Promise((resolve) => requestAnimationFrame(resolve));
  window.error = failed();
  window.firstFrame = performance.now() - started;
</script></body></html>`;

const server = await serve({ mounts: { '/bufpack/': path.join(dist, 'bufpack'), '/data/': work }, pages: { '/': PAGE } });
const browser = await launchChromium();
const gz = (file) => gzipSync(readFileSync(path.join(dist, 'bufpack', file)), { level: 9 }).length;
const files = ['view.js', 'bufpack_view.js', 'bufpack_view_bg.wasm'];
const kb = (bytes) => (bytes / 1024).toFixed(1);
console.log(`viewer gzipped: ${files.map((f) => `${f} ${kb(gz(f))} KB`).join(', ')}; total ${kb(files.reduce((t, f) => t + gz(f), 0))} KB`);
/** Median of 3 cold contexts: milliseconds from import to first frame of the page at `query`. */
async function firstFrame(query) {
  const times = [];
  for (let run = 0; run < 3; run += 1) {
    const { context, page, problems } = await openPage(browser);
    try {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${server.url}/?${query}`);
      await page.waitForFunction(() => window.firstFrame !== undefined, null, { timeout: 120_000 });
      const error = await page.evaluate(() => window.error);
      if (error) throw new Error(error);
      if (problems.length > 0) throw new Error(problems.join('\n'));
      times.push(await page.evaluate(() => window.firstFrame));
    } finally {
      await context.close();
    }
  }
  times.sort((a, b) => a - b);
  return `${times[1].toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`;
}

for (const [family, buffers] of [['training', 10_000], ['huge', 100_000]]) {
  const file = layoutFile(family, buffers);
  console.log(`layout, ${family}, ${buffers.toLocaleString('en')} buffers: import to first frame ${await firstFrame(`kind=layout&csv=/data/${path.basename(file)}`)}`);
}
for (const [family, buffers] of [['cnn', 50], ['training', 200]]) {
  const files = await replayFiles(family, buffers);
  const csv = `/data/${path.basename(files.csv)}`;
  const about = `replay, ${family}, ${files.buffers} buffers at capacity ${files.capacity} (${files.events} events)`;
  const traced = await firstFrame(`kind=trace&csv=${csv}&trace=/data/${path.basename(files.json)}&capacity=${files.capacity}`);
  console.log(`${about}, given the trace: import to first frame ${traced}`);
  const recorded = await firstFrame(`kind=record&csv=${csv}&capacity=${files.capacity}`);
  console.log(`${about}, recording it from csv + capacity: import to first frame ${recorded}`);
}
await browser.close();
await server.close();
