"""Secrets (assets/rules/secrets.toml): generic random values, passwords, vendor tokens, JWTs, URL credentials.

A rule finds a value by where it stands (after `api_key =`, `password:`, in `scheme://user:password@host`) or
by a vendor's prefix (ghp_, xoxb-, AKIA, sk-); the checks here ask whether the value is a real one: random
enough for its alphabet, not a placeholder (your_api_key_here, changeme, xxxx, ${VAR}), not a reference to a
variable (settings.SECRET_KEY), and for a JWT, a header and payload that decode to JSON. A value dropped as an
example (its rule's shape, marked as standing for a real one) is noted as a placeholder.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from types import MappingProxyType

from engine.validators.text_shape import (
    Validator,
    bounded,
    char_classes,
    is_example_value,
    is_placeholder,
    looks_like_code_reference,
    mostly_sequential,
    shannon_entropy,
)

# The inputs here are short matches already bounded by RE2 patterns; the stdlib `re`
# below only ever sees such bounded values, never the whole untrusted text.

MAX_JWT_LEN = 8192  # JWTs with fat payloads are the one long thing worth decoding


# Values a dedicated rule in secrets.toml reports under a precise label; the generic rule leaves them alone
# so one token yields one finding (and the redaction names the vendor).
DEDICATED_PREFIXES = (
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "glptt-", "xoxa-", "xoxb-",
    "xoxe-", "xoxp-", "xoxr-", "xoxs-", "AKIA", "ASIA", "AIza", "sk_live_", "sk_test_", "rk_live_", "rk_test_",
    "pk_live_", "sk-", "hf_", "npm_", "SG.", "eyJ", "-----BEGIN",
)  # fmt: skip


def _alphabet_size(s: str) -> int:
    """Size of the alphabet `s` was most likely drawn from: 16 for hex, 36 for one case + digits, …."""
    if all(ch in "0123456789abcdef" for ch in s) or all(ch in "0123456789ABCDEF" for ch in s):
        return 16
    lower = any("a" <= ch <= "z" for ch in s)
    upper = any("A" <= ch <= "Z" for ch in s)
    other = any(not ch.isascii() or not ch.isalnum() for ch in s)
    return 10 + 26 * (lower + upper) + 8 * other


def entropy_threshold(s: str) -> float:
    """Bits per character a random draw like `s` comfortably exceeds: 0.7 of the most it could have.

    A random string of length n over an alphabet of size k has at most log2(min(n, k)) bits per
    character; real draws sit close to it (hex of 32: ~3.6 of 4), hand-made values well below.
    """
    return 0.7 * math.log2(max(2, min(len(s), _alphabet_size(s))))


@bounded()
def validate_entropy(value: str, context: str) -> bool:
    """A generic secret: long, random-looking (entropy, mixed classes) and not a placeholder or code reference."""
    v = value.strip().strip("\"'`")
    if len(v) < 12:
        return False
    if v.startswith(DEDICATED_PREFIXES) or is_placeholder(v) or looks_like_code_reference(v):
        return False
    if "://" in v or v.startswith(("/", "./", "../", "~/", "\\", "-")):
        return False
    if "/" in v and not any("A" <= ch <= "Z" for ch in v):  # a path (projects/x/secrets/y), not base64
        return False
    if char_classes(v) < 2 or len(set(v)) < 8:
        return False
    return shannon_entropy(v) >= entropy_threshold(v)


@bounded(512)
def validate_password(value: str, context: str) -> bool:
    """A password assignment: at least 6 characters, not a placeholder, mask or reference to a variable."""
    v = value.strip().strip("\"'`")
    if len(v) < 6:
        return False
    if is_placeholder(v) or looks_like_code_reference(v):
        return False
    if v[0] in "=<>$%{&|" or v.endswith(":"):  # comparisons, templates, YAML keys
        return False
    if re.fullmatch(r"!{1,2}[a-z_]+", v):  # YAML tags such as !vault, !!str
        return False
    return len(set(v)) >= 3


@bounded(256)
def validate_password_said(value: str, context: str) -> bool:
    """A password found by its surroundings, not by an assignment (netrc's `password X`, `<password>`,
    `mysql -pX`, "the password is X"): as validate_password, and not a plain word (letters and digits or
    symbols mixed), since prose says "the password manager" and "password is required"."""
    v = value.strip().strip("\"'`").rstrip(".,;:!?)")  # "the password database." ends a sentence
    if len(v) < 6 or len(set(v)) < 5 or is_placeholder(v) or v[0] in "=<>$%{&|" or v.endswith(":"):
        return False
    return char_classes(v) >= 2 and not v.isalpha() and shannon_entropy(v) >= 2.5


def _token_body(value: str) -> str:
    """The random part of a vendor token: what follows its prefix (ghp_, xoxb-, sk_live_ …)."""
    body = re.sub(r"^(?:[A-Za-z]{2,10}[_\-]){1,2}", "", value) if not value.startswith("http") else value
    return body if len(body) >= 8 else value


def is_token_placeholder(value: str) -> bool:
    """A vendor-shaped token that is a placeholder: AKIAIOSFODNN7EXAMPLE, ghp_xxxx…, sk-your-key-here."""
    return is_placeholder(value) or is_placeholder(_token_body(value))


@bounded()
def validate_token(value: str, context: str) -> bool:
    """A token with a vendor prefix (ghp_, xoxb-, AKIA, AIza …): the random part is not a placeholder."""
    if is_token_placeholder(value):
        return False
    body = _token_body(value)
    if len(set(body)) < 6:
        return False
    if body.isascii() and body.isalpha() and body.isupper() and len(body) >= 16:  # AKIA + 16 capitals: 1 in 30
        return shannon_entropy(body) >= 3.0 and not mostly_sequential(body)
    return char_classes(body) >= 2 and shannon_entropy(body) >= 2.5


@bounded()
def validate_openai_key(value: str, context: str) -> bool:
    """An OpenAI-style sk-… key (not an Anthropic sk-ant- one): random part mixes upper, lower and digits."""
    if value.startswith("sk-ant-") or not validate_token(value, context):
        return False
    body = value.split("-", 1)[1]
    for prefix in ("proj-", "svcacct-", "admin-", "None-"):
        body = body.removeprefix(prefix)
    return char_classes(body.replace("-", "").replace("_", "")) >= 3


def _b64url_json(part: str) -> object:
    raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return json.loads(raw.decode("utf-8"))


@bounded(MAX_JWT_LEN)
def validate_jwt(value: str, context: str) -> bool:
    """A JSON Web Token: header and payload decode to JSON objects and the header names an algorithm or type."""
    parts = value.split(".")
    if len(parts) < 3:
        return False
    try:
        header = _b64url_json(parts[0])
        payload = _b64url_json(parts[1])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    return "alg" in header or "typ" in header or "enc" in header


@bounded()
def validate_url_credentials(value: str, context: str) -> bool:
    """The `user:password` of scheme://user:password@host: password present, not a placeholder or the user name."""
    user, sep, password = value.partition(":")
    if not sep or not password:
        return False
    if is_placeholder(password) or password.lower() in ("pass", "pw", "secret", "guest", "user", "root"):
        return False
    return password != user and not password.startswith(("$", "%", "{"))


@bounded()
def _token_example(value: str, context: str) -> bool:
    return is_token_placeholder(value)


@bounded()
def _assigned_example(value: str, context: str) -> bool:
    return is_example_value(value)


@bounded()
def _generic_example(value: str, context: str) -> bool:
    """As validate_entropy, leave a vendor-prefixed value to its own rule, which says it once."""
    return not value.strip().strip("\"'`").startswith(DEDICATED_PREFIXES) and is_example_value(value)


@bounded()
def _url_password_example(value: str, context: str) -> bool:
    return is_example_value(value.partition(":")[2])


VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {
        "entropy": validate_entropy,
        "password": validate_password,
        "password_said": validate_password_said,
        "token": validate_token,
        "openai_key": validate_openai_key,
        "jwt": validate_jwt,
        "url_credentials": validate_url_credentials,
    }
)
# A vendor-shaped token (its pattern already demands the vendor's format) counts as a placeholder whenever its
# validator calls it one; a value assigned to a key-like name only when it carries an example mark.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType(
    {
        "token": _token_example,
        "openai_key": _token_example,
        "entropy": _generic_example,
        "password": _assigned_example,
        "url_credentials": _url_password_example,
    }
)
