"""Obfuscation findings: collected per rule and capped, the rest summed up in one finding."""

from __future__ import annotations

import functools
import tomllib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from engine.assets import AssetError, assets_dir
from engine.verdict import SEVERITIES, Finding

_SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}


# Per-rule cap on individual findings; the rest are folded into one summary finding.
_FINDING_CAP = 20


FINDINGS_FILE = "normalize/findings.toml"


@dataclass(frozen=True, slots=True)
class FindingText:
    """How one obfuscation finding weighs and reads (assets/normalize/findings.toml)."""

    rule: str
    severity: str
    severity_suspicious: str  # where the context makes a trick likelier; the same as severity if none is set
    label: str
    summary: str


@functools.cache
def finding_texts() -> dict[str, FindingText]:
    path = assets_dir() / FINDINGS_FILE
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))["findings"]
        texts = {
            rule: FindingText(rule, str(t["severity"]), str(t.get("severity_suspicious", t["severity"])),
                              str(t["label"]), str(t["summary"]))
            for rule, t in table.items()
        }  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AssetError(f"unreadable normalisation findings {path}: {exc}") from exc
    for t in texts.values():
        if {t.severity, t.severity_suspicious} - set(SEVERITIES):
            raise AssetError(f"{path}: {t.rule} has a severity that is not one of {', '.join(SEVERITIES)}")
    missing = sorted(set(RULES) - set(texts))
    if missing:
        raise AssetError(f"{path}: no entry for {', '.join(missing)}")
    return texts


def text_of(rule: str) -> FindingText:
    return finding_texts()[rule]


RULES = (  # every rule normalisation reports, each with its entry in FINDINGS_FILE
    "norm.zero_width", "norm.bidi_control", "norm.invisible", "norm.unicode_tags", "norm.homoglyph",
    "norm.decoded_base64", "norm.decoded_hex", "norm.decoded_url", "norm.decoded_rot13",
)  # fmt: skip


class _Sink:
    """Collects findings; beyond _FINDING_CAP per rule they become one summary finding."""

    __slots__ = ("count", "out", "over")

    def __init__(self) -> None:
        self.out: list[Finding] = []
        self.count: Counter[str] = Counter()
        self.over: dict[str, list[Any]] = {}

    def add(self, rule: str, severity: str, start: int, end: int, explanation: str) -> None:
        self.count[rule] += 1
        if self.count[rule] <= _FINDING_CAP:
            self.out.append(Finding(rule, "obfuscation", severity, start, end, explanation))
        else:
            self.overflow(rule, 1, start, end, severity)

    def overflow(self, rule: str, n: int, start: int, end: int, severity: str) -> None:
        o = self.over.get(rule)
        if o is None:
            self.over[rule] = [n, start, end, severity]
        else:
            o[0] += n
            o[1] = min(o[1], start)
            o[2] = max(o[2], end)
            if _SEV_RANK[severity] > _SEV_RANK[o[3]]:
                o[3] = severity

    def findings(self) -> tuple[Finding, ...]:
        out = list(self.out)
        for rule, (n, s, e, sev) in self.over.items():
            what = text_of(rule).summary
            out.append(Finding(rule, "obfuscation", sev, s, e, f"{n} more occurrences of {what} (not listed)"))
        return tuple(out)
