"""The model host: `tierwall _model-host`, a child process that holds the models and runs their operations.

It reads requests on stdin and answers on stdout (engine.host.protocol), runs
inferences on a few threads of its own, forwards every model event, and exits
when stdin closes or it is told to quit. Its parent decides when it is no longer
needed; everything it loaded goes back to the OS with the process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, fields
from typing import Any, BinaryIO

from engine.host.protocol import PROTOCOL_VERSION, ProtocolError, read_message, write_message
from engine.models import ModelEvent, ModelInfo, ModelManager, ModelUnavailable, verify_ahead

_INFO_FIELDS = tuple(f.name for f in fields(ModelInfo))
INFERENCE_THREADS = 4  # as many scans as the app runs at once; onnxruntime sessions take concurrent runs


class Server:
    """One host's request loop. Thread-safe writes; requests after their deadline are answered, not run."""

    def __init__(self, manager: ModelManager, out: BinaryIO) -> None:
        self.manager = manager
        self._out = out
        self._write_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(INFERENCE_THREADS, thread_name_prefix="tierwall-host")
        manager.subscribe(self._event)

    def send(self, message: dict[str, Any]) -> None:
        message["snapshot"] = snapshot_message(self.manager)
        with self._write_lock:
            write_message(self._out, message)

    def serve(self, stream: BinaryIO) -> int:
        """Answer requests until the parent closes stdin or says quit; the exit code."""
        self.send({"hello": {"protocol": PROTOCOL_VERSION, "pid": os.getpid()}})
        try:
            while True:
                try:
                    request = read_message(stream)
                except ProtocolError as exc:
                    print(f"tierwall model host: {exc}", file=sys.stderr)
                    return 2
                if request is None or request.get("op") == "quit":
                    return 0
                received = time.monotonic()
                self._pool.submit(self._answer, request, received)
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self.manager.close()

    def _answer(self, request: dict[str, Any], received: float) -> None:
        rid = request.get("id")
        op = str(request.get("op"))
        try:
            deadline = float(request.get("deadline_s", 60.0))
            if time.monotonic() - received > deadline:
                raise ModelUnavailable(f"the request waited longer than its deadline of {deadline:g} s")
            reply = {"id": rid, "ok": self._do(op, request.get("args") or {})}
        except ModelUnavailable as exc:
            reply = {"id": rid, "error": {"type": "ModelUnavailable", "message": str(exc)}}
        except Exception as exc:  # any other failure is the request's, not the host's: say it and go on
            reply = {"id": rid, "error": {"type": type(exc).__name__, "message": str(exc)}}
        with contextlib.suppress(OSError, ValueError):  # the parent went away; reading stdin ends the loop
            self.send(reply)

    def _do(self, op: str, args: dict[str, Any]) -> Any:
        manager = self.manager
        if op == "infer":
            return manager.infer(str(args["op"]), args["args"])
        if op == "unload":
            return manager.unload(str(args["name"]), reason=str(args.get("reason", "asked")))
        if op == "unload_all":
            manager.unload_all(reason=str(args.get("reason", "asked")))
            return True
        if op == "reset_error":
            manager.reset_error(str(args["name"]))
            return True
        if op == "settings":
            manager.set_idle_timeout(_optional_float(args.get("idle_timeout_s")))
            manager.set_budget(_optional_float(args.get("budget_mib")))
            return True
        if op == "snapshot":
            return True  # every message carries one
        raise ValueError(f"unknown request {op!r}")

    def _event(self, event: ModelEvent) -> None:
        if event.kind == "settings":
            return  # the parent made them and said so itself
        with contextlib.suppress(OSError, ValueError):
            self.send({"event": asdict(event)})


def snapshot_message(manager: ModelManager) -> dict[str, Any]:
    """The models' states for the parent (which reads the host's RSS itself); about 60 µs."""
    return {"models": [{name: getattr(info, name) for name in _INFO_FIELDS} for info in manager.infos()]}


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def main(argv: list[str]) -> int:
    """`tierwall _model-host [--threads N]`: serve on stdin/stdout until told to stop."""
    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the parent's terminal is the parent's to handle
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print from a library must not corrupt the protocol's stream
    ahead = verify_ahead()  # the files are hashed while the imports below run
    from engine.inference import model_specs  # numpy, the tokenizers; onnxruntime comes with the first load

    manager = ModelManager(model_specs(threads=threads), idle_timeout_s=None, verified_ahead=ahead)
    return Server(manager, stdout).serve(stdin)
