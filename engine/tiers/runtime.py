"""One way to open an onnxruntime session, for every model the engine loads.

The options are the ones that let memory go back when a model is unloaded
(no CPU arena, no memory patterns) and keep inference on the caller's threads.
onnxruntime is imported here, lazily, so an engine that never needs a model
never pays for the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def open_session(path: Path, *, threads: int = 1) -> Any:
    """An onnxruntime.InferenceSession on the CPU with the engine's memory-friendly options."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = False  # memory goes back when the session goes
    options.enable_mem_pattern = False
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
