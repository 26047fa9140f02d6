"""Values published for everyone to use as examples: test cards, sample IBANs, never-issued SSNs, phone ranges
kept for fiction.

A rule that finds one reports an info note, not a leak. The lists are data
(assets/reference/public_examples.toml), so a newly published example is added without a code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from engine.assets import AssetError, assets_dir, load_toml

FILE = "reference/public_examples.toml"


@dataclass(frozen=True, slots=True)
class PublicExamples:
    test_cards: frozenset[str]  # digits only
    sample_ibans: frozenset[str]  # upper case, no spaces
    ssns_never_issued: frozenset[str]  # nine digits
    fictional_phone_ranges: tuple[tuple[int, str], ...]  # (country code, start of the national number)


@cache
def public_examples() -> PublicExamples:
    """The lists, read once; a malformed file raises AssetError naming it."""
    data = load_toml(FILE)
    try:
        examples = PublicExamples(
            test_cards=frozenset(data["cards"]["test_numbers"]),
            sample_ibans=frozenset(data["iban"]["samples"]),
            ssns_never_issued=frozenset(data["ssn"]["never_issued"]),
            fictional_phone_ranges=tuple((cc, start) for cc, start in data["phone"]["fictional_ranges"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AssetError(f"{assets_dir() / FILE}: missing or malformed list ({exc!r})") from exc
    digits = [*examples.test_cards, *examples.ssns_never_issued,
              *(start for _, start in examples.fictional_phone_ranges)]  # fmt: skip
    if not all(isinstance(v, str) and v.isascii() and v.isdigit() for v in digits):
        raise AssetError(f"{assets_dir() / FILE}: card numbers, SSNs and phone ranges are strings of digits")
    if not all(isinstance(v, str) and v.isascii() and v.isalnum() and v.isupper() for v in examples.sample_ibans):
        raise AssetError(f"{assets_dir() / FILE}: sample IBANs are written in capitals without spaces")
    if not all(isinstance(cc, int) and 1 <= cc <= 999 for cc, _ in examples.fictional_phone_ranges):
        raise AssetError(f"{assets_dir() / FILE}: a fictional phone range starts with its country code (1-999)")
    return examples
