"""`tierwall bench`'s progress: what the child reports, how the parent reads and shows it."""

from __future__ import annotations

import io

from engine.bench import ADVERSARIAL_PHASE, PHASES, PROGRESS_PREFIX, Progress, _Reporter, parse_progress
from engine.report import BenchProgress


def _said(phases: tuple[str, ...], steps: int) -> list[Progress]:
    out = io.StringIO()
    say = _Reporter(phases, out)
    say.phase(phases[0])
    say.phase(phases[1], steps)
    for i in range(1, steps + 1):
        say.step(i)
    lines = out.getvalue().splitlines()
    assert all(line.startswith(PROGRESS_PREFIX) for line in lines)
    return [p for p in map(parse_progress, lines) if p is not None]


def test_the_child_reports_phases_and_tenths_of_long_phases():
    said = _said(PHASES, 200)
    assert [(p.phase, p.name, p.done) for p in said[:2]] == [(1, PHASES[0], 0), (2, PHASES[1], 0)]
    assert [p.done for p in said[2:]] == [20 * k for k in range(1, 11)]  # 200 steps: 10 lines, not 200
    assert said[-1].phases == len(PHASES) == 10


def test_progress_fraction_grows_with_the_run_and_ends_at_one():
    fractions = [p.fraction for p in _said(PHASES, 7)]
    assert fractions == sorted(fractions) and fractions[0] == 0.0
    last = Progress(len(PHASES), len(PHASES), PHASES[-1], 1, 1)
    assert last.fraction == 1.0
    with_hostile = Progress(len(PHASES), len(PHASES) + 1, PHASES[-1], 1, 1)
    assert 0.5 < with_hostile.fraction < 1.0  # --adversarial adds a phase after it


def test_other_stderr_lines_are_not_progress():
    assert parse_progress("Traceback (most recent call last):\n") is None
    assert parse_progress(PROGRESS_PREFIX + "{not json\n") is None
    assert parse_progress(PROGRESS_PREFIX + '{"phase": 12, "phases": 9, "name": "x", "done": 0, "steps": 1}') is None
    assert parse_progress(PROGRESS_PREFIX + '{"phase": 1, "phases": 9}') is None


def test_not_a_terminal_one_line_per_phase():
    err = io.StringIO()
    show = BenchProgress(err, bar=False)
    for p in _said((*PHASES, ADVERSARIAL_PHASE), 50):
        show(p)
    show.close()
    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in err.getvalue()
    assert lines[0].startswith("bench 1/11 at ") and lines[0].endswith(f"s: {PHASES[0]}")
    assert lines[1].endswith(f"s: {PHASES[1]}")


def test_a_terminal_gets_a_bar_redrawn_in_place_and_blanked_at_the_end():
    err = io.StringIO()
    show = BenchProgress(err, bar=True)
    said = _said(PHASES, 4)
    for p in said:
        show(p)
    drawn = err.getvalue()
    frames = drawn.split("\r")[1:]
    assert len(frames) == len(said) and "\n" not in drawn
    assert frames[0].startswith("[" + "." * BenchProgress.BAR + "]") and frames[0].rstrip().endswith(PHASES[0])
    assert f"{said[-1].fraction:4.0%}" in frames[-1] and "#" in frames[-1]
    show.close()
    assert err.getvalue().endswith("\r" + " " * len(frames[-1].rstrip()) + "\r")
