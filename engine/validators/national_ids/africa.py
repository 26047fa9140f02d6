"""National identity numbers of Africa: the South African identity number (birth date, Luhn check)."""

from __future__ import annotations

from engine.validators.national_ids.digits import (
    grouped,
    trivial_digits,
    valid_date,
)
from engine.validators.payment import luhn_ok

# -- South Africa: identity number ------------------------------------------------------------------------------


def za_id_ok(value: str) -> bool:
    """South African ID: YYMMDD, sequence, citizenship 0/1/2, an 8 or 9, Luhn check digit."""
    digits = grouped(value, ((6, 4, 3), (6, 4, 1, 1, 1)))
    if digits is None or len(digits) != 13 or not digits.isdigit() or trivial_digits(digits):
        return False
    if digits[10] not in "012" or digits[11] not in "89":
        return False
    yy, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if not (valid_date(1900 + yy, month, day) or valid_date(2000 + yy, month, day)):
        return False
    return luhn_ok(digits)
