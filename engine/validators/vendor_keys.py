"""The validator of the vendor key formats converted from gitleaks (assets/rules/vendor_secrets.toml).

Hundreds of vendor rules share one check with an argument, `vendor[:<entropy>[:digit]]`, written by
packaging/build_secret_rules.py from each gitleaks rule: not a placeholder, at least the rule's entropy, and
a digit where gitleaks' allowlist demands one. The registry (engine/validators/__init__.py) names it
`vendor` among the validators that take an argument.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from engine.validators.credentials import is_token_placeholder
from engine.validators.text_shape import Validator, bounded, is_placeholder, shannon_entropy

# The inputs here are short matches already bounded by RE2 patterns; the stdlib `re`
# below only ever sees such bounded values, never the whole untrusted text.


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_LETTER_HEAD = re.compile(r"[A-Za-z]{1,12}")


def is_vendor_placeholder(value: str) -> bool:
    """A vendor-shaped value that stands for a real one: dop_v1_xxxx…, dapi0000…, 0000…-us00, an example mark.

    Looks at the whole value, then at its longest run of letters and digits (the random part of most
    formats), with and without a letters-only head (dapi, SK). gitleaks' global allowlist (true/false/null,
    one character repeated, $VAR, ${VAR}, {{ … }}, ${{ … }}, %VAR%, @VAR@) is covered by is_placeholder;
    its path patterns mean nothing for pasted text.
    """
    v = value.strip().strip("\"'`")
    if is_token_placeholder(v):
        return True
    longest = max(_NOT_ALNUM.split(v), key=len)
    if len(longest) < 8:
        return False
    if longest != v and is_placeholder(longest):
        return True
    head = _LETTER_HEAD.match(longest)
    rest = longest[head.end() :] if head else longest
    return len(rest) >= 8 and rest != longest and is_placeholder(rest)


@lru_cache(maxsize=64)
def vendor_validators(arg: str | None) -> tuple[Validator, Validator]:
    """`vendor[:<entropy>[:digit]]`: not a placeholder, Shannon entropy (bits per character) of the value at
    least <entropy> (gitleaks' per-rule `entropy`), and with `digit` at least one digit in it (gitleaks'
    allowlist of letters-only values, for rules that have one)."""
    threshold, need_digit = 0.0, False
    if arg:
        number, _, option = arg.partition(":")
        if number:
            threshold = float(number)  # ValueError names a bad argument
            if not 0.0 <= threshold <= 8.0 or math.isnan(threshold):
                raise ValueError(f"entropy threshold {threshold} outside 0..8")
        if option not in ("", "digit"):
            raise ValueError(f"unknown option {option!r}")
        need_digit = option == "digit"

    @bounded()
    def validate_vendor(value: str, context: str) -> bool:
        if is_vendor_placeholder(value):
            return False
        if need_digit and not any("0" <= ch <= "9" for ch in value):
            return False
        return shannon_entropy(value) >= threshold

    @bounded()
    def vendor_example(value: str, context: str) -> bool:
        return is_vendor_placeholder(value)

    return validate_vendor, vendor_example
