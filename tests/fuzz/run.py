"""`make fuzz`: hundreds of thousands of generated inputs through the engine, every property checked on each.

    python tests/fuzz/run.py [--inputs 200000] [--model-inputs 20000] [--seed 1] [--atheris SECONDS]

Engine inputs are scanned at tier 0 (the rules, signatures and normalisation every text meets); model inputs
go through tier 1 and, one in five, tier 2 as well (always_escalate). With --atheris and atheris installed
(Linux; `make fuzz` installs it from requirements/fuzz.txt), a coverage-guided run follows for the given
seconds. Prints one JSON object; exits 1 on any violation, each written with its seed and index to
build/fuzz-failures.jsonl so that it can be run again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import inputs  # noqa: E402
import properties as props  # noqa: E402

FAILURES = HERE.parents[1] / "build" / "fuzz-failures.jsonl"


def _engine() -> Any:
    os.environ.setdefault("TIERWALL_DATA_DIR", tempfile.mkdtemp(prefix="tierwall-fuzz-"))
    os.environ.setdefault("TIERWALL_CONFIG_DIR", tempfile.mkdtemp(prefix="tierwall-fuzz-"))
    from engine import Engine, EngineConfig

    return Engine(EngineConfig(idle_timeout_s=None))


def engine_case(engine: Any, rng: random.Random, i: int) -> tuple[str, list[str]]:
    """One tier-0 input and its properties; every 20th plants secrets, every 50th appends an attack."""
    if i % 50 == 49:
        benign, attack = inputs.with_attack(rng)
        return f"{benign} {attack}", props.attack_counts(engine, benign, attack, max_tier=0)
    if i % 20 == 19:
        return planted_case(engine, rng, max_tier=0)
    text = inputs.engine_input(rng)
    verdict, problems = props.scanned(engine, text, max_tier=0)
    if verdict is not None:
        problems += props.well_formed(text, verdict)
        if i % 10 == 0:
            problems += props.cache_agrees(engine, text, verdict, max_tier=0)
    return text, problems


def model_case(engine: Any, rng: random.Random, i: int) -> tuple[str, list[str]]:
    """One input through the model tiers (tier 2 one time in five)."""
    kw = {"always_escalate": True, "max_tier": 2 if i % 5 == 0 else 1}
    if i % 10 == 9:
        benign, attack = inputs.with_attack(rng)
        return f"{benign} {attack}", props.attack_counts(engine, benign, attack)
    if i % 10 == 4:
        return planted_case(engine, rng, **kw)
    text = inputs.engine_input(rng)[:4000]
    verdict, problems = props.scanned(engine, text, **kw)
    if verdict is not None:
        problems += props.well_formed(text, verdict) + props.cache_agrees(engine, text, verdict, **kw)
    return text, problems


def planted_case(engine: Any, rng: random.Random, **kw: Any) -> tuple[str, list[str]]:
    """Benign text with secrets and personal data planted: each found and masked, and the verdict well formed."""
    case = inputs.planted(rng)
    verdict, problems = props.scanned(engine, case.text, **kw)
    if verdict is not None:
        problems += props.well_formed(case.text, verdict) + props.finds_planted(case.text, case.values, verdict)
    return case.text, problems


def run(n_engine: int, n_model: int, seed: int) -> dict[str, Any]:
    engine = _engine()
    figures: dict[str, Any] = {"seed": seed, "engine_inputs": 0, "model_inputs": 0, "violations": 0}
    started = time.perf_counter()
    FAILURES.parent.mkdir(parents=True, exist_ok=True)
    with FAILURES.open("w", encoding="utf-8") as failures:
        for kind, count, case in (("engine", n_engine, engine_case), ("model", n_model, model_case)):
            rng = random.Random(f"{seed}:{kind}")
            for i in range(count):
                text, problems = case(engine, rng, i)
                figures[f"{kind}_inputs"] += 1
                if problems:
                    figures["violations"] += 1
                    failures.write(json.dumps({"kind": kind, "seed": seed, "index": i, "text": text,
                                               "problems": problems}, ensure_ascii=False) + "\n")  # fmt: skip
                if (i + 1) % 10000 == 0:
                    print(f"{kind}: {i + 1:,} of {count:,}, {figures['violations']} violations", file=sys.stderr)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["failures_file"] = str(FAILURES) if figures["violations"] else None
    return figures


def run_atheris(seconds: int) -> None:
    """Coverage-guided: atheris mutates bytes towards new paths in the engine; any exception is a crash."""
    import atheris

    engine = _engine()
    atheris.instrument_all()  # the engine was imported with this module (properties.py needs it): instrument
    # what is loaded now; instrument_imports() here saw only modules not yet imported, none of the engine's

    def one_input(data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        verdict = engine.scan(text, max_tier=0)  # raising is the crash atheris reports
        problems = props.well_formed(text, verdict)
        if problems:
            raise AssertionError("; ".join(problems))

    grown = tempfile.mkdtemp(prefix="tierwall-fuzz-corpus-")  # libFuzzer writes what it finds to the first dir
    # libFuzzer's own memory grows with its coverage tables and corpus (1.6 GiB after 10 minutes here, while
    # the engine fed the same corpus stays at 71 MiB): its default 2 GiB limit would end a longer run as a crash
    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", "-max_len=4096", "-rss_limit_mb=6144", grown,
                   str(HERE / "corpus")], one_input)  # fmt: skip
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=200_000, help="tier-0 engine inputs")
    parser.add_argument("--model-inputs", type=int, default=20_000, help="inputs through the model tiers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--atheris", type=int, default=0, metavar="SECONDS", help="then a coverage-guided run")
    parser.add_argument("--atheris-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.atheris_child:  # a fresh process: atheris instruments the engine's modules as they are imported
        run_atheris(args.atheris_child)  # exits the process itself, non-zero on a crash
    figures = run(args.inputs, args.model_inputs, args.seed)
    if args.atheris:
        try:
            import atheris  # noqa: F401
        except ImportError:
            figures["atheris"] = "not installed here (its wheel is Linux x86-64 only): no coverage-guided run"
        else:
            child = subprocess.run([sys.executable, __file__, "--atheris-child", str(args.atheris)], check=False)
            figures["atheris"] = {"seconds": args.atheris, "exit": child.returncode}
            figures["violations"] += child.returncode != 0
    print(json.dumps(figures))
    return 1 if figures["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
