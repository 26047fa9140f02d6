"""Tier 0: rules, signatures and the lexical prior; no model, microseconds.

Its answer is allow, block or unsure. "Unsure" is the only path to a model,
so tier 0 must be safe when it allows and right when it blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.bands import Bands
from engine.decide import lower_quoted
from engine.lexicon import LexicalScore, Lexicon
from engine.normalize import Normalized, View
from engine.rules import RuleSet
from engine.signatures import SignatureStore
from engine.tiers.reading import Reading, Step
from engine.tokens import canonical, sentence_starts, text_key, token_hashes, words
from engine.verdict import Finding

_QUOTES = {"'": "'", '"': '"', "`": "`", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "\u201e": "\u201c"}
MAX_VIEWS_SCORED = 8  # derived views beyond this are matched by rules, not fingerprinted
_SIG_CATEGORY = {"obfuscated": "obfuscation"}


class Tier0:
    step: Step = "tier0"

    def __init__(self, rules: RuleSet, signatures: SignatureStore, lexicon: Lexicon, bands: Bands) -> None:
        self.rules = rules
        self.signatures = signatures
        self.lexicon = lexicon
        self.bands = bands

    def rule_findings(self, norm: Normalized) -> list[Finding]:
        """What normalisation and the rules found (no signatures, no lexical prior)."""
        text = norm.original
        return [*norm.findings, *lower_quoted(self.rules.match(norm), lambda f: _quoted(text, f.start, f.end))]

    def read(self, norm: Normalized, earlier: Sequence[Reading] = ()) -> Reading:
        """Tier 0 reads every text first: `earlier` is empty."""
        findings = self.rule_findings(norm)
        rule_only = self.bands.attack_score(findings)
        main_tokens = words(norm.main.folded)
        main_canonical = " ".join(main_tokens)
        main_hashes = token_hashes(main_tokens)
        worst = alarm = LexicalScore(0.0)  # the prior as trained (tier 1 reads it); the worst sentence's too
        alarm_view = norm.main
        suspect: tuple[int, int] | None = None  # the main view's sentences that read worse than all of it
        suspect_p = 0.0
        for i, view in enumerate(norm.views[:MAX_VIEWS_SCORED]):
            if i == 0:
                tokens, text, hashes = main_tokens, main_canonical, main_hashes
            else:
                tokens = words(view.folded)
                text, hashes = " ".join(tokens), token_hashes(tokens)
            sig = self._signature_finding(view, text, hashes)
            if sig is not None:
                findings.append(sig)
            lex = self.lexicon.score(tokens, hashes)
            if lex.probability > worst.probability:
                worst = lex
            if i == 0 or lex.probability < self.bands.lexical_unsure_at:  # a sentence may read worse than its window
                starts = sentence_starts(view.clean, view.folded)
                sentence = self.lexicon.sentence_score(lex, [t for t, _ in starts])
                if i == 0 and sentence.probability > max(lex.probability, self.bands.lexical_unsure_at - 1e-9):
                    # a sentence that alone would send the text to a model: tier 1 and 2 read it alone too
                    suspect, suspect_p = _char_span(sentence.window, starts, view.folded), sentence.probability
                lex = max(lex, sentence, key=lambda s: s.probability)
            if lex.probability > alarm.probability:
                alarm, alarm_view = lex, view
        if alarm.probability >= self.bands.lexical_unsure_at:
            findings.append(self._lexical_finding(alarm, alarm_view))
        known, n_words = self.lexicon.known_share(main_tokens, main_hashes)
        if not self.bands.readable(known, n_words):
            findings.append(Finding("input.unfamiliar_words", "input", "info", 0, len(norm.original),
                                    f"tier 0 learned from only {known:.0%} of this text's words (another language "
                                    "or script?): a model reads it"))  # fmt: skip
        score = self.bands.attack_score(findings)
        return Reading(
            "tier0",
            self.bands.tier0(score, alarm.probability, known, n_words),
            score,
            tuple(findings),
            rule_score=rule_only,
            lexical=worst.probability,
            key=text_key(main_canonical),
            suspect=suspect,
            suspect_lexical=suspect_p,
        )

    def _signature_finding(self, view: View, text: str, hashes: np.ndarray) -> Finding | None:
        hit = self.signatures.lookup(text, hashes, self.bands.near_duplicate_unsure)
        if hit is None:
            return None
        start, end = view.to_original(0, len(view.clean))
        if hit.kind == "exact":
            return Finding("sig.exact", "injection", "critical", start, end,
                           "identical to a known attack text")  # fmt: skip
        severity = self.bands.near_duplicate_severity(hit.similarity)
        if severity is None:
            return None
        category = _SIG_CATEGORY.get(hit.category, hit.category)
        return Finding("sig.near", category, severity, start, end,
                       f"near-copy of a known {hit.category} text ({hit.similarity:.0%} similar)")  # fmt: skip

    def _lexical_finding(self, lex: LexicalScore, view: View) -> Finding:
        start, end = 0, len(view.clean)
        top = lex.top_terms()
        for term in top:
            at = view.folded.find(term)
            if at >= 0:
                start, end = at, at + len(term)
                break
        ostart, oend = view.to_original(start, end)
        terms = ", ".join(f"'{t}'" for t in top) or "its wording"
        return Finding("lex.wording", "injection", "info", ostart, oend,
                       f"wording resembles known attacks ({terms}; {lex.probability:.0%})",
                       confidence=round(lex.probability, 4))  # fmt: skip


def _quoted(text: str, start: int, end: int) -> bool:
    """Is text[start:end] the whole content of a quotation ('…', "…", `…`, “…”)?"""
    before = text[max(0, start - 2) : start].rstrip()
    after = text[end : end + 2].lstrip()
    return bool(before) and bool(after) and _QUOTES.get(before[-1]) == after[0]


def _char_span(window: tuple[int, int], starts: list[tuple[int, int]], folded: str) -> tuple[int, int]:
    """The characters of a token window that begins at a sentence start, from its first word to the start of
    the sentence after it (or the end of the text)."""
    begin = next(char for token, char in starts if token == window[0])
    end = next((char for token, char in starts if token >= window[1]), len(folded))
    while begin < end and folded[begin] == " ":
        begin += 1
    return begin, end


def canonical_key(folded: str) -> int:
    """The allow/deny-list key of a folded text (what Tier0Result.key holds)."""
    return text_key(canonical(folded))
