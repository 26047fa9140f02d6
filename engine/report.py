"""Human-readable output of the CLI: verdicts with highlighted spans, eval and bench tables."""

from __future__ import annotations

import csv
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from engine.bench import Progress
from engine.evaluate import EvalResult, Row
from engine.history import HistoryRow
from engine.verdict import Verdict

_DECISION_COLOUR = {"allow": "32", "warn": "33", "block": "31"}
_CONTEXT = 30  # characters of context either side of a highlighted span


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _printable(s: str) -> str:
    """Show control and invisible characters instead of letting them act on the terminal."""
    out = []
    for ch in s:
        cp = ord(ch)
        if ch in "\n\r\t":
            out.append(" ")
        elif (
            cp < 32
            or cp == 127
            or 0x80 <= cp < 0xA0
            or 0x200B <= cp <= 0x200F
            or 0x202A <= cp <= 0x202E
            or 0x2060 <= cp <= 0x2069
            or cp == 0xFEFF
            or 0xE0000 <= cp <= 0xE007F
            or 0xD800 <= cp <= 0xDFFF
        ):
            out.append(f"<U+{cp:04X}>")
        else:
            out.append(ch)
    return "".join(out)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def describe_verdict(verdict: Verdict, text: str, *, colour: bool = False) -> str:
    head = _paint(verdict.decision.upper(), "1;" + _DECISION_COLOUR[verdict.decision], colour)
    lines = [f"{head}  attack likelihood {verdict.score:.2f}  decided by tier {verdict.tier}"
             f"  ({verdict.timings_ms.get('total', 0):.2f} ms)"]  # fmt: skip
    if verdict.confidence:
        lines.append("  confidence: " + ", ".join(f"{c} {v:.2f}" for c, v in verdict.confidence.items()))
    lines += [f"  reason: {r}" for r in verdict.reasons]
    if not verdict.findings:
        lines.append("  no findings")
    for f in verdict.findings:
        line, col = _line_col(text, f.start)
        lines.append(f"  {line}:{col}  {f.rule}  [{f.category}/{f.severity}]  {f.explanation}")
        span = text[f.start : f.end]
        if len(span) > 80:
            span = span[:38] + "…" + span[-38:]
        before = text[max(0, f.start - _CONTEXT) : f.start]
        after = text[f.end : f.end + _CONTEXT]
        snippet = _printable(before) + _paint(_printable(span), "7", colour) + _printable(after)
        if not colour:
            snippet = _printable(before) + "«" + _printable(span) + "»" + _printable(after)
        lines.append(f"      {snippet}")
    return "\n".join(lines) + "\n"


def _pct(x: float) -> str:
    return f"{100 * x:6.2f} %"


def describe_eval(result: EvalResult, name: str) -> str:
    m = result.metrics
    out = [f"{name}: {m['n']} rows",
           f"  TPR {_pct(m['tpr'])}   FPR {_pct(m['fpr'])}   F1 {m['f1']:.4f}",
           f"  FPR split: as an attack {_pct(m['fpr_attack'])}   "
           f"only for secrets/personal data {_pct(m['fpr_leak_only'])}",
           "  decisions:      allow     warn    block"]  # fmt: skip
    for who in ("attack", "benign"):
        d = result.decisions[who]
        out.append(f"    {who:<8} {_pct(d['allow'])} {_pct(d['warn'])} {_pct(d['block'])}")
    out.append("  attack categories (caught):")
    out += [f"    {c:<20} {_pct(v)}" for c, v in m["tpr_by_category"].items()]
    out.append("  benign categories (flagged):")
    out += [f"    {c:<20} {_pct(v)}" for c, v in m["fpr_by_category"].items()]
    for key, label in (("decided_by_tier", "decided by tier"), ("benign_decided_by_tier", "benign decided by tier"),
                       ("attack_allowed_by_tier", "attacks allowed by tier")):  # fmt: skip
        out.append(f"  {label}: " + "  ".join(f"{t}: {_pct(v).strip()}" for t, v in m[key].items()))
    out += describe_sources(result.per_source)
    out += describe_sources(result.per_language, "per language")
    lat = m["latency_ms"]
    out.append(f"  latency ms: p50 {lat['p50']:.3f}  p95 {lat['p95']:.3f}  p99 {lat['p99']:.3f}  max {lat['max']:.3f}")
    out.append(f"  peak RSS: {m['peak_rss_mib']:.1f} MiB")
    return "\n".join(out) + "\n"


def describe_sources(per_source: dict[str, dict[str, Any]], title: str = "per source") -> list[str]:
    """One line per source (or language): where the misses and false alarms come from, and which tier decided."""
    if not per_source:
        return []
    width = max(20, *(len(s) for s in per_source))
    tier_heads = " ".join(f"{'tier ' + t:>7}" for t in ("0", "1", "2"))
    out = [f"{'  ' + title + ':':<{width + 4}} {'n':>6}  label  {'recall':>8}  {'FPR':>8}  {tier_heads}"]
    for source, r in per_source.items():
        rates = "  ".join(f"{'-':>8}" if r[k] is None else _pct(r[k]) for k in ("recall", "fpr"))
        tiers = " ".join(f"{100 * r['decided_by_tier'][t]:6.1f}%" for t in ("0", "1", "2"))
        out.append(f"    {source:<{width}} {r['n']:>6}  {r['label']:>5}  {rates}  {tiers}")
    return out


def write_errors(path: Path, errors: list[tuple[Row, Verdict]]) -> None:
    """The misclassified rows with what the engine said, for study."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["line", "label", "category", "source", "decision", "score", "tier", "rules", "reasons", "text"])
        for row, v in errors:
            w.writerow([row.line, row.label, row.category, row.source, v.decision, v.score, v.tier,
                        " ".join(sorted({f.rule for f in v.findings})), "; ".join(v.reasons), row.text])  # fmt: skip


def describe_bench(figures: dict[str, Any]) -> str:
    threads = figures.get("threads", 1)
    out = [f"Tierwall bench (fresh process, {threads} thread{'s' if threads != 1 else ''})"]
    for group, unit in (("rss_mib", "MiB"), ("uss_mib", "MiB"), ("load_ms", "ms"), ("latency_ms", "ms")):
        for key, value in figures.get(group, {}).items():
            out.append(f"  {group}.{key:<40} {value:>10.3f} {unit}")
    for key, value in figures.get("soak", {}).items():
        if isinstance(value, (int, float)):
            out.append(f"  soak.{key:<43} {value:>10}")
    for problem in figures.get("soak", {}).get("problems", ()):
        out.append(f"  soak target missed: {problem}")
    for key, value in figures.get("host", {}).items():
        unit = "ms" if key.endswith("_ms_p50") else "MiB" if key.endswith("_mib") else ""
        out.append(f"  host.{key:<43} {value:>10.3f} {unit}".rstrip())
    if "tier1_unavailable" in figures:
        out.append(f"  tier 1 not measured: {figures['tier1_unavailable']}")
    return "\n".join(out) + "\n"


class BenchProgress:
    """`tierwall bench`'s progress on stderr: a bar redrawn in place on a terminal, else one line per phase."""

    BAR = 24  # cells of the bar

    def __init__(self, stream: TextIO, *, bar: bool) -> None:
        self.stream = stream
        self.bar = bar
        self.started = time.monotonic()
        self.phase = 0
        self.drawn = 0  # length of the bar line on screen, to blank it

    def __call__(self, p: Progress) -> None:
        elapsed = time.monotonic() - self.started
        if not self.bar:
            if p.phase != self.phase:
                self.stream.write(f"bench {p.phase}/{p.phases} at {elapsed:.0f} s: {p.name}\n")
                self.stream.flush()
        else:
            filled = round(p.fraction * self.BAR)
            line = f"[{'#' * filled}{'.' * (self.BAR - filled)}] {p.fraction:4.0%}  {elapsed:3.0f} s  {p.name}"
            line = line[: max(10, shutil.get_terminal_size().columns - 1)]
            self.stream.write("\r" + line.ljust(self.drawn))
            self.stream.flush()
            self.drawn = len(line)
        self.phase = p.phase

    def close(self) -> None:
        """Blank the bar, so the figures start on a clean line."""
        if self.bar and self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()


def describe_models(rows: list[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        size = sum(f["size"] for f in r["files"]) / 2**20
        out.append(f"{r['name']}  (tier {r['tier']}, {r['state']}, {size:.1f} MiB)")
        out.append(f"  licence: {r['licence'] or '-'}")
        out.append(f"  source:  {r['source'] or '-'}")
        out.append(f"  sha256:  {r['sha256']}")
        out += [f"    {f['path']}  {f['size']} bytes  {f['sha256'][:16]}…" for f in r["files"]]
    return "\n".join(out) + "\n"


def history_entry(row: HistoryRow) -> dict[str, Any]:
    """One history row as JSON: the redacted excerpt and hash, never the text."""
    return {
        "id": row.id, "at": row.at, "time": datetime.fromtimestamp(row.at).astimezone().isoformat(timespec="seconds"),
        "decision": row.decision, "tier": row.tier, "score": row.score, "categories": list(row.categories),
        "confidence": dict(row.confidence), "source": row.source, "excerpt": row.excerpt, "sha256": row.sha256,
    }  # fmt: skip


def describe_history(rows: list[HistoryRow], recorded: int, sources: list[str], *, limit: int, filtered: bool) -> str:
    """Newest first, one line each; the excerpt goes last and is shown with control characters made visible."""
    out = []
    for r in rows:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.at))
        categories = ",".join(r.categories) or "-"
        out.append(f"{when}  {r.decision:<5}  tier {r.tier}  {_printable(r.source):<9}  {_printable(categories):<18}"
                   f"  {_printable(r.excerpt)}")  # fmt: skip
    if not recorded:
        out.append("the history is empty")
    elif not rows and filtered:
        out.append(f"no entry of {recorded} recorded matches; sources recorded: {', '.join(sources) or '-'}")
    else:
        more = "; --limit N shows more" if len(rows) >= limit and recorded > len(rows) else ""
        out.append(f"{len(rows)} shown of {recorded} recorded{' (filtered)' if filtered else ''}, newest first{more}")
    return "\n".join(out) + "\n"
