// Argument checks of the package's API: every value that crosses into wasm is checked here
// first, with the path the caller wrote ("buffers[3].size", "options.capacity"), and
// converted (BigInt to number, -0 to 0): serde's own errors have no path, and what it does
// not know it ignores. Split from core.js, which holds the classes and the calls.

import { BufpackError } from './errors.js';

function invalid(path, expected, found) {
  return refused(path, `expected ${expected}, found ${shown(found)}`);
}

/** An "invalid" error at `path`: the message is `path: detail`. */
function refused(path, detail) {
  return new BufpackError({ code: 'invalid', message: `${path}: ${detail}`, path });
}

/** A value as a message shows it: strings quoted, BigInts with their n, no "[object Object]". */
function shown(found) {
  switch (typeof found) {
    case 'string':
      return JSON.stringify(found);
    case 'bigint':
      return `${found}n`;
    case 'number':
      return Object.is(found, -0) ? '-0' : String(found);
    case 'function':
      return 'a function';
    case 'symbol':
      return String(found);
    case 'object':
      if (found === null) return 'null';
      if (Array.isArray(found)) return `an array of ${found.length}`;
      return ArrayBuffer.isView(found) ? `a ${found.constructor.name}` : 'an object';
    default:
      return String(found);
  }
}

const MAX_MAGNITUDE = 2 ** 53 - 1;
const MAX_BIG = BigInt(MAX_MAGNITUDE);
/** The most events a trace may keep (web/src/api.rs, MAX_TRACE_EVENTS). */
const MAX_TRACE_EVENTS = 1_000_000;

function integerKind(min) {
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  return 'an integer';
}

/**
 * An integer within ±(2^53 - 1) and at least `min`, as a number: a BigInt converts when it
 * is exactly representable and is refused otherwise, never rounded; -0 becomes 0.
 * `undefined` and `null` are "not given" when `optional`.
 */
function integer(value, path, { min = -MAX_MAGNITUDE, optional = false } = {}) {
  const kind = integerKind(min);
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw invalid(path, kind, value);
  }
  let number;
  if (typeof value === 'bigint') {
    if (value > MAX_BIG || value < -MAX_BIG) throw invalid(path, `${kind} of at most 2^53 - 1 in magnitude`, value);
    number = Number(value);
  } else if (typeof value === 'number' && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw invalid(path, `${kind} of at most 2^53 - 1 in magnitude`, value);
    number = value;
  } else {
    throw invalid(path, kind, value);
  }
  if (number < min) throw invalid(path, kind, value);
  return number === 0 ? 0 : number;
}

/** `true` or `false`; `undefined` and `null` are "not given". */
function boolean(value, path) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(path, 'true or false', value);
  return value;
}

/** Refuses what is not a plain object (null, arrays, functions, primitives). */
function object(value, path, expected) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(path, expected, value);
  return value;
}

/** An options argument: `undefined` is `{}`, anything but an object is refused. */
function optionsObject(options, path = 'options') {
  return options === undefined ? {} : object(options, path, 'an object of options');
}

/** Refuses an own key of `value` not in `allowed`, naming the closest allowed one. */
function checkKeys(value, allowed, path, what = 'key') {
  for (const key in value) {
    if (!allowed.includes(key) && Object.hasOwn(value, key)) throw unknownKey(path, key, allowed, what);
  }
}

function unknownKey(path, key, allowed, what = 'key') {
  const near = closest(key, allowed);
  return refused(
    `${path}.${key}`,
    near === undefined ? `unknown ${what}; expected one of ${allowed.join(', ')}` : `unknown ${what}; did you mean ${near}?`,
  );
}

/** The word of `words` nearest to `word` (case ignored, a swap counted once), if near enough. */
function closest(word, words) {
  let best;
  let bestDistance = Infinity;
  for (const candidate of words) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a, b) {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

const RANGE_KEYS = ['lower', 'upper'];
const RANGE = '[lower, upper] or { lower, upper }';

/** `[lower, upper]` or `{ lower, upper }`, as `{ lower, upper }`. */
function range(value, path) {
  if (Array.isArray(value)) {
    if (value.length !== 2) throw invalid(path, RANGE, value);
    return { lower: integer(value[0], `${path}[0]`), upper: integer(value[1], `${path}[1]`) };
  }
  object(value, path, RANGE);
  checkKeys(value, RANGE_KEYS, path);
  return { lower: integer(value.lower, `${path}.lower`), upper: integer(value.upper, `${path}.upper`) };
}

const GAP_KEYS = ['lifespan', 'window'];

function gapFields(fields, path) {
  object(fields, path, 'a Gap or { lifespan, window? }');
  checkKeys(fields, GAP_KEYS, path);
  const gap = { lifespan: range(fields.lifespan, `${path}.lifespan`) };
  if (fields.window !== undefined && fields.window !== null) gap.window = range(fields.window, `${path}.window`);
  return gap;
}

const BUFFER_KEYS = ['id', 'lifespan', 'lower', 'upper', 'size', 'alignment', 'gaps', 'offset', 'hint'];

function bufferFields(fields, path) {
  object(fields, path, 'a Buffer or { id, lifespan, size, ... }');
  checkKeys(fields, BUFFER_KEYS, path);
  const { id, lifespan, lower, upper, size, alignment, gaps, offset, hint } = fields;
  const buffer = { id: bufferId(id, `${path}.id`) };
  if (lifespan !== undefined) {
    if (lower !== undefined || upper !== undefined) throw refused(path, 'give lifespan or lower and upper, not both');
    buffer.lifespan = range(lifespan, `${path}.lifespan`);
  } else {
    buffer.lifespan = { lower: integer(lower, `${path}.lower`), upper: integer(upper, `${path}.upper`) };
  }
  buffer.size = integer(size, `${path}.size`, { min: 0 });
  buffer.alignment = integer(alignment, `${path}.alignment`, { min: 1, optional: true }) ?? 1;
  if (gaps !== undefined && gaps !== null && !Array.isArray(gaps)) throw invalid(`${path}.gaps`, 'an array of gaps', gaps);
  // Plain checked fields; core.js's Buffer makes them Gaps (this module knows no classes).
  buffer.gaps = (gaps ?? []).map((gap, i) => gapFields(gap, `${path}.gaps[${i}]`));
  const fixed = integer(offset, `${path}.offset`, { min: 0, optional: true });
  if (fixed !== undefined) buffer.offset = fixed;
  const preferred = integer(hint, `${path}.hint`, { min: 0, optional: true });
  if (preferred !== undefined) buffer.hint = preferred;
  return buffer;
}

function bufferId(id, path) {
  if (typeof id === 'string') return id;
  if ((typeof id === 'number' && Number.isFinite(id)) || typeof id === 'bigint') return String(id);
  throw invalid(path, 'a string or a finite number', id);
}

// The fast path: a buffer already in the form the checks above produce (every Buffer the
// package made, and most plain objects) is sent as it is, with no copy. Anything else goes
// through the checks, which convert it or say what is wrong.

function isCount(value, min) {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function isRange(value) {
  if (value === null || typeof value !== 'object') return false;
  for (const key in value) if (key !== 'lower' && key !== 'upper') return false;
  return isCount(value.lower, -MAX_MAGNITUDE) && isCount(value.upper, -MAX_MAGNITUDE);
}

function isGap(gap) {
  if (gap === null || typeof gap !== 'object') return false;
  for (const key in gap) if (key !== 'lifespan' && key !== 'window') return false;
  return isRange(gap.lifespan) && (gap.window === undefined || isRange(gap.window));
}

function isCheckedBuffer(buffer) {
  if (buffer === null || typeof buffer !== 'object') return false;
  for (const key in buffer) {
    switch (key) {
      case 'id':
      case 'lifespan':
      case 'size':
      case 'alignment':
      case 'gaps':
      case 'offset':
      case 'hint':
        break;
      default:
        return false;
    }
  }
  const { gaps } = buffer;
  if (typeof buffer.id !== 'string' || !isRange(buffer.lifespan) || !isCount(buffer.size, 0) || !isCount(buffer.alignment, 1)) return false;
  if (!Array.isArray(gaps)) return false;
  for (let i = 0; i < gaps.length; i++) if (!isGap(gaps[i])) return false;
  return (buffer.offset === undefined || isCount(buffer.offset, 0)) && (buffer.hint === undefined || isCount(buffer.hint, 0));
}


export {
  invalid,
  refused,
  shown,
  MAX_TRACE_EVENTS,
  integer,
  boolean,
  object,
  optionsObject,
  checkKeys,
  unknownKey,
  closest,
  gapFields,
  bufferFields,
  isCheckedBuffer,
};
