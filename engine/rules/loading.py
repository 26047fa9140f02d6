"""Rule files (assets/rules/*.toml, described in assets/rules/README.md) read into checked Rule records.

A malformed rule is refused when the files are loaded, with a message that names the file and the rule,
not when a text first makes it run: unknown keys, a bad severity or view, a pattern and phrases together,
a validator no module defines, keywords too short to prefilter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.assets import AssetError, assets_dir, load_toml
from engine.validators import resolve_validator
from engine.verdict import SEVERITIES

VIEWS = ("clean", "folded")
MIN_KEYWORD_LEN = 2


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule as written in a TOML file (see assets/rules/README.md)."""

    id: str
    category: str
    severity: str
    explain: str
    view: str
    pattern: str | None
    phrases: tuple[str, ...]
    validate: str | None
    redact: str | None
    must_match: tuple[str, ...]
    must_not_match: tuple[str, ...]
    source: str
    keywords: tuple[str, ...] = ()  # the pattern runs only on text holding one of them (in any case)


class RuleError(AssetError):
    """A rule file is malformed; the message names the file and the rule."""


def parse_rule(raw: dict[str, Any], source: Path) -> Rule:
    where = f"{source.name}: rule {raw.get('id', '?')!r}"
    unknown = set(raw) - {
        "id", "category", "severity", "explain", "view", "pattern", "phrases",
        "validate", "redact", "must_match", "must_not_match", "keywords",
    }  # fmt: skip
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "category", "severity", "explain"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise RuleError(f"{where}: '{key}' must be a non-empty string")
    if raw["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: severity must be one of {SEVERITIES}")
    view = raw.get("view", "folded")
    if view not in VIEWS:
        raise RuleError(f"{where}: view must be one of {VIEWS}")
    pattern = raw.get("pattern")
    phrases = tuple(raw.get("phrases", ()))
    if (pattern is None) == (not phrases):
        raise RuleError(f"{where}: give exactly one of 'pattern' or 'phrases'")
    if phrases and view != "folded":
        raise RuleError(f"{where}: phrase lists match the folded view only")
    validate = raw.get("validate")
    if validate is not None:
        if not isinstance(validate, str):
            raise RuleError(f"{where}: 'validate' must be a string")
        try:
            resolve_validator(validate)
        except ValueError as exc:
            raise RuleError(f"{where}: unknown validator {validate!r} ({exc})") from None
    keywords = raw.get("keywords", ())
    if "keywords" in raw:
        if pattern is None:
            raise RuleError(f"{where}: keywords prefilter a pattern; phrase lists need none")
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and len(k.strip()) >= MIN_KEYWORD_LEN for k in keywords)
        ):
            raise RuleError(f"{where}: 'keywords' must be a non-empty list of strings of {MIN_KEYWORD_LEN}+ characters")
    return Rule(
        id=raw["id"],
        category=raw["category"],
        severity=raw["severity"],
        explain=raw["explain"],
        view=view,
        pattern=pattern,
        phrases=tuple(" ".join(p.lower().split()) for p in phrases),
        validate=validate,
        redact=raw.get("redact"),
        must_match=tuple(raw.get("must_match", ())),
        must_not_match=tuple(raw.get("must_not_match", ())),
        source=source.name,
        # as the folded view they are looked for in: lower case, any whitespace one space
        keywords=tuple(dict.fromkeys(" ".join(k.lower().split()) for k in keywords)),
    )


def load_rules(directory: Path | None = None) -> list[Rule]:
    """Every rule of every *.toml file in assets/rules, ids unique."""
    directory = directory or assets_dir() / "rules"
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise RuleError(f"no rule files in {directory}")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        data = load_toml(path)
        for raw in data.get("rule", []):
            rule = parse_rule(raw, path)
            if rule.id in seen:
                raise RuleError(f"{path.name}: duplicate rule id {rule.id!r} (also in {seen[rule.id]})")
            seen[rule.id] = path.name
            rules.append(rule)
    return rules
