// `import { mountLayout } from 'bufpack/view'`, or just import it to define
// <bufpack-layout>. The viewer has a .wasm of its own (bufpack_view_bg.wasm), fetched the
// first time a view is mounted, so importing `bufpack` alone never loads it. This file does
// what is the page's business (custom elements, fetching `src`, the package's objects as CSV,
// the page's theme); the .wasm parses, checks and draws (ARCHITECTURE.md, `view/`).

import init, { mountLayout as mountWasm } from './bufpack_view.js';

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
  const rows = ['id,lower,upper,size,alignment,gaps,offset'];
  problem.buffers.forEach((b, i) => {
    const life = b.lifespan ? rangeOf(b.lifespan) : { lower: b.lower, upper: b.upper };
    const gaps = (b.gaps ?? [])
      .map((g) => {
        const span = rangeOf(g.lifespan);
        const window = g.window ? rangeOf(g.window) : undefined;
        return `${span.lower}-${span.upper}${window ? `@${window.lower}:${window.upper}` : ''}`;
      })
      .join(' ');
    rows.push([field(b.id), life.lower, life.upper, b.size, b.alignment ?? 1, gaps, offsets[i]].join(','));
  });
  return { csv: rows.join('\n'), capacity: problem.capacity };
}

const THEMES = ['light', 'dark', 'auto'];

/**
 * Renders a layout view into `element` and returns `{ update(options), destroy() }`.
 * Options: exactly one of `src` (URL of a CSV with an `offset` column), `csv` (the text) or
 * `layout` (`{ problem, solution }`); `capacity`, `colour` ('size' | 'lifetime' | 'id'),
 * `theme` ('light' | 'dark' | 'auto': the page's `prefers-color-scheme`), `onSelect(detail)`.
 * Bad input shows its error in the element; nothing is thrown after mounting.
 */
export function mountLayout(element, options = {}) {
  if (!(element instanceof Element || element instanceof ShadowRoot)) {
    throw new TypeError('mountLayout: expected an Element (or a ShadowRoot) to render into');
  }
  const style = document.createElement('style');
  style.textContent = STYLE;
  const root = document.createElement('div');
  root.className = 'bp-root';
  element.append(style, root);

  let current = { ...options };
  let view; // the wasm LayoutView, once loaded
  let destroyed = false;
  let loaded = null; // { key, input } of the last src fetched or text read
  let fetching; // AbortController of a fetch under way
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const onScheme = () => render();
  media?.addEventListener('change', onScheme);

  const dark = () => {
    const theme = THEMES.includes(current.theme) ? current.theme : 'auto';
    return theme === 'dark' || (theme === 'auto' && Boolean(media?.matches));
  };

  /** The input as wasm takes it: `{ csv, source, capacity }`, `{ error }` or `{}` (loading). */
  function input() {
    const capacity = current.capacity === undefined || current.capacity === null || current.capacity === ''
      ? undefined : Number(current.capacity);
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
      if (loaded?.key === current.src) return { ...loaded.input, capacity };
      fetchSrc(current.src);
      return {};
    }
    return { error: 'nothing to show: give src (a CSV URL), csv (its text) or layout ({ problem, solution })' };
  }

  async function fetchSrc(src) {
    fetching?.abort();
    const controller = new AbortController();
    fetching = controller;
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

  function props() {
    return {
      ...input(),
      colour: current.colour,
      dark: dark(),
      onSelect: (detail) => current.onSelect?.(detail),
    };
  }

  function render() {
    if (destroyed || !view) return;
    view.update(props());
  }

  load().then(
    () => {
      if (destroyed) return;
      view = mountWasm(root, props());
    },
    (error) => {
      if (destroyed) return;
      root.innerHTML = '';
      const box = document.createElement('div');
      box.className = 'bp-view';
      box.innerHTML = '<div class="bp-message bp-error" role="alert"><strong>Cannot start the viewer</strong><div class="bp-detail"></div></div>';
      box.querySelector('.bp-detail').textContent = `bufpack_view_bg.wasm: ${error.message}`;
      root.append(box);
    },
  );

  return {
    update(next = {}) {
      if (destroyed) return;
      current = { ...current, ...next };
      render();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      fetching?.abort();
      media?.removeEventListener('change', onScheme);
      view?.destroy();
      view?.free();
      view = undefined;
      style.remove();
      root.remove();
    },
  };
}

const ATTRIBUTES = ['src', 'csv', 'capacity', 'colour', 'theme'];

/** `<bufpack-layout src="layout.csv">`: see mountLayout; `element.layout = { problem, solution }`. */
function defineLayoutElement() {
  class BufpackLayout extends HTMLElement {
    static observedAttributes = ATTRIBUTES;
    #handle;
    #layout;

    constructor() {
      super();
      const shadow = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = ':host { display: block; position: relative; height: 360px; min-height: 120px; } :host([hidden]) { display: none; }';
      shadow.append(style);
    }

    get layout() {
      return this.#layout;
    }

    set layout(value) {
      this.#layout = value;
      this.#handle?.update({ layout: value });
    }

    #options() {
      const options = {};
      for (const name of ATTRIBUTES) {
        const value = this.getAttribute(name);
        options[name] = value === null ? undefined : value;
      }
      options.layout = this.#layout;
      options.onSelect = (detail) => {
        this.dispatchEvent(new CustomEvent('select', { detail, bubbles: true, composed: true }));
      };
      return options;
    }

    connectedCallback() {
      if (!this.hasAttribute('role')) this.setAttribute('role', 'figure');
      if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Memory layout: buffers by time and offset');
      this.#handle ??= mountLayout(this.shadowRoot, this.#options());
    }

    disconnectedCallback() {
      this.#handle?.destroy();
      this.#handle = undefined;
    }

    attributeChangedCallback() {
      this.#handle?.update(this.#options());
    }
  }
  if (!customElements.get('bufpack-layout')) customElements.define('bufpack-layout', BufpackLayout);
}

if (typeof customElements !== 'undefined' && typeof HTMLElement !== 'undefined') {
  defineLayoutElement();
}
