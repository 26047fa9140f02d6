"""National identity numbers of the Americas: Brazil's CPF, the US ITIN, Canada's SIN, Mexico's CURP.

The US social security number has no check digit: it is in engine/validators/us_ssn.py.
"""

from __future__ import annotations

from engine.validators.national_ids.digits import (
    grouped,
    mod11_digit,
    separators,
    trivial_digits,
    valid_date,
    weighted,
)
from engine.validators.payment import luhn_ok
from engine.validators.text_shape import digits_of

# -- Brazil: CPF ------------------------------------------------------------------------------------------------


def br_cpf_checks(first9: str) -> str:
    """The two CPF check digits of its first nine digits (weights 10..2, then 11..2, mod 11)."""
    d1 = mod11_digit(weighted(first9, range(10, 1, -1)))
    d2 = mod11_digit(weighted(first9 + str(d1), range(11, 1, -1)))
    return f"{d1}{d2}"


def br_cpf_ok(value: str) -> bool:
    """Brazilian CPF: 11 digits (123.456.789-09 or solid), two mod-11 check digits, not all equal."""
    digits = digits_of(value)
    if len(digits) != 11 or trivial_digits(digits):
        return False
    seps = separators(value)
    if seps and value not in (f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}", f"{digits[:9]}-{digits[9:]}"):
        return False
    return br_cpf_checks(digits[:9]) == digits[9:]


# -- United States: ITIN ----------------------------------------------------------------------------------------


def us_itin_ok(value: str) -> bool:
    """US ITIN: 9XX-XX-XXXX with the middle group 50-65, 70-88, 90-92 or 94-99 (the IRS ranges);
    written 9XX-XX-XXXX, 9XX XX XXXX or solid."""
    digits = grouped(value, ((3, 2, 4),), " -")
    if digits is None or len(digits) != 9 or not digits.isdigit() or digits[0] != "9":
        return False
    group = int(digits[3:5])
    if not (50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99):
        return False
    return digits[5:] != "0000" and not trivial_digits(digits)


# -- Canada: SIN ------------------------------------------------------------------------------------------------


def ca_sin_ok(value: str) -> bool:
    """Canadian Social Insurance Number: 9 digits (3-3-3), first digit 1-7 or 9 (0 and 8 are not
    issued to people), Luhn check."""
    digits = grouped(value, ((3, 3, 3),), " -")
    if digits is None or len(digits) != 9 or not digits.isdigit() or digits[0] in "08":
        return False
    return not trivial_digits(digits) and luhn_ok(digits)


# -- Mexico: CURP -----------------------------------------------------------------------------------------------

_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CURP_STATES = frozenset(
    {"AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS", "NT",
     "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE"}
)  # fmt: skip


def mx_curp_check(first17: str) -> int:
    """RENAPO's CURP check digit: character values 0-36 weighted 18..2, (10 - sum mod 10) mod 10."""
    total = sum(_CURP_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(first17))
    return (10 - total % 10) % 10


def mx_curp_ok(value: str) -> bool:
    """Mexican CURP: name letters, birth date, sex H/M/X, state code, consonants, homoclave (a digit
    for births before 2000, a letter after), check digit."""
    if len(value) != 18 or not value[:4].isalpha() or not value[4:10].isdigit() or not value[17].isdigit():
        return False
    if value[10] not in "HMX" or value[11:13] not in _CURP_STATES:
        return False
    if any(ch not in _CURP_ALPHABET for ch in value):
        return False
    yy, month, day = int(value[4:6]), int(value[6:8]), int(value[8:10])
    year = (1900 if value[16].isdigit() else 2000) + yy
    if not valid_date(year, month, day):
        return False
    return mx_curp_check(value[:17]) == int(value[17])
