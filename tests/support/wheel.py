"""digest's wheel built from a copy of the checkout's sources, as ``pip install`` builds it.

The sources are copied without byte code or a patch's and an editor's leftovers (``STRAY``),
so a test may plant those in the copy and see that the build leaves them out.  The build
backend (hatchling) is fetched as for any install: where pip cannot fetch it, the test is
skipped, saying so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Files a checkout may hold that no build should ship (patch leftovers, editor files, byte code).
STRAY = ("__pycache__", "*.pyc", "*.orig", "*.rej", "*~", "*.swp", "*.bak")


def copy_sources(dest: Path) -> None:
    """What the wheel is built from (``pyproject.toml``, ``README.md``, ``digest/``,
    ``templates/``), copied into ``dest`` without ``STRAY`` files."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", "README.md", ".gitignore"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("digest", "templates"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns(*STRAY))


def build_wheel(src: Path, out: Path) -> Path:
    """``pip wheel --no-deps`` of the sources in ``src`` into ``out``: the wheel's path."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    if proc.returncode and re.search(r"(No matching distribution|Could not find a version).*hatchling",
                                     proc.stderr + proc.stdout):
        pytest.skip("pip could not fetch the build backend (hatchling)")
    assert proc.returncode == 0, proc.stderr[-3000:]
    [wheel] = out.glob("digest-*.whl")
    return wheel
