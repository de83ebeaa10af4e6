// The names the package exports; both entry points re-export exactly these.
export {
  Buffer,
  BufpackError,
  Gap,
  Problem,
  Solution,
  Solver,
  SolverParams,
  columnIds,
  heuristicNames,
  lowerBound,
  minimize,
  runHeuristic,
  solveFromCsv,
  solveInWorker,
  traceInWorker,
  validateSolution,
  version,
} from './core.js';
export { traceSearch } from './trace.js';
export { TfliteModel, isTfliteModel, minimizeModel, planModel, readModel } from './models.js';
