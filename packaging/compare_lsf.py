"""Measure llm-security-firewall (the system Tierwall replaces) on Tierwall's evaluation CSV files, offline layers only.

Why: Tierwall's figures (recall, FPR, over-defence) need a reference point, and the reference is the PyPI package
`llm-security-firewall` (MIT, Joerg Bollwahn), whose model-free layers can run here without downloading any model.
This script feeds every row of each CSV (columns text,label,category,source; label 1 = attack, 0 = benign; extra
columns such as `language` and `style` are used when present) to the package's own input checks and reports, per
file and per check: attack recall, benign FPR, per-category, per-source, per-language (and per-style) rates, the
most frequent block reasons, how many rows raised inside the package, and texts per second.

The two checks (the package's own decisions, no threshold chosen here):

* ``guard``: ``llm_firewall.guard.check_input(text)`` -- the API the package README documents. It builds
  ``FirewallEngineV2`` through ``llm_firewall.app.composition_root.create_default_firewall_engine()``: Layer 0.25
  ``hak_gal...NormalizationLayer(max_decode_depth=3)`` (zero-width/bidi strip, NFKC, base64 and recursive URL
  decoding), Layer 0.5 ``hak_gal...RegexGate()`` with its default patterns (a match blocks), then a base risk from
  the encoding-anomaly score and ``rules.patterns.detect_concatenated_pattern``; blocked when ``allowed`` is False
  (engine threshold: risk >= 0.7). ``ENABLE_CACHE=false`` is set (the Redis decision cache only memoises decisions).
  Not in the 2.5.0 wheel, so off: Layer 0 ``kids_policy.UnicodeSanitizer`` and Layer 1 Kids Policy (the engine
  looks for a ``kids_policy`` directory the wheel does not ship). Errors are blocks, as ``check_input`` fails closed.
* ``legacy``: ``llm_firewall.SecurityFirewall(FirewallConfig(config_dir=<empty dir>, use_embedding_detector=False,
  use_perplexity_detector=False)).validate_input(text)`` -- the older core API: canonicalisation, the Layer 0
  detectors (multilingual keywords, fuzzy calls, indirect execution, attack patterns, encoding chains, entropy,
  dense alphabet) scored by ``policy.risk_weights_v2_otb.decide_action_otb`` (WARN or BLOCK = not safe), then the
  ensemble vote with only the pattern ``SafetyValidator`` voting. The embedding (sentence-transformers
  paraphrase-MiniLM-L6-v2) and perplexity (GPT-2) detectors need models and are off; the LLM judge is off by
  default. ``config_dir`` points at an empty directory because the wheel ships no ``safety_blacklist.yaml`` or
  ``threat_detection_config.yaml`` (the default ``config`` is relative to the working directory). A row counts as
  flagged when ``validate_input`` returns is_safe False; a row that raises counts as flagged and is listed.

Run it with a Python 3.12 venv that has the package and only its light dependencies (never torch/transformers):

    /root/.pyenv/versions/3.12.1/bin/python -m venv /tmp/lsf312
    /tmp/lsf312/bin/pip install --no-deps llm-security-firewall==2.5.0
    /tmp/lsf312/bin/pip install pyyaml blake3 requests numpy pydantic
    /tmp/lsf312/bin/python packaging/compare_lsf.py /work/shared/eval/dev.csv data/attacks/dev.csv \\
        data/overdefense/test.csv --json build/lsf

With one input file ``--json`` may name the output file; otherwise it is a directory and each file's report is
written there as ``<parent dir>_<stem>.json`` (``--rows`` likewise writes per-row decisions as CSV). This script
must not import Tierwall's ``engine``: it runs in the other venv.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# ISO 639-1 codes of data/attacks/README.md (a source suffix such as gettext:pt_BR counts as pt).
LANGUAGES = frozenset(
    ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "tr", "cs", "sv", "ja", "zh", "ko", "ar"]
)
DETECTORS = ("guard", "legacy")

Check = Callable[[str], tuple[bool, str]]


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV with at least text,label,category,source; labels must be 0 or 1."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for i, row in enumerate(rows, start=2):
        if row.get("label") not in ("0", "1") or row.get("text") is None:
            raise SystemExit(f"{path}:{i}: need columns text,label,category,source with label 0 or 1")
    return rows


def language_of(row: dict[str, str]) -> str | None:
    """The row's language: its `language` column, else a language code ending its source or category."""
    if row.get("language"):
        return row["language"]
    for field in ("source", "category"):
        value = row.get(field) or ""
        tail = value.rsplit(":", 1)[-1].split("_", 1)[0].lower()
        if ":" in value and tail in LANGUAGES:
            return tail
    return None


def make_guard() -> Check:
    """llm_firewall.guard.check_input, the README's API; flagged = not allowed (errors fail closed in the package)."""
    os.environ["ENABLE_CACHE"] = "false"
    from llm_firewall import guard

    def check(text: str) -> tuple[bool, str]:
        result = guard.check_input(text)
        return (not result.allowed), result.reason

    return check


def make_legacy(config_dir: str) -> Check:
    """SecurityFirewall.validate_input with the model detectors off; flagged = is_safe False."""
    from llm_firewall import FirewallConfig, SecurityFirewall

    config = FirewallConfig(config_dir=config_dir, use_embedding_detector=False, use_perplexity_detector=False)
    firewall = SecurityFirewall(config)

    def check(text: str) -> tuple[bool, str]:
        is_safe, reason = firewall.validate_input(text)
        return (not is_safe), reason

    return check


def base64_rewrites(texts: Iterable[str]) -> int:
    """How many texts the guard's NormalizationLayer replaces by a base64 decoding of the whole text (diagnostic)."""
    from hak_gal.layers.inbound.normalization_layer import NormalizationLayer

    layer = NormalizationLayer(max_decode_depth=3)
    count = 0
    for text in texts:
        clean = layer._remove_stealth_chars(text) if text else ""
        if not clean or not NormalizationLayer._looks_like_base64(clean):
            continue
        try:  # the layer's own step 1: b64decode drops every non-base64 character, then decodes the rest
            decoded = base64.b64decode(clean).decode("utf-8", errors="ignore")
        except Exception:  # as in the layer: a failed decode leaves the text alone
            continue
        count += int(bool(decoded) and decoded != clean)
    return count


def reason_key(detector: str, reason: str) -> str:
    """A short, countable form of a block reason."""
    if detector == "guard":
        return reason.split(" (")[0][:90]
    if reason.startswith("Layer 0"):
        head, _, hits = reason.partition(" - ")
        action = head.split(": ", 1)[-1].split(" (")[0]
        return f"Layer 0 {action}: {hits.split(',')[0].strip()}"
    return reason.split(". ")[0][:90]


def rate(hit: int, total: int) -> float | None:
    """hit / total, None when there is nothing to divide."""
    return round(hit / total, 4) if total else None


def group_rates(
    rows: list[dict[str, str]], flags: list[bool], key: Callable[[dict[str, str]], str | None], label: str
) -> dict[str, dict[str, Any]]:
    """Per group of the rows with this label: n, flagged and rate (recall for label 1, FPR for label 0)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, flagged in zip(rows, flags, strict=True):
        group = key(row)
        if row["label"] != label or group is None:
            continue
        counts[group][0] += 1
        counts[group][1] += int(flagged)
    return {g: {"n": n, "flagged": f, "rate": rate(f, n)} for g, (n, f) in sorted(counts.items())}


def evaluate(rows: list[dict[str, str]], detector: str, check: Check) -> tuple[dict[str, Any], list[tuple]]:
    """Run one check over the rows; the report and the per-row decisions."""
    flags: list[bool] = []
    per_row: list[tuple] = []
    reasons: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    start = time.perf_counter()
    for i, row in enumerate(rows):
        try:
            flagged, reason = check(row["text"])
        except Exception as exc:  # the package raised: counted as flagged (fail closed), listed below
            flagged, reason = True, f"ERROR {type(exc).__name__}: {exc}"
            errors.append({"row": i, "label": row["label"], "error": reason[:300]})
        if reason.startswith(("Firewall error:", "RegexGate error:")):  # caught inside the package, failed closed
            errors.append({"row": i, "label": row["label"], "error": reason[:300]})
        flags.append(flagged)
        if flagged:
            reasons[reason_key(detector, reason)] += 1
        per_row.append((i, row["label"], row["category"], row["source"], int(flagged), reason[:300]))
    seconds = time.perf_counter() - start
    attacks = [f for r, f in zip(rows, flags, strict=True) if r["label"] == "1"]
    benign = [f for r, f in zip(rows, flags, strict=True) if r["label"] == "0"]
    report: dict[str, Any] = {
        "rows": len(rows),
        "attacks": len(attacks),
        "benign": len(benign),
        "recall": rate(sum(attacks), len(attacks)),
        "fpr": rate(sum(benign), len(benign)),
        "flagged_attacks": sum(attacks),
        "flagged_benign": sum(benign),
        "seconds": round(seconds, 2),
        "texts_per_second": round(len(rows) / seconds, 1) if seconds else None,
        "errors": len(errors),
        "error_rows": errors[:50],
        "per_category_fpr": group_rates(rows, flags, lambda r: r["category"], "0"),
        "per_category_recall": group_rates(rows, flags, lambda r: r["category"], "1"),
        "per_source_recall": group_rates(rows, flags, lambda r: r["source"], "1"),
        "per_source_fpr": group_rates(rows, flags, lambda r: r["source"], "0"),
        "per_language_recall": group_rates(rows, flags, language_of, "1"),
        "per_language_fpr": group_rates(rows, flags, language_of, "0"),
        "top_reasons": dict(reasons.most_common(15)),
    }
    if rows and "style" in rows[0]:
        report["per_style_recall"] = group_rates(rows, flags, lambda r: r["style"], "1")
        report["per_style_fpr"] = group_rates(rows, flags, lambda r: r["style"], "0")
    return report, per_row


def pct(value: float | None) -> str:
    """A rate as a percentage, '-' for none."""
    return "-" if value is None else f"{100 * value:.1f} %"


def print_report(name: str, detector: str, report: dict[str, Any]) -> None:
    """The report as text on stdout."""
    print(f"\n=== {name} :: {detector} ===")
    print(
        f"rows {report['rows']} (attacks {report['attacks']}, benign {report['benign']}); "
        f"recall {pct(report['recall'])} ({report['flagged_attacks']}), FPR {pct(report['fpr'])} "
        f"({report['flagged_benign']}); errors {report['errors']}; {report['seconds']} s, "
        f"{report['texts_per_second']} texts/s"
    )
    sections = [
        ("per category, benign (FPR)", "per_category_fpr"),
        ("per category, attacks (recall)", "per_category_recall"),
        ("per source, attacks (recall)", "per_source_recall"),
        ("per language, attacks (recall)", "per_language_recall"),
        ("per language, benign (FPR)", "per_language_fpr"),
        ("per style, attacks (recall)", "per_style_recall"),
        ("per style, benign (FPR)", "per_style_fpr"),
    ]
    for title, key in sections:
        table = report.get(key) or {}
        if not table:
            continue
        print(f"  {title}:")
        for group, cell in table.items():
            print(f"    {group:<48} {cell['n']:>6} {cell['flagged']:>6} {pct(cell['rate']):>8}")
    if report["top_reasons"]:
        print("  top reasons for flagging:")
        for reason, count in report["top_reasons"].items():
            print(f"    {count:>6}  {reason}")


def output_path(base: Path | None, source: Path, suffix: str, single: bool) -> Path | None:
    """Where one file's output goes: base itself for a single input named *suffix, else base/<parent>_<stem>suffix."""
    if base is None:
        return None
    if single and base.name.endswith(suffix):
        base.parent.mkdir(parents=True, exist_ok=True)
        return base
    base.mkdir(parents=True, exist_ok=True)
    return base / f"{source.parent.name}_{source.stem}{suffix}"


def package_versions() -> dict[str, str]:
    """Versions of the package and of what it imports here."""
    from importlib import metadata

    names = ["llm-security-firewall", "pyyaml", "blake3", "requests", "numpy", "pydantic"]
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the checks over each file, print and write the reports."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", nargs="+", type=Path, help="CSV files with text,label,category,source")
    parser.add_argument("--json", type=Path, help="output file (one input) or directory")
    parser.add_argument("--rows", type=Path, help="per-row decisions: output file (one input) or directory")
    parser.add_argument("--detectors", default=",".join(DETECTORS), help="comma-separated: guard,legacy")
    parser.add_argument("--limit", type=int, help="only the first N rows of each file (smoke test)")
    args = parser.parse_args(argv)

    detectors = [d.strip() for d in args.detectors.split(",") if d.strip()]
    unknown = set(detectors) - set(DETECTORS)
    if unknown:
        parser.error(f"unknown detectors: {sorted(unknown)}")
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger().setLevel(logging.CRITICAL)  # the package logs every block at WARNING; errors are counted here
    checks: dict[str, Check] = {}
    with tempfile.TemporaryDirectory(prefix="lsf_config_") as empty_config:  # read once, at construction
        for name in detectors:
            checks[name] = make_guard() if name == "guard" else make_legacy(empty_config)
    versions = package_versions()
    print(f"versions: {versions}")

    single = len(args.csv) == 1
    for path in args.csv:
        rows = read_rows(path)
        if args.limit:
            rows = rows[: args.limit]
        result: dict[str, Any] = {"file": str(path), "versions": versions, "detectors": {}}
        all_rows: list[tuple] = []
        for name, check in checks.items():
            report, per_row = evaluate(rows, name, check)
            if name == "guard":
                report["diagnostic_base64_rewritten_rows"] = base64_rewrites(r["text"] for r in rows)
            result["detectors"][name] = report
            print_report(str(path), name, report)
            all_rows.extend((name, *r) for r in per_row)
        json_path = output_path(args.json, path, ".json", single)
        if json_path:
            json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote {json_path}")
        rows_path = output_path(args.rows, path, "_rows.csv", single)
        if rows_path:
            with rows_path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["detector", "row", "label", "category", "source", "flagged", "reason"])
                writer.writerows(all_rows)
            print(f"wrote {rows_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
