"""The scan pipeline with stand-in tiers: it runs what decide.next_step names, times it, bounds the input."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from engine.bands import Bands
from engine.normalize import Normalized
from engine.pipeline import Pipeline
from engine.policies import load_builtin
from engine.signatures import UserLists
from engine.tiers.reading import Reading, Step
from engine.verdict import TRUNCATED, Finding

CALLS: list[tuple[Step, tuple[Step, ...]]] = []  # (step, the steps it was handed the readings of)


class StandIn:
    """A tier that says what it is told and remembers what it read."""

    def __init__(self, step: Step, reading: Reading) -> None:
        self.step = step
        self.reading = reading
        self.read_texts: list[str] = []

    def read(self, norm: Normalized, earlier: Sequence[Reading]) -> Reading:
        self.read_texts.append(norm.original)
        CALLS.append((self.step, tuple(r.step for r in earlier)))
        return self.reading


def _pipeline(tmp_path, *, tier0: str = "unsure", tier1: str = "unsure", bands: Bands | None = None):
    attack = Finding("inj.x", "injection", "critical", 0, 4, "an attack")
    tiers = {
        "tier0": StandIn("tier0", Reading("tier0", tier0, 0.5, (attack,) if tier0 == "block" else ())),  # type: ignore[arg-type]
        "tier1": StandIn("tier1", Reading("tier1", tier1, 0.7, (replace(attack, tier=1),))),  # type: ignore[arg-type]
        "tier2": StandIn("tier2", Reading("tier2", "allow", 0.0)),
        "policies": StandIn("policies", Reading("policies", "allow", 0.0)),
    }
    pipeline = Pipeline(tiers, bands or Bands.load(), UserLists(tmp_path / "lists.json"), load_builtin(), list)
    return pipeline, tiers


def _run(pipeline: Pipeline, text: str, **kw):
    options = {"max_tier": 2, "always_escalate": False, "policy_always": False, **kw}
    return pipeline.run(text, "digest", [], started=time.perf_counter(), **options)


def test_it_runs_the_tiers_decide_names_in_order_and_times_each(tmp_path):
    pipeline, _ = _pipeline(tmp_path)
    CALLS.clear()
    verdict = _run(pipeline, "some text")
    assert CALLS == [("tier0", ()), ("tier1", ("tier0",)), ("tier2", ("tier0", "tier1"))]
    assert set(verdict.timings_ms) == {"tier0", "tier1", "tier2", "total"}
    assert verdict.tier == 2


def test_a_tier_decide_does_not_name_is_never_run(tmp_path):
    pipeline, tiers = _pipeline(tmp_path, tier0="allow")
    verdict = _run(pipeline, "hello")
    assert (verdict.decision, verdict.tier) == ("allow", 0)
    assert not tiers["tier1"].read_texts and set(verdict.timings_ms) == {"tier0", "total"}
    blocked, _ = _pipeline(tmp_path, tier1="block")
    assert _run(blocked, "x", max_tier=1).decision == "block"


def test_a_text_longer_than_the_bands_allow_is_cut_and_says_so(tmp_path):
    pipeline, tiers = _pipeline(tmp_path, tier0="allow", bands=replace(Bands.load(), max_scan_chars=10))
    verdict = _run(pipeline, "0123456789 and the rest")
    assert tiers["tier0"].read_texts == ["0123456789"]  # the tiers read what is scanned
    assert verdict.decision == "warn" and verdict.covered == (0, 10)
    assert any(f.rule == TRUNCATED and (f.start, f.end) == (10, 23) for f in verdict.findings)
    assert verdict.reasons[0] == "not fully scanned: only the first 10 of 23 characters"


def test_a_block_by_tier0_names_its_finding_and_keeps_a_redacted_copy(tmp_path):
    pipeline, _ = _pipeline(tmp_path, tier0="block")
    verdict = _run(pipeline, "evil text")
    assert (verdict.decision, verdict.tier, verdict.reasons[0]) == ("block", 0, "an attack (inj.x)")
    assert verdict.redacted == "evil text" and verdict.categories == ("injection",)
