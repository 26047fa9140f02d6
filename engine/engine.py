"""Engine: the one object callers use. Thread-safe; never raises on any input."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from engine.bands import Bands
from engine.digest import sha256
from engine.inference import model_specs
from engine.integrity import require_intact
from engine.lexicon import Lexicon
from engine.models import ModelManager, Models
from engine.normalize import normalize
from engine.paths import config_dir, data_dir
from engine.pipeline import Pipeline
from engine.policies import Policy, PolicyStore, load_builtin
from engine.rules import RuleSet
from engine.signatures import LRUCache, SignatureStore, UserLists
from engine.tiers.reading import Step, Tier
from engine.tiers.tier0 import Tier0, canonical_key
from engine.tiers.tier1 import Tier1
from engine.tiers.tier2 import Tier2
from engine.verdict import MODEL_UNAVAILABLE, Finding, Verdict


def _coerce(text: str | bytes) -> tuple[str, list[Finding]]:
    """Text as str; invalid UTF-8 is decoded with replacement and reported."""
    if isinstance(text, str):
        return text, []
    raw = bytes(text)
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        decoded = raw.decode("utf-8", "replace")
        # point at the first bad byte, in code points of the decoded text
        at = len(raw[: exc.start].decode("utf-8", "replace"))
        bad = Finding("input.invalid_utf8", "input", "low", at, min(at + 1, len(decoded)),
                      "input is not valid UTF-8; undecodable bytes were replaced")  # fmt: skip
        return decoded, [bad]


class Engine:
    """Scans text through the tiers. Build one and share it between threads."""

    def __init__(
        self,
        *,
        user_data_dir: Path | None = None,
        user_config_dir: Path | None = None,
        bands: Bands | None = None,
        models: Models | None = None,
        idle_timeout_s: float | None = 60.0,
        budget_mib: float | None = None,
        threads: int = 1,
        policy_always: bool = False,
        model_host: bool = False,
    ) -> None:
        """`model_host`: run the models in a child process that is stopped when they go idle, so that all of
        their memory goes back (the tray's choice); else in this process (one-shot use: the CLI, tests).

        Raises AssetError, naming the file, if the assets differ from their manifest (engine.integrity)."""
        require_intact()
        bands = bands or Bands.load()
        self.rules = RuleSet.load()
        self.signatures = SignatureStore.load()
        self.tier0 = Tier0(self.rules, self.signatures, Lexicon.load(), bands)
        if models is None:
            specs = model_specs(threads=threads)
            if model_host:
                from engine.host.client import HostModels

                models = HostModels(specs, threads=threads, idle_timeout_s=idle_timeout_s, budget_mib=budget_mib)
            else:
                models = ModelManager(specs, idle_timeout_s=idle_timeout_s, budget_mib=budget_mib)
        self.models: Models = models
        self.policies = PolicyStore((user_config_dir or config_dir()) / "policies.json")
        self.policy_always = policy_always  # check the user's policies on every scan, not only escalated ones
        self.user_lists = UserLists((user_data_dir or data_dir()) / "lists.json")
        self.tier1 = Tier1(self.models, bands)
        self.tier2 = Tier2(self.models, bands, lambda: [*self.builtin_policies, *self.policies.list()])
        check = Tier2(self.models, bands, self.policies.list, "policies")
        tiers: dict[Step, Tier] = {"tier0": self.tier0, "tier1": self.tier1, "tier2": self.tier2, "policies": check}
        self.pipeline = Pipeline(tiers, bands, self.user_lists, load_builtin(), self.policies.list)
        self._cache: LRUCache[tuple[object, ...], Verdict] = LRUCache(bands.cache_size)

    @property
    def bands(self) -> Bands:
        """The thresholds decide.py applies (assets/bands.toml)."""
        return self.pipeline.bands

    @bands.setter
    def bands(self, bands: Bands) -> None:
        self.pipeline.bands = bands
        self._cache.clear()

    @property
    def builtin_policies(self) -> list[Policy]:
        """The built-in hypotheses tier 2 reads every escalated text against (assets/policies)."""
        return self.pipeline.builtin

    @builtin_policies.setter
    def builtin_policies(self, policies: list[Policy]) -> None:
        self.pipeline.builtin = policies
        self._cache.clear()

    def scan(self, text: str | bytes, *, max_tier: int = 2, always_escalate: bool = False) -> Verdict:
        """Judge one text. Bytes that are not UTF-8 are replaced and reported, never raised."""
        started = time.perf_counter()
        text, input_findings = _coerce(text)
        digest = sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        cache_key = (digest, max_tier, always_escalate, self.policy_always, self.policies.revision)
        hit = self._cache.get(cache_key)
        if hit is not None:
            elapsed = (time.perf_counter() - started) * 1000
            return replace(hit, cached=True, timings_ms={**hit.timings_ms, "total": elapsed})
        verdict = self.pipeline.run(text, digest, input_findings, max_tier=max_tier, always_escalate=always_escalate,
                                    policy_always=self.policy_always, started=started)  # fmt: skip
        if not any(f.rule == MODEL_UNAVAILABLE for f in verdict.findings):  # the next scan may find the tier back
            self._cache.put(cache_key, verdict)
        return verdict

    # -- the user's lists -------------------------------------------------
    def list_text(self, text: str, which: str) -> int:
        """Put a text on the user's "allow" or "deny" list (by its normalized key); returns that key."""
        key = canonical_key(normalize(text).main.folded)
        self.user_lists.add(key, which)
        self._cache.clear()
        return key

    def unlist_text(self, text: str) -> bool:
        return self.unlist_key(canonical_key(normalize(text).main.folded))

    def unlist_key(self, key: int) -> bool:
        """Take a key off the user's lists (the app keeps keys, never texts); cached verdicts go with it."""
        removed = self.user_lists.remove(key)
        self._cache.clear()
        return removed
