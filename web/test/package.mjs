// Where the built package is: $BUFPACK_PACKAGE, or target/npm/package (cargo xtask pack).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const packageDir = process.env.BUFPACK_PACKAGE ?? path.join(root, 'target/npm/package');

export const bufpack = await import(pathToFileURL(path.join(packageDir, 'node.js')).href);
export const raw = await import(pathToFileURL(path.join(packageDir, 'bufpack_wasm.js')).href);
export const core = await import(pathToFileURL(path.join(packageDir, 'core.js')).href);

export function fixture(name) {
  return readFileSync(path.join(root, 'tests/fixtures', name), 'utf8');
}

export const CHALLENGING = 'ABCDEFGHIJK'.split('').map((n) => `challenging/${n}.1048576.csv`);

/** A seeded generator (xorshift), so failures reproduce. */
export function rng(seed) {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/** A random small problem with gaps, alignment and the odd fixed buffer. */
export function randomProblem(seed, count = 12) {
  const next = rng(seed);
  const buffers = [];
  for (let i = 0; i < count; i++) {
    const lower = next(20);
    const upper = lower + 1 + next(10);
    const buffer = { id: `b${i}`, lifespan: { lower, upper }, size: 1 + next(8), alignment: 1 + next(2) };
    if (upper - lower >= 4 && next(3) === 0) buffer.gaps = [{ lifespan: { lower: lower + 1, upper: lower + 3 } }];
    buffers.push(buffer);
  }
  return { buffers };
}

/**
 * A search that runs for minutes at least (30 s natively did not settle it): D at a capacity
 * between its proven bound (986112) and its best known packing (1031168).
 */
export const HARD = { text: fixture('challenging/D.1048576.csv'), capacity: 990000 };
