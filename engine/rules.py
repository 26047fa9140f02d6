"""Tier-0 rules: data files under assets/rules, compiled for linear-time matching.

Untrusted text never meets a backtracking regex engine: patterns are compiled
with RE2, literal phrase lists with an Aho–Corasick automaton. One RE2 set per
view answers "which patterns match at all" in a single pass, so only the rules
that hit are run again for their spans. A rule with `keywords` (the vendor key
formats: hundreds of them) runs only where one of its keywords occurs: on short
text the keywords are literals in that same set, on long text the Aho–Corasick
pass that finds the phrases finds them too.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path

import ahocorasick
import numpy as np
import re2

from engine.assets import AssetError, assets_dir, load_toml
from engine.normalize import Normalized, View
from engine.validators import resolve_validator
from engine.validators.text_shape import CONTEXT_CHARS, Validator
from engine.verdict import PLACEHOLDER, REDACTION_INCOMPLETE, SEVERITIES, Finding

VIEWS = ("clean", "folded")
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
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 64 << 20
# Derived views that only exist to defeat spelling tricks: no secrets live there.
_MATCHING_AID_VIEWS = frozenset({"leet", "spaced"})
MIN_KEYWORD_LEN = 2
# The rules that take any random-looking value after a key-like name: where a rule with keywords (a
# vendor's format) reports a secret, their finding on an overlapping span is dropped, so the value is
# reported once, under its vendor's name.
GENERIC_SECRET_RULES = frozenset(
    {"secret.generic", "secret.password", "secret.generic_said", "secret.password_said", "secret.generic_argument"}
)
# Categories in which one value is one finding, whichever rules found it.
_MERGED_CATEGORIES = frozenset({"secret", "pii", PLACEHOLDER})


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
    keywords: tuple[str, ...] = ()  # the pattern runs only on text holding one of them (in any case)


class RuleError(AssetError):
    """A rule file is malformed; the message names the file and the rule."""


def _parse_rule(raw: dict, source: Path) -> Rule:
    where = f"{source.name}: rule {raw.get('id', '?')!r}"
    unknown = set(raw) - {
        "id", "category", "severity", "explain", "view", "pattern", "phrases",
        "validate", "redact", "must_match", "must_not_match", "keywords",
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
    if validate is not None:
        if not isinstance(validate, str):
            raise RuleError(f"{where}: 'validate' must be a string")
        try:
            resolve_validator(validate)
        except ValueError as exc:
            raise RuleError(f"{where}: unknown validator {validate!r} ({exc})") from None
    keywords = raw.get("keywords", ())
    if "keywords" in raw:
        if pattern is None:
            raise RuleError(f"{where}: keywords prefilter a pattern; phrase lists need none")
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and len(k.strip()) >= MIN_KEYWORD_LEN for k in keywords)
        ):
            raise RuleError(f"{where}: 'keywords' must be a non-empty list of strings of {MIN_KEYWORD_LEN}+ characters")
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
        # as the folded view they are looked for in: lower case, any whitespace one space
        keywords=tuple(dict.fromkeys(" ".join(k.lower().split()) for k in keywords)),
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


def _compile(rule: Rule) -> re2._Regexp:
    try:
        return re2.compile(rule.pattern, _RE2_OPTIONS)
    except re2.error as exc:
        raise RuleError(f"{rule.source}: rule {rule.id!r}: bad RE2 pattern: {exc}") from exc


class _Compiled:
    """A regex rule ready to run: its RE2 program (compiled on first use: most of the hundreds of vendor rules
    never run for a given user, and their programs would hold ~13 MiB from the start), value groups and
    validator."""

    __slots__ = ("_program", "placeholder", "rule", "validator")

    def __init__(self, rule: Rule, validator: Validator | None, placeholder: Validator | None, *,
                 eager: bool) -> None:  # fmt: skip
        self.rule = rule
        self.validator = validator
        self.placeholder = placeholder  # says whether a value the validator dropped is a placeholder worth a note
        self._program: tuple[re2._Regexp, tuple[int, ...]] | None = None
        if eager:
            self.program()

    def program(self) -> tuple[re2._Regexp, tuple[int, ...]]:
        """The compiled pattern and its value groups (`v`, then `v2`, `v3` …: the first that took part is the
        value; 0: the whole match). Two threads may both compile it once; either result is the same."""
        program = self._program
        if program is None:
            regex = _compile(self.rule)
            program = self._program = (regex, _value_groups(regex))
        return program


def _value_groups(regex: re2._Regexp) -> tuple[int, ...]:
    names = regex.groupindex
    if "v" not in names:
        return (0,)
    groups = [names["v"]]
    while f"v{len(groups) + 1}" in names:
        groups.append(names[f"v{len(groups) + 1}"])
    return tuple(groups)


def _automaton(words: dict) -> ahocorasick.Automaton | None:
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, value)
    automaton.make_automaton()
    return automaton


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
        self._plain: dict[str, list[_Compiled]] = {v: [] for v in VIEWS}
        self._keyed: dict[str, list[_Compiled]] = {v: [] for v in VIEWS}
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
                entry = _Compiled(rule, *validators[rule.id], eager=not rule.keywords)
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
                rset = re2.Set.SearchSet(_RE2_OPTIONS)
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
                rset.Compile()
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
        self._phrases = _automaton(words)
        for word, views in by_keyword.items():
            rule, length, _ = words.get(word, (None, len(word), {}))
            words[word] = (rule, length, {v: tuple(ix) for v, ix in views.items()})
        self._words = _automaton(words) if by_keyword else self._phrases

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
            findings = self._one_finding_per_value(findings)
        if budget.exceeded:
            findings.append(Finding(REDACTION_INCOMPLETE, "input", "medium", 0, len(normalized.original),
                                    f"too many secrets or personal data to find all within {REDACTION_BUDGET_S:g} s: "
                                    "some may not be reported, and no redacted copy is offered"))  # fmt: skip
        return findings

    def _one_finding_per_value(self, findings: list[Finding]) -> list[Finding]:
        """A secret, a piece of personal data or a placeholder is reported once: where a rule with keywords (a
        vendor's format) reports a secret, the generic rules' finding on an overlapping span goes; of two
        findings of one category on one span (personal data: of one type on the same span), the stronger
        (then the rule listed first: hand-written files before generated ones) stays; personal data inside a
        secret (a bot id's digits taken for a phone number) is part of the secret, not a second leak."""
        merged = [f for f in findings if f.category in _MERGED_CATEGORIES]
        if len(merged) < 2:
            return findings
        vendor = _Intervals(f for f in merged if f.category == "secret" and f.rule in self._keyed_ids
                            and f.rule not in self._generic_ids)  # fmt: skip

        def rank_of(f: Finding) -> tuple[int, bool, int, int]:  # stronger, then specific, then listed first
            rule = f.rule.removesuffix(f".{PLACEHOLDER}")
            return -SEVERITIES.index(f.severity), rule in self._generic_ids, self._order.get(rule, 0), f.start

        rank = {f: rank_of(f) for f in merged}
        dropped = {f for f in merged if f.rule in self._generic_ids and vendor.overlaps(f.start, f.end)}
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
                phrases, keyed = self._scan_words(self._words, view.folded)
            for name, d in data.items():
                every = range(len(self._plain[name]))
                yield from self._run_all(name, texts[name], d, every, keyed.get(name, ()), budget)
        else:
            if self._phrases is not None and any(has_phrase for _, _, has_phrase in answers.values()):
                phrases, _ = self._scan_words(self._phrases, view.folded)
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

    def _run(self, entry: _Compiled, data: bytes, text: str, budget: _Budget) -> Iterator[tuple[Rule, int, int]]:
        """Spans of one rule's values in `data` (the UTF-8 of `text`), validated, in code points of `text`: all
        of them for a rule whose values are masked (until the budget is spent), else up to MAX_HITS_PER_RULE."""
        rule = entry.rule
        regex, groups = entry.program()
        limit = None if rule.redact else MAX_HITS_PER_RULE
        to_char = _CharOffsets(data, text)
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

    def _scan_words(
        self, automaton: ahocorasick.Automaton, folded: str
    ) -> tuple[list[tuple[Rule, int, int]], dict[str, set[int]]]:
        """One Aho–Corasick pass over the folded view (lower case, runs of spaces as one): the phrase hits
        (whole words, spans in `folded`) and, per view, the keyword rules whose keywords occur."""
        text, index = _collapse_spaces(folded)
        phrases: list[tuple[Rule, int, int]] = []
        keyed: dict[str, set[int]] = {}
        counts: dict[str, int] = {}
        n = len(text)
        seen: set[int] = set()  # keywords already counted (hostile text repeats one all along)
        for end_index, (rule, length, views) in automaton.iter(text):
            if views and id(views) not in seen:
                seen.add(id(views))
                for view_name, indices in views.items():
                    keyed.setdefault(view_name, set()).update(indices)
            if rule is None:
                continue
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
                phrases.append((rule, start, end))
            else:
                phrases.append((rule, int(index[start]), int(index[end - 1]) + 1))
        return phrases, keyed
