"""The US social security number (assets/rules/pii.toml): the issuing rules, and the famous samples.

An SSN has no check digit, so what can be checked is what the Social Security Administration never issues
(area 000, 666 or 9xx, group 00, serial 0000) and the samples printed in wallets and documentation
(assets/reference/public_examples.toml), which are noted as placeholders instead of reported. The other
national identity numbers, most with a check digit, are in engine/validators/national_ids/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from engine.public_examples import public_examples
from engine.validators.text_shape import Validator, bounded, digits_of, preceded_by_number

# The inputs here are short matches already bounded by RE2 patterns; the stdlib `re`
# below only ever sees such bounded values, never the whole untrusted text.


@bounded(32)
def validate_ssn(value: str, context: str) -> bool:
    """AAA-GG-SSSS: area not 000/666/9xx, group not 00, serial not 0000, not a famous sample."""
    digits = digits_of(value)
    if len(digits) != 9 or len(value) != 11:
        return False
    if value[3] != value[6] or value[3] not in "- ":
        return False
    if preceded_by_number(context):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in public_examples().ssns_never_issued and len(set(digits)) > 1


_SSN_NAMED = re.compile(r"(?:\bssn|social\s+security(?:\s+(?:number|no\.?|#))?)\s*(?:number|no\.?|#)?\s*[:=#]?\s*$")


@bounded(32)
def validate_ssn_named(value: str, context: str) -> bool:
    """Nine digits right after "SSN" / "social security number": the dashed form's rules, written solid."""
    if len(value) != 9 or not value.isdigit() or not _SSN_NAMED.search(context):
        return False
    return validate_ssn(f"{value[:3]}-{value[3:5]}-{value[5:]}", "")


@bounded(32)
def _sample_ssn(value: str, context: str) -> bool:
    """078-05-1120 (printed in wallets sold in 1938) and the other famous samples: seen, owned by no one."""
    digits = digits_of(value)
    dashed = len(value) == 11 and value[3] == value[6] and value[3] in "- "
    return dashed and digits in public_examples().ssns_never_issued


VALIDATORS: Mapping[str, Validator] = MappingProxyType({"ssn": validate_ssn, "ssn_named": validate_ssn_named})
# A famous sample SSN counts as a placeholder whenever the shape checks pass.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType({"ssn": _sample_ssn})
