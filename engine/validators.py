"""The registry of rule validators: every name a rule's `validate` may give, from every module that has some.

engine/secrets.py holds the secret and basic personal-data checks (Luhn, IBAN, entropy, vendor formats …),
engine/national_ids.py the national identity numbers, engine/personal_data.py the context-anchored
personal data. A name given by two modules is an error at import, not a silent override.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from engine import national_ids, personal_data, secrets
from engine.secrets import PARAMETRIC_VALIDATORS, Validator


def _merge(*modules: object) -> Mapping[str, Validator]:
    merged: dict[str, Validator] = {}
    for module in modules:
        for name, fn in module.VALIDATORS.items():  # type: ignore[attr-defined]
            if name in merged or name in PARAMETRIC_VALIDATORS:
                raise RuntimeError(f"validator {name!r} is defined twice ({module.__name__})")  # type: ignore[attr-defined]
            merged[name] = fn
    return MappingProxyType(merged)


VALIDATORS: Mapping[str, Validator] = _merge(secrets, national_ids, personal_data)
# Per validator, where it has one: is a value it dropped a placeholder worth an info note?
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType(
    {name: fn for module in (secrets, national_ids, personal_data)
     for name, fn in getattr(module, "PLACEHOLDER_CHECKS", {}).items()}
)  # fmt: skip


def resolve_validator(spec: str) -> tuple[Validator, Validator | None]:
    """The validator a rule names (`validate = "…"`) and its placeholder check (None if it has none).

    Raises ValueError for an unknown name or a bad argument.
    """
    name, sep, arg = spec.partition(":")
    if name in PARAMETRIC_VALIDATORS:
        return PARAMETRIC_VALIDATORS[name](arg if sep else None)
    if sep or name not in VALIDATORS:
        raise ValueError(f"unknown validator {spec!r}")
    return VALIDATORS[name], PLACEHOLDER_CHECKS.get(name)
