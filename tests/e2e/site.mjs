// What every end-to-end test file shares: where the built site is, the fixtures, the
// screenshot folder, and one page on the site served locally, failing any test that logs a
// console error or throws on the page. Not a test file itself (node --test skips it).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium, openPage, serve } from '../../web/test/browser.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dist = process.env.BUFPACK_DIST ?? path.join(root, 'dist');
/** Screenshots (CI artifacts). */
export const shots = path.join(root, 'target/e2e');
mkdirSync(shots, { recursive: true });

export const fixture = (name) => readFileSync(path.join(root, 'tests/fixtures', name), 'utf8');

/** The package the site ships, run in Node: the validator and the reference figures. */
export const loadPackage = () => import(pathToFileURL(path.join(dist, 'bufpack/node.js')).href);

/**
 * Serves `dist`, opens a page of the given size on it (after `beforeGoto(page)`, for
 * listeners that must see the first load) and waits for `ready`. Returns
 * `{ server, browser, context, page, problems }`.
 */
export async function openSite({ width = 1280, height = 900, ready = 'h1', beforeGoto } = {}) {
  const server = await serve({ mounts: { '/': dist } });
  const browser = await launchChromium();
  const opened = await openPage(browser);
  await opened.page.setViewportSize({ width, height });
  await beforeGoto?.(opened.page);
  await opened.page.goto(`${server.url}/`);
  await opened.page.waitForSelector(ready, { timeout: 30_000 });
  return { server, browser, ...opened };
}

export async function closeSite(site) {
  await site?.browser?.close();
  await site?.server?.close();
}

/** For `afterEach`: no console errors or page errors since the last call. */
export function assertNoProblems(site) {
  const seen = site.problems.splice(0);
  assert.deepEqual(seen, [], 'no console errors or page errors');
}
