// Times the built npm package on CSV instances, in Node or in headless Chromium, for
// `cargo xtask bench --wasm` (which runs the native solver in the same run and compares).
//
//   node web/bench/solve.mjs --engine node|chromium --package DIR --repeat N --timeout S FILE...
//
// FILE is <name>.<capacity>.csv. Prints one JSON line per instance and mode:
//   { name, engine, mode: "sync" | "worker", ms: [..], outcome, height, nodes }
// "sync" is Problem solving on the calling thread (the solver's own speed); "worker" is
// solveInWorker end to end (worker start, instantiation from the compiled module, solve,
// answer). Times come from performance.now() around each call.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const engine = option('engine', 'node');
const packageDir = path.resolve(option('package', 'target/npm/package'));
const repeat = Number(option('repeat', '3'));
const timeout = Number(option('timeout', '60'));
const instances = args.map((file) => {
  const [name, capacity] = path.basename(file, '.csv').split('.');
  return { name, capacity: Number(capacity), text: readFileSync(file, 'utf8') };
});

// The same loop in Node and in the page: `api` is the package's module namespace.
async function measure(api, instances, repeat, timeout, modes) {
  const rows = [];
  for (const { name, capacity, text } of instances) {
    for (const mode of modes) {
      const row = { name, mode, ms: [] };
      for (let i = 0; i < repeat; i++) {
        const start = performance.now();
        try {
          const options = { capacity, timeoutSeconds: timeout };
          const solution = mode === 'sync' ? api.solveFromCsv(text, options) : await api.solveInWorker(text, options);
          row.outcome = 'solved';
          row.height = solution.height;
          row.nodes = solution.nodes;
        } catch (error) {
          row.outcome = error.code ?? String(error);
          row.nodes = error.nodes;
        }
        row.ms.push(performance.now() - start);
      }
      rows.push(row);
    }
  }
  return rows;
}

const modes = ['sync', 'worker'];
let rows;
if (engine === 'node') {
  const api = await import(pathToFileURL(path.join(packageDir, 'node.js')).href);
  rows = await measure(api, instances, repeat, timeout, modes);
} else if (engine === 'chromium') {
  rows = await inChromium();
} else {
  throw new Error(`--engine: expected node or chromium, found ${engine}`);
}
for (const row of rows) console.log(JSON.stringify({ engine, ...row }));

async function inChromium() {
  const { chromium } = await import('playwright-core');
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><link rel="icon" href="data:,"><script type="module">import * as api from "./index.js"; window.api = api;</script>');
      return;
    }
    const file = path.join(packageDir, path.normalize(url.pathname));
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.api !== undefined);
    return await page.evaluate(
      `(${measure.toString()})(window.api, ${JSON.stringify(instances)}, ${repeat}, ${timeout}, ${JSON.stringify(modes)})`,
    );
  } finally {
    await browser.close();
    server.close();
  }
}
