"""Validators for national identity numbers (assets/rules/pii_national.toml): checksums and structure.

A national ID is a short run of digits (and a letter or two), and short digit runs are everywhere in code,
logs and business text: order numbers, timestamps, version strings. What tells an identity number apart is
its official structure (a birth date, a region code, a sex or century digit, an issuing office's letter)
and its check digit, computed as each issuing authority publishes it. Every check here is written from
those public specifications.

Checksums differ in strength: a two-digit mod-97 key (French NIR) or two mod-11 check digits (Brazilian
CPF) reject 99 in 100 random runs, a Luhn or Verhoeff digit only 9 in 10. Where the check is weak and the
value is a bare run of digits, the rule also asks that the text just before it name the number
(``steuer-id``, ``cpf``, ``aadhaar``, ``आधार`` …) with no other field in between: CONTEXT_WORDS lists those
validators and their words. Their rules carry ``keywords`` so they only run on text that mentions the number
at all, or, where the name is a common substring ("sin" in "using", "nif" in "significant"), hold the name
in the pattern itself. Formatted values (``123.456.789-09``, ``1 85 05 78 006 084 36``, ``2345 6789 0123``)
and formats rigid enough on their own (codice fiscale, CURP, HETU, the Chinese ID) need no context; where
a type has both, the validator for the bare form is the ``*_named`` one.

Every validator has the signature ``(value, context) -> bool`` of engine/validators/text_shape.py: ``value``
is the match, ``context`` up to CONTEXT_CHARS characters before it, lower-cased. They are wrapped with
``bounded``, so they never raise and refuse over-long input. Names start with ``id_`` so they cannot clash with the
other modules' in the registry (engine/validators/__init__.py).

The checks themselves live by region (europe, nordics, americas, asia_pacific, africa), each written from
the issuing authority's public specification: it takes the matched value and says whether it has the
number's official structure and check digit. They are built from the digit tools of digits.py; naming.py
holds the words that name each number. This module turns each check into the validator its rule names
(_SPECS), and says which dropped values are typed placeholders worth a note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from engine.validators.national_ids.africa import za_id_ok
from engine.validators.national_ids.americas import br_cpf_ok, ca_sin_ok, mx_curp_ok, us_itin_ok
from engine.validators.national_ids.asia_pacific import (
    au_medicare_ok,
    au_tfn_ok,
    cn_resident_id_ok,
    hk_hkid_ok,
    in_aadhaar_ok,
    in_pan_ok,
    jp_my_number_ok,
    kr_rrn_checksum_ok,
    kr_rrn_ok,
    kr_rrn_structure_ok,
    sg_nric_ok,
)
from engine.validators.national_ids.digits import separators, trivial_digits
from engine.validators.national_ids.europe import (
    be_national_number_ok,
    ch_ahv_ok,
    de_steuer_id_ok,
    es_dni_ok,
    es_nie_ok,
    fr_nir_ok,
    hr_oib_ok,
    ie_ppsn_ok,
    it_codice_fiscale_ok,
    nl_bsn_ok,
    pl_pesel_ok,
    pt_nif_ok,
    ro_cnp_ok,
    tr_tckn_ok,
    uk_nino_ok,
)
from engine.validators.national_ids.naming import TERMS, named
from engine.validators.national_ids.nordics import dk_cpr_ok, fi_hetu_ok, no_fnr_ok, se_personnummer_ok
from engine.validators.text_shape import Validator, bounded, digits_of, preceded_by_number

Check = Callable[[str], bool]


def _make(check: Check, *, named_by: str | None = None, form: str = "any", limit: int = 40) -> Validator:
    """A validator from a structural check: the value does not continue a number before it, has the
    asked form ("any", "formatted": has a separator, "bare": has none), is named by the text before it
    in the words of CONTEXT_WORDS[named_by] if that is given, and passes `check`."""
    terms = TERMS[named_by] if named_by is not None else None

    @bounded(limit)
    def validate(value: str, context: str) -> bool:
        if preceded_by_number(context):
            return False
        has_sep = bool(separators(value))
        if (form == "formatted" and not has_sep) or (form == "bare" and has_sep):
            return False
        if terms is not None and not named(context, terms):
            return False
        return check(value)

    validate.__doc__ = (check.__doc__ or "").strip() + (" Named by the text before it." if named_by else "")
    return validate


def _kr_rrn_named_ok(value: str) -> bool:
    """A Korean RRN named by the text before it: written solid, or (issued since 2020) without a valid
    check digit; a hyphenated one with a valid check is id_kr_rrn's, so it is not reported twice."""
    if "-" in value and kr_rrn_checksum_ok(value):
        return False
    return kr_rrn_structure_ok(value)


# name, check, form (any / formatted: with separators / bare: without), needs the text before it to name the ID
_SPECS: tuple[tuple[str, Check, str, bool], ...] = (
    ("id_uk_nino", uk_nino_ok, "any", False),
    ("id_de_steuer_id", de_steuer_id_ok, "any", True),
    ("id_fr_nir", fr_nir_ok, "formatted", False),
    ("id_fr_nir_named", fr_nir_ok, "bare", True),
    ("id_it_codice_fiscale", it_codice_fiscale_ok, "any", False),
    ("id_es_dni", es_dni_ok, "any", False),
    ("id_es_nie", es_nie_ok, "any", False),
    ("id_in_aadhaar", in_aadhaar_ok, "formatted", False),
    ("id_in_aadhaar_named", in_aadhaar_ok, "bare", True),
    ("id_in_pan", in_pan_ok, "any", False),
    ("id_br_cpf", br_cpf_ok, "formatted", False),
    ("id_br_cpf_named", br_cpf_ok, "bare", True),
    ("id_nl_bsn", nl_bsn_ok, "any", True),
    ("id_pl_pesel", pl_pesel_ok, "any", True),
    ("id_ch_ahv", ch_ahv_ok, "formatted", False),
    ("id_ch_ahv_named", ch_ahv_ok, "bare", True),
    ("id_jp_my_number", jp_my_number_ok, "any", True),
    ("id_se_personnummer", se_personnummer_ok, "any", True),
    ("id_no_fnr", no_fnr_ok, "any", True),
    ("id_dk_cpr", dk_cpr_ok, "any", True),
    ("id_fi_hetu", fi_hetu_ok, "any", False),
    ("id_pt_nif", pt_nif_ok, "any", True),
    ("id_us_itin", us_itin_ok, "formatted", False),
    ("id_us_itin_named", us_itin_ok, "bare", True),
    ("id_ca_sin", ca_sin_ok, "any", True),
    ("id_au_tfn", au_tfn_ok, "any", True),
    ("id_au_medicare", au_medicare_ok, "any", True),
    ("id_cn_resident_id", cn_resident_id_ok, "any", False),
    ("id_be_national_number", be_national_number_ok, "formatted", False),
    ("id_be_national_number_named", be_national_number_ok, "bare", True),
    ("id_kr_rrn", kr_rrn_ok, "formatted", False),
    ("id_kr_rrn_named", _kr_rrn_named_ok, "any", True),
    ("id_mx_curp", mx_curp_ok, "any", False),
    ("id_sg_nric", sg_nric_ok, "any", False),
    ("id_hk_hkid", hk_hkid_ok, "any", False),
    ("id_za_id", za_id_ok, "any", True),
    ("id_tr_tckn", tr_tckn_ok, "any", True),
    ("id_ro_cnp", ro_cnp_ok, "any", True),
    ("id_hr_oib", hr_oib_ok, "any", True),
    ("id_ie_ppsn", ie_ppsn_ok, "any", True),
)

VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {name: _make(check, form=form, named_by=name if named else None) for name, check, form, named in _SPECS}
)


def _sample_note(named_by: str | None) -> Validator:
    """Says whether a value its validator dropped is a typed placeholder (123.456.789-09, BSN 111111111,
    S1234567D): the ID's shape, named where its rule needs a name, digits no authority issues."""
    terms = TERMS[named_by] if named_by is not None else None

    @bounded(40)
    def note(value: str, context: str) -> bool:
        digits = digits_of(value)
        if len(digits) < 6 or preceded_by_number(context):
            return False
        return (terms is None or named(context, terms)) and trivial_digits(digits.lstrip("0") or digits)

    return note


# Per validator: the typed placeholders worth an info note ("seen, not reported") instead of silence.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType(
    {name: _sample_note(name if named else None) for name, _check, _form, named in _SPECS}
)
