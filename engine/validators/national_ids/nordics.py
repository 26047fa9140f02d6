"""National identity numbers of the Nordic countries: Sweden, Norway, Denmark and Finland, each a birth date
with a serial and a check."""

from __future__ import annotations

from engine.validators.national_ids.digits import (
    grouped,
    separators,
    trivial_digits,
    valid_date,
    weighted,
)
from engine.validators.payment import luhn_ok
from engine.validators.text_shape import digits_of

# -- Sweden: personnummer ---------------------------------------------------------------------------------------


def se_personnummer_ok(value: str) -> bool:
    """Swedish personnummer: (CC)YYMMDD, "-" ("+" from age 100), 4 digits with a Luhn check over the
    10-digit form; day + 60 for a samordningsnummer."""
    digits = digits_of(value)
    seps = separators(value)
    if len(digits) not in (10, 12) or len(seps) > 1 or not seps <= {"-", "+"}:
        return False
    if seps and value[-5] not in "-+":
        return False
    if len(digits) == 12 and digits[:2] not in ("18", "19", "20"):
        return False
    short = digits[-10:]
    if trivial_digits(short):
        return False
    month, day = int(short[2:4]), int(short[4:6])
    day = day - 60 if day > 60 else day
    years = [int(digits[:4])] if len(digits) == 12 else [c + int(short[:2]) for c in (1800, 1900, 2000)]
    if not any(valid_date(y, month, day) for y in years):
        return False
    return luhn_ok(short)


# -- Norway: fødselsnummer --------------------------------------------------------------------------------------


def _no_year(yy: int, individual: int) -> list[int]:
    """Birth years the individual number allows (Skatteetaten's ranges)."""
    if individual <= 499:
        return [1900 + yy]
    if individual <= 749 and yy >= 54:
        return [1800 + yy]
    if individual >= 900 and yy >= 40:
        return [1900 + yy]
    return [2000 + yy] if yy <= 39 else []


def no_fnr_ok(value: str) -> bool:
    """Norwegian fødselsnummer: DDMMYY (day + 40 for a D-number, month + 40 for an H-number), an
    individual number that fits the century, two mod-11 check digits."""
    digits = grouped(value, ((6, 5),))
    if digits is None or len(digits) != 11 or not digits.isdigit() or trivial_digits(digits):
        return False
    day, month, yy = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    day = day - 40 if day > 40 else day
    month = month - 40 if month > 40 else month
    if not any(valid_date(y, month, day) for y in _no_year(yy, int(digits[6:9]))):
        return False
    k1 = 11 - weighted(digits[:9], (3, 7, 6, 1, 8, 9, 4, 5, 2)) % 11
    k2 = 11 - weighted(digits[:10], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
    return k1 % 11 == int(digits[9]) and k2 % 11 == int(digits[10])


# -- Denmark: CPR -----------------------------------------------------------------------------------------------


def _dk_year(yy: int, seventh: int) -> int:
    """The century from the 7th digit (CPR office rules)."""
    if seventh <= 3:
        return 1900 + yy
    if seventh in (4, 9):
        return (2000 if yy <= 36 else 1900) + yy
    return (2000 if yy <= 57 else 1800) + yy


def dk_cpr_ok(value: str) -> bool:
    """Danish CPR number: DDMMYY-SSSS, a real birth date with the century the 7th digit gives. (The old
    mod-11 check is not used: numbers issued since 2007 need not pass it.)"""
    digits = grouped(value, ((6, 4),), "-")
    if digits is None or len(digits) != 10 or not digits.isdigit() or trivial_digits(digits):
        return False
    return valid_date(_dk_year(int(digits[4:6]), int(digits[6])), int(digits[2:4]), int(digits[:2]))


# -- Finland: henkilötunnus (HETU) ------------------------------------------------------------------------------

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
                 "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}  # fmt: skip


def fi_hetu_ok(value: str) -> bool:
    """Finnish HETU: DDMMYY, century sign (+ - A, and since 2023 U-Y / B-F), individual number
    002-999, check character = DDMMYYZZZ mod 31."""
    if len(value) != 11 or not value.isascii():
        return False
    date, sign, individual, check = value[:6], value[6], value[7:10], value[10]
    if sign not in _HETU_CENTURY or not date.isdigit() or not individual.isdigit() or individual < "002":
        return False
    if not valid_date(_HETU_CENTURY[sign] + int(date[4:]), int(date[2:4]), int(date[:2])):
        return False
    return _HETU_CHECK[int(date + individual) % 31] == check
