"""The properties every scan must keep, whatever the text. Each check returns what it found wrong (empty: none).

Shared by the pytest run (tests/fuzz/test_fuzz.py, a short run in `make test`) and `make fuzz`
(tests/fuzz/run.py, hundreds of thousands of inputs).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine import SENSITIVE_CATEGORIES, Engine, Verdict
from engine.decide import at_least

TIMELESS = ("timings_ms", "cached")


def scanned(engine: Engine, text: str, **kw: Any) -> tuple[Verdict | None, list[str]]:
    """The verdict, or the exception it raised as a violation: scan never raises."""
    try:
        return engine.scan(text, **kw), []
    except Exception as exc:  # the property under test
        return None, [f"scan raised {type(exc).__name__}: {exc}"]


def well_formed(text: str, verdict: Verdict) -> list[str]:
    """Spans lie inside the text and point at something; a masked value is gone from the redacted copy."""
    problems = []
    for f in verdict.findings:
        if not 0 <= f.start <= f.end <= len(text):
            problems.append(f"{f.rule}: span {f.start}-{f.end} outside a text of {len(text)}")
        elif f.category in SENSITIVE_CATEGORIES and f.start == f.end:
            problems.append(f"{f.rule}: an empty span for a {f.category} finding")
    if verdict.decision == "allow" and any(f.category in SENSITIVE_CATEGORIES for f in verdict.findings):
        problems.append("allowed with a secret or personal data in it")
    if verdict.redacted is not None:
        for f in verdict.findings:
            value = text[f.start : f.end]
            # a value of a few characters may be a word elsewhere in the text: check the ones that identify
            if f.category in SENSITIVE_CATEGORIES and len(value.strip()) >= 8 and value in verdict.redacted:
                problems.append(f"{f.rule}: {value!r} is still in the redacted text")
    return problems


def cache_agrees(engine: Engine, text: str, first: Verdict, **kw: Any) -> list[str]:
    """A second scan (from the cache, or done again) says what the first said."""
    second, problems = scanned(engine, text, **kw)
    if second is None:
        return problems
    a, b = (replace(v, timings_ms={}, cached=False) for v in (first, second))
    return [] if a == b else [f"a second scan differs: {first.decision} then {second.decision}"]


def finds_planted(text: str, values: tuple[str, ...], verdict: Verdict) -> list[str]:
    """Every planted secret or piece of personal data is found (a span covering it) and masked."""
    problems = []
    for value in values:
        at = text.find(value)
        covered = any(
            f.category in SENSITIVE_CATEGORIES and f.start <= at and at + len(value) <= f.end for f in verdict.findings
        )
        if not covered:
            problems.append(f"planted {value!r} not found")
        if verdict.redacted is not None and value in verdict.redacted:
            problems.append(f"planted {value!r} left in the redacted text")
    if verdict.redacted is None:
        problems.append("no redacted copy of a text with planted values")
    return problems


def attack_counts(engine: Engine, benign: str, attack: str, **kw: Any) -> list[str]:
    """Appending a clear attack to benign text never lowers the decision.

    A clear attack is one tier 0 or tier 1 blocks on its own: appended to benign text, the text is blocked
    too; and what tier 0 alone decides of an attack (a block, or "a model must read this") stands whatever
    comes before it. An attack only the combination of every tier's evidence blocks (a probability near its
    band) is not clear: there the benign text may tip the balance. Whatever the attack, the joined text is
    never judged below the benign text alone.
    """
    alone, p1 = scanned(engine, attack, **kw)
    before, p2 = scanned(engine, benign, **kw)
    joined, p3 = scanned(engine, f"{benign} {attack}", **kw)
    if alone is None or before is None or joined is None:
        return p1 + p2 + p3
    clear = alone.decision == "block" and alone.tier <= 1
    floor = at_least(before.decision, "block" if clear else "allow")
    if alone.tier == 0:
        floor = at_least(floor, alone.decision)
    if at_least(joined.decision, floor) != joined.decision:  # the joined text judged below the floor
        return [f"{joined.decision} with the attack appended, {alone.decision} at tier {alone.tier} for the attack "
                f"alone, {before.decision} for the benign text alone"]  # fmt: skip
    return []
