// The packed tarball as a user gets it: `npm install bufpack-*.tgz` into a fresh project,
// then a Node ESM script, a strict TypeScript consumer, and a Vite app (built, and on the
// dev server) in Chromium.
// Run: node --test web/test/consumer.test.mjs   ($BUFPACK_TARBALL: another tarball)
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchChromium, openPage, serve } from './browser.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const viteBin = path.join(root, 'node_modules/vite/bin/vite.js');
const example = await readFile(path.join(root, 'tests/fixtures/examples/input.12.csv'), 'utf8');
// The same problem with its offsets: what `bufpack/view` shows.
const layoutCsv = await readFile(path.join(root, 'tests/fixtures/examples/input.12.layout.csv'), 'utf8');
// A teaching problem (7 buffers, optimum 11): a replay records its search.
const teaching = await readFile(path.join(root, 'tests/fixtures/teaching/perfect.11.csv'), 'utf8');

/** $BUFPACK_TARBALL, or the newest target/npm/bufpack-*.tgz. */
async function findTarball() {
  if (process.env.BUFPACK_TARBALL) return path.resolve(process.env.BUFPACK_TARBALL);
  const dir = path.join(root, 'target/npm');
  const names = (await readdir(dir)).filter((name) => /^bufpack-.*\.tgz$/.test(name));
  assert.ok(names.length > 0, `no bufpack-*.tgz in ${dir}: run cargo xtask pack`);
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(path.join(dir, name))).mtimeMs })));
  dated.sort((a, b) => b.mtime - a.mtime);
  return path.join(dir, dated[0].name);
}

let project; // the temporary consumer project
let tarball;

// npm's own chatter (e.g. "Unknown user config") goes to stderr; only the exit code matters.
const npm = (args) => run('npm', args, { cwd: project, env: { ...process.env, npm_config_update_notifier: 'false' } });

before(async () => {
  tarball = await findTarball();
  project = await mkdtemp(path.join(tmpdir(), 'bufpack-consumer-'));
  await npm(['init', '-y']);
  await npm(['pkg', 'set', 'type=module']);
  await npm(['install', tarball, '--no-audit', '--no-fund', '--offline']);
});

after(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

test('the tarball installed as node_modules/bufpack', async () => {
  const installed = JSON.parse(await readFile(path.join(project, 'node_modules/bufpack/package.json'), 'utf8'));
  assert.equal(installed.name, 'bufpack');
  assert.match(path.basename(tarball), new RegExp(`^bufpack-${installed.version.replaceAll('.', '\\.')}\\.tgz$`));
  const dependencies = JSON.parse(await readFile(path.join(project, 'package.json'), 'utf8')).dependencies;
  assert.ok(dependencies?.bufpack, 'npm recorded the dependency');
});

test('(a) a Node ESM script imports bufpack and solves the example, synchronously and in a worker', { timeout: 60_000 }, async () => {
  await writeFile(path.join(project, 'example.csv'), example);
  await writeFile(
    path.join(project, 'main.mjs'),
    `import { readFileSync } from 'node:fs';
import { Problem, Solver, solveInWorker, validateSolution, version } from 'bufpack';

const csv = readFileSync(new URL('./example.csv', import.meta.url), 'utf8');
const problem = Problem.fromCsv(csv, { capacity: 12 });
const sync = new Solver().solve(problem);
const worker = await solveInWorker(csv, { capacity: 12 });
const minimised = await solveInWorker(problem, { minimize: true });
console.log(JSON.stringify({
  resolved: import.meta.resolve('bufpack'),
  version,
  sync: { height: sync.height, status: sync.status, validity: validateSolution(problem, sync) },
  worker: { height: worker.height, status: worker.status, validity: validateSolution(problem, worker) },
  minimised: { height: minimised.height, status: minimised.status },
}));
`,
  );
  // The script must also exit on its own: finished workers may not keep Node alive.
  const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: project, timeout: 50_000 });
  const out = JSON.parse(stdout);
  assert.equal(fileURLToPath(out.resolved), path.join(project, 'node_modules/bufpack/node.js'), 'Node picks the "node" export of the installed copy');
  assert.match(out.version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(out.sync, { height: 12, status: 'solved', validity: { valid: true } });
  assert.deepEqual(out.worker, { height: 12, status: 'solved', validity: { valid: true } });
  assert.deepEqual(out.minimised, { height: 12, status: 'optimal' });
});

const TSC_FLAGS = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];

const GOOD_TS = `import { layoutToCsv, mountLayout, mountReplay, type LayoutOptions, type ReplayOptions, type SelectedBuffer } from 'bufpack/view';
import {
  BufpackError,
  Problem,
  Solver,
  SolverParams,
  solveInWorker,
  traceSearch,
  validateSolution,
  type Progress,
  type Solution,
  type Validity,
  type WorkerOptions,
} from 'bufpack';

const csv: string = 'id,lower,upper,size\\nb1,0,3,4\\n';
const problem: Problem = Problem.fromCsv(csv, { capacity: 12 });
const params: SolverParams = new SolverParams({ canonicalOnly: true, fillHoles: false, preorderingHeuristics: ['WAT'] });
const floor: boolean = params.canonicalFloor;
const solution: Solution = new Solver(params).solve(problem, { timeoutSeconds: 5 });
const height: number = solution.height;
const status: 'solved' | 'optimal' | 'feasible' = solution.status;
const validity: Validity = validateSolution(problem, solution);
if (!validity.valid) {
  const message: string = validity.message;
  console.log(message);
}

try {
  Problem.fromCsv('nonsense');
} catch (error) {
  if (error instanceof BufpackError) {
    if (error.code === 'parse') {
      const line: number | undefined = error.line;
      console.log(line, error.column, error.field);
    } else if (error.code === 'aborted') {
      const best: Solution | undefined = error.best;
      console.log(best?.height);
    }
  }
}

const controller = new AbortController();
const options: WorkerOptions = {
  capacity: 12,
  signal: controller.signal,
  parallel: 2,
  onProgress(progress: Progress) {
    const nodes: number = progress.nodes;
    const best: number | undefined = progress.bestHeight;
    console.log(nodes, best);
  },
};
const inWorker: Promise<Solution> = solveInWorker(csv, options);
inWorker.then(
  (s) => console.log(s.height, s.gapPercent, height, status),
  (e: unknown) => {
    if (e instanceof BufpackError && e.code === 'infeasible') console.log(e.reason?.kind);
  },
);
void solveInWorker(problem, { parallel: true, signal: AbortSignal.timeout(1000) });

// bufpack/view: the function, the element (typed through HTMLElementTagNameMap), the event.
declare const host: HTMLElement;
const viewOptions: LayoutOptions = { layout: { problem, solution }, capacity: 12, colour: 'id', theme: 'auto' };
const view = mountLayout(host, { ...viewOptions, onSelect: (b: SelectedBuffer | null) => console.log(b?.id, b?.offset) });
view.update({ colour: 'lifetime' });
view.destroy();
const element = document.createElement('bufpack-layout');
element.layout = { problem, solution };
element.addEventListener('select', (event) => console.log(event.detail?.size));
const replayOptions: ReplayOptions = { trace: await traceSearch(problem, { capacity: 12 }), problem, capacity: 12, speed: 2, theme: 'dark' };
const replay = mountReplay(host, replayOptions);
replay.update({ speed: 8 });
replay.destroy();
const replayElement = document.createElement('bufpack-replay');
replayElement.trace = replayOptions.trace;
replayElement.problem = problem;
const converted: string = layoutToCsv({ problem, solution }).csv;
console.log(converted);

// The declarations must reject these (each @ts-expect-error fails the build if they do not).
// @ts-expect-error: not a solver switch
new SolverParams({ noSuchSwitch: true });
// @ts-expect-error: not a status
export const wrongStatus: typeof solution.status = 'done';
// @ts-expect-error: parallel is a boolean or a number
void solveInWorker(csv, { parallel: 'yes' });
// @ts-expect-error: not a colour mode
mountLayout(host, { colour: 'rainbow' });
// @ts-expect-error: traceSearch loads its module on first use, so it gives a promise
export const notAwaited: ReplayOptions['trace'] = traceSearch(problem, { capacity: 12 });
`;

// Each line marked "error" must be reported by tsc.
const BAD_TS = `import { BufpackError, Problem, Solver, solveInWorker } from 'bufpack';
const solution = new Solver().solve(Problem.fromCsv('', { capacity: 12 }));
const height: string = solution.height; // error TS2322: height is a number
void solveInWorker('', { capacty: 12 }); // error: misspelt option
declare const error: BufpackError;
if (error.code === 'parse-error') console.log(height); // error TS2367: not an ErrorCode
`;

test('(b) TypeScript: a strict consumer type-checks against the installed declarations; wrong uses are rejected', { timeout: 120_000 }, async () => {
  await writeFile(path.join(project, 'good.ts'), GOOD_TS);
  await writeFile(path.join(project, 'bad.ts'), BAD_TS);

  const good = await run(process.execPath, [tsc, ...TSC_FLAGS, '--listFiles', 'good.ts'], { cwd: project }).catch((e) => e);
  assert.equal(good.code ?? 0, 0, `tsc rejected good.ts:\n${good.stdout}${good.stderr}`);
  const files = good.stdout.split('\n').map((line) => line.trim());
  assert.ok(
    files.includes(path.join(project, 'node_modules/bufpack/index.d.ts')),
    `'bufpack' resolved to the installed index.d.ts:\n${files.filter((f) => !f.includes('/lib.')).join('\n')}`,
  );

  const bad = await run(process.execPath, [tsc, ...TSC_FLAGS, 'bad.ts'], { cwd: project }).then(
    (r) => ({ code: 0, ...r }),
    (e) => e,
  );
  assert.notEqual(bad.code, 0, 'tsc accepted bad.ts');
  const reported = bad.stdout;
  assert.match(reported, /bad\.ts\(3,\d+\): error TS2322/, reported);
  assert.match(reported, /bad\.ts\(4,\d+\): error TS\d+:.*capacty/, reported);
  assert.match(reported, /bad\.ts\(6,\d+\): error TS2367/, reported);
  assert.equal(reported.match(/error TS/g).length, 3, `exactly the three marked errors:\n${reported}`);
});

// The Vite app: solves the example in a worker and writes the height (or the error) into the page.
const INDEX_HTML = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>bufpack with Vite</title>
</head>
<body>
<p>height: <span id="height"></span></p>
<p>validity: <span id="validity"></span></p>
<p>error: <span id="error"></span></p>
<script type="module" src="./main.js"></script>
</body>
</html>
`;

const MAIN_JS = `import { Problem, solveInWorker, validateSolution } from 'bufpack';

const csv = ${JSON.stringify(example)};
solveInWorker(csv, { capacity: 12 }).then(
  (solution) => {
    document.querySelector('#validity').textContent = JSON.stringify(validateSolution(Problem.fromCsv(csv), solution));
    document.querySelector('#height').textContent = String(solution.height);
  },
  (error) => {
    document.querySelector('#error').textContent = \`\${error?.code}: \${error?.message}\`;
    console.error(error);
  },
);
`;

/**
 * Writes a page (`html` and its `main.js`) into the project, builds it with `vite build`
 * (no vite.config.js: the package must work with Vite's defaults), serves `dist/` and calls
 * `check(url, { assets, server })`: the emitted asset names and the server's request log.
 */
async function withBuild(html, main, check) {
  await writeFile(path.join(project, 'index.html'), html);
  await writeFile(path.join(project, 'main.js'), main);
  await run(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: project });
  const dist = path.join(project, 'dist');
  const assets = await readdir(path.join(dist, 'assets'));
  const server = await serve({ mounts: { '/': dist } });
  try {
    await check(`${server.url}/`, { assets, server });
  } finally {
    await server.close();
  }
}

/** Writes the same page and serves it from Vite's dev server (dependency pre-bundling on) for `check(url)`. */
async function withViteDevServer(html, main, check) {
  await writeFile(path.join(project, 'index.html'), html);
  await writeFile(path.join(project, 'main.js'), main);
  const { createServer } = await import('vite');
  const server = await createServer({
    root: project,
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  try {
    await server.listen();
    await check(server.resolvedUrls.local[0]);
  } finally {
    await server.close();
  }
}

/** Opens `url` in Chromium and waits for the app to write its height or its error. */
async function runApp(url) {
  const browser = await launchChromium();
  try {
    const { page, problems } = await openPage(browser);
    const failedRequests = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => failedRequests.push(`failed ${request.url()}`));
    await page.goto(url);
    await page
      .waitForFunction(() => document.querySelector('#height')?.textContent || document.querySelector('#error')?.textContent, null, {
        timeout: 30_000,
      })
      .catch(() => {}); // the assertions below say what is missing
    const read = (selector) => page.textContent(selector);
    return {
      height: await read('#height'),
      validity: await read('#validity'),
      error: await read('#error'),
      problems,
      failedRequests,
    };
  } finally {
    await browser.close();
  }
}

function checkApp(app) {
  assert.deepEqual(app.problems, [], 'no console errors or page errors');
  assert.deepEqual(app.failedRequests, [], 'no failed requests');
  assert.equal(app.error, '', 'the solve did not fail');
  assert.equal(app.height, '12');
  assert.equal(app.validity, JSON.stringify({ valid: true }));
}

test('(c) Vite: `vite build` of an app importing bufpack runs in Chromium (worker, wasm)', { timeout: 180_000 }, async () => {
  await withBuild(INDEX_HTML, MAIN_JS, async (url, { assets, server }) => {
    assert.ok(assets.some((name) => name.endsWith('.wasm')), `the .wasm was emitted: ${assets}`);
    assert.ok(!assets.some((name) => name.includes('bufpack_view')), `the viewer is not bundled when not imported: ${assets}`);
    checkApp(await runApp(url));
    const served = server.requests.filter((r) => r.status === 200).map((r) => r.path);
    assert.ok(served.some((p) => p.endsWith('.wasm')), `the page fetched the emitted .wasm: ${served}`);
  });
});

test('(d) Vite: the dev server serves the same app (dependency pre-bundling on)', { timeout: 180_000 }, async () => {
  await withViteDevServer(INDEX_HTML, MAIN_JS, async (url) => checkApp(await runApp(url)));
});

// bufpack/view alone: two elements (one dark) and a mounted view, without the solver.
const VIEW_HTML = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>bufpack/view with Vite</title>
<style>bufpack-layout, #mounted { display: block; height: 240px; }</style>
</head>
<body>
<bufpack-layout id="one" capacity="12"></bufpack-layout>
<bufpack-layout id="two" theme="dark" colour="id"></bufpack-layout>
<div id="mounted"></div>
<script type="module" src="./main.js"></script>
</body>
</html>
`;

const VIEW_MAIN = `import { mountLayout } from 'bufpack/view';

const csv = ${JSON.stringify(layoutCsv)};
document.querySelector('#one').setAttribute('csv', csv);
document.querySelector('#two').setAttribute('csv', csv);
mountLayout(document.querySelector('#mounted'), { csv });
`;

/** Opens the page at `url` and checks its three views drew, with no console error and no failed request. */
async function checkViews(url) {
  const browser = await launchChromium();
  try {
    const { page, problems } = await openPage(browser);
    const failed = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(url);
    const canvases = () =>
      [...document.querySelectorAll('bufpack-layout')].map((e) => e.shadowRoot.querySelector('canvas'))
        .concat([document.querySelector('#mounted canvas')]);
    await page.waitForFunction(
      (source) => (0, eval)(source)().every((c) => c?.dataset.drawn === 'true'),
      `(${canvases})`,
      { timeout: 30_000 },
    );
    const inked = await page.evaluate((source) => (0, eval)(source)().map((c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) ink += 1;
      return ink / (c.width * c.height);
    }), `(${canvases})`);
    assert.equal(inked.length, 3);
    for (const share of inked) assert.ok(share > 0.05, `drawn: ${inked}`);
    assert.deepEqual(problems, [], 'no console errors or page errors');
    assert.deepEqual(failed, [], 'no failed requests');
  } finally {
    await browser.close();
  }
}

test('(e) Vite: `vite build` of a page importing only bufpack/view draws its views in Chromium', { timeout: 180_000 }, async () => {
  await withBuild(VIEW_HTML, VIEW_MAIN, async (url, { assets, server }) => {
    assert.ok(assets.some((name) => /bufpack_view_bg.*\.wasm$/.test(name)), `the viewer's .wasm was emitted: ${assets}`);
    // The solver is a lazy chunk (a <bufpack-replay> without a trace records its search with
    // it): emitted, but never fetched by a page that only shows layouts.
    await checkViews(url);
    const served = server.requests.map((r) => r.path);
    assert.ok(served.some((p) => /bufpack_view_bg.*\.wasm$/.test(p)), `${served}`);
    assert.ok(!served.some((p) => /bufpack_wasm_bg/.test(p)), `the solver's .wasm was not fetched: ${served}`);
  });
});

test('(f) Vite: the dev server serves the same bufpack/view page (dependency pre-bundling on)', { timeout: 180_000 }, async () => {
  await withViteDevServer(VIEW_HTML, VIEW_MAIN, checkViews);
});

// bufpack/view's replay: one recording its search in the package's worker (csv + capacity),
// one of a trace recorded on the page (traceSearch), one mounted with mountReplay. A page of
// its own, so the layout-only page above still shows that layouts never fetch the solver.
const REPLAY_HTML = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>bufpack/view replays with Vite</title>
<style>bufpack-replay, #mounted { display: block; height: 320px; }</style>
</head>
<body>
<bufpack-replay id="recorded" capacity="11"></bufpack-replay>
<bufpack-replay id="traced" capacity="12" theme="dark"></bufpack-replay>
<div id="mounted"></div>
<script type="module" src="./main.js"></script>
</body>
</html>
`;

const REPLAY_MAIN = `import { mountReplay } from 'bufpack/view';
import { Problem, traceSearch } from 'bufpack';

document.querySelector('#recorded').setAttribute('csv', ${JSON.stringify(teaching)});
const problem = Problem.fromCsv(${JSON.stringify(example)});
const trace = await traceSearch(problem, { capacity: 12 });
const traced = document.querySelector('#traced');
traced.problem = problem;
traced.trace = trace;
mountReplay(document.querySelector('#mounted'), { trace, problem, capacity: 12 });
`;

/**
 * Opens the replay page at `url`: each of its three replays draws step 0 (pixels read back),
 * says what it shows, and its Forward button steps it on, the picture changing; no
 * console error (page or worker) and no failed request. A screenshot goes to target/e2e/`shot`.
 */
async function checkReplays(url, shot) {
  const browser = await launchChromium();
  try {
    const { page, problems } = await openPage(browser);
    const failed = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.setViewportSize({ width: 900, height: 1100 });
    await page.goto(url);
    // Playwright's CSS pierces the elements' shadow roots.
    const canvas = (id) => page.locator(`#${id} canvas.bp-step`);
    const atStep = async (id, step) => {
      // The step drawn, or the replay's inline error (said, rather than waited out).
      await page.locator(`#${id} canvas.bp-step, #${id} .bp-error`).first().waitFor({ timeout: 60_000 });
      const error = page.locator(`#${id} .bp-error`);
      if ((await error.count()) > 0) assert.fail(`#${id} shows an error: ${await error.textContent()}`);
      await page.waitForFunction(([c, wanted]) => c.dataset.step === wanted, [await canvas(id).elementHandle(), String(step)], {
        timeout: 60_000,
      });
    };
    for (const id of ['recorded', 'traced', 'mounted']) {
      await atStep(id, 0);
      const inked = await canvas(id).evaluate((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) ink += 1;
        return ink / (c.width * c.height);
      });
      assert.ok(inked > 0.02, `#${id} drew step 0: ${inked}`);
      const figures = await page.locator(`#${id} .bp-figures`).textContent();
      const [capacity, csv] = id === 'recorded' ? [11, teaching] : [12, example];
      const buffers = csv.trim().split('\n').length - 1; // a header, then a row per buffer
      assert.match(figures, new RegExp(`^capacity ${capacity} · ${buffers} buffers · 0 placed · step 0 of [1-9]\\d*$`), `#${id}`);
      const pictures = [await canvas(id).evaluate((c) => c.toDataURL())];
      for (let step = 1; step <= 6; step += 1) {
        await page.locator(`#${id} .bp-forward`).click();
        await atStep(id, step);
        pictures.push(await canvas(id).evaluate((c) => c.toDataURL()));
      }
      assert.ok(new Set(pictures).size > 2, `#${id}: stepping forward changes the picture (${new Set(pictures).size} of 7 differ)`);
      assert.match(await page.locator(`#${id} .bp-figures`).textContent(), /· step 6 of /, `#${id}`);
    }
    await page.screenshot({ path: path.join(root, 'target/e2e', shot), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors or page errors');
    assert.deepEqual(failed, [], 'no failed requests');
  } finally {
    await browser.close();
  }
}

test('(g) Vite: `vite build` of a page with replays (recorded in the worker, of a trace) runs them in Chromium', { timeout: 180_000 }, async () => {
  await withBuild(REPLAY_HTML, REPLAY_MAIN, async (url, { server }) => {
    await checkReplays(url, 'consumer-replay.png');
    const served = server.requests.filter((r) => r.status === 200).map((r) => r.path);
    assert.ok(served.some((p) => /bufpack_view_bg.*\.wasm$/.test(p)), `the viewer's .wasm was fetched: ${served}`);
    // The page and the worker recording the search each load the solver.
    assert.ok(served.some((p) => /bufpack_wasm_bg.*\.wasm$/.test(p)), `the solver's .wasm was fetched: ${served}`);
    assert.ok(served.some((p) => /worker.*\.js$/.test(p)), `the package's worker was fetched: ${served}`);
    // Both record: the page's trace and the worker's start the recorder, compiled once.
    assert.equal(served.filter((p) => /bufpack_trace_wasm_bg.*\.wasm$/.test(p)).length, 1, `the recorder's .wasm was fetched once: ${served}`);
  });
});

test('(h) Vite: the dev server serves the same replay page (dependency pre-bundling on)', { timeout: 180_000 }, async () => {
  await withViteDevServer(REPLAY_HTML, REPLAY_MAIN, (url) => checkReplays(url, 'consumer-replay-dev.png'));
});
