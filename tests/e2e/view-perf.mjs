// Measures `bufpack/view` in Chromium for BENCHMARKS.md (not a test: nothing is asserted).
//   cargo xtask dist && node tests/e2e/view-perf.mjs
// Prints the viewer's files gzipped, then for generated inputs of ~10,000 and ~100,000
// buffers (packed by the package's online heuristic, written as CSV with offsets), the time
// from `import('bufpack/view')` to the first frame of a <bufpack-layout> given that CSV as
// its `csv` attribute (fetching, compiling and instantiating the .wasm, parsing, validating,
// laying out, drawing), median of 3 fresh browser contexts (cold code each time).
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
  const input = path.join(work, `${family}-${buffers}.csv`);
  if (!existsSync(input)) {
    execFileSync('cargo', ['xtask', 'gen', '--family', family, '--buffers', String(buffers), '--seed', '1', '--out', input], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const problem = bufpack.Problem.fromCsv(readFileSync(input, 'utf8'));
  writeFileSync(out, problem.toCsv(bufpack.runHeuristic(problem, 'online/best-fit')));
  return out;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<style>bufpack-layout { height: 600px; }</style></head><body><script type="module">
  const params = new URLSearchParams(location.search);
  const csv = await (await fetch(params.get('csv'))).text();
  const started = performance.now();
  await import('/bufpack/view.js');
  const element = document.createElement('bufpack-layout');
  element.setAttribute('csv', csv);
  document.body.append(element);
  const drawn = () => element.shadowRoot.querySelector('canvas')?.dataset.drawn === 'true';
  while (!drawn()) await new Promise((resolve) => requestAnimationFrame(resolve));
  window.firstFrame = performance.now() - started;
  window.error = element.shadowRoot.querySelector('.bp-error')?.textContent;
</script></body></html>`;

const server = await serve({ mounts: { '/bufpack/': path.join(dist, 'bufpack'), '/data/': work }, pages: { '/': PAGE } });
const browser = await launchChromium();
const gz = (file) => gzipSync(readFileSync(path.join(dist, 'bufpack', file)), { level: 9 }).length;
const files = ['view.js', 'bufpack_view.js', 'bufpack_view_bg.wasm'];
const kb = (bytes) => (bytes / 1024).toFixed(1);
console.log(`viewer gzipped: ${files.map((f) => `${f} ${kb(gz(f))} KB`).join(', ')}; total ${kb(files.reduce((t, f) => t + gz(f), 0))} KB`);
for (const [family, buffers] of [['training', 10_000], ['huge', 100_000]]) {
  const file = layoutFile(family, buffers);
  const times = [];
  for (let run = 0; run < 3; run += 1) {
    const { context, page } = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/?csv=/data/${path.basename(file)}`);
    await page.waitForFunction(() => window.firstFrame !== undefined || window.error, null, { timeout: 120_000 });
    const error = await page.evaluate(() => window.error);
    if (error) throw new Error(error);
    times.push(await page.evaluate(() => window.firstFrame));
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`${family}, ${buffers.toLocaleString('en')} buffers: import to first frame ${times[1].toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`);
}
await browser.close();
await server.close();
