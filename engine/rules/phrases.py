"""Phrase lists and keywords, found in one Aho–Corasick pass over the folded view.

Phrase rules (attack wordings) are literal lists; rules with keywords (the vendor key formats: hundreds of
them) run only where one of their keywords occurs. On long text one automaton finds both at once, in time
linear in the text.
"""

from __future__ import annotations

from collections.abc import Mapping

import ahocorasick
import numpy as np

from engine.rules.loading import Rule


def _collapse_spaces(folded: str) -> tuple[str, np.ndarray | None]:
    """Runs of spaces as one (phrases are written with single spaces), and where each char came from."""
    if "  " not in folded:
        return folded, None
    cps = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    space = cps == 32
    keep = ~(space & np.concatenate(([False], space[:-1])))
    index = np.flatnonzero(keep)
    return cps[keep].tobytes().decode("utf-32-le", "surrogatepass"), index


def build_automaton(words: Mapping[str, object]) -> ahocorasick.Automaton | None:
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, value)
    automaton.make_automaton()
    return automaton


def scan_words(
    automaton: ahocorasick.Automaton, folded: str, max_hits: int
) -> tuple[list[tuple[Rule, int, int]], dict[str, set[int]]]:
    """One Aho–Corasick pass over the folded view (lower case, runs of spaces as one): the phrase hits
    (whole words, spans in `folded`; at most `max_hits` per rule) and, per view, the keyword rules whose
    keywords occur."""
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
        if c >= max_hits:
            continue
        counts[rule.id] = c + 1
        if index is None:
            phrases.append((rule, start, end))
        else:
            phrases.append((rule, int(index[start]), int(index[end - 1]) + 1))
    return phrases, keyed
