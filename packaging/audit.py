"""Check every locked package against the committed advisory snapshot, with no network (`make audit`).

    python packaging/audit.py                   # requirements/*.txt locks against requirements/advisories/pypi-osv.json
    python packaging/audit.py --snapshot S.json --lock requirements/run.txt

Prints the snapshot's source and date (with a warning when it is older than --max-age-days), then one line
per finding: package, version, the locks that pin it, advisory id and aliases, summary, the release that
fixes it. Exit 0 only when every locked package was looked up in the snapshot and none is affected; 1 when
one is affected; 2 when nothing was found affected but the audit could not look at everything (no snapshot
or an unreadable one, an unreadable lock, a locked package the snapshot did not cover, an advisory it cannot
evaluate). It then says what it could not look at, and only exit 0 says "no known vulnerabilities".
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from advisory_snapshot import ROOT, SNAPSHOT, Snapshot, SnapshotError, load
from locks import LOCKS, LockError, read_pins
from osv_ranges import RangeError, affects, fixed_in

MAX_AGE_DAYS = 90
REFRESH = "rerun packaging/advisories.py (see requirements/advisories/README.md)"


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)  # the snapshot, warnings, findings: stdout
    blind: list[str] = field(default_factory=list)  # what could not be looked at: stderr
    findings: int = 0

    @property
    def code(self) -> int:
        return 1 if self.findings else 2 if self.blind else 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _header(snapshot: Snapshot, now: datetime, max_age: int, report: Report) -> None:
    age = (now - snapshot.commit_date).days
    report.lines.append(
        f"advisory snapshot {_shown(snapshot.path)}: {snapshot.repository} at {snapshot.commit[:12]}, "
        f"dated {snapshot.commit_date:%Y-%m-%d} ({age} days ago), made {snapshot.made:%Y-%m-%d}; "
        f"{len(snapshot.advisories)} advisories for {len(snapshot.packages)} packages"
    )
    if age > max_age:
        report.lines.append(
            f"warning: the snapshot is {age} days old (more than {max_age}): advisories published since "
            f"{snapshot.commit_date:%Y-%m-%d} are not in it, so a release locked since then was checked only "
            f"against older ones; {REFRESH} from a fresh copy of the database"
        )


def _pins(locks: Sequence[Path], report: Report) -> dict[tuple[str, str], list[str]]:
    """(name, version) → the locks that pin it."""
    pinned: dict[tuple[str, str], list[str]] = defaultdict(list)
    for lock in locks:
        try:
            for pin in read_pins(lock):
                pinned[pin.name, pin.version].append(pin.lock)
        except LockError as exc:
            report.blind.append(str(exc))
    return dict(sorted(pinned.items()))


def _check(snapshot: Snapshot, name: str, version: str, where: str, report: Report) -> None:
    if name not in snapshot.packages:
        report.blind.append(f"{name} {version} ({where}) is not in the snapshot, so it was not looked up: {REFRESH}")
        return
    for advisory, entry in snapshot.entries(name):
        try:
            if not affects(entry, version):
                continue
            fix = fixed_in(entry, version)
        except RangeError as exc:
            report.blind.append(f"{name} {version} ({where}): cannot evaluate {advisory['id']}: {exc}")
            continue
        aliases = f" ({', '.join(advisory['aliases'])})" if advisory["aliases"] else ""
        report.lines.append(f"{name} {version} ({where}): {advisory['id']}{aliases}: {advisory['summary']} [{fix}]")
        report.findings += 1


def audit(snapshot_path: Path, locks: Sequence[Path], now: datetime, max_age: int = MAX_AGE_DAYS) -> Report:
    """The whole check; nothing printed, so that tests read what main() would."""
    report = Report()
    try:
        snapshot = load(snapshot_path)
    except SnapshotError as exc:
        report.blind.append(str(exc))
        return report
    _header(snapshot, now, max_age, report)
    pinned = _pins(locks, report)
    for (name, version), where in pinned.items():
        _check(snapshot, name, version, ", ".join(where), report)
    names = {name for name, _ in pinned}
    if report.findings:
        report.lines.append(
            f"{report.findings} findings: locked versions that an advisory in the snapshot names as affected"
        )
    elif not report.blind:
        report.lines.append(
            f"no known vulnerabilities in the snapshot of {snapshot.commit_date:%Y-%m-%d} for the {len(pinned)} "
            f"locked versions of {len(names)} packages ({', '.join(lock.name for lock in locks)})"
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--lock", type=Path, action="append", help="a lock to audit (default: every lock)")
    parser.add_argument("--max-age-days", type=int, default=MAX_AGE_DAYS, help="warn past this age (default 90)")
    args = parser.parse_args(argv)
    report = audit(args.snapshot, args.lock or LOCKS, datetime.now(UTC), args.max_age_days)
    for line in report.lines:
        print(line)
    if report.blind:
        for line in report.blind:
            print(f"could not look: {line}", file=sys.stderr)
        print(
            "the audit is incomplete: it could not look where said above, so this is no clean result "
            f"(exit {report.code})",
            file=sys.stderr,
        )
    return report.code


if __name__ == "__main__":
    sys.exit(main())
