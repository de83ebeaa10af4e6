// `import { mountLayout } from 'bufpack/view'`, or just import it to define
// <bufpack-layout>. The viewer has a .wasm of its own (bufpack_view_bg.wasm), fetched the
// first time a view is mounted, so importing `bufpack` alone never loads it. This file does
// what is the page's business (custom elements, fetching `src`, the package's objects as CSV,
// the page's theme, recording a replay's search in the package's worker: `./index.js` is
// imported only then); the .wasm parses, checks and draws (ARCHITECTURE.md, `view/`).

import init, {
  checkReplayProblem,
  mountLayout as mountLayoutWasm,
  mountReplay as mountReplayWasm,
} from './bufpack_view.js';

let ready;
/** Loads and instantiates the viewer's .wasm once; every view waits on the same promise. */
function load() {
  ready ??= init({ module_or_path: new URL('./bufpack_view_bg.wasm', import.meta.url) });
  return ready;
}

const STYLE = `
.bp-root { position: relative; width: 100%; height: 100%; min-height: inherit; }
.bp-view {
  --bp-bg: #fff; --bp-text: #222; --bp-muted: #5f6670; --bp-border: #d5d8dd; --bp-error: #b3261e;
  display: flex; flex-direction: column; box-sizing: border-box; width: 100%; height: 100%;
  background: var(--bp-bg); color: var(--bp-text); font: 13px/1.4 system-ui, sans-serif;
  border: 1px solid var(--bp-border); border-radius: 6px; overflow: hidden;
}
.bp-view.bp-dark { --bp-bg: #16181d; --bp-text: #e6e8ec; --bp-muted: #a0a6b0; --bp-border: #3a3f48; --bp-error: #ff8a80; }
.bp-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 12px; padding: 4px 8px; border-bottom: 1px solid var(--bp-border); }
.bp-figures { flex: 1 1 auto; font-variant-numeric: tabular-nums; }
.bp-bar select, .bp-bar button { font: inherit; color: inherit; background: var(--bp-bg); border: 1px solid var(--bp-border); border-radius: 4px; padding: 1px 6px; }
.bp-bar button { cursor: pointer; }
.bp-chart { position: relative; flex: 1 1 auto; min-height: 0; }
.bp-chart canvas:focus-visible { outline: 2px solid #0277bd; outline-offset: -2px; }
.chart-tooltip {
  position: absolute; pointer-events: none; background: var(--bp-bg); color: var(--bp-text);
  border: 1px solid var(--bp-border); border-radius: 6px; padding: 4px 8px;
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18); white-space: nowrap; z-index: 2;
}
.bp-message { margin: auto; padding: 12px 16px; max-width: 90%; overflow-wrap: anywhere; }
.bp-error { color: var(--bp-error); }
.bp-detail { margin-top: 4px; font-family: ui-monospace, monospace; white-space: pre-wrap; }
.bp-stage { display: flex; flex-direction: column; width: 100%; height: 100%; min-height: 0; outline: none; }
.bp-stage:focus-visible { box-shadow: inset 0 0 0 2px #0277bd; }
.bp-step { display: block; width: 100%; height: 100%; }
.bp-narration { margin: 0; padding: 4px 8px; min-height: 2.8em; border-top: 1px solid var(--bp-border); }
.bp-transport { border-top: 1px solid var(--bp-border); border-bottom: 0; }
.bp-transport button:disabled { opacity: 0.45; cursor: default; }
.bp-scrub { flex: 1 1 120px; min-width: 80px; }
.bp-speed { display: inline-flex; align-items: center; gap: 4px; font-variant-numeric: tabular-nums; }
.bp-speed input { width: 80px; }
`;

/** RFC 4180 field: quoted when it must be. */
function field(value) {
  const text = String(value);
  return /[",\r\n]/.test(text) || text.trim() !== text ? `"${text.replaceAll('"', '""')}"` : text;
}

const rangeOf = (r) => (Array.isArray(r) ? { lower: r[0], upper: r[1] } : r);

/**
 * `{ problem, solution }` (the package's `Problem` and `Solution`, or plain objects of the
 * same shape) as CSV with an `offset` column, and the problem's capacity. Throws a message
 * naming the field at fault.
 */
export function layoutToCsv(layout) {
  if (layout === null || typeof layout !== 'object') throw new Error('layout: expected { problem, solution }');
  const { problem, solution } = layout;
  if (!problem || !Array.isArray(problem.buffers)) throw new Error('layout.problem: expected a Problem (an object with buffers)');
  const offsets = solution?.offsets;
  if (!offsets || typeof offsets.length !== 'number') throw new Error('layout.solution: expected a Solution (an object with offsets)');
  if (offsets.length !== problem.buffers.length) {
    throw new Error(`layout.solution.offsets: expected ${problem.buffers.length} offsets (one per buffer), found ${offsets.length}`);
  }
  return { csv: rowsOf(problem, offsets).join('\n'), capacity: problem.capacity };
}

/** A problem's buffers as CSV rows (a header, then one per buffer), with `offsets` if given. */
function rowsOf(problem, offsets) {
  const rows = [`id,lower,upper,size,alignment,gaps${offsets ? ',offset' : ''}`];
  problem.buffers.forEach((b, i) => {
    const life = b.lifespan ? rangeOf(b.lifespan) : { lower: b.lower, upper: b.upper };
    const gaps = (b.gaps ?? [])
      .map((g) => {
        const span = rangeOf(g.lifespan);
        const window = g.window ? rangeOf(g.window) : undefined;
        return `${span.lower}-${span.upper}${window ? `@${window.lower}:${window.upper}` : ''}`;
      })
      .join(' ');
    const row = [field(b.id), life.lower, life.upper, b.size, b.alignment ?? 1, gaps];
    if (offsets) row.push(offsets[i]);
    rows.push(row.join(','));
  });
  return rows;
}

const THEMES = ['light', 'dark', 'auto'];

/**
 * What `mountLayout` and `mountReplay` share: the style and root put into `element`, the
 * options `update` merges, the page's colour scheme, `src` fetched, the .wasm loaded before
 * `mount(root, props())` (the wasm view), its redraws, and `destroy`. `setup(shared)` states
 * what differs and returns `{ props, stop }`: `props()` the wasm view's input, `stop()`
 * (optional) what else `destroy` ends. `shared` holds `options` (the current ones), `dark()`,
 * `fetched(src)`, `render()` and `destroyed()`.
 */
function mountView(element, options, { name, mount, setup }) {
  if (!(element instanceof Element || element instanceof ShadowRoot)) {
    throw new TypeError(`${name}: expected an Element (or a ShadowRoot) to render into`);
  }
  const style = document.createElement('style');
  style.textContent = STYLE;
  const root = document.createElement('div');
  root.className = 'bp-root';
  element.append(style, root);

  let view; // the wasm view, once loaded
  let destroyed = false;
  let loaded = null; // { key, input } of the last src fetched
  let fetching; // { src, controller } of a fetch under way
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const onScheme = () => render();
  media?.addEventListener('change', onScheme);

  const shared = {
    options: { ...options },
    dark() {
      const theme = THEMES.includes(shared.options.theme) ? shared.options.theme : 'auto';
      return theme === 'dark' || (theme === 'auto' && Boolean(media?.matches));
    },
    /** `src` as `{ csv, source }` or `{ error }` once fetched; undefined while it loads (the fetch starts). */
    fetched(src) {
      if (loaded?.key === src) return loaded.input;
      // An update while `src` loads (another attribute, the colour scheme) lets it finish.
      if (fetching?.src !== src) fetchSrc(src);
      return undefined;
    },
    render,
    destroyed: () => destroyed,
  };
  const { props, stop } = setup(shared);

  async function fetchSrc(src) {
    fetching?.controller.abort();
    const controller = new AbortController();
    fetching = { src, controller };
    let result;
    try {
      const url = new URL(src, document.baseURI);
      const response = await fetch(url, { signal: controller.signal });
      result = response.ok
        ? { csv: await response.text(), source: src }
        : { error: `cannot load ${src}: HTTP ${response.status} ${response.statusText}`.trim() };
    } catch (error) {
      if (controller.signal.aborted) return;
      result = { error: `cannot load ${src}: ${error.message}` };
    }
    if (controller.signal.aborted || destroyed) return;
    fetching = undefined;
    loaded = { key: src, input: result };
    render();
  }

  function render() {
    if (destroyed || !view) return;
    view.update(props());
  }

  load().then(
    () => {
      if (destroyed) return;
      view = mount(root, props());
    },
    (error) => {
      if (destroyed) return;
      failed(root, error);
    },
  );

  return {
    update(next = {}) {
      if (destroyed) return;
      shared.options = { ...shared.options, ...next };
      render();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      fetching?.controller.abort();
      stop?.();
      media?.removeEventListener('change', onScheme);
      view?.destroy();
      view?.free();
      view = undefined;
      style.remove();
      root.remove();
    },
  };
}

/** The `capacity` option as a number, undefined when not given. */
function capacityOf(options) {
  const { capacity } = options;
  return capacity === undefined || capacity === null || capacity === '' ? undefined : Number(capacity);
}

/**
 * Renders a layout view into `element` and returns `{ update(options), destroy() }`.
 * Options: exactly one of `src` (URL of a CSV with an `offset` column), `csv` (the text) or
 * `layout` (`{ problem, solution }`); `capacity`, `colour` ('size' | 'lifetime' | 'id'),
 * `theme` ('light' | 'dark' | 'auto': the page's `prefers-color-scheme`), `onSelect(detail)`.
 * Bad input shows its error in the element; nothing is thrown after mounting.
 */
export function mountLayout(element, options = {}) {
  return mountView(element, options, { name: 'mountLayout', mount: mountLayoutWasm, setup: layoutSetup });
}

/** What a layout view adds to `mountView`: its input from `layout`, `csv` or `src`, the colour mode, `onSelect`. */
function layoutSetup(shared) {
  /** The input as wasm takes it: `{ csv, source, capacity }`, `{ error }` or `{}` (loading). */
  function input() {
    const current = shared.options;
    const capacity = capacityOf(current);
    if (capacity !== undefined && !(Number.isSafeInteger(capacity) && capacity >= 0)) {
      return { error: `capacity: expected a non-negative integer, found ${JSON.stringify(String(current.capacity))}` };
    }
    if (current.layout !== undefined && current.layout !== null) {
      try {
        const converted = layoutToCsv(current.layout);
        return { csv: converted.csv, source: 'layout', capacity: capacity ?? converted.capacity };
      } catch (error) {
        return { error: error.message };
      }
    }
    if (typeof current.csv === 'string') return { csv: current.csv, source: 'csv', capacity };
    if (typeof current.src === 'string' && current.src !== '') {
      const fetched = shared.fetched(current.src);
      return fetched ? { ...fetched, capacity } : {};
    }
    return { error: 'nothing to show: give src (a CSV URL), csv (its text) or layout ({ problem, solution })' };
  }

  return {
    props: () => ({
      ...input(),
      colour: shared.options.colour,
      dark: shared.dark(),
      onSelect: (detail) => shared.options.onSelect?.(detail),
    }),
  };
}

/** Where a replay's problem comes from: `problem`, the trace's own `problem`, `csv` or `src`. */
function problemOf(current) {
  const object = current.problem ?? current.trace?.problem;
  if (object !== undefined && object !== null) {
    const source = current.problem !== undefined && current.problem !== null ? 'problem' : 'trace.problem';
    if (typeof object !== 'object' || !Array.isArray(object.buffers)) {
      return { error: `${source}: expected a Problem (an object with buffers)` };
    }
    return { csv: rowsOf(object).join('\n'), source, capacity: object.capacity ?? undefined };
  }
  if (typeof current.csv === 'string') return { csv: current.csv, source: 'csv' };
  if (typeof current.src === 'string' && current.src !== '') return { src: current.src };
  return { error: 'nothing to replay: give trace (what traceSearch resolves to) with its problem, or src (a CSV URL) or csv (its text) to record the search of' };
}

/** The most events a replay records (the Learn view's figure), and how long it may search. */
const MAX_EVENTS = 20000;
const TRACE_SECONDS = 10;
const OPTIMUM_SECONDS = 5;

/**
 * Renders a search replay into `element` and returns `{ update(options), destroy() }`.
 * Options: `trace` (what `traceSearch` or `traceInWorker` resolved to) with the problem it was
 * recorded on (`problem`, the trace's own `problem`, `csv` or `src`); without `trace`, the
 * search of `src` or `csv` is recorded in the package's worker, at `capacity` (none: at the
 * optimum, found first). `theme`, `speed` (steps a second when playing, default 4).
 * Bad input shows its error in the element; nothing is thrown after mounting.
 */
export function mountReplay(element, options = {}) {
  return mountView(element, options, { name: 'mountReplay', mount: mountReplayWasm, setup: replaySetup });
}

/** What a replay adds to `mountView`: its problem and trace, the search recorded in a worker, the speed. */
function replaySetup(shared) {
  let recorded = null; // { key, input } of the last search recorded
  let recording; // { key, controller, status } of a recording under way

  /** The input as wasm takes it: `{ csv, source, capacity, trace }`, `{ error }` or `{ working }`. */
  function input() {
    const current = shared.options;
    const capacity = capacityOf(current);
    if (capacity !== undefined && !(Number.isSafeInteger(capacity) && capacity > 0)) {
      return { error: `capacity: expected a positive integer, found ${JSON.stringify(String(current.capacity))}` };
    }
    let problem = problemOf(current);
    if (problem.error) return problem;
    if (problem.src !== undefined) {
      const fetched = shared.fetched(problem.src);
      if (!fetched) return { working: `Loading ${problem.src}…` };
      if (fetched.error) return fetched;
      problem = fetched;
    }
    const trace = current.trace;
    if (trace !== undefined && trace !== null) {
      if (typeof trace?.then === 'function') {
        return { error: 'trace: a promise; give what it resolves to (element.trace = await traceSearch(…))' };
      }
      if (typeof trace !== 'object' || !Array.isArray(trace.events)) {
        return { error: 'trace: expected a recorded search (what traceSearch resolves to, with events)' };
      }
      return { csv: problem.csv, source: problem.source, capacity: capacity ?? problem.capacity, trace };
    }
    const key = `${problem.source}\u0000${capacity}\u0000${problem.csv}`;
    if (recorded?.key === key) return recorded.input;
    if (recording?.key !== key) {
      const error = checkReplayProblem(problem.csv, problem.source);
      if (error !== undefined) return { error };
      record(key, problem, capacity);
    }
    return { working: recording.status };
  }

  /** Records the search of `problem` in the package's worker (cancelled by a newer one or destroy). */
  async function record(key, problem, capacity) {
    recording?.controller.abort();
    const controller = new AbortController();
    const mine = { key, controller, status: 'Recording the search…' };
    recording = mine;
    const { signal } = controller;
    const say = (status) => {
      mine.status = status;
      if (recording === mine) shared.render();
    };
    let result;
    try {
      const { solveInWorker, traceInWorker } = await import('./index.js');
      let at = capacity;
      if (at === undefined) {
        say('Finding the optimum to search at…');
        at = (await solveInWorker(problem.csv, { minimize: true, timeoutSeconds: OPTIMUM_SECONDS, signal })).height;
        say('Recording the search…');
      }
      const trace = await traceInWorker(problem.csv, {
        capacity: at, maxEvents: MAX_EVENTS, timeoutSeconds: TRACE_SECONDS, signal,
      });
      result = { csv: problem.csv, source: problem.source, capacity: at, trace };
    } catch (error) {
      if (signal.aborted) return;
      result = { error: `${problem.source}: recording the search: ${error.message}` };
    }
    if (signal.aborted || shared.destroyed() || recording !== mine) return;
    recording = undefined;
    recorded = { key, input: result };
    shared.render();
  }

  return {
    props() {
      const speed = Number(shared.options.speed);
      return { ...input(), dark: shared.dark(), speed: Number.isFinite(speed) && speed > 0 ? speed : 4 };
    },
    stop() {
      recording?.controller.abort();
      recording = undefined;
    },
  };
}

/** The viewer's .wasm did not load: said in the element. */
function failed(root, error) {
  root.innerHTML = '';
  const box = document.createElement('div');
  box.className = 'bp-view';
  box.innerHTML = '<div class="bp-message bp-error" role="alert"><strong>Cannot start the viewer</strong><div class="bp-detail"></div></div>';
  box.querySelector('.bp-detail').textContent = `bufpack_view_bg.wasm: ${error.message}`;
  root.append(box);
}

/**
 * Defines `<tag>`: an open shadow root holding `mount(shadowRoot, options)`, options from
 * `attributes` and the object properties `properties`, `extra(element)` for the rest.
 */
function defineElement(tag, { attributes, properties, mount, label, height, extra }) {
  class BufpackElement extends HTMLElement {
    static observedAttributes = attributes;
    #handle;
    #values = {};

    constructor() {
      super();
      const shadow = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = `:host { display: block; position: relative; height: ${height}; min-height: 120px; } :host([hidden]) { display: none; }`;
      shadow.append(style);
    }

    #options() {
      const options = {};
      for (const name of attributes) {
        const value = this.getAttribute(name);
        options[name] = value === null ? undefined : value;
      }
      for (const name of properties) options[name] = this.#values[name];
      return { ...options, ...extra?.(this) };
    }

    connectedCallback() {
      if (!this.hasAttribute('role')) this.setAttribute('role', 'figure');
      if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', label);
      this.#handle ??= mount(this.shadowRoot, this.#options());
    }

    disconnectedCallback() {
      this.#handle?.destroy();
      this.#handle = undefined;
    }

    attributeChangedCallback() {
      this.#handle?.update(this.#options());
    }

    static {
      // The object properties (`layout`, `trace`, `problem`), passed on when set.
      for (const name of properties) {
        Object.defineProperty(this.prototype, name, {
          get() {
            return this.#values[name];
          },
          set(value) {
            this.#values[name] = value;
            this.#handle?.update({ [name]: value });
          },
          configurable: true,
        });
      }
    }
  }
  if (!customElements.get(tag)) customElements.define(tag, BufpackElement);
}

if (typeof customElements !== 'undefined' && typeof HTMLElement !== 'undefined') {
  /** `<bufpack-layout src="layout.csv">`: see mountLayout; `element.layout = { problem, solution }`. */
  defineElement('bufpack-layout', {
    attributes: ['src', 'csv', 'capacity', 'colour', 'theme'],
    properties: ['layout'],
    mount: mountLayout,
    label: 'Memory layout: buffers by time and offset',
    height: '360px',
    extra: (element) => ({
      onSelect: (detail) => {
        element.dispatchEvent(new CustomEvent('select', { detail, bubbles: true, composed: true }));
      },
    }),
  });
  /** `<bufpack-replay csv="…" capacity="12">`: see mountReplay; `element.trace = await traceSearch(…)`. */
  defineElement('bufpack-replay', {
    attributes: ['src', 'csv', 'capacity', 'theme', 'speed'],
    properties: ['trace', 'problem'],
    mount: mountReplay,
    label: 'Replay of the packing search, step by step',
    height: '420px',
  });
}
