"""bufpack: static buffer packing for ML accelerators, in Python.

Give every buffer an offset in one memory so that buffers alive at the same time never
overlap: decide whether a capacity suffices (an exact solver, MiniMalloc's algorithm and
more), or find the lowest peak (heuristics, a proven lower bound, and the exact search).

>>> import bufpack
>>> problem = bufpack.Problem.from_csv("id,lower,upper,size\\nb1,0,3,4\\nb2,3,9,4\\nb3,0,9,4\\n")
>>> bufpack.solve(problem, capacity=8).offsets.tolist()
[0, 0, 4]
>>> result = bufpack.minimize(problem)
>>> result.status, result.height, result.lower_bound
('optimal', 8, 8)

TensorFlow Lite Micro models: ``bufpack.plan_model("model.tflite")`` minimises the tensor
arena, says what TFLite Micro's own planner would need, and writes the plan into the model
when it saves memory (``bufpack.read_model`` for the parts one by one).

``bufpack.minimalloc`` is a drop-in for MiniMalloc's Python bindings.
"""

from __future__ import annotations

from ._bufpack import MAX_MAGNITUDE
from ._errors import (
    BufpackError,
    CancelledError,
    InfeasibleError,
    InputTypeError,
    InternalError,
    Interrupted,
    InvalidInputError,
    ModelError,
    ParseError,
    SolveTimeoutError,
    UndecidedError,
    ValidationError,
)
from ._model import Buffer, Gap, Problem, Solution
from ._params import SolverParams
from ._results import LowerBound, MinimizeResult, Progress, Reason, SolveStats
from ._solve import (
    CancelToken,
    heuristics,
    lower_bound,
    minimize,
    read_csv,
    run_heuristic,
    solve,
    solve_many,
    validate,
)
from ._tflite import (
    GreedyPlan,
    ModelPlan,
    ModelResult,
    Operator,
    Scratch,
    TensorBuffer,
    TFLiteModel,
    plan_model,
    read_model,
)

__version__ = "0.1.0"

__all__ = [
    "MAX_MAGNITUDE",
    "Buffer",
    "Gap",
    "Problem",
    "Solution",
    "SolverParams",
    "CancelToken",
    "Progress",
    "SolveStats",
    "Reason",
    "LowerBound",
    "MinimizeResult",
    "solve",
    "minimize",
    "solve_many",
    "heuristics",
    "run_heuristic",
    "lower_bound",
    "validate",
    "read_csv",
    "TFLiteModel",
    "TensorBuffer",
    "Operator",
    "Scratch",
    "GreedyPlan",
    "ModelPlan",
    "ModelResult",
    "read_model",
    "plan_model",
    "BufpackError",
    "ParseError",
    "InvalidInputError",
    "InputTypeError",
    "ValidationError",
    "ModelError",
    "InfeasibleError",
    "UndecidedError",
    "SolveTimeoutError",
    "CancelledError",
    "InternalError",
    "Interrupted",
]
