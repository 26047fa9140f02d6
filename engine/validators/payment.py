"""Payment card numbers and IBANs (assets/rules/pii.toml): checksums that tell them from other long numbers.

Any 16-digit order number has the shape of a card and any run of capitals and digits that of an IBAN. Luhn
rejects 9 in 10 random digit runs and IBAN mod-97 rejects 96 in 97; issuer prefixes, printed groupings and
each country's IBAN length do the rest. The networks' published test cards and the sample IBANs of
documentation (assets/reference/public_examples.toml) are not reported, but noted as placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from engine.public_examples import public_examples
from engine.validators.text_shape import (
    Validator,
    bounded,
    digits_of,
    mostly_sequential,
    preceded_by_number,
    repeats_short_unit,
)

# -- payment cards ----------------------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) checksum of a string of ASCII digits."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# (first digits as an inclusive range on a prefix of that many digits, allowed lengths)
_CARD_IINS: tuple[tuple[int, int, int, frozenset[int]], ...] = (
    (1, 4, 4, frozenset({13, 16, 19})),  # Visa
    (2, 51, 55, frozenset({16})),  # Mastercard
    (4, 2221, 2720, frozenset({16})),  # Mastercard 2-series
    (2, 34, 34, frozenset({15})),  # American Express
    (2, 37, 37, frozenset({15})),
    (3, 300, 305, frozenset({14, 16, 17, 18, 19})),  # Diners Club
    (2, 36, 36, frozenset({14, 16, 17, 18, 19})),
    (2, 38, 39, frozenset({14, 16, 17, 18, 19})),
    (4, 3528, 3589, frozenset({16, 17, 18, 19})),  # JCB
    (4, 6011, 6011, frozenset({16, 17, 18, 19})),  # Discover
    (3, 644, 649, frozenset({16, 17, 18, 19})),
    (2, 65, 65, frozenset({16, 17, 18, 19})),
    (2, 62, 62, frozenset({16, 17, 18, 19})),  # UnionPay
    (2, 81, 81, frozenset({16, 17, 18, 19})),
    (4, 2200, 2204, frozenset({16, 17, 18, 19})),  # Mir
    (2, 50, 50, frozenset({13, 14, 15, 16, 17, 18, 19})),  # Maestro
    (2, 56, 58, frozenset({13, 14, 15, 16, 17, 18, 19})),
    (2, 67, 67, frozenset({13, 14, 15, 16, 17, 18, 19})),
    (4, 6304, 6304, frozenset({13, 14, 15, 16, 17, 18, 19})),
)


def card_issuer_ok(digits: str) -> bool:
    """Known issuer prefix (IIN) with a length that issuer uses."""
    n = len(digits)
    return any(n in lengths and low <= int(digits[:width]) <= high for width, low, high, lengths in _CARD_IINS)


_CARD_GROUPINGS = ((4, 6, 5), (4, 6, 4))  # Amex, Diners


def _card_grouping_ok(value: str) -> bool:
    """Digits alone, or split by ONE kind of separator the way cards are printed (4-4-4-4, 4-6-5 …)."""
    seps = {ch for ch in value if not ch.isdigit()}
    if not seps:
        return True
    if len(seps) > 1 or not seps <= {" ", "-"}:
        return False
    groups = tuple(len(g) for g in value.split(seps.pop()))
    if any(g == 0 for g in groups):
        return False
    if groups in _CARD_GROUPINGS:
        return True
    return all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4


def _card_shape_ok(value: str, context: str) -> str | None:
    """The digits of a payment card number (13-19 digits, printed grouping, Luhn checksum, known issuer
    prefix, not a fragment of a longer number), else None."""
    digits = digits_of(value)
    if not 13 <= len(digits) <= 19 or not _card_grouping_ok(value):
        return None
    if preceded_by_number(context):
        return None
    if digits in public_examples().test_cards:  # 4242…: a repeated unit, but a famous one, worth a note
        return digits
    if repeats_short_unit(digits) or mostly_sequential(digits):
        return None
    return digits if luhn_ok(digits) and card_issuer_ok(digits) else None


@bounded(64)
def validate_luhn(value: str, context: str) -> bool:
    """A payment card number that is not one of the published test numbers."""
    digits = _card_shape_ok(value, context)
    return digits is not None and digits not in public_examples().test_cards


@bounded(64)
def _test_card(value: str, context: str) -> bool:
    return _card_shape_ok(value, context) in public_examples().test_cards


# -- IBAN -------------------------------------------------------------------------------------------------------

IBAN_LENGTHS: Mapping[str, int] = MappingProxyType(
    {
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
        "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
        "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
        "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
        "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    }
)  # fmt: skip


def iban_mod97(iban: str) -> int:
    """ISO 13616 remainder: move the first four characters to the end, letters to 10..35, mod 97."""
    rearranged = iban[4:] + iban[:4]
    remainder = 0
    for ch in rearranged:
        if "0" <= ch <= "9":
            remainder = (remainder * 10 + ord(ch) - 48) % 97
        elif "A" <= ch <= "Z":
            remainder = (remainder * 100 + ord(ch) - 55) % 97
        else:
            return -1
    return remainder


@bounded(64)
def validate_iban(value: str, context: str) -> bool:
    """An IBAN: known country, that country's length, check digits, mod-97 == 1 (spaces allowed)."""
    iban = value.replace(" ", "").upper()
    if not iban.isascii() or not iban.isalnum():
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None or len(iban) != expected or not iban[2:4].isdigit():
        return False
    if iban[2:4] in ("00", "01", "99"):
        return False
    return iban_mod97(iban) == 1 and iban not in public_examples().sample_ibans


@bounded(64)
def _sample_iban(value: str, context: str) -> bool:
    iban = value.replace(" ", "").upper()
    return iban in public_examples().sample_ibans and iban_mod97(iban) == 1


VALIDATORS: Mapping[str, Validator] = MappingProxyType({"luhn": validate_luhn, "iban": validate_iban})
# A published test card or sample IBAN counts as a placeholder whenever the shape checks pass.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType({"luhn": _test_card, "iban": _sample_iban})
