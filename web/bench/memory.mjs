// Memory and speed of one build of the package, for the allocator table in ARCHITECTURE.md:
//   node web/bench/memory.mjs PACKAGE_DIR
// Runs 1000 solves (every tenth the challenging instance K, the rest the small example and
// seeded random problems) and prints the wasm memory size after 100, 500 and 1000 of them,
// then the total time of A-K (sync, one pass).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = path.resolve(process.argv[2] ?? 'target/npm/package');
const api = await import(pathToFileURL(path.join(dir, 'node.js')).href);
const raw = await import(pathToFileURL(path.join(dir, 'bufpack_wasm.js')).href);
const fixture = (name) => readFileSync(new URL(`../../tests/fixtures/${name}`, import.meta.url), 'utf8');

const K = api.Problem.fromCsv(fixture('challenging/K.1048576.csv'), { capacity: 1048576 });
const example = api.Problem.fromCsv(fixture('examples/input.12.csv'), { capacity: 12 });
let seed = 7;
const next = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
const random = () =>
  new api.Problem(
    Array.from({ length: 200 }, (_, i) => {
      const lower = next(1000);
      return { id: `b${i}`, lifespan: [lower, lower + 1 + next(100)], size: 1 + next(1000) };
    }),
  );

const memory = {};
for (let i = 1; i <= 1000; i++) {
  if (i % 10 === 0) new api.Solver().solve(K);
  else if (i % 2 === 0) new api.Solver().solve(example);
  else api.minimize(random(), { timeoutSeconds: 1 });
  if (i === 100 || i === 500 || i === 1000) memory[i] = raw.__memoryBytes();
}
const start = performance.now();
for (const name of 'ABCDEFGHIJK') api.solveFromCsv(fixture(`challenging/${name}.1048576.csv`), { capacity: 1048576 });
console.log(JSON.stringify({ memory, akMs: Math.round(performance.now() - start) }));
