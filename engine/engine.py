"""Engine: the one object callers use. Thread-safe; never raises on any input."""

from __future__ import annotations

import time
from dataclasses import replace

from engine.bands import Bands
from engine.config import EngineConfig
from engine.digest import sha256
from engine.inference import model_specs
from engine.integrity import require_intact
from engine.lexicon import Lexicon
from engine.models import ModelManager, Models
from engine.normalize import normalize
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
        self, config: EngineConfig | None = None, *, bands: Bands | None = None, models: Models | None = None
    ) -> None:
        """`config` says where the user's files are and how the models run (engine.config; by default from
        the environment). `bands` and `models` replace the shipped thresholds and the model runner (tests,
        measurements).

        Raises AssetError, naming the file, if the assets differ from their manifest (engine.integrity)."""
        config = config or EngineConfig()
        self.config = config
        require_intact()
        bands = bands or Bands.load()
        self.rules = RuleSet.load()
        self.signatures = SignatureStore.load()
        self.tier0 = Tier0(self.rules, self.signatures, Lexicon.load(), bands)
        if models is None:
            specs = model_specs(threads=config.threads)
            timeout, budget = config.idle_timeout_s, config.budget_mib
            if config.model_host:  # a child process stopped when they go idle: all of their memory goes back
                from engine.host.client import HostModels

                models = HostModels(specs, threads=config.threads, idle_timeout_s=timeout, budget_mib=budget)
            else:  # in this process: one-shot use (the CLI, tests)
                models = ModelManager(specs, idle_timeout_s=timeout, budget_mib=budget)
        self.models: Models = models
        self.policies = PolicyStore(config.config_dir / "policies.json")
        self.policy_always = config.policy_always  # a live setting: the app changes it as the user does
        self.user_lists = UserLists(config.data_dir / "lists.json")
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
