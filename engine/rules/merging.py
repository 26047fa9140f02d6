"""One finding per value: a secret, a piece of personal data or a placeholder is reported once.

Several rules may find one value (a vendor's format and the generic "key = random value" rule, two phone
rules, a phone number inside a bot token); the verdict and the redacted copy should name it once, under its
most specific label.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate

from engine.verdict import PLACEHOLDER, SEVERITIES, Finding

# The rules that take any random-looking value after a key-like name: where a rule with keywords (a
# vendor's format) reports a secret, their finding on an overlapping span is dropped, so the value is
# reported once, under its vendor's name.
GENERIC_SECRET_RULES = frozenset(
    {"secret.generic", "secret.password", "secret.generic_said", "secret.password_said", "secret.generic_argument"}
)
# Categories in which one value is one finding, whichever rules found it.
_MERGED_CATEGORIES = frozenset({"secret", "pii", PLACEHOLDER})


class _Intervals:
    """Spans sorted by start, for "does any overlap / contain this one?" in O(log n) (a text may hold
    thousands of values: one comparison per pair would be quadratic)."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        spans = sorted((f.start, f.end) for f in findings)
        self._starts = [a for a, _ in spans]
        self._reach = list(accumulate((b for _, b in spans), max))  # furthest end among the first i + 1 spans

    def _reach_before(self, position: int, *, inclusive: bool) -> int:
        """The furthest end among spans starting before `position` (at or before, if inclusive); -1: none."""
        i = (bisect_right if inclusive else bisect_left)(self._starts, position)
        return self._reach[i - 1] if i else -1

    def overlaps(self, start: int, end: int) -> bool:
        return self._reach_before(end, inclusive=False) > start

    def contains(self, start: int, end: int) -> bool:
        return self._reach_before(start, inclusive=True) >= end


def one_finding_per_value(
    findings: list[Finding], *, keyed_ids: frozenset[str], generic_ids: frozenset[str], order: dict[str, int]
) -> list[Finding]:
    """A secret, a piece of personal data or a placeholder is reported once: where a rule with keywords (a
    vendor's format) reports a secret, the generic rules' finding on an overlapping span goes; of two
    findings of one category on one span (personal data: of one type on the same span), the stronger
    (then the rule listed first: hand-written files before generated ones) stays; personal data inside a
    secret (a bot id's digits taken for a phone number) is part of the secret, not a second leak.

    `keyed_ids`: the rules with keywords; `generic_ids`: those of GENERIC_SECRET_RULES in the set;
    `order`: each rule's place in the set."""
    merged = [f for f in findings if f.category in _MERGED_CATEGORIES]
    if len(merged) < 2:
        return findings
    vendor = _Intervals(f for f in merged if f.category == "secret" and f.rule in keyed_ids
                        and f.rule not in generic_ids)  # fmt: skip

    def rank_of(f: Finding) -> tuple[int, bool, int, int]:  # stronger, then specific, then listed first
        rule = f.rule.removesuffix(f".{PLACEHOLDER}")
        return -SEVERITIES.index(f.severity), rule in generic_ids, order.get(rule, 0), f.start

    rank = {f: rank_of(f) for f in merged}
    dropped = {f for f in merged if f.rule in generic_ids and vendor.overlaps(f.start, f.end)}
    by_start = sorted(merged, key=lambda f: f.start)
    starts = [f.start for f in by_start]
    for f in sorted(merged, key=rank.__getitem__):
        if f in dropped:
            continue
        # the findings that start inside f (sorted by start: one slice); of those, the ones f contains
        for g in by_start[bisect_left(starts, f.start) : bisect_left(starts, f.end)]:
            if g is f or g in dropped or g.category != f.category or g.end > f.end or g.start == g.end:
                continue
            # personal data: two rules of one type (pii.phone, pii.phone_cued) on one value; two types
            # on one value (a Danish CPR that is also a Finnish HETU) both stay, each may be right
            same_type = f.category != "pii" or (f.redact_as == g.redact_as and (f.start, f.end) == (g.start, g.end))
            if same_type and rank[f] < rank[g]:
                dropped.add(g)
    secrets = _Intervals(f for f in merged if f.category == "secret" and f not in dropped)
    return [
        f for f in findings
        if f not in dropped and not (f.category == "pii" and secrets.contains(f.start, f.end))
    ]  # fmt: skip
