"""The RuleSet: every compiled rule run over every view of a normalized text, findings in original offsets.

One RE2 set per view answers "which patterns match at all" in a single pass, so only the rules that hit are
run again for their spans; a rule with `keywords` runs only where one of its keywords occurs. Values of rules
that mask them (secrets, personal data) are all found within a time budget per text; where the budget runs
out the verdict says so and offers no redacted copy.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import re2

from engine.normalize import Normalized, View
from engine.rules.compiled import SET_OPTIONS, CharOffsets, CompiledRule
from engine.rules.loading import VIEWS, Rule, RuleError, load_rules
from engine.rules.merging import GENERIC_SECRET_RULES, one_finding_per_value
from engine.rules.phrases import build_automaton, scan_words
from engine.validators import resolve_validator
from engine.validators.text_shape import CONTEXT_CHARS
from engine.verdict import PLACEHOLDER, REDACTION_INCOMPLETE, Finding

# A rule that only points at something (an attack phrase) reports at most this many spans per view: enough to
# highlight. A rule whose values are masked (secrets, personal data) reports every one, within a time budget
# per text; a text whose values could not all be found in it gets the finding `input.redaction_incomplete`,
# and no redacted copy.
MAX_HITS_PER_RULE = 16
REDACTION_BUDGET_S = 2.0
# An RE2 set gives no answer (not an error) when its DFA runs out of memory, which
# long hostile text can cause: each set ends with a pattern that matches at the end
# of every text, and a set answer without it means the set did not get through, so
# every pattern runs on its own (single patterns fall back to RE2's NFA instead of
# failing). Text above this size takes that path at once.
SET_PREFILTER_MAX_BYTES = 4 << 20
_SET_DONE = r"\z"
# Derived views that only exist to defeat spelling tricks: no secrets live there.
_MATCHING_AID_VIEWS = frozenset({"leet", "spaced"})


class _Budget:
    """The time one text's masked values may take to find; `exceeded` says the search stopped early."""

    __slots__ = ("deadline", "exceeded")

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.exceeded = False

    def spent(self) -> bool:
        if not self.exceeded and time.monotonic() > self.deadline:
            self.exceeded = True
        return self.exceeded


class RuleSet:
    """The compiled rules; `match` is safe to call from many threads at once."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        validators = {r.id: resolve_validator(r.validate) if r.validate else (None, None) for r in self.rules}
        # what a rule's match becomes when its validator drops it as a placeholder or documented example:
        # an info note (never a secret, never masked), so the verdict says it was seen and not reported
        self._placeholders = {
            r.id: replace(r, id=f"{r.id}.{PLACEHOLDER}", category=PLACEHOLDER, severity="info", redact=None,
                          explain=f"{r.explain}, a placeholder or documented example: seen, not reported")
            for r in self.rules if validators[r.id][1] is not None
        }  # fmt: skip
        # Rules without keywords: an RE2 set per view says which match at all (one DFA pass, ~2 ms per MB of
        # prose); where the set cannot answer (see SET_PREFILTER_MAX_BYTES) all run. Rules with keywords run
        # only where one of their keywords occurs (in any case): the same RE2 set says so (each keyword is one
        # more literal in it, which costs ~1 µs per KB where an Aho–Corasick pass costs ~12), or, where the
        # set cannot answer, one Aho–Corasick pass over the folded view, the one that finds the phrases. The
        # folded view's set also says whether any phrase occurs, and the phrase pass is skipped when none does.
        self._plain: dict[str, list[CompiledRule]] = {v: [] for v in VIEWS}
        self._keyed: dict[str, list[CompiledRule]] = {v: [] for v in VIEWS}
        self._sets: dict[str, re2.Set | None] = {}
        self._set_keywords: dict[str, list[tuple[int, ...]]] = {}  # per view: set index - len(plain) -> rules
        self._set_phrases: dict[str, int | None] = {}  # per view: set index of "a phrase occurs"
        self._set_done: dict[str, int] = {}  # per view: set index of the end-of-text pattern
        phrases = sorted({phrase for rule in self.rules for phrase in rule.phrases})
        by_keyword: dict[str, dict[str, list[int]]] = {}  # keyword -> view -> indices into _keyed[view]
        for view in VIEWS:
            for rule in self.rules:
                if rule.pattern is None or rule.view != view:
                    continue
                entry = CompiledRule(rule, *validators[rule.id], eager=not rule.keywords)
                if rule.keywords:
                    for keyword in rule.keywords:
                        by_keyword.setdefault(keyword, {}).setdefault(view, []).append(len(self._keyed[view]))
                    self._keyed[view].append(entry)
                else:
                    self._plain[view].append(entry)
            keywords = [(k, tuple(views[view])) for k, views in by_keyword.items() if view in views]
            self._set_keywords[view] = [indices for _, indices in keywords]
            self._sets[view] = None
            self._set_phrases[view] = None
            if self._plain[view] or keywords or (phrases and view == "folded"):
                rset = re2.Set.SearchSet(SET_OPTIONS)
                for entry in self._plain[view]:
                    try:
                        rset.Add(entry.rule.pattern)
                    except re2.error as exc:
                        raise RuleError(f"{entry.rule.source}: rule {entry.rule.id!r}: bad RE2 pattern: {exc}") from exc
                for keyword, _ in keywords:
                    rset.Add("(?i)" + r"\s+".join(re2.escape(part) for part in keyword.split(" ")))
                if phrases and view == "folded":  # lower case already, every whitespace a space
                    self._set_phrases[view] = len(self._plain[view]) + len(keywords)
                    rset.Add("|".join(" +".join(re2.escape(w) for w in phrase.split(" ")) for phrase in phrases))
                self._set_done[view] = rset.Add(_SET_DONE)
                try:
                    rset.Compile()
                except re2.error as exc:
                    raise RuleError(
                        f"the {view!r} view's rules do not fit in one RE2 set ({SET_OPTIONS.max_mem >> 20} MiB): "
                        "a rule file added too many patterns or keywords"
                    ) from exc
                self._sets[view] = rset
        self._keyed_ids = frozenset(r.id for r in self.rules if r.keywords)
        self._order = {r.id: i for i, r in enumerate(self.rules)}
        self._generic_ids = frozenset(r.id for r in self.rules if r.id in GENERIC_SECRET_RULES)
        # Aho–Corasick over the folded view: `_phrases` holds the phrases of phrase rules, `_words` those and
        # the keywords of keyword rules too (for long text); word -> (phrase rule or None, length, {view:
        # keyword rule indices}).
        words: dict[str, tuple[Rule | None, int, dict[str, tuple[int, ...]]]] = {}
        for rule in self.rules:
            for phrase in rule.phrases:  # last rule wins per phrase
                words[phrase] = (rule, len(phrase), {})
        self._phrases = build_automaton(words)
        for word, views in by_keyword.items():
            phrase_rule, length, _ = words.get(word, (None, len(word), {}))
            words[word] = (phrase_rule, length, {v: tuple(ix) for v, ix in views.items()})
        self._words = build_automaton(words) if by_keyword else self._phrases

    @classmethod
    def load(cls, directory: Path | None = None) -> RuleSet:
        return cls(load_rules(directory))

    def compile_all(self) -> int:
        """Compile every pattern now (a rule with keywords is otherwise compiled when a keyword first occurs);
        RuleError names the file and rule of a bad one. Returns how many were compiled (for a self-check)."""
        entries = [e for view in VIEWS for e in (*self._plain[view], *self._keyed[view])]
        for entry in entries:
            entry.program()
        return len(entries)

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def match(self, normalized: Normalized, *, merge: bool = True) -> list[Finding]:
        """Findings of every rule on every view, with spans in the original text; merge=False keeps every
        rule's own finding where one secret was found by several (a rule's examples are checked that way)."""
        found: dict[tuple[str, int, int], Finding] = {}
        budget = _Budget(REDACTION_BUDGET_S)
        for view in normalized.views:
            note = "" if view.depth == 0 and view.kind == "text" else f" (in {view.kind} view)"
            for rule, start, end in self._match_view(view, budget):
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
        findings = list(found.values())
        if merge:
            findings = one_finding_per_value(
                findings, keyed_ids=self._keyed_ids, generic_ids=self._generic_ids, order=self._order
            )
        if budget.exceeded:
            findings.append(Finding(REDACTION_INCOMPLETE, "input", "medium", 0, len(normalized.original),
                                    f"too many secrets or personal data to find all within {REDACTION_BUDGET_S:g} s: "
                                    "some may not be reported, and no redacted copy is offered"))  # fmt: skip
        return findings

    def _match_view(self, view: View, budget: _Budget) -> Iterator[tuple[Rule, int, int]]:
        texts = {
            name: view.clean if name == "clean" else view.folded
            for name in VIEWS
            if not (name == "clean" and view.kind in _MATCHING_AID_VIEWS)
        }
        data = {name: text.encode("utf-8", "replace") for name, text in texts.items() if text}
        phrases: list[tuple[Rule, int, int]] = []
        keyed: dict[str, set[int]] = {}
        answers = {name: answer for name, d in data.items() if (answer := self._set_match(name, d)) is not None}
        if len(answers) < len(data):  # a set could not answer: every rule runs, keywords from Aho–Corasick
            if self._words is not None:
                phrases, keyed = scan_words(self._words, view.folded, MAX_HITS_PER_RULE)
            for name, d in data.items():
                every = range(len(self._plain[name]))
                yield from self._run_all(name, texts[name], d, every, keyed.get(name, ()), budget)
        else:
            if self._phrases is not None and any(has_phrase for _, _, has_phrase in answers.values()):
                phrases, _ = scan_words(self._phrases, view.folded, MAX_HITS_PER_RULE)
            for name, (plain, keyed_here, _) in answers.items():
                yield from self._run_all(name, texts[name], data[name], plain, keyed_here, budget)
        yield from phrases

    def _set_match(self, view_name: str, data: bytes) -> tuple[list[int], set[int], bool] | None:
        """From one pass of the view's RE2 set: the rules without keywords that match somewhere, the rules
        with keywords whose keywords occur, and whether a phrase occurs; None where the set could not answer
        (text too long for it, or its DFA ran out of memory)."""
        rset = self._sets[view_name]
        if rset is None:
            return [], set(), False
        if len(data) > SET_PREFILTER_MAX_BYTES:
            return None
        hits = rset.Match(data) or ()
        done = self._set_done[view_name]
        if done not in hits:
            return None
        n = len(self._plain[view_name])
        words = self._set_keywords[view_name]
        plain: list[int] = []
        keyed: set[int] = set()
        phrase = False
        for i in sorted(hits):
            if i < n:
                plain.append(i)
            elif i - n < len(words):
                keyed.update(words[i - n])
            elif i != done:
                phrase = True
        return plain, keyed, phrase

    def _run_all(
        self, view_name: str, text: str, data: bytes, plain: Iterable[int], keyed: Iterable[int], budget: _Budget
    ) -> Iterator[tuple[Rule, int, int]]:
        entries = self._plain[view_name]
        for index in plain:
            yield from self._run(entries[index], data, text, budget)
        entries = self._keyed[view_name]
        for index in sorted(keyed):
            yield from self._run(entries[index], data, text, budget)

    def _run(self, entry: CompiledRule, data: bytes, text: str, budget: _Budget) -> Iterator[tuple[Rule, int, int]]:
        """Spans of one rule's values in `data` (the UTF-8 of `text`), validated, in code points of `text`: all
        of them for a rule whose values are masked (until the budget is spent), else up to MAX_HITS_PER_RULE."""
        rule = entry.rule
        regex, groups = entry.program()
        limit = None if rule.redact else MAX_HITS_PER_RULE
        to_char = CharOffsets(data, text)
        count = 0
        for seen, m in enumerate(regex.finditer(data)):
            if seen % 64 == 63 and budget.spent():
                return
            start = end = -1
            for group in groups:
                start, end = m.span(group)
                if 0 <= start < end:
                    break
            if start < 0 or start == end:
                continue
            found = rule
            if entry.validator is not None:
                value = data[start:end].decode("utf-8", "replace")
                before = data[max(0, start - 4 * CONTEXT_CHARS) : start].decode("utf-8", "replace")
                context = before[-CONTEXT_CHARS:].lower()
                if not entry.validator(value, context):
                    note = self._placeholders.get(rule.id)
                    if note is None or entry.placeholder is None or not entry.placeholder(value, context):
                        continue
                    found = note
            yield found, to_char(start), to_char(end)
            count += 1
            if limit is not None and count >= limit:
                break
