// What differs between environments, set once by the entry point (index.js or node.js):
// the compiled WebAssembly module (handed to workers, so they need not fetch and compile it
// again), how to start a worker running worker.js or worker-node.js, and how to load the
// modules used on first use (loadModels: the model support; compileTrace: the search
// recorder).

let current;

/** Called by the entry point after the instance is up. */
export function setPlatform(platform) {
  current = platform;
}

export function platform() {
  if (!current) throw new Error('bufpack: the package entry point did not run');
  return current;
}
