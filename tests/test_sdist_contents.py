"""What digest's source distribution holds: the folders ``pyproject.toml`` names, at the
project's top, and nothing a checkout also happens to hold.

Observed (stop 61): the sdist's ``include`` patterns matched at any depth, so a copy holding a
virtualenv not named ``.venv`` (``.venv3/``, which ``.gitignore`` does not name) shipped its
``site-packages/**/tests``, ``digest`` and ``docs`` folders: 1,317 files, 9.2 MB.  The sdist is
built here with hatchling itself (fetched as a build would fetch it; skipped where pip cannot).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SDIST = PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]
#: What hatchling writes into every sdist besides the named folders and files.
ALWAYS = {"PKG-INFO", "pyproject.toml", ".gitignore"}


def _tracked() -> list[str]:
    proc = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode:
        pytest.skip("not a git checkout: the sdist's inputs are the tracked files")
    return proc.stdout.splitlines()


def _hatchling(target: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "hatchling"],
                          capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode and re.search(r"No matching distribution|Could not find a version", proc.stderr):
        pytest.skip("pip could not fetch the build backend (hatchling)")
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.slow
def test_the_sdist_holds_the_named_top_level_folders_only(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for rel in _tracked():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    # what a checkout may hold that .gitignore does not name: a second virtualenv, a build tree
    for rel in (".venv3/lib/python3.11/site-packages/somepkg/tests/test_x.py",
                ".venv3/lib/python3.11/site-packages/somepkg/docs/index.md",
                ".venv3/share/digest/examples/a.txt", "scratch/benchmarks/run.py"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("stray\n")
    backend = tmp_path / "backend"
    _hatchling(backend)
    out = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(out)],
                          cwd=src, capture_output=True, text=True, timeout=600, check=False,
                          env={"PYTHONPATH": str(backend), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    [sdist] = out.glob("digest-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = [m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()]
    named = set(SDIST["only-include"])
    tops = {n.split("/")[0] for n in names}
    assert sorted(tops - named - ALWAYS) == []
    assert [n for n in names if n.startswith(".venv3/") or n.startswith("scratch/")] == []
    # and every tracked file under a named folder ships (the sdist's tests collect from it)
    wanted = {rel for rel in _tracked() if rel.split("/")[0] in named}
    assert sorted(wanted - set(names)) == []
    # the JSON Schemas shipped beside the code that writes each JSON (stop 62)
    assert {f"digest/output/{n}.schema.json" for n in ("digest", "status", "search", "explain", "dedupe")} <= set(names)
