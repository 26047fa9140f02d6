"""Natural-language policies: the hypotheses tier 2's NLI model checks a text against.

Built-in policies are data (assets/policies/*.toml, one file per category);
the user's own ("This text contains source code from our internal
repository.") live in policies.json in the user config dir. A corrupt user
file is moved aside and reported, never silently emptied.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from engine.assets import AssetError, assets_dir, load_toml

Action = Literal["warn", "block"]
ACTIONS: tuple[Action, ...] = ("warn", "block")
MAX_HYPOTHESIS_CHARS = 200  # one sentence; the NLI model reads at most 64 tokens of it
MAX_USER_POLICIES = 50


@dataclass(frozen=True, slots=True)
class Policy:
    """One hypothesis. A text that entails it with probability >= threshold gets `action`."""

    id: str
    hypothesis: str
    action: Action = "warn"
    category: str = "policy"
    threshold: float = 0.5
    created: float = 0.0
    builtin: bool = False
    must_entail: tuple[str, ...] = ()
    must_not_entail: tuple[str, ...] = ()


def _check_hypothesis(text: str) -> str:
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("a policy needs a sentence, e.g. \"This text contains our customers' names.\"")
    if len(text) > MAX_HYPOTHESIS_CHARS:
        raise ValueError(f"a policy is one short sentence: at most {MAX_HYPOTHESIS_CHARS} characters")
    return text


def load_builtin(root: Path | None = None) -> list[Policy]:
    """Every policy in assets/policies/*.toml, checked: ids unique, thresholds in (0, 1), actions known."""
    folder = (root or assets_dir()) / "policies"
    out: list[Policy] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.toml")):
        data = load_toml(path)
        for i, raw in enumerate(data.get("policy", [])):
            try:
                policy = Policy(
                    id=str(raw["id"]),
                    hypothesis=_check_hypothesis(raw["hypothesis"]),
                    action=raw.get("action", "block"),
                    category=str(raw["category"]),
                    threshold=float(raw["threshold"]),
                    builtin=True,
                    must_entail=tuple(raw.get("must_entail", ())),
                    must_not_entail=tuple(raw.get("must_not_entail", ())),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise AssetError(f"{path}: policy #{i + 1}: {exc}") from exc
            if policy.id in seen:
                raise AssetError(f"{path}: policy id {policy.id!r} is used twice")
            if policy.action not in ACTIONS or not 0 < policy.threshold < 1:
                raise AssetError(f"{path}: policy {policy.id}: action must be warn/block, threshold in (0, 1)")
            seen.add(policy.id)
            out.append(policy)
    if not out:
        raise AssetError(f"{folder}: no policies found")
    return out


class PolicyStore:
    """The user's own policies, persisted as JSON; thread-safe. Ids are "user-1", "user-2", ..."""

    def __init__(self, path: Path | None, *, threshold: float = 0.5) -> None:
        self.path = path
        self.threshold = threshold
        self.problem: str | None = None  # set when a corrupt file was moved aside
        self.revision = 0  # bumped on every change: verdicts cached before it are stale
        self._lock = threading.Lock()
        self._policies: list[Policy] = []
        if path is not None and path.exists():
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self._policies = [
                Policy(id=str(p["id"]), hypothesis=_check_hypothesis(p["hypothesis"]), action=p["action"],
                       threshold=float(p.get("threshold", self.threshold)), created=float(p.get("created", 0)))
                for p in data["policies"]
            ]  # fmt: skip
            if any(p.action not in ACTIONS for p in self._policies):
                raise ValueError("unknown action")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            backup = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            path.replace(backup)
            self._policies = []
            self.problem = f"{path} could not be read ({exc}); it was moved to {backup.name} and policies reset"

    def list(self) -> list[Policy]:
        with self._lock:
            return list(self._policies)

    def add(self, hypothesis: str, action: str = "warn") -> Policy:
        """Add a policy; ValueError with a clear message on bad input."""
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
        text = _check_hypothesis(hypothesis)
        with self._lock:
            if any(p.hypothesis.lower() == text.lower() for p in self._policies):
                raise ValueError("that policy exists already")
            if len(self._policies) >= MAX_USER_POLICIES:
                raise ValueError(f"at most {MAX_USER_POLICIES} policies: each one costs an NLI pass per scan")
            number = 1 + max((int(p.id.split("-")[1]) for p in self._policies), default=0)
            policy = Policy(f"user-{number}", text, action, threshold=self.threshold, created=time.time())  # type: ignore[arg-type]
            self._policies.append(policy)
            self._save()
            self.revision += 1
        return policy

    def remove(self, policy_id: str) -> bool:
        with self._lock:
            kept = [p for p in self._policies if p.id != policy_id]
            if len(kept) == len(self._policies):
                return False
            self._policies = kept
            self._save()
            self.revision += 1
            return True

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows = [{k: v for k, v in asdict(p).items() if k in ("id", "hypothesis", "action", "threshold", "created")}
                for p in self._policies]  # fmt: skip
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"version": 1, "policies": rows}, indent=1), encoding="utf-8")
        tmp.replace(self.path)  # atomic: a crash never leaves half a file
