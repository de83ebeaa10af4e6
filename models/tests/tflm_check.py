"""Runs a model and its planned copy in TensorFlow Lite Micro's own interpreter.

Usage: python tflm_check.py ORIGINAL.tflite PLANNED.tflite

Both models get the same seeded random inputs for a few invocations in a row (so streaming
models carry state across them); every output of every invocation must be identical bit
for bit. Then the planned model's offline plan is corrupted on purpose (every planned
offset set to 0) to show that this TFLite Micro build really reads the plan: its outputs
must change. A corrupted loop counter can make a WHILE loop run forever, so for a model with
a WHILE that run happens in a child process, stopped after CORRUPTED_LIMIT seconds: a run
that has not ended by then counts as changed (`corrupted_hangs`). Prints one line `RESULT {json}` with the arena "head" (the planned part of the
arena, kernel scratch buffers included) TFLite Micro reports for each model.

Run by models/tests/tflm.rs; needs the `tflite-micro` package (PyPI) and numpy.
"""

import json
import multiprocessing
import os
import queue
import sys
import tempfile

import numpy as np
from tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

INVOCATIONS = 3
# Seconds a corrupted model with a WHILE may run before it counts as looping forever; the
# uncorrupted ones here finish within a second.
CORRUPTED_LIMIT = 20


def arena_figures(interpreter):
    """The head and total TFLite Micro's recording allocator prints to the C stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            interpreter.print_allocations()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        text = capture.read().decode("utf-8", "replace")
    figures = {}
    for line in text.splitlines():
        for key in ("head", "total", "tail"):
            marker = f"Arena allocation {key} "
            if marker in line:
                figures[key] = int(line.split(marker)[1].split()[0])
    return figures


def input_values(interpreter, rng):
    """Seeded random inputs over each input tensor's whole range."""
    values = []
    index = 0
    while True:
        try:
            details = interpreter.get_input_details(index)
        except Exception:
            break
        dtype = np.dtype(details["dtype"])
        shape = tuple(details["shape"])
        if np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            data = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
        elif dtype == np.bool_:
            data = rng.integers(0, 1, size=shape, endpoint=True).astype(np.bool_)
        else:
            data = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
        values.append(data)
        index += 1
    return values


def run(model_bytes):
    """Outputs of INVOCATIONS invocations on seeded inputs, and the arena figures."""
    interpreter = runtime.Interpreter.from_bytes(model_bytes)
    rng = np.random.default_rng(16)
    outputs = []
    for _ in range(INVOCATIONS):
        for index, data in enumerate(input_values(interpreter, rng)):
            interpreter.set_input(data, index)
        interpreter.invoke()
        index = 0
        while True:
            try:
                out = interpreter.get_output(index)
            except Exception:
                break
            outputs.append(np.array(out).tobytes())
            index += 1
    return outputs, arena_figures(interpreter)


def corrupted(model_bytes):
    """The model with every planned offset of its OfflineMemoryAllocation set to 0."""
    data = bytearray(model_bytes)
    model = schema.Model.GetRootAsModel(data, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() != b"OfflineMemoryAllocation":
            continue
        table = model.Buffers(entry.Buffer())._tab
        start = table.Vector(table.Offset(4))
        words = np.frombuffer(data, dtype="<i4", count=table.VectorLen(table.Offset(4)) // 4, offset=start).copy()
        words[3:][words[3:] > 0] = 0
        data[start:start + 4 * len(words)] = words.astype("<i4").tobytes()
    return bytes(data)


def has_while(model_bytes):
    model = runtime.convert_bytearray_to_object(bytearray(model_bytes))
    return any(
        runtime.get_builtin_code_from_operator_code(code) == schema.BuiltinOperator.WHILE
        for code in model.operatorCodes or []
    )


def _outputs_into(model_bytes, results):
    results.put(run(model_bytes)[0])


def corrupted_outputs(model_bytes):
    """Outputs of the corrupted model, or None if a WHILE in it has not ended in time."""
    data = corrupted(model_bytes)
    if not has_while(data):
        return run(data)[0]
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_outputs_into, args=(data, results))
    child.start()
    try:
        return results.get(timeout=CORRUPTED_LIMIT)
    except queue.Empty:
        return None
    finally:
        child.kill()
        child.join()


def main():
    original = open(sys.argv[1], "rb").read()
    planned = open(sys.argv[2], "rb").read()
    before, before_arena = run(original)
    after, after_arena = run(planned)
    broken = corrupted_outputs(planned)
    result = {
        "outputs": len(before),
        "identical": before == after,
        "corrupted_differs": broken != before,
        "corrupted_hangs": broken is None,
        "head_original": before_arena.get("head"),
        "head_planned": after_arena.get("head"),
        "total_original": before_arena.get("total"),
        "total_planned": after_arena.get("total"),
    }
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
