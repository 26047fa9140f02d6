"""Tier-0 rules: data files under assets/rules, compiled for linear-time matching.

Untrusted text never meets a backtracking regex engine: patterns are compiled
with RE2, literal phrase lists with an Aho–Corasick automaton. One RE2 set per
view answers "which patterns match at all" in a single pass, so only the rules
that hit are run again for their spans. A rule with `keywords` (the vendor key
formats: hundreds of them) runs only where one of its keywords occurs: on short
text the keywords are literals in that same set, on long text the Aho–Corasick
pass that finds the phrases finds them too.

The package: loading.py reads and checks the rule files (Rule, RuleError, load_rules), compiled.py holds a
rule ready to run, phrases.py the Aho–Corasick pass, merging.py keeps one finding per value, and
matching.py is the RuleSet that runs them all on a normalized text.
"""

from __future__ import annotations

from engine.rules.loading import VIEWS, Rule, RuleError, load_rules, parse_rule
from engine.rules.matching import RuleSet

# packaging/build_secret_rules.py imports it by this name, and vendor_secrets.toml holds that script's sha256:
# renaming the import there means rebuilding the generated rule file.
_parse_rule = parse_rule

__all__ = ["VIEWS", "Rule", "RuleError", "RuleSet", "load_rules", "parse_rule"]
