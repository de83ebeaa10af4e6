// `node xtask/minify.mjs DIR`: the JavaScript files under DIR printed again without comments
// and whitespace, in place; `cargo xtask dist` runs it on the site it builds.
//
// The sources (the npm package, wasm-bindgen's glue) are commented for their readers, and
// the comments were about a third of what a first visit downloaded in JavaScript. Only the
// site's copies are rewritten: the npm package keeps its comments. Nothing is renamed or
// folded (no mangling, no compression), so each file keeps its exports, imports and
// `new URL('./worker.js', import.meta.url)` lookups as written: the printer is oxc's
// (rolldown's, pinned in package-lock.json), which parses the module first and refuses
// what it cannot parse.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minifySync } from 'rolldown/experimental';

const OPTIONS = { compress: false, mangle: false, codegen: { removeWhitespace: true } };

function* scripts(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* scripts(path);
    else if (name.endsWith('.js')) yield path;
  }
}

const [dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node xtask/minify.mjs DIR');
  process.exit(2);
}
let before = 0;
let after = 0;
for (const path of scripts(dir)) {
  const code = readFileSync(path, 'utf8');
  const out = minifySync(path, code, OPTIONS);
  if (out.errors?.length) {
    const what = out.errors.map((e) => e.message ?? String(e)).join('; ');
    console.error(`${path}: cannot minify: ${what}`);
    process.exit(1);
  }
  writeFileSync(path, out.code);
  before += code.length;
  after += out.code.length;
}
console.log(`minified the JavaScript under ${dir}: ${before} -> ${after} bytes`);
