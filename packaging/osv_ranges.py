"""Whether a PyPI version lies inside one OSV `affected` entry (https://ossf.github.io/osv-schema/).

A version is affected when it is one of the entry's explicit `versions` or inside one of its ECOSYSTEM
ranges: walking the range's events in version order, `introduced` opens it (`"0"`: from the first release),
`fixed` closes it at that version and `last_affected` just after it. Versions are compared as PEP 440
versions by `packaging.version`, which is in both locks, so 1.0 == 1.0.0 and 2.0rc1 < 2.0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from packaging.version import InvalidVersion, Version

EVENT_KINDS = ("introduced", "fixed", "last_affected")
RANGE_TYPE = "ECOSYSTEM"  # PyPI's own ordering; GIT ranges name commits, which a locked version cannot be set against


class RangeError(ValueError):
    """An entry that cannot be evaluated: another range type, another event kind, a version PEP 440 cannot read."""


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion as exc:
        raise RangeError(f"{text!r} is not a PEP 440 version") from exc


def _events(range_: Mapping[str, Any]) -> list[tuple[str, Version | None]]:
    """(kind, bound) in version order; `introduced: "0"` has no bound and comes first."""
    if range_.get("type") != RANGE_TYPE:
        raise RangeError(f"range type {range_.get('type')!r} cannot be evaluated (only {RANGE_TYPE})")
    events: list[tuple[str, Version | None]] = []
    for event in range_.get("events", []):
        if not isinstance(event, Mapping) or len(event) != 1 or next(iter(event)) not in EVENT_KINDS:
            raise RangeError(f"event {event!r} is not one of {', '.join(EVENT_KINDS)}")
        ((kind, bound),) = event.items()
        if not isinstance(bound, str):
            raise RangeError(f"event {event!r} does not name its version as text")
        events.append((kind, None if kind == "introduced" and bound == "0" else _version(bound)))
    return sorted(events, key=lambda e: (0, Version("0")) if e[1] is None else (1, e[1]))


def in_range(version: Version, range_: Mapping[str, Any]) -> bool:
    """The schema's evaluation: the last event at or below `version` decides."""
    affected = False
    for kind, bound in _events(range_):
        if kind == "introduced":
            affected = affected or bound is None or version >= bound
        elif bound is not None and (version > bound or (kind == "fixed" and version == bound)):
            affected = False  # fixed at or before it, or last affected before it
    return affected


def _listed(version: Version, versions: Sequence[str]) -> bool:
    for text in versions:
        try:
            if Version(text) == version:
                return True
        except InvalidVersion:  # a legacy string is still an exact name
            if text == str(version):
                return True
    return False


def affects(entry: Mapping[str, Any], version: str) -> bool:
    """Whether `version` is affected by `entry` (its explicit versions or any of its ranges)."""
    if not entry.get("versions") and not entry.get("ranges"):
        raise RangeError("it names neither versions nor a range")
    parsed = _version(version)
    return _listed(parsed, entry.get("versions", [])) or any(in_range(parsed, r) for r in entry.get("ranges", []))


def fixed_in(entry: Mapping[str, Any], version: str) -> str:
    """The releases that fix `version`, as a reader wants them: the lowest `fixed` above it, else what is known."""
    parsed = _version(version)
    fixes = sorted(
        (bound for r in entry.get("ranges", []) for kind, bound in _events(r) if kind == "fixed" and bound is not None),
    )
    above = [bound for bound in fixes if bound > parsed]
    if above:
        return f"fixed in {above[0]}"
    last = [str(bound) for r in entry.get("ranges", []) for kind, bound in _events(r) if kind == "last_affected"]
    return f"no fixed release named (last affected {', '.join(last)})" if last else "no fixed release named"
