"""TensorFlow Lite Micro models: every fixture model reads and plans, a saving is written and
reads back with its plan, no saving leaves the model alone, bad files and bad plans raise
``bufpack.ModelError`` (never a crash), and TFLite Micro's own interpreter runs the planned
model with the same outputs in the smaller arena.

The models are the models crate's fixtures (``models/tests/fixtures/tflite/``, read in place).
"""

from __future__ import annotations

import os
import pickle
import random
import struct

import numpy as np
import pytest
from conftest import CHALLENGING, ROOT

import bufpack

MODELS = ROOT / "models" / "tests" / "fixtures" / "tflite"
GREEDY_TRAP = MODELS / "greedy_trap.tflite"
PERSON_DETECT = MODELS / "person_detect.tflite"
VELA = MODELS / "person_detect_vela.tflite"

# The arena TFLite Micro's interpreter reports for these models (the models crate's
# tests/fixtures.rs and tests/tflm.rs measure them in the real interpreter).
REPORTED_BY_TFLM = {
    "person_detect.tflite": 55_296,
    "mobilenet_v2_quantized_1x3x224x224.tflite": 2_451_840,
    "micro_speech_quantized.tflite": 5_968,
    "hello_world_int8.tflite": 32,
    "keyword_scrambled.tflite": 288,
    "greedy_trap.tflite": 832,
}

ERROR_KINDS = {
    "out_of_bounds",
    "not_tflite",
    "bad_table",
    "index_out_of_range",
    "unsupported_type",
    "dynamic_shape",
    "too_large",
    "unsupported",
    "recursion",
}


def fixtures():
    paths = sorted(MODELS.glob("*.tflite"))
    assert len(paths) >= 10, paths
    return paths


def round_trip(value):
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def plan_words(model, offsets):
    """The OfflineMemoryAllocation plan a model should carry for ``offsets``: one word per
    tensor, -1 for those not in the arena."""
    words = [-1] * model.tensor_count
    for buffer, offset in zip(model.buffers, offsets):
        words[buffer.plan_index] = int(offset)
    return tuple(words)


# Reading and planning every fixture ---------------------------------------------------------


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.name)
def test_every_fixture_reads_and_its_problem_solves_and_validates(path):
    model = bufpack.read_model(path)
    assert model == bufpack.read_model(str(path)) == bufpack.read_model(path.read_bytes())
    assert model == bufpack.TFLiteModel(bytearray(path.read_bytes()))
    assert model.data == path.read_bytes()

    problem, buffers, steps = model.problem, model.buffers, model.steps
    assert isinstance(problem, bufpack.Problem) and problem.capacity is None
    assert len(problem) == len(buffers) > 0
    assert problem.ids == [b.id for b in buffers]
    assert len(set(problem.ids)) == len(buffers)
    assert problem.lower.tolist() == [b.lower for b in buffers]
    assert problem.upper.tolist() == [b.upper for b in buffers]
    assert problem.size.tolist() == [b.size for b in buffers]
    assert problem.alignment.tolist() == [16] * len(buffers)
    for b in buffers:
        assert b.size % 16 == 0 and b.size - 16 < b.bytes <= b.size
        assert 0 <= b.lower < b.upper <= len(steps)
    assert steps[:2] == ["(before the model runs)", "inputs"]
    operators = model.operators
    assert len(operators) >= 1 and all(op.name == steps[op.lower] for op in operators)
    assert model.tensor_count >= len(buffers) + model.constant_count + model.variable_count
    assert model.variable_bytes % 16 == 0 and (model.variable_bytes > 0) == (model.variable_count > 0)
    assert model.subgraph_count >= 1

    # bufpack's packing: the problem solves, the solution validates and is a valid plan.
    result = bufpack.minimize(problem)
    result.validate()
    assert result.optimal and result.lower_bound == result.height
    assert model.check_plan(result) == result.height
    assert model.check_plan(result.offsets) == result.height

    # TFLite Micro's own plan is valid too, and never lower than the optimum.
    greedy = model.tflm_plan()
    greedy.solution.validate()
    assert model.check_plan(greedy) == greedy.arena == model.tflm_greedy()
    assert greedy.arena >= result.height
    if path.name in REPORTED_BY_TFLM:
        assert greedy.arena == REPORTED_BY_TFLM[path.name]

    # Only the generated greedy trap can be improved; the others are optimal under TFLM.
    plan = model.plan(result)
    assert plan.status == ("planned" if path.name == "greedy_trap.tflite" else "unchanged")
    if plan.planned:
        again = bufpack.read_model(plan.model_bytes)
        assert again.buffers == buffers and again.steps == steps
        assert again.offline_plan == plan_words(model, result.offsets)
        assert again.tflm_arena() == plan.arena == result.height
    else:
        assert plan.model_bytes is None and plan.saved_bytes == 0
        assert plan.arena >= plan.before


def test_the_greedy_trap_plans_to_640_bytes_where_tflite_micro_needs_832(tmp_path):
    result = bufpack.plan_model(GREEDY_TRAP)
    result.validate()
    assert result.status == "planned" and result.planned and result.optimal
    assert (result.tflm_greedy, result.before, result.arena, result.height, result.lower_bound) == (
        832,
        832,
        640,
        640,
        640,
    )
    assert result.saved_bytes == 192 and round(result.saved_percent, 1) == 23.1
    assert result.summary == (
        "19 tensors, 7 in the arena; TFLM greedy: 832 bytes, bufpack: 640 bytes (optimal), "
        "lower bound 640; saves 192 bytes (23.1%)"
    )
    assert repr(result).startswith("ModelResult(status='planned', arena=640, before=832, lower_bound=640")

    target = tmp_path / "planned.tflite"
    assert result.write(target) is True
    assert target.read_bytes() == result.model_bytes
    planned = bufpack.read_model(target)
    model = result.model
    # The same model, now carrying bufpack's plan, which TFLite Micro then follows.
    assert planned.buffers == model.buffers and planned.steps == model.steps
    assert planned.operators == model.operators
    assert planned.offline_plan == plan_words(model, result.offsets)
    assert planned.offline_plan_error is None
    assert planned.tflm_arena() == 640 and planned.tflm_greedy() == 832
    assert planned.check_plan(result) == 640

    # Planned again, the model has nothing more to give, and says why.
    again = bufpack.plan_model(planned)
    assert again.status == "unchanged" and again.model_bytes is None
    assert (again.before, again.arena) == (640, 640)
    assert again.summary.endswith(
        "TFLM greedy: 832 bytes, with the model's own plan: 640 bytes, bufpack: 640 bytes (optimal), "
        "lower bound 640; no saving, left as it was"
    )
    assert again.write(tmp_path / "nothing.tflite") is False
    assert not (tmp_path / "nothing.tflite").exists()


def test_an_already_optimal_model_is_left_as_it_was(tmp_path):
    result = bufpack.plan_model(PERSON_DETECT, threads=2)
    result.validate()
    assert result.status == "unchanged" and not result.planned
    assert result.model_bytes is None and result.saved_bytes == 0 and result.saved_percent == 0.0
    assert result.arena == result.before == result.tflm_greedy == 55_296
    assert result.summary.endswith("no saving, left as it was")
    target = tmp_path / "person_detect.planned.tflite"
    assert result.write(target) is False
    assert not target.exists()
    assert os.listdir(tmp_path) == []

    # TFLite Micro's own plan handed back: no saving either.
    model = bufpack.read_model(PERSON_DETECT)
    plan = model.plan(model.tflm_plan())
    assert plan == bufpack.ModelPlan("unchanged", 55_296, 55_296, None)
    assert "no saving" in repr(plan)


def test_a_model_carrying_a_better_plan_is_left_alone():
    # Vela's plan overlaps tensors that its NPU kernels allow to share memory: TFLite Micro
    # runs the model in 74,464 bytes with it, below any plan without overlaps.
    model = bufpack.read_model(VELA)
    assert model.offline_plan is not None and len(model.offline_plan) == model.tensor_count
    assert model.tflm_arena() == 74_464 and model.tflm_greedy() == 158_160
    result = bufpack.plan_model(model)
    assert result.status == "unchanged" and result.before == 74_464 and result.arena == 158_160
    assert "TFLM greedy: 158160 bytes, with the model's own plan: 74464 bytes" in result.summary


def test_scratch_buffers_are_placed_as_tflite_micro_places_them():
    model = bufpack.read_model(GREEDY_TRAP)
    op = model.operators[1]
    scratch = [(op.subgraph, op.operator, 100)]
    greedy = model.tflm_plan(scratch)
    assert len(greedy.scratch_offsets) == 1 and greedy.scratch_offsets[0] % 16 == 0
    assert model.tflm_greedy(scratch) == greedy.arena >= model.tflm_greedy()
    # The same scratch buffer in every accepted form.
    for form in (
        [bufpack.Scratch(op.subgraph, op.operator, 100)],
        [{"subgraph": op.subgraph, "operator": op.operator, "bytes": 100}],
        ((np.int64(op.subgraph), op.operator, np.uint16(100)),),
    ):
        assert model.tflm_plan(form) == greedy

    result = bufpack.plan_model(model, scratch=scratch)
    result.validate()
    assert result.scratch == (bufpack.Scratch(op.subgraph, op.operator, 100),)
    assert result.before == result.tflm_greedy == greedy.arena
    assert result.arena >= result.height == 640
    assert result.planned and result.arena < result.before
    # The planned model, read back, needs exactly the arena claimed with the same scratch.
    assert bufpack.read_model(result.model_bytes).tflm_arena(scratch) == result.arena
    if result.arena > result.height:
        assert "scratch buffers placed around them" in result.summary


def test_ctrl_c_during_plan_model_hands_back_the_best_plan_so_far():
    # A KeyboardInterrupt raised inside the running search (here by the progress callback,
    # as a SIGINT handler would) becomes bufpack.Interrupted carrying a ModelResult.
    def interrupt(progress):
        raise KeyboardInterrupt

    with pytest.raises(bufpack.Interrupted) as caught:
        bufpack.plan_model(GREEDY_TRAP, progress=interrupt, progress_interval=0)
    assert isinstance(caught.value, KeyboardInterrupt)
    result = caught.value.result
    assert isinstance(result, bufpack.ModelResult)
    result.validate()
    # The search may already have proven its packing when the callback ran (then nothing
    # was cut short); the packing is planned either way.
    assert result.stopped in (None, "interrupt")
    assert result.lower_bound <= result.height <= result.arena <= result.before == 832
    assert result.model.check_plan(result) == result.height


# Pickling -----------------------------------------------------------------------------------


def test_the_model_objects_pickle():
    model = bufpack.read_model(GREEDY_TRAP)
    again = round_trip(model)
    assert again == model and hash(again) == hash(model) and again.buffers == model.buffers
    result = bufpack.plan_model(model, scratch=[(0, 1, 100)])
    copy = round_trip(result)
    assert copy == result and copy.summary == result.summary
    copy.validate()
    for value in (
        result.plan,
        model.tflm_plan([(0, 1, 100)]),
        model.buffers[0],
        model.operators[0],
        bufpack.Scratch(0, 1, 100),
    ):
        assert round_trip(value) == value, value
    with pytest.raises(bufpack.ModelError) as caught:
        bufpack.read_model(GREEDY_TRAP.read_bytes()[:100])
    error = round_trip(caught.value)
    assert type(error) is bufpack.ModelError and error.__dict__ == caught.value.__dict__


# Bad input ----------------------------------------------------------------------------------


def model_error(call, kind=None):
    """The ModelError ``call`` raises, checked: a message, a known kind, a location."""
    with pytest.raises(bufpack.ModelError) as caught:
        call()
    error = caught.value
    assert isinstance(error, bufpack.BufpackError) and isinstance(error, ValueError)
    assert error.message and error.reason and error.reason in error.message
    assert error.kind in ERROR_KINDS | {"bad_plan"}
    assert error.table
    if kind is not None:
        assert error.kind == kind, error
    return error


def test_a_truncated_model_names_the_byte_offset_table_and_field():
    data = GREEDY_TRAP.read_bytes()
    for length in (0, 3, 7, 8, 64, len(data) // 2, len(data) - 1):
        error = model_error(lambda: bufpack.read_model(data[:length]), "out_of_bounds")
        assert f"{length}-byte file" in error.message and "truncated" in error.message
    error = model_error(lambda: bufpack.read_model(data[:100]))
    assert error.offset is not None and error.message.startswith(f"at byte {error.offset}, Model.")
    assert error.field


def test_something_else_than_a_model_is_refused():
    error = model_error(lambda: bufpack.read_model(b"hello, this is not a model"), "not_tflite")
    assert "TFL3" in error.message
    model_error(lambda: bufpack.read_model(CHALLENGING / "A.1048576.csv"), "not_tflite")
    model_error(lambda: bufpack.read_model(b""), "out_of_bounds")
    with pytest.raises(FileNotFoundError):
        bufpack.read_model(MODELS / "no such model.tflite")


def test_random_bytes_that_claim_to_be_tflite_are_refused():
    rng = random.Random(16)
    for _ in range(500):
        data = bytearray(rng.getrandbits(8) for _ in range(rng.randrange(8, 3000)))
        data[4:8] = b"TFL3"
        model_error(lambda: bufpack.read_model(bytes(data)))


@pytest.mark.parametrize(
    "name", ["hello_world_int8.tflite", "micro_speech_quantized.tflite", "keyword_scrambled.tflite"]
)
def test_bit_flips_read_or_raise_model_error_never_crash(name):
    # A flipped bit in a weight leaves a valid model; one in the structure is caught. Either
    # way no other exception, no crash, and what reads solves into a valid plan.
    data = (MODELS / name).read_bytes()
    rng = random.Random(name)
    errors = 0
    for _ in range(1500):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
        try:
            model = bufpack.read_model(bytes(mutated))
        except bufpack.ModelError as error:
            assert error.kind in ERROR_KINDS and error.message, error
            errors += 1
            continue
        result = bufpack.minimize(model.problem)
        result.validate()
        plan = model.plan(result)
        if plan.planned:
            assert bufpack.read_model(plan.model_bytes).tflm_arena() == plan.arena < plan.before
    assert errors > 0


def test_wrong_argument_types_name_the_argument():
    model = bufpack.read_model(GREEDY_TRAP)
    n = len(model.problem)
    cases = [
        (lambda: bufpack.read_model(42), "data"),
        (lambda: bufpack.read_model(None), "data"),
        (lambda: bufpack.plan_model([1, 2, 3]), "data"),
        (lambda: model.plan("offsets"), "offsets"),
        (lambda: model.plan(None), "offsets"),
        (lambda: model.plan(np.full(n, 16.5)), "offsets[0]"),
        (lambda: model.check_plan([0.0] * n), "offsets"),
        (lambda: model.plan([0] * n, scratch=5), "scratch"),
        (lambda: model.plan([0] * n, scratch=[(0, 1)]), "scratch[0]"),
        (lambda: model.tflm_greedy([(0, 1, 2.5)]), "scratch[0].bytes"),
        (lambda: model.tflm_greedy([(0, "1", 16)]), "scratch[0].operator"),
        (lambda: bufpack.plan_model(GREEDY_TRAP, timeout="soon"), "timeout"),
        (lambda: bufpack.plan_model(GREEDY_TRAP, threads=1.5), "threads"),
    ]
    for call, path in cases:
        with pytest.raises(bufpack.InputTypeError) as caught:
            call()
        assert caught.value.path == path and caught.value.message.startswith(path), caught.value
        assert isinstance(caught.value, TypeError)


def test_scratch_buffers_of_operators_the_model_lacks_are_refused():
    model = bufpack.read_model(GREEDY_TRAP)
    cases = [
        ([(0, 99, 16)], "scratch[0]", "no operator 99 in subgraph 0"),
        ([(0, 0, 16), (3, 0, 16)], "scratch[1]", "no operator 0 in subgraph 3"),
        ([(0, 0, -16)], "scratch[0].bytes", "non-negative"),
        ([{"subgraph": 0, "op": 0, "bytes": 16}], "scratch[0]", "unknown ['op']"),
    ]
    for scratch, path, text in cases:
        with pytest.raises(bufpack.InvalidInputError) as caught:
            model.tflm_greedy(scratch)
        assert caught.value.path == path and text in caught.value.message, caught.value


def test_invalid_plans_are_refused_and_never_written():
    model = bufpack.read_model(GREEDY_TRAP)
    n = len(model.problem)
    greedy = model.tflm_plan().offsets

    error = model_error(lambda: model.plan([0, 16]), "bad_plan")
    assert f"2 offsets for the model's {n} arena buffers" in error.message and error.table == "plan"
    model_error(lambda: model.check_plan(list(greedy) + [0]), "bad_plan")
    model_error(lambda: model.plan([]), "bad_plan")

    # Two tensors live together at the same bytes: named, with their steps and bytes.
    error = model_error(lambda: model.plan([0] * n), "bad_plan")
    assert "are live together and overlap" in error.message
    assert error.message.count('"t') >= 2

    misaligned = greedy.copy()
    misaligned[0] += 8
    error = model_error(lambda: model.plan(misaligned), "bad_plan")
    assert f'"{model.problem.ids[0]}" at offset {misaligned[0]}' in error.message
    assert "alignment" in error.message

    negative = greedy.copy()
    negative[2] = -16
    error = model_error(lambda: model.check_plan(negative), "bad_plan")
    assert "cannot be negative" in error.message

    too_far = greedy.copy()
    too_far[1] = 2**31
    error = model_error(lambda: model.plan(too_far), "bad_plan")
    assert "2^31" in error.message

    # A solution of another problem is not a plan for this model.
    other = bufpack.minimize(bufpack.read_model(PERSON_DETECT).problem)
    with pytest.raises(bufpack.InvalidInputError) as caught:
        model.plan(other)
    assert caught.value.path == "solution" and "another problem" in caught.value.message


# TFLite Micro's own interpreter -------------------------------------------------------------


def run_in_tflite_micro(runtime, data, seed=16, invocations=3):
    """Outputs of a few invocations on seeded random inputs, and the arena head (the planned
    part of the arena) TFLite Micro's recording allocator reports on the C stderr."""
    interpreter = runtime.Interpreter.from_bytes(data)
    rng = np.random.default_rng(seed)
    outputs = []
    for _ in range(invocations):
        index = 0
        while True:
            try:
                details = interpreter.get_input_details(index)
            except Exception:  # noqa: BLE001 - past the last input
                break
            dtype = np.dtype(details["dtype"])
            shape = tuple(details["shape"])
            if np.issubdtype(dtype, np.integer):
                info = np.iinfo(dtype)
                values = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
            else:
                values = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
            interpreter.set_input(values, index)
            index += 1
        assert index > 0
        interpreter.invoke()
        index = 0
        while True:
            try:
                outputs.append(np.array(interpreter.get_output(index)).tobytes())
            except Exception:  # noqa: BLE001 - past the last output
                break
            index += 1
    return outputs, interpreter


def arena_head(interpreter, capfd):
    capfd.readouterr()
    interpreter.print_allocations()
    text = capfd.readouterr().err
    marker = "Arena allocation head "
    lines = [line for line in text.splitlines() if marker in line]
    assert len(lines) == 1, text
    return int(lines[0].split(marker)[1].split()[0])


def test_tflite_micro_runs_the_planned_model_identically_in_less_arena(capfd):
    pytest.importorskip(
        "tflite_micro",
        reason="TFLite Micro's interpreter (PyPI tflite-micro) is not installed: `cargo xtask setup --test` puts it in target/venv",
    )
    from tflite_micro import runtime

    model = bufpack.read_model(GREEDY_TRAP)
    result = bufpack.plan_model(model)
    assert result.planned

    before, original = run_in_tflite_micro(runtime, model.data)
    after, planned = run_in_tflite_micro(runtime, result.model_bytes)
    assert len(before) == 3 and all(before)
    assert after == before, "the planned model's outputs differ from the original's"
    # TFLite Micro's own figures: its greedy arena is the emulation's, the plan's is bufpack's.
    assert arena_head(original, capfd) == result.before == 832
    assert arena_head(planned, capfd) == result.arena == 640

    # The interpreter really follows the plan: with every planned offset set to 0 (a plan
    # bufpack refuses to write, patched in by hand) the outputs change.
    words = plan_words(model, result.offsets)
    header = (0, model.subgraph_count, model.tensor_count)
    encoded = struct.pack(f"<{3 + len(words)}i", *header, *words)
    assert result.model_bytes.count(encoded) == 1
    zeroed = struct.pack(f"<{3 + len(words)}i", *header, *[0 if w >= 0 else w for w in words])
    corrupted, _ = run_in_tflite_micro(runtime, result.model_bytes.replace(encoded, zeroed))
    assert corrupted != before
