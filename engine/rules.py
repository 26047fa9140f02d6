"""Tier-0 rules: data files under assets/rules, compiled for linear-time matching.

Untrusted text never meets a backtracking regex engine: patterns are compiled
with RE2, literal phrase lists with an Aho–Corasick automaton. One RE2 set per
view answers "which patterns match at all" in a single pass, so only the rules
that hit are run again for their spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import ahocorasick
import numpy as np
import re2

from engine.assets import AssetError, assets_dir, load_toml
from engine.normalize import Normalized, View
from engine.secrets import CONTEXT_CHARS, PLACEHOLDER_CHECKS, VALIDATORS
from engine.verdict import PLACEHOLDER, SEVERITIES, Finding

VIEWS = ("clean", "folded")
MAX_HITS_PER_RULE = 16  # per view: enough to highlight, bounded on hostile input
# An RE2 set gives no answer (not an error) when its DFA runs out of memory, which
# long hostile text can cause; above this size every pattern runs on its own
# (single patterns fall back to RE2's NFA instead of failing).
SET_PREFILTER_MAX_BYTES = 8192
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 64 << 20
# Derived views that only exist to defeat spelling tricks: no secrets live there.
_MATCHING_AID_VIEWS = frozenset({"leet", "spaced"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule as written in a TOML file (see assets/rules/README.md)."""

    id: str
    category: str
    severity: str
    explain: str
    view: str
    pattern: str | None
    phrases: tuple[str, ...]
    validate: str | None
    redact: str | None
    must_match: tuple[str, ...]
    must_not_match: tuple[str, ...]
    source: str


class RuleError(AssetError):
    """A rule file is malformed; the message names the file and the rule."""


def _parse_rule(raw: dict, source: Path) -> Rule:
    where = f"{source.name}: rule {raw.get('id', '?')!r}"
    unknown = set(raw) - {
        "id", "category", "severity", "explain", "view", "pattern", "phrases",
        "validate", "redact", "must_match", "must_not_match",
    }  # fmt: skip
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "category", "severity", "explain"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise RuleError(f"{where}: '{key}' must be a non-empty string")
    if raw["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: severity must be one of {SEVERITIES}")
    view = raw.get("view", "folded")
    if view not in VIEWS:
        raise RuleError(f"{where}: view must be one of {VIEWS}")
    pattern = raw.get("pattern")
    phrases = tuple(raw.get("phrases", ()))
    if (pattern is None) == (not phrases):
        raise RuleError(f"{where}: give exactly one of 'pattern' or 'phrases'")
    if phrases and view != "folded":
        raise RuleError(f"{where}: phrase lists match the folded view only")
    validate = raw.get("validate")
    if validate is not None and validate not in VALIDATORS:
        raise RuleError(f"{where}: unknown validator {validate!r}")
    return Rule(
        id=raw["id"],
        category=raw["category"],
        severity=raw["severity"],
        explain=raw["explain"],
        view=view,
        pattern=pattern,
        phrases=tuple(" ".join(p.lower().split()) for p in phrases),
        validate=validate,
        redact=raw.get("redact"),
        must_match=tuple(raw.get("must_match", ())),
        must_not_match=tuple(raw.get("must_not_match", ())),
        source=source.name,
    )


def load_rules(directory: Path | None = None) -> list[Rule]:
    """Every rule of every *.toml file in assets/rules, ids unique."""
    directory = directory or assets_dir() / "rules"
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise RuleError(f"no rule files in {directory}")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        data = load_toml(path)
        for raw in data.get("rule", []):
            rule = _parse_rule(raw, path)
            if rule.id in seen:
                raise RuleError(f"{path.name}: duplicate rule id {rule.id!r} (also in {seen[rule.id]})")
            seen[rule.id] = path.name
            rules.append(rule)
    return rules


class _CharOffsets:
    """Turns UTF-8 byte offsets of one text into code-point offsets, in one forward pass."""

    __slots__ = ("_ascii", "_byte", "_char", "_data")

    def __init__(self, data: bytes, text: str) -> None:
        self._data = data
        self._ascii = len(data) == len(text)
        self._byte = 0
        self._char = 0

    def __call__(self, offset: int) -> int:
        if self._ascii:
            return offset
        if offset < self._byte:  # rare: go back to the start
            self._byte = self._char = 0
        self._char += len(self._data[self._byte : offset].decode("utf-8", "replace"))
        self._byte = offset
        return self._char


def _collapse_spaces(folded: str) -> tuple[str, np.ndarray | None]:
    """Runs of spaces as one (phrases are written with single spaces), and where each char came from."""
    if "  " not in folded:
        return folded, None
    cps = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    space = cps == 32
    keep = ~(space & np.concatenate(([False], space[:-1])))
    index = np.flatnonzero(keep)
    return cps[keep].tobytes().decode("utf-32-le", "surrogatepass"), index


class RuleSet:
    """The compiled rules; `match` is safe to call from many threads at once."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        # what a rule's match becomes when its validator drops it as a placeholder or documented example:
        # an info note (never a secret, never masked), so the verdict says it was seen and not reported
        self._placeholders = {
            r.id: replace(r, id=f"{r.id}.{PLACEHOLDER}", category=PLACEHOLDER, severity="info", redact=None,
                          explain=f"{r.explain}, a placeholder or documented example: seen, not reported")
            for r in self.rules if r.validate in PLACEHOLDER_CHECKS
        }  # fmt: skip
        self._regex: dict[str, list[tuple[Rule, re2._Regexp, int]]] = {v: [] for v in VIEWS}
        self._sets: dict[str, re2.Set | None] = {}
        for view in VIEWS:
            regex_rules = [r for r in self.rules if r.pattern is not None and r.view == view]
            rset = re2.Set.SearchSet(_RE2_OPTIONS)
            for rule in regex_rules:
                try:
                    compiled = re2.compile(rule.pattern, _RE2_OPTIONS)
                    rset.Add(rule.pattern)
                except re2.error as exc:
                    raise RuleError(f"{rule.source}: rule {rule.id!r}: bad RE2 pattern: {exc}") from exc
                group = compiled.groupindex.get("v", 0)
                self._regex[view].append((rule, compiled, group))
            if regex_rules:
                rset.Compile()
                self._sets[view] = rset
            else:
                self._sets[view] = None
        self._automaton = ahocorasick.Automaton()
        for rule in self.rules:
            for phrase in rule.phrases:
                self._automaton.add_word(phrase, (rule, len(phrase)))  # last rule wins per phrase
        self._has_phrases = len(self._automaton) > 0
        if self._has_phrases:
            self._automaton.make_automaton()

    @classmethod
    def load(cls, directory: Path | None = None) -> RuleSet:
        return cls(load_rules(directory))

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def match(self, normalized: Normalized) -> list[Finding]:
        """Findings of every rule on every view, with spans in the original text."""
        found: dict[tuple[str, int, int], Finding] = {}
        for view in normalized.views:
            note = "" if view.depth == 0 and view.kind == "text" else f" (in {view.kind} view)"
            for rule, start, end in self._match_view(view):
                ostart, oend = view.to_original(start, end)
                key = (rule.id, ostart, oend)
                if key not in found:
                    found[key] = Finding(
                        rule=rule.id,
                        category=rule.category,
                        severity=rule.severity,
                        start=ostart,
                        end=oend,
                        explanation=rule.explain + note,
                        redact_as=rule.redact,
                    )
        return list(found.values())

    def _match_view(self, view: View) -> Iterator[tuple[Rule, int, int]]:
        for name in VIEWS:
            if name == "clean" and view.kind in _MATCHING_AID_VIEWS:
                continue
            text = view.clean if name == "clean" else view.folded
            yield from self._match_regex(name, text)
        if self._has_phrases:
            yield from self._match_phrases(view.folded)

    def _match_regex(self, view_name: str, text: str) -> Iterator[tuple[Rule, int, int]]:
        rset = self._sets[view_name]
        if rset is None or not text:
            return
        data = text.encode("utf-8", "replace")
        entries = self._regex[view_name]
        if len(data) <= SET_PREFILTER_MAX_BYTES:
            hits = rset.Match(data)
            if not hits:
                return
        else:
            hits = range(len(entries))
        for index in sorted(hits):
            rule, compiled, group = entries[index]
            to_char = _CharOffsets(data, text)
            count = 0
            for m in compiled.finditer(data):
                start, end = m.span(group)
                if start < 0 or start == end:
                    continue
                found = rule
                if rule.validate is not None:
                    value = data[start:end].decode("utf-8", "replace")
                    before = data[max(0, start - 4 * CONTEXT_CHARS) : start].decode("utf-8", "replace")
                    context = before[-CONTEXT_CHARS:].lower()
                    if not VALIDATORS[rule.validate](value, context):
                        if rule.id not in self._placeholders or not PLACEHOLDER_CHECKS[rule.validate](value, context):
                            continue
                        found = self._placeholders[rule.id]
                yield found, to_char(start), to_char(end)
                count += 1
                if count >= MAX_HITS_PER_RULE:
                    break

    def _match_phrases(self, folded: str) -> Iterator[tuple[Rule, int, int]]:
        text, index = _collapse_spaces(folded)
        counts: dict[str, int] = {}
        n = len(text)
        for end_index, (rule, length) in self._automaton.iter(text):
            start = end_index - length + 1
            end = end_index + 1
            # whole words only: "dan" must not fire inside "danger"
            if start > 0 and text[start - 1].isalnum():
                continue
            if end < n and text[end].isalnum():
                continue
            c = counts.get(rule.id, 0)
            if c >= MAX_HITS_PER_RULE:
                continue
            counts[rule.id] = c + 1
            if index is None:
                yield rule, start, end
            else:
                yield rule, int(index[start]), int(index[end - 1]) + 1
