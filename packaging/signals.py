"""Every tier's evidence for every row of labelled CSVs, cached: the input of the decision model.

    python packaging/signals.py DATA.csv [DATA.csv ...] [--tier2-from 0.3] [--limit N]

`decide` is to combine the tiers' evidence (tier 0's rule score and lexical prior, tier 1's head
probability, tier 2's entailment per built-in hypothesis) instead of letting each tier's band decide
alone. Learning that combination needs each signal for many texts, and the tiers are slow: tier 1 runs
on every row, tier 2 on the rows whose tier-1 score reaches --tier2-from (below it, no band would ever
send a text to tier 2). Results are appended to a cache under build/cache, keyed by the text's sha256
and the hashes of the model files, so a run can be stopped and resumed and a second CSV with the same
texts costs nothing. The signals of one CSV are written to build/signals/<name>.jsonl, one JSON object
a row in CSV order: label, category, source, and the signals.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine, EngineConfig  # noqa: E402
from engine.assets import assets_dir  # noqa: E402
from engine.evaluate import read_dataset  # noqa: E402
from engine.models import read_manifest  # noqa: E402
from engine.normalize import normalize  # noqa: E402
from engine.tiers.reading import checked  # noqa: E402
from engine.tiers.tier2 import Tier2  # noqa: E402
from engine.verdict import SENSITIVE_CATEGORIES  # noqa: E402

CACHE_DIR = ROOT / "build" / "cache"
OUT_DIR = ROOT / "build" / "signals"
SIGNALS_VERSION = 1  # bump when what is recorded per text changes


def models_key() -> str:
    """A short hash of every model file's sha256 and of the rule/lexicon assets (TIERWALL_ASSETS, if set): a new
    model, a new cache."""
    digest = hashlib.sha256(str(SIGNALS_VERSION).encode())
    for name, entry in sorted(read_manifest().items()):
        digest.update(name.encode())
        for f in entry.get("files", []):
            digest.update(f["sha256"].encode())
    for asset in sorted(assets_dir().glob("**/*")):
        if asset.is_file() and asset.suffix in (".toml", ".json", ".npz", ".txt") and "models" not in asset.parts:
            digest.update(asset.name.encode())
            digest.update(hashlib.sha256(asset.read_bytes()).digest())
    return digest.hexdigest()[:16]


def text_signals(engine: Engine, text: str, tier2_from: float) -> dict[str, object]:
    """What each tier says about one text, whatever the bands would decide."""
    norm = normalize(text[: engine.bands.max_scan_chars])
    t0 = engine.tier0.read(norm)
    out: dict[str, object] = {
        "t0_decision": t0.opinion,
        "t0_attack_score": round(t0.score, 4),
        "t0_rule_score": round(t0.rule_score, 4),
        "lexical": round(t0.lexical, 4),
        "sensitive": any(f.category in SENSITIVE_CATEGORIES for f in t0.findings),
        "chars": len(text),
    }
    r1 = checked(engine.tier1.read(norm, [t0]))
    out["t1_score"] = round(r1.score, 4)
    out["t1_windows"] = len(r1.windows)
    out["t1_complete"] = r1.covered is None
    if r1.score >= tier2_from:
        builtin_only = Tier2(engine.models, engine.bands, lambda: engine.builtin_policies)
        r2 = checked(builtin_only.read(norm, [t0, r1]))  # guided by tier 1's windows, as in a scan
        out["t2"] = dict(r2.entailments)
        out["t2_complete"] = r2.covered is None
    return out


def collect(paths: list[Path], tier2_from: float, limit: int | None, out_dir: Path = OUT_DIR,
            cache_dir: Path = CACHE_DIR) -> None:  # fmt: skip
    engine = Engine(EngineConfig(idle_timeout_s=None))
    key = models_key()
    cache_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_path = cache_dir / f"signals_{key}.jsonl"
    cache: dict[str, dict[str, object]] = {}
    if cache_path.exists():
        for line in cache_path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a stopped run
            cache[entry.pop("sha256")] = entry
    print(f"cache {cache_path.name}: {len(cache)} texts", flush=True)
    with cache_path.open("a", encoding="utf-8") as sink:
        for path in paths:
            rows = read_dataset(path, limit)
            started, done = time.monotonic(), 0
            out_rows = []
            for i, row in enumerate(rows):
                sha = hashlib.sha256(row.text.encode("utf-8", "surrogatepass")).hexdigest()
                signals = cache.get(sha)
                if signals is None or ("t2" not in signals and float(signals["t1_score"]) >= tier2_from):
                    signals = text_signals(engine, row.text, tier2_from)
                    cache[sha] = signals
                    sink.write(json.dumps({"sha256": sha, **signals}) + "\n")
                    sink.flush()
                    done += 1
                out_rows.append({"label": row.label, "category": row.category, "source": row.source, **signals})
                if (i + 1) % 500 == 0:
                    rate = done / max(time.monotonic() - started, 1e-9)
                    print(f"{path.name}: {i + 1}/{len(rows)} rows ({done} computed, {rate:.1f}/s)", flush=True)
            name = path.stem if path.parent.name == "eval" else f"{path.parent.name}_{path.stem}"
            target = out_dir / f"{name}.jsonl"
            target.write_text("".join(json.dumps(r) + "\n" for r in out_rows), encoding="utf-8")
            print(f"{path}: {len(out_rows)} rows -> {target}", flush=True)
    engine.models.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="+", type=Path, help="CSV files with text,label[,category,source]")
    parser.add_argument("--tier2-from", type=float, default=0.3, help="tier-1 score from which tier 2 is run")
    parser.add_argument("--limit", type=int, default=None, help="at most this many rows of each file")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help=f"where the signals go (default {OUT_DIR})")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=CACHE_DIR,
        help="where the cache goes (one per process: two runs at once need two)",
    )
    args = parser.parse_args(argv)
    collect(args.data, args.tier2_from, args.limit, args.out_dir, args.cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
