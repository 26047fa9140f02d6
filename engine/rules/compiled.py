"""A regex rule ready to run: its RE2 program, compiled on first use, its value groups and its validator.

RE2 runs in linear time, so untrusted text never meets a backtracking regex engine. RE2 reports byte
offsets into the UTF-8 of the text; CharOffsets turns them into the code-point offsets findings carry.
"""

from __future__ import annotations

import re2

from engine.rules.loading import Rule, RuleError
from engine.validators.text_shape import Validator

RE2_OPTIONS = re2.Options()
RE2_OPTIONS.max_mem = 16 << 20  # the program and its DFA's cache: a DFA that fills it falls back to the NFA
RE2_OPTIONS.log_errors = False  # no RE2 log lines on stderr: a bad pattern raises RuleError with its file and rule

# One RE2 set per view answers which rules can match. A set's DFA never gives up (it starts its cache afresh
# when full), so its budget is all the memory it keeps: at 64 MiB the sets grew by 22 MiB over the dev set's
# 6,973 texts and never gave it back; at 8 MiB by 11 MiB, for 0.1 ms more a text.
SET_OPTIONS = re2.Options()
SET_OPTIONS.max_mem = 8 << 20
SET_OPTIONS.log_errors = False


class CharOffsets:
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


def _compile(rule: Rule) -> re2._Regexp:
    try:
        return re2.compile(rule.pattern, RE2_OPTIONS)
    except re2.error as exc:
        raise RuleError(f"{rule.source}: rule {rule.id!r}: bad RE2 pattern: {exc}") from exc


class CompiledRule:
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
