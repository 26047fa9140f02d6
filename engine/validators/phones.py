"""Phone numbers (assets/rules/pii.toml): libphonenumber's numbering plans decide where they can.

A run of digits with spaces is often no phone number at all. An international one (+CC, 00CC) must exist
in its country's plan; a national one stands in the shapes the rule allows, or, found after a cue word
("tel", "call me", "Handy"), must be valid in the plan of one of the regions Tierwall's users live in.
Counting (01 02 03 04), dates and the ranges kept for films and documentation (555-0100, 07700 900xxx;
noted as placeholders) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType

import phonenumbers

from engine.public_examples import public_examples
from engine.validators.text_shape import Validator, bounded, digits_of, mostly_sequential, preceded_by_number

# The inputs here are short matches already bounded by RE2 patterns; the stdlib `re`
# below only ever sees such bounded values, never the whole untrusted text.


# Regions whose numbering plan is tried for a national number (no +country code) found after a phone cue
# word: where Tierwall's users and the languages its cue words cover live. libphonenumber's metadata for a
# region loads on first use.
_CUED_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "BE", "AT", "CH", "PL", "PT", "SE", "IE", "IN", "BR",
                 "MX", "JP", "KR", "CN", "RU", "UA", "TR", "AU", "CA")  # fmt: skip
_DATE_SHAPE = re.compile(r"(?:0?[1-9]|[12][0-9]|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)[0-9]{2}")


# A word that says a phone number follows, in the languages Tierwall's users write (the rule pii.phone_cued
# has the same words as keywords); the end of the context is checked, so "Tel.+33…" and "call07911…" count.
_PHONE_CUE_END = re.compile(
    r"(?:tel|phone|mobile|mob|cell|handy|fax|call|whatsapp|telefon|telephone|téléphone|tél|portable|teléfono"
    r"|telefono|telefone|celular|móvil|movil|cellulare|telefoonnummer|komórka|電話|电话|手机|携帯|전화|휴대폰"
    r"|телефон|тел|llámame|llamar|appelle|appelez|anrufen|ruf\s+mich|chiamami|chiama|ligue|ligar|zadzwoń|bel\s+me"
    r"|ring\s+me|text\s+me)[^0-9+\n]{0,20}$"
)


@lru_cache(maxsize=512)
def _parsed(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """libphonenumber's reading of a number in a region's plan (None: the plan of its +country code), or None.
    Cached: a candidate is read by the validity check and the fiction check alike (callers only read it)."""
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _international_ok(value: str) -> bool:
    """libphonenumber says the +CC number exists in its country's numbering plan (length and prefixes)."""
    digits = digits_of(value)
    if value.startswith("00"):
        digits = digits[2:]
    number = _parsed("+" + digits, None)
    return number is not None and phonenumbers.is_valid_number(number)


def _national_ok(digits: str) -> bool:
    """Valid in the numbering plan of one of the regions a national number is tried in."""
    return any(
        (number := _parsed(digits, region)) is not None and phonenumbers.is_valid_number(number)
        for region in _CUED_REGIONS
    )


def _counting(value: str, digits: str, *, sequential: bool = True) -> bool:
    """01 02 03 04 05, 10-20-30-40, 1111111 (and 123456789 unless sequential=False: libphonenumber
    accepting a +country code outweighs a run of digits): counting or filler, not dialling."""
    if len(set(digits)) < 3 or (sequential and mostly_sequential(digits)):
        return True
    groups = [g for g in re.split(r"[ .\-/()]+", value.lstrip("+")) if g]
    if len(groups) >= 4 and all(g.isdigit() for g in groups):
        nums = [int(g) for g in groups]
        steps = {b - a for a, b in pairwise(nums)}
        if len(steps) == 1:
            return True
    return False


def _fictional(number: phonenumbers.PhoneNumber) -> bool:
    nsn = str(number.national_number)
    if number.country_code == 1:
        return len(nsn) == 10 and nsn[3:6] == "555" and nsn[6:8] == "01"
    ranges = public_examples().fictional_phone_ranges
    return any(number.country_code == cc and nsn.startswith(prefix) for cc, prefix in ranges)


def is_fictional_phone(value: str) -> bool:
    """A number from a range kept for films and documentation (555-0100..0199, 020 7946 0xxx, 07700 900xxx …):
    nobody's number, worth a note and not a warning."""
    digits = digits_of(value)
    if value.startswith("00"):
        value, digits = "+" + value[2:], digits[2:]
    if not 7 <= len(digits) <= 15:
        return False
    regions = (None,) if value.startswith("+") else ("US", "GB", "AU", "FR")
    for region in regions:
        number = _parsed(value if region else "+" + digits, region)
        if number is not None and _fictional(number):
            return True
    return False


@bounded(40)
def _fictional_phone_note(value: str, context: str) -> bool:
    return is_fictional_phone(value)


@bounded(40)
def validate_phone(value: str, context: str) -> bool:
    """A number in international form that libphonenumber knows (8-15 digits), or a national one of 9-12
    digits in the shapes the rule allows; consistent separators, not a list of numbers."""
    digits = digits_of(value)
    international = value.startswith(("+", "00"))
    if international:
        if not 8 <= len(digits) - (2 if value.startswith("00") else 0) <= 15:
            return False
    elif not 9 <= len(digits) <= 12:
        return False
    if value.count("(") != value.count(")"):
        return False
    if preceded_by_number(context):
        return False
    if international and context[-1:].isalnum() and not _PHONE_CUE_END.search(context):
        return False  # a+12345678: arithmetic, not a number to dial
    seps = {ch for ch in value if ch in " .-/"}
    if "." in seps and len(seps) > 1:  # "555.123-4567": mixing dots with others is not how numbers are written
        return False
    if _counting(value, digits, sequential=not international) or is_fictional_phone(value):
        return False
    return _international_ok(value) if international else True


@bounded(40)
def validate_phone_cued(value: str, context: str) -> bool:
    """A digit run after a phone cue word: valid in libphonenumber's plan for its +country code, or for a
    national number in one of the regions tried; not a date, not a count."""
    if not _PHONE_CUE_END.search(context):
        return False
    digits = digits_of(value)
    if value.startswith("00"):
        value, digits = "+" + value[2:], digits[2:]
    if not 7 <= len(digits) <= 15 or value.count("(") != value.count(")"):
        return False
    if _DATE_SHAPE.fullmatch(value) or _counting(value, digits, sequential=not value.startswith("+")):
        return False
    if is_fictional_phone(value):
        return False
    if value.startswith("+"):
        return _international_ok(value)
    return _national_ok(digits)


VALIDATORS: Mapping[str, Validator] = MappingProxyType({"phone": validate_phone, "phone_cued": validate_phone_cued})
# A number from a fictional range counts as a placeholder whenever the shape checks pass.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType(
    {"phone": _fictional_phone_note, "phone_cued": _fictional_phone_note}
)
