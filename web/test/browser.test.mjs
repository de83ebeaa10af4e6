// The built package in real Chromium: a page loads ./index.js with <script type="module">
// exactly as a user's page would (top-level await, fetch of the .wasm, module workers).
// Run: node --test web/test/browser.test.mjs   ($BUFPACK_PACKAGE: another built package dir)
import test, { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, serve } from './browser.mjs';
// A search that runs for minutes: D at a capacity between its bound and its best packing
// (D at 1048576 now solves in about half a second).
import { HARD } from './package.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const packageDir = process.env.BUFPACK_PACKAGE ?? path.join(root, 'target/npm/package');

// The page sits next to index.js (served at /), as a user's page next to the package would.
const PAGE = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>bufpack in the browser</title>
<script type="module">
  import * as bufpack from './index.js';
  window.bufpack = bufpack;
  document.body.dataset.ready = 'yes';
</script>
</head>
<body></body>
</html>
`;

let server;
let browser;
let page;
let problems;

before(async () => {
  server = await serve({
    mounts: { '/': packageDir, '/fixtures/': path.join(root, 'tests/fixtures') },
    pages: { '/bufpack-test.html': PAGE },
  });
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser));
  await page.goto(`${server.url}/bufpack-test.html`);
  try {
    await page.waitForSelector('body[data-ready="yes"]', { state: 'attached', timeout: 30_000 });
  } catch (error) {
    throw new Error(`the page did not load the package: ${error.message}\n${problems.join('\n')}`);
  }
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// Any console error or uncaught error in the page fails the test it happened in.
afterEach(() => {
  const seen = problems.splice(0);
  assert.deepEqual(seen, [], 'console errors or page errors in the page');
});

test('the page loaded the package: index.js, the .wasm (as application/wasm) and its module', async () => {
  const paths = server.requests.filter((r) => r.status === 200).map((r) => r.path);
  assert.ok(paths.includes('/index.js'));
  assert.ok(paths.includes('/bufpack_wasm_bg.wasm'));
  const notFound = server.requests.filter((r) => r.status !== 200);
  assert.deepEqual(notFound, [], 'every file the page asked for exists');
  assert.equal(await page.evaluate(() => typeof window.bufpack.solveInWorker), 'function');
  assert.match(await page.evaluate(() => window.bufpack.version), /^\d+\.\d+\.\d+/);
});

test('(a) the synchronous API solves the example in the page; parse errors carry code, line and column', async () => {
  const result = await page.evaluate(async () => {
    const { Problem, Solver, validateSolution, BufpackError } = window.bufpack;
    const csv = await (await fetch('/fixtures/examples/input.12.csv')).text();
    const problem = Problem.fromCsv(csv, { capacity: 12 });
    const solution = new Solver().solve(problem);
    let parse;
    try {
      Problem.fromCsv('id,lower,upper,size\nb1,0,3,4\nb2,3,x,4\n');
    } catch (error) {
      parse = {
        isBufpackError: error instanceof BufpackError,
        name: error.name,
        code: error.code,
        line: error.line,
        column: error.column,
        field: error.field,
      };
    }
    return {
      buffers: problem.buffers.length,
      height: solution.height,
      status: solution.status,
      offsets: solution.offsets,
      validity: validateSolution(problem, solution),
      tampered: validateSolution(problem, { offsets: solution.offsets.map(() => 0) }),
      parse,
    };
  });
  assert.equal(result.buffers, 5);
  assert.equal(result.height, 12);
  assert.equal(result.status, 'solved');
  assert.equal(result.offsets.length, 5);
  assert.deepEqual(result.validity, { valid: true });
  assert.equal(result.tampered.valid, false, 'the validator in the page rejects an overlapping packing');
  assert.ok(result.parse, 'bad CSV threw');
  assert.equal(result.parse.isBufpackError, true);
  assert.equal(result.parse.name, 'BufpackError');
  assert.equal(result.parse.code, 'parse');
  assert.equal(result.parse.line, 3);
  assert.equal(result.parse.column, 6);
  assert.equal(result.parse.field, 'upper');
});

test('(b) a long worker search reports rising progress; abort rejects with AbortError and progress stops', { timeout: 120_000 }, async () => {
  const result = await page.evaluate(async ({ text: csv, capacity }) => {
    const { solveInWorker } = window.bufpack;
    const controller = new AbortController();
    const events = []; // the order things happened in
    const progress = [];
    let rejectedAt;
    const running = solveInWorker(csv, {
      capacity,
      signal: controller.signal,
      onProgress(p) {
        progress.push(p);
        events.push(rejectedAt === undefined ? 'progress' : 'progress-after-rejection');
        if (progress.length === 4) controller.abort();
      },
    });
    const outcome = await running.then(
      (solution) => ({ resolved: solution.status }),
      (error) => ({ name: error.name, code: error.code, isBufpackError: error instanceof window.bufpack.BufpackError }),
    );
    rejectedAt = progress.length;
    events.push('rejected');
    // Give a late message from the (terminated) worker every chance to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { outcome, nodes: progress.map((p) => p.nodes), events, countAtRejection: rejectedAt, countNow: progress.length };
  }, HARD);
  assert.deepEqual(result.outcome, { name: 'AbortError', code: 'aborted', isBufpackError: true });
  assert.equal(result.countAtRejection, 4, 'the abort came from the fourth progress event');
  assert.equal(result.countNow, 4, 'no progress event after the rejection');
  assert.deepEqual(result.events, ['progress', 'progress', 'progress', 'progress', 'rejected']);
  for (let i = 1; i < result.nodes.length; i++) {
    assert.ok(result.nodes[i] >= result.nodes[i - 1], `nodes never go down: ${result.nodes}`);
  }
  assert.ok(result.nodes.at(-1) > result.nodes[0], `nodes increase: ${result.nodes}`);
});

test('(c) the main thread stays responsive while the worker searches', { timeout: 120_000 }, async () => {
  const result = await page.evaluate(async ({ text: csv, capacity }) => {
    const { solveInWorker } = window.bufpack;
    const controller = new AbortController();
    const log = [];
    let settled = false;
    let progressCount = 0;
    const running = solveInWorker(csv, {
      capacity,
      signal: controller.signal,
      onProgress: () => {
        progressCount++;
        log.push('progress');
      },
    }).then(
      () => {
        settled = true;
        log.push('resolved');
        return 'resolved';
      },
      (error) => {
        settled = true;
        log.push(`rejected:${error.code}`);
        return error.code;
      },
    );
    // A setTimeout chain: each tick notes whether the search was still running then.
    const ticks = [];
    await new Promise((resolve) => {
      const tick = () => {
        ticks.push({ searchRunning: !settled, progressSoFar: progressCount });
        log.push('tick');
        // Enough ticks, some of them after the worker has reported progress (so it is busy).
        if (settled || (ticks.length >= 5 && ticks.filter((t) => t.progressSoFar > 0).length >= 5)) resolve();
        else setTimeout(tick, 20);
      };
      setTimeout(tick, 20);
    });
    const stillRunning = !settled;
    controller.abort();
    const outcome = await running;
    return { ticks, stillRunning, outcome, log };
  }, HARD);
  assert.equal(result.stillRunning, true, 'the search was still running when the ticks were counted');
  const busyTicks = result.ticks.filter((t) => t.searchRunning && t.progressSoFar > 0);
  assert.ok(busyTicks.length >= 5, `at least 5 timer ticks fired while the worker was searching: ${JSON.stringify(result.ticks)}`);
  // Ticks and progress interleave: the page is not starved by progress messages either.
  const firstProgress = result.log.indexOf('progress');
  assert.ok(firstProgress >= 0, 'progress arrived');
  assert.ok(result.log.slice(firstProgress).includes('tick'), 'ticks fire after the search started reporting');
  assert.equal(result.outcome, 'aborted');
  assert.equal(result.log.at(-1), 'rejected:aborted');
});

test('(d) aborting a minimisation hands back the best packing so far, valid, with a gap', { timeout: 120_000 }, async () => {
  const result = await page.evaluate(async () => {
    const { solveInWorker, validateSolution, Problem, Solution } = window.bufpack;
    const csv = await (await fetch('/fixtures/challenging/D.1048576.csv')).text();
    const controller = new AbortController();
    let abortedAt;
    const error = await solveInWorker(csv, {
      signal: controller.signal,
      onProgress(p) {
        if (abortedAt === undefined && p.bestHeight !== undefined) {
          abortedAt = p;
          controller.abort();
        }
      },
    }).then(
      (solution) => ({ resolvedWith: solution.status }),
      (e) => e,
    );
    const best = error.best;
    return {
      name: error.name,
      code: error.code,
      resolvedWith: error.resolvedWith,
      abortedAt,
      hasBest: best !== undefined,
      bestIsSolution: best instanceof Solution,
      best: best && {
        height: best.height,
        status: best.status,
        gapPercent: best.gapPercent,
        lowerBound: best.lowerBound,
        stopped: best.stopped,
        offsets: best.offsets.length,
      },
      validity: best && validateSolution(Problem.fromCsv(csv), best),
      buffers: Problem.fromCsv(csv).buffers.length,
    };
  });
  assert.equal(result.resolvedWith, undefined, 'the minimisation did not resolve');
  assert.equal(result.code, 'aborted');
  assert.equal(result.name, 'AbortError');
  assert.ok(result.abortedAt?.bestHeight > 0, 'progress had a bestHeight');
  assert.ok(result.hasBest, 'error.best is set');
  assert.equal(result.bestIsSolution, true);
  assert.equal(result.best.offsets, result.buffers);
  assert.deepEqual(result.validity, { valid: true });
  assert.ok(result.best.gapPercent > 0, `gapPercent > 0: ${JSON.stringify(result.best)}`);
  assert.ok(result.best.height > result.best.lowerBound);
  assert.ok(result.best.height <= result.abortedAt.bestHeight, 'the best is at least as low as progress said');
  assert.equal(result.best.stopped, true);
  assert.equal(result.best.status, 'feasible');
});

test('(e) parallel workers solve A at capacity 1048576', { timeout: 300_000 }, async () => {
  const result = await page.evaluate(async () => {
    const { solveInWorker, validateSolution, Problem } = window.bufpack;
    const csv = await (await fetch('/fixtures/challenging/A.1048576.csv')).text();
    const solution = await solveInWorker(csv, { capacity: 1048576, parallel: true });
    const problem = Problem.fromCsv(csv, { capacity: 1048576 });
    return {
      status: solution.status,
      height: solution.height,
      offsets: solution.offsets.length,
      buffers: problem.buffers.length,
      validity: validateSolution(problem, solution),
    };
  });
  assert.equal(result.status, 'solved');
  assert.ok(result.height <= 1048576);
  assert.equal(result.offsets, result.buffers);
  assert.deepEqual(result.validity, { valid: true });
});
