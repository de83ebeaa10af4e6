// `bufpack/view`: the layout chart for any page, as a custom element and a function.

import type { ProblemInit, Solution } from './index.js';

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

declare global {
  interface HTMLElementTagNameMap {
    'bufpack-layout': BufpackLayoutElement;
  }
}
