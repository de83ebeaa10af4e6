// What differs between environments, set once by the entry point (index.js or node.js):
// the compiled WebAssembly module (handed to workers, so they need not fetch and compile it
// again), how to start a worker running worker.js or worker-node.js, and how to load the
// modules used on first use (loadModels: the model support; compileTrace: the search
// recorder).

import { BufpackError } from './errors.js';

let current;

/** Called by the entry point after the instance is up. */
export function setPlatform(platform) {
  current = platform;
}

export function platform() {
  if (!current) throw new Error('bufpack: the package entry point did not run');
  return current;
}

/**
 * A module loaded on first use: `load()` runs on the first call and every caller shares its
 * promise. A failure is not kept (the next call loads again) and rejects as a "worker"
 * BufpackError, `could not ${what}: …` (a BufpackError from `load` as it is). `forget()`
 * drops a loaded value that turned out unusable.
 */
export function onFirstUse(load, what) {
  let loading;
  const get = () =>
    (loading ??= load().catch((error) => {
      loading = undefined;
      if (error instanceof BufpackError) throw error;
      throw new BufpackError({ code: 'worker', message: `could not ${what}: ${error?.message ?? error}` });
    }));
  get.forget = () => {
    loading = undefined;
  };
  return get;
}
