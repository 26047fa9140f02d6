"""The result types of a scan: frozen, JSON-serialisable, shared by every tier.

Spans always index the ORIGINAL text the caller passed (code points), so the
CLI can highlight and the app can redact without knowing about normalisation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Decision = Literal["allow", "warn", "block"]
SEVERITIES = ("info", "low", "medium", "high", "critical")
# Categories whose findings must be masked in Verdict.redacted and that force at least "warn".
SENSITIVE_CATEGORIES = frozenset({"secret", "pii"})
# Category of an info finding for a key-shaped value that is a placeholder or documented example
# (AKIAIOSFODNN7EXAMPLE, your_api_key_here): seen and said, never a secret, never masked, decides nothing.
PLACEHOLDER = "placeholder"


def finding_category(name: str) -> str:
    """The data's category name as a verdict category (the eval data says obfuscated, verdicts obfuscation)."""
    return "obfuscation" if name == "obfuscated" else name


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a tier noticed, pointing at a span of the original text."""

    rule: str  # rule id ("secret.aws_access_key"), or a tier-level id ("sig.exact", "tier1")
    category: str  # injection, jailbreak, obfuscation, secret, pii, input, ...
    severity: str  # one of SEVERITIES
    start: int
    end: int
    explanation: str
    tier: int = 0
    redact_as: str | None = None  # label for Verdict.redacted, e.g. "SECRET:aws_access_key"
    confidence: float | None = None  # the model's own probability, where a model found it (tier 1, tier 2, lexical)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What Engine.scan says about one text.

    `score` is the attack likelihood: how likely the tier that decided finds it that the text is a prompt
    attack (injection, jailbreak, obfuscation, a policy of yours), in [0, 1]. A leak of secrets or personal
    data does not raise it: a text can warn for a leaked key at a low score. `confidence` says how strongly
    the evidence points at each category the verdict names, leaks included.
    """

    decision: Decision
    score: float  # attack likelihood in [0, 1], from the deciding tier; leaks are in `confidence`, not here
    categories: tuple[str, ...]
    findings: tuple[Finding, ...]
    tier: int  # the tier whose judgement decided
    timings_ms: dict[str, float]
    # the text with every secret and piece of personal data masked; None where that could not be vouched for
    # (the text was longer than was scanned, or held more values than could be found in time): never a
    # partly masked copy offered as masked
    redacted: str | None
    reasons: tuple[str, ...] = ()  # short human reasons, e.g. "needs tier 1"
    covered: tuple[int, int] | None = None  # span of the original that was scanned, if not all
    cached: bool = False
    text_sha256: str = field(default="", repr=False)
    # category -> how strongly the evidence points at it, in [0, 1], strongest first (see Engine._confidence)
    confidence: dict[str, float] = field(default_factory=dict)

    @property
    def is_attack(self) -> bool:
        return self.decision != "allow"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["findings"] = [f.to_dict() for f in self.findings]
        d["categories"] = list(self.categories)
        d["reasons"] = list(self.reasons)
        d["covered"] = list(self.covered) if self.covered else None
        d["confidence"] = dict(self.confidence)
        return d

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


# What the history keeps of a text that has no masked copy (its raw text is never stored).
NOT_REDACTED_EXCERPT = "[not stored: this text could not be masked completely]"
# Findings that mean not every value to mask was found: the verdict then has no redacted copy.
TRUNCATED = "input.truncated"  # the text is longer than is scanned
REDACTION_INCOMPLETE = "input.redaction_incomplete"  # more values than could be found in time
UNMASKED_RULES = frozenset({TRUNCATED, REDACTION_INCOMPLETE})
MODEL_UNAVAILABLE = "input.model_unavailable"  # a tier that was needed could not run: the verdict is not cached


MIN_REPEAT_CHARS = 6  # a masked value at least this long is masked wherever else it stands in the text


def redact(text: str, findings: tuple[Finding, ...] | list[Finding]) -> str:
    """Mask every span that has a redaction label, and every other place its value stands (a number found
    once, by its cue, is the same number where no cue stands before it); overlapping spans merge."""
    found = [(f.start, f.end, f.redact_as) for f in findings if f.redact_as and f.end > f.start]
    spans = sorted([*found, *_repeats(text, found)])
    out: list[str] = []
    pos = 0
    last_end = 0
    for start, end, label in spans:
        if start < last_end:  # overlaps the previous mask: extend it
            last_end = max(last_end, end)
            pos = last_end
            continue
        out.append(text[pos:start])
        out.append(f"[{label}]")
        pos = last_end = end
    out.append(text[pos:])
    return "".join(out)


def _repeats(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Every place a masked value stands, found in one Aho–Corasick pass (bounded by the text, not by the
    number of values)."""
    values: dict[str, str] = {}
    for start, end, label in found:
        value = text[start:end]
        if len(value.strip()) >= MIN_REPEAT_CHARS:
            values.setdefault(value, label)
    from engine.rules.phrases import build_automaton  # here: the rules import this module

    automaton = build_automaton({value: (len(value), label) for value, label in values.items()})
    if automaton is None:
        return []
    return [(last + 1 - length, last + 1, label) for last, (length, label) in automaton.iter(text)]
