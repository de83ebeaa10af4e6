// Helpers for the tests that run the package in Chromium: a tiny static file server and a
// browser launcher that records console errors and page errors.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/**
 * Serves files on 127.0.0.1 at an ephemeral port. `mounts` maps URL prefixes ("/",
 * "/fixtures/") to directories; `pages` maps exact URL paths to in-memory HTML.
 * Resolves to { url, close, requests } (requests: every path asked for, with its status).
 */
export async function serve({ mounts = {}, pages = {} }) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const requests = [];
  const server = createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const send = (status, type, body) => {
      requests.push({ path: pathname, status });
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    try {
      if (pathname in pages) return send(200, TYPES['.html'], pages[pathname]);
      const prefix = prefixes.find((p) => pathname.startsWith(p));
      if (prefix === undefined) return send(404, 'text/plain', 'not found');
      const base = path.resolve(mounts[prefix]);
      let file = path.resolve(base, '.' + path.posix.sep + pathname.slice(prefix.length));
      if (file !== base && !file.startsWith(base + path.sep)) return send(403, 'text/plain', 'forbidden');
      if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (body === null) return send(404, 'text/plain', 'not found');
      send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', body);
    } catch (error) {
      send(500, 'text/plain', String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A new page whose console errors and uncaught errors (in the page and its workers) land in `problems`. */
export async function openPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()} (${message.location()?.url ?? '?'})`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error?.stack ?? error}`));
  page.on('worker', (worker) => {
    worker.on('console', (message) => {
      if (message.type() === 'error') problems.push(`worker console.error: ${message.text()}`);
    });
  });
  return { context, page, problems };
}
