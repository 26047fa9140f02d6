"""Build the committed advisory snapshot from a copy of the PyPA advisory database, so that `make audit` can
check the locks with no network.

    python packaging/advisories.py /path/to/advisory-database            # a clone or a bare git directory
    python packaging/advisories.py REPO --rev main --out requirements/advisories/pypi-osv.json

The database (https://github.com/pypa/advisory-database, CC BY 4.0) holds OSV advisories in YAML under
vulns/. Only those naming a package pinned in a lock are kept, so the file stays small, and of each only what
the audit reads: id, aliases, a one-sentence summary, and per package its ECOSYSTEM ranges and the explicit
versions no range already holds (GIT ranges name commits, not releases). Withdrawn advisories are left out.
The file records the source, its commit and commit date, when it was made, and every package looked up,
with or without advisories. Needs PyYAML (in the test lock). Rerun it after `make lock` adds a package.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from advisory_snapshot import FORMAT, ROOT, SNAPSHOT, load
from locks import LOCKS, locked_names
from osv_ranges import EVENT_KINDS, RANGE_TYPE, RangeError, affects, in_range
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SOURCE_URL = "https://github.com/pypa/advisory-database"
LICENCE = "CC-BY-4.0"
SUMMARY_CHARS = 200


class BuildError(RuntimeError):
    """A database this builder cannot read faithfully; the message names the advisory or the command."""


def _git(repo: Path, *args: str) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=300).stdout
    except subprocess.CalledProcessError as exc:
        raise BuildError(f"git {' '.join(args)} in {repo}: {exc.stderr.decode(errors='replace').strip()}") from exc


def _documents(repo: Path, commit: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, parsed advisory) for every advisory file under vulns/ at `commit`."""
    import yaml  # the test lock's PyYAML; only the builder needs it

    # every scalar as the string written: an unquoted `fixed: 1.10` must not become the number 1.1
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    with tarfile.open(fileobj=io.BytesIO(_git(repo, "archive", "--format=tar", commit, "vulns"))) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith((".yaml", ".yml", ".json")):
                raw = tar.extractfile(member)
                assert raw is not None  # a regular file always has content
                try:
                    document = yaml.load(raw.read().decode("utf-8"), Loader=loader)
                except (yaml.YAMLError, UnicodeDecodeError) as exc:
                    raise BuildError(f"{member.name}: not a readable advisory ({exc})") from exc
                if not isinstance(document, dict) or "id" not in document:
                    raise BuildError(f"{member.name}: not an OSV advisory (no id)")
                yield member.name, document


def summary(advisory: dict[str, Any]) -> str:
    """The advisory's summary, else the first sentence of its details, cut to SUMMARY_CHARS."""
    text = " ".join(str(advisory.get("summary") or advisory.get("details") or "").split())
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0]
    if len(first) > SUMMARY_CHARS:
        first = first[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return first or "(no summary in the advisory)"


def _slim_entry(path: str, entry: dict[str, Any], package: str) -> dict[str, Any]:
    """The entry's ECOSYSTEM ranges and the explicit versions outside them."""
    ranges = []
    for range_ in entry.get("ranges") or []:
        if range_.get("type") == "GIT":
            continue
        if range_.get("type") != RANGE_TYPE:
            raise BuildError(f"{path}: range type {range_.get('type')!r} for {package} is not one the audit reads")
        events = [{k: str(v)} for event in range_.get("events") or [] for k, v in event.items()]
        if any(next(iter(event)) not in EVENT_KINDS for event in events):
            raise BuildError(f"{path}: an event of {package}'s range is not one of {', '.join(EVENT_KINDS)}")
        ranges.append({"type": RANGE_TYPE, "events": events})
    versions = []
    for text in (str(v) for v in entry.get("versions") or []):
        try:
            inside = any(in_range(Version(text), r) for r in ranges)
        except (InvalidVersion, RangeError):
            inside = False  # kept: the audit compares what it cannot parse as an exact string
        if not inside:
            versions.append(text)
    return {"package": package, "ranges": ranges, "versions": versions}


def build(repo: Path, rev: str, names: list[str], source_url: str) -> tuple[dict[str, Any], list[str]]:
    """The snapshot for `names` from `repo` at `rev`, and the warnings for entries the audit cannot evaluate."""
    commit = _git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()
    commit_date = _git(repo, "show", "-s", "--format=%cI", commit).decode().strip()
    wanted = set(names)
    kept: list[dict[str, Any]] = []
    read = withdrawn = 0
    for path, document in _documents(repo, commit):
        read += 1
        if document.get("withdrawn"):  # a date when set
            withdrawn += 1
            continue
        entries = []
        for entry in document.get("affected") or []:
            package = entry.get("package") or {}
            name = canonicalize_name(str(package.get("name", "")))
            if package.get("ecosystem") == "PyPI" and name in wanted:
                entries.append(_slim_entry(path, entry, name))
        if entries:
            aliases = sorted(str(a) for a in document.get("aliases") or [])
            kept.append(
                {"id": str(document["id"]), "aliases": aliases, "summary": summary(document), "affected": entries}
            )
    if read == 0:
        raise BuildError(f"{repo} at {commit}: no advisory under vulns/ (is it the PyPA advisory database?)")
    warnings = []
    for advisory in kept:
        for entry in advisory["affected"]:
            try:
                affects(entry, "0")
            except RangeError as exc:
                warnings.append(f"{advisory['id']} ({entry['package']}): {exc}; the audit will say it cannot look")
    snapshot = {
        "format": FORMAT,
        "source": {"repository": source_url, "commit": commit, "commit_date": commit_date, "licence": LICENCE},
        "made": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "ecosystem": "PyPI",
        "advisories_read": read,
        "withdrawn_left_out": withdrawn,
        "packages": sorted(wanted),
        "advisories": sorted(kept, key=lambda a: a["id"]),
    }
    return snapshot, warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="a clone or bare git directory of the PyPA advisory database")
    parser.add_argument("--rev", default="HEAD", help="the commit to read (default HEAD)")
    parser.add_argument("--out", type=Path, default=SNAPSHOT)
    parser.add_argument("--lock", type=Path, action="append", help="a lock whose packages to cover (default: all)")
    parser.add_argument("--source-url", default=SOURCE_URL, help="where the copy came from, recorded in the file")
    args = parser.parse_args(argv)
    try:
        snapshot, warnings = build(args.repo, args.rev, locked_names(args.lock or LOCKS), args.source_url)
    except (BuildError, ValueError) as exc:
        print(f"advisories: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    load(args.out)  # what the audit will read
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    source = snapshot["source"]
    print(
        f"wrote {shown}: {len(snapshot['advisories'])} advisories for {len(snapshot['packages'])} packages, "
        f"from {source['repository']} at {source['commit'][:12]} of {source['commit_date']} "
        f"({snapshot['advisories_read']} advisories read, {snapshot['withdrawn_left_out']} withdrawn left out)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
