// The names the package exports; both entry points re-export exactly these.
export {
  Buffer,
  BufpackError,
  Gap,
  Problem,
  Solution,
  Solver,
  SolverParams,
  heuristicNames,
  lowerBound,
  minimize,
  runHeuristic,
  solveFromCsv,
  solveInWorker,
  validateSolution,
  version,
} from './core.js';
