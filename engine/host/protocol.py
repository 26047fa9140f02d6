"""The model host's wire format: one JSON object per message, after its length as 4 big-endian bytes.

JSON and not pickle: a host that misbehaves can send garbage, never code. The
reader bounds the length, rejects NaN and Infinity (a score must be a number)
and any nesting deeper than the messages have; a violation is a ProtocolError,
after which the client kills the host.

Client → host: {"id", "op", "args", "deadline_s"}; op is infer, unload, unload_all,
reset_error, settings or quit. Host → client: first {"hello": {"protocol", "pid"}};
then {"id", "ok": result} or {"id", "error": {"type", "message"}}, and
{"event": {...}} whenever a model changes state. Every host message also carries
"snapshot": the host's ModelManager snapshot, so the client never asks for one.
"""

from __future__ import annotations

import json
import struct
from typing import IO, Any

from engine.errors import TierwallError

PROTOCOL_VERSION = 1
HOST_SUBCOMMAND = "_model-host"  # `tierwall _model-host`: hidden from the help, started only by HostModels
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a request carries at most the scanned text (1 MiB) several times over
MAX_DEPTH = 8  # the deepest message (a result's entailment rows) nests 5 levels
_HEADER = struct.Struct(">I")


class ProtocolError(TierwallError, ValueError):
    """The other side sent something that is not a message of this protocol (or went away mid-message)."""


def write_message(stream: IO[bytes], message: dict[str, Any]) -> None:
    """Frame and send one message; raises ProtocolError if it is too large, OSError if the pipe is gone."""
    body = json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(body)} bytes exceeds the limit of {MAX_MESSAGE_BYTES}")
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def read_message(stream: IO[bytes]) -> dict[str, Any] | None:
    """The next message, or None at a clean end of stream (between messages)."""
    header = _read_exactly(stream, _HEADER.size, allow_eof=True)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message length {size} exceeds the limit of {MAX_MESSAGE_BYTES}")
    body = _read_exactly(stream, size, allow_eof=False)
    assert body is not None
    return decode(body)


def decode(body: bytes) -> dict[str, Any]:
    """One message body as a dict, or ProtocolError."""
    try:
        message = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"not a message: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"not a message: a JSON {type(message).__name__}, not an object")
    if _depth(message) > MAX_DEPTH:
        raise ProtocolError(f"not a message: nested deeper than {MAX_DEPTH} levels")
    return message


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number this protocol carries")


def _depth(value: Any, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level - 1


def _read_exactly(stream: IO[bytes], size: int, *, allow_eof: bool) -> bytes | None:
    chunks, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            if allow_eof and got == 0:
                return None
            raise ProtocolError(f"stream ended {got} bytes into a {size}-byte read")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
