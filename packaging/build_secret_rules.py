"""Build assets/rules/vendor_secrets.toml from gitleaks' default rule set (config/gitleaks.toml, MIT).

    .venv/bin/python packaging/build_secret_rules.py                     # from the gitleaks mirror beside the repo
    .venv/bin/python packaging/build_secret_rules.py --git DIR [--rev R]  # any gitleaks git directory
    .venv/bin/python packaging/build_secret_rules.py --toml gitleaks.toml --license LICENSE --commit SHA
    .venv/bin/python packaging/build_secret_rules.py --check              # exit 1 if the file is out of date

Only the rule definitions are read (config/gitleaks.toml) and the licence (LICENSE). gitleaks' test
fixtures are reserved for held-out scoring (../shared/eval/RESERVED.md): never read here. Every example
in the output is made by this script: a random value drawn from the rule's own value pattern, put in a
line such as `ADAFRUIT_API_KEY="…"`, and checked through the engine (normalize + RuleSet.match).

Each gitleaks rule becomes one Tierwall rule (see assets/rules/README.md):

- id `secret.vendor.<gitleaks id, '-' as '_'>`, category secret, view clean, redact `SECRET:<that id>`;
- `pattern`: gitleaks' RE2 regex with its leading `[\\w.-]{0,50}?` dropped (it only moves where a match
  starts: the value is what is reported), the value group renamed `v` (gitleaks' `secretGroup`, else the
  outermost capture groups in order: `v`, `v2` … when they are alternatives), every other group made
  non-capturing; a few fixes in PATTERN_FIXES;
- `keywords`: gitleaks' keywords (lower case): the engine runs the pattern only on text holding one;
- `validate = "vendor[:<entropy>]"`: not a placeholder (engine/secrets.py is_vendor_placeholder) and at
  least gitleaks' `entropy` in bits per character, where the rule has one;
- severity: `high` for a token that carries its vendor's literal prefix, `medium` for a value found by a
  vendor name before it (`adafruit … = <32 chars>`), `low` for identifiers that are half a credential
  (client ids, access ids, public keys);
- `explain`: the start of gitleaks' description (the whole one is a comment above the rule).

Rules a hand-written rule in assets/rules/secrets.toml already covers are skipped (DUPLICATES), rules
with no pattern are dropped; both lists are in the output's header.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import re2  # noqa: E402

from engine.normalize import normalize  # noqa: E402
from engine.rules import RuleSet, _parse_rule  # noqa: E402
from engine.verdict import PLACEHOLDER  # noqa: E402

OUT = ROOT / "assets" / "rules" / "vendor_secrets.toml"
LICENSE_OUT = ROOT / "assets" / "rules" / "LICENSE.gitleaks"
DEFAULT_GIT = ROOT.parent / ".mirror" / "gitleaks+gitleaks" / "repo"
SOURCE_PATH = "config/gitleaks.toml"
SEED = 14  # the issue this file was built for; any fixed value keeps the output reproducible
ID_PREFIX = "secret.vendor."

# gitleaks rule -> the hand-written rule of assets/rules/secrets.toml that already reports it
DUPLICATES: dict[str, str] = {
    "aws-access-token": "secret.aws_access_key",
    "github-app-token": "secret.github_token",
    "github-fine-grained-pat": "secret.github_token",
    "github-oauth": "secret.github_token",
    "github-pat": "secret.github_token",
    "github-refresh-token": "secret.github_token",
    "gitlab-cicd-job-token": "secret.gitlab_token",
    "gitlab-deploy-token": "secret.gitlab_token",
    "gitlab-feed-token": "secret.gitlab_token",
    "gitlab-pat": "secret.gitlab_token",
    "gitlab-pat-routable": "secret.gitlab_token",
    "gitlab-ptt": "secret.gitlab_token",
    "gitlab-runner-authentication-token": "secret.gitlab_token",
    "gitlab-runner-authentication-token-routable": "secret.gitlab_token",
    "gitlab-scim-token": "secret.gitlab_token",
    "slack-bot-token": "secret.slack_token",
    "slack-config-access-token": "secret.slack_token",
    "slack-config-refresh-token": "secret.slack_token",
    "slack-legacy-bot-token": "secret.slack_token",
    "slack-user-token": "secret.slack_token",
    "slack-webhook-url": "secret.slack_webhook",
    "gcp-api-key": "secret.google_api_key",
    "stripe-access-token": "secret.stripe_secret_key",
    "openai-api-key": "secret.openai_api_key",
    "anthropic-api-key": "secret.anthropic_api_key",
    "anthropic-admin-api-key": "secret.anthropic_api_key",
    "huggingface-access-token": "secret.huggingface_token",
    "npm-access-token": "secret.npm_token",
    "sendgrid-api-token": "secret.sendgrid_key",
    "jwt": "secret.jwt",
    "private-key": "secret.private_key",
    "generic-api-key": "secret.generic",
    "curl-auth-header": "secret.generic",  # Authorization: Bearer/Basic …, X-Api-Key: … headers
    "hashicorp-tf-password": "secret.password",  # password = "…" (gitleaks: in *.tf / *.hcl files only)
}

# Literal fixes to a gitleaks pattern, with the reason (applied before anything else).
PATTERN_FIXES: dict[str, tuple[tuple[str, str], ...]] = {
    # The pattern is only the token's constant head (base64 of "bedrock.amazonaws.com"): take the rest of the
    # token too, so that redaction masks all of it.
    "aws-amazon-bedrock-api-key-short-lived": (
        ("YmVkcm9jay5hbWF6b25hd3MuY29t", "YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]*={0,2}"),
    ),
    # The pattern ends by taking the character after the token: keep the token alone as the value.
    "sentry-org-token": (
        (r"\bsntrys_eyJpYXQiO", r"\b(sntrys_eyJpYXQiO"),
        (r"_[a-zA-Z0-9+/]{43}(?:[^a-zA-Z0-9+/]|\z)", r"_[a-zA-Z0-9+/]{43})(?:[^a-zA-Z0-9+/]|\z)"),
    ),
    # Report the base64 value of the first `data:` entry, not `key: value` with template and empty-string
    # alternatives that gitleaks then removes with an allowlist.
    "kubernetes-secret-yaml": (
        (
            r"""([\w.-]+:(?:[ \t]*(?:\||>[-+]?)\s+)?[ \t]*"""
            r"""(?:["']?[a-z0-9+/]{10,}={0,3}["']?|\{\{[ \t\w"|$:=,.-]+}}|""|''))""",
            r"""[\w.-]+:(?:[ \t]*(?:\||>[-+]?)\s+)?[ \t]*["']?([a-z0-9+/]{10,}={0,3})["']?""",
        ),
    ),
}

# Which capture groups hold the value, where the default (secretGroup, else the outermost groups) is wrong.
# "match": the whole match (its groups are repeated parts or names of alternatives, not the value).
VALUE_GROUPS: dict[str, tuple[int, ...] | str] = {
    "microsoft-teams-webhook": "match",
    "jwt-base64": "match",
    "curl-auth-user": (2, 3, 4),  # user:password inside the quotes, or unquoted
}

# A validator other than vendor[:entropy], where gitleaks' allowlist for the rule asks for it.
VALIDATE: dict[str, str] = {
    "curl-auth-user": "url_credentials",  # placeholders (changeme, $VAR, <user>:<pass>, …) and user == password
    "vault-service-token": "vendor:3.5:digit",  # allowlist: s.<24 letters> (a field access, not a token)
}

# explain where gitleaks' description does not start with what was found
EXPLAIN: dict[str, str] = {
    "azure-ad-client-secret": "Azure AD client secret",
    "flutterwave-public-key": "Flutterwave public key",  # gitleaks' description says Finicity
    "cisco-meraki-api-key": "Cisco Meraki API key",
    "kubernetes-secret-yaml": "Kubernetes Secret manifest with data",
    "notion-api-token": "Notion API token",
    "sourcegraph-access-token": "Sourcegraph access token",
}

# key names for the example lines where the id makes a poor one
NAMES: dict[str, str] = {
    "1password-secret-key": "OP_SECRET_KEY",
    "1password-service-account-token": "OP_SERVICE_ACCOUNT_TOKEN",
}

# Examples written by hand, for patterns the sampler cannot put in a line: {hexN}, {alnumN}, {lowerN},
# {b64N} are filled with N random characters of that kind, {b64} with the base64 of random bytes (fixed
# seed); {{ and }} stand for { and }.
HAND_EXAMPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "curl-auth-user": (
        (
            "curl -u deploy:{alnum14} https://artifacts.acme.dev/api/upload",
            "curl --silent --user 'ci-bot:{alnum18}' -X POST https://jenkins.internal/job/build",
            'curl -s -u "svc_backup:{alnum16}" https://nas.lan/api/v2/snapshots',
        ),
        (
            "curl -u admin:changeme https://localhost:8080/api",
            'curl -u "$USER:$PASSWORD" https://artifacts.acme.dev/api/upload',
            "curl -u <user>:<password> https://api.acme.dev",
            "use curl -u with your user name to log in",
        ),
    ),
    "kubernetes-secret-yaml": (
        (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\ndata:\n  password: {b64}\n",
            "data:\n  api-token: {b64}\nkind: Secret\nmetadata:\n  name: billing-api\n",
        ),
        (
            "kind: Secret\ndata:\n  password: {{{{ .Values.dbPassword | b64enc }}}}\n",
            "kind: ConfigMap\ndata:\n  log_level: debug\n  region: eu-west-1\n",
            "kind: Secret\ndata:\n  password: xxxxxxxxxxxxxxxxxxxx\n",
            "a Kubernetes Secret keeps its data: base64, not encrypted",
        ),
    ),
}

_LOW_SEVERITY = re.compile(r"(?:client-id|access-id|api-id|pub-key|pub-api-key|public-key)$")
# gitleaks' "<name> … <operator> <value>" context: the value is found by a name before it
_CONTEXT_OPERATOR = r"(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)"
_EXPLAIN_LEAD = re.compile(
    r"^(?:Discovered|Detected|Identified|Uncovered|Found)\s+(?:an?\s+)?(?:(?:potential|possible)\s+)?"
    r"(?:pattern (?:that resembles|that may indicate|resembling)\s+(?:an?\s+)?)?"
)

# -- a parser for the RE2 syntax gitleaks uses ----------------------------------------------------------------

# Characters a sampled or mutated example may contain; classes are kept as subsets of these.
UNIVERSE = frozenset("\t\n\r" + "".join(chr(c) for c in range(32, 127)))
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SAFE_SYMBOLS = "-_.+/=~"
_WORD = _ALNUM | {"_"}
_HEX_LOWER = frozenset("0123456789abcdef")
_HEX_BOTH = _HEX_LOWER | frozenset("ABCDEF")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\n\r\f\v") & UNIVERSE
_POSIX = {
    "alnum": _ALNUM,
    "alpha": frozenset(c for c in _ALNUM if c.isalpha()),
    "digit": _DIGITS,
    "lower": frozenset("abcdefghijklmnopqrstuvwxyz"),
    "upper": frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    "xdigit": frozenset("0123456789abcdefABCDEF"),
    "space": _SPACE,
    "word": _WORD,
    "punct": frozenset(c for c in UNIVERSE if c.isprintable() and not c.isalnum() and c != " "),
}
_ESCAPE_SETS = {"d": _DIGITS, "s": _SPACE, "w": _WORD}
_CONTROL = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v", "a": "\a"}


@dataclass
class Lit:
    ch: str
    icase: bool = False  # matches either case; sampled as written (npm_, not NpM_)


@dataclass
class CharSet:
    chars: frozenset[str]
    written: frozenset[str] | None = None  # the class as written, before (?i) added the other case


@dataclass
class Cat:
    items: list


@dataclass
class Alt:
    items: list


@dataclass
class Rep:
    item: object
    lo: int
    hi: int | None


@dataclass
class Group:
    item: object
    index: int | None  # capture group number, None if non-capturing
    start: int = 0  # offset of its "(" in the pattern
    head: int = 1  # length of its opening: "(" or "(?P<name>"


@dataclass
class Anchor:
    kind: str


class RegexSyntaxError(ValueError):
    pass


def _fold(chars: frozenset[str] | set[str]) -> frozenset[str]:
    return frozenset(chars) | {c.swapcase() for c in chars if c.isalpha()}


class _Parser:
    """Recursive-descent parser for the RE2 subset of gitleaks' rules (flags i and s, POSIX classes, \\z)."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.groups: list[Group] = []

    def parse(self) -> object:
        node = self._alt({"i": False, "s": False})
        if self.i != len(self.p):
            raise RegexSyntaxError(f"unbalanced ) at {self.i}")
        return node

    def _peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def _alt(self, flags: dict[str, bool]) -> object:
        branches = [self._cat(flags)]
        while self._peek() == "|":
            self.i += 1
            branches.append(self._cat(flags))
        return branches[0] if len(branches) == 1 else Alt(branches)

    def _cat(self, flags: dict[str, bool]) -> Cat:
        items = []
        while self.i < len(self.p) and self._peek() not in "|)":
            atom = self._atom(flags)
            if atom is not None:
                items.append(self._quantified(atom))
        return Cat(items)

    def _quantified(self, atom: object) -> object:
        while True:
            c = self._peek()
            if c in ("*", "+", "?"):
                self.i += 1
                atom = Rep(atom, 0 if c != "+" else 1, 1 if c == "?" else None)
            elif c == "{" and (m := re.compile(r"\{(\d+)(,(\d*))?\}").match(self.p, self.i)):
                self.i = m.end()
                lo = int(m.group(1))
                hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
                atom = Rep(atom, lo, hi)
            else:
                return atom
            if self._peek() == "?":  # lazy: the same strings
                self.i += 1

    def _atom(self, flags: dict[str, bool]) -> object | None:
        c = self.p[self.i]
        if c == "(":
            return self._group(flags)
        if c == "[":
            return self._class(flags)
        self.i += 1
        if c == ".":
            return CharSet(UNIVERSE if flags["s"] else UNIVERSE - {"\n"})
        if c in "^$":
            return Anchor(c)
        if c == "\\":
            return self._escape(flags, in_class=False)
        return Lit(c, flags["i"] and c.isalpha())

    def _group(self, flags: dict[str, bool]) -> Group | None:
        start = self.i
        self.i += 1
        inner = dict(flags)
        index = None
        if self.p.startswith("?", self.i):
            m = re.compile(r"\?P?<(\w+)>").match(self.p, self.i)
            if m:
                self.i = m.end()
                self.groups.append(group := Group(None, len(self.groups) + 1, start, self.i - start))
                index = group.index
            else:
                m = re.compile(r"\?([imsU]*)(?:-([imsU]*))?([:)])").match(self.p, self.i)
                if not m:
                    raise RegexSyntaxError(f"unknown group syntax at {start}")
                self.i = m.end()
                target = flags if m.group(3) == ")" else inner
                for f in m.group(1):
                    target[f] = True
                for f in m.group(2) or "":
                    target[f] = False
                if m.group(3) == ")":
                    return None  # flags for the rest of the enclosing group
        else:
            self.groups.append(group := Group(None, len(self.groups) + 1, start, 1))
            index = group.index
        body = self._alt(inner)
        if self._peek() != ")":
            raise RegexSyntaxError(f"missing ) for group at {start}")
        self.i += 1
        if index is not None:
            group = self.groups[index - 1]
            group.item = body
            return group
        return Group(body, None, start, 0)

    def _escape(self, flags: dict[str, bool], *, in_class: bool) -> object:
        c = self.p[self.i]
        self.i += 1
        if c in "dsw":
            return CharSet(_ESCAPE_SETS[c])
        if c in "DSW":
            return CharSet(UNIVERSE - _ESCAPE_SETS[c.lower()])
        if not in_class and c in "bBAz":
            return Anchor("\\" + c)
        if c == "x":
            m = re.compile(r"\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{2})").match(self.p, self.i)
            if not m:
                raise RegexSyntaxError(f"bad \\x at {self.i}")
            self.i = m.end()
            ch = chr(int(m.group(1) or m.group(2), 16))
        elif c in _CONTROL:
            ch = _CONTROL[c]
        elif not c.isalnum():
            ch = c
        else:
            raise RegexSyntaxError(f"unsupported escape \\{c}")
        return Lit(ch, flags["i"] and ch.isalpha())

    def _class(self, flags: dict[str, bool]) -> CharSet:
        self.i += 1
        negate = self._peek() == "^"
        if negate:
            self.i += 1
        chars: set[str] = set()
        first = True
        while True:
            if self.i >= len(self.p):
                raise RegexSyntaxError("unterminated [")
            c = self.p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            m = re.compile(r"\[:(\^?)(\w+):\]").match(self.p, self.i)
            if m:
                self.i = m.end()
                members = _POSIX[m.group(2)]
                chars |= (UNIVERSE - members) if m.group(1) else members
                continue
            lo = self._class_char(flags)
            if isinstance(lo, frozenset):
                chars |= lo
                continue
            if self._peek() == "-" and self.i + 1 < len(self.p) and self.p[self.i + 1] != "]":
                self.i += 1
                hi = self._class_char(flags)
                if isinstance(hi, frozenset):
                    raise RegexSyntaxError("class in a range")
                chars |= {chr(o) for o in range(ord(lo), ord(hi) + 1)}
            else:
                chars.add(lo)
        chars &= UNIVERSE
        if negate:
            return CharSet(frozenset(UNIVERSE - _fold(chars) if flags["i"] else UNIVERSE - chars))
        return CharSet(_fold(chars), frozenset(chars)) if flags["i"] else CharSet(frozenset(chars))

    def _class_char(self, flags: dict[str, bool]) -> str | frozenset[str]:
        c = self.p[self.i]
        if c != "\\":
            self.i += 1
            return c
        self.i += 1
        node = self._escape({"i": False, "s": False}, in_class=True)
        return node.chars if isinstance(node, CharSet) and len(node.chars) != 1 else _single(node)


def _single(node: object) -> str:
    if isinstance(node, Lit):
        return node.ch
    assert isinstance(node, CharSet) and len(node.chars) == 1
    return next(iter(node.chars))


def parse(pattern: str) -> tuple[object, list[Group]]:
    parser = _Parser(pattern)
    return parser.parse(), parser.groups


def _walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, Cat | Alt):
        for item in node.items:
            yield from _walk(item)
    elif isinstance(node, Rep | Group):
        yield from _walk(node.item)


def _outermost_groups(node: object) -> list[Group]:
    if isinstance(node, Group) and node.index is not None:
        return [node]
    if isinstance(node, Cat | Alt):
        return [g for item in node.items for g in _outermost_groups(item)]
    if isinstance(node, Rep | Group):
        return _outermost_groups(node.item)
    return []


# -- sampling ---------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """Characters one counted class produced inside the value: where (offset in the value), how many, of what."""

    start: int
    count: int
    chars: frozenset[str]
    lo: int


@dataclass
class Sample:
    text: str
    value: tuple[int, int]  # span of the value in text
    runs: list[Run] = field(default_factory=list)  # offsets relative to the value's start


class _Sampler:
    """Draws a string from a parsed pattern: random inside the value, the plainest choice around it."""

    def __init__(self, rng: random.Random, value_groups: set[int] | None) -> None:
        self.rng = rng
        self.value_groups = value_groups  # None: the whole match is the value
        self.out: list[str] = []
        self.pos = 0
        self.value: tuple[int, int] | None = None
        self.runs: list[Run] = []
        self.in_value = value_groups is None
        self.value_start = 0

    def sample(self, node: object) -> Sample:
        self._gen(node)
        text = "".join(self.out)
        span = self.value if self.value is not None else (0, len(text))
        return Sample(text, span, self.runs)

    def _emit(self, s: str) -> None:
        self.out.append(s)
        self.pos += len(s)

    def _pick(self, charset: CharSet, *, repeated: bool = False) -> str:
        chars = charset.chars
        if len(chars) > 90 and not repeated:  # a lone ".": a dot, as in xoxe.xoxb- or gems.contribsys.com
            return "."
        if self.in_value:
            # as written (a-z under (?i) stays lower case); hex in one case, as keys are printed
            chars = charset.written or (_HEX_LOWER if chars == _HEX_BOTH else chars)
            alnum = sorted(chars & _ALNUM)
            safe = sorted(c for c in chars if c in _SAFE_SYMBOLS)
            if alnum and (not safe or self.rng.random() < 0.93):
                return self.rng.choice(alnum)
            if safe:
                return self.rng.choice(safe)
        for c in " \"'=/:a0":
            if c in chars:
                return c
        printable = sorted(c for c in chars if c.isprintable())
        return (printable or sorted(chars))[0]

    def _gen(self, node: object) -> None:
        if isinstance(node, Lit):
            self._emit(node.ch)
        elif isinstance(node, CharSet):
            self._emit(self._pick(node))
        elif isinstance(node, Anchor):
            pass
        elif isinstance(node, Cat):
            for item in node.items:
                self._gen(item)
        elif isinstance(node, Alt):
            self._gen(self.rng.choice(node.items) if self.in_value else node.items[0])
        elif isinstance(node, Rep):
            if self.in_value:
                spread = 16 if node.hi is None else min(node.hi - node.lo, 16)
                count = node.lo + self.rng.randint(0, spread)
            elif node.lo == 0 and isinstance(node.item, CharSet) and " " in node.item.chars and node.hi != 0:
                count = 1  # one space where the pattern allows some: key = "value", not key="value"
            else:
                count = node.lo
            start = self.pos
            for _ in range(count):
                if isinstance(node.item, CharSet):
                    self._emit(self._pick(node.item, repeated=True))
                else:
                    self._gen(node.item)
            if self.in_value and isinstance(node.item, CharSet) and count:
                self.runs.append(Run(start - self.value_start, count, node.item.chars, node.lo))
        elif isinstance(node, Group):
            opens = self.value_groups is not None and node.index in self.value_groups and self.value is None
            if opens and not self.in_value:
                self.in_value = True
                self.value_start = self.pos
                self._gen(node.item)
                self.in_value = False
                if self.pos > self.value_start:
                    self.value = (self.value_start, self.pos)
                else:
                    self.runs.clear()
            else:
                self._gen(node.item)


def sample(ast: object, value_groups: set[int] | None, rng: random.Random) -> Sample:
    return _Sampler(rng, value_groups).sample(ast)


# -- conversion -------------------------------------------------------------------------------------------------


@dataclass
class Converted:
    gid: str
    rule: dict  # the Tierwall rule, in the order of its keys in the file
    description: str
    ast: object
    value_groups: set[int] | None
    fixes: list[str] = field(default_factory=list)


def _strip_context_prefix(pattern: str) -> str:
    """Drop gitleaks' leading `[\\w.-]{0,50}?`: it only moves where a match starts, never whether one exists."""
    lead = r"[\w.-]{0,50}?"
    for _ in range(2):
        if pattern.startswith(lead):
            pattern = pattern[len(lead) :]
        elif pattern.startswith("(?i)" + lead):
            pattern = "(?i)" + pattern[4 + len(lead) :]
        elif pattern.startswith("(?i:" + lead):
            pattern = "(?i:" + pattern[4 + len(lead) :]
    return pattern


def _rewrite_groups(pattern: str, groups: list[Group], value: list[int]) -> str:
    """The value groups named v, v2, v3 …, every other capture group non-capturing."""
    names = {index: "v" if k == 0 else f"v{k + 1}" for k, index in enumerate(value)}
    out = pattern
    for group in sorted(groups, key=lambda g: g.start, reverse=True):
        head = f"(?P<{names[group.index]}>" if group.index in names else "(?:"
        out = out[: group.start] + head + out[group.start + group.head :]
    return out


def _literal_head(node: object) -> tuple[int, bool]:
    """How many literal characters every match of `node` starts with, and whether it is all literal."""
    if isinstance(node, Lit):
        return 1, True
    if isinstance(node, Anchor):
        return 0, True
    if isinstance(node, CharSet):
        one = len(node.chars) == 1 or (len(node.chars) == 2 and len({c.lower() for c in node.chars}) == 1)
        return (1, True) if one else (0, False)
    if isinstance(node, Group):
        return _literal_head(node.item)
    if isinstance(node, Rep):
        k, full = _literal_head(node.item)
        if node.lo == 0:
            return 0, False
        return (k * node.lo, True) if full and node.hi == node.lo else (k, False)
    if isinstance(node, Cat):
        total = 0
        for item in node.items:
            k, full = _literal_head(item)
            total += k
            if not full:
                return total, False
        return total, True
    assert isinstance(node, Alt)
    heads = [_literal_head(item) for item in node.items]
    shortest = min(k for k, _ in heads)
    return shortest, all(full and k == shortest for k, full in heads)


def _severity(gid: str, pattern: str, ast: object, value_groups: set[int] | None) -> str:
    """low: half a credential (an id, a public key); high: a token with its vendor's literal prefix (dop_v1_,
    SK, AKCp); medium: a value of a common shape found by a vendor's name before it, or with no prefix."""
    if _LOW_SEVERITY.search(gid):
        return "low"
    if _CONTEXT_OPERATOR in pattern:
        return "medium"
    value = ast
    if value_groups:
        value = next(n for n in _walk(ast) if isinstance(n, Group) and n.index == min(value_groups))
    return "high" if _literal_head(value)[0] >= 2 else "medium"


def _explain(gid: str, description: str) -> str:
    if gid in EXPLAIN:
        return EXPLAIN[gid]
    text = _EXPLAIN_LEAD.sub("", description.strip())
    text = re.split(r",|\.\s|\.$| which | posing | risking | potentially ", text)[0].strip()
    text = re.sub(r"\bkeys$", "key", text)
    return text[:1].upper() + text[1:]


def _fmt_entropy(x: float) -> str:
    return f"{x:g}"


def convert(raw: dict) -> Converted:
    gid = raw["id"]
    pattern = raw["regex"]
    fixes = []
    for old, new in PATTERN_FIXES.get(gid, ()):
        if old not in pattern:
            raise ValueError(f"{gid}: fix does not apply: {old!r}")
        pattern = pattern.replace(old, new)
        fixes.append(f"{old} -> {new}")
    pattern = _strip_context_prefix(pattern)
    ast, groups = parse(pattern)
    override = VALUE_GROUPS.get(gid)
    if override == "match":
        value: list[int] = []
    elif isinstance(override, tuple):
        value = list(override)
    elif raw.get("secretGroup"):
        value = [int(raw["secretGroup"])]
    else:
        value = [g.index for g in _outermost_groups(ast) if g.index is not None]
    converted_pattern = _rewrite_groups(pattern, groups, value)
    ast, _ = parse(converted_pattern)
    # after the rewrite the value groups are numbered 1..len(value) in order of their "("
    value_groups = set(range(1, len(value) + 1)) if value else None
    tid = gid.replace("-", "_")
    validate = VALIDATE.get(gid)
    if validate is None:
        validate = "vendor" + (f":{_fmt_entropy(raw['entropy'])}" if raw.get("entropy") else "")
    rule = {
        "id": ID_PREFIX + tid,
        "category": "secret",
        "severity": _severity(gid, pattern, ast, value_groups),
        "pattern": converted_pattern,
        "view": "clean",
        "validate": validate,
        "keywords": list(dict.fromkeys(k.lower() for k in raw["keywords"])),
        "redact": f"SECRET:{tid}",
        "explain": _explain(gid, raw["description"]),
    }
    return Converted(gid, rule, raw["description"], ast, value_groups, fixes)


# -- examples ---------------------------------------------------------------------------------------------------

LINE_TEMPLATES = (
    '{NAME}="{v}"',
    "export {NAME}={v}",
    '  "{name}": "{v}",',
    "{name}: {v}",
    "const {camel} = '{v}';",
    "{NAME}={v}",
    "{v}",
)
_BAD_CHARS = "#!%^@~&,*"
_TRIES = 40


def _names(c: Converted) -> list[str]:
    """Key names for the example lines: from the id, then from each keyword that is a word."""
    tail = "TOKEN" if "token" in c.gid else "SECRET" if "secret" in c.gid else "API_KEY"
    names = [NAMES.get(c.gid, re.sub(r"[^A-Za-z0-9]+", "_", c.gid).upper())]
    for kw in c.rule["keywords"]:
        if re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", kw):
            names.append(f"{kw.upper()}_{tail}")
    return list(dict.fromkeys(names))


def _camel(name: str) -> str:
    parts = [p for p in name.lower().split("_") if p]
    return parts[0] + "".join(p.title() for p in parts[1:]) if parts else "key"


class Checker:
    """Runs one rule through the engine (normalize, then RuleSet.match) and says what it found."""

    def __init__(self, rule: dict, source: Path) -> None:
        self.id = rule["id"]
        self.ruleset = RuleSet([_parse_rule(dict(rule, must_match=[], must_not_match=[]), source)])

    def ids(self, text: str) -> set[str]:
        return {f.rule for f in self.ruleset.match(normalize(text))}

    def hit(self, text: str) -> bool:
        return self.id in self.ids(text)

    def placeholder(self, text: str) -> bool:
        ids = self.ids(text)
        return self.id not in ids and f"{self.id}.{PLACEHOLDER}" in ids


@dataclass
class Examples:
    must_match: list[str]
    must_not_match: list[str]
    placeholder: str | None  # the must_not_match example the engine calls a placeholder (info)


def _line(template: str, name: str, value: str) -> tuple[str, int]:
    fields = {"NAME": name, "name": name.lower(), "camel": _camel(name)}
    before = template.split("{v}")[0].format(**fields)
    return template.format(v=value, **fields), len(before)


def _mutants(s: Sample, rng: random.Random) -> list[tuple[str, str]]:
    """Wrong length, wrong characters and placeholder versions of a sample's value."""
    start, end = s.value
    value = s.text[start:end]
    out = []
    shortenable = [r for r in s.runs if r.lo >= 1]
    if shortenable:
        run = max(shortenable, key=lambda r: (r.lo, r.count))
        cut = run.count - run.lo + 1
        out.append(("length", value[: run.start] + value[run.start + cut :]))
    if s.runs:
        run = max(s.runs, key=lambda r: r.count)
        bad = next((c for c in _BAD_CHARS if c not in run.chars), None)
        if bad is not None:
            k = run.start + run.count // 2
            out.append(("charset", value[:k] + bad + value[k + 1 :]))
        filled = list(value)
        for r in s.runs:
            fill = next((c for c in "xX0" if c in r.chars), None)
            if fill is not None:
                filled[r.start : r.start + r.count] = fill * r.count
        out.append(("placeholder", "".join(filled)))
    # one character of the literal part (a vendor's prefix) changed: a near miss
    in_runs = {k for r in s.runs for k in range(r.start, r.start + r.count)}
    literal = [k for k, ch in enumerate(value) if k not in in_runs and ch.isalnum()]
    if literal:
        k = literal[len(literal) // 2]
        swap = "Q" if value[k] != "Q" else "J"
        out.append(("prefix", value[:k] + swap + value[k + 1 :]))
    return out


def _fill_hand(template: str, rng: random.Random) -> str:
    kinds = {
        "hex": "0123456789abcdef",
        "alnum": "".join(sorted(_ALNUM)),
        "lower": "abcdefghijklmnopqrstuvwxyz0123456789",
        "b64": "".join(sorted(_ALNUM)) + "+/",
    }
    filled = re.sub(
        r"\{(hex|alnum|lower|b64)(\d+)\}",
        lambda m: "".join(rng.choice(kinds[m.group(1)]) for _ in range(int(m.group(2)))),
        template,
    )
    # {b64}: the base64 of 12-30 random bytes, padded as base64 is
    filled = re.sub(r"\{b64\}", lambda m: base64.b64encode(rng.randbytes(rng.randint(12, 30))).decode("ascii"), filled)
    return filled.replace("{{", "{").replace("}}", "}")


def examples(c: Converted, checker: Checker) -> Examples:
    rng = random.Random(f"{SEED}:{c.gid}")
    if c.gid in HAND_EXAMPLES:
        good, bad = HAND_EXAMPLES[c.gid]
        must = [_fill_hand(t, rng) for t in good]
        must_not = [_fill_hand(t, rng) for t in bad]
        for text in must:
            if not checker.hit(text):
                raise ValueError(f"{c.gid}: hand-written must_match example is not matched: {text!r}")
        for text in must_not:
            if checker.hit(text):
                raise ValueError(f"{c.gid}: hand-written must_not_match example is matched: {text!r}")
        placeholder = next((t for t in must_not if checker.placeholder(t)), None)
        return Examples(must, must_not, placeholder)

    names = _names(c)
    shuffled = list(LINE_TEMPLATES)
    rng.shuffle(shuffled)
    matched: list[tuple[str, Sample, int, str]] = []  # line, sample, offset of the value in the line, template
    used_templates: set[str] = set()
    for stage in ("value", "whole"):
        # a value goes into a key = value line; a whole match (a URL, an XML element) is a line of its own
        templates = shuffled if stage == "value" else ["{v}", "    {v}", *shuffled]
        for _ in range(_TRIES):
            if len(matched) >= 2:
                break
            s = sample(c.ast, c.value_groups, rng)
            if stage == "value":
                piece, base = s.text[s.value[0] : s.value[1]], s.value[0]
            else:
                piece, base = s.text, 0
            for template in templates:
                if template in used_templates:
                    continue
                for name in names:
                    line, offset = _line(template, name, piece)
                    if checker.hit(line):
                        value_at = offset + s.value[0] - base
                        matched.append((line, s, value_at, template))
                        used_templates.add(template)
                        break
                else:
                    continue
                break
        if len(matched) >= 2:
            break
    if len(matched) < 2:
        raise ValueError(f"{c.gid}: could not make two matching examples")
    must = [m[0] for m in matched]
    must_not: list[str] = []
    placeholder = None
    for line, s, value_at, _ in matched:
        value_len = s.value[1] - s.value[0]
        for kind, bad_value in _mutants(s, rng):
            bad_line = line[:value_at] + bad_value + line[value_at + value_len :]
            if bad_line in must_not or checker.hit(bad_line):
                continue
            if kind == "placeholder":
                if placeholder is not None:
                    continue
                if checker.placeholder(bad_line):
                    placeholder = bad_line
            must_not.append(bad_line)
        if len(must_not) >= 3 and placeholder is not None:
            break
    if len(must_not) < 2:
        raise ValueError(f"{c.gid}: could not make two must_not_match examples")
    return Examples(must, must_not[:4], placeholder)


# -- duplicates -------------------------------------------------------------------------------------------------


def duplicate_coverage(raw_rules: list[dict], n: int = 20) -> dict[str, float]:
    """For each skipped gitleaks rule: the share of values drawn from its pattern its hand-written rule finds."""
    hand = {r["id"]: r for r in tomllib.loads((ROOT / "assets/rules/secrets.toml").read_text(encoding="utf-8"))["rule"]}
    out = {}
    for raw in raw_rules:
        gid = raw["id"]
        if gid not in DUPLICATES or "regex" not in raw:
            continue
        c = convert(raw)
        checker = Checker(hand[DUPLICATES[gid]], Path("secrets.toml"))
        rng = random.Random(f"{SEED}:dup:{gid}")
        hits = 0
        for _ in range(n):
            s = sample(c.ast, c.value_groups, rng)
            value = s.text[s.value[0] : s.value[1]]
            hits += checker.hit(s.text) or checker.hit(f'KEY="{value}"') or checker.hit(f"API_KEY={value}")
        out[gid] = hits / n
    return out


# -- output -----------------------------------------------------------------------------------------------------


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _toml_list(items: list[str], indent: str = "    ") -> str:
    if not items:
        return "[]"
    return "[\n" + "".join(f"{indent}{_toml_str(x)},\n" for x in items) + "]"


def _emit_rule(c: Converted, ex: Examples) -> str:
    r = c.rule
    if "'''" in r["pattern"]:
        raise ValueError(f"{c.gid}: pattern holds '''")
    lines = [f"# gitleaks {c.gid}: {' '.join(c.description.split())}"]
    lines += [f"# fixed: {fix}" for fix in c.fixes]
    lines += [
        "[[rule]]",
        f"id = {_toml_str(r['id'])}",
        f"category = {_toml_str(r['category'])}",
        f"severity = {_toml_str(r['severity'])}",
        f"pattern = '''{r['pattern']}'''",
        f"view = {_toml_str(r['view'])}",
        f"validate = {_toml_str(r['validate'])}",
        f"keywords = {json.dumps(r['keywords'], ensure_ascii=False)}",
        f"redact = {_toml_str(r['redact'])}",
        f"explain = {_toml_str(r['explain'])}",
        f"must_match = {_toml_list(ex.must_match)}",
        f"must_not_match = {_toml_list(ex.must_not_match)}",
    ]
    return "\n".join(lines) + "\n"


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


BODY_MARK = "# -- rules " + "-" * 100 + "\n"


@dataclass
class Source:
    toml: bytes
    license: str
    commit: str


def read_source(git: Path | None, rev: str, toml: Path | None, license_path: Path | None, commit: str) -> Source:
    if toml is not None:
        if license_path is None or not commit:
            raise SystemExit("--toml needs --license and --commit")
        return Source(toml.read_bytes(), license_path.read_text(encoding="utf-8"), commit)
    git = git or DEFAULT_GIT

    def run(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(git), *args], check=True, capture_output=True).stdout

    sha = run("rev-parse", f"{rev}^{{commit}}").decode().strip()
    return Source(run("show", f"{sha}:{SOURCE_PATH}"), run("show", f"{sha}:LICENSE").decode("utf-8"), sha)


@dataclass
class Build:
    text: str
    converted: list[tuple[Converted, Examples]]
    skipped: dict[str, str]
    dropped: dict[str, str]


def build(source: Source) -> Build:
    config = tomllib.loads(source.toml.decode("utf-8"))
    skipped: dict[str, str] = {}
    dropped: dict[str, str] = {}
    done: list[tuple[Converted, Examples]] = []
    options = re2.Options()
    options.max_mem = 64 << 20
    for raw in config["rules"]:
        gid = raw["id"]
        if gid in DUPLICATES:
            skipped[gid] = DUPLICATES[gid]
            continue
        if "regex" not in raw:
            dropped[gid] = "no pattern (gitleaks matches it by file name only)"
            continue
        if not raw.get("keywords"):
            dropped[gid] = "no keywords"
            continue
        try:
            re2.compile(raw["regex"], options)
        except re2.error as exc:
            dropped[gid] = f"does not compile with RE2: {exc}"
            continue
        c = convert(raw)
        try:
            re2.compile(c.rule["pattern"], options)
        except re2.error as exc:
            raise ValueError(f"{gid}: converted pattern does not compile: {exc}") from exc
        checker = Checker(c.rule, OUT)
        done.append((c, examples(c, checker)))
    unknown = set(DUPLICATES) - {r["id"] for r in config["rules"]}
    if unknown:
        raise ValueError(f"DUPLICATES names rules gitleaks no longer has: {sorted(unknown)}")
    body = BODY_MARK + "\n".join(_emit_rule(c, ex) for c, ex in done)
    script = Path(__file__).read_bytes()
    licence = "".join(f"#   {line}".rstrip() + "\n" for line in source.license.strip("\n").splitlines())
    header = (
        "# GENERATED FILE - do not edit by hand. Made by packaging/build_secret_rules.py from gitleaks'\n"
        f"# default rule set, {SOURCE_PATH} at commit {source.commit}\n"
        "# (https://github.com/gitleaks/gitleaks). To change a rule, change the script and run\n"
        "#   .venv/bin/python packaging/build_secret_rules.py\n"
        "#\n"
        "# The patterns, keywords, entropy thresholds and descriptions below are gitleaks' rule\n"
        "# definitions, converted; gitleaks is under the MIT licence (full text: LICENSE.gitleaks):\n"
        "#\n"
        f"{licence}"
        "#\n"
        "# The examples (must_match, must_not_match) are made by the script, not taken from gitleaks:\n"
        "# random values drawn from each rule's value pattern, checked through the engine.\n"
        "#\n"
        f"# converted: {len(done)} rules\n"
        f"# skipped, a hand-written rule in secrets.toml covers them ({len(skipped)}):\n"
        + "".join(f"#   {gid} -> {hand}\n" for gid, hand in sorted(skipped.items()))
        + f"# dropped ({len(dropped)}):\n"
        + "".join(f"#   {gid}: {why}\n" for gid, why in sorted(dropped.items()))
        + "#\n"
        f"# source commit: {source.commit}\n"
        f"# source sha256: {_sha256(source.toml)}\n"
        f"# script sha256: {_sha256(script)}\n"
        f"# rules sha256: {_sha256(body)}\n"
        "\n"
    )
    return Build(header + body, done, skipped, dropped)


def header_field(text: str, name: str) -> str | None:
    m = re.search(rf"^# {re.escape(name)}: (\S+)$", text, re.M)
    return m.group(1) if m else None


def body_of(text: str) -> str:
    return text[text.index(BODY_MARK) :]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--git", type=Path, help=f"a gitleaks git directory (default {DEFAULT_GIT})")
    ap.add_argument("--rev", default="HEAD", help="revision of --git to read (default HEAD)")
    ap.add_argument("--toml", type=Path, help="a gitleaks.toml file instead of --git")
    ap.add_argument("--license", type=Path, help="gitleaks' LICENSE file (with --toml)")
    ap.add_argument("--commit", default="", help="the gitleaks commit --toml comes from (with --toml)")
    ap.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT.relative_to(ROOT)})")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if --out differs from a rebuild")
    ap.add_argument("--duplicates", action="store_true", help="also say how much of each skipped rule is covered")
    args = ap.parse_args(argv)
    source = read_source(args.git, args.rev, args.toml, args.license, args.commit)
    result = build(source)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != result.text:
            print(f"{args.out} is out of date: run packaging/build_secret_rules.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date", file=sys.stderr)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=args.out.parent, delete=False) as tmp:
        tmp.write(result.text)
    Path(tmp.name).chmod(0o644)
    Path(tmp.name).replace(args.out)
    if args.out == OUT:
        LICENSE_OUT.write_text(source.license, encoding="utf-8")
    with_placeholder = sum(ex.placeholder is not None for _, ex in result.converted)
    print(
        f"wrote {args.out}: {len(result.converted)} rules converted ({with_placeholder} with a placeholder example "
        f"the engine reports as info), {len(result.skipped)} skipped as duplicates, {len(result.dropped)} dropped",
        file=sys.stderr,
    )
    for gid, why in sorted(result.dropped.items()):
        print(f"  dropped {gid}: {why}", file=sys.stderr)
    if args.duplicates:
        config = tomllib.loads(source.toml.decode("utf-8"))
        for gid, share in sorted(duplicate_coverage(config["rules"]).items()):
            print(f"  {gid} -> {DUPLICATES[gid]}: {share:.0%} of sampled values found", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
