"""The digit tools every national identity check is built from.

How a number is grouped when printed (``grouped``, ``separators``), digits no authority issues
(``trivial_digits``), a birth date inside the digits (``valid_date``), and the checksum algorithms the
issuing authorities publish (Verhoeff, ISO 7064 MOD 11,10, weighted sums and mod-11 check digits).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from engine.validators.dates import real_date

_ASCENDING = "01234567890123456789"
_DESCENDING = "98765432109876543210"


def trivial_digits(digits: str) -> bool:
    """Digits no authority issues and people type as placeholders: one digit repeated, a 1-2 digit unit
    repeated (121212…), or a run up or down the keypad (123456789, 987654321)."""
    n = len(digits)
    if n == 0:
        return True
    if any(digits == (digits[:k] * n)[:n] for k in (1, 2)):
        return True
    return n >= 6 and (digits[:-1] in _ASCENDING or digits[:-1] in _DESCENDING)


def valid_date(year: int, month: int, day: int) -> bool:
    """A real calendar date, not after today (a birth date in the future belongs to no one)."""
    born = real_date(year, month, day)
    return born is not None and born <= datetime.date.today()


def separators(value: str) -> set[str]:
    return {ch for ch in value if not ch.isalnum()}


def grouped(value: str, allowed: Iterable[tuple[int, ...]], seps: str = " ") -> str | None:
    """The characters of `value` without separators if it is written with one kind of separator from
    `seps` in one of the `allowed` groupings (group lengths), or with none; else None."""
    found = separators(value)
    if not found:
        return value
    if len(found) > 1 or not found <= set(seps):
        return None
    groups = value.split(found.pop())
    if tuple(len(g) for g in groups) not in set(allowed):
        return None
    return "".join(groups)


# -- checksum algorithms ----------------------------------------------------------------------------------------


def _build_verhoeff() -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Verhoeff's tables: the dihedral group D5 (rotations 0-4, reflections 5-9) and the powers of
    the permutation (1 5 7 6 2 8 3 0 9 4)."""

    def d5(j: int, k: int) -> int:
        if j < 5:
            return (j + k) % 5 if k < 5 else 5 + (j + k) % 5
        return 5 + (j - k) % 5 if k < 5 else (j - k) % 5

    mult = tuple(tuple(d5(j, k) for k in range(10)) for j in range(10))
    first = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
    perms = [tuple(range(10))]
    for _ in range(7):
        perms.append(tuple(first[x] for x in perms[-1]))
    return mult, tuple(perms)


_VERHOEFF_D, _VERHOEFF_P = _build_verhoeff()


def verhoeff_ok(digits: str) -> bool:
    """Verhoeff checksum (catches every single-digit error and every swap of neighbours)."""
    if not digits.isascii() or not digits.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][ord(ch) - 48]]
    return c == 0


def mod11_10_check(digits: str) -> int:
    """ISO 7064 MOD 11,10 check digit of a digit string (German Steuer-ID, Croatian OIB)."""
    product = 10
    for ch in digits:
        total = (ord(ch) - 48 + product) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10


def weighted(digits: str, weights: Iterable[int]) -> int:
    return sum((ord(ch) - 48) * w for ch, w in zip(digits, weights, strict=False))


def mod11_digit(total: int) -> int:
    """The common "11 minus the remainder, 0 when the remainder is 0 or 1" check digit (CPF, NIF)."""
    r = total % 11
    return 0 if r < 2 else 11 - r
