"""TensorFlow Lite Micro models: a model's tensor arena as a problem, TFLite Micro's own plan,
and bufpack's plan written back into the model.

TFLite Micro packs every activation tensor of a ``.tflite`` model into one arena with a greedy
planner; the arena's size is RAM the device must have. It also honours a precomputed plan,
stored in the model as ``OfflineMemoryAllocation`` metadata. So::

    >>> import bufpack
    >>> result = bufpack.plan_model("model.tflite", timeout=10)     # doctest: +SKIP
    >>> print(result.summary)                                        # doctest: +SKIP
    19 tensors, 7 in the arena; TFLM greedy: 832 bytes, bufpack: 640 bytes (optimal), lower bound 640; saves 192 bytes (23.1%)
    >>> result.write("model.planned.tflite")                         # doctest: +SKIP
    True

The reading, TFLite Micro's rules and the writing are the Rust crate ``bufpack-models``: one
buffer per tensor TFLite Micro places in the arena (sizes rounded up to its 16 bytes, offsets
aligned to 16), lifetimes by its own rules as half-open steps (step 0 is before the model
runs; then the inputs, then one step per operator, control-flow subgraphs nested inside their
caller's step). A plan is only ever written after it has been checked (no two tensors live at
the same step share a byte; every offset aligned), and only when TFLite Micro then needs
strictly less arena than for the model as it is: where there is no saving, the model is left
as it was.

Kernel scratch buffers are requested by operators at run time (their sizes depend on the
kernels TFLite Micro is built with), so they are not in the file. TFLite Micro places them
around an offline plan, not among the tensors; pass the ones your target's kernels request as
``scratch`` (``(subgraph, operator, bytes)`` tuples, :class:`Scratch` or dicts) and every
arena figure includes them, placed as TFLite Micro does.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple, Optional, Tuple, Union

import numpy as np

from . import _bufpack, _checks
from ._errors import InputTypeError, Interrupted, InvalidInputError
from ._model import Problem, Solution, _frombuffer
from ._results import MinimizeResult

if TYPE_CHECKING:  # pragma: no cover
    from ._params import SolverParams

__all__ = [
    "TFLiteModel",
    "TensorBuffer",
    "Operator",
    "Scratch",
    "GreedyPlan",
    "ModelPlan",
    "ModelResult",
    "read_model",
    "plan_model",
]

ModelSource = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]


class TensorBuffer(NamedTuple):
    """A tensor TFLite Micro places in the arena: one buffer of :attr:`TFLiteModel.problem`,
    in the same order."""

    id: str
    """The tensor's name (``name#subgraph.index`` when empty or repeated)."""
    lower: int
    """First step at which it is live (:attr:`TFLiteModel.steps`)."""
    upper: int
    """First step at which it is no longer live."""
    size: int
    """Bytes it occupies: :attr:`bytes` rounded up to 16."""
    bytes: int
    """Its byte length (elements times element size)."""
    alignment: int
    """Offsets must be multiples of this (16)."""
    subgraph: int
    tensor: int
    """Its index in its subgraph."""
    plan_index: int
    """Its index in an offline plan (tensors of earlier subgraphs first)."""


class Operator(NamedTuple):
    """An operator and the steps it spans (its own, and those of the subgraphs it runs); its
    kernel scratch buffers live exactly that long."""

    subgraph: int
    operator: int
    """Its index in the subgraph."""
    name: str
    """The label of its step (``"CONV_2D"``, ``"subgraph 1: ADD"``, a custom operator's name)."""
    lower: int
    upper: int


class Scratch(NamedTuple):
    """A kernel scratch buffer an operator requests at run time: ``bytes`` for operator
    ``operator`` of subgraph ``subgraph`` (rounded up to 16, as TFLite Micro does)."""

    subgraph: int
    operator: int
    bytes: int


ScratchSpec = Optional[Iterable[Union[Scratch, Tuple[int, int, int], Dict[str, int]]]]


def _read(source: Any) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(os.fspath(source), "rb") as file:
            return file.read()
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    raise InputTypeError(
        f"data: expected the model's bytes or a path to a .tflite file, found {_checks.describe(source)}",
        path="data",
    )


class GreedyPlan:
    """Where TFLite Micro's greedy planner puts every tensor (and scratch buffer), and the
    arena it needs: :meth:`TFLiteModel.tflm_plan`.

    ``solution`` is the tensors' placement as a :class:`bufpack.Solution` of the model's
    problem (validate it, draw it, write it as CSV); ``scratch_offsets`` holds one offset per
    scratch buffer given; ``arena`` is the highest end of any of them.
    """

    __slots__ = ("solution", "scratch_offsets", "arena")

    def __init__(self, solution: Solution, scratch_offsets: Tuple[int, ...], arena: int) -> None:
        self.solution = solution
        self.scratch_offsets = tuple(scratch_offsets)
        self.arena = arena

    @property
    def offsets(self) -> np.ndarray:
        """The tensors' offsets, one per buffer of the problem (read-only ``int64``)."""
        return self.solution.offsets

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GreedyPlan):
            return NotImplemented
        return (self.solution, self.scratch_offsets, self.arena) == (
            other.solution,
            other.scratch_offsets,
            other.arena,
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (GreedyPlan, (self.solution, self.scratch_offsets, self.arena))

    def __repr__(self) -> str:
        scratch = f", scratch_offsets={list(self.scratch_offsets)}" if self.scratch_offsets else ""
        return f"GreedyPlan(arena={self.arena}{scratch})"


class ModelPlan:
    """What :meth:`TFLiteModel.plan` decided.

    ``status`` is ``"planned"`` (TFLite Micro needs ``arena`` bytes with the plan, less than
    the ``before`` it needs for the model as it is; ``model_bytes`` is the planned model) or
    ``"unchanged"`` (no saving: ``model_bytes`` is ``None`` and the model stays as it was).
    Both figures include the scratch buffers given, placed as TFLite Micro places them.
    """

    __slots__ = ("status", "arena", "before", "model_bytes")

    def __init__(self, status: str, arena: int, before: int, model_bytes: Optional[bytes]) -> None:
        self.status = status
        self.arena = arena
        self.before = before
        self.model_bytes = model_bytes

    @property
    def planned(self) -> bool:
        """Whether the plan saves arena (and :attr:`model_bytes` holds the planned model)."""
        return self.status == "planned"

    @property
    def saved_bytes(self) -> int:
        """Bytes of arena the planned model saves (0 when unchanged)."""
        return self.before - self.arena if self.planned else 0

    @property
    def saved_percent(self) -> float:
        """The saving in percent of :attr:`before`."""
        return 100.0 * self.saved_bytes / self.before if self.before else 0.0

    def write(self, path: Union[str, "os.PathLike[str]"]) -> bool:
        """Writes the planned model to ``path`` and returns ``True``; when the status is
        ``"unchanged"`` writes nothing (``path`` is not touched) and returns ``False``."""
        if self.model_bytes is None:
            return False
        with open(os.fspath(path), "wb") as file:
            file.write(self.model_bytes)
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelPlan):
            return NotImplemented
        return (self.status, self.arena, self.before, self.model_bytes) == (
            other.status,
            other.arena,
            other.before,
            other.model_bytes,
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (ModelPlan, (self.status, self.arena, self.before, self.model_bytes))

    def __repr__(self) -> str:
        if self.planned:
            saving = f"saved_bytes={self.saved_bytes}, model_bytes=<{len(self.model_bytes or b'')} bytes>"
        else:
            saving = "no saving"
        return f"ModelPlan(status={self.status!r}, arena={self.arena}, before={self.before}, {saving})"


class TFLiteModel:
    """A TensorFlow Lite model read for TFLite Micro: the tensors it places in its arena, when
    they live, and the plan the model may already carry.

    ``TFLiteModel(source)`` (or :func:`bufpack.read_model`) reads ``source``: the model's
    ``bytes`` (or ``bytearray``/``memoryview``), or a path (``str`` or ``os.PathLike``). A
    malformed, truncated or non-TFLite file raises :class:`bufpack.ModelError` naming the byte
    offset, table and field. Immutable; pickles as its bytes.
    """

    __slots__ = ("_core", "_problem", "_operators")

    def __init__(self, source: ModelSource) -> None:
        self._core = _bufpack.ModelCore.read(_read(source))
        self._problem = Problem._wrap(self._core.problem())
        self._operators: Optional[List[Operator]] = None

    # What was read ---------------------------------------------------------------------------

    @property
    def data(self) -> bytes:
        """The model's file, as it was read."""
        return self._core.data()

    @property
    def problem(self) -> Problem:
        """The arena's buffers as a :class:`bufpack.Problem` without a capacity: one buffer per
        tensor TFLite Micro places (ids are the tensors' names), sizes in bytes, alignment 16,
        lifespans in steps. Minimise it to plan the model."""
        return self._problem

    @property
    def buffers(self) -> List[TensorBuffer]:
        """The same buffers with the tensors they are: :class:`TensorBuffer`, in order."""
        return [TensorBuffer(*row) for row in self._core.buffers()]

    @property
    def steps(self) -> List[str]:
        """One label per step of the problem's time axis: ``"(before the model runs)"``,
        ``"inputs"``, then each operator by name (control flow nested inside)."""
        return self._core.steps()

    @property
    def operators(self) -> List[Operator]:
        """Every operator, subgraph by subgraph, with the steps it spans."""
        if self._operators is None:
            steps = self.steps
            self._operators = [
                Operator(s, o, steps[lower] if lower < len(steps) else "", lower, upper)
                for s, o, lower, upper in self._core.operators()
            ]
        return list(self._operators)

    @property
    def tensor_count(self) -> int:
        """Tensors over all subgraphs (constants and variables included)."""
        return self._core.counts()[0]

    @property
    def subgraph_count(self) -> int:
        return self._core.counts()[1]

    @property
    def constant_count(self) -> int:
        """Constant tensors: their data is in the file, not the arena."""
        return self._core.counts()[2]

    @property
    def variable_count(self) -> int:
        """Variable tensors: TFLite Micro keeps them in the persistent tail of the arena,
        outside the planned part, so no plan saves on them."""
        return self._core.counts()[3]

    @property
    def variable_bytes(self) -> int:
        """Bytes of the variables, each rounded up to 16."""
        return self._core.counts()[4]

    @property
    def offline_plan(self) -> Optional[Tuple[int, ...]]:
        """The ``OfflineMemoryAllocation`` plan the model carries (one offset per tensor, -1
        where TFLite Micro places the tensor itself), or ``None`` when it carries none or
        one TFLite Micro cannot use (:attr:`offline_plan_error` says why)."""
        _, words, _ = self._core.offline_plan()
        return None if words is None else tuple(words)

    @property
    def offline_plan_error(self) -> Optional[str]:
        """Why the plan the model carries is unusable, or ``None``."""
        return self._core.offline_plan()[2]

    # TFLite Micro's own answer ---------------------------------------------------------------

    def _scratch(self, scratch: ScratchSpec) -> List[Tuple[int, int, int]]:
        """Scratch buffers as ``(subgraph, operator, bytes)``, each checked: integers, not
        negative, an operator the model has."""
        if scratch is None:
            return []
        if isinstance(scratch, (str, bytes, dict)) or not hasattr(scratch, "__iter__"):
            raise InputTypeError(
                "scratch: expected a list of (subgraph, operator, bytes) tuples or dicts, "
                f"found {_checks.describe(scratch)}",
                path="scratch",
            )
        known = {(op.subgraph, op.operator) for op in self.operators}
        result = []
        for index, item in enumerate(scratch):
            path = f"scratch[{index}]"
            if isinstance(item, dict):
                unknown = sorted(set(item) - {"subgraph", "operator", "bytes"})
                missing = [k for k in ("subgraph", "operator", "bytes") if k not in item]
                if unknown or missing:
                    raise InvalidInputError(
                        f"{path}: expected the keys subgraph, operator, bytes"
                        + (f"; unknown {unknown}" if unknown else "")
                        + (f"; missing {missing}" if missing else ""),
                        path=path,
                    )
                values = (item["subgraph"], item["operator"], item["bytes"])
            elif isinstance(item, (tuple, list)) and len(item) == 3:
                values = tuple(item)
            else:
                raise InputTypeError(
                    f"{path}: expected a (subgraph, operator, bytes) tuple or dict, found {_checks.describe(item)}",
                    path=path,
                )
            checked = []
            for name, value in zip(("subgraph", "operator", "bytes"), values):
                number = _checks.integer(value, f"{path}.{name}")
                if number < 0:
                    raise InvalidInputError(
                        f"{path}.{name}: expected a non-negative integer, found {number}",
                        path=f"{path}.{name}",
                    )
                checked.append(number)
            subgraph, operator, size = checked
            if (subgraph, operator) not in known:
                raise InvalidInputError(
                    f"{path}: the model has no operator {operator} in subgraph {subgraph}",
                    path=path,
                )
            result.append((subgraph, operator, size))
        return result

    def tflm_plan(self, scratch: ScratchSpec = None) -> GreedyPlan:
        """The plan TFLite Micro's greedy planner makes for this model without an offline
        plan (its order and rule, emulated exactly), with ``scratch`` placed too."""
        offsets, scratch_offsets, arena = self._core.greedy(self._scratch(scratch), False)
        array = _frombuffer(offsets)
        height = int((array + self.problem.size).max()) if len(array) else 0
        return GreedyPlan(
            Solution._make(self.problem, offsets, height),
            tuple(_frombuffer(scratch_offsets).tolist()),
            int(arena),
        )

    def tflm_greedy(self, scratch: ScratchSpec = None) -> int:
        """The arena (bytes) TFLite Micro's greedy planner needs for this model without an
        offline plan, ``scratch`` included: what TFLite Micro itself would use."""
        return self._core.greedy(self._scratch(scratch), False)[2]

    def tflm_arena(self, scratch: ScratchSpec = None) -> int:
        """The arena TFLite Micro needs for the model as it is: around the offline plan it
        carries, if any (Arm's Vela writes one), else :meth:`tflm_greedy`."""
        return self._core.greedy(self._scratch(scratch), True)[2]

    # Plans -----------------------------------------------------------------------------------

    def _offsets(self, plan: Any) -> bytes:
        """The offsets of a :class:`Solution`, :class:`MinimizeResult`, :class:`GreedyPlan`,
        :class:`ModelResult` or array, as bytes."""
        if isinstance(plan, (MinimizeResult, GreedyPlan, ModelResult)):
            plan = plan.solution
        if isinstance(plan, Solution):
            problem = plan.problem
            if problem is not self._problem and problem.with_capacity(None) != self._problem:
                raise InvalidInputError(
                    "solution: a solution of another problem, not of this model's "
                    f"(its problem has {len(problem)} buffers, the model's {len(self._problem)}; "
                    "solve TFLiteModel.problem)",
                    path="solution",
                )
            return plan._data
        if isinstance(plan, (str, bytes)) or plan is None:
            raise InputTypeError(
                f"offsets: expected a bufpack.Solution or an array of offsets, found {_checks.describe(plan)}",
                path="offsets",
            )
        return _checks.column(plan, "offsets").tobytes()

    def check_plan(self, offsets: Any) -> int:
        """Checks a plan (a :class:`bufpack.Solution` of :attr:`problem`, or offsets, one per
        buffer) as TFLite Micro needs it: every offset aligned, none negative, no two tensors
        live at the same step sharing a byte. Returns the bytes it needs; raises
        :class:`bufpack.ModelError` (``kind="bad_plan"``) naming the tensors at fault."""
        return self._core.check_plan(self._offsets(offsets))

    def plan(self, solution: Any, scratch: ScratchSpec = None) -> ModelPlan:
        """Writes a plan into the model if it saves arena.

        ``solution`` is a :class:`bufpack.Solution` of :attr:`problem` (or a
        :class:`bufpack.MinimizeResult`, or offsets, one per buffer). The plan is checked
        first (:meth:`check_plan`; an invalid one raises :class:`bufpack.ModelError` and is
        never written). Then the arena TFLite Micro would need with it, ``scratch`` placed as
        it places them, is compared with what it needs for the model as it is: strictly less
        gives ``status="planned"`` and the planned model's bytes (read back and compared
        before they are returned); otherwise ``"unchanged"``.
        """
        status, arena, before, data = self._core.improve(self._offsets(solution), self._scratch(scratch))
        return ModelPlan(status, int(arena), int(before), data)

    # Python protocol -------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TFLiteModel):
            return NotImplemented
        return self.data == other.data

    def __hash__(self) -> int:
        return hash(self.data)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (TFLiteModel, (self.data,))

    def __repr__(self) -> str:
        subgraphs = self.subgraph_count
        return (
            f"TFLiteModel(<{self.tensor_count} tensors, {len(self._problem)} in the arena, "
            f"{_count(len(self._core.operators()), 'operator')}, {_count(subgraphs, 'subgraph')}, "
            f"{len(self._core.data())} bytes>)"
        )


class ModelResult:
    """The answer of :func:`bufpack.plan_model`: bufpack's packing of the model's arena, how
    good it is, and what TFLite Micro would need with it and without it.

    ``model`` is the :class:`TFLiteModel`, ``result`` the :class:`bufpack.MinimizeResult` of
    its problem, ``plan`` the :class:`ModelPlan` (``status`` ``"planned"`` or
    ``"unchanged"``), ``scratch`` the scratch buffers every figure includes, and
    ``tflm_greedy`` the arena of TFLite Micro's greedy planner ignoring any plan the model
    carries. :attr:`summary` says it all in one line.
    """

    __slots__ = ("model", "result", "plan", "scratch", "tflm_greedy")

    def __init__(
        self,
        model: TFLiteModel,
        result: MinimizeResult,
        plan: ModelPlan,
        scratch: Tuple[Scratch, ...],
        tflm_greedy: int,
    ) -> None:
        self.model = model
        self.result = result
        self.plan = plan
        self.scratch = tuple(scratch)
        self.tflm_greedy = tflm_greedy

    # The plan --------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """``"planned"`` (the planned model saves arena) or ``"unchanged"``."""
        return self.plan.status

    @property
    def planned(self) -> bool:
        return self.plan.planned

    @property
    def arena(self) -> int:
        """Bytes TFLite Micro needs with bufpack's plan (scratch buffers included)."""
        return self.plan.arena

    @property
    def before(self) -> int:
        """Bytes TFLite Micro needs for the model as it is: :attr:`tflm_greedy`, or with the
        offline plan the model carries."""
        return self.plan.before

    @property
    def saved_bytes(self) -> int:
        return self.plan.saved_bytes

    @property
    def saved_percent(self) -> float:
        return self.plan.saved_percent

    @property
    def model_bytes(self) -> Optional[bytes]:
        """The planned model, or ``None`` when unchanged."""
        return self.plan.model_bytes

    def write(self, path: Union[str, "os.PathLike[str]"]) -> bool:
        """Writes the planned model (``True``); when unchanged writes nothing (``False``)."""
        return self.plan.write(path)

    # The packing -----------------------------------------------------------------------------

    @property
    def solution(self) -> Solution:
        return self.result.solution

    @property
    def offsets(self) -> np.ndarray:
        """Each tensor's offset (one per buffer of ``model.problem``)."""
        return self.result.offsets

    @property
    def height(self) -> int:
        """The tensors' packing height (:attr:`arena` without the scratch buffers)."""
        return self.result.height

    @property
    def lower_bound(self) -> int:
        """No packing of the tensors needs fewer bytes."""
        return self.result.lower_bound

    @property
    def optimal(self) -> bool:
        """Whether the tensors' packing is proven optimal."""
        return self.result.optimal

    @property
    def gap(self) -> float:
        """How far :attr:`height` may be above the optimum, in percent."""
        return self.result.gap

    @property
    def elapsed(self) -> float:
        return self.result.elapsed

    @property
    def stopped(self) -> Optional[str]:
        return self.result.stopped

    def validate(self) -> None:
        """Checks the packing against the model's problem (:meth:`bufpack.Solution.validate`)."""
        self.result.validate()

    @property
    def summary(self) -> str:
        """One line: ``"19 tensors, 7 in the arena; TFLM greedy: 832 bytes, bufpack: 640
        bytes (optimal), lower bound 640; saves 192 bytes (23.1%)"``, or ``...; no saving,
        left as it was``."""
        model = self.model
        quality = "optimal" if self.optimal else f"gap {self.gap:.2f}%"
        if self.arena != self.height:
            quality = f"tensors {quality} in {self.height} bytes, scratch buffers placed around them"
        if model.offline_plan is not None:
            tflm = f"TFLM greedy: {self.tflm_greedy} bytes, with the model's own plan: {self.before} bytes"
        else:
            tflm = f"TFLM greedy: {self.before} bytes"
        if self.planned:
            saving = f"saves {self.saved_bytes} bytes ({self.saved_percent:.1f}%)"
        else:
            saving = "no saving, left as it was"
        return (
            f"{model.tensor_count} tensors, {len(model.problem)} in the arena; {tflm}, "
            f"bufpack: {self.arena} bytes ({quality}), lower bound {self.lower_bound}; {saving}"
        )

    def _repr_svg_(self) -> str:
        return self.result._repr_svg_()

    def _fields(self) -> Tuple[Any, ...]:
        return (self.model, self.result, self.plan, self.scratch, self.tflm_greedy)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelResult):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (ModelResult, self._fields())

    def __repr__(self) -> str:
        stopped = f", stopped={self.stopped!r}" if self.stopped else ""
        return (
            f"ModelResult(status={self.status!r}, arena={self.arena}, before={self.before}, "
            f"lower_bound={self.lower_bound}, optimal={self.optimal}, "
            f"saved_bytes={self.saved_bytes}{stopped})"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def read_model(source: ModelSource) -> TFLiteModel:
    """Reads a ``.tflite`` model: its bytes, or a path (``str`` or ``os.PathLike``).

    Raises :class:`bufpack.ModelError` for a malformed, truncated or non-TFLite file (with
    the byte offset, table and field), ``OSError`` for a file that cannot be opened.
    """
    if isinstance(source, TFLiteModel):
        return source
    return TFLiteModel(source)


def plan_model(
    source: Union[ModelSource, TFLiteModel],
    timeout: Optional[float] = None,
    *,
    threads: int = 1,
    scratch: ScratchSpec = None,
    params: Optional["SolverParams"] = None,
    progress: Optional[Any] = None,
    progress_interval: float = 0.1,
    cancel: Optional[Any] = None,
) -> ModelResult:
    """Reads a model, minimises its arena, and writes the plan into it if that saves arena.

    ``source`` is the model's bytes, a path, or a :class:`TFLiteModel`. ``timeout``,
    ``threads``, ``params``, ``progress``, ``progress_interval`` and ``cancel`` are
    :func:`bufpack.minimize`'s (the GIL is released throughout; after a time-out the best
    packing found is planned, ``stopped="timeout"``). ``scratch`` lists the kernel scratch
    buffers TFLite Micro will place (see the module's notes). Returns a
    :class:`ModelResult`; ``result.write(path)`` writes the planned model, or nothing when
    there is no saving. Ctrl-C raises :class:`bufpack.Interrupted` whose ``result`` is the
    :class:`ModelResult` of the best packing so far.
    """
    from ._solve import minimize

    model = read_model(source)
    checked = model._scratch(scratch)
    try:
        result = minimize(
            model.problem,
            params=params,
            timeout=timeout,
            threads=threads,
            progress=progress,
            progress_interval=progress_interval,
            cancel=cancel,
        )
    except Interrupted as stop:
        if not isinstance(stop.result, MinimizeResult):
            raise
        raise Interrupted("plan_model interrupted", result=_result(model, stop.result, checked)) from stop
    return _result(model, result, checked)


def _result(model: TFLiteModel, result: MinimizeResult, scratch: List[Tuple[int, int, int]]) -> ModelResult:
    plan = model.plan(result.solution, scratch)
    return ModelResult(
        model,
        result,
        plan,
        tuple(Scratch(*s) for s in scratch),
        model.tflm_greedy(scratch),
    )
