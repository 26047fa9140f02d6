"""The shape of a matched value: the questions every rule validator asks, and the Validator type.

A validator looks at one short match and asks what kind of string it is: how random it is (Shannon entropy,
character classes), whether someone typed it to stand for a real value (your_api_key_here, xxxx, ${VAR},
changeme), whether it names something in code (settings.SECRET_KEY) instead of being a secret, and whether it
only continues a longer number. Card, phone, credential and national-ID checks all ask these, so they live
here, beside ``bounded``, which makes each validator total: wrong types, over-long values and any exception
mean False.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from functools import wraps
from itertools import pairwise

# The inputs here are short matches already bounded by RE2 patterns; the stdlib `re`
# below only ever sees such bounded values, never the whole untrusted text.

MAX_VALUE_LEN = 4096  # longest value any validator looks at
CONTEXT_CHARS = 120  # text before a match a validator sees: enough for the start of a "Copyright: …" line

Validator = Callable[[str, str], bool]


# -- shared helpers ---------------------------------------------------------------------------------------------


def shannon_entropy(s: str) -> float:
    """Shannon entropy of the characters of `s`, in bits per character (0.0 for "")."""
    n = len(s)
    if n == 0:
        return 0.0
    return -sum((c / n) * math.log2(c / n) for c in Counter(s).values())


def char_classes(s: str) -> int:
    """How many of lower case, upper case, digit and other characters occur in `s` (0..4)."""
    lower = upper = digit = other = False
    for ch in s:
        if "a" <= ch <= "z":
            lower = True
        elif "A" <= ch <= "Z":
            upper = True
        elif "0" <= ch <= "9":
            digit = True
        else:
            other = True
    return lower + upper + digit + other


def digits_of(s: str) -> str:
    """The ASCII digits of `s`, in order."""
    return "".join(ch for ch in s if "0" <= ch <= "9")


# Marks of a value written to stand for a real one (documentation, samples, templates to fill in) ...
_EXAMPLE_MARKS = (
    "your_", "your-", "yourapi", "yourkey", "yoursecret", "yourtoken", "yourpass", "_here", "-here",
    "placeholder", "changeme", "change_me", "change-me", "example", "xxxx", "replace_me", "replaceme",
    "replace-me", "insert_", "insert-", "dummy", "not_a_real", "notareal", "not-a-real",
)  # fmt: skip
# ... and of one that is masked, elided or filled in elsewhere (a template variable, a note to self).
_PLACEHOLDER_PARTS = (
    *_EXAMPLE_MARKS, "****", "....", "…", "<", ">", "${", "{{", "}}", "%(", "$(", "redacted", "todo", "fixme",
)  # fmt: skip
_PLACEHOLDER_WORDS = frozenset(
    {
        "none", "null", "nil", "undefined", "true", "false", "string", "str", "required", "optional",
        "empty", "default", "hidden", "masked", "secret", "token", "password", "passwd", "pass", "pwd",
        "apikey", "api_key", "changeme", "admin", "test", "testing", "sample", "value", "my_password",
        "mypassword", "my-password", "secret_key", "access_token", "sekret", "letmein", "qwerty",
        "123456", "1234567", "12345678", "123456789", "1234567890", "password1", "password123",
    }
)  # fmt: skip


def repeats_short_unit(s: str) -> bool:
    """True for "aaaa…", "abab…", "abcabc…", "0x0000…": one unit of 1-4 characters repeated."""
    n = len(s)
    return any(n >= 2 * k and s == (s[:k] * (n // k + 1))[:n] for k in range(1, 5))


def mostly_sequential(s: str) -> bool:
    """True for "abcdef…", "123456…", "zyxw…": most neighbours step by one code point, the same way.

    The same way: a random card number has neighbours one apart, up or down, in about a fifth of its pairs,
    and one in thousands has most of them so ("4874543123534566"); counting up and down together would call
    that a placeholder and let a real number through."""
    if len(s) < 6:
        return False
    steps = [ord(b) - ord(a) for a, b in pairwise(s)]
    return max(steps.count(1), steps.count(-1)) >= 0.6 * (len(s) - 1)


def is_placeholder(value: str) -> bool:
    """Obvious non-secrets: your_api_key_here, xxxxxxxx, <token>, ${VAR}, changeme, 0000…, abc123…."""
    v = value.strip().strip("\"'`")
    low = v.lower()
    if not v or low in _PLACEHOLDER_WORDS:
        return True
    if any(part in low for part in _PLACEHOLDER_PARTS):
        return True
    body = low[2:] if low.startswith("0x") else low
    if body and set(body) <= {"0"}:
        return True
    if repeats_short_unit(low) or mostly_sequential(low):
        return True
    # $VAR / %VAR% / @VAR@ / :param references to something defined elsewhere
    return bool(re.fullmatch(r"(?:\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|@[A-Za-z_]\w*@|:[A-Za-z_]\w*)", v))


_CAMEL_IDENTIFIER = re.compile(r"[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}")  # newPassword, DefaultApiKey
_DOTTED_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)+(?:\(\)?)?")
_WORDY_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z_$\-]*")
_VOWELS = frozenset("aeiouAEIOU")


def looks_like_code_reference(value: str) -> bool:
    """True for values that name something instead of being a secret.

    `settings.SECRET_KEY`, `process.env.API_KEY`, `GITHUB_TOKEN_VALUE`, `getApiKeyFromEnvironment`,
    `user_password`: dotted paths and word-built identifiers with (almost) no digits. A random token
    of letters only is rare enough that missing it is the better trade.
    """
    v = value.strip().strip("\"'`")
    ndigits = len(digits_of(v))
    if _DOTTED_IDENTIFIER.fullmatch(v) and ndigits <= len(v) // 10:
        return True
    if ndigits == 0 and _WORDY_IDENTIFIER.fullmatch(v):
        if any(sep in v for sep in "_-$") or _CAMEL_IDENTIFIER.fullmatch(v):
            return True
        letters = [ch for ch in v if ch.isalpha()]
        # English-ish words are ~38 % vowels, random letters ~19 %
        return bool(letters) and sum(ch in _VOWELS for ch in letters) / len(letters) >= 0.28
    return False


def bounded(limit: int = MAX_VALUE_LEN) -> Callable[[Validator], Validator]:
    """Make a validator total: wrong types, over-long values and any exception mean False."""

    def wrap(fn: Validator) -> Validator:
        @wraps(fn)
        def safe(value: object, context: object = "") -> bool:  # whatever it is given
            if not isinstance(value, str) or not isinstance(context, str):
                return False
            if not value or len(value) > limit:
                return False
            try:
                return bool(fn(value, context[-CONTEXT_CHARS:]))
            except Exception:  # a validator must never take the scan down
                return False

        return safe

    return wrap


def preceded_by_number(context: str, *, across_gap: bool = True) -> bool:
    """True if the match continues a number: "1.2." + match, or ("1234 " + match) when across_gap."""
    if not context:
        return False
    last = context[-1]
    if last.isdigit() or last == "_" or (last == "." and context[-2:-1].isdigit()):  # "tel." + match: a label
        return True
    if across_gap and last in " -/" and len(context) >= 2 and context[-2].isalnum():
        return context[-2].isdigit()
    return False


def is_example_value(value: str) -> bool:
    """A value marked as standing for a real one: your_api_key_here, changeme, <YOUR-TOKEN>, xxxx, …EXAMPLE.

    Narrower than is_placeholder: `None`, `${VAR}`, `****` or `settings.KEY` are left unsaid, since code and
    configuration are full of them and nothing about them is worth a note.
    """
    low = value.strip().strip("\"'`").lower()
    return any(mark in low for mark in _EXAMPLE_MARKS)
