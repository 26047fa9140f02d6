"""Score tier 0's secret and personal-data detection on data/leaks/test.csv.

    .venv/bin/python packaging/eval_leaks.py [data/leaks/test.csv] [--json OUT]

Every row is scanned by the engine at tier 0 only (`Engine().scan(text, max_tier=0)`).

- A secret or pii row counts as found when a finding of the row's category ("secret" for a secret,
  "pii" for personal data) overlaps an occurrence of the row's `value` in its text. A finding of the
  other category, or a placeholder note, does not count; misses where only a placeholder note or only
  a finding of the wrong category overlapped are counted apart, to show why a value was missed.
- A negative row (code or prose) is a false alarm when any secret or pii finding of severity low or
  above is reported anywhere in it. Info findings (placeholder notes) do not count.
- Speed: tier 0's own time (the verdict's timings_ms["tier0"]) in ms per KB of UTF-8, p50 over the
  negatives (the engine is warmed up first).

It prints recall per secret family and per personal-data type, the totals, the false-alarm rate of
code and of prose, the rules behind the false alarms, and the speed. It always exits 0: it is a
measurement, not a gate.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT / "data" / "leaks" / "test.csv"
SEVERITIES = ("info", "low", "medium", "high", "critical")
CATEGORY = {"secret": "secret", "pii": "pii"}  # the category a finding needs for a row of each kind


class FindingLike(Protocol):
    rule: str
    category: str
    severity: str
    start: int
    end: int


# a scan function: text -> (findings, tier-0 milliseconds)
ScanFn = Callable[[str], tuple[Sequence[FindingLike], float]]


@dataclass(frozen=True, slots=True)
class RowResult:
    kind: str
    type: str
    country: str
    family: str
    found: bool = False  # positives: a finding of the right category overlaps the value
    why_missed: str = ""  # positives not found: "placeholder", "wrong_category" or "none"
    alarm_rules: tuple[str, ...] = ()  # negatives: the secret/pii rules of severity >= low that fired
    ms_per_kb: float | None = None


@dataclass
class Summary:
    per_type: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # kind -> type -> n/found/recall
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)  # secret / pii -> n/found/recall
    false_alarms: dict[str, dict[str, Any]] = field(default_factory=dict)  # code / prose -> n/alarms/rate
    fp_rules: list[tuple[str, int]] = field(default_factory=list)
    why_missed: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> reason -> count
    ms_per_kb_p50: float | None = None
    ms_per_kb_p90: float | None = None
    ms_per_kb_p50_by_type: dict[str, float] = field(default_factory=dict)  # code / prose -> p50
    rows: int = 0


def spans_of(text: str, value: str) -> list[tuple[int, int]]:
    """Every occurrence of value in text, as (start, end)."""
    out: list[tuple[int, int]] = []
    if not value:
        return out
    i = text.find(value)
    while i >= 0:
        out.append((i, i + len(value)))
        i = text.find(value, i + 1)
    return out


def overlaps(f: FindingLike, spans: Iterable[tuple[int, int]]) -> bool:
    return any(f.start < end and f.end > start for start, end in spans)


def at_least_low(severity: str) -> bool:
    return severity in SEVERITIES and SEVERITIES.index(severity) >= SEVERITIES.index("low")


def score_row(row: dict[str, str], scan: ScanFn) -> RowResult:
    """Scan one row and judge it."""
    text, kind = row["text"], row["kind"]
    findings, ms = scan(text)
    kb = len(text.encode("utf-8")) / 1024
    base = {"kind": kind, "type": row["type"], "country": row.get("country", ""), "family": row.get("family", ""),
            "ms_per_kb": ms / kb if kb else None}  # fmt: skip
    if kind == "negative":
        alarms = {f.rule for f in findings if f.category in ("secret", "pii") and at_least_low(f.severity)}
        rules = tuple(sorted(alarms))
        return RowResult(**base, alarm_rules=rules)
    spans = spans_of(text, row["value"])
    hits = [f for f in findings if overlaps(f, spans)]
    if any(f.category == CATEGORY[kind] for f in hits):
        return RowResult(**base, found=True)
    if any(f.category == "placeholder" for f in hits):
        why = "placeholder"
    elif any(f.category in ("secret", "pii") for f in hits):
        why = "wrong_category"
    else:
        why = "none"
    return RowResult(**base, why_missed=why)


def _recall(n: int, found: int) -> dict[str, Any]:
    return {"n": n, "found": found, "recall": round(found / n, 4) if n else None}


def summarise(results: Sequence[RowResult]) -> Summary:
    s = Summary(rows=len(results))
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    why: dict[str, Counter[str]] = defaultdict(Counter)
    neg: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rules: Counter[str] = Counter()
    speeds: list[float] = []
    speeds_by_type: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r.kind == "negative":
            neg[r.type][0] += 1
            if r.alarm_rules:
                neg[r.type][1] += 1
                rules.update(r.alarm_rules)
            if r.ms_per_kb is not None:
                speeds.append(r.ms_per_kb)
                speeds_by_type[r.type].append(r.ms_per_kb)
            continue
        c = counts[r.kind][r.type]
        c[0] += 1
        c[1] += int(r.found)
        if not r.found:
            why[r.kind][r.why_missed] += 1
    for kind, types in counts.items():
        s.per_type[kind] = {t: _recall(n, f) for t, (n, f) in sorted(types.items())}
        s.totals[kind] = _recall(sum(n for n, _ in types.values()), sum(f for _, f in types.values()))
    for t, (n, a) in sorted(neg.items()):
        s.false_alarms[t] = {"n": n, "alarms": a, "rate": round(a / n, 4) if n else None}
    s.fp_rules = rules.most_common(10)
    s.why_missed = {k: dict(v) for k, v in why.items()}
    if speeds:
        s.ms_per_kb_p50 = round(statistics.median(speeds), 4)
        s.ms_per_kb_p90 = round(statistics.quantiles(speeds, n=10)[-1], 4) if len(speeds) >= 10 else None
        s.ms_per_kb_p50_by_type = {t: round(statistics.median(v), 4) for t, v in sorted(speeds_by_type.items())}
    return s


def _pct(x: float | None) -> str:
    return "   n/a" if x is None else f"{100 * x:5.1f}%"


def render(s: Summary) -> str:
    out: list[str] = []
    for kind, title in (("secret", "Secrets per family"), ("pii", "Personal data per type")):
        types = s.per_type.get(kind, {})
        if not types:
            continue
        out.append(f"{title}\n{'type':<22} {'n':>5} {'found':>6} {'recall':>7}")
        for t, v in types.items():
            out.append(f"{t:<22} {v['n']:>5} {v['found']:>6} {_pct(v['recall']):>7}")
        tot = s.totals[kind]
        out.append(f"{'TOTAL':<22} {tot['n']:>5} {tot['found']:>6} {_pct(tot['recall']):>7}")
        reasons = s.why_missed.get(kind, {})
        if reasons:
            out.append("  missed because: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
        out.append("")
    worst = sorted(((v["recall"], f"{k}:{t}", v) for k, ts in s.per_type.items() for t, v in ts.items()
                    if v["recall"] is not None), key=lambda x: (x[0], x[1]))[:10]  # fmt: skip
    if worst:
        out.append("Worst ten")
        out += [f"  {name:<30} {v['found']:>3}/{v['n']:<3} {_pct(r)}" for r, name, v in worst]
        out.append("")
    out.append("Totals")
    for kind in ("secret", "pii"):
        if kind in s.totals:
            t = s.totals[kind]
            out.append(f"  recall {kind:<7} {t['found']:>5}/{t['n']:<5} {_pct(t['recall'])}")
    for t, v in s.false_alarms.items():
        out.append(f"  false alarms {t:<6} {v['alarms']:>4}/{v['n']:<5} {_pct(v['rate'])}")
    if s.fp_rules:
        out.append("\nRules behind false alarms (top 10)")
        out += [f"  {rule:<40} {n:>4}" for rule, n in s.fp_rules]
    if s.ms_per_kb_p50 is not None:
        p90 = f", p90 {s.ms_per_kb_p90:.4f}" if s.ms_per_kb_p90 is not None else ""
        out.append(f"\nSpeed: tier 0 {s.ms_per_kb_p50:.4f} ms per KB p50{p90} over the negatives")
        out += [f"  {t:<6} p50 {v:.4f} ms per KB" for t, v in s.ms_per_kb_p50_by_type.items()]
    return "\n".join(out)


def engine_scan() -> ScanFn:
    """The real thing: a fresh engine, tier 0 only, warmed up."""
    from engine.engine import Engine

    eng = Engine()
    eng.scan("warm-up: api_key = 'abc' and +44 7911 123456", max_tier=0)

    def scan(text: str) -> tuple[Sequence[FindingLike], float]:
        v = eng.scan(text, max_tier=0)
        return v.findings, float(v.timings_ms.get("tier0", 0.0))

    return scan


def load_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def evaluate(rows: Sequence[dict[str, str]], scan: ScanFn) -> tuple[Summary, list[RowResult]]:
    results = [score_row(r, scan) for r in rows]
    return summarise(results), results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--json", type=Path, help="write the summary (and the misses and false alarms) here")
    args = ap.parse_args(argv)
    rows = load_rows(args.csv)
    summary, results = evaluate(rows, engine_scan())
    print(render(summary))
    if args.json:
        misses = [{"type": r.type, "family": r.family, "why": r.why_missed, "value": row["value"]}
                  for row, r in zip(rows, results, strict=True) if r.kind != "negative" and not r.found]  # fmt: skip
        alarms = [{"type": r.type, "family": r.family, "rules": list(r.alarm_rules), "text": row["text"][:300]}
                  for row, r in zip(rows, results, strict=True) if r.alarm_rules]  # fmt: skip
        doc = {"csv": str(args.csv), **asdict(summary), "misses": misses, "false_alarm_rows": alarms}
        args.json.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
