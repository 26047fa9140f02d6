"""Passports and driving licences (assets/rules/pii_context.toml): numbers named by the word before them.

A passport number is nine characters anyone could type. What makes it personal is the word before it
("Passport No.", "Reisepass", "DL#"), which the rules find; the checks here refuse what is not real: words
in a number's place, placeholders, dates. Two forms stand without context because their own structure
checks them: the machine-readable zone of a passport (ICAO 9303 check digits) and the UK driving licence
number (DVLA: birth date encoded inside).

Every validator has the signature of engine/validators/text_shape.py (``(value, context) -> bool``, context
lower-cased), is pure, and never raises (``bounded``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from engine.validators.dates import parse_date, real_date
from engine.validators.text_shape import Validator, bounded, digits_of, is_placeholder

# The stdlib `re` below only ever sees values already bounded by RE2 patterns and by `bounded`.


# -- passports ----------------------------------------------------------------------------------------------------

# Passport number shapes of the countries most often asked about. Any other 6-9 character number with three
# digits is accepted too (the rule needs a passport word before it): the shapes let one-digit serials through.
_PASSPORT_SHAPES = re.compile(
    r"[0-9]{9}"  # US (book), UK, and many others: nine digits
    r"|[A-Z][0-9]{8}"  # US (next generation), CN (E/G + 8), KR (M + 8)
    r"|[CFGHJK][CFGHJKLMNPRTVWXYZ0-9]{8}"  # DE: authority code and serial, from a 27-character alphabet
    r"|[0-9]{2}[A-Z]{2}[0-9]{5}"  # FR
    r"|[A-Z]{2}[0-9]{7}"  # IT, JP, PL, AU
    r"|[A-Z]{3}[0-9]{6}"  # ES
    r"|[A-Z]{2}[0-9]{6}"  # CA
    r"|[A-Z][0-9]{6,7}"  # PT (letter + 6), IN (letter + 7), AU
    r"|[A-NP-Z]{2}[A-NP-Z0-9]{6}[0-9]"  # NL: no letter O
)
_WORD_IN_VALUE = re.compile(r"[A-Z]*[AEIOU][A-Z]*")  # letters of a word, not of a serial


def _word_like(upper: str, run: int = 5) -> bool:
    """A word in a value ("STATUS1", "OAUTH2"): `run` or more letters in a row with a vowel among them.
    Serials rarely have that many letters in a row (Dutch passports may have four: "UWEB95U09"), and German
    ones have no A E I O U at all."""
    return any(len(letters) >= run for letters in _WORD_IN_VALUE.findall(upper))


@bounded(16)
def validate_passport(value: str, context: str) -> bool:
    """A passport number after a passport word: 6-9 letters and digits with at least one digit, of one case,
    no word inside, not a placeholder; a known country shape, or failing that at least three digits."""
    if not value.isascii() or not value.isalnum() or not 6 <= len(value) <= 9:
        return False
    upper = value.upper()
    digits = digits_of(value)
    if not digits or value not in (upper, value.lower()):
        return False
    if value != upper and len(digits) < 5:  # "oauth2", "photo1": typed in lower case, a number has many digits
        return False
    if _word_like(upper) or is_placeholder(value) or len(set(upper)) < 3:
        return False
    return bool(_PASSPORT_SHAPES.fullmatch(upper)) or len(digits) >= 3


# ICAO 9303 machine-readable zone, type 3 (passports): two lines of 44 characters.
_MRZ_WEIGHTS = (7, 3, 1)
_MRZ_LINE1 = re.compile(r"P[A-Z<][A-Z<]{3}[A-Z<]{39}")
_MRZ_LINE2 = re.compile(r"[A-Z0-9<]{9}[0-9][A-Z<]{3}[0-9]{6}[0-9][MFX<][0-9]{6}[0-9][A-Z0-9<]{14}[0-9<][0-9]")


def mrz_check_digit(field: str) -> int:
    """ICAO 9303 check digit: digits as themselves, A-Z as 10-35, '<' as 0, weighted 7-3-1, mod 10."""
    total = 0
    for i, ch in enumerate(field):
        if "0" <= ch <= "9":
            n = ord(ch) - 48
        elif "A" <= ch <= "Z":
            n = ord(ch) - 55
        elif ch == "<":
            n = 0
        else:
            raise ValueError(f"not an MRZ character: {ch!r}")
        total += n * _MRZ_WEIGHTS[i % 3]
    return total % 10


def _mrz_date_ok(yymmdd: str) -> bool:
    """A real month and day (the century is not written: any year of a century will do, 2000 is a leap year)."""
    return real_date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])) is not None


def _check_ok(field: str, digit: str) -> bool:
    # an empty optional field may carry '<' as its check digit
    return (digit == "<" and set(field) <= {"<"}) or (digit.isdigit() and mrz_check_digit(field) == int(digit))


@bounded(100)
def validate_passport_mrz(value: str, context: str) -> bool:
    """The data line of a passport's machine-readable zone (the name line before it if pasted): the check
    digits of document number, birth date, expiry, personal number and the composite one all agree."""
    lines = value.split()
    if len(lines) not in (1, 2):
        return False
    line2 = lines[-1]
    if not _MRZ_LINE2.fullmatch(line2):
        return False
    if len(lines) == 2 and not (_MRZ_LINE1.fullmatch(lines[0]) and lines[0][5].isalpha() and "<<" in lines[0][6:]):
        return False  # the name line: document code, issuing state, then SURNAME<<GIVEN<NAMES
    number = line2[0:9]
    if set(number) <= {"<"} or len(set(number.replace("<", ""))) < 2:
        return False
    if not (_mrz_date_ok(line2[13:19]) and _mrz_date_ok(line2[21:27])):
        return False
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return (
        _check_ok(number, line2[9])
        and _check_ok(line2[13:19], line2[19])
        and _check_ok(line2[21:27], line2[27])
        and _check_ok(line2[28:42], line2[42])
        and _check_ok(composite, line2[43])
    )


# -- driving licences ---------------------------------------------------------------------------------------------

_DROP_SEPARATORS = str.maketrans("", "", " -/")
_DROP_DIGITS = str.maketrans("", "", "0123456789")


@bounded(40)
def validate_driving_licence(value: str, context: str) -> bool:
    """A licence number after a driving-licence word: 5-18 letters and digits (separators aside) with at
    least three digits, no word inside, not a placeholder, not a date."""
    compact = value.translate(_DROP_SEPARATORS)
    if not 5 <= len(compact) <= 18 or not compact.isascii() or not compact.isalnum():
        return False
    upper = compact.upper()
    ndigits = len(compact) - len(compact.translate(_DROP_DIGITS))
    if ndigits < 3 or compact not in (upper, compact.lower()) or len(set(upper)) < 3:
        return False
    if ndigits < 5 and _word_like(upper, 6):
        return False  # a surname inside is fine where many digits follow (DVLA, Washington's old format)
    if is_placeholder(compact) or (len(compact) in (16, 18) and validate_uk_driving_licence(compact, context)):
        return False  # a DVLA number is reported once, by the rule that checks its structure
    return compact == value or not parse_date(value)  # "12/03/2019": an issue date, not a number


_DVLA = re.compile(r"([A-Z][A-Z9]{4})([0-9])([0-9]{2})([0-9]{2})([0-9])([A-Z][A-Z9])[0-9][A-Z]{2}(?:[0-9]{2})?")


@bounded(24)
def validate_uk_driving_licence(value: str, context: str) -> bool:
    """A DVLA licence number: five letters of the surname padded with 9s, the birth date encoded (decade,
    month + 50 for women, day, year), initials padded with 9, a digit, two check letters, and optionally the
    two-digit issue number."""
    m = _DVLA.fullmatch(value.replace(" ", ""))
    if m is None:
        return False
    surname, decade, month, day, year, _initials = m.groups()
    if "9" in surname and surname.rstrip("9") != surname[: surname.index("9")]:
        return False  # padding only at the end: "SMI9TH" is no surname
    if len(set(surname.rstrip("9"))) < 2 and len(surname.rstrip("9")) > 2:
        return False  # "AAAAA"
    mm = int(month) - 50 if int(month) > 50 else int(month)
    # the century is not written: 19x0s or 20x0s, whichever makes the day real (29 Feb in a leap year)
    return any(real_date(c + int(decade + year), mm, int(day)) for c in (1900, 2000))


VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {
        "passport": validate_passport,
        "passport_mrz": validate_passport_mrz,
        "driving_licence": validate_driving_licence,
        "driving_licence_uk": validate_uk_driving_licence,
    }
)
