"""The Linux artefacts from the frozen bundle (dist/tierwall/, made by packaging/tierwall.spec):

    dist/tierwall-<version>-linux-<machine>.tar.gz   the bundle as tierwall-<version>/, to unpack and run anywhere
    dist/tierwall_<version>_<arch>.deb               the same under /opt/tierwall, built with dpkg-deb from a staged
                                                     tree (build/stage/deb/)

The .deb puts `tierwall` and `tierwall-tray` on PATH (links in /usr/bin), the desktop menu's entry with the icon,
and declares the system libraries the bundle links against but does not carry (each checked here: a library the
bundle needs that no declared package provides stops the build). Removing it leaves every user's settings, policies
and history alone; purging says so (DEBIAN/postrm).

    python packaging/bundle/stage.py [--dist dist/tierwall] [--out dist] [--no-deb] [--no-tar]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

import layout  # noqa: E402  (packaging/bundle/layout.py)

from app.autostart import desktop_entry  # noqa: E402  (stdlib only: no Qt is loaded)

PREFIX = "opt/tierwall"  # where the .deb puts the bundle
PROGRAMS = ("tierwall", "tierwall-tray")
ICON = ROOT / "assets" / "icons" / "tierwall.png"  # 256 x 256
MAINTAINER = "Tierwall developers <tierwall@localhost>"
DESCRIPTION = """\
local, offline firewall for what you paste into an LLM
 Tierwall scans text for prompt injection, jailbreaks, obfuscated payloads and
 leaked secrets or personal data, and nothing ever leaves the machine. The tray
 app checks every text you copy; `tierwall scan` checks a file or standard
 input from a terminal. Models are loaded only when the rules are unsure, in a
 process of their own, and unloaded when idle."""
POSTRM = """\
#!/bin/sh
# Tierwall's files under /opt/tierwall, /usr/bin and /usr/share are dpkg's to remove. Each user's settings,
# policies, allow/deny lists and scan history live in their home directory, which no package touches.
set -e
if [ "$1" = purge ]; then
    echo "tierwall: purged the program (/opt/tierwall, /usr/bin/tierwall, /usr/bin/tierwall-tray, the menu entry)."
    echo "tierwall: each user's own files are left as they are; to remove them, each user deletes"
    echo "tierwall:   ~/.config/tierwall (settings, policies), ~/.local/share/tierwall (lists, history)"
    echo "tierwall:   and ~/.config/autostart/tierwall.desktop (start at login; ignored once the program is gone)"
fi
exit 0
"""


def deb_architecture() -> str:
    try:
        return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                              check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def control(version: str, arch: str, installed_kib: int) -> str:
    """DEBIAN/control."""
    return (
        f"Package: tierwall\nVersion: {version}\nArchitecture: {arch}\nMaintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\nDepends: {', '.join(layout.DEB_DEPENDS)}\n"
        f"Section: utils\nPriority: optional\nDescription: {DESCRIPTION}\n"
    )


def check_system_libraries(dist: Path) -> list[str]:
    """The libraries the bundle needs from the system that no declared dependency provides (empty: all are)."""
    missing = layout.system_libraries(dist) - set(layout.SYSTEM_LIBRARIES)
    return sorted(missing)


def stage_deb(dist: Path, stage: Path, version: str, arch: str) -> Path:
    """The .deb's tree: the bundle under /opt/tierwall (hard links, not copies), links on PATH, the menu entry, the
    icon, the copyright file and DEBIAN/. Returns the tree's root."""
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / PREFIX
    shutil.copytree(dist, opt, symlinks=True, copy_function=_link_or_copy)
    usr_bin = stage / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for program in PROGRAMS:
        (usr_bin / program).symlink_to(f"/{PREFIX}/{program}")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / "tierwall.desktop").write_text(desktop_entry(["/usr/bin/tierwall-tray"], "tierwall", autostart=False),
                                           encoding="utf-8")  # fmt: skip
    icons = stage / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(ICON, icons / "tierwall.png")
    doc = stage / "usr" / "share" / "doc" / "tierwall"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(layout.copyright_text(ROOT), encoding="utf-8")
    debian = stage / "DEBIAN"
    debian.mkdir()
    installed_kib = sum(p.lstat().st_size for p in stage.rglob("*") if not p.is_dir()) // 1024
    (debian / "control").write_text(control(version, arch, installed_kib), encoding="utf-8")
    (debian / "postrm").write_text(POSTRM, encoding="utf-8")
    (debian / "postrm").chmod(0o755)
    (debian / "md5sums").write_text(_md5sums(stage), encoding="utf-8")
    for path in [stage, *stage.rglob("*")]:  # dpkg wants 0755 directories and no group/other write bits
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o022 | (0o755 if path.is_dir() else 0))
    return stage


def build_deb(stage: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(out)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return out


def build_tar(dist: Path, out: Path, top: str) -> Path:
    """dist/ as `top`/ in a .tar.gz, owned by root, files in name order (the same tree gives the same listing)."""

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        for path in [dist, *sorted(dist.rglob("*"))]:
            name = top if path == dist else f"{top}/{path.relative_to(dist).as_posix()}"
            tar.add(path, arcname=name, recursive=False, filter=owned_by_root)
    return out


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _md5sums(stage: Path) -> str:
    lines = []
    for path in sorted(stage.rglob("*")):
        rel = path.relative_to(stage).as_posix()
        if path.is_file() and not path.is_symlink() and not rel.startswith("DEBIAN/"):
            digest = hashlib.md5(usedforsecurity=False)
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            lines.append(f"{digest.hexdigest()}  {rel}\n")
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stage.py", description="Build the .tar.gz and the .deb from dist/tierwall/")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "tierwall", help="the frozen bundle")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the .tar.gz and the .deb go")
    parser.add_argument("--stage", type=Path, default=ROOT / "build" / "stage", help="where the .deb's tree is laid")
    parser.add_argument("--no-deb", action="store_true")
    parser.add_argument("--no-tar", action="store_true")
    args = parser.parse_args(argv)
    version = layout.project_version(ROOT)
    for program in PROGRAMS:
        if not (args.dist / program).is_file():
            print(f"stage.py: {args.dist / program} is missing: run `make package` first", file=sys.stderr)
            return 1
    shown = subprocess.run([str(args.dist / "tierwall"), "--version"], capture_output=True, text=True).stdout.split()
    if shown[-1:] != [version]:
        print(f"stage.py: the bundle says {' '.join(shown)!r}, pyproject.toml {version}: rebuild it", file=sys.stderr)
        return 1
    missing = check_system_libraries(args.dist)
    if missing:
        print(f"stage.py: the bundle needs {', '.join(missing)} from the system, and no package in "
              "layout.SYSTEM_LIBRARIES provides it: add the Debian package that does", file=sys.stderr)  # fmt: skip
        return 1
    if not args.no_tar:
        started = time.perf_counter()
        tar = build_tar(args.dist, args.out / f"tierwall-{version}-linux-{platform.machine()}.tar.gz",
                        f"tierwall-{version}")  # fmt: skip
        print(f"{tar}: {tar.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    if not args.no_deb:
        if shutil.which("dpkg-deb") is None:
            print("stage.py: no dpkg-deb here, so no .deb (apt-get install dpkg)", file=sys.stderr)
            return 1
        started = time.perf_counter()
        arch = deb_architecture()
        stage = stage_deb(args.dist, args.stage / "deb", version, arch)
        deb = build_deb(stage, args.out / f"tierwall_{version}_{arch}.deb")
        print(f"{deb}: {deb.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
