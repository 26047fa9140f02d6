"""One way to open an onnxruntime session, for every model the engine loads and every script that measures one.

The engine's options are the ones that let memory go back when a model is unloaded (no CPU arena, no memory
patterns) and keep inference on the caller's threads. The scripts in packaging/ that build or measure a model
call session_options() too (with other knobs where they compare settings), so that what they measure is what
the engine runs. onnxruntime is imported here, lazily, so an engine that never needs a model never pays for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

Level = Literal["disable", "basic", "extended", "all"]


def session_options(*, threads: int = 1, arena: bool = False, level: Level = "all", prepack: bool = True) -> Any:
    """onnxruntime.SessionOptions: the engine's with the defaults; `threads=0` leaves the count to onnxruntime."""
    import onnxruntime as ort

    levels = {
        "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    }
    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = arena  # without the arena, memory goes back when the session goes
    options.enable_mem_pattern = arena
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = levels[level]
    if not prepack:
        options.add_session_config_entry("session.disable_prepacking", "1")
    return options


def open_session(path: Path, *, threads: int = 1) -> Any:
    """An onnxruntime.InferenceSession on the CPU with the engine's memory-friendly options."""
    import onnxruntime as ort

    return ort.InferenceSession(str(path), session_options(threads=threads), providers=["CPUExecutionProvider"])
