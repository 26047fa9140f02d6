"""Tests for the validators of the secret and basic personal-data rules (engine/validators/: payment, us_ssn,
network, phones, credentials, text_shape) and the rule files they serve (assets/rules/secrets.toml, pii.toml).

The example harness here applies the rules the way engine/rules/ does (RE2 over the
clean text, span of group `v` else the whole match, the validator called with that value
and the 40 characters before it, lower-cased), so the two rule files are guarded even
without the rest of the engine.
"""

from __future__ import annotations

import math
import random
import string
import time
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import validators as registry
from engine.assets import AssetError, assets_dir
from engine.validators import credentials, network, payment, phones, us_ssn
from engine.validators.text_shape import (
    CONTEXT_CHARS,
    char_classes,
    is_placeholder,
    looks_like_code_reference,
    shannon_entropy,
)
from engine.verdict import SEVERITIES

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "assets" / "rules"

# The validators the two rule files name, and their placeholder checks.
_MODULES = (payment, us_ssn, network, phones, credentials)
VALIDATORS: Mapping[str, Any] = MappingProxyType({k: f for m in _MODULES for k, f in m.VALIDATORS.items()})
PLACEHOLDER_CHECKS: Mapping[str, Any] = MappingProxyType(
    {k: f for m in _MODULES for k, f in getattr(m, "PLACEHOLDER_CHECKS", {}).items()}
)
card_issuer_ok = payment.card_issuer_ok
iban_mod97 = payment.iban_mod97
luhn_ok = payment.luhn_ok

RULE_FILES = ("secrets.toml", "pii.toml")
ALLOWED_KEYS = {
    "id", "category", "severity", "pattern", "view", "validate", "redact", "explain", "must_match", "must_not_match",
    "keywords",
}  # fmt: skip


def _load(name: str) -> list[dict[str, Any]]:
    with (RULES_DIR / name).open("rb") as fh:
        return tomllib.load(fh)["rule"]


RULES: list[dict[str, Any]] = [rule for name in RULE_FILES for rule in _load(name)]
COMPILED: dict[str, tuple[Any, int]] = {}


def _compiled(rule: dict[str, Any]) -> tuple[Any, tuple[int, ...]]:
    """The rule's regex and its value groups: `v`, then `v2`, `v3` … (the first that took part is the value)."""
    if rule["id"] not in COMPILED:
        regex = re2.compile(rule["pattern"])
        names = regex.groupindex
        groups = [names[n] for n in ["v", *(f"v{i}" for i in range(2, 10))] if n in names] or [0]
        COMPILED[rule["id"]] = (regex, tuple(groups))
    return COMPILED[rule["id"]]


def spans(rule: dict[str, Any], text: str) -> Iterator[tuple[int, int]]:
    """Spans one rule reports on `text`, validator applied, as engine/rules/ does it."""
    regex, groups = _compiled(rule)
    validator = VALIDATORS[rule["validate"]] if rule.get("validate") else None
    for m in regex.finditer(text):
        start = end = -1
        for group in groups:
            start, end = m.span(group)
            if 0 <= start < end:
                break
        if start < 0 or start == end:
            continue
        if validator is not None:
            context = text[max(0, start - CONTEXT_CHARS) : start].lower()
            if not validator(text[start:end], context):
                continue
        yield start, end


def found(rule_id: str, text: str) -> list[str]:
    rule = next(r for r in RULES if r["id"] == rule_id)
    return [text[s:e] for s, e in spans(rule, text)]


# -- the rule files ---------------------------------------------------------------------------------------------


def test_rule_ids_unique_and_files_nonempty() -> None:
    for name in RULE_FILES:
        assert _load(name), name
    ids = [r["id"] for r in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r["id"])
def test_rule_schema(rule: dict[str, Any]) -> None:
    assert set(rule) <= ALLOWED_KEYS, set(rule) - ALLOWED_KEYS
    for key in ("id", "category", "severity", "pattern", "view", "redact", "explain"):
        assert isinstance(rule.get(key), str) and rule[key], key
    assert rule["category"] in ("secret", "pii")
    assert rule["id"].startswith(rule["category"] + ".")
    assert rule["severity"] in SEVERITIES
    assert rule["view"] == "clean"
    assert rule.get("validate") is None or rule["validate"] in VALIDATORS
    assert "\n" not in rule["explain"]
    assert len(rule["must_match"]) >= 2 and len(rule["must_not_match"]) >= 2
    if rule["category"] == "secret":
        assert rule["redact"].startswith("SECRET:")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r["id"])
def test_pattern_compiles_for_re2_and_re2_set(rule: dict[str, Any]) -> None:
    regex, _ = _compiled(rule)
    assert regex.groups >= 0
    rset = re2.Set.SearchSet()
    assert rset.Add(rule["pattern"]) == 0
    rset.Compile()


EXAMPLES = [
    pytest.param(rule, text, expected, id=f"{rule['id']}-{'hit' if expected else 'miss'}{i}")
    for rule in RULES
    for expected, key in ((True, "must_match"), (False, "must_not_match"))
    for i, text in enumerate(rule[key])
]


@pytest.mark.parametrize(("rule", "text", "expected"), EXAMPLES)
def test_rule_examples(rule: dict[str, Any], text: str, expected: bool) -> None:
    hits = [text[s:e] for s, e in spans(rule, text)]
    if expected:
        assert hits, f"{rule['id']} should match {text!r}"
    else:
        assert not hits, f"{rule['id']} should not match {text!r} but found {hits!r}"


# -- spans: what gets redacted ----------------------------------------------------------------------------------


def test_spans_are_the_secret_not_the_name() -> None:
    assert found("secret.aws_access_key", "id=AKIAHZ68GRPL1INY6LLF;") == ["AKIAHZ68GRPL1INY6LLF"]
    assert found("secret.generic", 'api_key = "yqxxFfdEdVkkKbQWFHLxoj5V"') == ["yqxxFfdEdVkkKbQWFHLxoj5V"]
    assert found("secret.password", "DB_PASSWORD=Kx7#pQ2vLm") == ["Kx7#pQ2vLm"]
    assert found("secret.connection_string", "postgres://app:Tq8vLz2pXw@db:5432/x") == ["app:Tq8vLz2pXw"]
    assert found("pii.email", "mail jane.doe@acme-corp.co.uk.") == ["jane.doe@acme-corp.co.uk"]
    assert found("pii.ipv4", "from 185.22.174.9:22") == ["185.22.174.9"]
    assert found("pii.ipv6", "[2a01:4f8:c17:1a2b::1]:80") == ["2a01:4f8:c17:1a2b::1"]
    assert found("pii.credit_card", "x 4661 3186 0913 9090 y") == ["4661 3186 0913 9090"]


def test_private_key_span_is_the_whole_block() -> None:
    body = "\n".join(["MIIEowIBAAKCAQEAq2Lm9Wn4Rv1Xb8Pc3Yd6Hs0Gf5JaTk2Nq7Zw1Lm3Rv1Xb8Pc3Y"] * 60)
    block = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    text = f"my key:\n{block}\nwhy does ssh reject it?"
    assert found("secret.private_key", text) == [block]


def test_private_key_stays_linear_on_many_headers() -> None:
    text = ("-----BEGIN PRIVATE KEY-----\n" + "A" * 60 + "\n") * 4000
    started = time.perf_counter()
    list(spans(next(r for r in RULES if r["id"] == "secret.private_key"), text))
    assert time.perf_counter() - started < 2.0


def test_generic_leaves_vendor_tokens_to_their_rules() -> None:
    text = "token = ghp_dk9nyvNTUArr4QylvuCbULVJjD9boA2sUQhy"
    assert found("secret.github_token", text)
    assert not found("secret.generic", text)


def test_openai_rule_does_not_claim_anthropic_keys() -> None:
    key = "sk-ant-api03-lldCUVHk4ykp0ta9-BBCHxaibiRvMlvsPOrNok6Kq3DWYvhH36DyAt84TzdHRA4fqHsl14bDgIfzVGKSAA"
    assert found("secret.anthropic_api_key", key) == [key]
    assert not found("secret.openai_api_key", key)


BENIGN = [
    "def main():\n    for i in range(10):\n        print(f'{i}: {i * i}')\n",
    "2024-03-05 10:15:00,123 INFO worker-3 processed 1500 items in 12.5s (v2.13.0)",
    '{"id": "123e4567-e89b-12d3-a456-426614174000", "count": 42, "ok": true}',
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8\nAuthor: A Person <a.person@example.com>",
    "sha256  e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  file.tar.gz",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "Die Sitzung beginnt um 14:30 Uhr in Raum 3.12; bitte bringen Sie Ihre Unterlagen mit.",
    "numpy==1.26.4\nrequests>=2.31.0\ntorch==2.3.1+cu121",
    "for (auto& x : std::vector<int>{1, 2, 3}) { std::cout << x << std::endl; }",
    "The token count was 4096 and the max_tokens setting is 8192; temperature 0.7.",
    "SECRET_KEY = env('DJANGO_SECRET_KEY')\nDEBUG = env.bool('DEBUG', default=False)",
    "Sample at 44100 Hz, 16-bit, 2 channels; duration 00:03:25.120",
]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_everyday_text_has_no_findings(text: str) -> None:
    hits = {r["id"]: [text[s:e] for s, e in spans(r, text)] for r in RULES}
    assert not {k: v for k, v in hits.items() if v}


# -- shared helpers ---------------------------------------------------------------------------------------------


def test_shannon_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("ab") == pytest.approx(1.0)
    assert shannon_entropy("abcd" * 4) == pytest.approx(2.0)
    assert shannon_entropy(string.ascii_letters + string.digits) == pytest.approx(math.log2(62))


def test_char_classes() -> None:
    assert char_classes("") == 0
    assert char_classes("abc") == 1
    assert char_classes("aB3") == 3
    assert char_classes("aB3-") == 4


@pytest.mark.parametrize(
    "value",
    ["your_api_key_here", "xxxxxxxxxxxx", "<token>", "${VAR}", "{{ secret }}", "changeme", "0000000000000000",
     "0x00000000", "aaaaaaaaaaaa", "abababababab", "abcdefghijkl", "1234567890", "$API_TOKEN", "%PASSWORD%",
     "REDACTED", "example-key-value", "********", "None", "password"],
)  # fmt: skip
def test_is_placeholder(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["q8Zt3Lm5Wn2Rv7Xb4Pc9", "4b3df6488e95d277979d448580bd0a07", "hunter2024!"])
def test_is_not_placeholder(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("settings.SECRET_KEY", True), ("process.env.OPENAI_API_KEY", True), ("GITHUB_TOKEN_VALUE", True),
     ("getApiKeyFromEnvironment", True), ("user_password", True), ("tokenizer.encode", True),
     ("q8Zt3Lm5Wn2Rv7Xb4Pc9", False), ("ya29.a0Af8Zq2Lm9Wn4Rv1Xb8Pc3", False), ("Kx7pQ2vLm", False)],
)  # fmt: skip
def test_looks_like_code_reference(value: str, expected: bool) -> None:
    assert looks_like_code_reference(value) is expected


# -- validators -------------------------------------------------------------------------------------------------


def test_validators_registry() -> None:
    required = {"luhn", "iban", "ssn", "ipv4", "ipv6", "entropy", "password"}
    assert required <= set(VALIDATORS) and required <= set(registry.VALIDATORS)
    assert all(registry.VALIDATORS[name] is fn for name, fn in VALIDATORS.items())
    with pytest.raises(TypeError):
        registry.VALIDATORS["x"] = registry.VALIDATORS["luhn"]  # type: ignore[index]


@pytest.mark.parametrize(
    "number",
    ["4661 3186 0913 9090", "4661-3186-0913-9090", "4661318609139090", "5596 0308 2462 8198", "3748 219935 18197",
     "6011 0937 8657 9754", "4432 3194 8757 6", "2223 8190 9378 6572", "3575 7491 1862 5277"],
)  # fmt: skip
def test_luhn_accepts_cards(number: str) -> None:
    assert VALIDATORS["luhn"](number, "card: ")


@pytest.mark.parametrize(
    ("number", "why"),
    [("4111 1111 1111 1112", "checksum"), ("4111 1111 1111 1121", "checksum"),
     ("9111 1111 1111 1115", "no such issuer"), ("1700000000009", "no such issuer"),
     ("4111 11111111 1111", "grouping"), ("4111-1111 1111-1111", "mixed separators"),
     ("0000 0000 0000 0000", "repeated"), ("3782 822463 100050", "amex is 15 digits"),
     ("4111 1111 1111", "too short"), ("4111111111111111111111", "too long")],
)  # fmt: skip
def test_luhn_rejects(number: str, why: str) -> None:
    assert not VALIDATORS["luhn"](number, ""), why


def test_luhn_rejects_fragment_of_longer_number() -> None:
    assert not VALIDATORS["luhn"]("4111 1111 1111 1111", "ref 1234 ")


def test_luhn_helpers() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert not luhn_ok("")
    assert not luhn_ok("12a4")
    assert card_issuer_ok("4111111111111111")
    assert card_issuer_ok("378282246310005")
    assert not card_issuer_ok("378282246310005" + "0")
    assert not card_issuer_ok("9111111111111111")


@pytest.mark.parametrize(
    "iban",
    ["DE44 6018 9555 9797 1147 10",
     "FR7949746507529170342366712", "NL11RABO7684268465", "ES24 6321 2233 0792 4402 6859"],
)  # fmt: skip
def test_iban_accepts(iban: str) -> None:
    assert VALIDATORS["iban"](iban, "")


@pytest.mark.parametrize(
    "iban",
    ["GB82 WEST 1234 5698 7654 33", "GB28 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654",
     "XX82 WEST 1234 5698 7654 32", "DE44 6018 9555 9797 1147 1", "GB82-WEST-1234-5698-7654-32", ""],
)  # fmt: skip
def test_iban_rejects(iban: str) -> None:
    assert not VALIDATORS["iban"](iban, "")


def test_iban_mod97() -> None:
    assert iban_mod97("GB82WEST12345698765432") == 1
    assert iban_mod97("GB82WEST1234569876543!") == -1
    assert all(len(code) == 2 and 15 <= n <= 34 for code, n in payment.IBAN_LENGTHS.items())


@pytest.mark.parametrize("ssn", ["536-22-4815", "212 48 7761", "772-01-0001"])
def test_ssn_accepts(ssn: str) -> None:
    assert VALIDATORS["ssn"](ssn, "ssn: ")


@pytest.mark.parametrize(
    "ssn",
    ["000-22-4815", "666-22-4815", "900-22-4815", "999-22-4815", "536-00-4815", "536-22-0000", "078-05-1120",
     "123-45-6789", "536-22 4815", "53622-4815", "536224815", "111-11-1111"],
)  # fmt: skip
def test_ssn_rejects(ssn: str) -> None:
    assert not VALIDATORS["ssn"](ssn, "")


@pytest.mark.parametrize("ip", ["185.22.174.9", "10.20.30.41", "192.168.1.20", "8.8.8.8"])
def test_ipv4_accepts(ip: str) -> None:
    assert VALIDATORS["ipv4"](ip, "host ")


@pytest.mark.parametrize(
    ("ip", "context"),
    [("256.1.1.1", ""), ("1.2.3", ""), ("01.02.03.04", ""), ("0.0.0.0", ""), ("127.0.0.1", ""),
     ("255.255.255.0", "mask "), ("255.255.255.255", ""), ("192.0.2.10", ""), ("1.2.3.4", "version "),
     ("1.2.3.4", "release: "), ("1.2.3.4", "v"), ("2.0.1.5", "pkg=="), ("1.2.3.4", "1.3.6."), ("1.2.3.4", "x 5")],
)  # fmt: skip
def test_ipv4_rejects(ip: str, context: str) -> None:
    assert not VALIDATORS["ipv4"](ip, context)


@pytest.mark.parametrize(
    "ip",
    ["2a01:4f8:c17:1a2b::1", "2607:f8b0:4005:80a:0:0:0:200e", "fe80::1c2b:3aff:fe4d:5e6f%eth0",
     "::ffff:85.14.201.7", "2a00:1450:4001:82a::200e", "fd12:3456:789a:1::1"],
)  # fmt: skip
def test_ipv6_accepts(ip: str) -> None:
    assert VALIDATORS["ipv6"](ip, "addr ")


@pytest.mark.parametrize(
    "ip",
    ["::", "::1", "12:30:45", "1::2", "10::20", "Abc::Def", "cafe::beef", "00:1a:2b:3c:4d:5e", "2001:db8::1",
     "fe80:::1", "gggg::1", "1:2:3:4:5:6:7:8:9", "::ffff:127.0.0.1"],
)  # fmt: skip
def test_ipv6_rejects(ip: str) -> None:
    assert not VALIDATORS["ipv6"](ip, "addr ")


def test_ipv6_rejects_inside_a_word() -> None:
    assert not VALIDATORS["ipv6"]("d::1234", "st")


@pytest.mark.parametrize(
    "phone", ["+44 20 7183 4460", "+14158390172", "(415) 839-0198", "212-864-0147", "030 44712290", "06 12 48 73 95"]
)
def test_phone_accepts(phone: str) -> None:
    assert VALIDATORS["phone"](phone, "call ")


@pytest.mark.parametrize(
    ("phone", "context"),
    [("+1234", ""), ("+12345678", "a"), ("01 02 03 04 05", ""), ("555.123-4567", ""), ("(415 839-0198", ""),
     ("212-864-0147", "1234 "), ("+11111111111", ""), ("0123 456", "")],
)  # fmt: skip
def test_phone_rejects(phone: str, context: str) -> None:
    assert not VALIDATORS["phone"](phone, context)


@pytest.mark.parametrize("email", ["jane.doe@acme-corp.co.uk", "first.last+news@mailbox.org", "x_y@uni-wien.ac.at"])
def test_email_accepts(email: str) -> None:
    assert VALIDATORS["email"](email, "mail ")


@pytest.mark.parametrize(
    "email",
    ["user@example.com", "a@mail.example.org", "git@github.com", "logo@2x.png", "icon@1.5x.webp", "me@host.test",
     ".a@acme.org", "a..b@acme.org", "noatsign", "example@acme-corp.com", "your.name@mailbox.org"],
)  # fmt: skip
def test_email_rejects(email: str) -> None:
    assert not VALIDATORS["email"](email, "")


CREDITS = """Files: src/*
Copyright: 2011-2014, Ana Lima <ana.lima@mailbox.org>
           2016 Piet de Vries <piet@vries-software.nl>
License: MIT

This package was debianized by Tom Ruiz <tom.ruiz@posteo.de>
Author-email: Kim Park <kim@park-labs.io>
"""


def test_email_in_credit_lines_is_attribution_not_a_leak() -> None:
    assert found("pii.email", CREDITS) == []
    # the same addresses outside a credit line are still personal data
    letter = "Hi, forward the invoice to ana.lima@mailbox.org and cc piet@vries-software.nl please."
    assert found("pii.email", letter) == ["ana.lima@mailbox.org", "piet@vries-software.nl"]
    resume = "Name: Kim Park\nPhone: 0151 2345 6789\nEmail: kim@park-labs.io\n"
    assert found("pii.email", resume) == ["kim@park-labs.io"]


def _random_token(n: int, alphabet: str, seed: int) -> str:
    rnd = random.Random(seed)
    return "".join(rnd.choice(alphabet) for _ in range(n))


@pytest.mark.parametrize("seed", range(50))
def test_entropy_accepts_random_tokens(seed: int) -> None:
    # random values of the usual shapes must pass comfortably, whatever the draw
    assert VALIDATORS["entropy"](_random_token(32, "0123456789abcdef", seed), "secret = ")
    assert VALIDATORS["entropy"](_random_token(20, string.ascii_letters + string.digits, seed), "api_key=")
    assert VALIDATORS["entropy"](_random_token(40, string.ascii_letters + string.digits + "+/", seed), "key: ")


@pytest.mark.parametrize(
    "value",
    ["your_api_key_here", "xxxxxxxxxxxxxxxxxxxxxxxx", "<token>", "${API_KEY}", "changeme", "0" * 32,
     "aaaaaaaaaaaaaaaaaaaa", "abcdefghijklmnopqrstuvwxyz", "process.env.OPENAI_API_KEY", "settings.SECRET_KEY",
     "https://auth.acme.dev/oauth/token", "ghp_dk9nyvNTUArr4QylvuCbULVJjD9boA2sUQhy", "a" * 5000, "short1A"],
)  # fmt: skip
def test_entropy_rejects(value: str) -> None:
    assert not VALIDATORS["entropy"](value, "secret = ")


@pytest.mark.parametrize("value", ["hunter2024!", "Kx7#pQ2vLm", "S3cure-Pa55", "Blau-Haus-88", "Tr0ub4dor3"])
def test_password_accepts(value: str) -> None:
    assert VALIDATORS["password"](value, "password = ")


@pytest.mark.parametrize(
    "value",
    ["changeme", "********", "${DB_PASSWORD}", "self.password", "your_password_here", "password", "12345678",
     "=stored_hash", "user_password", "!vault", "abc", "<password>", "%(password)s", "xxxxxx"],
)  # fmt: skip
def test_password_rejects(value: str) -> None:
    assert not VALIDATORS["password"](value, "password = ")


def test_token_and_openai_and_jwt_and_url_credentials() -> None:
    assert VALIDATORS["token"]("ghp_dk9nyvNTUArr4QylvuCbULVJjD9boA2sUQhy", "")
    assert not VALIDATORS["token"]("ghp_" + "a" * 36, "")
    assert not VALIDATORS["token"]("AKIAIOSFODNNEXAMPLE7", "")
    assert VALIDATORS["openai_key"]("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", "")
    assert not VALIDATORS["openai_key"]("sk-learn-compatible-estimator-wrapper", "")
    assert not VALIDATORS["openai_key"]("sk-ant-api03-lldCUVHk4ykp0ta9-BBCHxaibiRvMlvsPOrNok6Kq3D", "")
    jwt = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1LTQ4MTUxNjIzIiwibmFtZSI6IlRlc3QgVXNlciIsImlhdCI6MTcwMDA"
        "wMDAwMH0.vhPrIE6GlKJfMMLWTTXoYj4XYH5jPQW7egjVjsoW_Wk"
    )
    assert VALIDATORS["jwt"](jwt, "")
    assert not VALIDATORS["jwt"](jwt.replace("eyJhbGci", "eyJhbGcX", 1), "")
    assert not VALIDATORS["jwt"]("eyJxxxxxxxx.eyJyyyyyyyy.zzzzzzzzzzzzzzzz", "")
    assert VALIDATORS["url_credentials"]("app_user:Tq8vLz2pXw", "")
    assert not VALIDATORS["url_credentials"]("guest:guest", "")
    assert not VALIDATORS["url_credentials"]("user:password", "")
    assert not VALIDATORS["url_credentials"]("user:${DB_PASSWORD}", "")
    assert not VALIDATORS["url_credentials"]("nocolon", "")


# -- placeholders: dropped, but said --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "value"),
    [("token", "AKIAIOSFODNN7EXAMPLE"), ("token", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
     ("token", "AKIAXXXXXXXXXXXXXXXX"), ("openai_key", "sk-your-api-key-here-0123456789abcdef"),
     ("entropy", "your_api_key_here"), ("entropy", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
     ("password", "changeme"), ("password", "<your-password>"), ("url_credentials", "admin:changeme")],
)  # fmt: skip
def test_a_dropped_example_value_is_known_as_one(validator: str, value: str) -> None:
    assert not VALIDATORS[validator](value, "")  # not reported as a secret …
    assert PLACEHOLDER_CHECKS[validator](value, "")  # … but said to be a placeholder


@pytest.mark.parametrize(
    ("validator", "value"),
    [("entropy", "None"), ("entropy", "${AWS_SECRET_ACCESS_KEY}"), ("password", "********"),
     ("password", "settings.DB_PASSWORD"), ("password", "%(password)s"), ("url_credentials", "user:$DB_PASS"),
     ("entropy", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")],  # the GitHub rule says that one, once
)  # fmt: skip
def test_references_masks_and_empty_values_are_not_called_examples(validator: str, value: str) -> None:
    assert not VALIDATORS[validator](value, "")
    assert not PLACEHOLDER_CHECKS[validator](value, "")  # code is full of them: nothing worth a note


def test_a_real_key_is_no_placeholder() -> None:
    real = {"token": "AKIAHZ68GRPL1INY6LLF", "password": "Kx7#pQ2vLm", "entropy": "yqxxFfdEdVkkKbQWFHLxoj5V",
            "url_credentials": "app:Tq8vLz2pXw"}  # fmt: skip
    for validator, value in real.items():
        assert VALIDATORS[validator](value, "") and not PLACEHOLDER_CHECKS[validator](value, "")


def test_every_placeholder_check_belongs_to_a_validator_of_a_rule() -> None:
    used = {r.get("validate") for r in RULES}
    assert set(PLACEHOLDER_CHECKS) <= set(VALIDATORS) and set(PLACEHOLDER_CHECKS) <= used


@pytest.mark.parametrize(
    ("validator", "value"),
    [("luhn", "4111 1111 1111 1111"), ("luhn", "4242424242424242"), ("luhn", "5555-5555-5555-4444"),
     ("luhn", "3782 822463 10005"), ("iban", "GB82 WEST 1234 5698 7654 32"), ("iban", "DE89370400440532013000"),
     ("ssn", "078-05-1120"), ("phone", "+1 415 555 0172"), ("phone", "07700 900123"), ("phone_cued", "01632 960260")],
)  # fmt: skip
def test_published_test_numbers_are_placeholders_not_personal_data(validator: str, value: str) -> None:
    assert not VALIDATORS[validator](value, "card: ")  # not reported …
    assert PLACEHOLDER_CHECKS[validator](value, "card: ")  # … but said to be a documented example


def test_a_real_looking_number_is_no_placeholder() -> None:
    assert not PLACEHOLDER_CHECKS["luhn"]("4661 3186 0913 9090", "")
    assert not PLACEHOLDER_CHECKS["luhn"]("4111 1111 1111 1112", "")  # wrong checksum: neither
    assert not PLACEHOLDER_CHECKS["iban"]("DE44 6018 9555 9797 1147 10", "")
    assert not PLACEHOLDER_CHECKS["ssn"]("536-22-4815", "")


@pytest.fixture
def own_examples(tmp_path, monkeypatch):
    """A copy of the public-examples file the test may edit, read in place of the shipped one."""
    from engine.public_examples import FILE, public_examples

    copy = tmp_path / FILE
    copy.parent.mkdir(parents=True)
    copy.write_text((assets_dir() / FILE).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("TIERWALL_ASSETS", str(tmp_path))
    public_examples.cache_clear()
    yield copy
    monkeypatch.delenv("TIERWALL_ASSETS")
    public_examples.cache_clear()


def test_public_examples_are_data(own_examples) -> None:
    """A newly published test card is added to the file, not to the code."""
    text = own_examples.read_text(encoding="utf-8")
    own_examples.write_text(text.replace('"5019717010103742",', '"5019717010103742", "4661318609139090",'),
                            encoding="utf-8")  # fmt: skip
    assert PLACEHOLDER_CHECKS["luhn"]("4661 3186 0913 9090", "")
    assert not VALIDATORS["luhn"]("4661 3186 0913 9090", "")


@pytest.mark.parametrize("broken", ["[cards]\ntest_numbers = [4111111111111111]\n", "[cards]\n", "not toml ["])
def test_a_broken_public_examples_file_is_named(own_examples, broken) -> None:
    from engine.public_examples import public_examples

    own_examples.write_text(broken, encoding="utf-8")
    with pytest.raises(AssetError, match=r"public_examples\.toml"):
        public_examples()


# -- robustness -------------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=300), context=st.text(max_size=60))
def test_validators_never_raise(value: str, context: str) -> None:
    for name, fn in [*VALIDATORS.items(), *PLACEHOLDER_CHECKS.items()]:
        assert isinstance(fn(value, context), bool), name


@settings(max_examples=200, deadline=None)
@given(value=st.text(alphabet="0123456789 -+.:()abcdefABCDEF%/@x", max_size=60))
def test_validators_never_raise_on_near_shapes(value: str) -> None:
    for name, fn in VALIDATORS.items():
        assert isinstance(fn(value, ""), bool), name


def test_validators_refuse_wrong_types_and_huge_values() -> None:
    for fn in [*VALIDATORS.values(), *PLACEHOLDER_CHECKS.values()]:
        assert fn(None, "") is False  # type: ignore[arg-type]
        assert fn("x", None) is False  # type: ignore[arg-type]
        assert fn("4" * 100_000, "") is False


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=400))
def test_rules_never_raise_on_arbitrary_text(text: str) -> None:
    for rule in RULES:
        for start, end in spans(rule, text):
            assert 0 <= start < end <= len(text)


def test_every_rule_is_fast_on_adversarial_input() -> None:
    rnd = random.Random(1)
    blobs = [
        "".join(rnd.choice(string.ascii_letters + string.digits + "+/") for _ in range(200_000)),
        " ".join(str(rnd.randint(0, 9999)) for _ in range(40_000)),
        "a:" * 100_000,
        "-----BEGIN PRIVATE KEY-----" * 5_000,
        "x@" * 100_000,
        "token = " * 25_000,
    ]
    for rule in RULES:
        regex, _ = _compiled(rule)
        started = time.perf_counter()
        for blob in blobs:
            for _ in regex.finditer(blob):
                pass
        assert time.perf_counter() - started < 3.0, rule["id"]


def test_one_re2_set_of_all_rules_stays_fast_and_never_gives_up() -> None:
    """engine/rules/ first asks one RE2 set which rules match at all; if that set's DFA ran out of
    memory on some text, every rule would silently report nothing for it. Counted repetitions of
    broad classes are what blow it up, so hostile mixes must stay fast and still find a marker."""
    options = re2.Options()
    options.max_mem = 64 << 20  # what engine/rules/compiled.py uses
    rset = re2.Set.SearchSet(options)
    for rule in RULES:
        rset.Add(rule["pattern"])
    rset.Compile()
    email = [r["id"] for r in RULES].index("pii.email")
    rnd = random.Random(3)
    words = ["token", "=", "secret:", "password", "pass", "api_key", "x@y.com", "://", "a:b@c", "AKIA", "sk-",
             "eyJ", "-----BEGIN PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED", "+44", "0171", "::", "1.2.3"]  # fmt: skip
    hostile = [
        "".join(rnd.choice(string.ascii_letters + string.digits + "+/") for _ in range(300_000)),
        "".join(rnd.choice("0123456789 -+().") for _ in range(300_000)),
        "".join(rnd.choice("0123456789abcdef:.") for _ in range(300_000)),
        "".join(chr(rnd.randint(32, 126)) for _ in range(300_000)),
        " ".join(rnd.choice(words) for _ in range(50_000)),
    ]
    for blob in hostile:
        data = (blob + "\nmail jane.doe@acme-corp.co.uk\n").encode()
        started = time.perf_counter()
        hits = rset.Match(data) or []
        assert time.perf_counter() - started < 1.0
        assert email in hits


def test_a_sequence_counts_as_a_placeholder_only_when_it_runs_one_way():
    from engine.validators.text_shape import is_placeholder, mostly_sequential

    assert mostly_sequential("123456789") and mostly_sequential("zyxwvu") and mostly_sequential("abcdef12")
    # a Luhn-valid card number whose digits step up and down by one: random, not a placeholder (found by fuzzing)
    assert not mostly_sequential("4874543123534566") and not is_placeholder("4874543123534566")
