// `bufpack/view`: the layout chart and the search replay for any page, as custom elements
// and functions.

import type { ProblemInit, SearchTrace, Solution } from './index.js';

/** A packing as the package's objects (or plain objects of the same shape). */
export interface LayoutInput {
  problem: ProblemInit;
  solution: Solution | { offsets: ArrayLike<number> };
}

/** The buffer a click selected (the `select` event's `detail`, `null` when cleared). */
export interface SelectedBuffer {
  /** Index of the buffer in the problem (its row, from 0). */
  index: number;
  id: string;
  lower: number;
  upper: number;
  size: number;
  offset: number;
}

export type ColourMode = 'size' | 'lifetime' | 'id';
export type Theme = 'light' | 'dark' | 'auto';

export interface LayoutOptions {
  /** URL of a CSV with an `offset` column (the solver's output), relative to the page. */
  src?: string;
  /** The same CSV as text. */
  csv?: string;
  /** The package's objects; wins over `csv` and `src`. */
  layout?: LayoutInput;
  /** Draws the capacity line and checks the layout fits under it. */
  capacity?: number | string;
  colour?: ColourMode;
  /** `auto` (default) follows the page's `prefers-color-scheme`. */
  theme?: Theme;
  onSelect?: (buffer: SelectedBuffer | null) => void;
}

export interface ViewHandle<Options> {
  /** Merges new options into the current ones and redraws. */
  update(options: Partial<Options>): void;
  /** Unmounts: removes the view and every listener, observer and pending frame it holds. */
  destroy(): void;
}

/**
 * Renders the layout chart into `element` (an element or a shadow root; it should have a
 * height). Loads the viewer's .wasm on first use. Bad input shows its error in the element.
 */
export function mountLayout(element: Element | ShadowRoot, options?: LayoutOptions): ViewHandle<LayoutOptions>;

export interface ReplayOptions {
  /**
   * A recorded search (what `traceSearch` or `traceInWorker` resolves to) to replay. Its problem is
   * `problem`, else the trace's own `problem` (`traceInWorker` on CSV), else `csv` or `src`.
   * Without a trace, the search of `src` or `csv` is recorded in the package's worker.
   */
  trace?: SearchTrace;
  /** The problem the trace was recorded on. */
  problem?: ProblemInit;
  /** URL of a buffer CSV (at most 400 buffers), relative to the page. */
  src?: string;
  /** The same CSV as text. */
  csv?: string;
  /**
   * The capacity searched at (with a trace: the one it was recorded at, else the problem's).
   * Recording without one searches at the optimum, found first.
   */
  capacity?: number | string;
  /** `auto` (default) follows the page's `prefers-color-scheme`. */
  theme?: Theme;
  /** Steps a second when playing (0.5 to 60, default 4). */
  speed?: number | string;
}

/**
 * Renders a replay of the search into `element` (an element or a shadow root; it should
 * have a height): the step drawn, its narration in words, play, pause, step, seek (a slider)
 * and speed; keys ← → Home End and Space. Loads the viewer's .wasm on first use, and the
 * solver (`bufpack`) only to record a search. Bad input shows its error in the element.
 */
export function mountReplay(element: Element | ShadowRoot, options?: ReplayOptions): ViewHandle<ReplayOptions>;

/** `{ problem, solution }` as CSV with an `offset` column, and the problem's capacity. */
export function layoutToCsv(layout: LayoutInput): { csv: string; capacity?: number };

/**
 * `<bufpack-layout src="out.csv" capacity="1024" colour="size" theme="auto">`: the chart in a
 * shadow root, sized by its CSS box (360 px high unless styled). Fires `select`.
 */
export interface BufpackLayoutElement extends HTMLElement {
  layout: LayoutInput | undefined;
  addEventListener(type: 'select', listener: (event: CustomEvent<SelectedBuffer | null>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/**
 * `<bufpack-replay csv="…" capacity="12" speed="4" theme="auto">`, or with
 * `element.trace = await traceSearch(problem)` (and `element.problem` unless the trace holds it):
 * the replay in a shadow root, 420 px high unless styled.
 */
export interface BufpackReplayElement extends HTMLElement {
  trace: SearchTrace | undefined;
  problem: ProblemInit | undefined;
}

declare global {
  interface HTMLElementTagNameMap {
    'bufpack-layout': BufpackLayoutElement;
    'bufpack-replay': BufpackReplayElement;
  }
}
