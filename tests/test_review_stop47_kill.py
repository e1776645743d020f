"""Review (stop 47): ``kill -9`` at the moments between a state write and the next, in real
processes.  A kill at an exact instant is a process that calls ``os._exit`` there (what SIGKILL
leaves: the committed transactions, nothing else); the harness that found these is
``benchmarks/kill_fuzz.py`` (random SIGKILLs of ``digest run``/``send``/``prune`` against feeds
on loopback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.config import config_text

ROOT = Path(__file__).resolve().parents[1]

#: ``python -c``: run the CLI with ``MODULE.NAME`` (``MODULE.NAME@N``: its Nth call) replaced
#: by an exit with status 137 (as SIGKILL), the rest of argv the command.
KILLED_AT = """
import os, sys, importlib
where, _, nth = sys.argv[1].partition("@")
module, name = where.rsplit(".", 1)
mod = importlib.import_module(module)
real, calls = getattr(mod, name), []
def killed(*args, **kwargs):
    calls.append(1)
    if len(calls) >= int(nth or 1):
        os._exit(137)
    return real(*args, **kwargs)
setattr(mod, name, killed)
from digest.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


def _digest(*args: str, killed_at: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "digest", *args] if killed_at is None else \
        [sys.executable, "-c", KILLED_AT, killed_at, *args]
    return subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)


def _note(folder: Path, name: str, title: str, text: str, date: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"---\ntitle: {title}\ndate: {date}\n---\n{text}\n", encoding="utf-8")


def _config(tmp: Path, clock: str, timezone: str) -> Path:
    cfg = tmp / "feeds.yaml"
    cfg.write_text(config_text({"Notes": tmp / "notes"}, clock=clock, timezone=timezone), encoding="utf-8")
    return cfg


def _new_ids(cfg: Path, day: str) -> set[str]:
    out = _digest("build", "--config", str(cfg), "--date", day, "--format", "json", "-o", "-")
    assert out.returncode == 0, out.stderr
    view = json.loads(out.stdout)
    return {v["title"] for s in view["stories"] for v in [s["lead"], *s["also"]] if v["new"]}


@pytest.mark.slow
def test_a_run_killed_after_writing_its_digest_keeps_the_days_hours(tmp_path: Path) -> None:
    """A run killed after its digest's first file was written and recorded (the Markdown, while
    the HTML was made), before the day's hours were kept (``publish.write_files``: each file,
    then ``pin_frame`` after them all, its two rows in transactions of their own): after a change of ``timezone:`` the next day began where
    the new zone put it, before the written day ended, and an article the written digest
    showed as new was new again in the next day's.  Without the kill the day's end is kept
    and the article is new once."""
    notes = tmp_path / "notes"
    _note(notes, "a.md", "Harbour ferry returns to the timetable",
          "The harbour ferry returned to its timetable on Tuesday after repairs to the hull, "
          "the operator said. Commuters had used buses for three weeks.", "2026-11-10T19:00:00Z")
    cfg = _config(tmp_path, "2026-11-10T20:00:00Z", "UTC")
    first = _digest("run", "--config", str(cfg), "--quiet", killed_at="digest.output.publish.atomic_write@2")
    assert first.returncode == 137, first.stderr
    written = tmp_path / "out" / "digest-2026-11-10.md"
    assert "Harbour ferry" in written.read_text(encoding="utf-8")  # the reader has it in 10 Nov's

    _note(notes, "b.md", "Museum roof appeal reaches its target",
          "The museum's roof appeal reached its target on Wednesday, the trust said, "
          "after a late gift from a local firm. Work starts in spring.", "2026-11-11T09:00:00Z")
    cfg = _config(tmp_path, "2026-11-11T10:00:00Z", "Asia/Tokyo")
    again = _digest("run", "--config", str(cfg), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "Harbour ferry returns to the timetable" not in _new_ids(cfg, "2026-11-11")
    assert "Museum roof appeal reaches its target" in _new_ids(cfg, "2026-11-11")
