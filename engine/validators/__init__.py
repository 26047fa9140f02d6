"""Validators for the secret and personal-data rules (assets/rules/*.toml), and the registry of their names.

A regex only says "this has the shape of a card number / IBAN / API key". On the
text Tierwall sees every day (source code, logs, JSON, hashes, IDs) shape alone
fires far too often: any 16-digit order number looks like a card, any run of
capitals and digits like an IBAN, any `token = tokenizer.encode` like a secret.
So a rule may name a validator here, and the rule engine (engine/rules/) keeps
a match only if the validator agrees. Checksums do most of the work: Luhn
rejects 9 in 10 random digit runs, IBAN mod-97 rejects 96 in 97, and the rest
use cheap structural checks (issuer prefixes, country lengths, octet ranges,
entropy and placeholder detection).

Every validator has the signature ``(value: str, context: str) -> bool`` where
``value`` is the matched text (group ``v`` of the pattern, else the whole match)
and ``context`` is up to CONTEXT_CHARS characters of text just before it, lower-cased. They
are pure, never raise, and refuse over-long input before doing any work. A few take an argument,
written ``name:argument`` in a rule (``vendor:3.5``).

This module is the registry that turns any name a rule may give into the validator and its placeholder
check, from every module that has some: text_shape.py holds what they all build on (the Validator type,
``bounded``, entropy and placeholder checks); payment.py the cards and IBANs, us_ssn.py the US social
security number, network.py IP and e-mail addresses, phones.py phone numbers, credentials.py the secrets
(generic, passwords, vendor tokens, JWTs, URL credentials), vendor_keys.py the validator of the vendor
formats converted from gitleaks; national_ids/ the national identity numbers; dates.py, identity_documents.py
and postal_addresses.py the context-anchored personal data. A name given by two modules is an error at
import, not a silent override.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType, ModuleType

from engine.validators import (
    credentials,
    dates,
    identity_documents,
    national_ids,
    network,
    payment,
    phones,
    postal_addresses,
    us_ssn,
    vendor_keys,
)
from engine.validators.text_shape import Validator

_MODULES = (payment, us_ssn, network, phones, credentials, national_ids, identity_documents, dates, postal_addresses)

# Validators that take an argument, written "name:argument" in a rule (validate = "vendor:3.5"): the name
# maps to a factory from the argument (None when absent) to the validator and its placeholder check.
PARAMETRIC_VALIDATORS: Mapping[str, Callable[[str | None], tuple[Validator, Validator | None]]] = MappingProxyType(
    {"vendor": vendor_keys.vendor_validators}
)


def _merge(*modules: ModuleType) -> Mapping[str, Validator]:
    merged: dict[str, Validator] = {}
    for module in modules:
        for name, fn in module.VALIDATORS.items():
            if name in merged or name in PARAMETRIC_VALIDATORS:
                raise RuntimeError(f"validator {name!r} is defined twice ({module.__name__})")
            merged[name] = fn
    return MappingProxyType(merged)


VALIDATORS: Mapping[str, Validator] = _merge(*_MODULES)
# Per validator, where it has one: is a value it dropped a placeholder or documented example worth an info
# note? A published test card, sample IBAN or sample SSN counts whenever the shape checks pass; a vendor-shaped
# token (its pattern already demands the vendor's format) whenever its validator calls it a placeholder; a
# value assigned to a key-like name only when it carries an example mark; a national ID when its digits are
# ones no authority issues.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType(
    {name: fn for module in _MODULES for name, fn in getattr(module, "PLACEHOLDER_CHECKS", {}).items()}
)


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
