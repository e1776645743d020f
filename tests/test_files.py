"""Output files are written whole and atomically, by any number of writers at once:
real threads and processes, real files on disk."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from digest.app import App
from digest.config import parse_config
from digest.output.files import atomic_write
from digest.store.base import open_store
from tests.support.fixtures import NOW, local_sources

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # seconds by design (CI runs it: --run-slow)
def test_concurrent_digest_writers_never_collide_and_leave_one_whole_file(tmp_path: Path) -> None:
    text = f"sources:\n{local_sources()}output_dir: out\ndata_dir: data\n"
    cfg = parse_config(text, path=tmp_path / "feeds.yaml")
    with App(cfg, open_store(cfg.database_url)) as app:
        app.run(now=NOW)
        expected = app.render(day=NOW.date(), fmt="md")
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer() -> None:
        with App(cfg, open_store(cfg.database_url)) as own:  # a Store per thread
            start.wait()
            try:
                for _ in range(25):
                    own.write_digest(day=NOW.date(), formats=("md",))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [], errors[:3]
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [f"digest-{NOW.date()}.md"]  # no temp left
    written = (out / f"digest-{NOW.date()}.md").read_text(encoding="utf-8")
    assert undated(written) == undated(expected) and "Opunake" in written


def undated(md: str) -> list[str]:
    """The digest's lines but the "Generated HH:MM" one (the writers ran minutes apart, maybe)."""
    return [line for line in md.splitlines() if not line.startswith("*Generated")]


def test_readers_see_one_whole_version_while_processes_rewrite(tmp_path: Path) -> None:
    target = tmp_path / "digest.md"
    versions = {f"version {i}\n" + f"line of {i}\n" * 20000 for i in range(3)}
    code = (
        "import sys; from pathlib import Path; from digest.output.files import atomic_write\n"
        "text = sys.argv[2] * 20000\n"
        "for _ in range(40): atomic_write(Path(sys.argv[1]), sys.argv[3] + text)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(target), f"line of {i}\n", f"version {i}\n"],
            env=env, stderr=subprocess.PIPE,
        )
        for i in range(3)
    ]
    seen: set[str] = set()
    while any(p.poll() is None for p in procs):
        with contextlib.suppress(FileNotFoundError):
            seen.add(target.read_text(encoding="utf-8"))
    errs = [p.stderr.read().decode() for p in procs if p.stderr is not None]
    assert [p.returncode for p in procs] == [0, 0, 0], errs
    seen.add(target.read_text(encoding="utf-8"))
    assert seen <= versions and seen  # never a partial or mixed file
    assert [p.name for p in tmp_path.iterdir()] == ["digest.md"]


def test_atomic_write_modes_and_failures(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.md"
    old = os.umask(0o027)
    try:
        atomic_write(fresh, "a")
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640  # as open() would: 0o666 less the umask
    kept = tmp_path / "kept.yaml"
    kept.write_text("x")
    kept.chmod(0o600)
    atomic_write(kept, "y")
    assert kept.read_text() == "y" and stat.S_IMODE(kept.stat().st_mode) == 0o600
    with pytest.raises(UnicodeEncodeError):
        atomic_write(tmp_path / "bad.md", "\udc80")  # a lone surrogate cannot be UTF-8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.md", "kept.yaml"]
